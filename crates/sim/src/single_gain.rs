/*!
A simulator of the single-gain detectors that come to detcal as NumPy stacks: the ePix100a
(704 x 768, one segment) and the pnCCD (4 sensors of 512 x 512).

[`simulate`] writes, under `<root>/<INS>/<exp>/npy/` (the layout of [`detcal::stacks`]):

- a dark run `<exp>-r<NNNN>-<alias>.npy`, uint16 `(N, 704, 768)` or `(N, 4, 512, 512)`, with its
  description `<exp>-r<NNNN>-<alias>.json`;
- optionally a light run (the next run number): single photons of one energy on the dark level;
- in both runs a common-mode offset per event and per group of the pixels psana's algorithm for
  the detector corrects together: ePix100a rows of 96 pixels (row, bank = col / 96: the rows of
  `cm_epix`, algorithm 6, and of algorithm 4), pnCCD rows of 128 pixels (sensor, row, bank =
  col / 128: algorithm 8 with mode bit 1, and the groups of 128 consecutive pixels of algorithm 3);
- injected dead (raw 0), hot (pedestal + 3000 ADU) and noisy (20 x rms) pixels, which carry no
  common mode;
- the truth in `<exp>-r<NNNN>-<alias>-truth/` (NNNN = dark run): `pedestals.npy`, `rms.npy`
  (float32, psana's natural shape), `defects.npy` (uint8, bits of [`crate::defect`]),
  `cm_dark.npy` and `cm_light.npy` (float32 offsets (N, 704, 8) or (N, 4, 512, 4)) and
  `truth.json` with the list of bad pixels.

Everything is drawn from one seed and is the same on every machine.
*/

use std::path::{Path, PathBuf};

use ndarray::{ArrayD, IxDyn};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};
use rayon::prelude::*;
use serde::Serialize;

use detcal::detector::DetType;
use detcal::error::{Error, Result};
use detcal::files::{Perms, check_component, create_dirs, write_bytes_atomic};
use detcal::formats::array::NdArray;
use detcal::formats::npy::{write_npy, write_npy_streamed};
use detcal::stacks::{StackDescription, stack_file, stacks_dir};

use crate::model::mix;
use crate::{SimOutput, defect};

/// A single-gain detector the simulator draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SingleGainDet {
    /// ePix100a: one 704 x 768 segment.
    Epix100a,
    /// pnCCD: four 512 x 512 sensors.
    Pnccd,
}

impl SingleGainDet {
    /// The detector type.
    pub fn det_type(self) -> DetType {
        match self {
            SingleGainDet::Epix100a => DetType::Epix100a,
            SingleGainDet::Pnccd => DetType::Pnccd,
        }
    }

    /// (segments, rows, cols) of a frame.
    pub fn frame_shape(self) -> [usize; 3] {
        match self {
            SingleGainDet::Epix100a => [1, 704, 768],
            SingleGainDet::Pnccd => [4, 512, 512],
        }
    }

    /// Columns of a common-mode group (one row segment of this many pixels).
    pub fn cm_group_cols(self) -> usize {
        match self {
            SingleGainDet::Epix100a => 96,
            SingleGainDet::Pnccd => 128,
        }
    }

    /// psana's natural shape of a frame: (704, 768) or (4, 512, 512).
    pub fn natural_shape(self) -> Vec<usize> {
        match self {
            SingleGainDet::Epix100a => vec![704, 768],
            SingleGainDet::Pnccd => vec![4, 512, 512],
        }
    }

    /// The shape of one event's common-mode offsets: (704, 8) or (4, 512, 4).
    pub fn cm_shape(self) -> Vec<usize> {
        let [s, r, c] = self.frame_shape();
        let banks = c / self.cm_group_cols();
        match self {
            SingleGainDet::Epix100a => vec![r, banks],
            SingleGainDet::Pnccd => vec![s, r, banks],
        }
    }

    /// Gain of the simulated photons (ADU/keV).
    pub fn gain_adu_per_kev(self) -> f32 {
        match self {
            SingleGainDet::Epix100a => 6.0,
            SingleGainDet::Pnccd => 62.5,
        }
    }

    /// Mean and spread of the pedestals, range of the noise rms (ADU).
    fn levels(self) -> (f32, f32, std::ops::Range<f32>) {
        match self {
            SingleGainDet::Epix100a => (1500.0, 100.0, 2.5..4.0),
            SingleGainDet::Pnccd => (800.0, 60.0, 3.0..6.0),
        }
    }

    fn pixels(self) -> usize {
        self.frame_shape().iter().product()
    }

    fn cm_groups(self) -> usize {
        self.pixels() / self.cm_group_cols()
    }
}

/// What to simulate.
#[derive(Debug, Clone)]
pub struct SingleGainSim {
    /// The detector.
    pub det: SingleGainDet,
    /// Experiment name (its first three letters are the instrument).
    pub exp: String,
    /// The DAQ alias.
    pub alias: String,
    /// Run number of the dark run.
    pub dark_run: u32,
    /// Run number of the light run, if one is wanted.
    pub light_run: Option<u32>,
    /// Events in the dark run.
    pub dark_events: usize,
    /// Events in the light run.
    pub light_events: usize,
    /// Photon energy (keV).
    pub energy_kev: f64,
    /// Probability of a photon in a pixel per light event.
    pub occupancy: f64,
    /// Common-mode offsets are drawn uniformly from [-cm_max, cm_max] ADU.
    pub cm_max_adu: f32,
    /// Defects per segment: dead, hot, noisy.
    pub defects: [usize; 3],
    /// Seed of everything random.
    pub seed: u64,
    /// Start of the dark run, seconds since 1970 UTC (the light run starts an hour later).
    pub start_unix: i64,
}

impl SingleGainSim {
    /// The defaults for `det`: alias `epix100a` or `pnccd`, 50 dark and 20 light events.
    pub fn new(det: SingleGainDet) -> SingleGainSim {
        SingleGainSim {
            det,
            exp: "xpptut15".into(),
            alias: det.det_type().dir_name(),
            dark_run: 1,
            light_run: Some(2),
            dark_events: 50,
            light_events: 20,
            energy_kev: 8.0,
            occupancy: 0.01,
            cm_max_adu: 8.0,
            defects: [20, 20, 20],
            seed: 1,
            // 2023-11-14 22:13:20 UTC.
            start_unix: 1_700_000_000,
        }
    }
}

/// Panel ids of a simulated single-gain detector, one per segment, different per seed.
pub fn panel_ids(det: SingleGainDet, seed: u64, segments: usize) -> Vec<String> {
    let base = mix(seed, &[det as u64]) & 0xffff_ffff;
    (0..segments)
        .map(|k| format!("{}-{:08x}", det.det_type().dir_name(), base + k as u64))
        .collect()
}

/// The truth of a simulated detector, flat in frame order.
struct Truth {
    peds: Vec<f32>,
    rms: Vec<f32>,
    defects: Vec<u8>,
}

fn draw_truth(s: &SingleGainSim) -> Truth {
    let n = s.det.pixels();
    let [segs, _, _] = s.det.frame_shape();
    let per_seg = n / segs;
    let (mean, spread, rms_range) = s.det.levels();
    let mut rng = ChaCha8Rng::seed_from_u64(mix(s.seed, &[0x0051_671e, s.det as u64]));
    let dist = Normal::new(mean, spread).expect("normal");
    let peds: Vec<f32> = (0..n).map(|_| dist.sample(&mut rng)).collect();
    let rms: Vec<f32> = (0..n)
        .map(|_| rng.random_range(rms_range.clone()))
        .collect();
    let mut defects = vec![0u8; n];
    let kinds = [defect::DEAD, defect::HOT, defect::NOISY];
    for seg in 0..segs {
        for (&kind, &count) in kinds.iter().zip(&s.defects) {
            let mut placed = 0;
            while placed < count.min(per_seg / 4) {
                let i = seg * per_seg + rng.random_range(0..per_seg);
                if defects[i] == 0 {
                    defects[i] = kind;
                    placed += 1;
                }
            }
        }
    }
    Truth { peds, rms, defects }
}

/// The common-mode offsets of one event, one per group, in frame order of the groups.
fn cm_offsets(s: &SingleGainSim, run: u32, event: usize) -> Vec<f32> {
    let mut rng = ChaCha8Rng::seed_from_u64(mix(s.seed, &[u64::from(run), event as u64, 0xc0]));
    let m = s.cm_max_adu.abs();
    (0..s.det.cm_groups())
        .map(|_| {
            if m > 0.0 {
                rng.random_range(-m..=m)
            } else {
                0.0
            }
        })
        .collect()
}

/// One frame of `run`: the dark level plus `cm`, and photons when `light`.
fn frame(
    s: &SingleGainSim,
    t: &Truth,
    run: u32,
    event: usize,
    cm: &[f32],
    light: bool,
    out: &mut [u16],
) {
    let gcols = s.det.cm_group_cols();
    let cols = s.det.frame_shape()[2];
    let photon = (s.energy_kev as f32) * s.det.gain_adu_per_kev();
    out.par_chunks_mut(cols)
        .enumerate()
        .for_each(|(line, chunk)| {
            let mut rng = ChaCha8Rng::seed_from_u64(mix(
                s.seed,
                &[u64::from(run), event as u64, line as u64],
            ));
            for (c, o) in chunk.iter_mut().enumerate() {
                let i = line * cols + c;
                let ped = t.peds[i];
                *o = match t.defects[i] {
                    defect::DEAD => 0,
                    defect::HOT => adc(ped + 3000.0),
                    d => {
                        let sigma = t.rms[i] * if d == defect::NOISY { 20.0 } else { 1.0 };
                        let z: f32 = rng.sample(rand_distr::StandardNormal);
                        let hit = light && rng.random::<f64>() < s.occupancy;
                        let signal = if hit { photon } else { 0.0 };
                        adc(ped + cm[i / gcols] + signal + sigma * z)
                    }
                };
            }
        });
}

fn adc(x: f32) -> u16 {
    x.round().clamp(0.0, 16383.0) as u16
}

/// Writes one run's stack and description; returns the offsets of every event, flat.
fn write_run(
    s: &SingleGainSim,
    t: &Truth,
    dir: &Path,
    ids: &[String],
    (run, events, light): (u32, usize, bool),
    perms: &Perms,
    progress: &dyn Fn(),
) -> Result<(PathBuf, Vec<f32>)> {
    let path = stack_file(dir, &s.exp, run, &s.alias);
    let [segs, rows, cols] = s.det.frame_shape();
    let mut shape = vec![events as u64];
    if s.det == SingleGainDet::Pnccd {
        shape.push(segs as u64);
    }
    shape.extend([rows as u64, cols as u64]);
    let mut all_cm = Vec::with_capacity(events * s.det.cm_groups());
    let mut buf = vec![0u16; s.det.pixels()];
    write_npy_streamed::<u16>(&path, &shape, perms, |push| {
        for e in 0..events {
            let cm = cm_offsets(s, run, e);
            frame(s, t, run, e, &cm, light, &mut buf);
            push(&buf)?;
            all_cm.extend(cm);
            progress();
        }
        Ok(())
    })?;
    let start = s.start_unix + if light { 3600 } else { 0 };
    StackDescription {
        det_type: s.det.det_type().name().to_string(),
        alias: s.alias.clone(),
        panel_ids: ids.to_vec(),
        exp: s.exp.clone(),
        run,
        start_unix: start,
    }
    .write(&path, perms)?;
    Ok((path, all_cm))
}

/// One injected bad pixel.
#[derive(Debug, Clone, Serialize)]
struct BadPixel {
    segment: usize,
    row: usize,
    col: usize,
    kind: &'static str,
}

#[derive(Serialize)]
struct TruthJson<'a> {
    det_type: &'static str,
    alias: &'a str,
    source: String,
    exp: &'a str,
    dark_run: u32,
    light_run: Option<u32>,
    seed: u64,
    frame_shape: [usize; 3],
    natural_shape: Vec<usize>,
    panel_ids: &'a [String],
    dark_events: usize,
    light_events: usize,
    photon_energy_kev: f64,
    gain_adu_per_kev: f32,
    occupancy: f64,
    common_mode_max_adu: f32,
    common_mode_groups: String,
    common_mode_shape_per_event: Vec<usize>,
    psana_common_mode: &'static str,
    defect_bits: Vec<(u8, &'static str)>,
    defects_per_segment: [usize; 3],
    bad_pixels: Vec<BadPixel>,
    files: Vec<(&'static str, &'static str)>,
}

/// Simulates under `root` (a `SIT_PSDM_DATA`-style data root); `progress` is called with the
/// number of frames written so far.
pub fn simulate(
    s: &SingleGainSim,
    root: &Path,
    perms: &Perms,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<SimOutput> {
    check_component("alias", &s.alias)?;
    crate::check_light(s.dark_run, s.light_run, s.energy_kev, s.occupancy)?;
    if s.dark_events == 0 {
        return Err(Error::bad_arg(
            "events",
            "the dark run needs at least one event",
        ));
    }
    let dir = stacks_dir(root, &s.exp)?;
    create_dirs(&dir, perms)?;
    let [segs, rows, cols] = s.det.frame_shape();
    let ids = panel_ids(s.det, s.seed, segs);
    let truth = draw_truth(s);
    let done = std::sync::atomic::AtomicU64::new(0);
    let tick = || progress(done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1);
    let (dark_file, cm_dark) = write_run(
        s,
        &truth,
        &dir,
        &ids,
        (s.dark_run, s.dark_events, false),
        perms,
        &tick,
    )?;
    let (light_file, cm_light) = match s.light_run {
        Some(run) => {
            let (p, cm) = write_run(
                s,
                &truth,
                &dir,
                &ids,
                (run, s.light_events, true),
                perms,
                &tick,
            )?;
            (Some(p), cm)
        }
        None => (None, Vec::new()),
    };

    let truth_dir = dir.join(format!("{}-r{:04}-{}-truth", s.exp, s.dark_run, s.alias));
    create_dirs(&truth_dir, perms)?;
    let natural = s.det.natural_shape();
    let arr = |v: Vec<f32>, shape: &[usize]| {
        ArrayD::from_shape_vec(IxDyn(shape), v).map_err(|e| Error::internal(e.to_string()))
    };
    write_npy(
        &truth_dir.join("pedestals.npy"),
        &NdArray::F32(arr(truth.peds.clone(), &natural)?),
        perms,
    )?;
    write_npy(
        &truth_dir.join("rms.npy"),
        &NdArray::F32(arr(truth.rms.clone(), &natural)?),
        perms,
    )?;
    write_npy(
        &truth_dir.join("defects.npy"),
        &NdArray::U8(
            ArrayD::from_shape_vec(IxDyn(&natural), truth.defects.clone())
                .map_err(|e| Error::internal(e.to_string()))?,
        ),
        perms,
    )?;
    for (name, cm, n) in [
        ("cm_dark.npy", cm_dark, s.dark_events),
        ("cm_light.npy", cm_light, s.light_events),
    ] {
        if s.light_run.is_none() && name == "cm_light.npy" {
            continue;
        }
        let mut shape = vec![n];
        shape.extend(s.det.cm_shape());
        write_npy(
            &truth_dir.join(name),
            &NdArray::F32(arr(cm, &shape)?),
            perms,
        )?;
    }
    let bad_pixels = truth
        .defects
        .iter()
        .enumerate()
        .filter(|&(_, &d)| d != 0)
        .map(|(i, &d)| BadPixel {
            segment: i / (rows * cols),
            row: i / cols % rows,
            col: i % cols,
            kind: defect::NAMES
                .iter()
                .find(|(b, _)| *b == d)
                .map_or("?", |(_, n)| n),
        })
        .collect();
    let (groups, psana_cm) = match s.det {
        SingleGainDet::Epix100a => (
            "one offset per event, row and bank of 96 columns: offset[e, row, col / 96]",
            "cm_epix (algorithm 6, rows of 96 after columns) or algorithm 4 (cmtype 6)",
        ),
        SingleGainDet::Pnccd => (
            "one offset per event, sensor, row and bank of 128 columns: offset[e, s, row, col / 128]",
            "algorithm 8 with mode bit 1 (rows of 128), or algorithm 3 (groups of 128)",
        ),
    };
    let json = TruthJson {
        det_type: s.det.det_type().name(),
        alias: &s.alias,
        source: s.det.det_type().default_source(&s.alias),
        exp: &s.exp,
        dark_run: s.dark_run,
        light_run: s.light_run,
        seed: s.seed,
        frame_shape: s.det.frame_shape(),
        natural_shape: natural,
        panel_ids: &ids,
        dark_events: s.dark_events,
        light_events: if s.light_run.is_some() {
            s.light_events
        } else {
            0
        },
        photon_energy_kev: s.energy_kev,
        gain_adu_per_kev: s.det.gain_adu_per_kev(),
        occupancy: s.occupancy,
        common_mode_max_adu: s.cm_max_adu,
        common_mode_groups: groups.into(),
        common_mode_shape_per_event: s.det.cm_shape(),
        psana_common_mode: psana_cm,
        defect_bits: vec![
            (defect::DEAD, "dead: raw 0"),
            (defect::HOT, "hot: pedestal + 3000 ADU"),
            (defect::NOISY, "noisy: 20 x rms"),
        ],
        defects_per_segment: s.defects,
        bad_pixels,
        files: vec![
            ("pedestals.npy", "float32 pedestals (ADU), natural shape"),
            ("rms.npy", "float32 noise rms (ADU), natural shape"),
            ("defects.npy", "uint8 defect bits, natural shape"),
            (
                "cm_dark.npy",
                "float32 common-mode offsets of the dark run (events, groups)",
            ),
            (
                "cm_light.npy",
                "float32 common-mode offsets of the light run (events, groups)",
            ),
        ],
    };
    let mut text = serde_json::to_vec_pretty(&json).map_err(|e| Error::internal(e.to_string()))?;
    text.push(b'\n');
    write_bytes_atomic(&truth_dir.join("truth.json"), &text, perms)?;
    Ok(SimOutput {
        xtc_dir: dir,
        dark_file,
        light_file,
        truth_dir,
        gain_dirs: Vec::new(),
        panel_ids: ids,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use detcal::formats::npy::{NpyMap, read_npy};
    use detcal::source::{Flow, Item, RunSource};

    fn small(det: SingleGainDet) -> SingleGainSim {
        SingleGainSim {
            dark_events: 3,
            light_events: 2,
            ..SingleGainSim::new(det)
        }
    }

    /// The frames read back through the stack reader, with the description beside them.
    fn read_frames(path: &Path) -> Vec<Vec<u16>> {
        let info = StackDescription::read(path).unwrap().info(path).unwrap();
        let src = RunSource::open_stack(path, info).unwrap();
        let mut out = Vec::new();
        src.for_each(&mut |item| {
            if let Item::Frame { frame, .. } = item {
                out.push(frame.to_vec()?);
            }
            Ok(Flow::Continue)
        })
        .unwrap();
        out
    }

    #[test]
    fn frames_are_pedestal_plus_group_offset_plus_noise() {
        for det in [SingleGainDet::Epix100a, SingleGainDet::Pnccd] {
            let dir = tempfile::tempdir().unwrap();
            let s = small(det);
            let out = simulate(&s, dir.path(), &Perms::default(), &|_| {}).unwrap();
            let map = NpyMap::open(&out.dark_file).unwrap();
            let mut want = vec![3];
            if det == SingleGainDet::Pnccd {
                want.push(4);
            }
            want.extend(&det.frame_shape()[1..]);
            assert_eq!(map.shape(), &want[..], "{det:?}");
            let peds = read_npy(&out.truth_dir.join("pedestals.npy"))
                .unwrap()
                .to_f64()
                .into_raw_vec_and_offset()
                .0;
            let rms = read_npy(&out.truth_dir.join("rms.npy"))
                .unwrap()
                .to_f64()
                .into_raw_vec_and_offset()
                .0;
            let defects = match read_npy(&out.truth_dir.join("defects.npy")).unwrap() {
                NdArray::U8(a) => a.into_raw_vec_and_offset().0,
                other => panic!("{other:?}"),
            };
            let cm = read_npy(&out.truth_dir.join("cm_dark.npy")).unwrap();
            let mut cm_shape = vec![3];
            cm_shape.extend(det.cm_shape());
            assert_eq!(cm.shape(), &cm_shape[..]);
            let cm = cm.to_f64().into_raw_vec_and_offset().0;
            let g = det.cm_group_cols();
            let groups = det.cm_groups();
            let frames = read_frames(&out.dark_file);
            assert_eq!(frames.len(), 3);
            for (e, f) in frames.iter().enumerate() {
                // Each group's median of (raw - pedestal) is its offset within the noise.
                let mut worst = 0.0f64;
                for k in (0..groups).step_by(97) {
                    let mut d: Vec<f64> = (k * g..(k + 1) * g)
                        .filter(|&i| defects[i] == 0)
                        .map(|i| f64::from(f[i]) - peds[i])
                        .collect();
                    d.sort_by(f64::total_cmp);
                    let med = d[d.len() / 2];
                    worst = worst.max((med - cm[e * groups + k]).abs());
                }
                assert!(worst < 2.5, "{det:?} event {e}: {worst}");
                // Defects read as injected.
                for (i, &d) in defects.iter().enumerate() {
                    match d {
                        defect::DEAD => assert_eq!(f[i], 0),
                        defect::HOT => assert_eq!(f[i], adc(peds[i] as f32 + 3000.0)),
                        _ => {}
                    }
                }
            }
            // Offsets differ between groups and stay within the bound.
            assert!(cm.iter().all(|&c| c.abs() <= 8.0));
            assert!(cm.iter().any(|&c| c.abs() > 4.0));
            // Noise as drawn (normal pixels, over events and pixels).
            let n = peds.len();
            let (mut s2, mut cnt) = (0.0, 0.0);
            for (e, f) in frames.iter().enumerate() {
                for i in (0..n).step_by(13).filter(|&i| defects[i] == 0) {
                    let r = f64::from(f[i]) - peds[i] - cm[e * groups + i / g];
                    s2 += r * r / (rms[i] * rms[i] + 1.0 / 12.0);
                    cnt += 1.0;
                }
            }
            let z = (s2 / cnt).sqrt();
            assert!((z - 1.0).abs() < 0.05, "{det:?}: noise ratio {z}");
            // Truth lists every bad pixel.
            let json: serde_json::Value =
                serde_json::from_slice(&std::fs::read(out.truth_dir.join("truth.json")).unwrap())
                    .unwrap();
            let bad = json["bad_pixels"].as_array().unwrap();
            let segs = det.frame_shape()[0];
            assert_eq!(bad.len(), 60 * segs);
            assert_eq!(bad.len(), defects.iter().filter(|&&d| d != 0).count());
            // Light run: photons of the given energy on some pixels.
            let light = read_frames(out.light_file.as_ref().unwrap());
            let photon = 8.0 * f64::from(det.gain_adu_per_kev());
            let cml = read_npy(&out.truth_dir.join("cm_light.npy"))
                .unwrap()
                .to_f64()
                .into_raw_vec_and_offset()
                .0;
            let hits = (0..n)
                .filter(|&i| defects[i] == 0)
                .filter(|&i| {
                    let v = f64::from(light[0][i]) - peds[i] - cml[i / g];
                    (v - photon).abs() < 6.0 * rms[i]
                })
                .count();
            let frac = hits as f64 / n as f64;
            assert!(
                (0.007..0.013).contains(&frac),
                "{det:?}: photon fraction {frac}"
            );
        }
    }

    #[test]
    fn same_seed_same_files_other_seed_other_files() {
        let run = |seed| {
            let dir = tempfile::tempdir().unwrap();
            let s = SingleGainSim {
                seed,
                light_run: None,
                ..small(SingleGainDet::Epix100a)
            };
            let out = simulate(&s, dir.path(), &Perms::default(), &|_| {}).unwrap();
            assert!(out.light_file.is_none());
            std::fs::read(&out.dark_file).unwrap()
        };
        assert_eq!(run(5), run(5));
        assert_ne!(run(5), run(6));
    }

    #[test]
    fn bad_settings_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let p = Perms::default();
        let s = small(SingleGainDet::Pnccd);
        for bad in [
            SingleGainSim {
                alias: "../up".into(),
                ..s.clone()
            },
            SingleGainSim {
                light_run: Some(1),
                ..s.clone()
            },
            SingleGainSim {
                energy_kev: -1.0,
                ..s.clone()
            },
            SingleGainSim {
                exp: "x".into(),
                ..s.clone()
            },
        ] {
            assert!(simulate(&bad, dir.path(), &p, &|_| {}).is_err(), "{bad:?}");
        }
    }
}
