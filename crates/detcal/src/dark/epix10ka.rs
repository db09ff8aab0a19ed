/*!
ePix10ka dark processing: psana's two-pass `proc_dark_block` (LCLS-I
`Detector.UtilsEpix10kaCalib`), bit for bit, each panel on its own.

psana collects the frames of a step into a block of at most `nbs` (1024) records of
`raw & 0x3fff` as int16 and processes `block[:nrec]`, which leaves out the last record collected:
`N` frames give `n = N - 1` records. Per panel:

1. **Pass 1** over the first `min(n, 500)` records, gate `[1, 16000]`: `ave1 = S1/S0`,
   `rms1 = sqrt(S2/S0 - ave1^2)` (0 where nothing passed). The panel's `rms_ave` is the mean of
   `rms1` over the pixels with `0.001 <= rms1 <= 16000` (numpy's sum of the array with 0
   elsewhere, over the whole panel, divided by the count); `gate_half = 6 rms_ave`. numpy sums
   these 2-D arrays in blocks of 8192 elements (pairwise within a block, blocks in order), and so
   do the limits below: the parity data tell the difference in the last bit.
2. **Gates**: `gate_hi = trunc(min(ave1 + gate_half, 16000))`,
   `gate_lo = trunc(max(ave1 - gate_half, 1))`.
3. **Pass 2** over all `n` records: in-gate sums give `ave` and `rms` (0 where nothing passed);
   every record counts into `cnt_lo` (value < 1) and `cnt_hi` (value > 16000).
4. **Status** (int64): 1 rms above / 2 below the rms limits, 4 `cnt_hi > nevlm`,
   8 `cnt_lo > nevlm`, 16 ave above / 32 below the average limits, with `nevlm = int(0.1 n)` and
   the limits of psana's `evaluate_limits` (6 sigmas, rms bounds (0.001, 16000), average bounds
   (1, 16000)) from the panel's own mean and std.

Every threshold is fixed in psana (the app has no options for them), so they are constants here.

[`EpixDark`] streams: it keeps the first 500 used records (pass 2 needs them once pass 1's gates
are known) plus one frame held back (a frame is used only once a later one arrives),
then feeds later frames to pass 2 in batches. For frames of about one panel, pass 1 sums the
first records in batches of 16 as they arrive and pass 2 takes batches of 16, so the kernel
reads frames a moment after they were written, from cache (batches of more than 16 frames are
summed where they lie, without a copy); the first records are then kept as bytes, each value's
difference from the pixel's value in the first record, with a list per tile of the values more
than 127 away (half the memory of the frames, so half the fresh pages to clear). Larger frames
are summed in blocks of up to 500 records kept as they are (each tile of sums stays in cache
over the block instead). Pass 2 over the first records
does not read them again where it can be told from pass 1 that it would sum the same values:
pass 1 also keeps each pixel's smallest and largest in-gate value and its counts below 1 and
above 16000; where both extremes lie inside the pixel's pass-2 gate, its pass-1 sums are its
pass-2 sums over those records. Only chunks of 16 pixels with a pixel where they do not are
summed again from the block (noisy pixels, spikes). Memory is that block of at most 500
records plus fixed per-pixel sums, whatever `nbs` and the number of events (psana holds `nbs`
frames). Pixels are processed in tiles on every core.

detcal's decision where psana crashes: fewer than 3 frames (fewer than 2 records), or a panel
where no pixel has an rms in `[0.001, 16000]`, is an error naming the panel.

```
use detcal::dark::epix10ka::EpixDark;

// One panel of 4 pixels, 5 frames: 4 records used.
let mut dark = EpixDark::new(1, 4, 1024)?;
for i in 0..5u16 {
    dark.push_frame(&[3000 + i % 2, 3100 + (i % 3), 0, 0x4000 | 2000 + i])?;
}
let res = dark.finish()?;
assert_eq!(res.records, 4);
assert_eq!(res.panels[0].ave[0], 3000.5);
assert_eq!(res.panels[0].status[2], 2 | 8 | 32);
# Ok::<(), detcal::Error>(())
```
*/

use rayon::prelude::*;
use serde::Serialize;

use crate::cpu::use_avx2;
use crate::dark::frames::copy_le_words;
use crate::dark::kernel::{prefetch, words};
use crate::dark::summary::{blocked_sum, evaluate_limits, mean_std_blocked};
use crate::detector::epix10ka::DATA_MASK;
use crate::error::{Error, Result};

/// Lowest accepted ADC value (`int_lo`).
pub const INT_LO: u16 = 1;
/// Highest accepted ADC value (`int_hi`).
pub const INT_HI: u16 = 16000;
/// Lowest rms of the rms limits and of the pass-1 rms average (`rms_lo`).
pub const RMS_LO: f64 = 0.001;
/// Highest rms (`rms_hi`).
pub const RMS_HI: f64 = 16000.0;
/// Sigmas of the average and rms limits (`intnlo`, `intnhi`, `rmsnlo`, `rmsnhi`).
pub const NSIGMA_LIMITS: f64 = 6.0;
/// Allowed fraction of records outside `[int_lo, int_hi]` (`fraclm`).
pub const FRACLM: f64 = 0.1;
/// Half-width of the pass-2 gate in panel-average rms (`nsigma`).
pub const NSIGMA_GATE: f64 = 6.0;
/// Records of pass 1, at most.
pub const PASS1_RECORDS: usize = 500;
/// psana's default block size (`--nbs`).
pub const DEFAULT_NBS: usize = 1024;
/// The largest block size accepted (the in-gate sums are 32-bit).
pub const MAX_NBS: usize = 100_000;
/// The fewest frames a step needs (2 records).
pub const MIN_FRAMES: u64 = 3;

/// Status bit: rms above the high rms limit.
pub const STATUS_RMS_HI: i64 = 1;
/// Status bit: rms below the low rms limit.
pub const STATUS_RMS_LO: i64 = 2;
/// Status bit: more than `nevlm` records above 16000.
pub const STATUS_SATURATED: i64 = 4;
/// Status bit: more than `nevlm` records below 1.
pub const STATUS_COLD: i64 = 8;
/// Status bit: average above the high average limit.
pub const STATUS_AVE_HI: i64 = 16;
/// Status bit: average below the low average limit.
pub const STATUS_AVE_LO: i64 = 32;

/// Pixels per tile of the accumulators (a multiple of [`LANES`]).
const TILE: usize = 2048;
/// Pixels whose sums stay in registers over a sub-batch of frames.
const LANES: usize = 16;
/// Batches of at least this many frames go to pass 2 without a copy ([`EpixDark::push_frames`]).
const DIRECT_FRAMES: usize = 16;
/// Frames per call of [`EpixDark::push_parts`] once pass 1 ran ([`EpixDark::parts_wanted`]).
const PARTS_BATCH: usize = 64;
/// Frames per sub-batch: 16 squares of 14-bit values fit a `u32` (16 * 16383^2 < 2^32).
const SUB: usize = 16;
/// Bytes of the per-pixel sums ([`TileSums`]).
const SUMS_BYTES: usize = 32;
/// Frames are summed in batches of [`SUB`] as they arrive (read from cache, a moment after
/// they were written) when such a batch and the sums, which every batch then reads and writes,
/// take at most this many bytes (one panel: 8.6 MB); larger frames are summed in big blocks of
/// records, each tile of sums staying in cache over the whole block, as the sums' traffic would
/// cost more than reading the frames from memory (measured on 4 panels).
const CACHED_BYTES: usize = 16 << 20;

/// What the kernel accumulates besides the gated sums.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pass {
    /// Pass 1: also the counts below 1 and above 16000 and the smallest and largest in-gate
    /// value, which tell whether pass 2 would see these records differently.
    First,
    /// Pass 2: also the counts below 1 and above 16000.
    Second,
}

/// The results of one panel.
#[derive(Debug, Clone, PartialEq)]
pub struct EpixPanelResult {
    /// Pedestals: the pass-2 gated mean (0 where nothing passed).
    pub ave: Vec<f64>,
    /// The pass-2 gated rms (0 where nothing passed).
    pub rms: Vec<f64>,
    /// Status bits [`STATUS_RMS_HI`] ... [`STATUS_AVE_LO`].
    pub status: Vec<i64>,
    /// Pass-2 gate, low end.
    pub gate_lo: Vec<i16>,
    /// Pass-2 gate, high end.
    pub gate_hi: Vec<i16>,
    /// Records inside the pass-2 gate.
    pub count: Vec<u32>,
    /// Records below 1.
    pub count_lo: Vec<u32>,
    /// Records above 16000.
    pub count_hi: Vec<u32>,
    /// The pass-1 mean.
    pub pass1_ave: Vec<f64>,
    /// The pass-1 rms.
    pub pass1_rms: Vec<f64>,
    /// Records inside the pass-1 gate `[1, 16000]`.
    pub pass1_count: Vec<u32>,
    /// Numbers of the panel.
    pub summary: EpixPanelSummary,
}

/// The per-panel numbers of a dark step (what psana logs).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct EpixPanelSummary {
    /// The pass-1 average rms.
    pub rms_ave_pass1: f64,
    /// The half-width of the pass-2 gate, `6 rms_ave`.
    pub gate_half: f64,
    /// The low and high rms limits.
    pub rms_limits: [f64; 2],
    /// The low and high average limits.
    pub ave_limits: [f64; 2],
    /// Pixels with status bit `1 << i`, for i in 0..6.
    pub bit_counts: [u64; 6],
    /// Pixels with any status bit.
    pub bad_pixels: u64,
}

/// The results of a step: one entry per panel.
#[derive(Debug, Clone, PartialEq)]
pub struct EpixDarkResult {
    /// Frames collected (at most `nbs`).
    pub frames: u64,
    /// Records used: `frames - 1`.
    pub records: u64,
    /// `int(0.1 * records)`.
    pub nevlm: i64,
    /// The panels, in input order.
    pub panels: Vec<EpixPanelResult>,
}

/// Per-pixel sums of one tile.
#[derive(Debug, Clone)]
struct TileSums {
    start: usize,
    lo: Vec<u16>,
    hi: Vec<u16>,
    s0: Vec<u32>,
    s1: Vec<u32>,
    s2: Vec<u64>,
    clo: Vec<u32>,
    chi: Vec<u32>,
    /// Smallest in-gate value (pass 1 only; `u16::MAX` where none).
    gmin: Vec<u16>,
    /// Largest in-gate value (pass 1 only; 0 where none).
    gmax: Vec<u16>,
    /// The byte block's reference: the first record's masked values (empty before it).
    refv: Vec<u16>,
    /// The byte block's escapes: `(record * len + pixel, masked value)` where the value lies
    /// more than 127 from the reference.
    esc: Vec<(u32, u16)>,
}

impl TileSums {
    fn new(start: usize, len: usize) -> TileSums {
        TileSums {
            start,
            lo: vec![INT_LO; len],
            hi: vec![INT_HI; len],
            s0: vec![0; len],
            s1: vec![0; len],
            s2: vec![0; len],
            clo: vec![0; len],
            chi: vec![0; len],
            gmin: vec![u16::MAX; len],
            gmax: vec![0; len],
            refv: Vec::new(),
            esc: Vec::new(),
        }
    }

    /// Sets the pass-2 gates and returns the tile offsets of the chunks of [`LANES`] pixels
    /// whose pass-1 sums are not their pass-2 sums (zeroed, to be summed again). The gates lie
    /// inside pass 1's `[1, 16000]`, so where every in-gate value of pass 1 lies inside the
    /// pixel's pass-2 gate, pass 2 would sum the same values. The counts below 1 and above
    /// 16000 do not depend on the gate and are kept.
    fn set_gates(&mut self, gate_lo: &[i16], gate_hi: &[i16]) -> Vec<usize> {
        let r = self.start..self.start + self.len();
        let mut dirty = vec![false; self.len().div_ceil(LANES)];
        for (i, (&glo, &ghi)) in gate_lo[r.clone()].iter().zip(&gate_hi[r]).enumerate() {
            // Gates are in [1, 16000] or an empty [1, 0]; clamp anything else to u16.
            let lo = glo.max(0) as u16;
            let hi = ghi.max(0) as u16;
            self.lo[i] = lo;
            self.hi[i] = hi;
            let same = lo >= INT_LO
                && hi <= INT_HI
                && (self.s0[i] == 0 || (self.gmin[i] >= lo && self.gmax[i] <= hi));
            dirty[i / LANES] |= !same;
        }
        let chunks: Vec<usize> = dirty
            .iter()
            .enumerate()
            .filter(|(_, d)| **d)
            .map(|(c, _)| c * LANES)
            .collect();
        for &c in &chunks {
            let e = (c + LANES).min(self.len());
            self.s0[c..e].fill(0);
            self.s1[c..e].fill(0);
            self.s2[c..e].fill(0);
        }
        chunks
    }

    fn len(&self) -> usize {
        self.s0.len()
    }
}

/// Frames as the kernel reads them: a pixel's place is found once per chunk of pixels
/// ([`FrameSource::locate`]), then read in every frame.
trait FrameSource: Sync {
    /// The number of frames.
    fn nframes(&self) -> usize;
    /// Where pixel `at` of a frame lies: (part of the frame, offset in the part).
    fn locate(&self, at: usize) -> (usize, usize);
    /// The `W` raw words of frame `f` from the place `loc` on.
    fn row<const W: usize>(&self, f: usize, loc: (usize, usize)) -> [u16; W];
    /// The address of frame `f` at `loc`, for prefetches (null where there is no such frame).
    fn addr(&self, f: usize, loc: (usize, usize)) -> *const u8;
}

/// Whole frames of `npix` words one after another.
#[derive(Debug, Clone, Copy)]
struct Flat<'a> {
    frames: &'a [u16],
    npix: usize,
}

impl FrameSource for Flat<'_> {
    #[inline(always)]
    fn nframes(&self) -> usize {
        self.frames.len() / self.npix
    }

    #[inline(always)]
    fn locate(&self, at: usize) -> (usize, usize) {
        (0, at)
    }

    #[inline(always)]
    fn row<const W: usize>(&self, f: usize, (_, at): (usize, usize)) -> [u16; W] {
        self.frames[f * self.npix + at..][..W]
            .try_into()
            .expect("lanes")
    }

    #[inline(always)]
    fn addr(&self, f: usize, (_, at): (usize, usize)) -> *const u8 {
        self.frames.as_ptr().wrapping_add(f * self.npix + at).cast()
    }
}

/// Each frame's panels where they lie (in the run's mapped files): `parts[f * npanels + p]`
/// holds panel `p` of frame `f` as bytes of little-endian words, at any address. Chunks of
/// [`LANES`] pixels must not cross panels (`panel_len` a multiple of [`LANES`]).
#[derive(Debug, Clone, Copy)]
struct InPlace<'a> {
    parts: &'a [&'a [u8]],
    npanels: usize,
    panel_len: usize,
}

impl FrameSource for InPlace<'_> {
    #[inline(always)]
    fn nframes(&self) -> usize {
        self.parts.len() / self.npanels
    }

    #[inline(always)]
    fn locate(&self, at: usize) -> (usize, usize) {
        (at / self.panel_len, 2 * (at % self.panel_len))
    }

    #[inline(always)]
    fn row<const W: usize>(&self, f: usize, (p, o): (usize, usize)) -> [u16; W] {
        words(&self.parts[f * self.npanels + p][o..o + 2 * W])
    }

    #[inline(always)]
    fn addr(&self, f: usize, (p, o): (usize, usize)) -> *const u8 {
        self.parts
            .get(f * self.npanels + p)
            .map_or(std::ptr::null(), |b| b.as_ptr().wrapping_add(o))
    }
}

/// Per-pixel sums of a whole frame, in tiles.
#[derive(Debug, Clone)]
struct Sums {
    npix: usize,
    tiles: Vec<TileSums>,
}

impl Sums {
    /// Sums with the pass-1 gate everywhere.
    fn new(npix: usize) -> Sums {
        let tiles = (0..npix)
            .step_by(TILE)
            .map(|s| TileSums::new(s, TILE.min(npix - s)))
            .collect();
        Sums { npix, tiles }
    }

    /// Turns pass-1 sums over `block` (the first records) into pass-2 sums over the same
    /// records with the given gates: kept where pass 2 would sum the same values
    /// ([`TileSums::set_gates`]), summed again from the block in the other chunks.
    fn into_pass2(mut self, gate_lo: &[i16], gate_hi: &[i16], block: &impl FrameSource) -> Sums {
        let avx2 = use_avx2();
        self.tiles.par_iter_mut().for_each(|t| {
            let start = t.start;
            let chunks: Vec<(usize, usize)> = t
                .set_gates(gate_lo, gate_hi)
                .into_iter()
                .map(|c| (c, start + c))
                .collect();
            if !chunks.is_empty() {
                resum(t, block, &chunks, avx2);
            }
        });
        self
    }

    /// As [`Sums::into_pass2`], the first `nrec` records taken from the byte block `bytes`
    /// written by [`Sums::add_first_encoded`] with room for `recs` records.
    fn into_pass2_bytes(
        mut self,
        gate_lo: &[i16],
        gate_hi: &[i16],
        bytes: &[i8],
        recs: usize,
        nrec: usize,
    ) -> Sums {
        let avx2 = use_avx2();
        self.tiles
            .par_iter_mut()
            .zip(bytes.par_chunks(recs * TILE))
            .for_each(|(t, blk)| {
                let chunks = t.set_gates(gate_lo, gate_hi);
                if chunks.is_empty() || nrec == 0 {
                    return;
                }
                // The dirty chunks' values, decoded into rows of `width` values per record.
                let len = t.len();
                let width = chunks.len() * LANES;
                let mut rows = vec![0u16; nrec * width];
                for (r, row) in rows.chunks_mut(width).enumerate() {
                    let src = &blk[r * len..(r + 1) * len];
                    for (j, &c) in chunks.iter().enumerate() {
                        let e = (c + LANES).min(len);
                        for (o, (&d, &rf)) in row[j * LANES..]
                            .iter_mut()
                            .zip(src[c..e].iter().zip(&t.refv[c..e]))
                        {
                            *o = rf.wrapping_add_signed(i16::from(d));
                        }
                    }
                }
                let mut slot = vec![usize::MAX; len.div_ceil(LANES)];
                for (j, &c) in chunks.iter().enumerate() {
                    slot[c / LANES] = j;
                }
                for &(pos, v) in &t.esc {
                    let (r, i) = (pos as usize / len, pos as usize % len);
                    let j = slot[i / LANES];
                    if r < nrec && j != usize::MAX {
                        rows[r * width + j * LANES + i % LANES] = v;
                    }
                }
                let at: Vec<(usize, usize)> = chunks
                    .iter()
                    .enumerate()
                    .map(|(j, &c)| (c, j * LANES))
                    .collect();
                let rows = Flat {
                    frames: &rows,
                    npix: width,
                };
                resum(t, &rows, &at, avx2);
            });
        self
    }

    /// Adds whole frames to the pass-1 sums and stores them, from record `rec0` on, in the byte
    /// block `bytes` (room for `recs` records; per tile, record after record, each value as its
    /// difference from the first record's, or [`ESCAPE`] and an entry in the tile's escapes).
    fn add_first_encoded(&mut self, frames: &[u16], rec0: usize, bytes: &mut [i8], recs: usize) {
        let npix = self.npix;
        let avx2 = use_avx2();
        self.tiles
            .par_iter_mut()
            .zip(bytes.par_chunks_mut(recs * TILE))
            .for_each(|(t, blk)| {
                accumulate(t, &Flat { frames, npix }, Pass::First, avx2);
                encode(t, frames, npix, rec0, blk, avx2);
            });
    }

    /// Adds whole frames of masked values.
    fn add(&mut self, frames: &[u16], pass: Pass) {
        let npix = self.npix;
        self.add_from(&Flat { frames, npix }, pass);
    }

    /// Adds the frames of `src`.
    fn add_from(&mut self, src: &impl FrameSource, pass: Pass) {
        let avx2 = use_avx2();
        self.tiles
            .par_iter_mut()
            .for_each(|t| accumulate(t, src, pass, avx2));
    }

    /// One per-pixel array out of the tiles.
    fn gather<T: Copy + Default + Send>(&self, f: impl Fn(&TileSums) -> &[T] + Sync) -> Vec<T> {
        let mut out = vec![T::default(); self.npix];
        out.par_chunks_mut(TILE)
            .zip(self.tiles.par_iter())
            .for_each(|(o, t)| o.copy_from_slice(f(t)));
        out
    }
}

fn accumulate(t: &mut TileSums, src: &impl FrameSource, pass: Pass, avx2: bool) {
    accumulate_with(t, src, pass, avx2, true)
}

/// [`accumulate`], with or without the prefetches (without: the reference in tests).
fn accumulate_with(t: &mut TileSums, src: &impl FrameSource, pass: Pass, avx2: bool, pf: bool) {
    #[cfg(target_arch = "x86_64")]
    if avx2 {
        // SAFETY: the CPU has AVX2 (checked at run time by `use_avx2`).
        unsafe {
            match pass {
                Pass::First => accumulate_avx2::<true, true>(t, src, pf),
                Pass::Second => accumulate_avx2::<true, false>(t, src, pf),
            }
        };
        return;
    }
    let _ = avx2;
    match pass {
        Pass::First => accumulate_body::<true, true>(t, src, pf),
        Pass::Second => accumulate_body::<true, false>(t, src, pf),
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn accumulate_avx2<const COUNT: bool, const MINMAX: bool>(
    t: &mut TileSums,
    src: &impl FrameSource,
    pf: bool,
) {
    accumulate_body::<COUNT, MINMAX>(t, src, pf)
}

/// Adds every frame to the tile, in sub-batches of [`SUB`] frames (their rows of the tile stay in
/// cache): for each chunk of [`LANES`] pixels, sums in registers over the sub-batch, then added
/// to the tile's sums.
#[inline(always)]
fn accumulate_body<const COUNT: bool, const MINMAX: bool>(
    t: &mut TileSums,
    src: &impl FrameSource,
    pf: bool,
) {
    let nframes = src.nframes();
    let len = t.len();
    let start = t.start;
    let mut f = 0;
    while f < nframes {
        let end = (f + SUB).min(nframes);
        let mut c = 0;
        while c < len {
            let w = LANES.min(len - c);
            if w == LANES {
                let pf = pf.then_some((len, nframes));
                chunk::<COUNT, MINMAX, LANES>(t, c, src, start + c, f..end, pf);
            } else {
                for k in 0..w {
                    let at = start + c + k;
                    chunk::<COUNT, MINMAX, 1>(t, c + k, src, at, f..end, None);
                }
            }
            c += w;
        }
        f = end;
    }
}

/// The byte block's mark of a value stored among the tile's escapes.
const ESCAPE: i8 = i8::MIN;

fn encode(t: &mut TileSums, frames: &[u16], npix: usize, rec0: usize, blk: &mut [i8], avx2: bool) {
    #[cfg(target_arch = "x86_64")]
    if avx2 {
        // SAFETY: the CPU has AVX2 (checked at run time by `use_avx2`).
        unsafe { encode_avx2(t, frames, npix, rec0, blk) };
        return;
    }
    let _ = avx2;
    encode_body(t, frames, npix, rec0, blk)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn encode_avx2(t: &mut TileSums, frames: &[u16], npix: usize, rec0: usize, blk: &mut [i8]) {
    encode_body(t, frames, npix, rec0, blk)
}

/// Stores the tile's part of each frame as record `rec0 + f` of the tile's byte block.
#[inline(always)]
fn encode_body(t: &mut TileSums, frames: &[u16], npix: usize, rec0: usize, blk: &mut [i8]) {
    let len = t.len();
    let start = t.start;
    let nframes = frames.len() / npix;
    if rec0 == 0 && nframes > 0 {
        t.refv = frames[start..start + len]
            .iter()
            .map(|v| v & DATA_MASK)
            .collect();
    }
    for f in 0..nframes {
        let r = rec0 + f;
        let row = &frames[f * npix + start..f * npix + start + len];
        let out = &mut blk[r * len..(r + 1) * len];
        let mut escaped = 0u8;
        for ((o, &v), &rf) in out.iter_mut().zip(row).zip(&t.refv) {
            let d = ((v & DATA_MASK) as i16).wrapping_sub(rf as i16);
            let fits = (-127..=127).contains(&d);
            *o = if fits { d as i8 } else { ESCAPE };
            escaped |= u8::from(!fits);
        }
        if escaped != 0 {
            for (i, (&o, &v)) in out.iter().zip(row).enumerate() {
                if o == ESCAPE {
                    t.esc.push(((r * len + i) as u32, v & DATA_MASK));
                }
            }
        }
    }
}

/// Adds the gated sums (no counts) of every frame for the chunks of [`LANES`] pixels starting at
/// `chunks` (tile offsets, the last one possibly shorter).
fn resum(t: &mut TileSums, src: &impl FrameSource, chunks: &[(usize, usize)], avx2: bool) {
    #[cfg(target_arch = "x86_64")]
    if avx2 {
        // SAFETY: the CPU has AVX2 (checked at run time by `use_avx2`).
        unsafe { resum_avx2(t, src, chunks) };
        return;
    }
    let _ = avx2;
    resum_body(t, src, chunks)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn resum_avx2(t: &mut TileSums, src: &impl FrameSource, chunks: &[(usize, usize)]) {
    resum_body(t, src, chunks)
}

#[inline(always)]
fn resum_body(t: &mut TileSums, src: &impl FrameSource, chunks: &[(usize, usize)]) {
    let nframes = src.nframes();
    let len = t.len();
    let mut f = 0;
    while f < nframes {
        let end = (f + SUB).min(nframes);
        for &(c, at) in chunks {
            let w = LANES.min(len - c);
            if w == LANES {
                chunk::<false, false, LANES>(t, c, src, at, f..end, None);
            } else {
                for k in 0..w {
                    chunk::<false, false, 1>(t, c + k, src, at + k, f..end, None);
                }
            }
        }
        f = end;
    }
}

/// Pixels ahead of a chunk whose line of each frame the kernel prefetches (the tile's row of a
/// frame is one 4 KiB page, where the hardware prefetchers stop; batches read from memory, 16
/// rows far apart at once, waited for their loads).
const PREFETCH: usize = 128;

/// The sums of pixels `c..c + W` of the tile over the frames `fr` (at most [`SUB`]). With
/// `pf = Some((len, nframes))` (the tile's length and the frames), each frame's line
/// [`PREFETCH`] pixels ahead is prefetched, past the tile's end the start of the row of the
/// next sub-batch.
#[inline(always)]
fn chunk<const COUNT: bool, const MINMAX: bool, const W: usize>(
    t: &mut TileSums,
    c: usize,
    src: &impl FrameSource,
    at: usize,
    fr: std::ops::Range<usize>,
    pf: Option<(usize, usize)>,
) {
    // One prefetch per 64-byte line: every other chunk of 16 pixels.
    let pf = pf
        .filter(|_| c.is_multiple_of(2 * LANES))
        .map(|(len, nframes)| {
            if c + PREFETCH < len {
                (0, src.locate(at + PREFETCH), nframes)
            } else {
                (SUB, src.locate(at + PREFETCH - len), nframes)
            }
        });
    let loc = src.locate(at);
    let lo: [u16; W] = t.lo[c..c + W].try_into().expect("lanes");
    let hi: [u16; W] = t.hi[c..c + W].try_into().expect("lanes");
    // Counts of a sub-batch fit in u16, sums in u32.
    let mut s0 = [0u16; W];
    let mut clo = [0u16; W];
    let mut chi = [0u16; W];
    let mut s1 = [0u32; W];
    let mut sq = [0u32; W];
    let mut mn = [0u16; W];
    let mut mx = [0u16; W];
    if MINMAX {
        mn.copy_from_slice(&t.gmin[c..c + W]);
        mx.copy_from_slice(&t.gmax[c..c + W]);
    }
    for f in fr {
        if let Some((next, o, nframes)) = pf
            && f + next < nframes
        {
            prefetch(src.addr(f + next, o));
        }
        let row: [u16; W] = src.row(f, loc);
        // 16-bit work first (the masked value if in gate, else 0), then the 32-bit sums: mixed
        // in one loop, the compiler uses half-width vectors for the 16-bit part. The tests are
        // written as all-ones masks (what the vector compares give), subtracted to count:
        // with `bool`s and selects the compiler took the counts out lane by lane.
        let mut gated = [0u16; W];
        for k in 0..W {
            let v = row[k] & DATA_MASK;
            let m = all_ones((v >= lo[k]) & (v <= hi[k]));
            gated[k] = v & m;
            s0[k] = s0[k].wrapping_sub(m);
            if COUNT {
                clo[k] = clo[k].wrapping_sub(all_ones(v < INT_LO));
                chi[k] = chi[k].wrapping_sub(all_ones(v > INT_HI));
            }
            if MINMAX {
                mn[k] = mn[k].min(v | !m);
                mx[k] = mx[k].max(v & m);
            }
        }
        for k in 0..W {
            let x = u32::from(gated[k]);
            s1[k] = s1[k].wrapping_add(x);
            sq[k] = sq[k].wrapping_add(x.wrapping_mul(x));
        }
    }
    if MINMAX {
        t.gmin[c..c + W].copy_from_slice(&mn);
        t.gmax[c..c + W].copy_from_slice(&mx);
    }
    for k in 0..W {
        t.s0[c + k] += u32::from(s0[k]);
        t.s1[c + k] += s1[k];
        t.s2[c + k] += u64::from(sq[k]);
        if COUNT {
            t.clo[c + k] += u32::from(clo[k]);
            t.chi[c + k] += u32::from(chi[k]);
        }
    }
}

/// `0xffff` if `b`, else 0.
#[inline(always)]
fn all_ones(b: bool) -> u16 {
    0u16.wrapping_sub(u16::from(b))
}

/// `(ave, rms)` of psana's sums: `S1/S0`, `sqrt(S2/S0 - ave^2)`, both 0 where `S0 = 0`.
fn ave_rms(s0: u32, s1: u32, s2: u64) -> (f64, f64) {
    if s0 == 0 {
        return (0.0, 0.0);
    }
    let n = f64::from(s0);
    let ave = f64::from(s1) / n;
    let av2 = s2 as f64 / n;
    (ave, (av2 - ave * ave).sqrt())
}

/// Streaming two-pass dark processing of frames of `npanels` panels of `panel_len` pixels.
#[derive(Debug)]
pub struct EpixDark {
    npanels: usize,
    panel_len: usize,
    nbs: usize,
    /// Frames collected (at most `nbs`).
    collected: u64,
    /// Frames waiting to be summed (the last one held back: it is used only if another one
    /// follows); without `incremental`, before pass 1 ran, the first records. With
    /// `incremental`, after the `cap` frames, the byte block of the pass-1 records
    /// ([`Sums::add_first_encoded`]).
    buf: Vec<u16>,
    buf_frames: usize,
    /// Frames the buffer holds before pass 1 ran (without `incremental`, the first records
    /// and one held back).
    cap: usize,
    /// Frames the buffer holds once pass 1 ran (with `incremental`, a batch of records for
    /// pass 2 and one held back): small, so that the kernel reads them from cache, written a
    /// moment before.
    cap2: usize,
    /// Whether frames are summed in small batches as they arrive ([`CACHED_BYTES`]), the
    /// pass-1 records kept as bytes.
    incremental: bool,
    /// Records the byte block has room for.
    recs: usize,
    /// Pass-1 sums and the records they hold (the first ones of the block), added in batches
    /// of [`SUB`] records as frames arrive, while they are still in cache.
    pass1: Option<(Sums, usize)>,
    /// Pass-1 results and the pass-2 sums, once the gates are known.
    pass2: Option<(Pass1, Sums)>,
}

/// Pass-1 results of every pixel and panel.
#[derive(Debug, Clone)]
struct Pass1 {
    ave: Vec<f64>,
    rms: Vec<f64>,
    count: Vec<u32>,
    gate_lo: Vec<i16>,
    gate_hi: Vec<i16>,
    rms_ave: Vec<f64>,
}

impl EpixDark {
    /// A processor of frames of `npanels` panels of `panel_len` pixels (352 x 384 for real
    /// panels) that collects at most `nbs` frames (psana `--nbs`, 1024).
    pub fn new(npanels: usize, panel_len: usize, nbs: usize) -> Result<EpixDark> {
        EpixDark::with_buffer(npanels, panel_len, nbs, Vec::new())
    }

    /// As [`EpixDark::new`], reusing `buf` (from [`EpixDark::finish_with_buffer`] of an earlier
    /// step) for the block, which saves the first touch of fresh memory.
    pub fn with_buffer(
        npanels: usize,
        panel_len: usize,
        nbs: usize,
        buf: Vec<u16>,
    ) -> Result<EpixDark> {
        EpixDark::with_mode(npanels, panel_len, nbs, buf, None)
    }

    /// As [`EpixDark::with_buffer`]; `incremental` overrides the choice by frame size.
    pub(crate) fn with_mode(
        npanels: usize,
        panel_len: usize,
        nbs: usize,
        mut buf: Vec<u16>,
        incremental: Option<bool>,
    ) -> Result<EpixDark> {
        if npanels == 0 || panel_len == 0 {
            return Err(Error::shape(
                "frame",
                "at least one panel and pixel",
                &[npanels, panel_len],
                "ePix10ka dark processing needs at least one panel of at least one pixel",
            ));
        }
        if !(MIN_FRAMES as usize..=MAX_NBS).contains(&nbs) {
            return Err(Error::bad_arg(
                "--nbs",
                format!("--nbs {nbs}: the block size must be in {MIN_FRAMES}..={MAX_NBS}"),
            ));
        }
        let cap = nbs.min(PASS1_RECORDS + 1);
        let npix = npanels
            .checked_mul(panel_len)
            .filter(|n| {
                n.checked_mul(2 * cap)
                    .is_some_and(|l| l <= isize::MAX as usize / 2)
            })
            .ok_or_else(|| {
                Error::unsupported(
                    "ePix10ka dark block",
                    format!(
                        "a block of {cap} frames of {npanels} x {panel_len} pixels is too large"
                    ),
                )
            })?;
        let incremental = incremental.unwrap_or(npix * (2 * SUB + SUMS_BYTES) <= CACHED_BYTES);
        let recs = cap - 1;
        let (cap, len) = if incremental {
            let staged = cap.min(SUB + 1);
            (staged, staged * npix + (recs * npix).div_ceil(2))
        } else {
            (cap, cap * npix)
        };
        if buf.len() >= len {
            // Every frame slot is written before it is read: no need to clear it.
            buf.truncate(len);
        } else if buf.capacity() >= len {
            buf.resize(len, 0);
        } else {
            buf = crate::mem::zeroed_u16(len);
        }
        Ok(EpixDark {
            npanels,
            panel_len,
            nbs,
            collected: 0,
            buf,
            buf_frames: 0,
            cap,
            cap2: cap.min(SUB + 1),
            incremental,
            recs,
            pass1: Some((Sums::new(npix), 0)),
            pass2: None,
        })
    }

    /// Pixels of a frame.
    pub fn npix(&self) -> usize {
        self.npanels * self.panel_len
    }

    /// Frames collected so far.
    pub fn frames(&self) -> u64 {
        self.collected
    }

    /// Whether `nbs` frames were collected (later frames are ignored, as psana stops reading).
    pub fn is_done(&self) -> bool {
        self.collected >= self.nbs as u64
    }

    /// Adds one frame of raw words (bits 14 and 15 are masked away); returns whether the block
    /// is now full.
    pub fn push_frame(&mut self, frame: &[u16]) -> Result<bool> {
        if frame.len() != self.npix() {
            return Err(Error::shape(
                "frame",
                self.npix().to_string(),
                &[frame.len()],
                format!(
                    "ePix10ka dark processing: frame has {} values, expected {}",
                    frame.len(),
                    self.npix()
                ),
            ));
        }
        if self.is_done() {
            return Ok(true);
        }
        self.frame_slot().copy_from_slice(frame);
        Ok(self.commit_frame())
    }

    /// Adds `k` frames stored one after the other (`k * npix` raw words); returns whether the
    /// block is now full (frames beyond `nbs` are ignored). Once pass 1 ran, big batches go
    /// straight to pass 2 without a copy (all but their last frame, which is held back).
    pub fn push_frames(&mut self, frames: &[u16]) -> Result<bool> {
        let npix = self.npix();
        if !frames.len().is_multiple_of(npix) {
            return Err(Error::shape(
                "frames",
                format!("whole frames of {npix} values"),
                &[frames.len()],
                format!(
                    "ePix10ka dark processing: {} values are not whole frames of {npix}",
                    frames.len()
                ),
            ));
        }
        let room = (self.nbs as u64).saturating_sub(self.collected) as usize;
        let take = (frames.len() / npix).min(room);
        let mut rest = &frames[..take * npix];
        while !rest.is_empty() {
            let n = rest.len() / npix;
            if self.pass2.is_some() && n >= DIRECT_FRAMES {
                // Later frames follow, so every frame waiting in the buffer is a record.
                if self.buf_frames > 0 {
                    self.process(self.buf_frames);
                }
                let (records, last) = rest.split_at((n - 1) * npix);
                let (_, sums) = self.pass2.as_mut().expect("pass 2");
                sums.add(records, Pass::Second);
                self.buf[..npix].copy_from_slice(last);
                self.buf_frames = 1;
                self.collected += n as u64;
                break;
            }
            if self.incremental && self.pass1.is_some() && n > DIRECT_FRAMES {
                // As above for pass 1: the frames waiting are records, then the batch's (all
                // but its last) up to pass 1's end go to pass 1 and the byte block uncopied.
                if self.buf_frames > 0 {
                    self.consume_pass1(self.buf_frames);
                }
                if let Some((sums, done)) = self.pass1.as_mut() {
                    let k = (n - 1).min(PASS1_RECORDS - *done);
                    let bytes: &mut [i8] =
                        bytemuck::cast_slice_mut(&mut self.buf[self.cap * npix..]);
                    sums.add_first_encoded(
                        &rest[..k * npix],
                        *done,
                        &mut bytes[..self.recs * npix],
                        self.recs,
                    );
                    *done += k;
                    self.collected += k as u64;
                    rest = &rest[k * npix..];
                    if *done == PASS1_RECORDS {
                        self.end_pass1();
                    }
                }
                continue;
            }
            let (one, after) = rest.split_at(npix);
            self.frame_slot().copy_from_slice(one);
            self.commit_frame();
            rest = after;
        }
        Ok(self.is_done())
    }

    /// The buffer of the next frame, to be filled in place with raw words and then added with
    /// [`EpixDark::commit_frame`].
    pub fn frame_slot(&mut self) -> &mut [u16] {
        let cap = if self.pass2.is_some() {
            self.cap2
        } else {
            self.cap
        };
        if self.buf_frames >= cap && !self.is_done() {
            self.flush_keep_last();
        } else if self.buf_frames >= cap {
            // Done: the slot of the last frame collected, which is never used.
            self.buf_frames -= 1;
            let npix = self.npix();
            let at = self.buf_frames * npix;
            self.buf_frames += 1;
            return &mut self.buf[at..at + npix];
        }
        let npix = self.npix();
        let at = self.buf_frames * npix;
        &mut self.buf[at..at + npix]
    }

    /// Adds the frame written into [`EpixDark::frame_slot`]; returns whether the block is now
    /// full (a frame committed after that is ignored).
    pub fn commit_frame(&mut self) -> bool {
        if self.is_done() {
            return true;
        }
        // Bits 14 and 15 are masked away in the kernel.
        self.buf_frames += 1;
        self.collected += 1;
        // Every frame but the last one is a record: pass 1 takes them in batches.
        if let Some((_, done)) = self.pass1.as_ref().filter(|_| self.incremental) {
            let (known, need) = (self.buf_frames - 1, PASS1_RECORDS - done);
            if known > 0 && known >= SUB.min(need) {
                self.consume_pass1(known.min(need));
            }
        }
        self.is_done()
    }

    /// How many frames [`EpixDark::push_parts`] would now read where they lie, given in one
    /// call: before pass 1 of frames summed in blocks (frames larger than about a panel), the
    /// first records and two more; once pass 1 ran, a batch. 0 where frames are better copied
    /// into [`EpixDark::frame_slot`] (pass 1 of frames summed as they arrive, or panels whose
    /// length is not a multiple of 16 pixels).
    pub fn parts_wanted(&self) -> usize {
        if self.is_done() || !self.panel_len.is_multiple_of(LANES) {
            0
        } else if self.pass2.is_some() {
            PARTS_BATCH
        } else if self.block_in_place_ok() {
            PASS1_RECORDS + 2
        } else {
            0
        }
    }

    /// Whether the first records can be taken where they lie: frames summed in blocks, none
    /// collected yet, and room for all of pass 1's records and one more.
    fn block_in_place_ok(&self) -> bool {
        !self.incremental && self.collected == 0 && self.cap == PASS1_RECORDS + 1
    }

    /// Adds frames read where they lie, with the results of pushing them one by one:
    /// `parts[f * npanels + p]` is panel `p` of frame `f`, `2 * panel_len` bytes of
    /// little-endian raw words at any address, read during the call only. Frames beyond `nbs`
    /// are ignored; returns whether the block is now full. In the cases
    /// [`EpixDark::parts_wanted`] names, the kernel reads the frames where they are; otherwise
    /// they are copied into the buffer.
    pub fn push_parts(&mut self, parts: &[&[u8]]) -> Result<bool> {
        let (np, len) = (self.npanels, self.panel_len);
        if !parts.len().is_multiple_of(np) || parts.iter().any(|p| p.len() != 2 * len) {
            return Err(Error::shape(
                "frame parts",
                format!("whole frames of {np} panels of {} bytes", 2 * len),
                &[parts.len()],
                format!(
                    "ePix10ka dark processing: {} parts are not whole frames of {np} panels of {} bytes",
                    parts.len(),
                    2 * len
                ),
            ));
        }
        let room = (self.nbs as u64).saturating_sub(self.collected) as usize;
        let n = (parts.len() / np).min(room);
        let parts = &parts[..n * np];
        let of = |parts| InPlace {
            parts,
            npanels: np,
            panel_len: len,
        };
        let in_place = len.is_multiple_of(LANES) && n >= 2;
        if in_place && self.pass2.is_some() {
            // Later frames follow, so every frame waiting in the buffer is a record.
            if self.buf_frames > 0 {
                self.process(self.buf_frames);
            }
            let (records, last) = parts.split_at((n - 1) * np);
            let (_, sums) = self.pass2.as_mut().expect("pass 2");
            sums.add_from(&of(records), Pass::Second);
            self.hold_back(last);
            self.collected += n as u64;
        } else if in_place && self.block_in_place_ok() && n > PASS1_RECORDS + 1 {
            // The first records are pass 1's block; pass 2 then takes them (mostly from pass
            // 1's sums) and the records after them.
            let (block, rest) = parts.split_at(PASS1_RECORDS * np);
            let block = of(block);
            let (mut sums, _) = self.pass1.take().expect("pass 1");
            sums.add_from(&block, Pass::First);
            let p1 = pass1(&sums, self.npanels, self.panel_len);
            let mut sums = sums.into_pass2(&p1.gate_lo, &p1.gate_hi, &block);
            let (records, last) = rest.split_at(rest.len() - np);
            sums.add_from(&of(records), Pass::Second);
            self.pass2 = Some((p1, sums));
            self.hold_back(last);
            self.collected += n as u64;
        } else {
            for frame in parts.chunks_exact(np) {
                let slot = self.frame_slot();
                for (dst, part) in slot.chunks_exact_mut(len).zip(frame) {
                    copy_le_words(dst, part);
                }
                self.commit_frame();
            }
        }
        Ok(self.is_done())
    }

    /// Keeps the frame `last` (its panels' bytes) as the one held back, alone in the buffer.
    fn hold_back(&mut self, last: &[&[u8]]) {
        let len = self.panel_len;
        for (dst, part) in self.buf.chunks_exact_mut(len).zip(last) {
            copy_le_words(dst, part);
        }
        self.buf_frames = 1;
    }

    /// With `incremental`: adds the buffer's first `k` frames (records) to the pass-1 sums and
    /// the byte block, moves the rest to the front, and ends pass 1 once it has all its
    /// records.
    fn consume_pass1(&mut self, k: usize) {
        let npix = self.npix();
        let (staged, rest) = self.buf.split_at_mut(self.cap * npix);
        let bytes: &mut [i8] = bytemuck::cast_slice_mut(rest);
        let (sums, done) = self.pass1.as_mut().expect("pass 1");
        sums.add_first_encoded(
            &staged[..k * npix],
            *done,
            &mut bytes[..self.recs * npix],
            self.recs,
        );
        *done += k;
        let full = *done == PASS1_RECORDS;
        self.buf.copy_within(k * npix..self.buf_frames * npix, 0);
        self.buf_frames -= k;
        if full {
            self.end_pass1();
        }
    }

    /// Pass 1's results and gates from its sums, then pass 2 over the same records, mostly
    /// from pass 1's sums.
    fn end_pass1(&mut self) {
        let npix = self.npix();
        let (sums, done) = self.pass1.take().expect("pass 1");
        let p1 = pass1(&sums, self.npanels, self.panel_len);
        let sums = if self.incremental {
            let bytes: &[i8] = bytemuck::cast_slice(&self.buf[self.cap * npix..]);
            sums.into_pass2_bytes(
                &p1.gate_lo,
                &p1.gate_hi,
                &bytes[..self.recs * npix],
                self.recs,
                done,
            )
        } else {
            let block = Flat {
                frames: &self.buf[..done * npix],
                npix,
            };
            sums.into_pass2(&p1.gate_lo, &p1.gate_hi, &block)
        };
        self.pass2 = Some((p1, sums));
    }

    /// Adds the block's records up to `records` (not beyond [`PASS1_RECORDS`]) to the pass-1 sums.
    fn pass1_upto(&mut self, records: usize) {
        let npix = self.npix();
        let (sums, done) = self.pass1.as_mut().expect("pass 1");
        if records > *done {
            sums.add(&self.buf[*done * npix..records * npix], Pass::First);
            *done = records;
        }
    }

    /// The buffer is full: all its frames but the last are records; process them and keep the
    /// last one.
    fn flush_keep_last(&mut self) {
        let npix = self.npix();
        let used = self.buf_frames - 1;
        self.process(used);
        self.buf.copy_within(used * npix..(used + 1) * npix, 0);
        self.buf_frames = 1;
    }

    /// Processes the first `used` frames of the buffer (pass 1 first if not done yet).
    fn process(&mut self, used: usize) {
        let npix = self.npix();
        if let Some((_, sums)) = self.pass2.as_mut() {
            sums.add(&self.buf[..used * npix], Pass::Second);
        } else if self.incremental {
            // Fewer records than pass 1 still needs (it ends when it has them all).
            if used > 0 {
                self.consume_pass1(used);
            }
            if self.pass1.is_some() {
                self.end_pass1();
            }
        } else {
            // The rest of pass 1 (`used` is at most `PASS1_RECORDS` here), then pass 2.
            self.pass1_upto(used);
            self.end_pass1();
        }
    }

    /// Processes what is left, leaving out the last frame collected, and returns the results.
    pub fn finish(self) -> Result<EpixDarkResult> {
        self.finish_with_buffer().0
    }

    /// As [`EpixDark::finish`], also giving back the block's memory for the next step
    /// ([`EpixDark::with_buffer`]).
    pub fn finish_with_buffer(mut self) -> (Result<EpixDarkResult>, Vec<u16>) {
        let r = self.finish_inner();
        (r, std::mem::take(&mut self.buf))
    }

    fn finish_inner(&mut self) -> Result<EpixDarkResult> {
        if self.collected < MIN_FRAMES {
            return Err(Error::shape(
                "frames",
                format!("at least {MIN_FRAMES}"),
                &[self.collected as usize],
                format!(
                    "ePix10ka dark processing needs at least {MIN_FRAMES} frames (psana leaves out the last one and needs 2 records), got {}",
                    self.collected
                ),
            ));
        }
        let used = self.buf_frames - 1;
        self.process(used);
        let records = self.collected - 1;
        let nevlm = (FRACLM * records as f64) as i64;
        let (p1, sums) = self.pass2.take().expect("pass 2");
        if let Some(p) = p1.rms_ave.iter().position(|r| r.is_nan()) {
            return Err(Error::shape(
                "panel",
                "a pixel with a pass-1 rms in [0.001, 16000]",
                &[p],
                format!(
                    "ePix10ka dark processing: panel {p}: no pixel has a pass-1 rms in [{RMS_LO}, {RMS_HI}] (every pixel constant?); psana crashes here"
                ),
            ));
        }
        let s0 = sums.gather(|t| &t.s0);
        let s1 = sums.gather(|t| &t.s1);
        let s2 = sums.gather(|t| &t.s2);
        let clo = sums.gather(|t| &t.clo);
        let chi = sums.gather(|t| &t.chi);
        let l = self.panel_len;
        let panels = (0..self.npanels)
            .into_par_iter()
            .map(|p| {
                let r = p * l..(p + 1) * l;
                let (ave, rms): (Vec<f64>, Vec<f64>) =
                    r.clone().map(|i| ave_rms(s0[i], s1[i], s2[i])).unzip();
                let (rm, rs) = mean_std_blocked(&rms);
                let rms_limits =
                    evaluate_limits(rm, rs, NSIGMA_LIMITS, NSIGMA_LIMITS, RMS_LO, RMS_HI);
                let (am, as_) = mean_std_blocked(&ave);
                let ave_limits = evaluate_limits(
                    am,
                    as_,
                    NSIGMA_LIMITS,
                    NSIGMA_LIMITS,
                    f64::from(INT_LO),
                    f64::from(INT_HI),
                );
                let count_lo = clo[r.clone()].to_vec();
                let count_hi = chi[r.clone()].to_vec();
                let status: Vec<i64> = (0..l)
                    .into_par_iter()
                    .map(|i| {
                        let mut s = 0;
                        if rms[i] > rms_limits.1 {
                            s += STATUS_RMS_HI;
                        }
                        if rms[i] < rms_limits.0 {
                            s += STATUS_RMS_LO;
                        }
                        if i64::from(count_hi[i]) > nevlm {
                            s += STATUS_SATURATED;
                        }
                        if i64::from(count_lo[i]) > nevlm {
                            s += STATUS_COLD;
                        }
                        if ave[i] > ave_limits.1 {
                            s += STATUS_AVE_HI;
                        }
                        if ave[i] < ave_limits.0 {
                            s += STATUS_AVE_LO;
                        }
                        s
                    })
                    .collect();
                let mut bit_counts = [0u64; 6];
                for &s in &status {
                    for (b, c) in bit_counts.iter_mut().enumerate() {
                        *c += u64::from(s & (1 << b) != 0);
                    }
                }
                let bad_pixels = status.iter().filter(|&&s| s != 0).count() as u64;
                let rms_ave_pass1 = p1.rms_ave[p];
                EpixPanelResult {
                    summary: EpixPanelSummary {
                        rms_ave_pass1,
                        gate_half: NSIGMA_GATE * rms_ave_pass1,
                        rms_limits: [rms_limits.0, rms_limits.1],
                        ave_limits: [ave_limits.0, ave_limits.1],
                        bit_counts,
                        bad_pixels,
                    },
                    ave,
                    rms,
                    status,
                    gate_lo: p1.gate_lo[r.clone()].to_vec(),
                    gate_hi: p1.gate_hi[r.clone()].to_vec(),
                    count: s0[r.clone()].to_vec(),
                    count_lo,
                    count_hi,
                    pass1_ave: p1.ave[r.clone()].to_vec(),
                    pass1_rms: p1.rms[r.clone()].to_vec(),
                    pass1_count: p1.count[r].to_vec(),
                }
            })
            .collect();
        Ok(EpixDarkResult {
            frames: self.collected,
            records,
            nevlm,
            panels,
        })
    }
}

/// Pass 1's results from its sums (over the first records): per-pixel means and rms, each
/// panel's rms average (NaN where no pixel qualifies) and the pass-2 gates.
fn pass1(sums: &Sums, npanels: usize, panel_len: usize) -> Pass1 {
    let npix = npanels * panel_len;
    let s0 = sums.gather(|t| &t.s0);
    let s1 = sums.gather(|t| &t.s1);
    let s2 = sums.gather(|t| &t.s2);
    let (ave, rms): (Vec<f64>, Vec<f64>) = (0..npix)
        .into_par_iter()
        .map(|i| ave_rms(s0[i], s1[i], s2[i]))
        .unzip();
    // numpy's selection keeps NaN (neither below nor above); `contains` would drop it.
    #[allow(clippy::manual_range_contains)]
    let selected = |x: f64| !(x < RMS_LO || x > RMS_HI);
    let rms_ave: Vec<f64> = (0..npanels)
        .map(|p| {
            let r = &rms[p * panel_len..(p + 1) * panel_len];
            let n = r.iter().filter(|&&x| selected(x)).count();
            if n == 0 {
                return f64::NAN;
            }
            let sum = blocked_sum(&|i| if selected(r[i]) { r[i] } else { 0.0 }, r.len());
            sum / n as f64
        })
        .collect();
    let (gate_lo, gate_hi): (Vec<i16>, Vec<i16>) = (0..npix)
        .into_par_iter()
        .map(|i| {
            let half = NSIGMA_GATE * rms_ave[i / panel_len];
            let hi = crate::dark::summary::py_min(ave[i] + half, f64::from(INT_HI));
            let lo = crate::dark::summary::py_max(ave[i] - half, f64::from(INT_LO));
            (lo.trunc() as i16, hi.trunc() as i16)
        })
        .unzip();
    Pass1 {
        ave,
        rms,
        count: s0,
        gate_lo,
        gate_hi,
        rms_ave,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One full panel: background pixels 3000 + a per-pixel offset + a few ADU of pattern
    /// noise, and the special pixels of the spec's table at the start of the panel.
    fn hand_table(records: usize) -> Vec<Vec<u16>> {
        let l = crate::detector::epix10ka::PANEL_PIXELS;
        let frames = records + 1;
        let mut out = vec![vec![0u16; l]; frames];
        for (r, f) in out.iter_mut().enumerate() {
            for (p, v) in f.iter_mut().enumerate() {
                // Noise of amplitude 1..=8 ADU, different per pixel.
                let a = 1 + (p % 8) as u64;
                let mut h = (p as u64) << 20 | r as u64;
                h = h.wrapping_mul(0x9e37_79b9_7f4a_7c15);
                h ^= h >> 29;
                let noise = (h % (2 * a + 1)) as i32 - a as i32;
                *v = (2900 + (p % 200) as i32 + noise) as u16;
            }
        }
        let pats: Vec<Box<dyn Fn(usize) -> u16>> = vec![
            Box::new(|_| 0),
            Box::new(|_| 1),
            Box::new(|_| 16000),
            Box::new(|_| 16001),
            Box::new(|_| 16383),
            Box::new(|_| 0xffff),
            Box::new(|r| if r % 2 == 0 { 0 } else { 16383 }),
            Box::new(|r| if r % 2 == 0 { 3000 } else { 3001 }),
            Box::new(|r| if r % 2 == 0 { 3000 } else { 3100 }),
            Box::new(|r| if r < 7 { 0 } else { 3000 }),
            Box::new(|r| if r < 8 { 0 } else { 3000 }),
            Box::new(|r| if r < 7 { 16001 } else { 3000 }),
            Box::new(|r| if r < 8 { 16001 } else { 3000 }),
            Box::new(|r| if r < 8 { 16000 } else { 3000 }),
            Box::new(move |r| if r == frames - 1 { 0 } else { 3000 }),
        ];
        for (r, f) in out.iter_mut().enumerate() {
            for (p, pat) in pats.iter().enumerate() {
                f[p] = pat(r);
            }
        }
        out
    }

    fn run(frames: &[Vec<u16>], nbs: usize) -> EpixDarkResult {
        run_panels(frames, 1, nbs)
    }

    fn run_panels(frames: &[Vec<u16>], npanels: usize, nbs: usize) -> EpixDarkResult {
        let mut d = EpixDark::new(npanels, frames[0].len() / npanels, nbs).unwrap();
        for f in frames {
            d.push_frame(f).unwrap();
        }
        d.finish().unwrap()
    }

    #[test]
    fn the_spec_hand_table() {
        let frames = hand_table(79);
        let res = run(&frames, DEFAULT_NBS);
        assert_eq!(res.records, 79);
        assert_eq!(res.nevlm, 7);
        let p = &res.panels[0];
        let half = p.summary.gate_half;
        assert!(half > 10.0 && half < 45.0, "gate half {half}");
        assert_eq!(p.summary.rms_limits[0], RMS_LO);
        let expect: [(f64, f64, i64); 15] = [
            (0.0, 0.0, 42),
            (1.0, 0.0, 34),
            (16000.0, 0.0, 18),
            (0.0, 0.0, 38),
            (0.0, 0.0, 38),
            (0.0, 0.0, 38),
            (0.0, 0.0, 46),
            (3000.494, 0.500, 0),
            (0.0, 0.0, 34),
            (3000.0, 0.0, 2),
            (3000.0, 0.0, 10),
            (3000.0, 0.0, 2),
            (3000.0, 0.0, 6),
            (0.0, 0.0, 34),
            (3000.0, 0.0, 2),
        ];
        for (i, (ped, rms, st)) in expect.iter().enumerate() {
            assert_eq!(
                format!("{:.3}", p.ave[i]),
                format!("{ped:.3}"),
                "pixel {i} ped"
            );
            assert_eq!(
                format!("{:.3}", p.rms[i]),
                format!("{rms:.3}"),
                "pixel {i} rms"
            );
            assert_eq!(p.status[i], *st, "pixel {i} status");
        }
        // 3000 with 16000 in 8 records: pass-1 mean 4316.5, gate +- gate_half around it.
        assert_eq!(format!("{:.1}", p.pass1_ave[13]), "4316.5");
        assert_eq!(p.gate_lo[13], (4316.4556962 - half).trunc() as i16);
        assert_eq!(p.gate_hi[13], (4316.4556962 + half).trunc() as i16);
        // Background pixels are good.
        assert_eq!(p.status[1000], 0);
    }

    #[test]
    fn the_last_frame_is_never_used_and_nbs_caps_the_block() {
        let mut frames = hand_table(20);
        let a = run(&frames, DEFAULT_NBS);
        for v in frames.last_mut().unwrap().iter_mut() {
            *v = 0x3fff;
        }
        let b = run(&frames, DEFAULT_NBS);
        assert_eq!(a, b);
        // nbs = 11: 11 frames collected, 10 used, the rest ignored.
        let c = run(&frames, 11);
        assert_eq!((c.frames, c.records, c.nevlm), (11, 10, 1));
        let d = run(&frames[..11], DEFAULT_NBS);
        assert_eq!(c, d);
    }

    #[test]
    fn streaming_over_the_pass1_block_equals_one_block() {
        // 600 frames of 3 panels of 64 pixels: pass 1 on the first 500 records, pass 2 on 599.
        let (np, l) = (3, 64);
        let frames: Vec<Vec<u16>> = (0..600)
            .map(|r| {
                (0..np * l)
                    .map(|p| {
                        let drift = if r >= 500 { 9 } else { 0 };
                        (1000 + p * 10 + (p * 31 + r * 17) % 13 + drift) as u16
                    })
                    .collect()
            })
            .collect();
        let mut d = EpixDark::new(np, l, DEFAULT_NBS).unwrap();
        for f in &frames {
            d.frame_slot().copy_from_slice(f);
            d.commit_frame();
        }
        let res = d.finish().unwrap();
        assert_eq!(res.records, 599);
        for (p, panel) in res.panels.iter().enumerate() {
            for i in 0..l {
                let px = p * l + i;
                assert_eq!(panel.pass1_count[i], 500);
                let vals: Vec<u16> = frames[..599].iter().map(|f| f[px]).collect();
                let inside: Vec<f64> = vals
                    .iter()
                    .filter(|&&v| v as i16 >= panel.gate_lo[i] && v as i16 <= panel.gate_hi[i])
                    .map(|&v| f64::from(v))
                    .collect();
                assert_eq!(panel.count[i] as usize, inside.len());
                let s1: f64 = inside.iter().sum();
                assert_eq!(panel.ave[i], s1 / inside.len() as f64);
            }
        }
    }

    use crate::dark::test_xorshift as xorshift;

    #[test]
    fn pass2_equals_a_direct_sum_where_pass1_sums_are_reused_and_where_not() {
        // 2 panels of 1500 pixels (two tiles, the second with a partial chunk), 620 frames:
        // quiet pixels (pass 1's sums reused), noisy ones and spikes (summed again), zeros and
        // saturation; checked against sums taken directly over every record.
        let (np, l, nf) = (2, 1500, 620);
        let mut rnd = xorshift(0x1234_5678_9abc_def0u64);
        let frames: Vec<Vec<u16>> = (0..nf)
            .map(|_| {
                (0..np * l)
                    .map(|p| {
                        let amp = if p % 7 == 0 { 40 } else { 3 };
                        let r = rnd();
                        let mut v =
                            2000 + (p % 300) as i64 + (r % (2 * amp + 1)) as i64 - amp as i64;
                        if r.is_multiple_of(997) {
                            v += 500;
                        }
                        if p % 501 == 3 && r.is_multiple_of(5) {
                            v = 0;
                        }
                        if p % 613 == 5 && r.is_multiple_of(3) {
                            v = 16100 | 0x4000;
                        }
                        v as u16
                    })
                    .collect()
            })
            .collect();
        let res = run_panels(&frames, np, DEFAULT_NBS);
        let n = nf - 1;
        let mut resummed = 0;
        for (pi, panel) in res.panels.iter().enumerate() {
            for i in 0..l {
                let px = pi * l + i;
                let vals: Vec<u16> = frames[..n].iter().map(|f| f[px] & DATA_MASK).collect();
                let p1 = vals[..PASS1_RECORDS]
                    .iter()
                    .filter(|&&v| (1..=16000).contains(&v));
                assert_eq!(
                    panel.pass1_count[i] as usize,
                    p1.clone().count(),
                    "pixel {px}"
                );
                let (lo, hi) = (panel.gate_lo[i] as u16, panel.gate_hi[i] as u16);
                if p1.clone().any(|&v| v < lo || v > hi) {
                    resummed += 1;
                }
                let inside: Vec<u64> = vals
                    .iter()
                    .filter(|&&v| v >= lo && v <= hi)
                    .map(|&v| u64::from(v))
                    .collect();
                let s1: u64 = inside.iter().sum();
                let s2: u64 = inside.iter().map(|v| v * v).sum();
                let (ave, rms) = ave_rms(inside.len() as u32, s1 as u32, s2);
                assert_eq!(panel.count[i] as usize, inside.len(), "pixel {px}");
                assert_eq!((panel.ave[i], panel.rms[i]), (ave, rms), "pixel {px}");
                let clo = vals.iter().filter(|&&v| v < 1).count();
                let chi = vals.iter().filter(|&&v| v > 16000).count();
                assert_eq!(panel.count_lo[i] as usize, clo, "pixel {px}");
                assert_eq!(panel.count_hi[i] as usize, chi, "pixel {px}");
            }
        }
        // Both ways were taken.
        assert!(
            resummed > 100 && resummed < 2 * l,
            "{resummed} pixels summed again"
        );
    }

    #[test]
    fn incremental_and_block_summing_equal_a_direct_computation() {
        // 2 panels of 700 pixels, 1100 frames (past nbs) of noisy pixels, spikes, zeros and
        // saturation, fed frame by frame with sums in batches as frames arrive (the default for
        // small frames), in big blocks (the way for large frames), and in batches of varied
        // size; for nbs 1024 and 300 (pass 1 over all records). Every way gives the same, and
        // that equals psana's sums taken directly over the records.
        let (np, l, nf) = (2, 700, 1100);
        let frames = noisy_frames(0x0ddc_0ffe_e15e_a5e5u64, nf, np * l, 0x8000);
        let flat = frames.concat();
        for nbs in [DEFAULT_NBS, 300] {
            let run_mode = |incremental: bool| {
                let mut d = EpixDark::with_mode(np, l, nbs, Vec::new(), Some(incremental)).unwrap();
                assert_eq!(d.incremental, incremental);
                for f in &frames {
                    d.frame_slot().copy_from_slice(f);
                    d.commit_frame();
                }
                d.finish().unwrap()
            };
            let inc = run_mode(true);
            assert_eq!(inc, run_mode(false), "nbs {nbs}");
            let mut d = EpixDark::new(np, l, nbs).unwrap();
            let mut at = 0;
            for k in [5usize, 17, 64, 1, 33].iter().cycle() {
                if at == nf {
                    break;
                }
                let k = (*k).min(nf - at);
                d.push_frames(&flat[at * np * l..(at + k) * np * l])
                    .unwrap();
                at += k;
            }
            assert_eq!(inc, d.finish().unwrap(), "nbs {nbs}, batches");
            let n = nbs.min(nf) - 1;
            assert_eq!(inc.records as usize, n);
            assert_direct(&frames, l, &inc);
        }
    }

    #[test]
    fn frames_read_in_place_give_what_copies_give() {
        // 1100 frames (past nbs) of 2 panels, noisy pixels, spikes, zeros and saturation; each
        // panel of each frame at an odd address. Fed the job's way (as many frames at once as
        // `parts_wanted` says, copies where it says 0) and in batches of other sizes (7, 64,
        // 600: copied where they cannot be read in place), in both summing modes, for nbs
        // 1024, 550 (the block ends inside a batch) and 300 (pass 1 over all records), and
        // with panels of 700 pixels (not a multiple of 16: always copied).
        for l in [704usize, 700] {
            let (np, nf) = (2, 1100);
            let frames = noisy_frames(0x005e_ed0f_1ace_u64 + l as u64, nf, np * l, 0x4000);
            // Each panel's bytes one byte into its own buffer.
            let bufs: Vec<Vec<u8>> = frames
                .iter()
                .flat_map(|f| f.chunks(l))
                .map(|panel| {
                    let mut b = vec![0u8];
                    b.extend(panel.iter().flat_map(|v| v.to_le_bytes()));
                    b
                })
                .collect();
            let parts: Vec<&[u8]> = bufs.iter().map(|b| &b[1..]).collect();
            assert!(parts.iter().all(|p| p.as_ptr() as usize % 2 == 1));
            for nbs in [DEFAULT_NBS, 550, 300] {
                for incremental in [false, true] {
                    let new = || EpixDark::with_mode(np, l, nbs, Vec::new(), Some(incremental));
                    let mut d = new().unwrap();
                    for f in &frames {
                        d.frame_slot().copy_from_slice(f);
                        d.commit_frame();
                    }
                    let want = d.finish().unwrap();
                    let at = format!("panels of {l}, nbs {nbs}, incremental {incremental}");
                    // The job's way.
                    let mut d = new().unwrap();
                    let mut pending: Vec<&[u8]> = Vec::new();
                    let mut in_place = 0;
                    for (f, frame) in frames.iter().enumerate() {
                        let k = d.parts_wanted();
                        if k > 0 {
                            pending.extend(&parts[f * np..(f + 1) * np]);
                            if pending.len() == k * np {
                                in_place += k;
                                d.push_parts(&pending).unwrap();
                                pending.clear();
                            }
                        } else {
                            d.push_parts(&pending).unwrap();
                            pending.clear();
                            d.push_frame(frame).unwrap();
                        }
                    }
                    d.push_parts(&pending).unwrap();
                    assert_eq!(d.finish().unwrap(), want, "{at}, the job's way");
                    let expect_in_place = l % LANES == 0 && nbs > PASS1_RECORDS + 1;
                    assert_eq!(in_place > 0, expect_in_place, "{at}: {in_place} in place");
                    // Batches of other sizes.
                    for k in [7usize, 64, 600] {
                        let mut d = new().unwrap();
                        for batch in parts.chunks(k * np) {
                            d.push_parts(batch).unwrap();
                        }
                        assert_eq!(d.finish().unwrap(), want, "{at}, batches of {k}");
                    }
                }
            }
        }
        let mut d = EpixDark::new(2, 16, DEFAULT_NBS).unwrap();
        assert!(d.push_parts(&[&[0u8; 32]]).is_err(), "half a frame");
        assert!(
            d.push_parts(&[&[0u8; 32], &[0u8; 30]]).is_err(),
            "a short panel"
        );
    }

    /// `nf` frames of `npix` pixels from the generator seeded `seed`: noisy pixels (every
    /// fifth with 30 ADU of noise), and now and then a spike, a zero or a saturated value with
    /// the gain bits `sat_bits`.
    fn noisy_frames(seed: u64, nf: usize, npix: usize, sat_bits: i64) -> Vec<Vec<u16>> {
        let mut rnd = xorshift(seed);
        (0..nf)
            .map(|_| {
                (0..npix)
                    .map(|p| {
                        let amp = if p % 5 == 0 { 30 } else { 2 + p % 4 };
                        let r = rnd();
                        let mut v = 1500 + (p % 400) as i64 + (r % (2 * amp as u64 + 1)) as i64
                            - amp as i64;
                        match r % 1499 {
                            0 => v += 700,
                            1 => v = 0,
                            2 => v = 16001 | sat_bits,
                            _ => {}
                        }
                        v as u16
                    })
                    .collect()
            })
            .collect()
    }

    /// Checks `res` against psana's sums taken directly over the records of `frames` (panels
    /// of `l` pixels): pass 1 over the first min(n, 500) records, pass 2 over all n.
    fn assert_direct(frames: &[Vec<u16>], l: usize, res: &EpixDarkResult) {
        let n = res.records as usize;
        for (pi, panel) in res.panels.iter().enumerate() {
            for i in 0..l {
                let px = pi * l + i;
                let vals: Vec<u64> = frames[..n]
                    .iter()
                    .map(|f| u64::from(f[px] & DATA_MASK))
                    .collect();
                let sums = |recs: &[u64], lo: u64, hi: u64| {
                    let inside: Vec<u64> = recs
                        .iter()
                        .copied()
                        .filter(|v| (lo..=hi).contains(v))
                        .collect();
                    let s1: u64 = inside.iter().sum();
                    let s2: u64 = inside.iter().map(|v| v * v).sum();
                    (inside.len() as u32, s1 as u32, s2)
                };
                let (c1, a1, b1) = sums(&vals[..n.min(PASS1_RECORDS)], 1, 16000);
                assert_eq!(panel.pass1_count[i], c1, "pixel {px}");
                assert_eq!(
                    (panel.pass1_ave[i], panel.pass1_rms[i]),
                    ave_rms(c1, a1, b1),
                    "pixel {px}"
                );
                let half = NSIGMA_GATE * panel.summary.rms_ave_pass1;
                let glo = (panel.pass1_ave[i] - half).max(1.0).trunc() as u64;
                let ghi = (panel.pass1_ave[i] + half).min(16000.0).trunc() as u64;
                assert_eq!(
                    (panel.gate_lo[i] as u64, panel.gate_hi[i] as u64),
                    (glo, ghi),
                    "pixel {px}"
                );
                let (c, a, b) = sums(&vals, glo, ghi);
                assert_eq!(panel.count[i], c, "pixel {px}");
                assert_eq!((panel.ave[i], panel.rms[i]), ave_rms(c, a, b), "pixel {px}");
                let clo = vals.iter().filter(|&&v| v < 1).count();
                let chi = vals.iter().filter(|&&v| v > 16000).count();
                assert_eq!(panel.count_lo[i] as usize, clo, "pixel {px}");
                assert_eq!(panel.count_hi[i] as usize, chi, "pixel {px}");
            }
        }
    }

    #[test]
    fn the_byte_block_and_its_escapes_equal_a_direct_computation() {
        // Values further than 127 from the first record's (escapes): pixels with noise of
        // +-300 ADU, a first record that is a spike, pixels jumping between 0 and 16383, and
        // slow drifts, among quiet ones; 2 panels of 900 pixels, 560 frames (pass 1 ends with
        // the 500th record) and 200 frames (pass 1 ends at finish), frame by frame and in
        // batches, in a fresh block and in one handed on from the raw-block way.
        let (np, l) = (2, 900);
        let mut rnd = xorshift(0x5eed_b10c_e5ca_9e00u64);
        let frames: Vec<Vec<u16>> = (0..560)
            .map(|r| {
                (0..np * l)
                    .map(|p| {
                        let x = rnd();
                        let base = 2000 + (p % 300) as i64;
                        let v = match p % 11 {
                            0 => base + (x % 601) as i64 - 300,
                            1 if r == 0 => base + 900,
                            2 if x.is_multiple_of(3) => 16383,
                            2 if x % 3 == 1 => 0,
                            3 => base + r as i64 / 2,
                            _ => base + (x % 7) as i64 - 3,
                        };
                        v as u16 | ((x >> 40) as u16 & 0xc000)
                    })
                    .collect()
            })
            .collect();
        for nf in [560, 200] {
            let frames = &frames[..nf];
            let flat = frames.concat();
            let fresh = EpixDark::new(np, l, DEFAULT_NBS).unwrap();
            assert!(fresh.incremental);
            let mut raw = EpixDark::with_mode(np, l, DEFAULT_NBS, Vec::new(), Some(false)).unwrap();
            for f in frames {
                raw.push_frame(f).unwrap();
            }
            let (want, buf) = raw.finish_with_buffer();
            let want = want.unwrap();
            assert_direct(frames, l, &want);
            let mut d = EpixDark::with_buffer(np, l, DEFAULT_NBS, buf).unwrap();
            for f in frames {
                d.frame_slot().copy_from_slice(f);
                d.commit_frame();
            }
            assert_eq!(d.finish().unwrap(), want, "{nf} frames, frame by frame");
            let mut d = fresh;
            for b in flat.chunks(37 * np * l) {
                d.push_frames(b).unwrap();
            }
            assert_eq!(d.finish().unwrap(), want, "{nf} frames, batches");
        }
    }

    #[test]
    fn each_panel_has_its_own_limits_and_gate() {
        // Panel 0 quiet, panel 1 noisy: processed together they give what each gives alone.
        let l = 300;
        let frames: Vec<Vec<u16>> = (0..40)
            .map(|r| {
                (0..2 * l)
                    .map(|p| {
                        let amp = if p < l { 2 } else { 40 };
                        let h = ((p * 7919 + r * 104_729) % 1000) as i32;
                        (3000 + (p % 50) as i32 * 10 + h % (2 * amp + 1) - amp) as u16
                    })
                    .collect()
            })
            .collect();
        let both = run_panels(&frames, 2, DEFAULT_NBS);
        for p in 0..2 {
            let one: Vec<Vec<u16>> = frames
                .iter()
                .map(|f| f[p * l..(p + 1) * l].to_vec())
                .collect();
            let alone = run(&one, DEFAULT_NBS);
            let (a, b) = (&both.panels[p], &alone.panels[0]);
            assert_eq!(a.summary, b.summary, "panel {p}");
            assert!(
                a.gate_lo == b.gate_lo && a.gate_hi == b.gate_hi,
                "panel {p} gates"
            );
            assert!(a.ave == b.ave && a.rms == b.rms, "panel {p} ave/rms");
            assert!(
                a.status == b.status && a.count == b.count,
                "panel {p} status"
            );
        }
        assert!(both.panels[1].summary.gate_half > 5.0 * both.panels[0].summary.gate_half);
    }

    #[test]
    fn batches_give_what_single_frames_give() {
        // 700 frames of 2 x 300 pixels, spikes and zeros among them.
        let (np, l) = (2, 300);
        let frames: Vec<Vec<u16>> = (0..700)
            .map(|r| {
                (0..np * l)
                    .map(|p| {
                        let h = (p * 7919 + r * 104_729) % 1009;
                        match h {
                            0 => 0,
                            1 => 9000,
                            _ => (2000 + p % 97 + h % (3 + p % 40)) as u16,
                        }
                    })
                    .collect()
            })
            .collect();
        let one = run_panels(&frames, np, DEFAULT_NBS);
        let flat = frames.concat();
        let l = np * l;
        // Batches of 1, 3, 40 and 200 frames in turn, past pass 1 and past nbs = 650.
        for nbs in [DEFAULT_NBS, 650] {
            let mut d = EpixDark::new(np, l / np, nbs).unwrap();
            let mut at = 0;
            for k in [1usize, 3, 40, 200].iter().cycle() {
                if at == frames.len() {
                    break;
                }
                let k = (*k).min(frames.len() - at);
                d.push_frames(&flat[at * l..(at + k) * l]).unwrap();
                at += k;
            }
            let want = if nbs == DEFAULT_NBS {
                one.clone()
            } else {
                run_panels(&frames, np, nbs)
            };
            assert_eq!(d.finish().unwrap(), want, "nbs {nbs}");
        }
        assert!(
            EpixDark::new(1, 4, 1024)
                .unwrap()
                .push_frames(&[1, 2, 3])
                .is_err()
        );
    }

    #[test]
    fn a_reused_block_gives_the_same_results() {
        let frames = hand_table(12);
        let fresh = run(&frames, DEFAULT_NBS);
        let mut d = EpixDark::new(1, frames[0].len(), DEFAULT_NBS).unwrap();
        for f in frames.iter().rev() {
            d.push_frame(f).unwrap();
        }
        let (_, buf) = d.finish_with_buffer();
        assert!(buf.capacity() > 0);
        let mut d = EpixDark::with_buffer(1, frames[0].len(), DEFAULT_NBS, buf).unwrap();
        for f in &frames {
            d.push_frame(f).unwrap();
        }
        assert_eq!(d.finish().unwrap(), fresh);
    }

    #[test]
    fn too_few_frames_and_constant_panels_are_errors() {
        for n in 0..3 {
            let mut d = EpixDark::new(1, 4, DEFAULT_NBS).unwrap();
            for _ in 0..n {
                d.push_frame(&[1, 2, 3, 4]).unwrap();
            }
            let e = d.finish().unwrap_err().to_string();
            assert!(e.contains("at least 3 frames"), "{e}");
        }
        let mut d = EpixDark::new(2, 2, DEFAULT_NBS).unwrap();
        for i in 0..5u16 {
            d.push_frame(&[100 + i, 200, 7, 7]).unwrap();
        }
        let e = d.finish().unwrap_err().to_string();
        assert!(e.contains("panel 1"), "{e}");
        assert!(EpixDark::new(1, 4, 2).is_err());
        assert!(EpixDark::new(1, 4, 1024).unwrap().push_frame(&[1]).is_err());
    }

    #[test]
    fn the_prefetching_kernel_equals_the_plain_one() {
        // The kernel as it was (no prefetches) is the reference: random 14-bit values with
        // raw bits 14-15, zeros, saturation and values far apart, random gates (among them
        // empty and full ones), every batch size 1..=70, a tile count and tail of odd sizes
        // (the last tile short, its last chunk narrower than 16 pixels), both passes, the
        // portable and the AVX2 code.
        let npix = TILE + 16 * 7 + 5;
        let mut rnd = xorshift(0x9f3a_55e1_0c2d_7b41u64);
        let pool: Vec<u16> = (0..70 * npix)
            .map(|_| {
                let r = rnd();
                let v = match r % 13 {
                    0 => 0,
                    1 => 16001 + (r >> 8) as u16 % 383,
                    2 => (r >> 8) as u16 & DATA_MASK,
                    _ => 2000 + (r >> 8) as u16 % 300,
                };
                v | ((r >> 32) as u16 & 0xc000)
            })
            .collect();
        let gates: Vec<(u16, u16)> = (0..npix)
            .map(|_| {
                let r = rnd();
                match r % 7 {
                    0 => (1, 0),
                    1 => (INT_LO, INT_HI),
                    _ => {
                        let lo = 1900 + (r >> 8) as u16 % 200;
                        (lo, lo + (r >> 20) as u16 % 200)
                    }
                }
            })
            .collect();
        for nframes in 1..=70 {
            let frames = &pool[..nframes * npix];
            for avx2 in [false, use_avx2()] {
                for pass in [Pass::First, Pass::Second] {
                    let run = |pf: bool| {
                        let mut s = Sums::new(npix);
                        for t in &mut s.tiles {
                            for i in 0..t.len() {
                                (t.lo[i], t.hi[i]) = gates[t.start + i];
                            }
                            accumulate_with(t, &Flat { frames, npix }, pass, avx2, pf);
                        }
                        s
                    };
                    let (a, b) = (run(false), run(true));
                    let at = format!("{nframes} frames, {pass:?}, avx2 {avx2}");
                    assert_eq!(a.gather(|t| &t.s0), b.gather(|t| &t.s0), "{at}");
                    assert_eq!(a.gather(|t| &t.s1), b.gather(|t| &t.s1), "{at}");
                    assert_eq!(a.gather(|t| &t.s2), b.gather(|t| &t.s2), "{at}");
                    assert_eq!(a.gather(|t| &t.clo), b.gather(|t| &t.clo), "{at}");
                    assert_eq!(a.gather(|t| &t.chi), b.gather(|t| &t.chi), "{at}");
                    assert_eq!(a.gather(|t| &t.gmin), b.gather(|t| &t.gmin), "{at}");
                    assert_eq!(a.gather(|t| &t.gmax), b.gather(|t| &t.gmax), "{at}");
                    assert!(a.gather(|t| &t.s0).iter().any(|&n| n > 0));
                }
            }
        }
    }

    #[test]
    fn portable_and_avx2_paths_agree() {
        let frames = hand_table(30);
        let flat: Vec<u16> = frames.concat();
        let npix = frames[0].len();
        let mut a = Sums::new(npix);
        let mut b = Sums::new(npix);
        let flat = Flat {
            frames: &flat,
            npix,
        };
        for pass in [Pass::First, Pass::Second] {
            for t in &mut a.tiles {
                accumulate(t, &flat, pass, false);
            }
            for t in &mut b.tiles {
                accumulate(t, &flat, pass, use_avx2());
            }
        }
        let chunks = [(0, 0), (LANES, LANES), (7 * LANES, 7 * LANES)];
        resum(&mut a.tiles[0], &flat, &chunks, false);
        resum(&mut b.tiles[0], &flat, &chunks, use_avx2());
        assert_eq!(a.gather(|t| &t.s2), b.gather(|t| &t.s2));
        assert_eq!(a.gather(|t| &t.s1), b.gather(|t| &t.s1));
        assert_eq!(a.gather(|t| &t.clo), b.gather(|t| &t.clo));
        assert_eq!(a.gather(|t| &t.chi), b.gather(|t| &t.chi));
        assert_eq!(a.gather(|t| &t.gmin), b.gather(|t| &t.gmin));
        assert_eq!(a.gather(|t| &t.gmax), b.gather(|t| &t.gmax));
    }
}
