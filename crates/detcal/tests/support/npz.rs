//! Test support: gzip'd text files of the parity folders of `shared/data/parity` (their
//! `.npz` archives are read with `detcal::formats::npz`).

use std::io::Read;
use std::path::Path;

/// The text of a gzip'd file.
pub fn gunzip(path: &Path) -> String {
    let b = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut s = String::new();
    flate2::read::GzDecoder::new(&b[..])
        .read_to_string(&mut s)
        .unwrap();
    s
}
