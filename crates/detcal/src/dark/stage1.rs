/*!
Stage 1: the per-pixel gates from the quantiles of the first frames.

psana takes numpy's "lower" quantile at `fraclo` and "higher" quantile at `frachi` of each
pixel's masked values over the block: the sorted values at indices `floor(fraclo * (n - 1))`
and `ceil(frachi * (n - 1))`. With the defaults and `n = 50` these are the 3rd smallest and the
3rd largest value.

Finding a sorted element near either end needs no sort: keeping the `d + 1` smallest values
seen so far in `d + 1` sorted levels, updated by a min/max "insertion" per new value, gives the
`d`-th smallest at the end. Done for a whole tile of pixels at a time, each level is an array
over the pixels, and the update is a branch-free min/max over that array, which vectorizes
(`vpminuw`/`vpmaxuw` with AVX2). An element near the top is found the same way on the
complemented values (`!v` reverses the order of `u16`). Indices deep inside the block (not
within [`MAX_DEPTH`] of either end) fall back to a per-pixel `select_nth_unstable`.
*/

use super::Kernel;
use super::kernel::avx2_available;

/// Pixels per stage-1 chunk: its min/max levels (up to 25 x 512 bytes) stay in the L1 cache.
pub(crate) const CHUNK: usize = 256;

/// The deepest sorted index (from either end) found with the min/max network.
const MAX_DEPTH: usize = 24;

/// The constants of stage 1.
#[derive(Debug, Clone, Copy)]
pub(crate) struct GateConsts {
    /// Mask of the ADC bits.
    pub(crate) data_bits: u16,
    /// Frames in the block.
    pub(crate) n: usize,
    /// Sorted index of the low quantile.
    pub(crate) ilo: usize,
    /// Sorted index of the high quantile.
    pub(crate) ihi: usize,
    /// Intensity low limit.
    pub(crate) int_lo: f64,
    /// Intensity high limit.
    pub(crate) int_hi: f64,
}

impl GateConsts {
    /// The quantile indices as numpy computes them: `floor(q * (n - 1))` ("lower") and
    /// `ceil(q * (n - 1))` clipped to `n - 1` ("higher"), with the product in f64.
    pub(crate) fn quantile_indices(n: usize, fraclo: f64, frachi: f64) -> (usize, usize) {
        let last = (n - 1) as f64;
        let ilo = (fraclo * last).floor() as usize;
        let ihi = (frachi * last).ceil() as usize;
        (ilo.min(n - 1), ihi.min(n - 1))
    }
}

/// psana's gates of one pixel from its quantile values, as the effective inclusive integer
/// bounds of stage 2.
///
/// Stage 1 casts `max(floor(qlo), int_lo)` and `min(ceil(qhi), int_hi)` to `u16`, raises the
/// high gate by one (wrapping, as numpy's `uint16 += 1`) where it is not above the low one;
/// stage 2 then compares the values against `max(int_lo, gate_lo)` and `min(int_hi, gate_hi)`
/// as floats. For integer values that is the same as the integer bounds returned here.
pub(crate) fn gates_from_quantiles(qlo: u16, qhi: u16, int_lo: f64, int_hi: f64) -> (u16, u16) {
    // The parameters are validated: finite, int_lo <= 65535, int_hi >= 0, so both casts are
    // in range and truncate as numpy's astype(uint16) does.
    let g_lo = f64::from(qlo).max(int_lo) as u16;
    let mut g_hi = f64::from(qhi).min(int_hi) as u16;
    if g_hi <= g_lo {
        g_hi = g_hi.wrapping_add(1);
    }
    let lo = f64::from(g_lo).max(int_lo).ceil() as u16;
    let hi = f64::from(g_hi).min(int_hi).floor() as u16;
    (lo, hi)
}

/// Computes the gates of pixels `start..start + len` from `block` (whole frames of `npix`).
#[allow(clippy::too_many_arguments)]
pub(crate) fn gates_tile(
    kernel: Kernel,
    block: &[u16],
    npix: usize,
    start: usize,
    len: usize,
    g: &GateConsts,
    out_lo: &mut [u16],
    out_hi: &mut [u16],
) {
    debug_assert!(len <= CHUNK && out_lo.len() == len && out_hi.len() == len);
    let mut qlo = [0u16; CHUNK];
    let mut qhi = [0u16; CHUNK];
    kth_tile(kernel, block, npix, start, len, g, g.ilo, &mut qlo);
    kth_tile(kernel, block, npix, start, len, g, g.ihi, &mut qhi);
    for p in 0..len {
        (out_lo[p], out_hi[p]) = gates_from_quantiles(qlo[p], qhi[p], g.int_lo, g.int_hi);
    }
}

/// The sorted element at index `i` of each pixel's masked values over the block.
#[allow(clippy::too_many_arguments)]
fn kth_tile(
    kernel: Kernel,
    block: &[u16],
    npix: usize,
    start: usize,
    len: usize,
    g: &GateConsts,
    i: usize,
    out: &mut [u16; CHUNK],
) {
    let n = g.n;
    let from_top = n - 1 - i < i;
    let depth = if from_top { n - 1 - i } else { i };
    if depth > MAX_DEPTH {
        kth_select(block, npix, start, len, g.data_bits, n, i, out);
        return;
    }
    // Complementing reverses the order, so the element `n - 1 - i` from the top is the
    // `depth`-th smallest complemented value.
    let flip = if from_top { u16::MAX } else { 0 };
    #[cfg(target_arch = "x86_64")]
    if kernel == Kernel::Auto && avx2_available() {
        // SAFETY: the CPU supports AVX2, checked at run time just above.
        unsafe { kth_network_avx2(block, npix, start, len, g.data_bits, n, depth, flip, out) };
        return;
    }
    let _ = kernel;
    kth_network(block, npix, start, len, g.data_bits, n, depth, flip, out);
}

/// [`kth_network`] compiled with AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[allow(clippy::too_many_arguments)]
fn kth_network_avx2(
    block: &[u16],
    npix: usize,
    start: usize,
    len: usize,
    bits: u16,
    n: usize,
    depth: usize,
    flip: u16,
    out: &mut [u16; CHUNK],
) {
    kth_network(block, npix, start, len, bits, n, depth, flip, out);
}

/// The `depth`-th smallest of `(v & bits) ^ flip` per pixel, by a min/max insertion network.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn kth_network(
    block: &[u16],
    npix: usize,
    start: usize,
    len: usize,
    bits: u16,
    n: usize,
    depth: usize,
    flip: u16,
    out: &mut [u16; CHUNK],
) {
    // levels[j] holds, per pixel, the j-th smallest value seen so far (u16::MAX while fewer
    // than j + 1 values were seen; at least depth + 1 values come, so these are pushed out).
    let mut levels = [[u16::MAX; CHUNK]; MAX_DEPTH + 1];
    let levels = &mut levels[..=depth];
    let mut t = [0u16; CHUNK];
    for f in 0..n {
        let row = &block[f * npix + start..f * npix + start + len];
        let t = &mut t[..len];
        for p in 0..len {
            t[p] = (row[p] & bits) ^ flip;
        }
        for level in levels.iter_mut() {
            let level = &mut level[..len];
            for p in 0..len {
                let (a, v) = (level[p], t[p]);
                level[p] = a.min(v);
                t[p] = a.max(v);
            }
        }
    }
    for p in 0..len {
        out[p] = levels[depth][p] ^ flip;
    }
}

/// The sorted element at index `i` per pixel, by gathering and `select_nth_unstable`.
#[allow(clippy::too_many_arguments)]
fn kth_select(
    block: &[u16],
    npix: usize,
    start: usize,
    len: usize,
    bits: u16,
    n: usize,
    i: usize,
    out: &mut [u16; CHUNK],
) {
    let mut v = vec![0u16; n];
    for p in 0..len {
        for (f, x) in v.iter_mut().enumerate() {
            *x = block[f * npix + start + p] & bits;
        }
        out[p] = *v.select_nth_unstable(i).1;
    }
}
