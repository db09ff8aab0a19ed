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

pub mod epix10ka;
pub mod epix10ka_job;
pub mod epix10ka_wire;
pub mod frames;
#[cfg(test)]
mod in_place_tests;
pub mod job;
mod kernel;
pub mod output;
pub mod panels;
mod params;
mod stage1;
mod stage2;
pub mod streams;
pub(crate) mod summary;
pub mod wire;

pub use frames::FrameParts;
pub use params::{DarkParams, GainCheck};
pub use stage2::{Gates, Kernel, Limits, Stage2};

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
    /// Allocated when first needed (frames given in large batches never pass through it).
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
            buf: {
                frame_buffer_len(cap, npix)?;
                Vec::new()
            },
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
            buf: {
                frame_buffer_len(cap, npix)?;
                Vec::new()
            },
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
        frame_count(self.npix, frames)?;
        let parts: Vec<&[u16]> = frames.chunks_exact(self.npix).collect();
        self.push_parts(FrameParts::new(&parts, self.npix)?)
    }

    /// Adds whole frames given as parts anywhere in memory (say, panels in a mapped file),
    /// read where they are; returns whether `nrecs` frames are now taken. Frames beyond
    /// `nrecs` are ignored. The same as [`DarkProc::push_frames`] of the frames put together.
    pub fn push_parts(&mut self, frames: FrameParts<'_>) -> Result<bool> {
        if frames.frames() > 0 && frames.count() * frames.part_len() != frames.frames() * self.npix
        {
            return Err(Error::shape(
                "frame",
                self.npix.to_string(),
                &[frames.part_len(), frames.count() / frames.frames()],
                format!(
                    "dark processing: frames of {} parts of {} values, expected {} values",
                    frames.count() / frames.frames(),
                    frames.part_len(),
                    self.npix
                ),
            ));
        }
        let k = frames.frames();
        let room = (self.params.nrecs as u64).saturating_sub(self.taken);
        let take = (k as u64).min(room) as usize;
        let mut rest = frames.range(0, take);
        self.taken += take as u64;
        // Stage 1: fill the block; run stage 1 as soon as it holds nrecs1 frames.
        if self.stage2.is_none() {
            let n1 = self.params.block_frames();
            if self.buf_frames == 0 && rest.frames() >= n1 {
                // The whole block is in this call: no need to copy it (which would also cost
                // the first touch of the block's memory).
                let block = rest.range(0, n1);
                self.stage2 = Some(self.stage1_on(block));
                rest = rest.range(n1, rest.frames());
            }
        }
        if self.stage2.is_none() {
            let n1 = self.params.block_frames();
            let fit = (n1 - self.buf_frames).min(rest.frames());
            self.append(rest.range(0, fit));
            rest = rest.range(fit, rest.frames());
            if self.buf_frames == n1 {
                self.run_stage1();
            }
        }
        if let Some(stage2) = &mut self.stage2 {
            if rest.frames() >= MIN_STAGING {
                // Big batches go straight to the kernel (the order of frames does not matter).
                stage2.accumulate(rest);
                stage2.frames += rest.frames() as u64;
            } else {
                while rest.frames() > 0 {
                    let fit = (self.buf_cap - self.buf_frames).min(rest.frames());
                    self.append(rest.range(0, fit));
                    rest = rest.range(fit, rest.frames());
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
        self.alloc_buf();
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

    /// Allocates the buffer, once.
    fn alloc_buf(&mut self) {
        if self.buf.is_empty() {
            // The size was checked when the processor was made.
            self.buf = crate::mem::filled(self.buf_cap * self.npix, 0);
        }
    }

    /// Copies whole frames after those in the buffer (they fit).
    fn append(&mut self, frames: FrameParts<'_>) {
        if frames.frames() == 0 {
            return;
        }
        self.alloc_buf();
        let (at, npix) = (self.buf_frames * self.npix, self.npix);
        let dst = &mut self.buf[at..at + frames.frames() * npix];
        // One core does not reach the memory bandwidth: copy big frames on all of them.
        if frames.part_len() == npix {
            dst.par_chunks_mut(npix).enumerate().for_each(|(f, d)| {
                d.par_chunks_mut(COPY_CHUNK)
                    .enumerate()
                    .for_each(|(c, d)| frames.copy_part(f, c * COPY_CHUNK, d));
            });
        } else {
            dst.par_chunks_mut(npix)
                .enumerate()
                .for_each(|(f, d)| frames.copy_frame(f, d));
        }
        self.buf_frames += frames.frames();
    }

    /// Stage 1 on the frames of the block, then all of them through stage 2.
    fn run_stage1(&mut self) {
        let parts: Vec<&[u16]> = self.buf[..self.buf_frames * self.npix]
            .chunks_exact(self.npix)
            .collect();
        let stage2 = self.stage1_on(FrameParts::new(&parts, self.npix).expect("whole frames"));
        self.stage2 = Some(stage2);
        self.buf_frames = 0;
    }

    /// Stage 1 on `block` (whole frames), and the stage-2 accumulators with them added.
    fn stage1_on(&self, block: FrameParts<'_>) -> Stage2 {
        let gates = Arc::new(Gates::compute(&self.params, self.npix, block, self.kernel));
        let mut stage2 = Stage2::build(&self.params, self.gain, gates);
        stage2.set_kernel(self.kernel);
        stage2.accumulate(block);
        stage2.frames += block.frames() as u64;
        stage2
    }

    /// Feeds the staged frames to stage 2.
    fn flush(&mut self) {
        if let Some(stage2) = &mut self.stage2
            && self.buf_frames > 0
        {
            let parts: Vec<&[u16]> = self.buf[..self.buf_frames * self.npix]
                .chunks_exact(self.npix)
                .collect();
            stage2.accumulate(FrameParts::new(&parts, self.npix).expect("whole frames"));
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

/// The length of a buffer for `frames` frames of `npix` pixels, or an error if that cannot
/// exist.
fn frame_buffer_len(frames: usize, npix: usize) -> Result<usize> {
    match frames.checked_mul(npix) {
        Some(len) if len <= isize::MAX as usize / 2 => Ok(len),
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

/// A pseudo-random generator (xorshift64*, the top 48 bits) for the dark tests' frames.
#[cfg(test)]
pub(crate) fn test_xorshift(seed: u64) -> impl FnMut() -> u64 {
    let mut h = seed;
    move || {
        h ^= h >> 12;
        h ^= h << 25;
        h ^= h >> 27;
        h.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 16
    }
}
