//! Options shared by several commands.

use std::path::PathBuf;

use detcal::apply::Selection;
use detcal::files::{self, DEFAULT_GROUP, Perms};
use detcal::pipeline::calib::{CalibInput, CommonMode};

/// psana's options for the modes and group of what a command creates.
#[derive(Debug, Clone, clap::Args)]
pub struct PermArgs {
    /// Mode of new directories (octal 0o2775 or 02775, or decimal 1533).
    #[arg(long, value_name = "MODE", default_value = "0o2775", value_parser = parse_mode)]
    pub dirmode: u32,
    /// Mode of new files (octal 0o664 or 0664, or decimal 436).
    #[arg(long, value_name = "MODE", default_value = "0o664", value_parser = parse_mode)]
    pub filemode: u32,
    /// Group of new files and directories, changed where permitted ('' leaves groups alone).
    #[arg(long, value_name = "GROUP", default_value = DEFAULT_GROUP)]
    pub group: String,
}

impl PermArgs {
    /// The modes and group as the library takes them.
    pub fn perms(&self) -> Perms {
        Perms::new(self.dirmode, self.filemode, &self.group)
    }
}

fn parse_mode(s: &str) -> Result<u32, String> {
    files::parse_mode(s).map_err(|e| e.to_string())
}

/// Which data to read: a dataset as psana names it, or an experiment and runs.
#[derive(Debug, Clone, clap::Args)]
pub struct DatasetArgs {
    /// Dataset: an .xtc2 file, files separated by commas, or exp=<exp>:run=<runs>[:dir=<dir>]
    /// (runs like 7, 7,8 or 7-9); also a raw NumPy stack (.npy with its .json description), and
    /// exp=...:run=... finds the stacks of runs without XTC2 files in <root>/<INS>/<exp>/npy.
    #[arg(value_name = "DATASET", required_unless_present = "exp")]
    pub dataset: Option<String>,
    /// Experiment (with --run), instead of DATASET.
    #[arg(
        short = 'e',
        long = "exp",
        value_name = "EXP",
        requires = "run",
        conflicts_with = "dataset"
    )]
    pub exp: Option<String>,
    /// Run number(s) of --exp: 7, 7,8 or 7-9.
    #[arg(short = 'r', long = "run", value_name = "RUNS")]
    pub run: Option<String>,
    #[command(flatten)]
    pub root: crate::args::DataDirArg,
}

impl DatasetArgs {
    /// The dataset string psana would take.
    pub fn spec(&self) -> String {
        match (&self.dataset, &self.exp, &self.run) {
            (Some(d), _, _) => d.clone(),
            (None, Some(e), Some(r)) => format!("exp={e}:run={r}"),
            _ => unreachable!("clap requires a dataset or --exp with --run"),
        }
    }
}

/// Which detector, which constants and which events to calibrate (`detcal calib`, `detcal plot`
/// of a dataset).
#[derive(Debug, Clone, clap::Args)]
pub struct CalibDetArgs {
    /// DAQ alias of the detector (default: the only detector with raw data).
    #[arg(
        short = 's',
        long = "det",
        short_alias = 'd',
        visible_alias = "detector",
        value_name = "ALIAS"
    )]
    pub det: Option<String>,
    #[command(flatten)]
    pub calib: CalibDirArg,
    /// DetInfo source naming the detector in the store [default: <alias>.0:<Type>.0].
    #[arg(long, value_name = "SRC")]
    pub calib_source: Option<String>,
    /// At most this many events (after --evskip), over all runs.
    #[arg(short = 'n', long, value_name = "N")]
    pub events: Option<u64>,
    /// Frames to skip at the start of each run (of the chosen --step, if any); damaged events do
    /// not count.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub evskip: u64,
    /// Only this step (0-based).
    #[arg(long, value_name = "K")]
    pub step: Option<u32>,
    /// psana's common-mode parameters instead of the deployed ones, e.g. 7,1,100,0.
    #[arg(
        long,
        value_name = "LIST",
        value_delimiter = ',',
        allow_negative_numbers = true,
        conflicts_with = "no_cm"
    )]
    pub cmpars: Option<Vec<f64>>,
    /// No common-mode correction.
    #[arg(long)]
    pub no_cm: bool,
    /// A user mask (.npy or text), one value per pixel of a frame, 0 for bad pixels.
    #[arg(long, value_name = "FILE")]
    pub mask: Option<PathBuf>,
}

impl CalibDetArgs {
    /// The event selection.
    pub fn selection(&self) -> Selection {
        Selection {
            skip: self.evskip,
            events: self.events,
            step: self.step,
        }
    }

    /// The library's description of what to calibrate in `dataset`.
    pub fn input(&self, dataset: String) -> CalibInput {
        CalibInput {
            dataset,
            det: self.det.clone(),
            calib_dir: self.calib.calib_dir.clone(),
            calib_source: self.calib_source.clone(),
            selection: self.selection(),
            common_mode: match (&self.cmpars, self.no_cm) {
                (_, true) => CommonMode::Off,
                (Some(c), false) => CommonMode::Params(c.clone()),
                (None, false) => CommonMode::Deployed,
            },
            mask: self.mask.clone(),
            evcode: None,
        }
    }
}

/// The job's settings: the environment's roots, the data root replaced by `--data-dir` when
/// given, and the modes and group of new files.
pub fn settings(
    perms: &PermArgs,
    data_dir: Option<&std::path::Path>,
) -> detcal::settings::Settings {
    detcal::settings::Settings::from_env()
        .with_data_dir(data_dir)
        .with_perms(perms.perms())
}

/// A panel shape `ROWSxCOLS` (`512x1024`).
pub fn parse_shape(s: &str) -> anyhow::Result<(usize, usize)> {
    s.split_once('x')
        .and_then(|(r, c)| Some((r.parse().ok()?, c.parse().ok()?)))
        .ok_or_else(|| anyhow::anyhow!("--shape {s:?}: expected ROWSxCOLS, e.g. 512x1024"))
}

/// The calibration store of an experiment (`-c`), psana's `--dircalib`/`--clbdir` as aliases.
#[derive(Debug, Clone, clap::Args)]
pub struct CalibDirArg {
    /// The experiment's calibration directory [default: <data-dir or $SIT_PSDM_DATA>/<INS>/<exp>/calib].
    #[arg(
        short = 'c',
        long = "calib-dir",
        visible_aliases = ["dircalib", "clbdir"],
        value_name = "DIR"
    )]
    pub calib_dir: Option<std::path::PathBuf>,
}

/// psana's `-t`: the time that chooses repository files.
#[derive(Debug, Clone, clap::Args)]
pub struct TstampArg {
    /// Time stamp YYYYmmddHHMMSS choosing repository files (a value <= 9999 is a run number whose
    /// start is used) [default: the run's start].
    #[arg(short = 't', long = "tstamp", value_name = "T")]
    pub tstamp: Option<String>,
}

/// Whether to deploy, and the run range the deployed files are valid for.
#[derive(Debug, Clone, clap::Args)]
pub struct DeployArgs {
    /// Deploy into the calibration store (without it: a dry run).
    #[arg(short = 'D', long = "deploy")]
    pub deploy: bool,
    /// Validity of the deployed files, e.g. 10-20 or 10-end [default: <run>-end; for
    /// deploy-constants 0-end].
    #[arg(
        short = 'R',
        long = "runrange",
        visible_alias = "run-range",
        value_name = "B-E"
    )]
    pub runrange: Option<detcal::store::RunRange>,
}

/// Which constants in the calibration store: the store (`-c`, or `-e` under the data root), the
/// detector's DetInfo source and the calibration type (calibrun's options).
#[derive(Debug, Clone, clap::Args)]
pub struct StoreEntryArgs {
    #[command(flatten)]
    pub calib: CalibDirArg,
    /// Experiment name, to find the calibration directory under SIT_PSDM_DATA.
    #[arg(short, long, value_name = "EXP", required_unless_present = "calib_dir")]
    pub exp: Option<String>,
    /// DetInfo source, e.g. CxiDs1.0:Jungfrau.0 (its detector type gives the calibration group).
    #[arg(short, long, value_name = "SRC")]
    pub source: String,
    /// Calibration type: pedestals, pixel_rms, pixel_status, pixel_gain, pixel_offset, ...
    #[arg(short = 't', long, value_name = "CTYPE")]
    pub ctype: String,
    /// Calibration group directory, when the source does not name a known detector type.
    #[arg(long = "calib-group", value_name = "GROUP")]
    pub calib_group: Option<String>,
}

impl StoreEntryArgs {
    /// The calibration store and the group directory of the source.
    pub fn store_and_group(&self) -> anyhow::Result<(detcal::store::CalibStore, String)> {
        use detcal::store::CalibStore;
        let store = match (&self.calib.calib_dir, &self.exp) {
            (Some(d), _) => CalibStore::new(d),
            (None, Some(exp)) => CalibStore::for_experiment(None, exp)?,
            (None, None) => {
                anyhow::bail!("give the calibration directory (-c) or the experiment (-e)")
            }
        };
        let group = match &self.calib_group {
            Some(g) => g.clone(),
            None => CalibStore::group_for_source(&self.source)?.to_string(),
        };
        Ok((store, group))
    }
}

/// The root of experiment data (`--data-dir`), instead of `$SIT_PSDM_DATA`.
#[derive(Debug, Clone, clap::Args)]
pub struct DataDirArg {
    /// Root of experiment data, instead of $SIT_PSDM_DATA (<root>/<INS>/<exp>/xtc/...).
    #[arg(long = "data-dir", value_name = "DIR")]
    pub data_dir: Option<std::path::PathBuf>,
}

/// Event-code selection from the runs' LCLS-II timing data (`--evcode`, `--beam-off`), for
/// commands whose `-c` means something else (`calib`, `extract`).
#[derive(Debug, Clone, clap::Args)]
pub struct EvcodeArgs {
    /// Only events with any of these event codes (psana's -c/--evcode: comma-separated; a
    /// negative code inverts: events with none of them), from the LCLS-II timing data; the
    /// selection comes before the event counters (-n, --evskip).
    #[arg(long = "evcode", value_name = "CODES", allow_hyphen_values = true)]
    pub evcode: Option<String>,
    /// Only drop shots (beam off): the same as --evcode 162 (LCLS-I BYKIK).
    #[arg(long = "beam-off", conflicts_with = "evcode")]
    pub beam_off: bool,
}

impl EvcodeArgs {
    /// The selection, if one is asked for.
    pub fn selection(&self) -> detcal::Result<Option<detcal::evcode::EventCodeSelection>> {
        evcode_selection(self.evcode.as_deref(), self.beam_off)
    }
}

/// The selection of `-c/--evcode LIST` or `--beam-off`, if either is given.
pub fn evcode_selection(
    list: Option<&str>,
    beam_off: bool,
) -> detcal::Result<Option<detcal::evcode::EventCodeSelection>> {
    use detcal::evcode::EventCodeSelection;
    Ok(match (list, beam_off) {
        (Some(list), _) => Some(EventCodeSelection::parse(list)?),
        (None, true) => Some(EventCodeSelection::beam_off()),
        (None, false) => None,
    })
}
