/*!
Common mode of the single-gain detectors (CSPAD, CSPAD2x2, pnCCD, ePix100a and others), as
LCLS-I psana's `det.calib` and `det.common_mode_correction` apply it (spec
`single-gain-and-status.md` §1-§3).

psana's parameters (`cmpars`, `p[0]` the algorithm number) choose one of:

| `p[0]` | algorithm | module |
|---|---|---|
| 1 | histogram peak per CSPAD 2x1 section (generic groups for other types) | [`cspad`] |
| 2 | mean of the values below a threshold, per group | [`groups`] |
| 3 | histogram median of the values below a threshold, per group | [`groups`] |
| 4 | ePix100a region, row and column medians | [`epix100`] |
| 5 | mean of the 36 unbonded pixels of a CSPAD section | [`cspad`] |
| 6 | ePix100a `cm_epix` (column halves, then row banks) | [`epix100`] |
| 8 | pnCCD rows in banks, rows, columns, banks | [`pnccd`] |

Algorithms 1-5 are psana's C++ ones: they leave out of the estimate the pixels whose
`pixel_status` is non-zero. Algorithm 6 uses `pixel_rms`, algorithm 8 the user's mask. The data
are the float32 values `raw - pedestals` of one frame, corrected in place.

[`SingleGainCm`] holds an algorithm and the arrays it needs, and corrects stacks of frames in
parallel (rayon) over frames and the independent groups of a frame.
*/

pub mod cspad;
pub mod epix100;
pub mod groups;
pub mod pnccd;

use rayon::prelude::*;

use crate::detector::DetType;
use crate::error::{Error, Result};
use crate::formats::array::{NdArray, shape_str};

pub use cspad::{PeakParams, SECTION_COLS, SECTION_PIXELS, SECTION_ROWS};
pub use epix100::{CmEpixParams, EPIX100_COLS, EPIX100_ROWS, RegionParams};
pub use groups::GroupParams;
pub use pnccd::{PNCCD_SENSOR, PnccdParams};

/// One of psana's common-mode algorithms with its parameters.
#[derive(Debug, Clone, PartialEq)]
pub enum CmAlgorithm {
    /// Algorithm 1 on CSPAD / CSPAD2x2: the histogram peak of each 2x1 section.
    CspadPeak(PeakParams),
    /// Algorithm 1 on other types: the histogram peak of `nsegs` groups of `ssize` values taken
    /// every `stride` values, the groups starting every `ssize` values.
    GenericPeak {
        /// The peak-finding parameters (`unbond_fallback` is not used).
        peak: PeakParams,
        /// The number of groups (`p[4]`, at least 1).
        nsegs: usize,
        /// The values per group (`p[5]`, 128 when below 100).
        ssize: usize,
        /// The distance between the values of a group (`p[6]`).
        stride: usize,
    },
    /// Algorithm 2: the mean of the good values below a threshold, per group.
    Mean(GroupParams),
    /// Algorithm 3: the histogram median of the good values below a threshold, per group.
    Median(GroupParams),
    /// Algorithm 4 on an ePix100a: region, row and column medians of each of the 16 ASIC regions.
    Epix100Regions(RegionParams),
    /// Algorithm 5 on CSPAD / CSPAD2x2: the mean of the 36 unbonded pixels of each section.
    Unbond {
        /// The largest absolute mean applied (`p[1]`).
        meanmax: f64,
    },
    /// Algorithm 6: the ePix100a `cm_epix` of psana's Python.
    CmEpix(CmEpixParams),
    /// Algorithm 8: the pnCCD common mode of psana's Python.
    Pnccd(PnccdParams),
}

impl CmAlgorithm {
    /// The algorithm psana runs for `cmpars` on a detector of type `det` whose frames hold
    /// `frame_len` values, or `None` when psana corrects nothing (`p[0]` 0, an algorithm the
    /// type does not have). Missing parameters of the C++ algorithms count as 0 (psana's C++
    /// reads 16 values).
    pub fn from_cmpars(det: DetType, cmpars: &[f64], frame_len: usize) -> Result<Option<Self>> {
        let bad = |msg: String| Error::bad_arg("cmpars", msg);
        if let Some(x) = cmpars.iter().find(|x| !x.is_finite()) {
            return Err(bad(format!(
                "common-mode parameters {cmpars:?}: {x} is not a finite number"
            )));
        }
        let Some(&alg) = cmpars.first() else {
            return Ok(None);
        };
        if alg < 0.0 || alg.fract() != 0.0 {
            return Err(bad(format!(
                "common-mode parameters {cmpars:?}: the algorithm (1st value) {alg} is not 0-8"
            )));
        }
        let p = |k: usize| cmpars.get(k).copied().unwrap_or(0.0);
        let cspad = matches!(det, DetType::Cspad | DetType::Cspad2x2);
        let group = || GroupParams {
            threshold: p(1) as f32,
            maxcorr: p(2) as f32,
            length: group_length(p(3)),
        };
        let alg = match alg as u64 {
            0 => None,
            1 => {
                let peak = PeakParams::from_cmpars(cmpars);
                if cspad {
                    Some(CmAlgorithm::CspadPeak(peak))
                } else {
                    Some(CmAlgorithm::GenericPeak {
                        peak,
                        nsegs: if p(4) < 1.0 { 1 } else { p(4) as usize },
                        ssize: group_length(p(5)),
                        stride: p(6).max(0.0) as usize,
                    })
                }
            }
            2 => Some(CmAlgorithm::Mean(group())),
            3 => Some(CmAlgorithm::Median(group())),
            4 if det == DetType::Epix100a => Some(CmAlgorithm::Epix100Regions(RegionParams {
                cmtype: p(1).max(0.0) as u32,
                half: p(2) as f32,
                maxcorr: p(3) as f32,
            })),
            4 if det == DetType::Fccd960 => {
                return Err(Error::unsupported(
                    det,
                    "common-mode algorithm 4 of the Fccd960 is not supported by detcal",
                ));
            }
            // psana's C++ does nothing, silently, for algorithm 4 of other types.
            4 => None,
            5 if cspad => Some(CmAlgorithm::Unbond { meanmax: p(1) }),
            6 => Some(CmAlgorithm::CmEpix(CmEpixParams::default())),
            8 => Some(CmAlgorithm::Pnccd(PnccdParams::from_cmpars(cmpars)?)),
            n => {
                tracing::warn!(
                    "common-mode algorithm {n} does not apply to {det}: no correction (as psana)"
                );
                None
            }
        };
        if let Some(a) = &alg {
            a.check_frame(det, frame_len)?;
        }
        Ok(alg)
    }

    /// psana's algorithm number.
    pub fn number(&self) -> u32 {
        match self {
            CmAlgorithm::CspadPeak(_) | CmAlgorithm::GenericPeak { .. } => 1,
            CmAlgorithm::Mean(_) => 2,
            CmAlgorithm::Median(_) => 3,
            CmAlgorithm::Epix100Regions(_) => 4,
            CmAlgorithm::Unbond { .. } => 5,
            CmAlgorithm::CmEpix(_) => 6,
            CmAlgorithm::Pnccd(_) => 8,
        }
    }

    /// Whether psana runs it in C++ (and takes `pixel_status` to exclude pixels).
    pub fn uses_status(&self) -> bool {
        !matches!(self, CmAlgorithm::CmEpix(_) | CmAlgorithm::Pnccd(_))
    }

    /// Checks that frames of `frame_len` values have what the algorithm indexes.
    fn check_frame(&self, det: DetType, frame_len: usize) -> Result<()> {
        let need = |what: &str, ok: bool| -> Result<()> {
            if ok {
                Ok(())
            } else {
                Err(Error::shape(
                    "frame",
                    what.to_string(),
                    &[frame_len],
                    format!(
                        "common-mode algorithm {} of {det}: frames of {frame_len} values are not {what}",
                        self.number()
                    ),
                ))
            }
        };
        match self {
            CmAlgorithm::CspadPeak(_) | CmAlgorithm::Unbond { .. } => {
                let n = if det == DetType::Cspad2x2 { 2 } else { 32 };
                need(
                    &format!("{n} sections of 185 x 388"),
                    frame_len == n * SECTION_PIXELS,
                )
            }
            CmAlgorithm::GenericPeak {
                nsegs,
                ssize,
                stride,
                ..
            } => {
                let last = (nsegs - 1)
                    .checked_mul(*ssize)
                    .and_then(|s| s.checked_add((ssize - 1).checked_mul(*stride)?));
                need(
                    &format!("long enough for {nsegs} groups of {ssize} values at stride {stride}"),
                    last.is_some_and(|l| l < frame_len),
                )
            }
            CmAlgorithm::Epix100Regions(_) | CmAlgorithm::CmEpix(_) => need(
                "an ePix100a frame of 704 x 768",
                frame_len == EPIX100_ROWS * EPIX100_COLS,
            ),
            CmAlgorithm::Pnccd(_) => need(
                "a pnCCD frame of 4 x 512 x 512",
                frame_len == 4 * PNCCD_SENSOR * PNCCD_SENSOR,
            ),
            CmAlgorithm::Mean(_) | CmAlgorithm::Median(_) => {
                need("at least one value", frame_len > 0)
            }
        }
    }
}

/// psana's group length from a parameter: the value, or 128 when below 100.
fn group_length(p: f64) -> usize {
    if p < 100.0 { 128 } else { p as usize }
}

/// The common-mode parameters `det.calib` uses for a detector type when no `common_mode` file
/// is deployed: psana's C++ defaults where the C++ algorithm runs (they differ from the Python
/// defaults for the pnCCD and the ePix100a), none for cameras. `frame_shape` gives the sizes
/// some defaults hold (Princeton: the frame size; Andor: the columns).
pub fn default_cmpars(det: DetType, frame_shape: &[usize]) -> Vec<f64> {
    let size = frame_shape.iter().product::<usize>() as f64;
    let cols = frame_shape.last().copied().unwrap_or(0) as f64;
    match det {
        DetType::Cspad | DetType::Cspad2x2 => vec![1.0, 25.0, 25.0, 100.0, 1.0],
        DetType::Pnccd => vec![3.0, 50.0, 10.0, 128.0],
        DetType::Epix100a => vec![4.0, 6.0, 30.0, 10.0],
        DetType::Princeton => vec![1.0, 50.0, 50.0, 100.0, 1.0, size, 1.0],
        DetType::Andor | DetType::Andor3d => vec![2.0, 10.0, 10.0, cols],
        _ => det.default_common_mode().to_vec(),
    }
}

/// How a CSPAD2x2 frame is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    /// As the algorithm wants it (every other type).
    Plain,
    /// A CSPAD2x2 in psana's natural shape `(2, 185, 388)`.
    Natural2x2,
    /// A CSPAD2x2 in DAQ order `(185, 388, 2)`.
    Daq2x2,
}

/// The layout of a CSPAD2x2 array of `shape`: DAQ order for `(185, 388, 2)`, else natural.
fn layout_of(det: DetType, shape: &[usize]) -> Layout {
    match det {
        DetType::Cspad2x2 if shape == [SECTION_ROWS, SECTION_COLS, 2] => Layout::Daq2x2,
        DetType::Cspad2x2 => Layout::Natural2x2,
        _ => Layout::Plain,
    }
}

/// Reorders a CSPAD2x2 frame between natural order (2 sections one after the other) and DAQ
/// order (the 2 sections interleaved).
fn reorder_2x2<T: Copy>(src: &[T], dst: &mut [T], to_daq: bool) {
    for i in 0..SECTION_PIXELS {
        for s in 0..2 {
            let (n, d) = (s * SECTION_PIXELS + i, 2 * i + s);
            if to_daq {
                dst[d] = src[n];
            } else {
                dst[n] = src[d];
            }
        }
    }
}

/// The arrays the algorithms may take, each with one value per pixel of a frame (any shape
/// with that many values; a CSPAD2x2 array of shape `(185, 388, 2)` is in DAQ order).
#[derive(Debug, Clone, Copy, Default)]
pub struct CmInputs<'a> {
    /// `pixel_status`: the C++ algorithms (1-5) leave out pixels where it is non-zero.
    pub status: Option<&'a NdArray>,
    /// `pixel_rms`, for algorithm 6 (ones when missing).
    pub rms: Option<&'a NdArray>,
    /// The user's mask, for algorithm 8 (no mask: every pixel is used and corrected).
    pub mask: Option<&'a NdArray>,
}

/// A common-mode correction ready to apply to frames of one detector.
#[derive(Debug, Clone)]
pub struct SingleGainCm {
    alg: CmAlgorithm,
    frame_shape: Vec<usize>,
    frame_len: usize,
    /// How the frames are laid out, and how the algorithm wants them.
    frames: Layout,
    wants: Layout,
    /// 1 where the C++ algorithms leave the pixel out, in the algorithm's layout (empty: none).
    excluded: Vec<u8>,
    /// `pixel_rms` in the algorithm's layout (empty: ones).
    rms: Vec<f32>,
    /// The user mask in the algorithm's layout (`None`: no mask).
    mask: Option<Vec<f32>>,
}

impl SingleGainCm {
    /// The correction of `cmpars` (psana's parameters; `None` takes the type's default of
    /// [`default_cmpars`]) for frames of `frame_shape`, or `None` when psana corrects nothing.
    pub fn new(
        det: DetType,
        cmpars: Option<&[f64]>,
        frame_shape: &[usize],
        inputs: CmInputs<'_>,
    ) -> Result<Option<SingleGainCm>> {
        let frame_len: usize = frame_shape.iter().product();
        let default;
        let cmpars = match cmpars {
            Some(c) => c,
            None => {
                default = default_cmpars(det, frame_shape);
                &default
            }
        };
        let Some(alg) = CmAlgorithm::from_cmpars(det, cmpars, frame_len)? else {
            return Ok(None);
        };
        let frames = layout_of(det, frame_shape);
        let wants = match (frames, &alg) {
            (Layout::Plain, _) => Layout::Plain,
            (_, CmAlgorithm::CspadPeak(_) | CmAlgorithm::Unbond { .. }) => Layout::Natural2x2,
            _ => Layout::Daq2x2,
        };
        let per_pixel = |name: &str, a: &NdArray| -> Result<Vec<f64>> {
            if a.len() != frame_len {
                return Err(Error::shape(
                    name,
                    shape_str(frame_shape),
                    a.shape(),
                    format!(
                        "{name}: shape {} does not fit frames of shape {}",
                        shape_str(a.shape()),
                        shape_str(frame_shape)
                    ),
                ));
            }
            let v: Vec<f64> = a.to_f64().iter().copied().collect();
            let from = layout_of(det, a.shape());
            Ok(match (from, wants) {
                (Layout::Natural2x2, Layout::Daq2x2) | (Layout::Daq2x2, Layout::Natural2x2) => {
                    let mut d = vec![0.0; v.len()];
                    reorder_2x2(&v, &mut d, wants == Layout::Daq2x2);
                    d
                }
                _ => v,
            })
        };
        let excluded = match (inputs.status, alg.uses_status()) {
            (Some(s), true) => per_pixel("pixel_status", s)?
                .iter()
                .map(|&x| (x != 0.0) as u8)
                .collect(),
            _ => Vec::new(),
        };
        let rms = match (inputs.rms, &alg) {
            (Some(r), CmAlgorithm::CmEpix(_)) => per_pixel("pixel_rms", r)?
                .iter()
                .map(|&x| x as f32)
                .collect(),
            _ => Vec::new(),
        };
        let mask = match (inputs.mask, &alg) {
            (Some(m), CmAlgorithm::Pnccd(_)) => {
                Some(per_pixel("mask", m)?.iter().map(|&x| x as f32).collect())
            }
            _ => None,
        };
        Ok(Some(SingleGainCm {
            alg,
            frame_shape: frame_shape.to_vec(),
            frame_len,
            frames,
            wants,
            excluded,
            rms,
            mask,
        }))
    }

    /// The algorithm applied.
    pub fn algorithm(&self) -> &CmAlgorithm {
        &self.alg
    }

    /// The shape of the frames.
    pub fn frame_shape(&self) -> &[usize] {
        &self.frame_shape
    }

    /// Corrects the frames stored one after another in `data` (a multiple of the frame size),
    /// in place, in parallel over frames and the groups of each frame.
    pub fn apply(&self, data: &mut [f32]) -> Result<()> {
        let n = self.frame_len;
        if n == 0 || !data.len().is_multiple_of(n) {
            return Err(Error::shape(
                "frames",
                format!("{n} values a frame"),
                &[data.len()],
                format!(
                    "common mode: {} values are not whole frames of shape {}",
                    data.len(),
                    shape_str(&self.frame_shape)
                ),
            ));
        }
        data.par_chunks_mut(n).for_each(|f| self.apply_frame(f));
        Ok(())
    }

    /// Corrects one frame in place (the caller checks its length).
    pub(crate) fn apply_frame(&self, frame: &mut [f32]) {
        debug_assert_eq!(frame.len(), self.frame_len);
        if self.frames == self.wants {
            self.run(frame);
            return;
        }
        let mut tmp = vec![0f32; frame.len()];
        reorder_2x2(frame, &mut tmp, self.wants == Layout::Daq2x2);
        self.run(&mut tmp);
        reorder_2x2(&tmp, frame, self.frames == Layout::Daq2x2);
    }

    /// Runs the algorithm on a frame in its layout.
    fn run(&self, f: &mut [f32]) {
        let ex = &self.excluded[..];
        match &self.alg {
            CmAlgorithm::CspadPeak(p) => {
                let unbond = p.unbond_fallback;
                per_section(f, ex, |s, e| {
                    if !cspad::histogram_peak(s, e, p) && unbond {
                        cspad::unbonded(s, p.meanmax);
                    }
                })
            }
            CmAlgorithm::Unbond { meanmax } => per_section(f, ex, |s, _| {
                cspad::unbonded(s, *meanmax);
            }),
            CmAlgorithm::GenericPeak {
                peak,
                nsegs,
                ssize,
                stride,
            } => {
                for g in 0..*nsegs {
                    cspad::histogram_peak_strided(f, ex, g * ssize, *ssize, *stride, peak);
                }
            }
            CmAlgorithm::Mean(g) => groups::by_group(f, ex, g.length, |v, e| {
                groups::mean(v, e, g);
            }),
            CmAlgorithm::Median(g) => groups::by_group(f, ex, g.length, |v, e| {
                groups::median(v, e, g);
            }),
            CmAlgorithm::Epix100Regions(r) => epix100::regions(f, ex, r),
            CmAlgorithm::CmEpix(p) => epix100::cm_epix(f, &self.rms, p),
            CmAlgorithm::Pnccd(p) => {
                let sensor = PNCCD_SENSOR * PNCCD_SENSOR;
                match &self.mask {
                    Some(m) => f
                        .par_chunks_mut(sensor)
                        .zip(m.par_chunks(sensor))
                        .for_each(|(s, m)| pnccd::sensor(s, Some(m), p)),
                    None => f
                        .par_chunks_mut(sensor)
                        .for_each(|s| pnccd::sensor(s, None, p)),
                }
            }
        }
    }
}

/// Runs `f` on each 185 x 388 section of a frame, with its exclusion flags, in parallel.
fn per_section(frame: &mut [f32], excluded: &[u8], f: impl Fn(&mut [f32], &[u8]) + Sync) {
    if excluded.is_empty() {
        frame.par_chunks_mut(SECTION_PIXELS).for_each(|s| f(s, &[]));
    } else {
        frame
            .par_chunks_mut(SECTION_PIXELS)
            .zip(excluded.par_chunks(SECTION_PIXELS))
            .for_each(|(s, e)| f(s, e));
    }
}

/// Whether pixel `i` is left out (`excluded` empty: none is).
#[inline(always)]
fn is_excluded(excluded: &[u8], i: usize) -> bool {
    !excluded.is_empty() && excluded[i] != 0
}
