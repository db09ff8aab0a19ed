/*!
NumPy `.npz` archives: a zip file of `.npy` members named `<key>.npy`.

The writer stores members uncompressed (as `numpy.savez` does); the reader also accepts
deflate-compressed members (`numpy.savez_compressed`).
*/

use std::io::{Read, Seek, Write};
use std::path::Path;

use crate::array::NdArray;
use crate::error::{Error, IoContext, Result};
use crate::npy::{encode_npy, parse_npy};

/// Writes the named arrays as an `.npz` archive to `w`, in the given order.
pub fn encode_npz<W: Write + Seek>(arrays: &[(&str, &NdArray)], w: W, path: &Path) -> Result<()> {
    let zip_err =
        |e: zip::result::ZipError| Error::content(path, format!("cannot write zip archive: {e}"));
    let mut zw = zip::ZipWriter::new(w);
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .large_file(true);
    for (name, arr) in arrays {
        zw.start_file(format!("{name}.npy"), opts)
            .map_err(zip_err)?;
        encode_npy(arr, &mut zw, path)?;
    }
    zw.finish().map_err(zip_err)?;
    Ok(())
}

/// Reads every member of an `.npz` archive, in archive order, keyed without `.npy`.
pub fn read_npz(path: &Path) -> Result<Vec<(String, NdArray)>> {
    let file = std::fs::File::open(path).at(path, "open")?;
    parse_npz(std::io::BufReader::new(file), path)
}

/// Reads every member of the `.npz` archive `r`; `path` names it in errors.
pub fn parse_npz<R: Read + Seek>(r: R, path: &Path) -> Result<Vec<(String, NdArray)>> {
    let bad =
        |e: zip::result::ZipError| Error::content(path, format!("not a valid .npz archive: {e}"));
    let mut za = zip::ZipArchive::new(r).map_err(bad)?;
    let mut out = Vec::with_capacity(za.len());
    for i in 0..za.len() {
        let mut f = za.by_index(i).map_err(bad)?;
        let name = f.name().map_err(bad)?.trim_end_matches(".npy").to_string();
        let mut bytes = Vec::with_capacity(f.size() as usize);
        f.read_to_end(&mut bytes).at(path, "read")?;
        out.push((name, parse_npy(&bytes, path)?));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{ArrayD, IxDyn};

    #[test]
    fn round_trip() {
        let a = NdArray::F64(
            ArrayD::from_shape_vec(IxDyn(&[2, 3]), vec![1.5, -2.0, 0.0, 3.25, 1e300, -0.0])
                .unwrap(),
        );
        let b = NdArray::U8(ArrayD::from_shape_vec(IxDyn(&[3]), vec![1, 0, 1]).unwrap());
        let mut buf = std::io::Cursor::new(Vec::new());
        encode_npz(&[("x_um", &a), ("mask", &b)], &mut buf, Path::new("a.npz")).unwrap();
        buf.set_position(0);
        let back = parse_npz(buf, Path::new("a.npz")).unwrap();
        assert_eq!(back, vec![("x_um".to_string(), a), ("mask".to_string(), b)]);
    }

    #[test]
    fn garbage_is_an_error() {
        let e = parse_npz(
            std::io::Cursor::new(b"not a zip".to_vec()),
            Path::new("b.npz"),
        )
        .unwrap_err();
        assert!(
            e.to_string().starts_with("b.npz: not a valid .npz archive"),
            "{e}"
        );
    }
}
