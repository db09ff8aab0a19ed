/*!
psana's `det.common_mode_correction` on a NumPy stack of raw frames of a single-gain detector
(`detcal common-mode`): the common mode of the type's algorithm applied to
`float32(raw) - pedestals`, or with `calib` the whole single-gain `det.calib` (pedestals, common
mode, gain multiplied, mask from the status and the user mask). Spec single-gain-and-status.md
§1-§3.
*/

use std::path::{Path, PathBuf};
use std::time::Instant;

use ndarray::{ArrayD, IxDyn};

use crate::NdArray;
use crate::calib::cm::{CmAlgorithm, CmInputs, SingleGainCm, default_cmpars};
use crate::calib::{Calibrator, Constants};
use crate::detector::DetType;
use crate::error::{Context, Error, Result};
use crate::formats::array::shape_str;
use crate::settings::Settings;

/// What to correct, with which constants, and where the result goes.
#[derive(Debug, Clone)]
pub struct CommonModeOptions {
    /// The raw frames: `(N, frame...)`, or one frame of the pedestals' size.
    pub raw: PathBuf,
    /// The detector type (its algorithms and default parameters).
    pub det_type: DetType,
    /// psana's common-mode parameters; `None`: those `det.calib` uses for the type when no
    /// `common_mode` file is deployed.
    pub cmpars: Option<Vec<f64>>,
    /// The pedestals, one frame.
    pub pedestals: PathBuf,
    /// The user mask (0 bad): algorithm 8 estimates and corrects only its good pixels; with
    /// `calib` it also masks the output.
    pub mask: Option<PathBuf>,
    /// `pixel_rms`, for algorithm 6 (default ones).
    pub rms: Option<PathBuf>,
    /// `pixel_status`: algorithms 1-5 leave out pixels where it is non-zero; with `calib` it
    /// also masks the output.
    pub status: Option<PathBuf>,
    /// `pixel_gain` (a factor), with `calib` only.
    pub gain: Option<PathBuf>,
    /// The whole single-gain `det.calib` rather than the common mode only.
    pub calib: bool,
    /// The `.npy` file to write (atomically), float32 of the raw stack's shape.
    pub out: PathBuf,
}

/// What a common-mode job did.
#[derive(Debug, Clone)]
pub struct CommonModeReport {
    /// The file written.
    pub out: PathBuf,
    /// The frames corrected.
    pub frames: usize,
    /// The shape of one frame.
    pub frame_shape: Vec<usize>,
    /// The parameters used.
    pub cmpars: Vec<f64>,
    /// The algorithm applied, `None` when psana corrects nothing with these parameters.
    pub algorithm: Option<CmAlgorithm>,
    /// Wall-clock seconds of the correction (after reading the inputs).
    pub seconds: f64,
}

fn load(path: &Path, what: &str) -> Result<NdArray> {
    crate::formats::load_array(path).with_context(|| format!("reading the {what}"))
}

/// The frame shape and frame count of a raw stack for pedestals of `peds` values: `raw` is one
/// frame of that size (psana reshapes the pedestals to it) or a stack `(N, frame...)`.
fn frames_of(raw: &[usize], npeds: usize, raw_path: &Path) -> Result<(Vec<usize>, usize)> {
    let len: usize = raw.iter().product();
    if len == npeds && npeds > 0 {
        return Ok((raw.to_vec(), 1));
    }
    match raw.split_first() {
        Some((&n, frame)) if frame.iter().product::<usize>() == npeds && npeds > 0 => {
            Ok((frame.to_vec(), n))
        }
        _ => Err(Error::shape(
            "raw frames",
            format!("(N, frame) with frames of {npeds} values"),
            raw,
            format!(
                "{}: shape {} is not a stack of frames of the pedestals' size ({npeds} values)",
                raw_path.display(),
                shape_str(raw)
            ),
        )),
    }
}

/// An array reshaped to the frame shape, or a shape error naming it.
fn as_frame(a: NdArray, what: &str, path: &Path, frame: &[usize]) -> Result<NdArray> {
    if a.len() != frame.iter().product::<usize>() {
        return Err(Error::shape(
            what,
            shape_str(frame),
            a.shape(),
            format!(
                "{}: the {what} of shape {} do not fit frames of shape {}",
                path.display(),
                shape_str(a.shape()),
                shape_str(frame)
            ),
        ));
    }
    if a.shape() == frame {
        return Ok(a);
    }
    a.reshape(frame)
        .map_err(|e| Error::content(path, e.to_string()))
}

/// Runs the correction and writes the result.
pub fn run(opts: &CommonModeOptions, settings: &Settings) -> Result<CommonModeReport> {
    let det = opts.det_type;
    if det.gain_ranges() > 1 || det == DetType::Undefined {
        return Err(Error::unsupported(
            det,
            format!(
                "detcal common-mode is for single-gain detectors (CSPAD, CSPAD2x2, pnCCD, \
                 ePix100a, cameras); {det} frames are calibrated by detcal calib"
            ),
        ));
    }
    if opts.gain.is_some() && !opts.calib {
        return Err(Error::bad_arg(
            "--gain",
            "--gain is applied only by the whole calibration: add --calib",
        ));
    }
    let raw = load(&opts.raw, "raw frames")?;
    let peds = load(&opts.pedestals, "pedestals")?;
    let (frame_shape, frames) = frames_of(raw.shape(), peds.len(), &opts.raw)?;
    let peds = as_frame(peds, "pedestals", &opts.pedestals, &frame_shape)?;
    if !raw.dtype().is_integer() {
        tracing::warn!(
            "{}: raw values of type {} (detector data are integers)",
            opts.raw.display(),
            raw.dtype()
        );
    }
    let optional = |p: &Option<PathBuf>, what: &str| -> Result<Option<NdArray>> {
        p.as_deref()
            .map(|p| as_frame(load(p, what)?, what, p, &frame_shape))
            .transpose()
    };
    let mask = optional(&opts.mask, "mask")?;
    let rms = optional(&opts.rms, "pixel_rms")?;
    let status = optional(&opts.status, "pixel_status")?;
    let gain = optional(&opts.gain, "pixel_gain")?;
    let cmpars = opts
        .cmpars
        .clone()
        .unwrap_or_else(|| default_cmpars(det, &frame_shape));
    let raw_f32: Vec<f32> = raw.to_typed::<f32>().iter().copied().collect();
    let start = Instant::now();
    let (out, algorithm) = if opts.calib {
        let consts = Constants {
            pedestals: Some(peds),
            pixel_gain: gain,
            pixel_rms: rms,
            pixel_status: status,
            user_mask: mask,
            common_mode: Some(cmpars.clone()),
            ..Constants::default()
        };
        let mut cal = Calibrator::new(det, &consts)?;
        let mut out = vec![0f32; raw_f32.len()];
        cal.calibrate_values(&raw_f32, &mut out)?;
        (out, cal.single_gain_common_mode().cloned())
    } else {
        let cm = SingleGainCm::new(
            det,
            Some(&cmpars),
            &frame_shape,
            CmInputs {
                status: status.as_ref(),
                rms: rms.as_ref(),
                mask: mask.as_ref(),
            },
        )?;
        let p: Vec<f32> = peds.to_typed::<f32>().iter().copied().collect();
        let mut out = raw_f32;
        for f in out.chunks_mut(p.len()) {
            f.iter_mut().zip(&p).for_each(|(v, &p)| *v -= p);
        }
        if let Some(cm) = &cm {
            cm.apply(&mut out)?;
        }
        (out, cm.map(|c| c.algorithm().clone()))
    };
    let seconds = start.elapsed().as_secs_f64();
    note_unused(opts, algorithm.as_ref());
    let arr = NdArray::F32(
        ArrayD::from_shape_vec(IxDyn(raw.shape()), out)
            .map_err(|e| Error::internal(format!("output of shape {:?}: {e}", raw.shape())))?,
    );
    crate::formats::npy::write_npy(&opts.out, &arr, &settings.perms)?;
    Ok(CommonModeReport {
        out: opts.out.clone(),
        frames,
        frame_shape,
        cmpars,
        algorithm,
        seconds,
    })
}

/// Warns about inputs the algorithm does not use (psana's algorithms each take their own).
fn note_unused(opts: &CommonModeOptions, alg: Option<&CmAlgorithm>) {
    let n = alg.map_or(0, |a| a.number());
    if opts.mask.is_some() && n != 8 && !opts.calib {
        tracing::warn!(
            "--mask is not used by common-mode algorithm {n} (only algorithm 8 takes the user \
             mask; psana's C++ algorithms exclude pixels by --status)"
        );
    }
    if opts.rms.is_some() && n != 6 {
        tracing::warn!("--rms is used only by common-mode algorithm 6");
    }
    if opts.status.is_some() && matches!(n, 0 | 6 | 8) && !opts.calib {
        tracing::warn!("--status is not used by common-mode algorithm {n} (psana's 1-5 take it)");
    }
}
