/*!
Array files on disk: the readers and writers of [`detcal_formats`], with atomic writes, psana's
file modes and the header values of the machine, user and time they are written on.
*/

pub use detcal_formats::{FileFormat, array, load_array, lossless_fmt, pickle, pyfmt};

use std::path::Path;

use crate::error::Result;
use crate::files::Perms;
use array::NdArray;

/// psana's text ndarray format, written atomically with the current header values.
pub mod text {
    pub use detcal_formats::text::*;

    use std::path::Path;

    use crate::error::Result;
    use crate::files::{Perms, Staged, stage_atomic, write_atomic};
    use crate::formats::array::NdArray;
    use crate::formats::pyfmt::PyFormat;
    use crate::site;

    /// The header of a file written now, here, by this user, under the name `file_name`.
    pub fn current_header(file_name: &str) -> HeaderInfo {
        HeaderInfo {
            host: site::hostname(),
            work_dir: site::cwd(),
            file_name: file_name.to_string(),
            date_time: site::iso_seconds(jiff::Timestamp::now()),
            uid: site::login_name(),
        }
    }

    /// Writes `arr` to `path` in psana's text format, atomically, with the current header values.
    pub fn write_text(path: &Path, arr: &NdArray, opts: &TextOptions, perms: &Perms) -> Result<()> {
        let info = current_header(&path.display().to_string());
        write_atomic(path, perms, |w| Ok(encode_text(arr, opts, &info, w, path)?))
    }

    /// Writes `arr` to `path` as plain headerless text, atomically.
    pub fn write_plain(path: &Path, arr: &NdArray, fmt: &PyFormat, perms: &Perms) -> Result<()> {
        write_atomic(path, perms, |w| Ok(encode_plain(arr, fmt, w, path)?))
    }

    /// [`write_plain`] up to the flush to disk and the rename, which [`Staged::commit`] or
    /// [`crate::files::commit_all`] do.
    pub fn stage_plain(
        path: &Path,
        arr: &NdArray,
        fmt: &PyFormat,
        perms: &Perms,
    ) -> Result<Staged> {
        stage_atomic(path, perms, |w| Ok(encode_plain(arr, fmt, w, path)?))
    }
}

/// NumPy `.npy` files, written atomically.
pub mod npy {
    pub use detcal_formats::npy::*;

    use std::path::Path;

    use crate::error::{Error, IoContext, Result};
    use crate::files::{Perms, write_atomic};
    use crate::formats::array::NdArray;
    use npyz::WriterBuilder;

    /// Writes `arr` to `path` as `.npy` (little-endian, C order), atomically.
    pub fn write_npy(path: &Path, arr: &NdArray, perms: &Perms) -> Result<()> {
        write_atomic(path, perms, |w| Ok(encode_npy(arr, w, path)?))
    }

    /// Writes a `.npy` file of `shape` atomically from values produced piece by piece: `fill` is
    /// given a function that appends values in C order. Exactly as many values as `shape` holds must
    /// be appended, else nothing is written and the error says so. For arrays too large to hold.
    pub fn write_npy_streamed<T>(
        path: &Path,
        shape: &[u64],
        perms: &Perms,
        fill: impl FnOnce(&mut dyn FnMut(&[T]) -> Result<()>) -> Result<()>,
    ) -> Result<()>
    where
        T: npyz::AutoSerialize + Copy,
    {
        let want: u64 = shape.iter().product();
        write_atomic(path, perms, |w| {
            let mut writer = npyz::WriteOptions::<T>::new()
                .default_dtype()
                .shape(shape)
                .writer(&mut *w)
                .begin_nd()
                .at(path, "write")?;
            let mut written = 0u64;
            fill(&mut |values: &[T]| {
                written += values.len() as u64;
                if written > want {
                    return Err(Error::shape(
                        path.display().to_string(),
                        format!("{shape:?}"),
                        &[written as usize],
                        format!(
                            "{}: more values than the shape {shape:?} holds",
                            path.display()
                        ),
                    ));
                }
                writer.extend(values.iter().copied()).at(path, "write")
            })?;
            if written != want {
                return Err(Error::shape(
                    path.display().to_string(),
                    format!("{shape:?}"),
                    &[written as usize],
                    format!(
                        "{}: {written} values written, but the shape {shape:?} holds {want}",
                        path.display()
                    ),
                ));
            }
            writer.finish().at(path, "write")
        })
    }
}

/// NumPy `.npz` archives, written atomically.
pub mod npz {
    pub use detcal_formats::npz::*;

    use std::path::Path;

    use crate::error::Result;
    use crate::files::{Perms, write_atomic};
    use crate::formats::array::NdArray;

    /// Writes the named arrays to `path` as an uncompressed `.npz` archive, atomically.
    pub fn write_npz(path: &Path, arrays: &[(&str, &NdArray)], perms: &Perms) -> Result<()> {
        write_atomic(path, perms, |w| Ok(encode_npz(arrays, w, path)?))
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

#[cfg(test)]
mod tests {
    use super::npy::*;
    use crate::files::Perms;
    use ndarray::{ArrayD, IxDyn};

    #[test]
    fn streamed_writes_need_exactly_the_shape() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("s.npy");
        let perms = Perms::default();
        write_npy_streamed::<u16>(&p, &[2, 3], &perms, |push| {
            push(&[1, 2])?;
            push(&[3, 4, 5, 6])
        })
        .unwrap();
        let want = ArrayD::from_shape_vec(IxDyn(&[2, 3]), vec![1u16, 2, 3, 4, 5, 6]).unwrap();
        assert_eq!(read_npy(&p).unwrap(), want.into());
        // Too few or too many values: an error naming the file, and nothing written.
        let q = dir.path().join("t.npy");
        let err = write_npy_streamed::<f32>(&q, &[2, 3], &perms, |push| push(&[1.0; 5]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("t.npy") && err.contains("5 values"), "{err}");
        let err = write_npy_streamed::<f32>(&q, &[2], &perms, |push| push(&[1.0; 3]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("more values"), "{err}");
        assert!(!q.exists());
    }
}
