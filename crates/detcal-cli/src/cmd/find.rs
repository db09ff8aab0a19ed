//! `detcal find`: the constants file valid for a run, by psana's run-range rule.

use std::process::ExitCode;

use anyhow::Context;

use crate::args::StoreEntryArgs;
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
    pub entry: StoreEntryArgs,
    /// Run number.
    #[arg(short, long, value_name = "N")]
    pub run: u32,
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let (store, group) = a.entry.store_and_group()?;
    let found = store
        .find(&group, &a.entry.source, &a.entry.ctype, a.run)
        .with_context(|| format!("looking up {} for run {}", a.entry.ctype, a.run))?;
    match found {
        Some(p) => {
            println!("{}", p.display());
            Ok(ExitCode::from(EXIT_OK))
        }
        None => {
            eprintln!(
                "detcal: no {} file for run {} in {}",
                a.entry.ctype,
                a.run,
                store
                    .ctype_dir(&group, &a.entry.source, &a.entry.ctype)?
                    .display()
            );
            Ok(ExitCode::from(EXIT_NOT_FOUND))
        }
    }
}
