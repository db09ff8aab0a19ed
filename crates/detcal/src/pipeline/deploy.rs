/*!
JUNGFRAU and ePix10ka constants from the panel repository into the calibration store (psana's
`jungfrau_deploy_constants` and `epix10ka_deploy_constants`).
*/

use std::path::PathBuf;

use serde::Serialize;

use crate::deploy::epix10ka::EpixMergeRequest;
use crate::deploy::jungfrau::{MergeRequest, Pick, merge};
use crate::deploy::{Placement, Target};
use crate::detector::DetType;
use crate::detector::epix10ka::{DEFAULT_GAINS, GainFactors};
use crate::detrun::DetRunSpec;
use crate::error::{Error, Result};
use crate::repo::{Repo, RepoKind, joblog};
use crate::settings::Settings;
use crate::site;
use crate::store::RunRange;

/// What to merge and where to deploy it.
#[derive(Debug, Clone, Default)]
pub struct DeployOptions {
    /// The detector and run.
    pub det: DetRunSpec,
    /// psana's `-t`: the time stamp (or a run whose start is used) instead of the run's start.
    pub tstamp: Option<String>,
    /// The panel repository (`-o`); default under `SIT_ROOT`.
    pub dirrepo: Option<PathBuf>,
    /// The calibration store (`-c`); default the experiment's.
    pub dircalib: Option<PathBuf>,
    /// Only these panel indices (`-I`).
    pub paninds: Option<Vec<usize>>,
    /// Deploy (`-D`); otherwise only plan.
    pub deploy: bool,
    /// Use psana's defaults for missing panels or gain modes (`-E`).
    pub errskip: bool,
    /// The validity range (`-R`); default `<run>-end`.
    pub runrange: Option<RunRange>,
    /// ePix10ka: which constants and the default gain factors.
    pub epix: EpixDeployOptions,
}

/// The options of psana's `epix10ka_deploy_constants` that JUNGFRAU's deploy does not have.
#[derive(Debug, Clone)]
pub struct EpixDeployOptions {
    /// Which constants (`-p`): p pedestals, r pixel_rms, s pixel_status, g pixel_gain from
    /// `gain` files, c pixel_gain from `gainci` files; default `psrg`.
    pub proc: String,
    /// Default gain factors (`--high/--medium/--low`).
    pub factors: GainFactors,
}

impl Default for EpixDeployOptions {
    fn default() -> Self {
        EpixDeployOptions {
            proc: crate::deploy::epix10ka::DEFAULT_PROC.to_string(),
            factors: DEFAULT_GAINS,
        }
    }
}

/// What a deploy job did.
#[derive(Debug, Clone, Serialize)]
pub struct DeployReport {
    /// Which repository file went where, per panel, type and gain index.
    pub picks: Vec<Pick>,
    /// The merged files and their places in the store.
    pub placed: Vec<Placement>,
    /// Whether they were deployed (false: a dry run).
    pub deployed: bool,
    /// The job's log file.
    pub log: PathBuf,
}

/// Merges the panels' dark constants of the run's time and deploys them (or plans to).
pub fn run(opts: &DeployOptions, settings: &Settings) -> Result<DeployReport> {
    let d = opts.det.resolve(opts.tstamp.as_deref(), settings)?;
    let epix = matches!(
        d.meta.det_type,
        DetType::Epix10ka | DetType::Epix10kaQuad | DetType::Epix10ka2M
    );
    if d.meta.det_type != DetType::Jungfrau && !epix {
        return Err(Error::unsupported(
            d.meta.det_type,
            format!(
                "{} is a {}, not a JUNGFRAU or ePix10ka; use deploy-constants",
                d.meta.alias, d.meta.det_type
            ),
        ));
    }
    let perms = &settings.perms;
    let kind = if epix {
        RepoKind::EPIX10KA
    } else {
        RepoKind::JUNGFRAU
    };
    let dirrepo = settings.panels_repo_of(&kind, opts.dirrepo.as_deref())?;
    let repo = Repo::new(&dirrepo, perms.clone());
    let script = if epix {
        "epix10ka_deploy_constants"
    } else {
        "jungfrau_deploy_constants"
    };
    let log = joblog::start(settings, &dirrepo, &dirrepo.join("logs"), script)?;
    let tstamp = site::tstamp(d.meta.start);
    tracing::info!(
        "{} run {} detector {} ({} panels), source {}, time stamp {tstamp}, repository {}",
        d.meta.exp,
        d.meta.run,
        d.meta.alias,
        d.meta.panel_ids.len(),
        d.source,
        dirrepo.display()
    );
    let result = if epix {
        crate::deploy::epix10ka::merge(&EpixMergeRequest {
            repo: &repo,
            panel_ids: &d.meta.panel_ids,
            panel_indices: opts.paninds.as_deref(),
            tstamp: &tstamp,
            exp: &d.meta.exp,
            run: d.meta.run,
            det_name: &d.source,
            proc: &opts.epix.proc,
            factors: opts.epix.factors,
            use_defaults: opts.errskip,
        })?
    } else {
        merge(&MergeRequest {
            repo: &repo,
            panel_ids: &d.meta.panel_ids,
            panel_indices: opts.paninds.as_deref(),
            tstamp: &tstamp,
            exp: &d.meta.exp,
            run: d.meta.run,
            det_name: &d.source,
            use_defaults: opts.errskip,
        })?
    };
    for p in &result.picks {
        let f = p
            .file
            .as_ref()
            .map_or("default".to_string(), |f| f.display().to_string());
        tracing::info!("panel {} {} gain {}: {f}", p.panel, p.ctype, p.gain);
    }
    let target = Target {
        store: settings.calib_store(opts.dircalib.as_deref(), &d.meta.exp)?,
        group: d.meta.det_type.calib_group().to_string(),
        source: d.source.clone(),
        range: opts.runrange.unwrap_or(RunRange::from_run(d.meta.run)),
        perms: perms.clone(),
    };
    let placed = target.place(&result.merged, !opts.deploy)?;
    log_placed(&placed, opts.deploy);
    tracing::info!("log: {}", log.path().display());
    Ok(DeployReport {
        picks: result.picks,
        placed,
        deployed: opts.deploy,
        log: log.path().to_path_buf(),
    })
}

/// Logs what was (or would be) deployed where.
pub fn log_placed(placed: &[Placement], deployed: bool) {
    for p in placed {
        let verb = if deployed { "deployed" } else { "would deploy" };
        tracing::info!("{verb} {} -> {}", p.from.display(), p.to.display());
    }
    if !deployed {
        tracing::info!("dry run: nothing deployed; add -D to deploy");
    }
}
