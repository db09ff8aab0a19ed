//! Options shared by several commands.

use detcal::files::{self, DEFAULT_GROUP, Perms};

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
    /// (runs like 7, 7,8 or 7-9).
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
    /// Root of experiment data, instead of $SIT_PSDM_DATA (<root>/<INS>/<exp>/xtc/...).
    #[arg(long = "data-dir", value_name = "DIR")]
    pub data_dir: Option<std::path::PathBuf>,
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
