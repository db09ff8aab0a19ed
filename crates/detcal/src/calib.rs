/*!
Applying constants to raw frames: pedestals, offsets, gains, common mode and masks, as psana's
`det.calib` does.

A [`Calibrator`] is built once from the constants of a detector ([`Constants`], arrays as loaded
from files) and then turns raw frames into calibrated ones, in parallel over half panels (and
frames, in batches), with no allocation per frame.

**JUNGFRAU** (spec §11, LCLS-I `calib_jungfrau_v2`), per pixel:

1. gain bits 15-14: `00` gain 0, `01` gain 1, `11` gain 2; `10` is invalid and gives 0 (decision
   8; psana passes the raw value through) and is counted ([`Calibrator::bad_gain_count`]);
2. `v = (raw & 0x3fff) - (pedestal[g] + offset[g])`, in float32;
3. common mode on the good gain-0 pixels ([`CommonModeParams`]; default `(7,1,100,0)`);
4. `out = v * (1 / gain[g]) * mask`, with `1/gain = 0` where `gain == 0`. Without a
   `pixel_gain` the output is in ADU; with it (ADU/keV), in keV.

The mask is the AND of the masks of the status constants that are present (`pixel_status`,
`status_extra`, `status_data`; a pixel bad in any gain is bad) and of the user mask.

**ePix10ka** (spec epix10ka.md §6, LCLS-I `calib_epix10ka_v2`), per pixel: the gain range from
the step's configuration bits and data bit 14 ([`Calibrator::set_config_bits`]); `v =
float32(raw & 0x3fff) - pedestal[range]`; common mode (default `(7,2,10,10)`) on the good pixels
of the high and medium ranges; `out = v * float32(1/gain[range]) * mask`, the mask ANDing the
status constants over ranges 0-4. No pedestals: pedestal 0 and factor 1 everywhere (psana).

**Single-gain detectors** (CSPAD, CSPAD2x2, pnCCD, ePix100a, cameras; spec
single-gain-and-status.md §3): `v = float32(raw) - pedestal`; psana's common mode of the type
([`cm`]: the deployed `common_mode` values, else the type's default of
[`cm::default_cmpars`], e.g. algorithm 3 for the pnCCD and 4 for the ePix100a); then
`out = v * gain * mask`: `pixel_gain` multiplies here.

```
use detcal::calib::{Calibrator, Constants};
use detcal::detector::DetType;
use ndarray::{Array4, ArrayD};

let peds = Array4::<f32>::from_elem((3, 1, 512, 1024), 1000.0).into_dyn();
let consts = Constants { pedestals: Some(peds.into()), ..Constants::default() };
let mut cal = Calibrator::new(DetType::Jungfrau, &consts).unwrap();
let raw = vec![1010u16; cal.frame_len()];
let mut out = vec![0f32; cal.frame_len()];
cal.calibrate(&raw, &mut out).unwrap();
assert_eq!(out[0], 0.0); // 10 ADU above the pedestal everywhere: removed as common mode
```
*/

pub mod cm;
mod common_mode;
mod epix10ka;
mod kernel;
mod mask;
mod median;
#[cfg(test)]
mod netgen;

use ndarray::{ArrayD, ArrayViewD, IxDyn};
use rayon::prelude::*;

pub use common_mode::{CommonModeParams, NBANKS};
pub use mask::{PIXEL_STATUS_CODE, STATUS_EXTRA_CODE};

use crate::detector::DetType;
use crate::error::{Error, Missing, Result};
use crate::formats::array::{NdArray, shape_str};
use cm::{CmAlgorithm, CmInputs, SingleGainCm};
use common_mode::CmPlan;
use epix10ka::{EpixCm, EpixHalf, EpixScratch, EpixTables};
use kernel::{HalfConsts, Scratch};

/// Pixels per work unit of single-gain detectors.
const SINGLE_GAIN_UNIT: usize = 1 << 16;

/// The constants a [`Calibrator`] is made from, as loaded from files (any element type; each is
/// cast to psana's type for its ctype).
#[derive(Debug, Clone, Default)]
pub struct Constants {
    /// `pedestals`: JUNGFRAU `(3, nsegs, rows, cols)`; other detectors the frame shape. Required.
    pub pedestals: Option<NdArray>,
    /// `pixel_gain`, shaped as the pedestals: JUNGFRAU ADU/keV (divides), others a factor
    /// (multiplies). Missing: output in ADU.
    pub pixel_gain: Option<NdArray>,
    /// `pixel_offset` (JUNGFRAU), shaped as the pedestals, in ADU; missing: zeros.
    pub pixel_offset: Option<NdArray>,
    /// `pixel_rms`, shaped as the pedestals: used by the ePix100a common mode of algorithm 6
    /// only (missing: ones).
    pub pixel_rms: Option<NdArray>,
    /// `pixel_status` (bad where `status & 0xffff != 0`).
    pub pixel_status: Option<NdArray>,
    /// `status_extra` (bad where non-zero).
    pub status_extra: Option<NdArray>,
    /// `status_data` (bad where non-zero).
    pub status_data: Option<NdArray>,
    /// A user mask with one value per pixel of a frame; zero is bad. Single-gain common-mode
    /// algorithm 8 also estimates and corrects only the pixels it marks good.
    pub user_mask: Option<NdArray>,
    /// psana's `common_mode` parameters; `None` takes the detector's default (single-gain
    /// types: [`cm::default_cmpars`], psana's C++ defaults).
    pub common_mode: Option<Vec<f64>>,
}

/// Which formula a calibrator applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Jungfrau,
    SingleGain,
    Epix10ka,
}

/// The ePix10ka part of a calibrator: the 7 range planes and the tables of the current
/// configuration.
#[derive(Debug, Default)]
struct EpixState {
    /// Pedestals, 7 planes of a frame, or empty (pedestal 0 everywhere).
    peds: Vec<f32>,
    /// float32(1/gain), 7 planes of a frame, or empty (factor 1 everywhere).
    gfac: Vec<f32>,
    /// The tables of the configuration set last, if any.
    tables: Option<EpixTables>,
    cm: Option<EpixCm>,
    scratch: Vec<EpixScratch>,
}

/// Turns raw frames into calibrated frames with one detector's constants.
#[derive(Debug)]
pub struct Calibrator {
    kind: Kind,
    det: DetType,
    /// The shape of one frame.
    shape: Vec<usize>,
    /// JUNGFRAU: segments, rows and columns of a frame (single gain: 1, 1, frame size).
    nsegs: usize,
    rows: usize,
    cols: usize,
    /// JUNGFRAU: pedestal + offset per gain (3 planes of a frame); single gain: pedestals.
    poff: Vec<f32>,
    /// JUNGFRAU: 1/gain per gain (3 planes); single gain: the gains, or empty.
    gfac: Vec<f32>,
    /// 1 good, 0 bad, one per pixel of a frame.
    mask: Vec<u8>,
    cm: Option<CmPlan>,
    scratch: Vec<Scratch>,
    /// Per thread: copies of the parts of frames given at odd addresses.
    copies: Vec<Vec<u16>>,
    unit_bad: Vec<usize>,
    last_bad: usize,
    epix: Option<Box<EpixState>>,
    /// Single gain: the common-mode correction, if any.
    single_cm: Option<SingleGainCm>,
}

impl Calibrator {
    /// A calibrator for detector type `det` (JUNGFRAU, ePix10ka, or any single-gain type). For
    /// ePix10ka the panel count comes from the pedestals (see [`Calibrator::epix10ka`] to
    /// calibrate without them).
    pub fn new(det: DetType, consts: &Constants) -> Result<Calibrator> {
        match det {
            DetType::Jungfrau => Calibrator::jungfrau(consts),
            DetType::Epix10ka | DetType::Epix10ka2M | DetType::Epix10kaQuad => {
                let nsegs = match consts.pedestals.as_ref().map(|p| p.shape().to_vec()) {
                    Some(s) if s.len() == 4 => s[1],
                    Some(s) if s.len() == 3 => 1,
                    Some(s) => {
                        return Err(Error::shape(
                            "pedestals",
                            "(7, nsegs, 352, 384)",
                            &s,
                            format!(
                                "pedestals: shape {} is not (7, nsegs, 352, 384) as ePix10ka \
                                 pedestals are",
                                shape_str(&s)
                            ),
                        ));
                    }
                    None => {
                        return Err(Error::not_found(
                            Missing::Constants,
                            "pedestals",
                            det,
                            format!(
                                "no pedestals for the {det} detector: give the panel count \
                                 (Calibrator::epix10ka) to calibrate without them"
                            ),
                        ));
                    }
                };
                Calibrator::epix10ka(det, consts, nsegs)
            }
            DetType::Epix10k => Err(Error::unsupported(
                det,
                format!("calibration of {det} (the ePix10k prototype) is not supported"),
            )),
            _ => Calibrator::single_gain(det, consts),
        }
    }

    /// An ePix10ka calibrator for frames of `nsegs` panels of 352 x 384: constants
    /// `(7, nsegs, 352, 384)` (`(7, 352, 384)` for one panel). Missing pedestals give pedestal
    /// 0 and factor 1 everywhere, missing gains factor 1, as psana. Frames need the step's
    /// configuration first ([`Calibrator::set_config_bits`]).
    pub fn epix10ka(det: DetType, consts: &Constants, nsegs: usize) -> Result<Calibrator> {
        use crate::detector::epix10ka::{PANEL_COLS, PANEL_ROWS};
        if nsegs == 0 {
            return Err(Error::bad_arg(
                "panels",
                "an ePix10ka has at least one panel",
            ));
        }
        let shape = vec![nsegs, PANEL_ROWS, PANEL_COLS];
        let npix = epix10ka::frame_pixels(nsegs);
        let want = [7, nsegs, PANEL_ROWS, PANEL_COLS];
        let check = |name: &str, a: &NdArray| -> Result<()> {
            let s = a.shape();
            let ok = s == want || (nsegs == 1 && s == [7, PANEL_ROWS, PANEL_COLS]);
            if !ok {
                return Err(Error::shape(
                    name,
                    shape_str(&want),
                    s,
                    format!(
                        "{name}: shape {} does not fit {det} frames of {nsegs} panel(s); \
                         expected {}",
                        shape_str(s),
                        shape_str(&want)
                    ),
                ));
            }
            Ok(())
        };
        let peds = match &consts.pedestals {
            Some(p) => {
                check("pedestals", p)?;
                to_f32_vec(p)
            }
            None => Vec::new(),
        };
        // psana: no pedestals means no gain correction either.
        let gfac = match (&consts.pixel_gain, peds.is_empty()) {
            (Some(g), false) => {
                check("pixel_gain", g)?;
                to_f32_vec(g)
                    .into_iter()
                    .map(|g| if g != 0.0 { 1.0 / g } else { 0.0 })
                    .collect()
            }
            _ => Vec::new(),
        };
        if consts.pixel_offset.is_some() {
            tracing::warn!("pixel_offset is not used for {det} (psana does not use it either)");
        }
        let mut mask = vec![1u8; npix];
        let mshape = shape.clone();
        let ranges = Some(7);
        if let Some(s) = &consts.pixel_status {
            mask::and_status_first::<u16>(
                &mut mask,
                &mshape,
                ranges,
                5,
                "pixel_status",
                s,
                PIXEL_STATUS_CODE,
            )?;
        }
        if let Some(s) = &consts.status_extra {
            mask::and_status_first::<u64>(
                &mut mask,
                &mshape,
                ranges,
                5,
                "status_extra",
                s,
                STATUS_EXTRA_CODE,
            )?;
        }
        if let Some(s) = &consts.status_data {
            mask::and_status_first::<u16>(
                &mut mask,
                &mshape,
                ranges,
                5,
                "status_data",
                s,
                STATUS_EXTRA_CODE,
            )?;
        }
        if let Some(u) = &consts.user_mask {
            mask::and_user(&mut mask, &mshape, u)?;
        }
        let cmps = consts
            .common_mode
            .clone()
            .unwrap_or_else(|| det.default_common_mode().to_vec());
        let cm = CommonModeParams::from_psana(&cmps)?.map(EpixCm::new);
        Ok(Calibrator {
            kind: Kind::Epix10ka,
            det,
            shape,
            nsegs,
            rows: PANEL_ROWS,
            cols: PANEL_COLS,
            poff: Vec::new(),
            gfac: Vec::new(),
            mask,
            cm: None,
            scratch: Vec::new(),
            copies: Vec::new(),
            unit_bad: Vec::new(),
            last_bad: 0,
            epix: Some(Box::new(EpixState {
                peds,
                gfac,
                tables: None,
                cm,
                scratch: Vec::new(),
            })),
            single_cm: None,
        })
    }

    /// ePix10ka: sets the configuration of the frames to come, the configuration bits of every
    /// pixel of each panel ([`crate::detector::epix10ka::config_bits`], e.g.
    /// [`crate::source::StepMeta::config_bits`]). Other detectors ignore it.
    pub fn set_config_bits(&mut self, panels: &[Vec<u8>]) -> Result<()> {
        let Some(e) = self.epix.as_mut() else {
            return Ok(());
        };
        let npix = self.mask.len();
        if panels.len() != self.nsegs
            || panels
                .iter()
                .any(|p| p.len() != crate::detector::epix10ka::PANEL_PIXELS)
        {
            return Err(Error::shape(
                "config bits",
                format!("{} panels of 352 x 384", self.nsegs),
                &[panels.len()],
                format!(
                    "configuration of {} panel(s) given for frames of {} panel(s) of 352 x 384",
                    panels.len(),
                    self.nsegs
                ),
            ));
        }
        let cbits: Vec<u8> = panels.concat();
        debug_assert_eq!(cbits.len(), npix);
        e.tables = Some(EpixTables::build(&cbits, &e.peds, &e.gfac, &self.mask));
        Ok(())
    }

    /// Whether frames need the configuration ([`Calibrator::set_config_bits`]) first: ePix10ka.
    pub fn needs_config(&self) -> bool {
        self.kind == Kind::Epix10ka
    }

    /// A JUNGFRAU calibrator: pedestals `(3, nsegs, rows, cols)` with `rows` even and `cols` a
    /// multiple of 16 (psana's geometry is that of 512 x 1024 panels, scaled).
    pub fn jungfrau(consts: &Constants) -> Result<Calibrator> {
        let peds = consts.pedestals.as_ref().ok_or_else(|| {
            Error::not_found(
                Missing::Constants,
                "pedestals",
                DetType::Jungfrau,
                "no pedestals for the JUNGFRAU detector: calibration needs them (psana fails \
                 too)",
            )
        })?;
        let pshape = peds.shape().to_vec();
        let [3, nsegs, rows, cols] = pshape[..] else {
            return Err(Error::shape(
                "pedestals",
                "(3, nsegs, rows, cols)",
                &pshape,
                format!(
                    "pedestals: shape {} is not (3, nsegs, rows, cols) as JUNGFRAU pedestals are",
                    shape_str(&pshape)
                ),
            ));
        };
        if nsegs == 0 || rows == 0 || rows % 2 != 0 || cols == 0 || cols % NBANKS != 0 {
            return Err(Error::shape(
                "pedestals",
                "(3, nsegs, 2k rows, 16k cols)",
                &pshape,
                format!(
                    "pedestals: shape {}: panels need an even number of rows and a multiple of 16 \
                 columns (512 x 1024 for JUNGFRAU)",
                    shape_str(&pshape)
                ),
            ));
        }
        let npix = nsegs * rows * cols;
        let mut poff = to_f32_vec(peds);
        if let Some(offs) = &consts.pixel_offset {
            check_same_shape("pixel_offset", offs, &pshape)?;
            for (p, o) in poff.iter_mut().zip(to_f32_vec(offs)) {
                *p += o;
            }
        }
        let gfac = match &consts.pixel_gain {
            Some(gain) => {
                check_same_shape("pixel_gain", gain, &pshape)?;
                to_f32_vec(gain)
                    .into_iter()
                    .map(|g| if g != 0.0 { 1.0 / g } else { 0.0 })
                    .collect()
            }
            None => vec![1.0; 3 * npix],
        };
        let shape = vec![nsegs, rows, cols];
        let mask = build_mask(consts, &shape, Some(3))?;
        let cmps = consts
            .common_mode
            .clone()
            .unwrap_or_else(|| DetType::Jungfrau.default_common_mode().to_vec());
        let cm = CommonModeParams::from_psana(&cmps)?
            .map(|p| CmPlan::new(p, crate::detector::jungfrau::half_rows(rows), cols));
        Ok(Calibrator {
            kind: Kind::Jungfrau,
            det: DetType::Jungfrau,
            shape,
            nsegs,
            rows,
            cols,
            poff,
            gfac,
            mask,
            cm,
            scratch: Vec::new(),
            copies: Vec::new(),
            unit_bad: Vec::new(),
            last_bad: 0,
            epix: None,
            single_cm: None,
        })
    }

    /// A single-gain calibrator (`(raw - peds) * gain * mask`); frames have the pedestals' shape.
    pub fn single_gain(det: DetType, consts: &Constants) -> Result<Calibrator> {
        let peds = consts.pedestals.as_ref().ok_or_else(|| {
            Error::not_found(
                Missing::Constants,
                "pedestals",
                det,
                format!("no pedestals for the {det} detector: calibration needs them"),
            )
        })?;
        let shape = peds.shape().to_vec();
        let npix: usize = shape.iter().product();
        if npix == 0 {
            return Err(Error::shape(
                "pedestals",
                "at least one pixel",
                &shape,
                format!("pedestals: shape {} has no pixels", shape_str(&shape)),
            ));
        }
        let poff = to_f32_vec(peds);
        let gfac = match &consts.pixel_gain {
            Some(g) if g.len() == npix => to_f32_vec(g),
            Some(g) => {
                return Err(Error::shape(
                    "pixel_gain",
                    shape_str(&shape),
                    g.shape(),
                    format!(
                        "pixel_gain: shape {} does not fit pedestals of shape {}",
                        shape_str(g.shape()),
                        shape_str(&shape)
                    ),
                ));
            }
            None => Vec::new(),
        };
        if consts.pixel_offset.is_some() {
            tracing::warn!("pixel_offset is not used for {det} (single-gain detector)");
        }
        let mask = build_mask(consts, &shape, None)?;
        let single_cm = SingleGainCm::new(
            det,
            consts.common_mode.as_deref(),
            &shape,
            CmInputs {
                status: consts.pixel_status.as_ref(),
                rms: consts.pixel_rms.as_ref(),
                mask: consts.user_mask.as_ref(),
            },
        )?;
        Ok(Calibrator {
            kind: Kind::SingleGain,
            det,
            shape,
            nsegs: 1,
            rows: 1,
            cols: npix,
            poff,
            gfac,
            mask,
            cm: None,
            scratch: Vec::new(),
            copies: Vec::new(),
            unit_bad: Vec::new(),
            last_bad: 0,
            epix: None,
            single_cm,
        })
    }

    /// The detector type.
    pub fn det_type(&self) -> DetType {
        self.det
    }

    /// The shape of one frame (JUNGFRAU: `(nsegs, rows, cols)`).
    pub fn frame_shape(&self) -> &[usize] {
        &self.shape
    }

    /// The number of pixels of one frame.
    pub fn frame_len(&self) -> usize {
        self.mask.len()
    }

    /// The mask applied to every frame (1 good, 0 bad), shaped as a frame.
    pub fn mask(&self) -> ArrayViewD<'_, u8> {
        ArrayViewD::from_shape(IxDyn(&self.shape), &self.mask).expect("mask has the frame size")
    }

    /// Single-gain detectors: the common-mode algorithm applied, or `None` when it is off.
    pub fn single_gain_common_mode(&self) -> Option<&CmAlgorithm> {
        self.single_cm.as_ref().map(|c| c.algorithm())
    }

    /// JUNGFRAU and ePix10ka: the common-mode parameters in use, or `None` when the correction
    /// is off.
    pub fn common_mode(&self) -> Option<CommonModeParams> {
        if let Some(e) = &self.epix {
            return e.cm.as_ref().map(|c| c.params);
        }
        self.cm.as_ref().map(|p| p.params)
    }

    /// The number of pixels with gain bits `10` in the last frame calibrated (JUNGFRAU).
    pub fn bad_gain_count(&self) -> usize {
        self.last_bad
    }

    /// Calibrates one frame `raw` into `out` (both [`Calibrator::frame_len`] long). Returns the
    /// number of pixels with gain bits `10`.
    pub fn calibrate(&mut self, raw: &[u16], out: &mut [f32]) -> Result<usize> {
        self.check_lengths(raw, out.len(), Some(1))?;
        self.run(raw, out, 1)
    }

    /// Calibrates frames stored one after another in `raw` into `out` (the same length, a
    /// multiple of [`Calibrator::frame_len`]). Returns the number of pixels with gain bits `10`
    /// in all frames; [`Calibrator::bad_gain_count`] then gives that of the last frame.
    pub fn calibrate_batch(&mut self, raw: &[u16], out: &mut [f32]) -> Result<usize> {
        let nframes = self.check_lengths(raw, out.len(), None)?;
        if nframes == 0 {
            return Ok(0);
        }
        self.run(raw, out, nframes)
    }

    /// The length the parts of frames given to [`Calibrator::calibrate_parts`] must be a
    /// multiple of, where this calibrator takes frames in parts (JUNGFRAU with the row common
    /// mode: half panels).
    pub(crate) fn part_unit(&self) -> Option<usize> {
        let unit_len = crate::detector::jungfrau::half_rows(self.rows) * self.cols;
        (self.kind == Kind::Jungfrau
            && self
                .cm
                .as_ref()
                .is_some_and(|plan| kernel::rows_apply(plan, self.cols, unit_len)))
        .then_some(unit_len)
    }

    /// Calibrates `nframes` frames given as `parts`, bytes of little-endian words at any
    /// address (the parts of each frame in order, then those of the next; each a multiple of
    /// [`Calibrator::part_unit`] words long), writing the frames to `out` where given and adding
    /// each calibrated value to its pixel's `sums` (one per pixel of a frame), frame after frame,
    /// where given. Returns the number of pixels with gain bits `10` in all frames.
    pub(crate) fn calibrate_parts(
        &mut self,
        parts: &[&[u8]],
        nframes: usize,
        out: Option<&mut [f32]>,
        sums: Option<&mut [f64]>,
    ) -> Result<usize> {
        let n = self.frame_len();
        let unit = self.part_unit().ok_or_else(|| {
            Error::internal("frames in parts for a calibrator that takes whole frames")
        })?;
        let total: usize = parts.iter().map(|p| p.len()).sum();
        if total != 2 * nframes * n
            || parts.iter().any(|p| !p.len().is_multiple_of(2 * unit))
            || out.as_ref().is_some_and(|o| 2 * o.len() != total)
            || sums.as_ref().is_some_and(|s| s.len() != n)
        {
            return Err(Error::internal(format!(
                "{nframes} frames of {n} pixels in parts of {total} bytes in all"
            )));
        }
        if nframes == 0 {
            return Ok(0);
        }
        let halves: Vec<&[u8]> = parts.iter().flat_map(|p| p.chunks(2 * unit)).collect();
        Ok(self.run_jungfrau_by_half(&halves, out, sums, nframes))
    }

    /// Calibrates one frame given as an array of the frame shape (a convenience that allocates).
    pub fn calibrate_array(&mut self, raw: ArrayViewD<'_, u16>) -> Result<ArrayD<f32>> {
        if raw.shape() != self.shape.as_slice() {
            return Err(Error::shape(
                "raw frame",
                shape_str(&self.shape),
                raw.shape(),
                format!(
                    "raw frame: shape {} differs from the constants' frame shape {}",
                    shape_str(raw.shape()),
                    shape_str(&self.shape)
                ),
            ));
        }
        let raw = raw.as_standard_layout();
        let raw = raw.as_slice().expect("standard layout is contiguous");
        let mut out = vec![0f32; raw.len()];
        self.calibrate(raw, &mut out)?;
        Ok(ArrayD::from_shape_vec(IxDyn(&self.shape), out).expect("frame shape"))
    }

    /// Checks the buffer lengths; returns the number of frames.
    fn check_lengths(&self, raw: &[u16], out_len: usize, frames: Option<usize>) -> Result<usize> {
        let n = self.frame_len();
        let ok = match frames {
            Some(f) => raw.len() == f * n,
            None => raw.len().is_multiple_of(n),
        };
        if !ok {
            return Err(Error::shape(
                "raw data",
                format!("{n} values a frame"),
                &[raw.len()],
                format!(
                    "raw data: {} values is not {} frame(s) of shape {} ({n} values each)",
                    raw.len(),
                    frames.map_or("whole".to_string(), |f| f.to_string()),
                    shape_str(&self.shape)
                ),
            ));
        }
        if out_len != raw.len() {
            return Err(Error::shape(
                "output buffer",
                raw.len().to_string(),
                &[out_len],
                format!(
                    "output buffer: {out_len} values for {} raw values",
                    raw.len()
                ),
            ));
        }
        Ok(raw.len() / n)
    }

    /// Calibrates `nframes` frames, splitting the work evenly over the threads.
    fn run(&mut self, raw: &[u16], out: &mut [f32], nframes: usize) -> Result<usize> {
        match self.kind {
            Kind::Jungfrau => Ok(self.run_jungfrau(raw, out, nframes)),
            Kind::SingleGain => {
                match &self.single_cm {
                    Some(cm) => self.single_gain_steps(raw, out, Some(cm)),
                    None => self.run_single_gain(raw, out),
                }
                self.last_bad = 0;
                Ok(0)
            }
            Kind::Epix10ka => {
                self.run_epix(raw, out, nframes)?;
                self.last_bad = 0;
                Ok(0)
            }
        }
    }

    /// ePix10ka: the work units are half panels, in frame order, split into one contiguous
    /// range per thread.
    fn run_epix(&mut self, raw: &[u16], out: &mut [f32], nframes: usize) -> Result<()> {
        let npix = self.mask.len();
        let mask = &self.mask;
        let e = self.epix.as_mut().expect("ePix10ka state");
        let Some(t) = e.tables.as_ref() else {
            return Err(Error::bad_arg(
                "configuration",
                "ePix10ka frames need the run's configuration (the step's config bits) before \
                 they can be calibrated",
            ));
        };
        let unit_len = epix10ka::HALF_PIXELS;
        let units_per_frame = npix / unit_len;
        let units = nframes * units_per_frame;
        let workers = rayon::current_num_threads().clamp(1, units.max(1));
        let per = units.div_ceil(workers);
        if e.scratch.len() < workers {
            e.scratch.resize_with(workers, EpixScratch::default);
        }
        let cm = e.cm.as_ref();
        out.par_chunks_mut(per * unit_len)
            .zip(raw.par_chunks(per * unit_len))
            .zip(e.scratch.par_iter_mut())
            .enumerate()
            .for_each(|(w, ((o, r), s))| {
                let it = o.chunks_mut(unit_len).zip(r.chunks(unit_len));
                for (k, (o, r)) in it.enumerate() {
                    let at = ((w * per + k) % units_per_frame) * unit_len;
                    let c = EpixHalf::of(t, mask, at, unit_len);
                    kernel::epix_half_best(r, o, &c, cm, s);
                }
            });
        Ok(())
    }

    /// JUNGFRAU: the work units are half panels, in frame order, split into one contiguous
    /// range per thread (each with its own scratch memory).
    fn run_jungfrau(&mut self, raw: &[u16], out: &mut [f32], nframes: usize) -> usize {
        let npix = self.frame_len();
        let unit_len = crate::detector::jungfrau::half_rows(self.rows) * self.cols;
        if nframes > 1
            && let Some(plan) = &self.cm
            && kernel::rows_apply(plan, self.cols, unit_len)
        {
            let halves: Vec<&[u8]> = bytemuck::cast_slice(raw).chunks(2 * unit_len).collect();
            return self.run_jungfrau_by_half(&halves, Some(out), None, nframes);
        }
        let units_per_frame = 2 * self.nsegs;
        let units = nframes * units_per_frame;
        let workers = rayon::current_num_threads().clamp(1, units);
        let per = units.div_ceil(workers);
        if self.scratch.len() < workers {
            self.scratch.resize_with(workers, Scratch::default);
        }
        self.unit_bad.clear();
        self.unit_bad.resize(units, 0);

        let (poff, gfac, mask, cols) = (&self.poff, &self.gfac, &self.mask, self.cols);
        let cm = self.cm.as_ref();
        let unit = |u: usize, r: &[u16], o: &mut [f32], s: &mut Scratch| -> usize {
            let at = (u % units_per_frame) * unit_len;
            let c = HalfConsts {
                poff: std::array::from_fn(|g| &poff[g * npix + at..g * npix + at + unit_len]),
                gfac: std::array::from_fn(|g| &gfac[g * npix + at..g * npix + at + unit_len]),
                mask: &mask[at..at + unit_len],
            };
            kernel::jungfrau_half_best(r, o, &c, cols, cm, s)
        };
        out.par_chunks_mut(per * unit_len)
            .zip(raw.par_chunks(per * unit_len))
            .zip(self.scratch.par_iter_mut())
            .zip(self.unit_bad.par_chunks_mut(per))
            .enumerate()
            .for_each(|(w, (((o, r), s), bad))| {
                let it = o.chunks_mut(unit_len).zip(r.chunks(unit_len)).zip(bad);
                for (k, ((o, r), b)) in it.enumerate() {
                    *b = unit(w * per + k, r, o, s);
                }
            });
        self.last_bad = self.unit_bad[(nframes - 1) * units_per_frame..]
            .iter()
            .sum();
        self.unit_bad.iter().sum()
    }

    /// JUNGFRAU with the row common mode and several frames: the work units are a half panel
    /// of a run of frames, calibrated row by row with the frames innermost
    /// ([`kernel::jungfrau_halves_best`]), so that each row's constants are read once for the
    /// run; the units are split into one contiguous range per thread. `raws`: the half panels of
    /// each frame, then those of the next, as bytes of little-endian words (those at odd
    /// addresses are copied by the thread that takes them). Writes to `out` if given, adds to
    /// `sums` if given (then each half panel is one unit, all frames in order).
    fn run_jungfrau_by_half(
        &mut self,
        raws: &[&[u8]],
        out: Option<&mut [f32]>,
        sums: Option<&mut [f64]>,
        nframes: usize,
    ) -> usize {
        let npix = self.frame_len();
        let unit_len = crate::detector::jungfrau::half_rows(self.rows) * self.cols;
        let halves = 2 * self.nsegs;
        let workers = rayon::current_num_threads().max(1);
        // Enough runs of frames per half for every thread to have work.
        let runs = if sums.is_some() {
            1
        } else {
            workers.div_ceil(halves).min(nframes)
        };
        let per_run = nframes.div_ceil(runs);
        let mut outs: Vec<&mut [f32]> =
            out.map_or(Vec::new(), |o| o.chunks_mut(unit_len).collect());
        let mut sums: Vec<&mut [f64]> =
            sums.map_or(Vec::new(), |s| s.chunks_mut(unit_len).collect());
        /// One work unit: a half panel of frames `f0..`, with their raw and output slices and
        /// the half panel's sums.
        struct Unit<'a> {
            half: usize,
            f0: usize,
            raws: Vec<&'a [u8]>,
            outs: Vec<&'a mut [f32]>,
            bad: Vec<usize>,
            sums: Option<&'a mut [f64]>,
        }
        let mut units: Vec<Unit> = Vec::with_capacity(halves * runs);
        for half in 0..halves {
            for f0 in (0..nframes).step_by(per_run) {
                let fs = f0..(f0 + per_run).min(nframes);
                units.push(Unit {
                    half,
                    f0,
                    raws: fs.clone().map(|f| raws[f * halves + half]).collect(),
                    outs: Vec::with_capacity(fs.len()),
                    bad: vec![0; fs.len()],
                    sums: sums.get_mut(half).map(std::mem::take),
                });
            }
        }
        // Hand each output slice to its unit (each is taken exactly once).
        if !outs.is_empty() {
            for u in &mut units {
                for f in u.f0..u.f0 + u.raws.len() {
                    u.outs.push(std::mem::take(&mut outs[f * halves + u.half]));
                }
            }
        }
        let per = units.len().div_ceil(workers);
        if self.scratch.len() < workers {
            self.scratch.resize_with(workers, Scratch::default);
        }
        if self.copies.len() < workers {
            self.copies.resize_with(workers, Vec::new);
        }
        let (poff, gfac, mask, cols) = (&self.poff, &self.gfac, &self.mask, self.cols);
        let plan = self.cm.as_ref().expect("row common mode");
        units
            .par_chunks_mut(per)
            .zip(self.scratch.par_iter_mut())
            .zip(self.copies.par_iter_mut())
            .for_each(|((us, s), copies)| {
                for u in us {
                    let raws = words(&u.raws, unit_len, copies);
                    // The output slices for as long as the copies are borrowed.
                    let mut outs: Vec<&mut [f32]> = u.outs.iter_mut().map(|o| &mut **o).collect();
                    let at = u.half * unit_len;
                    let c = HalfConsts {
                        poff: std::array::from_fn(|g| &poff[g * npix + at..][..unit_len]),
                        gfac: std::array::from_fn(|g| &gfac[g * npix + at..][..unit_len]),
                        mask: &mask[at..at + unit_len],
                    };
                    let fr = kernel::Frames {
                        raws: &raws,
                        outs: &mut outs,
                        bad: &mut u.bad,
                        sums: u.sums.as_deref_mut(),
                    };
                    kernel::jungfrau_halves_best(fr, &c, cols, plan, s);
                }
            });
        self.unit_bad.clear();
        self.unit_bad.resize(nframes * halves, 0);
        for u in &units {
            for (k, &b) in u.bad.iter().enumerate() {
                self.unit_bad[(u.f0 + k) * halves + u.half] = b;
            }
        }
        self.last_bad = self.unit_bad[(nframes - 1) * halves..].iter().sum();
        self.unit_bad.iter().sum()
    }

    /// Calibrates frames of a single-gain detector given as float32 raw values (psana's
    /// `float32(raw)`, e.g. of int16 CSPAD data), stored one after another in `raw`, into `out`
    /// (the same length, a multiple of [`Calibrator::frame_len`]).
    pub fn calibrate_values(&mut self, raw: &[f32], out: &mut [f32]) -> Result<()> {
        if self.kind != Kind::SingleGain {
            return Err(Error::unsupported(
                self.det,
                format!(
                    "{}: float raw values can only be calibrated for single-gain detectors",
                    self.det
                ),
            ));
        }
        let n = self.frame_len();
        if !raw.len().is_multiple_of(n) || out.len() != raw.len() {
            return Err(Error::shape(
                "raw data",
                format!("{n} values a frame"),
                &[raw.len()],
                format!(
                    "raw data: {} values (output {}) is not whole frames of shape {}",
                    raw.len(),
                    out.len(),
                    shape_str(&self.shape)
                ),
            ));
        }
        match &self.single_cm {
            Some(cm) => self.single_gain_steps(raw, out, Some(cm)),
            None => self.single_gain_steps(raw, out, None),
        }
        Ok(())
    }

    /// Single gain, each step in parallel over frames: `v = raw - peds`, the common mode (if any) on `v`, then `v * gain * mask`.
    fn single_gain_steps<T: Copy + Into<f32> + Sync>(
        &self,
        raw: &[T],
        out: &mut [f32],
        cm: Option<&SingleGainCm>,
    ) {
        let npix = self.frame_len();
        let (peds, gain, mask) = (&self.poff, &self.gfac, &self.mask);
        out.par_chunks_mut(npix)
            .zip(raw.par_chunks(npix))
            .for_each(|(o, r)| {
                for ((o, &r), &p) in o.iter_mut().zip(r).zip(peds) {
                    *o = r.into() - p;
                }
            });
        if let Some(cm) = cm {
            out.par_chunks_mut(npix).for_each(|f| cm.apply_frame(f));
        }
        out.par_chunks_mut(npix).for_each(|o| {
            if gain.is_empty() {
                for (o, &m) in o.iter_mut().zip(mask) {
                    *o *= m as f32;
                }
            } else {
                for ((o, &g), &m) in o.iter_mut().zip(gain).zip(mask) {
                    *o = *o * g * m as f32;
                }
            }
        });
    }

    /// Single gain: each frame in ranges of pixels, in parallel.
    fn run_single_gain(&self, raw: &[u16], out: &mut [f32]) {
        let npix = self.frame_len();
        let unit_len = SINGLE_GAIN_UNIT.min(npix);
        let (peds, gain, mask) = (&self.poff, &self.gfac, &self.mask);
        for (o, r) in out.chunks_mut(npix).zip(raw.chunks(npix)) {
            o.par_chunks_mut(unit_len)
                .zip(r.par_chunks(unit_len))
                .enumerate()
                .for_each(|(u, (o, r))| {
                    let range = u * unit_len..u * unit_len + r.len();
                    let g = if gain.is_empty() {
                        &[][..]
                    } else {
                        &gain[range.clone()]
                    };
                    kernel::single_gain_best(r, o, &peds[range.clone()], g, &mask[range]);
                });
        }
    }
}

/// The array as a flat f32 vector in C order (numpy `astype(float32)`).
fn to_f32_vec(a: &NdArray) -> Vec<f32> {
    match a {
        NdArray::F32(x) => x.iter().copied().collect(),
        _ => a.to_typed::<f32>().iter().copied().collect(),
    }
}

fn check_same_shape(name: &str, a: &NdArray, want: &[usize]) -> Result<()> {
    if a.shape() != want {
        return Err(Error::shape(
            name,
            shape_str(want),
            a.shape(),
            format!(
                "{name}: shape {} differs from the pedestals' shape {}",
                shape_str(a.shape()),
                shape_str(want)
            ),
        ));
    }
    Ok(())
}

/// The words of `parts` (`len` words each, as bytes of little-endian words): in place where
/// aligned, else copied into `copies`.
fn words<'p: 'c, 'c>(parts: &[&'p [u8]], len: usize, copies: &'c mut Vec<u16>) -> Vec<&'c [u16]> {
    let aligned = |p: &'p [u8]| bytemuck::try_cast_slice::<u8, u16>(p).ok();
    let odd: Vec<&[u8]> = parts
        .iter()
        .copied()
        .filter(|p| aligned(p).is_none())
        .collect();
    copies.resize(odd.len() * len, 0);
    for (c, p) in copies.chunks_mut(len.max(1)).zip(&odd) {
        bytemuck::cast_slice_mut::<u16, u8>(c).copy_from_slice(p);
    }
    let mut copied = copies.chunks(len.max(1));
    parts
        .iter()
        .map(|p| match aligned(p) {
            Some(w) => w,
            None => copied.next().expect("a copy of every odd part"),
        })
        .collect()
}

/// The mask of the status constants and the user mask (1 good, 0 bad) for frames of `shape`.
fn build_mask(consts: &Constants, shape: &[usize], gains: Option<usize>) -> Result<Vec<u8>> {
    let npix: usize = shape.iter().product();
    let mut m = vec![1u8; npix];
    if let Some(s) = &consts.pixel_status {
        mask::and_status::<u16>(&mut m, shape, gains, "pixel_status", s, PIXEL_STATUS_CODE)?;
    }
    if let Some(s) = &consts.status_extra {
        mask::and_status::<u64>(&mut m, shape, gains, "status_extra", s, STATUS_EXTRA_CODE)?;
    }
    if let Some(s) = &consts.status_data {
        mask::and_status::<u16>(&mut m, shape, gains, "status_data", s, STATUS_EXTRA_CODE)?;
    }
    if let Some(u) = &consts.user_mask {
        mask::and_user(&mut m, shape, u)?;
    }
    Ok(m)
}
