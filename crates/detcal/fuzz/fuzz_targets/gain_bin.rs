//! Vendor JUNGFRAU gain maps (`deploy::gains::parse_vendor_gain_maps`). Only 12, 16 or 24 MiB
//! inputs are valid; the target checks the size handling of every other length.

#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let r = detcal::deploy::gains::parse_vendor_gain_maps(data, Path::new("fuzz.bin"));
    if let Ok(maps) = r {
        assert!([3, 4, 6].contains(&maps.len()));
    }
});
