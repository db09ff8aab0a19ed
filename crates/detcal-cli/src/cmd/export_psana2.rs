//! `detcal export-psana2`: detcal's constants as psana2's calibration cache (`calibconst.pkl`).

use std::path::PathBuf;
use std::process::ExitCode;

use detcal::pipeline::export_psana2::{self, DEFAULT_DIR, ExportOptions};

use crate::args::{CalibDirArg, DatasetArgs, PermArgs};
use crate::cli::EXIT_OK;

pub const AFTER_HELP: &str = "\
psana2 (LCLS-II, PyPI psana) reads constants from the LCLS-II calibration database, or, with
DataSource(..., use_calib_cache=True), from one file: /dev/shm/calibconst.pkl. This command
writes that file from detcal's calibration store, so that det.raw.calib(evt),
det.raw._pedestals() and the others in psana2 use detcal's constants:

    from psana import DataSource
    ds = DataSource(files=['xpptut15-r0001-s000-c000.xtc2'], use_calib_cache=True)

For every raw detector of the run (or those of --det), the constants valid for the run
(pedestals, pixel_gain, pixel_offset, pixel_status, status_extra, pixel_rms, pixel_mask,
common_mode, geometry: those the store has) of its default source <alias>.0:<Type>.0 are
written with psana's element types and the database's metadata keys, under the detector's
unique id as the run's Configure gives it. psana2 uses the file only when it names every
detector of the run with that id. A detector without pedestals for the run, or whose constants
do not have the run's frame shape, is an error. The file is written as psana2 writes it:
calibconst.pkl.inprogress, then renamed.

psana2's det.raw.calib applies no common mode unless asked (cmpars=...) and masks with
pixel_status and status_extra only: see docs/psana-compat.md.

EXAMPLES:
    detcal export-psana2 exp=xpptut15:run=2 --data-dir data -c calib --out .
    detcal export-psana2 -e xpptut15 -r 2 --data-dir data -c calib --det jungfrau --out .";

/// Write psana2's calibration cache (calibconst.pkl) with detcal's constants of a run.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub data: DatasetArgs,
    #[command(flatten)]
    pub calib: CalibDirArg,
    /// Only this detector (DAQ alias; repeat for more) [default: every raw detector].
    #[arg(short = 'd', long = "det", value_name = "ALIAS")]
    pub det: Vec<String>,
    /// Directory of the cache file (psana2 reads /dev/shm).
    #[arg(short, long, value_name = "DIR", default_value = DEFAULT_DIR)]
    pub out: PathBuf,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub perms: PermArgs,
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let settings = crate::args::settings(&a.perms, a.data.root.data_dir.as_deref());
    let opts = ExportOptions {
        dataset: a.data.spec(),
        calib_dir: a.calib.calib_dir.clone(),
        out_dir: a.out.clone(),
        detectors: a.det.clone(),
    };
    let r = export_psana2::run(&opts, &settings)?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&r)?);
        return Ok(ExitCode::from(EXIT_OK));
    }
    for d in &r.detectors {
        let names: Vec<&str> = d.constants.iter().map(|c| c.ctype.as_str()).collect();
        tracing::info!(
            "{} ({}) from {}: {}",
            d.name,
            d.unique_id,
            d.source,
            names.join(", ")
        );
    }
    println!("{}", r.out.display());
    Ok(ExitCode::from(EXIT_OK))
}
