//! Runs written with the writer and read back: frames, panel ids, steps, gain modes, skips.

use std::path::{Path, PathBuf};

use xtc2::run::{GainModeSource, Item, Run, SkipReason};
use xtc2::write::{DetectorSetup, RunWriter, SegmentFrame, SegmentSetup, gain_mode};
use xtc2::{Damage, TimeStamp, TransitionId};

const ROWS: u32 = 4;
const COLS: u32 = 6;
const PIXELS: usize = (ROWS * COLS) as usize;
const PANELS: [&str; 3] = ["panel-a-0001", "panel-b-0002", "panel-c-0003"];

/// A frame whose every pixel encodes (event, segment, pixel).
fn frame(event: u32, segment: u32) -> Vec<u16> {
    (0..PIXELS as u32)
        .map(|p| {
            ((event * 7 + segment * 1000 + p) % 0x3fff) as u16 | (0x4000 * (segment % 2) as u16)
        })
        .collect()
}

fn setup(segments: &[u32], first_node_id: u16) -> DetectorSetup {
    let mut s = DetectorSetup::jungfrau("jungfrau", &[]);
    s.segments = segments
        .iter()
        .map(|&k| SegmentSetup {
            segment: k,
            det_id: PANELS[k as usize].to_string(),
        })
        .collect();
    s.rows = ROWS;
    s.cols = COLS;
    s.first_node_id = first_node_id;
    s
}

fn t(n: u32) -> TimeStamp {
    TimeStamp::new(1_100_000_000 + n / 10, (n % 10) * 100_000_000)
}

/// What a test expects to read back.
#[derive(Debug, Default, PartialEq)]
struct Readback {
    log: Vec<String>,
    frames: Vec<(u32, Vec<u16>)>,
}

fn read_all(mut items: xtc2::run::Items<'_>, frame_len: usize) -> Readback {
    let mut out = Readback::default();
    let mut buf = vec![0u16; frame_len];
    while let Some(item) = items.next_item() {
        match item.unwrap() {
            Item::StepBegin(s) => out.log.push(format!(
                "begin {} gain {} {:?} {:?}",
                s.index,
                s.gain_mode.value,
                s.gain_mode.name.as_deref(),
                s.gain_mode.source
            )),
            Item::Event(ev) => {
                ev.copy_raw_into(&mut buf).unwrap();
                out.frames.push((ev.step(), buf.clone()));
            }
            Item::Skipped(s) => out.log.push(format!("skip step {}: {}", s.step, s.reason)),
            Item::StepEnd(e) => out
                .log
                .push(format!("end {} {}+{}", e.index, e.events, e.skipped)),
        }
    }
    out
}

/// Writes a run of the given segments; event `n` of step `g` has time `t(100 * (g + 1) + n)`,
/// and time stamps grow through the file as the DAQ's do.
/// Event 1 of step 1 lacks segment `drop`; events listed in `skip_events` are not written at all.
fn write_run(
    path: &Path,
    segments: &[u32],
    first_node_id: u16,
    drop: Option<u32>,
    skip_events: &[u32],
) {
    let file = std::fs::File::create(path).unwrap();
    let mut w = RunWriter::new(
        std::io::BufWriter::new(file),
        setup(segments, first_node_id),
    )
    .unwrap();
    w.configure(t(1), gain_mode::DYNAMIC).unwrap();
    w.begin_run(t(2), "xpptut15", 5).unwrap();
    for g in 0..3u32 {
        w.begin_step(t(100 * (g + 1) - 10), g as i32).unwrap();
        w.transition(t(100 * (g + 1) - 9), TransitionId::Enable)
            .unwrap();
        for n in 0..3u32 {
            let time = 100 * (g + 1) + n;
            if skip_events.contains(&time) {
                continue;
            }
            let frames: Vec<Vec<u16>> = segments.iter().map(|&k| frame(time, k)).collect();
            let given: Vec<SegmentFrame<'_>> = segments
                .iter()
                .enumerate()
                .filter(|&(_, &k)| !(g == 1 && n == 1 && Some(k) == drop))
                .map(|(index, _)| SegmentFrame {
                    index,
                    raw: &frames[index],
                    damage: Damage(0),
                })
                .collect();
            w.event_with(t(time), &given).unwrap();
        }
        w.transition(t(100 * (g + 1) + 50), TransitionId::Disable)
            .unwrap();
        w.transition(t(100 * (g + 1) + 60), TransitionId::EndStep)
            .unwrap();
    }
    w.transition(t(900), TransitionId::EndRun).unwrap();
    w.into_inner().unwrap();
}

fn expected_frames(segments: &[u32], missing: &[u32]) -> Vec<(u32, Vec<u16>)> {
    let mut out = Vec::new();
    for g in 0..3u32 {
        for n in 0..3u32 {
            let time = 100 * (g + 1) + n;
            if missing.contains(&time) {
                continue;
            }
            out.push((g, segments.iter().flat_map(|&k| frame(time, k)).collect()));
        }
    }
    out
}

fn steps_log(skip: &str) -> Vec<String> {
    vec![
        "begin 0 gain 0 Some(\"DYNAMIC\") ConfigUpdate".to_string(),
        "end 0 3+0".into(),
        "begin 1 gain 1 Some(\"FORCE_SWITCH_G1\") ConfigUpdate".into(),
        skip.into(),
        "end 1 2+1".into(),
        "begin 2 gain 2 Some(\"FORCE_SWITCH_G2\") ConfigUpdate".into(),
        "end 2 3+0".into(),
    ]
}

#[test]
fn three_segments_three_steps_one_stream() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("xpptut15-r0005-s000-c000.xtc2");
    // Segments are written in the order 2, 0, 1; they are read back sorted.
    write_run(&path, &[2, 0, 1], 1, Some(1), &[]);
    let run = Run::open(&[&path]).unwrap();
    assert_eq!((run.expt(), run.run_number()), (Some("xpptut15"), Some(5)));
    assert_eq!(run.start_time(), Some(t(1)));
    let det = run.detector("jungfrau").unwrap();
    let info = det.info();
    let panels: Vec<(u32, &str)> = info
        .segments
        .iter()
        .map(|s| (s.segment, s.det_id.as_str()))
        .collect();
    assert_eq!(panels, [(0, PANELS[0]), (1, PANELS[1]), (2, PANELS[2])]);
    assert_eq!(
        info.unique_id(),
        "jungfrau_panel-a-0001_panel-b-0002_panel-c-0003"
    );
    assert_eq!(
        info.frame_shape(),
        Some(vec![3, ROWS as usize, COLS as usize])
    );
    let got = read_all(det.items().unwrap(), 3 * PIXELS);
    assert_eq!(got.log, steps_log("skip step 1: missing segment(s) [1]"));
    assert_eq!(got.frames, expected_frames(&[0, 1, 2], &[201]));
    let steps: Vec<(i32, GainModeSource)> = det
        .steps()
        .unwrap()
        .iter()
        .map(|s| (s.gain_mode.value, s.gain_mode.source))
        .collect();
    assert_eq!(
        steps,
        [
            (0, GainModeSource::ConfigUpdate),
            (1, GainModeSource::ConfigUpdate),
            (2, GainModeSource::ConfigUpdate)
        ]
    );
    let doc = det.steps().unwrap()[2].docstring.clone().unwrap();
    assert_eq!(
        doc,
        r#"{"detname": "jungfrau", "scantype": "pedestal", "step": 2, "gainMode": 2}"#
    );
}

#[test]
fn two_streams_are_event_built_by_time_stamp() {
    let dir = tempfile::tempdir().unwrap();
    let s0 = dir.path().join("xpptut15-r0005-s000-c000.xtc2");
    let s1 = dir.path().join("xpptut15-r0005-s001-c000.xtc2");
    // Stream 1 holds segment 1 and lacks event 202 entirely; stream 0 lacks segment 2 in 201.
    write_run(&s0, &[0, 2], 1, Some(2), &[]);
    write_run(&s1, &[1], 3, None, &[202]);
    let run = Run::open(&[&s1, &s0]).unwrap();
    assert_eq!(run.streams().len(), 2);
    assert_eq!(run.streams()[0].number(), Some(0));
    let det = run.detector("jungfrau").unwrap();
    let streams: Vec<(u32, usize)> = det
        .info()
        .segments
        .iter()
        .map(|s| (s.segment, s.stream))
        .collect();
    assert_eq!(streams, [(0, 0), (1, 1), (2, 0)]);
    let got = read_all(det.items().unwrap(), 3 * PIXELS);
    let mut log = steps_log("skip step 1: missing segment(s) [2]");
    log.insert(4, "skip step 1: missing segment(s) [1]".into());
    log[5] = "end 1 1+2".into();
    assert_eq!(got.log, log);
    assert_eq!(got.frames, expected_frames(&[0, 1, 2], &[201, 202]));

    // Per-stream reading needs no event building.
    let got = read_all(det.stream_items(0).unwrap(), 2 * PIXELS);
    assert_eq!(got.frames, expected_frames(&[0, 2], &[201]));
    let got = read_all(det.stream_items(1).unwrap(), PIXELS);
    assert_eq!(got.frames, expected_frames(&[1], &[202]));
    assert!(det.stream_items(2).is_err());

    // Files of two runs are refused.
    let other = dir.path().join("xpptut15-r0006-s000-c000.xtc2");
    std::fs::copy(&s0, &other).unwrap();
    let e = Run::open(&[&s0, &other]).unwrap_err().to_string();
    assert!(
        e.ends_with("files of two runs (xpptut15 run 5 and xpptut15 run 6); open each run alone"),
        "{e}"
    );
}

#[test]
fn chunks_continue_the_names_of_the_chunk_before() {
    let dir = tempfile::tempdir().unwrap();
    let whole = dir.path().join("whole.xtc2");
    write_run(&whole, &[0, 1], 1, None, &[]);
    let bytes = std::fs::read(&whole).unwrap();
    // Cut after the first L1Accept of step 1 (a datagram boundary).
    let file = xtc2::XtcFile::open(&whole).unwrap();
    let cut = file
        .dgrams()
        .map(|d| d.unwrap())
        .find(|d| d.time() == t(200))
        .map(|d| (d.offset() + d.size()) as usize)
        .unwrap();
    let c0: PathBuf = dir.path().join("xpptut15-r0005-s000-c000.xtc2");
    let c1: PathBuf = dir.path().join("xpptut15-r0005-s000-c001.xtc2");
    std::fs::write(&c0, &bytes[..cut]).unwrap();
    std::fs::write(&c1, &bytes[cut..]).unwrap();
    let resolved = xtc2::dataset::Dataset::from_exp_run("xpptut15", "5", Some(dir.path()))
        .unwrap()
        .resolve(None)
        .unwrap();
    assert_eq!(resolved[0].files, [c0, c1]);
    let run = Run::open(&resolved[0].files).unwrap();
    assert_eq!(run.streams()[0].chunks().len(), 2);
    let got = read_all(
        run.detector("jungfrau").unwrap().items().unwrap(),
        2 * PIXELS,
    );
    assert_eq!(got.frames, expected_frames(&[0, 1], &[]));
}

#[test]
fn damaged_segments_are_skipped_with_the_reason() {
    let mut w = RunWriter::new(Vec::new(), setup(&[0, 1], 1)).unwrap();
    w.configure(t(1), 0).unwrap();
    w.begin_run(t(2), "xpptut15", 6).unwrap();
    let (a, b) = (frame(1, 0), frame(1, 1));
    let ok = |index, raw| SegmentFrame {
        index,
        raw,
        damage: Damage(0),
    };
    w.event_with(t(3), &[ok(0, &a), ok(1, &b)]).unwrap();
    let bad = SegmentFrame {
        index: 1,
        raw: &b,
        damage: Damage(Damage::MISSING_DATA),
    };
    w.event_with(t(4), &[ok(0, &a), bad]).unwrap();
    let corrupted = SegmentFrame {
        index: 0,
        raw: &a,
        damage: Damage(Damage::CORRUPTED),
    };
    w.event_with(t(5), &[corrupted, ok(1, &b)]).unwrap();
    // User bits alone are not damage.
    let user = SegmentFrame {
        index: 0,
        raw: &a,
        damage: Damage(0x1000),
    };
    w.event_with(t(6), &[user, ok(1, &b)]).unwrap();
    let run = Run::from_files(vec![xtc2::XtcFile::from_bytes(
        "mem.xtc2",
        w.into_inner().unwrap(),
    )])
    .unwrap();
    let det = run.detector("jungfrau").unwrap();
    let mut items = det.items().unwrap();
    let mut reasons = Vec::new();
    let mut events = 0;
    while let Some(item) = items.next_item() {
        match item.unwrap() {
            Item::Skipped(s) => reasons.push(s.reason),
            Item::Event(_) => events += 1,
            Item::StepBegin(s) => {
                // No BeginStep in this run: an implicit step 0 from the step index.
                assert_eq!(
                    (s.index, s.gain_mode.source),
                    (0, GainModeSource::StepIndex)
                );
            }
            Item::StepEnd(_) => {}
        }
    }
    assert_eq!(events, 2);
    assert_eq!(
        reasons,
        [
            SkipReason::Damaged {
                segment: 1,
                damage: Damage(Damage::MISSING_DATA)
            },
            SkipReason::Damaged {
                segment: 0,
                damage: Damage(Damage::CORRUPTED)
            },
        ]
    );
    assert_eq!(reasons[0].to_string(), "segment 1 damaged (MissingData)");
    assert_eq!((items.events(), items.skipped()), (2, 2));
}

#[test]
fn gain_mode_from_docstring_then_step_index() {
    let mut s = setup(&[0], 1);
    s.write_scan = true;
    let mut w = RunWriter::new(Vec::new(), s).unwrap();
    w.configure(t(1), 0).unwrap();
    w.begin_run(t(2), "xpptut15", 6).unwrap();
    w.begin_step_with(
        t(3),
        None,
        Some(r#"{"detname": "jungfrau", "step": 0, "gainMode": 2}"#),
    )
    .unwrap();
    w.begin_step_with(t(4), None, Some(r#"{"gainMode": "FORCE_SWITCH_G1"}"#))
        .unwrap();
    w.begin_step_with(t(5), None, None).unwrap();
    w.begin_step_with(t(6), Some(4), Some(r#"{"gainMode": 2}"#))
        .unwrap();
    let run = Run::from_files(vec![xtc2::XtcFile::from_bytes(
        "mem.xtc2",
        w.into_inner().unwrap(),
    )])
    .unwrap();
    let steps = run.detector("jungfrau").unwrap().steps().unwrap();
    let got: Vec<(u32, i32, Option<&str>, GainModeSource)> = steps
        .iter()
        .map(|s| {
            (
                s.index,
                s.gain_mode.value,
                s.gain_mode.name.as_deref(),
                s.gain_mode.source,
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (0, 2, Some("FORCE_SWITCH_G2"), GainModeSource::Docstring),
            (1, 1, Some("FORCE_SWITCH_G1"), GainModeSource::Docstring),
            (2, 2, Some("FORCE_SWITCH_G2"), GainModeSource::StepIndex),
            (3, 4, Some("FIX_G2"), GainModeSource::ConfigUpdate),
        ]
    );
}

#[test]
fn a_second_configure_resets_the_names() {
    let mut w = RunWriter::new(Vec::new(), setup(&[0], 1)).unwrap();
    w.configure(t(1), 0).unwrap();
    w.begin_run(t(2), "xpptut15", 6).unwrap();
    let a = frame(1, 0);
    w.event(t(3), &[&a]).unwrap();
    w.transition(t(4), TransitionId::EndRun).unwrap();
    // A second Configure with the same NamesIds: a duplicate unless the table is reset.
    w.configure(t(5), 0).unwrap();
    w.begin_run(t(6), "xpptut15", 7).unwrap();
    w.event(t(7), &[&a]).unwrap();
    let bytes = w.into_inner().unwrap();
    let file = xtc2::XtcFile::from_bytes("mem.xtc2", bytes);
    let sum = xtc2::validate(&file).unwrap();
    assert_eq!((sum.dgrams, sum.l1accepts), (7, 2));
    let run = Run::from_files(vec![file]).unwrap();
    let got = read_all(run.detector("jungfrau").unwrap().items().unwrap(), PIXELS);
    assert_eq!(got.frames.len(), 2);
}

#[test]
fn writer_refuses_bad_setups_and_values() {
    assert!(RunWriter::new(Vec::new(), setup(&[], 1)).is_err());
    let mut s = setup(&[0, 1], 1);
    s.segments[1].segment = 0;
    let e = RunWriter::new(Vec::new(), s).unwrap_err().to_string();
    assert_eq!(e, "cannot write XTC2: segment 0 is given twice");
    let mut w = RunWriter::new(Vec::new(), setup(&[0], 1)).unwrap();
    let short = vec![0u16; PIXELS - 1];
    let e = w.event(t(1), &[&short]).unwrap_err().to_string();
    assert!(
        e.contains("field `raw`: shape [1, 4, 6] needs 24 UINT16 elements, 23 given"),
        "{e}"
    );
    assert!(w.event(t(1), &[]).is_err());
    let e = w.begin_run(t(1), "bad\0name", 1).unwrap_err().to_string();
    assert!(e.contains("NUL"), "{e}");
}

#[test]
fn events_of_other_detectors_are_not_skips() {
    let dir = tempfile::tempdir().unwrap();
    let s0 = dir.path().join("xpptut15-r0005-s000-c000.xtc2");
    write_run(&s0, &[0, 1, 2], 1, None, &[]);
    // Stream 1: another detector with its own events between ours, and the same transitions.
    let s1 = dir.path().join("xpptut15-r0005-s001-c000.xtc2");
    let mut other = setup(&[0], 9);
    other.alias = "other".into();
    other.det_type = "epix10ka".into();
    let mut w = RunWriter::new(std::fs::File::create(&s1).unwrap(), other).unwrap();
    w.configure(t(1), 0).unwrap();
    w.begin_run(t(2), "xpptut15", 5).unwrap();
    let px = frame(0, 0);
    for g in 0..3u32 {
        w.begin_step(t(100 * (g + 1) - 10), g as i32).unwrap();
        w.event(t(100 * (g + 1) + 5), &[&px]).unwrap();
        w.transition(t(100 * (g + 1) + 60), TransitionId::EndStep)
            .unwrap();
    }
    w.into_inner().unwrap();
    let run = Run::open(&[&s0, &s1]).unwrap();
    let aliases: Vec<&str> = run.detectors().iter().map(|d| d.alias.as_str()).collect();
    assert_eq!(aliases, ["jungfrau", "other"]);
    let got = read_all(
        run.detector("jungfrau").unwrap().items().unwrap(),
        3 * PIXELS,
    );
    assert!(
        got.log.iter().all(|l| !l.starts_with("skip")),
        "{:?}",
        got.log
    );
    assert_eq!(got.frames, expected_frames(&[0, 1, 2], &[]));
    let got = read_all(run.detector("other").unwrap().items().unwrap(), PIXELS);
    assert_eq!(got.frames.len(), 3);
    assert_eq!(
        run.detector("other").unwrap().info().unique_id(),
        "epix10ka_panel-a-0001"
    );
}

/// An ePix10ka quad written in the epixquad layout reads back with its Configure config per
/// segment, each step's config update, and the frames stacked in segment order.
#[test]
fn epix10ka_configs_and_frames_round_trip() {
    use xtc2::write::{EpixConfig, Layout};
    let ids = ["e0", "e1", "e2", "e3"];
    let setup = DetectorSetup::epix10ka("epixquad", &ids);
    assert_eq!(setup.layout, Layout::Epix10ka);
    let mut w = RunWriter::new(Vec::new(), setup).unwrap();
    // Configure: FL everywhere, but segment 2's ASIC 1 has a distinct value and trbit.
    let mut cfgs: Vec<EpixConfig> = (0..4).map(|_| EpixConfig::uniform(8, 0)).collect();
    cfgs[2].asic_pixel_config[176 * 192 + 5] = 13;
    cfgs[2].trbit = [0, 1, 0, 0];
    assert!(w.configure(t(0), 0).is_err());
    w.configure_epix(t(0), &cfgs).unwrap();
    w.begin_run(t(1), "ueddaq02", 7).unwrap();
    let fh: Vec<EpixConfig> = (0..4).map(|_| EpixConfig::uniform(12, 1)).collect();
    let frames: Vec<Vec<u16>> = (0..4u16)
        .map(|s| {
            (0..352 * 384)
                .map(|p| (p as u16 % 1000) + s * 1000)
                .collect()
        })
        .collect();
    let refs: Vec<&[u16]> = frames.iter().map(|f| f.as_slice()).collect();
    w.begin_step_epix(t(2), None, Some(r#"{"step": 0}"#))
        .unwrap();
    w.event(t(3), &refs).unwrap();
    w.transition(t(4), TransitionId::EndStep).unwrap();
    w.begin_step_epix(t(5), Some(&fh), Some(r#"{"step": 1}"#))
        .unwrap();
    w.event(t(6), &refs).unwrap();
    w.transition(t(7), TransitionId::EndStep).unwrap();
    assert!(w.begin_step_epix(t(8), Some(&fh[..2]), None).is_err());
    let bytes = w.into_inner().unwrap();
    let run = Run::from_files(vec![xtc2::XtcFile::from_bytes("q.xtc2", bytes)]).unwrap();
    let info = run.detector("epixquad").unwrap().info();
    assert_eq!(info.det_type, "epix10ka");
    assert_eq!(info.raw_version.to_string(), "2.0.1");
    assert_eq!(info.frame_shape(), Some(vec![4, 352, 384]));
    for (k, seg) in info.segments.iter().enumerate() {
        let c = seg.config.as_ref().unwrap();
        let apc = c.field("asicPixelConfig").unwrap();
        assert_eq!(apc.shape.dims(), &[4, 176, 192]);
        assert_eq!(apc.as_u8().unwrap(), cfgs[k].asic_pixel_config.as_slice());
        assert_eq!(c.field("trbit").unwrap().as_u8().unwrap(), &cfgs[k].trbit);
    }
    let det = run.detector("epixquad").unwrap();
    let steps = det.steps().unwrap();
    assert_eq!(steps.len(), 2);
    assert!(steps[0].config_updates.is_empty());
    assert_eq!(steps[1].config_updates.len(), 4);
    for (k, c) in steps[1].config_updates.iter().enumerate() {
        assert_eq!(c.segment, k as u32);
        assert_eq!(c.field("trbit").unwrap().as_u8().unwrap(), &[1, 1, 1, 1]);
        assert!(
            c.field("asicPixelConfig")
                .unwrap()
                .as_u8()
                .unwrap()
                .iter()
                .all(|&v| v == 12)
        );
    }
    let mut items = det.items().unwrap();
    let mut buf = vec![0u16; 4 * 352 * 384];
    let mut events = 0;
    while let Some(item) = items.next_item() {
        if let Item::Event(ev) = item.unwrap() {
            ev.copy_raw_into(&mut buf).unwrap();
            assert_eq!(buf, frames.concat());
            events += 1;
        }
    }
    assert_eq!(events, 2);
}
