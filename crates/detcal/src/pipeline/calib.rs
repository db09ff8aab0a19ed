/*!
Calibrated frames of a dataset (psana's `det.calib`) with the constants deployed for each run:
as a NumPy stack of frames, or their mean image.

[`open`] resolves the constants of every run (the calibration store of `-c`, else the
experiment's under the data root; the detector's default source from its type); [`run`] writes
the `.npy` output; [`mean_image`] gives the mean image without writing anything (`detcal plot`
of a dataset).
*/

use std::path::PathBuf;

use crate::NdArray;
use crate::access::{DetectorCalib, LoadStatus};
use crate::apply::{self, MeanImage, OnBatch, RunStats, Selection, Sink, calibrate_run_shared};
use crate::calib::{Calibrator, CommonModeParams};
use crate::detector::{CalibType, DetType};
use crate::dist::{FrameShare, Ranks};
use crate::error::{Context, Error, Result};
use crate::formats::{self, array::shape_str};
use crate::report::{Progress, Reporter};
use crate::settings::Settings;
use crate::source::{RunSource, open_dataset};
use crate::store::CalibStore;

/// Which common-mode correction to apply.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum CommonMode {
    /// The deployed `common_mode` constants (psana's default when none are deployed).
    #[default]
    Deployed,
    /// No common-mode correction (`--no-cm`).
    Off,
    /// psana's parameters instead of the deployed ones (`--cmpars`), e.g. `[7, 1, 100, 0]`.
    Params(Vec<f64>),
}

/// Which frames to calibrate, with which constants.
#[derive(Debug, Clone, Default)]
pub struct CalibInput {
    /// The dataset as psana names it (`.xtc2` files or `exp=<exp>:run=<runs>[:dir=<dir>]`).
    pub dataset: String,
    /// The detector's DAQ alias (default: the only detector with raw data).
    pub det: Option<String>,
    /// The calibration store (`-c`); default: the experiment's under the data root.
    pub calib_dir: Option<PathBuf>,
    /// The DetInfo source naming the detector in the store; default `<alias>.0:<Type>.0`.
    pub calib_source: Option<String>,
    /// Which events (`events` counts over all runs).
    pub selection: Selection,
    /// The common-mode correction.
    pub common_mode: CommonMode,
    /// A user mask file (`.npy` or text), 0 for bad pixels.
    pub mask: Option<PathBuf>,
    /// Only events with these event codes (`--evcode`, `--beam-off`), before `selection`'s
    /// counters ([`crate::evcode::filter_events`]).
    pub evcode: Option<crate::evcode::EventCodeSelection>,
}

/// What [`run`] writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CalibOutput {
    /// The calibrated frames, float32 `(N, segments, rows, cols)`; with `mean`, the mean image
    /// is also computed and returned in the report.
    Frames {
        /// Whether to compute the mean image too.
        mean: bool,
    },
    /// The mean calibrated image, float32 `(segments, rows, cols)`.
    Mean,
}

/// What to calibrate and where to write it.
#[derive(Debug, Clone)]
pub struct CalibOptions {
    /// The frames and constants.
    pub input: CalibInput,
    /// The `.npy` file to write (atomically).
    pub out: PathBuf,
    /// Frames or mean image.
    pub output: CalibOutput,
}

/// One run opened for calibration, with its constants.
pub struct CalibRun {
    /// The run's raw data.
    pub src: RunSource,
    /// The calibrator built from the run's constants.
    pub cal: Calibrator,
    /// The unit of the calibrated values: `keV`, `ADU`, or empty (single-gain detectors).
    pub unit: &'static str,
}

/// What a calibration job did.
#[derive(Debug, Clone)]
pub struct CalibReport {
    /// The `.npy` file written.
    pub out: PathBuf,
    /// Frames calibrated, events skipped, invalid gain bits.
    pub stats: RunStats,
    /// The shape of one frame (segments, rows, cols).
    pub frame_shape: Vec<usize>,
    /// The unit of the values (see [`CalibRun::unit`]).
    pub unit: &'static str,
    /// The mean image, when written or asked for.
    pub mean: Option<NdArray>,
    /// Wall-clock seconds of the calibration (after opening the runs).
    pub seconds: f64,
    /// Pixels masked in the first run's mask.
    pub masked: usize,
    /// The first run's common-mode parameters (`None`: no correction).
    pub common_mode: Option<CommonModeParams>,
    /// Single-gain detectors: psana's number of the common-mode algorithm the first run's
    /// calibrator applies (`None`: none).
    pub single_gain_cm: Option<u32>,
}

/// The mean calibrated image of a dataset.
#[derive(Debug, Clone)]
pub struct MeanReport {
    /// The mean image, float32 `(segments, rows, cols)`.
    pub image: NdArray,
    /// Frames calibrated, events skipped, invalid gain bits.
    pub stats: RunStats,
    /// The unit of the values (see [`CalibRun::unit`]).
    pub unit: &'static str,
}

/// The constant types the calibrator uses, in the order the log names their files.
const USED: [CalibType; 7] = [
    CalibType::Pedestals,
    CalibType::PixelGain,
    CalibType::PixelOffset,
    CalibType::PixelStatus,
    CalibType::StatusExtra,
    CalibType::StatusData,
    CalibType::CommonMode,
];

/// The calibration store of a run of experiment `exp`: `calib_dir`, else the experiment's under
/// the settings' data root.
pub fn calib_store(
    calib_dir: Option<&std::path::Path>,
    exp: &str,
    settings: &Settings,
) -> Result<CalibStore> {
    match calib_dir {
        Some(c) => {
            if !c.is_dir() {
                return Err(Error::not_found(
                    crate::Missing::File,
                    "calibration directory",
                    c.display(),
                    format!("calibration directory {} does not exist (-c)", c.display()),
                ));
            }
            Ok(CalibStore::new(c))
        }
        None => settings
            .experiment_store(exp)
            .context("finding the calibration directory (-c, --data-dir)"),
    }
}

/// The calibrator of `calib`'s detector, of type `det`, for `run`, as `detcal calib` makes it:
/// the constants valid for the run, `user_mask`, the common-mode choice; ePix10ka frames have
/// `nsegs` panels.
pub fn calibrator(
    calib: &DetectorCalib,
    det: DetType,
    run: u32,
    user_mask: Option<NdArray>,
    common_mode: &CommonMode,
    nsegs: usize,
) -> Result<Calibrator> {
    let source = calib.source();
    let mut consts = calib
        .constants(run, user_mask)
        .with_context(|| format!("constants of {source} for run {run}"))?;
    match common_mode {
        CommonMode::Deployed => {}
        CommonMode::Off => consts.common_mode = Some(vec![]),
        CommonMode::Params(c) => {
            CommonModeParams::from_psana(c).context("--cmpars")?;
            consts.common_mode = Some(c.clone());
        }
    }
    if crate::source::is_epix10ka(det) {
        Calibrator::epix10ka(det, &consts, nsegs)
    } else {
        Calibrator::new(det, &consts)
    }
    .with_context(|| format!("calibrating {source} run {run}"))
}

/// Opens each run of the dataset with the constants valid for it and their calibrator; every
/// run's frames must have the first run's shape.
pub fn open(input: &CalibInput, settings: &Settings) -> Result<Vec<CalibRun>> {
    let mut runs = open_dataset(
        &input.dataset,
        settings.psdm_data.as_deref(),
        input.det.as_deref(),
    )?;
    crate::evcode::filter_events(&mut runs, input.evcode.as_ref())?;
    let user_mask = match &input.mask {
        Some(p) => Some(formats::load_array(p).context("reading the user mask (--mask)")?),
        None => None,
    };
    let mut out: Vec<CalibRun> = Vec::new();
    for src in runs {
        let m = src.meta().clone();
        let store = calib_store(input.calib_dir.as_deref(), &m.exp, settings)?;
        let source = match &input.calib_source {
            Some(s) => s.clone(),
            None => m.det_type.default_source(&m.alias),
        };
        let calib = DetectorCalib::new(store, &source)?;
        let epix = crate::source::is_epix10ka(m.det_type);
        let cal = calibrator(
            &calib,
            m.det_type,
            m.run,
            user_mask.clone(),
            &input.common_mode,
            m.frame_shape[0],
        )?;
        let gain = calib.get(CalibType::PixelGain, m.run)?;
        let peds = calib.get(CalibType::Pedestals, m.run)?.array.is_some();
        let unit = match (m.det_type, gain.status, peds) {
            (DetType::Jungfrau, LoadStatus::Loaded, _) => "keV",
            (DetType::Jungfrau, ..) => "ADU",
            (_, LoadStatus::Loaded, true) if epix => "keV",
            _ if epix => "ADU",
            _ => "",
        };
        // What each constant the calibrator uses came from (all loaded, and cached, above).
        for c in USED {
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
        return Err(Error::shape(
            r.src.label(),
            shape_str(&out[0].src.meta().frame_shape),
            &r.src.meta().frame_shape,
            format!(
                "{}: frame shape {} differs from the first run's {}",
                r.src.label(),
                shape_str(&r.src.meta().frame_shape),
                shape_str(&out[0].src.meta().frame_shape)
            ),
        ));
    }
    Ok(out)
}

/// The first run of `runs`, or an error for a dataset without runs.
fn first(runs: &[CalibRun]) -> Result<&CalibRun> {
    runs.first().ok_or_else(|| {
        Error::not_found(
            crate::Missing::Run,
            "runs",
            "the dataset",
            "the dataset has no runs",
        )
    })
}

/// Calibrates every selected frame of `runs`, adding them to `mean` if given, calling `f` with
/// batches of frames and `pb` with the frames done; stops after `sel.events` in all.
pub fn calibrate_all(
    runs: &mut [CalibRun],
    sel: &Selection,
    pb: &dyn Progress,
    mean: Option<&mut MeanImage>,
    f: Option<OnBatch<'_>>,
) -> Result<RunStats> {
    calibrate_all_shared(runs, sel, FrameShare::all(), pb, mean, f)
}

/// [`calibrate_all`] of the frames `share` gives this process: the selection counts the frames
/// of every process, the stats only this one's (events skipped: all of them, as every process
/// walks every event).
pub fn calibrate_all_shared(
    runs: &mut [CalibRun],
    sel: &Selection,
    share: FrameShare,
    pb: &dyn Progress,
    mut mean: Option<&mut MeanImage>,
    mut f: Option<OnBatch<'_>>,
) -> Result<RunStats> {
    let mut total = RunStats::default();
    let mut selected = 0;
    for r in runs.iter_mut() {
        let Some(this) = sel.after(selected) else {
            break;
        };
        let sink = Sink {
            mean: mean.as_deref_mut(),
            frames: match f {
                Some(ref mut f) => Some(&mut **f),
                None => None,
            },
            done: Some(&mut |n| pb.set(pb.position() + n)),
        };
        let (s, all) = calibrate_run_shared(&r.src, &mut r.cal, &this, share, sink)
            .with_context(|| format!("calibrating {}", r.src.label()))?;
        // The groups of frames of the mean end with the run, as the shares of frames do.
        if let Some(m) = mean.as_deref_mut() {
            m.end_run();
        }
        selected += all;
        total.frames += s.frames;
        total.skipped += s.skipped;
        total.bad_gain += s.bad_gain;
    }
    Ok(total)
}

/// The number of frames [`calibrate_all`] will calibrate.
pub fn count_frames(runs: &[CalibRun], sel: &Selection) -> Result<u64> {
    let mut total = 0;
    for r in runs {
        let Some(this) = sel.after(total) else {
            break;
        };
        total += apply::count_frames(&r.src, &this)?;
    }
    Ok(total)
}

/// An image of `frame_shape` from its values.
fn shaped(frame_shape: &[usize], values: Vec<f32>) -> NdArray {
    ndarray::ArrayD::from_shape_vec(ndarray::IxDyn(frame_shape), values)
        .expect("frame shape")
        .into()
}

/// The mean calibrated image of opened runs, shaped (segments, rows, cols); an error when no
/// event is selected.
pub fn mean_of_runs(
    runs: &mut [CalibRun],
    sel: &Selection,
    rep: &dyn Reporter,
) -> Result<(NdArray, RunStats)> {
    let shape = first(runs)?.cal.frame_shape().to_vec();
    let mut mean = MeanImage::new(runs[0].cal.frame_len());
    let pb = rep.progress(0, "calibrating");
    let stats = calibrate_all(runs, sel, pb.as_ref(), Some(&mut mean), None)?;
    pb.finish();
    if stats.frames == 0 {
        return Err(Error::not_found(
            crate::Missing::Data,
            "events",
            "the selection",
            format!("no events selected ({} skipped)", stats.skipped),
        ));
    }
    Ok((shaped(&shape, mean.mean()), stats))
}

/// The mean calibrated image of a dataset with the constants of each run (`detcal calib
/// --mean`, `detcal plot DATASET`).
pub fn mean_image(
    input: &CalibInput,
    settings: &Settings,
    rep: &dyn Reporter,
) -> Result<MeanReport> {
    let mut runs = open(input, settings)?;
    let unit = first(&runs)?.unit;
    let (image, stats) = mean_of_runs(&mut runs, &input.selection, rep)?;
    Ok(MeanReport { image, stats, unit })
}

/// Calibrates the selected frames of the dataset and writes them, or their mean image, to
/// `opts.out` as float32 `.npy` (under a temporary name, renamed when complete).
pub fn run(opts: &CalibOptions, settings: &Settings, rep: &dyn Reporter) -> Result<CalibReport> {
    let sel = &opts.input.selection;
    let perms = &settings.perms;
    let mut runs = open(&opts.input, settings)?;
    let r0 = first(&runs)?;
    let unit = r0.unit;
    let frame_shape = r0.cal.frame_shape().to_vec();
    let t0 = std::time::Instant::now();
    let (stats, mean) = match opts.output {
        CalibOutput::Mean => {
            let (arr, stats) = mean_of_runs(&mut runs, sel, rep)?;
            formats::npy::write_npy(&opts.out, &arr, perms)?;
            (stats, Some(arr))
        }
        CalibOutput::Frames { mean } => {
            // Count first, so the .npy header can carry the shape.
            let count = count_frames(&runs, sel)?;
            if count == 0 {
                return Err(Error::not_found(
                    crate::Missing::Data,
                    "events",
                    "the selection",
                    "no events selected; nothing written",
                ));
            }
            let mut mean = mean.then(|| MeanImage::new(runs[0].cal.frame_len()));
            let mut npy_shape = vec![count];
            npy_shape.extend(frame_shape.iter().map(|&d| d as u64));
            let pb = rep.progress(count, "calibrating");
            let mut stats = RunStats::default();
            formats::npy::write_npy_streamed::<f32>(&opts.out, &npy_shape, perms, |push| {
                let mut push = |batch: &[f32]| push(batch);
                stats = calibrate_all(&mut runs, sel, pb.as_ref(), mean.as_mut(), Some(&mut push))?;
                Ok(())
            })
            .with_context(|| format!("writing {}", opts.out.display()))?;
            pb.finish();
            (stats, mean.map(|mut m| shaped(&frame_shape, m.mean())))
        }
    };
    let seconds = t0.elapsed().as_secs_f64();
    let r0 = &runs[0];
    Ok(CalibReport {
        out: opts.out.clone(),
        stats,
        frame_shape,
        unit,
        mean,
        seconds,
        masked: r0.cal.mask().iter().filter(|&&m| m == 0).count(),
        common_mode: r0.cal.common_mode(),
        single_gain_cm: r0.cal.single_gain_common_mode().map(|a| a.number()),
    })
}

/// [`mean_of_runs`] with the selected frames shared by the processes of `ranks` (runs of
/// [`crate::dist::SHARE_RUN`] frames round-robin): every process calibrates its frames, the
/// exact sums ([`MeanImage`]) are reduced to the root along a tree ([`crate::dist::reduce`]),
/// and the root gets the mean of all frames, the bytes [`mean_of_runs`] gives; the other
/// processes get `None`.
pub fn mean_of_runs_shared(
    runs: &mut [CalibRun],
    sel: &Selection,
    rep: &dyn Reporter,
    ranks: &dyn Ranks,
) -> Result<Option<(NdArray, RunStats)>> {
    let shape = first(runs)?.cal.frame_shape().to_vec();
    let mut mean = MeanImage::new(runs[0].cal.frame_len());
    let share = FrameShare {
        rank: ranks.rank(),
        size: ranks.size(),
        block: 0,
    };
    let pb = rep.progress(0, "calibrating");
    let mut stats = calibrate_all_shared(runs, sel, share, pb.as_ref(), Some(&mut mean), None)?;
    pb.finish();
    let mine = (stats.frames, stats.bad_gain);
    let mut state = (mean, stats.bad_gain);
    let done = crate::dist::reduce(
        ranks,
        &mut state,
        |(mean, bad_gain)| {
            let mut w = crate::dist::Writer::default();
            w.u64(*bad_gain);
            w.buf.extend(mean.to_bytes());
            Ok(w.buf)
        },
        |(mean, bad_gain), part| {
            let (head, rest) = part.split_at(8.min(part.len()));
            *bad_gain += crate::dist::Reader::new(head, "mean image sums").u64()?;
            mean.merge_bytes(rest)
        },
    )?;
    let mut mean;
    (mean, stats.bad_gain) = state;
    if ranks.size() > 1 {
        tracing::info!(
            "rank {} of {}: {} frames ({} invalid gain bits); {}",
            ranks.rank(),
            ranks.size(),
            mine.0,
            mine.1,
            done
        );
    }
    if !ranks.is_root() {
        return Ok(None);
    }
    stats.frames = mean.frames();
    if stats.frames == 0 {
        return Err(Error::not_found(
            crate::Missing::Data,
            "events",
            "the selection",
            format!("no events selected ({} skipped)", stats.skipped),
        ));
    }
    Ok(Some((shaped(&shape, mean.mean()), stats)))
}

/// [`run`] shared by the processes of `ranks` (MPI): with [`CalibOutput::Mean`], every process
/// calibrates its share of the frames ([`mean_of_runs_shared`]) and the root writes the mean
/// image, the file [`run`] writes; calibrated frames are written by the root alone. The root
/// gets the report, the other processes `None`.
pub fn run_shared(
    opts: &CalibOptions,
    settings: &Settings,
    rep: &dyn Reporter,
    ranks: &dyn Ranks,
) -> Result<Option<CalibReport>> {
    if ranks.size() <= 1 {
        return run(opts, settings, rep).map(Some);
    }
    if opts.output != CalibOutput::Mean {
        if !ranks.is_root() {
            return Ok(None);
        }
        tracing::warn!(
            "calibrated frames are written by rank 0 alone; the {} other rank(s) wait (only --mean is shared)",
            ranks.size() - 1
        );
        return run(opts, settings, rep).map(Some);
    }
    let mut runs = open(&opts.input, settings)?;
    let r0 = first(&runs)?;
    let unit = r0.unit;
    let frame_shape = r0.cal.frame_shape().to_vec();
    let t0 = std::time::Instant::now();
    let Some((arr, stats)) = mean_of_runs_shared(&mut runs, &opts.input.selection, rep, ranks)?
    else {
        return Ok(None);
    };
    formats::npy::write_npy(&opts.out, &arr, &settings.perms)?;
    let r0 = &runs[0];
    Ok(Some(CalibReport {
        out: opts.out.clone(),
        stats,
        frame_shape,
        unit,
        mean: Some(arr),
        seconds: t0.elapsed().as_secs_f64(),
        masked: r0.cal.mask().iter().filter(|&&m| m == 0).count(),
        common_mode: r0.cal.common_mode(),
        single_gain_cm: r0.cal.single_gain_common_mode().map(|a| a.number()),
    }))
}
