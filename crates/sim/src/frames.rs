/*!
Raw JUNGFRAU frames drawn from a [`Model`]: dark frames in one gain range, and light frames with
photons, dynamic gain switching and per-bank common-mode offsets.

Every row of every frame has its own random stream derived from (seed, run, step, event, panel,
row), so the frames are the same whatever the number of threads.
*/

use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::Distribution;
use rayon::prelude::*;

use super::model::{Model, defect, mix};

/// Standard normal values looked up by 12-bit random indices: fast noise for many frames (the
/// table fits in the L1 cache; five draws come from one 64-bit random number).
struct NoiseTable(Vec<f32>);

const NOISE_BITS: u32 = 12;
const NOISE_MASK: u64 = (1 << NOISE_BITS) - 1;

impl NoiseTable {
    fn new(seed: u64) -> NoiseTable {
        let mut rng = ChaCha8Rng::seed_from_u64(mix(seed, &[99]));
        NoiseTable(
            (0..1 << NOISE_BITS)
                .map(|_| rand_distr::StandardNormal.sample(&mut rng))
                .collect(),
        )
    }
}

/// What a light run looks like.
#[derive(Debug, Clone, PartialEq)]
pub struct LightParams {
    /// Photon energy (keV).
    pub energy_kev: f64,
    /// Mean number of scattered photons per pixel and event (a Poisson background).
    pub occupancy: f64,
    /// Bright spots (Bragg-peak-like, 3x3 pixels) per panel and event; their pixels switch to
    /// gain 1 or 2.
    pub spots: usize,
    /// Standard deviation of the common-mode offset of each bank (ADU, gain 0 only).
    pub cm_sigma_adu: f64,
}

impl Default for LightParams {
    fn default() -> Self {
        LightParams {
            energy_kev: 9.5,
            occupancy: 0.03,
            spots: 12,
            cm_sigma_adu: 12.0,
        }
    }
}

/// Deposited energy (keV) above which a pixel switches from gain 0 to gain 1, and 1 to 2.
pub const SWITCH_G1_KEV: f64 = 250.0;
/// Deposited energy (keV) above which a pixel switches to gain 2.
pub const SWITCH_G2_KEV: f64 = 8000.0;
/// Columns per common-mode bank of a full JUNGFRAU panel. The simulator keeps 64-column banks on
/// its smaller panels too (psana scales them to `cols / 16`).
pub use detcal::detector::jungfrau::BANK_COLS;
use detcal::detector::jungfrau::{bank_of_col, banks_across};

/// Draws frames from a model.
pub struct FrameGen<'m> {
    model: &'m Model,
    seed: u64,
    noise: NoiseTable,
}

/// The expected gain code (raw bits 15..14) of gain range `g`.
fn code_of(g: usize) -> u16 {
    [0, 1, 3][g]
}

/// Row `pr` (panel * rows + row) of gain range `g` of a (gain, panel, row, col) array.
fn grow(a: &ndarray::Array4<f32>, g: usize, pr: usize, cols: usize) -> &[f32] {
    let s = a.as_slice().expect("model arrays are contiguous");
    let start = (g * a.shape()[1] * a.shape()[2] + pr) * cols;
    &s[start..start + cols]
}

/// Row `pr` of the defect map.
fn drow(a: &ndarray::Array3<u8>, pr: usize, cols: usize) -> &[u8] {
    &a.as_slice().expect("contiguous")[pr * cols..(pr + 1) * cols]
}

fn word(code: u16, v: f64) -> u16 {
    // Clamp, then round half up by truncation (f64::round is a library call on baseline x86-64).
    (code << 14) | ((v.clamp(0.0, 16383.0) + 0.5) as u16).min(16383)
}

impl<'m> FrameGen<'m> {
    /// A generator for `model` with random streams from `seed`.
    pub fn new(model: &'m Model, seed: u64) -> FrameGen<'m> {
        FrameGen {
            model,
            seed,
            noise: NoiseTable::new(seed),
        }
    }

    fn pixels(&self) -> usize {
        let (r, c) = self.model.panel_shape();
        self.model.npanels() * r * c
    }

    /// Fills `out` (panels x rows x cols) with a dark frame taken in gain range `g` (forced or
    /// fixed gain: every good pixel reports gain code 0, 1 or 3 for range 0, 1, 2).
    pub fn dark_frame(&self, run: u32, step: u32, event: u64, g: usize, out: &mut [u16]) {
        self.dark_frame_shifted(run, step, event, g, 0.0, out);
    }

    /// [`FrameGen::dark_frame`] with every pedestal `shift` ADU higher (a pedestal drift).
    pub fn dark_frame_shifted(
        &self,
        run: u32,
        step: u32,
        event: u64,
        g: usize,
        shift: f64,
        out: &mut [u16],
    ) {
        assert_eq!(out.len(), self.pixels(), "frame buffer size");
        let m = self.model;
        let cols = m.panel_shape().1;
        out.par_chunks_mut(cols).enumerate().for_each(|(pr, row)| {
            let mut rng = ChaCha8Rng::seed_from_u64(mix(
                self.seed,
                &[10, run as u64, step as u64, event, pr as u64],
            ));
            let (peds, rmss, defs) = (
                grow(&m.pedestals, g, pr, cols),
                grow(&m.rms, g, pr, cols),
                drow(&m.defects, pr, cols),
            );
            let mut bits = 0u64;
            for (c, out) in row.iter_mut().enumerate() {
                if c % 5 == 0 {
                    bits = rng.next_u64();
                }
                let z = self.noise.0
                    [((bits >> (NOISE_BITS as usize * (c % 5))) & NOISE_MASK) as usize]
                    as f64;
                let d = defs[c];
                let ped = peds[c] as f64;
                let mut sigma = rmss[c] as f64;
                if d & defect::NOISY != 0 {
                    sigma *= 20.0;
                }
                let mut v = ped + shift + z * sigma;
                if d & defect::HOT != 0 && g == 0 {
                    v += 6000.0;
                }
                let mut code = code_of(g);
                if d & defect::WRONG_GAIN != 0 {
                    code = if g == 0 { 1 } else { 0 };
                }
                if d & defect::INVALID_GAIN != 0 {
                    code = 2;
                }
                if d & defect::SATURATED != 0 {
                    v = 16383.0;
                }
                *out = if d & defect::DEAD != 0 {
                    0
                } else {
                    word(code, v)
                };
            }
        });
    }

    /// Fills `out` with a light frame: photons of `lp.energy_kev` on a Poisson background and in
    /// bright spots, each pixel in the gain range its deposit switches it to, and a common-mode
    /// offset per bank (half panel x 64 columns) added to gain-0 pixels.
    pub fn light_frame(&self, run: u32, event: u64, lp: &LightParams, out: &mut [u16]) {
        self.light_frame_shifted(run, event, lp, 0.0, out);
    }

    /// [`FrameGen::light_frame`] with every pedestal `shift` ADU higher (a pedestal drift).
    pub fn light_frame_shifted(
        &self,
        run: u32,
        event: u64,
        lp: &LightParams,
        shift: f64,
        out: &mut [u16],
    ) {
        assert_eq!(out.len(), self.pixels(), "frame buffer size");
        let m = self.model;
        let (rows, cols) = m.panel_shape();
        let np = m.npanels();
        let nbanks = banks_across(cols, BANK_COLS);
        // Per event: bank offsets and spots, drawn once.
        let mut ev = ChaCha8Rng::seed_from_u64(mix(self.seed, &[20, run as u64, event]));
        let cm: Vec<f64> = (0..np * 2 * nbanks)
            .map(|_| {
                let z: f64 = rand_distr::StandardNormal.sample(&mut ev);
                lp.cm_sigma_adu * z
            })
            .collect();
        let spots: Vec<(usize, usize, usize, f64)> = (0..np)
            .flat_map(|p| (0..lp.spots).map(move |_| p))
            .map(|p| {
                let photons = 10f64.powf(ev.random_range(1.0..4.0)).round();
                (
                    p,
                    ev.random_range(0..rows),
                    ev.random_range(0..cols),
                    photons,
                )
            })
            .collect();
        // Poisson background: cumulative probabilities of 0..7 photons.
        let mut cdf = Vec::new();
        let (mut pk, mut acc) = ((-lp.occupancy).exp(), 0.0);
        for k in 0..8 {
            acc += pk;
            cdf.push(acc);
            pk *= lp.occupancy / (k as f64 + 1.0);
        }
        out.par_chunks_mut(cols).enumerate().for_each(|(pr, row)| {
            let (p, r) = (pr / rows, pr % rows);
            let mut rng =
                ChaCha8Rng::seed_from_u64(mix(self.seed, &[21, run as u64, event, pr as u64]));
            let row_spots: Vec<&(usize, usize, usize, f64)> = spots
                .iter()
                .filter(|s| s.0 == p && s.1.abs_diff(r) <= 1)
                .collect();
            let half = if r < rows / 2 { 0 } else { 1 };
            let defs = drow(&m.defects, pr, cols);
            let by_gain = |a| {
                [
                    grow(a, 0, pr, cols),
                    grow(a, 1, pr, cols),
                    grow(a, 2, pr, cols),
                ]
            };
            let (peds, rmss, offs, gains) = (
                by_gain(&m.pedestals),
                by_gain(&m.rms),
                by_gain(&m.offset),
                by_gain(&m.gain),
            );
            for (c, out) in row.iter_mut().enumerate() {
                let bits = rng.next_u64();
                let z = self.noise.0[(bits & NOISE_MASK) as usize] as f64;
                let u = (bits >> 16) as f64 / (1u64 << 48) as f64;
                let mut photons = cdf.iter().position(|&q| u < q).unwrap_or(cdf.len()) as f64;
                for s in &row_spots {
                    if s.2.abs_diff(c) <= 1 {
                        let central = s.1 == r && s.2 == c;
                        photons += if central { s.3 } else { (s.3 / 4.0).round() };
                    }
                }
                let e = photons * lp.energy_kev;
                let g = if e > SWITCH_G2_KEV {
                    2
                } else if e > SWITCH_G1_KEV {
                    1
                } else {
                    0
                };
                let d = defs[c];
                let mut sigma = rmss[g][c] as f64;
                if d & defect::NOISY != 0 {
                    sigma *= 20.0;
                }
                let mut v = peds[g][c] as f64
                    + shift
                    + offs[g][c] as f64
                    + e * gains[g][c] as f64
                    + z * sigma;
                if g == 0 {
                    v += cm[(p * 2 + half) * nbanks + bank_of_col(c, BANK_COLS)];
                    if d & defect::HOT != 0 {
                        v += 6000.0;
                    }
                }
                let mut code = code_of(g);
                if d & defect::WRONG_GAIN != 0 && g == 0 {
                    code = 1;
                }
                if d & defect::INVALID_GAIN != 0 {
                    code = 2;
                }
                if d & defect::SATURATED != 0 {
                    v = 16383.0;
                }
                *out = if d & defect::DEAD != 0 {
                    0
                } else {
                    word(code, v)
                };
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::DefectCounts;

    #[test]
    fn dark_frames_follow_the_model() {
        let m = Model::generate(3, 2, 32, 128, &DefectCounts::default());
        let frames_gen = FrameGen::new(&m, 3);
        let n = 2 * 32 * 128;
        for g in 0..3 {
            // Mean over many frames approaches the pedestal; codes are the expected ones.
            let mut sum = vec![0f64; n];
            let mut buf = vec![0u16; n];
            let frames = 200;
            for e in 0..frames {
                frames_gen.dark_frame(1, g as u32, e, g, &mut buf);
                for (s, &w) in sum.iter_mut().zip(&buf) {
                    *s += (w & 0x3fff) as f64;
                }
            }
            let mut checked = 0;
            for (i, &w) in buf.iter().enumerate() {
                let (p, r, c) = (i / 4096, (i / 128) % 32, i % 128);
                let d = m.defects[[p, r, c]];
                match d {
                    0 => {
                        assert_eq!(w >> 14, code_of(g), "pixel {i}");
                        let mean = sum[i] / frames as f64;
                        let ped = m.pedestals[[g, p, r, c]] as f64;
                        let tol = 5.0 * m.rms[[g, p, r, c]] as f64 / (frames as f64).sqrt() + 0.5;
                        assert!(
                            (mean - ped).abs() < tol,
                            "gain {g} pixel {i}: {mean} vs {ped}"
                        );
                        checked += 1;
                    }
                    defect::DEAD => assert_eq!(w, 0),
                    defect::INVALID_GAIN => assert_eq!(w >> 14, 2),
                    defect::SATURATED => assert_eq!(w & 0x3fff, 16383),
                    defect::WRONG_GAIN => assert_ne!(w >> 14, code_of(g)),
                    _ => {}
                }
            }
            assert!(checked > n / 2);
        }
        // Deterministic.
        let (mut a, mut b) = (vec![0u16; n], vec![0u16; n]);
        frames_gen.dark_frame(1, 0, 5, 0, &mut a);
        FrameGen::new(&m, 3).dark_frame(1, 0, 5, 0, &mut b);
        assert_eq!(a, b);
    }

    #[test]
    fn light_frames_switch_gain_for_bright_pixels() {
        let counts = DefectCounts {
            dead: 0,
            hot: 0,
            noisy: 0,
            wrong_gain: 0,
            invalid_gain: 0,
            saturated: 0,
        };
        let m = Model::generate(4, 1, 64, 128, &counts);
        let frames_gen = FrameGen::new(&m, 4);
        let lp = LightParams {
            spots: 20,
            ..LightParams::default()
        };
        let mut buf = vec![0u16; 64 * 128];
        let mut codes = [0usize; 4];
        for e in 0..20 {
            frames_gen.light_frame(2, e, &lp, &mut buf);
            for &w in &buf {
                codes[(w >> 14) as usize] += 1;
            }
        }
        assert_eq!(codes[2], 0, "no invalid codes without defects");
        assert!(
            codes[0] > 20 * 64 * 128 * 9 / 10,
            "mostly gain 0: {codes:?}"
        );
        assert!(
            codes[1] > 0 && codes[3] > 0,
            "some pixels switch to gain 1 and 2: {codes:?}"
        );
    }
}
