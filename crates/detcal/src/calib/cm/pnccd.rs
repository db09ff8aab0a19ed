/*!
pnCCD common mode, algorithm 8: psana's Python `common_mode_pnccd` (spec §1.8), per sensor of
512 x 512, float32 in place, with the user's mask or without one.
*/

use crate::error::{Error, Result};
use crate::stats::median_f32;

/// The rows (and columns) of a pnCCD sensor.
pub const PNCCD_SENSOR: usize = 512;
/// The columns of a bank of bits 1 and 8.
const BANK: usize = 128;
/// The good-pixel count a line needs (more than this many).
const NPIX_MIN: f64 = 10.0;

/// The parameters of algorithm 8.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PnccdParams {
    /// Bit 1: rows of 128-column banks; 2: whole rows; 4: whole columns; 8: banks (`int(p[1])`).
    pub mode: u32,
    /// Estimates are applied only when their absolute value is below it (`p[2]`; none: always).
    pub cormax: Option<f64>,
}

impl PnccdParams {
    /// The parameters of psana's values: `p[1]` the mode (required), `p[2]` cormax; the others
    /// are ignored.
    pub fn from_cmpars(cmpars: &[f64]) -> Result<PnccdParams> {
        let Some(&mode) = cmpars.get(1) else {
            return Err(Error::bad_arg(
                "cmpars",
                format!("common-mode parameters {cmpars:?}: algorithm 8 needs a mode (2nd value)"),
            ));
        };
        // Python's int() truncates toward zero; only bits 1, 2, 4 and 8 mean anything.
        let mode = ((mode as i64) & 15) as u32;
        Ok(PnccdParams {
            mode,
            cormax: cmpars.get(2).copied(),
        })
    }

    /// Whether an estimate may be applied (compared in float32, as numpy compares a float32
    /// array with a Python float).
    fn applies(&self, cm: f32) -> bool {
        self.cormax.is_none_or(|c| cm.abs() < c as f32)
    }
}

/// Algorithm 8 on one sensor (512 x 512, row-major) with its mask (`None`: every pixel is used
/// and corrected).
pub fn sensor(f: &mut [f32], mask: Option<&[f32]>, p: &PnccdParams) {
    let n = PNCCD_SENSOR;
    let mut buf = Vec::with_capacity(n);
    let row_banks = |f: &mut [f32], buf: &mut Vec<f32>| {
        for b in 0..n / BANK {
            for r in 0..n {
                let at = r * n + b * BANK;
                line(f, mask, at..at + BANK, p, buf);
            }
        }
    };
    if p.mode & 1 != 0 {
        row_banks(f, &mut buf);
    }
    if p.mode & 2 != 0 {
        for r in 0..n {
            line(f, mask, r * n..(r + 1) * n, p, &mut buf);
        }
    }
    if p.mode & 4 != 0 {
        for c in 0..n {
            line(f, mask, (0..n).map(|r| r * n + c), p, &mut buf);
        }
    }
    if p.mode & 8 != 0 {
        match mask {
            Some(m) => {
                for b in 0..n / BANK {
                    let idx = (0..n).flat_map(|r| r * n + b * BANK..r * n + (b + 1) * BANK);
                    bank(f, m, idx, p, &mut buf);
                }
            }
            // psana runs the row function on the banks when there is no mask.
            None => row_banks(f, &mut buf),
        }
    }
}

/// One row or column: with a mask, the (masked) median of the pixels with mask >= 1, 0 unless
/// the sum of the mask values is more than 10, subtracted from the pixels with mask > 0;
/// without, the median of all, subtracted from all. 0 unless below cormax.
fn line(
    f: &mut [f32],
    mask: Option<&[f32]>,
    idx: impl Iterator<Item = usize> + Clone,
    p: &PnccdParams,
    buf: &mut Vec<f32>,
) {
    buf.clear();
    match mask {
        None => {
            buf.extend(idx.clone().map(|k| f[k]));
            let cm = median_f32(buf);
            let cm = if p.applies(cm) { cm } else { 0.0 };
            for k in idx {
                f[k] -= cm;
            }
        }
        Some(m) => {
            let mut npix = 0f64;
            for k in idx.clone() {
                npix += m[k] as f64;
                if m[k] >= 1.0 {
                    buf.push(f[k]);
                }
            }
            let cm = if buf.is_empty() {
                0.0
            } else {
                masked_median(buf)
            };
            let cm = if npix > NPIX_MIN && p.applies(cm) {
                cm
            } else {
                0.0
            };
            for k in idx {
                if m[k] > 0.0 {
                    f[k] -= cm;
                }
            }
        }
    }
}

/// One bank with a mask: the median of the pixels with mask > 0, when there are at least 10,
/// subtracted from them when below cormax.
fn bank(
    f: &mut [f32],
    m: &[f32],
    idx: impl Iterator<Item = usize> + Clone,
    p: &PnccdParams,
    buf: &mut Vec<f32>,
) {
    buf.clear();
    buf.extend(idx.clone().filter(|&k| m[k] > 0.0).map(|k| f[k]));
    if (buf.len() as f64) < NPIX_MIN {
        return;
    }
    let cm = median_f32(buf);
    if !p.applies(cm) {
        return;
    }
    for k in idx.filter(|&k| m[k] > 0.0) {
        f[k] -= cm;
    }
}

/// numpy's masked median along an axis: the middle value added to itself and halved for odd
/// counts (which differs from it only on overflow).
fn masked_median(v: &mut [f32]) -> f32 {
    let m = median_f32(v);
    if v.len() % 2 == 1 { (m + m) / 2.0 } else { m }
}
