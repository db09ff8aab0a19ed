/*!
The summary: the limits of psana's `evaluate_limits`, with numpy's arithmetic.

The status bits 1, 2, 16 and 32 compare each pixel with limits derived from the mean and the
population standard deviation of the whole array. numpy computes `arr.mean()` as
`pairwise_sum(arr) / n` and `arr.std()` as `sqrt(pairwise_sum((arr - mean)^2) / n)`, where
`pairwise_sum` is its blocked pairwise summation (`numpy/_core/src/umath/loops_utils.h.src`).
For a contiguous float64 array the whole flattened array goes through one call, so replicating
that summation order gives the same bits.
*/

/// numpy's pairwise sum of `f(i)` for `i` in `start..start + n`.
///
/// Fewer than 8 terms: a plain loop from 0. Up to 128: eight running sums over strides of 8,
/// combined as `((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))`, then the remainder added in
/// order. More: split at `n / 2` rounded down to a multiple of 8 and recurse. The two halves
/// are independent, so large ones run in parallel; the result does not depend on that.
pub(crate) fn pairwise_sum<F>(f: &F, start: usize, n: usize) -> f64
where
    F: Fn(usize) -> f64 + Sync,
{
    if n < 8 {
        let mut res = 0.0;
        for i in start..start + n {
            res += f(i);
        }
        res
    } else if n <= 128 {
        let mut r = [0.0f64; 8];
        for (j, x) in r.iter_mut().enumerate() {
            *x = f(start + j);
        }
        let whole = n - n % 8;
        let mut i = 8;
        while i < whole {
            for (j, x) in r.iter_mut().enumerate() {
                *x += f(start + i + j);
            }
            i += 8;
        }
        let mut res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        while i < n {
            res += f(start + i);
            i += 1;
        }
        res
    } else {
        let mut n2 = n / 2;
        n2 -= n2 % 8;
        if n > 1 << 16 {
            let (a, b) = rayon::join(
                || pairwise_sum(f, start, n2),
                || pairwise_sum(f, start + n2, n - n2),
            );
            a + b
        } else {
            pairwise_sum(f, start, n2) + pairwise_sum(f, start + n2, n - n2)
        }
    }
}

/// numpy's `(a.mean(), a.std())` of a float64 array (population standard deviation).
pub(crate) fn mean_std(a: &[f64]) -> (f64, f64) {
    let n = a.len() as f64;
    let mean = pairwise_sum(&|i| a[i], 0, a.len()) / n;
    let var = pairwise_sum(
        &|i| {
            let d = a[i] - mean;
            d * d
        },
        0,
        a.len(),
    ) / n;
    (mean, var.sqrt())
}

/// numpy's buffer size: reductions that go through a buffered iterator sum in blocks of
/// this many elements, one pairwise sum per block, the blocks added in order.
const NUMPY_BUFSIZE: usize = 8192;

/// numpy's pairwise sum of `f(i)` for `i` in `0..n` in blocks of [`NUMPY_BUFSIZE`].
pub(crate) fn blocked_sum<F>(f: &F, n: usize) -> f64
where
    F: Fn(usize) -> f64 + Sync,
{
    use rayon::prelude::*;
    // The blocks' sums are independent: computed in parallel, added in order.
    let sums: Vec<f64> = (0..n.div_ceil(NUMPY_BUFSIZE))
        .into_par_iter()
        .map(|b| {
            let start = b * NUMPY_BUFSIZE;
            pairwise_sum(f, start, NUMPY_BUFSIZE.min(n - start))
        })
        .collect();
    let mut res = 0.0;
    for s in sums {
        res += s;
    }
    res
}

/// numpy's `(a.mean(), a.std())` of a 2-D float64 array as LCLS-I psana's ePix10ka dark
/// processing evaluates it: the sums go in blocks of 8192 elements (checked against the ePix10ka
/// parity data, where the single pairwise sum of [`mean_std`] differs in the last bit).
pub(crate) fn mean_std_blocked(a: &[f64]) -> (f64, f64) {
    let n = a.len() as f64;
    let mean = blocked_sum(&|i| a[i], a.len()) / n;
    let var = blocked_sum(
        &|i| {
            let d = a[i] - mean;
            d * d
        },
        a.len(),
    ) / n;
    (mean, var.sqrt())
}

/// Python's `max(a, b)`: `a` unless `b > a` (so `max(nan, x)` is nan).
pub(crate) fn py_max(a: f64, b: f64) -> f64 {
    if b > a { b } else { a }
}

/// Python's `min(a, b)`: `a` unless `b < a` (so `min(nan, x)` is nan).
pub(crate) fn py_min(a: f64, b: f64) -> f64 {
    if b < a { b } else { a }
}

/// psana's `evaluate_limits(arr, nneg, npos, lim_lo, lim_hi)` given the array's mean and std.
pub(crate) fn evaluate_limits(
    mean: f64,
    std: f64,
    nneg: f64,
    npos: f64,
    lim_lo: f64,
    lim_hi: f64,
) -> (f64, f64) {
    let lo = if nneg > 0.0 {
        mean - nneg * std
    } else {
        lim_lo
    };
    let hi = if npos > 0.0 {
        mean + npos * std
    } else {
        lim_hi
    };
    (py_max(lo, lim_lo), py_min(hi, lim_hi))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same summation written as numpy writes it, on a slice.
    fn numpy_pairwise(a: &[f64]) -> f64 {
        let n = a.len();
        if n < 8 {
            a.iter().fold(0.0, |s, x| s + x)
        } else if n <= 128 {
            let mut r: [f64; 8] = a[..8].try_into().unwrap();
            let mut i = 8;
            while i < n - n % 8 {
                for j in 0..8 {
                    r[j] += a[i + j];
                }
                i += 8;
            }
            let mut res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
            for x in &a[i..] {
                res += x;
            }
            res
        } else {
            let n2 = n / 2 - (n / 2) % 8;
            numpy_pairwise(&a[..n2]) + numpy_pairwise(&a[n2..])
        }
    }

    #[test]
    fn pairwise_matches_the_slice_form_and_differs_from_a_plain_loop() {
        let mut x = 0x1234_5678_u64;
        let a: Vec<f64> = (0..200_003)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                3000.0 + (x % 100_000) as f64 / 7.0
            })
            .collect();
        for n in [0, 1, 7, 8, 9, 127, 128, 129, 1000, 65_537, 200_003] {
            let s = pairwise_sum(&|i| a[i], 0, n);
            assert_eq!(s.to_bits(), numpy_pairwise(&a[..n]).to_bits(), "n={n}");
        }
        let plain: f64 = a.iter().sum();
        assert_ne!(
            plain.to_bits(),
            pairwise_sum(&|i| a[i], 0, a.len()).to_bits()
        );
    }

    #[test]
    fn python_min_max_keep_nan_first() {
        assert!(py_max(f64::NAN, 1.0).is_nan());
        assert_eq!(py_max(1.0, f64::NAN), 1.0);
        assert!(py_min(f64::NAN, 1.0).is_nan());
        assert_eq!(py_max(0.5, 1.0), 1.0);
        assert_eq!(py_min(20000.0, 16000.0), 16000.0);
        let (lo, hi) = evaluate_limits(10.0, 1.0, 6.0, 6.0, 1.0, 16000.0);
        assert_eq!((lo, hi), (4.0, 16.0));
        let (lo, hi) = evaluate_limits(10.0, 1.0, 0.0, -1.0, 1.0, 16000.0);
        assert_eq!((lo, hi), (1.0, 16000.0));
    }
}
