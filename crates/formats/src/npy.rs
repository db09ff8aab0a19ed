/*!
NumPy `.npy` files: whole arrays of any dtype and rank, and memory-mapped raw stacks.

[`read_npy`] and [`encode_npy`] move whole constants arrays (u8 to u64, i8 to i64, f32, f64,
little- or big-endian, C or Fortran order). [`NpyMap`] maps a large file, such as a stack of raw
frames, without reading it, and hands out its data as a typed slice.
*/

use std::fs::File;
use std::path::Path;

use ndarray::{ArrayD, IxDyn, ShapeBuilder};
use npyz::WriterBuilder;

use crate::array::{DType, Element, NdArray, checked_product, shape_str};
use crate::error::{Error, IoContext, Result};
use crate::with_array;

/// The element type of an npy type string such as `<f4` or `|u1`.
fn dtype_of(npy: &npyz::DType, path: &Path) -> Result<DType> {
    use npyz::TypeChar;
    let unsupported = || {
        Error::content(
            path,
            format!(
                "unsupported npy dtype {}; expected an integer or float type",
                npy.descr()
            ),
        )
    };
    let npyz::DType::Plain(ts) = npy else {
        return Err(unsupported());
    };
    let d = match (ts.type_char(), ts.size_field()) {
        (TypeChar::Uint, 1) => DType::U8,
        (TypeChar::Uint, 2) => DType::U16,
        (TypeChar::Uint, 4) => DType::U32,
        (TypeChar::Uint, 8) => DType::U64,
        (TypeChar::Int, 1) => DType::I8,
        (TypeChar::Int, 2) => DType::I16,
        (TypeChar::Int, 4) => DType::I32,
        (TypeChar::Int, 8) => DType::I64,
        (TypeChar::Float, 4) => DType::F32,
        (TypeChar::Float, 8) => DType::F64,
        _ => return Err(unsupported()),
    };
    Ok(d)
}

/// The header of an npy file and the byte range of its data.
struct Layout {
    dtype: DType,
    shape: Vec<usize>,
    fortran: bool,
    data_offset: usize,
}

/// An npyz error message on one line: its header parser reports syntax errors over several
/// lines, with the offending header quoted and a caret under the position.
fn one_line(e: &impl std::fmt::Display) -> String {
    e.to_string()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('|') && !l.contains(" | "))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The deepest bracket nesting accepted in a header (numpy writes 2 for a plain dtype, 4 for a
/// structured one with sub-arrays). npyz's header parser backtracks, so its time grows quickly
/// with nesting: a 212-byte header nested 14 deep took minutes (found by fuzzing).
const MAX_HEADER_NESTING: usize = 8;

/// Checks what npyz trusts in a header before npyz parses it: that the header is within the
/// file, is not nested deeper than any real header (npyz's parser recurses per bracket), and
/// that every `'shape'` entry is a tuple of decimal integers whose product fits in memory
/// (npyz multiplies the lengths without checking).
fn precheck_header(bytes: &[u8], path: &Path) -> Result<()> {
    let bad = |msg: String| Error::content(path, format!("not a valid .npy file: {msg}"));
    if bytes.len() < 10 || !bytes.starts_with(b"\x93NUMPY") {
        // npyz gives the precise message.
        return Ok(());
    }
    let (len, start) = match bytes[6] {
        1 => (u16::from_le_bytes([bytes[8], bytes[9]]) as usize, 10),
        2 | 3 if bytes.len() >= 12 => (
            u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize,
            12,
        ),
        _ => return Ok(()),
    };
    let Some(header) = bytes.get(start..).and_then(|rest| rest.get(..len)) else {
        return Err(bad(format!(
            "the header of {len} bytes from offset {start} runs past the end of the file ({} bytes)",
            bytes.len()
        )));
    };
    // numpy writes one flat dict: no other braces, whatever the dtype.
    if header.iter().filter(|&&b| b == b'{').count() > 1 {
        return Err(bad("the header is not one flat dict".into()));
    }
    let mut depth = 0usize;
    for &b in header {
        match b {
            b'(' | b'[' | b'{' => {
                depth += 1;
                if depth > MAX_HEADER_NESTING {
                    return Err(bad(format!(
                        "the header nests brackets deeper than {MAX_HEADER_NESTING}"
                    )));
                }
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    let text = String::from_utf8_lossy(header);
    for key in ["'shape'", "\"shape\""] {
        let mut from = 0;
        while let Some(i) = text[from..].find(key) {
            let after = from + i + key.len();
            from = after;
            let Some(value) = text[after..].trim_start().strip_prefix(':') else {
                continue;
            };
            let value = value.trim_start();
            let close = match value.as_bytes().first() {
                Some(b'(') => ')',
                Some(b'[') => ']',
                _ => return Err(bad("the shape is not a tuple".into())),
            };
            let Some(end) = value.find(close) else {
                return Err(bad("the shape tuple is not closed".into()));
            };
            let mut dims = Vec::new();
            for tok in value[1..end].split(',').map(str::trim) {
                if tok.is_empty() {
                    continue;
                }
                if !tok.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(bad(format!(
                        "shape length {tok:?} is not a non-negative integer"
                    )));
                }
                dims.push(tok.parse::<usize>().map_err(|_| {
                    Error::content(path, format!("shape length {tok} does not fit in memory"))
                })?);
            }
            if checked_product(&dims).is_none() {
                return Err(Error::content(
                    path,
                    format!(
                        "shape {} is too large: its number of elements overflows",
                        shape_str(&dims)
                    ),
                ));
            }
        }
    }
    Ok(())
}

fn layout(bytes: &[u8], path: &Path) -> Result<Layout> {
    precheck_header(bytes, path)?;
    let npy = npyz::NpyFile::new(bytes)
        .map_err(|e| Error::content(path, format!("not a valid .npy file: {}", one_line(&e))))?;
    let dtype = dtype_of(&npy.dtype(), path)?;
    let shape: Vec<usize> = npy
        .shape()
        .iter()
        .map(|&d| usize::try_from(d))
        .collect::<std::result::Result<_, _>>()
        .map_err(|_| Error::content(path, "shape does not fit in memory"))?;
    let fortran = npy.order() == npyz::Order::Fortran;
    let rest = npy.into_inner();
    let data_offset = bytes.len() - rest.len();
    let count = checked_product(&shape)
        .and_then(|n| n.checked_mul(dtype.size()))
        .ok_or_else(|| Error::content(path, format!("shape {} is too large", shape_str(&shape))))?;
    if rest.len() < count {
        return Err(Error::content(
            path,
            format!(
                "truncated: shape {} of {} needs {count} data bytes from offset {data_offset}, but only {} are there",
                shape_str(&shape),
                dtype,
                rest.len()
            ),
        ));
    }
    Ok(Layout {
        dtype,
        shape,
        fortran,
        data_offset,
    })
}

/// Reads a whole `.npy` file.
pub fn read_npy(path: &Path) -> Result<NdArray> {
    let map = NpyMap::open(path)?;
    map.to_array()
}

/// Writes `arr` as `.npy` (little-endian, C order) to `w`.
pub fn encode_npy<W: std::io::Write>(arr: &NdArray, w: &mut W, path: &Path) -> Result<()> {
    fn go<T, W>(a: &ArrayD<T>, w: &mut W, path: &Path) -> Result<()>
    where
        T: Element + npyz::AutoSerialize,
        W: std::io::Write,
    {
        let shape: Vec<u64> = a.shape().iter().map(|&d| d as u64).collect();
        let mut writer = npyz::WriteOptions::new()
            .default_dtype()
            .shape(&shape)
            .writer(w)
            .begin_nd()
            .at(path, "write")?;
        match a.as_slice() {
            Some(s) => writer.extend(s.iter().copied()).at(path, "write")?,
            None => writer.extend(a.iter().copied()).at(path, "write")?,
        }
        writer.finish().at(path, "write")
    }
    with_array!(arr, a => go(a, w, path))
}

/// A memory-mapped `.npy` file.
pub struct NpyMap {
    map: memmap2::Mmap,
    layout: Layout,
    path: std::path::PathBuf,
}

impl NpyMap {
    /// Maps `path` and checks its header against its size.
    pub fn open(path: &Path) -> Result<NpyMap> {
        let file = File::open(path).at(path, "open")?;
        let meta = file.metadata().at(path, "stat")?;
        if meta.is_dir() {
            return Err(Error::content(path, "is a directory; expected a .npy file"));
        }
        // SAFETY: the map is read-only; a file truncated by another process while mapped would
        // fault, as with any mapped input, which detcal documents for its inputs.
        let map = unsafe { memmap2::Mmap::map(&file) }.at(path, "map")?;
        let layout = layout(&map, path)?;
        Ok(NpyMap {
            map,
            layout,
            path: path.to_path_buf(),
        })
    }

    /// The element type.
    pub fn dtype(&self) -> DType {
        self.layout.dtype
    }

    /// The shape.
    pub fn shape(&self) -> &[usize] {
        &self.layout.shape
    }

    /// Whether the data is in Fortran (column-major) order.
    pub fn is_fortran(&self) -> bool {
        self.layout.fortran
    }

    /// The raw data bytes (exactly the elements of the shape).
    pub fn data_bytes(&self) -> &[u8] {
        let n: usize = self.layout.shape.iter().product::<usize>() * self.layout.dtype.size();
        &self.map[self.layout.data_offset..self.layout.data_offset + n]
    }

    /// Whether the data is stored little-endian (or has 1-byte elements).
    fn is_little_endian(&self) -> bool {
        let npy = npyz::NpyFile::new(&self.map[..]).expect("header parsed on open");
        match npy.dtype() {
            npyz::DType::Plain(ts) => ts.endianness() != npyz::Endianness::Big,
            _ => false,
        }
    }

    /// The data as a `u16` slice without copying, for little-endian C-order `uint16` files.
    pub fn as_u16(&self) -> Result<&[u16]> {
        if self.layout.dtype != DType::U16 || self.layout.fortran || !self.is_little_endian() {
            return Err(Error::content(
                &self.path,
                format!(
                    "expected little-endian C-order uint16 data, found {}{}",
                    self.layout.dtype,
                    if self.layout.fortran {
                        " in Fortran order"
                    } else {
                        ""
                    }
                ),
            ));
        }
        if cfg!(target_endian = "big") {
            return Err(Error::invalid(
                "mapped uint16 stacks need a little-endian machine",
            ));
        }
        bytemuck::try_cast_slice(self.data_bytes()).map_err(|_| {
            Error::content(&self.path, "uint16 data is not 2-byte aligned in the file")
        })
    }

    /// Reads the whole array into memory, in C order.
    pub fn to_array(&self) -> Result<NdArray> {
        array_from(&self.map, &self.layout, &self.path)
    }
}

/// Decodes a whole `.npy` file held in memory; `path` is used in error messages.
pub fn parse_npy(bytes: &[u8], path: &Path) -> Result<NdArray> {
    let layout = layout(bytes, path)?;
    array_from(bytes, &layout, path)
}

/// The array of the npy file `bytes` whose header gave `layout`, in C order.
fn array_from(bytes: &[u8], layout: &Layout, path: &Path) -> Result<NdArray> {
    let npy = npyz::NpyFile::new(bytes)
        .map_err(|e| Error::content(path, format!("not a valid .npy file: {}", one_line(&e))))?;
    let shape = layout.shape.clone();
    let fortran = layout.fortran;
    fn build<T: Element + npyz::Deserialize>(
        npy: npyz::NpyFile<&[u8]>,
        shape: &[usize],
        fortran: bool,
        path: &Path,
    ) -> Result<NdArray> {
        let v: Vec<T> = npy
            .into_vec()
            .map_err(|e| Error::content(path, format!("corrupt data: {}", one_line(&e))))?;
        let shape_err = |e: ndarray::ShapeError| {
            Error::content(
                path,
                format!("data does not fit the shape {}: {e}", shape_str(shape)),
            )
        };
        let a = if fortran {
            let f = ArrayD::from_shape_vec(IxDyn(shape).f(), v).map_err(shape_err)?;
            f.as_standard_layout().into_owned()
        } else {
            ArrayD::from_shape_vec(IxDyn(shape), v).map_err(shape_err)?
        };
        Ok(T::wrap(a))
    }
    match layout.dtype {
        DType::U8 => build::<u8>(npy, &shape, fortran, path),
        DType::U16 => build::<u16>(npy, &shape, fortran, path),
        DType::U32 => build::<u32>(npy, &shape, fortran, path),
        DType::U64 => build::<u64>(npy, &shape, fortran, path),
        DType::I8 => build::<i8>(npy, &shape, fortran, path),
        DType::I16 => build::<i16>(npy, &shape, fortran, path),
        DType::I32 => build::<i32>(npy, &shape, fortran, path),
        DType::I64 => build::<i64>(npy, &shape, fortran, path),
        DType::F32 => build::<f32>(npy, &shape, fortran, path),
        DType::F64 => build::<f64>(npy, &shape, fortran, path),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes `arr` to the file `p` (tests only).
    fn write_npy(p: &Path, arr: &NdArray) {
        let mut f = File::create(p).unwrap();
        encode_npy(arr, &mut f, p).unwrap();
    }

    fn round_trip(arr: NdArray) {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.npy");
        write_npy(&p, &arr);
        assert_eq!(read_npy(&p).unwrap(), arr);
    }

    #[test]
    fn all_dtypes_and_ranks_round_trip() {
        for rank in 0..=4usize {
            let shape: Vec<usize> = (0..rank).map(|i| i + 2).collect();
            let n: usize = shape.iter().product();
            let sh = IxDyn(&shape);
            round_trip(NdArray::U8(
                ArrayD::from_shape_vec(sh.clone(), (0..n).map(|x| (x * 7) as u8).collect())
                    .unwrap(),
            ));
            round_trip(NdArray::U16(
                ArrayD::from_shape_vec(sh.clone(), (0..n).map(|x| (x * 997) as u16).collect())
                    .unwrap(),
            ));
            round_trip(NdArray::U32(
                ArrayD::from_shape_vec(sh.clone(), (0..n).map(|x| x as u32 * 100_003).collect())
                    .unwrap(),
            ));
            round_trip(NdArray::U64(
                ArrayD::from_shape_vec(sh.clone(), (0..n).map(|x| u64::MAX - x as u64).collect())
                    .unwrap(),
            ));
            round_trip(NdArray::I32(
                ArrayD::from_shape_vec(sh.clone(), (0..n).map(|x| -(x as i32)).collect()).unwrap(),
            ));
            round_trip(NdArray::F32(
                ArrayD::from_shape_vec(sh.clone(), (0..n).map(|x| x as f32 / 3.0).collect())
                    .unwrap(),
            ));
            round_trip(NdArray::F64(
                ArrayD::from_shape_vec(sh, (0..n).map(|x| -(x as f64) / 7.0).collect()).unwrap(),
            ));
        }
    }

    #[test]
    fn headers_that_make_the_parser_backtrack_are_refused_at_once() {
        // Found by fuzzing (target `npy`): nested braces in the header made npyz's parser run
        // for minutes on these 212 bytes.
        let parts: [&[u8]; 9] = [
            b"\x93\x4e\x55\x4d\x50\x59\x01\x00\x76\x00\x7b\x27\x64\x65\x73\x63\x7e\x72\x27\x3a\x20\x27\x3c\x69",
            b"\x32\x27\x2c\x20\x27\x66\x6f\x72\x74\x2e\x61\x6e\x5f\x6f\x72\x64\x65\x72\x27\x3a\x20\x54\x72\x75",
            b"\x65\x2c\x20\x7b\x7b\x7b\x7b\x7b\x7b\x7b\x27\x73\x68\x72\x27\x3a\x20\x54\x72\x75\x65\x2c\x20\x27",
            b"\x72\x27\x3a\x20\x27\x3c\x69\x32\x27\x2c\x20\x27\x66\x6f\x72\x74\x2e\x61\x6e\x5f\x6f\x72\x64\x65",
            b"\x72\x27\x3a\x20\x54\x72\x75\x65\x2c\x20\x7b\x7b\x7b\x7b\x7b\x7b\x7b\x27\x73\x68\x72\x27\x3a\x20",
            b"\x54\x72\x75\x65\x2c\x20\x27\x73\x68\x61\x70\x65\x27\x3a\x20\x28\x33\x2c\x20\x31\x29\x2c\x20\x7d",
            b"\x20\x20\x20\x20\x20\x20\x20\x9f\x20\x20\x20\x20\x20\x20\x74\x2e\x61\x6e\x5f\x6f\x72\x64\x65\x72",
            b"\x27\x3a\x20\x54\x72\x75\x65\x2c\x20\x7b\x7b\x7b\x7b\x7b\x7b\x7b\x27\x73\x20\xff\xff\xff\xff\x20",
            b"\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x20\x0a\x01\x00\x02\x00\x23\x00\x04\x00",
        ];
        let slow: Vec<u8> = parts.concat();
        assert_eq!(slow.len(), 212);
        let t0 = std::time::Instant::now();
        let e = parse_npy(&slow, Path::new("slow.npy"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("not one flat dict"), "{e}");
        // Lists nested deeper than any real header are refused too.
        let mut deep = b"\x93NUMPY\x01\x00".to_vec();
        let h = format!(
            "{{'descr': {}'<i2'{}, 'fortran_order': False, 'shape': (1,), }}",
            "[".repeat(9),
            "]".repeat(9)
        );
        deep.extend_from_slice(&(h.len() as u16).to_le_bytes());
        deep.extend_from_slice(h.as_bytes());
        let e = parse_npy(&deep, Path::new("deep.npy"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("deeper than 8"), "{e}");
        assert!(t0.elapsed().as_secs() < 5, "took {:?}", t0.elapsed());
    }

    #[test]
    fn bad_files_give_clear_errors() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.npy");
        let arr = NdArray::U16(ArrayD::zeros(IxDyn(&[4, 8])));
        write_npy(&p, &arr);
        let bytes = std::fs::read(&p).unwrap();
        std::fs::write(&p, &bytes[..bytes.len() - 3]).unwrap();
        let e = read_npy(&p).unwrap_err().to_string();
        assert!(
            e.contains("truncated") && e.contains("needs 64 data bytes"),
            "{e}"
        );
        std::fs::write(&p, b"not numpy").unwrap();
        let e = read_npy(&p).unwrap_err().to_string();
        assert!(e.contains("not a valid .npy file"), "{e}");
        for cut in 0..bytes.len() {
            std::fs::write(&p, &bytes[..cut]).unwrap();
            assert!(read_npy(&p).is_err(), "cut at {cut}");
        }
        let e = read_npy(dir.path()).unwrap_err().to_string();
        assert!(e.contains("is a directory"), "{e}");
    }

    /// A version 1.0 npy file with `header` (padded as numpy pads it) and `data`.
    fn npy_with_header(header: &str, data: &[u8]) -> Vec<u8> {
        let mut h = header.to_string();
        while !(10 + h.len() + 1).is_multiple_of(64) {
            h.push(' ');
        }
        h.push('\n');
        let mut v = b"\x93NUMPY\x01\x00".to_vec();
        v.extend_from_slice(&(h.len() as u16).to_le_bytes());
        v.extend_from_slice(h.as_bytes());
        v.extend_from_slice(data);
        v
    }

    #[test]
    fn hostile_headers_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("h.npy");
        let cases: &[(&str, &str)] = &[
            // The product wraps around to 4 (and npyz would multiply it unchecked).
            (
                "{'descr': '<u1', 'fortran_order': False, 'shape': (4611686018427387905, 4), }",
                "shape (4611686018427387905,4) is too large",
            ),
            // No elements, but lengths that no array can have.
            (
                "{'descr': '<u1', 'fortran_order': False, 'shape': (0, 4611686018427387905, 4), }",
                "is too large",
            ),
            (
                "{'descr': '<u1', 'fortran_order': True, 'shape': [4294967296, 4294967296], }",
                "is too large",
            ),
            (
                "{'descr': '<u1', 'fortran_order': False, 'shape': (99999999999999999999999,), }",
                "does not fit in memory",
            ),
            (
                "{'descr': '<u1', 'fortran_order': False, 'shape': (-1,), }",
                "is not a non-negative integer",
            ),
            (
                "{'descr': '<u1', 'fortran_order': False, 'shape': 4, }",
                "the shape is not a tuple",
            ),
            (
                "{'descr': '<u1', 'fortran_order': False, 'shape': (4,), 'x': ((((((((((((((((((1,),),),),),),),),),),),),),),),),),),)}",
                "nests brackets deeper",
            ),
        ];
        for (header, want) in cases {
            std::fs::write(&p, npy_with_header(header, &[1, 2, 3, 4])).unwrap();
            let e = read_npy(&p).unwrap_err().to_string();
            assert!(e.contains(want), "{header}: {e}");
            assert!(e.starts_with(&format!("{}: ", p.display())), "{e}");
            assert_eq!(e.lines().count(), 1, "{e}");
        }
        // A syntax error in the header: npyz's message spans lines; ours is one.
        std::fs::write(
            &p,
            npy_with_header(
                "{'descr': '<u1', 'fortran_order': False, 'shape': (4, )- }",
                &[0; 4],
            ),
        )
        .unwrap();
        let e = read_npy(&p).unwrap_err().to_string();
        assert!(e.contains("could not parse Python expression"), "{e}");
        assert_eq!(e.lines().count(), 1, "{e}");
        // The same file with a sane shape reads.
        std::fs::write(
            &p,
            npy_with_header(
                "{'descr': '<u1', 'fortran_order': False, 'shape': (2, 2), }",
                &[1, 2, 3, 4],
            ),
        )
        .unwrap();
        assert_eq!(read_npy(&p).unwrap().shape(), &[2, 2]);
        // A header length past the end of the file.
        let mut v = npy_with_header(
            "{'descr': '<u1', 'fortran_order': False, 'shape': (1,), }",
            &[7],
        );
        v[6] = 2;
        v.splice(8..10, [0xff, 0xff, 0xff, 0x7f]);
        std::fs::write(&p, &v).unwrap();
        let e = read_npy(&p).unwrap_err().to_string();
        assert!(e.contains("runs past the end of the file"), "{e}");
    }

    #[test]
    fn mapped_u16_view() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("s.npy");
        let arr = NdArray::U16(
            ArrayD::from_shape_vec(IxDyn(&[2, 3]), vec![1, 2, 3, 4, 5, 0xC000]).unwrap(),
        );
        write_npy(&p, &arr);
        let m = NpyMap::open(&p).unwrap();
        assert_eq!(m.shape(), &[2, 3]);
        assert_eq!(m.as_u16().unwrap(), &[1, 2, 3, 4, 5, 0xC000]);
        let f = dir.path().join("f.npy");
        write_npy(&f, &NdArray::F32(ArrayD::zeros(IxDyn(&[2]))));
        assert!(NpyMap::open(&f).unwrap().as_u16().is_err());
    }
}
