/*!
Summaries of constants arrays: shape, type, value statistics and status-bit counts.
*/

use serde::Serialize;

use crate::formats::array::NdArray;
use crate::with_array;

/// What `detcal show` reports about an array.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArraySummary {
    /// The shape.
    pub shape: Vec<usize>,
    /// numpy's name of the element type.
    pub dtype: String,
    /// The number of elements.
    pub size: usize,
    /// The smallest value (NaN ignored; `None` for an empty or all-NaN array).
    pub min: Option<f64>,
    /// The largest value (NaN ignored).
    pub max: Option<f64>,
    /// The mean of the values (NaN ignored).
    pub mean: Option<f64>,
    /// The population standard deviation (NaN ignored).
    pub std: Option<f64>,
    /// The number of NaN values.
    pub nan_count: usize,
    /// The number of non-zero values.
    pub nonzero: usize,
    /// For status arrays: the number of elements with each bit set, for the bits that occur.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_bits: Option<Vec<BitCount>>,
}

/// How many elements of a status array have one bit set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct BitCount {
    /// The bit's value (1, 2, 4, ...).
    pub bit: u64,
    /// The number of elements with the bit set.
    pub count: usize,
}

/// Summarizes `arr`; with `status`, counts the elements with each bit set.
pub fn summarize(arr: &NdArray, status: bool) -> ArraySummary {
    let (mut min, mut max) = (f64::INFINITY, f64::NEG_INFINITY);
    let (mut n, mut nan_count, mut nonzero) = (0usize, 0usize, 0usize);
    let (mut sum, mut sumsq) = (0.0f64, 0.0f64);
    let mut bits = [0usize; 64];
    // Welford-free two-pass: the mean first, then squared deviations (arrays fit in memory).
    with_array!(arr, a => {
        for &v in a.iter() {
            let x = crate::formats::array::Element::to_f64(v);
            if x.is_nan() {
                nan_count += 1;
                continue;
            }
            n += 1;
            sum += x;
            min = min.min(x);
            max = max.max(x);
            if x != 0.0 {
                nonzero += 1;
            }
        }
    });
    let mean = if n > 0 { Some(sum / n as f64) } else { None };
    if let Some(m) = mean {
        with_array!(arr, a => {
            for &v in a.iter() {
                let x = crate::formats::array::Element::to_f64(v);
                if !x.is_nan() {
                    sumsq += (x - m) * (x - m);
                }
            }
        });
    }
    let status_bits = status.then(|| {
        let words = status_words(arr);
        for w in words {
            let mut w = w;
            while w != 0 {
                let b = w.trailing_zeros() as usize;
                bits[b] += 1;
                w &= w - 1;
            }
        }
        bits.iter()
            .enumerate()
            .filter(|(_, c)| **c > 0)
            .map(|(b, &count)| BitCount {
                bit: 1u64 << b,
                count,
            })
            .collect()
    });
    ArraySummary {
        shape: arr.shape().to_vec(),
        dtype: arr.dtype().name().to_string(),
        size: arr.len(),
        min: (n > 0).then_some(min),
        max: (n > 0).then_some(max),
        mean,
        std: mean.map(|_| (sumsq / n as f64).sqrt()),
        nan_count,
        nonzero,
        status_bits,
    }
}

/// The values of a status array as 64-bit words (floats truncated, negatives as two's complement).
fn status_words(arr: &NdArray) -> Vec<u64> {
    match arr {
        NdArray::U64(a) => a.iter().copied().collect(),
        NdArray::I64(a) => a.iter().map(|&v| v as u64).collect(),
        NdArray::F32(a) => a
            .iter()
            .map(|&v| if v.is_finite() { v as i64 as u64 } else { 0 })
            .collect(),
        NdArray::F64(a) => a
            .iter()
            .map(|&v| if v.is_finite() { v as i64 as u64 } else { 0 })
            .collect(),
        other => other
            .cast(crate::formats::array::DType::U64)
            .to_typed::<u64>()
            .iter()
            .copied()
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{ArrayD, IxDyn};

    #[test]
    fn statistics_and_bits() {
        let a = NdArray::F32(
            ArrayD::from_shape_vec(IxDyn(&[2, 3]), vec![0.0, 1.0, 2.0, 3.0, 64.0, 65.0]).unwrap(),
        );
        let s = summarize(&a, true);
        assert_eq!(s.shape, vec![2, 3]);
        assert_eq!(s.dtype, "float32");
        assert_eq!((s.min, s.max), (Some(0.0), Some(65.0)));
        let mean = 135.0 / 6.0;
        assert_eq!(s.mean, Some(mean));
        let var = [0.0f64, 1.0, 2.0, 3.0, 64.0, 65.0]
            .iter()
            .map(|x| (x - mean).powi(2))
            .sum::<f64>()
            / 6.0;
        assert!((s.std.unwrap() - var.sqrt()).abs() < 1e-12);
        assert_eq!(s.nonzero, 5);
        // 1: bit 1; 2: bit 2; 3: bits 1,2; 64: bit 64; 65: bits 1,64.
        assert_eq!(
            s.status_bits.unwrap(),
            vec![
                BitCount { bit: 1, count: 3 },
                BitCount { bit: 2, count: 2 },
                BitCount { bit: 64, count: 2 }
            ]
        );
        let nan =
            NdArray::F64(ArrayD::from_shape_vec(IxDyn(&[2]), vec![f64::NAN, f64::NAN]).unwrap());
        let s = summarize(&nan, false);
        assert_eq!((s.nan_count, s.mean, s.min), (2, None, None));
        let big = NdArray::U64(ArrayD::from_shape_vec(IxDyn(&[1]), vec![1u64 << 63]).unwrap());
        assert_eq!(
            summarize(&big, true).status_bits.unwrap(),
            vec![BitCount {
                bit: 1 << 63,
                count: 1
            }]
        );
    }
}
