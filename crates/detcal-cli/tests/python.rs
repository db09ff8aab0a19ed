//! The Python package (`python/`) in the interop tests' virtualenv, and its pytest suite run
//! against this build's `detcal` command.
//!
//! The first run installs maturin, numpy and pytest into the virtualenv; every run builds the
//! extension with maturin in the dev profile into the workspace's `target/` (so only what
//! changed is compiled again), installs the wheel, and runs `pytest python/tests`, which
//! compares the package with the command (`DETCAL_BIN`). `python/Cargo.toml` and this crate's
//! dev-dependencies make the package's dependency features those of `cargo test`, so the build
//! reuses the test build's compiled detcal and compiles only PyO3, rust-numpy and the package.
//! The test skips, with a message, only
//! where the package registry cannot be reached (as the psana interop tests do).

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::interop::psana_python;

/// The workspace's root and target directories.
fn dirs() -> (PathBuf, PathBuf) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("workspace root")
        .to_path_buf();
    let target = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("target directory")
        .to_path_buf();
    (root, target)
}

/// Runs `cmd`; panics with `what` and its output if it fails.
fn run(cmd: &mut Command, what: &str) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        out.status.success(),
        "{what} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn python_package_passes_its_tests() {
    let Some(python) = psana_python() else {
        return;
    };
    let (root, target) = dirs();
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    // One build and install at a time across test processes.
    let lock = File::create(tmp.join("python-package.lock")).expect("lock file");
    lock.lock().expect("lock");
    let has = |modules: &str| {
        Command::new(&python)
            .args(["-c", &format!("import {modules}")])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if !has("maturin, numpy, pytest") {
        eprintln!("installing maturin, numpy and pytest into the test virtualenv (once)...");
        run(
            Command::new(&python).args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "maturin>=1.9,<2",
                "numpy",
                "pytest",
            ]),
            "pip install maturin numpy pytest",
        );
    }
    let t0 = std::time::Instant::now();
    let wheels = tmp.join("python-wheel");
    let _ = std::fs::remove_dir_all(&wheels);
    run(
        Command::new(&python)
            .args(["-m", "maturin", "build", "--profile", "dev", "--quiet"])
            .arg("--manifest-path")
            .arg(root.join("python/Cargo.toml"))
            .arg("--interpreter")
            .arg(&python)
            .arg("--out")
            .arg(&wheels)
            .env("CARGO_TARGET_DIR", &target),
        "maturin build of python/",
    );
    let wheel = std::fs::read_dir(&wheels)
        .expect("maturin's output directory")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|x| x == "whl"))
        .expect("a wheel");
    run(
        Command::new(&python)
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "--no-deps",
                "--force-reinstall",
            ])
            .arg(&wheel),
        "pip install of the wheel",
    );
    eprintln!(
        "built and installed the Python package in {:.0} s",
        t0.elapsed().as_secs_f64()
    );
    let out = Command::new(&python)
        .args(["-m", "pytest", "-q", "-p", "no:cacheprovider"])
        .arg(root.join("python/tests"))
        .arg("--basetemp")
        .arg(tmp.join("pytest"))
        .env("DETCAL_BIN", env!("CARGO_BIN_EXE_detcal"))
        .env("DETCAL_SHARED", root.join("../shared"))
        .current_dir(&root)
        .output()
        .expect("run pytest");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "pytest python/tests failed:\n{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    eprintln!("{}", text.lines().last().unwrap_or(""));
}
