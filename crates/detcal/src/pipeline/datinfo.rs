/*!
psana's `datinfo`: what one detector of a dataset looks like, run by run.

For each run: the experiment, run number, calibration directory and detector type; the
detector's source, panel ids and unique id; a one-line summary (shape, size, dtype, first
values: psana's `info_ndarr`) of each calibration constant valid for the run (pedestals,
pixel_rms, pixel_status, common_mode, ...) and of the pixel coordinates of the geometry valid for
the run (store, else the type's default); then per step its gain mode, the raw summary of its
first events (for an ePix10ka also the fraction of pixels in each gain range) and its numbers of
events. Works on XTC2 runs and on raw NumPy stacks alike.
*/

use std::path::PathBuf;

use serde::Serialize;

use crate::NdArray;
use crate::access::DetectorCalib;
use crate::detector::epix10ka::{GainRange, pixel_range};
use crate::detector::{CalibType, DetType};
use crate::error::{Context, Result};
use crate::geometry::{Frame as GeoFrame, Select};
use crate::settings::Settings;
use crate::source::{Flow, Item, open_dataset};

/// How many leading values an [`ArrayInfo`] keeps, as psana's `info_ndarr` prints them.
pub const FIRST_VALUES: usize = 5;

/// The constants datinfo summarises, in the order it prints them.
const SUMMARISED: [CalibType; 7] = [
    CalibType::Pedestals,
    CalibType::PixelRms,
    CalibType::PixelStatus,
    CalibType::CommonMode,
    CalibType::PixelGain,
    CalibType::PixelOffset,
    CalibType::StatusExtra,
];

/// Which dataset, detector, steps and events to describe.
#[derive(Debug, Clone)]
pub struct DatinfoOptions {
    /// The dataset (`.xtc2` files, a described `.npy` stack, or `exp=<exp>:run=<runs>`).
    pub dataset: String,
    /// The detector's DAQ alias (`-d`; default: the only detector with raw data).
    pub det: Option<String>,
    /// The calibration store (`-c`); default: the experiment's under the data root.
    pub calib_dir: Option<PathBuf>,
    /// The DetInfo source naming the detector in the store; default `<alias>.0:<Type>.0`.
    pub calib_source: Option<String>,
    /// Events per step to look at (`--events`).
    pub events: u64,
    /// Events to skip at the start of each step (`--evskip`).
    pub evskip: u64,
    /// Events per step whose raw data is summarised (`--evtkeys`).
    pub evtkeys: u64,
    /// Steps to look at (`--steps`).
    pub steps: u32,
    /// Steps to skip first (`--stskip`).
    pub stskip: u32,
    /// Only this step (`--stepnum`).
    pub stepnum: Option<u32>,
}

impl Default for DatinfoOptions {
    fn default() -> Self {
        DatinfoOptions {
            dataset: String::new(),
            det: None,
            calib_dir: None,
            calib_source: None,
            events: 1_000_000,
            evskip: 0,
            evtkeys: 2,
            steps: 1000,
            stskip: 0,
            stepnum: None,
        }
    }
}

/// One array in a line: psana's `info_ndarr` (name, shape, size, dtype, first values).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArrayInfo {
    /// What the array is (`pedestals`, `raw`, `pixel X`).
    pub name: String,
    /// Its shape.
    pub shape: Vec<usize>,
    /// Its number of elements.
    pub size: usize,
    /// Its NumPy dtype name.
    pub dtype: String,
    /// Its first values (at most [`FIRST_VALUES`]).
    pub first: Vec<f64>,
    /// Where it came from (a file, psana's default), if not the data.
    pub from: Option<String>,
}

impl ArrayInfo {
    /// The summary of `arr`.
    // The cast is a no-op only for float64 arrays.
    #[allow(clippy::unnecessary_cast)]
    pub fn of(name: &str, arr: &NdArray, from: Option<String>) -> ArrayInfo {
        let first = crate::with_array!(arr, a => a
            .iter()
            .take(FIRST_VALUES)
            .map(|&v| v as f64)
            .collect());
        ArrayInfo {
            name: name.into(),
            shape: arr.shape().to_vec(),
            size: arr.len(),
            dtype: arr.dtype().name().into(),
            first,
            from,
        }
    }

    /// The summary of `values` of `shape` and NumPy dtype `dtype`.
    fn of_slice<T: Copy + Into<f64>>(
        name: &str,
        values: &[T],
        shape: &[usize],
        dtype: &str,
    ) -> ArrayInfo {
        ArrayInfo {
            name: name.into(),
            shape: shape.to_vec(),
            size: values.len(),
            dtype: dtype.into(),
            first: values
                .iter()
                .take(FIRST_VALUES)
                .map(|&v| v.into())
                .collect(),
            from: None,
        }
    }
}

impl std::fmt::Display for ArrayInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let shape: Vec<String> = self.shape.iter().map(usize::to_string).collect();
        let shape = if shape.len() == 1 {
            format!("({},)", shape[0])
        } else {
            format!("({})", shape.join(", "))
        };
        let first: Vec<String> = self.first.iter().map(|v| v.to_string()).collect();
        let more = if self.size > self.first.len() {
            "..."
        } else {
            ""
        };
        write!(
            f,
            "{} shape:{shape} size:{} dtype:{} [{}{more}]",
            self.name,
            self.size,
            self.dtype,
            first.join(" ")
        )
    }
}

/// One event of a step, summarised.
#[derive(Debug, Clone, Serialize)]
pub struct EventInfo {
    /// The event's index in its step (0-based, before --evskip).
    pub index: u64,
    /// The event's time, RFC 3339 in UTC.
    pub time: String,
    /// The raw frame.
    pub raw: ArrayInfo,
    /// ePix10ka: the fraction of pixels in each gain range (FH, FM, FL, AHL-H, AML-M, AHL-L,
    /// AML-L), and of pixels whose range is undefined.
    pub gain_range_fractions: Option<Vec<(String, f64)>>,
}

/// One step of a run.
#[derive(Debug, Clone, Serialize)]
pub struct StepInfo {
    /// The step index in the run.
    pub index: u32,
    /// The step's gain mode in psana's terms, if the detector has one.
    pub gain_mode: Option<String>,
    /// The step's first events (`--evtkeys`).
    pub events: Vec<EventInfo>,
    /// Events looked at (after --evskip, at most --events).
    pub total: u64,
    /// Of those, events with a complete frame.
    pub good: u64,
}

/// What datinfo found about the detector in one run.
#[derive(Debug, Clone, Serialize)]
pub struct RunInfo {
    /// The experiment.
    pub exp: String,
    /// The run number.
    pub run: u32,
    /// The calibration directory looked in.
    pub calib_dir: PathBuf,
    /// psana's detector type.
    pub det_type: String,
    /// The DAQ alias.
    pub alias: String,
    /// The DetInfo source in the store.
    pub source: String,
    /// The panel ids, in segment order.
    pub panel_ids: Vec<String>,
    /// psana's unique id of the detector.
    pub unique_id: String,
    /// The constants valid for the run, as the calibrator would load them.
    pub constants: Vec<ArrayInfo>,
    /// The geometry used for the pixel coordinates (file, or default name), if any.
    pub geometry: Option<String>,
    /// Pixel X, Y, Z (µm) of the geometry.
    pub coords: Vec<ArrayInfo>,
    /// The steps looked at.
    pub steps: Vec<StepInfo>,
}

/// Describes the detector in every run of the dataset.
pub fn run(opts: &DatinfoOptions, settings: &Settings) -> Result<Vec<RunInfo>> {
    let runs = open_dataset(
        &opts.dataset,
        settings.psdm_data.as_deref(),
        opts.det.as_deref(),
    )?;
    let mut out = Vec::with_capacity(runs.len());
    for src in runs {
        let m = src.meta().clone();
        let store =
            crate::pipeline::calib::calib_store(opts.calib_dir.as_deref(), &m.exp, settings)?;
        let calib_dir = store.dir().to_path_buf();
        let source = opts
            .calib_source
            .clone()
            .unwrap_or_else(|| m.det_type.default_source(&m.alias));
        let (geometry, coords) = match crate::pipeline::geometry::for_run(
            &store,
            &source,
            m.run,
            m.det_type,
            m.frame_shape[0],
        ) {
            Ok((geo, from)) => match geo.coords(Select::Top, GeoFrame::Psana, true) {
                Ok(c) => (
                    Some(from),
                    vec![
                        ArrayInfo::of_slice("pixel X", &c.x, &c.shape, "float64"),
                        ArrayInfo::of_slice("pixel Y", &c.y, &c.shape, "float64"),
                        ArrayInfo::of_slice("pixel Z", &c.z, &c.shape, "float64"),
                    ],
                ),
                Err(e) => (Some(format!("{from}: {e}")), Vec::new()),
            },
            Err(e) => (Some(format!("no geometry: {e}")), Vec::new()),
        };
        let calib = DetectorCalib::new(store, &source)?;
        let mut constants = Vec::new();
        for c in SUMMARISED {
            let l = calib
                .get(c, m.run)
                .with_context(|| format!("{c} of {source} for run {}", m.run))?;
            let from = match (&l.file, &l.problem) {
                (Some(f), None) => f.display().to_string(),
                (_, Some(p)) => format!("{p}: psana's default instead"),
                (None, None) => "no file: psana's default".into(),
            };
            if let Some(a) = &l.array {
                constants.push(ArrayInfo::of(&c.to_string(), a, Some(from)));
            }
        }
        let steps = walk_steps(&src, opts, m.det_type)
            .with_context(|| format!("reading {}", src.label()))?;
        out.push(RunInfo {
            exp: m.exp.clone(),
            run: m.run,
            calib_dir,
            det_type: m.det_type.name().into(),
            alias: m.alias.clone(),
            source,
            panel_ids: m.panel_ids.clone(),
            unique_id: m.unique_id.clone(),
            constants,
            geometry,
            coords,
            steps,
        });
    }
    Ok(out)
}

/// Walks the selected steps and events of one run.
fn walk_steps(
    src: &crate::source::RunSource,
    opts: &DatinfoOptions,
    det: DetType,
) -> Result<Vec<StepInfo>> {
    let shape = src.meta().frame_shape;
    let epix = crate::source::is_epix10ka(det);
    let mut steps: Vec<StepInfo> = Vec::new();
    // (selected, events seen in the step, config bits of the step's panels)
    let mut selected = false;
    let mut seen = 0u64;
    let mut config: Option<Vec<Vec<u8>>> = None;
    let mut frame = Vec::new();
    src.for_each(&mut |item| {
        match item {
            Item::StepBegin(s) => {
                selected = match opts.stepnum {
                    Some(n) => s.index == n,
                    None => s.index >= opts.stskip && s.index - opts.stskip < opts.steps,
                };
                seen = 0;
                if selected {
                    config = s.config_bits().map(<[Vec<u8>]>::to_vec);
                    steps.push(StepInfo {
                        index: s.index,
                        gain_mode: s.mode_name().map(str::to_string),
                        events: Vec::new(),
                        total: 0,
                        good: 0,
                    });
                } else if opts.stepnum.is_none() && s.index >= opts.stskip + opts.steps {
                    return Ok(Flow::Stop);
                }
            }
            Item::Frame { time, frame: f, .. } => {
                if !selected {
                    return Ok(Flow::EndStep);
                }
                let k = seen;
                seen += 1;
                if k < opts.evskip {
                    return Ok(Flow::Continue);
                }
                if k - opts.evskip >= opts.events {
                    return Ok(Flow::EndStep);
                }
                let step = steps.last_mut().expect("a step began");
                step.total += 1;
                step.good += 1;
                if (step.events.len() as u64) < opts.evtkeys {
                    frame.resize(shape.iter().product(), 0);
                    f.copy_to(&mut frame)?;
                    let fractions = match (&config, epix) {
                        (Some(cb), true) => Some(range_fractions(&frame, cb)),
                        _ => None,
                    };
                    step.events.push(EventInfo {
                        index: k,
                        time: time.to_string(),
                        raw: ArrayInfo::of_slice("raw", &frame, &shape, "uint16"),
                        gain_range_fractions: fractions,
                    });
                }
            }
            Item::Skipped { .. } => {
                if selected {
                    let k = seen;
                    seen += 1;
                    if k >= opts.evskip && k - opts.evskip < opts.events {
                        steps.last_mut().expect("a step began").total += 1;
                    }
                }
            }
            Item::StepEnd { .. } => {}
        }
        Ok(Flow::Continue)
    })?;
    Ok(steps)
}

/// The fraction of the frame's pixels in each ePix10ka gain range, from the panels' config
/// bits and data bit 14, and of pixels of no defined range (`undefined`).
fn range_fractions(frame: &[u16], config: &[Vec<u8>]) -> Vec<(String, f64)> {
    let mut counts = [0u64; 8];
    let cb = config.iter().flatten();
    for (&raw, &bits) in frame.iter().zip(cb) {
        let k = pixel_range(bits, raw).map_or(7, GainRange::index);
        counts[k] += 1;
    }
    let n = frame.len().max(1) as f64;
    (0..8)
        .map(|k| {
            let name = GainRange::from_index(k).map_or("undefined", GainRange::name);
            (name.to_string(), counts[k] as f64 / n)
        })
        .collect()
}
