//! Walks the whole XTC2 parser over arbitrary bytes: every datagram, Names, ShapesData and field
//! (`xtc2::validate`), then the run view of every detector with every event copied out. Errors
//! are expected; only a panic (or a sanitizer report) is a failure.

#![no_main]

use libfuzzer_sys::fuzz_target;
use xtc2::run::{Item, Run};
use xtc2::XtcFile;

fuzz_target!(|data: &[u8]| {
    let file = XtcFile::from_bytes("fuzz.xtc2", data.to_vec());
    let _ = xtc2::validate(&file);
    let mut reader = xtc2::Reader::new(data);
    let mut buf = Vec::new();
    while let Ok(Some(_)) = reader.next_dgram(&mut buf) {}
    let Ok(run) = Run::from_files(vec![file]) else { return };
    for info in run.detectors() {
        let _ = info.unique_id();
        let Ok(det) = run.detector(&info.alias) else { continue };
        let _ = det.steps();
        let Ok(mut items) = det.items() else { continue };
        let mut frame = Vec::new();
        while let Some(item) = items.next_item() {
            match item {
                Ok(Item::Event(ev)) => {
                    frame.resize(ev.len(), 0u16);
                    ev.copy_raw_into(&mut frame).expect("the event's own length");
                    for seg in ev.segments() {
                        if let Ok(fields) = seg.fields() {
                            for f in fields.fields().flatten() {
                                let _ = f.as_f64();
                            }
                        }
                    }
                }
                Ok(_) => {}
                Err(_) => break,
            }
        }
    }
});
