/*!
An ePix10ka dark job over runs and steps, with the event loop of psana's
`epix10ka_pedestals_calibration`, and saving its results into the panel repository.

- Steps are counted over all runs from 0 (`nstep_tot`); the job stops when it reaches `ccmax`
  (psana `-m`, 5). A step's calib-cycle index `nstep` is the index of its gain range in
  [`GAIN_MODES_IN`] when the gain range was given (psana reads it from the ControlData label),
  else `nstep_tot`. With `ccnum` (`-c`) only that cycle is processed.
- Each step's gain range is an input: given (`--gain-mode`, NumPy stacks) or the one the step
  says (from its configuration). A range from the data must be `GAIN_MODES_IN[nstep]`; otherwise
  the job fails (psana exits with status 0), or with `errskip` (`-E`) skips the step.
- A step takes at most `nbs` frames ([`EpixDark`]); with `idx` (`-i`) only that panel is kept.
*/

use std::path::PathBuf;

use ndarray::{ArrayD, IxDyn};
use rayon::prelude::*;

use crate::dark::epix10ka::{EpixDark, EpixDarkResult};
use crate::dark::job::LoopOptions;
use crate::detector::epix10ka::{GAIN_MODES_IN, GainRange};
use crate::dist::{Ranks, Single};
use crate::error::{Error, Result};
use crate::files::{Perms, commit_all};
use crate::formats::array::NdArray;
use crate::formats::pyfmt::PyFormat;
use crate::formats::text::{stage_plain, write_plain};
use crate::repo::select::find_in_dir;
use crate::repo::{Repo, RepoKind, range_file_name};
use crate::source::{DetectorMeta, Flow, Item, RunSource, StepMeta};

/// psana's default of `--ccmax`: the five dark gain modes.
pub const DEFAULT_CCMAX: u32 = 5;

/// A finished ePix10ka step.
#[derive(Debug)]
pub struct EpixStepDone<'a> {
    /// The run's detector.
    pub meta: &'a DetectorMeta,
    /// The step.
    pub step: &'a StepMeta,
    /// The calib-cycle index (0..5).
    pub nstep: u32,
    /// The gain range the step was processed as.
    pub range: GainRange,
    /// The panel indices of `result.panels`, in order.
    pub panels: Vec<usize>,
    /// The results.
    pub result: EpixDarkResult,
}

/// The gain range of an ePix10ka step given its metadata: the given one, else the step's.
fn step_range(step: &StepMeta, given: Option<GainRange>) -> Option<(GainRange, bool)> {
    if let Some(g) = given {
        return Some((g, true));
    }
    step.mode
        .and_then(|m| GainRange::from_index(m.index))
        .map(|g| (g, false))
}

/// Runs the ePix10ka dark job over `sources`: `given` is the gain range of every step (or
/// `None` to take each step's own); `done` is called per finished step, `progress` with the
/// frames read so far.
pub fn run(
    sources: &[RunSource],
    opts: &LoopOptions,
    given: Option<GainRange>,
    done: &mut dyn FnMut(EpixStepDone<'_>) -> Result<()>,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<()> {
    run_shared(sources, opts, given, &Single, done, progress)
}

/// [`run`] with the panels shared by the processes of `ranks` (MPI): each takes a contiguous
/// share of the panels ([`crate::dist::share_panels`]) over every frame of each
/// step, and sends its panels' results to the root at the end of the step
/// ([`crate::dark::epix10ka_wire`]); psana processes each panel on its own, so `done`, called
/// on the root only, gets the results of [`run`]. Processes beyond the number of panels have
/// nothing to do.
pub fn run_shared(
    sources: &[RunSource],
    opts: &LoopOptions,
    given: Option<GainRange>,
    ranks: &dyn Ranks,
    done: &mut dyn FnMut(EpixStepDone<'_>) -> Result<()>,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<()> {
    let first = sources
        .first()
        .ok_or_else(|| Error::not_found(crate::Missing::Run, "runs", "", "no runs to process"))?
        .meta()
        .clone();
    let nsegs = first.frame_shape[0];
    if let Some(i) = opts.segind
        && i >= nsegs
    {
        return Err(Error::bad_arg(
            "--idx",
            format!("--idx {i}: the detector has {nsegs} panels"),
        ));
    }
    let panels: Vec<usize> = match opts.segind {
        Some(i) => vec![i],
        None => (0..nsegs).collect(),
    };
    // With several processes: this one's panels, and the processes that have some.
    let all_panels = panels.clone();
    let (rank, size) = (ranks.rank(), ranks.size());
    let share = |r: usize| crate::dist::share_panels(&all_panels, r, size);
    let panels = share(rank).to_vec();
    if panels.is_empty() {
        return Ok(());
    }
    let senders: Vec<usize> = (1..size).filter(|&r| !share(r).is_empty()).collect();
    let ccmax = opts.stepmax.unwrap_or(DEFAULT_CCMAX);
    let mut nstep_tot: u32 = 0;
    let mut read: u64 = 0;
    let mut stop = false;
    // The block's memory, handed from one step to the next.
    let mut spare: Vec<u16> = Vec::new();
    for src in sources {
        if stop {
            break;
        }
        let meta = src.meta();
        if meta.frame_shape != first.frame_shape {
            return Err(Error::shape(
                "frame",
                format!("{:?}", first.frame_shape),
                &meta.frame_shape,
                format!(
                    "{}: frame shape {:?} differs from {:?} of the first run",
                    src.label(),
                    meta.frame_shape,
                    first.frame_shape
                ),
            ));
        }
        let mut cur: Option<(StepMeta, u32, GainRange, EpixDark)> = None;
        // Frames read where they lie (their panels' parts of the mapped files), waiting to be
        // handed to the engine at once.
        let mut pending: Vec<&[u8]> = Vec::new();
        let mut finish = |cur: &mut Option<(StepMeta, u32, GainRange, EpixDark)>,
                          spare: &mut Vec<u16>,
                          pending: &mut Vec<&[u8]>|
         -> Result<()> {
            if let Some((_, _, _, dark)) = cur.as_mut() {
                push_pending(src, dark, pending)?;
            }
            if let Some((step, nstep, range, dark)) = cur.take() {
                let (result, buf) = dark.finish_with_buffer();
                *spare = buf;
                let mut result = result.map_err(|e| Error::Step {
                    exp: meta.exp.clone(),
                    run: meta.run,
                    step: step.index,
                    source: Box::new(e),
                })?;
                if size > 1 {
                    if rank != 0 {
                        ranks.send_to_root(&crate::dark::epix10ka_wire::result_bytes(&result))?;
                        return Ok(());
                    }
                    for &r in &senders {
                        let part = ranks.recv_from(r)?;
                        crate::dark::epix10ka_wire::append_result(&mut result, &part)?;
                    }
                }
                done(EpixStepDone {
                    meta,
                    step: &step,
                    nstep,
                    range,
                    panels: all_panels.clone(),
                    result,
                })?;
            }
            Ok(())
        };
        // The parts of frames copied from the run's mapped files, not yet released.
        let mut mapped: Vec<&[u8]> = Vec::new();
        src.for_each(&mut |item| match item {
            Item::StepBegin(s) => {
                finish(&mut cur, &mut spare, &mut pending)?;
                if nstep_tot >= ccmax {
                    stop = true;
                    return Ok(Flow::Stop);
                }
                let tot = nstep_tot;
                nstep_tot += 1;
                let Some((range, was_given)) = step_range(s, given) else {
                    return Err(Error::bad_arg(
                        "--gain-mode",
                        format!(
                            "{} step {}: the step does not say its ePix10ka gain mode (from its configuration); give it with --gain-mode",
                            src.label(),
                            s.index
                        ),
                    ));
                };
                let Some(k) = GAIN_MODES_IN.iter().position(|g| *g == range) else {
                    return Err(Error::bad_arg(
                        "--gain-mode",
                        format!(
                            "{} step {}: gain mode {} is not one of the dark modes FH, FM, FL, AHL-H, AML-M",
                            src.label(),
                            s.index,
                            range.name()
                        ),
                    ));
                };
                // With an event-code selection the steps are those of a light run, not calib
                // cycles of a dark scan: each step's configured mode is its mode.
                let by_config = was_given || opts.evcode.is_some();
                let nstep = if by_config { k as u32 } else { tot };
                if let Some(c) = opts.stepnum {
                    if nstep < c {
                        return Ok(Flow::EndStep);
                    }
                    if nstep > c {
                        stop = true;
                        return Ok(Flow::Stop);
                    }
                }
                if !by_config && k as u32 != nstep {
                    let msg = format!(
                        "{} step {}: the configuration says gain mode {}, calib cycle {nstep} expects {}",
                        src.label(),
                        s.index,
                        range.name(),
                        GAIN_MODES_IN
                            .get(nstep as usize)
                            .map_or("nothing (more than 5 cycles)", |g| g.name())
                    );
                    if opts.errskip {
                        tracing::warn!("{msg}; step skipped (-E)");
                        return Ok(Flow::EndStep);
                    }
                    return Err(Error::content(src.label(), msg));
                }
                let dark = new_engine(
                    panels.len(),
                    meta.panel_len(),
                    opts.nbs,
                    std::mem::take(&mut spare),
                )?;
                cur = Some((s.clone(), nstep, range, dark));
                Ok(Flow::Continue)
            }
            Item::Frame { frame, .. } => {
                let Some((_, _, _, dark)) = cur.as_mut() else {
                    return Ok(Flow::Continue);
                };
                let want = dark.parts_wanted();
                if want > 0 && take_mapped(src, &frame, &panels, meta.panel_len(), &mut pending) {
                    read += 1;
                    progress(read);
                    if pending.len() >= want * panels.len() {
                        let full = dark.push_parts(&pending)?;
                        src.release_parts(&pending);
                        pending.clear();
                        if full {
                            // psana stops reading the step once the block is full.
                            return Ok(Flow::EndStep);
                        }
                    }
                    return Ok(Flow::Continue);
                }
                // Frames reach the engine in order: those waiting go first.
                if push_pending(src, dark, &mut pending)? {
                    return Ok(Flow::EndStep);
                }
                let slot = dark.frame_slot();
                if !copy_mapped(src, &frame, &panels, slot, &mut mapped) {
                    match opts.segind {
                        Some(i) => frame.copy_panel_to(i, slot)?,
                        None if size > 1 => {
                            let len = meta.panel_len();
                            for (k, &p) in panels.iter().enumerate() {
                                frame.copy_panel_to(p, &mut slot[k * len..(k + 1) * len])?;
                            }
                        }
                        None => frame.copy_to(slot)?,
                    }
                }
                if mapped.len() >= RELEASE_PARTS {
                    src.release_parts(&mapped);
                    mapped.clear();
                }
                read += 1;
                progress(read);
                if dark.commit_frame() {
                    // psana stops reading the step once the block is full.
                    return Ok(Flow::EndStep);
                }
                Ok(Flow::Continue)
            }
            Item::Skipped { reason, step } => {
                tracing::debug!("step {step}: event skipped: {reason}");
                Ok(Flow::Continue)
            }
            Item::StepEnd { .. } => {
                finish(&mut cur, &mut spare, &mut pending)?;
                Ok(Flow::Continue)
            }
        })?;
        src.release_parts(&mapped);
        finish(&mut cur, &mut spare, &mut pending)?;
    }
    Ok(())
}

#[cfg(test)]
thread_local! {
    /// Tests: the summing mode of the job's engines (frames summed as they arrive, or in
    /// blocks), instead of the choice by frame size, so that small frames take either way.
    static INCREMENTAL: std::cell::Cell<Option<bool>> = const { std::cell::Cell::new(None) };
}

/// A step's engine ([`EpixDark::with_buffer`]).
fn new_engine(npanels: usize, panel_len: usize, nbs: usize, buf: Vec<u16>) -> Result<EpixDark> {
    #[cfg(test)]
    if let Some(incremental) = INCREMENTAL.get() {
        return EpixDark::with_mode(npanels, panel_len, nbs, buf, Some(incremental));
    }
    EpixDark::with_buffer(npanels, panel_len, nbs, buf)
}

/// Appends the parts of `panels` of `frame` (each `panel_len` words) in the run's mapped files
/// to `pending`; false, with `pending` as it was, where one is not in a map.
fn take_mapped<'s>(
    src: &'s RunSource,
    frame: &crate::source::Frame<'_>,
    panels: &[usize],
    panel_len: usize,
    pending: &mut Vec<&'s [u8]>,
) -> bool {
    let at = pending.len();
    let ok = panels
        .iter()
        .all(|&p| src.mapped_parts(frame, Some(p), pending))
        && pending[at..].iter().all(|p| p.len() == 2 * panel_len);
    if !ok {
        pending.truncate(at);
    }
    ok
}

/// Hands the frames waiting in `pending` to the engine and drops the process's mapping of
/// their pages; returns whether the engine's block is full.
fn push_pending(src: &RunSource, dark: &mut EpixDark, pending: &mut Vec<&[u8]>) -> Result<bool> {
    if pending.is_empty() {
        return Ok(dark.is_done());
    }
    let full = dark.push_parts(pending)?;
    src.release_parts(pending);
    pending.clear();
    Ok(full)
}

/// Parts of frames copied from the mapped files between releases of their pages.
const RELEASE_PARTS: usize = 256;
/// Words of a frame's part copied by one thread.
const COPY_PIECE: usize = 1 << 15;

/// Copies `panels` of `frame` into `slot` (one after another) from the run's mapped files, in
/// pieces shared between the threads, appending the parts read to `mapped`; false, with
/// nothing copied, where a panel is not in a map.
fn copy_mapped<'s>(
    src: &'s RunSource,
    frame: &crate::source::Frame<'_>,
    panels: &[usize],
    slot: &mut [u16],
    mapped: &mut Vec<&'s [u8]>,
) -> bool {
    let at = mapped.len();
    let len = slot.len() / panels.len().max(1);
    if !take_mapped(src, frame, panels, len, mapped) {
        return false;
    }
    let pieces: Vec<(&mut [u16], &[u8])> = slot
        .chunks_mut(len)
        .zip(&mapped[at..])
        .flat_map(|(s, p)| s.chunks_mut(COPY_PIECE).zip(p.chunks(2 * COPY_PIECE)))
        .collect();
    pieces
        .into_par_iter()
        .for_each(|(s, p)| crate::dark::frames::copy_le_words(s, p));
    true
}

/// What names a job's files: psana names every file of a job after its first run.
#[derive(Debug, Clone)]
pub struct EpixNames<'a> {
    /// Time stamp `YYYYmmddHHMMSS` of the first run.
    pub tstamp: &'a str,
    /// Experiment.
    pub exp: &'a str,
    /// The first run.
    pub run: u32,
}

/// Saves a step's pedestals, rms and status per panel into the repository as
/// `<panel_id>/<ctype>/epix10ka_<alias>_<tstamp>_<exp>_r<run>_<ctype>_<MODE>.dat`, and after an
/// AHL-H or AML-M step the derived low-range pedestals where the charge-injection files exist.
/// Returns the files written.
pub fn save(repo: &Repo, d: &EpixStepDone<'_>, names: &EpixNames<'_>) -> Result<Vec<PathBuf>> {
    let kind = RepoKind::EPIX10KA;
    let [_, rows, cols] = d.meta.frame_shape;
    let fmt3 = PyFormat::parse("%.3f")?;
    let fmt4 = PyFormat::parse("%4i")?;
    let mode = d.range.name();
    let mut jobs = Vec::new();
    let mut prefixes = Vec::new();
    // Aliases one panel at a time (under the table's lock), then the files in parallel.
    for (k, &p) in d.panels.iter().enumerate() {
        let id = &d.meta.panel_ids[p];
        let alias = kind.alias_for(repo, id, names.exp, names.run)?;
        let prefix = kind.file_prefix(&alias, names.tstamp, names.exp, names.run)?;
        repo.make_panel_dirs(id, kind.panel_dirs)?;
        for (c, ctype) in kind.dark_ctypes.iter().enumerate() {
            let path = repo
                .ctype_dir(id, ctype)?
                .join(range_file_name(&prefix, ctype, mode));
            jobs.push((k, c, path));
        }
        prefixes.push((k, id.clone(), prefix));
    }
    let sh = IxDyn(&[rows, cols]);
    let staged = jobs
        .par_iter()
        .map(|(k, c, path)| {
            let r = &d.result.panels[*k];
            let (arr, fmt) = match c {
                0 => (
                    NdArray::F64(ArrayD::from_shape_vec(sh.clone(), r.ave.clone()).expect("panel")),
                    &fmt3,
                ),
                1 => (
                    NdArray::F64(ArrayD::from_shape_vec(sh.clone(), r.rms.clone()).expect("panel")),
                    &fmt3,
                ),
                _ => (
                    NdArray::I64(
                        ArrayD::from_shape_vec(sh.clone(), r.status.clone()).expect("panel"),
                    ),
                    &fmt4,
                ),
            };
            stage_plain(path, &arr, fmt, repo.perms())
        })
        .collect::<Result<Vec<_>>>()?;
    // Flushed to disk together, then renamed (see `files::commit_all`).
    let mut written = commit_all(staged)?;
    let low = match d.range {
        GainRange::AhlH => Some(GainRange::AhlL),
        GainRange::AmlM => Some(GainRange::AmlL),
        _ => None,
    };
    if let Some(low) = low {
        let ts = crate::site::parse_tstamp(names.tstamp)?;
        for (k, id, prefix) in &prefixes {
            if let Some(path) = derive_low_pedestals(
                repo,
                id,
                prefix,
                d.range,
                low,
                ts,
                &d.result.panels[*k].ave,
                [rows, cols],
                repo.perms(),
            )? {
                written.push(path);
            }
        }
    }
    Ok(written)
}

/// `ped_L = off_L - (off_H - ped_H) * gL/gH` (gL/gH = 0 where gH = 0) from the panel's
/// charge-injection files valid for `ts`, written as `pedestals_<low>.dat`; nothing without
/// all four files.
#[allow(clippy::too_many_arguments)]
fn derive_low_pedestals(
    repo: &Repo,
    id: &str,
    prefix: &str,
    high: GainRange,
    low: GainRange,
    ts: u64,
    ped_h: &[f64],
    shape: [usize; 2],
    perms: &Perms,
) -> Result<Option<PathBuf>> {
    let read = |ctype: &str, sub: &str, range: GainRange| -> Result<Option<Vec<f64>>> {
        let pat = format!("{ctype}_{}", range.name());
        let Some(path) = find_in_dir(&repo.ctype_dir(id, sub)?, &[&pat], ts)? else {
            return Ok(None);
        };
        let a = crate::formats::text::read_text(&path)?;
        let v: Vec<f64> = a.to_f64().iter().copied().collect();
        if v.len() != ped_h.len() {
            return Err(Error::shape(
                "charge-injection constants",
                ped_h.len().to_string(),
                &[v.len()],
                format!(
                    "{}: {} values, the panel has {}",
                    path.display(),
                    v.len(),
                    ped_h.len()
                ),
            ));
        }
        Ok(Some(v))
    };
    let (Some(off_h), Some(off_l), Some(g_h), Some(g_l)) = (
        read("offset", "offset", high)?,
        read("offset", "offset", low)?,
        read("gainci", "gain", high)?,
        read("gainci", "gain", low)?,
    ) else {
        return Ok(None);
    };
    let ped_l: Vec<f64> = (0..ped_h.len())
        .map(|i| {
            let ratio = if g_h[i] == 0.0 { 0.0 } else { g_l[i] / g_h[i] };
            off_l[i] - (off_h[i] - ped_h[i]) * ratio
        })
        .collect();
    let path =
        repo.ctype_dir(id, "pedestals")?
            .join(range_file_name(prefix, "pedestals", low.name()));
    let arr = NdArray::F64(ArrayD::from_shape_vec(IxDyn(&shape), ped_l).expect("panel"));
    write_plain(&path, &arr, &PyFormat::parse("%.3f")?, perms)?;
    Ok(Some(path))
}

/// Log lines summarizing a step: records, and per panel the gate, limits and status counts.
pub fn summary_lines(d: &EpixStepDone<'_>) -> Vec<String> {
    let r = &d.result;
    let mut out = vec![format!(
        "{} run {} step {} (calib cycle {}): gain mode {}: {} frames collected, {} records used, nevlm {}",
        d.meta.exp,
        d.meta.run,
        d.step.index,
        d.nstep,
        d.range.name(),
        r.frames,
        r.records,
        r.nevlm
    )];
    for (p, panel) in d.panels.iter().zip(&r.panels) {
        let s = &panel.summary;
        out.push(format!(
            "  panel {p} ({}): rms_ave {:.6} gate half {:.6}; rms limits [{:.6}, {:.6}] ave limits [{:.3}, {:.3}]; status bits 1: {}, 2: {}, 4: {}, 8: {}, 16: {}, 32: {}; bad pixels {} of {}",
            d.meta.panel_ids[*p],
            s.rms_ave_pass1,
            s.gate_half,
            s.rms_limits[0],
            s.rms_limits[1],
            s.ave_limits[0],
            s.ave_limits[1],
            s.bit_counts[0],
            s.bit_counts[1],
            s.bit_counts[2],
            s.bit_counts[3],
            s.bit_counts[4],
            s.bit_counts[5],
            s.bad_pixels,
            panel.status.len()
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(path: &std::path::Path, rows: &[&str]) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, rows.join("\n") + "\n").unwrap();
    }

    /// A stack of ePix10ka frames read in place by the job (the first records of the block
    /// and the later batches) gives what an engine fed the same frames one by one gives, in
    /// both summing modes, with `nbs` ending the block inside a batch, and for one panel.
    #[test]
    fn frames_read_in_place_by_the_job_give_the_engine_results() {
        use crate::detector::DetType;
        use crate::source::StackInfo;
        let tmp = tempfile::tempdir().unwrap();
        let (n, np, rows, cols) = (600, 2, 16, 32);
        let l = rows * cols;
        let mut rng = crate::dark::test_xorshift(0xe91c);
        let data: Vec<u16> = (0..n * np * l)
            .map(|i| {
                let r = rng();
                let p = i % (np * l);
                match r % 1499 {
                    0 => 0,
                    1 => 16001 | 0x4000,
                    _ => (1500 + p % 400) as u16 + (r >> 40) as u16 % (3 + (p % 7) as u16 * 5),
                }
            })
            .collect();
        let path = tmp.path().join("stack.npy");
        let arr = NdArray::U16(
            ArrayD::from_shape_vec(IxDyn(&[n, np, rows, cols]), data.clone()).unwrap(),
        );
        crate::formats::npy::write_npy(&path, &arr, &Perms::default()).unwrap();
        let info = StackInfo {
            det_type: DetType::Epix10kaQuad,
            panel_ids: vec!["e-0".into(), "e-1".into()],
            exp: "xpptut15".into(),
            run: 1,
            start: jiff::Timestamp::from_second(1_600_000_000).unwrap(),
            gain_mode: None,
            alias: "epixquad".into(),
        };
        let sources = vec![RunSource::open_stack(&path, info).unwrap()];
        for incremental in [false, true] {
            INCREMENTAL.set(Some(incremental));
            for (nbs, segind) in [
                (crate::dark::epix10ka::DEFAULT_NBS, None),
                (530, None),
                (crate::dark::epix10ka::DEFAULT_NBS, Some(1)),
            ] {
                let opts = LoopOptions {
                    nbs,
                    segind,
                    ..LoopOptions::default()
                };
                let mut got = Vec::new();
                run(
                    &sources,
                    &opts,
                    Some(GainRange::Fh),
                    &mut |d| {
                        got.push(d.result);
                        Ok(())
                    },
                    &|_| {},
                )
                .unwrap();
                let panels: Vec<usize> = segind.map_or((0..np).collect(), |i| vec![i]);
                let mut d =
                    EpixDark::with_mode(panels.len(), l, nbs, Vec::new(), Some(incremental))
                        .unwrap();
                for f in data.chunks(np * l) {
                    let frame: Vec<u16> = panels
                        .iter()
                        .flat_map(|&p| f[p * l..(p + 1) * l].to_vec())
                        .collect();
                    d.push_frame(&frame).unwrap();
                }
                let want = d.finish().unwrap();
                assert_eq!(
                    got,
                    vec![want],
                    "incremental {incremental}, nbs {nbs}, segind {segind:?}"
                );
            }
        }
        INCREMENTAL.set(None);
    }

    #[test]
    fn low_range_pedestals_come_from_the_charge_injection_files() {
        let tmp = tempfile::tempdir().unwrap();
        let repo = Repo::new(tmp.path(), Perms::default());
        let pre = "epix10ka_0001_20200101000000_exp_r0001";
        let p = tmp.path().join("p1");
        write(
            &p.join(format!("offset/{pre}_offset_AHL-H.dat")),
            &["110 120 130"],
        );
        write(
            &p.join(format!("offset/{pre}_offset_AHL-L.dat")),
            &["50 60 70"],
        );
        write(
            &p.join(format!("gain/{pre}_gainci_AHL-H.dat")),
            &["10 20 0"],
        );
        let ped_h = [100.0, 100.0, 100.0];
        let args = |ts| {
            derive_low_pedestals(
                &repo,
                "p1",
                "epix10ka_0002_20210101000000_exp_r0002",
                GainRange::AhlH,
                GainRange::AhlL,
                ts,
                &ped_h,
                [1, 3],
                &Perms::default(),
            )
        };
        // Three of the four files: nothing.
        assert_eq!(args(20210101000000).unwrap(), None);
        write(&p.join(format!("gain/{pre}_gainci_AHL-L.dat")), &["1 4 3"]);
        // Files later than the time stamp do not count.
        assert_eq!(args(20191231000000).unwrap(), None);
        let out = args(20210101000000).unwrap().unwrap();
        assert!(
            out.ends_with(
                "p1/pedestals/epix10ka_0002_20210101000000_exp_r0002_pedestals_AHL-L.dat"
            )
        );
        // 50 - 10 * 0.1 = 49; 60 - 20 * 0.2 = 56; gH = 0: 70 - 30 * 0 = 70.
        assert_eq!(
            std::fs::read_to_string(out).unwrap(),
            "49.000 56.000 70.000\n"
        );
    }
}
