/*!
A writer of Python pickles (protocol 3) for the few types psana2's calibration cache holds:
`None`, booleans, integers, floats, strings, bytes, tuples, lists, dicts and NumPy arrays.

NumPy arrays are written as NumPy pickles them (`ndarray.__reduce__`): a call of
`numpy.core.multiarray._reconstruct(numpy.ndarray, (0,), b'b')` whose result is given the state
`(1, shape, dtype, False, raw little-endian bytes)`, the dtype itself a call of
`numpy.dtype(<code>, False, True)` with the state `(3, <byte order>, None, None, None, -1, -1, 0)`.
`numpy.core` is the module name NumPy 1 writes; NumPy 2 reads it too.

```
use detcal_formats::pickle::{Value, encode_pickle};

let v = Value::Dict(vec![(Value::str("a"), Value::Int(1))]);
let mut bytes = Vec::new();
encode_pickle(&v, &mut bytes).unwrap();
assert_eq!(bytes[..2], [0x80, 3]);
assert_eq!(*bytes.last().unwrap(), b'.');
```
*/

use std::io::Write;

use crate::array::{DType, NdArray};
use crate::with_array;

/// A Python value to pickle.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `None`.
    None,
    /// `True` or `False`.
    Bool(bool),
    /// An `int`.
    Int(i64),
    /// A `float`.
    Float(f64),
    /// A `str`.
    Str(String),
    /// A `bytes`.
    Bytes(Vec<u8>),
    /// A `tuple`.
    Tuple(Vec<Value>),
    /// A `list`.
    List(Vec<Value>),
    /// A `dict`, its items in insertion order.
    Dict(Vec<(Value, Value)>),
    /// A `numpy.ndarray` (C order).
    Array(NdArray),
}

impl Value {
    /// A `str` value.
    pub fn str(s: impl Into<String>) -> Value {
        Value::Str(s.into())
    }
}

const PROTO: u8 = 0x80;
const STOP: u8 = b'.';
const NONE: u8 = b'N';
const NEWTRUE: u8 = 0x88;
const NEWFALSE: u8 = 0x89;
const BININT: u8 = b'J';
const LONG1: u8 = 0x8a;
const BINFLOAT: u8 = b'G';
const BINUNICODE: u8 = b'X';
const BINBYTES: u8 = b'B';
const MARK: u8 = b'(';
const TUPLE: u8 = b't';
const EMPTY_TUPLE: u8 = b')';
const EMPTY_LIST: u8 = b']';
const APPENDS: u8 = b'e';
const EMPTY_DICT: u8 = b'}';
const SETITEMS: u8 = b'u';
const GLOBAL: u8 = b'c';
const REDUCE: u8 = b'R';
const BUILD: u8 = b'b';

/// NumPy's type code of an element type.
fn dtype_code(d: DType) -> &'static str {
    match d {
        DType::U8 => "u1",
        DType::U16 => "u2",
        DType::U32 => "u4",
        DType::U64 => "u8",
        DType::I8 => "i1",
        DType::I16 => "i2",
        DType::I32 => "i4",
        DType::I64 => "i8",
        DType::F32 => "f4",
        DType::F64 => "f8",
    }
}

/// Writes `v` as a protocol-3 pickle (`pickle.load` reads it back).
pub fn encode_pickle<W: Write>(v: &Value, w: &mut W) -> std::io::Result<()> {
    w.write_all(&[PROTO, 3])?;
    write_value(v, w)?;
    w.write_all(&[STOP])
}

fn write_len<W: Write>(op: u8, len: usize, w: &mut W) -> std::io::Result<()> {
    let n = u32::try_from(len).map_err(|_| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("a pickled string or bytes value of {len} bytes exceeds protocol 3's 4 GiB"),
        )
    })?;
    w.write_all(&[op])?;
    w.write_all(&n.to_le_bytes())
}

fn write_str<W: Write>(s: &str, w: &mut W) -> std::io::Result<()> {
    write_len(BINUNICODE, s.len(), w)?;
    w.write_all(s.as_bytes())
}

fn write_value<W: Write>(v: &Value, w: &mut W) -> std::io::Result<()> {
    match v {
        Value::None => w.write_all(&[NONE]),
        Value::Bool(b) => w.write_all(&[if *b { NEWTRUE } else { NEWFALSE }]),
        Value::Int(i) => match i32::try_from(*i) {
            Ok(small) => {
                w.write_all(&[BININT])?;
                w.write_all(&small.to_le_bytes())
            }
            Err(_) => {
                // Two's complement, little-endian, 8 bytes (always enough for an i64).
                w.write_all(&[LONG1, 8])?;
                w.write_all(&i.to_le_bytes())
            }
        },
        Value::Float(f) => {
            w.write_all(&[BINFLOAT])?;
            w.write_all(&f.to_be_bytes())
        }
        Value::Str(s) => write_str(s, w),
        Value::Bytes(b) => {
            write_len(BINBYTES, b.len(), w)?;
            w.write_all(b)
        }
        Value::Tuple(items) if items.is_empty() => w.write_all(&[EMPTY_TUPLE]),
        Value::Tuple(items) => {
            w.write_all(&[MARK])?;
            for i in items {
                write_value(i, w)?;
            }
            w.write_all(&[TUPLE])
        }
        Value::List(items) => {
            w.write_all(&[EMPTY_LIST])?;
            if !items.is_empty() {
                w.write_all(&[MARK])?;
                for i in items {
                    write_value(i, w)?;
                }
                w.write_all(&[APPENDS])?;
            }
            Ok(())
        }
        Value::Dict(items) => {
            w.write_all(&[EMPTY_DICT])?;
            if !items.is_empty() {
                w.write_all(&[MARK])?;
                for (k, v) in items {
                    write_value(k, w)?;
                    write_value(v, w)?;
                }
                w.write_all(&[SETITEMS])?;
            }
            Ok(())
        }
        Value::Array(a) => write_array(a, w),
    }
}

fn global<W: Write>(module: &str, name: &str, w: &mut W) -> std::io::Result<()> {
    w.write_all(&[GLOBAL])?;
    w.write_all(module.as_bytes())?;
    w.write_all(b"\n")?;
    w.write_all(name.as_bytes())?;
    w.write_all(b"\n")
}

fn write_array<W: Write>(a: &NdArray, w: &mut W) -> std::io::Result<()> {
    let d = a.dtype();
    // _reconstruct(ndarray, (0,), b'b')
    global("numpy.core.multiarray", "_reconstruct", w)?;
    w.write_all(&[MARK])?;
    global("numpy", "ndarray", w)?;
    write_value(&Value::Tuple(vec![Value::Int(0)]), w)?;
    write_value(&Value::Bytes(b"b".to_vec()), w)?;
    w.write_all(&[TUPLE, REDUCE])?;
    // The state: (1, shape, dtype, is_fortran, data).
    w.write_all(&[MARK])?;
    write_value(&Value::Int(1), w)?;
    let shape = a.shape().iter().map(|&n| Value::Int(n as i64)).collect();
    write_value(&Value::Tuple(shape), w)?;
    global("numpy", "dtype", w)?;
    write_value(
        &Value::Tuple(vec![
            Value::str(dtype_code(d)),
            Value::Bool(false),
            Value::Bool(true),
        ]),
        w,
    )?;
    w.write_all(&[REDUCE])?;
    let order = if d.size() == 1 { "|" } else { "<" };
    write_value(
        &Value::Tuple(vec![
            Value::Int(3),
            Value::str(order),
            Value::None,
            Value::None,
            Value::None,
            Value::Int(-1),
            Value::Int(-1),
            Value::Int(0),
        ]),
        w,
    )?;
    w.write_all(&[BUILD])?;
    write_value(&Value::Bool(false), w)?;
    let nbytes = a.len() * d.size();
    write_len(BINBYTES, nbytes, w)?;
    with_array!(a, arr => {
        for x in arr.iter() {
            w.write_all(&x.to_le_bytes())?;
        }
    });
    w.write_all(&[TUPLE, BUILD])
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{ArrayD, IxDyn};

    fn pickled(v: &Value) -> Vec<u8> {
        let mut b = Vec::new();
        encode_pickle(v, &mut b).unwrap();
        b
    }

    #[test]
    fn scalars_match_pythons_protocol_3_bytes() {
        // pickle.dumps(x, protocol=3) in CPython, by hand from the opcode table.
        assert_eq!(pickled(&Value::None), b"\x80\x03N.");
        assert_eq!(pickled(&Value::Bool(true)), b"\x80\x03\x88.");
        assert_eq!(pickled(&Value::Int(-2)), b"\x80\x03J\xfe\xff\xff\xff.");
        assert_eq!(
            pickled(&Value::Int(1 << 40)),
            b"\x80\x03\x8a\x08\x00\x00\x00\x00\x00\x01\x00\x00."
        );
        assert_eq!(
            pickled(&Value::Float(1.5)),
            b"\x80\x03G\x3f\xf8\x00\x00\x00\x00\x00\x00."
        );
        assert_eq!(pickled(&Value::str("ab")), b"\x80\x03X\x02\x00\x00\x00ab.");
        assert_eq!(pickled(&Value::Tuple(vec![])), b"\x80\x03).");
        assert_eq!(pickled(&Value::Dict(vec![])), b"\x80\x03}.");
        assert_eq!(
            pickled(&Value::Dict(vec![(Value::str("k"), Value::None)])),
            b"\x80\x03}(X\x01\x00\x00\x00kNu."
        );
    }

    #[test]
    fn arrays_carry_shape_dtype_and_little_endian_data() {
        let a = NdArray::U16(ArrayD::from_shape_vec(IxDyn(&[2, 1]), vec![1, 0x0203]).unwrap());
        let b = pickled(&Value::Array(a));
        let text = String::from_utf8_lossy(&b);
        assert!(text.contains("numpy.core.multiarray\n_reconstruct\n"));
        assert!(text.contains("X\x02\x00\x00\x00u2"));
        assert!(
            b.windows(9)
                .any(|w| w == b"B\x04\x00\x00\x00\x01\x00\x03\x02")
        );
        // shape (2, 1)
        assert!(
            b.windows(12)
                .any(|w| w == b"(J\x02\x00\x00\x00J\x01\x00\x00\x00t")
        );
    }
}
