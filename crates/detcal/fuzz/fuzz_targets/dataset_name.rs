//! Dataset names (`exp=...:run=...:dir=...`, `xtc2::dataset::Dataset::parse`), and the XTC2
//! chunk file names a dataset's runs are found by.

#![no_main]

use libfuzzer_sys::fuzz_target;
use xtc2::dataset::{Dataset, parse_stream_chunk};

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(Dataset::Runs { exp, runs, .. }) = Dataset::parse(s) {
        assert!(!exp.is_empty() && !exp.contains('/'));
        assert!(runs.len() <= 200_000);
    }
    let _ = parse_stream_chunk(s);
    if let Some((exp, runs)) = s.split_once(' ') {
        let _ = Dataset::from_exp_run(exp, runs, None);
    }
});
