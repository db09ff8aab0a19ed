/*!
The per-pixel kernels: JUNGFRAU half panels and single-gain pixel ranges.

JUNGFRAU, per pixel (spec §11): the gain bits 15-14 choose the constants (`00` gain 0, `01`
gain 1, `11` gain 2); `v = (raw & 0x3fff) - (pedestal + offset)`; common mode on the good gain-0
pixels; `out = v * (1/gain) * mask`. Bits `10` give 0 and are counted (decision 8).

Each pass first treats every pixel as gain 0, in a straight loop that reads only the gain-0
constants and vectorizes, then redoes the few pixels in other gains. Reading all three gains'
constants for every pixel would triple the memory traffic; reading them only in chunks that
contain a switched pixel defeats the prefetcher (sparse misses).
*/

use super::common_mode::{self, CmPlan, CmScratch};

mod rows;

pub(crate) use rows::{Frames, applies as rows_apply};

/// Pixels per chunk of the test for gain switching.
const CHUNK: usize = 64;
/// Rows per block when the half panel can be processed a few rows at a time.
const BLOCK_ROWS: usize = 16;

/// The raw data bits (the 14-bit ADC value).
const DATA_BITS: u16 = 0x3fff;

/// The constants of one half panel: per gain, pedestal + offset and 1/gain; the mask (1 good,
/// 0 bad).
#[derive(Clone, Copy)]
pub(crate) struct HalfConsts<'a> {
    pub poff: [&'a [f32]; 3],
    pub gfac: [&'a [f32]; 3],
    pub mask: &'a [u8],
}

impl<'a> HalfConsts<'a> {
    /// The constants of pixels `at..at + n` of the half.
    #[inline(always)]
    fn range(&self, at: usize, n: usize) -> HalfConsts<'a> {
        let r = at..at + n;
        HalfConsts {
            poff: [
                &self.poff[0][r.clone()],
                &self.poff[1][r.clone()],
                &self.poff[2][r.clone()],
            ],
            gfac: [
                &self.gfac[0][r.clone()],
                &self.gfac[1][r.clone()],
                &self.gfac[2][r.clone()],
            ],
            mask: &self.mask[r],
        }
    }
}

/// Software prefetch of the streams of a block of pixels, spread over `steps` calls.
struct Prefetch<'a> {
    streams: [&'a [u8]; 4],
    per_step: [usize; 4],
}

impl<'a> Prefetch<'a> {
    fn new(raw: &'a [u16], c: &HalfConsts<'a>, steps: usize) -> Prefetch<'a> {
        let streams = [bytes(raw), bytes(c.poff[0]), bytes(c.gfac[0]), c.mask];
        let per_step = streams.map(|s| s.len().div_ceil(steps.max(1)));
        Prefetch { streams, per_step }
    }

    /// Prefetches the next part of each stream.
    #[inline(always)]
    fn step(&mut self) {
        for (s, &n) in self.streams.iter_mut().zip(&self.per_step) {
            let (now, rest) = s.split_at(n.min(s.len()));
            for line in now.chunks(64) {
                prefetch(line);
            }
            *s = rest;
        }
    }
}

/// The bytes of a slice of plain numbers.
fn bytes<T: bytemuck::Pod>(s: &[T]) -> &[u8] {
    bytemuck::cast_slice(s)
}

/// Asks the CPU to bring the cache line of `s[0]` into the cache (no effect elsewhere).
#[inline(always)]
fn prefetch(s: &[u8]) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: SSE is part of the x86_64 baseline, and a prefetch never faults.
    unsafe {
        use core::arch::x86_64::{_MM_HINT_T1, _mm_prefetch};
        _mm_prefetch::<_MM_HINT_T1>(s.as_ptr().cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = s;
}

/// Working memory of one worker.
#[derive(Debug, Default)]
pub(crate) struct Scratch {
    good: Vec<u8>,
    switched: Vec<u32>,
    cm: CmScratch,
    /// One row's values and results ([`rows`]).
    row: Vec<f32>,
    /// The pixels of one row that are not good, by their place in the row ([`rows`]).
    fix: Vec<u32>,
}

/// The constants index of a raw word's gain bits (`00` 0, `01` 1, `11` 2), `None` for `10`.
#[inline(always)]
fn gain_index(raw: u16) -> Option<usize> {
    match raw >> 14 {
        0 => Some(0),
        1 => Some(1),
        3 => Some(2),
        _ => None,
    }
}

/// Whether any word of `raw` has gain bits other than `00`.
#[inline(always)]
fn any_switched(raw: &[u16]) -> bool {
    raw.iter().fold(0u16, |a, &r| a | r) >> 14 != 0
}

/// Lists the pixels of `raw` not in gain 0 in `list` (their indices). Gain switching is rare and
/// sparse, so chunks without it are skipped after one vectorized test.
#[inline(always)]
fn find_switched(raw: &[u16], list: &mut Vec<u32>) {
    list.clear();
    for (ch, r) in raw.chunks(CHUNK).enumerate() {
        if any_switched(r) {
            // A bit per switched pixel, then one step per set bit (no branch per pixel).
            let mut bits = r
                .iter()
                .enumerate()
                .fold(0u64, |m, (i, &x)| m | (((x >> 14 != 0) as u64) << i));
            while bits != 0 {
                let i = (ch * CHUNK) as u32 + bits.trailing_zeros();
                list.push(i);
                bits &= bits - 1;
            }
        }
    }
}

/// Prefetches the constants of the listed pixels, so that the cache misses of their fix-ups,
/// some time later, are already under way.
#[inline(always)]
fn prefetch_switched(raw: &[u16], list: &[u32], c: &HalfConsts) {
    for &i in list {
        let i = i as usize;
        // Bits 01 are gain 1, 11 gain 2; 10 needs nothing (a useless prefetch does no harm).
        let g = 1 + (raw[i] >> 15) as usize;
        prefetch(bytes(&c.poff[g][i..]));
        prefetch(bytes(&c.gfac[g][i..]));
    }
}

/// The part of the sorted index `list` that falls in `at..at + n`.
#[inline(always)]
fn sublist(list: &[u32], at: usize, n: usize) -> &[u32] {
    let lo = list.partition_point(|&i| (i as usize) < at);
    let hi = list.partition_point(|&i| (i as usize) < at + n);
    &list[lo..hi]
}

/// Calibrates without common mode: `out = (raw14 - poff[g]) * gfac[g] * mask`. `list` holds
/// the pixels not in gain 0, as indices plus `at`. Returns the number with gain bits `10`.
#[inline(always)]
fn single_pass(raw: &[u16], out: &mut [f32], c: &HalfConsts, list: &[u32], at: usize) -> usize {
    // Every pixel as gain 0 (vectorizes, reads only the gain-0 planes), then the few others.
    let it = out
        .iter_mut()
        .zip(raw)
        .zip(c.poff[0])
        .zip(c.gfac[0])
        .zip(c.mask);
    for ((((o, &r), &p), &f), &m) in it {
        *o = (r as f32 - p) * f * m as f32;
    }
    let mut bad = 0;
    for &i in list {
        let i = i as usize - at;
        match gain_index(raw[i]) {
            Some(g) => {
                let v = (raw[i] & DATA_BITS) as f32 - c.poff[g][i];
                out[i] = v * c.gfac[g][i] * c.mask[i] as f32;
            }
            None => {
                out[i] = 0.0;
                bad += 1;
            }
        }
    }
    bad
}

/// First pass with common mode: `v = raw14 - poff[g]` into `v`, and the good flags (gain 0 and
/// not masked). `list` holds the pixels not in gain 0, as indices plus `at`. Returns the
/// number of pixels with gain bits `10` (never good; [`scale`] gives them 0).
#[inline(always)]
fn subtract(
    raw: &[u16],
    v: &mut [f32],
    good: &mut [u8],
    c: &HalfConsts,
    list: &[u32],
    at: usize,
) -> usize {
    for ((o, &r), &p) in v.iter_mut().zip(raw).zip(c.poff[0]) {
        *o = r as f32 - p;
    }
    for (g, &m) in good.iter_mut().zip(c.mask) {
        *g = (m != 0) as u8;
    }
    let mut bad = 0;
    for &i in list {
        let i = i as usize - at;
        good[i] = 0;
        match gain_index(raw[i]) {
            Some(g) => v[i] = (raw[i] & DATA_BITS) as f32 - c.poff[g][i],
            None => {
                v[i] = 0.0;
                bad += 1;
            }
        }
    }
    bad
}

/// Last pass with common mode: `out = v * gfac[g] * mask` in place (0 for gain bits `10`);
/// `list` and `at` as for [`subtract`].
#[inline(always)]
fn scale(raw: &[u16], v: &mut [f32], c: &HalfConsts, list: &[u32], at: usize) {
    for ((o, &f), &m) in v.iter_mut().zip(c.gfac[0]).zip(c.mask) {
        *o = *o * f * m as f32;
    }
    // Pixels not in gain 0 got no common mode, so their v is recomputed from the raw value.
    for &i in list {
        let i = i as usize - at;
        v[i] = match gain_index(raw[i]) {
            Some(g) => {
                let x = (raw[i] & DATA_BITS) as f32 - c.poff[g][i];
                x * c.gfac[g][i] * c.mask[i] as f32
            }
            None => 0.0,
        }
    }
}

/// Calibrates one half panel (`raw` and `out` hold its `rows x cols` pixels). Returns the number
/// of pixels with gain bits `10`.
#[inline(always)]
pub(crate) fn jungfrau_half(
    raw: &[u16],
    out: &mut [f32],
    c: &HalfConsts,
    cols: usize,
    cm: Option<&CmPlan>,
    s: &mut Scratch,
) -> usize {
    if let Some(plan) = cm.filter(|p| !p.needs_whole_half() && rows::applies(p, cols, raw.len())) {
        return rows::half(raw, out, c, cols, plan, s);
    }
    // The pixels not in gain 0, found once for the half panel.
    find_switched(raw, &mut s.switched);
    let list = &s.switched;
    let Some(plan) = cm else {
        prefetch_switched(raw, list, c);
        return single_pass(raw, out, c, list, 0);
    };
    let n = raw.len();
    if plan.needs_whole_half() {
        prefetch_switched(raw, list, c);
        s.good.resize(n, 0);
        let bad = subtract(raw, out, &mut s.good, c, list, 0);
        if plan.params.mode & 4 != 0 {
            common_mode::banks(plan, out, &s.good, cols, &mut s.cm);
        }
        if plan.params.mode & 1 != 0 {
            common_mode::rows(plan, out, &s.good, cols, &mut s.cm, || {});
        }
        if plan.params.mode & 2 != 0 {
            common_mode::columns(plan, out, &s.good, cols, &mut s.cm);
        }
        scale(raw, out, c, list, 0);
        bad
    } else {
        rows_in_blocks(raw, out, c, cols, plan, s)
    }
}

/// [`jungfrau_half`] with the row common mode alone, a few rows at a time, so that they stay
/// in the cache between the passes while the next block's inputs are fetched. The reference
/// for [`rows::half`], and the path for widths it does not take.
#[inline(always)]
fn rows_in_blocks(
    raw: &[u16],
    out: &mut [f32],
    c: &HalfConsts,
    cols: usize,
    plan: &CmPlan,
    s: &mut Scratch,
) -> usize {
    let n = raw.len();
    let list = &s.switched;
    let block = BLOCK_ROWS * cols;
    s.good.resize(block.min(n), 0);
    prefetch_switched(raw, sublist(list, 0, block), c);
    let mut bad = 0;
    let mut at = 0;
    while at < n {
        let k = block.min(n - at);
        let (r, o, g, cc) = (
            &raw[at..at + k],
            &mut out[at..at + k],
            &mut s.good[..k],
            c.range(at, k),
        );
        let here = sublist(list, at, k);
        bad += subtract(r, o, g, &cc, here, at);
        let next = at + k;
        let nk = block.min(n - next);
        prefetch_switched(raw, sublist(list, next, nk), c);
        let mut pf = Prefetch::new(&raw[next..next + nk], &c.range(next, nk), k / cols);
        common_mode::rows(plan, o, g, cols, &mut s.cm, || pf.step());
        scale(r, o, &cc, here, at);
        at += k;
    }
    bad
}

/// Single-gain detectors: `out = (raw - peds) * gain * mask` (`gain` empty when there is none).
#[inline(always)]
pub(crate) fn single_gain(raw: &[u16], out: &mut [f32], peds: &[f32], gain: &[f32], mask: &[u8]) {
    if gain.is_empty() {
        for (((o, &r), &p), &m) in out.iter_mut().zip(raw).zip(peds).zip(mask) {
            *o = (r as f32 - p) * m as f32;
        }
    } else {
        let it = out.iter_mut().zip(raw).zip(peds).zip(gain).zip(mask);
        for ((((o, &r), &p), &g), &m) in it {
            *o = (r as f32 - p) * g * m as f32;
        }
    }
}

/// Runs `$body` compiled for AVX2 when [`crate::cpu::use_avx2`] says so, else for the baseline
/// target. `$on` takes the choice as its first argument (the tests run both paths).
macro_rules! with_best_isa {
    ($name:ident, $on:ident, fn($($arg:ident: $ty:ty),* $(,)?) -> $ret:ty $body:block) => {
        pub(crate) fn $name($($arg: $ty),*) -> $ret {
            $on(crate::cpu::use_avx2(), $($arg),*)
        }

        #[inline(always)]
        pub(crate) fn $on(avx2: bool, $($arg: $ty),*) -> $ret {
            #[inline(always)]
            fn imp($($arg: $ty),*) -> $ret $body

            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx2")]
                fn avx2_imp($($arg: $ty),*) -> $ret {
                    imp($($arg),*)
                }
                if avx2 && crate::cpu::avx2_detected() {
                    // SAFETY: the CPU supports AVX2, checked just above.
                    return unsafe { avx2_imp($($arg),*) };
                }
            }
            let _ = avx2;
            imp($($arg),*)
        }
    };
}

with_best_isa!(
    jungfrau_half_best,
    jungfrau_half_on,
    fn(
        raw: &[u16],
        out: &mut [f32],
        c: &HalfConsts,
        cols: usize,
        cm: Option<&CmPlan>,
        s: &mut Scratch,
    ) -> usize {
        jungfrau_half(raw, out, c, cols, cm, s)
    }
);

with_best_isa!(
    jungfrau_halves_best,
    jungfrau_halves_on,
    fn(fr: rows::Frames, c: &HalfConsts, cols: usize, plan: &CmPlan, s: &mut Scratch) -> () {
        rows::halves(fr, c, cols, plan, s)
    }
);

with_best_isa!(
    single_gain_best,
    single_gain_on,
    fn(raw: &[u16], out: &mut [f32], peds: &[f32], gain: &[f32], mask: &[u8]) -> () {
        single_gain(raw, out, peds, gain, mask)
    }
);

with_best_isa!(
    epix_half_best,
    epix_half_on,
    fn(
        raw: &[u16],
        out: &mut [f32],
        c: &super::epix10ka::EpixHalf,
        cm: Option<&super::epix10ka::EpixCm>,
        s: &mut super::epix10ka::EpixScratch,
    ) -> () {
        super::epix10ka::epix_half(raw, out, c, cm, s)
    }
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calib::CommonModeParams;

    /// A small random generator (the tests need no crate for it).
    pub(super) struct Lcg(pub u64);

    impl Lcg {
        pub(super) fn next(&mut self) -> u32 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (self.0 >> 33) as u32
        }
        fn f32(&mut self, lo: f32, hi: f32) -> f32 {
            lo + (hi - lo) * (self.next() as f32 / (1u64 << 31) as f32)
        }
    }

    /// Raw words: mostly gain 0 near 1000 ADU, some switched pixels, some with the bad bits `10`.
    fn raw_words(r: &mut Lcg, n: usize) -> Vec<u16> {
        (0..n)
            .map(|_| {
                let v = (900 + r.next() % 300) as u16;
                match r.next() % 100 {
                    0 => v | 0x4000,
                    1 => v | 0xc000,
                    2 => v | 0x8000,
                    _ => v,
                }
            })
            .collect()
    }

    #[test]
    fn jungfrau_half_portable_and_avx2_agree() {
        let (rows, cols) = (32usize, 256usize);
        let n = rows * cols;
        let mut r = Lcg(7);
        let poff: Vec<Vec<f32>> = (0..3)
            .map(|_| (0..n).map(|_| r.f32(950.0, 1050.0)).collect())
            .collect();
        let gfac: Vec<Vec<f32>> = (0..3)
            .map(|_| (0..n).map(|_| r.f32(0.01, 0.1)).collect())
            .collect();
        let mask: Vec<u8> = (0..n).map(|_| !r.next().is_multiple_of(50) as u8).collect();
        let c = HalfConsts {
            poff: [&poff[0], &poff[1], &poff[2]],
            gfac: [&gfac[0], &gfac[1], &gfac[2]],
            mask: &mask,
        };
        let raw = raw_words(&mut r, n);
        for mode in [0u32, 1, 2, 4, 7] {
            let plan = CmPlan::new(
                CommonModeParams {
                    mode,
                    cormax: 100.0,
                    npix_min: 10.0,
                },
                rows,
                cols,
            );
            let cm = (mode != 0).then_some(&plan);
            let run = |avx2: bool| {
                let mut out = vec![0f32; n];
                let mut s = Scratch::default();
                let bad = jungfrau_half_on(avx2, &raw, &mut out, &c, cols, cm, &mut s);
                (bad, out.iter().map(|x| x.to_bits()).collect::<Vec<_>>())
            };
            assert_eq!(run(false), run(true), "mode {mode}");
        }
    }

    /// Row common mode, one row at a time ([`rows::half`]) against the blocks of rows
    /// ([`rows_in_blocks`], the earlier code): NaN and masked pixels, all gain bits, banks
    /// with few good pixels and estimates beyond `cormax`, output aligned and not.
    #[test]
    fn rows_one_at_a_time_equal_blocks() {
        let (nrows, cols) = (24usize, 512usize);
        let n = nrows * cols;
        let mut r = Lcg(3);
        let mut planes = |lo: f32, hi: f32| -> Vec<Vec<f32>> {
            (0..3)
                .map(|_| (0..n).map(|_| r.f32(lo, hi)).collect())
                .collect()
        };
        let mut poff = planes(950.0, 1050.0);
        let gfac = planes(-0.1, 0.1);
        // NaN of both signs and infinite pedestals (infinite values, keys at the ends).
        let odd = [
            (5, f32::NAN),
            (11, -f32::NAN),
            (17, f32::INFINITY),
            (23, f32::NEG_INFINITY),
        ];
        for (k, (from, x)) in odd.into_iter().enumerate() {
            for i in (from..n).step_by(997 + 300 * k) {
                poff[0][i] = x;
            }
        }
        // Row 3: mostly masked (few good pixels per bank); row 7: far from the pedestals.
        let mut mask: Vec<u8> = (0..n).map(|_| !r.next().is_multiple_of(9) as u8).collect();
        mask[3 * cols..4 * cols]
            .iter_mut()
            .enumerate()
            .for_each(|(i, m)| *m = i.is_multiple_of(20) as u8);
        let mut raw = raw_words(&mut r, n);
        raw[7 * cols..8 * cols].iter_mut().for_each(|w| *w += 400);
        let c = HalfConsts {
            poff: [&poff[0], &poff[1], &poff[2]],
            gfac: [&gfac[0], &gfac[1], &gfac[2]],
            mask: &mask,
        };
        for (cormax, npix_min) in [(100.0, 0.0), (10.0, 0.0), (1000.0, 3.0), (100.0, 40.0)] {
            let plan = CmPlan::new(
                CommonModeParams {
                    mode: 1,
                    cormax,
                    npix_min,
                },
                nrows,
                cols,
            );
            assert!(rows::applies(&plan, cols, n));
            for avx2 in [false, true] {
                // One float in: not 16-byte aligned for the stores of the finished rows.
                for shift in [0usize, 1] {
                    let mut buf = vec![0f32; n + 4];
                    let at = shift + (4 - buf.as_ptr() as usize / 4 % 4) % 4;
                    let out = &mut buf[at..at + n];
                    let mut s = Scratch::default();
                    // The row kernel asks `cpu` for its path itself: the portable one is forced
                    // (every path gives the same bits, so other tests running meanwhile do not
                    // mind).
                    crate::cpu::force_portable(!avx2);
                    let bad = jungfrau_half_on(avx2, &raw, out, &c, cols, Some(&plan), &mut s);
                    crate::cpu::force_portable(false);
                    let mut want = vec![0f32; n];
                    find_switched(&raw, &mut s.switched);
                    let want_bad = rows_in_blocks(&raw, &mut want, &c, cols, &plan, &mut s);
                    assert_eq!(bad, want_bad);
                    let bits = |x: &[f32]| x.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
                    assert_eq!(
                        bits(out),
                        bits(&want),
                        "cormax {cormax} npix_min {npix_min}"
                    );
                }
            }
        }
    }

    #[test]
    fn single_gain_portable_and_avx2_agree() {
        let n = 5000;
        let mut r = Lcg(11);
        let raw: Vec<u16> = (0..n).map(|_| (r.next() % 16384) as u16).collect();
        let peds: Vec<f32> = (0..n).map(|_| r.f32(0.0, 2000.0)).collect();
        let gain: Vec<f32> = (0..n).map(|_| r.f32(0.5, 2.0)).collect();
        let mask: Vec<u8> = (0..n).map(|_| !r.next().is_multiple_of(20) as u8).collect();
        for g in [&gain[..], &[]] {
            let run = |avx2: bool| {
                let mut out = vec![0f32; n];
                single_gain_on(avx2, &raw, &mut out, &peds, g, &mask);
                out.iter().map(|x| x.to_bits()).collect::<Vec<_>>()
            };
            assert_eq!(run(false), run(true));
        }
    }
}
