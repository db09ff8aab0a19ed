//! Iteration over a detector's steps and events, with psana's event builder across streams.

use std::collections::{HashMap, VecDeque};
use std::path::Path;
use std::sync::Arc;

use crate::damage::Damage;
use crate::data_type::DataType;
use crate::dgram::Dgram;
use crate::error::{Error, FormatError, FormatErrorKind};
use crate::names_table::NamesTable;
use crate::shapes_data::{Shape, ShapesData};
use crate::time_stamp::TimeStamp;
use crate::transition::TransitionId;
use crate::type_id::{NamesId, TypeId};

use super::Run;
use super::config::{SegmentConfig, segment_config};
use super::detector::DetectorInfo;
use super::event::{Event, Item, SegmentData, SkipReason, SkippedEvent, StepEnd};
use super::step::{StepInfo, gain_mode};
use super::stream::StreamDgrams;

struct StreamState<'r> {
    index: usize,
    path: &'r Path,
    dgrams: StreamDgrams<'r>,
    head: Option<Dgram<'r>>,
    exhausted: bool,
    names: NamesTable,
    /// raw NamesId -> position in the detector's segments.
    slot_of: HashMap<NamesId, usize>,
    /// Whether this stream carries wanted segments (others only give transitions).
    has_segments: bool,
}

enum Owned {
    StepBegin(StepInfo),
    StepEnd(StepEnd),
    Skipped(SkippedEvent),
}

/// The steps and events of a detector; call [`Items::next_item`] until it returns `None`.
///
/// Items borrow the iterator (the event's segment list is reused from event to event), so this is
/// a lending iterator rather than an [`Iterator`].
pub struct Items<'r> {
    info: &'r DetectorInfo,
    streams: Vec<StreamState<'r>>,
    wanted: Vec<usize>,
    expected: Vec<Option<Shape>>,
    slots: Vec<Option<SegmentData<'r>>>,
    frames: Vec<SegmentData<'r>>,
    group: Vec<usize>,
    pending: VecDeque<Owned>,
    decode_events: bool,
    event_ready: bool,
    event_time: TimeStamp,
    open_step: Option<StepEnd>,
    next_step: u32,
    l1_count: u64,
    events: u64,
    skipped: u64,
    done: bool,
}

impl std::fmt::Debug for Items<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Items")
            .field("detector", &self.info.alias)
            .field("events", &self.events)
            .field("skipped", &self.skipped)
            .finish()
    }
}

impl<'r> Items<'r> {
    pub(crate) fn new(
        run: &'r Run,
        info: &'r DetectorInfo,
        stream: Option<usize>,
        decode_events: bool,
    ) -> Result<Self, Error> {
        let wanted: Vec<usize> = (0..info.segments.len())
            .filter(|&i| {
                stream.is_none_or(|s| info.segments.get(i).is_some_and(|seg| seg.stream == s))
            })
            .collect();
        if wanted.is_empty() {
            return Err(Error::Run {
                path: run.path().to_path_buf(),
                reason: format!(
                    "stream {stream:?} has no segment of detector `{}`",
                    info.alias
                ),
            });
        }
        let mut stream_ids: Vec<usize> = wanted
            .iter()
            .filter_map(|&i| info.segments.get(i))
            .map(|s| s.stream)
            .collect();
        if stream.is_none() {
            // Every stream takes part in transitions, even one without this detector.
            stream_ids = (0..run.streams.len()).collect();
        }
        stream_ids.sort_unstable();
        stream_ids.dedup();
        let streams = stream_ids
            .into_iter()
            .filter_map(|i| run.streams.get(i).map(|s| (i, s)))
            .map(|(index, s)| StreamState {
                has_segments: wanted
                    .iter()
                    .any(|&w| info.segments.get(w).is_some_and(|seg| seg.stream == index)),
                index,
                path: s.path(),
                dgrams: s.dgrams(),
                head: None,
                exhausted: false,
                names: NamesTable::new(),
                slot_of: HashMap::new(),
            })
            .collect();
        let n = info.segments.len();
        Ok(Self {
            info,
            streams,
            expected: info.segments.iter().map(|s| s.raw_shape).collect(),
            slots: vec![None; n],
            frames: Vec::with_capacity(wanted.len()),
            wanted,
            group: Vec::new(),
            pending: VecDeque::new(),
            decode_events,
            event_ready: false,
            event_time: TimeStamp::default(),
            open_step: None,
            next_step: 0,
            l1_count: 0,
            events: 0,
            skipped: 0,
            done: false,
        })
    }

    /// Events given so far.
    pub fn events(&self) -> u64 {
        self.events
    }

    /// Events skipped so far.
    pub fn skipped(&self) -> u64 {
        self.skipped
    }

    /// Steps begun so far.
    pub fn steps(&self) -> u32 {
        self.next_step
    }

    /// The next item, or `None` at the end; after an error, `None`.
    pub fn next_item(&mut self) -> Option<Result<Item<'_>, Error>> {
        loop {
            if let Some(p) = self.pending.pop_front() {
                return Some(Ok(match p {
                    Owned::StepBegin(s) => Item::StepBegin(s),
                    Owned::StepEnd(s) => Item::StepEnd(s),
                    Owned::Skipped(s) => Item::Skipped(s),
                }));
            }
            if self.event_ready {
                self.event_ready = false;
                let step = self.open_step.map_or(0, |s| s.index);
                return Some(Ok(Item::Event(Event {
                    time: self.event_time,
                    step,
                    index: self.l1_count - 1,
                    segments: &self.frames,
                })));
            }
            if self.done {
                return None;
            }
            if let Err(e) = self.advance() {
                self.done = true;
                return Some(Err(e));
            }
        }
    }

    /// Reads the next group of datagrams with one time stamp and transition.
    fn advance(&mut self) -> Result<(), Error> {
        for st in &mut self.streams {
            if st.head.is_none() && !st.exhausted {
                match st.dgrams.next() {
                    Some(Ok(d)) => {
                        st.path = st.dgrams.path();
                        st.head = Some(d);
                    }
                    Some(Err(e)) => return Err(e),
                    None => st.exhausted = true,
                }
            }
        }
        let key = |d: &Dgram<'_>| (d.time(), d.transition_id().as_u8());
        let Some(min) = self
            .streams
            .iter()
            .filter_map(|s| s.head.as_ref().map(key))
            .min()
        else {
            self.done = true;
            self.end_step();
            return Ok(());
        };
        self.group.clear();
        for (i, st) in self.streams.iter().enumerate() {
            if st.head.as_ref().map(key) == Some(min) {
                self.group.push(i);
            }
        }
        let (time, tid) = (min.0, TransitionId::from_u8(min.1));
        match tid {
            TransitionId::Configure => self.configure()?,
            TransitionId::BeginStep => self.begin_step(time)?,
            TransitionId::EndStep | TransitionId::EndRun => self.end_step(),
            TransitionId::L1Accept => self.l1accept(time)?,
            _ => {}
        }
        for &i in &self.group {
            if let Some(st) = self.streams.get_mut(i) {
                st.head = None;
            }
        }
        Ok(())
    }

    fn configure(&mut self) -> Result<(), Error> {
        let info = self.info;
        for &i in &self.group {
            let Some(st) = self.streams.get_mut(i) else {
                continue;
            };
            let Some(d) = st.head else { continue };
            st.names.update(&d).map_err(|e| e.in_file(st.path))?;
            st.slot_of.clear();
            for names in st.names.iter() {
                if names.det_name != info.alias || names.alg.name != "raw" {
                    continue;
                }
                let pos = info
                    .segments
                    .iter()
                    .position(|s| s.segment == names.segment && s.stream == st.index);
                if let Some(pos) = pos {
                    st.slot_of.insert(names.names_id, pos);
                }
            }
        }
        Ok(())
    }

    fn end_step(&mut self) {
        if let Some(end) = self.open_step.take() {
            self.pending.push_back(Owned::StepEnd(end));
        }
    }

    fn start_step(&mut self, info: StepInfo) {
        self.open_step = Some(StepEnd {
            index: info.index,
            events: 0,
            skipped: 0,
        });
        self.next_step = info.index.saturating_add(1);
        self.pending.push_back(Owned::StepBegin(info));
    }

    fn begin_step(&mut self, time: TimeStamp) -> Result<(), Error> {
        self.end_step();
        let alias = self.info.alias.as_str();
        let mut update: Option<(i32, Option<String>)> = None;
        let mut docstring: Option<String> = None;
        let mut configs: Vec<SegmentConfig> = Vec::new();
        for &i in &self.group {
            let Some(st) = self.streams.get(i) else {
                continue;
            };
            let Some(d) = st.head else { continue };
            let found =
                step_values(&d, &st.names, alias, &mut configs).map_err(|e| e.in_file(st.path))?;
            update = update.or(found.0);
            docstring = docstring.or(found.1);
        }
        configs.sort_by_key(|c| c.segment);
        let enum_type = update
            .as_ref()
            .and_then(|u| u.1.clone())
            .unwrap_or_else(|| "gainModeEnum".into());
        let dict = self.info.enum_dict(&enum_type);
        let index = self.next_step;
        let gain = gain_mode(index, update.map(|u| u.0), docstring.as_deref(), dict);
        self.start_step(StepInfo {
            index,
            time,
            gain_mode: gain,
            docstring,
            config_updates: configs,
        });
        Ok(())
    }

    fn l1accept(&mut self, time: TimeStamp) -> Result<(), Error> {
        // An event only in streams without this detector is another detector's event.
        let ours = self
            .group
            .iter()
            .any(|&i| self.streams.get(i).is_some_and(|s| s.has_segments));
        if !ours {
            return Ok(());
        }
        self.l1_count += 1;
        if !self.decode_events {
            return Ok(());
        }
        if self.open_step.is_none() {
            let index = self.next_step;
            let gain = gain_mode(index, None, None, self.info.enum_dict("gainModeEnum"));
            self.start_step(StepInfo {
                index,
                time,
                gain_mode: gain,
                docstring: None,
                config_updates: Vec::new(),
            });
        }
        for slot in &mut self.slots {
            *slot = None;
        }
        let mut reason: Option<SkipReason> = None;
        let mut corrupted: Option<SkipReason> = None;
        for &i in &self.group {
            let Some(st) = self.streams.get(i) else {
                continue;
            };
            let Some(d) = st.head else { continue };
            let found = collect_segments(
                &d,
                st,
                self.info,
                &self.expected,
                &mut self.slots,
                &mut corrupted,
            );
            match found.map_err(|e| e.in_file(st.path))? {
                Some(r) if reason.is_none() => reason = Some(r),
                _ => {}
            }
        }
        if reason.is_none() {
            let missing: Vec<u32> = self
                .wanted
                .iter()
                .filter(|&&p| self.slots.get(p).is_none_or(Option::is_none))
                .filter_map(|&p| self.info.segments.get(p).map(|s| s.segment))
                .collect();
            if !missing.is_empty() {
                reason = Some(corrupted.unwrap_or(SkipReason::MissingSegments(missing)));
            }
        }
        let step = self.open_step.map_or(0, |s| s.index);
        if let Some(reason) = reason {
            self.skipped += 1;
            if let Some(s) = self.open_step.as_mut() {
                s.skipped += 1;
            }
            self.pending
                .push_back(Owned::Skipped(SkippedEvent { time, step, reason }));
            return Ok(());
        }
        self.frames.clear();
        for &p in &self.wanted {
            if let Some(seg) = self.slots.get_mut(p).and_then(Option::take) {
                if self.expected.get(p).is_some_and(Option::is_none)
                    && let Some(e) = self.expected.get_mut(p)
                {
                    *e = Some(seg.shape);
                }
                self.frames.push(seg);
            }
        }
        self.events += 1;
        if let Some(s) = self.open_step.as_mut() {
            s.events += 1;
        }
        self.event_time = time;
        self.event_ready = true;
        Ok(())
    }
}

/// The config update (`user.gainMode` value and enum type) and docstring of a BeginStep; the
/// numeric config fields of each segment of `alias` are merged into `configs`.
#[allow(clippy::type_complexity)]
fn step_values(
    d: &Dgram<'_>,
    table: &NamesTable,
    alias: &str,
    configs: &mut Vec<SegmentConfig>,
) -> Result<(Option<(i32, Option<String>)>, Option<String>), FormatError> {
    let mut update = None;
    let mut docstring = None;
    for xtc in d.xtc().walk() {
        let xtc = xtc?;
        if xtc.type_id() != TypeId::ShapesData || !xtc.damage().is_clean() {
            continue;
        }
        let Some(names) = table.get(xtc.names_id()) else {
            continue;
        };
        let sd = ShapesData::decode(&xtc)?;
        let desc = sd.desc(names)?;
        if names.det_name == alias && names.alg.name == "config" {
            let found = segment_config(names, &desc)?;
            match configs.iter_mut().find(|c| c.segment == found.segment) {
                Some(c) => c.merge(&found, false),
                None => configs.push(found),
            }
        }
        if names.det_name == alias
            && names.alg.name == "config"
            && update.is_none()
            && let Some(f) = desc.field("user.gainMode")?
            && let Ok(v) = f.as_i64()
        {
            let ty = f.name().enum_type().map(str::to_string);
            update = i32::try_from(v).ok().map(|v| (v, ty));
        }
        if docstring.is_none()
            && let Some(f) = desc.field("step_docstring")?
        {
            // A docstring that is not text is ignored (the step index stands in).
            docstring = f.as_str().ok().map(|s| s.into_owned());
        }
    }
    Ok((update, docstring))
}

/// Puts the wanted segments of one stream's L1Accept into `slots`; returns a reason to skip.
fn collect_segments<'r>(
    d: &Dgram<'r>,
    st: &StreamState<'r>,
    info: &DetectorInfo,
    expected: &[Option<Shape>],
    slots: &mut [Option<SegmentData<'r>>],
    corrupted: &mut Option<SkipReason>,
) -> Result<Option<SkipReason>, FormatError> {
    if d.xtc().damage().is_corrupted() {
        *corrupted = Some(SkipReason::Corrupted {
            offset: d.xtc().offset(),
            damage: d.xtc().damage(),
        });
    }
    for xtc in d.xtc().walk() {
        let xtc = xtc?;
        if xtc.damage().is_corrupted() && xtc.type_id() == TypeId::Parent {
            *corrupted = Some(SkipReason::Corrupted {
                offset: xtc.offset(),
                damage: xtc.damage(),
            });
        }
        if xtc.type_id() != TypeId::ShapesData {
            continue;
        }
        let Some(&pos) = st.slot_of.get(&xtc.names_id()) else {
            continue;
        };
        let Some(seg) = info.segments.get(pos) else {
            continue;
        };
        let segment = seg.segment;
        let sd = match ShapesData::decode(&xtc) {
            Ok(sd) => sd,
            Err(FormatError {
                kind: FormatErrorKind::Corrupted { damage },
                ..
            }) => {
                return Ok(Some(SkipReason::Damaged {
                    segment,
                    damage: Damage(damage),
                }));
            }
            Err(e) => return Err(e),
        };
        if !sd.damage().is_clean() {
            return Ok(Some(SkipReason::Damaged {
                segment,
                damage: sd.damage(),
            }));
        }
        let Some(names) = st.names.get(xtc.names_id()) else {
            continue;
        };
        let Some(field) = sd.desc(names)?.field("raw")? else {
            continue;
        };
        if field.data_type() != DataType::U16 {
            return Ok(Some(SkipReason::NotU16 {
                segment,
                found: field.data_type(),
            }));
        }
        if let Some(Some(want)) = expected.get(pos)
            && *want != field.shape()
        {
            return Ok(Some(SkipReason::ShapeMismatch {
                segment,
                expected: want.dims().to_vec(),
                found: field.shape().dims().to_vec(),
            }));
        }
        if let Some(slot) = slots.get_mut(pos) {
            if slot.is_some() {
                return Err(FormatErrorKind::DuplicateNamesId(xtc.names_id().0).at(xtc.offset()));
            }
            *slot = Some(SegmentData {
                segment,
                shape: field.shape(),
                raw: field.bytes(),
                shapes_data: sd,
                names: Arc::clone(names),
            });
        }
    }
    Ok(None)
}
