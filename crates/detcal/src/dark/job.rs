/*!
A dark-processing job over runs and steps, with psana's event loop (`jungfrau_dark_proc`).

Runs are taken in order and steps within each run; each step gives one gain mode's results:

- events of a step before `evskip` are skipped, and the step ends at event `evstep`;
- the job ends when the total event count reaches `events` (counted before the check, as psana);
- `stepnum` processes only that step index, `stepmax` caps the steps over all runs;
- `segind` processes one panel only;
- a step ends once `nrecs` frames are taken.

With an event-code selection (`evcode`), psana's order is kept (the counters above see every
event, the selection comes after them), but the statistics accumulate over every step and run
and are saved once at the end, labelled with the first step processed; the job ends once
`nrecs` frames are taken.

One thread reads the runs (the datagram headers) while the engine works on the previous batch
on every core. The frames are read where they are in the mapped files (a batch is the list of
their panels' places, aligned or not), with no copy; a frame that is not in a map (big-endian
machines), or every frame with [`run_copying`] (the reference path), is copied into a batch
instead. The pages of a batch's frames are unmapped once the engine is done with them, so
memory stays bounded over long runs. A step's results reach the caller only when the step is complete;
an error while reading drops the partial step, so nothing half-done is saved.
*/

use std::sync::mpsc::{Receiver, Sender, SyncSender, channel, sync_channel};

use crate::dark::{DarkParams, DarkProc, DarkResult, FrameParts, GainCheck};
use crate::detector::{DetType, GainModeInfo};
use crate::dist::{FrameShare, Ranks, Single};
use crate::error::{Error, Result};
use crate::source::{DetectorMeta, Flow, Item, RunSource, StepMeta};

/// psana's event-loop options of a job.
#[derive(Debug, Clone)]
pub struct LoopOptions {
    /// Most events in all runs and steps (psana `-n`, 100000).
    pub events: u64,
    /// Events skipped at the start of each step (`-m`, 0).
    pub evskip: u64,
    /// Most events of a step (`-e`, 2000).
    pub evstep: u64,
    /// Only this step index (`-N`; ePix10ka: only this calib cycle, `-c/--ccnum`).
    pub stepnum: Option<u32>,
    /// Most steps over all runs (`-M`; ePix10ka `-m/--ccmax`, 5 when not given).
    pub stepmax: Option<u32>,
    /// Only this panel (`-I`; ePix10ka `-i/--idx`).
    pub segind: Option<usize>,
    /// ePix10ka: the most frames collected per step (`-b/--nbs`, 1024; the last one is not used).
    pub nbs: usize,
    /// ePix10ka: skip a step whose configured gain mode is not the calib cycle's (`-E`).
    pub errskip: bool,
    /// Only events with these event codes (psana `-c/--evcode`; `--beam-off`). With a
    /// selection, statistics accumulate over every step and run and are saved once, labelled
    /// with the first step; the runs' timing data must be loaded ([`RunSource::load_timing`]).
    pub evcode: Option<crate::evcode::EventCodeSelection>,
}

impl Default for LoopOptions {
    fn default() -> Self {
        LoopOptions {
            events: 100_000,
            evskip: 0,
            evstep: 2000,
            stepnum: None,
            stepmax: None,
            segind: None,
            nbs: crate::dark::epix10ka::DEFAULT_NBS,
            errskip: false,
            evcode: None,
        }
    }
}

/// A finished step: where it came from and its results.
#[derive(Debug)]
pub struct StepDone<'a> {
    /// The run's detector.
    pub meta: &'a DetectorMeta,
    /// The step.
    pub step: &'a StepMeta,
    /// Index of the run in the job.
    pub run_index: usize,
    /// The gain mode the step was processed as (multi-gain detectors).
    pub mode: Option<GainModeInfo>,
    /// Events of the step that could not be used (missing segments, damage).
    pub skipped: u64,
    /// The panel processed, with `segind`.
    pub segind: Option<usize>,
    /// The results.
    pub result: DarkResult,
}

/// Messages from the reading thread to the computing one.
enum Msg<'s> {
    Begin {
        run: usize,
        step: StepMeta,
    },
    Frames {
        buf: Vec<u16>,
        n: usize,
    },
    /// Frames of run `run` read where they are: their parts in the run's mapped files.
    Parts {
        run: usize,
        parts: Vec<&'s [u8]>,
    },
    End {
        skipped: u64,
    },
}

/// Bytes of frames per batch handed to the engine (several frames, bounded memory)...
const BATCH_BYTES: usize = 32 << 20;
/// ...but at least this many frames, so that the engine works on them in place.
const MIN_BATCH_FRAMES: usize = 16;
/// Bytes of frames per batch read in place from the mapped files (nothing is copied, so
/// batches can be larger: the engine passes over its accumulators once per batch)...
const MAPPED_BATCH_BYTES: usize = 256 << 20;
/// ...and at most this many frames.
const MAX_MAPPED_BATCH_FRAMES: usize = 64;

/// Runs a dark job over `sources` with `params`; `done` is called for each finished step, and
/// `progress` with the number of frames taken so far. `gain_override` replaces the gain mode of
/// every step (NumPy stacks, or runs whose steps do not say).
pub fn run(
    sources: &[RunSource],
    params: &DarkParams,
    opts: &LoopOptions,
    gain_override: Option<GainModeInfo>,
    done: &mut dyn FnMut(StepDone<'_>) -> Result<()>,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<()> {
    run_shared(
        sources,
        params,
        opts,
        gain_override,
        &Single,
        done,
        progress,
    )
}

/// [`run`] with the frames of each step shared by the processes of `ranks`: every rank reads
/// the runs' events, and takes the frames [`FrameShare`] gives it. The root takes the first
/// block of each step, finds the gates (stage 1) and broadcasts them; at the end of the step the
/// stage-2 accumulators are reduced to it along a tree ([`crate::dist::reduce`]). `done` is called on the root only, with
/// the results of all frames, which are those of [`run`]; `progress` counts this rank's frames.
#[allow(clippy::too_many_arguments)]
pub fn run_shared(
    sources: &[RunSource],
    params: &DarkParams,
    opts: &LoopOptions,
    gain_override: Option<GainModeInfo>,
    ranks: &dyn Ranks,
    done: &mut dyn FnMut(StepDone<'_>) -> Result<()>,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<()> {
    run_with(
        sources,
        params,
        opts,
        gain_override,
        ranks,
        false,
        done,
        progress,
    )
}

/// [`run`] with every frame copied into batches before the engine sees it (the way frames
/// were read before they were read in place): the reference the in-place reading is tested
/// against. The results are the same.
pub fn run_copying(
    sources: &[RunSource],
    params: &DarkParams,
    opts: &LoopOptions,
    gain_override: Option<GainModeInfo>,
    done: &mut dyn FnMut(StepDone<'_>) -> Result<()>,
) -> Result<()> {
    run_with(
        sources,
        params,
        opts,
        gain_override,
        &Single,
        true,
        done,
        &|_| {},
    )
}

/// [`run_shared`], copying every frame (`copy`) or reading frames in place where they can be.
#[allow(clippy::too_many_arguments)]
fn run_with(
    sources: &[RunSource],
    params: &DarkParams,
    opts: &LoopOptions,
    gain_override: Option<GainModeInfo>,
    ranks: &dyn Ranks,
    copy: bool,
    done: &mut dyn FnMut(StepDone<'_>) -> Result<()>,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<()> {
    params.validate()?;
    let first = sources
        .first()
        .ok_or_else(|| Error::not_found(crate::Missing::Run, "runs", "", "no runs to process"))?
        .meta();
    let det_type = first.det_type;
    if matches!(
        det_type,
        DetType::Epix10ka | DetType::Epix10k | DetType::Epix10ka2M | DetType::Epix10kaQuad
    ) {
        return Err(Error::unsupported(
            det_type,
            format!(
                "{det_type} dark processing runs through dark::epix10ka_job (pipeline::dark does that), not this JUNGFRAU-style loop"
            ),
        ));
    }
    let panel_len = first.panel_len();
    let nsegs = first.frame_shape[0];
    if let Some(s) = opts.segind
        && s >= nsegs
    {
        return Err(Error::bad_arg(
            "--segind",
            format!("--segind {s}: the detector has {nsegs} panels"),
        ));
    }
    for s in sources {
        if s.meta().frame_shape != first.frame_shape {
            return Err(Error::shape(
                "frame",
                format!("{:?}", first.frame_shape),
                &s.meta().frame_shape,
                format!(
                    "{}: frame shape {:?} differs from {:?} of the first run",
                    s.label(),
                    s.meta().frame_shape,
                    first.frame_shape
                ),
            ));
        }
    }
    let npix = if opts.segind.is_some() {
        panel_len
    } else {
        first.frame_len()
    };
    let share = FrameShare {
        rank: ranks.rank(),
        size: ranks.size(),
        block: params.block_frames() as u64,
    };
    read_beside(
        sources,
        params,
        opts,
        npix,
        share,
        copy,
        progress,
        |rx, back_tx| {
            compute(
                sources,
                params,
                opts,
                gain_override,
                npix,
                ranks,
                rx,
                back_tx,
                done,
            )
        },
    )
}

/// Runs `compute` on the batches of frames of `npix` pixels that a reading thread ([`read`])
/// takes from `sources` (the frames `share` gives this process; all copied with `copy`) beside
/// it, and returns its result. One batch filling, one waiting, one in the engine: memory stays
/// at three batches (of copies, or of mapped pages; the stage-1 block of `nrecs1` frames is one
/// batch however large).
#[allow(clippy::too_many_arguments)]
fn read_beside<'s, T>(
    sources: &'s [RunSource],
    params: &DarkParams,
    opts: &LoopOptions,
    npix: usize,
    share: FrameShare,
    copy: bool,
    progress: &(dyn Fn(u64) + Sync),
    compute: impl FnOnce(Receiver<Result<Msg<'s>>>, Sender<Vec<u16>>) -> Result<T>,
) -> Result<T> {
    let batch_frames = (BATCH_BYTES / (2 * npix).max(1))
        .clamp(MIN_BATCH_FRAMES, params.nrecs1.max(MIN_BATCH_FRAMES));
    let mapped_frames =
        (MAPPED_BATCH_BYTES / (2 * npix).max(1)).clamp(MIN_BATCH_FRAMES, MAX_MAPPED_BATCH_FRAMES);
    // The stage-1 block goes to the engine in one batch, on the rank that takes it (the root:
    // the other ranks' frames start after it, in batches of the usual size).
    let block = if share.size > 1 && share.rank != 0 {
        0
    } else {
        params.block_frames()
    };
    let (tx, rx) = sync_channel::<Result<Msg<'s>>>(1);
    let (back_tx, back_rx) = channel::<Vec<u16>>();
    std::thread::scope(|scope| {
        let reader = scope.spawn(move || {
            let mut b = Batches {
                tx: &tx,
                back: &back_rx,
                npix,
                batch_frames,
                mapped_frames: if copy { 0 } else { mapped_frames },
                block,
                batch: Vec::new(),
                nb: 0,
                parts: Vec::new(),
                np: 0,
                run: 0,
                step_taken: 0,
            };
            let r = read(sources, params, opts, share, &mut b, progress);
            if let Err(e) = r {
                let _ = tx.send(Err(e));
            }
        });
        let r = compute(rx, back_tx);
        reader
            .join()
            .map_err(|_| Error::internal("the reading thread failed"))?;
        r
    })
}

/// The reading side's batches: frames copied into `batch`, or their places in the mapped
/// files in `parts`.
struct Batches<'a, 's> {
    tx: &'a SyncSender<Result<Msg<'s>>>,
    back: &'a Receiver<Vec<u16>>,
    npix: usize,
    /// Frames per batch of copies.
    batch_frames: usize,
    /// Frames per batch read in place (0: copy every frame).
    mapped_frames: usize,
    /// The stage-1 block: the first batch of a step read in place is the block (0 on a rank
    /// that does not take it).
    block: usize,
    batch: Vec<u16>,
    nb: usize,
    parts: Vec<&'s [u8]>,
    np: usize,
    run: usize,
    /// Frames taken in this step.
    step_taken: usize,
}

fn closed() -> Error {
    Error::internal("processing stopped")
}

impl<'s> Batches<'_, 's> {
    /// Sends the batches being filled, if any.
    fn send(&mut self) -> Result<()> {
        self.send_copies()?;
        self.send_parts()
    }

    /// Sends the batch of copies being filled, if any.
    fn send_copies(&mut self) -> Result<()> {
        if self.nb > 0 {
            let full = std::mem::replace(&mut self.batch, self.back.try_recv().unwrap_or_default());
            self.tx
                .send(Ok(Msg::Frames {
                    buf: full,
                    n: self.nb,
                }))
                .map_err(|_| closed())?;
            self.nb = 0;
        }
        Ok(())
    }

    /// Sends the batch of frames read in place being filled, if any.
    fn send_parts(&mut self) -> Result<()> {
        if self.np > 0 {
            let parts = std::mem::take(&mut self.parts);
            self.tx
                .send(Ok(Msg::Parts {
                    run: self.run,
                    parts,
                }))
                .map_err(|_| closed())?;
            self.np = 0;
        }
        Ok(())
    }

    /// Takes `frame` of run `ri` (of `src`), panel `segind` only if given. The stage-1 block
    /// (the first frames of the step) reaches the engine in order; after it, frames read in
    /// place and copies (frames not in a map) fill batches of their own
    /// (stage 2 does not depend on the order of frames).
    fn take(
        &mut self,
        ri: usize,
        src: &'s RunSource,
        frame: &crate::source::Frame<'_>,
        segind: Option<usize>,
    ) -> Result<()> {
        let in_block = self.step_taken < self.block;
        if self.mapped_frames > 0 {
            if self.np > 0 && self.run != ri {
                self.send_parts()?;
            }
            let at = self.parts.len();
            if src.mapped_parts(frame, segind, &mut self.parts) {
                if in_block && self.nb > 0 {
                    // Keep the block in order: the copies go first.
                    let mine = self.parts.split_off(at);
                    self.send()?;
                    self.parts = mine;
                }
                self.run = ri;
                self.np += 1;
                self.step_taken += 1;
                // The block goes to the engine in one batch however many frames a batch
                // holds, so that stage 1 reads it where it lies (not copied into the engine's
                // block buffer: with 8 panels 400 MB of fresh memory).
                if self.step_taken == self.block {
                    self.send()?;
                } else if self.np >= self.mapped_frames && self.step_taken > self.block {
                    self.send_parts()?;
                }
                return Ok(());
            }
            if in_block {
                self.send_parts()?;
            }
        }
        let npix = self.npix;
        if self.batch.len() != self.batch_frames * npix {
            self.batch.resize(self.batch_frames * npix, 0);
        }
        let dst = &mut self.batch[self.nb * npix..(self.nb + 1) * npix];
        match segind {
            Some(s) => frame.copy_panel_to(s, dst)?,
            None => frame.copy_to(dst)?,
        }
        self.nb += 1;
        self.step_taken += 1;
        if self.mapped_frames > 0 && self.step_taken == self.block {
            self.send()?;
        } else if self.nb == self.batch_frames {
            self.send_copies()?;
        }
        Ok(())
    }

    /// Ends the step, if one is open.
    fn end_step(&mut self, in_step: &mut bool, skipped: u64, steps_done: &mut u32) -> Result<()> {
        if *in_step {
            self.send()?;
            self.tx
                .send(Ok(Msg::End { skipped }))
                .map_err(|_| closed())?;
            *in_step = false;
            *steps_done += 1;
        }
        Ok(())
    }

    /// Begins a step of run `run`.
    fn begin(&mut self, run: usize, step: StepMeta) -> Result<()> {
        self.step_taken = 0;
        self.tx
            .send(Ok(Msg::Begin { run, step }))
            .map_err(|_| closed())
    }
}

/// The reading side: psana's event loop, frames into batches.
fn read<'s>(
    sources: &'s [RunSource],
    params: &DarkParams,
    opts: &LoopOptions,
    share: FrameShare,
    b: &mut Batches<'_, 's>,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<()> {
    let mut total: u64 = 0;
    let mut taken: u64 = 0;
    let mut steps_done: u32 = 0;
    let mut stop_all = false;
    let accumulate = opts.evcode.is_some();
    let mut steps_begun: u32 = 0;
    let (mut not_selected, mut no_timing) = (0u64, 0u64);
    let mut in_step = false;
    let mut ievt: u64 = 0;
    let mut fed: u64 = 0;
    let mut skipped: u64 = 0;
    for (ri, src) in sources.iter().enumerate() {
        if stop_all {
            break;
        }
        src.for_each(&mut |item| match item {
            Item::StepBegin(s) if accumulate => {
                if opts.stepmax.is_some_and(|m| steps_begun >= m) {
                    stop_all = true;
                    return Ok(Flow::Stop);
                }
                if opts.stepnum.is_some_and(|n| s.index < n) {
                    return Ok(Flow::EndStep);
                }
                if opts.stepnum.is_some_and(|n| s.index > n) {
                    return Ok(Flow::Stop);
                }
                steps_begun += 1;
                ievt = 0;
                if !in_step {
                    b.begin(ri, s.clone())?;
                    in_step = true;
                }
                Ok(Flow::Continue)
            }
            Item::StepBegin(s) => {
                b.end_step(&mut in_step, skipped, &mut steps_done)?;
                if opts.stepmax.is_some_and(|m| steps_done >= m) {
                    stop_all = true;
                    return Ok(Flow::Stop);
                }
                if opts.stepnum.is_some_and(|n| s.index < n) {
                    return Ok(Flow::EndStep);
                }
                if opts.stepnum.is_some_and(|n| s.index > n) {
                    return Ok(Flow::Stop);
                }
                (ievt, fed, skipped) = (0, 0, 0);
                b.begin(ri, s.clone())?;
                in_step = true;
                Ok(Flow::Continue)
            }
            Item::Frame { frame, .. } => {
                let i = ievt;
                ievt += 1;
                if i < opts.evskip {
                    return Ok(Flow::Continue);
                }
                if i >= opts.evstep {
                    if !accumulate {
                        b.end_step(&mut in_step, skipped, &mut steps_done)?;
                    }
                    return Ok(Flow::EndStep);
                }
                total += 1;
                if total >= opts.events {
                    b.end_step(&mut in_step, skipped, &mut steps_done)?;
                    stop_all = true;
                    return Ok(Flow::Stop);
                }
                if let Some(sel) = &opts.evcode {
                    match frame.event_codes() {
                        Some(c) if sel.selects(c) => {}
                        Some(_) => {
                            not_selected += 1;
                            return Ok(Flow::Continue);
                        }
                        None => {
                            no_timing += 1;
                            return Ok(Flow::Continue);
                        }
                    }
                }
                if share.takes(fed) {
                    b.take(ri, src, &frame, opts.segind)?;
                    taken += 1;
                    progress(taken);
                }
                fed += 1;
                if fed >= params.nrecs as u64 {
                    b.end_step(&mut in_step, skipped, &mut steps_done)?;
                    if accumulate {
                        stop_all = true;
                        return Ok(Flow::Stop);
                    }
                    return Ok(Flow::EndStep);
                }
                Ok(Flow::Continue)
            }
            Item::Skipped { reason, step } => {
                tracing::debug!("step {step}: event skipped: {reason}");
                ievt += 1;
                skipped += 1;
                Ok(Flow::Continue)
            }
            Item::StepEnd { .. } => {
                if !accumulate {
                    b.end_step(&mut in_step, skipped, &mut steps_done)?;
                }
                Ok(Flow::Continue)
            }
        })?;
        if !accumulate {
            b.end_step(&mut in_step, skipped, &mut steps_done)?;
        }
    }
    if let Some(sel) = &opts.evcode {
        tracing::info!(
            "event-code selection ({sel}): {fed} events taken, {not_selected} not selected{}",
            if no_timing > 0 {
                format!(", {no_timing} without timing data (left out)")
            } else {
                String::new()
            }
        );
    }
    b.end_step(&mut in_step, skipped, &mut steps_done)?;
    Ok(())
}

/// The computing side: one engine per step; with several ranks, the gates are broadcast once
/// the root has them and the accumulators are reduced to the root at the end of the step.
#[allow(clippy::too_many_arguments)]
fn compute(
    sources: &[RunSource],
    params: &DarkParams,
    opts: &LoopOptions,
    gain_override: Option<GainModeInfo>,
    npix: usize,
    ranks: &dyn Ranks,
    rx: Receiver<Result<Msg<'_>>>,
    back: Sender<Vec<u16>>,
    done: &mut dyn FnMut(StepDone<'_>) -> Result<()>,
) -> Result<()> {
    let (root, several) = (ranks.is_root(), ranks.size() > 1);
    let mut cur: Option<Current> = None;
    for msg in rx {
        match msg? {
            Msg::Begin { run, step } => {
                let mode = gain_override.or(step.mode);
                let check = gain_check(&sources[run], &step, mode)?;
                let proc = if root {
                    Some(DarkProc::new(npix, params.clone(), check)?)
                } else {
                    None
                };
                cur = Some(Current {
                    run,
                    step,
                    mode,
                    check,
                    proc,
                    gates_shared: !several,
                });
            }
            Msg::Frames { buf, n } => {
                if let Some(c) = cur.as_mut() {
                    c.push(root, params, ranks, |p| p.push_frames(&buf[..n * npix]))?;
                }
                let _ = back.send(buf);
            }
            Msg::Parts { run, parts } => {
                if let Some(c) = cur.as_mut() {
                    let frames = FrameParts::from_bytes(&parts, npix)?;
                    c.push(root, params, ranks, |p| p.push_parts(frames))?;
                }
                sources[run].release_parts(&parts);
            }
            Msg::End { skipped } => {
                let Some(mut c) = cur.take() else {
                    continue;
                };
                if several {
                    if !c.gates_shared {
                        if root {
                            c.send_gates(ranks)?;
                        } else {
                            c.receive_gates(params, ranks)?;
                        }
                    }
                    // Along a tree (dist::reduce): the merges are exact, so the result is
                    // that of any order.
                    let done = crate::dist::reduce(
                        ranks,
                        &mut c.proc,
                        |p| match p.take() {
                            Some(p) => p.partial_bytes(),
                            None => Ok(0u64.to_le_bytes().to_vec()),
                        },
                        |p, part| match p {
                            Some(p) => p.merge_bytes(part),
                            // No gates: nobody took a frame, every message is empty.
                            None if part == 0u64.to_le_bytes() => Ok(()),
                            None => Err(Error::internal(
                                "dark accumulators for a rank that did not receive the gates",
                            )),
                        },
                    )?;
                    tracing::info!(
                        "step {}: rank {} of {}: accumulators {}",
                        c.step.index,
                        ranks.rank(),
                        ranks.size(),
                        done
                    );
                    if !root {
                        continue;
                    }
                }
                let Current {
                    run,
                    step,
                    mode,
                    proc,
                    ..
                } = c;
                let proc = proc.expect("the root's processor");
                let meta = sources[run].meta();
                if proc.frames() == 0 {
                    tracing::warn!(
                        "{} run {} step {}: no events to process",
                        meta.exp,
                        meta.run,
                        step.index
                    );
                    continue;
                }
                let result = proc.finish().map_err(|e| Error::Step {
                    exp: meta.exp.clone(),
                    run: meta.run,
                    step: step.index,
                    source: Box::new(e),
                })?;
                done(StepDone {
                    meta,
                    step: &step,
                    run_index: run,
                    mode,
                    skipped,
                    segind: opts.segind,
                    result,
                })?;
            }
        }
    }
    Ok(())
}

/// The step being processed.
struct Current {
    run: usize,
    step: StepMeta,
    mode: Option<GainModeInfo>,
    check: GainCheck,
    /// The engine: the root's from the start, another rank's once it has the gates.
    proc: Option<DarkProc>,
    /// Whether the gates went from the root to the other ranks (always, for one process).
    gates_shared: bool,
}

impl Current {
    /// The root: broadcasts its gates, or an empty message if it has none yet (it took fewer
    /// frames than the stage-1 block, so no other rank took any).
    fn send_gates(&mut self, ranks: &dyn Ranks) -> Result<()> {
        let mut bytes = self
            .proc
            .as_ref()
            .and_then(|p| p.gates())
            .map(|g| g.to_bytes())
            .unwrap_or_default();
        ranks.broadcast(&mut bytes)?;
        self.gates_shared = true;
        Ok(())
    }

    /// Hands frames to the engine with `push`: another rank first waits for the root's gates,
    /// and the root sends its gates as soon as it has them.
    fn push<T>(
        &mut self,
        root: bool,
        params: &DarkParams,
        ranks: &dyn Ranks,
        push: impl FnOnce(&mut DarkProc) -> Result<T>,
    ) -> Result<()> {
        if !root && !self.gates_shared {
            self.receive_gates(params, ranks)?;
        }
        let proc = self
            .proc
            .as_mut()
            .ok_or_else(|| Error::internal("frames for a rank that did not receive the gates"))?;
        push(proc)?;
        if root && !self.gates_shared && proc.gates().is_some() {
            self.send_gates(ranks)?;
        }
        Ok(())
    }

    /// Another rank: receives the root's gates and starts its engine with them.
    fn receive_gates(&mut self, params: &DarkParams, ranks: &dyn Ranks) -> Result<()> {
        let mut bytes = Vec::new();
        ranks.broadcast(&mut bytes)?;
        self.gates_shared = true;
        if !bytes.is_empty() {
            let gates = std::sync::Arc::new(crate::dark::Gates::from_bytes(&bytes)?);
            self.proc = Some(DarkProc::with_gates(params.clone(), self.check, gates)?);
        }
        Ok(())
    }
}

/// [`run`] shared by panel: this rank's `own` runs (opened from its stream files only, so
/// their frames are the panels `panels` of the whole detector, in that order) are read in
/// full, every event of each step, and processed on their own (stage 1 and stage 2 of this
/// rank's pixels; the gates are per pixel). At the end of a step the root gathers every rank's
/// panels ([`crate::dark::panels::PanelAssembly`]) and calls `done` with the whole detector's
/// results, described by `full` (the root's runs with every stream; another rank passes
/// `None`): the results of [`run`]. The ranks must see the same events
/// ([`crate::dark::streams::aligned`]).
#[allow(clippy::too_many_arguments)]
pub fn run_by_panels(
    own: &[RunSource],
    full: Option<&[RunSource]>,
    panels: &[usize],
    params: &DarkParams,
    opts: &LoopOptions,
    gain_override: Option<GainModeInfo>,
    ranks: &dyn Ranks,
    done: &mut dyn FnMut(StepDone<'_>) -> Result<()>,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<()> {
    params.validate()?;
    if opts.evcode.is_some() || opts.segind.is_some() {
        return Err(Error::internal(
            "dark processing by panel takes neither an event-code selection nor --segind",
        ));
    }
    let first = own
        .first()
        .ok_or_else(|| Error::not_found(crate::Missing::Run, "runs", "", "no runs to process"))?
        .meta();
    let npix = first.frame_len();
    for s in own {
        if s.meta().frame_shape != first.frame_shape || s.meta().frame_shape[0] != panels.len() {
            return Err(Error::shape(
                "frame",
                format!("{} panels", panels.len()),
                &s.meta().frame_shape,
                format!(
                    "{}: frame shape {:?} is not this rank's {} panels",
                    s.label(),
                    s.meta().frame_shape,
                    panels.len()
                ),
            ));
        }
    }
    let whole = match full {
        Some(f) => {
            let m = f
                .first()
                .ok_or_else(|| Error::internal("the root has no runs"))?
                .meta();
            if f.len() != own.len() || m.panel_len() != first.panel_len() {
                return Err(Error::internal(
                    "the root's runs do not match its stream files",
                ));
            }
            Some((f, m.frame_shape[0], m.panel_len()))
        }
        None => None,
    };
    read_beside(
        own,
        params,
        opts,
        npix,
        FrameShare::all(),
        false,
        progress,
        |rx, back_tx| {
            compute_panels(
                own,
                whole,
                panels,
                params,
                gain_override,
                npix,
                ranks,
                rx,
                back_tx,
                done,
            )
        },
    )
}

/// The gain check of a step of `src` processed as `mode`.
fn gain_check(src: &RunSource, step: &StepMeta, mode: Option<GainModeInfo>) -> Result<GainCheck> {
    match src.meta().det_type {
        DetType::Jungfrau => {
            let m = mode.ok_or_else(|| {
                Error::bad_arg(
                    "--gain-mode",
                    format!(
                        "{}: step {} does not say its gain mode (DAQ value {:?}); give it with --gain-mode",
                        src.label(),
                        step.index,
                        step.daq_value
                    ),
                )
            })?;
            GainCheck::jungfrau(m.index)
        }
        _ => Ok(GainCheck::None),
    }
}

/// The computing side of [`run_by_panels`]: an engine per step on this rank's pixels; at the
/// end of the step the root gathers the panels and summarizes the whole detector.
#[allow(clippy::too_many_arguments)]
fn compute_panels(
    own: &[RunSource],
    whole: Option<(&[RunSource], usize, usize)>,
    panels: &[usize],
    params: &DarkParams,
    gain_override: Option<GainModeInfo>,
    npix: usize,
    ranks: &dyn Ranks,
    rx: Receiver<Result<Msg<'_>>>,
    back: Sender<Vec<u16>>,
    done: &mut dyn FnMut(StepDone<'_>) -> Result<()>,
) -> Result<()> {
    let mut cur: Option<(usize, StepMeta, Option<GainModeInfo>, GainCheck, DarkProc)> = None;
    for msg in rx {
        match msg? {
            Msg::Begin { run, step } => {
                let mode = gain_override.or(step.mode);
                let check = gain_check(&own[run], &step, mode)?;
                let proc = DarkProc::new(npix, params.clone(), check)?;
                cur = Some((run, step, mode, check, proc));
            }
            Msg::Frames { buf, n } => {
                if let Some((.., proc)) = cur.as_mut() {
                    proc.push_frames(&buf[..n * npix])?;
                }
                let _ = back.send(buf);
            }
            Msg::Parts { run, parts } => {
                if let Some((.., proc)) = cur.as_mut() {
                    proc.push_parts(FrameParts::from_bytes(&parts, npix)?)?;
                }
                own[run].release_parts(&parts);
            }
            Msg::End { skipped } => {
                let Some((run, step, mode, check, proc)) = cur.take() else {
                    continue;
                };
                let part = proc.panel_part(panels)?;
                // The root puts its own part and every other rank's in place; the others send.
                let mut asm = whole.map(|(_, npanels, panel_len)| {
                    crate::dark::panels::PanelAssembly::new(npanels, panel_len)
                });
                let moved = match asm.as_mut() {
                    Some(asm) => {
                        asm.add(&part)?;
                        drop(part);
                        crate::dist::gather(ranks, || Ok(Vec::new()), |b| asm.add(b))?
                    }
                    None => crate::dist::gather(ranks, || Ok(part), |_| Ok(()))?,
                };
                tracing::info!(
                    "step {}: rank {} of {}: panels {}",
                    step.index,
                    ranks.rank(),
                    ranks.size(),
                    moved
                );
                let (Some(asm), Some((full, ..))) = (asm, whole) else {
                    continue;
                };
                let meta = full[run].meta();
                let step_error = |e: Error| Error::Step {
                    exp: meta.exp.clone(),
                    run: meta.run,
                    step: step.index,
                    source: Box::new(e),
                };
                let Some(result) = asm.finish(params, check).map_err(step_error)? else {
                    tracing::warn!(
                        "{} run {} step {}: no events to process",
                        meta.exp,
                        meta.run,
                        step.index
                    );
                    continue;
                };
                done(StepDone {
                    meta,
                    step: &step,
                    run_index: run,
                    mode,
                    skipped,
                    segind: None,
                    result,
                })?;
            }
        }
    }
    Ok(())
}
