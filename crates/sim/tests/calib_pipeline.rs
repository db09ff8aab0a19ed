//! The calibration pipeline (`detcal::pipeline::calib`) called directly on simulated runs, with
//! known pedestals deployed by hand, against psana's formula computed here from the raw frames.

use std::path::Path;

use detcal::NdArray;
use detcal::apply::Selection;
use detcal::files::Perms;
use detcal::formats::load_array;
use detcal::formats::text::TextOptions;
use detcal::pipeline::calib::{self, CalibInput, CalibOptions, CalibOutput, CommonMode};
use detcal::report::Quiet;
use detcal::settings::Settings;
use detcal::source::{Flow, Item, open_dataset};
use detcal::store::{CalibStore, Deployment, RunRange};
use detcal_sim::{self as sim, SimConfig};
use ndarray::{ArrayD, IxDyn};

const PANELS: usize = 2;
const ROWS: usize = 16;
const COLS: usize = 128;
const FRAME: usize = PANELS * ROWS * COLS;
/// Run 1: 3 dark steps of 7 events (gains 0, 1, 2); run 2: 5 light events.
const DATASET: &str = "exp=xpptut15:run=1-2";

fn perms() -> Perms {
    Perms {
        group: None,
        ..Perms::default()
    }
}

/// The pedestal of pixel `p` of a frame in gain range `g`: different for every gain and pixel.
fn ped(g: usize, p: usize) -> f32 {
    1000.0 * (g + 1) as f32 + (p % 37) as f32 + 0.25
}

/// Simulates the runs under `dir/data` and deploys the pedestals (only) into `dir/calib`.
fn prepare(dir: &Path) -> Settings {
    let cfg = SimConfig {
        panels: PANELS,
        rows: ROWS,
        cols: COLS,
        dark_events: 7,
        light_events: 5,
        seed: 7,
        ..SimConfig::default()
    };
    sim::simulate(&cfg, &dir.join("data"), None, &perms(), &|_| {}).unwrap();
    let peds: NdArray = ArrayD::from_shape_fn(IxDyn(&[3, PANELS, ROWS, COLS]), |i| {
        ped(i[0], (i[1] * ROWS + i[2]) * COLS + i[3])
    })
    .into();
    let d = Deployment {
        group: "Jungfrau::CalibV1",
        source: "jungfrau.0:Jungfrau.0",
        ctype: "pedestals",
        range: RunRange::from_run(1),
        perms: perms(),
        comment: "test".into(),
    };
    CalibStore::new(dir.join("calib"))
        .deploy_array(&peds, &TextOptions::new("%.3f").unwrap(), "test", &d)
        .unwrap();
    Settings {
        psdm_data: Some(dir.join("data")),
        perms: perms(),
        ..Settings::default()
    }
}

fn input(dir: &Path, selection: Selection) -> CalibInput {
    CalibInput {
        dataset: DATASET.into(),
        det: Some("jungfrau".into()),
        calib_dir: Some(dir.join("calib")),
        selection,
        common_mode: CommonMode::Off,
        ..CalibInput::default()
    }
}

/// The selected frames calibrated here, independently: raw 14 bits minus the pedestal of the
/// gain range of bits 15-14, 0 for bits 10; `skip` frames skipped in each run, `events` in all.
fn expected(settings: &Settings, skip: usize, events: usize) -> Vec<Vec<f32>> {
    let mut out = Vec::new();
    for src in open_dataset(DATASET, settings.psdm_data.as_deref(), Some("jungfrau")).unwrap() {
        let mut seen = 0;
        src.for_each(&mut |item| {
            if let Item::Frame { frame, .. } = item {
                seen += 1;
                if seen <= skip {
                    return Ok(Flow::Continue);
                }
                if out.len() == events {
                    return Ok(Flow::Stop);
                }
                let raw = frame.to_vec().unwrap();
                assert_eq!(raw.len(), FRAME);
                out.push(
                    raw.iter()
                        .enumerate()
                        .map(|(p, &w)| {
                            let g = match w >> 14 {
                                0 => 0,
                                1 => 1,
                                3 => 2,
                                _ => return 0.0,
                            };
                            (w & 0x3fff) as f32 - ped(g, p)
                        })
                        .collect(),
                );
            }
            Ok(Flow::Continue)
        })
        .unwrap();
    }
    out
}

/// The per-pixel mean of `frames`, in f64.
fn mean_of(frames: &[Vec<f32>]) -> Vec<f64> {
    (0..FRAME)
        .map(|p| frames.iter().map(|f| f[p] as f64).sum::<f64>() / frames.len() as f64)
        .collect()
}

fn values(a: &NdArray) -> Vec<f64> {
    a.to_f64().iter().copied().collect()
}

fn assert_close(got: &[f64], want: &[f64], what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!((g - w).abs() < 1e-3, "{what}[{i}]: {g} != {w}");
    }
}

#[test]
fn frames_and_mean_image_equal_the_formula_on_the_raw_frames() {
    let dir = tempfile::tempdir().unwrap();
    let settings = prepare(dir.path());
    // 2 frames skipped per run; 19 taken from run 1 (all three gain ranges), 3 from run 2.
    let sel = Selection {
        skip: 2,
        events: Some(25),
        step: None,
    };
    let want = expected(&settings, 2, 25);
    assert_eq!(want.len(), 22);
    let want_mean = mean_of(&want);
    let in_ = input(dir.path(), sel);

    // The frames, with the mean image computed on the way.
    let out = dir.path().join("frames.npy");
    let opts = CalibOptions {
        input: in_.clone(),
        out: out.clone(),
        output: CalibOutput::Frames { mean: true },
    };
    let r = calib::run(&opts, &settings, &Quiet).unwrap();
    assert_eq!((r.stats.frames, r.stats.skipped), (22, 0));
    assert_eq!(r.frame_shape, vec![PANELS, ROWS, COLS]);
    assert_eq!(r.unit, "ADU", "no pixel_gain deployed");
    assert_eq!(r.masked, 0, "no status deployed");
    assert_eq!(r.common_mode, None);
    let frames = load_array(&out).unwrap();
    assert_eq!(frames.shape(), &[22, PANELS, ROWS, COLS]);
    let flat: Vec<f64> = want.iter().flatten().map(|&v| v as f64).collect();
    assert!(
        flat.iter().any(|v| v.abs() > 1.0),
        "frames of non-trivial values"
    );
    assert_close(&values(&frames), &flat, "frames");
    let mean = r.mean.expect("mean asked for");
    assert_eq!(mean.shape(), &[PANELS, ROWS, COLS]);
    assert_close(&values(&mean), &want_mean, "mean with frames");

    // The mean image alone, written and returned.
    let out_mean = dir.path().join("mean.npy");
    let r = calib::run(
        &CalibOptions {
            output: CalibOutput::Mean,
            out: out_mean.clone(),
            ..opts
        },
        &settings,
        &Quiet,
    )
    .unwrap();
    assert_eq!(r.stats.frames, 22);
    assert_close(
        &values(&load_array(&out_mean).unwrap()),
        &want_mean,
        "mean.npy",
    );

    // The library's mean image (detcal plot DATASET): the same, nothing written.
    let m = calib::mean_image(&in_, &settings, &Quiet).unwrap();
    assert_eq!((m.stats.frames, m.unit), (22, "ADU"));
    assert_close(&values(&m.image), &want_mean, "mean_image");
}

#[test]
fn one_step_and_empty_selections() {
    let dir = tempfile::tempdir().unwrap();
    let settings = prepare(dir.path());
    // Step 1 of run 1 is ForcedGain1 (gain bits 01); run 2 has a single step 0, so none of it.
    let sel = Selection {
        skip: 0,
        events: None,
        step: Some(1),
    };
    let m = calib::mean_image(&input(dir.path(), sel), &settings, &Quiet).unwrap();
    assert_eq!(m.stats.frames, 7);
    let all = expected(&settings, 0, usize::MAX);
    assert_close(&values(&m.image), &mean_of(&all[7..14]), "step 1 mean");

    // Nothing selected: an error, and no file.
    let none = Selection {
        skip: 100,
        events: None,
        step: None,
    };
    let err = calib::mean_image(&input(dir.path(), none.clone()), &settings, &Quiet).unwrap_err();
    assert!(err.to_string().contains("no events selected"), "{err}");
    let out = dir.path().join("none.npy");
    let opts = CalibOptions {
        input: input(dir.path(), none),
        out: out.clone(),
        output: CalibOutput::Frames { mean: false },
    };
    assert!(calib::run(&opts, &settings, &Quiet).is_err());
    assert!(!out.exists());

    // A calibration directory that does not exist is named.
    let mut bad = input(dir.path(), Selection::default());
    bad.calib_dir = Some(dir.path().join("nowhere"));
    let err = calib::mean_image(&bad, &settings, &Quiet).unwrap_err();
    assert!(err.to_string().contains("does not exist (-c)"), "{err}");
}
