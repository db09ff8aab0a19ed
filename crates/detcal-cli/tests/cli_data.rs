//! `simulate`, `info`, `extract`: behaviour and bad input.

use detcal::formats::load_array;

use crate::util::Dir;

fn simulate_small(d: &Dir) {
    d.ok(&[
        "simulate",
        "--out",
        "data",
        "--panels",
        "2",
        "--shape",
        "16x64",
        "-n",
        "5",
        "--light-events",
        "3",
        "--gains",
        "gains",
        "--group",
        "",
    ]);
}

#[test]
fn simulate_then_info_and_extract() {
    let d = Dir::new();
    simulate_small(&d);
    for f in [
        "data/XPP/xpptut15/xtc/xpptut15-r0001-s000-c000.xtc2",
        "data/XPP/xpptut15/xtc/xpptut15-r0002-s000-c000.xtc2",
        "data/XPP/xpptut15/xtc/xpptut15-r0001-truth/pedestals.npy",
        "data/XPP/xpptut15/xtc/xpptut15-r0001-truth/truth.json",
    ] {
        assert!(d.join(f).is_file(), "{f}");
    }
    assert_eq!(std::fs::read_dir(d.join("gains")).unwrap().count(), 2);
    let text = d.ok(&["info", "-e", "xpptut15", "-r", "1-2", "--data-dir", "data"]);
    assert!(
        text.contains("run 1 of xpptut15") && text.contains("run 2 of xpptut15"),
        "{text}"
    );
    assert!(
        text.contains(
            "step  1   gain mode 1 FORCE_SWITCH_G1 = psana ForcedGain1 (ConfigUpdate): 5 events"
        ),
        "{text}"
    );
    let json: serde_json::Value = serde_json::from_str(&d.ok(&[
        "info",
        "exp=xpptut15:run=1",
        "--data-dir",
        "data",
        "--json",
    ]))
    .unwrap();
    assert_eq!(
        json[0]["detectors"][0]["frame_shape"],
        serde_json::json!([2, 16, 64])
    );
    assert_eq!(
        json[0]["start_tstamp"], "20250328190808",
        "local time stamp with TZ=UTC"
    );
    // SIT_PSDM_DATA works as --data-dir does.
    let out = d
        .cmd()
        .env("SIT_PSDM_DATA", d.join("data"))
        .args(["info", "exp=xpptut15:run=2"])
        .output()
        .unwrap();
    assert!(out.status.success());

    d.ok(&[
        "extract",
        "exp=xpptut15:run=1",
        "--data-dir",
        "data",
        "--step",
        "1",
        "-n",
        "3",
        "-o",
        "g1.npy",
        "--group",
        "",
    ]);
    let a = load_array(&d.join("g1.npy")).unwrap();
    assert_eq!(a.shape(), &[3, 2, 16, 64]);
    let words = a.to_typed::<u16>();
    let g1 = words.iter().filter(|&&w| w >> 14 == 1).count();
    assert!(
        g1 > words.len() * 9 / 10,
        "forced gain 1 frames: {g1} of {}",
        words.len()
    );
    d.ok(&[
        "extract",
        "exp=xpptut15:run=1,2",
        "--data-dir",
        "data",
        "-o",
        "all.npy",
        "--group",
        "",
    ]);
    assert_eq!(
        load_array(&d.join("all.npy")).unwrap().shape(),
        &[18, 2, 16, 64]
    );
}

#[test]
fn data_commands_reject_bad_input() {
    let d = Dir::new();
    simulate_small(&d);
    let err = d.fails(&["info", "missing.xtc2"], 2);
    assert!(err.contains("missing.xtc2"), "{err}");
    let err = d.fails(&["info", "exp=xpptut15:run=9", "--data-dir", "data"], 2);
    assert!(
        err.contains("no files for run 9 of experiment xpptut15"),
        "{err}"
    );
    let err = d.fails(&["info", "exp=xpptut15:run=1"], 2);
    assert!(
        err.contains("SIT_PSDM_DATA") && err.contains("--data-dir"),
        "{err}"
    );
    let err = d.fails(&["info", "exp=xpptut15:run=x", "--data-dir", "data"], 2);
    assert!(
        !err.contains("panicked") && err.lines().count() == 1,
        "{err}"
    );
    let err = d.fails(
        &[
            "extract",
            "exp=xpptut15:run=1",
            "--data-dir",
            "data",
            "--det",
            "epix",
            "-o",
            "x.npy",
        ],
        2,
    );
    assert!(err.contains("no detector \"epix\""), "{err}");
    let err = d.fails(
        &[
            "extract",
            "exp=xpptut15:run=1",
            "--data-dir",
            "data",
            "--step",
            "7",
            "-o",
            "x.npy",
        ],
        2,
    );
    assert!(err.contains("no events selected"), "{err}");
    assert!(!d.join("x.npy").exists());
    let err = d.fails(&["simulate", "--out", "o", "--panels", "33"], 2);
    assert!(err.contains("panels must be 1 to 32"), "{err}");
    let err = d.fails(&["simulate", "--out", "o", "--shape", "5x"], 2);
    assert!(err.contains("ROWSxCOLS"), "{err}");
    let err = d.fails(&["simulate", "--out", "o", "--exp", "../x"], 2);
    assert!(err.contains("invalid experiment"), "{err}");
    // Garbage in place of a run file.
    std::fs::write(d.join("junk.xtc2"), vec![0xffu8; 100]).unwrap();
    let err = d.fails(&["info", "junk.xtc2"], 2);
    assert!(err.contains("junk.xtc2") && err.contains("byte"), "{err}");
}
