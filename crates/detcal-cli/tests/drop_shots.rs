//! Dark constants from the drop shots of a light run (issue 17): `dark --beam-off` and
//! `-c/--evcode` over the LCLS-II timing data of simulated runs.

use std::path::Path;

use detcal::formats::load_array;

use crate::util::Dir;

const DROP_EVERY: usize = 10;
const LIGHT_EVENTS: usize = 400;
const DARK_EVENTS: usize = 200;

fn f64s(path: &Path) -> Vec<f64> {
    load_array(path)
        .unwrap()
        .to_typed::<f64>()
        .into_raw_vec_and_offset()
        .0
}

/// The one file under `<repo>/<panel>/<ctype>/`.
fn only_file(repo: &Path, ctype: &str) -> std::path::PathBuf {
    let panel = std::fs::read_dir(repo)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.is_dir() && !p.ends_with("logs"))
        .expect("a panel directory");
    let files: Vec<_> = std::fs::read_dir(panel.join(ctype))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    files.into_iter().next().unwrap()
}

/// Simulates a 1-step dark run 1 and a light run 2 with a drop shot every 10th event.
fn simulate(d: &Dir) {
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
        &DARK_EVENTS.to_string(),
        "--light-events",
        &LIGHT_EVENTS.to_string(),
        "--drop-every",
        &DROP_EVERY.to_string(),
        "-q",
    ]);
}

/// The fraction of good pixels whose pedestal in `repo` differs from the dark run's by more than
/// 5 standard errors of the difference (true rms, `n` drop shots against the dark events).
fn fraction_outside(d: &Dir, repo: &str, dark: &[f64], n: usize) -> f64 {
    let truth = d.join("data/XPP/xpptut15/xtc/xpptut15-r0001-truth");
    // Truth arrays are (3, panels, rows, cols) and (panels, rows, cols): gain 0 of panel 0 first.
    let rms = f64s(&truth.join("rms.npy"));
    let defects = f64s(&truth.join("defects.npy"));
    let ped = f64s(&only_file(&d.join(repo), "pedestals"));
    assert_eq!(ped.len(), 32 * 64);
    let se = (1.0 / n as f64 + 1.0 / DARK_EVENTS as f64).sqrt();
    let good: Vec<usize> = (0..ped.len()).filter(|&i| defects[i] == 0.0).collect();
    assert!(good.len() > 1800, "{} good pixels", good.len());
    let out = good
        .iter()
        .filter(|&&i| (ped[i] - dark[i]).abs() > 5.0 * rms[i] * se)
        .count();
    out as f64 / good.len() as f64
}

#[test]
fn beam_off_pedestals_match_the_dark_run_and_all_shots_do_not() {
    let d = Dir::new();
    simulate(&d);
    let info = d.ok(&["info", "exp=xpptut15:run=2", "--data-dir", "data"]);
    let drops = LIGHT_EVENTS / DROP_EVERY;
    assert!(
        info.contains(&format!("event code 162: {drops} events"))
            && info.contains(&format!("event code 140: {} events", LIGHT_EVENTS - drops))
            && info.contains(&format!("event code  40: {LIGHT_EVENTS} events")),
        "{info}"
    );

    d.ok(&[
        "dark",
        "exp=xpptut15:run=1",
        "--data-dir",
        "data",
        "-o",
        "dark",
        "-q",
    ]);
    let dark = f64s(&only_file(&d.join("dark"), "pedestals"));

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
    let ped = only_file(&d.join("drop"), "pedestals");
    let name = ped.file_name().unwrap().to_str().unwrap();
    assert!(
        name.ends_with("_xpptut15_r0002_pedestals_gm0-Normal.dat"),
        "{name}"
    );
    let drop_out = fraction_outside(&d, "drop", &dark, drops);
    assert!(
        drop_out < 0.002,
        "{drop_out} of good pixels outside 5 sigma with --beam-off"
    );

    // Every shot of the light run: the photons pull the pedestals off.
    d.ok(&[
        "dark",
        "exp=xpptut15:run=2",
        "--data-dir",
        "data",
        "-o",
        "all",
        "-q",
    ]);
    let all_out = fraction_outside(&d, "all", &dark, LIGHT_EVENTS);
    assert!(
        all_out > 0.05,
        "only {all_out} of good pixels outside 5 sigma without the selection"
    );
}

#[test]
fn inverted_absent_and_missing_selections() {
    let d = Dir::new();
    simulate(&d);
    let drops = LIGHT_EVENTS / DROP_EVERY;
    // -c -162: every shot but the drop shots (psana: a negative code inverts the list).
    let out = d
        .cmd()
        .args([
            "dark",
            "exp=xpptut15:run=2",
            "-c",
            "-162",
            "--data-dir",
            "data",
            "-o",
            "inv",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(
        log.contains(&format!(
            "{} of {LIGHT_EVENTS} events with timing data selected (none of event codes 162)",
            LIGHT_EVENTS - drops
        )),
        "{log}"
    );
    assert!(
        log.contains(&format!("{} frames", LIGHT_EVENTS - drops)),
        "{log}"
    );
    assert!(only_file(&d.join("inv"), "pedestals").exists());

    // The dark run has no drop shot: a warning naming the code, an error, and no files.
    let err = d.fails(
        &[
            "dark",
            "exp=xpptut15:run=1",
            "--beam-off",
            "--data-dir",
            "data",
            "-o",
            "none",
        ],
        2,
    );
    assert!(
        err.contains("event code(s) [162] of the selection occur in no event of this run")
            && err.contains("no event of the run(s) is selected by any of event codes 162"),
        "{err}"
    );
    assert!(!d.join("none").exists(), "nothing may be written");

    // Codes out of range, and a list that is not one.
    let err = d.fails(
        &[
            "dark",
            "exp=xpptut15:run=2",
            "-c",
            "288",
            "--data-dir",
            "data",
        ],
        2,
    );
    assert!(err.contains("event code 288 is outside 0-287"), "{err}");
}

#[test]
fn a_run_without_timing_data_is_a_clear_error() {
    let Some(real) = crate::util::shared_data("xtc2/test_jungfrau05M_calib.xtc2") else {
        return;
    };
    let d = Dir::new();
    let err = d.fails(
        &["dark", real.to_str().unwrap(), "--beam-off", "-o", "repo"],
        2,
    );
    assert!(
        err.contains("no LCLS-II timing detector") && err.contains("test_jungfrau05M_calib.xtc2"),
        "{err}"
    );
    assert!(!d.join("repo").exists(), "nothing may be written");
}
