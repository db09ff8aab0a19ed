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
    let mut bad = [0];
    let fr = Frames {
        raws: &[raw],
        outs: &mut [out],
        bad: &mut bad,
        sums: None,
    };
    halves(fr, c, cols, plan, s);
    bad[0]
}

/// The same half panel of several frames: `raws[f]` is calibrated into `outs[f]` (none
/// written where `outs` is empty), `bad[f]` gets the number of its pixels with gain bits `10`,
/// and each calibrated value is added to its pixel's `sums`, if given, frame after frame.
pub(crate) struct Frames<'a, 'b> {
    pub raws: &'a [&'b [u16]],
    pub outs: &'a mut [&'b mut [f32]],
    pub bad: &'a mut [usize],
    pub sums: Option<&'a mut [f64]>,
}

/// Calibrates the same half panel of several frames ([`applies`] must hold), row by row with
/// the frames innermost, so that a row's constants are read from memory once for all the
/// frames.
#[inline(always)]
pub(crate) fn halves(fr: Frames, c: &HalfConsts, cols: usize, plan: &CmPlan, s: &mut Scratch) {
    let Frames {
        raws,
        outs,
        bad,
        mut sums,
    } = fr;
    let frames = raws.len();
    bad.fill(0);
    if frames == 0 {
        return;
    }
    let rows = raws[0].len() / cols;
    let bw = bank_width(cols);
    // The pixels not in gain 0, each with its gain bits (for the prefetches, which come
    // before the row's raw words are in the cache).
    s.lists.resize_with(frames, Vec::new);
    for (raw, list) in raws.iter().zip(&mut s.lists) {
        find_switched_with(raw, list, |i, w| i | (w as u32 >> 14) << 30);
    }
    s.cm.wires.resize(common_mode::row_wires(plan), [0; LANES]);
    s.cm.keys.resize(cols, 0);
    s.good_f.resize(cols, 0.0);
    let avx2 = crate::cpu::use_avx2();
    s.row.resize(2 * cols, 0.0);
    let (v, o) = s.row.split_at_mut(cols);
    // Per frame, `here` walks the switched list for the current row, `next` for the rows
    // being prefetched.
    s.cursors.clear();
    s.cursors.resize(2 * frames, 0);
    let (here, next) = s.cursors.split_at_mut(frames);
    // Steps are (row, frame) pairs in order; the raw row of the step `AHEAD` steps on and the
    // constants of the row that many steps on are prefetched, a bank at a time (a burst of
    // prefetches would stall on the few fill buffers).
    let steps = rows * frames;
    let const_ahead = AHEAD.div_ceil(frames);
    for q in 0..AHEAD.min(steps) {
        let (r, f) = (q / frames, q % frames);
        prefetch_lines(bytes(&raws[f][r * cols..(r + 1) * cols]));
        next[f] = prefetch_switched_row(c, (r + 1) * cols, &s.lists[f], next[f]);
    }
    for r in 0..const_ahead.min(rows) {
        prefetch_consts(c, r * cols, cols);
        if let Some(sums) = sums.as_deref() {
            prefetch_lines(bytes(&sums[r * cols..(r + 1) * cols]));
        }
    }
    for r in 0..rows {
        let at = r * cols;
        let cc = c.range(at, cols);
        let consts_ahead = (r + const_ahead < rows).then_some(at + const_ahead * cols);
        for f in 0..frames {
            let q = r * frames + f + AHEAD;
            let raw_ahead = (q < steps).then(|| {
                let (ra, fa) = (q / frames, q % frames);
                next[fa] = prefetch_switched_row(c, (ra + 1) * cols, &s.lists[fa], next[fa]);
                &raws[fa][ra * cols..(ra + 1) * cols]
            });
            let rr = &raws[f][at..at + cols];
            // v, good flags and keys, bank by bank.
            let mut count = [0usize; LANES];
            let mut nan = [false; LANES];
            let (good, keys) = (&mut s.good_f[..cols], &mut s.cm.keys[..cols]);
            for b in 0..NBANKS {
                let k = b * bw..(b + 1) * bw;
                if let Some(ra) = raw_ahead {
                    prefetch_lines(bytes(&ra[k.clone()]));
                }
                if let Some(a) = consts_ahead.filter(|_| f == 0) {
                    prefetch_consts(c, a + k.start, bw);
                    if let Some(sums) = sums.as_deref() {
                        prefetch_lines(bytes(&sums[a + k.start..][..bw]));
                    }
                }
                let (cnt, nn) = keys_of(
                    avx2,
                    &rr[k.clone()],
                    &cc.poff[0][k.clone()],
                    &cc.mask[k.clone()],
                    &mut v[k.clone()],
                    &mut good[k.clone()],
                    &mut keys[k],
                );
                count[b] = cnt as usize;
                nan[b] = nn;
            }
            let est = common_mode::row_estimates(plan, &s.cm.keys, &count, &nan, &mut s.cm.wires);
            // out = (v - cm * good) * gfac * mask, bank by bank.
            for (b, e) in est.iter().enumerate() {
                let k = b * bw..(b + 1) * bw;
                let it = o[k.clone()]
                    .iter_mut()
                    .zip(&v[k.clone()])
                    .zip(&s.good_f[k.clone()])
                    .zip(&cc.gfac[0][k.clone()])
                    .zip(&cc.mask[k]);
                match *e {
                    Some(cm) => {
                        for ((((o, &x), &g), &f), &m) in it {
                            *o = (x - cm * g) * f * m as f32;
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
            let list = &s.lists[f];
            while here[f] < list.len() && ((list[here[f]] & INDEX) as usize) < at + cols {
                let i = (list[here[f]] & INDEX) as usize - at;
                o[i] = match gain_index(rr[i]) {
                    Some(g) => {
                        let x = (rr[i] & DATA_BITS) as f32 - cc.poff[g][i];
                        x * cc.gfac[g][i] * cc.mask[i] as f32
                    }
                    None => {
                        bad[f] += 1;
                        0.0
                    }
                };
                here[f] += 1;
            }
            if let Some(sums) = sums.as_deref_mut() {
                add_row(&mut sums[at..at + cols], o);
            }
            if let Some(out) = outs.get_mut(f) {
                store_row(&mut out[at..at + cols], o);
            }
        }
    }
    store_fence();
}

/// Prefetches the lines of `s`.
#[inline(always)]
fn prefetch_lines(s: &[u8]) {
    for line in s.chunks(64) {
        prefetch(line);
    }
}

/// Prefetches the gain-0 constants and the mask of pixels `at..at + n`.
#[inline(always)]
fn prefetch_consts(c: &HalfConsts, at: usize, n: usize) {
    let r = at..at + n;
    prefetch_lines(bytes(&c.poff[0][r.clone()]));
    prefetch_lines(bytes(&c.gfac[0][r.clone()]));
    prefetch_lines(&c.mask[r]);
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

/// Adds a finished row to its pixels' sums.
#[inline(always)]
fn add_row(sums: &mut [f64], row: &[f32]) {
    for (s, &x) in sums.iter_mut().zip(row) {
        *s += f64::from(x);
    }
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

/// One bank's values `v = raw - poff`, good flags (1.0 for gain 0 and not masked, else 0.0) and
/// median keys ([`KEY_INF`] where not good); returns the count of good pixels and whether one
/// is NaN. `avx2`: with AVX2 intrinsics where the CPU has them (the same results).
#[inline(always)]
fn keys_of(
    avx2: bool,
    raw: &[u16],
    poff: &[f32],
    mask: &[u8],
    v: &mut [f32],
    good: &mut [f32],
    keys: &mut [i32],
) -> (u32, bool) {
    #[cfg(target_arch = "x86_64")]
    if avx2 && crate::cpu::avx2_detected() {
        // SAFETY: the CPU has AVX2, checked just above.
        return unsafe { keys_of_avx2(raw, poff, mask, v, good, keys) };
    }
    let _ = avx2;
    keys_plain(raw, poff, mask, v, good, keys)
}

/// [`keys_of`] in plain code (vectorized as the compiler can).
#[inline(always)]
fn keys_plain(
    raw: &[u16],
    poff: &[f32],
    mask: &[u8],
    v: &mut [f32],
    good: &mut [f32],
    keys: &mut [i32],
) -> (u32, bool) {
    let it = v
        .iter_mut()
        .zip(good)
        .zip(keys)
        .zip(raw)
        .zip(poff)
        .zip(mask);
    let (mut cnt, mut nn) = (0u32, false);
    for (((((v, g), k), &r), &p), &m) in it {
        let x = r as f32 - p;
        let ok = (m != 0) & (r >> 14 == 0);
        *v = x;
        *g = ok as u32 as f32;
        *k = if ok { key(x) } else { KEY_INF };
        cnt += ok as u32;
        nn |= ok & x.is_nan();
    }
    (cnt, nn)
}

/// [`keys_of`] with AVX2 intrinsics, 8 pixels at a time (the tail, if any, plainly).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn keys_of_avx2(
    raw: &[u16],
    poff: &[f32],
    mask: &[u8],
    v: &mut [f32],
    good: &mut [f32],
    keys: &mut [i32],
) -> (u32, bool) {
    use core::arch::x86_64::*;
    let n = raw.len();
    assert!(poff.len() == n && mask.len() == n && v.len() == n && good.len() == n);
    assert!(keys.len() == n);
    let zero = _mm256_setzero_si256();
    let gain0_end = _mm256_set1_epi32(0x4000);
    let one = _mm256_castps_si256(_mm256_set1_ps(1.0));
    let kinf = _mm256_set1_epi32(KEY_INF);
    let (mut cnt, mut nan) = (zero, zero);
    let mut j = 0;
    while j + 8 <= n {
        // SAFETY: `j + 8 <= n` and every slice holds `n` elements (asserted above), so each
        // unaligned load and store touches only elements of its slice.
        unsafe {
            let r = _mm256_cvtepu16_epi32(_mm_loadu_si128(raw.as_ptr().add(j).cast()));
            let x = _mm256_sub_ps(_mm256_cvtepi32_ps(r), _mm256_loadu_ps(poff.as_ptr().add(j)));
            let m = _mm256_cvtepu8_epi32(_mm_loadl_epi64(mask.as_ptr().add(j).cast()));
            let ok = _mm256_andnot_si256(
                _mm256_cmpeq_epi32(m, zero),
                _mm256_cmpgt_epi32(gain0_end, r),
            );
            let xb = _mm256_castps_si256(x);
            let k = _mm256_xor_si256(xb, _mm256_srli_epi32::<1>(_mm256_srai_epi32::<31>(xb)));
            _mm256_storeu_ps(v.as_mut_ptr().add(j), x);
            _mm256_storeu_si256(good.as_mut_ptr().add(j).cast(), _mm256_and_si256(ok, one));
            _mm256_storeu_si256(
                keys.as_mut_ptr().add(j).cast(),
                _mm256_blendv_epi8(kinf, k, ok),
            );
            cnt = _mm256_sub_epi32(cnt, ok);
            let isnan = _mm256_castps_si256(_mm256_cmp_ps::<_CMP_UNORD_Q>(x, x));
            nan = _mm256_or_si256(nan, _mm256_and_si256(ok, isnan));
        }
        j += 8;
    }
    let mut lanes = [0u32; 8];
    // SAFETY: `lanes` is 32 bytes.
    unsafe { _mm256_storeu_si256(lanes.as_mut_ptr().cast(), cnt) };
    let (tail, tail_nan) = keys_plain(
        &raw[j..],
        &poff[j..],
        &mask[j..],
        &mut v[j..],
        &mut good[j..],
        &mut keys[j..],
    );
    let count: u32 = lanes.iter().sum::<u32>() + tail;
    (count, tail_nan || _mm256_testz_si256(nan, nan) == 0)
}
