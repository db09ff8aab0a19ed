/*!
CSPAD common mode: algorithm 1, the histogram peak of each 2x1 section (psana's C++
`findCommonMode`, spec §1.1), and algorithm 5, the mean of the 36 unbonded pixels of a section
(`applyCModeUnbond`, §1.5), which is also algorithm 1's fallback on CSPADs.
*/

use super::is_excluded;

/// The rows of a CSPAD 2x1 section.
pub const SECTION_ROWS: usize = 185;
/// The columns of a CSPAD 2x1 section.
pub const SECTION_COLS: usize = 388;
/// The pixels of a CSPAD 2x1 section.
pub const SECTION_PIXELS: usize = SECTION_ROWS * SECTION_COLS;

/// The histogram bins: values -1000..=1999 (bin = value + 1000).
const NBINS: usize = 3000;
/// The value of bin 0.
const OFFSET: f64 = 1000.0;

/// The parameters of algorithm 1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PeakParams {
    /// The largest absolute common mode applied (`p[1]`).
    pub meanmax: f64,
    /// The largest peak width (sigma) accepted (`p[2]`).
    pub sigmax: f64,
    /// The count a bin must exceed to be a peak (`int(p[3])`, 100 when not positive).
    pub thresh: i64,
    /// CSPAD: use algorithm 5 on sections without an accepted peak (`p[4] > 0.1`).
    pub unbond_fallback: bool,
}

impl PeakParams {
    /// The parameters of psana's values (missing ones count as 0).
    pub fn from_cmpars(cmpars: &[f64]) -> PeakParams {
        let p = |k: usize| cmpars.get(k).copied().unwrap_or(0.0);
        let thresh = p(3) as i64;
        PeakParams {
            meanmax: p(1),
            sigmax: p(2),
            thresh: if thresh <= 0 { 100 } else { thresh },
            unbond_fallback: p(4) > 0.1,
        }
    }
}

/// Algorithm 1 on one section (all its values, contiguous): subtracts the common mode from every
/// pixel and returns `true`, or returns `false` ("unknown") when there is no accepted peak.
/// Pixels flagged in `excluded` (empty: none) are left out of the histogram.
pub fn histogram_peak(section: &mut [f32], excluded: &[u8], p: &PeakParams) -> bool {
    let n = section.len();
    histogram_peak_strided(section, excluded, 0, n, 1, p)
}

/// Algorithm 1 on the `n` values `start + i * stride` of `data` (psana's generic groups).
pub fn histogram_peak_strided(
    data: &mut [f32],
    excluded: &[u8],
    start: usize,
    n: usize,
    stride: usize,
    p: &PeakParams,
) -> bool {
    let at = |i: usize| start + i * stride;
    let mut hist = vec![0i64; NBINS];
    for i in 0..n {
        let k = at(i);
        if is_excluded(excluded, k) {
            continue;
        }
        // Rounded half away from zero, in double; values outside the bins are ignored (NaN too).
        let bin = (data[k] as f64).round() + OFFSET;
        if (0.0..NBINS as f64).contains(&bin) {
            hist[bin as usize] += 1;
        }
    }
    let Some(cm) = peak_of(&hist, p) else {
        return false;
    };
    for i in 0..n {
        let k = at(i);
        data[k] = (data[k] as f64 - cm) as f32;
    }
    true
}

/// The common mode of a histogram, or `None` when no peak is accepted.
fn peak_of(hist: &[i64], p: &PeakParams) -> Option<f64> {
    let mut peak_count = -1i64;
    let mut peak_pos = -1i64;
    let mut hm_right = NBINS as i64;
    for (i, &h) in hist.iter().enumerate() {
        if h > peak_count && h > p.thresh {
            peak_pos = i as i64;
            peak_count = h;
        } else if peak_count > 0 && h <= peak_count / 2 {
            hm_right = i as i64;
            break;
        }
    }
    if peak_pos < 0 {
        return None;
    }
    let hm_left = (0..=peak_pos)
        .rev()
        .find(|&i| hist[i as usize] <= peak_count / 2)
        .unwrap_or(-1);
    let mut sigma = (hm_right - hm_left) as f64 / 2.36;
    let mut mean = peak_pos as f64;
    for _ in 0..2 {
        let d = (2.0 * sigma + 0.5) as i64;
        let lo = (peak_pos - d).max(0);
        let hi = (peak_pos + d).min(NBINS as i64 - 1);
        let (mut s0, mut s1, mut s2) = (0.0f64, 0.0f64, 0.0f64);
        for i in lo..=hi {
            let h = hist[i as usize] as f64;
            let di = i as f64 - mean;
            s0 += h;
            s1 += di * h;
            s2 += di * di * h;
        }
        let m1 = s1 / s0;
        mean += m1;
        sigma = (s2 / s0 - m1 * m1).sqrt();
    }
    let cm = mean - OFFSET;
    if cm.abs() > p.meanmax || sigma > p.sigmax {
        return None;
    }
    Some(cm)
}

/// The 36 unbonded pixels of a section: `(r, r)` and `(r, r + 194)` for r = 10, 20, ..., 180.
pub fn unbonded_pixels() -> impl Iterator<Item = usize> {
    (10..=180)
        .step_by(10)
        .flat_map(|r| [r * SECTION_COLS + r, r * SECTION_COLS + r + 194])
}

/// Algorithm 5 on one section: the mean (double) of its 36 unbonded pixels is subtracted from
/// every pixel when its absolute value is at most `meanmax`. Returns whether it was.
pub fn unbonded(section: &mut [f32], meanmax: f64) -> bool {
    let sum: f64 = unbonded_pixels().map(|k| section[k] as f64).sum();
    let mean = sum / 36.0;
    if mean.abs() > meanmax || mean.is_nan() {
        return false;
    }
    for v in section.iter_mut() {
        *v = (*v as f64 - mean) as f32;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    const CSPAD: PeakParams = PeakParams {
        meanmax: 25.0,
        sigmax: 25.0,
        thresh: 100,
        unbond_fallback: true,
    };

    #[test]
    fn unbonded_pixels_are_36_distinct_pixels_of_a_section() {
        let mut px: Vec<usize> = unbonded_pixels().collect();
        assert_eq!(px.len(), 36);
        assert_eq!(px[0], 10 * 388 + 10);
        assert_eq!(px[1], 10 * 388 + 204);
        assert_eq!(px[35], 180 * 388 + 374);
        px.sort();
        px.dedup();
        assert_eq!(px.len(), 36);
        assert!(px.iter().all(|&k| k < SECTION_PIXELS));
    }

    #[test]
    fn params_follow_psana() {
        let p = PeakParams::from_cmpars(&[1.0, 25.0, 25.0, 0.0]);
        assert_eq!(p.thresh, 100);
        assert!(!p.unbond_fallback);
        assert_eq!(
            PeakParams::from_cmpars(&[1.0, 25.0, 25.0, 100.0, 1.0]),
            CSPAD
        );
    }

    #[test]
    fn peak_of_a_two_bin_histogram_is_their_weighted_mean() {
        // Counts 300 at value 5 and 100 at value 6: the first peak is bin 1005, half height
        // 150; bin 1006 (100) ends it: hmRight 1006, hmLeft 1004, sigma 2/2.36, d = 2; the
        // moments over 1003..=1007 give mean 5.25 and sigma sqrt(0.1875) < 25.
        let mut hist = vec![0i64; NBINS];
        hist[1005] = 300;
        hist[1006] = 100;
        let cm = peak_of(&hist, &CSPAD).unwrap();
        assert_eq!(cm, 5.25);
        // sigmax below the width: unknown.
        let narrow = PeakParams {
            sigmax: 0.4,
            ..CSPAD
        };
        assert_eq!(peak_of(&hist, &narrow), None);
        // No bin above the threshold: unknown.
        hist[1005] = 100;
        assert_eq!(peak_of(&hist, &CSPAD), None);
    }
}
