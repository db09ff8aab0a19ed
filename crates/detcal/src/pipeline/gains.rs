/*!
JUNGFRAU gain and offset maps from the per-panel gain repository into the calibration store
(psana's `jungfrau_gain_constants`), and vendor gain files into that repository.
*/

use std::path::PathBuf;

use serde::Serialize;

use crate::deploy::gains::{GainRequest, import_vendor_gains, merge_gains};
use crate::deploy::{Merged, Placement, Target};
use crate::detector::DetType;
use crate::detrun::DetRunSpec;
use crate::error::Result;
use crate::repo::joblog;
use crate::settings::Settings;
use crate::site;
use crate::store::RunRange;

/// Which detector's gain maps to merge and where to deploy them.
#[derive(Debug, Clone, Default)]
pub struct GainOptions {
    /// The detector and run.
    pub det: DetRunSpec,
    /// The time stamp choosing each panel's gain directory (`-t`); default the run's start.
    pub tstamp: Option<String>,
    /// The gain repository (`--repdir`); default under `SIT_ROOT`.
    pub repdir: Option<PathBuf>,
    /// The calibration store (`-c`); default the experiment's.
    pub dircalib: Option<PathBuf>,
    /// Deploy (`-D`); otherwise only plan.
    pub deploy: bool,
    /// The validity range (`-R`); default `<run>-end`.
    pub runrange: Option<RunRange>,
}

/// What a gain-constants job did.
#[derive(Debug, Clone, Serialize)]
pub struct GainReport {
    /// The gain directory used for each panel, in panel order.
    pub dirs: Vec<PathBuf>,
    /// The merged files (`pixel_gain`, `pixel_offset`) in the repository's `merge_tmp`.
    pub merged: Vec<Merged>,
    /// The merged files and their places in the store.
    pub placed: Vec<Placement>,
    /// Whether they were deployed (false: a dry run).
    pub deployed: bool,
    /// The job's log file.
    pub log: PathBuf,
}

/// Merges each panel's gain and offset maps valid for the time stamp and deploys them (or plans
/// to).
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
    let (merged, dirs) = merge_gains(&req)?;
    for (p, dir) in dirs.iter().enumerate() {
        tracing::info!("panel {p} ({}): {}", d.meta.panel_ids[p], dir.display());
    }
    let target = Target {
        store: settings.calib_store(opts.dircalib.as_deref(), &d.meta.exp)?,
        group: DetType::Jungfrau.calib_group().to_string(),
        source: d.source.clone(),
        range: opts.runrange.unwrap_or(RunRange::from_run(d.meta.run)),
        perms: perms.clone(),
    };
    let placed = target.place(&merged, !opts.deploy)?;
    super::deploy::log_placed(&placed, opts.deploy);
    Ok(GainReport {
        dirs,
        merged,
        placed,
        deployed: opts.deploy,
        log: log.path().to_path_buf(),
    })
}

/// Which vendor gain file to import, for which panel.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// The vendor file (`gainMaps_M<id>_<date>.bin`).
    pub file: PathBuf,
    /// The panel's id.
    pub panel_id: String,
    /// Valid from this time `YYYYmmddHHMMSS` (names the directory `<panel_id>-<tstamp>`).
    pub tstamp: Option<String>,
    /// Use the HG0 map for gain 0.
    pub hg0: bool,
    /// The gain repository (`--repdir`); default under `SIT_ROOT`.
    pub repdir: Option<PathBuf>,
}

/// What a gain import wrote.
#[derive(Debug, Clone, Serialize)]
pub struct ImportReport {
    /// The panel's new gain directory.
    pub dir: PathBuf,
    /// The files written in it: `g0..g2_gain.npy` and `g0..g2_offset.npy`.
    pub files: Vec<PathBuf>,
}

/// Imports a vendor binary gain file as a panel gain directory of the gain repository.
pub fn import(opts: &ImportOptions, settings: &Settings) -> Result<ImportReport> {
    let repdir = settings.gains_repo(opts.repdir.as_deref())?;
    let dir = import_vendor_gains(
        &opts.file,
        &repdir,
        &opts.panel_id,
        opts.tstamp.as_deref(),
        opts.hg0,
        &settings.perms,
    )?;
    let files = (0..3)
        .flat_map(|g| {
            [
                dir.join(format!("g{g}_gain.npy")),
                dir.join(format!("g{g}_offset.npy")),
            ]
        })
        .collect();
    Ok(ImportReport { dir, files })
}
