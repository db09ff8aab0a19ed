//! `detcal common-mode`: psana's `det.common_mode_correction` (or with --calib its single-gain
//! `det.calib`) on a NumPy stack of raw frames.

use std::path::PathBuf;
use std::process::ExitCode;

use detcal::detector::DetType;
use detcal::formats::array::shape_str;
use detcal::pipeline::common_mode::{self, CommonModeOptions};

use crate::args::PermArgs;
use crate::cli::EXIT_OK;

pub const AFTER_HELP: &str = "\
The output is float32(raw) - pedestals with psana's common mode applied, for every frame of
RAW (N, frame...) or a single frame; with --calib, psana's whole det.calib of a single-gain
detector: pedestals, common mode, then x pixel_gain (a factor), then x mask (0 where
--status is non-zero or --mask is 0).

ALGORITHMS (the first value of --cmpars):
    0  none
    1  CSPAD/CSPAD2x2: histogram peak per 2x1 section (meanmax, sigmax, threshold, unbond fallback);
       other types: groups of p[5] values at stride p[6]
    2  mean of the values below p[1] per group of p[3] (|cm| <= p[2])
    3  histogram median of the values below p[1] per group of p[3] (|cm| <= p[2])
    4  ePix100a: medians of regions (bit 1), rows (2), columns (4) of |v| <= p[2] (|cm| <= p[3])
    5  CSPAD/CSPAD2x2: mean of the 36 unbonded pixels per section (|cm| <= p[1])
    6  ePix100a cm_epix: column halves then row banks, pixels below 10 x --rms (other values ignored)
    8  pnCCD: rows in banks of 128 (bit 1), rows (2), columns (4), banks (8); |cm| < p[2];
       only pixels with --mask > 0
Algorithms 1-5 leave out of the estimate the pixels whose --status is non-zero.
Default --cmpars: what psana's det.calib runs when no common_mode file is deployed: CSPAD
1,25,25,100,1; pnCCD 3,50,10,128; ePix100a 4,6,30,10; cameras none.

Other pnCCD example: --det-type pnccd --cmpars 8,5,30 --mask M.npy (rows of 128, then columns,
|cm| < 30 ADU, only pixels where the mask is 1).

EXAMPLES:
    detcal repo default --det-type epix100a --ctype pedestals --value 1000 -o constants
    detcal common-mode epix100a.npy --det-type epix100a --out cm.npy \\
        --pedestals constants/epix100a/default/epix100a_default_pedestals.txt
    detcal common-mode epix100a.npy --det-type epix100a --cmpars 6 --out cm6.npy \\
        --pedestals constants/epix100a/default/epix100a_default_pedestals.txt
    detcal common-mode epix100a.npy --det-type epix100a --calib --out calib100a.npy \\
        --pedestals constants/epix100a/default/epix100a_default_pedestals.txt \\
        --gain constants/epix100a/default/epix100a_default_gain.txt";

/// Apply psana's common mode to raw frames of a single-gain detector (psana
/// det.common_mode_correction).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The raw frames (.npy or text): (N, frame...) or one frame.
    #[arg(value_name = "RAW")]
    pub raw: PathBuf,
    /// Detector type: cspad, cspad2x2, pnccd, epix100a, or a camera type.
    #[arg(long = "det-type", value_name = "TYPE")]
    pub det_type: DetType,
    /// psana's common-mode parameters, e.g. 8,5,30 [default: det.calib's for the type].
    #[arg(
        long,
        value_name = "LIST",
        value_delimiter = ',',
        allow_negative_numbers = true
    )]
    pub cmpars: Option<Vec<f64>>,
    /// The pedestals, one frame.
    #[arg(long, value_name = "P.npy")]
    pub pedestals: PathBuf,
    /// A user mask (0 bad): used by algorithm 8, and by --calib.
    #[arg(long, value_name = "M.npy")]
    pub mask: Option<PathBuf>,
    /// pixel_rms, for algorithm 6 [default: ones].
    #[arg(long, value_name = "R.npy")]
    pub rms: Option<PathBuf>,
    /// pixel_status: algorithms 1-5 exclude pixels where it is non-zero; --calib masks them.
    #[arg(long, value_name = "S.npy")]
    pub status: Option<PathBuf>,
    /// pixel_gain, a factor (with --calib).
    #[arg(long, value_name = "G.npy")]
    pub gain: Option<PathBuf>,
    /// The whole det.calib (pedestals, common mode, gain, mask), not the common mode only.
    #[arg(long)]
    pub calib: bool,
    /// The file to write, float32 of RAW's shape (replaced atomically).
    #[arg(short, long, value_name = "OUT.npy")]
    pub out: PathBuf,
    #[command(flatten)]
    pub perms: PermArgs,
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let settings = crate::args::settings(&a.perms, None);
    let opts = CommonModeOptions {
        raw: a.raw,
        det_type: a.det_type,
        cmpars: a.cmpars,
        pedestals: a.pedestals,
        mask: a.mask,
        rms: a.rms,
        status: a.status,
        gain: a.gain,
        calib: a.calib,
        out: a.out,
    };
    let r = common_mode::run(&opts, &settings)?;
    let cm = match &r.algorithm {
        Some(alg) => format!("common-mode algorithm {}", alg.number()),
        None => "no common mode".to_string(),
    };
    println!(
        "{}: {} frames of {} float32, {cm} (cmpars {})",
        r.out.display(),
        r.frames,
        shape_str(&r.frame_shape),
        r.cmpars
            .iter()
            .map(|x| x.to_string())
            .collect::<Vec<_>>()
            .join(",")
    );
    tracing::info!("{} frames in {:.3} s", r.frames, r.seconds);
    Ok(ExitCode::from(EXIT_OK))
}
