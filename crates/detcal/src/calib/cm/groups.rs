/*!
Common mode over groups of consecutive values: algorithm 2, the mean of the good values below a
threshold (psana's C++ `psalg::commonMode`, spec §1.2), and algorithm 3, their histogram median
(`commonModeMedian`, §1.3; the pnCCD default). Both correct every value of the group.
*/

use rayon::prelude::*;

use super::is_excluded;

/// The parameters of algorithms 2 and 3.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GroupParams {
    /// Only values strictly below it make the estimate (`float32(p[1])`).
    pub threshold: f32,
    /// The largest absolute correction applied, inclusive (`float32(p[2])`).
    pub maxcorr: f32,
    /// The values per group (`p[3]`, 128 when below 100).
    pub length: usize,
}

/// The bins of algorithm 3's histogram: integer values -16384..=16383.
const MEDIAN_BINS: usize = 32768;
/// The value of bin 0, negated.
const MEDIAN_OFFSET: i64 = 16384;

/// Runs `f` on each group of `length` consecutive values (the last one may be shorter) with its
/// exclusion flags, in parallel.
pub(super) fn by_group(
    frame: &mut [f32],
    excluded: &[u8],
    length: usize,
    f: impl Fn(&mut [f32], &[u8]) + Sync,
) {
    // A few groups per task keeps the per-task cost small for 128-value groups.
    let per = length * (4096 / length).max(1);
    let run = |chunk: &mut [f32], ex: &[u8]| {
        for (k, g) in chunk.chunks_mut(length).enumerate() {
            let e = if ex.is_empty() {
                ex
            } else {
                &ex[k * length..k * length + g.len()]
            };
            f(g, e);
        }
    };
    if excluded.is_empty() {
        frame.par_chunks_mut(per).for_each(|c| run(c, &[]));
    } else {
        frame
            .par_chunks_mut(per)
            .zip(excluded.par_chunks(per))
            .for_each(|(c, e)| run(c, e));
    }
}

/// Algorithm 2 on one group: the mean (summed in double, then float32) of the values that are
/// not excluded and below the threshold is subtracted from every value when it is non-zero and
/// its absolute value is at most `maxcorr`. Returns the mean subtracted, if any.
pub fn mean(group: &mut [f32], excluded: &[u8], p: &GroupParams) -> Option<f32> {
    let mut sum = 0f64;
    let mut n = 0usize;
    for (i, &v) in group.iter().enumerate() {
        if !is_excluded(excluded, i) && v < p.threshold {
            sum += v as f64;
            n += 1;
        }
    }
    if n == 0 {
        return None;
    }
    let cm = (sum / n as f64) as f32;
    if cm.abs() <= p.maxcorr && cm != 0.0 {
        group.iter_mut().for_each(|v| *v -= cm);
        Some(cm)
    } else {
        None
    }
}

/// Algorithm 3 on one group: the median of the values that are not excluded and below the
/// threshold, from a histogram of their integer parts (truncated toward zero, clamped to
/// -16384..=16383), is an integer; it is subtracted from every value when it is non-zero and
/// its absolute value is at most `maxcorr`. Returns the value subtracted, if any.
pub fn median(group: &mut [f32], excluded: &[u8], p: &GroupParams) -> Option<f32> {
    // The bin where the cumulative count first reaches ceil(n/2) is the ceil(n/2)-th smallest
    // bin of the values: found by selection rather than by walking the 32768 bins.
    let mut bins: Vec<i64> = group
        .iter()
        .enumerate()
        .filter(|&(i, &v)| !is_excluded(excluded, i) && v < p.threshold)
        // `as` truncates toward zero and saturates, like the clamp that follows.
        .map(|(_, &v)| (v as i64 + MEDIAN_OFFSET).clamp(0, MEDIAN_BINS as i64 - 1))
        .collect();
    if bins.is_empty() {
        return None;
    }
    let half = bins.len().div_ceil(2);
    let (_, &mut bin, _) = bins.select_nth_unstable(half - 1);
    let cm = (bin - MEDIAN_OFFSET) as f32;
    if cm.abs() <= p.maxcorr && cm != 0.0 {
        group.iter_mut().for_each(|v| *v -= cm);
        Some(cm)
    } else {
        None
    }
}
