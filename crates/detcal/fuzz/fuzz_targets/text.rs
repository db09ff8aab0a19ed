//! psana text constants (`formats::text::parse_text`, what `detcal show FILE.data` reads), then
//! the summary `detcal show` prints. Errors are expected; only a panic is a failure.

#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(a) = detcal::formats::text::parse_text(data, Path::new("fuzz.data")) {
        assert_eq!(a.shape().iter().product::<usize>(), a.len());
        let _ = detcal::summary::summarize(&a, true);
    }
});
