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
    let logs = d.join("work/logs");
    let log = walk(&logs)
        .into_iter()
        .find(|p| {
            p.file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .contains("_log_epix10ka_pedestals_calibration_")
        })
        .expect("job log");
    let text = std::fs::read_to_string(log).unwrap();
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
