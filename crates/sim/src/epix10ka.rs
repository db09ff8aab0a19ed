/*!
A simulator of ePix10ka quad and 2M runs, laid out as the LCLS-II DAQ writes the real epixquad
sample (raw 2.0.1 per segment, `asicPixelConfig` and `trbit` per segment in Configure and in each
step's config update).

[`simulate`] writes, under `<root>/<INS>/<exp>/xtc/`:

- a dark run with one step per measured gain mode (FH, FM, FL, AHL-H, AML-M, in that order), each
  step's BeginStep carrying the segment configs the DAQ sets for the mode
  ([`detcal::detector::epix10ka::daq_config_for_range`]) and psana2's pedestal-scan docstring; in
  FL data bit 14 is set in every pixel, as in the real sample;
- a light run of two steps, AutoHiLo then AutoMedLo: single photons of a known energy
  (in the high/medium range) on the dark level, a common-mode offset per half-panel column, and
  bright pixels hit by exactly [`EpixSim::switch_photons`] photons that switch to the low range
  (data bit 14 set);
- the truth in `<exp>-r<NNNN>-truth/`: `pedestals.npy` (7, panels, 352, 384) float32 (the low
  ranges of the auto modes at FL + [`EpixSim::offset_low`]), `rms.npy` (5, panels, 352, 384),
  `defects.npy` (panels, 352, 384) uint8 with the bits of [`crate::defect`] (dead, hot, noisy,
  saturated), `panel_ids.txt` and `truth.json`.

Gains are psana's defaults (16.4, 5.466, 0.164 ADU/keV), which `deploy` uses when no gain files
exist, so calibrated photons land at the simulated energy. Everything is drawn from one seed.
*/

use std::path::{Path, PathBuf};

use ndarray::{Array3, Array4};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};
use rayon::prelude::*;
use serde::Serialize;
use xtc2::write::{DetectorSetup, EpixConfig, RunWriter};
use xtc2::{TimeStamp, TransitionId};

use detcal::detector::epix10ka::{
    DEFAULT_GAINS, GAIN_MODES_IN, GainRange, PANEL_PIXELS, daq_config_for_range,
};
use detcal::error::{Error, Result};
use detcal::files::{Perms, check_component, create_dirs, write_bytes_atomic};
use detcal::formats::array::NdArray;
use detcal::formats::npy::write_npy;
use detcal::site;

use crate::{SimOutput, defect, run_file, ts_add};

/// What to simulate.
#[derive(Debug, Clone)]
pub struct EpixSim {
    /// Experiment name (its first three letters are the instrument).
    pub exp: String,
    /// The DAQ alias.
    pub alias: String,
    /// Run number of the dark run.
    pub dark_run: u32,
    /// Run number of the light run, if one is wanted.
    pub light_run: Option<u32>,
    /// Panels: 4 (quad) or 16 (2M).
    pub panels: usize,
    /// Events in each of the 5 dark steps.
    pub dark_events: usize,
    /// Events in each of the 2 light steps.
    pub light_events: usize,
    /// Photon energy (keV).
    pub energy_kev: f64,
    /// Probability of a photon in a pixel per event.
    pub occupancy: f64,
    /// Probability that a pixel is a bright one (switches to low) per event.
    pub bright: f64,
    /// Photons in a bright pixel.
    pub switch_photons: u32,
    /// Pedestal of the switched (low) range of the auto modes above the FL pedestal (ADU).
    pub offset_low: f32,
    /// Defects per panel: dead, hot, noisy, saturated.
    pub defects: [usize; 4],
    /// Seed of everything random.
    pub seed: u64,
    /// Start of the dark run (the light run starts an hour later).
    pub start: TimeStamp,
    /// Every N-th shot of each light step is a drop shot: event code 162 instead of 140 and a
    /// dark frame (the step's mode, no photons, no common mode).
    pub drop_every: Option<usize>,
}

impl Default for EpixSim {
    fn default() -> Self {
        EpixSim {
            exp: "xpptut15".into(),
            alias: "epixquad".into(),
            dark_run: 1,
            light_run: Some(2),
            panels: 4,
            dark_events: 50,
            light_events: 50,
            energy_kev: 8.0,
            occupancy: 0.02,
            bright: 0.002,
            switch_photons: 100,
            offset_low: 0.0,
            defects: [20, 20, 20, 20],
            seed: 1,
            // 2021-02-23 20:34:20 UTC, the time of the real epixquad sample.
            start: TimeStamp::new(982_960_460, 0),
            drop_every: None,
        }
    }
}

/// Panel ids in the LCLS-II ePix10ka layout (7 fields of 10 digits), different per seed.
pub fn panel_ids(seed: u64, panels: usize) -> Vec<String> {
    (0..panels)
        .map(|k| {
            format!(
                "3926196238-{:010}-{:010}-0000000000-0000000000-0000000000-0000000000",
                (175_000_000 + seed.wrapping_mul(7919) % 1_000_000 + k as u64) % 10_000_000_000,
                (1_000_000_000 + seed % 1000 * 1_000_000 + k as u64 * 7919) % 10_000_000_000
            )
        })
        .collect()
}

/// The truth of a simulated ePix10ka: constants per pixel and injected defects.
struct Truth {
    /// (7, panels, 352*384): pedestal per range (ADU).
    peds: Vec<Vec<f32>>,
    /// (5, panels*pixels): noise per measured mode (ADU).
    rms: Vec<Vec<f32>>,
    /// panels*pixels: defect bits.
    defects: Vec<u8>,
}

fn draw_truth(s: &EpixSim) -> Truth {
    let n = s.panels * PANEL_PIXELS;
    let mut rng = ChaCha8Rng::seed_from_u64(s.seed ^ 0xe91c_10ca);
    let base = Normal::new(3000.0f32, 150.0).expect("normal");
    let spread = Normal::new(0.0f32, 20.0).expect("normal");
    let b: Vec<f32> = (0..n).map(|_| base.sample(&mut rng)).collect();
    let mode_shift = [0.0f32, 150.0, 400.0, -100.0, 50.0];
    let mut peds: Vec<Vec<f32>> = mode_shift
        .iter()
        .map(|&m| b.iter().map(|&x| x + m + spread.sample(&mut rng)).collect())
        .collect();
    let low = |fl: &Vec<f32>| fl.iter().map(|&x| x + s.offset_low).collect::<Vec<f32>>();
    let l = low(&peds[2]);
    peds.push(l.clone());
    peds.push(l);
    let rms: Vec<Vec<f32>> = (0..5)
        .map(|_| (0..n).map(|_| rng.random_range(2.5f32..4.0)).collect())
        .collect();
    let mut defects = vec![0u8; n];
    let kinds = [defect::DEAD, defect::HOT, defect::NOISY, defect::SATURATED];
    for p in 0..s.panels {
        for (k, &count) in kinds.iter().zip(&s.defects) {
            let mut placed = 0;
            while placed < count {
                let i = p * PANEL_PIXELS + rng.random_range(0..PANEL_PIXELS);
                if defects[i] == 0 {
                    defects[i] = *k;
                    placed += 1;
                }
            }
        }
    }
    Truth { peds, rms, defects }
}

/// A frame generator seeded per (run, step, event).
fn rng_for(seed: u64, run: u32, step: usize, event: usize) -> ChaCha8Rng {
    let k = seed
        .wrapping_mul(0x9e37_79b9_7f4a_7c15)
        .wrapping_add(u64::from(run) << 40)
        .wrapping_add((step as u64) << 32)
        .wrapping_add(event as u64);
    ChaCha8Rng::seed_from_u64(k)
}

/// The raw word of a defect pixel, or `None`.
fn defect_word(d: u8, ped: f32) -> Option<u16> {
    match d {
        defect::DEAD => Some(0),
        defect::SATURATED => Some(0x3fff),
        defect::HOT => Some((ped + 3000.0).min(16383.0) as u16),
        _ => None,
    }
}

fn adc(x: f32) -> u16 {
    x.round().clamp(0.0, 16383.0) as u16
}

/// One dark frame of measured mode `m` (index in `GAIN_MODES_IN`).
fn dark_frame(s: &EpixSim, t: &Truth, m: usize, step: usize, e: usize, out: &mut [u16]) {
    let bit = if GAIN_MODES_IN[m] == GainRange::Fl {
        0x4000
    } else {
        0
    };
    out.par_chunks_mut(PANEL_PIXELS / 4)
        .enumerate()
        .for_each(|(c, chunk)| {
            let mut rng = rng_for(s.seed, s.dark_run, step, e * 1024 + c);
            let at = c * chunk.len();
            for (j, o) in chunk.iter_mut().enumerate() {
                let i = at + j;
                let ped = t.peds[m][i];
                let d = t.defects[i];
                let w = defect_word(d, ped).unwrap_or_else(|| {
                    let sigma = t.rms[m][i] * if d == defect::NOISY { 20.0 } else { 1.0 };
                    let z: f32 = rng.sample(rand_distr::StandardNormal);
                    adc(ped + sigma * z)
                });
                *o = w | bit;
            }
        });
}

/// One light frame of step `step` (0: AutoHiLo, 1: AutoMedLo).
fn light_frame(s: &EpixSim, t: &Truth, run: u32, step: usize, e: usize, out: &mut [u16]) {
    let (m, lo) = if step == 0 { (3, 5) } else { (4, 6) };
    let gains = DEFAULT_GAINS.per_range();
    let (g_hm, g_low) = (gains[m] as f32, gains[lo] as f32);
    let e_kev = s.energy_kev as f32;
    let drop = crate::timing::is_drop_shot(s.drop_every, e);
    // A common-mode offset per (panel, half, column), within +-4 ADU.
    let mut crng = rng_for(s.seed, run, step, e * 1024 + 1023);
    let cm: Vec<f32> = (0..s.panels * 2 * 384)
        .map(|_| crng.random_range(-4.0f32..4.0))
        .collect();
    out.par_chunks_mut(PANEL_PIXELS / 4)
        .enumerate()
        .for_each(|(c, chunk)| {
            let mut rng = rng_for(s.seed, run, step, e * 1024 + c);
            let at = c * chunk.len();
            for (j, o) in chunk.iter_mut().enumerate() {
                let i = at + j;
                let d = t.defects[i];
                if let Some(w) = defect_word(d, t.peds[m][i]) {
                    *o = w;
                    continue;
                }
                let (p, r) = (i / PANEL_PIXELS, i % PANEL_PIXELS);
                let (row, col) = (r / 384, r % 384);
                let off = cm[(p * 2 + row / 176) * 384 + col];
                let z: f32 = rng.sample(rand_distr::StandardNormal);
                let sigma = t.rms[m][i] * if d == defect::NOISY { 20.0 } else { 1.0 };
                let u: f64 = rng.random();
                *o = if drop {
                    adc(t.peds[m][i] + sigma * z)
                } else if u < s.bright {
                    let signal = s.switch_photons as f32 * e_kev * g_low;
                    adc(t.peds[lo][i] + signal + sigma * z) | 0x4000
                } else if u < s.bright + s.occupancy {
                    adc(t.peds[m][i] + off + e_kev * g_hm + sigma * z)
                } else {
                    adc(t.peds[m][i] + off + sigma * z)
                };
            }
        });
}

/// The configs of every segment for a mode.
fn configs(range: GainRange, panels: usize) -> Vec<EpixConfig> {
    let (value, trbit) = daq_config_for_range(range).expect("a measured mode");
    (0..panels)
        .map(|_| EpixConfig::uniform(value, trbit))
        .collect()
}

/// One run to write: number, start, the mode of each step, events per step.
struct RunPlan<'a> {
    run: u32,
    start: TimeStamp,
    steps: &'a [GainRange],
    events: usize,
    drop_every: Option<usize>,
}

/// Writes one run: each step with its segment configs and `events` frames from `frame`.
fn write_run(
    path: &Path,
    perms: &Perms,
    s: &EpixSim,
    ids: &[String],
    plan: &RunPlan<'_>,
    frame: &(dyn Fn(usize, usize, &mut [u16]) + Sync),
) -> Result<()> {
    let RunPlan {
        run,
        start,
        steps,
        events,
        drop_every,
    } = *plan;
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    let setup = DetectorSetup::epix10ka(&s.alias, &refs);
    detcal::files::write_atomic_with(path, perms, false, |w| {
        let mut rw = RunWriter::new(&mut *w, setup)?.with_timing();
        let mut shots = crate::timing::Shots::new(run);
        let mut t = start;
        rw.configure_epix(t, &configs(steps[0], s.panels))?;
        t = ts_add(t, 1, 0);
        rw.begin_run(t, &s.exp, run)?;
        let mut buf = vec![0u16; s.panels * PANEL_PIXELS];
        for (k, &g) in steps.iter().enumerate() {
            t = ts_add(t, 1, 0);
            let doc = format!(
                "{{\"detname\": \"{}\", \"scantype\": \"pedestal\", \"step\": {k}}}",
                s.alias
            );
            rw.begin_step_epix(t, Some(&configs(g, s.panels)), Some(&doc))?;
            rw.transition(t, TransitionId::Enable)?;
            for e in 0..events {
                t = ts_add(t, 0, 8_333_333);
                frame(k, e, &mut buf);
                let segs: Vec<&[u16]> = buf.chunks(PANEL_PIXELS).collect();
                let beam_off = crate::timing::is_drop_shot(drop_every, e);
                rw.event_timed(t, &segs, &shots.next(t, beam_off))?;
            }
            rw.transition(t, TransitionId::Disable)?;
            rw.transition(t, TransitionId::EndStep)?;
        }
        rw.transition(t, TransitionId::EndRun)?;
        rw.into_inner()?;
        Ok(())
    })
}

#[derive(Serialize)]
struct TruthJson<'a> {
    exp: &'a str,
    alias: &'a str,
    dark_run: u32,
    light_run: Option<u32>,
    seed: u64,
    panels: usize,
    panel_ids: &'a [String],
    dark_step_modes: Vec<&'static str>,
    dark_events_per_step: usize,
    light_step_modes: [&'static str; 2],
    light_events_per_step: usize,
    photon_energy_kev: f64,
    occupancy: f64,
    bright_fraction: f64,
    switch_photons: u32,
    switched_energy_kev: f64,
    offset_low_adu: f32,
    gains_adu_per_kev: [f64; 7],
    defect_bits: Vec<(u8, &'static str)>,
    defects_per_panel: [usize; 4],
}

/// Simulates under `root` (a `SIT_PSDM_DATA`-style data root).
pub fn simulate(s: &EpixSim, root: &Path, perms: &Perms) -> Result<SimOutput> {
    check_component("experiment", &s.exp)?;
    check_component("alias", &s.alias)?;
    site::instrument(&s.exp)?;
    if !matches!(s.panels, 1 | 4 | 16) {
        return Err(Error::bad_arg(
            "panels",
            format!(
                "an ePix10ka has 1, 4 (quad) or 16 (2M) panels, not {}",
                s.panels
            ),
        ));
    }
    crate::check_light(s.dark_run, s.light_run, s.energy_kev, s.occupancy)?;
    let xtc_dir = site::experiment_dir(root, &s.exp)?.join("xtc");
    create_dirs(&xtc_dir, perms)?;
    let ids = panel_ids(s.seed, s.panels);
    let truth = draw_truth(s);
    let dark_file = run_file(&xtc_dir, &s.exp, s.dark_run);
    write_run(
        &dark_file,
        perms,
        s,
        &ids,
        &RunPlan {
            run: s.dark_run,
            start: s.start,
            steps: &GAIN_MODES_IN,
            events: s.dark_events,
            drop_every: None,
        },
        &|k, e, buf| dark_frame(s, &truth, k, k, e, buf),
    )?;
    let light_file = match s.light_run {
        None => None,
        Some(run) => {
            let path = run_file(&xtc_dir, &s.exp, run);
            write_run(
                &path,
                perms,
                s,
                &ids,
                &RunPlan {
                    run,
                    start: ts_add(s.start, 3600, 0),
                    steps: &[GainRange::AhlH, GainRange::AmlM],
                    events: s.light_events,
                    drop_every: s.drop_every,
                },
                &|k, e, buf| light_frame(s, &truth, run, k, e, buf),
            )?;
            Some(path)
        }
    };
    let truth_dir = xtc_dir.join(format!("{}-r{:04}-truth", s.exp, s.dark_run));
    create_dirs(&truth_dir, perms)?;
    let shape = (s.panels, 352, 384);
    let peds = Array4::from_shape_vec((7, shape.0, shape.1, shape.2), truth.peds.concat())
        .map_err(|e| Error::internal(e.to_string()))?;
    let rms = Array4::from_shape_vec((5, shape.0, shape.1, shape.2), truth.rms.concat())
        .map_err(|e| Error::internal(e.to_string()))?;
    let defects = Array3::from_shape_vec(shape, truth.defects.clone())
        .map_err(|e| Error::internal(e.to_string()))?;
    write_npy(
        &truth_dir.join("pedestals.npy"),
        &NdArray::F32(peds.into_dyn()),
        perms,
    )?;
    write_npy(
        &truth_dir.join("rms.npy"),
        &NdArray::F32(rms.into_dyn()),
        perms,
    )?;
    write_npy(
        &truth_dir.join("defects.npy"),
        &NdArray::U8(defects.into_dyn()),
        perms,
    )?;
    write_bytes_atomic(
        &truth_dir.join("panel_ids.txt"),
        format!("{}\n", ids.join("\n")).as_bytes(),
        perms,
    )?;
    let json = TruthJson {
        exp: &s.exp,
        alias: &s.alias,
        dark_run: s.dark_run,
        light_run: s.light_run,
        seed: s.seed,
        panels: s.panels,
        panel_ids: &ids,
        dark_step_modes: GAIN_MODES_IN.iter().map(|g| g.name()).collect(),
        dark_events_per_step: s.dark_events,
        light_step_modes: ["AHL", "AML"],
        light_events_per_step: s.light_events,
        photon_energy_kev: s.energy_kev,
        occupancy: s.occupancy,
        bright_fraction: s.bright,
        switch_photons: s.switch_photons,
        switched_energy_kev: f64::from(s.switch_photons) * s.energy_kev,
        offset_low_adu: s.offset_low,
        gains_adu_per_kev: DEFAULT_GAINS.per_range(),
        defect_bits: vec![
            (defect::DEAD, "dead"),
            (defect::HOT, "hot"),
            (defect::NOISY, "noisy"),
            (defect::SATURATED, "saturated"),
        ],
        defects_per_panel: s.defects,
    };
    let text = serde_json::to_string_pretty(&json).map_err(|e| Error::internal(e.to_string()))?;
    write_bytes_atomic(&truth_dir.join("truth.json"), text.as_bytes(), perms)?;
    Ok(SimOutput {
        xtc_dir,
        dark_file,
        light_file,
        truth_dir,
        gain_dirs: Vec::new(),
        panel_ids: ids,
    })
}

/// The truth directory of a simulation, for readers: `<xtc>/<exp>-r<dark>-truth`.
pub fn truth_dir(xtc_dir: &Path, exp: &str, dark_run: u32) -> PathBuf {
    xtc_dir.join(format!("{exp}-r{dark_run:04}-truth"))
}

#[cfg(test)]
mod tests;
