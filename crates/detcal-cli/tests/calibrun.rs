//! `detcal calibrun` on simulated pnCCD and ePix100a dark runs: the deployed pedestals are the
//! simulated ones, the status maps flag every injected bad pixel, `detcal find` returns the
//! files, and psana's own reader (`load_txt`, PyPI psana) reads them.

use std::path::{Path, PathBuf};

use detcal::NdArray;
use detcal::formats::load_array;

use crate::util::Dir;

const CALIB: &str = "data/XPP/xpptut15/calib";

/// calibrun -P -D of run 1 of the simulated data.
const PROCESS_AND_DEPLOY: [&str; 10] = [
    "calibrun",
    "-e",
    "xpptut15",
    "-r",
    "1",
    "-P",
    "-D",
    "--data-dir",
    "data",
    "-q",
];

/// Simulates a dark run 1 (20 events) of each of `dets` under `data`.
fn simulate_dets(d: &Dir, dets: &[&str]) {
    for det in dets {
        d.ok(&[
            "simulate",
            "--det",
            det,
            "--out",
            "data",
            "--events",
            "20",
            "--no-light",
            "-q",
        ]);
    }
}

/// Simulates a pnCCD and an ePix100a dark run 1 (20 events) under `data`.
fn simulate(d: &Dir) {
    simulate_dets(d, &["pnccd", "epix100a"]);
}

fn f64s(a: &NdArray) -> Vec<f64> {
    a.to_f64().into_raw_vec_and_offset().0
}

fn truth(d: &Dir, alias: &str, name: &str) -> NdArray {
    load_array(&d.join(&format!(
        "data/XPP/xpptut15/npy/xpptut15-r0001-{alias}-truth/{name}"
    )))
    .unwrap()
}

/// `detcal find` of `ctype` for `run`: the path, or `None` for exit status 1.
fn find(d: &Dir, source: &str, ctype: &str, run: u32) -> Option<PathBuf> {
    let out = d.run(&[
        "find",
        "-c",
        CALIB,
        "-s",
        source,
        "-t",
        ctype,
        "-r",
        &run.to_string(),
    ]);
    match out.status.code() {
        Some(0) => Some(d.join(String::from_utf8(out.stdout).unwrap().trim())),
        Some(1) => None,
        c => panic!(
            "find exited {c:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        ),
    }
}

#[test]
fn calibrun_processes_and_deploys_single_gain_detectors() {
    let d = Dir::new();
    simulate(&d);
    let out = d.ok(&[&PROCESS_AND_DEPLOY[..], &["-w", "."]].concat());
    assert!(
        out.contains("pnccd (pnCCD) source pnccd.0:pnCCD.0"),
        "{out}"
    );
    assert!(
        out.contains("epix100a (Epix100a) source epix100a.0:Epix100a.0"),
        "{out}"
    );
    for (alias, source, shape) in [
        ("pnccd", "pnccd.0:pnCCD.0", vec![4, 512, 512]),
        ("epix100a", "epix100a.0:Epix100a.0", vec![704, 768]),
    ] {
        // The six dark files in ./work, named as calibrun names them.
        for ty in ["ave", "rms", "sta", "msk", "max", "min"] {
            let f = d.join(&format!("work/clb-xpptut15-r0001-peds-{ty}-{source}.txt"));
            assert!(f.is_file(), "{}", f.display());
        }
        // Deployed as 1-end.data; found for runs 1 and 9999, not for run 0.
        let peds_file = find(&d, source, "pedestals", 5).expect("pedestals for run 5");
        assert!(
            peds_file.ends_with("pedestals/1-end.data"),
            "{}",
            peds_file.display()
        );
        assert!(find(&d, source, "pedestals", 0).is_none());
        let status_file = find(&d, source, "pixel_status", 9999).expect("pixel_status");
        let rms_file = find(&d, source, "pixel_rms", 1).expect("pixel_rms");
        assert!(
            find(&d, source, "common_mode", 1).is_none(),
            "nothing writes peds-cmo"
        );

        let peds = load_array(&peds_file).unwrap();
        assert_eq!(peds.shape(), &shape[..]);
        let peds = f64s(&peds);
        let status = f64s(&load_array(&status_file).unwrap());
        let rms = f64s(&load_array(&rms_file).unwrap());
        let true_peds = f64s(&truth(&d, alias, "pedestals.npy"));
        let true_rms = f64s(&truth(&d, alias, "rms.npy"));
        let defects = f64s(&truth(&d, alias, "defects.npy"));
        // Good pixels: the pedestal within the common mode's and the noise's spread of 20 events.
        let mut diffs: Vec<f64> = (0..peds.len())
            .filter(|&i| defects[i] == 0.0)
            .map(|i| (peds[i] - true_peds[i]).abs())
            .collect();
        diffs.sort_by(f64::total_cmp);
        let median = diffs[diffs.len() / 2];
        assert!(median < 2.0, "{alias}: median |pedestal error| {median}");
        assert!(
            diffs[diffs.len() - 1] < 12.0,
            "{alias}: largest error {}",
            diffs[diffs.len() - 1]
        );
        // The rms of good pixels is the noise and the common mode's spread (uniform in +-8).
        let mut ratio: Vec<f64> = (0..rms.len())
            .filter(|&i| defects[i] == 0.0)
            .map(|i| rms[i] / (true_rms[i].powi(2) + 64.0 / 3.0).sqrt())
            .collect();
        ratio.sort_by(f64::total_cmp);
        let r = ratio[ratio.len() / 2];
        assert!((0.85..1.15).contains(&r), "{alias}: median rms ratio {r}");
        // Every injected dead, hot and noisy pixel has a status bit; few good pixels do.
        for (i, &dfct) in defects.iter().enumerate() {
            if dfct != 0.0 {
                assert!(
                    status[i] != 0.0,
                    "{alias}: defect {dfct} at {i} not flagged"
                );
            }
        }
        let false_bad = (0..status.len())
            .filter(|&i| defects[i] == 0.0 && status[i] != 0.0)
            .count();
        assert!(
            false_bad * 1000 < status.len(),
            "{alias}: {false_bad} good pixels flagged"
        );
    }
    // HISTORY records the copy.
    let hist = std::fs::read_to_string(d.join(&format!(
        "{CALIB}/PNCCD::CalibV1/pnccd.0:pnCCD.0/pixel_status/HISTORY"
    )))
    .unwrap();
    assert!(
        hist.starts_with("file:1-end.data     copy_of:./work/clb-xpptut15-r0001-peds-sta-pnccd.0:pnCCD.0.txt ctype:pixel_status "),
        "{hist}"
    );

    // Under psana's name: -d selects the type, -v is the run range, -D alone deploys.
    let link = d.join("calibrun");
    std::os::unix::fs::symlink(assert_cmd::cargo::cargo_bin("detcal"), &link).unwrap();
    let out = std::process::Command::new(&link)
        .current_dir(d.path())
        .args([
            "-e", "xpptut15", "-r", "1", "-d", "PNCCD", "-D", "-v", "3-8",
        ])
        .args(["--data-dir", "data", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["runrange"], "3-8");
    assert_eq!(report["detectors"].as_array().unwrap().len(), 1);
    let p = find(&d, "pnccd.0:pnCCD.0", "pixel_rms", 4).unwrap();
    assert!(p.ends_with("pixel_rms/3-8.data"), "{}", p.display());
    let p = find(&d, "epix100a.0:Epix100a.0", "pixel_rms", 4).unwrap();
    assert!(p.ends_with("pixel_rms/1-end.data"), "{}", p.display());
}

#[test]
fn calibrun_errors_say_what_is_wrong() {
    let d = Dir::new();
    simulate(&d);
    let base = ["calibrun", "-e", "xpptut15", "--data-dir", "data"];
    fn with<'a>(base: &[&'a str], extra: &[&'a str]) -> Vec<&'a str> {
        [base, extra].concat()
    }
    let err = d.fails(&with(&base, &["-r", "1"]), 2);
    assert!(err.contains("-P") && err.contains("-D"), "{err}");
    let err = d.fails(&with(&base, &["-r", "7", "-P"]), 2);
    assert!(err.contains("no single-gain detector"), "{err}");
    let err = d.fails(&with(&base, &["-r", "1", "-P", "-d", "CSPAD"]), 2);
    assert!(
        err.contains("of type Cspad") && err.contains("pnccd (pnCCD)"),
        "{err}"
    );
    let err = d.fails(&with(&base, &["-r", "1", "-D"]), 2);
    assert!(err.contains("process the run first"), "{err}");
    let err = d.fails(&with(&base, &["-r", "1", "-P", "-d", "NOSUCH"]), 2);
    assert!(err.contains("NOSUCH"), "{err}");
    // Event codes come from LCLS-II timing data, which NumPy stacks do not carry.
    let err = d.fails(&with(&base, &["-r", "1", "-P", "-f", "40"]), 2);
    assert!(err.contains("a NumPy stack has no timing data"), "{err}");
    assert!(!d.join(CALIB).exists(), "nothing deployed by failed runs");
    // Stacks as datasets: a run with stacks of two detectors needs -s; a stack of another
    // detector than -s names is refused; nothing is written.
    let err = d.fails(
        &[
            "calib",
            "exp=xpptut15:run=1",
            "--data-dir",
            "data",
            "-o",
            "c.npy",
        ],
        2,
    );
    assert!(
        err.contains("epix100a, pnccd") && err.contains("-s"),
        "{err}"
    );
    let stack = "data/XPP/xpptut15/npy/xpptut15-r0001-pnccd.npy";
    let err = d.fails(
        &[
            "calib",
            stack,
            "-s",
            "epix100a",
            "--data-dir",
            "data",
            "-o",
            "c.npy",
        ],
        2,
    );
    assert!(err.contains(stack) && err.contains("\"pnccd\""), "{err}");
    assert!(!d.join("c.npy").exists());
}

/// psana's `load_txt` reads the deployed files with the values detcal reads.
#[test]
fn psana_reads_calibrun_files() {
    let Some(py) = crate::interop::psana_python() else {
        return;
    };
    let d = Dir::new();
    simulate_dets(&d, &["pnccd"]);
    d.ok(&PROCESS_AND_DEPLOY);
    let dir = Path::new(CALIB).join("PNCCD::CalibV1/pnccd.0:pnCCD.0");
    let files: Vec<String> = ["pedestals", "pixel_rms", "pixel_status"]
        .iter()
        .map(|c| dir.join(c).join("1-end.data").display().to_string())
        .collect();
    crate::interop::run_python(
        &py,
        d.path(),
        &format!(
            "import numpy as np\nfrom psana.pscalib.calib.NDArrIO import load_txt\n\
             for i, n in enumerate({files:?}):\n    np.save('psana%d.npy' % i, load_txt(n))\n"
        ),
    );
    for (i, f) in files.iter().enumerate() {
        let by_psana = load_array(&d.join(&format!("psana{i}.npy"))).unwrap();
        let by_detcal = load_array(&d.join(f)).unwrap();
        assert_eq!(by_psana.shape(), &[4, 512, 512], "{f}");
        assert_eq!(f64s(&by_psana), f64s(&by_detcal), "{f}");
    }
}

/// The single-gain chain on simulated light runs: calibrun deploys the dark constants, and
/// `detcal common-mode --calib` (the whole single-gain `det.calib`) with them removes the injected
/// per-group common mode (its residual at least 10x smaller than what was injected) and masks
/// every injected bad pixel in every frame. The pnCCD uses psana's Python algorithm 8 on rows of
/// 128 with offsets up to ±25 ADU: its default, algorithm 3, medians over 1-ADU histogram bins
/// truncated toward zero and corrects at most 10 ADU, and the median of 128 pixels with 3-6 ADU
/// of noise is itself uncertain by about 0.5 ADU. The ePix100a runs its default (algorithm 4
/// with |cm| <= 10) on offsets up to ±8 ADU.
#[test]
fn calib_of_light_runs_removes_the_common_mode_and_masks_bad_pixels() {
    let d = Dir::new();
    for (det, alias, source, cmpars, cm_max) in [
        (
            "pnccd",
            "pnccd",
            "pnccd.0:pnCCD.0",
            &["--cmpars", "8,1,30"][..],
            "25",
        ),
        (
            "epix100a",
            "epix100a",
            "epix100a.0:Epix100a.0",
            &[][..],
            "8",
        ),
    ] {
        d.ok(&[
            "simulate",
            "--det",
            det,
            "--out",
            "data",
            "--events",
            "40",
            "--light-events",
            "8",
            "--seed",
            "5",
            "--cm-max",
            cm_max,
            "-q",
        ]);
        d.ok(&PROCESS_AND_DEPLOY);
        let peds = find(&d, source, "pedestals", 2).expect("pedestals for run 2");
        let status = find(&d, source, "pixel_status", 2).expect("pixel_status for run 2");
        let light = format!("data/XPP/xpptut15/npy/xpptut15-r0002-{alias}.npy");
        let out = format!("{det}-calib.npy");
        d.ok(&[
            &[
                "common-mode",
                &light,
                "--det-type",
                det,
                "--pedestals",
                peds.to_str().unwrap(),
                "--status",
                status.to_str().unwrap(),
                "--calib",
                "-o",
                &out,
            ][..],
            cmpars,
        ]
        .concat());
        // `detcal calib` on the run finds the stack and the deployed constants itself.
        let calib_out = format!("{det}-calib-run.npy");
        d.ok(&[
            &[
                "calib",
                "exp=xpptut15:run=2",
                "--data-dir",
                "data",
                "-s",
                alias,
                "-o",
                &calib_out,
                "-q",
            ][..],
            cmpars,
        ]
        .concat());
        let raw_arr = load_array(&d.join(&light)).unwrap();
        let raw = f64s(&raw_arr);
        let got = f64s(&load_array(&d.join(&calib_out)).unwrap());
        let by_cm = f64s(&load_array(&d.join(&out)).unwrap());
        assert!(
            got.iter()
                .zip(&by_cm)
                .all(|(a, b)| a.to_bits() == b.to_bits())
                && got.len() == by_cm.len(),
            "{det}: detcal calib and common-mode --calib differ"
        );
        let t_peds = f64s(&truth(&d, alias, "pedestals.npy"));
        let defects = f64s(&truth(&d, alias, "defects.npy"));
        let cm = load_array(&d.join(&format!(
            "data/XPP/xpptut15/npy/xpptut15-r0001-{alias}-truth/cm_light.npy"
        )))
        .unwrap();
        let (groups, offsets) = (*cm.shape().last().unwrap(), f64s(&cm));
        let npix = t_peds.len();
        let cols = *raw_arr.shape().last().unwrap();
        let (events, width) = (raw.len() / npix, cols / groups);
        assert_eq!(
            got.len(),
            raw.len(),
            "{det}: one calibrated value per raw value"
        );
        // Per event and group: the injected offset, and what is left of it after calibration
        // (the group median of calibrated minus the truth without common mode).
        let (mut before, mut after) = (0.0, 0.0);
        for e in 0..events {
            for g0 in (0..npix).step_by(width) {
                let g = e * npix / width + g0 / width;
                let mut left: Vec<f64> = (g0..g0 + width)
                    .filter(|&p| defects[p] == 0.0)
                    .map(|p| {
                        let i = e * npix + p;
                        got[i] - (raw[i] - t_peds[p] - offsets[g])
                    })
                    .collect();
                if left.len() < width / 2 {
                    continue;
                }
                left.sort_by(f64::total_cmp);
                before += offsets[g] * offsets[g];
                after += left[left.len() / 2].powi(2);
            }
        }
        assert!(
            after * 100.0 <= before,
            "{det}: common-mode rms {:.3} ADU left of {:.3} injected",
            after.sqrt(),
            before.sqrt()
        );
        for p in (0..npix).filter(|&p| defects[p] != 0.0) {
            for e in 0..events {
                assert_eq!(
                    got[e * npix + p],
                    0.0,
                    "{det}: bad pixel {p} not masked in event {e}"
                );
            }
        }
    }
}
