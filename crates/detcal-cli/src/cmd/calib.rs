//! `detcal calib`: calibrated frames of a run (psana's `det.calib`), as a NumPy stack or the mean
//! image.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use detcal::formats::array::shape_str;
use detcal::pipeline::calib::{self, CalibOptions, CalibOutput};

use crate::args::{CalibDetArgs, DatasetArgs, PermArgs};
use crate::cli::EXIT_OK;

pub const AFTER_HELP: &str = "\
For each run of the dataset, the constants valid for the run are read from the calibration store
(pedestals, pixel_gain, pixel_offset, pixel_status, status_extra, status_data, common_mode) and each
selected frame is calibrated as psana's det.calib does. JUNGFRAU, per pixel, with the gain g of the
gain bits 15-14:

    (raw & 0x3fff - pedestal[g] - offset[g] - common mode) / gain[g] * mask

in keV when pixel_gain (ADU/keV) is deployed, in ADU when it is not. Gain bits 10 are invalid and
give 0. Common mode (psana's default 7,1,100,0: banks, rows in banks, columns in halves, at most
100 ADU, gain-0 good pixels only) unless --no-cm or --cmpars. The mask is the AND of the
pixel_status, status_extra and status_data masks over gain modes and of --mask; without status
files nothing is masked. Single-gain detectors (CSPAD, pnCCD, ePix100a, ...):
((raw - pedestal) - common mode) * gain * mask, with psana's common-mode algorithm of the
deployed common_mode file, else psana's C++ default (pnCCD 3,50,10,128; ePix100a 4,6,30,10;
CSPAD 1,25,25,100,1; see detcal common-mode --help).

ePix10ka (epix10ka, quad, 2M), per pixel, with its gain range r (FH, FM, FL, AHL-H, AML-M, AHL-L,
AML-L) decoded from the step's configuration (pixel config bits, ASIC trbit) and data bit 14:

    (raw & 0x3fff - pedestal[r] - common mode) / gain[r] * mask

Common mode (psana's default 7,2,10,10: columns within each half panel, at most 10 ADU, more
than 10 good pixels) on the good high/medium-range pixels only; the mask ANDs the status
constants over ranges 0-4. Without pedestals psana (and detcal) give raw & 0x3fff, with a warning.

A JUNGFRAU without pedestals (none deployed for the run, or an unreadable file) is an error.
Detectors of fixed shape (CSPAD, pnCCD, ePix100a) take psana's defaults for missing files or
files of the wrong size (zeros for pedestals), with a warning. The log says which file (or
default) each constant came from.

OUTPUT:
    --out FILE.npy           the calibrated frames, float32 (N, segments, rows, cols)
    --out FILE.npy --mean    the mean calibrated image, float32 (segments, rows, cols)
    --png IMAGE.png          also a picture of the mean image, assembled with the geometry of
                             the run (store, else the type's default) when one fits
The .npy file is written under a temporary name and renamed when complete.

Single-gain detectors come as raw NumPy stacks (see detcal simulate --det pnccd): the dataset is
then the stack's .npy file (with its .json description beside it), or exp=<exp>:run=<runs> for
runs that have no XTC2 files but stacks in <root>/<INS>/<exp>/npy.

The calibration directory is -c, else <data-dir or $SIT_PSDM_DATA>/<INS>/<exp>/calib. The
detector's name in the store is <alias>.0:<Type>.0 (jungfrau.0:Jungfrau.0) unless --calib-source.

MPI (a build with the cargo feature `mpi`): started by mpirun or srun, the ranks share the frames
of --mean (runs of 32 selected frames in turn); the sums, exact and so independent of the order
of the frames, are reduced to rank 0 along a tree, and rank 0 writes the file one process
writes, byte for byte. Calibrated frames (without --mean) are written by rank 0 alone. For
example, on 4 processes:
    mpirun -n 4 detcal calib exp=xpptut15:run=2 --data-dir data -c calib --mean --out mean.npy

EXAMPLES:
    detcal calib exp=xpptut15:run=2 --data-dir data -c calib -s jungfrau --out calib.npy -n 10
    detcal calib exp=xpptut15:run=2 --data-dir data -c calib --mean --out mean.npy --png mean.png
    detcal calib exp=xpptut15:run=2 --data-dir pdata -s pnccd --cmpars 8,1,30 --out pnccd.npy
    detcal calib exp=xpptut15:run=2 --data-dir data -c calib --beam-off --mean --out drops.npy

Event codes: --evcode LIST (psana's -c list: any listed code; a negative code inverts) or
--beam-off (= --evcode 162, the drop shots) keeps only those events of runs with LCLS-II timing
data (see detcal info); -n and --evskip then count the selected events.";

/// Calibrate the frames of a run with the deployed constants.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub data: DatasetArgs,
    #[command(flatten)]
    pub det: CalibDetArgs,
    #[command(flatten)]
    pub evcode: crate::args::EvcodeArgs,
    /// The .npy file to write: frames, or the mean image with --mean.
    #[arg(short, long, value_name = "FILE.npy")]
    pub out: PathBuf,
    /// Write the mean calibrated image instead of the frames.
    #[arg(long)]
    pub mean: bool,
    /// Also draw the mean image as PNG.
    #[arg(long, value_name = "IMAGE.png")]
    pub png: Option<PathBuf>,
    /// Share the frames of --mean over MPI (implied when started by mpirun or srun); needs a
    /// build with the cargo feature `mpi`.
    #[arg(long = "mpi")]
    pub mpi: bool,
    #[command(flatten)]
    pub perms: PermArgs,
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    for (p, ext) in [(Some(&a.out), "npy"), (a.png.as_ref(), "png")] {
        if let Some(p) = p
            && p.extension().and_then(|e| e.to_str()) != Some(ext)
        {
            anyhow::bail!("{}: the file name must end in .{ext}", p.display());
        }
    }
    let opts = CalibOptions {
        input: detcal::pipeline::calib::CalibInput {
            evcode: a.evcode.selection()?,
            ..a.det.input(a.data.spec())
        },
        out: a.out.clone(),
        output: if a.mean {
            CalibOutput::Mean
        } else {
            CalibOutput::Frames {
                mean: a.png.is_some(),
            }
        },
    };
    let settings = crate::args::settings(&a.perms, a.data.root.data_dir.as_deref());
    // Under MPI (mpirun/srun), the ranks share the frames of --mean; rank 0 writes and reports.
    let r = crate::ranks::with_ranks(a.mpi, |ranks| {
        Ok(if ranks.is_root() {
            calib::run_shared(&opts, &settings, &crate::output::Bars, ranks)?
        } else {
            calib::run_shared(&opts, &settings, &detcal::report::Quiet, ranks)?
        })
    })?;
    let Some(r) = r else {
        return Ok(ExitCode::from(EXIT_OK));
    };
    let (stats, unit, frame_shape) = (&r.stats, r.unit, &r.frame_shape);
    if let (Some(png), Some(m)) = (&a.png, &r.mean) {
        let title = format!("{} mean of {} frames", a.data.spec(), stats.frames);
        // As the detector sits in the hall when a geometry fits (store, else the default).
        let assembled = detcal::pipeline::image::assemble_for_dataset(&opts.input, &settings, m)?;
        if let Some(a) = &assembled {
            tracing::info!("{}: assembled with geometry {}", png.display(), a.from);
        }
        let axes = assembled.as_ref().map(|a| a.axes);
        let m = assembled.as_ref().map(|a| &a.image).unwrap_or(m);
        detcal_plot::titled_image(m, &title, unit, axes)?
            .save_png(png, &settings.perms)
            .with_context(|| format!("writing {}", png.display()))?;
        println!("{}: mean image", png.display());
    }
    let what = if a.mean { "mean of" } else { "" };
    println!(
        "{}: {what} {} frames of {} float32 {}{}",
        a.out.display(),
        stats.frames,
        shape_str(frame_shape),
        if unit.is_empty() { "" } else { unit },
        if stats.skipped > 0 {
            format!(" ({} events skipped)", stats.skipped)
        } else {
            String::new()
        }
    );
    tracing::info!(
        "{} frames in {:.2} s ({:.0} panel-frames/s); {} masked pixels; {} invalid gain bits; \
         common mode {}",
        stats.frames,
        r.seconds,
        (stats.frames as f64 * frame_shape[0] as f64) / r.seconds.max(1e-9),
        r.masked,
        stats.bad_gain,
        match (&r.common_mode, r.single_gain_cm) {
            (Some(p), _) => format!(
                "on (mode {}, cormax {} ADU, npix_min {})",
                p.mode, p.cormax, p.npix_min
            ),
            (None, Some(alg)) => format!("psana algorithm {alg}"),
            (None, None) => "off".to_string(),
        },
    );
    Ok(ExitCode::from(EXIT_OK))
}
