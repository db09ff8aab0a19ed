//! The timing decoders over arbitrary bytes: the packed 121-byte layout, and the timing of every
//! event of a run (`RunTiming::read`, which decodes the fields of each timing ShapesData).
//! Errors are expected; only a panic (or a sanitizer report) is a failure.

#![no_main]

use libfuzzer_sys::fuzz_target;
use xtc2::run::Run;
use xtc2::timing::{RunTiming, TimingData};
use xtc2::XtcFile;

fuzz_target!(|data: &[u8]| {
    if let Ok(t) = TimingData::from_bytes(data) {
        assert_eq!(&t.to_bytes()[..], &data[..xtc2::timing::TIMING_DATA_SIZE]);
        let _ = t.event_codes.iter().count();
    }
    let file = XtcFile::from_bytes("fuzz.xtc2", data.to_vec());
    let Ok(run) = Run::from_files(vec![file]) else { return };
    if let Ok(timing) = RunTiming::read(&run) {
        let _ = timing.code_counts();
        let _ = timing.destination_counts();
    }
});
