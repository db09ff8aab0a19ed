//! `detcal gain-constants`: JUNGFRAU pixel_gain and pixel_offset from the per-panel gain
//! repository (psana's `jungfrau_gain_constants`), and `detcal gain-import` of vendor gain maps.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use detcal::deploy::Target;
use detcal::deploy::gains::{GainRequest, import_vendor_gains, merge_gains};
use detcal::detector::DetType;
use detcal::site;
use detcal::store::{CalibStore, RunRange};

use crate::args::PermArgs;
use crate::cli::EXIT_OK;
use crate::detrun::DetRunArgs;
use crate::output;

pub const AFTER_HELP: &str = "\
Each panel's gain directory is <repdir>/<panel_id> or <repdir>/<panel_id>-<YYYYmmddHHMMSS> (may be
a symbolic link to a module directory such as M088) holding g0, g1, g2 _gain.npy (ADU/keV) and
_offset.npy (ADU). The directory valid for the run's time stamp is chosen (or -t's; psana's own
default is 2015-01-01, which picks the oldest). The maps are merged into pixel_gain and
pixel_offset (3, panels, rows, cols), of the maps' dtype (float32, float64) as psana keeps it, in
<repdir>/merge_tmp/ as .npy and psana text (%.4f, %.1f); with -D they are deployed into
<calib>/Jungfrau::CalibV1/<source>/pixel_gain and pixel_offset as <run>-end.data (or -R B-E).

EXAMPLE:
    detcal gain-constants -e xpptut15 -r 2 --data-dir data --repdir gains -c calib -D";

/// Merge and deploy JUNGFRAU gain and offset maps (psana jungfrau_gain_constants).
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub det: DetRunArgs,
    /// Time stamp YYYYmmddHHMMSS choosing each panel's gain directory [default: the run's start].
    #[arg(short = 't', long = "tstamp", value_name = "T")]
    pub tstamp: Option<String>,
    /// Gain repository [default: $SIT_ROOT/detector/gains/jungfrau].
    #[arg(long = "repdir", visible_alias = "gains", value_name = "DIR")]
    pub repdir: Option<PathBuf>,
    /// Calibration directory [default: $SIT_PSDM_DATA/<INS>/<exp>/calib].
    #[arg(short = 'c', long = "clbdir", visible_aliases = ["dircalib", "calib-dir"], value_name = "DIR")]
    pub clbdir: Option<PathBuf>,
    /// Deploy into the calibration store (without it: a dry run).
    #[arg(short = 'D', long = "deploy")]
    pub deploy: bool,
    /// Validity of the deployed files [default: <run>-end].
    #[arg(short = 'R', long = "runrange", value_name = "B-E")]
    pub runrange: Option<RunRange>,
    #[command(flatten)]
    pub perms: PermArgs,
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    // Without raw data (--panel-ids), -t is also the run's time stamp.
    let d = a.det.resolve(if a.det.panel_ids.is_empty() {
        None
    } else {
        a.tstamp.as_deref()
    })?;
    let select = match &a.tstamp {
        Some(t) => site::parse_tstamp(t)?,
        None => site::parse_tstamp(&site::tstamp(d.meta.start))?,
    };
    let perms = a.perms.perms();
    let repdir = match &a.repdir {
        Some(p) => p.clone(),
        None => site::jungfrau_gains_repo(&site::root_dir(None, site::SIT_ROOT, "--repdir")?),
    };
    output::start_job_log(
        &repdir,
        &repdir.join("logs"),
        "jungfrau_gain_constants",
        &perms,
    )?;
    let tstamp = site::tstamp(d.meta.start);
    let req = GainRequest {
        repdir: &repdir,
        panel_ids: &d.meta.panel_ids,
        select: Some(select),
        tstamp: &tstamp,
        exp: &d.meta.exp,
        run: d.meta.run,
        source: &d.source,
        perms: &perms,
    };
    let (merged, dirs) = merge_gains(&req)?;
    for (p, dir) in dirs.iter().enumerate() {
        tracing::info!("panel {p} ({}): {}", d.meta.panel_ids[p], dir.display());
    }
    let store = match &a.clbdir {
        Some(c) => CalibStore::new(c),
        None => CalibStore::for_experiment(None, &d.meta.exp)
            .context("finding the calibration directory (-c)")?,
    };
    let target = Target {
        store,
        group: DetType::Jungfrau.calib_group().to_string(),
        source: d.source.clone(),
        range: a.runrange.unwrap_or(RunRange::from_run(d.meta.run)),
        perms,
    };
    let placed = target.place(&merged, !a.deploy)?;
    detcal::pipeline::deploy::log_placed(&placed, a.deploy);
    crate::output::print_placed(&placed, a.deploy);
    Ok(ExitCode::from(EXIT_OK))
}

pub const IMPORT_AFTER_HELP: &str = "\
The vendor's per-module gain file gainMaps_M<id>_<date>.bin holds little-endian float64 maps of
512 x 1024 pixels in ADU/keV, in the order G0, G1, G2, HG0, HG1, HG2 (3, 4 or 6 maps). The first
three become g0_gain.npy, g1_gain.npy, g2_gain.npy of <repdir>/<panel_id>[-<tstamp>] (with --hg0,
HG0 replaces G0), with zero offsets (the file carries none).

EXAMPLE:
    detcal gain-import gainMaps_M088_2021-03-01.bin --panel-id 190408-181206-50c246de810058 \\
        --tstamp 20210301000000 --repdir gains";

/// Import a vendor binary gain file as a panel gain directory.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// The vendor file (gainMaps_M<id>_<date>.bin).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// The panel's id.
    #[arg(long = "panel-id", value_name = "ID")]
    pub panel_id: String,
    /// Valid from this time YYYYmmddHHMMSS (names the directory <panel_id>-<tstamp>).
    #[arg(short = 't', long = "tstamp", value_name = "T")]
    pub tstamp: Option<String>,
    /// Use the HG0 map for gain 0.
    #[arg(long)]
    pub hg0: bool,
    /// Gain repository [default: $SIT_ROOT/detector/gains/jungfrau].
    #[arg(long = "repdir", visible_alias = "gains", value_name = "DIR")]
    pub repdir: Option<PathBuf>,
    #[command(flatten)]
    pub perms: PermArgs,
}

pub fn run_import(a: ImportArgs) -> anyhow::Result<ExitCode> {
    let repdir = match &a.repdir {
        Some(p) => p.clone(),
        None => site::jungfrau_gains_repo(&site::root_dir(None, site::SIT_ROOT, "--repdir")?),
    };
    let dir = import_vendor_gains(
        &a.file,
        &repdir,
        &a.panel_id,
        a.tstamp.as_deref(),
        a.hg0,
        &a.perms.perms(),
    )?;
    println!("{}", dir.display());
    Ok(ExitCode::from(EXIT_OK))
}
