//! `detcal deploy`: JUNGFRAU dark constants from the panel repository into the calibration store
//! (psana's `jungfrau_deploy_constants`).

use std::path::PathBuf;
use std::process::ExitCode;

use detcal::pipeline::deploy::{self, DeployOptions};

use crate::args::{CalibDirArg, DeployArgs, PermArgs, TstampArg};
use crate::cli::EXIT_OK;
use crate::detrun::DetRunArgs;

pub const AFTER_HELP: &str = "\
For each panel of the detector (or those of -I), and each of pedestals, rms, status, dark_min and
dark_max, the repository file of each gain index valid for the time stamp is taken: the latest
one not later than it, every gain-mode name of the index competing (Normal and HighGain0 for 0,
ForcedGain1 and FixedGain1 for 1, ForcedGain2 and FixedGain2 for 2). The three are merged per
panel into <repo>/<panel>/<ctype>/<prefix>_<ctype>.txt (3, 1, rows, cols), and the panels into
<repo>/merge_tmp/<source>-<tstamp>-<exp>-r<NNNN>-<ctype>.txt (3, panels, rows, cols). With -D they
are deployed as pedestals, pixel_rms, pixel_status, dark_min and dark_max into
<calib>/Jungfrau::CalibV1/<source>/<ctype>/<run>-end.data (or -R B-E). Without -D nothing in the
calibration store changes: the command prints what it would deploy.

A missing panel or gain mode is an error naming it; with -E psana's defaults are used instead
(zeros; ones for rms; 16383 for dark_max). The time stamp is the run's start (local time), or -t:
YYYYmmddHHMMSS, or a run number up to 9999 whose start is used.

EXAMPLES:
    detcal deploy -e xpptut15 -r 1 --data-dir data -o panels -c calib -D
    jungfrau_deploy_constants -e xpptut15 -d jungfrau -r 2 -o ./work -D   (psana's name)";

/// Merge JUNGFRAU dark constants per panel and gain mode and deploy them (psana
/// jungfrau_deploy_constants).
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub det: DetRunArgs,
    #[command(flatten)]
    pub tstamp: TstampArg,
    /// Panel repository [default: $SIT_ROOT/detector/gains/jungfrau/panels].
    #[arg(short = 'o', long = "dirrepo", value_name = "DIR")]
    pub dirrepo: Option<PathBuf>,
    #[command(flatten)]
    pub calib: CalibDirArg,
    /// Only these panel indices, comma-separated (e.g. 0,3).
    #[arg(
        short = 'I',
        long = "paninds",
        value_name = "LIST",
        value_delimiter = ','
    )]
    pub paninds: Option<Vec<usize>>,
    #[command(flatten)]
    pub deploy: DeployArgs,
    /// Use psana's defaults for missing panels and gain modes instead of failing.
    #[arg(short = 'E', long = "errskip")]
    pub errskip: bool,
    /// Log level (psana's -L; DEBUG shows more).
    #[arg(
        short = 'L',
        long = "logmode",
        value_name = "LEVEL",
        default_value = "INFO"
    )]
    pub logmode: String,
    #[command(flatten)]
    pub perms: PermArgs,
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let settings = crate::args::settings(&a.perms, a.det.root.data_dir.as_deref());
    let opts = DeployOptions {
        det: a.det.spec(),
        tstamp: a.tstamp.tstamp.clone(),
        dirrepo: a.dirrepo.clone(),
        dircalib: a.calib.calib_dir.clone(),
        paninds: a.paninds.clone(),
        deploy: a.deploy.deploy,
        errskip: a.errskip,
        runrange: a.deploy.runrange,
    };
    let r = deploy::run(&opts, &settings)?;
    crate::output::print_placed(&r.placed, r.deployed);
    Ok(ExitCode::from(EXIT_OK))
}
