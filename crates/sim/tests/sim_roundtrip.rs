//! Simulated runs read back exactly: frames, panel ids, steps, gain modes, experiment, run.

use std::path::Path;

use detcal::DType;
use detcal::detector::DetType;
use detcal::files::Perms;
use detcal::formats::npy::{read_npy, write_npy};
use detcal::source::{Flow, Item, RunSource, StackInfo, describe_run, open_dataset};
use detcal_sim::{self as sim, FrameGen, Model, SimConfig};
use ndarray::{ArrayD, IxDyn};

fn perms() -> Perms {
    Perms {
        group: None,
        ..Perms::default()
    }
}

fn small_config() -> SimConfig {
    SimConfig {
        panels: 3,
        rows: 16,
        cols: 128,
        dark_events: 7,
        light_events: 5,
        seed: 42,
        ..SimConfig::default()
    }
}

/// Every (step, frame) of a run, as the reader returns them.
fn read_all(src: &RunSource) -> Vec<(u32, Option<&'static str>, Vec<u16>)> {
    let mut out = Vec::new();
    let mut mode = None;
    src.for_each(&mut |item| {
        match item {
            Item::StepBegin(s) => mode = s.mode_name(),
            Item::Frame { step, frame, .. } => out.push((step, mode, frame.to_vec().unwrap())),
            Item::Skipped { reason, .. } => panic!("unexpected skip: {reason}"),
            Item::StepEnd { .. } => {}
        }
        Ok(Flow::Continue)
    })
    .unwrap();
    out
}

#[test]
fn simulated_runs_read_back_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = small_config();
    let gains = dir.path().join("gains");
    let out = sim::simulate(&cfg, dir.path(), Some(&gains), &perms(), &|_| {}).unwrap();
    assert_eq!(
        out.dark_file,
        dir.path()
            .join("XPP/xpptut15/xtc/xpptut15-r0001-s000-c000.xtc2")
    );
    assert_eq!(out.panel_ids.len(), 3);

    // The reader through the psana dataset syntax.
    let runs = open_dataset("exp=xpptut15:run=1-2", Some(dir.path()), Some("jungfrau")).unwrap();
    assert_eq!(runs.len(), 2);
    let dark = &runs[0];
    let m = dark.meta();
    assert_eq!(
        (m.exp.as_str(), m.run, m.det_type),
        ("xpptut15", 1, DetType::Jungfrau)
    );
    assert_eq!(m.panel_ids, out.panel_ids);
    assert_eq!(m.unique_id, format!("jungfrau_{}", out.panel_ids.join("_")));
    assert_eq!(m.frame_shape, [3, 16, 128]);
    assert_eq!(m.start.as_second(), 1_112_036_888 + 631_152_000);

    // Frames equal those drawn again from the same model and seed.
    let model = Model::generate(cfg.seed, cfg.panels, cfg.rows, cfg.cols, &cfg.defects);
    let frames_gen = FrameGen::new(&model, cfg.seed);
    let got = read_all(dark);
    assert_eq!(got.len(), 21);
    let mut want = vec![0u16; 3 * 16 * 128];
    for (k, (step, mode, frame)) in got.iter().enumerate() {
        let (s, e) = (k / 7, k % 7);
        assert_eq!(*step as usize, s);
        assert_eq!(*mode, Some(["Normal", "ForcedGain1", "ForcedGain2"][s]));
        frames_gen.dark_frame(1, s as u32, e as u64, s, &mut want);
        assert_eq!(frame, &want, "dark step {s} event {e}");
    }
    let light = read_all(&runs[1]);
    assert_eq!(light.len(), 5);
    for (e, (_, mode, frame)) in light.iter().enumerate() {
        assert_eq!(*mode, Some("Normal"));
        frames_gen.light_frame(2, e as u64, &cfg.light, &mut want);
        assert_eq!(frame, &want, "light event {e}");
    }

    // The description matches.
    let d = describe_run(std::slice::from_ref(&out.dark_file)).unwrap();
    assert_eq!(d.detectors.len(), 1);
    let det = &d.detectors[0];
    assert_eq!(
        det.steps.iter().map(|s| s.events).collect::<Vec<_>>(),
        [7, 7, 7]
    );
    assert_eq!(
        det.steps
            .iter()
            .map(|s| s.psana_gain_mode.clone().unwrap())
            .collect::<Vec<_>>(),
        ["Normal", "ForcedGain1", "ForcedGain2"]
    );

    // Truth and gain maps.
    let peds = read_npy(&out.truth_dir.join("pedestals.npy")).unwrap();
    assert_eq!(peds.shape(), &[3, 3, 16, 128]);
    assert_eq!(peds.to_typed::<f32>(), model.pedestals.clone().into_dyn());
    let defects = read_npy(&out.truth_dir.join("defects.npy")).unwrap();
    assert_eq!(defects.dtype(), DType::U8);
    let g1 = read_npy(&gains.join(&out.panel_ids[2]).join("g1_gain.npy")).unwrap();
    assert_eq!(g1.shape(), &[16, 128]);
    assert!((g1.to_f64()[[3, 5]] - model.gain[[1, 2, 3, 5]] as f64).abs() < 1e-6);
    let truth: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.truth_dir.join("truth.json")).unwrap()).unwrap();
    assert_eq!(truth["panel_ids"][0], out.panel_ids[0].as_str());
    assert_eq!(truth["photon_energy_kev"], 9.5);
}

#[test]
fn walking_can_end_steps_and_stop() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = SimConfig {
        light_run: None,
        ..small_config()
    };
    let out = sim::simulate(&cfg, dir.path(), None, &perms(), &|_| {}).unwrap();
    let src = RunSource::open_xtc(&[&out.dark_file], None).unwrap();
    // Two frames per step, then stop in the last step.
    let mut per_step = [0usize; 3];
    src.for_each(&mut |item| {
        Ok(match item {
            Item::Frame { step, .. } => {
                per_step[step as usize] += 1;
                if step == 2 {
                    Flow::Stop
                } else if per_step[step as usize] == 2 {
                    Flow::EndStep
                } else {
                    Flow::Continue
                }
            }
            _ => Flow::Continue,
        })
    })
    .unwrap();
    assert_eq!(per_step, [2, 2, 1]);
}

#[test]
fn numpy_stack_is_a_one_step_run() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("stack.npy");
    let data: Vec<u16> = (0..4 * 2 * 3 * 5).map(|i| i as u16 | 0x4000).collect();
    write_npy(
        &p,
        &detcal::NdArray::U16(ArrayD::from_shape_vec(IxDyn(&[4, 2, 3, 5]), data.clone()).unwrap()),
        &perms(),
    )
    .unwrap();
    let info = StackInfo {
        det_type: DetType::Jungfrau,
        panel_ids: vec!["pa".into(), "pb".into()],
        exp: "xpptut15".into(),
        run: 9,
        start: "2024-01-02T03:04:05Z".parse().unwrap(),
        gain_mode: Some(detcal::detector::gain_mode(DetType::Jungfrau, "ForcedGain1").unwrap()),
        alias: "jungfrau".into(),
    };
    let src = RunSource::open_stack(&p, info.clone()).unwrap();
    assert_eq!(src.meta().frame_shape, [2, 3, 5]);
    assert_eq!(src.meta().unique_id, "jungfrau_pa_pb");
    let got = read_all(&src);
    assert_eq!(got.len(), 4);
    assert!(
        got.iter()
            .all(|(s, m, _)| *s == 0 && *m == Some("ForcedGain1"))
    );
    assert_eq!(
        got.iter().flat_map(|g| g.2.clone()).collect::<Vec<_>>(),
        data
    );
    // Wrong panel count, wrong dtype, wrong rank: clear errors.
    let e = RunSource::open_stack(
        &p,
        StackInfo {
            panel_ids: vec!["pa".into()],
            ..info.clone()
        },
    )
    .err()
    .unwrap()
    .to_string();
    assert!(e.contains("1 panel ids given for 2 segments"), "{e}");
    let f = dir.path().join("f.npy");
    write_npy(
        &f,
        &detcal::NdArray::F32(ArrayD::zeros(IxDyn(&[2, 3, 5]))),
        &perms(),
    )
    .unwrap();
    let e = RunSource::open_stack(&f, info.clone())
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("expected little-endian C-order uint16"), "{e}");
    let r2 = dir.path().join("r2.npy");
    write_npy(
        &r2,
        &detcal::NdArray::U16(ArrayD::zeros(IxDyn(&[2, 3]))),
        &perms(),
    )
    .unwrap();
    let e = RunSource::open_stack(&r2, info).err().unwrap().to_string();
    assert!(
        e.contains("(N, rows, cols) or (N, segments, rows, cols)"),
        "{e}"
    );
}

#[test]
fn dataset_errors_are_clear() {
    let dir = tempfile::tempdir().unwrap();
    let e = open_dataset("exp=xpptut15:run=3", Some(dir.path()), None)
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("xpptut15") && e.contains("r0003"), "{e}");
    let e = open_dataset("exp=../x:run=3", Some(dir.path()), None)
        .err()
        .unwrap()
        .to_string();
    assert!(!e.is_empty());
    let e = open_dataset(
        &dir.path().join("none.xtc2").display().to_string(),
        None,
        None,
    )
    .err()
    .unwrap()
    .to_string();
    assert!(e.contains("none.xtc2"), "{e}");
    let cfg = SimConfig {
        light_run: None,
        ..small_config()
    };
    sim::simulate(&cfg, dir.path(), None, &perms(), &|_| {}).unwrap();
    let e = open_dataset("exp=xpptut15:run=1", Some(dir.path()), Some("epix"))
        .err()
        .unwrap()
        .to_string();
    assert!(
        e.contains("no detector \"epix\"") && e.contains("jungfrau (jungfrau)"),
        "{e}"
    );
    // A truncated run file: an error naming the file and byte offset, not a panic.
    let f = dir
        .path()
        .join("XPP/xpptut15/xtc/xpptut15-r0001-s000-c000.xtc2");
    let bytes = std::fs::read(&f).unwrap();
    let cut = dir.path().join("cut.xtc2");
    std::fs::write(&cut, &bytes[..bytes.len() - 1000]).unwrap();
    let src = RunSource::open_xtc(&[&cut], None).unwrap();
    let e = src
        .for_each(&mut |_| Ok(Flow::Continue))
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("cut.xtc2") && e.contains("byte"), "{e}");
    assert!(Path::new(&cut).exists());
}
