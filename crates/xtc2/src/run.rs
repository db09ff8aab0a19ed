/*!
A run as psana shows it: the stream files of one run, its detectors (from the `raw` Names of
each DAQ alias), experiment and run number (`runinfo`), start time (the Configure time stamp),
steps with their gain modes, and per event the raw frame of every segment.

```no_run
use xtc2::run::{Item, Run};

let run = Run::open(&["/data/MFX/mfx101332224/xtc/mfx101332224-r0007-s000-c000.xtc2"])?;
println!("{} run {:?}", run.expt().unwrap_or("?"), run.run_number());
let det = run.detector("jungfrau")?;
println!("{}", det.info().unique_id());
let mut frame = vec![0u16; det.info().frame_len().unwrap_or(0)];
let mut items = det.items()?;
while let Some(item) = items.next_item() {
    match item? {
        Item::StepBegin(step) => println!("step {} gain {}", step.index, step.gain_mode.value),
        Item::Event(event) => event.copy_raw_into(&mut frame)?,
        Item::Skipped(skip) => eprintln!("skipped: {}", skip.reason),
        Item::StepEnd(end) => println!("{} events", end.events),
    }
}
# Ok::<(), Box<dyn std::error::Error>>(())
```

Events are read straight from the memory-mapped files; memory does not grow with the number of
events. When a detector's segments are spread over several streams, events are built by matching
time stamps across streams, as psana's event builder does; [`Detector::stream_items`] reads one
stream alone.
*/

mod config;
mod detector;
mod event;
mod events;
mod step;
mod stream;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use config::{ConfigField, SegmentConfig};
pub use detector::{DetectorInfo, SegmentInfo};
pub use event::{Event, Item, SegmentData, SkipReason, SkippedEvent, StepEnd};
pub use events::Items;
pub use step::{GainMode, GainModeSource, StepInfo, docstring_gain_mode};
pub use stream::{Stream, StreamDgrams};

use crate::data_type::DataType;
use crate::dgram::Dgram;
use crate::error::{Error, FormatError};
use crate::file::XtcFile;
use crate::names::Names;
use crate::names_table::NamesTable;
use crate::shapes_data::{Shape, ShapesData};
use crate::time_stamp::TimeStamp;
use crate::transition::TransitionId;
use crate::type_id::{NamesId, TypeId};
use step::EnumDicts;

/// How many L1Accepts of each stream are looked at when opening, to learn the raw shapes.
const SHAPE_SCAN_EVENTS: usize = 100;

/// An opened run: its stream files and what their Configure and BeginRun say.
#[derive(Debug)]
pub struct Run {
    streams: Vec<Stream>,
    expt: Option<String>,
    run_number: Option<u32>,
    start_time: Option<TimeStamp>,
    detectors: Vec<DetectorInfo>,
    /// Every detector of the Configure: alias -> (detType, detId per segment number).
    configured: BTreeMap<String, (String, BTreeMap<u32, String>)>,
}

/// What the start of one stream says.
#[derive(Default)]
struct StreamSummary {
    configure_time: Option<TimeStamp>,
    expt: Option<String>,
    run_number: Option<u32>,
    raw: Vec<(std::sync::Arc<Names>, DataType)>,
    shapes: BTreeMap<NamesId, Shape>,
    /// Per alias: enum dictionaries and the Configure `user.gainMode`.
    config: BTreeMap<String, (EnumDicts, Option<i32>)>,
    /// Per (alias, segment): the numeric config fields of Configure.
    seg_config: BTreeMap<(String, u32), config::SegmentConfig>,
    /// Every detector of the Configure: alias -> (detType, detId per segment number).
    configured: BTreeMap<String, (String, BTreeMap<u32, String>)>,
}

impl Run {
    /// Opens the files of one run (any order): files named `*-s<S>-c<C>.xtc2` are grouped into
    /// streams with chunks in order; any other file is a stream of its own.
    pub fn open<P: AsRef<Path>>(paths: &[P]) -> Result<Self, Error> {
        let files = paths
            .iter()
            .map(XtcFile::open)
            .collect::<Result<Vec<_>, _>>()?;
        Self::from_files(files)
    }

    /// A run from files already opened (or held in memory), grouped as [`Run::open`] does.
    pub fn from_files(files: Vec<XtcFile>) -> Result<Self, Error> {
        let mut grouped: BTreeMap<u32, Vec<(u32, XtcFile)>> = BTreeMap::new();
        let mut single = Vec::new();
        let mut run_of: Option<(String, u32)> = None;
        for f in files {
            let name = f.path().file_name().and_then(|n| n.to_str()).unwrap_or("");
            match crate::dataset::parse_stream_chunk(name) {
                Some((exp, run, s, c)) => {
                    match &run_of {
                        Some((e, r)) if (e.as_str(), *r) != (exp, run) => {
                            return Err(Error::Run {
                                path: f.path().to_path_buf(),
                                reason: format!(
                                    "files of two runs ({e} run {r} and {exp} run {run}); open each run alone"
                                ),
                            });
                        }
                        _ => run_of = Some((exp.to_string(), run)),
                    }
                    grouped.entry(s).or_default().push((c, f));
                }
                None => single.push(f),
            }
        }
        let mut streams = Vec::new();
        for (number, mut chunks) in grouped {
            chunks.sort_by_key(|(c, _)| *c);
            if let Some(w) = chunks.windows(2).find(|w| w[0].0 == w[1].0) {
                return Err(Error::Run {
                    path: w[1].1.path().to_path_buf(),
                    reason: format!("chunk {} of stream {number} is given twice", w[1].0),
                });
            }
            streams.push(Stream {
                number: Some(number),
                chunks: chunks.into_iter().map(|(_, f)| f).collect(),
            });
        }
        streams.extend(single.into_iter().map(|f| Stream {
            number: None,
            chunks: vec![f],
        }));
        Self::from_streams(streams)
    }

    fn from_streams(streams: Vec<Stream>) -> Result<Self, Error> {
        let Some(first) = streams.first() else {
            return Err(Error::Run {
                path: PathBuf::new(),
                reason: "a run needs at least one file".into(),
            });
        };
        let first_path = first.path().to_path_buf();
        let summaries = streams
            .iter()
            .map(scan_stream)
            .collect::<Result<Vec<_>, _>>()?;
        let mut expt = None;
        let mut run_number = None;
        let mut start_time = None;
        for s in &summaries {
            expt = expt.or_else(|| s.expt.clone());
            run_number = run_number.or(s.run_number);
            start_time = start_time.or(s.configure_time);
        }
        let detectors = build_detectors(&summaries, &first_path)?;
        let mut configured: BTreeMap<String, (String, BTreeMap<u32, String>)> = BTreeMap::new();
        for s in &summaries {
            for (alias, (det_type, segs)) in &s.configured {
                let e = configured
                    .entry(alias.clone())
                    .or_insert_with(|| (det_type.clone(), BTreeMap::new()));
                for (seg, id) in segs {
                    e.1.entry(*seg).or_insert_with(|| id.clone());
                }
            }
        }
        Ok(Self {
            streams,
            expt,
            run_number,
            start_time,
            detectors,
            configured,
        })
    }

    /// The streams, in stream-number order (unnamed files last, as given).
    pub fn streams(&self) -> &[Stream] {
        &self.streams
    }

    /// The experiment (`runinfo` `expt` in BeginRun).
    pub fn expt(&self) -> Option<&str> {
        self.expt.as_deref()
    }

    /// The run number (`runinfo` `runnum` in BeginRun).
    pub fn run_number(&self) -> Option<u32> {
        self.run_number
    }

    /// The run's start: the Configure time stamp.
    pub fn start_time(&self) -> Option<TimeStamp> {
        self.start_time
    }

    /// The detectors (aliases with `raw` data), sorted by alias.
    pub fn detectors(&self) -> &[DetectorInfo] {
        &self.detectors
    }

    /// psana's unique id of every detector the Configure names (raw detectors, `timing`,
    /// `scan`, ...; not the DAQ's own `chunkinfo`), by alias: `<detType>_<detId of each segment, by segment number, joined by _>`.
    pub fn unique_ids(&self) -> Vec<(String, String)> {
        self.configured
            .iter()
            .map(|(alias, (det_type, segs))| {
                let ids: Vec<&str> = segs.values().map(String::as_str).collect();
                (alias.clone(), format!("{det_type}_{}", ids.join("_")))
            })
            .collect()
    }

    /// The detector with this DAQ alias.
    pub fn detector(&self, alias: &str) -> Result<Detector<'_>, Error> {
        match self.detectors.iter().find(|d| d.alias == alias) {
            Some(info) => Ok(Detector { run: self, info }),
            None => Err(Error::NoSuchDetector {
                path: self.path().to_path_buf(),
                alias: alias.to_string(),
                available: self
                    .detectors
                    .iter()
                    .map(|d| d.alias.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            }),
        }
    }

    /// The first file of the run (used to name it in errors).
    pub fn path(&self) -> &Path {
        self.streams.first().map_or(Path::new(""), |s| s.path())
    }
}

/// A detector of an opened run: its description and its steps and events.
#[derive(Debug, Clone, Copy)]
pub struct Detector<'r> {
    run: &'r Run,
    info: &'r DetectorInfo,
}

impl<'r> Detector<'r> {
    /// What the run says about the detector.
    pub fn info(&self) -> &'r DetectorInfo {
        self.info
    }

    /// Steps and events of all streams, with events built across streams by time stamp.
    pub fn items(&self) -> Result<Items<'r>, Error> {
        Items::new(self.run, self.info, None, true)
    }

    /// Steps and events of one stream only, with that stream's segments.
    pub fn stream_items(&self, stream: usize) -> Result<Items<'r>, Error> {
        Items::new(self.run, self.info, Some(stream), true)
    }

    /// The steps of the run, read from the transitions only (events are not decoded).
    pub fn steps(&self) -> Result<Vec<StepInfo>, Error> {
        let mut items = Items::new(self.run, self.info, None, false)?;
        let mut steps = Vec::new();
        while let Some(item) = items.next_item() {
            if let Item::StepBegin(s) = item? {
                steps.push(s);
            }
        }
        Ok(steps)
    }
}

/// Reads the start of a stream: Configure (Names, config values), BeginRun, first events.
fn scan_stream(stream: &Stream) -> Result<StreamSummary, Error> {
    let mut table = NamesTable::new();
    let mut sum = StreamSummary::default();
    let mut events = 0usize;
    let mut dgrams = stream.dgrams();
    while let Some(d) = dgrams.next() {
        let d = d?;
        let path = dgrams.path();
        let ctx = |e: FormatError| e.in_file(path);
        match d.transition_id() {
            TransitionId::Configure => {
                if sum.configure_time.is_some() {
                    break;
                }
                sum.configure_time = Some(d.time());
                table.update(&d).map_err(ctx)?;
                read_configure(&d, &table, &mut sum).map_err(ctx)?;
            }
            TransitionId::BeginRun => read_runinfo(&d, &table, &mut sum).map_err(ctx)?,
            TransitionId::EndRun => break,
            TransitionId::L1Accept => {
                if sum.configure_time.is_none() {
                    return Err(Error::Run {
                        path: path.to_path_buf(),
                        reason: format!("L1Accept at byte {} before any Configure", d.offset()),
                    });
                }
                read_shapes(&d, &table, &mut sum).map_err(ctx)?;
                events += 1;
                if events >= SHAPE_SCAN_EVENTS || sum.shapes.len() >= sum.raw.len() {
                    break;
                }
            }
            _ => {}
        }
    }
    if sum.configure_time.is_none() {
        return Err(Error::Run {
            path: stream.path().to_path_buf(),
            reason: "no Configure in this stream".into(),
        });
    }
    Ok(sum)
}

/// The ShapesData of a datagram with their Names (those with no Names are skipped).
fn for_each_shapes_data<'a>(
    d: &Dgram<'a>,
    table: &NamesTable,
    mut f: impl FnMut(&Names, ShapesData<'a>) -> Result<(), FormatError>,
) -> Result<(), FormatError> {
    for xtc in d.xtc().walk() {
        let xtc = xtc?;
        if xtc.type_id() != TypeId::ShapesData || !xtc.damage().is_clean() {
            continue;
        }
        if let Some(names) = table.get(xtc.names_id()) {
            f(names, ShapesData::decode(&xtc)?)?;
        }
    }
    Ok(())
}

/// Names the DAQ writes for itself, not detectors (psana2 lists none of them among a run's
/// detectors).
const SERVICE_NAMES: [&str; 3] = ["chunkinfo", "runinfo", "smdinfo"];

fn read_configure(
    d: &Dgram<'_>,
    table: &NamesTable,
    sum: &mut StreamSummary,
) -> Result<(), FormatError> {
    for names in table
        .iter()
        .filter(|n| !SERVICE_NAMES.contains(&n.det_name.as_str()))
    {
        sum.configured
            .entry(names.det_name.clone())
            .or_insert_with(|| (names.det_type.clone(), BTreeMap::new()))
            .1
            .entry(names.segment)
            .or_insert_with(|| names.det_id.clone());
        if names.alg.name == "raw"
            && let Some(i) = names.field_index("raw")
        {
            let dt = names.fields.get(i).map_or(DataType::U16, |f| f.data_type);
            sum.raw.push((names.clone(), dt));
        }
    }
    for_each_shapes_data(d, table, |names, sd| {
        if names.alg.name != "config" {
            return Ok(());
        }
        let desc = sd.desc(names)?;
        let found = config::segment_config(names, &desc)?;
        sum.seg_config
            .entry((names.det_name.clone(), names.segment))
            .or_insert_with(|| config::SegmentConfig {
                segment: names.segment,
                fields: Vec::new(),
            })
            .merge(&found, false);
        let (dicts, gain) = sum.config.entry(names.det_name.clone()).or_default();
        for field in desc.fields() {
            let field = field?;
            let name = field.name();
            if field.data_type() == crate::data_type::DataType::EnumDict {
                if let Some(ty) = name.enum_type() {
                    let value = field.scalar::<i32>()?;
                    dicts
                        .entry(ty.to_string())
                        .or_default()
                        .insert(value, name.base_name().to_string());
                }
            } else if name.base_name() == "user.gainMode" && gain.is_none() {
                *gain = field.as_i64().ok().and_then(|v| i32::try_from(v).ok());
            }
        }
        Ok(())
    })
}

fn read_runinfo(
    d: &Dgram<'_>,
    table: &NamesTable,
    sum: &mut StreamSummary,
) -> Result<(), FormatError> {
    for_each_shapes_data(d, table, |names, sd| {
        if names.alg.name != "runinfo" && names.det_name != "runinfo" {
            return Ok(());
        }
        let desc = sd.desc(names)?;
        // Values of an unexpected type are ignored: the run is still readable without them.
        if let Some(f) = desc.field("expt")? {
            sum.expt = f.as_str().ok().map(|s| s.into_owned());
        }
        if let Some(f) = desc.field("runnum")? {
            sum.run_number = f.as_u64().ok().and_then(|n| u32::try_from(n).ok());
        }
        Ok(())
    })
}

fn read_shapes(
    d: &Dgram<'_>,
    table: &NamesTable,
    sum: &mut StreamSummary,
) -> Result<(), FormatError> {
    for_each_shapes_data(d, table, |names, sd| {
        if names.alg.name != "raw" || sum.shapes.contains_key(&names.names_id) {
            return Ok(());
        }
        if let Some(f) = sd.desc(names)?.field("raw")? {
            sum.shapes.insert(names.names_id, f.shape());
        }
        Ok(())
    })
}

fn build_detectors(summaries: &[StreamSummary], path: &Path) -> Result<Vec<DetectorInfo>, Error> {
    let mut by_alias: BTreeMap<String, DetectorInfo> = BTreeMap::new();
    for (stream, sum) in summaries.iter().enumerate() {
        for (names, raw_type) in &sum.raw {
            let det = by_alias.entry(names.det_name.clone()).or_insert_with(|| {
                let (dicts, gain) = summaries
                    .iter()
                    .find_map(|s| s.config.get(&names.det_name))
                    .cloned()
                    .unwrap_or_default();
                let configure_gain_mode = gain.map(|value| GainMode {
                    value,
                    name: dicts
                        .get("gainModeEnum")
                        .and_then(|d| d.get(&value))
                        .cloned(),
                    source: GainModeSource::ConfigUpdate,
                });
                DetectorInfo {
                    alias: names.det_name.clone(),
                    det_type: names.det_type.clone(),
                    raw_version: names.alg.version,
                    segments: Vec::new(),
                    configure_gain_mode,
                    enum_dicts: dicts,
                }
            });
            if det.segments.iter().any(|s| s.segment == names.segment) {
                return Err(Error::Run {
                    path: path.to_path_buf(),
                    reason: format!(
                        "detector `{}` has segment {} twice",
                        names.det_name, names.segment
                    ),
                });
            }
            det.segments.push(SegmentInfo {
                segment: names.segment,
                det_id: names.det_id.clone(),
                stream,
                names_id: names.names_id,
                raw_type: *raw_type,
                raw_shape: sum.shapes.get(&names.names_id).copied(),
                config: summaries
                    .iter()
                    .find_map(|s| s.seg_config.get(&(names.det_name.clone(), names.segment)))
                    .cloned(),
            });
        }
    }
    let mut dets: Vec<DetectorInfo> = by_alias.into_values().collect();
    for d in &mut dets {
        d.segments.sort_by_key(|s| s.segment);
    }
    Ok(dets)
}
