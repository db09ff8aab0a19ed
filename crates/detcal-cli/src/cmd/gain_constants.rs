//! `detcal gain-constants`: JUNGFRAU pixel_gain and pixel_offset from the per-panel gain
//! repository (psana's `jungfrau_gain_constants`), and `detcal gain-import` of vendor gain maps.

use std::path::PathBuf;
use std::process::ExitCode;

use detcal::pipeline::gains::{self, GainOptions, ImportOptions};

use crate::args::{CalibDirArg, DeployArgs, PermArgs, TstampArg};
use crate::cli::EXIT_OK;
use crate::detrun::DetRunArgs;

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
    #[command(flatten)]
    pub tstamp: TstampArg,
    /// Gain repository [default: $SIT_ROOT/detector/gains/jungfrau].
    #[arg(long = "repdir", visible_alias = "gains", value_name = "DIR")]
    pub repdir: Option<PathBuf>,
    #[command(flatten)]
    pub calib: CalibDirArg,
    #[command(flatten)]
    pub deploy: DeployArgs,
    #[command(flatten)]
    pub perms: PermArgs,
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let settings = crate::args::settings(&a.perms, a.det.root.data_dir.as_deref());
    let opts = GainOptions {
        det: a.det.spec(),
        tstamp: a.tstamp.tstamp.clone(),
        repdir: a.repdir.clone(),
        dircalib: a.calib.calib_dir.clone(),
        deploy: a.deploy.deploy,
        runrange: a.deploy.runrange,
    };
    let r = gains::run(&opts, &settings)?;
    crate::output::print_placed(&r.placed, r.deployed);
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
    let settings = crate::args::settings(&a.perms, None);
    let opts = ImportOptions {
        file: a.file.clone(),
        panel_id: a.panel_id.clone(),
        tstamp: a.tstamp.clone(),
        hg0: a.hg0,
        repdir: a.repdir.clone(),
    };
    let r = gains::import(&opts, &settings)?;
    println!("{}", r.dir.display());
    Ok(ExitCode::from(EXIT_OK))
}
