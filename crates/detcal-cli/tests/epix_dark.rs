//! ePix10ka through the command line: `detcal dark` on psana's known-answer stacks gives psana's
//! repository files byte for byte under psana's names, and `detcal deploy` merges them into the
//! calibration store.

use std::path::{Path, PathBuf};

use crate::util::{Dir, shared_data};

#[path = "../../detcal/tests/support/npz.rs"]
mod npz;

/// The panel id of psana's run of the parity cases.
pub const PANEL: &str =
    "0000000002-0175152897-1157627926-0268435478-3456106518-0000000000-0000000000";

/// Writes the parity folder's input stack as `<d>/<name>.npy`.
pub fn input_npy(d: &Dir, folder: &Path, name: &str) -> PathBuf {
    let bytes = npz::member(&folder.join("input.npz"), "input.npy");
    let p = d.join(&format!("{name}.npy"));
    std::fs::write(&p, bytes).unwrap();
    p
}

/// Runs `detcal dark` on one parity folder into `<d>/work` as psana's run did.
fn dark(d: &Dir, folder: &Path, mode: &str) {
    let npy = input_npy(d, folder, mode);
    d.ok(&[
        "dark",
        "--input",
        npy.to_str().unwrap(),
        "--det-type",
        "epix10ka",
        "--gain-mode",
        mode,
        "--panel-ids",
        PANEL,
        "--exp",
        "synthetic",
        "--run",
        "1",
        "--tstamp",
        "20210223203420",
        "-o",
        "work",
        "--group",
        "",
    ]);
}

#[test]
fn epix_dark_on_the_parity_stacks_writes_psanas_files() {
    let d = Dir::new();
    for (name, mode) in [("epix10ka_FH_n60", "FH"), ("epix10ka_AML-M_n40", "AML-M")] {
        let Some(folder) = shared_data(&format!("parity/{name}")) else {
            return;
        };
        dark(&d, &folder, mode);
        let meta: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(folder.join("expected_meta.json")).unwrap(),
        )
        .unwrap();
        for f in meta["repository_files_written_by_psana"]
            .as_array()
            .unwrap()
        {
            let rel = f.as_str().unwrap();
            let got = std::fs::read_to_string(d.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
            let ctype = if rel.contains("/pedestals/") {
                "pedestals"
            } else if rel.contains("/rms/") {
                "rms"
            } else {
                "status"
            };
            let want = npz::gunzip(&folder.join(format!("expected_{ctype}_{mode}.dat.gz")));
            assert!(got == want, "{rel} differs from psana's");
        }
    }
    // One alias record, without experiment or run, and psana's panel directories.
    let aliases = std::fs::read_to_string(d.join("work/.aliases.txt")).unwrap();
    let lines: Vec<&str> = aliases.lines().collect();
    assert_eq!(lines.len(), 1, "{aliases}");
    let f: Vec<&str> = lines[0].split_whitespace().collect();
    assert_eq!((f[0], f[1], f.len()), ("0001", PANEL, 4), "{aliases}");
    for sub in ["pedestals", "offset", "gain", "rms", "status"] {
        assert!(d.join(&format!("work/{PANEL}/{sub}")).is_dir(), "{sub}");
    }
    // The two runs' job logs (one file when both started in the same second): the FH run's
    // record is in one of them.
    let text: String = walk(&d.join("work/logs"))
        .into_iter()
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .contains("_log_epix10ka_pedestals_calibration_")
        })
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    assert!(
        text.contains("gain mode FH") && text.contains("59 records used"),
        "{text}"
    );
}

/// Every file under `dir`.
pub fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

#[test]
fn epix_dark_refuses_bad_input_clearly() {
    let d = Dir::new();
    let Some(folder) = shared_data("parity/epix10ka_FH_n60") else {
        return;
    };
    let npy = input_npy(&d, &folder, "in");
    let base = [
        "dark",
        "--input",
        npy.to_str().unwrap(),
        "--det-type",
        "epix10ka",
        "--panel-ids",
        PANEL,
        "--exp",
        "synthetic",
        "--run",
        "1",
        "--tstamp",
        "20210223203420",
        "-o",
        "work",
        "--group",
        "",
    ];
    fn with<'a>(base: &[&'a str], extra: &[&'a str]) -> Vec<&'a str> {
        [base, extra].concat()
    }
    let e = d.fails(&base, 2);
    assert!(e.contains("--gain-mode"), "{e}");
    let e = d.fails(&with(&base, &["--gain-mode", "AHL-L"]), 2);
    assert!(e.contains("not one of the dark modes"), "{e}");
    let e = d.fails(&with(&base, &["--gain-mode", "FH", "--nrecs", "10"]), 2);
    assert!(e.contains("fixed thresholds"), "{e}");
    let e = d.fails(&with(&base, &["--gain-mode", "FH", "--nbs", "2"]), 2);
    assert!(e.contains("--nbs"), "{e}");
    let e = d.fails(&with(&base, &["--gain-mode", "FH", "--idx", "1"]), 2);
    assert!(e.contains("--idx 1"), "{e}");
    // --nbs 3: 3 frames collected, 2 records used (the smallest step psana processes).
    d.ok(&with(&base, &["--gain-mode", "FH", "--nbs", "3"]));
    assert!(
        d.join(&format!("work/{PANEL}/pedestals"))
            .read_dir()
            .unwrap()
            .next()
            .is_some()
    );
}

/// The lines of a text file that are not comments.
fn data_lines(text: &str) -> Vec<&str> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .collect()
}

#[test]
fn epix_dark_then_deploy_round_trips_through_the_store() {
    let d = Dir::new();
    for (name, mode) in [("epix10ka_FH_n60", "FH"), ("epix10ka_AML-M_n40", "AML-M")] {
        let Some(folder) = shared_data(&format!("parity/{name}")) else {
            return;
        };
        dark(&d, &folder, mode);
    }
    // A FL pedestal file and offsetph_AHL: AHL-L pedestals are their sum, in float64.
    let ped_dir = d.join(&format!("work/{PANEL}/pedestals"));
    let fh = ped_dir.join("epix10ka_0001_20210223203420_synthetic_r0001_pedestals_FH.dat");
    let fl = ped_dir.join("epix10ka_0001_20210223203420_synthetic_r0001_pedestals_FL.dat");
    std::fs::copy(&fh, &fl).unwrap();
    let off = d.join(&format!(
        "work/{PANEL}/offset/epix10ka_0001_20210223203420_synthetic_r0001_offsetph_AHL.dat"
    ));
    let row = vec!["100.25"; 384].join(" ");
    std::fs::write(&off, format!("{row}\n").repeat(352)).unwrap();
    let args = [
        "deploy",
        "-e",
        "synthetic",
        "-r",
        "1",
        "--det-type",
        "epix10ka",
        "--panel-ids",
        PANEL,
        "--source",
        "NoDetector.0:Epix10ka.0",
        "-t",
        "20210223203420",
        "-o",
        "work",
        "-c",
        "calib",
        "--group",
        "",
    ];
    // Without -D: a dry run, nothing in the store.
    d.ok(&args);
    assert!(!d.join("calib").exists());
    d.ok(&[&args[..], &["-D", "-p", "psrc"]].concat());
    let store = d.join("calib/Epix10ka::CalibV1/NoDetector.0:Epix10ka.0");
    let read = |ctype: &str| std::fs::read_to_string(store.join(ctype).join("1-end.data")).unwrap();
    let ped = read("pedestals");
    assert!(ped.contains("SHAPE       (7,1,352,384)"), "{}", &ped[..400]);
    assert!(
        ped.contains("# DTYPE       float64"),
        "derived pedestals make float64"
    );
    let lines = data_lines(&ped);
    assert_eq!(lines.len(), 7 * 352);
    let repo_fh = std::fs::read_to_string(&fh).unwrap();
    let repo_aml = std::fs::read_to_string(
        ped_dir.join("epix10ka_0001_20210223203420_synthetic_r0001_pedestals_AML-M.dat"),
    )
    .unwrap();
    let range = |g: usize| lines[g * 352..(g + 1) * 352].join("\n") + "\n";
    assert_eq!(
        range(0),
        repo_fh,
        "FH pedestals deployed as in the repository"
    );
    assert_eq!(range(2), repo_fh, "FL");
    assert_eq!(range(4), repo_aml, "AML-M");
    assert!(
        range(1).split_whitespace().all(|v| v == "0.000"),
        "FM default"
    );
    // AHL-L = FL + 100.25; AML-L has no offsetph: zeros.
    let fl_vals: Vec<f64> = repo_fh
        .split_whitespace()
        .map(|v| v.parse().unwrap())
        .collect();
    let ahl_l: Vec<f64> = range(5)
        .split_whitespace()
        .map(|v| v.parse().unwrap())
        .collect();
    for (a, b) in fl_vals.iter().zip(&ahl_l).take(2000) {
        assert_eq!(format!("{:.3}", a + 100.25), format!("{b:.3}"));
    }
    assert!(range(6).split_whitespace().all(|v| v == "0.000"), "AML-L");
    let st = read("pixel_status");
    assert!(st.contains("# DTYPE       float32"));
    let st_lines = data_lines(&st);
    let repo_st = std::fs::read_to_string(d.join(&format!(
        "work/{PANEL}/status/epix10ka_0001_20210223203420_synthetic_r0001_status_FH.dat"
    )))
    .unwrap();
    assert_eq!(st_lines[..352].join("\n") + "\n", repo_st);
    let rms = read("pixel_rms");
    let rms_lines = data_lines(&rms);
    assert!(
        rms_lines[352].split_whitespace().all(|v| v == "1.000"),
        "FM rms default"
    );
    // c without gainci files: every range its default factor.
    let gain = read("pixel_gain");
    let g = data_lines(&gain);
    for (r, want) in [
        "16.400000",
        "5.466000",
        "0.164000",
        "16.400000",
        "5.466000",
        "0.164000",
        "0.164000",
    ]
    .iter()
    .enumerate()
    {
        assert!(
            g[r * 352].split_whitespace().all(|v| v == *want),
            "range {r}"
        );
    }
    // HISTORY and the per-panel merged files and merge_tmp.
    assert!(store.join("pedestals/HISTORY").is_file());
    assert!(
        d.join(&format!(
            "work/{PANEL}/pedestals/epix10ka_0001_20210223203420_synthetic_r0001_pedestals.txt"
        ))
        .is_file()
    );
    assert!(
        d.join(
            "work/merge_tmp/NoDetector.0:Epix10ka.0-20210223203420-synthetic-r0001-pixel_gain.txt"
        )
        .is_file()
    );
    // --runbegin/--runend name the validity range.
    d.ok(&[
        &args[..],
        &["-D", "-p", "s", "--runbegin", "5", "--runend", "10"],
    ]
    .concat());
    assert!(store.join("pixel_status/5-10.data").is_file());
    let e = d.fails(&[&args[..], &["-p", "gc"]].concat(), 2);
    assert!(e.contains("choose one"), "{e}");
    let e = d.fails(&[&args[..], &["-p", "x"]].concat(), 2);
    assert!(e.contains("'x'"), "{e}");
}

#[test]
fn epix_quad_stack_gives_each_panel_psanas_files_and_idx_one() {
    let Some(folder) = shared_data("parity/epix10ka_FH_n60") else {
        return;
    };
    let d = Dir::new();
    // The FH stack in the 4 panels of a quad: every panel must give psana's files.
    let bytes = npz::member(&folder.join("input.npz"), "input.npy");
    let hlen = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
    let data = &bytes[10 + hlen..];
    let (frames, panel) = (60, 352 * 384 * 2);
    let mut quad = Vec::with_capacity(4 * data.len());
    for f in 0..frames {
        for _ in 0..4 {
            quad.extend_from_slice(&data[f * panel..(f + 1) * panel]);
        }
    }
    let mut header =
        "{'descr': '<u2', 'fortran_order': False, 'shape': (60, 4, 352, 384), }".to_string();
    while !(10 + header.len() + 1).is_multiple_of(64) {
        header.push(' ');
    }
    header.push('\n');
    let mut npy = b"\x93NUMPY\x01\x00".to_vec();
    npy.extend((header.len() as u16).to_le_bytes());
    npy.extend(header.as_bytes());
    npy.extend(quad);
    std::fs::write(d.join("quad.npy"), npy).unwrap();
    let ids: Vec<String> = (0..4).map(|i| format!("panel{i}")).collect();
    let ids = ids.join(",");
    let args = |out: &str| {
        vec![
            "epix10ka-pedestals-calibration".to_string(),
            "--input".into(),
            "quad.npy".into(),
            "--det-type".into(),
            "epix10kaquad".into(),
            "--gain-mode".into(),
            "FH".into(),
            "--panel-ids".into(),
            ids.clone(),
            "-e".into(),
            "synthetic".into(),
            "-r".into(),
            "1".into(),
            "--tstamp".into(),
            "20210223203420".into(),
            "-o".into(),
            out.into(),
            "--group".into(),
            "".into(),
        ]
    };
    let a = args("work");
    d.ok(&a.iter().map(String::as_str).collect::<Vec<_>>());
    let want = npz::gunzip(&folder.join("expected_pedestals_FH.dat.gz"));
    for i in 0..4 {
        let f = d.join(&format!(
            "work/panel{i}/pedestals/epix10ka_000{}_20210223203420_synthetic_r0001_pedestals_FH.dat",
            i + 1
        ));
        assert!(std::fs::read_to_string(&f).unwrap() == want, "panel {i}");
    }
    // -i 2: only that panel.
    let mut a = args("one");
    a.extend(["-i".into(), "2".into()]);
    d.ok(&a.iter().map(String::as_str).collect::<Vec<_>>());
    let written: Vec<PathBuf> = walk(&d.join("one"))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "dat"))
        .collect();
    assert_eq!(written.len(), 3, "{written:?}");
    assert!(
        written
            .iter()
            .all(|p| p.to_str().unwrap().contains("/panel2/"))
    );
}
