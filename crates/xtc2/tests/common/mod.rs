//! Helpers shared by the integration tests: where the real sample files are.

#![allow(dead_code)]

use std::path::PathBuf;

/// The `shared` directory: `$DETCAL_SHARED_DIR`, else `<manifest>/../../../shared`.
pub fn shared_dir() -> PathBuf {
    match std::env::var_os("DETCAL_SHARED_DIR") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
    }
}

/// A real sample file from `shared/data/xtc2/`, or `None` (with a message) where absent.
pub fn sample(name: &str) -> Option<PathBuf> {
    let path = shared_dir().join("data/xtc2").join(name);
    if path.is_file() {
        Some(path)
    } else {
        eprintln!(
            "skipping: ../shared/data not found ({} is absent)",
            path.display()
        );
        None
    }
}

pub const JUNGFRAU: &str = "test_jungfrau05M_calib.xtc2";
pub const EPIX: &str = "test_epix_calib.xtc2";
