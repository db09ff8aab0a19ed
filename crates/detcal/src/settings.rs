/*!
Settings resolved once: the environment roots, the modes and group of new files, and the
command line of the job, as every pipeline receives them.

[`Settings::from_env`] is the only place that reads `SIT_ROOT` and `SIT_PSDM_DATA`; a flag given
on the command line replaces the variable ([`Settings::with_data_dir`], ...). A root that is
needed and missing is an error naming the variable and the flag.
*/

use std::path::{Path, PathBuf};

use crate::error::{Context, Error, Result};
use crate::files::Perms;
use crate::repo::RepoKind;
use crate::site;
use crate::store::CalibStore;

/// Where things live and how new files are made, for one job.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// The root of the constants repositories (`$SIT_ROOT`).
    pub sit_root: Option<PathBuf>,
    /// The root of experiment data (`$SIT_PSDM_DATA`, or `--data-dir`).
    pub psdm_data: Option<PathBuf>,
    /// Modes and group of new files and directories.
    pub perms: Perms,
    /// The command line of the job, as its log records it.
    pub argv: Vec<String>,
}

/// The value of the environment variable `var`, if set and not empty.
fn env_path(var: &str) -> Option<PathBuf> {
    std::env::var_os(var)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

impl Settings {
    /// The settings of the environment: `SIT_ROOT`, `SIT_PSDM_DATA`, psana's default modes and
    /// this process's command line.
    pub fn from_env() -> Settings {
        Settings {
            sit_root: env_path(site::SIT_ROOT),
            psdm_data: env_path(site::SIT_PSDM_DATA),
            perms: Perms::default(),
            argv: std::env::args().collect(),
        }
    }

    /// The settings with the data root replaced by `dir` when given (`--data-dir`).
    pub fn with_data_dir(mut self, dir: Option<&Path>) -> Settings {
        if let Some(d) = dir {
            self.psdm_data = Some(d.to_path_buf());
        }
        self
    }

    /// The settings with new files made with `perms`.
    pub fn with_perms(mut self, perms: Perms) -> Settings {
        self.perms = perms;
        self
    }

    /// `$SIT_ROOT`, or an error naming `flag` as the alternative.
    pub fn sit_root(&self, flag: &str) -> Result<&Path> {
        self.sit_root
            .as_deref()
            .ok_or_else(|| missing(site::SIT_ROOT, flag))
    }

    /// `$SIT_PSDM_DATA` (or `--data-dir`), or an error naming `flag` as the alternative.
    pub fn psdm_data(&self, flag: &str) -> Result<&Path> {
        self.psdm_data
            .as_deref()
            .ok_or_else(|| missing(site::SIT_PSDM_DATA, flag))
    }

    /// The JUNGFRAU panel repository: `given`, else `<SIT_ROOT>/detector/gains/jungfrau/panels`.
    pub fn panels_repo(&self, given: Option<&Path>) -> Result<PathBuf> {
        match given {
            Some(p) => Ok(p.to_path_buf()),
            None => self.panels_repo_of(&RepoKind::JUNGFRAU, None),
        }
    }

    /// The panel repository of `kind`: `given`, else its default under `SIT_ROOT`
    /// (`detector/gains/jungfrau/panels` or `detector/gains/epix10k/panels`).
    pub fn panels_repo_of(&self, kind: &RepoKind, given: Option<&Path>) -> Result<PathBuf> {
        match given {
            Some(p) => Ok(p.to_path_buf()),
            None => Ok(self.sit_root("-o/--dirrepo")?.join(kind.default_root)),
        }
    }

    /// The JUNGFRAU gain repository: `given`, else `<SIT_ROOT>/detector/gains/jungfrau`.
    pub fn gains_repo(&self, given: Option<&Path>) -> Result<PathBuf> {
        match given {
            Some(p) => Ok(p.to_path_buf()),
            None => Ok(site::jungfrau_gains_repo(self.sit_root("--repdir")?)),
        }
    }

    /// The repository of `deploy_constants`: `given`, else `<SIT_ROOT>/detector/calib/constants`.
    pub fn constants_repo(&self, given: Option<&Path>) -> Result<PathBuf> {
        match given {
            Some(p) => Ok(p.to_path_buf()),
            None => Ok(site::constants_repo(self.sit_root("-o/--dirrepo")?)),
        }
    }

    /// The calibration store of experiment `exp` under the data root.
    pub fn experiment_store(&self, exp: &str) -> Result<CalibStore> {
        CalibStore::for_experiment(Some(self.psdm_data("--calib-dir")?), exp)
    }

    /// The calibration store: `given`, else experiment `exp`'s under the data root; an error
    /// says it was looking for the calibration directory (`-c`).
    pub fn calib_store(&self, given: Option<&Path>, exp: &str) -> Result<CalibStore> {
        match given {
            Some(c) => Ok(CalibStore::new(c)),
            None => self
                .experiment_store(exp)
                .context("finding the calibration directory (-c)"),
        }
    }

    /// Where the per-year job records of a job writing into `repo` go: under `$SIT_ROOT` when
    /// set, else in the repository; none for psana's scratch repository `work`.
    pub fn logs_at_start(&self, repo: &Path) -> Option<PathBuf> {
        if repo.as_os_str() == "work" {
            return None;
        }
        Some(match &self.sit_root {
            Some(root) => site::logs_at_start(root),
            None => repo.join("logs/atstart"),
        })
    }
}

/// The error of a root that is not set.
fn missing(var: &str, flag: &str) -> Error {
    Error::config(
        var,
        flag,
        format!("no directory given: set the environment variable {var} or pass {flag}"),
    )
}
