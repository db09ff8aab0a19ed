//! psana itself (the PyPI `psana` package) as an outside reader and writer of detcal's files.
//!
//! The first test that needs it creates a virtualenv under the target directory with `psana`
//! (and an MPI library its import needs); later tests and runs reuse it. The tests skip, with a
//! message, only when the package registry cannot be reached. `DETCAL_PSANA_PYTHON` may name an
//! interpreter that already has psana.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use detcal::NdArray;
use detcal::files::Perms;
use detcal::formats::{load_array, npy};
use ndarray::{ArrayD, IxDyn};

use crate::util::Dir;

/// The Python interpreter with psana, or `None` (after a message) when it cannot be installed
/// because the registry is unreachable.
pub fn psana_python() -> Option<PathBuf> {
    static PYTHON: OnceLock<Option<PathBuf>> = OnceLock::new();
    PYTHON.get_or_init(setup).clone()
}

fn works(python: &Path) -> bool {
    Command::new(python)
        .args(["-c", "import psana.pscalib.calib.NDArrIO, psana"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

fn setup() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("DETCAL_PSANA_PYTHON") {
        let p = PathBuf::from(p);
        assert!(
            works(&p),
            "DETCAL_PSANA_PYTHON={} cannot import psana",
            p.display()
        );
        return Some(p);
    }
    let base = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let venv = base.join("psana-venv");
    let python = venv.join("bin/python");
    // One installer at a time across test processes.
    let lock = File::create(base.join("psana-venv.lock")).expect("lock file");
    lock.lock().expect("lock");
    if works(&python) {
        return Some(python);
    }
    let status = Command::new("python3")
        .args(["-m", "venv", "--clear"])
        .arg(&venv)
        .status();
    assert!(
        status.as_ref().is_ok_and(|s| s.success()),
        "python3 -m venv failed ({status:?}); the psana interop tests need CPython 3 with venv"
    );
    let pip = venv.join("bin/pip");
    let reach = Command::new(&pip)
        .args(["index", "versions", "psana"])
        .output()
        .expect("run pip");
    if !reach.status.success() {
        eprintln!(
            "skipping psana interop tests: the package registry cannot be reached ({})",
            String::from_utf8_lossy(&reach.stderr)
                .lines()
                .last()
                .unwrap_or("")
        );
        return None;
    }
    eprintln!(
        "installing psana from PyPI into {} (once)...",
        venv.display()
    );
    let out = Command::new(&pip)
        .args([
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "psana",
            "mpich",
        ])
        .output()
        .expect("run pip");
    assert!(
        out.status.success(),
        "pip install psana failed (is libkrb5-dev installed? .ci/run installs it):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(works(&python), "psana installed but cannot be imported");
    Some(python)
}

/// Runs a Python script with psana in `dir`; panics with its output on failure.
pub fn run_python(python: &Path, dir: &Path, script: &str) -> String {
    let out = Command::new(python)
        .arg("-c")
        .arg(script)
        .current_dir(dir)
        .env("TZ", "UTC")
        .output()
        .expect("run python");
    assert!(
        out.status.success(),
        "python failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).to_string()
}

fn write_npy(path: &Path, arr: &NdArray) {
    npy::write_npy(
        path,
        arr,
        &Perms {
            group: None,
            ..Perms::default()
        },
    )
    .unwrap();
}

/// Deterministic pseudo-random values.
fn noise(n: usize, seed: u64) -> Vec<u64> {
    let mut x = seed | 1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        })
        .collect()
}

/// Arrays of every dtype and rank 1-4 that detcal writes and psana must read back.
fn sample_arrays() -> Vec<(String, NdArray, &'static str)> {
    let mut out = Vec::new();
    for rank in 1..=4usize {
        let shape: Vec<usize> = [3, 2, 5, 7][..rank].to_vec();
        let n: usize = shape.iter().product();
        let r = noise(n, rank as u64 * 77);
        let sh = IxDyn(&shape);
        let add = |out: &mut Vec<_>, name: &str, a: NdArray, fmt| {
            out.push((format!("{name}_r{rank}"), a, fmt))
        };
        add(
            &mut out,
            "u8",
            NdArray::U8(
                ArrayD::from_shape_vec(sh.clone(), r.iter().map(|&v| v as u8).collect()).unwrap(),
            ),
            "%d",
        );
        add(
            &mut out,
            "u16",
            NdArray::U16(
                ArrayD::from_shape_vec(sh.clone(), r.iter().map(|&v| v as u16).collect()).unwrap(),
            ),
            "%6i",
        );
        add(
            &mut out,
            "u32",
            NdArray::U32(
                ArrayD::from_shape_vec(sh.clone(), r.iter().map(|&v| v as u32).collect()).unwrap(),
            ),
            "%d",
        );
        // psana2's load_txt parses through float64: keep u64 values below 2^53 (status words are far below).
        add(
            &mut out,
            "u64",
            NdArray::U64(
                ArrayD::from_shape_vec(sh.clone(), r.iter().map(|&v| v >> 11).collect()).unwrap(),
            ),
            "%d",
        );
        add(
            &mut out,
            "i32",
            NdArray::I32(
                ArrayD::from_shape_vec(sh.clone(), r.iter().map(|&v| v as i32).collect()).unwrap(),
            ),
            "%d",
        );
        add(
            &mut out,
            "f32",
            NdArray::F32(
                ArrayD::from_shape_vec(
                    sh.clone(),
                    r.iter()
                        .map(|&v| (v % 1_000_000) as f32 / 37.0 - 9000.0)
                        .collect(),
                )
                .unwrap(),
            ),
            "%.3f",
        );
        add(
            &mut out,
            "f64",
            NdArray::F64(
                ArrayD::from_shape_vec(
                    sh,
                    r.iter()
                        .map(|&v| (v % 1_000_000_000) as f64 / 7.0)
                        .collect(),
                )
                .unwrap(),
            ),
            "%.17g",
        );
    }
    out
}

#[test]
fn psana_load_txt_reads_detcal_text() {
    let Some(py) = psana_python() else { return };
    let d = Dir::new();
    let arrays = sample_arrays();
    for (name, arr, fmt) in &arrays {
        write_npy(&d.join(&format!("{name}.npy")), arr);
        d.ok(&[
            "convert",
            &format!("{name}.npy"),
            &format!("{name}.txt"),
            "--fmt",
            fmt,
            "--group",
            "",
        ]);
    }
    let names: Vec<&str> = arrays.iter().map(|(n, _, _)| n.as_str()).collect();
    run_python(
        &py,
        d.path(),
        &format!(
            "import numpy as np\nfrom psana.pscalib.calib.NDArrIO import load_txt\n\
             for n in {names:?}:\n    a = load_txt(n + '.txt')\n    np.save(n + '.psana.npy', a)\n"
        ),
    );
    for (name, arr, _) in &arrays {
        let by_psana = load_array(&d.join(&format!("{name}.psana.npy"))).unwrap();
        let by_detcal = load_array(&d.join(&format!("{name}.txt"))).unwrap();
        assert_eq!(by_psana.shape(), arr.shape(), "{name}: shape psana read");
        assert_eq!(by_psana.dtype(), arr.dtype(), "{name}: dtype psana read");
        assert_eq!(
            by_psana, by_detcal,
            "{name}: psana and detcal read the same values"
        );
        if arr.dtype() != detcal::DType::F32 {
            assert_eq!(
                &by_psana, arr,
                "{name}: lossless formats give the values back"
            );
        }
    }
}

#[test]
fn detcal_reads_psana_save_txt() {
    let Some(py) = psana_python() else { return };
    let d = Dir::new();
    run_python(
        &py,
        d.path(),
        r#"
import numpy as np
from psana.pscalib.calib.NDArrIO import save_txt
rng = np.random.default_rng(5)
cases = {
    'peds4d': (rng.normal(3000, 40, (3,2,16,32)).astype(np.float32), '%.3f'),
    'status4d': (rng.integers(0, 128, (3,2,16,32)).astype(np.float32), '%4i'),
    'extra3d': (rng.integers(0, 2**63, (2,8,16), dtype=np.uint64), '%d'),
    'gain2d': (rng.normal(41.5, 1, (16,32)).astype(np.float32), '%.4f'),
    'i32_2d': (rng.integers(-1000, 1000, (5,7)).astype(np.int32), '%d'),
    'u16_1d': (np.array([0, 64, 3, 16383], dtype=np.uint16), '%d'),
}
for n, (a, fmt) in cases.items():
    save_txt(n + '.txt', a, cmts=('made by psana', 'for detcal'), fmt=fmt)
    np.save(n + '.npy', a)
"#,
    );
    for name in [
        "peds4d", "status4d", "extra3d", "gain2d", "i32_2d", "u16_1d",
    ] {
        let text = load_array(&d.join(&format!("{name}.txt"))).unwrap();
        let orig = load_array(&d.join(&format!("{name}.npy"))).unwrap();
        assert_eq!(text.shape(), orig.shape(), "{name}");
        assert_eq!(text.dtype(), orig.dtype(), "{name}");
        match name {
            // Rounded to the printed digits.
            "peds4d" | "gain2d" => {
                let tol = if name == "peds4d" { 0.0005 } else { 0.00005 };
                let (a, b) = (text.to_f64(), orig.to_f64());
                for (x, y) in a.iter().zip(b.iter()) {
                    assert!(
                        (x - y).abs() <= tol * 1.0001 + 1e-9 * y.abs(),
                        "{name}: {x} vs {y}"
                    );
                }
            }
            _ => assert_eq!(text, orig, "{name}"),
        }
    }
}

/// The lines of a text file without the five that name host, directory, file, time and user.
fn without_site_lines(text: &str) -> Vec<&str> {
    text.split('\n')
        .filter(|l| {
            ![
                "# HOST ",
                "# WORK_DIR ",
                "# FILE_NAME ",
                "# DATE_TIME ",
                "# UID ",
            ]
            .iter()
            .any(|p| l.starts_with(p))
        })
        .collect()
}

#[test]
fn text_bytes_equal_psana_save_txt() {
    let Some(py) = psana_python() else { return };
    let d = Dir::new();
    // JUNGFRAU-shaped constants with random float32 values, written by psana and by detcal.
    run_python(
        &py,
        d.path(),
        r#"
import numpy as np
from psana.pscalib.calib.NDArrIO import save_txt
rng = np.random.default_rng(11)
peds = rng.normal(3000, 300, (3,1,512,1024)).astype(np.float32)
peds[0,0,0,:8] = [0.0625, 0.1875, 2.5, -0.0004, 1e-8, 16383.0005, 0.0005, 1234.5625]
cases = {
    'pedestals': (peds, '%.3f'),
    'pixel_status': (rng.integers(0, 128, (3,2,64,128)).astype(np.float32), '%4i'),
    'dark_max': (rng.integers(0, 16384, (3,2,64,128)).astype(np.float32), '%6i'),
    'pixel_gain': (rng.normal(41.5, 2, (3,2,64,128)).astype(np.float32), '%.4f'),
    'pixel_offset': (rng.normal(0, 300, (3,2,64,128)).astype(np.float32), '%.1f'),
    'status_extra': (rng.integers(0, 2**64-1, (3,2,8,16), dtype=np.uint64), '%d'),
    'ave': (rng.normal(100, 20, (32,185,388)).astype(np.float64), '%8.2f'),
}
for n, (a, fmt) in cases.items():
    save_txt(n + '.psana.txt', a, fmt=fmt)
    np.save(n + '.npy', a)
"#,
    );
    for (name, fmt) in [
        ("pedestals", "%.3f"),
        ("pixel_status", "%4i"),
        ("dark_max", "%6i"),
        ("pixel_gain", "%.4f"),
        ("pixel_offset", "%.1f"),
        ("status_extra", "%d"),
        ("ave", "%8.2f"),
    ] {
        d.ok(&[
            "convert",
            &format!("{name}.npy"),
            &format!("{name}.detcal.txt"),
            "--fmt",
            fmt,
            "--group",
            "",
        ]);
        let ours = std::fs::read_to_string(d.join(&format!("{name}.detcal.txt"))).unwrap();
        let theirs = std::fs::read_to_string(d.join(&format!("{name}.psana.txt"))).unwrap();
        let (a, b) = (without_site_lines(&ours), without_site_lines(&theirs));
        assert_eq!(a.len(), b.len(), "{name}: line count");
        for (i, (x, y)) in a.iter().zip(b.iter()).enumerate() {
            assert_eq!(x, y, "{name}: line {i} differs");
        }
    }
}

#[test]
fn python_percent_formatting_of_float32_matches() {
    let Some(py) = psana_python() else { return };
    let d = Dir::new();
    // 200 000 random float32 values, formatted by CPython and by detcal's writer.
    let vals: Vec<f32> = noise(200_000, 99)
        .iter()
        .enumerate()
        .map(|(i, &r)| match i % 3 {
            0 => {
                f32::from_bits((r as u32) & 0x7fff_ffff).min(3e9)
                    * if r & 1 == 1 { -1.0 } else { 1.0 }
            }
            1 => (r % 16_384_000) as f32 / 1000.0,
            _ => (r % 4_000_000) as f32 / 256.0 - 7000.0,
        })
        .filter(|v| v.is_finite())
        .collect();
    let n = vals.len();
    write_npy(
        &d.join("v.npy"),
        &NdArray::F32(ArrayD::from_shape_vec(IxDyn(&[n, 1]), vals).unwrap()),
    );
    for fmt in ["%.3f", "%.1f", "%.4f", "%8.2f", "%d", "%4i"] {
        let safe = fmt.replace(['%', '.'], "_");
        d.ok(&[
            "convert",
            "v.npy",
            &format!("v{safe}.dat"),
            "--fmt",
            fmt,
            "--group",
            "",
        ]);
        run_python(
            &py,
            d.path(),
            &format!(
                "import numpy as np\nv = np.load('v.npy')\nnp.savetxt('p{safe}.dat', v, fmt='{fmt}')\n"
            ),
        );
        let ours = std::fs::read(d.join(&format!("v{safe}.dat"))).unwrap();
        let theirs = std::fs::read(d.join(&format!("p{safe}.dat"))).unwrap();
        if ours != theirs {
            let (a, b) = (
                String::from_utf8_lossy(&ours),
                String::from_utf8_lossy(&theirs),
            );
            let bad = a
                .lines()
                .zip(b.lines())
                .enumerate()
                .find(|(_, (x, y))| x != y);
            panic!("{fmt}: first difference at line {:?}", bad);
        }
    }
}

/// psana's view of an XTC2 file: experiment, run, unique id and events per step (JSON), and every
/// raw frame saved to `frames.npy`.
const PSANA_READ_XTC: &str = r#"
import sys, json, numpy as np
from psana import DataSource
path, alias, out = sys.argv[1], sys.argv[2], sys.argv[3]
ds = DataSource(files=[path], skip_calib_load='all')
res, frames = [], []
for run in ds.runs():
    det = run.Detector(alias)
    r = {'expt': run.expt, 'runnum': run.runnum, 'uniqueid': det.raw._uniqueid, 'steps': []}
    for step in run.steps():
        n = 0
        for evt in step.events():
            raw = det.raw.raw(evt)
            if raw is None:
                continue
            frames.append(np.asarray(raw))
            n += 1
        r['steps'].append(n)
    res.append(r)
np.save(out, np.stack(frames))
print(json.dumps(res))
"#;

/// Runs psana over `file` and compares with detcal's `info --json` and `extract`.
fn compare_xtc_with_psana(py: &Path, d: &Dir, file: &Path, alias: &str, per_step: bool) {
    let out = Command::new(py)
        .args(["-c", PSANA_READ_XTC])
        .arg(file)
        .arg(alias)
        .arg(d.join("psana_frames.npy"))
        .output()
        .expect("run python");
    assert!(
        out.status.success(),
        "psana failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let json_line = stdout
        .lines()
        .rev()
        .find(|l| l.starts_with('['))
        .expect("psana's JSON line");
    let theirs: serde_json::Value = serde_json::from_str(json_line).unwrap();
    let file_s = file.display().to_string();
    let ours: serde_json::Value =
        serde_json::from_str(&d.ok(&["info", &file_s, "--json"])).unwrap();
    let det = ours[0]["detectors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["alias"] == alias)
        .unwrap();
    assert_eq!(ours[0]["exp"], theirs[0]["expt"], "experiment");
    assert_eq!(ours[0]["run"], theirs[0]["runnum"], "run number");
    assert_eq!(det["unique_id"], theirs[0]["uniqueid"], "unique id");
    let our_steps: Vec<u64> = det["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["events"].as_u64().unwrap())
        .collect();
    let their_steps: Vec<u64> = theirs[0]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_u64().unwrap())
        .collect();
    if per_step {
        assert_eq!(our_steps, their_steps, "events per step");
    } else {
        // The real samples are cut files with a BeginStep that no EndStep closes; psana's step
        // loop reads past it, detcal starts a step at every BeginStep (docs/psana-compat.md).
        assert_eq!(
            our_steps.iter().sum::<u64>(),
            their_steps.iter().sum::<u64>(),
            "events"
        );
    }
    d.ok(&[
        "extract",
        &file_s,
        "--det",
        alias,
        "-o",
        "detcal_frames.npy",
        "--group",
        "",
    ]);
    let a = load_array(&d.join("detcal_frames.npy")).unwrap();
    let b = load_array(&d.join("psana_frames.npy")).unwrap();
    assert_eq!(a.shape(), b.shape(), "frames shape");
    assert_eq!(a, b, "raw frames");
}

#[test]
fn psana_reads_simulated_runs_as_detcal_does() {
    let Some(py) = psana_python() else { return };
    let d = Dir::new();
    d.ok(&[
        "simulate",
        "--out",
        "data",
        "--panels",
        "2",
        "--shape",
        "64x256",
        "-n",
        "6",
        "--light-events",
        "4",
        "--group",
        "",
    ]);
    for run in [1, 2] {
        let f = d.join(&format!(
            "data/XPP/xpptut15/xtc/xpptut15-r{run:04}-s000-c000.xtc2"
        ));
        compare_xtc_with_psana(&py, &d, &f, "jungfrau", true);
    }
}

#[test]
fn detcal_reads_the_real_samples_as_psana_does() {
    let Some(py) = psana_python() else { return };
    let d = Dir::new();
    for (name, alias) in [
        ("test_jungfrau05M_calib.xtc2", "jungfrau"),
        ("test_epix_calib.xtc2", "epixquad"),
    ] {
        let Some(f) = crate::util::shared_data(&format!("xtc2/{name}")) else {
            return;
        };
        compare_xtc_with_psana(&py, &d, &f, alias, false);
    }
}

#[test]
fn pixel_status_evaluation_matches_psana() {
    let Some(py) = psana_python() else { return };
    let d = Dir::new();
    // Pedestal-like values with outliers at both ends and at the range limits.
    let mut cases = Vec::new();
    for (k, seed) in [3u64, 4, 5, 6].iter().enumerate() {
        let r = noise(20_000, *seed);
        let mut v: Vec<f64> = r
            .iter()
            .map(|&x| 3000.0 + (x % 2001) as f64 / 10.0 - 100.0)
            .collect();
        for (i, x) in v.iter_mut().enumerate().take(400) {
            *x = match i % 4 {
                0 => 0.0,
                1 => 16383.0,
                2 => 3000.0 + 5000.0 * (k as f64 + 1.0),
                _ => 100.0,
            };
        }
        if k == 3 {
            // Integer values whose median absolute deviation is 0 (the std fallback).
            v.iter_mut().skip(400).for_each(|x| *x = 3000.0);
        }
        cases.push(v);
    }
    for (k, v) in cases.iter().enumerate() {
        write_npy(
            &d.join(&format!("a{k}.npy")),
            &NdArray::F64(ArrayD::from_shape_vec(IxDyn(&[v.len()]), v.clone()).unwrap()),
        );
    }
    run_python(
        &py,
        d.path(),
        r#"
import numpy as np, logging
logging.disable(logging.CRITICAL)
from psana.detector.UtilsPixelStatus import evaluate_pixel_status
for k in range(4):
    a = np.load('a%d.npy' % k)
    lo, hi, _, _ = evaluate_pixel_status(a, vmin=0, vmax=16383, snrmax=8)
    np.save('s%d.npy' % k, (lo.astype(np.uint64) * 1) | (hi.astype(np.uint64) * 2))
"#,
    );
    for (k, v) in cases.iter().enumerate() {
        let theirs = load_array(&d.join(&format!("s{k}.npy")))
            .unwrap()
            .to_typed::<u64>();
        let mut ours = vec![0u64; v.len()];
        detcal::pixel_status::evaluate(v, 0.0, 16383.0, 8.0, 1, 2, &mut ours);
        assert_eq!(theirs.iter().copied().collect::<Vec<_>>(), ours, "case {k}");
        assert!(
            ours.iter().filter(|&&b| b != 0).count() >= 300,
            "case {k} flags the outliers"
        );
    }
}
