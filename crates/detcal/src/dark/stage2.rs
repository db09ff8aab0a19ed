/*!
Stage 2 of dark processing: the per-pixel accumulators over in-gate values, their merge, and
the status limits computed from them.
*/

use super::*;

/// Which code path runs the hot loops.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Kernel {
    /// The fastest one this CPU supports (AVX-512 or AVX2 where available).
    #[default]
    Auto,
    /// The portable build for the baseline target (for comparison and tests).
    Portable,
}

impl Kernel {
    /// The name of the code path this choice runs on this CPU: "avx512" (the stage-2 kernel
    /// and stage 1's usual quantiles), "avx2" or "portable".
    pub fn name(self) -> &'static str {
        kernel::kernel_name(self)
    }
}

/// The per-pixel gates found by stage 1, as inclusive bounds on the masked value.
///
/// For integer `int_lo` and `int_hi` (psana's are) these are psana's stage-2 gate arrays. psana
/// keeps float gates `max(int_lo, gate_lo)` and `min(int_hi, gate_hi)`; for other limits the
/// bounds here are the integers those floats admit (`ceil` and `floor`), which select the same
/// values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gates {
    pub(super) lo: Vec<u16>,
    pub(super) hi: Vec<u16>,
    pub(super) frames: usize,
}

impl Gates {
    /// Stage 1 on `frames` (whole frames of `npix` pixels; psana uses the first `nrecs1`).
    pub fn from_frames(params: &DarkParams, npix: usize, frames: &[u16]) -> Result<Gates> {
        params.validate()?;
        let n = frame_count(npix, frames)?;
        if n == 0 {
            return Err(Error::shape(
                "frames",
                "at least one frame",
                &[0],
                "stage 1 needs at least one frame, got none",
            ));
        }
        let parts: Vec<&[u16]> = frames.chunks_exact(npix).collect();
        Ok(Gates::compute(
            params,
            npix,
            FrameParts::new(&parts, npix)?,
            Kernel::Auto,
        ))
    }

    /// Stage 1 without checks: `frames` holds at least one whole frame of `npix` pixels.
    pub(super) fn compute(
        params: &DarkParams,
        npix: usize,
        frames: FrameParts<'_>,
        kernel: Kernel,
    ) -> Gates {
        let n = frames.frames();
        let (ilo, ihi) = GateConsts::quantile_indices(n, params.fraclo, params.frachi);
        let g = GateConsts {
            data_bits: params.data_bits,
            n,
            ilo,
            ihi,
            int_lo: params.int_lo,
            int_hi: params.int_hi,
        };
        let mut lo = crate::mem::filled(npix, 0u16);
        let mut hi = crate::mem::filled(npix, 0u16);
        lo.par_chunks_mut(stage1::CHUNK)
            .zip(hi.par_chunks_mut(stage1::CHUNK))
            .enumerate()
            .with_min_len(8)
            .for_each(|(i, (lo, hi))| {
                let len = lo.len();
                let mut scratch = Vec::new();
                let rows = frames.row_bytes(i * stage1::CHUNK, len, &mut scratch);
                stage1::gates_tile(kernel, &rows, len, &g, lo, hi);
            });
        Gates { lo, hi, frames: n }
    }

    /// The number of pixels.
    pub fn npix(&self) -> usize {
        self.lo.len()
    }

    /// The lowest in-gate value of each pixel.
    pub fn lo(&self) -> &[u16] {
        &self.lo
    }

    /// The highest in-gate value of each pixel (below `lo` for a pixel that is never in gate).
    pub fn hi(&self) -> &[u16] {
        &self.hi
    }

    /// The number of frames stage 1 looked at.
    pub fn frames(&self) -> usize {
        self.frames
    }
}

/// Stage-2 accumulators for fixed gates; partial ones over different frames merge exactly.
#[derive(Clone)]
pub struct Stage2 {
    pub(super) npix: usize,
    pub(super) params: DarkParams,
    pub(super) gain: GainCheck,
    pub(super) kernel: Kernel,
    pub(super) consts: Consts,
    pub(super) gates: Arc<Gates>,
    pub(super) tiles: Vec<Tile>,
    pub(super) frames: u64,
}

impl std::fmt::Debug for Stage2 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stage2")
            .field("npix", &self.npix)
            .field("gain", &self.gain)
            .field("kernel", &self.kernel)
            .field("frames", &self.frames)
            .finish_non_exhaustive()
    }
}

impl Stage2 {
    /// Empty accumulators for `gates`.
    pub fn new(params: &DarkParams, gain: GainCheck, gates: Arc<Gates>) -> Result<Stage2> {
        params.validate()?;
        gain.validate()?;
        if gates.npix() == 0 {
            return Err(Error::shape(
                "frame",
                "at least one pixel",
                &[0],
                "dark processing needs at least one pixel",
            ));
        }
        Ok(Stage2::build(params, gain, gates))
    }

    pub(super) fn build(params: &DarkParams, gain: GainCheck, gates: Arc<Gates>) -> Stage2 {
        let npix = gates.npix();
        let mut tiles: Vec<Tile> = crate::mem::with_capacity(npix.div_ceil(TILE));
        tiles.par_extend(
            gates
                .lo
                .par_chunks(TILE)
                .zip(gates.hi.par_chunks(TILE))
                .map(|(lo, hi)| Tile::new(lo, hi)),
        );
        Stage2 {
            npix,
            params: params.clone(),
            gain,
            kernel: Kernel::Auto,
            consts: params.consts(gain),
            gates,
            tiles,
            frames: 0,
        }
    }

    /// Chooses the code path of the hot loop (the results are the same).
    pub fn set_kernel(&mut self, kernel: Kernel) {
        self.kernel = kernel;
    }

    /// The gates.
    pub fn gates(&self) -> &Arc<Gates> {
        &self.gates
    }

    /// The number of frames accumulated.
    pub fn frames(&self) -> u64 {
        self.frames
    }

    /// Adds whole frames (`k * npix` raw values) to the accumulators, all of them.
    pub fn add_frames(&mut self, frames: &[u16]) -> Result<()> {
        let k = frame_count(self.npix, frames)? as u64;
        let total = self.frames + k;
        if total > u64::from(u32::MAX) {
            return Err(Error::unsupported(
                "more than 4294967295 frames",
                format!("dark processing counts at most 4294967295 frames, got {total}"),
            ));
        }
        let parts: Vec<&[u16]> = frames.chunks_exact(self.npix).collect();
        self.accumulate(FrameParts::new(&parts, self.npix)?);
        self.frames = total;
        Ok(())
    }

    /// The kernel over whole frames, in parallel over contiguous ranges of tiles.
    pub(super) fn accumulate(&mut self, frames: FrameParts<'_>) {
        if frames.frames() == 0 {
            return;
        }
        let (npix, kernel, c) = (self.npix, self.kernel, self.consts);
        self.tiles.par_iter_mut().enumerate().for_each(|(i, tile)| {
            let start = i * TILE;
            let len = TILE.min(npix - start);
            let mut scratch = Vec::new();
            let rows = frames.row_bytes(start, len, &mut scratch);
            kernel::accumulate(kernel, tile, &rows, len, &c);
        });
    }

    /// Adds the accumulators of `other`, which must have the same gates and parameters.
    pub fn merge(&mut self, other: &Stage2) -> Result<()> {
        if self.params != other.params || self.gain != other.gain {
            return Err(Error::bad_arg(
                "other",
                "cannot merge dark accumulators with different parameters",
            ));
        }
        if !Arc::ptr_eq(&self.gates, &other.gates) && *self.gates != *other.gates {
            return Err(Error::bad_arg(
                "other",
                "cannot merge dark accumulators with different gates",
            ));
        }
        let total = self.frames + other.frames;
        if total > u64::from(u32::MAX) {
            return Err(Error::unsupported(
                "more than 4294967295 frames",
                format!("dark processing counts at most 4294967295 frames, got {total}"),
            ));
        }
        let npix = self.npix;
        self.tiles
            .par_iter_mut()
            .zip(other.tiles.par_iter())
            .enumerate()
            .for_each(|(i, (a, b))| a.merge(b, TILE.min(npix - i * TILE)));
        self.frames = total;
        Ok(())
    }

    /// The summary: averages, rms, limits and status bits.
    pub fn finish(self) -> Result<DarkResult> {
        if self.frames < MIN_FRAMES {
            return Err(too_few_frames(self.frames));
        }
        Ok(self.summarize())
    }

    pub(super) fn summarize(self) -> DarkResult {
        let p = &self.params;
        let npix = self.npix;
        let tiles = &self.tiles;

        // Pass 1: averages and rms, which the limits need.
        let mut ave = crate::mem::filled(npix, 0.0);
        let mut rms = crate::mem::filled(npix, 0.0);
        ave.par_chunks_mut(TILE)
            .zip(rms.par_chunks_mut(TILE))
            .zip(tiles.par_iter())
            .for_each(|((ave, rms), t)| ave_rms(t, ave, rms));

        let frames = self.frames;
        let counter = frames - 1;
        let nevlm = (p.fraclm * counter as f64) as i64;
        let (rms_mean, rms_std) = summary::mean_std(&rms);
        let (ave_mean, ave_std) = summary::mean_std(&ave);
        let (rms_lo, rms_hi) =
            summary::evaluate_limits(rms_mean, rms_std, p.rmsnlo, p.rmsnhi, p.rms_lo, p.rms_hi);
        let (ave_lo, ave_hi) =
            summary::evaluate_limits(ave_mean, ave_std, p.intnlo, p.intnhi, p.int_lo, p.int_hi);
        let limits = Limits {
            rms_mean,
            rms_std,
            rms_lo,
            rms_hi,
            ave_mean,
            ave_std,
            ave_lo,
            ave_hi,
        };

        // Pass 2: everything else, the status bits and how many pixels have each.
        let mut status = crate::mem::filled(npix, 0u64);
        let mut min = crate::mem::filled(npix, 0u16);
        let mut max = crate::mem::filled(npix, 0u16);
        let mut count = crate::mem::filled(npix, 0u64);
        let mut count_lo = crate::mem::filled(npix, 0u64);
        let mut count_hi = crate::mem::filled(npix, 0u64);
        let mut bad_switch = crate::mem::filled(npix, 0u8);
        let outs: Vec<OutTile<'_>> = status
            .chunks_mut(TILE)
            .zip(ave.chunks(TILE).zip(rms.chunks(TILE)))
            .zip(min.chunks_mut(TILE).zip(max.chunks_mut(TILE)))
            .zip(count.chunks_mut(TILE).zip(count_lo.chunks_mut(TILE)))
            .zip(count_hi.chunks_mut(TILE).zip(bad_switch.chunks_mut(TILE)))
            .map(
                |((((status, (ave, rms)), (min, max)), (count, count_lo)), (count_hi, bad))| {
                    OutTile {
                        status,
                        ave,
                        rms,
                        min,
                        max,
                        count,
                        count_lo,
                        count_hi,
                        bad,
                    }
                },
            )
            .collect();
        let cuts = Cuts { limits, nevlm };
        let bit_counts = outs
            .into_par_iter()
            .zip(tiles.par_iter())
            .map(|(o, t)| o.fill(t, &cuts))
            .reduce(|| [0u64; 7], |a, b| std::array::from_fn(|i| a[i] + b[i]));

        // The gates go to the result; copied only if someone else still holds them.
        let (gate_lo, gate_hi) = match Arc::try_unwrap(self.gates) {
            Ok(g) => (g.lo, g.hi),
            Err(g) => (g.lo.clone(), g.hi.clone()),
        };
        tracing::debug!(
            frames,
            nevlm,
            ?limits,
            ?bit_counts,
            "dark processing summary ({} pixels)",
            npix
        );
        DarkResult {
            ave,
            rms,
            status,
            min,
            max,
            gate_lo,
            gate_hi,
            count,
            count_lo,
            count_hi,
            bad_switch,
            frames,
            counter,
            nevlm,
            limits,
            bit_counts,
        }
    }
}

/// Averages and rms of a tile's pixels as psana computes them in f64: `ave = sum1 / n`,
/// `rms = sqrt(sum2 / n - ave^2)`, 0 where `n = 0`.
pub(super) fn ave_rms(t: &Tile, ave: &mut [f64], rms: &mut [f64]) {
    for i in 0..ave.len() {
        let n = t.count[i];
        (ave[i], rms[i]) = if n == 0 {
            (0.0, 0.0)
        } else {
            let n = f64::from(n);
            let a = t.sum1[i] as f64 / n;
            (a, (t.sum2[i] as f64 / n - a * a).sqrt())
        };
    }
}

/// What the status bits compare with.
pub(super) struct Cuts {
    pub(super) limits: Limits,
    pub(super) nevlm: i64,
}

/// The per-pixel outputs of one tile's pixels, with its averages and rms.
pub(super) struct OutTile<'a> {
    pub(super) status: &'a mut [u64],
    pub(super) ave: &'a [f64],
    pub(super) rms: &'a [f64],
    pub(super) min: &'a mut [u16],
    pub(super) max: &'a mut [u16],
    pub(super) count: &'a mut [u64],
    pub(super) count_lo: &'a mut [u64],
    pub(super) count_hi: &'a mut [u64],
    pub(super) bad: &'a mut [u8],
}

impl OutTile<'_> {
    /// Fills the outputs and the status bits; returns the number of pixels with each bit.
    pub(super) fn fill(self, t: &Tile, cuts: &Cuts) -> [u64; 7] {
        let l = &cuts.limits;
        // psana compares the counts with int(fraclm * counter), which validation keeps >= 0.
        let over = |c: u32| cuts.nevlm < 0 || u64::from(c) > cuts.nevlm as u64;
        let bit = |cond: bool, b: u64| if cond { b } else { 0 };
        let mut counts = [0u64; 7];
        for i in 0..self.status.len() {
            let (ave, rms) = (self.ave[i], self.rms[i]);
            let s = bit(rms > l.rms_hi, STATUS_RMS_HI)
                | bit(rms < l.rms_lo, STATUS_RMS_LO)
                | bit(over(t.count_hi[i]), STATUS_SATURATED)
                | bit(over(t.count_lo[i]), STATUS_COLD)
                | bit(ave > l.ave_hi, STATUS_AVE_HI)
                | bit(ave < l.ave_lo, STATUS_AVE_LO)
                | bit(t.bad[i] != 0, STATUS_BAD_GAIN_SWITCH);
            self.status[i] = s;
            for (b, n) in counts.iter_mut().enumerate() {
                *n += (s >> b) & 1;
            }
            self.min[i] = t.min[i];
            self.max[i] = t.max[i];
            self.count[i] = u64::from(t.count[i]);
            self.count_lo[i] = u64::from(t.count_lo[i]);
            self.count_hi[i] = u64::from(t.count_hi[i]);
            self.bad[i] = u8::from(t.bad[i] != 0);
        }
        counts
    }
}

/// The limits of the status bits 1, 2, 16 and 32, with the statistics they come from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    /// Mean of the rms over all pixels.
    pub rms_mean: f64,
    /// Standard deviation of the rms over all pixels.
    pub rms_std: f64,
    /// Low rms limit (bit 2 below it).
    pub rms_lo: f64,
    /// High rms limit (bit 1 above it).
    pub rms_hi: f64,
    /// Mean of the averages over all pixels.
    pub ave_mean: f64,
    /// Standard deviation of the averages over all pixels.
    pub ave_std: f64,
    /// Low average limit (bit 32 below it).
    pub ave_lo: f64,
    /// High average limit (bit 16 above it).
    pub ave_hi: f64,
}
