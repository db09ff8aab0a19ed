//! Helpers for integration tests: a scratch directory, running the built binary, shared data.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;

/// A fresh temporary directory for one test, with helpers to run `detcal` in it.
pub struct Dir {
    tmp: tempfile::TempDir,
}

impl Dir {
    /// A new empty directory.
    pub fn new() -> Dir {
        Dir {
            tmp: tempfile::tempdir().expect("temporary directory"),
        }
    }

    /// The directory's path.
    pub fn path(&self) -> &Path {
        self.tmp.path()
    }

    /// `path/rel`.
    pub fn join(&self, rel: &str) -> PathBuf {
        self.tmp.path().join(rel)
    }

    /// A `detcal` command run in this directory, with a fixed time zone and no group changes.
    pub fn cmd(&self) -> Command {
        let mut c = Command::cargo_bin("detcal").expect("detcal binary");
        c.current_dir(self.path())
            .env("TZ", "UTC")
            .env_remove("SIT_ROOT")
            .env_remove("SIT_PSDM_DATA");
        c
    }

    /// A plain `detcal` process builder (for spawning and killing), set up as [`Dir::cmd`].
    pub fn spawn_cmd(&self) -> std::process::Command {
        let mut c = std::process::Command::new(assert_cmd::cargo::cargo_bin("detcal"));
        c.current_dir(self.path())
            .env("TZ", "UTC")
            .env_remove("SIT_ROOT")
            .env_remove("SIT_PSDM_DATA");
        c
    }

    /// Runs `detcal args...` and returns its output, whatever the exit status.
    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().expect("run detcal")
    }

    /// Runs `detcal args...`, requires success, and returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "detcal {args:?} failed ({:?}):\n{}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8 stdout")
    }

    /// Runs `detcal args...`, requires exit code `code`, and returns stderr.
    pub fn fails(&self, args: &[&str], code: i32) -> String {
        let out = self.run(args);
        let err = String::from_utf8_lossy(&out.stderr).to_string();
        assert_eq!(
            out.status.code(),
            Some(code),
            "detcal {args:?}: stderr:\n{err}"
        );
        err
    }
}

/// The shared directory beside the project (`../shared`), or `DETCAL_SHARED_DIR`.
pub fn shared_dir() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os("DETCAL_SHARED_DIR") {
        return Some(PathBuf::from(d)).filter(|p| p.is_dir());
    }
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
    p.is_dir()
        .then(|| p.canonicalize().expect("canonical path"))
}

/// `../shared/data/<rel>`, or `None` with a message saying the test is skipped.
pub fn shared_data(rel: &str) -> Option<PathBuf> {
    let p = shared_dir()
        .map(|d| d.join("data").join(rel))
        .filter(|p| p.exists());
    if p.is_none() {
        eprintln!(
            "skipping: ../shared/data/{rel} not found (set DETCAL_SHARED_DIR to the shared directory)"
        );
    }
    p
}
