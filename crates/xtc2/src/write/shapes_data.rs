//! Encoding of values into a ShapesData Xtc (mirror of `shapes_data.rs`).

use crate::damage::Damage;
use crate::data_type::{DataType, Element};
use crate::error::Error;
use crate::names::{Name, Names};
use crate::shapes_data::Shape;

/// The elements of an array value, typed.
#[derive(Debug, Clone, Copy)]
pub enum ArrayData<'a> {
    /// u8 elements (UINT8 or CHARSTR fields).
    U8(&'a [u8]),
    /// u16 elements.
    U16(&'a [u16]),
    /// u32 elements.
    U32(&'a [u32]),
    /// u64 elements.
    U64(&'a [u64]),
    /// i8 elements.
    I8(&'a [i8]),
    /// i16 elements.
    I16(&'a [i16]),
    /// i32 elements (INT32, ENUMVAL or ENUMDICT fields).
    I32(&'a [i32]),
    /// i64 elements.
    I64(&'a [i64]),
    /// f32 elements.
    F32(&'a [f32]),
    /// f64 elements.
    F64(&'a [f64]),
}

impl ArrayData<'_> {
    fn len(&self) -> usize {
        match self {
            Self::U8(s) => s.len(),
            Self::U16(s) => s.len(),
            Self::U32(s) => s.len(),
            Self::U64(s) => s.len(),
            Self::I8(s) => s.len(),
            Self::I16(s) => s.len(),
            Self::I32(s) => s.len(),
            Self::I64(s) => s.len(),
            Self::F32(s) => s.len(),
            Self::F64(s) => s.len(),
        }
    }

    fn matches(&self, dt: DataType) -> bool {
        match self {
            Self::U8(_) => u8::matches(dt),
            Self::U16(_) => u16::matches(dt),
            Self::U32(_) => u32::matches(dt),
            Self::U64(_) => u64::matches(dt),
            Self::I8(_) => i8::matches(dt),
            Self::I16(_) => i16::matches(dt),
            Self::I32(_) => i32::matches(dt),
            Self::I64(_) => i64::matches(dt),
            Self::F32(_) => f32::matches(dt),
            Self::F64(_) => f64::matches(dt),
        }
    }

    fn write(&self, out: &mut Vec<u8>) {
        fn put<T: Element>(out: &mut Vec<u8>, data: &[T]) {
            let start = out.len();
            out.resize(start + data.len() * T::SIZE, 0);
            let dst = out.get_mut(start..).unwrap_or(&mut []);
            for (d, v) in dst.chunks_exact_mut(T::SIZE).zip(data) {
                v.write_le(d);
            }
        }
        match self {
            Self::U8(s) => out.extend_from_slice(s),
            Self::U16(s) => put(out, s),
            Self::U32(s) => put(out, s),
            Self::U64(s) => put(out, s),
            Self::I8(s) => put(out, s),
            Self::I16(s) => put(out, s),
            Self::I32(s) => put(out, s),
            Self::I64(s) => put(out, s),
            Self::F32(s) => put(out, s),
            Self::F64(s) => put(out, s),
        }
    }
}

/// The value of one field, in Names order.
#[derive(Debug, Clone, Copy)]
pub enum Value<'a> {
    /// A UINT8 scalar.
    U8(u8),
    /// A UINT16 scalar.
    U16(u16),
    /// A UINT32 scalar.
    U32(u32),
    /// A UINT64 scalar.
    U64(u64),
    /// An INT8 scalar.
    I8(i8),
    /// An INT16 scalar.
    I16(i16),
    /// An INT32 scalar.
    I32(i32),
    /// An INT64 scalar.
    I64(i64),
    /// A FLOAT scalar.
    F32(f32),
    /// A DOUBLE scalar.
    F64(f64),
    /// An ENUMVAL scalar.
    EnumVal(i32),
    /// An ENUMDICT scalar.
    EnumDict(i32),
    /// A CHARSTR: written NUL-terminated and padded with NULs to a multiple of 4 bytes.
    Str(&'a str),
    /// An array of the given shape (C order).
    Array(Shape, ArrayData<'a>),
    /// Any field as shape and little-endian bytes (as read by [`crate::Field`]).
    Raw(Shape, &'a [u8]),
}

impl<'a> Value<'a> {
    /// A u16 array of the given dimensions.
    pub fn u16_array(dims: &[u32], data: &'a [u16]) -> Self {
        Self::Array(
            Shape::new(dims).unwrap_or(Shape::scalar()),
            ArrayData::U16(data),
        )
    }

    /// The data type of a scalar value.
    fn scalar_type(&self) -> Option<DataType> {
        Some(match self {
            Self::U8(_) => DataType::U8,
            Self::U16(_) => DataType::U16,
            Self::U32(_) => DataType::U32,
            Self::U64(_) => DataType::U64,
            Self::I8(_) => DataType::I8,
            Self::I16(_) => DataType::I16,
            Self::I32(_) => DataType::I32,
            Self::I64(_) => DataType::I64,
            Self::F32(_) => DataType::F32,
            Self::F64(_) => DataType::F64,
            Self::EnumVal(_) => DataType::EnumVal,
            Self::EnumDict(_) => DataType::EnumDict,
            _ => return None,
        })
    }

    fn write_scalar(&self, out: &mut Vec<u8>) {
        match *self {
            Self::U8(v) => v.extend_le(out),
            Self::U16(v) => v.extend_le(out),
            Self::U32(v) => v.extend_le(out),
            Self::U64(v) => v.extend_le(out),
            Self::I8(v) => v.extend_le(out),
            Self::I16(v) => v.extend_le(out),
            Self::I32(v) | Self::EnumVal(v) | Self::EnumDict(v) => v.extend_le(out),
            Self::I64(v) => v.extend_le(out),
            Self::F32(v) => v.extend_le(out),
            Self::F64(v) => v.extend_le(out),
            Self::Str(_) | Self::Array(..) | Self::Raw(..) => {}
        }
    }
}

/// Options for a ShapesData: damage to mark, and child order.
#[derive(Debug, Clone, Copy, Default)]
pub struct ShapesDataOptions {
    /// Damage of the ShapesData Xtc.
    pub damage: Damage,
    /// Write Data before Shapes (as the DRP's DescribedData can).
    pub data_first: bool,
}

/// The padded length of a CHARSTR: the text, a NUL, then NULs to a multiple of 4.
pub(crate) fn charstr_len(s: &str) -> usize {
    (s.len() + 1).next_multiple_of(4)
}

/// Appends the Shapes payload and the Data payload for `values`, checked against `names`.
pub(crate) fn encode(
    names: &Names,
    values: &[Value<'_>],
    shapes: &mut Vec<u8>,
    data: &mut Vec<u8>,
) -> Result<(), Error> {
    if values.len() != names.fields.len() {
        return Err(Error::Write(format!(
            "{} `{}` has {} fields but {} values were given",
            names.det_name,
            names.alg.name,
            names.fields.len(),
            values.len()
        )));
    }
    for (field, value) in names.fields.iter().zip(values) {
        encode_field(field, value, shapes, data)?;
    }
    Ok(())
}

fn encode_field(
    field: &Name,
    value: &Value<'_>,
    shapes: &mut Vec<u8>,
    data: &mut Vec<u8>,
) -> Result<(), Error> {
    let bad = |why: String| Error::Write(format!("field `{}`: {why}", field.name));
    let dt = field.data_type;
    let shape = match value {
        Value::Str(s) => {
            if dt != DataType::CharStr || field.rank != 1 {
                return Err(bad(format!(
                    "a string for a {dt} field of rank {}",
                    field.rank
                )));
            }
            if s.as_bytes().contains(&0) {
                return Err(bad("string contains a NUL byte".into()));
            }
            let len = charstr_len(s);
            let dim = u32::try_from(len).map_err(|_| bad("string too long".into()))?;
            data.extend_from_slice(s.as_bytes());
            data.resize(data.len() + len - s.len(), 0);
            Shape::new(&[dim])
        }
        Value::Array(shape, arr) => {
            if !arr.matches(dt) {
                return Err(bad(format!("array elements do not match {dt}")));
            }
            check_shape(field, shape, arr.len() as u64, dt).map_err(bad)?;
            arr.write(data);
            Some(*shape)
        }
        Value::Raw(shape, bytes) => {
            check_shape(field, shape, bytes.len() as u64 / dt.size() as u64, dt).map_err(bad)?;
            if bytes.len() % dt.size() != 0 {
                return Err(bad(format!(
                    "{} bytes is not a whole number of {dt}",
                    bytes.len()
                )));
            }
            data.extend_from_slice(bytes);
            Some(*shape)
        }
        scalar => {
            let ty = scalar.scalar_type();
            if ty != Some(dt) || field.rank != 0 {
                return Err(bad(format!(
                    "a scalar {ty:?} for a {dt} field of rank {}",
                    field.rank
                )));
            }
            scalar.write_scalar(data);
            None
        }
    };
    if field.is_array() {
        let dims = shape.unwrap_or(Shape::scalar()).raw_dims();
        for d in dims {
            shapes.extend_from_slice(&d.to_le_bytes());
        }
    }
    Ok(())
}

fn check_shape(field: &Name, shape: &Shape, len: u64, dt: DataType) -> Result<(), String> {
    if shape.rank() != field.rank {
        return Err(format!(
            "shape {:?} has rank {}, the Names says {}",
            shape.dims(),
            shape.rank(),
            field.rank
        ));
    }
    let n = shape
        .num_elements()
        .ok_or_else(|| "shape overflows".to_string())?;
    if n != len {
        return Err(format!(
            "shape {:?} needs {n} {dt} elements, {len} given",
            shape.dims()
        ));
    }
    Ok(())
}
