//! `detcal deploy-file`: put one constants file into an experiment's calibration store.

use std::path::PathBuf;
use std::process::ExitCode;

use detcal::detector::CalibType;
use detcal::formats::{self, FileFormat, text};
use detcal::store::{Deployment, RunRange};

use crate::args::{PermArgs, StoreEntryArgs};
use crate::cli::EXIT_OK;

pub const AFTER_HELP: &str = "\
The file goes to <calib-dir>/<group>/<source>/<ctype>/<begin>-<end>.data, where the group
comes from the source's detector type (CxiDs1.0:Jungfrau.0 -> Jungfrau::CalibV1). It is
written to a temporary file beside the destination and renamed into place, so readers never
see part of it; a file of the same name is replaced. One line is appended to the ctype's
HISTORY under a file lock, in psana's format.

A text input (.data, .txt, .dat) is checked to load and copied byte for byte. A .npy input
is written as psana text with the ctype's format (%.3f pedestals/pixel_rms, %4i
pixel_status, %.4f pixel_gain, %.1f pixel_offset, %d status_*), or --fmt.

EXAMPLE:
    detcal deploy-file peds.txt --calib-dir calib --source CxiDs1.0:Jungfrau.0 \\
        --ctype pedestals --run 23";

/// Deploy one file into the calibration store with run-range validity.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The constants file (.data, .txt, .dat or .npy).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    #[command(flatten)]
    pub entry: StoreEntryArgs,
    /// Valid from this run on (<run>-end.data).
    #[arg(
        short,
        long,
        value_name = "N",
        conflicts_with = "runrange",
        required_unless_present = "runrange"
    )]
    pub run: Option<u32>,
    /// Valid for this range of runs, e.g. 10-20 or 10-end.
    #[arg(
        short = 'R',
        long = "runrange",
        visible_alias = "run-range",
        value_name = "B-E"
    )]
    pub runrange: Option<RunRange>,
    /// Number format when a .npy input is written as text.
    #[arg(long, value_name = "FMT")]
    pub fmt: Option<String>,
    /// Comment for the HISTORY line.
    #[arg(long, value_name = "TEXT", default_value = "")]
    pub comment: String,
    #[command(flatten)]
    pub perms: PermArgs,
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let (store, group) = a.entry.store_and_group()?;
    let range = a
        .runrange
        .unwrap_or_else(|| RunRange::from_run(a.run.expect("clap requires it")));
    let perms = a.perms.perms();
    let d = Deployment {
        group: &group,
        source: &a.entry.source,
        ctype: &a.entry.ctype,
        range,
        perms,
        comment: a.comment.clone(),
    };
    // Check the names before any work, so bad names fail before anything is written.
    store.ctype_dir(&group, &a.entry.source, &a.entry.ctype)?;
    let arr = formats::load_array(&a.file)?;
    let deployed = match FileFormat::of_path(&a.file)? {
        FileFormat::Npy => {
            let fmt = a
                .fmt
                .clone()
                .unwrap_or_else(|| default_fmt(&a.entry.ctype, &arr).to_string());
            store.deploy_array(
                &arr,
                &text::TextOptions::new(&fmt)?,
                &a.file.display().to_string(),
                &d,
            )?
        }
        _ => store.deploy_file(&a.file, &d)?,
    };
    tracing::info!(
        "deployed {} {} as {}",
        detcal::formats::array::shape_str(arr.shape()),
        arr.dtype(),
        deployed.display()
    );
    println!("{}", deployed.display());
    Ok(ExitCode::from(EXIT_OK))
}

/// psana's number format for a ctype, or a lossless one for unknown types.
fn default_fmt(ctype: &str, arr: &detcal::NdArray) -> &'static str {
    match CalibType::from_name(ctype) {
        Some(c) if c != CalibType::CommonMode && c != CalibType::Geometry => c.jungfrau_fmt(),
        _ if detcal::detector::is_status_name(ctype) => "%d",
        _ => formats::lossless_fmt(arr.dtype()),
    }
}
