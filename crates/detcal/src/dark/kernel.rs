/*!
The stage-2 accumulation kernel: per-pixel gated sums, counters, min/max and the gain check.

Why it looks the way it does (measured on the 2-core Zen 3 development machine, see
`shared/notes/performance.md`):

- **Tiles.** The accumulators of a pixel (about 38 bytes) are far larger than its 2 bytes of
  input per frame. Sweeping the whole frame per input frame would push tens of MB of
  accumulators through the cache every frame. Instead a [`Tile`] of [`TILE`] pixels keeps its
  accumulators (about 10 KiB) in the L1 cache while it walks a whole batch of frames.
- **Exact integer sums.** psana sums in f64, which is exact for these magnitudes, so exact
  integer sums give bit-identical means and rms. Within a sub-batch of up to 16 frames the sums
  and sums of squares of 14-bit values fit in `u32` (16 * 16383^2 < 2^32); they are flushed to
  `u64` after each sub-batch. `u32` lanes vectorize twice as wide as `u64` ones.
- **Branch-free.** Every update is written with 0/1 masks and min/max, so the loop over the
  pixels of a tile compiles to straight SIMD code (the compiler emits `vpminuw`, `vpmaxuw`,
  `vpcmpeqw`, `vpmulld`/`vpmaddwd`).
- **AVX2 when the CPU has it.** The same generic body is compiled twice: once for the baseline
  target and once with `#[target_feature(enable = "avx2")]`, chosen at run time. The baseline
  (SSE2) lacks unsigned 16-bit min/max and 32-bit multiplies and runs about 2x slower.
- The overflow-free wrapping adds are there so debug builds (overflow checks on) still
  vectorize; the sizes are chosen so they never wrap.
*/

use super::Kernel;

/// Pixels per tile.
pub(crate) const TILE: usize = 256;

/// The most frames summed in `u32` before flushing to `u64`.
const MAX_SUB: usize = 16;

/// Stage-2 accumulators of up to [`TILE`] consecutive pixels.
#[derive(Clone)]
#[repr(C, align(64))]
pub(crate) struct Tile {
    /// Lowest in-gate value (inclusive).
    pub(crate) gate_lo: [u16; TILE],
    /// Highest in-gate value (inclusive).
    pub(crate) gate_hi: [u16; TILE],
    /// Smallest masked value seen.
    pub(crate) min: [u16; TILE],
    /// Largest masked value seen.
    pub(crate) max: [u16; TILE],
    /// 1 once a frame showed an unexpected gain code.
    pub(crate) bad: [u16; TILE],
    /// Frames inside the gate.
    pub(crate) count: [u32; TILE],
    /// Frames below `int_lo`.
    pub(crate) count_lo: [u32; TILE],
    /// Frames above `int_hi`.
    pub(crate) count_hi: [u32; TILE],
    /// Sum of in-gate values.
    pub(crate) sum1: [u64; TILE],
    /// Sum of squares of in-gate values.
    pub(crate) sum2: [u64; TILE],
}

impl Tile {
    /// Empty accumulators (min at 0xffff, max at 0) with the given gates.
    pub(crate) fn new(gate_lo: &[u16], gate_hi: &[u16]) -> Tile {
        let mut t = Tile {
            gate_lo: [0; TILE],
            gate_hi: [0; TILE],
            min: [u16::MAX; TILE],
            max: [0; TILE],
            bad: [0; TILE],
            count: [0; TILE],
            count_lo: [0; TILE],
            count_hi: [0; TILE],
            sum1: [0; TILE],
            sum2: [0; TILE],
        };
        t.gate_lo[..gate_lo.len()].copy_from_slice(gate_lo);
        t.gate_hi[..gate_hi.len()].copy_from_slice(gate_hi);
        t
    }

    /// Adds the accumulators of `o` (same gates) to these, for the first `len` pixels.
    pub(crate) fn merge(&mut self, o: &Tile, len: usize) {
        for p in 0..len {
            self.min[p] = self.min[p].min(o.min[p]);
            self.max[p] = self.max[p].max(o.max[p]);
            self.bad[p] |= o.bad[p];
            self.count[p] += o.count[p];
            self.count_lo[p] += o.count_lo[p];
            self.count_hi[p] += o.count_hi[p];
            self.sum1[p] += o.sum1[p];
            self.sum2[p] += o.sum2[p];
        }
    }
}

/// The per-run constants of the kernel.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Consts {
    /// Mask of the ADC bits.
    pub(crate) data_bits: u16,
    /// A masked value `r` counts as below `int_lo` when `r < below`.
    pub(crate) below: u16,
    /// A masked value `r` counts as above `int_hi` when `r > above`.
    pub(crate) above: u16,
    /// The expected gain code (raw bits 15..14), or `None` for no gain check.
    pub(crate) gain_code: Option<u16>,
    /// Frames per `u32` sub-batch (1..=16), so that `sub * data_bits^2` fits in `u32`.
    pub(crate) sub: usize,
}

impl Consts {
    /// The largest sub-batch whose sums of squares of values up to `data_bits` fit in `u32`.
    pub(crate) fn sub_batch(data_bits: u16) -> usize {
        let sq = u64::from(data_bits) * u64::from(data_bits);
        if sq == 0 {
            MAX_SUB
        } else {
            (u64::from(u32::MAX) / sq).clamp(1, MAX_SUB as u64) as usize
        }
    }
}

/// Whether the AVX2 version can run on this CPU.
pub(crate) fn avx2_available() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx2")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// The name of the code path `kernel` selects on this CPU ("avx2" or "portable").
pub(crate) fn kernel_name(kernel: Kernel) -> &'static str {
    if kernel == Kernel::Auto && avx2_available() {
        "avx2"
    } else {
        "portable"
    }
}

/// Adds the frames in `frames` (whole frames of `npix` pixels) to `tile`, whose pixels are
/// `start..start + len` of each frame.
pub(crate) fn accumulate(
    kernel: Kernel,
    tile: &mut Tile,
    frames: &[u16],
    npix: usize,
    start: usize,
    len: usize,
    c: &Consts,
) {
    debug_assert!(len <= TILE && start + len <= npix && frames.len() % npix == 0);
    #[cfg(target_arch = "x86_64")]
    if kernel == Kernel::Auto && avx2_available() {
        // SAFETY: the CPU supports AVX2, checked at run time just above.
        unsafe { accumulate_avx2(tile, frames, npix, start, len, c) };
        return;
    }
    accumulate_generic(tile, frames, npix, start, len, c);
}

/// [`accumulate_generic`] compiled with AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn accumulate_avx2(
    tile: &mut Tile,
    frames: &[u16],
    npix: usize,
    start: usize,
    len: usize,
    c: &Consts,
) {
    accumulate_generic(tile, frames, npix, start, len, c);
}

/// The kernel body, shared by the portable and AVX2 versions.
#[inline(always)]
fn accumulate_generic(
    tile: &mut Tile,
    frames: &[u16],
    npix: usize,
    start: usize,
    len: usize,
    c: &Consts,
) {
    // Monomorphize on the gain check and on full tiles, so the hot loop has a constant trip
    // count and no per-pixel test of the mode.
    match (c.gain_code.is_some(), len == TILE) {
        (true, true) => frames_loop::<true>(tile, frames, npix, start, TILE, c),
        (true, false) => frames_loop::<true>(tile, frames, npix, start, len, c),
        (false, true) => frames_loop::<false>(tile, frames, npix, start, TILE, c),
        (false, false) => frames_loop::<false>(tile, frames, npix, start, len, c),
    }
}

/// Walks the frames in sub-batches, flushing the `u32` sums to `u64` after each.
#[inline(always)]
fn frames_loop<const GAIN: bool>(
    tile: &mut Tile,
    frames: &[u16],
    npix: usize,
    start: usize,
    n: usize,
    c: &Consts,
) {
    let nframes = frames.len() / npix;
    let mut f = 0;
    while f < nframes {
        let end = (f + c.sub).min(nframes);
        let mut s1 = [0u32; TILE];
        let mut s2 = [0u32; TILE];
        for k in f..end {
            let off = k * npix + start;
            frame_step::<GAIN>(tile, &mut s1, &mut s2, &frames[off..off + n], c);
        }
        let (sum1, sum2) = (&mut tile.sum1[..n], &mut tile.sum2[..n]);
        for p in 0..n {
            sum1[p] += u64::from(s1[p]);
            sum2[p] += u64::from(s2[p]);
        }
        f = end;
    }
}

/// Adds one frame's row of `row.len()` pixels to the tile and to the sub-batch sums.
#[inline(always)]
fn frame_step<const GAIN: bool>(
    tile: &mut Tile,
    s1: &mut [u32; TILE],
    s2: &mut [u32; TILE],
    row: &[u16],
    c: &Consts,
) {
    let n = row.len();
    let Tile {
        gate_lo,
        gate_hi,
        min,
        max,
        bad,
        count,
        count_lo,
        count_hi,
        ..
    } = tile;
    let (glo, ghi) = (&gate_lo[..n], &gate_hi[..n]);
    let (mn, mx, bad) = (&mut min[..n], &mut max[..n], &mut bad[..n]);
    let (cnt, clo, chi) = (&mut count[..n], &mut count_lo[..n], &mut count_hi[..n]);
    let (s1, s2) = (&mut s1[..n], &mut s2[..n]);
    let bits = c.data_bits;
    let (below, above) = (c.below, c.above);
    let code = c.gain_code.unwrap_or(0);
    for p in 0..n {
        let raw = row[p];
        let r = raw & bits;
        let inside = (r >= glo[p]) & (r <= ghi[p]);
        let r32 = u32::from(r);
        let mask = u32::from(inside).wrapping_neg();
        cnt[p] = cnt[p].wrapping_add(u32::from(inside));
        s1[p] = s1[p].wrapping_add(r32 & mask);
        s2[p] = s2[p].wrapping_add(r32.wrapping_mul(r32) & mask);
        clo[p] = clo[p].wrapping_add(u32::from(r < below));
        chi[p] = chi[p].wrapping_add(u32::from(r > above));
        mn[p] = mn[p].min(r);
        mx[p] = mx[p].max(r);
        if GAIN {
            bad[p] |= u16::from((raw >> 14) != code);
        }
    }
}
