//! The two real LCLS-II sample files: every value listed in `shared/data/xtc2/README.md`.

mod common;

use common::{EPIX, JUNGFRAU, sample};
use xtc2::run::{GainModeSource, Item, Run, SkipReason};
use xtc2::{
    Damage, DataType, Env, Names, NamesTable, ShapesData, TimeStamp, TransitionId, TypeId, XtcFile,
};

#[test]
fn jungfrau_datagram_sequence() {
    let Some(path) = sample(JUNGFRAU) else { return };
    let file = XtcFile::open(&path).unwrap();
    assert_eq!(file.len(), 2_124_558);
    let seq: Vec<(TransitionId, u64, u32)> = file
        .dgrams()
        .map(|d| d.unwrap())
        .map(|d| (d.transition_id(), d.offset(), d.env().0))
        .collect();
    use TransitionId::*;
    assert_eq!(
        seq,
        [
            (Configure, 0, 0x0202_0003),
            (BeginRun, 26882, 0x0402_0003),
            (BeginStep, 26982, 0x0602_0003),
            (BeginStep, 27082, 0x0604_0003),
            (Enable, 27146, 0x0806_0003),
            (SlowUpdate, 27170, 0x0a08_0003),
            (L1Accept, 27194, 0x0c4b_0003),
            (L1Accept, 1_075_876, 0x0c4d_0003),
        ]
    );
    // Datagrams start at offsets that are not multiples of 4.
    assert_eq!(26882 % 4, 2);
    let configure = file.dgrams().next().unwrap().unwrap();
    assert_eq!(configure.time(), TimeStamp::new(1_112_036_888, 994_216_330));
    // 2025-03-28 19:08:08 UTC.
    assert_eq!(configure.time().unix_seconds(), 1_743_188_888);
    assert_eq!(Env(0x0c4b_0003).readout_groups(), 3);
    let summary = xtc2::validate(&file).unwrap();
    assert_eq!(summary.dgrams, 8);
    assert_eq!(summary.l1accepts, 2);
    assert_eq!(summary.names, 5);
    assert_eq!(summary.shapes_data, 6);
    assert_eq!(summary.orphans, 0);
}

#[test]
fn jungfrau_names() {
    let Some(path) = sample(JUNGFRAU) else { return };
    let file = XtcFile::open(&path).unwrap();
    let mut table = NamesTable::new();
    table
        .update(&file.dgrams().next().unwrap().unwrap())
        .unwrap();
    let all: Vec<(u32, &str, &str, String, u32, usize)> = table
        .iter()
        .map(|n| {
            let v = n.alg.version;
            (
                n.names_id.0,
                n.det_name.as_str(),
                n.alg.name.as_str(),
                v.to_string(),
                n.segment,
                n.fields.len(),
            )
        })
        .collect();
    assert_eq!(
        all,
        [
            (0x100, "jungfrau", "config", "0.2.0".into(), 0, 29),
            (0x10a, "jungfrau", "raw", "0.2.0".into(), 0, 6),
            (0x114, "jungfrau", "config", "0.2.0".into(), 0, 1),
            (0x1fc, "chunkinfo", "chunkinfo", "0.0.1".into(), 0, 2),
            (0x1ff, "runinfo", "runinfo", "0.0.1".into(), 0, 2),
        ]
    );
    let raw = table.get(xtc2::NamesId(0x10a)).unwrap();
    // The detType buffer has garbage after its NUL; it is ignored.
    assert_eq!(raw.det_type, "jungfrau");
    assert_eq!(raw.det_id, "8000000020000-230920-20004002c");
    assert_eq!(raw.class_name(), "jungfrau_raw_0_2_0");
    let fields: Vec<(&str, DataType, u32)> = raw
        .fields
        .iter()
        .map(|f| (f.name.as_str(), f.data_type, f.rank))
        .collect();
    assert_eq!(
        fields,
        [
            ("raw", DataType::U16, 3),
            ("frame_cnt", DataType::U64, 0),
            ("timestamp", DataType::U64, 0),
            ("hotPixelThresh", DataType::U16, 0),
            ("numHotPixels", DataType::U32, 0),
            ("maxHotPixels", DataType::U32, 0),
        ]
    );
    let config = table.get(xtc2::NamesId(0x100)).unwrap();
    let gain = &config.fields[config.field_index("user.gainMode").unwrap()];
    assert_eq!(
        (gain.name.as_str(), gain.data_type),
        ("user.gainMode:gainModeEnum", DataType::EnumVal)
    );
    assert_eq!(config.num_arrays(), 6);
}

#[test]
fn jungfrau_first_event_values() {
    let Some(path) = sample(JUNGFRAU) else { return };
    let file = XtcFile::open(&path).unwrap();
    let mut table = NamesTable::new();
    let mut events = Vec::new();
    for d in file.dgrams() {
        let d = d.unwrap();
        table.update(&d).unwrap();
        if d.transition_id() != TransitionId::L1Accept {
            continue;
        }
        let xtc = d.xtc().children().next().unwrap().unwrap();
        assert_eq!(xtc.type_id(), TypeId::ShapesData);
        let sd = ShapesData::decode(&xtc).unwrap();
        let desc = sd.desc(table.get(xtc.names_id()).unwrap()).unwrap();
        let raw = desc.field("raw").unwrap().unwrap();
        assert_eq!(raw.shape().dims(), &[1, 512, 1024]);
        assert_eq!(
            raw.offset() % 2,
            0,
            "this file's raw happens to be 2-aligned"
        );
        let raw = raw.array::<u16>().unwrap();
        let first: Vec<u16> = raw.iter().take(5).collect();
        let scalar = |name: &str| desc.field(name).unwrap().unwrap().as_u64().unwrap();
        events.push((
            first,
            scalar("frame_cnt"),
            scalar("hotPixelThresh"),
            scalar("maxHotPixels"),
            desc.field("frame_cnt")
                .unwrap()
                .unwrap()
                .scalar::<u64>()
                .unwrap(),
        ));
        // Data is packed: frame_cnt right after the 1,048,576 raw bytes, at an offset of 4 mod 8.
        let raw_at = desc.field("raw").unwrap().unwrap().offset();
        assert_eq!(
            desc.field("frame_cnt").unwrap().unwrap().offset(),
            raw_at + 1_048_576
        );
    }
    assert_eq!(events.len(), 2);
    assert_eq!(
        events[0],
        (vec![2767, 2705, 2721, 2690, 2688], 7665, 15000, 3400, 7665)
    );
    assert_eq!(events[1].0, [2760, 2728, 2725, 2684, 2676]);
    assert_eq!(events[1].1, 7666);
}

#[test]
fn jungfrau_run_view() {
    let Some(path) = sample(JUNGFRAU) else { return };
    let run = Run::open(&[&path]).unwrap();
    assert_eq!(run.expt(), Some("mfx101332224"));
    assert_eq!(run.run_number(), Some(7));
    assert_eq!(
        run.start_time(),
        Some(TimeStamp::new(1_112_036_888, 994_216_330))
    );
    assert_eq!(run.streams().len(), 1);
    let aliases: Vec<&str> = run.detectors().iter().map(|d| d.alias.as_str()).collect();
    assert_eq!(aliases, ["jungfrau"]);
    let det = run.detector("jungfrau").unwrap();
    let info = det.info();
    assert_eq!(info.det_type, "jungfrau");
    assert_eq!(info.raw_version.to_string(), "0.2.0");
    assert_eq!(info.unique_id(), "jungfrau_8000000020000-230920-20004002c");
    assert_eq!(info.segments.len(), 1);
    assert_eq!(info.segments[0].segment, 0);
    assert_eq!(info.segments[0].det_id, "8000000020000-230920-20004002c");
    assert_eq!(info.segments[0].raw_shape.unwrap().dims(), &[1, 512, 1024]);
    assert_eq!(info.frame_shape(), Some(vec![1, 512, 1024]));
    assert_eq!(info.frame_len(), Some(512 * 1024));
    let g = info.configure_gain_mode.as_ref().unwrap();
    assert_eq!((g.value, g.name.as_deref()), (0, Some("DYNAMIC")));
    assert_eq!(
        info.enum_dict("gainModeEnum")
            .unwrap()
            .get(&4)
            .map(String::as_str),
        Some("FIX_G2")
    );

    // Two BeginSteps: the first (copied from BeginRun by the tool that cut the file) carries only
    // runinfo, so its gain mode falls back to the step index; the second has the config update.
    let steps = det.steps().unwrap();
    assert_eq!(steps.len(), 2);
    assert_eq!(
        (steps[0].gain_mode.value, steps[0].gain_mode.source),
        (0, GainModeSource::StepIndex)
    );
    assert_eq!(steps[0].gain_mode.name.as_deref(), Some("DYNAMIC"));
    assert_eq!(
        (steps[1].gain_mode.value, steps[1].gain_mode.source),
        (0, GainModeSource::ConfigUpdate)
    );
    assert_eq!(steps[1].time, TimeStamp::new(1_112_036_891, 218_532_844));
    assert_eq!(steps[0].docstring, None);

    let mut frame = vec![0u16; info.frame_len().unwrap()];
    let mut items = det.items().unwrap();
    let mut log = Vec::new();
    while let Some(item) = items.next_item() {
        match item.unwrap() {
            Item::StepBegin(s) => log.push(format!("begin {}", s.index)),
            Item::StepEnd(e) => log.push(format!("end {} {} {}", e.index, e.events, e.skipped)),
            Item::Skipped(s) => log.push(format!("skip {}", s.reason)),
            Item::Event(ev) => {
                ev.copy_raw_into(&mut frame).unwrap();
                let cnt = ev.segments()[0]
                    .fields()
                    .unwrap()
                    .field("frame_cnt")
                    .unwrap()
                    .unwrap()
                    .as_u64()
                    .unwrap();
                log.push(format!("event {} {:?} {cnt}", ev.step(), &frame[..5]));
                assert!(ev.copy_raw_into(&mut frame[1..]).is_err());
            }
        }
    }
    assert_eq!(
        log,
        [
            "begin 0",
            "end 0 0 0",
            "begin 1",
            "event 1 [2767, 2705, 2721, 2690, 2688] 7665",
            "event 1 [2760, 2728, 2725, 2684, 2676] 7666",
            "end 1 2 0",
        ]
    );
    assert_eq!((items.events(), items.skipped(), items.steps()), (2, 0, 2));
    let e = run.detector("epixquad").unwrap_err().to_string();
    assert!(
        e.ends_with("no detector `epixquad` in this run (detectors: jungfrau)"),
        "{e}"
    );
}

#[test]
fn epix_quad_run_view() {
    let Some(path) = sample(EPIX) else { return };
    let file = XtcFile::open(&path).unwrap();
    assert_eq!(file.len(), 3_922_114);
    let seq: Vec<TransitionId> = file.dgrams().map(|d| d.unwrap().transition_id()).collect();
    use TransitionId::*;
    assert_eq!(
        seq,
        [Configure, BeginRun, BeginStep, Enable, L1Accept, L1Accept]
    );
    let run = Run::open(&[&path]).unwrap();
    assert_eq!(run.expt(), Some("ueddaq02"));
    assert_eq!(run.run_number(), Some(109));
    // 2021-02-23 20:34:20 UTC.
    assert_eq!(run.start_time().unwrap().unix_seconds(), 1_614_112_460);
    let aliases: Vec<&str> = run.detectors().iter().map(|d| d.alias.as_str()).collect();
    assert_eq!(aliases, ["epixquad"]);
    let det = run.detector("epixquad").unwrap();
    let info = det.info();
    assert_eq!(info.det_type, "epix10ka");
    assert_eq!(info.raw_version.to_string(), "2.0.1");
    let segs: Vec<(u32, Vec<u32>)> = info
        .segments
        .iter()
        .map(|s| (s.segment, s.raw_shape.unwrap().dims().to_vec()))
        .collect();
    assert_eq!(
        segs,
        (0..4).map(|i| (i, vec![352, 384])).collect::<Vec<_>>()
    );
    let ids = [
        "3926196238-0175152897-1157627926-0000000000-0000000000-0000000000-0000000000",
        "3926196238-0174824449-0268435478-0000000000-0000000000-0000000000-0000000000",
        "3926196238-0175552257-3456106518-0000000000-0000000000-0000000000-0000000000",
        "3926196238-0176373505-4043309078-0000000000-0000000000-0000000000-0000000000",
    ];
    assert_eq!(info.unique_id(), format!("epix10ka_{}", ids.join("_")));
    assert_eq!(info.frame_shape(), Some(vec![4, 352, 384]));
    let steps = det.steps().unwrap();
    assert_eq!(steps.len(), 1);
    assert_eq!(steps[0].gain_mode.source, GainModeSource::StepIndex);
    // No config update in the step; the Configure's per-segment config: asicPixelConfig
    // (4, 176, 192) all 8 and trbit [0, 0, 0, 0] (every pixel FL).
    assert!(steps[0].config_updates.is_empty());
    for seg in &info.segments {
        let c = seg.config.as_ref().unwrap();
        assert_eq!(c.segment, seg.segment);
        let names: Vec<&str> = c.fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["asicPixelConfig", "trbit"]);
        let apc = c.field("asicPixelConfig").unwrap();
        assert_eq!(
            (apc.data_type, apc.shape.dims()),
            (DataType::U8, &[4u32, 176, 192][..])
        );
        assert!(apc.as_u8().unwrap().iter().all(|&v| v == 8));
        let tr = c.field("trbit").unwrap();
        assert_eq!(
            (tr.shape.dims(), tr.as_u8().unwrap()),
            (&[4u32][..], &[0u8; 4][..])
        );
    }

    let mut frame = vec![0u16; info.frame_len().unwrap()];
    let mut items = det.items().unwrap();
    let mut events = 0;
    while let Some(item) = items.next_item() {
        if let Item::Event(ev) = item.unwrap() {
            events += 1;
            ev.copy_raw_into(&mut frame).unwrap();
            assert_eq!(ev.segments().len(), 4);
            for (k, seg) in ev.segments().iter().enumerate() {
                assert_eq!(seg.segment(), k as u32);
                let fields = seg.fields().unwrap();
                let aux = fields.field("aux").unwrap().unwrap();
                assert_eq!(
                    (aux.data_type(), aux.shape().dims()),
                    (DataType::U16, &[4u32, 384][..])
                );
                // The k-th block of the frame is segment k's raw.
                let raw = fields
                    .field("raw")
                    .unwrap()
                    .unwrap()
                    .array::<u16>()
                    .unwrap();
                assert_eq!(&frame[k * 352 * 384..(k + 1) * 352 * 384], raw.to_vec());
            }
        }
    }
    assert_eq!(events, 2);
    assert!(!matches!(
        SkipReason::MissingSegments(vec![]),
        SkipReason::Damaged { .. }
    ));
    assert_eq!(Damage(0).to_string(), "none");
}

/// Rebuilds every datagram of the jungfrau sample with the writer from the decoded values: the
/// ShapesData and all non-Configure datagrams come out byte for byte, and the Names decode equal.
#[test]
fn writer_reproduces_the_jungfrau_sample() {
    use xtc2::write::{DgramBuilder, Value};
    let Some(path) = sample(JUNGFRAU) else { return };
    let file = XtcFile::open(&path).unwrap();
    let mut table = NamesTable::new();
    for d in file.dgrams() {
        let d = d.unwrap();
        table.update(&d).unwrap();
        let mut b = DgramBuilder::new(d.time(), d.env(), d.xtc().src());
        let mut names_seen: Vec<Names> = Vec::new();
        for x in d.xtc().children() {
            let x = x.unwrap();
            match x.type_id() {
                TypeId::Names => {
                    let n = Names::decode(&x).unwrap();
                    b.names(&n).unwrap();
                    names_seen.push(n);
                }
                TypeId::ShapesData => {
                    let names = table.get(x.names_id()).unwrap();
                    let desc = ShapesData::decode(&x).unwrap().desc(names).unwrap();
                    let values: Vec<Value<'_>> = desc
                        .fields()
                        .map(|f| f.unwrap())
                        .map(|f| Value::Raw(f.shape(), f.bytes()))
                        .collect();
                    b.shapes_data(names, &values).unwrap();
                }
                other => panic!("unexpected {other:?}"),
            }
        }
        let rebuilt = b.finish().unwrap();
        let original = &file.bytes()[d.offset() as usize..(d.offset() + d.size()) as usize];
        assert_eq!(rebuilt.len(), original.len());
        if d.transition_id() == TransitionId::Configure {
            // Names strings differ only in the garbage after their NULs.
            let again = xtc2::Dgram::from_bytes(&rebuilt, 0).unwrap();
            let mut decoded = Vec::new();
            for x in again.xtc().children() {
                let x = x.unwrap();
                if x.type_id() == TypeId::Names {
                    decoded.push(Names::decode(&x).unwrap());
                } else {
                    let o = &original[x.offset() as usize..][..x.extent() as usize];
                    assert_eq!(&rebuilt[x.offset() as usize..][..x.extent() as usize], o);
                }
            }
            assert_eq!(decoded, names_seen);
        } else {
            assert_eq!(rebuilt, original, "{} at {}", d.transition_id(), d.offset());
        }
    }
}

/// The RunWriter's Configure for one segment has the same Names as the real sample.
#[test]
fn run_writer_matches_the_sample_structure() {
    use xtc2::write::{DetectorSetup, RunWriter};
    let Some(path) = sample(JUNGFRAU) else { return };
    let file = XtcFile::open(&path).unwrap();
    let mut real = NamesTable::new();
    real.update(&file.dgrams().next().unwrap().unwrap())
        .unwrap();

    let mut setup = DetectorSetup::jungfrau("jungfrau", &["8000000020000-230920-20004002c"]);
    setup.readout_groups = 3;
    let mut w = RunWriter::new(Vec::new(), setup).unwrap();
    w.configure(TimeStamp::new(1_112_036_888, 994_216_330), 0)
        .unwrap();
    let bytes = w.into_inner().unwrap();
    let ours = XtcFile::from_bytes("ours.xtc2", bytes);
    let d = ours.dgrams().next().unwrap().unwrap();
    // The real env is 0x02020003; bits 16-23 of transitions are not documented, ours are 0.
    assert_eq!(d.env(), Env(0x0200_0003));
    assert_eq!(d.env().transition_id(), Env(0x0202_0003).transition_id());
    let mut table = NamesTable::new();
    table.update(&d).unwrap();
    for n in real.iter() {
        assert_eq!(
            table.get(n.names_id).map(|x| x.as_ref()),
            Some(n.as_ref()),
            "{}",
            n.alg.name
        );
    }
    // Ours adds psana's `scan` step information.
    assert_eq!(table.len(), real.len() + 1);
}

#[test]
fn runs_can_be_shared_across_threads() {
    fn send_sync<T: Send + Sync>() {}
    fn send<T: Send>() {}
    send_sync::<Run>();
    send_sync::<XtcFile>();
    send::<xtc2::run::Items<'static>>();
    send_sync::<xtc2::Error>();
}
