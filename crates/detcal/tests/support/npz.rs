//! Test support: the members of the `.npz` archives and the gzip'd text files of the parity
//! folders of `shared/data/parity`.

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

/// Member `name` (e.g. `input.npy`) of the `.npz` archive at `path`, as `.npy` bytes.
#[allow(dead_code)]
pub fn member(path: &Path, name: &str) -> Vec<u8> {
    let key = name.strip_suffix(".npy").unwrap_or(name);
    let arr = detcal::formats::npz::read_npz(path)
        .unwrap()
        .into_iter()
        .find(|(n, _)| n == key)
        .unwrap_or_else(|| panic!("{}: no member {name}", path.display()))
        .1;
    let mut out = Vec::new();
    detcal::formats::npy::encode_npy(&arr, &mut out, path).unwrap();
    out
}
