//! `detcal repo`: put arrays into the constants repository, and make default files.

use std::path::PathBuf;
use std::process::ExitCode;

use detcal::NdArray;
use detcal::deploy::constants::{ConstantsRepo, DetRun};
use detcal::detector::{CalibType, DetType};
use detcal::formats;
use detcal::site;
use ndarray::{ArrayD, IxDyn};

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

fn repo_dir(given: &Option<PathBuf>) -> anyhow::Result<PathBuf> {
    Ok(match given {
        Some(p) => p.clone(),
        None => site::constants_repo(&site::root_dir(None, site::SIT_ROOT, "-o/--dirrepo")?),
    })
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    match a {
        Args::Put(p) => put(p),
        Args::Default(d) => default(d),
    }
}

fn put(a: PutArgs) -> anyhow::Result<ExitCode> {
    let d = a.det.resolve(a.tstamp.as_deref())?;
    let arr = formats::load_array(&a.array)?;
    let repo = ConstantsRepo::new(repo_dir(&a.dirrepo)?, a.perms.perms());
    let tstamp = site::tstamp(d.meta.start);
    let run = DetRun {
        det_type: d.meta.det_type,
        panel_ids: &d.meta.panel_ids,
        exp: &d.meta.exp,
        run: d.meta.run,
        tstamp: &tstamp,
        source: &d.source,
    };
    for f in repo.put(&run, &a.ctype, &arr, a.fmt.as_deref())? {
        println!("{}", f.display());
    }
    Ok(ExitCode::from(EXIT_OK))
}

fn default(a: DefaultArgs) -> anyhow::Result<ExitCode> {
    let repo = ConstantsRepo::new(repo_dir(&a.dirrepo)?, a.perms.perms());
    let arr = if let Some(f) = &a.from {
        formats::load_array(f)?
    } else if a.ctype == CalibType::CommonMode.name() {
        NdArray::F64(ArrayD::from_shape_vec(
            IxDyn(&[16]),
            a.det_type.default_common_mode().to_vec(),
        )?)
    } else {
        let shape: Vec<usize> = match &a.shape {
            Some(s) => s
                .split('x')
                .map(|d| d.trim().parse::<usize>())
                .collect::<Result<_, _>>()
                .map_err(|_| anyhow::anyhow!("--shape {s:?}: expected sizes like 704x768"))?,
            None => a
                .det_type
                .base_shape()
                .map(<[usize]>::to_vec)
                .ok_or_else(|| {
                    anyhow::anyhow!("{} has no fixed shape; give --shape", a.det_type)
                })?,
        };
        let value = a
            .value
            .ok_or_else(|| anyhow::anyhow!("--ctype {}: give --value (or --from)", a.ctype))?;
        NdArray::F32(ArrayD::from_elem(IxDyn(&shape), value as f32))
    };
    let path = repo.write_default(a.det_type, &a.ctype, &arr, None)?;
    println!("{}", path.display());
    Ok(ExitCode::from(EXIT_OK))
}
