//! `detcal deploy`: JUNGFRAU and ePix10ka constants from the panel repository into the
//! calibration store (psana's `jungfrau_deploy_constants` and `epix10ka_deploy_constants`).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::bail;
use detcal::detector::epix10ka::DEFAULT_GAINS;
use detcal::pipeline::deploy::{self, DeployOptions, EpixDeployOptions};
use detcal::store::RunRange;

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

ePix10ka, quad and 2M (psana's epix10ka_deploy_constants; repository default
$SIT_ROOT/detector/gains/epix10k/panels): -p chooses the constants (p pedestals, r pixel_rms,
s pixel_status, g pixel_gain from gain files, c pixel_gain from charge-injection gainci files;
default psrg). The 7 gain ranges FH FM FL AHL-H AML-M AHL-L AML-L of each panel are merged into
(7, 1, 352, 384) and the panels into (7, panels, 352, 384). A missing range always gets psana's
default: zeros for pedestals and status, ones for rms, the gain factor of the range for gains
(--high/--medium/--low, 16.4/5.466/0.164 ADU/keV); AHL-L/AML-L pedestals without their own file
are pedestals_FL + offsetph_AHL/AML (then written as float64). gainci files are scaled so that
their median is the range's factor. Deployed into <calib>/Epix10ka{,Quad,2M}::CalibV1/<source>/
<ctype>/<runbegin>-<runend>.data.

EXAMPLES:
    detcal deploy -e xpptut15 -r 1 --data-dir data -o panels -c calib -D
    detcal deploy -e xpptut15 -r 1 --det-type epix10ka --panel-ids epixpanel1 \\
        -t 20210223203420 -o epixrepo -c calib -D
    epix10ka_deploy_constants -e xpptut15 -r 1 --det-type epix10ka --panel-ids epixpanel1 \\
        -t 20210223203420 -o epixrepo -c calib -p psrc     (psana's name; a dry run)
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
    /// ePix10ka: which constants, letters of p (pedestals), r (rms), s (status), g (gain), c
    /// (gainci).
    #[arg(
        short = 'p',
        long = "proc",
        value_name = "LETTERS",
        default_value = "psrg"
    )]
    pub proc: String,
    /// ePix10ka: default gain factor of FH and AHL-H (ADU/keV).
    #[arg(long = "high", default_value_t = DEFAULT_GAINS.high)]
    pub high: f64,
    /// ePix10ka: default gain factor of FM and AML-M (ADU/keV).
    #[arg(long = "medium", default_value_t = DEFAULT_GAINS.medium)]
    pub medium: f64,
    /// ePix10ka: default gain factor of FL, AHL-L and AML-L (ADU/keV).
    #[arg(long = "low", default_value_t = DEFAULT_GAINS.low)]
    pub low: f64,
    /// First run of the validity range (psana's --runbegin; default the run).
    #[arg(long = "runbegin", value_name = "RUN", conflicts_with = "runrange")]
    pub runbegin: Option<u32>,
    /// Last run of the validity range, or end (psana's --runend).
    #[arg(long = "runend", value_name = "RUN", conflicts_with = "runrange")]
    pub runend: Option<String>,
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
        runrange: runrange(&a)?,
        epix: EpixDeployOptions {
            proc: a.proc.clone(),
            factors: detcal::detector::epix10ka::GainFactors {
                high: a.high,
                medium: a.medium,
                low: a.low,
            },
        },
    };
    let r = deploy::run(&opts, &settings)?;
    crate::output::print_placed(&r.placed, r.deployed);
    Ok(ExitCode::from(EXIT_OK))
}

/// The validity range: -R, or --runbegin/--runend (the run and `end` by default).
fn runrange(a: &Args) -> anyhow::Result<Option<RunRange>> {
    if a.runbegin.is_none() && a.runend.is_none() {
        return Ok(a.deploy.runrange);
    }
    let begin = match a.runbegin {
        Some(b) => b,
        None => match a.det.run.as_deref().map(str::parse::<u32>) {
            Some(Ok(r)) => r,
            _ => bail!("--runend needs --runbegin or a single run number (-r)"),
        },
    };
    let end = a.runend.as_deref().unwrap_or("end");
    Ok(Some(format!("{begin}-{end}").parse()?))
}
