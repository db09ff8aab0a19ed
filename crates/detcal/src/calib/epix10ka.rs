/*!
ePix10ka calibration (spec epix10ka.md §6, LCLS-I `calib_epix10ka_v2`), per pixel of a panel:

1. the gain range from the configuration bits of the step and data bit 14
   ([`crate::detector::epix10ka::pixel_range`]);
2. `v = float32(raw & 0x3fff) - pedestal[range]`; a pixel without a range (config `g=1, ga=0`)
   gets pedestal 0 and factor 1;
3. common mode ([`EpixCm`]) on the good pixels of the high and medium ranges only;
4. `out = v * float32(1/gain[range]) * mask`.

The configuration changes only between steps, and data bit 14 is the only per-event input to
the range, so [`EpixTables`] holds, per pixel, the two constant sets a pixel can use (bit 14 clear
and set): pedestal, factor and whether it is good for common mode. The kernel then picks one of
two values per pixel, with no table lookups by range.

The unit of work is a half panel (176 rows): every common-mode correction stays within one
(banks and columns within a half, rows within a row).
*/

use super::common_mode::{self, CmPlan, CmScratch, CommonModeParams};
use crate::detector::epix10ka::{
    ASIC_ROWS, DATA_MASK, PANEL_COLS, PANEL_PIXELS, SWITCH_BIT, pixel_range,
};
use crate::stats::median_f32;

/// Columns of a common-mode bank (8 banks across a panel).
pub const BANK_COLS: usize = 48;
/// Banks across a panel.
pub const NBANKS: usize = PANEL_COLS / BANK_COLS;
/// Pixels of a half panel, the unit of work.
pub const HALF_PIXELS: usize = ASIC_ROWS * PANEL_COLS;

/// The constants of every pixel for the current configuration: for data bit 14 clear (`[0]`)
/// and set (`[1]`), the pedestal and the factor; `good` bit `b` says whether the pixel is good
/// for common mode with data bit 14 = `b`.
#[derive(Debug, Clone, Default)]
pub(crate) struct EpixTables {
    pub ped: [Vec<f32>; 2],
    pub fac: [Vec<f32>; 2],
    pub good: Vec<u8>,
}

impl EpixTables {
    /// The tables of frames of `cbits.len()` pixels: `peds` and `gfac` are the 7 range planes
    /// (each `cbits.len()` long) or empty (pedestal 0 and factor 1 everywhere), `mask` 1 good.
    pub fn build(cbits: &[u8], peds: &[f32], gfac: &[f32], mask: &[u8]) -> EpixTables {
        let n = cbits.len();
        let mut t = EpixTables {
            ped: [vec![0.0; n], vec![0.0; n]],
            fac: [vec![1.0; n], vec![1.0; n]],
            good: vec![0; n],
        };
        for (i, &cb) in cbits.iter().enumerate() {
            for b in 0..2 {
                let raw = if b == 1 { SWITCH_BIT } else { 0 };
                let Some(g) = pixel_range(cb, raw) else {
                    continue;
                };
                let at = g.index() * n + i;
                if let Some(&p) = peds.get(at) {
                    t.ped[b][i] = p;
                }
                if let Some(&f) = gfac.get(at) {
                    t.fac[b][i] = f;
                }
                if g.is_high_or_medium() && mask[i] != 0 {
                    t.good[i] |= 1 << b;
                }
            }
        }
        t
    }
}

/// The common-mode plan of ePix10ka panels: parameters and the column sorting network.
#[derive(Debug, Clone)]
pub(crate) struct EpixCm {
    pub params: CommonModeParams,
    plan: CmPlan,
}

impl EpixCm {
    /// The plan for `params`.
    pub fn new(params: CommonModeParams) -> EpixCm {
        EpixCm {
            params,
            plan: CmPlan::new(params, ASIC_ROWS, PANEL_COLS),
        }
    }
}

/// Working memory of one thread.
#[derive(Debug, Default)]
pub(crate) struct EpixScratch {
    good: Vec<u8>,
    fac: Vec<f32>,
    vals: Vec<f32>,
    cm: CmScratch,
}

/// One half panel's slices of the tables and the mask.
#[derive(Clone, Copy)]
pub(crate) struct EpixHalf<'a> {
    pub ped: [&'a [f32]; 2],
    pub fac: [&'a [f32]; 2],
    pub good: &'a [u8],
    pub mask: &'a [u8],
}

impl<'a> EpixHalf<'a> {
    /// The slices of pixels `at..at + n` of a frame's tables.
    pub fn of(t: &'a EpixTables, mask: &'a [u8], at: usize, n: usize) -> EpixHalf<'a> {
        let r = at..at + n;
        EpixHalf {
            ped: [&t.ped[0][r.clone()], &t.ped[1][r.clone()]],
            fac: [&t.fac[0][r.clone()], &t.fac[1][r.clone()]],
            good: &t.good[r.clone()],
            mask: &mask[r],
        }
    }
}

/// Pixels per chunk of the test for data bit 14: a chunk where every pixel has the same bit
/// reads one of the two table sets only (half the memory traffic; every pixel of an FL frame
/// has the bit, few of an auto-mode frame do).
const CHUNK: usize = 64;

/// Calibrates one half panel (`raw`, `out`: 176 x 384 pixels).
#[inline(always)]
pub(crate) fn epix_half(
    raw: &[u16],
    out: &mut [f32],
    c: &EpixHalf,
    cm: Option<&EpixCm>,
    s: &mut EpixScratch,
) {
    let n = raw.len();
    let with_cm = cm.is_some();
    if with_cm {
        s.good.resize(n, 0);
        s.fac.resize(n, 0.0);
    }
    let mut at = 0;
    while at < n {
        let k = CHUNK.min(n - at);
        let r = &raw[at..at + k];
        let ones = r.iter().fold(0u32, |a, &w| a + u32::from((w >> 14) & 1));
        let o = &mut out[at..at + k];
        let m = &c.mask[at..at + k];
        let uniform = if ones == 0 {
            Some(0)
        } else if ones as usize == k {
            Some(1)
        } else {
            None
        };
        match (uniform, with_cm) {
            (Some(b), false) => {
                let (p, f) = (&c.ped[b][at..at + k], &c.fac[b][at..at + k]);
                for i in 0..k {
                    o[i] = ((r[i] & DATA_MASK) as f32 - p[i]) * f[i] * m[i] as f32;
                }
            }
            (Some(b), true) => {
                let (p, f) = (&c.ped[b][at..at + k], &c.fac[b][at..at + k]);
                let g = &c.good[at..at + k];
                let (sg, sf) = (&mut s.good[at..at + k], &mut s.fac[at..at + k]);
                for i in 0..k {
                    o[i] = (r[i] & DATA_MASK) as f32 - p[i];
                    sf[i] = f[i];
                    sg[i] = (g[i] >> b) & 1;
                }
            }
            (None, _) => {
                for i in 0..k {
                    let j = at + i;
                    let w = r[i];
                    let b = ((w >> 14) & 1) as usize;
                    let (p, f) = if b == 1 {
                        (c.ped[1][j], c.fac[1][j])
                    } else {
                        (c.ped[0][j], c.fac[0][j])
                    };
                    let v = (w & DATA_MASK) as f32 - p;
                    if with_cm {
                        o[i] = v;
                        s.fac[j] = f;
                        s.good[j] = (c.good[j] >> b) & 1;
                    } else {
                        o[i] = v * f * m[i] as f32;
                    }
                }
            }
        }
        at += k;
    }
    let Some(cm) = cm else {
        return;
    };
    let mode = cm.params.mode;
    if mode & 4 != 0 {
        banks(&cm.params, out, &s.good, &mut s.vals);
    }
    if mode & 1 != 0 {
        rows(&cm.params, out, &s.good, &mut s.vals);
    }
    if mode & 2 != 0 {
        common_mode::columns(&cm.plan, out, &s.good, PANEL_COLS, &mut s.cm);
    }
    for ((o, &f), &m) in out.iter_mut().zip(&s.fac).zip(c.mask) {
        *o = *o * f * m as f32;
    }
}

/// Whether the estimate `cm` may be applied: `|cm| < cormax` (strict, in f64).
#[inline]
fn applies(p: &CommonModeParams, cm: f32) -> bool {
    (cm as f64).abs() < p.cormax
}

/// Mode 4: each bank of 176 x 48 pixels of the half, corrected by the median of its good pixels
/// when there are at least `npix_min` of them.
fn banks(p: &CommonModeParams, v: &mut [f32], good: &[u8], vals: &mut Vec<f32>) {
    let rows = v.len() / PANEL_COLS;
    for b in 0..NBANKS {
        let c0 = b * BANK_COLS;
        vals.clear();
        for r in 0..rows {
            let at = r * PANEL_COLS + c0;
            for (&x, &g) in v[at..at + BANK_COLS].iter().zip(&good[at..at + BANK_COLS]) {
                if g != 0 {
                    vals.push(x);
                }
            }
        }
        if vals.is_empty() || (vals.len() as f64) < p.npix_min {
            continue;
        }
        let cm = median_f32(vals);
        if !applies(p, cm) {
            continue;
        }
        for r in 0..rows {
            let at = r * PANEL_COLS + c0;
            for (x, &g) in v[at..at + BANK_COLS]
                .iter_mut()
                .zip(&good[at..at + BANK_COLS])
            {
                if g != 0 {
                    *x -= cm;
                }
            }
        }
    }
}

/// Mode 1: each 48-pixel row segment of each bank, corrected by the median of its good pixels
/// when there are more than `npix_min` of them.
fn rows(p: &CommonModeParams, v: &mut [f32], good: &[u8], vals: &mut Vec<f32>) {
    for (row, grow) in v
        .chunks_exact_mut(PANEL_COLS)
        .zip(good.chunks_exact(PANEL_COLS))
    {
        for (seg, gseg) in row
            .chunks_exact_mut(BANK_COLS)
            .zip(grow.chunks_exact(BANK_COLS))
        {
            vals.clear();
            vals.extend(
                seg.iter()
                    .zip(gseg)
                    .filter(|(_, g)| **g != 0)
                    .map(|(x, _)| *x),
            );
            if vals.is_empty() || vals.len() as f64 <= p.npix_min {
                continue;
            }
            let cm = median_f32(vals);
            if !applies(p, cm) {
                continue;
            }
            for (x, &g) in seg.iter_mut().zip(gseg) {
                if g != 0 {
                    *x -= cm;
                }
            }
        }
    }
}

/// The frame's pixel count for `nsegs` panels.
pub(crate) fn frame_pixels(nsegs: usize) -> usize {
    nsegs * PANEL_PIXELS
}

#[cfg(test)]
mod tests;
