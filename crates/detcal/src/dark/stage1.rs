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
use super::frames::copy_le_words;
use super::kernel::{PREFETCH, prefetch, words};
use crate::cpu::{use_avx2, use_avx512};

/// Pixels per stage-1 chunk: long enough for efficient row reads, small enough that the
/// min/max levels of the usual depths (2 x 3 levels of 2 KiB) stay in the L1 cache.
pub(crate) const CHUNK: usize = 1024;

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

/// Where a sorted index is found: `depth` places from the bottom (`flip = 0`) or from the
/// top (`flip = 0xffff`: complementing reverses the order of `u16` values).
#[derive(Debug, Clone, Copy)]
struct Side {
    depth: usize,
    flip: u16,
}

impl Side {
    fn of(n: usize, i: usize) -> Side {
        if n - 1 - i < i {
            Side {
                depth: n - 1 - i,
                flip: u16::MAX,
            }
        } else {
            Side { depth: i, flip: 0 }
        }
    }
}

/// Computes the gates of `len` pixels from `rows` (the pixels in each frame of the block, as
/// little-endian words at any address: at least `2 * len` bytes each).
pub(crate) fn gates_tile(
    kernel: Kernel,
    rows: &[&[u8]],
    len: usize,
    g: &GateConsts,
    out_lo: &mut [u16],
    out_hi: &mut [u16],
) {
    debug_assert!(len <= CHUNK && out_lo.len() == len && out_hi.len() == len);
    debug_assert!(rows.len() == g.n && rows.iter().all(|r| r.len() >= 2 * len));
    let (lo, hi) = (Side::of(g.n, g.ilo), Side::of(g.n, g.ihi));
    let mut qlo = crate::mem::filled(len, 0u16);
    let mut qhi = crate::mem::filled(len, 0u16);
    if lo.depth > MAX_DEPTH || hi.depth > MAX_DEPTH {
        kth_select(rows, g.data_bits, g.ilo, &mut qlo);
        kth_select(rows, g.data_bits, g.ihi, &mut qhi);
    } else if lo.depth < REG_LEVELS && hi.depth < REG_LEVELS {
        let block = Block {
            rows,
            len,
            bits: g.data_bits,
            lo,
            hi,
        };
        in_registers(kernel, block, &mut qlo, &mut qhi);
    } else {
        // Both quantiles in one pass over the block, which is read from memory once.
        let mut levels = crate::mem::filled((lo.depth + 1 + hi.depth + 1) * len, u16::MAX);
        let (lev_lo, lev_hi) = levels.split_at_mut((lo.depth + 1) * len);
        let mut t = vec![0u16; len];
        let mut values = vec![0u16; len];
        for row in rows {
            copy_le_words(&mut values, &row[..2 * len]);
            insert(kernel, &values, g.data_bits, lo.flip, lev_lo, &mut t);
            insert(kernel, &values, g.data_bits, hi.flip, lev_hi, &mut t);
        }
        for p in 0..len {
            qlo[p] = lev_lo[lo.depth * len + p] ^ lo.flip;
            qhi[p] = lev_hi[hi.depth * len + p] ^ hi.flip;
        }
    }
    for p in 0..len {
        (out_lo[p], out_hi[p]) = gates_from_quantiles(qlo[p], qhi[p], g.int_lo, g.int_hi);
    }
}

/// The most sorted levels held in registers ([`in_registers`]): quantile indices up to 2 places
/// from either end, as psana's defaults give (3rd smallest and 3rd largest of 50).
const REG_LEVELS: usize = 3;

/// What [`in_registers`] works on: the block's rows (`len` pixels each, little-endian words),
/// the ADC bits, and where the two sorted values lie.
#[derive(Clone, Copy)]
struct Block<'a> {
    rows: &'a [&'a [u8]],
    len: usize,
    bits: u16,
    lo: Side,
    hi: Side,
}

/// The quantile values of the block's pixels when both lie less than [`REG_LEVELS`] places
/// from their end: the pixels in chunks, each chunk's levels kept in registers over all rows
/// (AVX-512 or AVX2 where available).
fn in_registers(kernel: Kernel, b: Block<'_>, qlo: &mut [u16], qhi: &mut [u16]) {
    #[cfg(target_arch = "x86_64")]
    if kernel == Kernel::Auto && use_avx512() {
        // SAFETY: the CPU supports AVX2 and AVX-512 F/BW/VL, checked at run time just above.
        unsafe { in_registers_avx512(b, qlo, qhi) };
        return;
    }
    #[cfg(target_arch = "x86_64")]
    if kernel == Kernel::Auto && use_avx2() {
        // SAFETY: the CPU supports AVX2, checked at run time just above.
        unsafe { in_registers_avx2(b, qlo, qhi) };
        return;
    }
    let _ = kernel;
    in_registers_generic::<16>(b, qlo, qhi);
}

/// [`in_registers_generic`] compiled with AVX-512 (F, BW, VL), 32 pixels at a time.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,avx512f,avx512bw,avx512vl")]
fn in_registers_avx512(b: Block<'_>, qlo: &mut [u16], qhi: &mut [u16]) {
    in_registers_generic::<32>(b, qlo, qhi);
}

/// [`in_registers_generic`] compiled with AVX2, 16 pixels at a time.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn in_registers_avx2(b: Block<'_>, qlo: &mut [u16], qhi: &mut [u16]) {
    in_registers_generic::<16>(b, qlo, qhi);
}

/// [`in_registers`] with `L` pixels per chunk.
#[inline(always)]
fn in_registers_generic<const L: usize>(b: Block<'_>, qlo: &mut [u16], qhi: &mut [u16]) {
    let whole = b.len - b.len % L;
    for p0 in (0..whole).step_by(L) {
        levels_chunk::<L>(&b, p0, qlo, qhi);
    }
    for p0 in whole..b.len {
        levels_chunk::<1>(&b, p0, qlo, qhi);
    }
}

/// The min/max insertion of every row into [`REG_LEVELS`] levels of each side, for the `W`
/// pixels from `p0`; writes the quantile values of these pixels.
#[inline(always)]
fn levels_chunk<const W: usize>(b: &Block<'_>, p0: usize, qlo: &mut [u16], qhi: &mut [u16]) {
    let (bits, lo, hi) = (b.bits, b.lo, b.hi);
    let mut low = [[u16::MAX; W]; REG_LEVELS];
    let mut high = [[u16::MAX; W]; REG_LEVELS];
    for row in b.rows {
        // The rows are read a cache line at a time, each from another place: fetch ahead.
        if p0.is_multiple_of(32) {
            prefetch(row.as_ptr().wrapping_add(2 * (p0 + PREFETCH)));
        }
        let v = words::<W>(&row[2 * p0..2 * (p0 + W)]);
        insert_levels(&mut low, &v, bits, lo.flip);
        insert_levels(&mut high, &v, bits, hi.flip);
    }
    for j in 0..W {
        qlo[p0 + j] = low[lo.depth][j] ^ lo.flip;
        qhi[p0 + j] = high[hi.depth][j] ^ hi.flip;
    }
}

/// Inserts `(v & bits) ^ flip` into the sorted `levels` of `W` pixels held in registers.
#[inline(always)]
fn insert_levels<const W: usize>(
    levels: &mut [[u16; W]; REG_LEVELS],
    v: &[u16; W],
    bits: u16,
    flip: u16,
) {
    let mut t = [0u16; W];
    for j in 0..W {
        t[j] = (v[j] & bits) ^ flip;
    }
    for level in levels.iter_mut() {
        for j in 0..W {
            let (a, b) = (level[j], t[j]);
            level[j] = a.min(b);
            t[j] = a.max(b);
        }
    }
}

/// Inserts one frame's values into the sorted levels (AVX2 where available).
fn insert(kernel: Kernel, row: &[u16], bits: u16, flip: u16, levels: &mut [u16], t: &mut [u16]) {
    #[cfg(target_arch = "x86_64")]
    if kernel == Kernel::Auto && use_avx2() {
        // SAFETY: the CPU supports AVX2, checked at run time just above.
        unsafe { insert_avx2(row, bits, flip, levels, t) };
        return;
    }
    let _ = kernel;
    insert_generic(row, bits, flip, levels, t);
}

/// [`insert_generic`] compiled with AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn insert_avx2(row: &[u16], bits: u16, flip: u16, levels: &mut [u16], t: &mut [u16]) {
    insert_generic(row, bits, flip, levels, t);
}

/// One step of the min/max insertion network: `levels` holds, level after level, the
/// smallest, second smallest, ... value seen so far of each of the `row.len()` pixels
/// (`u16::MAX` until enough values came); `(v & bits) ^ flip` is inserted for each pixel.
#[inline(always)]
fn insert_generic(row: &[u16], bits: u16, flip: u16, levels: &mut [u16], t: &mut [u16]) {
    let len = row.len();
    let t = &mut t[..len];
    for p in 0..len {
        t[p] = (row[p] & bits) ^ flip;
    }
    for level in levels.chunks_exact_mut(len) {
        for p in 0..len {
            let (a, v) = (level[p], t[p]);
            level[p] = a.min(v);
            t[p] = a.max(v);
        }
    }
}

/// The sorted element at index `i` per pixel, by gathering and `select_nth_unstable`.
fn kth_select(rows: &[&[u8]], bits: u16, i: usize, out: &mut [u16]) {
    let mut v = vec![0u16; rows.len()];
    for (p, q) in out.iter_mut().enumerate() {
        for (x, row) in v.iter_mut().zip(rows) {
            *x = u16::from_le_bytes([row[2 * p], row[2 * p + 1]]) & bits;
        }
        *q = *v.select_nth_unstable(i).1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gates_equal_sorted_quantiles_on_any_path() {
        let (npix, n) = (CHUNK + 100, 60);
        let mut seed = 5u64;
        let mut rnd = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as u16
        };
        let block: Vec<u16> = (0..npix * n).map(|_| rnd()).collect();
        // The frames' little-endian bytes one byte into a buffer: every row at an odd address.
        let mut odd = vec![0u8];
        odd.extend(block.iter().flat_map(|v| v.to_le_bytes()));
        // (0.01, 0.99), (0.05, 0.95) and (0.0, 1.0): levels in registers (depths 0 and 2);
        // (0.2, 0.8): levels in memory; (0.5, 0.5): deeper than MAX_DEPTH, by selection.
        let fracs = [
            (0.01, 0.99),
            (0.05, 0.95),
            (0.2, 0.8),
            (0.0, 1.0),
            (0.5, 0.5),
        ];
        for (fraclo, frachi) in fracs {
            let (ilo, ihi) = GateConsts::quantile_indices(n, fraclo, frachi);
            let g = GateConsts {
                data_bits: 0x3fff,
                n,
                ilo,
                ihi,
                int_lo: 1.0,
                int_hi: 16000.0,
            };
            for (start, len) in [(0, CHUNK), (CHUNK, 100), (3, 517)] {
                // The reference: each pixel's masked values sorted.
                let sorted: Vec<Vec<u16>> = (start..start + len)
                    .map(|p| {
                        let mut v: Vec<u16> =
                            (0..n).map(|k| block[k * npix + p] & 0x3fff).collect();
                        v.sort_unstable();
                        v
                    })
                    .collect();
                let want: (Vec<u16>, Vec<u16>) = sorted
                    .iter()
                    .map(|v| gates_from_quantiles(v[ilo], v[ihi], g.int_lo, g.int_hi))
                    .unzip();
                let rows: Vec<&[u8]> = (0..n)
                    .map(|k| &odd[1 + 2 * (k * npix + start)..1 + 2 * (k * npix + start + len)])
                    .collect();
                for kernel in [Kernel::Portable, Kernel::Auto] {
                    let (mut lo, mut hi) = (vec![0u16; len], vec![0u16; len]);
                    gates_tile(kernel, &rows, len, &g, &mut lo, &mut hi);
                    assert_eq!((lo, hi), want, "{fraclo} {frachi} {start} {len} {kernel:?}");
                }
                // Every compiled version of the levels in registers this CPU can run.
                let (slo, shi) = (Side::of(n, ilo), Side::of(n, ihi));
                if slo.depth < REG_LEVELS && shi.depth < REG_LEVELS {
                    let quantiles: (Vec<u16>, Vec<u16>) =
                        sorted.iter().map(|v| (v[ilo], v[ihi])).unzip();
                    type Path = fn(Block<'_>, &mut [u16], &mut [u16]);
                    let mut paths: Vec<Path> = vec![in_registers_generic::<16>];
                    #[cfg(target_arch = "x86_64")]
                    if crate::cpu::avx2_detected() {
                        // SAFETY: called only where the CPU has AVX2.
                        paths.push(|b, ql, qh| unsafe { in_registers_avx2(b, ql, qh) });
                        if crate::cpu::avx512_detected() {
                            // SAFETY: called only where the CPU has AVX-512 F/BW/VL.
                            paths.push(|b, ql, qh| unsafe { in_registers_avx512(b, ql, qh) });
                        }
                    }
                    let block = Block {
                        rows: &rows,
                        len,
                        bits: 0x3fff,
                        lo: slo,
                        hi: shi,
                    };
                    for (i, path) in paths.iter().enumerate() {
                        let (mut ql, mut qh) = (vec![0u16; len], vec![0u16; len]);
                        path(block, &mut ql, &mut qh);
                        assert_eq!((ql, qh), quantiles, "path {i} {fraclo} {start} {len}");
                    }
                }
            }
        }
    }
}
