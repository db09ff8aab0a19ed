//! `detcal pixel-status`: bad-pixel status from dark or light data (psana's `det_pixel_status`).

use std::path::PathBuf;
use std::process::ExitCode;

use detcal::pipeline::pixel_status::{self, PixelStatusOptions};
use detcal::pixel_status::StatusParams;

use crate::args::PermArgs;
use crate::cli::EXIT_OK;

pub const AFTER_HELP: &str = "\
For each step (gain mode) and panel, over the first --nrecs events after --evskip, of the values
raw & databits:
  feature 1  each frame's median over the panel is judged (range 0..databits); frames too low or
             too high are left out of features 2 and 3
  feature 2  each pixel's mean: bit 1 too low, bit 2 too high
  feature 3  each pixel's standard deviation: bit 4 too low, bit 8 too high
A value is too low at or below max(med - snrmax*spr, 0) and too high at or above
min(med + snrmax*spr, databits), where med is the median of the values strictly inside
(0, databits) and spr their median absolute deviation (their standard deviation where that is 0).

On light data:
  feature 6   each good frame is cut into --shwind windows (the last row and column of windows
              moved back to fit); a plane a*col + b*row + k is fitted in each by least squares
              and the residuals kept. Per pixel over the frames: the median residual gives bit
              16 (low) / 32 (high), the median absolute deviation of the residuals bit 64 / 128,
              both judged in (-databits, databits)
  feature 11  the pixel's maximum over up to --events events per step minus its pedestal (the
              pedestals file of the run in the calibration store, --calib-dir): med = its
              median, d = max - peds - med; the range med + snrmax*median(d < 0) ..
              med + snrmax*median(d >= 0) is judged as above: bit 256 (low) / 512 (high).
              11 runs alone (psana cannot combine it with 1, 2, 3 or 6). As psana, it keeps
              <dirrepo>/<type>/<panel_id>/work/arr-<exp>-r<NNNN>-<det>-seg<k>-evs<NNNNNN>-feat-11
              -max.npy (the maxima, uint16) and -max-peds.npy (float32); when the maxima files of
              a single-gain detector exist they are used instead of the data
Without -t the type is status_light with feature 6, status_max with 11, else status_dark (psana's
rule for its default status_data); -t status_data writes status_data.

The maps go to the constants repository as
  <dirrepo>/<type>/<panel_id>/<ctype>/<type>_<alias>_<tstamp>_<exp>_r<NNNN>_<ctype>[_g<i>].dat
(_g<i>: the gain index of the step, for multi-gain detectors), where deploy-constants -C
status_extra merges them with the other status_* maps.

A NumPy stack with its description beside it (detcal simulate --det epix100a|pnccd) is read with
--input STACK.npy.

MPI (a build with the cargo feature `mpi`): started by mpirun or srun, the ranks share the panels
(a contiguous share each, rank 0 first); each judges its panels over all events and sends its
maps (feature 11: its maxima) to rank 0, which writes the maps, work files and log one process
writes, byte for byte. Ranks beyond the number of panels have nothing to do. For example:
    mpirun -n 2 detcal pixel-status exp=xpptut15:run=1 --data-dir data -o constants

EXAMPLES:
    detcal pixel-status exp=xpptut15:run=1 --data-dir data -o constants
    detcal simulate --det epix100a --out sdata --events 20 --light-events 20
    detcal pixel-status --input sdata/XPP/xpptut15/npy/xpptut15-r0002-epix100a.npy -F 6 -o constants
    detcal calibrun -e xpptut15 -r 1 -P -D --data-dir sdata -w sdata
    detcal pixel-status --input sdata/XPP/xpptut15/npy/xpptut15-r0002-epix100a.npy -F 11 \\
        --data-dir sdata -o constants
    detcal pixel-status exp=xpptut15:run=2 --data-dir data --beam-off -o constants

Event codes: -c/--evcode LIST (psana's list: any listed code; a negative code inverts) or
--beam-off (= -c 162, the drop shots of a light run) keeps only those events of runs with
LCLS-II timing data (see detcal info); --evskip, --nrecs and --events then count the selected
events.";

/// Bad-pixel status from dark or light data (psana det_pixel_status, features 1-3, 6, 11).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Dataset: .xtc2 file(s) or exp=<exp>:run=<run>[:dir=<dir>].
    #[arg(value_name = "DATASET", conflicts_with = "dskwargs")]
    pub dataset: Option<String>,
    /// Dataset, as psana's -k.
    #[arg(short = 'k', long = "dskwargs", value_name = "DATASET")]
    pub dskwargs: Option<String>,
    /// A raw NumPy stack with its .json description beside it, instead of a dataset.
    #[arg(long = "input", value_name = "STACK.npy", conflicts_with_all = ["dataset", "dskwargs"])]
    pub input: Option<PathBuf>,
    /// Detector alias (default: the only detector with raw data).
    #[arg(short = 'd', long = "detname", value_name = "DET")]
    pub detname: Option<String>,
    /// Events per step to use.
    #[arg(short = 'r', long = "nrecs", default_value_t = 1000)]
    pub nrecs: usize,
    /// Events to skip at the start of each step.
    #[arg(short = 'm', long = "evskip", default_value_t = 0)]
    pub evskip: usize,
    /// Only this panel index.
    #[arg(short = 'i', long = "segind", value_name = "I")]
    pub segind: Option<usize>,
    /// Spread multiple of the limits.
    #[arg(short = 'R', long = "snrmax", default_value_t = 8.0)]
    pub snrmax: f64,
    /// Features, comma-separated (1, 2, 3, 6; or 11 alone).
    #[arg(
        short = 'F',
        long = "features",
        value_delimiter = ',',
        default_value = "1,2,3"
    )]
    pub features: Vec<u32>,
    /// The status type saved [default: status_light with feature 6, status_max with 11, else
    /// status_dark].
    #[arg(short = 't', long = "ctype", value_name = "CTYPE")]
    pub ctype: Option<String>,
    /// Window ROWS,COLS of feature 6's plane fits.
    #[arg(
        short = 'w',
        long = "shwind",
        value_delimiter = ',',
        num_args = 1,
        default_value = "15,15"
    )]
    pub shwind: Vec<usize>,
    /// Events per step of feature 11.
    #[arg(short = 'n', long = "events", default_value_t = 1000)]
    pub events: usize,
    /// Calibration store of feature 11's pedestals [default: <data root>/<INS>/<exp>/calib].
    #[arg(long = "calib-dir", value_name = "DIR")]
    pub calib_dir: Option<PathBuf>,
    /// ADC bits of a raw word.
    #[arg(long = "databits", default_value = "0x3fff", value_parser = parse_mask)]
    pub databits: u16,
    /// Repository [default: $SIT_ROOT/detector/calib/constants].
    #[arg(short = 'o', long = "dirrepo", value_name = "DIR")]
    pub dirrepo: Option<PathBuf>,
    /// Only events with any of these event codes (psana -c: comma-separated; a negative code
    /// inverts), from the run's LCLS-II timing data.
    #[arg(
        short = 'c',
        long = "evcode",
        value_name = "CODES",
        allow_hyphen_values = true
    )]
    pub evcode: Option<String>,
    /// Only drop shots (beam off): the same as -c 162 (LCLS-I BYKIK).
    #[arg(long = "beam-off", conflicts_with = "evcode")]
    pub beam_off: bool,
    /// Share the panels over MPI (implied when started by mpirun or srun); needs a build with
    /// the cargo feature `mpi`.
    #[arg(long = "mpi")]
    pub mpi: bool,
    #[command(flatten)]
    pub root: crate::args::DataDirArg,
    #[command(flatten)]
    pub perms: PermArgs,
}

fn parse_mask(s: &str) -> Result<u16, String> {
    let t = s.trim();
    match t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        Some(h) => u16::from_str_radix(h, 16),
        None => t.parse::<u16>(),
    }
    .map_err(|_| format!("{s:?}: expected a 16-bit mask such as 0x3fff"))
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let [wr, wc] = a.shwind[..] else {
        anyhow::bail!(
            "-w/--shwind {:?}: give two numbers ROWS,COLS, e.g. 15,15",
            a.shwind
        );
    };
    let settings = crate::args::settings(&a.perms, a.root.data_dir.as_deref());
    let opts = PixelStatusOptions {
        dataset: a.dataset.clone().or(a.dskwargs.clone()),
        stack: a.input.clone(),
        calib_dir: a.calib_dir.clone(),
        det: a.detname.clone(),
        params: StatusParams {
            nrecs: a.nrecs,
            evskip: a.evskip,
            snrmax: a.snrmax,
            databits: a.databits,
            features: a.features.clone(),
            segind: a.segind,
            shwind: (wr, wc),
            events: a.events,
        },
        ctype: a.ctype.clone(),
        dirrepo: a.dirrepo.clone(),
        evcode: crate::args::evcode_selection(a.evcode.as_deref(), a.beam_off)?,
    };
    // Under MPI (mpirun/srun), the ranks share the panels; rank 0 writes and lists the maps.
    let r = crate::ranks::with_ranks(a.mpi, |ranks| {
        Ok(pixel_status::run_shared(&opts, &settings, ranks)?)
    })?;
    for f in &r.files {
        println!("{}", f.display());
    }
    Ok(ExitCode::from(EXIT_OK))
}
