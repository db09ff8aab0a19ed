/*!
Calibrating the frames of a run: a [`RunSource`] streamed through a [`Calibrator`] in batches,
and what is usually wanted from the result: the mean image ([`MeanImage`]), the spectrum of
pixel values and its photon peak ([`Histogram`]), and the common mode seen per bank
([`bank_medians`]).

Memory is one batch of raw and calibrated frames, whatever the number of events.

```no_run
use detcal::apply::{MeanImage, Selection, calibrate_run};
use detcal::access::DetectorCalib;
use detcal::source::open_dataset;

let src = open_dataset("exp=xpptut15:run=2", None, Some("jungfrau"))?.remove(0);
let calib = DetectorCalib::for_experiment(None, "xpptut15", "jungfrau.0:Jungfrau.0")?;
let mut cal = calib.calibrator(src.meta().run, None)?;
let mut mean = MeanImage::new(cal.frame_len());
calibrate_run(&src, &mut cal, &Selection::default(), &mut |frames| {
    mean.add(frames);
    Ok(())
})?;
println!("{} frames, mean of pixel 0: {}", mean.frames(), mean.mean()[0]);
# Ok::<(), detcal::Error>(())
```
*/

use rayon::prelude::*;

use crate::calib::Calibrator;
use crate::error::{Error, Result};
use crate::formats::array::shape_str;
use crate::source::{Flow, Frame, Item, RunSource};

mod mean;
pub use mean::MeanImage;

/// Pixels per batch of frames: enough to keep both cores busy, small enough for the cache.
const BATCH_PIXELS: usize = 1 << 23;
/// Pixels per batch when only the mean is wanted and the calibrator adds it up itself: no
/// frames are written, and the frames read in place take no memory of their own, so more
/// frames share each read of the constants.
const MEAN_BATCH_PIXELS: usize = 1 << 25;

/// Which events of a run to calibrate.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    /// Usable frames (of the chosen step, if any) to skip first; damaged events do not count.
    pub skip: u64,
    /// At most this many events after the skipped ones.
    pub events: Option<u64>,
    /// Only this step (0-based).
    pub step: Option<u32>,
}

impl Selection {
    /// The selection for a later run of a dataset once `taken` frames came from earlier runs
    /// (`events` counts over all runs); `None` when none are left to take.
    pub fn after(&self, taken: u64) -> Option<Selection> {
        let events = self.events.map(|n| n.saturating_sub(taken));
        (events != Some(0)).then(|| Selection {
            events,
            ..self.clone()
        })
    }
}

/// What a pass over a run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunStats {
    /// Frames calibrated.
    pub frames: u64,
    /// Events left out because they were damaged or missed a panel.
    pub skipped: u64,
    /// Pixels with the invalid gain bits `10`, over all frames.
    pub bad_gain: u64,
}

/// Calibrates the selected frames of `src` with `cal`, calling `on_batch` with each batch of
/// calibrated frames (one after another, each [`Calibrator::frame_len`] long), in order.
pub fn calibrate_run(
    src: &RunSource,
    cal: &mut Calibrator,
    sel: &Selection,
    on_batch: &mut dyn FnMut(&[f32]) -> Result<()>,
) -> Result<RunStats> {
    let sink = Sink {
        frames: Some(on_batch),
        ..Sink::default()
    };
    Ok(calibrate_run_shared(src, cal, sel, crate::dist::FrameShare::all(), sink)?.0)
}

/// A callback given each batch of calibrated frames, one after another.
pub type OnBatch<'a> = &'a mut dyn FnMut(&[f32]) -> Result<()>;

/// Where [`calibrate_run_shared`] puts the calibrated frames.
#[derive(Default)]
pub struct Sink<'a> {
    /// Adds each frame to this mean (where the calibrator can add them itself and `frames` is
    /// `None`, the calibrated frames are never written out).
    pub mean: Option<&'a mut MeanImage>,
    /// Called with each batch of calibrated frames (one after another), in order.
    pub frames: Option<OnBatch<'a>>,
    /// Called with the number of frames of each batch done.
    pub done: Option<&'a mut dyn FnMut(u64)>,
}

/// [`calibrate_run`] of the selected frames `share` gives this process (the others are walked
/// over, not read) into `sink`; also returns the number of frames selected for all processes.
pub fn calibrate_run_shared(
    src: &RunSource,
    cal: &mut Calibrator,
    sel: &Selection,
    share: crate::dist::FrameShare,
    sink: Sink<'_>,
) -> Result<(RunStats, u64)> {
    let n = cal.frame_len();
    let shape = src.meta().frame_shape;
    if shape.iter().product::<usize>() != n {
        return Err(Error::shape(
            "frame",
            shape_str(cal.frame_shape()),
            &shape,
            format!(
                "{}: frames of shape {} but constants for frames of shape {} (another detector or \
             panel count?)",
                src.label(),
                shape_str(&shape),
                shape_str(cal.frame_shape())
            ),
        ));
    }
    let only_mean = sink.frames.is_none() && sink.mean.is_some() && cal.part_unit().is_some();
    let batch_pixels = if only_mean {
        MEAN_BATCH_PIXELS
    } else {
        BATCH_PIXELS
    };
    let batch = (batch_pixels / n.max(1)).clamp(1, 64);
    let mut b = Batcher {
        src,
        raw: vec![0u16; batch * n],
        out: vec![0f32; batch * n],
        n,
        batch,
        frames: Vec::with_capacity(batch),
        copied: 0,
        mapped: Vec::new(),
        stats: RunStats::default(),
        sink,
    };
    let mut configured = false;
    let mut index = 0u64;
    let (selected, skipped) = walk_selected(src, sel, &mut |ev| {
        match ev {
            Selected::Step(step) => {
                // ePix10ka: the frames of a step are calibrated with its configuration.
                if cal.needs_config() {
                    b.flush(cal)?;
                    configured = match step.config_bits() {
                        Some(bits) => {
                            cal.set_config_bits(bits)?;
                            true
                        }
                        None => false,
                    };
                }
            }
            Selected::Frame(frame) => {
                index += 1;
                if !share.takes(index - 1) {
                    return Ok(());
                }
                if cal.needs_config() && !configured {
                    return Err(Error::content(
                        src.label(),
                        "ePix10ka frames without the configuration of their step (asicPixelConfig \
                         and trbit of every segment, or a gain mode for a stack)",
                    ));
                }
                b.push(frame, cal.part_unit())?;
                if b.frames.len() == b.limit() {
                    b.flush(cal)?;
                }
            }
        }
        Ok(())
    })?;
    b.flush(cal)?;
    b.stats.skipped = skipped;
    Ok((b.stats, selected))
}

/// Frames gathered for one call of the calibrator, and what was done so far.
struct Batcher<'a, 's> {
    src: &'s RunSource,
    /// The frames copied, one after another.
    raw: Vec<u16>,
    out: Vec<f32>,
    n: usize,
    /// Frames per batch at most.
    batch: usize,
    /// Each frame of the batch: its parts in `mapped`, or `None` for the next frame in `raw`.
    frames: Vec<Option<std::ops::Range<usize>>>,
    /// Frames in `raw`.
    copied: usize,
    /// The parts of the frames read where they are in the run's mapped files (bytes of
    /// little-endian words, at any address).
    mapped: Vec<&'s [u8]>,
    stats: RunStats,
    sink: Sink<'a>,
}

impl<'s> Batcher<'_, 's> {
    /// The frames of the batch in progress: a batch ends where the mean's group of frames
    /// ends, so that the calibrator can add a whole batch to the group's sums.
    fn limit(&self) -> usize {
        match &self.sink.mean {
            Some(m) => self.batch.min(m.room()),
            None => self.batch,
        }
    }

    /// Adds a frame to the batch: read where it is (the calibrator copies the parts at odd
    /// addresses) when the calibrator takes frames in parts of `unit` pixels and the frame's
    /// parts are mapped such, else copied.
    fn push(&mut self, frame: &Frame<'_>, unit: Option<usize>) -> Result<()> {
        if let Some(unit) = unit {
            let at = self.mapped.len();
            if self.src.mapped_parts(frame, None, &mut self.mapped)
                && self.mapped[at..]
                    .iter()
                    .all(|p| p.len().is_multiple_of(2 * unit))
            {
                self.frames.push(Some(at..self.mapped.len()));
                return Ok(());
            }
            self.mapped.truncate(at);
        }
        let at = self.copied * self.n;
        frame.copy_to(&mut self.raw[at..at + self.n])?;
        self.copied += 1;
        self.frames.push(None);
        Ok(())
    }

    /// Calibrates the frames gathered, if any, and hands them on.
    fn flush(&mut self, cal: &mut Calibrator) -> Result<()> {
        let frames = self.frames.len();
        if frames == 0 {
            return Ok(());
        }
        let k = frames * self.n;
        let out = &mut self.out[..k];
        let bad = if cal.part_unit().is_some() {
            let mut parts: Vec<&[u8]> = Vec::with_capacity(self.mapped.len() + frames);
            let mut copied = self.raw.chunks(self.n);
            for f in &self.frames {
                match f {
                    Some(r) => parts.extend_from_slice(&self.mapped[r.clone()]),
                    None => {
                        parts.push(bytemuck::cast_slice(copied.next().expect("a copied frame")))
                    }
                }
            }
            let write = self.sink.frames.is_some() || self.sink.mean.is_none();
            let mean = self.sink.mean.as_deref_mut();
            let bad = cal.calibrate_parts(
                &parts,
                frames,
                write.then_some(&mut *out),
                mean.map(|m| m.group_sums()),
            )?;
            if let Some(m) = self.sink.mean.as_deref_mut() {
                m.added(frames);
            }
            bad
        } else {
            let bad = cal.calibrate_batch(&self.raw[..k], out)?;
            if let Some(m) = self.sink.mean.as_deref_mut() {
                m.add(out);
            }
            bad
        };
        if !self.mapped.is_empty() {
            self.src.release_parts(&self.mapped);
        }
        self.stats.bad_gain += bad as u64;
        self.stats.frames += frames as u64;
        self.frames.clear();
        self.mapped.clear();
        self.copied = 0;
        if let Some(done) = self.sink.done.as_deref_mut() {
            done(frames as u64);
        }
        match self.sink.frames.as_deref_mut() {
            Some(f) => f(out),
            None => Ok(()),
        }
    }
}

/// What [`walk_selected`] hands on: the start of a step that is not skipped, or a frame.
enum Selected<'s, 'f> {
    Step(&'s crate::source::StepMeta),
    Frame(&'s Frame<'f>),
}

/// The number of frames [`calibrate_run`] would calibrate with `sel`.
pub fn count_frames(src: &RunSource, sel: &Selection) -> Result<u64> {
    Ok(walk_selected(src, sel, &mut |_| Ok(()))?.0)
}

/// Calls `f` for each step begun (not skipped) and each selected frame; returns the frames
/// selected and the events skipped.
fn walk_selected(
    src: &RunSource,
    sel: &Selection,
    f: &mut dyn FnMut(Selected<'_, '_>) -> Result<()>,
) -> Result<(u64, u64)> {
    let (mut seen, mut taken, mut skipped) = (0u64, 0u64, 0u64);
    let limit = sel.events.unwrap_or(u64::MAX);
    let other_step = |s: u32| sel.step.is_some_and(|k| k != s);
    src.for_each(&mut |item| {
        Ok(match item {
            Item::StepBegin(s) if other_step(s.index) => Flow::EndStep,
            Item::StepBegin(s) => {
                f(Selected::Step(s))?;
                Flow::Continue
            }
            // The chosen step is over: nothing after it is wanted.
            Item::StepEnd { step } if sel.step == Some(step) => Flow::Stop,
            Item::Frame { step, .. } if other_step(step) => Flow::Continue,
            Item::Frame { frame, .. } => {
                seen += 1;
                if seen <= sel.skip {
                    return Ok(Flow::Continue);
                }
                if taken == limit {
                    return Ok(Flow::Stop);
                }
                f(Selected::Frame(&frame))?;
                taken += 1;
                Flow::Continue
            }
            Item::Skipped { .. } => {
                skipped += 1;
                Flow::Continue
            }
            _ => Flow::Continue,
        })
    })?;
    Ok((taken, skipped))
}

/// A histogram of values with equal bins over `[lo, hi)`, counting those outside.
#[derive(Debug, Clone, PartialEq)]
pub struct Histogram {
    lo: f64,
    hi: f64,
    counts: Vec<u64>,
    below: u64,
    above: u64,
}

impl Histogram {
    /// An empty histogram of `bins` bins over `[lo, hi)`.
    pub fn new(lo: f64, hi: f64, bins: usize) -> Result<Histogram> {
        if !(lo.is_finite() && hi.is_finite() && lo < hi) || bins == 0 {
            return Err(Error::bad_arg(
                "histogram",
                format!("histogram over [{lo}, {hi}) with {bins} bins: need lo < hi and bins > 0"),
            ));
        }
        Ok(Histogram {
            lo,
            hi,
            counts: vec![0; bins],
            below: 0,
            above: 0,
        })
    }

    /// The width of a bin.
    pub fn bin_width(&self) -> f64 {
        (self.hi - self.lo) / self.counts.len() as f64
    }

    /// The centre of bin `i`.
    pub fn center(&self, i: usize) -> f64 {
        self.lo + (i as f64 + 0.5) * self.bin_width()
    }

    /// The counts per bin.
    pub fn counts(&self) -> &[u64] {
        &self.counts
    }

    /// Values below `lo` and at or above `hi` (NaN counts as neither).
    pub fn outside(&self) -> (u64, u64) {
        (self.below, self.above)
    }

    /// Adds `values`, in parallel.
    pub fn add(&mut self, values: &[f32]) {
        let (lo, hi, nb) = (self.lo, self.hi, self.counts.len());
        let scale = nb as f64 / (hi - lo);
        let empty = || (vec![0u64; nb], 0u64, 0u64);
        let (counts, below, above) = values
            .par_chunks(1 << 16)
            .fold(empty, |(mut c, mut b, mut a), chunk| {
                for &v in chunk {
                    let v = v as f64;
                    if v < lo {
                        b += 1;
                    } else if v >= hi {
                        a += 1;
                    } else if v >= lo {
                        c[(((v - lo) * scale) as usize).min(nb - 1)] += 1;
                    }
                }
                (c, b, a)
            })
            .reduce(empty, |(mut c, b, a), (c2, b2, a2)| {
                c.iter_mut().zip(&c2).for_each(|(x, y)| *x += y);
                (c, b + b2, a + a2)
            });
        self.counts
            .iter_mut()
            .zip(&counts)
            .for_each(|(x, y)| *x += y);
        self.below += below;
        self.above += above;
    }

    /// The position of the highest peak at or above `from`: the centroid of the bins within
    /// `half_width` of the fullest bin there; `None` when those bins are empty.
    pub fn peak(&self, from: f64, half_width: f64) -> Option<f64> {
        let w = self.bin_width();
        let first = (((from - self.lo) / w).ceil().max(0.0) as usize).min(self.counts.len());
        let (imax, &cmax) = self.counts[first..]
            .iter()
            .enumerate()
            .max_by_key(|&(i, &c)| (c, std::cmp::Reverse(i)))?;
        if cmax == 0 {
            return None;
        }
        let imax = first + imax;
        let k = (half_width / w).round() as usize;
        let (a, b) = (
            imax.saturating_sub(k),
            imax.saturating_add(k).min(self.counts.len() - 1),
        );
        let (mut sw, mut swx) = (0f64, 0f64);
        for i in a..=b {
            sw += self.counts[i] as f64;
            swx += self.counts[i] as f64 * self.center(i);
        }
        Some(swx / sw)
    }
}

/// The median of the non-zero values of each common-mode bank of one JUNGFRAU-like frame
/// `(nsegs, rows, cols)`: banks of `rows/2 x bank_cols` pixels, in (segment, half, bank) order.
/// Masked pixels are exactly zero after calibration and so left out (as are NaNs); a bank without
/// values gives NaN. The median is numpy's ([`crate::stats::median_f32`]).
pub fn bank_medians(frame: &[f32], shape: [usize; 3], bank_cols: usize) -> Result<Vec<f32>> {
    let [nsegs, rows, cols] = shape;
    if bank_cols == 0 || frame.len() != nsegs * rows * cols {
        return Err(Error::shape(
            "frame",
            shape_str(&shape),
            &[frame.len()],
            format!(
                "bank medians of a frame of {} values as {} in banks of {bank_cols} columns",
                frame.len(),
                shape_str(&shape)
            ),
        ));
    }
    let half = crate::detector::jungfrau::half_rows(rows);
    let nbanks = crate::detector::jungfrau::banks_across(cols, bank_cols);
    Ok((0..nsegs * 2 * nbanks)
        .into_par_iter()
        .map(|k| {
            let (s, h, b) = (k / (2 * nbanks), (k / nbanks) % 2, k % nbanks);
            let c0 = b * bank_cols;
            let c1 = (c0 + bank_cols).min(cols);
            let mut v: Vec<f32> = (h * half..(h + 1) * half)
                .flat_map(|r| &frame[(s * rows + r) * cols + c0..(s * rows + r) * cols + c1])
                .copied()
                .filter(|&x| x != 0.0 && !x.is_nan())
                .collect();
            crate::stats::median_f32(&mut v)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stack of `n` frames of (1, 16, 32) whose every pixel holds the frame's index.
    fn stack(dir: &std::path::Path, n: usize) -> RunSource {
        use crate::detector::DetType;
        use crate::source::StackInfo;
        let path = dir.join("s.npy");
        let arr = ndarray::Array4::from_shape_fn((n, 1, 16, 32), |(f, ..)| f as u16).into_dyn();
        let perms = crate::files::Perms::new(0o775, 0o664, "");
        crate::formats::npy::write_npy(&path, &arr.into(), &perms).unwrap();
        let info = StackInfo {
            det_type: DetType::Jungfrau,
            panel_ids: vec!["p0".into()],
            exp: "xpptut15".into(),
            run: 3,
            start: jiff::Timestamp::UNIX_EPOCH,
            gain_mode: None,
            alias: "jungfrau".into(),
        };
        RunSource::open_stack(&path, info).unwrap()
    }

    #[test]
    fn events_are_selected_by_skip_count_and_step() {
        let dir = tempfile::tempdir().unwrap();
        let src = stack(dir.path(), 10);
        let sel = |skip, events, step| Selection { skip, events, step };
        assert_eq!(count_frames(&src, &Selection::default()).unwrap(), 10);
        assert_eq!(count_frames(&src, &sel(2, Some(3), None)).unwrap(), 3);
        assert_eq!(count_frames(&src, &sel(8, Some(5), None)).unwrap(), 2);
        assert_eq!(count_frames(&src, &sel(0, Some(0), None)).unwrap(), 0);
        assert_eq!(count_frames(&src, &sel(0, None, Some(0))).unwrap(), 10);
        assert_eq!(count_frames(&src, &sel(0, None, Some(1))).unwrap(), 0);
        // Over several runs: what is left after frames taken from earlier ones.
        assert_eq!(sel(2, Some(5), None).after(3), Some(sel(2, Some(2), None)));
        assert_eq!(sel(2, Some(5), None).after(5), None);
        assert_eq!(sel(0, None, Some(1)).after(7), Some(sel(0, None, Some(1))));
        // The frames calibrated are the selected ones, in order: constants of zero, no common
        // mode, so each output pixel is its frame's index.
        let peds = ndarray::Array4::<f32>::zeros((3, 1, 16, 32)).into_dyn();
        let consts = crate::calib::Constants {
            pedestals: Some(peds.into()),
            common_mode: Some(vec![]),
            ..Default::default()
        };
        let mut cal = Calibrator::new(crate::detector::DetType::Jungfrau, &consts).unwrap();
        let mut firsts = Vec::new();
        let stats = calibrate_run(&src, &mut cal, &sel(2, Some(3), None), &mut |b| {
            firsts.extend(b.chunks(512).map(|f| f[0]));
            Ok(())
        })
        .unwrap();
        assert_eq!((stats.frames, stats.skipped, stats.bad_gain), (3, 0, 0));
        assert_eq!(firsts, vec![2.0, 3.0, 4.0]);
    }

    /// The mean a calibrator adds up itself while it calibrates (row common mode, frames read
    /// where they are in the stack, batches ending with the mean's groups of frames) has the
    /// sums of the frames calibrated one at a time and added to a mean: in one process, from a
    /// later first frame, and shared between two processes; the frames it writes beside are
    /// those frames.
    #[test]
    fn mean_added_while_calibrating_equals_the_mean_of_the_frames() {
        use crate::detector::DetType;
        use crate::dist::FrameShare;
        use ndarray::Array4;
        let dir = tempfile::tempdir().unwrap();
        let (n, segs, rows, cols) = (75, 2, 8, 128);
        let mut next = crate::dark::test_xorshift(77);
        let raw = Array4::from_shape_fn((n, segs, rows, cols), |(f, p, r, _)| {
            let v = next();
            let gain: u16 = match v % 40 {
                0 => 1,
                1 => 3,
                2 => 2,
                _ => 0,
            };
            let level = 1000 + ((r * 7 + p * 3 + f) % 40) as u16 + (v >> 20) as u16 % 16;
            gain << 14 | level
        });
        let path = dir.path().join("s.npy");
        let perms = crate::files::Perms::new(0o775, 0o664, "");
        let raw_bytes: Vec<u8> = raw.iter().flat_map(|w| w.to_le_bytes()).collect();
        crate::formats::npy::write_npy(&path, &raw.into_dyn().into(), &perms).unwrap();
        let info = crate::source::StackInfo {
            det_type: DetType::Jungfrau,
            panel_ids: vec!["p0".into(), "p1".into()],
            exp: "xpptut15".into(),
            run: 3,
            start: jiff::Timestamp::UNIX_EPOCH,
            gain_mode: None,
            alias: "jungfrau".into(),
        };
        let src = RunSource::open_stack(&path, info).unwrap();
        let mut next = crate::dark::test_xorshift(5);
        let mut rand = |lo: f32, span: u64| lo + (next() % span) as f32 / 8.0;
        let c = (3, segs, rows, cols);
        let consts = crate::calib::Constants {
            pedestals: Some(
                Array4::from_shape_fn(c, |_| rand(990.0, 160))
                    .into_dyn()
                    .into(),
            ),
            pixel_gain: Some(
                Array4::from_shape_fn(c, |_| rand(30.0, 100))
                    .into_dyn()
                    .into(),
            ),
            pixel_status: Some(
                Array4::from_shape_fn(c, |_| u64::from(next().is_multiple_of(30)))
                    .into_dyn()
                    .into(),
            ),
            common_mode: Some(vec![7.0, 1.0, 100.0, 0.0]),
            ..Default::default()
        };
        let mut cal = Calibrator::new(DetType::Jungfrau, &consts).unwrap();
        assert!(cal.part_unit().is_some(), "the row path applies");
        let npix = cal.frame_len();
        let sel = |skip| Selection {
            skip,
            ..Selection::default()
        };
        for skip in [0, 7] {
            // Frames calibrated one at a time, added to a mean one at a time.
            let mut frames = Vec::new();
            let mut want = MeanImage::new(npix);
            let mut one = vec![0f32; npix];
            src.for_each(&mut |item| {
                if let crate::source::Item::Frame { frame, .. } = item {
                    cal.calibrate(&frame.to_vec()?, &mut one)?;
                    frames.extend_from_slice(&one);
                }
                Ok(Flow::Continue)
            })
            .unwrap();
            let frames = frames.split_off(skip as usize * npix);
            for f in frames.chunks(npix) {
                want.add(f);
            }
            let want = want.to_bytes();
            // Added by the calibrator, the frames written beside.
            let mut got = MeanImage::new(npix);
            let mut written = Vec::new();
            let mut push = |b: &[f32]| {
                written.extend_from_slice(b);
                Ok(())
            };
            let sink = Sink {
                mean: Some(&mut got),
                frames: Some(&mut push),
                done: None,
            };
            calibrate_run_shared(&src, &mut cal, &sel(skip), FrameShare::all(), sink).unwrap();
            assert!(got.to_bytes() == want, "skip {skip}");
            assert_eq!(written.len(), frames.len());
            assert!(
                written
                    .iter()
                    .zip(&frames)
                    .all(|(a, b)| a.to_bits() == b.to_bits())
            );
            // Without the frames, and shared between two processes.
            let mut parts: Vec<MeanImage> = (0..2)
                .map(|rank| {
                    let mut m = MeanImage::new(npix);
                    let sink = Sink {
                        mean: Some(&mut m),
                        ..Sink::default()
                    };
                    let share = FrameShare {
                        rank,
                        size: 2,
                        block: 0,
                    };
                    calibrate_run_shared(&src, &mut cal, &sel(skip), share, sink).unwrap();
                    m
                })
                .collect();
            let b = parts[1].to_bytes();
            parts[0].merge_bytes(&b).unwrap();
            assert!(parts[0].to_bytes() == want, "two processes, skip {skip}");
            // Frames at odd addresses (as in XTC2 files), copied by the threads, and frames in
            // panels: the same frames and sums.
            let mut odd = vec![0u8];
            odd.extend_from_slice(&raw_bytes[skip as usize * 2 * npix..]);
            let panels: Vec<&[u8]> = odd[1..].chunks(2 * npix / segs).collect();
            let nf = n - skip as usize;
            let mut out = vec![0f32; nf * npix];
            let mut sums = MeanImage::new(npix);
            let mut first = true;
            for (k, batch) in panels.chunks(segs * 32).enumerate() {
                let (at, len) = (k * 32 * npix, batch.len() / segs * npix);
                let o = &mut out[at..at + len];
                // Every other batch through the mean only.
                let o = (first || k % 2 == 1).then_some(o);
                let bad =
                    cal.calibrate_parts(batch, batch.len() / segs, o, Some(sums.group_sums()));
                bad.unwrap();
                sums.added(batch.len() / segs);
                first = false;
            }
            assert!(sums.to_bytes() == want, "odd addresses, skip {skip}");
            let written = |k: usize| k / (32 * npix) % 2 == 1 || k < 32 * npix;
            assert!(
                out.iter()
                    .zip(&frames)
                    .enumerate()
                    .all(|(k, (a, b))| !written(k) || a.to_bits() == b.to_bits())
            );
        }
    }

    #[test]
    fn histogram_counts_and_peak() {
        let mut h = Histogram::new(0.0, 10.0, 100).unwrap();
        // A peak at 7.0: values 6.9, 7.0, 7.1 weighted 1, 3, 1, and noise elsewhere.
        let mut v = vec![
            6.95f32,
            7.05,
            7.05,
            7.05,
            7.15,
            1.05,
            -1.0,
            10.0,
            12.0,
            f32::NAN,
        ];
        v.extend(std::iter::repeat_n(0.05f32, 50));
        h.add(&v);
        assert_eq!(h.outside(), (1, 2));
        assert_eq!(h.counts()[0], 50);
        assert_eq!(h.counts()[70], 3);
        assert_eq!(h.counts().iter().sum::<u64>(), 56);
        // From 2.0 on, the fullest bin is 7.05; the centroid of 6.95..7.15 is 7.05.
        let p = h.peak(2.0, 0.1).unwrap();
        assert!((p - 7.05).abs() < 1e-9, "{p}");
        assert!((h.peak(0.0, 0.0).unwrap() - 0.05).abs() < 1e-9);
        assert_eq!(Histogram::new(0.0, 1.0, 10).unwrap().peak(0.0, 0.1), None);
        assert!(Histogram::new(1.0, 1.0, 10).is_err());
        assert!(Histogram::new(0.0, 1.0, 0).is_err());
    }

    #[test]
    fn medians_per_bank() {
        // 1 segment of 4 x 8, banks of 4 columns: 2 halves x 2 banks of 2 x 4 pixels.
        let mut f = vec![0f32; 32];
        for r in 0..4 {
            for c in 0..8 {
                f[r * 8 + c] = (10 * (r / 2) + c / 4) as f32 + 1.0 + (c % 4) as f32 * 0.01;
            }
        }
        f[0] = 0.0; // masked: left out
        let m = bank_medians(&f, [1, 4, 8], 4).unwrap();
        assert_eq!(m.len(), 4);
        // Bank (half 0, bank 0): values 1.01,1.02,1.03 and 1.00..1.03 of row 1 -> 7 values.
        assert!((m[0] - 1.02).abs() < 1e-6, "{m:?}");
        // The other banks have 8 values: numpy's median is the mean of the two middle ones.
        assert!((m[1] - 2.015).abs() < 1e-5, "{m:?}");
        assert!((m[2] - 11.015).abs() < 1e-5);
        assert!((m[3] - 12.015).abs() < 1e-5);
        let empty = bank_medians(&[0.0; 32], [1, 4, 8], 4).unwrap();
        assert!(empty.iter().all(|x| x.is_nan()));
        assert!(bank_medians(&[0.0; 31], [1, 4, 8], 4).is_err());
        assert!(bank_medians(&[0.0; 32], [1, 4, 8], 0).is_err());
        let mut h = Histogram::new(0.0, 1.0, 10).unwrap();
        h.add(&[0.55]);
        assert!((h.peak(0.0, f64::INFINITY).unwrap() - 0.55).abs() < 1e-9);
    }
}
