/*!
Raw frames of one detector, run by run: from LCLS-II XTC2 files or from a NumPy stack.

A dataset is what psana calls one: a file, a list of files, or `exp=<exp>:run=<runs>[:dir=<dir>]`
(resolved under `SIT_PSDM_DATA`). [`open_dataset`] gives one [`RunSource`] per run, in order.
A raw NumPy stack `(N, rows, cols)` or `(N, nsegs, rows, cols)` of uint16 is a run of one step
whose description (detector type, panel ids, experiment, run, time, gain mode) is given by the
caller ([`StackInfo`]).

[`RunSource::for_each`] walks the run step by step and hands each frame to a callback as a
`(nsegs * rows * cols)` uint16 slice; the callback can end the step or the walk. Memory does not
grow with the number of events: XTC2 files and stacks are memory-mapped.
*/

use std::path::{Path, PathBuf};
use std::sync::Arc;

use jiff::Timestamp;
use serde::Serialize;

use crate::detector::epix10ka::{self, GainRange};
use crate::detector::{
    DetType, EPIX10KA_GAIN_MODES, GainModeInfo, JUNGFRAU_DEFAULT_STEP_MODES, jungfrau_mode_from_daq,
};
use crate::error::{Error, Missing, Result};
use crate::formats::npy::NpyMap;
use crate::site;

/// What is known of a detector in a run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DetectorMeta {
    /// The detector type.
    #[serde(serialize_with = "ser_dettype")]
    pub det_type: DetType,
    /// The DAQ alias (`jungfrau`, `epixquad`).
    pub alias: String,
    /// The panel id of each segment, in segment order.
    pub panel_ids: Vec<String>,
    /// `<detType>_<panel id>_<panel id>...`, psana's unique id.
    pub unique_id: String,
    /// The experiment.
    pub exp: String,
    /// The run number.
    pub run: u32,
    /// When the run started (the Configure time stamp).
    #[serde(serialize_with = "ser_ts")]
    pub start: Timestamp,
    /// (segments, rows, cols) of a frame.
    pub frame_shape: [usize; 3],
}

fn ser_dettype<S: serde::Serializer>(t: &DetType, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(t.name())
}

fn ser_ts<S: serde::Serializer>(t: &Timestamp, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(&t.to_string())
}

impl DetectorMeta {
    /// Pixels in a frame.
    pub fn frame_len(&self) -> usize {
        self.frame_shape.iter().product()
    }

    /// Pixels in a panel.
    pub fn panel_len(&self) -> usize {
        self.frame_shape[1] * self.frame_shape[2]
    }

    /// The run's start as psana writes it into file names: local `YYYYmmddHHMMSS`.
    pub fn tstamp(&self) -> String {
        site::tstamp(self.start)
    }
}

/// A step of a run and its gain mode.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepMeta {
    /// 0-based step index in the run.
    pub index: u32,
    /// The gain mode as the DAQ gave it (LCLS-II enum value), if any.
    pub daq_value: Option<i32>,
    /// The DAQ's name of the gain mode, if known.
    pub daq_name: Option<String>,
    /// Where the gain mode came from (config update, step docstring, step index, given).
    pub source: &'static str,
    /// The gain mode in psana's (LCLS-I) terms, for multi-gain detectors.
    #[serde(skip)]
    pub mode: Option<GainModeInfo>,
    /// ePix10ka: the configuration valid for the step (config bits per panel, gain mode).
    #[serde(skip)]
    pub epix: Option<Arc<EpixStepConfig>>,
}

impl StepMeta {
    /// Step `index` of a single-gain detector, known from nothing but its index.
    pub fn single(index: u32) -> StepMeta {
        StepMeta {
            index,
            daq_value: None,
            daq_name: None,
            source: "step index",
            mode: None,
            epix: None,
        }
    }

    /// The LCLS-I name of the gain mode (`Normal`, `ForcedGain1`, `FL`, `AHL-H`, ...), if known.
    pub fn mode_name(&self) -> Option<&'static str> {
        self.mode.map(|m| m.name)
    }

    /// ePix10ka: the step's gain mode from its configuration (psana's `find_gain_mode`), `None`
    /// for other detectors, a mixed pixel map, or a step without configuration.
    pub fn gain_range(&self) -> Option<GainRange> {
        self.epix.as_ref().and_then(|e| e.gain_mode)
    }

    /// ePix10ka: the configuration bits of every pixel of each panel
    /// ([`epix10ka::config_bits`], 352 x 384 per panel, in segment order), if known.
    pub fn config_bits(&self) -> Option<&[Vec<u8>]> {
        self.epix.as_ref().map(|e| e.config_bits.as_slice())
    }
}

/// The ePix10ka configuration valid during a step: from the Configure's per-segment
/// `asicPixelConfig` and `trbit` updated by any BeginStep config update (LCLS-II), or made from
/// the gain mode given for a NumPy stack.
#[derive(Debug, Clone, PartialEq)]
pub struct EpixStepConfig {
    /// Per panel (segment order), the configuration bits of each pixel
    /// ([`epix10ka::config_bits`] of [`epix10ka::assemble_asic_config`]), 352 x 384 each.
    pub config_bits: Vec<Vec<u8>>,
    /// The gain mode from the configuration alone ([`epix10ka::find_gain_mode`]); `None` for a
    /// mixed pixel map.
    pub gain_mode: Option<GainRange>,
    /// Per panel, the `trbit` of its 4 ASICs (as in the data).
    pub trbits: Vec<[u8; 4]>,
}

impl EpixStepConfig {
    /// The configuration of panels whose pixel config (per panel, 352 x 384) and ASIC `trbit`s
    /// are given.
    pub fn from_panels(panels: &[(Vec<u8>, [u8; 4])]) -> Result<EpixStepConfig> {
        let config_bits = panels
            .iter()
            .map(|(pc, tr)| epix10ka::config_bits(pc, tr))
            .collect::<Result<Vec<_>>>()?;
        Ok(EpixStepConfig {
            gain_mode: epix10ka::find_gain_mode(&config_bits),
            config_bits,
            trbits: panels.iter().map(|p| p.1).collect(),
        })
    }

    /// The configuration of LCLS-II segments (`asicPixelConfig` (4, 176, 192) and `trbit` (4,)
    /// of each, in segment order); `label` names the run in errors.
    pub fn from_segments(segs: &[xtc2::run::SegmentConfig], label: &str) -> Result<EpixStepConfig> {
        let panels = segs
            .iter()
            .map(|c| {
                let field = |name: &str| {
                    c.field(name).and_then(|f| f.as_u8()).ok_or_else(|| {
                        Error::content(
                            label,
                            format!(
                                "ePix10ka segment {}: no uint8 `{name}` in its config",
                                c.segment
                            ),
                        )
                    })
                };
                let pixel = epix10ka::assemble_asic_config(field("asicPixelConfig")?)?;
                let tr = field("trbit")?;
                let trbit: [u8; 4] = tr.try_into().map_err(|_| {
                    Error::content(
                        label,
                        format!(
                            "ePix10ka segment {}: `trbit` has {} values, not 4",
                            c.segment,
                            tr.len()
                        ),
                    )
                })?;
                Ok((pixel, trbit))
            })
            .collect::<Result<Vec<_>>>()?;
        EpixStepConfig::from_panels(&panels)
    }

    /// The configuration the LCLS-II DAQ sets for a measured gain mode
    /// ([`epix10ka::daq_config_for_range`]) on `npanels` panels; `None` for AHL-L and AML-L.
    pub fn for_mode(range: GainRange, npanels: usize) -> Option<EpixStepConfig> {
        let (value, trbit) = epix10ka::daq_config_for_range(range)?;
        let panel = (vec![value; epix10ka::PANEL_PIXELS], [trbit; 4]);
        EpixStepConfig::from_panels(&vec![panel; npanels]).ok()
    }

    /// psana's gain mode of the step as a [`GainModeInfo`], if the configuration has one.
    pub fn mode_info(&self) -> Option<GainModeInfo> {
        self.gain_mode
            .and_then(|g| EPIX10KA_GAIN_MODES.get(g.index()).copied())
    }

    /// A one-line account of the configuration: the pixel config bits present and the trbits.
    pub fn summary(&self) -> String {
        let mut counts = [0usize; 64];
        for p in &self.config_bits {
            for &cb in p {
                counts[usize::from(cb & 63)] += 1;
            }
        }
        let bits: Vec<String> = counts
            .iter()
            .enumerate()
            .filter(|(_, n)| **n > 0)
            .map(|(cb, n)| format!("{cb}:{n}"))
            .collect();
        format!(
            "config bits {{{}}}, trbit {:?}",
            bits.join(", "),
            self.trbits
        )
    }
}

/// Whether `t` is one of the ePix10ka types (epix10ka, epix10kaquad, epix10ka2m).
pub fn is_epix10ka(t: DetType) -> bool {
    matches!(
        t,
        DetType::Epix10ka | DetType::Epix10kaQuad | DetType::Epix10ka2M
    )
}

/// The Configure config of every segment of `info`, in segment order (empty configs where a
/// segment has none).
fn configure_configs(info: &xtc2::run::DetectorInfo) -> Vec<xtc2::run::SegmentConfig> {
    info.segments
        .iter()
        .map(|s| {
            s.config.clone().unwrap_or(xtc2::run::SegmentConfig {
                segment: s.segment,
                fields: Vec::new(),
            })
        })
        .collect()
}

/// Applies a step's config updates to the running per-segment configs.
fn apply_updates(configs: &mut [xtc2::run::SegmentConfig], updates: &[xtc2::run::SegmentConfig]) {
    for u in updates {
        if let Some(c) = configs.iter_mut().find(|c| c.segment == u.segment) {
            c.merge(u, true);
        }
    }
}

/// One thing met while walking a run.
#[derive(Debug)]
pub enum Item<'a> {
    /// A step begins.
    StepBegin(&'a StepMeta),
    /// A frame of the current step, valid during the call.
    Frame {
        /// The step index.
        step: u32,
        /// The frame's time.
        time: Timestamp,
        /// The raw words, to be copied where the caller wants them.
        frame: Frame<'a>,
    },
    /// An event that could not be used, and why.
    Skipped {
        /// The step index.
        step: u32,
        /// Why (missing segment, damage, ...).
        reason: String,
    },
    /// The current step ends.
    StepEnd {
        /// The step index.
        step: u32,
    },
}

/// The raw words of one frame, (segments * rows * cols), copied only where the caller asks.
#[derive(Debug, Clone, Copy)]
pub struct Frame<'a> {
    inner: FrameInner<'a>,
    panel_len: usize,
    /// The event's codes, when the run's timing data was loaded ([`RunSource::load_timing`]).
    codes: Option<&'a xtc2::timing::EventCodes>,
}

#[derive(Debug, Clone, Copy)]
enum FrameInner<'a> {
    Slice(&'a [u16]),
    Xtc(&'a xtc2::run::Event<'a>, &'a xtc2::run::Run),
}

/// The XTC2 files this process opened as runs, with the frame bytes it read from each.
static FILE_USE: std::sync::Mutex<std::collections::BTreeMap<PathBuf, u64>> =
    std::sync::Mutex::new(std::collections::BTreeMap::new());

/// The XTC2 files this process opened as runs ([`RunSource::open_xtc`]) so far, each with the
/// bytes of frames read from it (with positioned reads, or through the map with
/// [`RunSource::mapped_parts`]; little-endian machines), by path.
pub fn files_used() -> Vec<(PathBuf, u64)> {
    FILE_USE
        .lock()
        .map(|m| m.iter().map(|(p, n)| (p.clone(), *n)).collect())
        .unwrap_or_default()
}

fn note_file_use(path: &Path, bytes: u64) {
    if let Ok(mut m) = FILE_USE.lock() {
        match m.get_mut(path) {
            Some(n) => *n += bytes,
            None => {
                m.insert(path.to_path_buf(), bytes);
            }
        }
    }
}

/// Copies one segment's pixels into `out`: on little-endian machines with a positioned read
/// of the file (page cache to `out` in one copy, no page mapped), else from the map.
fn copy_segment(
    run: &xtc2::run::Run,
    seg: &xtc2::run::SegmentData<'_>,
    out: &mut [u16],
) -> Result<()> {
    if out.len() != seg.len() {
        return Err(Error::shape(
            "segment buffer",
            seg.len().to_string(),
            &[out.len()],
            format!(
                "segment {} has {} pixels, not {}",
                seg.segment(),
                seg.len(),
                out.len()
            ),
        ));
    }
    if cfg!(target_endian = "little") {
        let raw = seg.raw_bytes();
        let file = run
            .streams()
            .iter()
            .flat_map(|s| s.chunks())
            .find_map(|f| f.offset_of(raw).map(|o| (f, o)));
        if let Some((file, offset)) = file {
            file.read_exact_at(offset, bytemuck::cast_slice_mut(out))?;
            note_file_use(file.path(), 2 * out.len() as u64);
            return Ok(());
        }
    }
    seg.copy_raw_into(out).map_err(|e| {
        Error::shape(
            "segment buffer",
            e.need.to_string(),
            &[e.got],
            e.to_string(),
        )
    })
}

impl Frame<'_> {
    /// The event codes of the event, if the run's timing data was loaded
    /// ([`RunSource::load_timing`]) and the event has some.
    pub fn event_codes(&self) -> Option<&xtc2::timing::EventCodes> {
        self.codes
    }

    /// Copies the whole frame into `out` (of the frame's length).
    pub fn copy_to(&self, out: &mut [u16]) -> Result<()> {
        match self.inner {
            FrameInner::Slice(s) => {
                if s.len() != out.len() {
                    return Err(Error::shape(
                        "frame buffer",
                        s.len().to_string(),
                        &[out.len()],
                        format!("frame of {} words into {}", s.len(), out.len()),
                    ));
                }
                out.copy_from_slice(s);
                Ok(())
            }
            FrameInner::Xtc(ev, run) => {
                if ev.len() != out.len() {
                    return Err(Error::shape(
                        "frame buffer",
                        ev.len().to_string(),
                        &[out.len()],
                        format!("frame of {} words into {}", ev.len(), out.len()),
                    ));
                }
                let mut rest = out;
                for seg in ev.segments() {
                    let (head, tail) = rest.split_at_mut(seg.len());
                    copy_segment(run, seg, head)?;
                    rest = tail;
                }
                Ok(())
            }
        }
    }

    /// Copies panel `p` (rows * cols words) into `out`.
    pub fn copy_panel_to(&self, p: usize, out: &mut [u16]) -> Result<()> {
        let n = self.panel_len;
        match self.inner {
            FrameInner::Slice(s) => {
                let src = s
                    .get(p * n..(p + 1) * n)
                    .ok_or_else(|| Error::bad_arg("panel", format!("no panel {p}")))?;
                if src.len() != out.len() {
                    return Err(Error::shape(
                        "panel buffer",
                        src.len().to_string(),
                        &[out.len()],
                        format!("panel of {} words into {}", src.len(), out.len()),
                    ));
                }
                out.copy_from_slice(src);
                Ok(())
            }
            FrameInner::Xtc(ev, run) => {
                let seg = ev
                    .segments()
                    .get(p)
                    .ok_or_else(|| Error::bad_arg("panel", format!("no panel {p}")))?;
                copy_segment(run, seg, out)
            }
        }
    }

    /// The frame as a new vector.
    pub fn to_vec(&self) -> Result<Vec<u16>> {
        match self.inner {
            FrameInner::Slice(s) => Ok(s.to_vec()),
            FrameInner::Xtc(ev, _) => {
                let n = ev.len();
                let mut v = vec![0u16; n];
                self.copy_to(&mut v)?;
                Ok(v)
            }
        }
    }
}

/// What the callback wants next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// Go on.
    Continue,
    /// Skip the rest of this step's frames.
    EndStep,
    /// Stop walking the run.
    Stop,
}

/// How a NumPy stack is to be understood.
#[derive(Debug, Clone)]
pub struct StackInfo {
    /// The detector type.
    pub det_type: DetType,
    /// The panel ids, one per segment.
    pub panel_ids: Vec<String>,
    /// The experiment.
    pub exp: String,
    /// The run number.
    pub run: u32,
    /// The run's start time.
    pub start: Timestamp,
    /// The gain mode of the frames (multi-gain detectors).
    pub gain_mode: Option<GainModeInfo>,
    /// The DAQ alias to report.
    pub alias: String,
}

enum Kind {
    Xtc {
        run: Box<xtc2::run::Run>,
        alias: String,
    },
    Stack {
        map: NpyMap,
        gain_mode: Option<GainModeInfo>,
    },
}

/// One run of one detector.
pub struct RunSource {
    meta: DetectorMeta,
    kind: Kind,
    label: String,
    /// The run's timing data, once loaded ([`RunSource::load_timing`]).
    timing: Option<xtc2::timing::RunTiming>,
    /// Only frames this event-code selection takes are handed on ([`RunSource::set_event_filter`]).
    filter: Option<crate::evcode::EventCodeSelection>,
}

/// The detector type of an LCLS-II detector type name with `nsegs` segments.
pub fn det_type_of_daq(det_type: &str, nsegs: usize) -> DetType {
    match det_type.to_ascii_lowercase().as_str() {
        "jungfrau" => DetType::Jungfrau,
        "epix10ka" | "epix10ka2m" | "epixquad" if nsegs >= 16 => DetType::Epix10ka2M,
        "epix10ka" | "epix10ka2m" | "epixquad" if nsegs >= 2 => DetType::Epix10kaQuad,
        "epix10ka" => DetType::Epix10ka,
        "epix100" | "epix100a" => DetType::Epix100a,
        other => DetType::from_name(other).unwrap_or(DetType::Undefined),
    }
}

fn ts_of(t: xtc2::TimeStamp) -> Timestamp {
    let unix = t.sec as i64 + xtc2::EPICS_EPOCH_UNIX_SECONDS;
    Timestamp::new(unix, t.nsec as i32).unwrap_or(Timestamp::UNIX_EPOCH)
}

/// Opens every run of a dataset (a file path, files separated by commas, or
/// `exp=<exp>:run=<runs>[:dir=<dir>]`) for the detector `alias` (the only raw detector if `None`).
///
/// Raw NumPy stacks described as in [`crate::stacks`] are datasets too: a `.npy` path, or
/// `exp=<exp>:run=<runs>` when the runs have no XTC2 files but stacks in the experiment's `npy`
/// directory.
pub fn open_dataset(
    dataset: &str,
    data_root: Option<&Path>,
    alias: Option<&str>,
) -> Result<Vec<RunSource>> {
    if !dataset.contains('=') && !dataset.contains(',') && dataset.ends_with(".npy") {
        return Ok(vec![crate::stacks::open_described(
            Path::new(dataset),
            alias,
        )?]);
    }
    match dataset_runs(dataset, data_root) {
        Ok(runs) => runs
            .iter()
            .map(|files| RunSource::open_xtc(files, alias))
            .collect(),
        Err(e) => match stacks_of_dataset(dataset, data_root, alias)? {
            Some(stacks) => Ok(stacks),
            None => Err(e),
        },
    }
}

/// The data root: `data_root`, else `SIT_PSDM_DATA`.
fn root_or_env(data_root: Option<&Path>) -> Option<PathBuf> {
    data_root
        .map(Path::to_path_buf)
        .or_else(|| crate::settings::Settings::from_env().psdm_data)
}

/// The raw NumPy stacks of `exp=<exp>:run=<runs>` (without `:dir=`) when every run has one.
fn stacks_of_dataset(
    dataset: &str,
    data_root: Option<&Path>,
    alias: Option<&str>,
) -> Result<Option<Vec<RunSource>>> {
    let Ok(xtc2::dataset::Dataset::Runs {
        exp,
        runs,
        dir: None,
    }) = xtc2::dataset::Dataset::parse(dataset)
    else {
        return Ok(None);
    };
    match root_or_env(data_root) {
        Some(root) => crate::stacks::dataset_stacks(&exp, &runs, &root, alias),
        None => Ok(None),
    }
}

impl RunSource {
    /// Opens the XTC2 files of one run for detector `alias` (the only raw detector if `None`).
    pub fn open_xtc<P: AsRef<Path>>(files: &[P], alias: Option<&str>) -> Result<RunSource> {
        let label = files
            .first()
            .map(|p| p.as_ref().display().to_string())
            .unwrap_or_default();
        // Pixels are taken with positioned reads (copy_segment) or read in place by dark
        // processing (mapped_parts: the engine's threads fault in the pages of the frames as
        // they read them), so only the pages holding headers need mapping ahead: none, from the
        // first scan of the files on.
        let files = files
            .iter()
            .map(|p| {
                let f = xtc2::XtcFile::open(p)?;
                note_file_use(p.as_ref(), 0);
                f.set_populate_ahead(!cfg!(target_endian = "little"));
                Ok(f)
            })
            .collect::<std::result::Result<Vec<_>, xtc2::Error>>()?;
        let run = xtc2::run::Run::from_files(files)?;
        let dets = run.detectors();
        let info = match alias {
            Some(a) => dets.iter().find(|d| d.alias == a).ok_or_else(|| {
                Error::not_found(
                    Missing::Detector,
                    a,
                    &label,
                    format!("{label}: no detector {a:?}; the run has {}", names_of(dets)),
                )
            })?,
            None => match dets {
                [one] => one,
                [] => {
                    return Err(Error::not_found(
                        Missing::Detector,
                        "a detector with raw data",
                        &label,
                        format!("{label}: the run has no detector with raw data"),
                    ));
                }
                _ => {
                    return Err(Error::bad_arg(
                        "-s/--source",
                        format!(
                            "{label}: the run has several detectors ({}); choose one with -s/--source",
                            names_of(dets)
                        ),
                    ));
                }
            },
        };
        let shape = info.frame_shape().ok_or_else(|| {
            Error::content(
                &label,
                format!(
                    "detector {} has no events to learn its frame shape from",
                    info.alias
                ),
            )
        })?;
        let frame_shape = match shape[..] {
            [n, r, c] => [n, r, c],
            _ => {
                return Err(Error::content(
                    &label,
                    format!("unexpected raw frame shape {shape:?}"),
                ));
            }
        };
        if crate::formats::array::checked_product(&frame_shape).is_none() {
            return Err(Error::content(
                &label,
                format!("raw frame shape {shape:?} is too large: its number of pixels overflows"),
            ));
        }
        let exp = run.expt().map(str::to_string).ok_or_else(|| {
            Error::content(&label, "no runinfo with the experiment name (BeginRun)")
        })?;
        let run_no = run
            .run_number()
            .ok_or_else(|| Error::content(&label, "no runinfo with the run number (BeginRun)"))?;
        let start = run
            .start_time()
            .map(ts_of)
            .ok_or_else(|| Error::content(&label, "no Configure transition"))?;
        let meta = DetectorMeta {
            det_type: det_type_of_daq(&info.det_type, info.num_segments()),
            alias: info.alias.clone(),
            panel_ids: info.segments.iter().map(|s| s.det_id.clone()).collect(),
            unique_id: info.unique_id(),
            exp,
            run: run_no,
            start,
            frame_shape,
        };
        let alias = info.alias.clone();
        Ok(RunSource {
            meta,
            kind: Kind::Xtc {
                run: Box::new(run),
                alias,
            },
            label,
            timing: None,
            filter: None,
        })
    }

    /// Reads the run's LCLS-II timing data, so that each frame carries its event codes
    /// ([`Frame::event_codes`]); a run without a timing detector, or a NumPy stack, is an error.
    pub fn load_timing(&mut self) -> Result<&xtc2::timing::RunTiming> {
        let timing = match &self.kind {
            Kind::Xtc { run, .. } => crate::evcode::run_timing(run)?,
            Kind::Stack { .. } => {
                return Err(Error::content(
                    &self.label,
                    "a NumPy stack has no timing data, so events cannot be selected by event code (-c/--evcode, --beam-off)",
                ));
            }
        };
        Ok(self.timing.insert(timing))
    }

    /// Makes [`RunSource::for_each`] hand on only the frames `sel` takes (their events' codes
    /// from the timing data, [`RunSource::load_timing`] first); frames of events without timing
    /// data are left out too. `None` hands on every frame.
    pub fn set_event_filter(&mut self, sel: Option<crate::evcode::EventCodeSelection>) {
        self.filter = sel;
    }

    /// The run's timing data, if loaded.
    pub fn timing(&self) -> Option<&xtc2::timing::RunTiming> {
        self.timing.as_ref()
    }

    /// Opens a raw NumPy stack `(N, rows, cols)` or `(N, nsegs, rows, cols)` of uint16.
    pub fn open_stack(path: &Path, info: StackInfo) -> Result<RunSource> {
        let map = NpyMap::open(path)?;
        map.as_u16()?;
        let frame_shape = match *map.shape() {
            [_, r, c] => [1, r, c],
            [_, n, r, c] => [n, r, c],
            ref s => {
                return Err(Error::content(
                    path,
                    format!(
                        "a raw stack has shape (N, rows, cols) or (N, segments, rows, cols), not {s:?}"
                    ),
                ));
            }
        };
        if info.panel_ids.len() != frame_shape[0] {
            return Err(Error::shape(
                "panel ids",
                frame_shape[0].to_string(),
                &[info.panel_ids.len()],
                format!(
                    "{}: {} panel ids given for {} segments",
                    path.display(),
                    info.panel_ids.len(),
                    frame_shape[0]
                ),
            ));
        }
        for id in &info.panel_ids {
            crate::files::check_component("panel id", id)?;
        }
        if let Some((r, c)) = info.det_type.panel_shape()
            && (r, c) != (frame_shape[1], frame_shape[2])
        {
            tracing::warn!(
                "{}: {} panels are {r} x {c}, the stack's frames are {} x {}",
                path.display(),
                info.det_type,
                frame_shape[1],
                frame_shape[2]
            );
        }
        let meta = DetectorMeta {
            det_type: info.det_type,
            alias: info.alias.clone(),
            unique_id: info.det_type.unique_id(&info.panel_ids),
            panel_ids: info.panel_ids,
            exp: info.exp,
            run: info.run,
            start: info.start,
            frame_shape,
        };
        Ok(RunSource {
            meta,
            kind: Kind::Stack {
                map,
                gain_mode: info.gain_mode,
            },
            label: path.display().to_string(),
            timing: None,
            filter: None,
        })
    }

    /// The detector in this run.
    pub fn meta(&self) -> &DetectorMeta {
        &self.meta
    }

    /// The file the run was opened from (the first one), for messages.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// The run's stream files as the DAQ wrote them (XTC2 runs; `None` for a NumPy stack): for
    /// each stream, in the run's order, its chunk files and the positions (in the frame's panel
    /// order) of this detector's panels it carries, empty where it carries none.
    pub fn stream_layout(&self) -> Option<Vec<(Vec<PathBuf>, Vec<usize>)>> {
        let Kind::Xtc { run, alias } = &self.kind else {
            return None;
        };
        let info = run.detector(alias).ok()?.info();
        Some(
            run.streams()
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    let files = s.chunks().iter().map(|f| f.path().to_path_buf()).collect();
                    let panels = (0..info.segments.len())
                        .filter(|&p| info.segments[p].stream == i)
                        .collect();
                    (files, panels)
                })
                .collect(),
        )
    }

    /// The mapped bytes of the run: its XTC2 files, or the stack's data.
    fn mapped_files(&self) -> Vec<(&[u8], Option<&Path>)> {
        match &self.kind {
            Kind::Stack { map, .. } => vec![(map.data_bytes(), None)],
            Kind::Xtc { run, .. } => run
                .streams()
                .iter()
                .flat_map(|s| s.chunks())
                .map(|f| (f.bytes(), Some(f.path())))
                .collect(),
        }
    }

    /// Appends to `out` the parts of `frame` (a frame this run handed out; its panels, or
    /// panel `segind` only) as slices of the run's mapped files, valid as long as the run, to
    /// be read where they are instead of copied: bytes of little-endian words, at any address.
    /// Returns false, with `out` as it was, where a part is not in a map (then copy the frame
    /// instead).
    pub fn mapped_parts<'s>(
        &'s self,
        frame: &Frame<'_>,
        segind: Option<usize>,
        out: &mut Vec<&'s [u8]>,
    ) -> bool {
        if cfg!(target_endian = "big") {
            return false;
        }
        let files = self.mapped_files();
        let at = out.len();
        let mut add = |bytes: &[u8]| -> bool {
            let (p, n) = (bytes.as_ptr() as usize, bytes.len());
            let found = files.iter().find_map(|&(all, path)| {
                let base = all.as_ptr() as usize;
                (p >= base && p - base + n <= all.len())
                    .then(|| (&all[p - base..p - base + n], path))
            });
            match found.filter(|(b, _)| b.len() % 2 == 0) {
                Some((w, path)) => {
                    if let Some(path) = path {
                        note_file_use(path, n as u64);
                    }
                    out.push(w);
                    true
                }
                None => false,
            }
        };
        let ok = match frame.inner {
            FrameInner::Slice(all) => {
                let n = frame.panel_len;
                let part = match segind {
                    Some(s) => all.get(s * n..(s + 1) * n),
                    None => Some(all),
                };
                part.is_some_and(|p| add(bytemuck::cast_slice(p)))
            }
            FrameInner::Xtc(ev, _) => match segind {
                Some(s) => ev.segments().get(s).is_some_and(|seg| add(seg.raw_bytes())),
                None => ev.segments().iter().all(|seg| add(seg.raw_bytes())),
            },
        };
        if !ok {
            out.truncate(at);
        }
        ok
    }

    /// Drops this process's mapping of the pages of `parts` ([`RunSource::mapped_parts`] of
    /// this run, done with), so that memory stays bounded over a long run; the files stay in
    /// the page cache.
    pub fn release_parts(&self, parts: &[&[u8]]) {
        for (all, _) in self.mapped_files() {
            let (base, end) = (all.as_ptr() as usize, all.as_ptr() as usize + all.len());
            let mut range: Option<(usize, usize)> = None;
            for p in parts {
                let (a, b) = (p.as_ptr() as usize, p.as_ptr() as usize + p.len());
                if a >= base && b <= end {
                    range = Some(range.map_or((a, b), |(lo, hi)| (lo.min(a), hi.max(b))));
                }
            }
            if let Some((lo, hi)) = range {
                // SAFETY: the bytes lie in one of this run's read-only file maps (XTC2 files
                // and stacks are mapped read-only and never written through the map).
                unsafe { crate::mem::release_mapped(&all[lo - base..hi - base]) };
            }
        }
    }

    /// The number of frames, when known without reading the run (NumPy stacks).
    pub fn frames_hint(&self) -> Option<u64> {
        match &self.kind {
            Kind::Stack { map, .. } => Some(map.shape()[0] as u64),
            Kind::Xtc { .. } => None,
        }
    }

    /// Walks the run: steps and their frames, in order, calling `f` for each item.
    pub fn for_each(&self, f: &mut dyn FnMut(Item<'_>) -> Result<Flow>) -> Result<()> {
        match &self.kind {
            Kind::Stack { map, gain_mode } => {
                let epix = if is_epix10ka(self.meta.det_type) {
                    gain_mode
                        .and_then(|m| GainRange::from_index(m.index))
                        .and_then(|g| EpixStepConfig::for_mode(g, self.meta.frame_shape[0]))
                        .map(Arc::new)
                } else {
                    None
                };
                let step = StepMeta {
                    index: 0,
                    daq_value: None,
                    daq_name: gain_mode.map(|m| m.name.to_string()),
                    source: "given",
                    mode: *gain_mode,
                    epix,
                };
                match f(Item::StepBegin(&step))? {
                    Flow::Stop => return Ok(()),
                    Flow::EndStep => {
                        f(Item::StepEnd { step: 0 })?;
                        return Ok(());
                    }
                    Flow::Continue => {}
                }
                let data = map.as_u16()?;
                let n = self.meta.frame_len();
                let panel_len = self.meta.panel_len();
                for frame in data.chunks_exact(n.max(1)) {
                    let frame = Frame {
                        inner: FrameInner::Slice(frame),
                        panel_len,
                        codes: None,
                    };
                    match f(Item::Frame {
                        step: 0,
                        time: self.meta.start,
                        frame,
                    })? {
                        Flow::Continue => {}
                        Flow::EndStep => break,
                        Flow::Stop => return Ok(()),
                    }
                }
                f(Item::StepEnd { step: 0 })?;
                Ok(())
            }
            Kind::Xtc { run, alias } => self.walk_xtc(run, alias, f),
        }
    }

    fn walk_xtc(
        &self,
        run: &xtc2::run::Run,
        alias: &str,
        f: &mut dyn FnMut(Item<'_>) -> Result<Flow>,
    ) -> Result<()> {
        use xtc2::run::{GainModeSource, Item as X};
        let det = run.detector(alias)?;
        let mut items = det.items()?;
        let panel_len = self.meta.panel_len();
        let mut skipping = false;
        let mut current: Option<StepMeta> = None;
        let jungfrau = self.meta.det_type == DetType::Jungfrau;
        let epix = is_epix10ka(self.meta.det_type);
        let mut configs = configure_configs(det.info());
        while let Some(item) = items.next_item() {
            match item? {
                X::StepBegin(s) => {
                    skipping = false;
                    let epix_cfg = if epix {
                        apply_updates(&mut configs, &s.config_updates);
                        match EpixStepConfig::from_segments(&configs, &self.label) {
                            Ok(c) => Some(Arc::new(c)),
                            Err(e) => {
                                tracing::warn!("step {}: {e}", s.index);
                                None
                            }
                        }
                    } else {
                        None
                    };
                    let source = match s.gain_mode.source {
                        GainModeSource::ConfigUpdate => "config update",
                        GainModeSource::Docstring => "step docstring",
                        GainModeSource::StepIndex => "step index",
                    };
                    let mode = if !jungfrau {
                        None
                    } else if s.gain_mode.source == GainModeSource::StepIndex {
                        JUNGFRAU_DEFAULT_STEP_MODES
                            .get(s.index as usize)
                            .and_then(|n| jungfrau_mode_from_daq(-1, Some(n)))
                    } else {
                        jungfrau_mode_from_daq(s.gain_mode.value, s.gain_mode.name.as_deref())
                    };
                    let (source, mode) = match &epix_cfg {
                        Some(c) => ("segment configs", c.mode_info()),
                        None => (source, mode),
                    };
                    let meta = StepMeta {
                        index: s.index,
                        daq_value: Some(s.gain_mode.value),
                        daq_name: s.gain_mode.name.clone(),
                        source,
                        mode,
                        epix: epix_cfg,
                    };
                    let flow = f(Item::StepBegin(&meta))?;
                    current = Some(meta);
                    match flow {
                        Flow::Stop => return Ok(()),
                        Flow::EndStep => skipping = true,
                        Flow::Continue => {}
                    }
                }
                X::Event(ev) => {
                    if skipping {
                        continue;
                    }
                    let codes = self
                        .timing
                        .as_ref()
                        .and_then(|t| t.get(ev.time()))
                        .map(|t| &t.event_codes);
                    if let Some(sel) = &self.filter
                        && !codes.is_some_and(|c| sel.selects(c))
                    {
                        continue;
                    }
                    let frame = Frame {
                        inner: FrameInner::Xtc(&ev, run),
                        panel_len,
                        codes,
                    };
                    match f(Item::Frame {
                        step: ev.step(),
                        time: ts_of(ev.time()),
                        frame,
                    })? {
                        Flow::Continue => {}
                        Flow::EndStep => skipping = true,
                        Flow::Stop => return Ok(()),
                    }
                }
                X::Skipped(s) => {
                    if !skipping
                        && f(Item::Skipped {
                            step: s.step,
                            reason: s.reason.to_string(),
                        })? == Flow::Stop
                    {
                        return Ok(());
                    }
                }
                X::StepEnd(e) => {
                    if current.take().is_some() && f(Item::StepEnd { step: e.index })? == Flow::Stop
                    {
                        return Ok(());
                    }
                }
            }
        }
        if let Some(s) = current {
            f(Item::StepEnd { step: s.index })?;
        }
        Ok(())
    }
}

fn names_of(dets: &[xtc2::run::DetectorInfo]) -> String {
    if dets.is_empty() {
        return "no detectors with raw data".into();
    }
    dets.iter()
        .map(|d| format!("{} ({})", d.alias, d.det_type))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A run described as `detcal info` shows it.
#[derive(Debug, Clone, Serialize)]
pub struct RunDescription {
    /// The run's files.
    pub files: Vec<PathBuf>,
    /// The experiment, if the run says.
    pub exp: Option<String>,
    /// The run number, if the run says.
    pub run: Option<u32>,
    /// The Configure time, RFC 3339 in UTC.
    pub start_utc: Option<String>,
    /// The Configure time as local `YYYYmmddHHMMSS`, as it appears in repository file names.
    pub start_tstamp: Option<String>,
    /// Every detector with raw data.
    pub detectors: Vec<DetectorDescription>,
    /// The LCLS-II timing data (event codes per event), if the run has a timing detector.
    pub timing: Option<crate::evcode::TimingDescription>,
}

/// A detector of a run, with its steps and event counts.
#[derive(Debug, Clone, Serialize)]
pub struct DetectorDescription {
    /// DAQ alias.
    pub alias: String,
    /// LCLS-II detector type.
    pub daq_type: String,
    /// psana's detector type.
    pub det_type: String,
    /// The raw algorithm version.
    pub raw_version: String,
    /// Panel ids in segment order.
    pub panel_ids: Vec<String>,
    /// Segment numbers, in order.
    pub segments: Vec<u32>,
    /// psana's unique id.
    pub unique_id: String,
    /// Frame shape (segments, rows, cols), if events were seen.
    pub frame_shape: Option<Vec<usize>>,
    /// Steps in order.
    pub steps: Vec<StepDescription>,
    /// Events with every segment, over all steps.
    pub events: u64,
    /// Events skipped (missing segments, damage).
    pub skipped: u64,
}

/// One step of a detector.
#[derive(Debug, Clone, Serialize)]
pub struct StepDescription {
    /// Step index.
    pub index: u32,
    /// DAQ gain-mode value.
    pub gain_mode: i32,
    /// DAQ gain-mode name, if known.
    pub gain_mode_name: Option<String>,
    /// psana's (LCLS-I) gain-mode name for JUNGFRAU.
    pub psana_gain_mode: Option<String>,
    /// Where the gain mode came from.
    pub gain_mode_source: String,
    /// Events in the step.
    pub events: u64,
    /// Events skipped in the step.
    pub skipped: u64,
    /// ePix10ka: the step's configuration in one line (config bits and trbits), if known.
    pub config: Option<String>,
}

/// Describes the run in `files`: experiment, run, start, detectors, steps and event counts.
pub fn describe_run<P: AsRef<Path>>(files: &[P]) -> Result<RunDescription> {
    use xtc2::run::{GainModeSource, Item as X};
    let run = xtc2::run::Run::open(files)?;
    let start = run.start_time().map(ts_of);
    let mut detectors = Vec::new();
    for info in run.detectors() {
        let det_type = det_type_of_daq(&info.det_type, info.num_segments());
        let det = run.detector(&info.alias)?;
        let mut items = det.items()?;
        let mut steps: Vec<StepDescription> = Vec::new();
        let (mut events, mut skipped) = (0, 0);
        let mut configs = configure_configs(info);
        let label = files
            .first()
            .map(|p| p.as_ref().display().to_string())
            .unwrap_or_default();
        while let Some(item) = items.next_item() {
            match item? {
                X::StepBegin(s) if is_epix10ka(det_type) => {
                    apply_updates(&mut configs, &s.config_updates);
                    let cfg = EpixStepConfig::from_segments(&configs, &label);
                    let (mode, config) = match &cfg {
                        Ok(c) => (c.mode_info(), Some(c.summary())),
                        Err(e) => (None, Some(e.to_string())),
                    };
                    steps.push(StepDescription {
                        index: s.index,
                        gain_mode: mode.map_or(-1, |m| m.index as i32),
                        gain_mode_name: mode.map(|m| m.name.to_string()),
                        psana_gain_mode: mode.map(|m| m.name.to_string()),
                        gain_mode_source: "SegmentConfigs".into(),
                        events: 0,
                        skipped: 0,
                        config,
                    });
                }
                X::StepBegin(s) => {
                    let psana = if det_type != DetType::Jungfrau {
                        None
                    } else if s.gain_mode.source == GainModeSource::StepIndex {
                        JUNGFRAU_DEFAULT_STEP_MODES
                            .get(s.index as usize)
                            .map(|n| n.to_string())
                    } else {
                        jungfrau_mode_from_daq(s.gain_mode.value, s.gain_mode.name.as_deref())
                            .map(|m| m.name.to_string())
                    };
                    steps.push(StepDescription {
                        index: s.index,
                        gain_mode: s.gain_mode.value,
                        gain_mode_name: s.gain_mode.name.clone(),
                        psana_gain_mode: psana,
                        gain_mode_source: format!("{:?}", s.gain_mode.source),
                        events: 0,
                        skipped: 0,
                        config: None,
                    });
                }
                X::Event(_) => {
                    events += 1;
                    if let Some(s) = steps.last_mut() {
                        s.events += 1;
                    }
                }
                X::Skipped(_) => {
                    skipped += 1;
                    if let Some(s) = steps.last_mut() {
                        s.skipped += 1;
                    }
                }
                X::StepEnd(_) => {}
            }
        }
        let v = info.raw_version;
        detectors.push(DetectorDescription {
            alias: info.alias.clone(),
            daq_type: info.det_type.clone(),
            det_type: det_type.name().to_string(),
            raw_version: format!("{v}"),
            panel_ids: info.segments.iter().map(|s| s.det_id.clone()).collect(),
            segments: info.segments.iter().map(|s| s.segment).collect(),
            unique_id: info.unique_id(),
            frame_shape: info.frame_shape(),
            steps,
            events,
            skipped,
        });
    }
    Ok(RunDescription {
        files: files.iter().map(|p| p.as_ref().to_path_buf()).collect(),
        exp: run.expt().map(str::to_string),
        run: run.run_number(),
        start_utc: start.map(|t| t.to_string()),
        start_tstamp: start.map(site::tstamp),
        detectors,
        timing: crate::evcode::TimingDescription::of_run(&run)?,
    })
}

/// The detector `alias` (the only raw detector if `None`) in the first run of a dataset
/// (`epix10ka_id`, panel ids).
pub fn detector_of(
    dataset: &str,
    data_root: Option<&Path>,
    alias: Option<&str>,
) -> Result<DetectorMeta> {
    let files = dataset_runs(dataset, data_root)?;
    let first = files.first().ok_or_else(|| {
        Error::not_found(
            Missing::Run,
            "runs",
            dataset,
            format!("{dataset}: the dataset has no runs"),
        )
    })?;
    Ok(RunSource::open_xtc(first, alias)?.meta().clone())
}

/// The files of every run of a dataset (see [`open_dataset`]).
pub fn dataset_runs(dataset: &str, data_root: Option<&Path>) -> Result<Vec<Vec<PathBuf>>> {
    let ds = if dataset.contains('=') {
        xtc2::dataset::Dataset::parse(dataset)?
    } else {
        xtc2::dataset::Dataset::Files(
            dataset
                .split(',')
                .filter(|s| !s.is_empty())
                .map(PathBuf::from)
                .collect(),
        )
    };
    let root = root_or_env(data_root);
    let needs_root = !matches!(ds, xtc2::dataset::Dataset::Files(_)) && !dataset.contains(":dir=");
    if needs_root && root.is_none() {
        return Err(Error::config(
            site::SIT_PSDM_DATA,
            "--data-dir",
            format!(
                "{dataset}: no data root: set {} or pass --data-dir (or add :dir=<xtc dir>)",
                site::SIT_PSDM_DATA
            ),
        ));
    }
    Ok(ds
        .resolve(root.as_deref())?
        .into_iter()
        .map(|r| r.files)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The real epixquad sample (`../shared/data/xtc2/test_epix_calib.xtc2`), if present.
    fn epix_sample() -> Option<PathBuf> {
        let dir = std::env::var_os("DETCAL_SHARED_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
        let p = dir.join("data/xtc2/test_epix_calib.xtc2");
        if !p.is_file() {
            eprintln!(
                "skipping: ../shared/data not found ({} is absent)",
                p.display()
            );
            return None;
        }
        Some(p)
    }

    #[test]
    fn epix_sample_steps_carry_fl_and_config_bits() {
        let Some(p) = epix_sample() else { return };
        let src = RunSource::open_xtc(&[&p], None).unwrap();
        let m = src.meta();
        assert_eq!(m.det_type, DetType::Epix10kaQuad);
        assert_eq!(m.frame_shape, [4, 352, 384]);
        assert_eq!(m.panel_ids.len(), 4);
        let mut steps = Vec::new();
        let mut frames = 0;
        src.for_each(&mut |item| {
            match item {
                Item::StepBegin(s) => {
                    let bits = s.config_bits().unwrap();
                    assert_eq!(bits.len(), 4);
                    assert!(bits.iter().all(|p| p.len() == 352 * 384));
                    // Pixel config 8 (g=0, ga=1), trbit 0: control word 8 everywhere.
                    assert!(bits.iter().flatten().all(|&cb| cb == 8));
                    steps.push((s.gain_range(), s.mode_name(), s.source));
                }
                Item::Frame { frame, .. } => {
                    let v = frame.to_vec().unwrap();
                    assert_eq!(&v[..5], &[19620, 19722, 19733, 19730, 19645][..]);
                    frames += 1;
                    return Ok(Flow::Stop);
                }
                _ => {}
            }
            Ok(Flow::Continue)
        })
        .unwrap();
        assert_eq!(frames, 1);
        assert_eq!(
            steps,
            [(Some(GainRange::Fl), Some("FL"), "segment configs")]
        );
    }

    #[test]
    fn stack_steps_get_the_config_of_their_gain_mode() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.npy");
        let arr = ndarray::Array4::<u16>::zeros((2, 1, 352, 384)).into_dyn();
        let perms = crate::files::Perms::new(0o775, 0o664, "");
        crate::formats::npy::write_npy(&path, &arr.into(), &perms).unwrap();
        let info = StackInfo {
            det_type: DetType::Epix10ka,
            panel_ids: vec!["p0".into()],
            exp: "x".into(),
            run: 1,
            start: Timestamp::UNIX_EPOCH,
            gain_mode: crate::detector::gain_mode(DetType::Epix10ka, "AML-M").ok(),
            alias: "epix10ka".into(),
        };
        let src = RunSource::open_stack(&path, info).unwrap();
        let mut seen = None;
        src.for_each(&mut |item| {
            if let Item::StepBegin(s) = item {
                seen = Some((s.gain_range(), s.config_bits().map(|b| b[0][0])));
            }
            Ok(Flow::Continue)
        })
        .unwrap();
        // AutoMedLo: pixel config 0, trbit 0.
        assert_eq!(seen, Some((Some(GainRange::AmlM), Some(0))));
        assert!(EpixStepConfig::for_mode(GainRange::AhlL, 1).is_none());
        let fh = EpixStepConfig::for_mode(GainRange::Fh, 2).unwrap();
        assert_eq!(
            (fh.gain_mode, fh.config_bits[1][7]),
            (Some(GainRange::Fh), 28)
        );
    }

    #[test]
    fn bad_segment_configs_are_errors_naming_the_run() {
        use xtc2::run::{ConfigField, SegmentConfig};
        use xtc2::{DataType, Shape};
        let field = |name: &str, n: usize, dt: DataType| ConfigField {
            name: name.into(),
            data_type: dt,
            shape: Shape::new(&[n as u32]).unwrap(),
            bytes: vec![8; n],
        };
        let seg = |fields: Vec<ConfigField>| SegmentConfig { segment: 3, fields };
        let apc = || field("asicPixelConfig", 4 * 176 * 192, DataType::U8);
        let ok = seg(vec![apc(), field("trbit", 4, DataType::U8)]);
        let c = EpixStepConfig::from_segments(std::slice::from_ref(&ok), "r.xtc2").unwrap();
        assert_eq!(c.gain_mode, Some(GainRange::Fl));
        for (bad, want) in [
            (seg(vec![apc()]), "no uint8 `trbit`"),
            (
                seg(vec![apc(), field("trbit", 3, DataType::U8)]),
                "`trbit` has 3 values",
            ),
            (
                seg(vec![apc(), field("trbit", 4, DataType::U16)]),
                "no uint8 `trbit`",
            ),
            (
                seg(vec![
                    field("asicPixelConfig", 100, DataType::U8),
                    field("trbit", 4, DataType::U8),
                ]),
                "asicPixelConfig",
            ),
        ] {
            let err = EpixStepConfig::from_segments(&[bad], "r.xtc2")
                .unwrap_err()
                .to_string();
            assert!(err.contains(want), "{err}");
        }
        let err = EpixStepConfig::from_segments(&[seg(vec![])], "r.xtc2")
            .unwrap_err()
            .to_string();
        assert!(err.contains("r.xtc2") && err.contains("segment 3"), "{err}");
    }
}
