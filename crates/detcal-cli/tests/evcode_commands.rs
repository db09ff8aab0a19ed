//! Event-code selection in the commands besides JUNGFRAU `dark` (issue 17): `extract`, `calib`,
//! `pixel-status`, ePix10ka `dark` and `calibrun`; `deploy` of drop-shot gm0 files with a dark
//! run's gain-1/2 files; a drop-shot dark over a drifting run.

use std::path::{Path, PathBuf};

use detcal::formats::load_array;

use crate::util::Dir;

/// Light events, and every DROP-th of them a drop shot (events DROP-1, 2*DROP-1, ...).
const LIGHT: usize = 40;
const DROP: usize = 4;

fn f64s(path: &Path) -> (Vec<usize>, Vec<f64>) {
    let a = load_array(path).unwrap();
    let shape = a.shape().to_vec();
    (shape, a.to_typed::<f64>().into_raw_vec_and_offset().0)
}

/// The light-run events that are drop shots.
fn drops() -> Vec<usize> {
    (0..LIGHT).filter(|e| (e + 1) % DROP == 0).collect()
}

/// Frames `events` of a stack of `n`-value frames.
fn frames_of(all: &[f64], n: usize, events: &[usize]) -> Vec<f64> {
    events
        .iter()
        .flat_map(|&e| all[e * n..(e + 1) * n].iter().copied())
        .collect()
}

/// A 1-panel 16x32 JUNGFRAU: dark run 1 (3 steps of 20 events), light run 2 with drop shots.
fn simulate(d: &Dir) {
    d.ok(&[
        "simulate",
        "--out",
        "data",
        "--panels",
        "1",
        "--shape",
        "16x32",
        "--events",
        "20",
        "--light-events",
        &LIGHT.to_string(),
        "--drop-every",
        &DROP.to_string(),
        "-q",
    ]);
}

const N: usize = 16 * 32;

#[test]
fn extract_and_calib_take_exactly_the_drop_shots() {
    let d = Dir::new();
    simulate(&d);
    let ds = ["exp=xpptut15:run=2", "--data-dir", "data"];
    let extract = |out: &str, extra: &[&str]| {
        d.ok(&[&["extract"], &ds[..], &["--out", out], extra].concat());
        f64s(&d.join(out))
    };
    let (shape, all) = extract("all.npy", &[]);
    assert_eq!(shape, [LIGHT, 1, 16, 32]);
    let drop_events = drops();
    let kept: Vec<usize> = (0..LIGHT).filter(|e| !drop_events.contains(e)).collect();
    let (shape, beam_off) = extract("off.npy", &["--beam-off"]);
    assert_eq!(shape[0], drop_events.len());
    assert_eq!(beam_off, frames_of(&all, N, &drop_events));
    // The inverted list: every shot but the drop shots; -n counts the selected events.
    let (_, inv) = extract("inv.npy", &["--evcode", "-162", "-n", "5"]);
    assert_eq!(inv, frames_of(&all, N, &kept[..5]));

    // calib with the dark run's constants deployed: the selected frames are the same rows of
    // the unselected output, and --evskip/-n count the selected events.
    d.ok(&[
        "dark",
        "exp=xpptut15:run=1",
        "--data-dir",
        "data",
        "-o",
        "panels",
        "-q",
    ]);
    d.ok(&[
        "deploy",
        "-e",
        "xpptut15",
        "-r",
        "1",
        "--data-dir",
        "data",
        "-o",
        "panels",
        "-c",
        "calib",
        "-D",
        "-q",
    ]);
    let calib = |out: &str, extra: &[&str]| {
        d.ok(&[
            &["calib"],
            &ds[..],
            &["-c", "calib", "--no-cm", "--out", out],
            extra,
        ]
        .concat());
        f64s(&d.join(out)).1
    };
    let cal_all = calib("call.npy", &[]);
    assert_eq!(
        calib("coff.npy", &["--beam-off"]),
        frames_of(&cal_all, N, &drop_events)
    );
    assert_eq!(
        calib(
            "cskip.npy",
            &["--evcode", "162", "--evskip", "1", "-n", "3"]
        ),
        frames_of(&cal_all, N, &drop_events[1..4])
    );
    let mean = calib("cmean.npy", &["--beam-off", "--mean"]);
    let sel = frames_of(&cal_all, N, &drop_events);
    for (i, m) in mean.iter().enumerate() {
        let want =
            (0..drop_events.len()).map(|k| sel[k * N + i]).sum::<f64>() / drop_events.len() as f64;
        assert!((m - want).abs() < 1e-3, "pixel {i}: {m} vs {want}");
    }
}

/// The selection errors of every command: a run without the listed codes (warning, then an
/// error, nothing written) and a NumPy stack (no timing data).
#[test]
fn selections_that_take_nothing_are_errors_in_every_command() {
    let d = Dir::new();
    simulate(&d);
    let dark_run = ["exp=xpptut15:run=1", "--data-dir", "data"];
    for (args, out) in [
        (vec!["extract", "--beam-off", "--out", "x.npy"], "x.npy"),
        (
            vec!["calib", "--beam-off", "-c", "calib", "--out", "c.npy"],
            "c.npy",
        ),
        (vec!["pixel-status", "-c", "162", "-o", "st"], "st"),
    ] {
        let err = d.fails(&[&args[..], &dark_run[..]].concat(), 2);
        assert!(
            err.contains("event code(s) [162] of the selection occur in no event of this run")
                && err.contains("no event of the run(s) is selected by any of event codes 162"),
            "{args:?}: {err}"
        );
        assert!(!d.join(out).exists(), "{args:?} wrote {out}");
    }
    // Single-gain NumPy stacks carry no timing data: calibrun -f and pixel-status say so.
    d.ok(&[
        "simulate",
        "--det",
        "pnccd",
        "--out",
        "pdata",
        "--events",
        "5",
        "--light-events",
        "3",
        "-q",
    ]);
    let err = d.fails(
        &[
            "calibrun",
            "-e",
            "xpptut15",
            "-r",
            "1",
            "-P",
            "-f",
            "162",
            "--data-dir",
            "pdata",
            "-w",
            "cr",
        ],
        2,
    );
    assert!(
        err.contains("a NumPy stack has no timing data") && err.lines().count() <= 2,
        "{err}"
    );
    assert!(
        !d.join("cr/work").exists(),
        "calibrun wrote its work directory"
    );
    let stack = "pdata/XPP/xpptut15/npy/xpptut15-r0002-pnccd.npy";
    let err = d.fails(
        &["pixel-status", "--input", stack, "--beam-off", "-o", "pst"],
        2,
    );
    assert!(err.contains("a NumPy stack has no timing data"), "{err}");
    assert!(!d.join("pst").exists());
}

/// The status maps of pixel-status over the drop shots: the same whether the drop shots are
/// taken as `--beam-off` or as the inverted beam code `-c -140`, with the selected event count
/// in the log, and other than the maps over every shot.
#[test]
fn pixel_status_judges_the_selected_events() {
    let d = Dir::new();
    simulate(&d);
    let run = |args: &[&str]| {
        let out = d.run(
            &[
                &["pixel-status", "exp=xpptut15:run=2", "--data-dir", "data"],
                args,
            ]
            .concat(),
        );
        let log = String::from_utf8_lossy(&out.stderr).to_string();
        assert!(out.status.success(), "{args:?}: {log}");
        let files: Vec<PathBuf> = String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| d.path().join(l))
            .collect();
        assert_eq!(files.len(), 1, "{files:?}");
        (std::fs::read(&files[0]).unwrap(), log)
    };
    let (off, log) = run(&["--beam-off", "-o", "a"]);
    assert!(
        log.contains(&format!(
            "{} of {LIGHT} events with timing data selected (any of event codes 162)",
            drops().len()
        )),
        "{log}"
    );
    let (inv, log) = run(&["-c", "-140", "-o", "b"]);
    assert!(log.contains("none of event codes 140"), "{log}");
    assert_eq!(off, inv, "the same events give the same maps");
    let (all, _) = run(&["-o", "c"]);
    assert_ne!(off, all, "the photons of the other shots change the maps");
}

/// ePix10ka dark processing of a light run's drop shots: each light step's pedestals (AHL-H,
/// AML-M) equal the simulated ones within the statistical limit; all shots do not.
#[test]
fn epix10ka_drop_shot_darks_match_the_truth() {
    let d = Dir::new();
    let light = 24;
    d.ok(&[
        "simulate",
        "--det",
        "epix10kaquad",
        "--out",
        "data",
        "--events",
        "3",
        "--light-events",
        &light.to_string(),
        "--drop-every",
        "2",
        "-q",
    ]);
    let (pshape, truth) = f64s(&d.join("data/XPP/xpptut15/xtc/xpptut15-r0001-truth/pedestals.npy"));
    let (_, rms) = f64s(&d.join("data/XPP/xpptut15/xtc/xpptut15-r0001-truth/rms.npy"));
    let (_, defects) = f64s(&d.join("data/XPP/xpptut15/xtc/xpptut15-r0001-truth/defects.npy"));
    let npix = pshape[1] * pshape[2] * pshape[3];
    let panel = pshape[2] * pshape[3];
    // Fraction of good pixels of mode index `m` whose pedestal is off the truth by more than
    // 5 standard errors of the mean of `frames` frames (plus ADC rounding).
    let outside = |repo: &str, mode: &str, m: usize, frames: f64| -> f64 {
        let files = crate::epix_dark::walk(&d.join(repo));
        let mut out = 0usize;
        let mut good = 0usize;
        for f in files.iter().filter(|p| {
            p.to_str()
                .unwrap()
                .ends_with(&format!("_pedestals_{mode}.dat"))
        }) {
            // The panel's index: its id is in the simulated order of truth.json's panel_ids.
            let ids: serde_json::Value = serde_json::from_slice(
                &std::fs::read(d.join("data/XPP/xpptut15/xtc/xpptut15-r0001-truth/truth.json"))
                    .unwrap(),
            )
            .unwrap();
            let id = f.parent().unwrap().parent().unwrap().file_name().unwrap();
            let p = ids["panel_ids"]
                .as_array()
                .unwrap()
                .iter()
                .position(|v| v.as_str() == id.to_str())
                .expect("a simulated panel id");
            let (_, ped) = f64s(f);
            assert_eq!(ped.len(), panel);
            for (i, v) in ped.iter().enumerate() {
                let k = p * panel + i;
                if defects[k] != 0.0 {
                    continue;
                }
                good += 1;
                let lim = 5.0 * rms[m * npix + k] / frames.sqrt() + 0.5;
                if (v - truth[m * npix + k]).abs() > lim {
                    out += 1;
                }
            }
        }
        assert!(good > 4 * panel * 9 / 10, "{good} good pixels found");
        out as f64 / good as f64
    };
    let ds = ["dark", "exp=xpptut15:run=2", "--data-dir", "data"];
    let out = d.run(&[&ds[..], &["--beam-off", "-o", "off"]].concat());
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{log}");
    assert!(
        log.contains(&format!(
            "{light} of {} events with timing data selected (any of event codes 162)",
            2 * light
        )),
        "{log}"
    );
    // 12 drop shots per step; the last frame of a block is not used by psana's ePix10ka dark.
    let frames = (light / 2 - 1) as f64;
    for (mode, m) in [("AHL-H", 3), ("AML-M", 4)] {
        let f = outside("off", mode, m, frames);
        assert!(f < 0.005, "{mode}: {f} of good pixels outside the limit");
    }
    // Every shot (code 40 is on all of them), the steps' modes again from their configuration:
    // ePix10ka's dark algorithm rejects the sparse photons, but the light shots' common mode
    // moves the pedestals.
    d.ok(&[&ds[..], &["-c", "40", "-o", "all", "-q"]].concat());
    let peds = |repo: &str| -> Vec<Vec<f64>> {
        let mut files: Vec<PathBuf> = crate::epix_dark::walk(&d.join(repo))
            .into_iter()
            .filter(|p| p.to_str().unwrap().ends_with("_pedestals_AHL-H.dat"))
            .collect();
        files.sort();
        assert_eq!(files.len(), 4, "{files:?}");
        files.iter().map(|f| f64s(f).1).collect()
    };
    assert_ne!(peds("off"), peds("all"));
}

/// `deploy` of a run after a drop-shot dark: gain 0 from the drop-shot gm0 files (the latest
/// before the run), gains 1 and 2 from the dark run's older files.
#[test]
fn deploy_merges_drop_shot_gain0_with_the_dark_runs_gains_1_and_2() {
    let d = Dir::new();
    simulate(&d);
    let dark = |ds: &str, extra: &[&str]| {
        d.ok(&[&["dark", ds, "--data-dir", "data", "-o"], extra, &["-q"]].concat());
    };
    dark("exp=xpptut15:run=1", &["panels"]);
    dark("exp=xpptut15:run=1", &["dark_only"]);
    dark("exp=xpptut15:run=2", &["panels", "--beam-off"]);
    dark("exp=xpptut15:run=2", &["drop_only", "--beam-off"]);
    d.ok(&[
        "deploy",
        "-e",
        "xpptut15",
        "-r",
        "2",
        "--data-dir",
        "data",
        "-o",
        "panels",
        "-c",
        "calib",
        "-D",
        "-q",
    ]);
    let found = d.ok(&[
        "find",
        "-c",
        "calib",
        "-s",
        "jungfrau.0:Jungfrau.0",
        "-t",
        "pedestals",
        "-r",
        "2",
    ]);
    let (shape, deployed) = f64s(&d.path().join(found.trim_end()));
    assert_eq!(shape, [3, 1, 16, 32]);
    // The repository files of one gain mode in a repository of one dark job.
    let gm = |repo: &str, g: usize| -> Vec<f64> {
        let files = crate::epix_dark::walk(&d.join(repo));
        let f = files
            .iter()
            .find(|p| {
                let s = p.to_str().unwrap();
                s.contains("/pedestals/") && s.contains(&format!("_pedestals_gm{g}-"))
            })
            .unwrap_or_else(|| panic!("gm{g} pedestals in {repo}: {files:?}"));
        f64s(f).1
    };
    assert_eq!(
        deployed[..N],
        gm("drop_only", 0)[..],
        "gain 0: the drop shots"
    );
    assert_ne!(deployed[..N], gm("dark_only", 0)[..]);
    assert_eq!(
        deployed[N..2 * N],
        gm("dark_only", 1)[..],
        "gain 1: the dark run"
    );
    assert_eq!(
        deployed[2 * N..],
        gm("dark_only", 2)[..],
        "gain 2: the dark run"
    );
}

/// A drop-shot dark over a run whose pedestals drift: the pedestals are the simulated ones
/// raised by the mean drift of the drop shots, within the statistical limit; the dark run's
/// pedestals (no drift) are not.
#[test]
fn drop_shot_dark_over_a_drifting_run_gives_the_mean_pedestal_of_the_drop_shots() {
    let d = Dir::new();
    let (light, every, drift) = (200usize, 5usize, 40.0f64);
    d.ok(&[
        "simulate",
        "--out",
        "data",
        "--panels",
        "1",
        "--shape",
        "32x64",
        "--steps",
        "1",
        "--events",
        "5",
        "--light-events",
        &light.to_string(),
        "--drop-every",
        &every.to_string(),
        "--drift",
        &drift.to_string(),
        "-q",
    ]);
    let truth = d.join("data/XPP/xpptut15/xtc/xpptut15-r0001-truth");
    let (_, shifts) = f64s(&truth.join("light_drift.npy"));
    assert_eq!(shifts.len(), light);
    assert_eq!((shifts[0], shifts[light - 1]), (0.0, drift));
    let drop_events: Vec<usize> = (0..light).filter(|e| (e + 1) % every == 0).collect();
    let mean_shift = drop_events.iter().map(|&e| shifts[e]).sum::<f64>() / drop_events.len() as f64;
    let (_, peds) = f64s(&truth.join("pedestals.npy"));
    let (_, rms) = f64s(&truth.join("rms.npy"));
    let (_, defects) = f64s(&truth.join("defects.npy"));
    d.ok(&[
        "dark",
        "exp=xpptut15:run=2",
        "--beam-off",
        "--data-dir",
        "data",
        "-o",
        "drop",
        "-q",
    ]);
    let files = crate::epix_dark::walk(&d.join("drop"));
    let f = files
        .iter()
        .find(|p| p.to_str().unwrap().contains("/pedestals/"))
        .unwrap();
    let (_, ped) = f64s(f);
    let n = drop_events.len() as f64;
    let good: Vec<usize> = (0..ped.len()).filter(|&i| defects[i] == 0.0).collect();
    let off = |shift: f64| {
        good.iter()
            .filter(|&&i| (ped[i] - peds[i] - shift).abs() > 5.0 * rms[i] / n.sqrt() + 0.5)
            .count() as f64
            / good.len() as f64
    };
    assert!(
        off(mean_shift) < 0.003,
        "{} off the drifted truth",
        off(mean_shift)
    );
    assert!(off(0.0) > 0.5, "{} off the undrifted truth", off(0.0));
}
