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
