//! `detcal repo`: put arrays into the constants repository, and make default files.

use std::path::PathBuf;
use std::process::ExitCode;

use detcal::detector::DetType;
use detcal::pipeline::repo::{self, DefaultOptions, PutOptions};

use crate::args::PermArgs;
use crate::cli::EXIT_OK;
use crate::detrun::DetRunArgs;

pub const AFTER_HELP: &str = "\
put saves a user's array (e.g. a hand-made bad-pixel map as status_user) in the repository
under a name with the detector type, panel alias, time stamp, experiment and run, so that
deploy-constants finds it by time: 2-D for one panel, 3-D (panels, rows, cols), or 4-D (gain
modes, panels, rows, cols; one file per gain mode, named _g0, _g1, _g2). default writes a
detector type's default file: a constant array (--value, --shape), or psana's default
common_mode parameters with --ctype common_mode.

EXAMPLES:
    detcal repo put mask.npy --ctype status_user -e xpptut15 -r 1 --data-dir data -o constants
    detcal repo default --det-type epix100a --ctype gain --value 0.06 -o constants";

/// The long help of `repo put`.
pub const PUT_AFTER_HELP: &str = "\
EXAMPLE:
    detcal repo put mask.npy --ctype status_user -e xpptut15 -r 1 --data-dir data -o constants";

/// The long help of `repo default`.
pub const DEFAULT_AFTER_HELP: &str = "\
EXAMPLES:
    detcal repo default --det-type epix100a --ctype gain --value 0.06 -o constants
    detcal repo default --det-type jungfrau --ctype common_mode -o constants";

/// Put arrays into the constants repository or write default files.
#[derive(Debug, clap::Subcommand)]
pub enum Args {
    /// Save an array for the detector of a run (psana save_constants_in_repository).
    #[command(after_help = PUT_AFTER_HELP)]
    Put(PutArgs),
    /// Write the default file of a constants type for a detector type.
    #[command(after_help = DEFAULT_AFTER_HELP)]
    Default(DefaultArgs),
}

/// `repo put`.
#[derive(Debug, clap::Args)]
pub struct PutArgs {
    /// The array (.npy or text).
    #[arg(value_name = "ARRAY")]
    pub array: PathBuf,
    /// The constants type, e.g. status_user, status_dark, gain.
    #[arg(
        short = 'C',
        long = "ctype",
        value_name = "CTYPE",
        default_value = "status_user"
    )]
    pub ctype: String,
    /// Time stamp YYYYmmddHHMMSS from which the array is valid [default: the run's start].
    #[arg(short = 't', long = "tstamp", value_name = "T")]
    pub tstamp: Option<String>,
    #[command(flatten)]
    pub det: DetRunArgs,
    /// Repository [default: $SIT_ROOT/detector/calib/constants].
    #[arg(short = 'o', long = "dirrepo", value_name = "DIR")]
    pub dirrepo: Option<PathBuf>,
    /// Number format (default: %d for status, %.4f otherwise).
    #[arg(long, value_name = "FMT")]
    pub fmt: Option<String>,
    #[command(flatten)]
    pub perms: PermArgs,
}

/// `repo default`.
#[derive(Debug, clap::Args)]
pub struct DefaultArgs {
    /// Detector type (epix100a, jungfrau, cspad, pnccd, ...).
    #[arg(long = "det-type", value_name = "TYPE")]
    pub det_type: DetType,
    /// Constants type (gain, pedestals, rms, common_mode, ...).
    #[arg(short = 'C', long = "ctype", value_name = "CTYPE")]
    pub ctype: String,
    /// The value of every pixel (needed unless --from, or --ctype common_mode).
    #[arg(long, value_name = "X")]
    pub value: Option<f64>,
    /// Shape ROWSxCOLS or AxBxC... [default: the type's fixed shape, e.g. 704x768 for epix100a].
    #[arg(long, value_name = "SHAPE")]
    pub shape: Option<String>,
    /// Take the array from this file instead.
    #[arg(long, value_name = "FILE", conflicts_with = "value")]
    pub from: Option<PathBuf>,
    /// Repository [default: $SIT_ROOT/detector/calib/constants].
    #[arg(short = 'o', long = "dirrepo", value_name = "DIR")]
    pub dirrepo: Option<PathBuf>,
    #[command(flatten)]
    pub perms: PermArgs,
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    match a {
        Args::Put(p) => put(p),
        Args::Default(d) => default(d),
    }
}

fn put(a: PutArgs) -> anyhow::Result<ExitCode> {
    let settings = crate::args::settings(&a.perms, a.det.root.data_dir.as_deref());
    let opts = PutOptions {
        array: a.array.clone(),
        ctype: a.ctype.clone(),
        tstamp: a.tstamp.clone(),
        det: a.det.spec(),
        dirrepo: a.dirrepo.clone(),
        fmt: a.fmt.clone(),
    };
    for f in repo::put(&opts, &settings)?.files {
        println!("{}", f.display());
    }
    Ok(ExitCode::from(EXIT_OK))
}

fn default(a: DefaultArgs) -> anyhow::Result<ExitCode> {
    let settings = crate::args::settings(&a.perms, None);
    let opts = DefaultOptions {
        det_type: a.det_type,
        ctype: a.ctype.clone(),
        value: a.value,
        shape: a.shape.clone(),
        from: a.from.clone(),
        dirrepo: a.dirrepo.clone(),
    };
    let r = repo::default(&opts, &settings)?;
    println!("{}", r.file.display());
    Ok(ExitCode::from(EXIT_OK))
}
