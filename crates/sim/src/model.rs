/*!
The simulated detector: per-pixel pedestals, noise, gains and offsets per gain range, and
injected defects. This is the truth the simulated runs are drawn from.
*/

use ndarray::{Array3, Array4, Axis};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};
use rayon::prelude::*;

/// Bits of the defect map: what was injected into each pixel.
pub mod defect {
    /// Always reads 0 (raw word 0).
    pub const DEAD: u8 = 1;
    /// A dark level 6000 ADU above its pedestal in gain 0.
    pub const HOT: u8 = 2;
    /// Noise 20 times its nominal rms.
    pub const NOISY: u8 = 4;
    /// Reports the wrong gain code in forced/fixed gain (gain 1 in gain-0 steps, else gain 0).
    pub const WRONG_GAIN: u8 = 8;
    /// Reports the invalid gain code `10` in every frame.
    pub const INVALID_GAIN: u8 = 16;
    /// Stuck at the ADC maximum 16383.
    pub const SATURATED: u8 = 32;
    /// Every defect bit with its name, for reports.
    pub const NAMES: [(u8, &str); 6] = [
        (DEAD, "dead"),
        (HOT, "hot"),
        (NOISY, "noisy"),
        (WRONG_GAIN, "wrong gain bits"),
        (INVALID_GAIN, "invalid gain bits"),
        (SATURATED, "saturated"),
    ];
}

/// How many defects of each kind to inject per panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DefectCounts {
    /// Dead pixels.
    pub dead: usize,
    /// Hot pixels.
    pub hot: usize,
    /// Noisy pixels.
    pub noisy: usize,
    /// Pixels with wrong gain bits.
    pub wrong_gain: usize,
    /// Pixels with invalid gain bits.
    pub invalid_gain: usize,
    /// Saturated pixels.
    pub saturated: usize,
}

impl Default for DefectCounts {
    fn default() -> Self {
        DefectCounts {
            dead: 40,
            hot: 40,
            noisy: 40,
            wrong_gain: 20,
            invalid_gain: 20,
            saturated: 20,
        }
    }
}

/// The nominal gains (ADU/keV) and offsets (ADU) of gain ranges 0, 1, 2.
pub const NOMINAL_GAIN: [f64; 3] = [41.5, -1.39, -0.11];
/// Nominal offsets added to the pedestal in gain ranges 0, 1, 2 (ADU).
pub const NOMINAL_OFFSET: [f64; 3] = [0.0, 300.0, 50.0];

/// The truth of a simulated detector, arrays indexed (gain, panel, row, col) or (panel, row, col).
#[derive(Debug, Clone)]
pub struct Model {
    /// Pedestals per gain range (ADU).
    pub pedestals: Array4<f32>,
    /// Noise rms per gain range (ADU).
    pub rms: Array4<f32>,
    /// Gains per gain range (ADU/keV; negative in ranges 1 and 2).
    pub gain: Array4<f32>,
    /// Offsets per gain range (ADU), added to the pedestal when the pixel switched to that range.
    pub offset: Array4<f32>,
    /// Injected defects, bits of [`defect`].
    pub defects: Array3<u8>,
}

impl Model {
    /// Draws a detector of `npanels` panels of `rows` x `cols` pixels from `seed`.
    pub fn generate(
        seed: u64,
        npanels: usize,
        rows: usize,
        cols: usize,
        counts: &DefectCounts,
    ) -> Model {
        let shape = (3, npanels, rows, cols);
        let mut pedestals = Array4::<f32>::zeros(shape);
        let mut rms = Array4::<f32>::zeros(shape);
        let mut gain = Array4::<f32>::zeros(shape);
        let mut offset = Array4::<f32>::zeros(shape);
        // Pedestal level, pedestal spread, noise, noise spread per gain range.
        let ped = [(3000.0, 250.0), (13500.0, 350.0), (13000.0, 350.0)];
        let noise = [(9.0, 1.2), (3.5, 0.4), (2.5, 0.3)];
        let gain_spread = [0.015, 0.02, 0.02];
        let offset_spread = [1.0, 20.0, 5.0];
        for p in 0..npanels {
            let mut rng = ChaCha8Rng::seed_from_u64(mix(seed, &[1, p as u64]));
            // Each panel has its own overall gain, like real modules.
            let panel_gain: [f64; 3] = std::array::from_fn(|g| {
                NOMINAL_GAIN[g] * (1.0 + 0.03 * Normal::new(0.0, 1.0).unwrap().sample(&mut rng))
            });
            for g in 0..3 {
                let seeds: Vec<u64> = (0..rows)
                    .map(|r| mix(seed, &[2, p as u64, g as u64, r as u64]))
                    .collect();
                let fill =
                    |arr: &mut Array4<f32>,
                     salt: u64,
                     f: &(dyn Fn(&mut ChaCha8Rng) -> f32 + Sync)| {
                        let mut view = arr.index_axis_mut(Axis(0), g);
                        let mut panel = view.index_axis_mut(Axis(0), p);
                        let data = panel.as_slice_mut().expect("standard layout");
                        data.par_chunks_mut(cols).enumerate().for_each(|(r, row)| {
                            let mut rng = ChaCha8Rng::seed_from_u64(seeds[r] ^ salt);
                            for v in row.iter_mut() {
                                *v = f(&mut rng);
                            }
                        });
                    };
                let (pm, ps) = ped[g];
                let (nm, ns) = noise[g];
                let (gm, gs) = (panel_gain[g], gain_spread[g] * panel_gain[g].abs());
                let (om, os) = (NOMINAL_OFFSET[g], offset_spread[g]);
                fill(&mut pedestals, 11, &|r| {
                    normal(r, pm, ps).clamp(500.0, 15500.0) as f32
                });
                fill(&mut rms, 12, &|r| normal(r, nm, ns).max(nm / 3.0) as f32);
                fill(&mut gain, 13, &|r| normal(r, gm, gs) as f32);
                fill(&mut offset, 14, &|r| normal(r, om, os) as f32);
            }
        }
        let mut defects = Array3::<u8>::zeros((npanels, rows, cols));
        for p in 0..npanels {
            let mut rng = ChaCha8Rng::seed_from_u64(mix(seed, &[3, p as u64]));
            let kinds = [
                (defect::DEAD, counts.dead),
                (defect::HOT, counts.hot),
                (defect::NOISY, counts.noisy),
                (defect::WRONG_GAIN, counts.wrong_gain),
                (defect::INVALID_GAIN, counts.invalid_gain),
                (defect::SATURATED, counts.saturated),
            ];
            let total: usize = kinds.iter().map(|k| k.1).sum();
            let total = total.min(rows * cols / 2);
            let mut placed = 0;
            for (bit, n) in kinds {
                let mut k = 0;
                while k < n && placed < total {
                    let (r, c) = (rng.random_range(0..rows), rng.random_range(0..cols));
                    if defects[[p, r, c]] == 0 {
                        defects[[p, r, c]] = bit;
                        k += 1;
                        placed += 1;
                    }
                }
            }
        }
        Model {
            pedestals,
            rms,
            gain,
            offset,
            defects,
        }
    }

    /// The number of panels.
    pub fn npanels(&self) -> usize {
        self.defects.shape()[0]
    }

    /// (rows, cols) of a panel.
    pub fn panel_shape(&self) -> (usize, usize) {
        (self.defects.shape()[1], self.defects.shape()[2])
    }
}

fn normal(rng: &mut ChaCha8Rng, mean: f64, sd: f64) -> f64 {
    let z: f64 = rand_distr::StandardNormal.sample(rng);
    mean + sd * z
}

/// A seed derived from `seed` and a path of integers (SplitMix64 steps).
pub fn mix(seed: u64, path: &[u64]) -> u64 {
    let mut x = seed ^ 0x9e37_79b9_7f4a_7c15;
    for &p in path {
        x = x
            .wrapping_add(p.wrapping_mul(0xbf58_476d_1ce4_e5b9))
            .wrapping_add(0x9e37_79b9_7f4a_7c15);
        x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        x ^= x >> 31;
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_is_deterministic_and_realistic() {
        let counts = DefectCounts::default();
        let a = Model::generate(7, 2, 64, 128, &counts);
        let b = Model::generate(7, 2, 64, 128, &counts);
        assert_eq!(a.pedestals, b.pedestals);
        assert_eq!(a.defects, b.defects);
        let c = Model::generate(8, 2, 64, 128, &counts);
        assert_ne!(a.pedestals, c.pedestals);
        for g in 0..3 {
            let peds = a.pedestals.index_axis(Axis(0), g);
            let mean = peds.iter().map(|&v| v as f64).sum::<f64>() / peds.len() as f64;
            assert!(peds.iter().all(|&v| (500.0..=15500.0).contains(&v)));
            assert!(
                (mean - [3000.0, 13500.0, 13000.0][g]).abs() < 50.0,
                "gain {g}: {mean}"
            );
            let gains = a.gain.index_axis(Axis(0), g);
            assert!(
                gains
                    .iter()
                    .all(|&v| v.signum() as f64 == NOMINAL_GAIN[g].signum())
            );
        }
        for (bit, _) in defect::NAMES {
            for p in 0..2 {
                let n = a
                    .defects
                    .index_axis(Axis(0), p)
                    .iter()
                    .filter(|&&d| d == bit)
                    .count();
                let want = match bit {
                    defect::WRONG_GAIN | defect::INVALID_GAIN | defect::SATURATED => 20,
                    _ => 40,
                };
                assert_eq!(n, want, "bit {bit} panel {p}");
            }
        }
    }
}
