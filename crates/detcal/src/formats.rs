/*!
File formats of constants and raw data: psana's text ndarray format, NumPy `.npy`, and
Python's `%` number formatting they depend on.
*/

pub mod array;
pub mod npy;
pub mod pyfmt;
pub mod text;

use std::path::Path;

use crate::error::{Error, Result};
use crate::files::Perms;
use array::{DType, NdArray};

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

/// Writes `arr` to `path` atomically in `format`; text uses `fmt` (default: lossless).
pub fn save_array(
    path: &Path,
    arr: &NdArray,
    format: FileFormat,
    fmt: Option<&str>,
    perms: &Perms,
) -> Result<()> {
    let fmt = fmt.unwrap_or_else(|| lossless_fmt(arr.dtype()));
    match format {
        FileFormat::Npy => npy::write_npy(path, arr, perms),
        FileFormat::Text => text::write_text(path, arr, &text::TextOptions::new(fmt)?, perms),
        FileFormat::Plain => text::write_plain(path, arr, &pyfmt::PyFormat::parse(fmt)?, perms),
    }
}
