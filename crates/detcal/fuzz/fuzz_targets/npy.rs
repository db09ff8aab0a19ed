//! `.npy` files (`formats::npy::parse_npy`, what `detcal show FILE.npy` reads), then the
//! summary `detcal show` prints. Errors are expected; only a panic is a failure.

#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(a) = detcal::formats::npy::parse_npy(data, Path::new("fuzz.npy")) {
        assert_eq!(a.shape().iter().product::<usize>(), a.len());
        let _ = detcal::summary::summarize(&a, true);
    }
});
