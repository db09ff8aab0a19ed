/*!
JUNGFRAU common-mode correction, as psana's `det.calib` applies it (spec §11, step 4).

Only pixels that are in gain 0 and good in the mask take part: they make the estimate and only
they are corrected. Each half of a panel (rows `0..R/2` and `R/2..R`) is independent of the other
for all three corrections, so a half panel is the unit of work. In a half, in this order:

- mode bit 4: 16 banks of `R/2 x C/16` pixels (256 x 64 for a 512 x 1024 panel); a bank is
  corrected by the median of its good pixels when their count is **at least** `npix_min`;
- mode bit 1: each row of each bank (64 pixels), corrected when the count is **more than**
  `npix_min`;
- mode bit 2: each column of the half (256 pixels), corrected when the count is more than
  `npix_min`.

An estimate is applied only if its absolute value is less than `cormax`. A NaN among the good
values makes the median NaN, which is never applied (numpy's rule).
*/

use super::median::{
    KEY_INF, LANES, MIDDLE64_MIN_COUNT, MedianKind, Network, Wire, combine, key, unkey,
};
use crate::error::{Error, Result};
use crate::stats::median_f32;

pub use crate::detector::jungfrau::NBANKS;
use crate::detector::jungfrau::bank_width;

/// Common-mode parameters of psana's JUNGFRAU `det.calib`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CommonModeParams {
    /// The corrections to apply: bit 4 banks, bit 1 rows in banks, bit 2 columns in halves.
    pub mode: u32,
    /// The largest absolute correction applied (ADU); larger estimates are not applied.
    pub cormax: f64,
    /// The pixel-count threshold: mode 4 needs at least this many good pixels, modes 1 and 2
    /// more than this many.
    pub npix_min: f64,
}

impl CommonModeParams {
    /// The parameters from psana's `common_mode` values (`cmps`), or `None` when they turn the
    /// correction off: `cmps[1]` is the mode, `cmps[2]` cormax and `cmps[3]` npix_min (10 when
    /// absent). `cmps[0]` (the algorithm number) is not used.
    pub fn from_psana(cmps: &[f64]) -> Result<Option<CommonModeParams>> {
        let Some(&mode) = cmps.get(1) else {
            if cmps.is_empty() {
                return Ok(None);
            }
            return Err(Error::bad_arg(
                "common_mode",
                format!(
                    "common-mode parameters {cmps:?}: need at least 3 values (algorithm, mode, cormax)"
                ),
            ));
        };
        if !mode.is_finite() {
            return Err(Error::bad_arg(
                "common_mode",
                format!(
                    "common-mode parameters {cmps:?}: the mode (2nd value) is not a finite number"
                ),
            ));
        }
        // Python's int() truncates toward zero; psana corrects only when it is positive.
        let mode = mode.trunc();
        if mode <= 0.0 {
            return Ok(None);
        }
        let Some(&cormax) = cmps.get(2) else {
            return Err(Error::bad_arg(
                "common_mode",
                format!(
                    "common-mode parameters {cmps:?}: need at least 3 values (algorithm, mode, cormax)"
                ),
            ));
        };
        let npix_min = cmps.get(3).copied().unwrap_or(10.0);
        // Only bits 1, 2 and 4 mean anything; larger modes keep their low bits as in Python.
        let mode = (mode.min(u32::MAX as f64) as u64 & 7) as u32;
        Ok(Some(CommonModeParams {
            mode,
            cormax,
            npix_min,
        }))
    }

    /// Whether the estimate `cm` may be applied (`|cm| < cormax`, compared in f64 as Python does).
    #[inline(always)]
    fn applies(&self, cm: f32) -> bool {
        (cm as f64).abs() < self.cormax
    }
}

/// The parameters and the sorting networks for one panel geometry.
#[derive(Debug, Clone)]
pub(crate) struct CmPlan {
    pub params: CommonModeParams,
    /// Sorts the pixels of one row of one bank (`C/16`).
    row_net: Network,
    /// Sorts the pixels of one column of a half panel (`R/2`).
    col_net: Network,
}

impl CmPlan {
    /// The plan for half panels of `half_rows x cols` pixels.
    pub fn new(params: CommonModeParams, half_rows: usize, cols: usize) -> CmPlan {
        let bw = bank_width(cols);
        CmPlan {
            params,
            row_net: Network::new(if params.mode & 1 != 0 { bw } else { 1 }),
            col_net: Network::new(if params.mode & 2 != 0 { half_rows } else { 1 }),
        }
    }

    /// Whether a correction needs the whole half panel at once (banks or columns).
    pub fn needs_whole_half(&self) -> bool {
        self.params.mode & 6 != 0
    }
}

/// Working memory of the common-mode correction of one half panel.
#[derive(Debug, Default)]
pub(crate) struct CmScratch {
    pub(crate) wires: Vec<Wire>,
    pub(crate) keys: Vec<i32>,
    bank: Vec<f32>,
}

/// Applies mode 4 (banks) to a half panel `v` (`rows x cols`, row-major) with good flags `good`.
pub(crate) fn banks(plan: &CmPlan, v: &mut [f32], good: &[u8], cols: usize, s: &mut CmScratch) {
    let p = &plan.params;
    let bw = bank_width(cols);
    let rows = v.len() / cols;
    s.bank.clear();
    s.bank.reserve(rows * bw);
    for b in 0..NBANKS {
        let c0 = b * bw;
        s.bank.clear();
        let mut nan = false;
        for r in 0..rows {
            let at = r * cols + c0;
            for (&x, &g) in v[at..at + bw].iter().zip(&good[at..at + bw]) {
                if g != 0 {
                    nan |= x.is_nan();
                    s.bank.push(x);
                }
            }
        }
        let n = s.bank.len();
        // psana returns early when the count is below npix_min; the median of nothing is NaN.
        if (n as f64) < p.npix_min || n == 0 || nan {
            continue;
        }
        let cm = median_f32(&mut s.bank);
        if !p.applies(cm) {
            continue;
        }
        for r in 0..rows {
            let at = r * cols + c0;
            subtract_good(&mut v[at..at + bw], &good[at..at + bw], cm);
        }
    }
}

/// Applies mode 1 (rows within banks) to the rows of `v` (`rows x cols`) with good flags `good`.
#[inline(always)]
pub(crate) fn rows(
    plan: &CmPlan,
    v: &mut [f32],
    good: &[u8],
    cols: usize,
    s: &mut CmScratch,
    mut after_row: impl FnMut(),
) {
    let bw = bank_width(cols);
    s.wires.resize(row_wires(plan), [0; LANES]);
    s.keys.resize(cols, 0);
    for (row, grow) in v.chunks_exact_mut(cols).zip(good.chunks_exact(cols)) {
        after_row();
        // Keys, counts and NaN flags bank by bank in row order (vectorizes), then the
        // transpose into one lane per bank.
        let mut count = [0usize; LANES];
        let mut nan = [false; LANES];
        for b in 0..NBANKS {
            let r = b * bw..(b + 1) * bw;
            let (x, g, k) = (&row[r.clone()], &grow[r.clone()], &mut s.keys[r]);
            let (mut n, mut bad) = (0u32, 0u32);
            for ((k, &x), &g) in k.iter_mut().zip(x).zip(g) {
                let ok = g != 0;
                *k = if ok { key(x) } else { KEY_INF };
                n += ok as u32;
                bad |= (ok & x.is_nan()) as u32;
            }
            count[b] = n as usize;
            nan[b] = bad != 0;
        }
        let est = row_estimates(plan, &s.keys, &count, &nan, &mut s.wires);
        for (b, e) in est.iter().enumerate() {
            if let Some(cm) = *e {
                let r = b * bw..(b + 1) * bw;
                subtract_good(&mut row[r.clone()], &grow[r], cm);
            }
        }
    }
}

/// The row corrections of the [`NBANKS`] banks of one row, from the row's keys
/// (`keys[b * bw + j]`, [`KEY_INF`] for pixels that take no part), each bank's count of good
/// pixels and whether a good one is NaN: `Some(cm)` where a correction applies.
/// `wires` must hold the row network's wires.
#[inline(always)]
pub(crate) fn row_estimates(
    plan: &CmPlan,
    keys: &[i32],
    count: &[usize; LANES],
    nan: &[bool; LANES],
    wires: &mut [Wire],
) -> [Option<f32>; NBANKS] {
    let bw = keys.len() / NBANKS;
    if !(0..NBANKS).any(|l| wanted(plan, count, nan, l)) {
        return [None; NBANKS];
    }
    transpose(keys, bw, wires);
    row_estimates_wired(plan, bw, count, nan, wires)
}

/// [`row_estimates`] with the keys already in `wires` (`wires[j][b]`, `j < bw`).
#[inline(always)]
pub(crate) fn row_estimates_wired(
    plan: &CmPlan,
    bw: usize,
    count: &[usize; LANES],
    nan: &[bool; LANES],
    wires: &mut [Wire],
) -> [Option<f32>; NBANKS] {
    let p = &plan.params;
    let nw = plan.row_net.wires();
    let mut est = [None; NBANKS];
    // A bit per bank that gets a correction computed, and per bank with few pixels left out.
    let (mut wanted_bits, mut full_bits) = (0u32, 0u32);
    for l in 0..NBANKS {
        wanted_bits |= (wanted(plan, count, nan, l) as u32) << l;
        full_bits |= ((count[l] >= MIDDLE64_MIN_COUNT) as u32) << l;
    }
    if wanted_bits == 0 {
        return est;
    }
    for w in &mut wires[bw..nw] {
        *w = [KEY_INF; LANES];
    }
    // Banks with at most 7 of 64 pixels left out (the usual case) need only the middle wires,
    // which takes fewer compare-exchanges than the sort.
    if nw == 64 && wanted_bits & !full_bits == 0 {
        plan.row_net.sort_middle64(wires);
    } else {
        plan.row_net.sort(wires);
    }
    let mut bits = wanted_bits;
    while bits != 0 {
        let b = bits.trailing_zeros() as usize;
        let n = count[b];
        let lo = unkey(wires[(n - 1) / 2][b]);
        let cm = combine(lo, unkey(wires[n / 2][b]), n, MedianKind::Masked);
        est[b] = p.applies(cm).then_some(cm);
        bits &= bits - 1;
    }
    est
}

/// Whether bank `l` of a row gets a correction computed: enough good pixels, none NaN.
#[inline(always)]
fn wanted(plan: &CmPlan, count: &[usize; LANES], nan: &[bool; LANES], l: usize) -> bool {
    count[l] as f64 > plan.params.npix_min && count[l] > 0 && !nan[l]
}

/// The number of wires a [`CmScratch`] needs for either network of `plan` (rows and columns
/// share it).
pub(crate) fn row_wires(plan: &CmPlan) -> usize {
    plan.row_net.wires().max(plan.col_net.wires())
}

/// Puts `keys[b * bw + j]` into lane `b` of wire `j`, for the [`NBANKS`] banks of a row.
#[inline(always)]
pub(crate) fn transpose(keys: &[i32], bw: usize, wires: &mut [Wire]) {
    if bw.is_multiple_of(8) {
        // 8 x 8 blocks through fixed-size arrays, which compile to vector shuffles.
        for j0 in (0..bw).step_by(8) {
            for b0 in (0..NBANKS).step_by(8) {
                let blk: [[i32; 8]; 8] = std::array::from_fn(|b| {
                    let at = (b0 + b) * bw + j0;
                    keys[at..at + 8].try_into().unwrap_or([KEY_INF; 8])
                });
                for (j, w) in wires[j0..j0 + 8].iter_mut().enumerate() {
                    let col: [i32; 8] = std::array::from_fn(|b| blk[b][j]);
                    w[b0..b0 + 8].copy_from_slice(&col);
                }
            }
        }
    } else {
        for b in 0..NBANKS {
            for (w, &k) in wires.iter_mut().zip(&keys[b * bw..(b + 1) * bw]) {
                w[b] = k;
            }
        }
    }
}

/// Subtracts the finite `cm` from the good pixels of `x`. Written as a multiply by the 0/1 flag
/// rather than a branch, which would become a slow masked store.
#[inline(always)]
fn subtract_good(x: &mut [f32], good: &[u8], cm: f32) {
    for (x, &g) in x.iter_mut().zip(good) {
        *x -= cm * g as f32;
    }
}

/// Applies mode 2 (columns of the half panel) to `v` (`rows x cols`) with good flags `good`.
#[inline(always)]
pub(crate) fn columns(plan: &CmPlan, v: &mut [f32], good: &[u8], cols: usize, s: &mut CmScratch) {
    let p = &plan.params;
    let rows = v.len() / cols;
    let nw = plan.col_net.wires();
    s.wires.resize(nw.max(plan.row_net.wires()), [0; LANES]);
    for c0 in (0..cols).step_by(LANES) {
        let mut count = [0usize; LANES];
        let mut nan = [false; LANES];
        for r in 0..rows {
            let at = r * cols + c0;
            let (x, g) = (&v[at..at + LANES], &good[at..at + LANES]);
            let w = &mut s.wires[r];
            for l in 0..LANES {
                let ok = g[l] != 0;
                count[l] += ok as usize;
                nan[l] |= ok & x[l].is_nan();
                w[l] = if ok { key(x[l]) } else { KEY_INF };
            }
        }
        let wanted = |l: usize| count[l] as f64 > p.npix_min && count[l] > 0 && !nan[l];
        if !(0..LANES).any(wanted) {
            continue;
        }
        for w in &mut s.wires[rows..nw] {
            *w = [KEY_INF; LANES];
        }
        plan.col_net.sort(&mut s.wires);
        let mut cm = [0.0f32; LANES];
        let mut apply = [false; LANES];
        for l in 0..LANES {
            let n = count[l];
            if wanted(l) {
                cm[l] = combine(
                    unkey(s.wires[(n - 1) / 2][l]),
                    unkey(s.wires[n / 2][l]),
                    n,
                    MedianKind::Masked,
                );
                apply[l] = p.applies(cm[l]);
            }
        }
        if !apply.iter().any(|&a| a) {
            continue;
        }
        let cm: [f32; LANES] = std::array::from_fn(|l| if apply[l] { cm[l] } else { 0.0 });
        for r in 0..rows {
            let at = r * cols + c0;
            let (x, g) = (&mut v[at..at + LANES], &good[at..at + LANES]);
            for l in 0..LANES {
                x[l] -= cm[l] * g[l] as f32;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_like_psana() {
        let p = CommonModeParams::from_psana(&[7.0, 1.0, 100.0, 0.0])
            .unwrap()
            .unwrap();
        assert_eq!(p.mode, 1);
        assert_eq!(p.cormax, 100.0);
        assert_eq!(p.npix_min, 0.0);
        let p = CommonModeParams::from_psana(&[7.0, 7.9, 50.0])
            .unwrap()
            .unwrap();
        assert_eq!((p.mode, p.npix_min), (7, 10.0));
        assert_eq!(CommonModeParams::from_psana(&[]).unwrap(), None);
        assert_eq!(
            CommonModeParams::from_psana(&[7.0, 0.0, 100.0]).unwrap(),
            None
        );
        assert_eq!(CommonModeParams::from_psana(&[7.0, 0.9]).unwrap(), None);
        assert_eq!(CommonModeParams::from_psana(&[7.0, -3.0]).unwrap(), None);
        assert!(CommonModeParams::from_psana(&[7.0]).is_err());
        assert!(CommonModeParams::from_psana(&[7.0, 1.0]).is_err());
        assert!(CommonModeParams::from_psana(&[7.0, f64::NAN, 1.0]).is_err());
    }
}
