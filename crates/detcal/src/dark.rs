/*!
Dark processing: per-pixel pedestals, rms, min, max and bad-pixel status from dark frames,
with psana's two-stage gated algorithm (LCLS-I `DarkProc`).

The numbers are those of LCLS-I psana (`Detector.UtilsCalib.DarkProc`, with
`DarkProcJungfrau` for the gain check), bit for bit:

1. **Stage 1** takes the first `nrecs1` frames and gives each pixel a gate
   `[gate_lo, gate_hi]` from numpy's "lower" quantile at `fraclo` and "higher" quantile at
   `frachi` of its masked values (`raw & data_bits`), clamped to `[int_lo, int_hi]`
   (see [`Gates`]).
2. **Stage 2** feeds every frame, the first `nrecs1` included, through the accumulators: the
   count, sum and sum of squares of in-gate values, the counts of values below `int_lo` and
   above `int_hi`, the ungated min and max, and for JUNGFRAU whether a frame showed a gain code
   other than the expected one (see [`Stage2`]). Processing stops after `nrecs` frames.
3. **Summary**: `ave = sum / count`, `rms = sqrt(sum2 / count - ave^2)` (0 where count = 0),
   limits from the mean and standard deviation over all pixels (numpy's pairwise sums), and the
   status bits ([`STATUS_RMS_HI`] ... [`STATUS_BAD_GAIN_SWITCH`]). psana's `counter` is
   `frames - 1` and a pixel is "cold"/"saturated" when more than `int(fraclm * counter)`
   frames are below/above the intensity limits.

detcal's decisions where psana is odd (`shared/spec/README.md`): a run shorter than `nrecs1`
frames takes its gates from the frames it has and feeds no all-zero rows; fewer than 3 frames is
an error.

[`DarkProc`] is the streaming front end: push frames one at a time or in batches (or write
them in place with [`DarkProc::frame_slot`] and [`DarkProc::commit_frame`]), then
[`DarkProc::finish`]. Memory is the `nrecs1`-frame block plus fixed per-pixel accumulators,
whatever the number of frames. Partial results merge: the [`Gates`] found by one processor can
start other stage-2 accumulators ([`DarkProc::with_gates`], [`Stage2`]) whose results
[`merge`](Stage2::merge) into the same numbers as one pass over all frames.

```
use detcal::dark::{DarkParams, DarkProc, GainCheck};

let npix = 4;
let params = DarkParams { nrecs: 10, nrecs1: 5, ..DarkParams::default() };
let mut proc = DarkProc::new(npix, params, GainCheck::jungfrau(0)?)?;
for i in 0..10u16 {
    let frame = [3000 + i % 3, 3100, 0, 0x8000 | 2900];
    if proc.push_frame(&frame)? {
        break;
    }
}
let res = proc.finish()?;
assert_eq!(res.frames, 10);
assert_eq!(res.ave[1], 3100.0);
assert_eq!(res.status[2] & detcal::dark::STATUS_COLD, detcal::dark::STATUS_COLD);
assert_eq!(res.bad_switch, [0, 0, 0, 1]);
# Ok::<(), detcal::Error>(())
```
*/

pub mod job;
mod kernel;
pub mod output;
mod stage1;
mod summary;

use std::sync::Arc;

use rayon::prelude::*;

use crate::detector::jungfrau_expected_gain_code;
use crate::error::{Error, Result};
use kernel::{Consts, TILE, Tile};
use stage1::GateConsts;

/// Status bit: rms above the high rms limit ("hot rms").
pub const STATUS_RMS_HI: u64 = 1;
/// Status bit: rms below the low rms limit ("cold rms").
pub const STATUS_RMS_LO: u64 = 2;
/// Status bit: above `int_hi` in more than `fraclm` of the frames ("saturated").
pub const STATUS_SATURATED: u64 = 4;
/// Status bit: below `int_lo` in more than `fraclm` of the frames ("cold").
pub const STATUS_COLD: u64 = 8;
/// Status bit: average above the high average limit.
pub const STATUS_AVE_HI: u64 = 16;
/// Status bit: average below the low average limit.
pub const STATUS_AVE_LO: u64 = 32;
/// Status bit: a frame showed a gain code other than the expected one (JUNGFRAU only).
pub const STATUS_BAD_GAIN_SWITCH: u64 = 64;

/// Values copied per task when frames are staged (256 KiB).
const COPY_CHUNK: usize = 1 << 17;

/// The fewest frames a dark run needs (psana's summary needs `counter = frames - 1 >= 2`).
pub const MIN_FRAMES: u64 = 3;

/// Frames kept in the staging buffer before stage 2 runs on them, at least.
const MIN_STAGING: usize = 16;

/// The parameters of dark processing (psana's option names; `Default` = LCLS-I defaults).
#[derive(Debug, Clone, PartialEq)]
pub struct DarkParams {
    /// Frames to process (`--nrecs`); more are ignored.
    pub nrecs: usize,
    /// Frames of stage 1, the gate-finding block (`--nrecs1`).
    pub nrecs1: usize,
    /// Intensity low limit in ADU (`--int_lo`).
    pub int_lo: f64,
    /// Intensity high limit in ADU (`--int_hi`).
    pub int_hi: f64,
    /// Rms low limit (`--rms_lo`).
    pub rms_lo: f64,
    /// Rms high limit (`--rms_hi`).
    pub rms_hi: f64,
    /// Number of sigmas for the low average limit (`--intnlo`; <= 0: use `int_lo`).
    pub intnlo: f64,
    /// Number of sigmas for the high average limit (`--intnhi`; <= 0: use `int_hi`).
    pub intnhi: f64,
    /// Number of sigmas for the low rms limit (`--rmsnlo`; <= 0: use `rms_lo`).
    pub rmsnlo: f64,
    /// Number of sigmas for the high rms limit (`--rmsnhi`; <= 0: use `rms_hi`).
    pub rmsnhi: f64,
    /// Allowed fraction of frames outside `[int_lo, int_hi]` (`--fraclm`).
    pub fraclm: f64,
    /// Quantile of the low gate (`--fraclo`).
    pub fraclo: f64,
    /// Quantile of the high gate (`--frachi`).
    pub frachi: f64,
    /// Mask of the ADC bits in a raw word (psana's `datbits`).
    pub data_bits: u16,
}

impl Default for DarkParams {
    fn default() -> Self {
        DarkParams {
            nrecs: 1000,
            nrecs1: 50,
            int_lo: 1.0,
            int_hi: 16000.0,
            rms_lo: 0.001,
            rms_hi: 16000.0,
            intnlo: 6.0,
            intnhi: 6.0,
            rmsnlo: 6.0,
            rmsnhi: 6.0,
            fraclm: 0.1,
            fraclo: 0.05,
            frachi: 0.95,
            data_bits: 0x3fff,
        }
    }
}

impl DarkParams {
    /// Checks that the parameters make sense (psana would crash or cast out of range otherwise).
    pub fn validate(&self) -> Result<()> {
        let bad = |arg: &'static str, msg: String| {
            Err(Error::bad_arg(
                arg,
                format!("invalid dark parameters: {msg}"),
            ))
        };
        if self.nrecs < MIN_FRAMES as usize || self.nrecs as u64 > u64::from(u32::MAX) {
            return bad(
                "nrecs",
                format!("nrecs must be in 3..=4294967295, got {}", self.nrecs),
            );
        }
        if self.nrecs1 == 0 {
            return bad("nrecs1", "nrecs1 must be at least 1, got 0".into());
        }
        for (name, v) in [("int_lo", self.int_lo), ("int_hi", self.int_hi)] {
            if !v.is_finite() {
                return bad(name, format!("{name} must be a finite number, got {v}"));
            }
        }
        if self.int_lo > 65535.0 || self.int_hi < 0.0 || self.int_lo > self.int_hi {
            return bad(
                "int_lo",
                format!(
                    "need int_lo <= int_hi, int_lo <= 65535 and int_hi >= 0, got int_lo={} int_hi={}",
                    self.int_lo, self.int_hi
                ),
            );
        }
        let others = [
            ("rms_lo", self.rms_lo),
            ("rms_hi", self.rms_hi),
            ("intnlo", self.intnlo),
            ("intnhi", self.intnhi),
            ("rmsnlo", self.rmsnlo),
            ("rmsnhi", self.rmsnhi),
        ];
        for (name, v) in others {
            if v.is_nan() {
                return bad(name, format!("{name} must be a number, got NaN"));
            }
        }
        if !(self.fraclm.is_finite() && self.fraclm >= 0.0) {
            return bad(
                "fraclm",
                format!("fraclm must be a finite number >= 0, got {}", self.fraclm),
            );
        }
        for (name, v) in [("fraclo", self.fraclo), ("frachi", self.frachi)] {
            if !(0.0..=1.0).contains(&v) {
                return bad(name, format!("{name} must be in [0, 1], got {v}"));
            }
        }
        Ok(())
    }

    /// Frames in the stage-1 block: `nrecs1`, or `nrecs` if that is smaller.
    pub fn block_frames(&self) -> usize {
        self.nrecs1.min(self.nrecs)
    }

    /// The kernel constants.
    fn consts(&self, gain: GainCheck) -> Consts {
        Consts {
            data_bits: self.data_bits,
            // Integer values r: r < int_lo <=> r < ceil(int_lo); r > int_hi <=> r > floor(int_hi).
            below: self.int_lo.ceil().clamp(0.0, 65535.0) as u16,
            above: self.int_hi.floor().clamp(0.0, 65535.0) as u16,
            gain_code: gain.expected_code(),
            sub: Consts::sub_batch(self.data_bits),
        }
    }
}

/// Which frames count as a bad gain switch (status bit 64).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GainCheck {
    /// No gain bits (single-gain detectors): bit 64 is never set.
    #[default]
    None,
    /// JUNGFRAU: a frame whose raw bits 15..14 differ from this code (0, 1 or 3) sets bit 64.
    Jungfrau {
        /// The expected gain code of the step's gain mode.
        expected_code: u16,
    },
}

impl GainCheck {
    /// The JUNGFRAU check for gain index 0, 1 or 2 (expected codes 0, 1 and 3).
    pub fn jungfrau(gain_index: usize) -> Result<GainCheck> {
        if gain_index > 2 {
            return Err(Error::bad_arg(
                "gain index",
                format!("JUNGFRAU gain index must be 0, 1 or 2, got {gain_index}"),
            ));
        }
        Ok(GainCheck::Jungfrau {
            expected_code: jungfrau_expected_gain_code(gain_index),
        })
    }

    /// The expected gain code, if the gain is checked.
    pub fn expected_code(self) -> Option<u16> {
        match self {
            GainCheck::None => None,
            GainCheck::Jungfrau { expected_code } => Some(expected_code),
        }
    }

    fn validate(self) -> Result<()> {
        match self.expected_code() {
            Some(c) if c > 3 => Err(Error::bad_arg(
                "gain code",
                format!("JUNGFRAU gain code must be 0..=3, got {c}"),
            )),
            _ => Ok(()),
        }
    }
}

/// Which code path runs the hot loops.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Kernel {
    /// The fastest one this CPU supports (AVX2 where available).
    #[default]
    Auto,
    /// The portable build for the baseline target (for comparison and tests).
    Portable,
}

impl Kernel {
    /// The name of the code path this choice runs on this CPU: "avx2" or "portable".
    pub fn name(self) -> &'static str {
        kernel::kernel_name(self)
    }
}

/// The per-pixel gates found by stage 1, as inclusive bounds on the masked value.
///
/// For integer `int_lo` and `int_hi` (psana's are) these are psana's stage-2 gate arrays. psana
/// keeps float gates `max(int_lo, gate_lo)` and `min(int_hi, gate_hi)`; for other limits the
/// bounds here are the integers those floats admit (`ceil` and `floor`), which select the same
/// values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gates {
    lo: Vec<u16>,
    hi: Vec<u16>,
    frames: usize,
}

impl Gates {
    /// Stage 1 on `frames` (whole frames of `npix` pixels; psana uses the first `nrecs1`).
    pub fn from_frames(params: &DarkParams, npix: usize, frames: &[u16]) -> Result<Gates> {
        params.validate()?;
        let n = frame_count(npix, frames)?;
        if n == 0 {
            return Err(Error::shape(
                "frames",
                "at least one frame",
                &[0],
                "stage 1 needs at least one frame, got none",
            ));
        }
        Ok(Gates::compute(params, npix, frames, Kernel::Auto))
    }

    /// Stage 1 without checks: `frames` holds at least one whole frame of `npix` pixels.
    fn compute(params: &DarkParams, npix: usize, frames: &[u16], kernel: Kernel) -> Gates {
        let n = frames.len() / npix;
        let (ilo, ihi) = GateConsts::quantile_indices(n, params.fraclo, params.frachi);
        let g = GateConsts {
            data_bits: params.data_bits,
            n,
            ilo,
            ihi,
            int_lo: params.int_lo,
            int_hi: params.int_hi,
        };
        let mut lo = crate::mem::filled(npix, 0u16);
        let mut hi = crate::mem::filled(npix, 0u16);
        lo.par_chunks_mut(stage1::CHUNK)
            .zip(hi.par_chunks_mut(stage1::CHUNK))
            .enumerate()
            .with_min_len(8)
            .for_each(|(i, (lo, hi))| {
                let len = lo.len();
                stage1::gates_tile(kernel, frames, npix, i * stage1::CHUNK, len, &g, lo, hi);
            });
        Gates { lo, hi, frames: n }
    }

    /// The number of pixels.
    pub fn npix(&self) -> usize {
        self.lo.len()
    }

    /// The lowest in-gate value of each pixel.
    pub fn lo(&self) -> &[u16] {
        &self.lo
    }

    /// The highest in-gate value of each pixel (below `lo` for a pixel that is never in gate).
    pub fn hi(&self) -> &[u16] {
        &self.hi
    }

    /// The number of frames stage 1 looked at.
    pub fn frames(&self) -> usize {
        self.frames
    }
}

/// Stage-2 accumulators for fixed gates; partial ones over different frames merge exactly.
#[derive(Clone)]
pub struct Stage2 {
    npix: usize,
    params: DarkParams,
    gain: GainCheck,
    kernel: Kernel,
    consts: Consts,
    gates: Arc<Gates>,
    tiles: Vec<Tile>,
    frames: u64,
}

impl std::fmt::Debug for Stage2 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stage2")
            .field("npix", &self.npix)
            .field("gain", &self.gain)
            .field("kernel", &self.kernel)
            .field("frames", &self.frames)
            .finish_non_exhaustive()
    }
}

impl Stage2 {
    /// Empty accumulators for `gates`.
    pub fn new(params: &DarkParams, gain: GainCheck, gates: Arc<Gates>) -> Result<Stage2> {
        params.validate()?;
        gain.validate()?;
        if gates.npix() == 0 {
            return Err(Error::shape(
                "frame",
                "at least one pixel",
                &[0],
                "dark processing needs at least one pixel",
            ));
        }
        Ok(Stage2::build(params, gain, gates))
    }

    fn build(params: &DarkParams, gain: GainCheck, gates: Arc<Gates>) -> Stage2 {
        let npix = gates.npix();
        let mut tiles: Vec<Tile> = crate::mem::with_capacity(npix.div_ceil(TILE));
        tiles.par_extend(
            gates
                .lo
                .par_chunks(TILE)
                .zip(gates.hi.par_chunks(TILE))
                .map(|(lo, hi)| Tile::new(lo, hi)),
        );
        Stage2 {
            npix,
            params: params.clone(),
            gain,
            kernel: Kernel::Auto,
            consts: params.consts(gain),
            gates,
            tiles,
            frames: 0,
        }
    }

    /// Chooses the code path of the hot loop (the results are the same).
    pub fn set_kernel(&mut self, kernel: Kernel) {
        self.kernel = kernel;
    }

    /// The gates.
    pub fn gates(&self) -> &Arc<Gates> {
        &self.gates
    }

    /// The number of frames accumulated.
    pub fn frames(&self) -> u64 {
        self.frames
    }

    /// Adds whole frames (`k * npix` raw values) to the accumulators, all of them.
    pub fn add_frames(&mut self, frames: &[u16]) -> Result<()> {
        let k = frame_count(self.npix, frames)? as u64;
        let total = self.frames + k;
        if total > u64::from(u32::MAX) {
            return Err(Error::unsupported(
                "more than 4294967295 frames",
                format!("dark processing counts at most 4294967295 frames, got {total}"),
            ));
        }
        self.accumulate(frames);
        self.frames = total;
        Ok(())
    }

    /// The kernel over whole frames, in parallel over contiguous ranges of tiles.
    fn accumulate(&mut self, frames: &[u16]) {
        if frames.is_empty() {
            return;
        }
        let (npix, kernel, c) = (self.npix, self.kernel, self.consts);
        self.tiles.par_iter_mut().enumerate().for_each(|(i, tile)| {
            let start = i * TILE;
            let len = TILE.min(npix - start);
            kernel::accumulate(kernel, tile, frames, npix, start, len, &c);
        });
    }

    /// Adds the accumulators of `other`, which must have the same gates and parameters.
    pub fn merge(&mut self, other: &Stage2) -> Result<()> {
        if self.params != other.params || self.gain != other.gain {
            return Err(Error::bad_arg(
                "other",
                "cannot merge dark accumulators with different parameters",
            ));
        }
        if !Arc::ptr_eq(&self.gates, &other.gates) && *self.gates != *other.gates {
            return Err(Error::bad_arg(
                "other",
                "cannot merge dark accumulators with different gates",
            ));
        }
        let total = self.frames + other.frames;
        if total > u64::from(u32::MAX) {
            return Err(Error::unsupported(
                "more than 4294967295 frames",
                format!("dark processing counts at most 4294967295 frames, got {total}"),
            ));
        }
        let npix = self.npix;
        self.tiles
            .par_iter_mut()
            .zip(other.tiles.par_iter())
            .enumerate()
            .for_each(|(i, (a, b))| a.merge(b, TILE.min(npix - i * TILE)));
        self.frames = total;
        Ok(())
    }

    /// The summary: averages, rms, limits and status bits.
    pub fn finish(self) -> Result<DarkResult> {
        if self.frames < MIN_FRAMES {
            return Err(too_few_frames(self.frames));
        }
        Ok(self.summarize())
    }

    fn summarize(self) -> DarkResult {
        let p = &self.params;
        let npix = self.npix;
        let tiles = &self.tiles;

        // Pass 1: averages and rms, which the limits need.
        let mut ave = crate::mem::filled(npix, 0.0);
        let mut rms = crate::mem::filled(npix, 0.0);
        ave.par_chunks_mut(TILE)
            .zip(rms.par_chunks_mut(TILE))
            .zip(tiles.par_iter())
            .for_each(|((ave, rms), t)| ave_rms(t, ave, rms));

        let frames = self.frames;
        let counter = frames - 1;
        let nevlm = (p.fraclm * counter as f64) as i64;
        let (rms_mean, rms_std) = summary::mean_std(&rms);
        let (ave_mean, ave_std) = summary::mean_std(&ave);
        let (rms_lo, rms_hi) =
            summary::evaluate_limits(rms_mean, rms_std, p.rmsnlo, p.rmsnhi, p.rms_lo, p.rms_hi);
        let (ave_lo, ave_hi) =
            summary::evaluate_limits(ave_mean, ave_std, p.intnlo, p.intnhi, p.int_lo, p.int_hi);
        let limits = Limits {
            rms_mean,
            rms_std,
            rms_lo,
            rms_hi,
            ave_mean,
            ave_std,
            ave_lo,
            ave_hi,
        };

        // Pass 2: everything else, the status bits and how many pixels have each.
        let mut status = crate::mem::filled(npix, 0u64);
        let mut min = crate::mem::filled(npix, 0u16);
        let mut max = crate::mem::filled(npix, 0u16);
        let mut count = crate::mem::filled(npix, 0u64);
        let mut count_lo = crate::mem::filled(npix, 0u64);
        let mut count_hi = crate::mem::filled(npix, 0u64);
        let mut bad_switch = crate::mem::filled(npix, 0u8);
        let outs: Vec<OutTile<'_>> = status
            .chunks_mut(TILE)
            .zip(ave.chunks(TILE).zip(rms.chunks(TILE)))
            .zip(min.chunks_mut(TILE).zip(max.chunks_mut(TILE)))
            .zip(count.chunks_mut(TILE).zip(count_lo.chunks_mut(TILE)))
            .zip(count_hi.chunks_mut(TILE).zip(bad_switch.chunks_mut(TILE)))
            .map(
                |((((status, (ave, rms)), (min, max)), (count, count_lo)), (count_hi, bad))| {
                    OutTile {
                        status,
                        ave,
                        rms,
                        min,
                        max,
                        count,
                        count_lo,
                        count_hi,
                        bad,
                    }
                },
            )
            .collect();
        let cuts = Cuts { limits, nevlm };
        let bit_counts = outs
            .into_par_iter()
            .zip(tiles.par_iter())
            .map(|(o, t)| o.fill(t, &cuts))
            .reduce(|| [0u64; 7], |a, b| std::array::from_fn(|i| a[i] + b[i]));

        // The gates go to the result; copied only if someone else still holds them.
        let (gate_lo, gate_hi) = match Arc::try_unwrap(self.gates) {
            Ok(g) => (g.lo, g.hi),
            Err(g) => (g.lo.clone(), g.hi.clone()),
        };
        tracing::debug!(
            frames,
            nevlm,
            ?limits,
            ?bit_counts,
            "dark processing summary ({} pixels)",
            npix
        );
        DarkResult {
            ave,
            rms,
            status,
            min,
            max,
            gate_lo,
            gate_hi,
            count,
            count_lo,
            count_hi,
            bad_switch,
            frames,
            counter,
            nevlm,
            limits,
            bit_counts,
        }
    }
}

/// Averages and rms of a tile's pixels as psana computes them in f64: `ave = sum1 / n`,
/// `rms = sqrt(sum2 / n - ave^2)`, 0 where `n = 0`.
fn ave_rms(t: &Tile, ave: &mut [f64], rms: &mut [f64]) {
    for i in 0..ave.len() {
        let n = t.count[i];
        (ave[i], rms[i]) = if n == 0 {
            (0.0, 0.0)
        } else {
            let n = f64::from(n);
            let a = t.sum1[i] as f64 / n;
            (a, (t.sum2[i] as f64 / n - a * a).sqrt())
        };
    }
}

/// What the status bits compare with.
struct Cuts {
    limits: Limits,
    nevlm: i64,
}

/// The per-pixel outputs of one tile's pixels, with its averages and rms.
struct OutTile<'a> {
    status: &'a mut [u64],
    ave: &'a [f64],
    rms: &'a [f64],
    min: &'a mut [u16],
    max: &'a mut [u16],
    count: &'a mut [u64],
    count_lo: &'a mut [u64],
    count_hi: &'a mut [u64],
    bad: &'a mut [u8],
}

impl OutTile<'_> {
    /// Fills the outputs and the status bits; returns the number of pixels with each bit.
    fn fill(self, t: &Tile, cuts: &Cuts) -> [u64; 7] {
        let l = &cuts.limits;
        // psana compares the counts with int(fraclm * counter), which validation keeps >= 0.
        let over = |c: u32| cuts.nevlm < 0 || u64::from(c) > cuts.nevlm as u64;
        let bit = |cond: bool, b: u64| if cond { b } else { 0 };
        let mut counts = [0u64; 7];
        for i in 0..self.status.len() {
            let (ave, rms) = (self.ave[i], self.rms[i]);
            let s = bit(rms > l.rms_hi, STATUS_RMS_HI)
                | bit(rms < l.rms_lo, STATUS_RMS_LO)
                | bit(over(t.count_hi[i]), STATUS_SATURATED)
                | bit(over(t.count_lo[i]), STATUS_COLD)
                | bit(ave > l.ave_hi, STATUS_AVE_HI)
                | bit(ave < l.ave_lo, STATUS_AVE_LO)
                | bit(t.bad[i] != 0, STATUS_BAD_GAIN_SWITCH);
            self.status[i] = s;
            for (b, n) in counts.iter_mut().enumerate() {
                *n += (s >> b) & 1;
            }
            self.min[i] = t.min[i];
            self.max[i] = t.max[i];
            self.count[i] = u64::from(t.count[i]);
            self.count_lo[i] = u64::from(t.count_lo[i]);
            self.count_hi[i] = u64::from(t.count_hi[i]);
            self.bad[i] = u8::from(t.bad[i] != 0);
        }
        counts
    }
}

/// The limits of the status bits 1, 2, 16 and 32, with the statistics they come from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    /// Mean of the rms over all pixels.
    pub rms_mean: f64,
    /// Standard deviation of the rms over all pixels.
    pub rms_std: f64,
    /// Low rms limit (bit 2 below it).
    pub rms_lo: f64,
    /// High rms limit (bit 1 above it).
    pub rms_hi: f64,
    /// Mean of the averages over all pixels.
    pub ave_mean: f64,
    /// Standard deviation of the averages over all pixels.
    pub ave_std: f64,
    /// Low average limit (bit 32 below it).
    pub ave_lo: f64,
    /// High average limit (bit 16 above it).
    pub ave_hi: f64,
}

/// The results of dark processing, one value per pixel in input order.
#[derive(Debug, Clone, PartialEq)]
pub struct DarkResult {
    /// Pedestals: the average of the in-gate values (0 where none).
    pub ave: Vec<f64>,
    /// The rms of the in-gate values (0 where none).
    pub rms: Vec<f64>,
    /// Bad-pixel status bits ([`STATUS_RMS_HI`] ... [`STATUS_BAD_GAIN_SWITCH`]).
    pub status: Vec<u64>,
    /// Smallest masked value over all frames.
    pub min: Vec<u16>,
    /// Largest masked value over all frames.
    pub max: Vec<u16>,
    /// Lowest in-gate value.
    pub gate_lo: Vec<u16>,
    /// Highest in-gate value.
    pub gate_hi: Vec<u16>,
    /// Frames inside the gate.
    pub count: Vec<u64>,
    /// Frames below `int_lo`.
    pub count_lo: Vec<u64>,
    /// Frames above `int_hi`.
    pub count_hi: Vec<u64>,
    /// 1 where a frame showed an unexpected gain code.
    pub bad_switch: Vec<u8>,
    /// Frames processed.
    pub frames: u64,
    /// psana's `counter`: frames - 1.
    pub counter: u64,
    /// `int(fraclm * counter)`: the most frames a pixel may spend outside the intensity limits.
    pub nevlm: i64,
    /// The limits of the rms and average bits.
    pub limits: Limits,
    /// The number of pixels with status bit `1 << i`, for i in 0..7.
    pub bit_counts: [u64; 7],
}

impl DarkResult {
    /// The number of pixels whose status has all of `bits` set (e.g. [`STATUS_COLD`]).
    pub fn pixels_with(&self, bits: u64) -> u64 {
        if bits.is_power_of_two() && bits.trailing_zeros() < 7 {
            self.bit_counts[bits.trailing_zeros() as usize]
        } else {
            self.status.iter().filter(|&&s| s & bits == bits).count() as u64
        }
    }

    /// The number of pixels with any status bit set.
    pub fn bad_pixels(&self) -> u64 {
        self.status.iter().filter(|&&s| s != 0).count() as u64
    }
}

/// Streaming dark processing of frames of `npix` pixels (several panels are one frame).
pub struct DarkProc {
    npix: usize,
    params: DarkParams,
    gain: GainCheck,
    kernel: Kernel,
    /// Frames taken so far (at most `nrecs`).
    taken: u64,
    /// Before stage 1: the block of the first frames; after: frames waiting for stage 2.
    buf: Vec<u16>,
    /// Whole frames in `buf`.
    buf_frames: usize,
    /// Capacity of `buf` in frames.
    buf_cap: usize,
    /// The accumulators, once the gates are known.
    stage2: Option<Stage2>,
}

impl std::fmt::Debug for DarkProc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DarkProc")
            .field("npix", &self.npix)
            .field("params", &self.params)
            .field("gain", &self.gain)
            .field("taken", &self.taken)
            .field("stage", &if self.stage2.is_some() { 2 } else { 1 })
            .finish_non_exhaustive()
    }
}

impl DarkProc {
    /// A processor for frames of `npix` pixels.
    pub fn new(npix: usize, params: DarkParams, gain: GainCheck) -> Result<DarkProc> {
        params.validate()?;
        gain.validate()?;
        if npix == 0 {
            return Err(Error::shape(
                "frame",
                "at least one pixel",
                &[0],
                "dark processing needs at least one pixel",
            ));
        }
        let cap = staging_frames(&params);
        Ok(DarkProc {
            npix,
            params,
            gain,
            kernel: Kernel::Auto,
            taken: 0,
            buf: frame_buffer(cap, npix)?,
            buf_frames: 0,
            buf_cap: cap,
            stage2: None,
        })
    }

    /// A processor that skips stage 1 and accumulates with `gates` (found by another one).
    pub fn with_gates(params: DarkParams, gain: GainCheck, gates: Arc<Gates>) -> Result<DarkProc> {
        let stage2 = Stage2::new(&params, gain, gates)?;
        let npix = stage2.npix;
        let cap = staging_frames(&params);
        Ok(DarkProc {
            npix,
            params,
            gain,
            kernel: Kernel::Auto,
            taken: 0,
            buf: frame_buffer(cap, npix)?,
            buf_frames: 0,
            buf_cap: cap,
            stage2: Some(stage2),
        })
    }

    /// Chooses the code path of the hot loops (the results are the same).
    pub fn set_kernel(&mut self, kernel: Kernel) {
        self.kernel = kernel;
        if let Some(s) = &mut self.stage2 {
            s.set_kernel(kernel);
        }
    }

    /// The number of pixels of a frame.
    pub fn npix(&self) -> usize {
        self.npix
    }

    /// The parameters.
    pub fn params(&self) -> &DarkParams {
        &self.params
    }

    /// The frames taken so far (at most `nrecs`).
    pub fn frames(&self) -> u64 {
        self.taken
    }

    /// Whether `nrecs` frames were taken (further frames are ignored).
    pub fn is_done(&self) -> bool {
        self.taken >= self.params.nrecs as u64
    }

    /// The gates, once stage 1 ran.
    pub fn gates(&self) -> Option<&Arc<Gates>> {
        self.stage2.as_ref().map(|s| s.gates())
    }

    /// Adds one frame of `npix` raw values; returns whether `nrecs` frames are now taken.
    pub fn push_frame(&mut self, frame: &[u16]) -> Result<bool> {
        if frame.len() != self.npix {
            return Err(Error::shape(
                "frame",
                self.npix.to_string(),
                &[frame.len()],
                format!(
                    "dark processing: frame has {} values, expected {}",
                    frame.len(),
                    self.npix
                ),
            ));
        }
        self.push_frames(frame)
    }

    /// Adds `k` frames stored one after the other (`k * npix` raw values); returns whether
    /// `nrecs` frames are now taken. Frames beyond `nrecs` are ignored.
    pub fn push_frames(&mut self, frames: &[u16]) -> Result<bool> {
        let k = frame_count(self.npix, frames)?;
        let room = (self.params.nrecs as u64).saturating_sub(self.taken);
        let take = (k as u64).min(room) as usize;
        let mut rest = &frames[..take * self.npix];
        self.taken += take as u64;
        // Stage 1: fill the block; run stage 1 as soon as it holds nrecs1 frames.
        if self.stage2.is_none() {
            let n1 = self.params.block_frames();
            if self.buf_frames == 0 && rest.len() >= n1 * self.npix {
                // The whole block is in this call: no need to copy it (which would also cost
                // the first touch of the block's memory).
                let (block, after) = rest.split_at(n1 * self.npix);
                self.stage2 = Some(self.stage1_on(block));
                rest = after;
            }
        }
        if self.stage2.is_none() {
            let n1 = self.params.block_frames();
            let fit = (n1 - self.buf_frames).min(rest.len() / self.npix);
            self.append(&rest[..fit * self.npix]);
            rest = &rest[fit * self.npix..];
            if self.buf_frames == n1 {
                self.run_stage1();
            }
        }
        if let Some(stage2) = &mut self.stage2 {
            if rest.len() / self.npix >= MIN_STAGING {
                // Big batches go straight to the kernel (the order of frames does not matter).
                stage2.accumulate(rest);
                stage2.frames += (rest.len() / self.npix) as u64;
            } else {
                while !rest.is_empty() {
                    let fit = (self.buf_cap - self.buf_frames).min(rest.len() / self.npix);
                    self.append(&rest[..fit * self.npix]);
                    rest = &rest[fit * self.npix..];
                    if self.buf_frames == self.buf_cap {
                        self.flush();
                    }
                }
            }
        }
        Ok(self.is_done())
    }

    /// The buffer of the next frame, to be filled in place (say, panel by panel as a reader
    /// decodes them) and then added with [`DarkProc::commit_frame`]; saves the copy that
    /// [`DarkProc::push_frame`] makes.
    pub fn frame_slot(&mut self) -> &mut [u16] {
        // There is always room for one more frame: the block runs stage 1 as soon as it is
        // full, and the staging buffer is flushed as soon as it is full.
        let at = self.buf_frames * self.npix;
        &mut self.buf[at..at + self.npix]
    }

    /// Adds the frame written into [`DarkProc::frame_slot`]; returns whether `nrecs` frames
    /// are now taken (once they are, further frames are ignored).
    pub fn commit_frame(&mut self) -> bool {
        if self.is_done() {
            return true;
        }
        self.buf_frames += 1;
        self.taken += 1;
        if self.stage2.is_none() {
            if self.buf_frames == self.params.block_frames() {
                self.run_stage1();
            }
        } else if self.buf_frames == self.buf_cap {
            self.flush();
        }
        self.is_done()
    }

    /// Copies whole frames after those in the buffer (they fit).
    fn append(&mut self, frames: &[u16]) {
        let at = self.buf_frames * self.npix;
        let dst = &mut self.buf[at..at + frames.len()];
        // One core does not reach the memory bandwidth: copy big frames on all of them.
        dst.par_chunks_mut(COPY_CHUNK)
            .zip(frames.par_chunks(COPY_CHUNK))
            .for_each(|(d, s)| d.copy_from_slice(s));
        self.buf_frames += frames.len() / self.npix;
    }

    /// Stage 1 on the frames of the block, then all of them through stage 2.
    fn run_stage1(&mut self) {
        let stage2 = self.stage1_on(&self.buf[..self.buf_frames * self.npix]);
        self.stage2 = Some(stage2);
        self.buf_frames = 0;
    }

    /// Stage 1 on `block` (whole frames), and the stage-2 accumulators with them added.
    fn stage1_on(&self, block: &[u16]) -> Stage2 {
        let gates = Arc::new(Gates::compute(&self.params, self.npix, block, self.kernel));
        let mut stage2 = Stage2::build(&self.params, self.gain, gates);
        stage2.set_kernel(self.kernel);
        stage2.accumulate(block);
        stage2.frames += (block.len() / self.npix) as u64;
        stage2
    }

    /// Feeds the staged frames to stage 2.
    fn flush(&mut self) {
        if let Some(stage2) = &mut self.stage2 {
            let staged = &self.buf[..self.buf_frames * self.npix];
            stage2.accumulate(staged);
            stage2.frames += self.buf_frames as u64;
            self.buf_frames = 0;
        }
    }

    /// Flushes everything into stage 2 (running stage 1 on a short run) and returns it.
    fn into_stage2(mut self) -> Result<Stage2> {
        if self.taken < MIN_FRAMES {
            return Err(too_few_frames(self.taken));
        }
        if self.stage2.is_none() {
            // A run shorter than the block: gates from the frames there are, no zero rows.
            self.run_stage1();
        }
        self.flush();
        self.buf = Vec::new();
        self.stage2
            .ok_or_else(|| Error::internal("dark processing: stage 1 did not run"))
    }

    /// Adds the accumulators of `other`, which must use the same gates (see
    /// [`DarkProc::with_gates`]).
    pub fn merge(&mut self, mut other: DarkProc) -> Result<()> {
        other.flush();
        match (&mut self.stage2, &other.stage2) {
            (Some(mine), Some(theirs)) => mine.merge(theirs)?,
            _ => {
                return Err(Error::bad_arg(
                    "other",
                    "cannot merge dark processors before their gates are known",
                ));
            }
        }
        self.taken += other.taken;
        Ok(())
    }

    /// The summary over the frames taken.
    pub fn finish(self) -> Result<DarkResult> {
        self.into_stage2()?.finish()
    }
}

/// The frames the buffer of a [`DarkProc`] holds: the stage-1 block, which then stages frames
/// for stage 2 (the kernel is faster on batches), at least [`MIN_STAGING`].
fn staging_frames(params: &DarkParams) -> usize {
    params.block_frames().max(MIN_STAGING.min(params.nrecs))
}

/// A zeroed buffer for `frames` frames of `npix` pixels, or an error if that cannot exist.
fn frame_buffer(frames: usize, npix: usize) -> Result<Vec<u16>> {
    match frames.checked_mul(npix) {
        Some(len) if len <= isize::MAX as usize / 2 => Ok(crate::mem::filled(len, 0)),
        _ => Err(Error::unsupported(
            "dark processing block size",
            format!("dark processing: a block of {frames} frames of {npix} pixels is too large"),
        )),
    }
}

/// The number of whole frames of `npix` pixels in `frames`.
fn frame_count(npix: usize, frames: &[u16]) -> Result<usize> {
    if npix == 0 || !frames.len().is_multiple_of(npix) {
        return Err(Error::shape(
            "raw frames",
            format!("whole frames of {npix} pixels"),
            &[frames.len()],
            format!(
                "dark processing: {} raw values are not whole frames of {} pixels",
                frames.len(),
                npix
            ),
        ));
    }
    Ok(frames.len() / npix)
}

fn too_few_frames(n: u64) -> Error {
    Error::shape(
        "frames",
        format!("at least {MIN_FRAMES}"),
        &[n as usize],
        format!("dark processing needs at least {MIN_FRAMES} frames, got {n}"),
    )
}
