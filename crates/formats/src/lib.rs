/*!
The file formats of calibration constants: psana's text ndarray format ([`text`]), NumPy `.npy`
([`npy`]), Python's `%` number formatting they depend on ([`pyfmt`]), and the dynamically typed
array they hold ([`NdArray`]), and psana's detector geometry file ([`geometry`]).

Each format has a reader and a writer on byte streams (`parse_*`/`read_*` and `encode_*`); the
`detcal` library adds atomic writes to paths and the file modes of the calibration store.

```
use detcal_formats::{NdArray, text};
use ndarray::{ArrayD, IxDyn};

let arr = NdArray::F32(ArrayD::from_shape_vec(IxDyn(&[2, 2]), vec![1.0, 2.0, 3.0, 4.0]).unwrap());
let mut bytes = Vec::new();
let opts = text::TextOptions::new("%.3f").unwrap();
let info = text::HeaderInfo::default();
text::encode_text(&arr, &opts, &info, &mut bytes, "a.data".as_ref()).unwrap();
let back = text::parse_text(&bytes, "a.data".as_ref()).unwrap();
assert_eq!(back, arr);
```
*/

pub mod array;
pub mod error;
mod fastnum;
mod fixed8;
pub mod geometry;
pub mod npy;
pub mod npz;
pub mod pages;
pub mod pickle;
pub mod pyfmt;
mod short8;
mod simd;
pub mod text;

use std::path::Path;

pub use array::{DType, Element, NdArray, shape_str};
pub use error::{Error, Result};

/// The on-disk format of an array file, chosen by its extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    /// NumPy `.npy`.
    Npy,
    /// psana's text format with header (`.data`, `.txt`).
    Text,
    /// Plain headerless text (`.dat`, the per-panel repository files).
    Plain,
}

impl FileFormat {
    /// The format of `path` from its extension: `.npy`, `.data`/`.txt`, or `.dat`.
    pub fn of_path(path: &Path) -> Result<FileFormat> {
        match path.extension().and_then(|e| e.to_str()) {
            Some("npy") => Ok(FileFormat::Npy),
            Some("data") | Some("txt") => Ok(FileFormat::Text),
            Some("dat") => Ok(FileFormat::Plain),
            _ => Err(Error::content(
                path,
                "unknown file type; expected .npy, .data, .txt (psana text) or .dat (plain text)",
            )),
        }
    }

    /// The format named on the command line (`npy`, `text`/`txt`/`data`, `plain`/`dat`).
    pub fn from_name(name: &str) -> Result<FileFormat> {
        match name {
            "npy" => Ok(FileFormat::Npy),
            "text" | "txt" | "data" => Ok(FileFormat::Text),
            "plain" | "dat" => Ok(FileFormat::Plain),
            _ => Err(Error::BadName {
                kind: "file format",
                name: name.to_string(),
                reason: "expected npy, text or plain".into(),
            }),
        }
    }
}

/// Reads an array from a `.npy`, psana text or plain text file.
pub fn load_array(path: &Path) -> Result<NdArray> {
    match FileFormat::of_path(path)? {
        FileFormat::Npy => npy::read_npy(path),
        FileFormat::Text | FileFormat::Plain => text::read_text(path),
    }
}

/// The number format that writes `dtype` values as text without losing any: `%d` for
/// integers, 9 significant digits for float32 and 17 for float64.
pub fn lossless_fmt(dtype: DType) -> &'static str {
    match dtype {
        DType::F32 => "%.9g",
        DType::F64 => "%.17g",
        _ => "%d",
    }
}
