/*!
From repositories to the calibration store: merging and deploying constants.

- [`jungfrau`]: psana's `jungfrau_deploy_constants`: each panel's dark constants valid for a time
  stamp, three gain modes merged per panel, panels merged into `(3, nsegs, rows, cols)`, deployed.
- [`epix10ka`]: psana's `epix10ka_deploy_constants`: each panel's constants of the 7 gain ranges
  valid for a time stamp, with psana's defaults, merged into `(7, nsegs, 352, 384)`.
- [`gains`]: psana's `jungfrau_gain_constants`: per-panel gain and offset maps merged and
  deployed as `pixel_gain` and `pixel_offset`; vendor binary gain maps imported.
- [`constants`]: psana's `deploy_constants`: the per-detector-type repository with defaults,
  user status maps, and the bit-wise merge of every `status_*` map into `status_extra`.

Nothing is written into the calibration store without `deploy`; a dry run reports what would
be deployed.
*/

pub mod constants;
pub mod epix10ka;
pub mod gains;
pub mod jungfrau;

use std::path::PathBuf;

use serde::Serialize;

use crate::error::{Error, Missing, Result};
use crate::files::Perms;
use crate::files::check_component;
use crate::formats::array::NdArray;
use crate::formats::text::{self, TextOptions};
use crate::repo::Repo;
use crate::store::{CalibStore, Deployment, RunRange};

/// One merged constants file, ready to deploy.
#[derive(Debug, Clone, Serialize)]
pub struct Merged {
    /// The calibration type it deploys as (`pedestals`, `pixel_rms`, ...).
    pub ctype: String,
    /// The merged file (in `merge_tmp`).
    pub file: PathBuf,
    /// The array's shape.
    pub shape: Vec<usize>,
}

/// Where merged files go in the calibration store.
#[derive(Debug, Clone)]
pub struct Target {
    /// The store.
    pub store: CalibStore,
    /// The calibration group (`Jungfrau::CalibV1`).
    pub group: String,
    /// The DetInfo source.
    pub source: String,
    /// The runs the files are valid for.
    pub range: RunRange,
    /// Modes and group for the store.
    pub perms: Perms,
}

/// A planned or done deployment of one file.
#[derive(Debug, Clone, Serialize)]
pub struct Placement {
    /// The calibration type.
    pub ctype: String,
    /// The merged file.
    pub from: PathBuf,
    /// Its place in the calibration store.
    pub to: PathBuf,
    /// Whether it was copied (false in a dry run).
    pub deployed: bool,
}

impl Target {
    /// Deploys (or, with `dry_run`, only plans) every merged file; nothing in the store is
    /// touched in a dry run.
    pub fn place(&self, merged: &[Merged], dry_run: bool) -> Result<Vec<Placement>> {
        merged
            .iter()
            .map(|m| {
                let to = self
                    .store
                    .ctype_dir(&self.group, &self.source, &m.ctype)?
                    .join(self.range.file_name());
                if !dry_run {
                    let d = Deployment {
                        group: &self.group,
                        source: &self.source,
                        ctype: &m.ctype,
                        range: self.range,
                        perms: self.perms.clone(),
                        comment: String::new(),
                    };
                    self.store.deploy_file(&m.file, &d)?;
                }
                Ok(Placement {
                    ctype: m.ctype.clone(),
                    from: m.file.clone(),
                    to,
                    deployed: !dry_run,
                })
            })
            .collect()
    }
}

/// Writes `arr` as psana text with header in format `fmt` (atomically) and describes it.
pub(crate) fn save_merged(
    path: PathBuf,
    ctype: &str,
    arr: &NdArray,
    fmt: &str,
    perms: &Perms,
) -> Result<Merged> {
    text::write_text(&path, arr, &TextOptions::new(fmt)?, perms)?;
    Ok(Merged {
        ctype: ctype.to_string(),
        file: path,
        shape: arr.shape().to_vec(),
    })
}

/// The panels a merge covers: `given` (psana's `-I/--paninds`), each below `n`, or all `n`.
pub(crate) fn panel_indices(n: usize, given: Option<&[usize]>) -> Result<Vec<usize>> {
    let indices: Vec<usize> = match given {
        Some(ix) => {
            if let Some(bad) = ix.iter().find(|&&i| i >= n) {
                return Err(Error::bad_arg(
                    "--paninds",
                    format!("panel index {bad} is out of range: the detector has {n} panels"),
                ));
            }
            ix.to_vec()
        }
        None => (0..n).collect(),
    };
    if indices.is_empty() {
        return Err(Error::bad_arg("--paninds", "no panels to merge"));
    }
    Ok(indices)
}

/// Checks that panel `i` (`id`) has a directory in the repository; without one it is an error,
/// or, with `use_defaults` (`-E`), a warning and the panel gets defaults.
pub(crate) fn check_panel_dir(repo: &Repo, i: usize, id: &str, use_defaults: bool) -> Result<()> {
    let panel_dir = repo.root().join(check_component("panel id", id)?);
    if panel_dir.is_dir() {
        return Ok(());
    }
    let msg = format!(
        "panel {i} ({id}) has no directory in {}",
        repo.root().display()
    );
    if !use_defaults {
        return Err(Error::not_found(
            Missing::Constants,
            id,
            repo.root().display(),
            format!("{msg}; process its dark run first, or use psana's defaults with -E"),
        ));
    }
    tracing::warn!("{msg}: using defaults for all its constants");
    Ok(())
}
