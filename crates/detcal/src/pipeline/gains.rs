/*!
JUNGFRAU gain and offset constants from the panels' gain directories into the calibration store
(psana's `jungfrau_gain_constants`).
*/

use std::path::PathBuf;

use serde::Serialize;

use crate::deploy::gains::{GainRequest, merge_gains};
use crate::deploy::{Placement, Target};
use crate::detector::DetType;
use crate::detrun::DetRunSpec;
use crate::error::Result;
use crate::repo::joblog;
use crate::settings::Settings;
use crate::site;
use crate::store::RunRange;

/// What to merge and where to deploy it.
#[derive(Debug, Clone, Default)]
pub struct GainOptions {
    /// The detector and run.
    pub det: DetRunSpec,
    /// The time stamp choosing each panel's gain directory; default the run's start.
    pub tstamp: Option<String>,
    /// The gain repository (`--repdir`); default under `SIT_ROOT`.
    pub repdir: Option<PathBuf>,
    /// The calibration store (`-c`); default the experiment's.
    pub clbdir: Option<PathBuf>,
    /// Deploy (`-D`); otherwise only plan.
    pub deploy: bool,
    /// The validity range (`-R`); default `<run>-end`.
    pub runrange: Option<RunRange>,
}

/// What a gain-constants job did.
#[derive(Debug, Clone, Serialize)]
pub struct GainReport {
    /// Each panel's gain directory, in segment order.
    pub panel_dirs: Vec<PathBuf>,
    /// The merged files and their places in the store.
    pub placed: Vec<Placement>,
    /// Whether they were deployed (false: a dry run).
    pub deployed: bool,
    /// The job's log file.
    pub log: PathBuf,
}

/// Merges the panels' gain and offset maps and deploys them (or plans to).
pub fn run(opts: &GainOptions, settings: &Settings) -> Result<GainReport> {
    // Without raw data (panel ids given), the time stamp is also the run's.
    let run_tstamp = if opts.det.panel_ids.is_empty() {
        None
    } else {
        opts.tstamp.as_deref()
    };
    let d = opts.det.resolve(run_tstamp, settings)?;
    let select = match &opts.tstamp {
        Some(t) => site::parse_tstamp(t)?,
        None => site::parse_tstamp(&site::tstamp(d.meta.start))?,
    };
    let perms = &settings.perms;
    let repdir = settings.gains_repo(opts.repdir.as_deref())?;
    let log = joblog::start(
        settings,
        &repdir,
        &repdir.join("logs"),
        "jungfrau_gain_constants",
    )?;
    let tstamp = site::tstamp(d.meta.start);
    let req = GainRequest {
        repdir: &repdir,
        panel_ids: &d.meta.panel_ids,
        select: Some(select),
        tstamp: &tstamp,
        exp: &d.meta.exp,
        run: d.meta.run,
        source: &d.source,
        perms,
    };
    let (merged, panel_dirs) = merge_gains(&req)?;
    for (p, dir) in panel_dirs.iter().enumerate() {
        tracing::info!("panel {p} ({}): {}", d.meta.panel_ids[p], dir.display());
    }
    let target = Target {
        store: settings.calib_store(opts.clbdir.as_deref(), &d.meta.exp)?,
        group: DetType::Jungfrau.calib_group().to_string(),
        source: d.source.clone(),
        range: opts.runrange.unwrap_or(RunRange::from_run(d.meta.run)),
        perms: perms.clone(),
    };
    let placed = target.place(&merged, !opts.deploy)?;
    crate::pipeline::deploy::log_placed(&placed, opts.deploy);
    Ok(GainReport {
        panel_dirs,
        placed,
        deployed: opts.deploy,
        log: log.path().to_path_buf(),
    })
}
