//! Applying constants: `detcal calib`, `detcal plot` of a dataset and `detcal demo`, checked
//! against independent computations on the raw frames and against the simulator's truth.

use detcal::formats::load_array;
use ndarray::{ArrayD, Axis, Ix4};

use crate::util::Dir;

const ROWS: usize = 64;
const COLS: usize = 256;
/// The light run, its data and the calibration store, as `detcal calib` takes them.
const DS: [&str; 7] = [
    "exp=xpptut15:run=2",
    "--data-dir",
    "data",
    "-c",
    "calib",
    "--group",
    "",
];
/// The simulator's common-mode banks: half a panel by 64 columns.
const BANK_COLS: usize = 64;

/// Simulates one panel (dark run 1, light run 2) and deploys its dark constants; with `gains`
/// also its gain constants.
fn prepared(gains: bool) -> Dir {
    let d = Dir::new();
    d.ok(&[
        "simulate",
        "--out",
        "data",
        "--panels",
        "1",
        "--shape",
        "64x256",
        "-n",
        "40",
        "--light-events",
        "30",
        "--gains",
        "gains",
        "--seed",
        "21",
        "--group",
        "",
    ]);
    d.ok(&[
        "dark",
        "exp=xpptut15:run=1",
        "--data-dir",
        "data",
        "-o",
        "panels",
        "--group",
        "",
    ]);
    let run = [
        "-e",
        "xpptut15",
        "-r",
        "1",
        "--data-dir",
        "data",
        "-c",
        "calib",
        "--group",
        "",
    ];
    d.ok(&[&["deploy", "-o", "panels", "-D"][..], &run].concat());
    if gains {
        d.ok(&[&["gain-constants", "--repdir", "gains", "-D"][..], &run].concat());
    }
    d
}

/// The deployed array of `ctype` as (gain, panel, row, col) f64.
fn deployed(d: &Dir, ctype: &str) -> ndarray::Array4<f64> {
    load_array(&d.join(&format!(
        "calib/Jungfrau::CalibV1/jungfrau.0:Jungfrau.0/{ctype}/1-end.data"
    )))
    .unwrap()
    .to_f64()
    .into_dimensionality::<Ix4>()
    .unwrap()
}

/// psana's formula without common mode and gain, computed here independently: the raw 14 bits
/// minus the pedestal of the pixel's gain range, 0 for gain bits 10, times the mask.
fn expected_adu(
    raw: &ArrayD<f64>,
    peds: &ndarray::Array4<f64>,
    mask: Option<&ndarray::Array3<bool>>,
) -> Vec<f32> {
    let per_frame = ROWS * COLS;
    raw.iter()
        .enumerate()
        .map(|(i, &w)| {
            let w = w as u16;
            let p = i % per_frame;
            let (r, c) = (p / COLS, p % COLS);
            let g = match w >> 14 {
                0 => 0,
                1 => 1,
                3 => 2,
                _ => return 0.0,
            };
            let v = (w & 0x3fff) as f32 - peds[[g, 0, r, c]] as f32;
            match mask {
                Some(m) if !m[[0, r, c]] => 0.0,
                _ => v,
            }
        })
        .collect()
}

/// Medians of each (frame, half panel, 64-column bank), leaving out exact zeros (masked).
fn bank_medians(frames: &ArrayD<f64>) -> Vec<f64> {
    let n = frames.shape()[0];
    let mut out = Vec::new();
    for f in 0..n {
        for half in 0..2 {
            for b in 0..COLS / BANK_COLS {
                let mut v: Vec<f64> = (half * ROWS / 2..(half + 1) * ROWS / 2)
                    .flat_map(|r| (b * BANK_COLS..(b + 1) * BANK_COLS).map(move |c| (r, c)))
                    .map(|(r, c)| frames[[f, 0, r, c]])
                    .filter(|&x| x != 0.0)
                    .collect();
                v.sort_by(f64::total_cmp);
                out.push(v[v.len() / 2]);
            }
        }
    }
    out
}

fn rms(v: &[f64]) -> f64 {
    (v.iter().map(|x| x * x).sum::<f64>() / v.len() as f64).sqrt()
}

#[test]
fn without_gain_the_output_is_adu_and_without_status_nothing_is_masked() {
    let d = prepared(false);
    let ds = DS;
    d.ok(&[
        "extract",
        "exp=xpptut15:run=2",
        "--data-dir",
        "data",
        "--out",
        "raw.npy",
        "-n",
        "4",
    ]);
    let raw = load_array(&d.join("raw.npy")).unwrap().to_f64();
    let peds = deployed(&d, "pedestals");
    let status = deployed(&d, "pixel_status");
    let mask = status.map_axis(Axis(0), |s| s.iter().all(|&v| v == 0.0));
    let out = d.ok(&[
        &["calib"][..],
        &ds,
        &["--no-cm", "-n", "4", "--out", "c.npy"],
    ]
    .concat());
    assert!(out.contains("4 frames of (1,64,256) float32 ADU"), "{out}");
    let got = load_array(&d.join("c.npy")).unwrap();
    assert_eq!(got.shape(), &[4, 1, ROWS, COLS]);
    let got: Vec<f32> = got.to_f64().iter().map(|&v| v as f32).collect();
    let want = expected_adu(&raw, &peds, Some(&mask));
    assert_eq!(
        got, want,
        "calibrated ADU values differ from psana's formula"
    );
    assert!(
        mask.iter().any(|&m| !m),
        "the simulated defects should be masked"
    );

    // No status files: the same values, nothing masked.
    std::fs::remove_dir_all(d.join("calib/Jungfrau::CalibV1/jungfrau.0:Jungfrau.0/pixel_status"))
        .unwrap();
    d.ok(&[
        &["calib"][..],
        &ds,
        &["--no-cm", "-n", "4", "--out", "c2.npy"],
    ]
    .concat());
    let got: Vec<f32> = load_array(&d.join("c2.npy"))
        .unwrap()
        .to_f64()
        .iter()
        .map(|&v| v as f32)
        .collect();
    assert_eq!(got, expected_adu(&raw, &peds, None));

    // No pedestals: a clear error, nothing written.
    std::fs::create_dir(d.join("empty")).unwrap();
    let err = d.fails(
        &[
            "calib",
            "exp=xpptut15:run=2",
            "--data-dir",
            "data",
            "-c",
            "empty",
            "--out",
            "c3.npy",
        ],
        2,
    );
    assert!(
        err.contains("no pedestals") && err.lines().count() == 1,
        "{err}"
    );
    assert!(!d.join("c3.npy").exists());
    // A calibration directory that does not exist, and a wrong output name.
    let err = d.fails(
        &[
            "calib",
            "exp=xpptut15:run=2",
            "--data-dir",
            "data",
            "-c",
            "nowhere",
            "--out",
            "c3.npy",
        ],
        2,
    );
    assert!(err.contains("nowhere"), "{err}");
    let err = d.fails(&[&["calib"][..], &ds, &["--out", "c3.txt"]].concat(), 2);
    assert!(err.contains("c3.txt") && err.contains(".npy"), "{err}");
}

#[test]
fn common_mode_removes_the_per_bank_offsets() {
    let d = prepared(false);
    let ds = DS;
    d.ok(&[
        &["calib"][..],
        &ds,
        &["--no-cm", "-n", "10", "--out", "raw-cm.npy"],
    ]
    .concat());
    d.ok(&[&["calib"][..], &ds, &["-n", "10", "--out", "cm.npy"]].concat());
    let without = bank_medians(&load_array(&d.join("raw-cm.npy")).unwrap().to_f64());
    let with = bank_medians(&load_array(&d.join("cm.npy")).unwrap().to_f64());
    // The simulator adds offsets of 12 ADU rms per bank and event; psana's default common mode
    // (rows of 64-pixel banks) removes them.
    let (a, b) = (rms(&without), rms(&with));
    assert!(
        (6.0..20.0).contains(&a),
        "offsets without common mode: {a} ADU rms"
    );
    assert!(
        b < 0.5,
        "offsets left with common mode: {b} ADU rms (from {a})"
    );
    // --cmpars 0,0,0 turns it off, like --no-cm.
    d.ok(&[
        &["calib"][..],
        &ds,
        &["--cmpars", "7,0,100", "-n", "10", "--out", "off.npy"],
    ]
    .concat());
    assert_eq!(
        load_array(&d.join("off.npy")).unwrap(),
        load_array(&d.join("raw-cm.npy")).unwrap()
    );
}

#[test]
fn photon_peak_mean_image_and_plots_of_a_calibrated_run() {
    let d = prepared(true);
    let ds = DS;
    let out = d.ok(&[&["calib"][..], &ds, &["--out", "c.npy", "--png", "c.png"]].concat());
    assert!(out.contains("30 frames of (1,64,256) float32 keV"), "{out}");
    let frames = load_array(&d.join("c.npy")).unwrap().to_f64();
    // The single-photon peak, estimated independently: the median of the values within 50% of
    // the simulated energy (noise is ~0.2 keV; the peak is symmetric).
    let e = 9.5;
    let mut near: Vec<f64> = frames
        .iter()
        .copied()
        .filter(|v| (v - e).abs() < 0.5 * e)
        .collect();
    assert!(near.len() > 1000, "{} photons", near.len());
    near.sort_by(f64::total_cmp);
    let peak = near[near.len() / 2];
    assert!(
        (peak - e).abs() < 0.01 * e,
        "photon peak at {peak} keV, simulated {e}"
    );

    // The mean image equals the mean of the frames: close to the plain mean, and bit for bit
    // the exact sums of the frames written (the mean is added up while calibrating, from the
    // frames read in place or copied, without writing them).
    d.ok(&[&["calib"][..], &ds, &["--mean", "--out", "m.npy"]].concat());
    let mean = load_array(&d.join("m.npy")).unwrap().to_f64();
    let want = frames.mean_axis(Axis(0)).unwrap();
    assert_eq!(mean.shape(), want.shape());
    let worst = mean
        .iter()
        .zip(want.iter())
        .map(|(a, b)| (a - b).abs() / b.abs().max(1.0))
        .fold(0.0, f64::max);
    assert!(worst < 1e-5, "mean image differs by {worst}");
    let frames32 = load_array(&d.join("c.npy")).unwrap().to_typed::<f32>();
    let npix = frames32.len() / frames32.shape()[0];
    let mut sums = detcal::apply::MeanImage::new(npix);
    sums.add(frames32.as_slice().unwrap());
    let exact = sums.mean();
    let got = load_array(&d.join("m.npy")).unwrap().to_typed::<f32>();
    assert!(
        got.iter()
            .zip(&exact)
            .all(|(a, b)| a.to_bits() == b.to_bits()),
        "the mean image is not the exact mean of the frames"
    );

    // Images: from calib --png, and plot of the dataset.
    d.ok(&[
        "plot",
        "exp=xpptut15:run=2",
        "--data-dir",
        "data",
        "-c",
        "calib",
        "-o",
        "p.png",
        "-n",
        "5",
        "--group",
        "",
    ]);
    for png in ["c.png", "p.png"] {
        let bytes = std::fs::read(d.join(png)).unwrap();
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{png}");
    }
}

#[test]
fn demo_reports_against_the_truth() {
    let d = Dir::new();
    let args = [
        "demo",
        "--dir",
        "demo",
        "--panels",
        "2",
        "--shape",
        "64x256",
        "-n",
        "40",
        "--light-events",
        "40",
        "--json",
    ];
    let out = d.ok(&args);
    let r: serde_json::Value = serde_json::from_str(&out).expect("JSON report");
    let saved = std::fs::read_to_string(d.join("demo/report.json")).unwrap();
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&saved).unwrap(),
        r
    );
    let peak = r["photon_peak_kev"].as_f64().unwrap();
    assert!((peak - 9.5).abs() < 0.095, "peak {peak}");
    for k in r["defects"].as_array().unwrap() {
        let (inj, flag, masked) = (
            k["injected"].as_u64().unwrap(),
            k["flagged"].as_u64().unwrap(),
            k["masked"].as_u64().unwrap(),
        );
        assert!(inj > 0, "{k}");
        assert_eq!(flag, inj, "{k}");
        assert_eq!(masked, inj, "{k}");
    }
    let cm = &r["common_mode"];
    assert!(
        cm["bank_rms_with_kev"].as_f64().unwrap() * 5.0
            < cm["bank_rms_without_kev"].as_f64().unwrap(),
        "{cm}"
    );
    assert!(
        r["checks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["pass"] == true),
        "{out}"
    );
    for img in r["images"].as_array().unwrap() {
        assert!(
            std::path::Path::new(img.as_str().unwrap()).is_file()
                || d.join(img.as_str().unwrap()).is_file(),
            "{img}"
        );
    }
    // The pedestals agree with the truth file, checked here too.
    let truth =
        load_array(&d.join("demo/data/XPP/xpptut15/xtc/xpptut15-r0001-truth/pedestals.npy"))
            .unwrap()
            .to_f64();
    let peds = load_array(
        &d.join("demo/calib/Jungfrau::CalibV1/jungfrau.0:Jungfrau.0/pedestals/1-end.data"),
    )
    .unwrap()
    .to_f64();
    let defects =
        load_array(&d.join("demo/data/XPP/xpptut15/xtc/xpptut15-r0001-truth/defects.npy"))
            .unwrap()
            .to_f64();
    let good: Vec<bool> = defects.iter().map(|&x| x == 0.0).collect();
    let n = good.len();
    let errs: Vec<f64> = truth
        .iter()
        .zip(peds.iter())
        .enumerate()
        .filter(|(i, _)| good[i % n])
        .map(|(_, (t, p))| (t - p).abs())
        .collect();
    let mean_err = errs.iter().sum::<f64>() / errs.len() as f64;
    assert!(mean_err < 2.0, "mean pedestal error {mean_err} ADU");

    // A second demo in the same directory replaces the first; a foreign directory is refused.
    d.ok(&args);
    std::fs::create_dir(d.join("mine")).unwrap();
    std::fs::write(d.join("mine/keep.txt"), "x").unwrap();
    let err = d.fails(
        &[
            "demo", "--dir", "mine", "--panels", "1", "--shape", "64x256",
        ],
        2,
    );
    assert!(err.contains("mine") && err.contains("--dir"), "{err}");
    assert!(d.join("mine/keep.txt").is_file());
}
