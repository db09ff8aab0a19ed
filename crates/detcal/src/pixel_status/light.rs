/*!
The light-data features of psana's `det_pixel_status`: 6 (plane-fit residuals) and 11 (pixel
maximum minus pedestals).

- **F6**: each good frame (`raw & databits`) is cut into windows of `wr x wc` pixels (corners at
  0, wr, 2wr, ... with the last one moved back to `rows - wr`, same for columns); in each window
  a plane `z = a*c + b*r + k` is fitted by least squares (normal equations, float64) and the
  residual `z - fit` kept, a later window overwriting the pixels it shares with an earlier one.
  Per pixel over the frames: `res_med` = median of the residuals, `res_spr` = median of
  `|res - res_med|`. [`evaluate`] in (-databits, databits): `res_med` gives bits
  16 (low) / 32 (high), `res_spr` bits 64 / 128.
- **F11**: `max_peds` = the pixel's maximum of `raw & databits` over the events minus its
  pedestal (float32). With `med` its median and `d = max_peds - med`, the limits
  `med + snrmax * median(d[d >= 0])` and `med + snrmax * median(d[d < 0])` are the range of
  [`evaluate`]: bits 256 (low) / 512 (high).
*/

use crate::error::{Error, Result};
use crate::stats::median_f64;

use super::evaluate;

/// F6: the median residual is too low.
pub const RES_MED_LOW: u64 = 1 << 4;
/// F6: the median residual is too high.
pub const RES_MED_HIGH: u64 = 1 << 5;
/// F6: the spread of the residuals is too low.
pub const RES_SPR_LOW: u64 = 1 << 6;
/// F6: the spread of the residuals is too high.
pub const RES_SPR_HIGH: u64 = 1 << 7;
/// F11: maximum minus pedestal too low.
pub const MAX_LOW: u64 = 1 << 8;
/// F11: maximum minus pedestal too high.
pub const MAX_HIGH: u64 = 1 << 9;

/// The window starts along an axis of `n` pixels for windows of `w`: 0, w, 2w, ... below `n`,
/// the last one moved back to `n - w`. Needs `n > w` (psana asserts it).
pub fn window_starts(n: usize, w: usize) -> Result<Vec<usize>> {
    if w == 0 || n <= w {
        return Err(Error::bad_arg(
            "--shwind",
            format!("windows of {w} pixels need an axis longer than {w}, not {n}"),
        ));
    }
    Ok((0..n).step_by(w).map(|s| s.min(n - w)).collect())
}

/// The inverse of the normal matrix `AᵀA` of a plane fit over a `wr x wc` window, columns
/// (c, r, 1).
fn normal_inverse(wr: usize, wc: usize) -> [[f64; 3]; 3] {
    let (mut scc, mut scr, mut sc, mut srr, mut sr) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for r in 0..wr {
        for c in 0..wc {
            let (c, r) = (c as f64, r as f64);
            scc += c * c;
            scr += c * r;
            sc += c;
            srr += r * r;
            sr += r;
        }
    }
    let n = (wr * wc) as f64;
    let m = [[scc, scr, sc], [scr, srr, sr], [sc, sr, n]];
    let det = m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
        - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
        + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
    let cof = |i: usize, j: usize| {
        let rows: Vec<usize> = (0..3).filter(|&x| x != i).collect();
        let cols: Vec<usize> = (0..3).filter(|&x| x != j).collect();
        let minor =
            m[rows[0]][cols[0]] * m[rows[1]][cols[1]] - m[rows[0]][cols[1]] * m[rows[1]][cols[0]];
        if (i + j).is_multiple_of(2) {
            minor
        } else {
            -minor
        }
    };
    let mut inv = [[0.0; 3]; 3];
    for (i, row) in inv.iter_mut().enumerate() {
        for (j, v) in row.iter_mut().enumerate() {
            *v = cof(j, i) / det;
        }
    }
    inv
}

/// Residuals of the window with corner (r0, c0) of a `cols`-wide frame, into `out` (same layout).
fn fit_window(
    frame: &[f64],
    cols: usize,
    (r0, c0): (usize, usize),
    (wr, wc): (usize, usize),
    inv: &[[f64; 3]; 3],
    out: &mut [f64],
) {
    let (mut azc, mut azr, mut az) = (0.0, 0.0, 0.0);
    for r in 0..wr {
        for c in 0..wc {
            let z = frame[(r0 + r) * cols + c0 + c];
            azc += c as f64 * z;
            azr += r as f64 * z;
            az += z;
        }
    }
    let coef: Vec<f64> = inv
        .iter()
        .map(|row| row[0] * azc + row[1] * azr + row[2] * az)
        .collect();
    for r in 0..wr {
        for c in 0..wc {
            let i = (r0 + r) * cols + c0 + c;
            out[i] = frame[i] - (coef[0] * c as f64 + coef[1] * r as f64 + coef[2]);
        }
    }
}

/// F6's residuals of one frame (`rows x cols`, row-major) of plane fits in windows of
/// `shwind = (wr, wc)`, later windows overwriting earlier ones.
pub fn plane_residuals(
    frame: &[f64],
    rows: usize,
    cols: usize,
    shwind: (usize, usize),
) -> Result<Vec<f64>> {
    let rs = window_starts(rows, shwind.0)?;
    let cs = window_starts(cols, shwind.1)?;
    let inv = normal_inverse(shwind.0, shwind.1);
    let mut out = vec![0.0; rows * cols];
    for &r0 in &rs {
        for &c0 in &cs {
            fit_window(frame, cols, (r0, c0), shwind, &inv, &mut out);
        }
    }
    Ok(out)
}

/// F6's status of a panel from its good frames (`raw & databits`, `rows x cols` each).
pub fn light_status(
    frames: &[Vec<u16>],
    rows: usize,
    cols: usize,
    shwind: (usize, usize),
    databits: u16,
    snrmax: f64,
) -> Result<Vec<u64>> {
    let npix = rows * cols;
    let mut status = vec![0u64; npix];
    if frames.is_empty() {
        return Ok(status);
    }
    let rs = window_starts(rows, shwind.0)?;
    let cs = window_starts(cols, shwind.1)?;
    let inv = normal_inverse(shwind.0, shwind.1);
    let (wr, wc) = shwind;
    let mut res_med = vec![0.0; npix];
    let mut res_spr = vec![0.0; npix];
    let mut fz = vec![0.0; npix];
    let mut fres = vec![0.0; npix];
    // Windows in corner order; each window's per-pixel statistics over the frames overwrite
    // those of earlier windows, as the residuals themselves do frame by frame.
    let nf = frames.len();
    let mut per_pixel = vec![0.0; nf * wr * wc];
    for &r0 in &rs {
        for &c0 in &cs {
            for (f, frame) in frames.iter().enumerate() {
                for r in 0..wr {
                    for c in 0..wc {
                        let i = (r0 + r) * cols + c0 + c;
                        fz[i] = f64::from(frame[i]);
                    }
                }
                fit_window(&fz, cols, (r0, c0), shwind, &inv, &mut fres);
                for r in 0..wr {
                    for c in 0..wc {
                        per_pixel[(r * wc + c) * nf + f] = fres[(r0 + r) * cols + c0 + c];
                    }
                }
            }
            for r in 0..wr {
                for c in 0..wc {
                    let i = (r0 + r) * cols + c0 + c;
                    let v = &mut per_pixel[(r * wc + c) * nf..(r * wc + c + 1) * nf];
                    let med = median_f64(v);
                    let mut dev: Vec<f64> = v.iter().map(|x| (x - med).abs()).collect();
                    res_med[i] = med;
                    res_spr[i] = median_f64(&mut dev);
                }
            }
        }
    }
    let range = f64::from(databits);
    evaluate(
        &res_med,
        -range,
        range,
        snrmax,
        RES_MED_LOW,
        RES_MED_HIGH,
        &mut status,
    );
    evaluate(
        &res_spr,
        -range,
        range,
        snrmax,
        RES_SPR_LOW,
        RES_SPR_HIGH,
        &mut status,
    );
    Ok(status)
}

/// F11's limits (low, high) of `max_peds`: `med + snrmax * median(d[d < 0])` and
/// `med + snrmax * median(d[d >= 0])` with `d = max_peds - med`.
pub fn max_limits(max_peds: &[f64], snrmax: f64) -> (f64, f64) {
    let mut all = max_peds.to_vec();
    let med = median_f64(&mut all);
    let mut pos: Vec<f64> = max_peds
        .iter()
        .map(|x| x - med)
        .filter(|d| *d >= 0.0)
        .collect();
    let mut neg: Vec<f64> = max_peds
        .iter()
        .map(|x| x - med)
        .filter(|d| *d < 0.0)
        .collect();
    let dp = median_f64(&mut pos);
    let dn = median_f64(&mut neg);
    (med + snrmax * dn, med + snrmax * dp)
}

/// F11's status of a panel from its maximum (`raw & databits` over the events) and pedestals.
pub fn max_status(max: &[u16], peds: &[f32], snrmax: f64) -> Vec<u64> {
    let max_peds: Vec<f64> = max
        .iter()
        .zip(peds)
        .map(|(&m, &p)| f64::from(f32::from(m) - p))
        .collect();
    let (lo, hi) = max_limits(&max_peds, snrmax);
    let mut status = vec![0u64; max.len()];
    evaluate(&max_peds, lo, hi, snrmax, MAX_LOW, MAX_HIGH, &mut status);
    status
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_starts_clamp_the_last_window() {
        assert_eq!(window_starts(5, 3).unwrap(), vec![0, 2]);
        assert_eq!(window_starts(704, 15).unwrap().last(), Some(&689));
        assert_eq!(window_starts(30, 15).unwrap(), vec![0, 15]);
        assert!(window_starts(15, 15).is_err());
        assert!(window_starts(5, 0).is_err());
    }

    /// Worked by hand with centred coordinates u, v in {-1, 0, 1} of a 3x3 window, where the
    /// normal matrix is diag(9, 6, 6): a spike of d at (u0, v0) leaves the residual
    /// -d * (1/9 + u*u0/6 + v*v0/6) at (u, v), and d * (1 - h) at the spike.
    #[test]
    fn plane_residuals_known_answers() {
        let (rows, cols) = (5, 5);
        let plane = |r: usize, c: usize| 2.0 * c as f64 - 3.0 * r as f64 + 5.0;
        let mut frame: Vec<f64> = (0..rows * cols)
            .map(|i| plane(i / cols, i % cols))
            .collect();
        // A plane alone leaves nothing.
        let res = plane_residuals(&frame, rows, cols, (3, 3)).unwrap();
        assert!(res.iter().all(|x| x.abs() < 1e-9), "{res:?}");
        // A spike of 100 at (2, 2): windows at rows {0, 2} x cols {0, 2}; the last one (rows
        // 2-4, cols 2-4) has it in its corner (u0, v0) = (-1, -1) and decides every pixel it
        // covers.
        frame[2 * cols + 2] += 100.0;
        let res = plane_residuals(&frame, rows, cols, (3, 3)).unwrap();
        let close = |a: f64, b: f64| (a - b).abs() < 1e-9;
        // At the spike: h = 1/9 + 1/6 + 1/6 = 4/9, residual 500/9.
        assert!(
            close(res[2 * cols + 2], 500.0 / 9.0),
            "{}",
            res[2 * cols + 2]
        );
        // (2, 3): u = 0, v = -1: h = 1/9 + 1/6 = 5/18.
        assert!(
            close(res[2 * cols + 3], -500.0 / 18.0),
            "{}",
            res[2 * cols + 3]
        );
        // (4, 4): u = v = 1: h = 1/9 - 1/6 - 1/6 = -2/9.
        assert!(
            close(res[4 * cols + 4], 200.0 / 9.0),
            "{}",
            res[4 * cols + 4]
        );
        // (1, 1) is only in the first window (rows 0-2, cols 0-2), where the spike is the
        // corner (1, 1) and (1, 1) the centre: h = 1/9.
        assert!(close(res[cols + 1], -100.0 / 9.0), "{}", res[cols + 1]);
        // (0, 4) is in window (0, 2) only, spike at (u0, v0) = (-1, 1), pixel (1, -1): h = 1/9 - 1/3.
        assert!(close(res[4], 200.0 / 9.0), "{}", res[4]);
    }

    /// Worked by hand: max - peds = 10..18, 100; med 14.5; d >= 0: 0.5, 1.5, 2.5, 3.5, 85.5
    /// (median 2.5); d < 0: median -2.5; snrmax 2 → range (9.5, 19.5). Inside it: 10..18, median
    /// 14, MAD 2 → limits max(10, 9.5) = 10 and min(18, 19.5) = 18.
    #[test]
    fn max_status_known_answer() {
        let max: Vec<u16> = vec![110, 111, 112, 113, 114, 115, 116, 117, 118, 200];
        let peds = vec![100.0f32; max.len()];
        let mp: Vec<f64> = (10..=18).map(f64::from).chain([100.0]).collect();
        assert_eq!(max_limits(&mp, 2.0), (9.5, 19.5));
        let st = max_status(&max, &peds, 2.0);
        let mut want = vec![0u64; 10];
        want[0] = MAX_LOW;
        want[8] = MAX_HIGH;
        want[9] = MAX_HIGH;
        assert_eq!(st, want);
    }

    /// Three frames of different planes with a constant spike of 100 at (2, 2) of a 5x5 panel
    /// (3x3 windows), and a pixel (0, 0) that is +6, -6, 0 off its plane. Residuals are
    /// those of the hand-worked spike above in every frame, so res_med is them; res_spr is
    /// 0 except where (0, 0)'s swing reaches (window (0, 0) only: pixels of rows 0-1, cols 0-1).
    #[test]
    fn light_status_flags_the_spike() {
        let (rows, cols) = (5, 5);
        let frames: Vec<Vec<u16>> = (0..3)
            .map(|f| {
                (0..rows * cols)
                    .map(|i| {
                        let (r, c) = (i / cols, i % cols);
                        let mut v = 1000.0 + (f as f64 + 1.0) * c as f64 + 2.0 * r as f64;
                        if (r, c) == (2, 2) {
                            v += 100.0;
                        }
                        if (r, c) == (0, 0) {
                            v += [6.0, -6.0, 0.0][f];
                        }
                        v as u16
                    })
                    .collect()
            })
            .collect();
        let st = light_status(&frames, rows, cols, (3, 3), 0x3fff, 3.0).unwrap();
        // The spike's median residual 500/9 is far above the others (at most 200/9): high.
        assert_ne!(st[2 * cols + 2] & RES_MED_HIGH, 0, "{st:?}");
        // (0, 0) swings: its residual spread is the largest of the panel.
        assert_ne!(st[0] & RES_SPR_HIGH, 0, "{st:?}");
        // Pixels outside window (0, 0)'s reach keep a zero spread and no spread-high bit.
        assert_eq!(st[4 * cols + 4] & RES_SPR_HIGH, 0);
    }
}
