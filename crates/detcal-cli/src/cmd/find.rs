//! `detcal find`: the constants file valid for a run, by psana's run-range rule.

use std::process::ExitCode;

use anyhow::Context;
use detcal::store::CalibStore;

use crate::args::CalibDirArg;
use crate::cli::{EXIT_NOT_FOUND, EXIT_OK};

pub const AFTER_HELP: &str = "\
The file is chosen as psana chooses it, among <calib-dir>/<group>/<source>/<ctype>/<b>-<e>.data:
of the files whose range covers the run, the one with the largest begin, then the smallest end.
'end' stands for run 9999, and runs above 9999 count as 9999. Names that are not <b>-<e>.data
are ignored; malformed ones (1-2-3.data, 5-abc.data, 10000-end.data) are skipped with a warning.

EXAMPLES:
    detcal find --calib-dir calib --source CxiDs1.0:Jungfrau.0 --ctype pedestals --run 23
    detcal find --calib-dir calib --source CxiDs1.0:Jungfrau.0 --ctype pedestals --run 5 \\
        (exit status 1: no file is valid for run 5)";

/// Print the path of the constants file valid for a run.
#[derive(Debug, clap::Args)]
pub struct Args {
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
    /// Run number.
    #[arg(short, long, value_name = "N")]
    pub run: u32,
    /// Calibration group directory, when the source does not name a known detector type.
    #[arg(long = "calib-group", value_name = "GROUP")]
    pub calib_group: Option<String>,
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let store = match (&a.calib.calib_dir, &a.exp) {
        (Some(d), _) => CalibStore::new(d),
        (None, Some(exp)) => CalibStore::for_experiment(None, exp)?,
        (None, None) => unreachable!("clap requires one of them"),
    };
    let group = match &a.calib_group {
        Some(g) => g.as_str(),
        None => CalibStore::group_for_source(&a.source)?,
    };
    let found = store
        .find(group, &a.source, &a.ctype, a.run)
        .with_context(|| format!("looking up {} for run {}", a.ctype, a.run))?;
    match found {
        Some(p) => {
            println!("{}", p.display());
            Ok(ExitCode::from(EXIT_OK))
        }
        None => {
            eprintln!(
                "detcal: no {} file for run {} in {}",
                a.ctype,
                a.run,
                store.ctype_dir(group, &a.source, &a.ctype)?.display()
            );
            Ok(ExitCode::from(EXIT_NOT_FOUND))
        }
    }
}
