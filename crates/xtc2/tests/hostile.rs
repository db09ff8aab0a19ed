//! Truncated and corrupted files give errors that name the file and a byte offset, never a
//! panic, an out-of-bounds read or an allocation sized from an unchecked length.

mod common;

use common::{EPIX, JUNGFRAU, sample};
use proptest::prelude::*;
use xtc2::run::{Item, Run};
use xtc2::write::{DetectorSetup, RunWriter};
use xtc2::{Error, TimeStamp, TypeId, XtcFile};

/// Runs every reader over `bytes`: the whole-file check, then the run view of every detector
/// with every event copied out. Returns the whole-file check's result.
fn exercise(bytes: Vec<u8>) -> Result<xtc2::Summary, Error> {
    let file = XtcFile::from_bytes("cut.xtc2", bytes);
    let checked = xtc2::validate(&file);
    if let Ok(run) = Run::from_files(vec![file]) {
        for info in run.detectors() {
            let det = run.detector(&info.alias).unwrap();
            let _ = det.steps();
            let mut buf = Vec::new();
            let Ok(mut items) = det.items() else { continue };
            while let Some(item) = items.next_item() {
                match item {
                    Ok(Item::Event(ev)) => {
                        buf.resize(ev.len(), 0);
                        ev.copy_raw_into(&mut buf).unwrap();
                    }
                    Ok(_) => {}
                    Err(e) => {
                        assert!(e.to_string().starts_with("cut.xtc2: "), "{e}");
                        break;
                    }
                }
            }
        }
    }
    checked
}

/// Datagram offsets of a file, and its length.
fn boundaries(bytes: &[u8]) -> Vec<u64> {
    let file = XtcFile::from_bytes("x", bytes.to_vec());
    let mut b: Vec<u64> = file.dgrams().map(|d| d.unwrap().offset()).collect();
    b.push(bytes.len() as u64);
    b
}

/// A deterministic sequence of offsets below `n` (a linear congruential generator).
fn offsets(n: u64, count: usize, seed: u64) -> Vec<u64> {
    let mut x = seed;
    (0..count)
        .map(|_| {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (x >> 11) % n
        })
        .collect()
}

fn truncate_everywhere(name: &str) {
    let Some(path) = sample(name) else { return };
    let bytes = std::fs::read(path).unwrap();
    let bounds = boundaries(&bytes);
    // Exactly at a datagram boundary: a clean, shorter read.
    for (i, &b) in bounds.iter().enumerate() {
        let sum = exercise(bytes[..b as usize].to_vec()).unwrap();
        assert_eq!(sum.dgrams, i as u64, "cut at {b}");
    }
    // Anywhere else, including inside the 24 header bytes: an error at or before the cut.
    let mut cuts: Vec<u64> = bounds
        .iter()
        .flat_map(|&b| {
            [
                1, 2, 4, 8, 11, 12, 13, 20, 23, 24, 25, 30, 100, 1048, 1049, 2000,
            ]
            .map(move |d| b + d)
        })
        .chain(offsets(bytes.len() as u64, 300, 7))
        .filter(|c| *c < bytes.len() as u64 && !bounds.contains(c))
        .collect();
    cuts.sort_unstable();
    cuts.dedup();
    assert!(cuts.len() > 300);
    for cut in cuts {
        let e = exercise(bytes[..cut as usize].to_vec()).unwrap_err();
        let offset = e.offset().unwrap_or_else(|| panic!("no offset in {e}"));
        assert!(offset <= cut, "cut {cut}: {e}");
        assert!(e.to_string().starts_with("cut.xtc2: byte "), "{e}");
        assert!(!e.to_string().contains('\n'));
    }
}

#[test]
fn truncated_jungfrau_file() {
    truncate_everywhere(JUNGFRAU);
}

#[test]
fn truncated_epix_file() {
    truncate_everywhere(EPIX);
}

/// Offsets of the structural fields of a file: (offset, width in bytes, what).
fn structural_fields(bytes: &[u8]) -> Vec<(usize, usize, &'static str)> {
    let file = XtcFile::from_bytes("x", bytes.to_vec());
    let mut out = Vec::new();
    let mut seen_event = false;
    for d in file.dgrams() {
        let d = d.unwrap();
        // One event is enough: the others have the same layout.
        if d.transition_id() == xtc2::TransitionId::L1Accept {
            if seen_event {
                continue;
            }
            seen_event = true;
        }
        let at = d.offset() as usize;
        out.extend([(at, 4, "nsec"), (at + 4, 4, "sec"), (at + 8, 4, "env")]);
        let mut xtcs = vec![d.xtc()];
        xtcs.extend(d.xtc().walk().map(|x| x.unwrap()));
        let mut more = Vec::new();
        for x in &xtcs {
            if x.type_id() == TypeId::ShapesData {
                more.extend(x.children().map(|c| c.unwrap()));
            }
        }
        xtcs.extend(more);
        for x in xtcs {
            let h = x.offset() as usize;
            out.extend([
                (h, 4, "src"),
                (h + 4, 2, "damage"),
                (h + 6, 2, "contains"),
                (h + 8, 4, "extent"),
            ]);
            let p = x.payload_offset() as usize;
            match x.type_id() {
                TypeId::Names => {
                    out.extend([
                        (p, 4, "numArrays"),
                        (p + 1028, 4, "alg version"),
                        (p + 1032, 4, "segment"),
                    ]);
                    out.push((p + 4, 1, "detType"));
                    for k in 0..3 {
                        let e = p + 1036 + 524 * k;
                        if e + 524 <= x.payload_offset() as usize + x.payload().len() {
                            out.extend([
                                (e + 260, 1, "field name"),
                                (e + 516, 4, "data type"),
                                (e + 520, 4, "rank"),
                            ]);
                        }
                    }
                }
                TypeId::Shapes => {
                    for k in 0..(x.payload().len() / 4).min(6) {
                        out.push((p + 4 * k, 4, "shape"));
                    }
                }
                _ => {}
            }
        }
    }
    out
}

fn corrupt_everywhere(name: &str) {
    let Some(path) = sample(name) else { return };
    let bytes = std::fs::read(path).unwrap();
    let fields = structural_fields(&bytes);
    assert!(fields.len() > 100, "{}", fields.len());
    let (mut cases, mut errors, mut must) = (0, 0, 0);
    for &(at, width, what) in &fields {
        let orig = &bytes[at..at + width];
        let orig_u32 = {
            let mut a = [0u8; 4];
            a[..width].copy_from_slice(orig);
            u32::from_le_bytes(a)
        };
        let values: Vec<u32> = match width {
            4 => vec![
                0,
                11,
                13,
                u32::MAX,
                orig_u32.wrapping_add(1),
                orig_u32 ^ 0x100,
            ],
            2 => vec![8, 0xffff, orig_u32 ^ 1],
            _ => vec![0, 0xff],
        };
        for v in values {
            let mut bad = bytes.clone();
            bad[at..at + width].copy_from_slice(&v.to_le_bytes()[..width]);
            if bad == bytes {
                continue;
            }
            cases += 1;
            let result = exercise(bad);
            if let Err(e) = &result {
                errors += 1;
                assert!(
                    e.to_string().starts_with("cut.xtc2: "),
                    "{what}@{at}={v}: {e}"
                );
            }
            // Fields whose damage must be detected.
            let must_fail = match what {
                "extent" => v < 12,
                "data type" => v > 12,
                "rank" => v > 5,
                "numArrays" => true,
                _ => false,
            };
            if must_fail {
                must += 1;
                let e = result.unwrap_err().to_string();
                let expected = match what {
                    "extent" => format!("Xtc extent {v} is smaller than its 12-byte header"),
                    "data type" => format!("unknown data type {v}"),
                    "rank" => format!("rank {v} exceeds the maximum of 5"),
                    _ => "arrays but".to_string(),
                };
                assert!(e.contains(&expected), "{what}@{at}={v}: {e}");
            }
        }
    }
    eprintln!("{name}: {cases} cases, {errors} errors, {must} must-fail");
    assert!(must > 50, "{must}");
    // Many changes (time stamps, env, src, damage user bits, values) are not errors.
    assert!(
        errors > must && errors < cases,
        "{errors} errors in {cases} cases"
    );
}

#[test]
fn corrupted_jungfrau_file() {
    corrupt_everywhere(JUNGFRAU);
}

#[test]
fn corrupted_epix_file() {
    corrupt_everywhere(EPIX);
}

/// A small synthetic run: 2 segments of 2x3 pixels, 2 steps of 2 events.
fn small_run() -> Vec<u8> {
    let mut setup = DetectorSetup::jungfrau("jf", &["p0", "p1"]);
    (setup.rows, setup.cols) = (2, 3);
    let mut w = RunWriter::new(Vec::new(), setup).unwrap();
    let t = |n| TimeStamp::new(100, n);
    w.configure(t(1), 0).unwrap();
    w.begin_run(t(2), "xpptut15", 1).unwrap();
    let px = [1u16, 2, 3, 4, 5, 6];
    for g in 0..2 {
        w.begin_step(t(10 + g * 10), g as i32).unwrap();
        w.event(t(11 + g * 10), &[&px, &px]).unwrap();
        w.event(t(12 + g * 10), &[&px, &px]).unwrap();
    }
    w.into_inner().unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn random_byte_changes_never_panic(
        changes in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
        cut in any::<prop::sample::Index>(),
        do_cut in any::<bool>(),
    ) {
        let mut bytes = small_run();
        for (i, v) in changes {
            let i = i.index(bytes.len());
            bytes[i] = v;
        }
        if do_cut {
            bytes.truncate(cut.index(bytes.len()));
        }
        let _ = exercise(bytes);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        let _ = exercise(bytes);
    }
}

#[test]
fn small_run_is_valid_as_written() {
    let sum = exercise(small_run()).unwrap();
    assert_eq!((sum.dgrams, sum.l1accepts), (8, 4));
}
