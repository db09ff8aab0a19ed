//! `detcal deploy-constants`: constants of any detector from the per-type repository, and the
//! status_* merge into status_extra (psana's `deploy_constants`).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use detcal::deploy::Target;
use detcal::deploy::constants::{ConstantsRepo, DetRun};
use detcal::site;
use detcal::store::{CalibStore, RunRange};

use crate::args::PermArgs;
use crate::cli::{EXIT_NOT_FOUND, EXIT_OK};
use crate::detrun::DetRunArgs;
use crate::output;

pub const AFTER_HELP: &str = "\
The repository is <dirrepo>/<type>/ (type: jungfrau, epix100a, epix10kaquad, ...), with constants
per panel in <type>/<panel_id>/<ctype>/<type>_<alias>_<tstamp>_<exp>_r<NNNN>_<ctype>.txt and
defaults in <type>/default/<type>_default_<ctype>.txt. -C names the constants and how they are
deployed: gain or pixel_gain -> pixel_gain, rms or pixel_rms -> pixel_rms, status or
pixel_status -> pixel_status, status_extra, common_mode, geometry, pedestals, offset, mask.

The file valid for the time stamp (the latest not later) is deployed; for several panels their
files are assembled into the detector's array in <type>/merge_tmp/. Without one, the type's
default file is deployed, and without that nothing (a warning; exit status 1).

-C status_extra merges, for each panel, every status_* map (status_dark, status_user, ...; not
status_merged) valid for the time stamp by bitwise OR, keeps each panel's result in
<panel>/status_merged/, and deploys the detector's array as status_extra (JUNGFRAU: (3, panels,
rows, cols); a map saved for all gain modes applies to each). A map type with no valid file is
skipped with a warning.

EXAMPLES:
    detcal repo default --det-type epix100a --ctype gain --value 0.06 -o constants
    detcal deploy-constants -e xpptut15 -r 5 -d epix100 --det-type epix100a \\
        --panel-ids 0000000017 -t 20230101000000 -o constants -C gain -D   (the default file)
    detcal deploy-constants -e xpptut15 -r 1 --data-dir data -o constants -C status_extra -D
    detcal repo default --det-type jungfrau --ctype common_mode -o constants
    deploy_constants -e xpptut15 -d jungfrau -r 2 -o constants -C common_mode -D   (psana's name)";

/// Deploy constants of any detector from the per-type repository (psana deploy_constants).
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub det: DetRunArgs,
    /// What to deploy: gain, rms, status, status_extra, common_mode, geometry, pedestals, ...
    #[arg(
        short = 'C',
        long = "ctype",
        value_name = "CTYPE",
        default_value = "gain"
    )]
    pub ctype: String,
    /// Time stamp YYYYmmddHHMMSS selecting repository files (<= 9999: a run number whose start is
    /// used) [default: the run's start].
    #[arg(short = 't', long = "tstamp", value_name = "T")]
    pub tstamp: Option<String>,
    /// Repository [default: $SIT_ROOT/detector/calib/constants].
    #[arg(short = 'o', long = "dirrepo", value_name = "DIR")]
    pub dirrepo: Option<PathBuf>,
    /// Calibration directory [default: $SIT_PSDM_DATA/<INS>/<exp>/calib].
    #[arg(
        short = 'c',
        long = "dircalib",
        visible_alias = "calib-dir",
        value_name = "DIR"
    )]
    pub dircalib: Option<PathBuf>,
    /// psana's log level option (-l); messages go to the log whatever it is.
    #[arg(short = 'l', long = "loglev", default_value = "INFO")]
    pub loglev: String,
    /// Deploy into the calibration store (without it: a dry run).
    #[arg(short = 'D', long = "deploy")]
    pub deploy: bool,
    /// Validity of the deployed file.
    #[arg(
        short = 'R',
        long = "runrange",
        value_name = "B-E",
        default_value = "0-end"
    )]
    pub runrange: RunRange,
    #[command(flatten)]
    pub perms: PermArgs,
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let d = a.det.resolve(a.tstamp.as_deref())?;
    let perms = a.perms.perms();
    let dirrepo = match &a.dirrepo {
        Some(p) => p.clone(),
        None => site::constants_repo(&site::root_dir(None, site::SIT_ROOT, "-o/--dirrepo")?),
    };
    let repo = ConstantsRepo::new(&dirrepo, perms.clone());
    let type_dir = repo.type_dir(d.meta.det_type);
    output::start_job_log(&dirrepo, &type_dir.join("logs"), "deploy_constants", &perms)?;
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
        a.ctype
    );
    let Some(prepared) = repo.prepare(&run, &a.ctype)? else {
        return Ok(ExitCode::from(EXIT_NOT_FOUND));
    };
    for f in &prepared.found {
        for file in &f.files {
            tracing::info!("panel {}: {}", f.panel, file.display());
        }
    }
    if prepared.default {
        tracing::info!("using the default {}", prepared.merged.file.display());
    }
    let store = match &a.dircalib {
        Some(c) => CalibStore::new(c),
        None => CalibStore::for_experiment(None, &d.meta.exp)
            .context("finding the calibration directory (-c)")?,
    };
    let target = Target {
        store,
        group: d.meta.det_type.calib_group().to_string(),
        source: d.source.clone(),
        range: a.runrange,
        perms,
    };
    let placed = target.place(std::slice::from_ref(&prepared.merged), !a.deploy)?;
    detcal::pipeline::deploy::log_placed(&placed, a.deploy);
    output::print_placed(&placed, a.deploy);
    Ok(ExitCode::from(EXIT_OK))
}
