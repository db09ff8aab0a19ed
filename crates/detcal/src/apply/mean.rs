/*!
The per-pixel mean of calibrated frames with sums that do not depend on the order of the frames,
so that processes sharing the frames ([`crate::dist`]) and one process alone give the same bytes.

Each float32 value `v` goes into one of two sums of its pixel:

- `|v| < 2^32` (every calibrated value in practice): a fixed-point integer with 60 fraction bits,
  `round(v * 2^60)` (ties to even), added to an `i128`. This is exact for any value with no bit
  below `2^-60` (every normal float32 of magnitude `2^-36` (1.5e-11) or more), and integer
  addition is associative, so the sum is the same in any order or grouping. Smaller values
  are rounded once each, deterministically.
- otherwise (`|v| >= 2^32`, infinities, NaN): an `f64` sum, kept only for the blocks of pixels
  that ever see such a value. Such finite values are multiples of `2^9`, whose `f64` sum is
  exact (so again independent of the order) while it stays below `2^62` in magnitude;
  infinities and NaN give the same result in any order.

The mean is `(fixed / 2^60 + big) / frames`, rounded to float32.
*/

use rayon::prelude::*;

use crate::dist::{Reader, Writer};
use crate::error::{Error, Result};

/// Fraction bits of the fixed-point sums.
const FRAC_BITS: i32 = 60;
/// Biased float32 exponent of `2^32`: values from it up go to the `f64` sums.
const BIG_EXP: u32 = 127 + 32;
/// Pixels per block (the unit of the parallel sums and of the `f64` sums kept on demand).
const BLOCK: usize = 1 << 14;

/// `v * 2^60` rounded to the nearest integer (ties to even), for finite `|v| < 2^32`; `None`
/// for other values.
#[inline]
fn fixed(v: f32) -> Option<i128> {
    let bits = v.to_bits();
    let exp = (bits >> 23) & 0xff;
    if exp >= BIG_EXP {
        return None;
    }
    // v = m * 2^e exactly.
    let (m, e) = if exp == 0 {
        (i128::from(bits & 0x7f_ffff), -149)
    } else {
        (i128::from((bits & 0x7f_ffff) | 0x80_0000), exp as i32 - 150)
    };
    let s = e + FRAC_BITS;
    let mag = if s >= 0 {
        m << s
    } else if s <= -26 {
        // m < 2^24: below a quarter of the last bit.
        0
    } else {
        let k = -s;
        let q = m >> k;
        let r = m - (q << k);
        let half = 1i128 << (k - 1);
        if r > half || (r == half && q & 1 == 1) {
            q + 1
        } else {
            q
        }
    };
    Some(if bits >> 31 != 0 { -mag } else { mag })
}

/// The sums of one block of pixels.
#[derive(Debug, Clone)]
struct Block {
    fixed: Vec<i128>,
    /// The `f64` sums of the values [`fixed`] does not take, once there is one.
    big: Option<Vec<f64>>,
}

impl Block {
    fn add(&mut self, v: &[f32]) {
        for (i, (s, &x)) in self.fixed.iter_mut().zip(v).enumerate() {
            match fixed(x) {
                Some(f) => *s = s.wrapping_add(f),
                None => {
                    let n = v.len();
                    self.big.get_or_insert_with(|| vec![0.0; n])[i] += f64::from(x);
                }
            }
        }
    }
}

/// The per-pixel mean of calibrated frames, with sums independent of the order of the frames
/// (see the module documentation).
#[derive(Debug, Clone)]
pub struct MeanImage {
    blocks: Vec<Block>,
    npix: usize,
    frames: u64,
}

impl MeanImage {
    /// An empty mean of frames of `frame_len` pixels.
    pub fn new(frame_len: usize) -> MeanImage {
        let blocks = (0..frame_len.div_ceil(BLOCK))
            .map(|b| Block {
                fixed: vec![0; BLOCK.min(frame_len - b * BLOCK)],
                big: None,
            })
            .collect();
        MeanImage {
            blocks,
            npix: frame_len,
            frames: 0,
        }
    }

    /// Adds frames stored one after another in `frames`.
    pub fn add(&mut self, frames: &[f32]) {
        let n = self.npix;
        if n == 0 {
            return;
        }
        let nframes = frames.len() / n;
        self.blocks.par_iter_mut().enumerate().for_each(|(k, b)| {
            let start = k * BLOCK;
            let len = b.fixed.len();
            for f in 0..nframes {
                b.add(&frames[f * n + start..f * n + start + len]);
            }
        });
        self.frames += nframes as u64;
    }

    /// The number of frames added.
    pub fn frames(&self) -> u64 {
        self.frames
    }

    /// The mean of each pixel (zeros when no frame was added).
    pub fn mean(&self) -> Vec<f32> {
        let k = if self.frames == 0 {
            0.0
        } else {
            1.0 / self.frames as f64
        };
        let scale = (-FRAC_BITS as f64).exp2();
        let mut out = Vec::with_capacity(self.npix);
        for b in &self.blocks {
            match &b.big {
                None => out.extend(b.fixed.iter().map(|&s| (s as f64 * scale * k) as f32)),
                Some(big) => out.extend(
                    b.fixed
                        .iter()
                        .zip(big)
                        .map(|(&s, &g)| ((s as f64 * scale + g) * k) as f32),
                ),
            }
        }
        out
    }

    /// The sums as a message for [`MeanImage::merge_bytes`] (16 bytes per pixel, and 8 more per
    /// pixel of the blocks with values of `2^32` or more).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::with_capacity(24 + 16 * self.npix);
        w.u64(self.frames);
        w.u64(self.npix as u64);
        for b in &self.blocks {
            w.i128s(&b.fixed);
        }
        let big: Vec<(usize, &Vec<f64>)> = self
            .blocks
            .iter()
            .enumerate()
            .filter_map(|(i, b)| b.big.as_ref().map(|g| (i, g)))
            .collect();
        w.u64(big.len() as u64);
        for (i, g) in big {
            w.u64(i as u64);
            w.f64s(g);
        }
        w.buf
    }

    /// Adds the sums of another mean of frames of the same size, sent as
    /// [`MeanImage::to_bytes`]: the result is that of one mean given all the frames.
    pub fn merge_bytes(&mut self, bytes: &[u8]) -> Result<()> {
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
        for b in &mut self.blocks {
            let o = &mut other[..b.fixed.len()];
            r.i128s(o)?;
            for (s, &x) in b.fixed.iter_mut().zip(o.iter()) {
                *s = s.wrapping_add(x);
            }
        }
        let nbig = r.u64()?;
        let mut g = vec![0f64; BLOCK];
        for _ in 0..nbig {
            let i = r.u64()? as usize;
            let b = self
                .blocks
                .get_mut(i)
                .ok_or_else(|| Error::internal(format!("mean image sums: no block {i}")))?;
            let len = b.fixed.len();
            r.f64s(&mut g[..len])?;
            let big = b.big.get_or_insert_with(|| vec![0.0; len]);
            for (s, &x) in big.iter_mut().zip(&g[..len]) {
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

    #[test]
    fn fixed_point_is_exact_and_rounds_tiny_values_to_even() {
        for v in [
            0.0f32,
            -0.0,
            1.0,
            -1.5,
            1234.5678,
            -3.0e-5,
            4294967040.0,
            1.0e-11,
        ] {
            let f = fixed(v).unwrap();
            assert_eq!(f as f64 * (-60f64).exp2(), f64::from(v), "{v}");
        }
        assert_eq!(fixed(4294967296.0), None);
        assert_eq!(fixed(f32::INFINITY), None);
        assert_eq!(fixed(f32::NAN), None);
        // 2^-61 is half the last bit: to even (0); 3 * 2^-61 is 1.5 bits: to 2.
        assert_eq!(fixed((-61f32).exp2()), Some(0));
        assert_eq!(fixed(3.0 * (-61f32).exp2()), Some(2));
        assert_eq!(fixed(-3.0 * (-61f32).exp2()), Some(-2));
        assert_eq!(fixed((-62f32).exp2() * 3.0), Some(1));
        assert_eq!(fixed(f32::from_bits(1)), Some(0));
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

    /// Frames of mixed magnitudes (where a sequential f64 sum depends on the order), big values
    /// and infinities: any split of the frames, merged through bytes in any order, gives the
    /// bytes of one mean of all frames; and the mean is the exact one, rounded.
    #[test]
    fn split_frames_merged_in_any_order_give_the_same_mean() {
        let npix = BLOCK + 5;
        let mut x = 12345u64;
        let mut next = || {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            x >> 33
        };
        let frames: Vec<f32> = (0..7 * npix)
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
            .collect();
        let mut one = MeanImage::new(npix);
        one.add(&frames);
        let want = one.mean();
        for cut in [(1, 3), (2, 6), (0, 7)] {
            let parts = [
                &frames[..cut.0 * npix],
                &frames[cut.0 * npix..cut.1 * npix],
                &frames[cut.1 * npix..],
            ];
            let mut ms: Vec<MeanImage> = parts
                .iter()
                .map(|p| {
                    let mut m = MeanImage::new(npix);
                    m.add(p);
                    m
                })
                .collect();
            let b2 = ms[2].to_bytes();
            let b0 = ms[0].to_bytes();
            ms[1].merge_bytes(&b2).unwrap();
            ms[1].merge_bytes(&b0).unwrap();
            assert_eq!(ms[1].frames(), 7);
            let got = ms[1].mean();
            assert!(
                got.iter()
                    .zip(&want)
                    .all(|(a, b)| a.to_bits() == b.to_bits()),
                "cut {cut:?}"
            );
        }
        // Pixel 1 saw +inf; pixel 2 the exact mean of its values.
        assert_eq!(want[1], f32::INFINITY);
        let exact: f64 = (0..7).map(|f| f64::from(frames[f * npix + 2])).sum::<f64>() / 7.0;
        assert!(
            ((want[2] as f64) - exact).abs() <= exact.abs() * 1e-7,
            "{} {exact}",
            want[2]
        );
        // A cut message and one of another size are errors.
        let b = one.to_bytes();
        assert!(MeanImage::new(npix).merge_bytes(&b[..b.len() - 1]).is_err());
        assert!(MeanImage::new(npix + 1).merge_bytes(&b).is_err());
    }
}
