/*!
Bad-pixel status, as psana's `det_pixel_status` computes it: features 1-3 from a dark run, 6
and 11 from light data ([`light`]).

For each step (gain mode) and panel, over the first `nrecs` events (after `evskip`) of values
`raw & databits`:

- **F1, frame selection**: each frame's median over the panel's pixels goes through
  [`evaluate`] with the range (0, databits); frames found low or high are left out of F2 and F3.
- **F2, dark mean** of each pixel over the frames kept: bit 1 (low), 2 (high), range (0, databits).
- **F3, dark standard deviation**: bit 4 (low), 8 (high), range (0, databits).

[`evaluate`] takes the values strictly inside (vmin, vmax), their median `med` and the median
absolute deviation `spr` (their standard deviation where that is 0), and flags values at or below
`max(med - snrmax*spr, vmin)` and at or above `min(med + snrmax*spr, vmax)`.

The run is read twice (frame medians first, then the pixel statistics over the frames kept), so
memory holds per-pixel sums, not the frames; feature 6 reads it a third time and keeps the good
frames of the block (as psana does). Feature 11 ([`run_max`]) reads every event once and keeps
the pixel maxima.
*/

pub mod light;
pub mod wire;

use crate::error::{Error, Result};
use crate::source::{Flow, Item, RunSource, StepMeta};
use crate::stats::{median_f64, median_u16_hist};

/// Status bits of the features.
pub const MEAN_LOW: u64 = 1;
/// Mean too high.
pub const MEAN_HIGH: u64 = 2;
/// Standard deviation too low.
pub const STD_LOW: u64 = 4;
/// Standard deviation too high.
pub const STD_HIGH: u64 = 8;

/// Options of a pixel-status job.
#[derive(Debug, Clone)]
pub struct StatusParams {
    /// Events per step to use (psana `-r/--nrecs`, 1000).
    pub nrecs: usize,
    /// Events to skip at the start of each step (`-m`).
    pub evskip: usize,
    /// Spread multiple for the limits (`-R/--snrmax`, 8).
    pub snrmax: f64,
    /// ADC bits (`--databits`, 0x3fff).
    pub databits: u16,
    /// Features to run, of 1, 2, 3, 6 (or 11 alone, see [`run_max`]).
    pub features: Vec<u32>,
    /// Only this panel (`-i/--segind`), or all.
    pub segind: Option<usize>,
    /// Window (rows, cols) of feature 6's plane fits (`-w/--shwind`, 15x15).
    pub shwind: (usize, usize),
    /// Events per step of feature 11 (`-n/--events`, 1000).
    pub events: usize,
}

impl Default for StatusParams {
    fn default() -> Self {
        StatusParams {
            nrecs: 1000,
            evskip: 0,
            snrmax: 8.0,
            databits: 0x3fff,
            features: vec![1, 2, 3],
            segind: None,
            shwind: (15, 15),
            events: 1000,
        }
    }
}

/// The status of one step: panels x pixels, and how many frames F1 kept.
#[derive(Debug, Clone)]
pub struct StepStatus {
    /// The step.
    pub step: StepMeta,
    /// Status words, (panels, rows * cols) flattened per panel.
    pub status: Vec<Vec<u64>>,
    /// Frames used per panel after the selection.
    pub kept: Vec<usize>,
    /// Frames looked at.
    pub frames: usize,
}

/// The low and high limits psana's `evaluate_pixel_status` finds for `arr` in (vmin, vmax).
pub fn limits(arr: &[f64], vmin: f64, vmax: f64, snrmax: f64) -> Option<(f64, f64)> {
    let mut sel: Vec<f64> = arr
        .iter()
        .copied()
        .filter(|&x| x > vmin && x < vmax)
        .collect();
    if sel.is_empty() {
        return None;
    }
    let med = median_f64(&mut sel);
    let mut dev: Vec<f64> = sel.iter().map(|x| (x - med).abs()).collect();
    let mut spr = median_f64(&mut dev);
    if spr == 0.0 {
        let m = sel.iter().sum::<f64>() / sel.len() as f64;
        spr = (sel.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / sel.len() as f64).sqrt();
    }
    Some((
        (med - snrmax * spr).max(vmin),
        (med + snrmax * spr).min(vmax),
    ))
}

/// psana's `evaluate_pixel_status`: `lo_bit` where a value is at or below the low limit,
/// `hi_bit` where at or above the high one. With no value inside the range, every value is out.
pub fn evaluate(
    arr: &[f64],
    vmin: f64,
    vmax: f64,
    snrmax: f64,
    lo_bit: u64,
    hi_bit: u64,
    out: &mut [u64],
) {
    let (lo, hi) = limits(arr, vmin, vmax, snrmax).unwrap_or((vmin, vmax));
    for (o, &x) in out.iter_mut().zip(arr) {
        if x <= lo {
            *o |= lo_bit;
        }
        if x >= hi {
            *o |= hi_bit;
        }
    }
}

/// Checks the features (1, 2, 3, 6, or 11 alone) and limits.
pub fn check_params(p: &StatusParams) -> Result<()> {
    if p.features.iter().any(|f| ![1, 2, 3, 6, 11].contains(f)) {
        return Err(Error::unsupported(
            format!("features {:?}", p.features),
            format!(
                "features {:?}: implemented are 1 (frame selection), 2 (dark mean), 3 (dark std), 6 (light: plane-fit residuals) and 11 (max - pedestals)",
                p.features
            ),
        ));
    }
    if p.features.contains(&11) && p.features.len() > 1 {
        return Err(Error::bad_arg(
            "--features",
            format!(
                "features {:?}: 11 keeps no block of frames and cannot be combined with 1, 2, 3 or 6 (as in psana); run it alone",
                p.features
            ),
        ));
    }
    if p.nrecs == 0 || p.events == 0 || p.snrmax.is_nan() || p.snrmax <= 0.0 {
        return Err(Error::bad_arg(
            "nrecs",
            "nrecs and events must be at least 1 and snrmax positive",
        ));
    }
    Ok(())
}

/// Checks the parameters, and gives the panels to judge.
pub fn check(src: &RunSource, p: &StatusParams) -> Result<Vec<usize>> {
    check_params(p)?;
    let nsegs = src.meta().frame_shape[0];
    match p.segind {
        Some(s) if s >= nsegs => Err(Error::bad_arg(
            "segind",
            format!("segment {s}: the detector has {nsegs}"),
        )),
        Some(s) => Ok(vec![s]),
        None => Ok((0..nsegs).collect()),
    }
}

/// Feature 11's pixel maxima of one step: `raw & databits` over the step's frames, per panel.
#[derive(Debug, Clone)]
pub struct StepMax {
    /// The step.
    pub step: StepMeta,
    /// The maxima, (panels, rows * cols) flattened per panel.
    pub max: Vec<Vec<u16>>,
    /// Frames looked at.
    pub frames: usize,
}

/// Feature 11 over every step of a run: the pixel maxima of up to `events` frames per step
/// (after `evskip`) minus `peds[panel]` (one array per panel of the frame, rows x cols).
pub fn run_max(src: &RunSource, p: &StatusParams, peds: &[Vec<f32>]) -> Result<Vec<StepStatus>> {
    let panels = check(src, p)?;
    run_maxima(src, p)?
        .iter()
        .map(|m| max_step_status(m, &panels, peds, src.meta().panel_len(), p.snrmax))
        .collect()
}

/// Feature 11's status of one step from its maxima (of `panels`, in order) and the pedestals
/// (one array per panel of the frame, `panel_len` pixels each).
pub fn max_step_status(
    m: &StepMax,
    panels: &[usize],
    peds: &[Vec<f32>],
    panel_len: usize,
    snrmax: f64,
) -> Result<StepStatus> {
    if let Some(bad) = panels
        .iter()
        .find(|&&k| peds.get(k).is_none_or(|v| v.len() != panel_len))
    {
        return Err(Error::shape(
            "pedestals",
            format!("{panel_len} per panel"),
            &[peds.get(*bad).map_or(0, Vec::len)],
            format!("the pedestals of panel {bad} do not have the panel's {panel_len} pixels"),
        ));
    }
    Ok(StepStatus {
        step: m.step.clone(),
        status: m
            .max
            .iter()
            .zip(panels)
            .map(|(mx, &pi)| light::max_status(mx, &peds[pi], snrmax))
            .collect(),
        kept: vec![m.frames; panels.len()],
        frames: m.frames,
    })
}

/// Feature 11's pixel maxima of every step of a run: `raw & databits` over up to `events`
/// frames per step (after `evskip`), for the panels [`check`] gives.
pub fn run_maxima(src: &RunSource, p: &StatusParams) -> Result<Vec<StepMax>> {
    let panels = check(src, p)?;
    run_maxima_of(src, p, &panels)
}

/// [`run_maxima`] of the given panels (of those [`check`] gives): the work of one process
/// when processes share the panels ([`crate::pipeline::pixel_status::run_shared`]).
pub fn run_maxima_of(src: &RunSource, p: &StatusParams, panels: &[usize]) -> Result<Vec<StepMax>> {
    if p.features != [11] {
        return Err(Error::bad_arg(
            "--features",
            "run_max computes feature 11 alone",
        ));
    }
    let panel_len = src.meta().panel_len();
    let mask = p.databits;
    let mut steps: Vec<StepMax> = Vec::new();
    let mut buf = vec![0u16; panel_len];
    let by_events = StatusParams {
        nrecs: p.events,
        ..p.clone()
    };
    walk(src, &by_events, &mut |item| {
        match item {
            Walked::Step(s) => steps.push(StepMax {
                step: s.clone(),
                max: vec![vec![0u16; panel_len]; panels.len()],
                frames: 0,
            }),
            Walked::Frame(frame) => {
                let st = steps.last_mut().expect("a step first");
                for (k, &pi) in panels.iter().enumerate() {
                    frame.copy_panel_to(pi, &mut buf)?;
                    for (m, &x) in st.max[k].iter_mut().zip(&buf) {
                        *m = (*m).max(x & mask);
                    }
                }
                st.frames += 1;
            }
        }
        Ok(())
    })?;
    Ok(steps)
}

/// Computes the status of every step of a run (see the module documentation).
pub fn run(src: &RunSource, p: &StatusParams) -> Result<Vec<StepStatus>> {
    let panels = check(src, p)?;
    run_of(src, p, &panels)
}

/// [`run`] of the given panels (of those [`check`] gives): the work of one process when
/// processes share the panels; every panel is judged on its own, so the maps are those of
/// [`run`].
pub fn run_of(src: &RunSource, p: &StatusParams, panels: &[usize]) -> Result<Vec<StepStatus>> {
    if p.features.contains(&11) {
        return Err(Error::bad_arg(
            "--features",
            "feature 11 needs the pedestals: use run_max",
        ));
    }
    let meta = src.meta();
    let panel_len = meta.panel_len();
    let f1 = p.features.contains(&1);
    let mask = p.databits;
    let hist_len = usize::from(mask) + 1;

    // Pass 1: the frame medians of each step and panel.
    let mut steps: Vec<(StepMeta, Vec<Vec<f64>>)> = Vec::new();
    let mut buf = vec![0u16; panel_len];
    let mut hist = vec![0u32; hist_len];
    walk(src, p, &mut |item| {
        match item {
            Walked::Step(s) => steps.push((s.clone(), vec![Vec::new(); panels.len()])),
            Walked::Frame(frame) => {
                let (_, meds) = steps.last_mut().expect("a step first");
                for (k, &pi) in panels.iter().enumerate() {
                    frame.copy_panel_to(pi, &mut buf)?;
                    meds[k].push(if f1 {
                        median_u16_hist(&buf, mask, &mut hist)
                    } else {
                        0.0
                    });
                }
            }
        }
        Ok(())
    })?;
    // F1: which frames to keep.
    let keep: Vec<Vec<Vec<bool>>> = steps
        .iter()
        .map(|(_, meds)| {
            meds.iter()
                .map(|m| {
                    if !f1 {
                        return vec![true; m.len()];
                    }
                    let mut flags = vec![0u64; m.len()];
                    evaluate(m, 0.0, f64::from(mask), p.snrmax, 1, 2, &mut flags);
                    flags.iter().map(|&f| f == 0).collect()
                })
                .collect()
        })
        .collect();

    // Pass 2: exact per-pixel integer sums over the frames kept.
    let mut sums: Vec<Vec<PixelSums>> = Vec::new();
    let mut step_i: isize = -1;
    let mut frame_i = 0usize;
    walk(src, p, &mut |item| {
        match item {
            Walked::Step(_) => {
                step_i += 1;
                frame_i = 0;
                sums.push(
                    panels
                        .iter()
                        .map(|_| (vec![0u64; panel_len], vec![0u64; panel_len], 0))
                        .collect(),
                );
            }
            Walked::Frame(frame) => {
                let s = step_i as usize;
                for (k, &pi) in panels.iter().enumerate() {
                    if !keep[s][k].get(frame_i).copied().unwrap_or(false) {
                        continue;
                    }
                    frame.copy_panel_to(pi, &mut buf)?;
                    let (sum, sum2, n) = &mut sums[s][k];
                    for ((a, b), &x) in sum.iter_mut().zip(sum2.iter_mut()).zip(&buf) {
                        let v = u64::from(x & mask);
                        *a += v;
                        *b += v * v;
                    }
                    *n += 1;
                }
                frame_i += 1;
            }
        }
        Ok(())
    })?;

    // Feature 6: the good frames of each step's block, kept, then judged window by window.
    let mut light_status: Vec<Vec<Vec<u64>>> = Vec::new();
    if p.features.contains(&6) {
        let (rows, cols) = (meta.frame_shape[1], meta.frame_shape[2]);
        light::window_starts(rows, p.shwind.0)?;
        light::window_starts(cols, p.shwind.1)?;
        let mut blocks: Vec<Vec<Vec<Vec<u16>>>> = Vec::new();
        let mut frame_i = 0usize;
        walk(src, p, &mut |item| {
            match item {
                Walked::Step(_) => {
                    frame_i = 0;
                    blocks.push(vec![Vec::new(); panels.len()]);
                }
                Walked::Frame(frame) => {
                    let s = blocks.len() - 1;
                    for (k, &pi) in panels.iter().enumerate() {
                        if keep[s][k].get(frame_i).copied().unwrap_or(false) {
                            frame.copy_panel_to(pi, &mut buf)?;
                            blocks[s][k].push(buf.iter().map(|&x| x & mask).collect());
                        }
                    }
                    frame_i += 1;
                }
            }
            Ok(())
        })?;
        for step_blocks in blocks {
            light_status.push(
                step_blocks
                    .iter()
                    .map(|b| light::light_status(b, rows, cols, p.shwind, mask, p.snrmax))
                    .collect::<Result<_>>()?,
            );
        }
    }

    let mut out = Vec::new();
    for (s, (step, meds)) in steps.into_iter().enumerate() {
        let frames = meds.first().map_or(0, Vec::len);
        let mut status = Vec::new();
        let mut kept = Vec::new();
        for (sum, sum2, n) in &sums[s] {
            let mut st = vec![0u64; panel_len];
            if *n == 0 {
                // Nothing to judge the pixels by: every pixel is suspect.
                st.iter_mut().for_each(|x| *x = MEAN_LOW | STD_LOW);
            } else {
                let nf = *n as f64;
                let mean: Vec<f64> = sum.iter().map(|&a| a as f64 / nf).collect();
                // The population variance from exact integer sums, rounded once.
                let n2 = (*n as i128) * (*n as i128);
                let std: Vec<f64> = sum
                    .iter()
                    .zip(sum2)
                    .map(|(&a, &b)| {
                        (((*n as i128) * b as i128 - (a as i128) * (a as i128)) as f64 / n2 as f64)
                            .sqrt()
                    })
                    .collect();
                let range = f64::from(mask);
                if p.features.contains(&2) {
                    evaluate(&mean, 0.0, range, p.snrmax, MEAN_LOW, MEAN_HIGH, &mut st);
                }
                if p.features.contains(&3) {
                    evaluate(&std, 0.0, range, p.snrmax, STD_LOW, STD_HIGH, &mut st);
                }
            }
            if let Some(ls) = light_status.get(s) {
                for (a, b) in st.iter_mut().zip(&ls[status.len()]) {
                    *a |= b;
                }
            }
            status.push(st);
            kept.push(*n);
        }
        out.push(StepStatus {
            step,
            status,
            kept,
            frames,
        });
    }
    Ok(out)
}

/// A panel's per-pixel sum and sum of squares, and the number of frames in them.
type PixelSums = (Vec<u64>, Vec<u64>, usize);

/// What the two passes see.
enum Walked<'a, 'b> {
    Step(&'a StepMeta),
    Frame(&'a crate::source::Frame<'b>),
}

/// Walks the run: steps, and the first `nrecs` frames of each after `evskip`.
fn walk(
    src: &RunSource,
    p: &StatusParams,
    f: &mut dyn FnMut(Walked<'_, '_>) -> Result<()>,
) -> Result<()> {
    let mut ievt = 0usize;
    let mut taken = 0usize;
    src.for_each(&mut |item| {
        match item {
            Item::StepBegin(s) => {
                (ievt, taken) = (0, 0);
                f(Walked::Step(s))?;
            }
            Item::Frame { frame, .. } => {
                ievt += 1;
                if ievt <= p.evskip {
                    return Ok(Flow::Continue);
                }
                f(Walked::Frame(&frame))?;
                taken += 1;
                if taken >= p.nrecs {
                    return Ok(Flow::EndStep);
                }
            }
            Item::Skipped { .. } | Item::StepEnd { .. } => {}
        }
        Ok(Flow::Continue)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evaluate_flags_outliers_like_psana() {
        // Values 10..=20 around 15 plus outliers; med 15, MAD 3 (values 12..18 within).
        let mut arr: Vec<f64> = (10..=20).map(f64::from).collect();
        arr.extend([0.0, 100.0, 16383.0]);
        let (lo, hi) = limits(&arr, 0.0, 16383.0, 2.0).unwrap();
        // sel excludes 0 and 16383: 10..=20 and 100 (12 values): med 15.5, |dev| median 3.0.
        assert_eq!((lo, hi), (15.5 - 6.0, 15.5 + 6.0));
        let mut out = vec![0u64; arr.len()];
        evaluate(&arr, 0.0, 16383.0, 2.0, 1, 2, &mut out);
        let flagged: Vec<(f64, u64)> = arr
            .iter()
            .zip(&out)
            .filter(|(_, o)| **o != 0)
            .map(|(a, o)| (*a, *o))
            .collect();
        assert_eq!(flagged, vec![(0.0, 1), (100.0, 2), (16383.0, 2)]);
        // A zero spread falls back to the standard deviation.
        let flat = [5.0, 5.0, 5.0, 5.0, 9.0];
        let (lo, hi) = limits(&flat, 0.0, 100.0, 1.0).unwrap();
        assert!(
            (hi - (5.0 + 1.6)).abs() < 1e-12 && (lo - (5.0 - 1.6)).abs() < 1e-12,
            "{lo} {hi}"
        );
    }
}
