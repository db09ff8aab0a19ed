//! Run-range file names (`5-end.data`): `RunRange::from_str`, the directory classification and
//! the selection among names. A range that parses must print back as itself.

#![no_main]

use detcal::store::{self, RunRange};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(r) = s.parse::<RunRange>() {
        assert_eq!(r.to_string().parse::<RunRange>().ok(), Some(r));
    }
    let names: Vec<&str> = s.split('\n').collect();
    for n in &names {
        let _ = store::classify(n);
    }
    for run in [0, 1, 9999, 10000, u32::MAX] {
        if let Some(pick) = store::select(&names, run) {
            assert!(names.contains(&pick));
        }
    }
});
