/*!
JUNGFRAU half panels with the row common mode alone (the default, mode 1), one row at a time.

The same numbers as the general path in [`super::jungfrau_half`] (subtract, then
[`common_mode::rows`], then scale), in fewer passes over memory and fewer steps per pixel. Each
row of 1024 pixels, while it sits in the L1 cache:
1. `v = raw - poff[0]`, the median keys of its banks, put straight into the row network's wires,
   and the list of the pixels that are not good (masked, or not in gain 0), found as the row
   is read; the constants of those in gain 1 and 2 are prefetched;
2. the banks' corrections from the wires ([`common_mode::row_estimates_wired`]);
3. `out = (v - cm) * gfac[0]` for every pixel (`cm` 0 where a bank gets none);
4. during the next row (or frame), when their constants have arrived, the listed pixels are
   redone from their raw words with their own gain's constants and the mask, and the row is
   stored.

Step 3 equals `(v - cm * good) * gfac * mask` on the good pixels (`good` and `mask` are 1),
and every other pixel is redone in step 4: for a masked gain-0 pixel `(v - cm * 0) * gfac * 0`
is `v * gfac * 0`, because `v` is never `-0.0` (a raw word is a non-negative integer).
The inputs of rows a few steps ahead are prefetched meanwhile, and the finished row goes to the
output with non-temporal stores where the output is aligned for them (no read of the output's
old contents).
*/

use super::{DATA_BITS, HalfConsts, Scratch, bytes, gain_index, prefetch};
use crate::calib::common_mode::{self, CmPlan, NBANKS};
use crate::calib::median::{KEY_INF, LANES, Wire, key};
use crate::detector::jungfrau::bank_width;

/// How many (row, frame) steps ahead the raw rows are prefetched.
const AHEAD: usize = 3;

/// Whether [`half`] can take a half panel of `len` pixels in rows of `cols` with this common
/// mode.
pub(crate) fn applies(plan: &CmPlan, cols: usize, len: usize) -> bool {
    plan.params.mode == 1
        && cols.is_multiple_of(NBANKS)
        && bank_width(cols).is_multiple_of(8)
        && u32::try_from(cols).is_ok()
        && len.is_multiple_of(cols)
}

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
    // Step 3 takes a good pixel's mask as 1 and the keys take a mask as 1 or 0.
    debug_assert!(
        c.mask.iter().all(|&m| m <= 1),
        "mask values other than 0 and 1"
    );
    let rows = raws[0].len() / cols;
    let bw = bank_width(cols);
    s.cm.wires.resize(common_mode::row_wires(plan), [0; LANES]);
    s.cm.keys.resize(cols, 0);
    s.fix.resize(2 * cols, 0);
    let avx2 = crate::cpu::use_avx2();
    s.row.resize(3 * cols, 0.0);
    let (v, o) = s.row.split_at_mut(cols);
    // A step's row is finished (its listed pixels redone, then stored) during the next step,
    // so that the constants of its pixels in gain 1 and 2, prefetched as they are found, have
    // arrived: two rows of results and two lists, swapped at each step.
    let (mut o_now, mut o_then) = o.split_at_mut(cols);
    let (mut fix_now, mut fix_then) = s.fix.split_at_mut(cols);
    let mut then: Option<Waiting> = None;
    // Steps are (row, frame) pairs in order; the raw row `AHEAD` steps on and the constants
    // of the row that many steps on are prefetched, a bank at a time (a burst of prefetches
    // would stall on the few fill buffers).
    let steps = rows * frames;
    let const_ahead = AHEAD.div_ceil(frames);
    for q in 0..AHEAD.min(steps) {
        let (r, f) = (q / frames, q % frames);
        prefetch_lines(bytes(&raws[f][r * cols..(r + 1) * cols]));
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
            let raw_ahead = (q < steps).then(|| &raws[q % frames][q / frames * cols..][..cols]);
            let consts_ahead = consts_ahead.filter(|_| f == 0);
            let rr = &raws[f][at..at + cols];
            // 1. Values, keys and counts; the pixels to redo.
            let (keys, wires) = (&mut s.cm.keys[..cols], &mut s.cm.wires[..]);
            let row = keys_of(avx2, rr, cc.poff[0], cc.mask, v, keys, wires, fix_now, bw);
            prefetch_fixes(&cc, rr, &fix_now[..row.nfix]);
            // 2. The banks' corrections.
            let est = common_mode::row_estimates_wired(plan, bw, &row.count, &row.nan, wires);
            // 3. out = (v - cm) * gfac, bank by bank.
            for (b, e) in est.iter().enumerate() {
                let k = b * bw..(b + 1) * bw;
                if let Some(ra) = raw_ahead {
                    prefetch_lines(bytes(&ra[k.clone()]));
                }
                if let Some(a) = consts_ahead {
                    prefetch_consts(c, a + k.start, bw);
                    if let Some(sums) = sums.as_deref() {
                        prefetch_lines(bytes(&sums[a + k.start..][..bw]));
                    }
                }
                let cm = e.unwrap_or(0.0);
                for ((o, &x), &g) in o_now[k.clone()]
                    .iter_mut()
                    .zip(&v[k.clone()])
                    .zip(&cc.gfac[0][k])
                {
                    *o = (x - cm) * g;
                }
            }
            // 4. The step before: its listed pixels redone, the row stored.
            if let Some(w) = then.take() {
                let out = outs.get_mut(w.f).map(|o| &mut o[w.at..w.at + cols]);
                let sums = sums.as_deref_mut().map(|s| &mut s[w.at..w.at + cols]);
                bad[w.f] += finish(avx2, c, raws[w.f], w, o_then, fix_then, sums, out);
            }
            then = Some(Waiting {
                at,
                f,
                nfix: row.nfix,
            });
            std::mem::swap(&mut o_now, &mut o_then);
            std::mem::swap(&mut fix_now, &mut fix_then);
        }
    }
    if let Some(w) = then {
        let out = outs.get_mut(w.f).map(|o| &mut o[w.at..w.at + cols]);
        let sums = sums.map(|s| &mut s[w.at..w.at + cols]);
        bad[w.f] += finish(avx2, c, raws[w.f], w, o_then, fix_then, sums, out);
    }
    store_fence();
}

/// A step whose row waits to be finished: the row's first pixel, the frame, and how many
/// pixels of the row are listed to be redone.
#[derive(Clone, Copy)]
struct Waiting {
    at: usize,
    f: usize,
    nfix: usize,
}

/// Finishes the row of step `w` in `o`: redoes its listed pixels (`fix`, places in the row) from
/// their raw words in `raw` (the frame's half panel) with their own gain's constants and the
/// mask, adds the row to `sums` and stores it in `out`, where given. Returns the number of
/// pixels with gain bits `10`.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn finish(
    avx2: bool,
    c: &HalfConsts,
    raw: &[u16],
    w: Waiting,
    o: &mut [f32],
    fix: &[u32],
    sums: Option<&mut [f64]>,
    out: Option<&mut [f32]>,
) -> usize {
    let n = o.len();
    let (rr, cc) = (&raw[w.at..w.at + n], c.range(w.at, n));
    let mut bad = 0;
    for &i in &fix[..w.nfix] {
        let i = i as usize;
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
    }
    if let Some(sums) = sums {
        add_row(sums, o);
    }
    if let Some(out) = out {
        store_row(avx2, out, o);
    }
    bad
}

/// Prefetches the lines of `s`.
#[inline(always)]
fn prefetch_lines(s: &[u8]) {
    for at in (0..s.len()).step_by(64) {
        prefetch(&s[at..]);
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

/// Prefetches the other gains' constants of the row's pixels `fix` (places in the row `raw`)
/// that are in gain 1 or 2: their redoing, after the row's median, reads them.
#[inline(always)]
fn prefetch_fixes(c: &HalfConsts, raw: &[u16], fix: &[u32]) {
    for &i in fix {
        let i = i as usize;
        if raw[i] >> 14 != 0 {
            // Bits 01 are gain 1, 11 gain 2; 10 needs nothing (a useless prefetch does no harm).
            let g = 1 + (raw[i] >> 15) as usize;
            prefetch(bytes(&c.poff[g][i..]));
            prefetch(bytes(&c.gfac[g][i..]));
        }
    }
}

/// Copies a finished row to the output: with non-temporal stores where the output is 16-byte
/// aligned (x86_64; 32 bytes at a time with `avx2`), else plainly.
#[inline(always)]
fn store_row(avx2: bool, out: &mut [f32], row: &[f32]) {
    #[cfg(target_arch = "x86_64")]
    if (out.as_ptr() as usize).is_multiple_of(16) {
        if avx2 && crate::cpu::avx2_detected() {
            // SAFETY: the CPU has AVX2 (and so AVX), checked just above.
            unsafe { stream_avx(out, row) };
            return;
        }
        let done = stream_sse(out, row);
        out[done..].copy_from_slice(&row[done..]);
        return;
    }
    let _ = avx2;
    out.copy_from_slice(row);
}

/// Stores `row` into the 16-byte aligned `out` with non-temporal stores of 4 floats; returns
/// how many were stored (the rest, fewer than 4, are left).
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn stream_sse(out: &mut [f32], row: &[f32]) -> usize {
    use core::arch::x86_64::{_mm_loadu_ps, _mm_stream_ps};
    let (o4, _) = out.as_chunks_mut::<4>();
    let (r4, _) = row.as_chunks::<4>();
    for (o, r) in o4.iter_mut().zip(r4) {
        // SAFETY: SSE is part of the x86_64 baseline; `o` is 16-byte aligned (the output is,
        // and each chunk is 16 bytes) and both point at 4 valid floats.
        unsafe { _mm_stream_ps(o.as_mut_ptr(), _mm_loadu_ps(r.as_ptr())) };
    }
    o4.len().min(r4.len()) * 4
}

/// [`store_row`] for the 16-byte aligned `out` with 32-byte non-temporal stores, after one of
/// 16 bytes where `out` is not 32-byte aligned.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx")]
fn stream_avx(out: &mut [f32], row: &[f32]) {
    use core::arch::x86_64::{_mm256_loadu_ps, _mm256_stream_ps};
    let n = out.len().min(row.len());
    let mut j = 0;
    if !(out.as_ptr() as usize).is_multiple_of(32) {
        j = stream_sse(&mut out[..n.min(4)], &row[..n.min(4)]);
    }
    let (o8, _) = out[j..n].as_chunks_mut::<8>();
    let (r8, _) = row[j..n].as_chunks::<8>();
    for (o, r) in o8.iter_mut().zip(r8) {
        // SAFETY: AVX is enabled here; `o` is 32-byte aligned (the output from `j` is, and each
        // chunk is 32 bytes) and both point at 8 valid floats.
        unsafe { _mm256_stream_ps(o.as_mut_ptr(), _mm256_loadu_ps(r.as_ptr())) };
    }
    j += o8.len() * 8;
    j += stream_sse(&mut out[j..n], &row[j..n]);
    out[j..n].copy_from_slice(&row[j..n]);
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

/// What [`keys_of`] found in a row: per bank the number of good pixels and whether one of them
/// is NaN; the number of pixels listed as not good.
struct RowScan {
    count: [usize; LANES],
    nan: [bool; LANES],
    nfix: usize,
}

/// One row's values `v = raw - poff` and median keys ([`KEY_INF`] where not good), in the row
/// network's wires (`wires[j][b]` for pixel `j` of bank `b`, banks of `bw` pixels; `keys` is
/// working space); the places of the pixels that are not good (masked, or not in gain 0) go to
/// `fix`. `avx2`: with AVX2 intrinsics where the CPU has them (the same results).
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn keys_of(
    avx2: bool,
    raw: &[u16],
    poff: &[f32],
    mask: &[u8],
    v: &mut [f32],
    keys: &mut [i32],
    wires: &mut [Wire],
    fix: &mut [u32],
    bw: usize,
) -> RowScan {
    let n = raw.len();
    assert!(poff.len() == n && mask.len() == n && v.len() == n && keys.len() == n);
    assert!(fix.len() >= n && bw * NBANKS == n && wires.len() >= bw);
    assert!(u32::try_from(n).is_ok());
    #[cfg(target_arch = "x86_64")]
    if avx2 && bw.is_multiple_of(8) && crate::cpu::avx2_detected() {
        // SAFETY: the CPU has AVX2, checked just above; the lengths as it asks, asserted.
        return unsafe { keys_of_avx2(raw, poff, mask, v, wires, fix, bw) };
    }
    let _ = avx2;
    let scan = keys_plain(raw, poff, mask, v, keys, fix, bw);
    common_mode::transpose(keys, bw, wires);
    scan
}

/// [`keys_of`] in plain code, the keys in row order in `keys`.
#[inline(always)]
fn keys_plain(
    raw: &[u16],
    poff: &[f32],
    mask: &[u8],
    v: &mut [f32],
    keys: &mut [i32],
    fix: &mut [u32],
    bw: usize,
) -> RowScan {
    let mut scan = RowScan {
        count: [0; LANES],
        nan: [false; LANES],
        nfix: 0,
    };
    for b in 0..NBANKS {
        let (mut cnt, mut nn) = (0usize, false);
        for j in b * bw..(b + 1) * bw {
            let x = raw[j] as f32 - poff[j];
            let ok = (mask[j] != 0) & (raw[j] >> 14 == 0);
            v[j] = x;
            keys[j] = if ok { key(x) } else { KEY_INF };
            cnt += ok as usize;
            nn |= ok & x.is_nan();
            // Every place is written, and kept by counting it when the pixel is not good.
            fix[scan.nfix] = j as u32;
            scan.nfix += !ok as usize;
        }
        scan.count[b] = cnt;
        scan.nan[b] = nn;
    }
    scan
}

/// [`keys_of`] with AVX2 intrinsics: 8 pixels of 8 banks at a time, their keys transposed in
/// registers into 8 wires. A bank's good pixels are its pixels less those listed in `fix`; a
/// good NaN has a key above [`KEY_INF`] (positive) or below that of `-inf` (negative), which
/// each lane's largest key less that of `-inf`, unsigned, shows.
///
/// # Safety
/// The CPU has AVX2; `raw`, `poff`, `mask` and `v` hold `bw * NBANKS` elements, `fix` at least
/// that many and `wires` at least `bw`; 8 divides `bw`.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn keys_of_avx2(
    raw: &[u16],
    poff: &[f32],
    mask: &[u8],
    v: &mut [f32],
    wires: &mut [Wire],
    fix: &mut [u32],
    bw: usize,
) -> RowScan {
    use core::arch::x86_64::*;
    const _: () = assert!(LANES == NBANKS && NBANKS.is_multiple_of(8));
    let mut scan = RowScan {
        count: [bw; LANES],
        nan: [false; LANES],
        nfix: 0,
    };
    let kninf = _mm256_set1_epi32(key(f32::NEG_INFINITY));
    let wires = wires.as_mut_ptr();
    let mut nan_bits = 0u32;
    // Keys less that of -inf: those of numbers are 0..=`span` (as u32), those of NaN above.
    let span = KEY_INF.wrapping_sub(key(f32::NEG_INFINITY));
    for b0 in (0..NBANKS).step_by(8) {
        let mut top = _mm256_setzero_si256();
        let base: [usize; 8] = core::array::from_fn(|t| (b0 + t) * bw);
        for j in (0..bw).step_by(8) {
            // SAFETY: `base[t] + j + 8 <= bw * NBANKS`, which the slices hold (the caller
            // checks).
            let mut key = |t: usize| unsafe { key8(raw, poff, mask, v, base[t] + j) };
            let k = [
                key(0),
                key(1),
                key(2),
                key(3),
                key(4),
                key(5),
                key(6),
                key(7),
            ];
            // A bit per pixel, bank t's 8 in byte t; then a step per pixel that is not good
            // (rare).
            let good = k
                .iter()
                .rev()
                .fold(0u64, |a, &(_, g)| a << 8 | u64::from(g));
            let mut not_good = !good;
            while not_good != 0 {
                let p = not_good.trailing_zeros() as usize;
                let t = p / 8;
                fix[scan.nfix] = (base[t] + j + p % 8) as u32;
                scan.nfix += 1;
                scan.count[b0 + t] -= 1;
                not_good &= not_good - 1;
            }
            for (t, w) in transpose8(k.map(|(k, _)| k)).into_iter().enumerate() {
                top = _mm256_max_epu32(top, _mm256_sub_epi32(w, kninf));
                // SAFETY: `j + t < bw <= wires.len()`, and lanes `b0..b0 + 8` are in the wire.
                unsafe { _mm256_storeu_si256(wires.add(j + t).cast::<i32>().add(b0).cast(), w) };
            }
        }
        // top > span, i.e. max(top, span + 1) == top.
        let above = _mm256_set1_epi32(span.wrapping_add(1));
        let nan = _mm256_cmpeq_epi32(_mm256_max_epu32(top, above), top);
        nan_bits |= (_mm256_movemask_ps(_mm256_castsi256_ps(nan)) as u32) << b0;
    }
    for (b, n) in scan.nan.iter_mut().enumerate() {
        *n = nan_bits >> b & 1 != 0;
    }
    scan
}

/// The keys of pixels `at..at + 8` ([`KEY_INF`] where not good) and a bit per good pixel;
/// stores their values `raw - poff` in `v`.
///
/// # Safety
/// The CPU has AVX2, and `raw`, `poff`, `mask` and `v` hold at least `at + 8` elements.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[inline]
unsafe fn key8(
    raw: &[u16],
    poff: &[f32],
    mask: &[u8],
    v: &mut [f32],
    at: usize,
) -> (core::arch::x86_64::__m256i, u32) {
    use core::arch::x86_64::*;
    // SAFETY: the caller guarantees `at + 8` elements in each slice.
    unsafe {
        let r = _mm256_cvtepu16_epi32(_mm_loadu_si128(raw.as_ptr().add(at).cast()));
        let x = _mm256_sub_ps(
            _mm256_cvtepi32_ps(r),
            _mm256_loadu_ps(poff.as_ptr().add(at)),
        );
        let m = _mm256_cvtepu8_epi32(_mm_loadl_epi64(mask.as_ptr().add(at).cast()));
        // Good: the mask is 1 and the word below 0x4000 (gain 0), i.e. mask << 14 > raw.
        let ok = _mm256_cmpgt_epi32(_mm256_slli_epi32::<14>(m), r);
        let xb = _mm256_castps_si256(x);
        let sign = _mm256_srli_epi32::<1>(_mm256_srai_epi32::<31>(xb));
        _mm256_storeu_ps(v.as_mut_ptr().add(at), x);
        let key = _mm256_blendv_epi8(_mm256_set1_epi32(KEY_INF), _mm256_xor_si256(xb, sign), ok);
        (key, _mm256_movemask_ps(_mm256_castsi256_ps(ok)) as u32)
    }
}

/// The 8 x 8 transpose of 32-bit lanes: lane `i` of result `j` is lane `j` of `r[i]`.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[inline]
fn transpose8(r: [core::arch::x86_64::__m256i; 8]) -> [core::arch::x86_64::__m256i; 8] {
    use core::arch::x86_64::*;
    let t = |a, b| (_mm256_unpacklo_epi32(a, b), _mm256_unpackhi_epi32(a, b));
    let (t0, t1) = t(r[0], r[1]);
    let (t2, t3) = t(r[2], r[3]);
    let (t4, t5) = t(r[4], r[5]);
    let (t6, t7) = t(r[6], r[7]);
    let u = |a, b| (_mm256_unpacklo_epi64(a, b), _mm256_unpackhi_epi64(a, b));
    let (u0, u1) = u(t0, t2);
    let (u2, u3) = u(t1, t3);
    let (u4, u5) = u(t4, t6);
    let (u6, u7) = u(t5, t7);
    let p = |a, b| {
        (
            _mm256_permute2x128_si256::<0x20>(a, b),
            _mm256_permute2x128_si256::<0x31>(a, b),
        )
    };
    let (o0, o4) = p(u0, u4);
    let (o1, o5) = p(u1, u5);
    let (o2, o6) = p(u2, u6);
    let (o3, o7) = p(u3, u7);
    [o0, o1, o2, o3, o4, o5, o6, o7]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The AVX2 and the plain scan of a row give the same values, wires, counts, NaN flags and
    /// listed pixels (in another order): random rows with masked and switched pixels, NaN of
    /// both signs and infinite pedestals, widths of 16 x 8 to 16 x 64.
    #[test]
    fn avx2_row_scan_equals_the_plain_one() {
        if !crate::cpu::avx2_detected() {
            eprintln!("skipped: no AVX2 on this CPU");
            return;
        }
        let mut lcg = crate::calib::kernel::tests::Lcg(5);
        let mut rnd = move || lcg.next();
        for case in 0..200 {
            let bw = 8 * (1 + case % 8);
            let n = bw * NBANKS;
            let raw: Vec<u16> = (0..n)
                .map(|_| {
                    (rnd() % 4000) as u16 | [0, 0, 0, 0x4000, 0x8000, 0xc000][rnd() as usize % 6]
                })
                .collect();
            let odd = [f32::NAN, -f32::NAN, f32::INFINITY, f32::NEG_INFINITY, 0.0];
            let poff: Vec<f32> = (0..n)
                .map(|_| match rnd() % 40 {
                    k @ 0..5 if case % 3 == 0 => odd[k as usize],
                    _ => (rnd() % 4000) as f32 * 0.37,
                })
                .collect();
            let mask: Vec<u8> = (0..n).map(|_| (rnd() % 7 != 0) as u8).collect();
            let run = |avx2: bool| {
                let (mut v, mut keys, mut fix) = (vec![0f32; n], vec![0i32; n], vec![0u32; n]);
                let mut wires = vec![[0i32; LANES]; bw];
                let scan = keys_of(
                    avx2, &raw, &poff, &mask, &mut v, &mut keys, &mut wires, &mut fix, bw,
                );
                let mut fix = fix[..scan.nfix].to_vec();
                fix.sort_unstable();
                let v: Vec<u32> = v.iter().map(|x| x.to_bits()).collect();
                (scan.count, scan.nan, fix, v, wires)
            };
            assert!(run(false) == run(true), "case {case}");
        }
    }
}
