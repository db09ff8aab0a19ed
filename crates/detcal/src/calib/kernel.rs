/*!
The per-pixel kernels: JUNGFRAU half panels and single-gain pixel ranges.

JUNGFRAU, per pixel (spec §11): the gain bits 15-14 choose the constants (`00` gain 0, `01`
gain 1, `11` gain 2); `v = (raw & 0x3fff) - (pedestal + offset)`; common mode on the good gain-0
pixels; `out = v * (1/gain) * mask`. Bits `10` give 0 and are counted (decision 8).

The work is done in chunks of [`CHUNK`] pixels: a chunk whose pixels are all in gain 0 (the
common case) takes a straight loop that reads only the gain-0 constants and vectorizes.
*/

use super::common_mode::{self, CmPlan, CmScratch};

/// Pixels per chunk of the fast path.
const CHUNK: usize = 64;
/// Rows per block when the half panel can be processed a few rows at a time.
const BLOCK_ROWS: usize = 16;

/// The raw data bits (the 14-bit ADC value).
const DATA_BITS: u16 = 0x3fff;

/// The constants of one half panel: per gain, pedestal + offset and 1/gain; the mask.
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

/// Working memory of one worker.
#[derive(Debug, Default)]
pub(crate) struct Scratch {
    good: Vec<u8>,
    cm: CmScratch,
}

/// The gain index of a raw word, or `None` for the invalid gain bits `10`.
#[inline(always)]
fn gain_index(raw: u16) -> Option<usize> {
    match raw >> 14 {
        0 => Some(0),
        1 => Some(1),
        3 => Some(2),
        _ => None,
    }
}

/// Whether every word of `raw` has gain bits `00`.
#[inline(always)]
fn all_gain0(raw: &[u16]) -> bool {
    raw.iter().fold(0u16, |a, &r| a | r) >> 14 == 0
}

/// Calibrates without common mode: `out = (raw14 - poff[g]) * gfac[g] * mask`. Returns the
/// number of pixels with gain bits `10`.
#[inline(always)]
fn single_pass(raw: &[u16], out: &mut [f32], c: &HalfConsts) -> usize {
    let mut bad = 0;
    let n = raw.len();
    let mut at = 0;
    while at < n {
        let k = CHUNK.min(n - at);
        let (r, o, cc) = (&raw[at..at + k], &mut out[at..at + k], c.range(at, k));
        if all_gain0(r) {
            let it = o
                .iter_mut()
                .zip(r)
                .zip(cc.poff[0])
                .zip(cc.gfac[0])
                .zip(cc.mask);
            for ((((o, &r), &p), &f), &m) in it {
                *o = (r as f32 - p) * f * m as f32;
            }
        } else {
            for i in 0..k {
                match gain_index(r[i]) {
                    Some(g) => {
                        let v = (r[i] & DATA_BITS) as f32 - cc.poff[g][i];
                        o[i] = v * cc.gfac[g][i] * cc.mask[i] as f32;
                    }
                    None => {
                        o[i] = 0.0;
                        bad += 1;
                    }
                }
            }
        }
        at += k;
    }
    bad
}

/// First pass with common mode: `v = raw14 - poff[g]` into `v`, and the good flags (gain 0 and
/// not masked). Returns the number of pixels with gain bits `10` (their `v` is 0, not good).
#[inline(always)]
fn subtract(raw: &[u16], v: &mut [f32], good: &mut [u8], c: &HalfConsts) -> usize {
    let mut bad = 0;
    let n = raw.len();
    let mut at = 0;
    while at < n {
        let k = CHUNK.min(n - at);
        let (r, o, gd, cc) = (
            &raw[at..at + k],
            &mut v[at..at + k],
            &mut good[at..at + k],
            c.range(at, k),
        );
        if all_gain0(r) {
            for ((o, &r), &p) in o.iter_mut().zip(r).zip(cc.poff[0]) {
                *o = r as f32 - p;
            }
            for (g, &m) in gd.iter_mut().zip(cc.mask) {
                *g = (m != 0) as u8;
            }
        } else {
            for i in 0..k {
                match gain_index(r[i]) {
                    Some(g) => {
                        o[i] = (r[i] & DATA_BITS) as f32 - cc.poff[g][i];
                        gd[i] = (g == 0 && cc.mask[i] != 0) as u8;
                    }
                    None => {
                        o[i] = 0.0;
                        gd[i] = 0;
                        bad += 1;
                    }
                }
            }
        }
        at += k;
    }
    bad
}

/// Last pass with common mode: `out = v * gfac[g] * mask` in place (0 for gain bits `10`).
#[inline(always)]
fn scale(raw: &[u16], v: &mut [f32], c: &HalfConsts) {
    let n = raw.len();
    let mut at = 0;
    while at < n {
        let k = CHUNK.min(n - at);
        let (r, o, cc) = (&raw[at..at + k], &mut v[at..at + k], c.range(at, k));
        if all_gain0(r) {
            for ((o, &f), &m) in o.iter_mut().zip(cc.gfac[0]).zip(cc.mask) {
                *o = *o * f * m as f32;
            }
        } else {
            for i in 0..k {
                o[i] = match gain_index(r[i]) {
                    Some(g) => o[i] * cc.gfac[g][i] * cc.mask[i] as f32,
                    None => 0.0,
                };
            }
        }
        at += k;
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
    let Some(plan) = cm else {
        return single_pass(raw, out, c);
    };
    let n = raw.len();
    if plan.needs_whole_half() {
        s.good.resize(n, 0);
        let bad = subtract(raw, out, &mut s.good, c);
        if plan.params.mode & 4 != 0 {
            common_mode::banks(plan, out, &s.good, cols, &mut s.cm);
        }
        if plan.params.mode & 1 != 0 {
            common_mode::rows(plan, out, &s.good, cols, &mut s.cm);
        }
        if plan.params.mode & 2 != 0 {
            common_mode::columns(plan, out, &s.good, cols, &mut s.cm);
        }
        scale(raw, out, c);
        bad
    } else {
        // Rows only: a few rows at a time, so that they stay in the cache between the passes.
        let block = BLOCK_ROWS * cols;
        s.good.resize(block.min(n), 0);
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
            bad += subtract(r, o, g, &cc);
            common_mode::rows(plan, o, g, cols, &mut s.cm);
            scale(r, o, &cc);
            at += k;
        }
        bad
    }
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

/// Runs `$body` compiled for AVX2 when the CPU has it, else for the baseline target.
macro_rules! with_best_isa {
    ($name:ident, fn($($arg:ident: $ty:ty),* $(,)?) -> $ret:ty $body:block) => {
        pub(crate) fn $name($($arg: $ty),*) -> $ret {
            #[inline(always)]
            fn imp($($arg: $ty),*) -> $ret $body

            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx2")]
                fn avx2($($arg: $ty),*) -> $ret {
                    imp($($arg),*)
                }
                if std::arch::is_x86_feature_detected!("avx2") {
                    // SAFETY: the CPU supports AVX2, checked just above.
                    return unsafe { avx2($($arg),*) };
                }
            }
            imp($($arg),*)
        }
    };
}

with_best_isa!(
    jungfrau_half_best,
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
    single_gain_best,
    fn(raw: &[u16], out: &mut [f32], peds: &[f32], gain: &[f32], mask: &[u8]) -> () {
        single_gain(raw, out, peds, gain, mask)
    }
);
