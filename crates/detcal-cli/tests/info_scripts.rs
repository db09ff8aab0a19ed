//! psana's information scripts on XTC2: event-keys on the real samples, find-detector-runs and
//! friends on a directory of simulated runs, jungfrau-id.

use crate::util::{Dir, shared_data};

#[test]
fn event_keys_of_the_real_samples() {
    let Some(epix) = shared_data("xtc2/test_epix_calib.xtc2") else {
        return;
    };
    let Some(jf) = shared_data("xtc2/test_jungfrau05M_calib.xtc2") else {
        return;
    };
    let d = Dir::new();
    // ePix10ka quad: 2 L1Accepts, each with the raw data (raw and aux fields) of 4 segments.
    let out = d.ok(&["event-keys", "-d", epix.to_str().unwrap(), "--json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let events = v.as_array().unwrap();
    assert_eq!(events.len(), 2, "the file has 2 L1Accepts");
    for e in events {
        let keys = e["keys"].as_array().unwrap();
        assert_eq!(keys.len(), 4);
        for (s, k) in keys.iter().enumerate() {
            assert_eq!(k["det_name"], "epixquad");
            assert_eq!(k["det_type"], "epix10ka");
            assert_eq!(k["alg"], "raw");
            assert_eq!(k["version"], "2.0.1");
            assert_eq!(k["segment"], s as u64);
            let fields: Vec<&str> = k["fields"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f.as_str().unwrap())
                .collect();
            assert!(
                fields.contains(&"raw") && fields.contains(&"aux"),
                "{fields:?}"
            );
        }
    }
    // JUNGFRAU: the raw key of segment 0, version 0.2.0; Configure declares runinfo too.
    let out = d.ok(&["event-keys", "-d", jf.to_str().unwrap(), "-n", "1"]);
    assert!(
        out.contains(
            "Event# 0\nEventKey(type=jungfrau.raw v0.2.0, src='jungfrau:0', alias='jungfrau')\n"
        ),
        "{out}"
    );
    let out = d.ok(&[
        "event-keys",
        "-d",
        jf.to_str().unwrap(),
        "-m",
        "2",
        "-p",
        "runinfo",
    ]);
    assert_eq!(
        out.lines().next(),
        Some("EventKey(type=runinfo.runinfo v0.0.1, src='runinfo:0', alias='runinfo')")
    );
    // The id of the JUNGFRAU sample, as the README gives it.
    let out = d.ok(&["jungfrau-id", jf.to_str().unwrap()]);
    assert!(
        out.contains("Jungfrau id: jungfrau_8000000020000-230920-20004002c\n"),
        "{out}"
    );
    assert!(out.contains("number of panels: 1\n"), "{out}");
    // psana's `event_keys -v` turns printing off: the keys go only to the -f file.
    let link = d.join("event_keys");
    std::os::unix::fs::symlink(assert_cmd::cargo::cargo_bin("detcal"), &link).unwrap();
    let keys = d.join("keys.txt");
    let out = std::process::Command::new(&link)
        .args(["-d", jf.to_str().unwrap(), "-n", "1", "-v", "-f"])
        .arg(&keys)
        .output()
        .unwrap();
    assert!(out.status.success());
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(!printed.contains("EventKey("), "{printed}");
    assert!(printed.starts_with("Loop over 1 events"), "{printed}");
    assert_eq!(
        std::fs::read_to_string(&keys).unwrap(),
        "EventKey(type=jungfrau.raw v0.2.0, src='jungfrau:0', alias='jungfrau')\n"
    );
    let err = d.fails(&["event-keys", "-d", "nosuch.xtc2"], 2);
    assert!(err.contains("nosuch.xtc2"), "{err}");
}

#[test]
fn find_detector_runs_lists_each_detectors_runs() {
    let d = Dir::new();
    for args in [
        vec!["--shape", "64x256", "-p", "1"],
        vec!["--run", "3", "--det", "epix10kaquad"],
        vec![
            "--run", "5", "--shape", "64x256", "-p", "1", "--exp", "xppx1234",
        ],
    ] {
        let mut a = vec![
            "simulate",
            "--out",
            "data",
            "--events",
            "1",
            "--no-light",
            "-q",
        ];
        a.extend(args);
        d.ok(&a);
    }
    // xpptut15: jungfrau run 1, epixquad run 3; xppx1234: jungfrau run 5.
    let out = d.ok(&["find-detector-runs", "XPP", "--data-dir", "data"]);
    assert_eq!(
        out,
        "XPP:xpptut15 runs: 1 (jungfrau)\nXPP:xppx1234 runs: 5 (jungfrau)\n"
    );
    let out = d.ok(&["find-detector-runs", "xpp", "EPIX", "--data-dir", "data"]);
    assert_eq!(out, "XPP:xpptut15 runs: 3 (epixquad)\n");
    d.fails(&["find-detector-runs", "CXI", "--data-dir", "data"], 1);
    let out = d.ok(&[
        "find-runs-for-data-type",
        "quad",
        "--data-dir",
        "data",
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v,
        serde_json::json!([{"instrument": "XPP", "exp": "xpptut15", "run": 3, "detector": "epixquad", "det_type": "Epix10kaQuad"}])
    );
    let out = d.ok(&["find-runs-for-data-type", "jungfrau", "--data-dir", "data"]);
    assert_eq!(
        out,
        "XPP:xpptut15 (2 runs)\n  XPP:xpptut15:1 jungfrau\nXPP:xppx1234 (1 runs)\n  XPP:xppx1234:5 jungfrau\n"
    );
    let out = d.ok(&["find-detector-names", "--data-dir", "data"]);
    assert!(
        out.starts_with("0000         epix10kaquad epixquad\n0001             jungfrau jungfrau\n"),
        "{out}"
    );
    assert!(
        out.ends_with("Total number of detector types: 2\n"),
        "{out}"
    );
    // Under psana's name.
    let link = d.join("find_detector_runs");
    std::os::unix::fs::symlink(assert_cmd::cargo::cargo_bin("detcal"), &link).unwrap();
    let out = std::process::Command::new(&link)
        .args(["XPP", "jungfrau", "--data-dir"])
        .arg(d.join("data"))
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "XPP:xpptut15 runs: 1 (jungfrau)\nXPP:xppx1234 runs: 5 (jungfrau)\n"
    );
    let err = d.fails(&["find-detector-names", "--data-dir", "nosuch"], 2);
    assert!(err.contains("nosuch"), "{err}");
}

/// The first values of `a` as f64, as datinfo's JSON gives them.
fn first_values(a: &detcal::NdArray, n: usize) -> Vec<f64> {
    a.to_f64().iter().take(n).copied().collect()
}

#[test]
fn datinfo_describes_constants_steps_and_events() {
    use detcal::formats::load_array;
    let d = Dir::new();
    // A pnCCD stack with deployed constants (calibrun), then datinfo on the run.
    d.ok(&[
        "simulate",
        "--det",
        "pnccd",
        "--out",
        "data",
        "--events",
        "20",
        "--no-light",
        "-q",
    ]);
    d.ok(&[
        "calibrun",
        "-e",
        "xpptut15",
        "-r",
        "1",
        "-P",
        "-D",
        "--data-dir",
        "data",
        "-w",
        ".",
        "-q",
    ]);
    let out = d.ok(&[
        "datinfo",
        "-e",
        "xpptut15",
        "-r",
        "1",
        "--data-dir",
        "data",
        "--json",
        "--evskip",
        "3",
        "--events",
        "10",
    ]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let r = &v[0];
    assert_eq!(r["det_type"], "pnCCD");
    assert_eq!(r["source"], "pnccd.0:pnCCD.0");
    let peds = r["constants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "pedestals")
        .expect("pedestals listed");
    let file = peds["from"].as_str().unwrap();
    assert!(
        file.contains("pnccd.0:pnCCD.0/pedestals/1-end.data"),
        "{file}"
    );
    let arr = load_array(&d.join(file)).unwrap();
    assert_eq!(peds["shape"], serde_json::json!(arr.shape()));
    let got: Vec<f64> = serde_json::from_value(peds["first"].clone()).unwrap();
    // psana's pedestals are float32.
    let want: Vec<f64> = first_values(&arr, 5)
        .iter()
        .map(|&v| v as f32 as f64)
        .collect();
    assert_eq!(got, want);
    // Events 3 and 4 of the stack (after --evskip 3), ten events looked at.
    let stack = load_array(&d.join("data/XPP/xpptut15/npy/xpptut15-r0001-pnccd.npy")).unwrap();
    let npix: usize = stack.shape()[1..].iter().product();
    let all = stack.to_f64();
    let step = &r["steps"][0];
    assert_eq!(step["total"], 10);
    assert_eq!(step["good"], 10);
    let events = step["events"].as_array().unwrap();
    assert_eq!(events.len(), 2);
    for (k, e) in events.iter().enumerate() {
        assert_eq!(e["index"], 3 + k as u64);
        let want: Vec<f64> = all.iter().skip((3 + k) * npix).take(5).copied().collect();
        let got: Vec<f64> = serde_json::from_value(e["raw"]["first"].clone()).unwrap();
        assert_eq!(got, want);
    }
    // The text form under psana's name.
    let link = d.join("datinfo");
    std::os::unix::fs::symlink(assert_cmd::cargo::cargo_bin("detcal"), &link).unwrap();
    let text = std::process::Command::new(&link)
        .args(["-e", "xpptut15", "-r", "1", "--evtkeys", "1", "--data-dir"])
        .arg(d.join("data"))
        .current_dir(d.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("dettype   : pnCCD\n"), "{text}");
    assert!(
        text.contains("  pedestals shape:(4, 512, 512) size:1048576 dtype:float32 ["),
        "{text}"
    );
    assert!(
        text.contains("step 0 summary: events total 20, good 20\n"),
        "{text}"
    );

    // ePix10ka quad dark run: in every step all pixels are in the step's gain range.
    d.ok(&[
        "simulate",
        "--det",
        "epix10kaquad",
        "--out",
        "edata",
        "--events",
        "2",
        "--no-light",
        "-q",
    ]);
    let out = d.ok(&[
        "datinfo",
        "exp=xpptut15:run=1",
        "--data-dir",
        "edata",
        "--json",
        "--evtkeys",
        "1",
        "--stskip",
        "1",
        "--steps",
        "3",
    ]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let steps = v[0]["steps"].as_array().unwrap();
    let indexes: Vec<u64> = steps.iter().map(|s| s["index"].as_u64().unwrap()).collect();
    assert_eq!(indexes, [1, 2, 3]);
    // psana's -x: fields after ':' go after -e/-r; anything else is the whole dataset.
    let xtc = d.join("edata/XPP/xpptut15/xtc");
    let same = ["--json", "--evtkeys", "1", "--stskip", "1", "--steps", "3"];
    for x in [
        vec![
            "-e",
            "xpptut15",
            "-r",
            "1",
            "-x",
            &format!(":dir={}", xtc.display()),
            "--data-dir",
            "edata",
        ],
        vec![
            "-e",
            "nosuch",
            "-r",
            "9",
            "-x",
            "edata/XPP/xpptut15/xtc/xpptut15-r0001-s000-c000.xtc2",
            "--data-dir",
            "edata",
        ],
    ] {
        let o = d.ok(&[&["datinfo"][..], &x[..], &same[..]].concat());
        let w: serde_json::Value = serde_json::from_str(&o).unwrap();
        assert_eq!(w[0]["steps"], v[0]["steps"], "{x:?}");
    }
    for s in steps {
        let mode = s["gain_mode"].as_str().unwrap();
        let fractions = s["events"][0]["gain_range_fractions"].as_array().unwrap();
        for f in fractions {
            let want = if f[0] == mode { 1.0 } else { 0.0 };
            assert_eq!(f[1].as_f64().unwrap(), want, "step {mode}: {f}");
        }
    }
    let err = d.fails(
        &[
            "datinfo",
            "-e",
            "xpptut15",
            "-r",
            "7",
            "--data-dir",
            "edata",
        ],
        2,
    );
    assert!(err.contains("xpptut15"), "{err}");
}
