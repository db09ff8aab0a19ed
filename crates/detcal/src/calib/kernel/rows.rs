/*!
JUNGFRAU half panels with the row common mode alone (the default, mode 1), one row at a time.

The same numbers as the general path in [`super::jungfrau_half`] (subtract, then
[`common_mode::rows`], then scale), in fewer passes over memory: each row of 1024 pixels is
subtracted, keyed, corrected, scaled and fixed up while it sits in the L1 cache, the streams of
a few rows ahead are prefetched meanwhile, and the finished row goes to the output with
non-temporal stores where the output is aligned for them (no read of the output's old
contents).
*/

use super::{DATA_BITS, HalfConsts, Scratch, bytes, find_switched_with, gain_index, prefetch};
use crate::calib::common_mode::{self, CmPlan, NBANKS};
use crate::calib::median::{KEY_INF, LANES, key};
use crate::detector::jungfrau::bank_width;

/// How many rows ahead the input streams are prefetched.
const AHEAD: usize = 3;

/// Whether [`half`] can take a half panel of `len` pixels in rows of `cols` with this common
/// mode.
pub(crate) fn applies(plan: &CmPlan, cols: usize, len: usize) -> bool {
    plan.params.mode == 1
        && cols.is_multiple_of(NBANKS)
        && bank_width(cols).is_multiple_of(8)
        && len <= INDEX as usize
}

/// The bits of a switched-list entry that hold the pixel's index; the gain bits are above.
const INDEX: u32 = (1 << 30) - 1;

/// Calibrates one half panel with the row common mode ([`applies`] must hold). Returns the
/// number of pixels with gain bits `10`.
#[inline(always)]
pub(crate) fn half(
    raw: &[u16],
    out: &mut [f32],
    c: &HalfConsts,
    cols: usize,
    plan: &CmPlan,
    s: &mut Scratch,
) -> usize {
    let n = raw.len();
    let rows = n / cols;
    let bw = bank_width(cols);
    // The pixels not in gain 0, each with its gain bits (for the prefetches, which come
    // before the row's raw words are in the cache).
    find_switched_with(raw, &mut s.switched, |i, w| i | (w as u32 >> 14) << 30);
    s.cm.wires.resize(common_mode::row_wires(plan), [0; LANES]);
    s.cm.keys.resize(cols, 0);
    s.good.resize(cols, 0);
    s.row.resize(2 * cols, 0.0);
    let (v, o) = s.row.split_at_mut(cols);
    let list = &s.switched[..];
    // `next` walks the switched list for the rows being prefetched, `here` for the current row.
    let (mut here, mut next) = (0usize, 0usize);
    for r in 0..AHEAD.min(rows) {
        prefetch_streams(raw, c, r * cols, cols);
        next = prefetch_switched_row(c, (r + 1) * cols, list, next);
    }
    let mut bad = 0;
    for r in 0..rows {
        let at = r * cols;
        // The streams of the row `AHEAD` rows on, a bank at a time (a burst of prefetches
        // would stall on the few fill buffers).
        let ahead = (r + AHEAD < rows).then_some(at + AHEAD * cols);
        if let Some(a) = ahead {
            next = prefetch_switched_row(c, a + cols, list, next);
        }
        let rr = &raw[at..at + cols];
        let cc = c.range(at, cols);
        // v, good flags and keys, bank by bank (vectorizes).
        let mut count = [0usize; LANES];
        let mut nan = [false; LANES];
        for b in 0..NBANKS {
            let k = b * bw..(b + 1) * bw;
            if let Some(a) = ahead {
                prefetch_streams(raw, c, a + k.start, bw);
            }
            let it = v[k.clone()]
                .iter_mut()
                .zip(&mut s.good[k.clone()])
                .zip(&mut s.cm.keys[k.clone()])
                .zip(&rr[k.clone()])
                .zip(&cc.poff[0][k.clone()])
                .zip(&cc.mask[k]);
            let (mut cnt, mut nn) = (0u32, 0u32);
            for (((((v, g), key_out), &r), &p), &m) in it {
                let x = r as f32 - p;
                let ok = (m != 0) & (r >> 14 == 0);
                *v = x;
                *g = ok as u8;
                *key_out = if ok { key(x) } else { KEY_INF };
                cnt += ok as u32;
                nn |= (ok & x.is_nan()) as u32;
            }
            count[b] = cnt as usize;
            nan[b] = nn != 0;
        }
        let est = common_mode::row_estimates(plan, &s.cm.keys, &count, &nan, &mut s.cm.wires);
        // out = (v - cm * good) * gfac * mask, bank by bank.
        for (b, e) in est.iter().enumerate() {
            let k = b * bw..(b + 1) * bw;
            let it = o[k.clone()]
                .iter_mut()
                .zip(&v[k.clone()])
                .zip(&s.good[k.clone()])
                .zip(&cc.gfac[0][k.clone()])
                .zip(&cc.mask[k]);
            match *e {
                Some(cm) => {
                    for ((((o, &x), &g), &f), &m) in it {
                        *o = (x - cm * g as f32) * f * m as f32;
                    }
                }
                None => {
                    for ((((o, &x), _), &f), &m) in it {
                        *o = x * f * m as f32;
                    }
                }
            }
        }
        // The pixels not in gain 0 (no common mode), from their raw values.
        while here < list.len() && ((list[here] & INDEX) as usize) < at + cols {
            let i = (list[here] & INDEX) as usize - at;
            o[i] = match gain_index(rr[i]) {
                Some(g) => {
                    let x = (rr[i] & DATA_BITS) as f32 - cc.poff[g][i];
                    x * cc.gfac[g][i] * cc.mask[i] as f32
                }
                None => {
                    bad += 1;
                    0.0
                }
            };
            here += 1;
        }
        store_row(&mut out[at..at + cols], o);
    }
    store_fence();
    bad
}

/// Prefetches the input streams of pixels `at..at + n`.
#[inline(always)]
fn prefetch_streams(raw: &[u16], c: &HalfConsts, at: usize, n: usize) {
    let r = at..at + n;
    for s in [
        bytes(&raw[r.clone()]),
        bytes(&c.poff[0][r.clone()]),
        bytes(&c.gfac[0][r.clone()]),
        &c.mask[r],
    ] {
        for line in s.chunks(64) {
            prefetch(line);
        }
    }
}

/// Prefetches the other gains' constants of the switched pixels `list[from..]` below `end`;
/// returns where the pixels from `end` on start.
#[inline(always)]
fn prefetch_switched_row(c: &HalfConsts, end: usize, list: &[u32], mut from: usize) -> usize {
    while from < list.len() && ((list[from] & INDEX) as usize) < end {
        let i = (list[from] & INDEX) as usize;
        // Bits 01 are gain 1, 11 gain 2; 10 needs nothing (a useless prefetch does no harm).
        let g = 1 + (list[from] >> 31) as usize;
        prefetch(bytes(&c.poff[g][i..]));
        prefetch(bytes(&c.gfac[g][i..]));
        from += 1;
    }
    from
}

/// Copies a finished row to the output: with non-temporal stores where the output is 16-byte
/// aligned (x86_64), else plainly.
#[inline(always)]
fn store_row(out: &mut [f32], row: &[f32]) {
    #[cfg(target_arch = "x86_64")]
    if (out.as_ptr() as usize).is_multiple_of(16) {
        use core::arch::x86_64::{_mm_loadu_ps, _mm_stream_ps};
        let (o4, _) = out.as_chunks_mut::<4>();
        let (r4, _) = row.as_chunks::<4>();
        for (o, r) in o4.iter_mut().zip(r4) {
            // SAFETY: SSE is part of the x86_64 baseline; `o` is 16-byte aligned (the
            // output is, and each chunk is 16 bytes) and both point at 4 valid floats.
            unsafe { _mm_stream_ps(o.as_mut_ptr(), _mm_loadu_ps(r.as_ptr())) };
        }
        let done = o4.len() * 4;
        out[done..].copy_from_slice(&row[done..]);
        return;
    }
    out.copy_from_slice(row);
}

/// Orders the non-temporal stores of [`store_row`] before anything stored after it.
#[inline(always)]
fn store_fence() {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: SSE is part of the x86_64 baseline.
    unsafe {
        core::arch::x86_64::_mm_sfence()
    };
}
