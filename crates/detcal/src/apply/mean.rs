/*!
The per-pixel mean of calibrated frames with sums that do not depend on how the frames are
shared between processes, so that processes sharing the frames ([`crate::dist`]) and one
process alone give the same bytes.

The frames of a run are taken in groups of [`GROUP`] consecutive frames, the runs of frames
[`crate::dist::FrameShare`] hands to one process (the last group of a run may be shorter: it
ends with the run, [`MeanImage::end_run`]). Within a group each pixel's values are added in
order in `f64`, which every process does the same way; the group's sum `g` then goes into one
of three sums of its pixel, all independent of the order of the groups:

- `|g| < 2^40` (every calibrated value in practice): a fixed-point integer with 60 fraction
  bits, `round(g * 2^60)` (ties to even), added to an `i128`;
- finite `2^40 <= |g| < 2^88`: `g * 2^12`, an integer (the last bit of such an `f64` is at
  least `2^-12`), added to a second `i128`, kept only for the blocks of pixels that need it;
- otherwise (infinities, NaN, and the absurd `|g| >= 2^88`): an `f64` sum, kept the same way;
  infinities and NaN give the same result in any order.

Integer addition is associative, so the sums are the same in any order or grouping of the
groups. Where the `f64` sums of the groups are exact (values within 2^29 of each other in
magnitude, as calibrated frames are), the mean is the exact mean, rounded.

The mean is `(fixed / 2^60 + coarse / 2^12 + other) / frames`, rounded to float32.

Adding a value to an `f64` costs far less than converting it to an `i128` (the conversion is
done once per group), which keeps `detcal calib --mean` close to the speed of calibration.
*/

use rayon::prelude::*;

use crate::dist::{Reader, Writer};
use crate::error::{Error, Result};

/// Frames per group: the runs of frames [`crate::dist::FrameShare`] gives one process.
pub const GROUP: u64 = crate::dist::SHARE_RUN;
/// Fraction bits of the fixed-point sums.
const FRAC_BITS: i32 = 60;
/// Fraction bits of the coarse sums.
const COARSE_BITS: i32 = 12;
/// Group sums below this magnitude go to the fixed-point sums.
const FIXED_LIMIT: f64 = (1u64 << 40) as f64;
/// Finite group sums below this magnitude (and from [`FIXED_LIMIT`]) go to the coarse sums.
const COARSE_LIMIT: f64 = FIXED_LIMIT * (1u64 << 48) as f64;
/// Pixels per block (the unit of the parallel sums and of the sums kept on demand).
const BLOCK: usize = 1 << 14;

/// Where the sum `g` of one group of a pixel's values goes.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Part {
    /// `round(g * 2^60)`, ties to even.
    Fixed(i128),
    /// `g * 2^12`, exact.
    Coarse(i128),
    /// `g` itself.
    Other(f64),
}

/// The part of the sums the group sum `g` goes to.
#[inline]
fn part(g: f64) -> Part {
    let a = g.abs();
    if a < FIXED_LIMIT {
        Part::Fixed(fixed_point(g))
    } else if a < COARSE_LIMIT {
        Part::Coarse((g * (COARSE_BITS as f64).exp2()) as i128)
    } else {
        Part::Other(g)
    }
}

/// `round(g * 2^60)`, ties to even, for `|g| < 2^40`: from the bits of `g` where `g * 2^60` is
/// an integer (`|g| >= 2^-8`) or rounds to zero (zeros and subnormals).
#[inline]
fn fixed_point(g: f64) -> i128 {
    let bits = g.to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i32;
    // g = m * 2^(exp - 1075) with the 53-bit m, so g * 2^60 = m * 2^shift.
    let shift = exp - (1075 - FRAC_BITS);
    if exp == 0 {
        // |g * 2^60| < 2^-962.
        return 0;
    }
    if shift >= 0 {
        let m = i128::from(bits & ((1u64 << 52) - 1) | (1u64 << 52));
        let v = m << shift;
        return if bits >> 63 == 1 { -v } else { v };
    }
    // Scaling by a power of two is exact here, so this is one rounding of the exact value.
    (g * (FRAC_BITS as f64).exp2()).round_ties_even() as i128
}

/// The sums kept for the blocks with group sums of `2^40` or more, or not finite.
#[derive(Debug, Clone)]
struct Big {
    coarse: Vec<i128>,
    other: Vec<f64>,
}

impl Big {
    fn new(len: usize) -> Big {
        Big {
            coarse: vec![0; len],
            other: vec![0.0; len],
        }
    }
}

/// Adds one frame's values `v` to the group sums `group`.
#[inline]
fn add_frame(group: &mut [f64], v: &[f32]) {
    for (s, &x) in group.iter_mut().zip(v) {
        *s += f64::from(x);
    }
}

/// Ends the group in progress of one block: its sums `group` go into the order-independent
/// sums `fixed` and `big`, and start again from zero.
fn end_group(group: &mut [f64], fixed: &mut [i128], big: &mut Option<Big>) {
    let n = group.len();
    for (i, g) in group.iter_mut().enumerate() {
        match part(*g) {
            Part::Fixed(f) => fixed[i] = fixed[i].wrapping_add(f),
            Part::Coarse(c) => {
                let b = big.get_or_insert_with(|| Big::new(n));
                b.coarse[i] = b.coarse[i].wrapping_add(c);
            }
            Part::Other(x) => big.get_or_insert_with(|| Big::new(n)).other[i] += x,
        }
        *g = 0.0;
    }
}

/// The per-pixel mean of calibrated frames, with sums independent of how the frames are shared
/// between processes (see the module documentation).
#[derive(Debug, Clone)]
pub struct MeanImage {
    /// The `f64` sums of the group in progress, one per pixel.
    group: Vec<f64>,
    /// The fixed-point sums, one per pixel.
    fixed: Vec<i128>,
    /// The coarse and other sums of each block of [`BLOCK`] pixels, where it needs them.
    big: Vec<Option<Big>>,
    npix: usize,
    frames: u64,
    /// Frames in the group in progress.
    pending: u64,
}

impl MeanImage {
    /// An empty mean of frames of `frame_len` pixels.
    pub fn new(frame_len: usize) -> MeanImage {
        MeanImage {
            group: vec![0.0; frame_len],
            fixed: vec![0; frame_len],
            big: vec![None; frame_len.div_ceil(BLOCK)],
            npix: frame_len,
            frames: 0,
            pending: 0,
        }
    }

    /// Adds frames stored one after another in `frames`, the next frames of the run.
    pub fn add(&mut self, frames: &[f32]) {
        let n = self.npix;
        if n == 0 {
            return;
        }
        let nframes = frames.len() / n;
        let p0 = self.pending;
        self.group
            .par_chunks_mut(BLOCK)
            .zip(self.fixed.par_chunks_mut(BLOCK))
            .zip(self.big.par_iter_mut())
            .enumerate()
            .for_each(|(k, ((g, fx), big))| {
                let start = k * BLOCK;
                for f in 0..nframes {
                    add_frame(g, &frames[f * n + start..][..g.len()]);
                    if (p0 + f as u64 + 1).is_multiple_of(GROUP) {
                        end_group(g, fx, big);
                    }
                }
            });
        self.frames += nframes as u64;
        self.pending = (p0 + nframes as u64) % GROUP;
    }

    /// How many more frames the group in progress takes.
    pub(crate) fn room(&self) -> usize {
        (GROUP - self.pending) as usize
    }

    /// The sums of the group in progress, one per pixel, for a calibrator to add the next
    /// frames to directly (in frame order, each value as `f64`); then call
    /// [`MeanImage::added`].
    pub(crate) fn group_sums(&mut self) -> &mut [f64] {
        &mut self.group
    }

    /// Counts `n` frames added to [`MeanImage::group_sums`] (at most [`MeanImage::room`]),
    /// ending the group when it is full.
    pub(crate) fn added(&mut self, n: usize) {
        debug_assert!(n <= self.room());
        self.frames += n as u64;
        self.pending += n as u64;
        if self.pending >= GROUP {
            self.end_all();
        }
    }

    /// Ends the group in progress of every block.
    fn end_all(&mut self) {
        self.group
            .par_chunks_mut(BLOCK)
            .zip(self.fixed.par_chunks_mut(BLOCK))
            .zip(self.big.par_iter_mut())
            .for_each(|((g, fx), big)| end_group(g, fx, big));
        self.pending = 0;
    }

    /// Ends a run: the next frames start a new group (as they start a new run of shared frames).
    pub fn end_run(&mut self) {
        if self.pending > 0 {
            self.end_all();
        }
    }

    /// The number of frames added.
    pub fn frames(&self) -> u64 {
        self.frames
    }

    /// The mean of each pixel (zeros when no frame was added); ends the run first.
    pub fn mean(&mut self) -> Vec<f32> {
        self.end_run();
        let k = if self.frames == 0 {
            0.0
        } else {
            1.0 / self.frames as f64
        };
        let scale = (-FRAC_BITS as f64).exp2();
        let coarse_scale = (-COARSE_BITS as f64).exp2();
        let mut out = Vec::with_capacity(self.npix);
        for (fixed, big) in self.fixed.chunks(BLOCK).zip(&self.big) {
            match big {
                None => out.extend(fixed.iter().map(|&s| (s as f64 * scale * k) as f32)),
                Some(big) => out.extend(fixed.iter().zip(&big.coarse).zip(&big.other).map(
                    |((&s, &c), &o)| ((s as f64 * scale + c as f64 * coarse_scale + o) * k) as f32,
                )),
            }
        }
        out
    }

    /// The sums as a message for [`MeanImage::merge_bytes`] (16 bytes per pixel, and 24 more per
    /// pixel of the blocks with group sums of `2^40` or more); ends the run first.
    pub fn to_bytes(&mut self) -> Vec<u8> {
        self.end_run();
        let mut w = Writer::with_capacity(24 + 16 * self.npix);
        w.u64(self.frames);
        w.u64(self.npix as u64);
        w.i128s(&self.fixed);
        let big: Vec<(usize, &Big)> = self
            .big
            .iter()
            .enumerate()
            .filter_map(|(i, b)| b.as_ref().map(|g| (i, g)))
            .collect();
        w.u64(big.len() as u64);
        for (i, g) in big {
            w.u64(i as u64);
            w.i128s(&g.coarse);
            w.f64s(&g.other);
        }
        w.buf
    }

    /// Adds the sums of another mean of frames of the same size, sent as
    /// [`MeanImage::to_bytes`]: the result is that of one mean given all the frames.
    pub fn merge_bytes(&mut self, bytes: &[u8]) -> Result<()> {
        self.end_run();
        let mut r = Reader::new(bytes, "mean image sums");
        let frames = r.u64()?;
        let npix = r.u64()? as usize;
        if npix != self.npix {
            return Err(Error::internal(format!(
                "mean image sums of {npix} pixels cannot merge into {}",
                self.npix
            )));
        }
        let mut other = vec![0i128; BLOCK];
        for fixed in self.fixed.chunks_mut(BLOCK) {
            let o = &mut other[..fixed.len()];
            r.i128s(o)?;
            for (s, &x) in fixed.iter_mut().zip(o.iter()) {
                *s = s.wrapping_add(x);
            }
        }
        let nbig = r.u64()?;
        let mut g = vec![0f64; BLOCK];
        for _ in 0..nbig {
            let i = r.u64()? as usize;
            let len = BLOCK.min(self.npix.saturating_sub(i * BLOCK));
            let b = self
                .big
                .get_mut(i)
                .ok_or_else(|| Error::internal(format!("mean image sums: no block {i}")))?;
            let big = b.get_or_insert_with(|| Big::new(len));
            r.i128s(&mut other[..len])?;
            for (s, &x) in big.coarse.iter_mut().zip(&other[..len]) {
                *s = s.wrapping_add(x);
            }
            r.f64s(&mut g[..len])?;
            for (s, &x) in big.other.iter_mut().zip(&g[..len]) {
                *s += x;
            }
        }
        r.end()?;
        self.frames += frames;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::FrameShare;

    #[test]
    fn group_sums_round_once_to_even_and_go_by_magnitude() {
        let p60 = 60f64.exp2() as i128;
        assert_eq!(part(0.0), Part::Fixed(0));
        assert_eq!(part(-0.0), Part::Fixed(0));
        assert_eq!(part(1.0), Part::Fixed(p60));
        assert_eq!(part(-1.5), Part::Fixed(-3 * (p60 / 2)));
        assert_eq!(part(1234.5678f32 as f64), {
            let v = 1234.5678f32;
            // m * 2^e exactly, with the 24-bit mantissa m and e = -13 for values in [1024, 2048).
            let m = (v.to_bits() & 0x7f_ffff | 0x80_0000) as i128;
            Part::Fixed(m << (60 - 13))
        });
        // 2^-61 is half the last bit: to even (0); 3 * 2^-61 is 1.5 bits: to 2; 5 * 2^-62 is
        // 1.25 bits: to 1.
        assert_eq!(part((-61f64).exp2()), Part::Fixed(0));
        assert_eq!(part(3.0 * (-61f64).exp2()), Part::Fixed(2));
        assert_eq!(part(-3.0 * (-61f64).exp2()), Part::Fixed(-2));
        assert_eq!(part(5.0 * (-62f64).exp2()), Part::Fixed(1));
        assert_eq!(part(f64::from_bits(1)), Part::Fixed(0));
        // The largest fixed-point value, and the first coarse ones (the last bit is 2^-12).
        let below = 40f64.exp2() - (-13f64).exp2();
        assert_eq!(part(below), Part::Fixed((1i128 << 100) - (1i128 << 47)));
        assert_eq!(part(40f64.exp2()), Part::Coarse(1i128 << 52));
        assert_eq!(
            part(-(40f64.exp2() + (-12f64).exp2())),
            Part::Coarse(-((1i128 << 52) + 1))
        );
        assert_eq!(part(88f64.exp2()), Part::Other(88f64.exp2()));
        assert_eq!(part(f64::NEG_INFINITY), Part::Other(f64::NEG_INFINITY));
        assert!(matches!(part(f64::NAN), Part::Other(x) if x.is_nan()));
    }

    #[test]
    fn mean_of_frames() {
        let mut m = MeanImage::new(3);
        m.add(&[1.0, 2.0, 3.0, 3.0, 4.0, 5.0]);
        m.add(&[2.0, 0.0, -2.0]);
        assert_eq!(m.frames(), 3);
        assert_eq!(m.mean(), vec![2.0, 2.0, 2.0]);
        assert_eq!(MeanImage::new(2).mean(), vec![0.0, 0.0]);
    }

    /// A pseudo-random generator for the tests.
    fn lcg(seed: u64) -> impl FnMut() -> u64 {
        let mut x = seed;
        move || {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            x >> 33
        }
    }

    /// The mean of `runs` (each a list of frames of `npix` pixels) as processes `rank` of `size`
    /// calibrating the frames `FrameShare` gives them see it, fed in batches of `batch` frames.
    fn share_of(
        runs: &[Vec<f32>],
        npix: usize,
        rank: usize,
        size: usize,
        batch: usize,
    ) -> MeanImage {
        let share = FrameShare {
            rank,
            size,
            block: 0,
        };
        let mut m = MeanImage::new(npix);
        for run in runs {
            let mine: Vec<f32> = run
                .chunks_exact(npix)
                .enumerate()
                .filter(|(i, _)| share.takes(*i as u64))
                .flat_map(|(_, f)| f.iter().copied())
                .collect();
            for b in mine.chunks(batch * npix) {
                m.add(b);
            }
            m.end_run();
        }
        m
    }

    /// The fixed-point sums from the bits equal one rounding of `g * 2^60` (the plain formula)
    /// for random `f64` below `2^40` of every exponent, and at the edges.
    #[test]
    fn fixed_point_from_bits_equals_the_rounded_scaled_value() {
        let plain = |g: f64| (g * 60f64.exp2()).round_ties_even() as i128;
        let mut cases = vec![
            0.0,
            -0.0,
            f64::from_bits(1),
            -f64::MIN_POSITIVE,
            (-8f64).exp2(),
            -(-8f64).exp2(),
            (-8f64).exp2() - f64::EPSILON * (-9f64).exp2(),
            3.0 * (-61f64).exp2(),
            -(40f64.exp2() - (-13f64).exp2()),
            1.0,
            -1.5,
            0.1,
        ];
        let mut next = lcg(99);
        for i in 0..300_000u64 {
            let exp = if i % 2 == 0 {
                next() % 1063
            } else {
                990 + next() % 40
            };
            let mant = (next() << 21) ^ next();
            let bits = ((i % 3 == 0) as u64) << 63 | exp << 52 | mant & ((1 << 52) - 1);
            cases.push(f64::from_bits(bits));
        }
        for g in cases {
            assert!(g.abs() < FIXED_LIMIT);
            assert_eq!(fixed_point(g), plain(g), "{g:e} ({:#x})", g.to_bits());
        }
    }

    fn bits(v: &[f32]) -> Vec<u32> {
        v.iter().map(|x| x.to_bits()).collect()
    }

    /// Frames of mixed magnitudes (where an f64 sum depends on how the frames are grouped),
    /// big values and infinities, in two runs: shared between 2 and 3 processes the way
    /// `FrameShare` shares them, each fed in its own batch sizes, merged through bytes in any
    /// order, they give the bytes of one process's mean.
    #[test]
    fn shared_frames_merged_in_any_order_give_one_process_bytes() {
        let npix = BLOCK + 5;
        let mut next = lcg(12345);
        let frames = |n: usize, next: &mut dyn FnMut() -> u64| -> Vec<f32> {
            (0..n * npix)
                .map(|i| {
                    let r = next();
                    let v = (r % 20000) as f32 / 7.0 - 1000.0;
                    match (i % npix, r % 5) {
                        (0, _) => 1.0e12 * v,
                        (1, 0) => f32::INFINITY,
                        (_, 0) => v * 1.0e-6,
                        (_, 1) => v * 1.0e7,
                        _ => v,
                    }
                })
                .collect()
        };
        let runs = vec![frames(75, &mut next), frames(40, &mut next)];
        let mut one = share_of(&runs, npix, 0, 1, 4);
        let sums = one.to_bytes();
        let want = one.mean();
        assert_eq!(share_of(&runs, npix, 0, 1, 64).to_bytes(), sums);
        for size in [2, 3] {
            let mut parts: Vec<MeanImage> = (0..size)
                .map(|r| share_of(&runs, npix, r, size, 3 + r))
                .collect();
            let mut root = parts.remove(0);
            for mut p in parts.into_iter().rev() {
                root.merge_bytes(&p.to_bytes()).unwrap();
            }
            assert_eq!(root.frames(), 115);
            // The sums themselves, not only the rounded mean.
            assert!(root.to_bytes() == sums, "{size} processes");
            assert_eq!(bits(&root.mean()), bits(&want), "{size} processes");
        }
        // Pixel 1 saw +inf; pixel 0 (values near 1e15) and pixel 2 the mean of their values.
        assert_eq!(want[1], f32::INFINITY);
        for p in [0, 2] {
            let exact: f64 = runs
                .iter()
                .flat_map(|r| r.chunks_exact(npix).map(|f| f64::from(f[p])))
                .sum::<f64>()
                / 115.0;
            assert!(
                ((want[p] as f64) - exact).abs() <= exact.abs() * 1e-6,
                "pixel {p}: {} {exact}",
                want[p]
            );
        }
        // A cut message and one of another size are errors.
        let b = share_of(&runs, npix, 0, 1, 4).to_bytes();
        assert!(MeanImage::new(npix).merge_bytes(&b[..b.len() - 1]).is_err());
        assert!(MeanImage::new(npix + 1).merge_bytes(&b).is_err());
    }

    /// Values on a grid of 1/8 (exact in every sum): the mean is the exact one, rounded, as an
    /// integer sum gives it.
    #[test]
    fn mean_of_exact_values_is_the_exact_mean_rounded() {
        let (npix, n) = (300, 70);
        let mut next = lcg(7);
        let k: Vec<i64> = (0..n * npix)
            .map(|_| (next() % (1 << 24)) as i64 - (1 << 23))
            .collect();
        let frames: Vec<f32> = k.iter().map(|&k| k as f32 / 8.0).collect();
        let mut m = MeanImage::new(npix);
        for b in frames.chunks(9 * npix) {
            m.add(b);
        }
        let got = m.mean();
        for p in 0..npix {
            let sum: i64 = (0..n).map(|f| k[f * npix + p]).sum();
            let want = ((sum as f64 / 8.0) * (1.0 / n as f64)) as f32;
            assert_eq!(got[p].to_bits(), want.to_bits(), "pixel {p}");
        }
    }
}
