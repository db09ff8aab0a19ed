/*!
Constants of any detector from the per-type repository into the calibration store, and the
merge of the `status_*` maps into `status_extra` (psana's `deploy_constants`).
*/

use std::path::PathBuf;

use serde::Serialize;

use crate::deploy::constants::{ConstantsRepo, DetRun, Prepared};
use crate::deploy::{Placement, Target};
use crate::detrun::DetRunSpec;
use crate::error::Result;
use crate::repo::joblog;
use crate::settings::Settings;
use crate::site;
use crate::store::RunRange;

/// What to deploy, from where, to where.
#[derive(Debug, Clone)]
pub struct ConstantsOptions {
    /// The detector and run.
    pub det: DetRunSpec,
    /// What to deploy (`-C`): gain, rms, status, status_extra, common_mode, geometry, ...
    pub ctype: String,
    /// psana's `-t`: the time stamp (or a run whose start is used) instead of the run's start.
    pub tstamp: Option<String>,
    /// The repository (`-o`); default under `SIT_ROOT`.
    pub dirrepo: Option<PathBuf>,
    /// The calibration store (`-c`); default the experiment's.
    pub dircalib: Option<PathBuf>,
    /// Deploy (`-D`); otherwise only plan.
    pub deploy: bool,
    /// The validity range of the deployed file (`-R`).
    pub runrange: RunRange,
}

/// What a deploy-constants job did.
#[derive(Debug, Clone, Serialize)]
pub struct ConstantsReport {
    /// The file made ready to deploy and what went into it; none when the repository has
    /// neither a file valid for the time stamp nor a default (nothing is deployed).
    pub prepared: Option<Prepared>,
    /// The file and its place in the store (empty when nothing was prepared).
    pub placed: Vec<Placement>,
    /// Whether it was deployed (false: a dry run).
    pub deployed: bool,
    /// The job's log file.
    pub log: PathBuf,
}

/// Finds (or merges) the constants of `opts.ctype` valid for the run's time stamp and deploys
/// them (or plans to).
pub fn run(opts: &ConstantsOptions, settings: &Settings) -> Result<ConstantsReport> {
    let d = opts.det.resolve(opts.tstamp.as_deref(), settings)?;
    let perms = &settings.perms;
    let dirrepo = settings.constants_repo(opts.dirrepo.as_deref())?;
    let repo = ConstantsRepo::new(&dirrepo, perms.clone());
    let type_dir = repo.type_dir(d.meta.det_type);
    let log = joblog::start(
        settings,
        &dirrepo,
        &type_dir.join("logs"),
        "deploy_constants",
    )?;
    let tstamp = site::tstamp(d.meta.start);
    let run = DetRun {
        det_type: d.meta.det_type,
        panel_ids: &d.meta.panel_ids,
        exp: &d.meta.exp,
        run: d.meta.run,
        tstamp: &tstamp,
        source: &d.source,
    };
    tracing::info!(
        "{} {} run {} ({}), {} at {tstamp}",
        d.meta.det_type,
        d.meta.exp,
        d.meta.run,
        d.source,
        opts.ctype
    );
    let Some(prepared) = repo.prepare(&run, &opts.ctype)? else {
        return Ok(ConstantsReport {
            prepared: None,
            placed: Vec::new(),
            deployed: false,
            log: log.path().to_path_buf(),
        });
    };
    for f in &prepared.found {
        for file in &f.files {
            tracing::info!("panel {}: {}", f.panel, file.display());
        }
    }
    if prepared.default {
        tracing::info!("using the default {}", prepared.merged.file.display());
    }
    let target = Target {
        store: settings.calib_store(opts.dircalib.as_deref(), &d.meta.exp)?,
        group: d.meta.det_type.calib_group().to_string(),
        source: d.source.clone(),
        range: opts.runrange,
        perms: perms.clone(),
    };
    let placed = target.place(std::slice::from_ref(&prepared.merged), !opts.deploy)?;
    super::deploy::log_placed(&placed, opts.deploy);
    Ok(ConstantsReport {
        prepared: Some(prepared),
        placed,
        deployed: opts.deploy,
        log: log.path().to_path_buf(),
    })
}
