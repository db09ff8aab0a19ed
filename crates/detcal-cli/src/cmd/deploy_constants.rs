//! `detcal deploy-constants`: constants of any detector from the per-type repository, and the
//! status_* merge into status_extra (psana's `deploy_constants`).

use std::path::PathBuf;
use std::process::ExitCode;

use detcal::pipeline::deploy_constants::{self, ConstantsOptions};
use detcal::store::RunRange;

use crate::args::{CalibDirArg, DeployArgs, PermArgs, TstampArg};
use crate::cli::{EXIT_NOT_FOUND, EXIT_OK};
use crate::detrun::DetRunArgs;

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
    #[command(flatten)]
    pub tstamp: TstampArg,
    /// Repository [default: $SIT_ROOT/detector/calib/constants].
    #[arg(short = 'o', long = "dirrepo", value_name = "DIR")]
    pub dirrepo: Option<PathBuf>,
    #[command(flatten)]
    pub calib: CalibDirArg,
    /// psana's log level option (-l); messages go to the log whatever it is.
    #[arg(short = 'l', long = "loglev", default_value = "INFO")]
    pub loglev: String,
    #[command(flatten)]
    pub deploy: DeployArgs,
    #[command(flatten)]
    pub perms: PermArgs,
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let settings = crate::args::settings(&a.perms, a.det.root.data_dir.as_deref());
    let opts = ConstantsOptions {
        det: a.det.spec(),
        ctype: a.ctype.clone(),
        tstamp: a.tstamp.tstamp.clone(),
        dirrepo: a.dirrepo.clone(),
        dircalib: a.calib.calib_dir.clone(),
        deploy: a.deploy.deploy,
        runrange: a.deploy.runrange.unwrap_or(RunRange::from_run(0)),
    };
    let r = deploy_constants::run(&opts, &settings)?;
    if r.prepared.is_none() {
        return Ok(ExitCode::from(EXIT_NOT_FOUND));
    }
    crate::output::print_placed(&r.placed, r.deployed);
    Ok(ExitCode::from(EXIT_OK))
}
