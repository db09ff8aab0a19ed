//! `detcal calib`: calibrated frames of a run (psana's `det.calib`), as a NumPy stack or the mean
//! image.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use detcal::NdArray;
use detcal::access::{DetectorCalib, LoadStatus};
use detcal::apply::{MeanImage, RunStats, Selection, calibrate_run};
use detcal::calib::{Calibrator, CommonModeParams};
use detcal::detector::{CalibType, DetType};
use detcal::formats::{self, array::shape_str};
use detcal::source::{RunSource, open_dataset};
use detcal::store::CalibStore;
use detcal_plot as plot;

use crate::args::{DatasetArgs, PermArgs};
use crate::cli::EXIT_OK;
use crate::output;

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
files nothing is masked. Single-gain detectors: (raw - pedestal) * gain * mask.

A JUNGFRAU without pedestals (none deployed for the run, or an unreadable file) is an error.
Detectors of fixed shape (CSPAD, pnCCD, ePix100a) take psana's defaults for missing files or
files of the wrong size (zeros for pedestals), with a warning. The log says which file (or
default) each constant came from.

OUTPUT:
    --out FILE.npy           the calibrated frames, float32 (N, segments, rows, cols)
    --out FILE.npy --mean    the mean calibrated image, float32 (segments, rows, cols)
    --png IMAGE.png          also a picture of the mean image
The .npy file is written under a temporary name and renamed when complete.

The calibration directory is -c, else <data-dir or $SIT_PSDM_DATA>/<INS>/<exp>/calib. The
detector's name in the store is <alias>.0:<Type>.0 (jungfrau.0:Jungfrau.0) unless --calib-source.

EXAMPLES:
    detcal calib exp=xpptut15:run=2 --data-dir data -c calib -s jungfrau --out calib.npy -n 10
    detcal calib exp=xpptut15:run=2 --data-dir data -c calib --mean --out mean.npy --png mean.png";

/// Calibrate the frames of a run with the deployed constants.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub data: DatasetArgs,
    #[command(flatten)]
    pub det: CalibDetArgs,
    /// The .npy file to write: frames, or the mean image with --mean.
    #[arg(short, long, value_name = "FILE.npy")]
    pub out: PathBuf,
    /// Write the mean calibrated image instead of the frames.
    #[arg(long)]
    pub mean: bool,
    /// Also draw the mean image as PNG.
    #[arg(long, value_name = "IMAGE.png")]
    pub png: Option<PathBuf>,
    #[command(flatten)]
    pub perms: PermArgs,
}

/// Which detector, which constants and which events to calibrate.
#[derive(Debug, Clone, clap::Args)]
pub struct CalibDetArgs {
    /// DAQ alias of the detector (default: the only detector with raw data).
    #[arg(
        short = 's',
        long = "det",
        short_alias = 'd',
        visible_alias = "detector",
        value_name = "ALIAS"
    )]
    pub det: Option<String>,
    /// Calibration directory [default: <data-dir or $SIT_PSDM_DATA>/<INS>/<exp>/calib].
    #[arg(
        short = 'c',
        long = "calib-dir",
        visible_alias = "dircalib",
        value_name = "DIR"
    )]
    pub calib_dir: Option<PathBuf>,
    /// DetInfo source naming the detector in the store [default: <alias>.0:<Type>.0].
    #[arg(long, value_name = "SRC")]
    pub calib_source: Option<String>,
    /// At most this many events (after --evskip), over all runs.
    #[arg(short = 'n', long, value_name = "N")]
    pub events: Option<u64>,
    /// Frames to skip at the start of each run (of the chosen --step, if any); damaged events do
    /// not count.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub evskip: u64,
    /// Only this step (0-based).
    #[arg(long, value_name = "K")]
    pub step: Option<u32>,
    /// psana's common-mode parameters instead of the deployed ones, e.g. 7,1,100,0.
    #[arg(
        long,
        value_name = "LIST",
        value_delimiter = ',',
        allow_negative_numbers = true,
        conflicts_with = "no_cm"
    )]
    pub cmpars: Option<Vec<f64>>,
    /// No common-mode correction.
    #[arg(long)]
    pub no_cm: bool,
    /// A user mask (.npy or text), one value per pixel of a frame, 0 for bad pixels.
    #[arg(long, value_name = "FILE")]
    pub mask: Option<PathBuf>,
}

/// One run opened for calibration, with its constants.
pub struct CalibRun {
    /// The run's raw data.
    pub src: RunSource,
    /// The calibrator built from them.
    pub cal: Calibrator,
    /// The unit of the calibrated values.
    pub unit: &'static str,
}

impl CalibDetArgs {
    /// The event selection.
    pub fn selection(&self) -> Selection {
        Selection {
            skip: self.evskip,
            events: self.events,
            step: self.step,
        }
    }

    /// Opens each run of the dataset with its constants and calibrator.
    pub fn open(&self, data: &DatasetArgs) -> anyhow::Result<Vec<CalibRun>> {
        let runs = open_dataset(&data.spec(), data.data_dir.as_deref(), self.det.as_deref())?;
        let user_mask = match &self.mask {
            Some(p) => Some(formats::load_array(p).context("reading the user mask (--mask)")?),
            None => None,
        };
        let mut out = Vec::new();
        for src in runs {
            let m = src.meta().clone();
            let store = match &self.calib_dir {
                Some(c) => {
                    if !c.is_dir() {
                        anyhow::bail!("calibration directory {} does not exist (-c)", c.display());
                    }
                    CalibStore::new(c)
                }
                None => CalibStore::for_experiment(data.data_dir.as_deref(), &m.exp)
                    .context("finding the calibration directory (-c, --data-dir)")?,
            };
            let source = match &self.calib_source {
                Some(s) => s.clone(),
                None => m.det_type.default_source(&m.alias),
            };
            let calib = DetectorCalib::new(store, &source)?;
            let mut consts = calib
                .constants(m.run, user_mask.clone())
                .with_context(|| format!("constants of {} for run {}", source, m.run))?;
            if self.no_cm {
                consts.common_mode = Some(vec![]);
            } else if let Some(c) = &self.cmpars {
                CommonModeParams::from_psana(c).context("--cmpars")?;
                consts.common_mode = Some(c.clone());
            }
            let cal = Calibrator::new(m.det_type, &consts)
                .with_context(|| format!("calibrating {} run {}", source, m.run))?;
            let gain = calib.get(CalibType::PixelGain, m.run)?;
            let unit = match (m.det_type, gain.status) {
                (DetType::Jungfrau, LoadStatus::Loaded) => "keV",
                (DetType::Jungfrau, _) => "ADU",
                _ => "",
            };
            // What each constant the calibrator uses came from (all loaded, and cached, above).
            for c in [
                CalibType::Pedestals,
                CalibType::PixelGain,
                CalibType::PixelOffset,
                CalibType::PixelStatus,
                CalibType::StatusExtra,
                CalibType::StatusData,
                CalibType::CommonMode,
            ] {
                let l = calib.get(c, m.run)?;
                let from = match (&l.file, l.status, &l.problem) {
                    (Some(f), LoadStatus::Loaded, _) => f.display().to_string(),
                    (_, _, Some(p)) => format!("{p}: psana's default instead"),
                    (None, LoadStatus::Default, _) => "no file: psana's default".into(),
                    _ => "no file: not applied".into(),
                };
                tracing::info!("run {} {c}: {from}", m.run);
            }
            out.push(CalibRun { src, cal, unit });
        }
        if let Some(r) = out
            .iter()
            .find(|r| r.src.meta().frame_shape != out[0].src.meta().frame_shape)
        {
            anyhow::bail!(
                "{}: frame shape {} differs from the first run's {}",
                r.src.label(),
                shape_str(&r.src.meta().frame_shape),
                shape_str(&out[0].src.meta().frame_shape)
            );
        }
        Ok(out)
    }
}

/// Calibrates every selected frame of `runs`, calling `f` with batches of frames; stops after
/// `sel.events` in all.
pub fn calibrate_all(
    runs: &mut [CalibRun],
    sel: &Selection,
    pb: &indicatif::ProgressBar,
    f: &mut dyn FnMut(&[f32]) -> detcal::Result<()>,
) -> anyhow::Result<RunStats> {
    let mut total = RunStats::default();
    for r in runs.iter_mut() {
        let Some(this) = sel.after(total.frames) else {
            break;
        };
        let n = r.cal.frame_len().max(1);
        let s = calibrate_run(&r.src, &mut r.cal, &this, &mut |batch| {
            pb.inc((batch.len() / n) as u64);
            f(batch)
        })
        .with_context(|| format!("calibrating {}", r.src.label()))?;
        total.frames += s.frames;
        total.skipped += s.skipped;
        total.bad_gain += s.bad_gain;
    }
    Ok(total)
}

/// The mean calibrated image of the runs, shaped (segments, rows, cols).
pub fn mean_image(runs: &mut [CalibRun], sel: &Selection) -> anyhow::Result<(NdArray, RunStats)> {
    let shape = runs[0].cal.frame_shape().to_vec();
    let mut mean = MeanImage::new(runs[0].cal.frame_len());
    let pb = output::progress(0, "calibrating");
    let stats = calibrate_all(runs, sel, &pb, &mut |b| {
        mean.add(b);
        Ok(())
    })?;
    pb.finish_and_clear();
    if stats.frames == 0 {
        anyhow::bail!("no events selected ({} skipped)", stats.skipped);
    }
    let arr =
        ndarray::ArrayD::from_shape_vec(ndarray::IxDyn(&shape), mean.mean()).expect("frame shape");
    Ok((arr.into(), stats))
}

/// Draws a mean image as PNG.
pub fn draw_image(
    arr: &NdArray,
    title: &str,
    unit: &str,
    png: &Path,
    perms: &detcal::files::Perms,
) -> anyhow::Result<()> {
    let opts = plot::PlotOptions {
        title: title.to_string(),
        unit: unit.to_string(),
        ..plot::PlotOptions::default()
    };
    plot::image(arr, &opts)?
        .save_png(png, perms)
        .with_context(|| format!("writing {}", png.display()))?;
    Ok(())
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    for (p, ext) in [(Some(&a.out), "npy"), (a.png.as_ref(), "png")] {
        if let Some(p) = p
            && p.extension().and_then(|e| e.to_str()) != Some(ext)
        {
            anyhow::bail!("{}: the file name must end in .{ext}", p.display());
        }
    }
    let sel = a.det.selection();
    let mut runs = a.det.open(&a.data)?;
    let unit = runs[0].unit;
    let frame_shape = runs[0].cal.frame_shape().to_vec();
    let perms = a.perms.perms();
    let t0 = std::time::Instant::now();
    let (stats, mean) = if a.mean {
        let (arr, stats) = mean_image(&mut runs, &sel)?;
        formats::npy::write_npy(&a.out, &arr, &perms)?;
        (stats, Some(arr))
    } else {
        // Count first, so the .npy header can carry the shape.
        let count = count_frames(&runs, &sel)?;
        if count == 0 {
            anyhow::bail!("no events selected; nothing written");
        }
        let mut mean = a
            .png
            .as_ref()
            .map(|_| MeanImage::new(runs[0].cal.frame_len()));
        let mut npy_shape = vec![count];
        npy_shape.extend(frame_shape.iter().map(|&d| d as u64));
        let pb = output::progress(count, "calibrating");
        let mut stats = RunStats::default();
        formats::npy::write_npy_streamed::<f32>(&a.out, &npy_shape, &perms, |push| {
            stats = calibrate_all(&mut runs, &sel, &pb, &mut |batch| {
                if let Some(m) = mean.as_mut() {
                    m.add(batch);
                }
                push(batch)
            })
            .map_err(|e| detcal::Error::internal(format!("{e:#}")))?;
            Ok(())
        })
        .with_context(|| format!("writing {}", a.out.display()))?;
        pb.finish_and_clear();
        let mean = mean.map(|m| {
            ndarray::ArrayD::from_shape_vec(ndarray::IxDyn(&frame_shape), m.mean())
                .expect("frame shape")
                .into()
        });
        (stats, mean)
    };
    let secs = t0.elapsed().as_secs_f64();
    if let (Some(png), Some(m)) = (&a.png, &mean) {
        let title = format!("{} mean of {} frames", a.data.spec(), stats.frames);
        draw_image(m, &title, unit, png, &perms)?;
        println!("{}: mean image", png.display());
    }
    let what = if a.mean { "mean of" } else { "" };
    println!(
        "{}: {what} {} frames of {} float32 {}{}",
        a.out.display(),
        stats.frames,
        shape_str(&frame_shape),
        if unit.is_empty() { "" } else { unit },
        if stats.skipped > 0 {
            format!(" ({} events skipped)", stats.skipped)
        } else {
            String::new()
        }
    );
    let r0 = &runs[0];
    tracing::info!(
        "{} frames in {secs:.2} s ({:.0} panel-frames/s); {} masked pixels; {} invalid gain bits; \
         common mode {:?}",
        stats.frames,
        (stats.frames as f64 * frame_shape[0] as f64) / secs.max(1e-9),
        r0.cal.mask().iter().filter(|&&m| m == 0).count(),
        stats.bad_gain,
        r0.cal.common_mode(),
    );
    Ok(ExitCode::from(EXIT_OK))
}

/// The number of frames `calibrate_all` will calibrate.
fn count_frames(runs: &[CalibRun], sel: &Selection) -> anyhow::Result<u64> {
    let mut total = 0;
    for r in runs {
        let Some(this) = sel.after(total) else {
            break;
        };
        total += detcal::apply::count_frames(&r.src, &this)?;
    }
    Ok(total)
}
