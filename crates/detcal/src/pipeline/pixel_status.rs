/*!
Bad-pixel status maps from a dark run into the constants repository (psana's
`det_pixel_status`, features 1-3).
*/

use std::path::PathBuf;

use ndarray::{ArrayD, IxDyn};
use serde::Serialize;

use crate::deploy::constants::{ConstantsRepo, DetRun};
use crate::error::{Error, Result};
use crate::pixel_status::{self, StatusParams};
use crate::repo::joblog;
use crate::settings::Settings;
use crate::source::open_dataset;

/// Which run to judge, how, and where the maps go.
#[derive(Debug, Clone)]
pub struct PixelStatusOptions {
    /// The dataset as psana names it (`.xtc2` file(s) or `exp=..:run=..[:dir=..]`).
    pub dataset: Option<String>,
    /// The detector's DAQ alias (`-d`); default: the only one with raw data.
    pub det: Option<String>,
    /// The algorithm's parameters (events, limits, features, panel).
    pub params: StatusParams,
    /// The status type saved (`status_<something>`).
    pub ctype: String,
    /// The repository (`-o`); default under `SIT_ROOT`.
    pub dirrepo: Option<PathBuf>,
}

/// What a pixel-status job wrote.
#[derive(Debug, Clone, Serialize)]
pub struct PixelStatusReport {
    /// The maps written, one per panel and step, in order.
    pub files: Vec<PathBuf>,
    /// The job's log file of each run, in order.
    pub logs: Vec<PathBuf>,
}

/// Computes the status of every pixel per step and panel of each run of the dataset and saves
/// the maps in the constants repository.
pub fn run(opts: &PixelStatusOptions, settings: &Settings) -> Result<PixelStatusReport> {
    if !opts.ctype.starts_with("status_") {
        return Err(Error::bad_arg(
            "--ctype",
            format!(
                "--ctype {:?}: status maps are named status_<something> (status_dark, status_data, ...)",
                opts.ctype
            ),
        ));
    }
    let Some(ds) = &opts.dataset else {
        return Err(Error::bad_arg("--dataset", "give a dataset (or -k)"));
    };
    let runs = open_dataset(ds, settings.psdm_data.as_deref(), opts.det.as_deref())?;
    let perms = &settings.perms;
    let dirrepo = settings.constants_repo(opts.dirrepo.as_deref())?;
    let repo = ConstantsRepo::new(&dirrepo, perms.clone());
    let params = &opts.params;
    let mut files = Vec::new();
    let mut logs = Vec::new();
    for src in &runs {
        let m = src.meta().clone();
        let log = joblog::start(
            settings,
            &dirrepo,
            &repo.type_dir(m.det_type).join("logs"),
            "det_pixel_status",
        )?;
        logs.push(log.path().to_path_buf());
        let tstamp = m.tstamp();
        let source = m.det_type.default_source(&m.alias);
        let panel_ids: Vec<String> = match params.segind {
            Some(s) => vec![m.panel_ids.get(s).cloned().ok_or_else(|| {
                Error::bad_arg(
                    "--segind",
                    format!("segment {s}: the detector has {}", m.panel_ids.len()),
                )
            })?],
            None => m.panel_ids.clone(),
        };
        let d = DetRun {
            det_type: m.det_type,
            panel_ids: &panel_ids,
            exp: &m.exp,
            run: m.run,
            tstamp: &tstamp,
            source: &source,
        };
        for step in pixel_status::run(src, params)? {
            let gain = step.step.mode.map_or(step.step.index as usize, |g| g.index);
            let (r, c) = (m.frame_shape[1], m.frame_shape[2]);
            let panels: Vec<ArrayD<f64>> = step
                .status
                .iter()
                .map(|s| {
                    ArrayD::from_shape_vec(IxDyn(&[r, c]), s.iter().map(|&v| v as f64).collect())
                        .map_err(|e| Error::internal(format!("a status map of {r}x{c}: {e}")))
                })
                .collect::<Result<_>>()?;
            for (k, s) in step.status.iter().enumerate() {
                let counts: Vec<String> = [1u64, 2, 4, 8]
                    .iter()
                    .map(|b| format!("{b}: {}", s.iter().filter(|&&v| v & b != 0).count()))
                    .collect();
                tracing::info!(
                    "{} run {} step {} ({}) panel {}: {} of {} frames kept; pixels with bit {}",
                    m.exp,
                    m.run,
                    step.step.index,
                    step.step.mode_name().unwrap_or("-"),
                    panel_ids[k],
                    step.kept[k],
                    step.frames,
                    counts.join(", ")
                );
            }
            files.extend(repo.put_gain(&d, &opts.ctype, &panels, gain, Some("%d"))?);
        }
    }
    Ok(PixelStatusReport { files, logs })
}
