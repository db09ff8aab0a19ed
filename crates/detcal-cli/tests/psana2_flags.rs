//! psana2's (LCLS-II) flags under psana's program names: `jungfrau_dark_proc -k ... -d DET`
//! gives the same repository files as LCLS-I's `jungfrau_dark_proc -d DATASET -s DET`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::util::Dir;

/// Every `.dat` file under `repo`, by relative path, with its bytes.
fn dat_files(repo: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    files_with(repo, "dat")
}

/// Every file with extension `ext` under `repo`, by relative path, with its bytes.
fn files_with(repo: &Path, ext: &str) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![repo.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == ext) {
                out.insert(
                    p.strip_prefix(repo).unwrap().to_path_buf(),
                    std::fs::read(&p).unwrap(),
                );
            }
        }
    }
    out
}

/// Runs `program` (a link to detcal) with `args` in `d`, and checks it succeeds.
fn ok_as(d: &Dir, program: &str, args: &[&str]) {
    let out = run_as(d, program, args);
    assert!(
        out.status.success(),
        "{program}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn run_as(d: &Dir, program: &str, args: &[&str]) -> std::process::Output {
    let link = d.join(program);
    if !link.exists() {
        std::os::unix::fs::symlink(assert_cmd::cargo::cargo_bin("detcal"), &link).unwrap();
    }
    std::process::Command::new(&link)
        .args(args)
        .current_dir(d.path())
        .env("TZ", "UTC")
        .env_remove("SIT_ROOT")
        .env_remove("SIT_PSDM_DATA")
        .output()
        .unwrap()
}

#[test]
fn jungfrau_dark_proc_psana2_flags_give_the_lcls1_files() {
    let d = Dir::new();
    d.ok(&[
        "simulate",
        "--out",
        "data",
        "--panels",
        "2",
        "--shape",
        "32x128",
        "-n",
        "30",
        "--no-light",
        "--seed",
        "31",
        "--group",
        "",
    ]);
    ok_as(
        &d,
        "jungfrau_dark_proc",
        &[
            "-d",
            "exp=xpptut15:run=1",
            "--data-dir",
            "data",
            "-s",
            "jungfrau",
            "-o",
            "r1",
            "--group",
            "",
        ],
    );
    ok_as(
        &d,
        "jungfrau_dark_proc",
        &[
            "-k",
            "exp=xpptut15,run=1,dir=data/XPP/xpptut15/xtc",
            "-d",
            "jungfrau",
            "-o",
            "r2",
            "--group",
            "",
        ],
    );
    let (a, b) = (dat_files(&d.join("r1")), dat_files(&d.join("r2")));
    assert_eq!(
        a.len(),
        2 * 3 * 5,
        "2 panels x 3 gain modes x 5 types: {:?}",
        a.keys()
    );
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "file names"
    );
    for (k, v) in &a {
        assert!(b[k] == *v, "{} differs", k.display());
    }

    // psana2's jungfrau_deploy_constants flags deploy what LCLS-I's do.
    ok_as(
        &d,
        "jungfrau_deploy_constants",
        &[
            "-e",
            "xpptut15",
            "-r",
            "1",
            "-d",
            "jungfrau",
            "--data-dir",
            "data",
            "-o",
            "r1",
            "-c",
            "calib1",
            "-D",
            "--group",
            "",
        ],
    );
    ok_as(
        &d,
        "jungfrau_deploy_constants",
        &[
            "-k",
            "exp=xpptut15,run=1,dir=data/XPP/xpptut15/xtc",
            "-d",
            "jungfrau",
            "-o",
            "r2",
            "-c",
            "calib2",
            "-D",
            "--group",
            "",
        ],
    );
    let (a, b) = (
        files_with(&d.join("calib1"), "data"),
        files_with(&d.join("calib2"), "data"),
    );
    assert_eq!(
        a.len(),
        5,
        "pedestals, pixel_rms, pixel_status, dark_min, dark_max: {:?}",
        a.keys()
    );
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    // The same values; the headers name each command's own merge file and time.
    let values = |v: &[u8]| -> Vec<String> {
        String::from_utf8_lossy(v)
            .lines()
            .filter(|l| !l.starts_with('#'))
            .map(str::to_string)
            .collect()
    };
    for (k, v) in &a {
        assert!(values(v) == values(&b[k]), "{} differs", k.display());
        assert!(values(v).len() > 10, "{}: values", k.display());
    }
    // Without -D nothing is deployed; gain letters are refused with where to get them.
    ok_as(
        &d,
        "jungfrau_deploy_constants",
        &[
            "-k",
            "exp=xpptut15,run=1,dir=data/XPP/xpptut15/xtc",
            "-o",
            "r2",
            "-c",
            "calib3",
        ],
    );
    assert!(!d.join("calib3").exists());
    let e = run_as(
        &d,
        "jungfrau_deploy_constants",
        &["-k", "exp=xpptut15,run=1", "-p", "psrg"],
    );
    assert_eq!(e.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&e.stderr).contains("gain-constants"));
    let h = run_as(&d, "jungfrau_deploy_constants", &["-k", "x", "--help"]);
    let text = String::from_utf8_lossy(&h.stdout);
    assert!(
        text.contains("Usage: jungfrau_deploy_constants [OPTIONS] --dskwargs"),
        "{text}"
    );

    // Help names the program and the flavour; psana2's refused options say why.
    let h = run_as(&d, "jungfrau_dark_proc", &["-k", "x.xtc2", "--help"]);
    let text = String::from_utf8_lossy(&h.stdout);
    assert!(
        text.contains("Usage: jungfrau_dark_proc [OPTIONS] --dskwargs"),
        "{text}"
    );
    assert!(text.contains("psana2's (LCLS-II) option set"), "{text}");
    assert!(text.contains("[default: 16382]"), "{text}");
    let h = run_as(&d, "jungfrau_dark_proc", &["--help"]);
    let text = String::from_utf8_lossy(&h.stdout);
    assert!(
        text.contains("Usage: jungfrau_dark_proc [OPTIONS] [DATASET]"),
        "{text}"
    );
    assert!(text.contains("psana's LCLS-I options"), "{text}");
    let e = run_as(
        &d,
        "jungfrau_dark_proc",
        &["-k", "exp=xpptut15,run=1", "-D"],
    );
    assert_eq!(e.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&e.stderr).contains("export-psana2"));
}
