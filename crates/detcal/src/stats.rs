/*!
Medians as numpy computes them: the one definition every module uses.

`np.median` of `n` values is the middle value for odd `n`, and for even `n` the mean of the two
middle values, computed in the array's type (float32 values are added in float32 and the sum
halved; integer arrays give a float64 mean). A NaN anywhere makes the median NaN, and so does an
empty array (numpy warns and returns NaN).

The sorting-network medians of the common-mode correction, and numpy's masked median rule they
also need, are in [`crate::calib`]'s `median` module; they agree with [`median_f32`].
*/

/// `np.median` of float32 values: NaN when `v` is empty or holds a NaN. Reorders `v`.
pub fn median_f32(v: &mut [f32]) -> f32 {
    let n = v.len();
    if n == 0 || v.iter().any(|x| x.is_nan()) {
        return f32::NAN;
    }
    let (below, &mut hi, _) = v.select_nth_unstable_by(n / 2, f32::total_cmp);
    if n % 2 == 1 {
        return hi;
    }
    let lo = below
        .iter()
        .copied()
        .fold(f32::NEG_INFINITY, |m, x| if x > m { x } else { m });
    (lo + hi) / 2.0
}

/// `np.median` of float64 values: NaN when `v` is empty or holds a NaN. Reorders `v`.
pub fn median_f64(v: &mut [f64]) -> f64 {
    let n = v.len();
    if n == 0 || v.iter().any(|x| x.is_nan()) {
        return f64::NAN;
    }
    let (below, &mut hi, _) = v.select_nth_unstable_by(n / 2, f64::total_cmp);
    if n % 2 == 1 {
        return hi;
    }
    let lo = below
        .iter()
        .copied()
        .fold(f64::NEG_INFINITY, |m, x| if x > m { x } else { m });
    (lo + hi) / 2.0
}

/// `np.median` of `v & mask` for u16 values, by counting: exact and fast for 14-bit data.
/// `hist` is working memory of at least `mask + 1` counters. NaN when `v` is empty.
pub fn median_u16_hist(v: &[u16], mask: u16, hist: &mut [u32]) -> f64 {
    let n = v.len();
    if n == 0 {
        return f64::NAN;
    }
    hist.fill(0);
    for &x in v {
        hist[(x & mask) as usize] += 1;
    }
    // The k-th smallest (0-based).
    let kth = |k: usize| {
        let mut acc = 0usize;
        for (val, &c) in hist.iter().enumerate() {
            acc += c as usize;
            if acc > k {
                return val as f64;
            }
        }
        0.0
    };
    if n % 2 == 1 {
        kth(n / 2)
    } else {
        (kth(n / 2 - 1) + kth(n / 2)) / 2.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_like_numpy() {
        assert_eq!(median_f32(&mut [3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median_f32(&mut [4.0, 1.0, 2.0, 3.0]), 2.5);
        assert!(median_f32(&mut []).is_nan());
        assert!(median_f32(&mut [1.0, f32::NAN, 2.0]).is_nan());
        // float32 sum then halve: 16777216 + 1 rounds to 16777216 in float32.
        assert_eq!(median_f32(&mut [16777216.0, 1.0]), 8388608.0);
        assert_eq!(median_f32(&mut [-0.0, 5.0, -3.0]), -0.0);

        assert_eq!(median_f64(&mut [4.0, 1.0, 2.0, 3.0]), 2.5);
        assert_eq!(median_f64(&mut [7.0]), 7.0);
        assert!(median_f64(&mut []).is_nan());
        assert!(median_f64(&mut [f64::NAN, 1.0]).is_nan());

        let mut h = vec![0u32; 1 << 14];
        assert_eq!(median_u16_hist(&[3, 1, 2], 0x3fff, &mut h), 2.0);
        assert_eq!(median_u16_hist(&[4, 1, 2, 3], 0x3fff, &mut h), 2.5);
        assert_eq!(median_u16_hist(&[0x4005, 1, 9], 0x3fff, &mut h), 5.0);
        assert!(median_u16_hist(&[], 0x3fff, &mut h).is_nan());
    }

    #[test]
    fn selection_and_counting_agree_with_sorting() {
        let mut seed = 9u64;
        let mut rnd = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 50) as u16
        };
        let mut h = vec![0u32; 1 << 14];
        for n in 1..60 {
            let v: Vec<u16> = (0..n).map(|_| rnd()).collect();
            let mut s = v.clone();
            s.sort();
            let want = (f64::from(s[(n - 1) / 2]) + f64::from(s[n / 2])) / 2.0;
            assert_eq!(median_u16_hist(&v, 0x3fff, &mut h), want);
            let mut f: Vec<f64> = v.iter().map(|&x| f64::from(x)).collect();
            assert_eq!(median_f64(&mut f), want);
            let mut f: Vec<f32> = v.iter().map(|&x| f32::from(x)).collect();
            assert_eq!(median_f32(&mut f), want as f32);
        }
    }
}
