//! Frames read in place from the mapped files ([`super::job::run`]) give the results of frames
//! copied into batches first ([`super::job::run_copying`], the way they were read before):
//! XTC2 runs with panels smaller and larger than a kernel tile, one panel (`segind`), a NumPy
//! stack, and steps shorter than the stage-1 block.

use std::path::Path;

use ndarray::{ArrayD, IxDyn};
use xtc2::write::{DetectorSetup, RunWriter, gain_mode};
use xtc2::{TimeStamp, TransitionId};

use super::job::{self, LoopOptions, StepDone};
use super::{DarkParams, DarkResult, test_xorshift};
use crate::detector::{DetType, GainModeInfo};
use crate::source::{RunSource, StackInfo};

/// One frame's panels: values near a per-pixel pedestal with noise, some out of range and
/// some with another gain code, so that every accumulator and status bit has work.
fn frame(rng: &mut impl FnMut() -> u64, panels: usize, npix: usize, gain: u16) -> Vec<Vec<u16>> {
    (0..panels)
        .map(|p| {
            (0..npix)
                .map(|i| {
                    let r = rng();
                    let v = match r % 97 {
                        0 => 16383,
                        1 => 0,
                        _ => 1000 + (i as u64 * 7 + p as u64 * 13) % 900 + (r >> 40) % 16,
                    } as u16;
                    let g = if r % 211 == 5 { 3 } else { gain };
                    v | (g << 14)
                })
                .collect()
        })
        .collect()
}

/// Writes a JUNGFRAU run of `events[s]` events in step `s` (gain modes 0, 1, 2); `timed`: with
/// the timing detector's 121 bytes in each event, so that every other event's frames lie at
/// odd file offsets (as in `detcal simulate`'s runs), read in place as unaligned words.
fn write_run(path: &Path, ids: &[&str], rows: usize, cols: usize, events: &[usize], timed: bool) {
    let mut setup = DetectorSetup::jungfrau("jungfrau", ids);
    setup.rows = rows as u32;
    setup.cols = cols as u32;
    let file = std::fs::File::create(path).unwrap();
    let mut w = RunWriter::new(std::io::BufWriter::new(file), setup).unwrap();
    if timed {
        w = w.with_timing();
    }
    let t = |n: u32| TimeStamp::new(1_100_000_000 + n, 0);
    w.configure(t(1), gain_mode::DYNAMIC).unwrap();
    w.begin_run(t(2), "xpptut15", 1).unwrap();
    let mut rng = test_xorshift(0x1234_5678_9abc_def1);
    let mut n = 10;
    let modes = [
        gain_mode::DYNAMIC,
        gain_mode::FORCE_SWITCH_G1,
        gain_mode::FORCE_SWITCH_G2,
    ];
    for (g, (&gm, &ne)) in modes.iter().zip(events).enumerate() {
        w.begin_step(t(n), gm).unwrap();
        w.transition(t(n + 1), TransitionId::Enable).unwrap();
        for e in 0..ne as u32 {
            let f = frame(&mut rng, ids.len(), rows * cols, g as u16);
            let refs: Vec<&[u16]> = f.iter().map(Vec::as_slice).collect();
            if timed {
                let timing = xtc2::timing::TimingData::default();
                w.event_timed(t(n + 2 + e), &refs, &timing).unwrap();
            } else {
                w.event(t(n + 2 + e), &refs).unwrap();
            }
        }
        w.transition(t(n + 3 + ne as u32), TransitionId::Disable)
            .unwrap();
        w.transition(t(n + 4 + ne as u32), TransitionId::EndStep)
            .unwrap();
        n += 10 + ne as u32;
    }
    w.transition(t(n), TransitionId::EndRun).unwrap();
    w.into_inner().unwrap();
}

/// Each step's (index, results) from `run` or `run_copying`.
fn results(
    sources: &[RunSource],
    opts: &LoopOptions,
    gain: Option<GainModeInfo>,
    copying: bool,
) -> Vec<(u32, u64, DarkResult)> {
    let params = DarkParams::default();
    let mut out = Vec::new();
    let mut done = |d: StepDone<'_>| {
        out.push((d.step.index, d.skipped, d.result));
        Ok(())
    };
    if copying {
        job::run_copying(sources, &params, opts, gain, &mut done).unwrap();
    } else {
        job::run(sources, &params, opts, gain, &mut done, &|_| {}).unwrap();
    }
    out
}

fn assert_same(
    sources: &[RunSource],
    opts: &LoopOptions,
    gain: Option<GainModeInfo>,
    steps: usize,
) {
    let a = results(sources, opts, gain, true);
    let b = results(sources, opts, gain, false);
    assert_eq!(a.len(), steps);
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x.0, y.0);
        assert_eq!(x.1, y.1);
        assert!(x.2 == y.2, "step {}: in-place results differ", x.0);
        assert!(x.2.frames >= 3);
    }
}

/// How many of the run's frames lie in the map at even addresses and how many have a part at
/// an odd one (both read in place, the second kind as unaligned words); a frame read in place
/// gives `parts` parts, which put together are the frame's little-endian bytes.
fn mapped(src: &RunSource, parts: usize) -> (usize, usize) {
    let (mut even, mut odd) = (0, 0);
    src.for_each(&mut |item| {
        if let crate::source::Item::Frame { frame, .. } = item {
            let mut out = Vec::new();
            assert!(src.mapped_parts(&frame, None, &mut out));
            assert_eq!(out.len(), parts);
            let want: Vec<u8> = frame
                .to_vec()?
                .iter()
                .flat_map(|v| v.to_le_bytes())
                .collect();
            assert_eq!(out.concat(), want);
            if out.iter().all(|p| (p.as_ptr() as usize).is_multiple_of(2)) {
                even += 1;
            } else {
                odd += 1;
            }
        }
        Ok(crate::source::Flow::Continue)
    })
    .unwrap();
    (even, odd)
}

#[test]
fn xtc2_frames_read_in_place_give_the_results_of_copies() {
    let tmp = tempfile::tempdir().unwrap();
    // Panels of 24 x 40 pixels (a tile of 4096 spans several panels: gathered rows), and of
    // 64 x 128 (two tiles per panel: rows read in place). Steps of 130 events (the block,
    // then batches of 64 and a short one), 30 (shorter than the block) and 70.
    // The small panels' run has timing data: every other frame lies at an odd offset, read
    // in place as unaligned words.
    for (name, ids, rows, cols, timed) in [
        ("small", &["pa-1", "pb-2", "pc-3"][..], 24, 40, true),
        ("tiles", &["pa-1", "pb-2"][..], 64, 128, false),
    ] {
        let xtc = tmp.path().join(format!("{name}.xtc2"));
        write_run(&xtc, ids, rows, cols, &[130, 30, 70], timed);
        let sources = vec![RunSource::open_xtc(&[&xtc], Some("jungfrau")).unwrap()];
        let (even, odd) = mapped(&sources[0], ids.len());
        assert_eq!(even + odd, 230);
        if timed {
            assert!(
                even > 50 && odd > 50,
                "{even} frames at even offsets, {odd} at odd"
            );
        } else {
            assert_eq!(odd, 0);
        }
        assert_same(&sources, &LoopOptions::default(), None, 3);
        let one = LoopOptions {
            segind: Some(1),
            ..LoopOptions::default()
        };
        assert_same(&sources, &one, None, 3);
        let skip = LoopOptions {
            evskip: 7,
            evstep: 100,
            ..LoopOptions::default()
        };
        assert_same(&sources, &skip, None, 3);
    }
}

#[test]
fn stack_frames_read_in_place_give_the_results_of_copies() {
    let tmp = tempfile::tempdir().unwrap();
    let (n, panels, rows, cols) = (90, 2, 32, 48);
    let mut rng = test_xorshift(77);
    let data: Vec<u16> = (0..n)
        .flat_map(|_| frame(&mut rng, panels, rows * cols, 0).concat())
        .collect();
    let path = tmp.path().join("stack.npy");
    let arr =
        crate::NdArray::U16(ArrayD::from_shape_vec(IxDyn(&[n, panels, rows, cols]), data).unwrap());
    crate::formats::npy::write_npy(
        &path,
        &arr,
        &crate::files::Perms {
            group: None,
            ..crate::files::Perms::default()
        },
    )
    .unwrap();
    let mode = crate::detector::gain_mode(DetType::Jungfrau, "0").unwrap();
    let info = StackInfo {
        det_type: DetType::Jungfrau,
        panel_ids: vec!["pa-1".into(), "pb-2".into()],
        exp: "xpptut15".into(),
        run: 1,
        start: jiff::Timestamp::from_second(1_100_000_000).unwrap(),
        gain_mode: Some(mode),
        alias: "jungfrau".into(),
    };
    let sources = vec![RunSource::open_stack(&path, info).unwrap()];
    assert_eq!(mapped(&sources[0], 1), (n, 0));
    assert_same(&sources, &LoopOptions::default(), Some(mode), 1);
    let one = LoopOptions {
        segind: Some(0),
        ..LoopOptions::default()
    };
    assert_same(&sources, &one, Some(mode), 1);
}
