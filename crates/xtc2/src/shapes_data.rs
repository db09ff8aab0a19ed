/*!
ShapesData: the values of one Names for one datagram. It holds two children in either order:
Shapes (one `u32[5]` per array field, in Names order; may be empty) and Data (all values packed
back to back in Names order, no padding). [`ShapesData::decode`] finds the children;
[`ShapesData::desc`] pairs them with their [`Names`] to give typed [`Field`]s.
*/

use std::borrow::Cow;
use std::marker::PhantomData;

use crate::cursor::{Cursor, cstr};
use crate::damage::Damage;
use crate::data_type::{DataType, Element};
use crate::error::{FormatError, FormatErrorKind};
use crate::names::{MAX_RANK, Name, Names};
use crate::type_id::{NamesId, TypeId};
use crate::xtc::Xtc;

/// Bytes of one shape in a Shapes payload.
pub const SHAPE_SIZE: usize = 4 * MAX_RANK as usize;

/// A view of one ShapesData Xtc (type id 1).
#[derive(Debug, Clone, Copy)]
pub struct ShapesData<'a> {
    xtc: Xtc<'a>,
    shapes: Option<Xtc<'a>>,
    data: Xtc<'a>,
}

impl<'a> ShapesData<'a> {
    /// Finds the Shapes and Data children of a ShapesData Xtc; refuses Corrupted ones.
    pub fn decode(xtc: &Xtc<'a>) -> Result<Self, FormatError> {
        if xtc.damage().is_corrupted() {
            return Err(FormatErrorKind::Corrupted {
                damage: xtc.damage().0,
            }
            .at(xtc.offset()));
        }
        let mut shapes = None;
        let mut data = None;
        for child in xtc.children() {
            let child = child?;
            let (slot, what) = match child.type_id() {
                TypeId::Shapes => (&mut shapes, "Shapes"),
                TypeId::Data => (&mut data, "Data"),
                other => {
                    return Err(FormatErrorKind::UnexpectedChild(other.as_u16()).at(child.offset()));
                }
            };
            if slot.is_some() {
                return Err(FormatErrorKind::DuplicateChild(what).at(child.offset()));
            }
            if child.damage().is_corrupted() {
                return Err(FormatErrorKind::Corrupted {
                    damage: child.damage().0,
                }
                .at(child.offset()));
            }
            *slot = Some(child);
        }
        let data = data.ok_or_else(|| FormatErrorKind::MissingData.at(xtc.offset()))?;
        Ok(Self {
            xtc: *xtc,
            shapes,
            data,
        })
    }

    /// The ShapesData Xtc itself.
    pub fn xtc(&self) -> Xtc<'a> {
        self.xtc
    }

    /// The NamesId of the Names that describes these values.
    pub fn names_id(&self) -> NamesId {
        self.xtc.names_id()
    }

    /// The damage of the ShapesData and its children, combined.
    pub fn damage(&self) -> Damage {
        let shapes = self.shapes.map_or(0, |s| s.damage().0);
        Damage(self.xtc.damage().0 | shapes | self.data.damage().0)
    }

    /// The Data payload.
    pub fn data(&self) -> &'a [u8] {
        self.data.payload()
    }

    /// The Shapes payload (empty if there is no Shapes child).
    pub fn shapes(&self) -> &'a [u8] {
        self.shapes.map_or(&[], |s| s.payload())
    }

    /// Whether the Data child comes before the Shapes child.
    pub fn data_first(&self) -> bool {
        self.shapes.is_some_and(|s| s.offset() > self.data.offset())
    }

    /// The values, typed by their Names; checks that Shapes covers every array.
    pub fn desc<'n>(&self, names: &'n Names) -> Result<DescData<'a, 'n>, FormatError> {
        let arrays = names.num_arrays();
        let need = u64::from(arrays) * SHAPE_SIZE as u64;
        if self.shapes.is_none() && arrays > 0 {
            return Err(FormatErrorKind::MissingShapes(arrays).at(self.xtc.offset()));
        }
        let shapes = self.shapes();
        let have = shapes.len() as u64;
        if have < need {
            let at = self
                .shapes
                .map_or(self.xtc.offset(), |s| s.payload_offset());
            return Err(FormatErrorKind::ShapesTooShort { arrays, need, have }.at(at));
        }
        Ok(DescData {
            names,
            shapes,
            data: self.data.payload(),
            data_at: self.data.payload_offset(),
        })
    }
}

/// The values of a ShapesData, typed by their Names.
#[derive(Debug, Clone, Copy)]
pub struct DescData<'a, 'n> {
    names: &'n Names,
    shapes: &'a [u8],
    data: &'a [u8],
    data_at: u64,
}

impl<'a, 'n> DescData<'a, 'n> {
    /// The Names describing these values.
    pub fn names(&self) -> &'n Names {
        self.names
    }

    /// All fields in Names order; stops after the first error.
    pub fn fields(&self) -> Fields<'a, 'n> {
        Fields {
            names: self.names.fields.iter(),
            shapes: self.shapes,
            data: Cursor::new(self.data, self.data_at),
            data_start: self.data_at,
            failed: false,
        }
    }

    /// The field whose name (or name without enum suffix) is `name`, if the Names has it.
    pub fn field(&self, name: &str) -> Result<Option<Field<'a, 'n>>, FormatError> {
        for field in self.fields() {
            let field = field?;
            if field.name.name == name || field.name.base_name() == name {
                return Ok(Some(field));
            }
        }
        Ok(None)
    }
}

/// The fields of a [`DescData`], in Names order.
#[derive(Debug, Clone)]
pub struct Fields<'a, 'n> {
    names: std::slice::Iter<'n, Name>,
    shapes: &'a [u8],
    data: Cursor<'a>,
    data_start: u64,
    failed: bool,
}

impl<'a, 'n> Fields<'a, 'n> {
    fn field(&mut self, name: &'n Name) -> Result<Field<'a, 'n>, FormatError> {
        let at = self.data.at();
        let mut shape = Shape::scalar();
        if name.is_array() {
            // `desc` checked that Shapes holds a shape for every array field.
            let (head, tail) = self
                .shapes
                .split_at_checked(SHAPE_SIZE)
                .unwrap_or((&[], &[]));
            let mut cur = Cursor::new(head, 0);
            for dim in shape.dims.iter_mut() {
                *dim = cur.u32("shape")?;
            }
            shape.rank = name.rank;
            self.shapes = tail;
        }
        let bytes = shape
            .num_elements()
            .and_then(|n| n.checked_mul(name.data_type.size() as u64))
            .ok_or_else(|| FormatErrorKind::SizeOverflow(name.name.clone()).at(at))?;
        let start = at.saturating_sub(self.data_start);
        let len = usize::try_from(bytes)
            .ok()
            .filter(|&n| n <= self.data.len());
        let Some(len) = len else {
            return Err(FormatErrorKind::DataTooShort {
                field: name.name.clone(),
                start,
                end: start.saturating_add(bytes),
                have: start.saturating_add(self.data.len() as u64),
            }
            .at(at));
        };
        let bytes = self.data.take(len, "field")?;
        Ok(Field {
            name,
            shape,
            bytes,
            at,
        })
    }
}

impl<'a, 'n> Iterator for Fields<'a, 'n> {
    type Item = Result<Field<'a, 'n>, FormatError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        let name = self.names.next()?;
        let item = self.field(name);
        self.failed = item.is_err();
        Some(item)
    }
}

/// The shape of a field: up to 5 dimensions; rank 0 is a scalar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Shape {
    dims: [u32; MAX_RANK as usize],
    rank: u32,
}

impl Shape {
    /// The shape of a scalar.
    pub const fn scalar() -> Self {
        Self {
            dims: [0; MAX_RANK as usize],
            rank: 0,
        }
    }

    /// A shape with these dimensions, if there are at most 5.
    pub fn new(dims: &[u32]) -> Option<Self> {
        let mut s = Self::scalar();
        s.dims.get_mut(..dims.len())?.copy_from_slice(dims);
        s.rank = dims.len() as u32;
        Some(s)
    }

    /// The dimensions (empty for a scalar).
    pub fn dims(&self) -> &[u32] {
        self.dims.get(..self.rank as usize).unwrap_or(&[])
    }

    /// The number of dimensions.
    pub fn rank(&self) -> u32 {
        self.rank
    }

    /// The number of elements (1 for a scalar), if it fits in u64.
    pub fn num_elements(&self) -> Option<u64> {
        self.dims()
            .iter()
            .try_fold(1u64, |n, &d| n.checked_mul(u64::from(d)))
    }

    /// All 5 stored dimensions, as written to a Shapes payload.
    pub fn raw_dims(&self) -> [u32; MAX_RANK as usize] {
        self.dims
    }
}

/// One field of a ShapesData: its Name, shape and little-endian bytes.
#[derive(Debug, Clone, Copy)]
pub struct Field<'a, 'n> {
    name: &'n Name,
    shape: Shape,
    bytes: &'a [u8],
    at: u64,
}

impl<'a, 'n> Field<'a, 'n> {
    /// The field's Name entry.
    pub fn name(&self) -> &'n Name {
        self.name
    }

    /// The element type.
    pub fn data_type(&self) -> DataType {
        self.name.data_type
    }

    /// The shape (scalar for rank 0).
    pub fn shape(&self) -> Shape {
        self.shape
    }

    /// The raw little-endian bytes (unaligned in files).
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// File offset of the first byte.
    pub fn offset(&self) -> u64 {
        self.at
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.bytes.len() / self.data_type().size()
    }

    /// Whether the field holds no elements.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    fn wrong(&self, expected: &str) -> FormatError {
        FormatErrorKind::FieldType {
            field: self.name.name.clone(),
            expected: expected.to_string(),
            found: self.data_type(),
        }
        .at(self.at)
    }

    /// The scalar value as `T`, whose type must match exactly.
    pub fn scalar<T: Element>(&self) -> Result<T, FormatError> {
        if !T::matches(self.data_type()) || self.name.is_array() {
            return Err(self.wrong(&format!("a scalar {}", std::any::type_name::<T>())));
        }
        Ok(T::from_le_slice(self.bytes))
    }

    /// An integer or enum scalar, widened to i128 (every integer type fits).
    fn integer(&self) -> Option<i128> {
        if self.name.is_array() {
            return None;
        }
        let b = self.bytes;
        Some(match self.data_type() {
            DataType::U8 => u8::from_le_slice(b).into(),
            DataType::U16 => u16::from_le_slice(b).into(),
            DataType::U32 => u32::from_le_slice(b).into(),
            DataType::U64 => u64::from_le_slice(b).into(),
            DataType::I8 => i8::from_le_slice(b).into(),
            DataType::I16 => i16::from_le_slice(b).into(),
            DataType::I32 | DataType::EnumVal | DataType::EnumDict => i32::from_le_slice(b).into(),
            DataType::I64 => i64::from_le_slice(b).into(),
            DataType::F32 | DataType::F64 | DataType::CharStr => return None,
        })
    }

    /// An integer or enum scalar as i64, if it is one and fits.
    pub fn as_i64(&self) -> Result<i64, FormatError> {
        self.integer()
            .and_then(|v| i64::try_from(v).ok())
            .ok_or_else(|| self.wrong("an integer scalar that fits in i64"))
    }

    /// A non-negative integer scalar as u64, if it is one.
    pub fn as_u64(&self) -> Result<u64, FormatError> {
        self.integer()
            .and_then(|v| u64::try_from(v).ok())
            .ok_or_else(|| self.wrong("a non-negative integer scalar"))
    }

    /// Any numeric scalar as f64.
    pub fn as_f64(&self) -> Result<f64, FormatError> {
        match self.data_type() {
            DataType::F32 if !self.name.is_array() => Ok(f64::from(f32::from_le_slice(self.bytes))),
            DataType::F64 if !self.name.is_array() => Ok(f64::from_le_slice(self.bytes)),
            _ => self
                .integer()
                .map(|v| v as f64)
                .ok_or_else(|| self.wrong("a numeric scalar")),
        }
    }

    /// A CHARSTR field as text: up to the first NUL, invalid UTF-8 replaced.
    pub fn as_str(&self) -> Result<Cow<'a, str>, FormatError> {
        if self.data_type() != DataType::CharStr {
            return Err(self.wrong("CHARSTR"));
        }
        Ok(String::from_utf8_lossy(cstr(self.bytes)))
    }

    /// An array (or scalar) of `T`, whose type must match exactly.
    pub fn array<T: Element>(&self) -> Result<Array<'a, T>, FormatError> {
        if !T::matches(self.data_type()) {
            return Err(self.wrong(&format!("an array of {}", std::any::type_name::<T>())));
        }
        Ok(Array {
            bytes: self.bytes,
            shape: self.shape,
            _t: PhantomData,
        })
    }
}

/// A typed view of a field's elements, decoded from unaligned little-endian bytes on access.
#[derive(Debug, Clone, Copy)]
pub struct Array<'a, T> {
    bytes: &'a [u8],
    shape: Shape,
    _t: PhantomData<T>,
}

impl<'a, T: Element> Array<'a, T> {
    /// The shape.
    pub fn shape(&self) -> Shape {
        self.shape
    }

    /// The raw little-endian bytes.
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.bytes.len() / T::SIZE
    }

    /// Whether there are no elements.
    pub fn is_empty(&self) -> bool {
        self.bytes.len() < T::SIZE
    }

    /// The element at flat (C-order) index `i`.
    pub fn get(&self, i: usize) -> Option<T> {
        let start = i.checked_mul(T::SIZE)?;
        self.bytes
            .get(start..start.checked_add(T::SIZE)?)
            .map(T::from_le_slice)
    }

    /// The elements in C order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = T> + 'a {
        self.bytes.chunks_exact(T::SIZE).map(T::from_le_slice)
    }

    /// Copies all elements into `out`, which must have exactly [`Array::len`] elements.
    pub fn copy_into(&self, out: &mut [T]) -> Result<(), LengthMismatch> {
        if out.len() != self.len() {
            return Err(LengthMismatch {
                need: self.len(),
                got: out.len(),
            });
        }
        for (o, c) in out.iter_mut().zip(self.bytes.chunks_exact(T::SIZE)) {
            *o = T::from_le_slice(c);
        }
        Ok(())
    }

    /// The elements as a new vector.
    pub fn to_vec(&self) -> Vec<T> {
        self.iter().collect()
    }
}

/// A destination buffer of the wrong length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("buffer holds {got} elements, {need} needed")]
pub struct LengthMismatch {
    /// Elements needed.
    pub need: usize,
    /// Elements in the buffer given.
    pub got: usize,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::names::Alg;

    fn xtc(contains: u16, damage: u16, payload: &[u8]) -> Vec<u8> {
        let mut v = Vec::new();
        v.extend_from_slice(&0x10au32.to_le_bytes()); // src
        v.extend_from_slice(&damage.to_le_bytes());
        v.extend_from_slice(&contains.to_le_bytes());
        v.extend_from_slice(&(12 + payload.len() as u32).to_le_bytes());
        v.extend_from_slice(payload);
        v
    }

    fn shape(dims: [u32; 5]) -> Vec<u8> {
        dims.iter().flat_map(|d| d.to_le_bytes()).collect()
    }

    fn names() -> Names {
        Names::new(
            NamesId(0x10a),
            "jungfrau",
            "jungfrau",
            "id",
            Alg::new("raw", 0, 2, 0),
            0,
        )
        .with_field("raw", DataType::U16, 2)
        .with_field("frame_cnt", DataType::U64, 0)
    }

    /// Data: a 1x3 u16 array at an odd offset within the file, then a u64.
    fn data() -> Vec<u8> {
        let mut d = vec![0x01, 0x00, 0x02, 0x00, 0xff, 0xff]; // raw = 1, 2, 65535
        d.extend_from_slice(&7665u64.to_le_bytes()); // frame_cnt
        d
    }

    /// (name, dims, bytes) of each field.
    type Decoded = Vec<(String, Vec<u32>, Vec<u8>)>;

    fn decode(bytes: &[u8]) -> Result<Decoded, FormatError> {
        let x = Xtc::from_bytes(bytes, 1001)?;
        let n = names();
        let sd = ShapesData::decode(&x)?;
        let desc = sd.desc(&n)?;
        desc.fields()
            .map(|f| {
                f.map(|f| {
                    (
                        f.name().name.clone(),
                        f.shape().dims().to_vec(),
                        f.bytes().to_vec(),
                    )
                })
            })
            .collect()
    }

    #[test]
    fn decodes_in_either_order() {
        let shapes = xtc(2, 0, &shape([1, 3, 0, 0, 0]));
        let data = xtc(3, 0, &data());
        for body in [
            [shapes.clone(), data.clone()].concat(),
            [data, shapes].concat(),
        ] {
            let got = decode(&xtc(1, 0, &body)).unwrap();
            assert_eq!(
                got[0],
                ("raw".into(), vec![1, 3], vec![1, 0, 2, 0, 0xff, 0xff])
            );
            assert_eq!(got[1].2, 7665u64.to_le_bytes());
        }
    }

    #[test]
    fn refuses_broken_shapes_data() {
        let shapes = xtc(2, 0, &shape([1, 3, 0, 0, 0]));
        let data = xtc(3, 0, &data());
        let big = xtc(2, 0, &shape([1000, 3, 0, 0, 0]));
        let overflow = xtc(2, 0, &shape([u32::MAX, u32::MAX, u32::MAX, 0, 0]));
        let cases: [(Vec<u8>, &str); 7] = [
            (xtc(1, 0, &shapes), "ShapesData has no Data child"),
            (
                xtc(1, 0, &data),
                "ShapesData has no Shapes child but its Names has 1 arrays",
            ),
            (
                xtc(1, 0, &[shapes.clone(), data.clone(), data.clone()].concat()),
                "second Data child",
            ),
            (
                xtc(1, 0, &[shapes.clone(), xtc(4, 0, &[])].concat()),
                "type id 4, expected Shapes (2) or Data (3)",
            ),
            (
                xtc(1, 0, &[xtc(2, 0, &[0; 19]), data.clone()].concat()),
                "Shapes holds 19 bytes but 1 arrays need 20",
            ),
            (
                xtc(1, 0, &[big, data.clone()].concat()),
                "field `raw` needs bytes 0..6000 of Data but Data holds 14",
            ),
            (
                xtc(1, 0, &[overflow, data.clone()].concat()),
                "size of `raw` overflows",
            ),
        ];
        for (bytes, msg) in cases {
            let e = decode(&bytes).unwrap_err();
            assert!((1001..1001 + bytes.len() as u64).contains(&e.offset), "{e}");
            assert!(e.to_string().ends_with(msg), "{e}");
        }
        let corrupted = xtc(1, Damage::CORRUPTED, &[shapes, data].concat());
        let e = decode(&corrupted).unwrap_err();
        assert_eq!(e, FormatErrorKind::Corrupted { damage: 8 }.at(1001));
    }

    #[test]
    fn shape_helpers() {
        let s = Shape::new(&[1, 512, 1024]).unwrap();
        assert_eq!((s.rank(), s.num_elements()), (3, Some(524_288)));
        assert_eq!(s.raw_dims(), [1, 512, 1024, 0, 0]);
        assert_eq!(Shape::scalar().num_elements(), Some(1));
        assert!(Shape::new(&[1, 2, 3, 4, 5, 6]).is_none());
    }

    #[test]
    fn array_copies_check_length() {
        let d = data();
        let a: Array<'_, u16> = Array {
            bytes: &d[..6],
            shape: Shape::new(&[3]).unwrap(),
            _t: PhantomData,
        };
        let mut out = [0u16; 3];
        a.copy_into(&mut out).unwrap();
        assert_eq!(out, [1, 2, 65535]);
        assert_eq!(
            a.copy_into(&mut [0u16; 2]),
            Err(LengthMismatch { need: 3, got: 2 })
        );
        assert_eq!(
            (a.get(2), a.get(3), a.get(usize::MAX)),
            (Some(65535), None, None)
        );
    }
}
