/*!
ePix100a common mode: algorithm 4, medians of the 16 ASIC regions, their rows and their columns
(psana's C++ `do_common_mode_epix100_v1`, spec §1.4), and algorithm 6, psana's Python `cm_epix`
(column halves, then row banks, §1.6).
*/

use rayon::prelude::*;

use super::is_excluded;
use crate::stats::median_f32;

/// The rows of an ePix100a frame.
pub const EPIX100_ROWS: usize = 704;
/// The columns of an ePix100a frame.
pub const EPIX100_COLS: usize = 768;
/// The rows of an ASIC region (half the frame).
const REGION_ROWS: usize = 352;
/// The columns of an ASIC region (a bank).
const REGION_COLS: usize = 96;
/// The regions of a frame: 2 row halves x 8 column banks.
const NREGIONS: usize = 16;

/// The parameters of algorithm 4.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RegionParams {
    /// Which medians: bit 1 the whole region, bit 2 each row, bit 4 each column (`p[1]`).
    pub cmtype: u32,
    /// Only values with `|v| <= half` make an estimate (`float32(p[2])`).
    pub half: f32,
    /// The largest absolute correction applied; 0: no limit (`float32(p[3])`).
    pub maxcorr: f32,
}

/// Algorithm 4 on a 704 x 768 frame: for each of the 16 regions (rows 0..352 or 352..704,
/// 96 columns), in order, the region median (bit 1), then the median of each row (bit 2), then
/// that of each column (bit 4), each on the data corrected by the steps before.
pub fn regions(frame: &mut [f32], excluded: &[u8], p: &RegionParams) {
    let corrected: Vec<(usize, Vec<f32>)> = (0..NREGIONS)
        .into_par_iter()
        .map(|s| {
            let (r0, c0) = region_origin(s);
            let at = |r: usize, c: usize| (r0 + r) * EPIX100_COLS + c0 + c;
            let mut v = Vec::with_capacity(REGION_ROWS * REGION_COLS);
            let mut e = Vec::new();
            for r in 0..REGION_ROWS {
                v.extend_from_slice(&frame[at(r, 0)..at(r, REGION_COLS)]);
                if !excluded.is_empty() {
                    e.extend_from_slice(&excluded[at(r, 0)..at(r, REGION_COLS)]);
                }
            }
            region(&mut v, &e, p);
            (s, v)
        })
        .collect();
    for (s, v) in corrected {
        let (r0, c0) = region_origin(s);
        for (r, row) in v.chunks(REGION_COLS).enumerate() {
            let at = (r0 + r) * EPIX100_COLS + c0;
            frame[at..at + REGION_COLS].copy_from_slice(row);
        }
    }
}

/// The first row and column of region `s`.
fn region_origin(s: usize) -> (usize, usize) {
    ((s / 8) * REGION_ROWS, (s % 8) * REGION_COLS)
}

/// Algorithm 4 on one region of 352 x 96 values (row-major) with its exclusion flags.
pub fn region(v: &mut [f32], excluded: &[u8], p: &RegionParams) {
    let all: Vec<usize> = if p.cmtype & 1 != 0 {
        (0..v.len()).collect()
    } else {
        Vec::new()
    };
    if p.cmtype & 1 != 0 {
        median_in_region(v, excluded, &all, p);
    }
    if p.cmtype & 2 != 0 {
        for r in 0..REGION_ROWS {
            let idx: Vec<usize> = (r * REGION_COLS..(r + 1) * REGION_COLS).collect();
            median_in_region(v, excluded, &idx, p);
        }
    }
    if p.cmtype & 4 != 0 {
        for c in 0..REGION_COLS {
            let idx: Vec<usize> = (0..REGION_ROWS).map(|r| r * REGION_COLS + c).collect();
            median_in_region(v, excluded, &idx, p);
        }
    }
}

/// One median of algorithm 4 over the values `idx` of `v`: from the values not excluded with
/// `-half <= v <= half`, at least 10 of them; subtracted from all the values `idx` unless
/// `maxcorr` is non-zero and the median's absolute value is above it. Returns the median
/// subtracted, if any.
pub fn median_in_region(
    v: &mut [f32],
    excluded: &[u8],
    idx: &[usize],
    p: &RegionParams,
) -> Option<f32> {
    let mut kept: Vec<f32> = idx
        .iter()
        .filter(|&&k| !is_excluded(excluded, k) && v[k] >= -p.half && v[k] <= p.half)
        .map(|&k| v[k])
        .collect();
    if kept.len() < 10 {
        return None;
    }
    let cm = median_f32(&mut kept);
    if p.maxcorr != 0.0 && cm.abs() > p.maxcorr {
        return None;
    }
    for &k in idx {
        v[k] -= cm;
    }
    Some(cm)
}

/// The parameters of psana's `cm_epix` (algorithm 6): its keyword defaults, which `det.calib`
/// always uses (the other common-mode values are ignored).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CmEpixParams {
    /// The largest absolute correction; larger estimates count as 0 (`maxCorr`, 30).
    pub max_corr: f32,
    /// Pixels with `|v| > histo_range` are left out of the estimates (`histoRange`, 30).
    pub histo_range: f32,
    /// Bit 1: column halves; 2 or more: row banks after them (`colrow`, 3).
    pub colrow: u32,
    /// The fraction of a line that must be usable (`minFrac`, 0.25).
    pub min_frac: f64,
}

impl Default for CmEpixParams {
    fn default() -> Self {
        CmEpixParams {
            max_corr: 30.0,
            histo_range: 30.0,
            colrow: 3,
            min_frac: 0.25,
        }
    }
}

/// Which pixels `cm_epix` leaves out of its estimates (1): those at or above 10 x rms, their
/// four neighbours, and those with `|v| > histo_range`. `rms` empty: ones.
pub fn cm_epix_excluded(frame: &[f32], rms: &[f32], p: &CmEpixParams) -> Vec<u8> {
    let (nr, nc) = (EPIX100_ROWS, EPIX100_COLS);
    let big = |k: usize| {
        let r = if rms.is_empty() { 1.0 } else { rms[k] };
        frame[k] >= 10.0 * r
    };
    let hot: Vec<bool> = (0..frame.len()).into_par_iter().map(big).collect();
    let mut out = vec![0u8; frame.len()];
    out.par_chunks_mut(nc).enumerate().for_each(|(r, row)| {
        for (c, o) in row.iter_mut().enumerate() {
            let k = r * nc + c;
            let near = hot[k]
                || (r > 0 && hot[k - nc])
                || (r + 1 < nr && hot[k + nc])
                || (c > 0 && hot[k - 1])
                || (c + 1 < nc && hot[k + 1]);
            *o = (near || frame[k].abs() > p.histo_range) as u8;
        }
    });
    out
}

/// Algorithm 6 (`cm_epix`) on a 704 x 768 frame, `rms` per pixel (empty: ones).
pub fn cm_epix(frame: &mut [f32], rms: &[f32], p: &CmEpixParams) {
    let excluded = cm_epix_excluded(frame, rms, p);
    let half = REGION_ROWS * EPIX100_COLS;
    frame
        .par_chunks_mut(half)
        .zip(excluded.par_chunks(half))
        .for_each(|(f, e)| cm_epix_half(f, e, p));
}

/// `cm_epix` on one row half (352 x 768): each column, then each bank of 96 of each row.
fn cm_epix_half(f: &mut [f32], excluded: &[u8], p: &CmEpixParams) {
    let nc = EPIX100_COLS;
    let mut buf = Vec::with_capacity(REGION_ROWS);
    if p.colrow % 2 == 1 {
        for c in 0..nc {
            let idx = (0..REGION_ROWS).map(|r| r * nc + c);
            line(f, excluded, idx, p, &mut buf);
        }
    }
    if p.colrow >= 2 {
        for r in 0..REGION_ROWS {
            for b in 0..nc / REGION_COLS {
                let at = r * nc + b * REGION_COLS;
                line(f, excluded, at..at + REGION_COLS, p, &mut buf);
            }
        }
    }
}

/// One line of `cm_epix`: the median of the values not excluded, 0 when its absolute value is
/// above `max_corr` or when more than `(1 - min_frac)` of the line is excluded, subtracted from
/// every value of the line.
fn line(
    f: &mut [f32],
    excluded: &[u8],
    idx: impl Iterator<Item = usize> + Clone,
    p: &CmEpixParams,
    buf: &mut Vec<f32>,
) {
    buf.clear();
    let mut n = 0usize;
    for k in idx.clone() {
        n += 1;
        if excluded[k] == 0 {
            buf.push(f[k]);
        }
    }
    let nexcl = n - buf.len();
    let mut cm = median_f32(buf);
    if cm.abs() > p.max_corr || nexcl as f64 > (1.0 - p.min_frac) * n as f64 {
        cm = 0.0;
    }
    for k in idx {
        f[k] -= cm;
    }
}
