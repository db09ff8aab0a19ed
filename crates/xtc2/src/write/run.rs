//! [`RunWriter`]: writes a detector run laid out as the LCLS-II DAQ lays out a JUNGFRAU run.
//!
//! Per segment the Configure holds a `raw` Names (alg `raw` 0.2.0: `raw` u16 rank 3 of shape
//! (1, rows, cols), `frame_cnt` u64, `timestamp` u64, `hotPixelThresh` u16, `numHotPixels` u32,
//! `maxHotPixels` u32), a `config` Names with its values (29 fields, including
//! `user.gainMode:gainModeEnum` and its ENUMDICT), and a step-time `config` Names holding only
//! `user.gainMode`, whose values appear in each BeginStep. The stream also has `runinfo`
//! (`expt`, `runnum`; values in BeginRun), `chunkinfo`, and optionally psana's `scan` step
//! information (`step_value`, `step_docstring`; values in BeginStep).
//!
//! With [`Layout::Epix10ka`] the run is laid out as the real LCLS-II epixquad sample: per segment
//! a `raw` Names (alg `raw` 2.0.1: `raw` u16 (rows, cols), `aux` u16 (4, cols)) and a `config`
//! Names (alg `config` 2.0.0: `asicPixelConfig` u8 (4, 176, 192), `trbit` u8 (4,)) whose values
//! are in Configure ([`RunWriter::configure_epix`]); a step may update them
//! ([`RunWriter::begin_step_epix`]) through a second `config` Names of the same fields.

use std::io::Write;

use crate::damage::Damage;
use crate::data_type::DataType;
use crate::error::Error;
use crate::names::{Alg, Names};
use crate::shapes_data::Shape;
use crate::time_stamp::TimeStamp;
use crate::timing::TimingData;
use crate::transition::{Env, TransitionId};
use crate::type_id::NamesId;
use crate::write::dgram::{DgramBuilder, Writer};
use crate::write::shapes_data::{ArrayData, ShapesDataOptions, Value};

/// JUNGFRAU gain modes (`gainModeEnum` of the config).
pub mod gain_mode {
    /// Dynamic gain switching (step 0 of a pedestal scan).
    pub const DYNAMIC: i32 = 0;
    /// Forced switch to gain 1 (step 1).
    pub const FORCE_SWITCH_G1: i32 = 1;
    /// Forced switch to gain 2 (step 2).
    pub const FORCE_SWITCH_G2: i32 = 2;
    /// Fixed gain 1.
    pub const FIX_G1: i32 = 3;
    /// Fixed gain 2.
    pub const FIX_G2: i32 = 4;
    /// The enum's dictionary as the DAQ writes it: (name, value), sorted by name.
    pub const DICT: [(&str, i32); 5] = [
        ("DYNAMIC", DYNAMIC),
        ("FIX_G1", FIX_G1),
        ("FIX_G2", FIX_G2),
        ("FORCE_SWITCH_G1", FORCE_SWITCH_G1),
        ("FORCE_SWITCH_G2", FORCE_SWITCH_G2),
    ];
}

/// NamesId numbers within a node, as in the real jungfrau sample.
const CONFIG_NAMES: u8 = 0;
const RAW_NAMES: u8 = 10;
const UPDATE_NAMES: u8 = 20;
const CHUNKINFO_NAMES: u8 = 252;
const SCAN_NAMES: u8 = 253;
const RUNINFO_NAMES: u8 = 255;

/// How the detector's Names and values are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// As the LCLS-II DAQ writes a JUNGFRAU (raw 0.2.0, 29 config fields, `user.gainMode`).
    Jungfrau,
    /// As the LCLS-II DAQ writes an ePix10ka quad or 2M (raw 2.0.1, `asicPixelConfig`, `trbit`).
    Epix10ka,
}

/// The configuration of one ePix10ka segment: its 4 ASICs' pixel config and `trbit`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EpixConfig {
    /// `asicPixelConfig`, (4, 176, 192) values, C order.
    pub asic_pixel_config: Vec<u8>,
    /// The `trbit` of each ASIC.
    pub trbit: [u8; 4],
}

/// Pixels of one ePix10ka ASIC's pixel config (176 x 192).
pub const EPIX_ASIC_PIXELS: usize = 176 * 192;

impl EpixConfig {
    /// Every pixel of every ASIC set to `value`, every ASIC's `trbit` to `trbit`.
    pub fn uniform(value: u8, trbit: u8) -> Self {
        Self {
            asic_pixel_config: vec![value; 4 * EPIX_ASIC_PIXELS],
            trbit: [trbit; 4],
        }
    }
}

/// One segment (panel) of the detector, as written in this stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentSetup {
    /// The DAQ segment number.
    pub segment: u32,
    /// The panel id (`detId`).
    pub det_id: String,
}

/// The detector a [`RunWriter`] writes, and how.
#[derive(Debug, Clone, PartialEq)]
pub struct DetectorSetup {
    /// Detector type (`jungfrau`).
    pub det_type: String,
    /// DAQ alias (`detName`).
    pub alias: String,
    /// The segments in this stream, in the order frames are given.
    pub segments: Vec<SegmentSetup>,
    /// Rows per segment (512 for JUNGFRAU).
    pub rows: u32,
    /// Columns per segment (1024 for JUNGFRAU).
    pub cols: u32,
    /// Node id of the first segment; segment k gets node `first_node_id + k`.
    pub first_node_id: u16,
    /// Readout-group mask written in `env`.
    pub readout_groups: u16,
    /// Whether to write psana's `scan` step information (`step_docstring`) at BeginStep.
    pub write_scan: bool,
    /// The Names layout.
    pub layout: Layout,
}

impl DetectorSetup {
    /// A JUNGFRAU with 512x1024 segments numbered 0.. with these panel ids.
    pub fn jungfrau(alias: &str, panel_ids: &[&str]) -> Self {
        Self {
            det_type: "jungfrau".into(),
            alias: alias.into(),
            segments: panel_ids
                .iter()
                .enumerate()
                .map(|(i, id)| SegmentSetup {
                    segment: i as u32,
                    det_id: (*id).into(),
                })
                .collect(),
            rows: 512,
            cols: 1024,
            first_node_id: 1,
            readout_groups: 1,
            write_scan: true,
            layout: Layout::Jungfrau,
        }
    }

    /// An ePix10ka quad (4 panel ids) or 2M (16) of 352x384 segments numbered 0.., laid out as
    /// the real epixquad sample.
    pub fn epix10ka(alias: &str, panel_ids: &[&str]) -> Self {
        Self {
            det_type: "epix10ka".into(),
            rows: 352,
            cols: 384,
            layout: Layout::Epix10ka,
            ..Self::jungfrau(alias, panel_ids)
        }
    }

    /// Pixels per segment.
    pub fn pixels(&self) -> usize {
        self.rows as usize * self.cols as usize
    }
}

/// The raw frame of one segment in an event.
#[derive(Debug, Clone, Copy)]
pub struct SegmentFrame<'a> {
    /// Index into [`DetectorSetup::segments`].
    pub index: usize,
    /// rows x cols pixels, C order.
    pub raw: &'a [u16],
    /// Damage to mark on the segment's ShapesData.
    pub damage: Damage,
}

struct SegmentNames {
    raw: Names,
    config: Names,
    update: Names,
}

/// Writes a detector run: Configure, BeginRun, steps of events, and the closing transitions.
pub struct RunWriter<W: Write> {
    writer: Writer<W>,
    setup: DetectorSetup,
    segments: Vec<SegmentNames>,
    runinfo: Names,
    chunkinfo: Names,
    scan: Names,
    frame_cnt: u64,
    steps: u32,
    /// The timing detector's Names, when [`RunWriter::with_timing`] asked for one.
    timing: Option<Names>,
}

impl<W: Write> std::fmt::Debug for RunWriter<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunWriter")
            .field("setup", &self.setup)
            .field("offset", &self.offset())
            .finish()
    }
}

fn config_names(id: NamesId, setup: &DetectorSetup, seg: &SegmentSetup) -> Names {
    let mut n = Names::new(
        id,
        &setup.det_type,
        &setup.alias,
        &seg.det_id,
        Alg::new("config", 0, 2, 0),
        seg.segment,
    );
    for (name, _) in [("high", 1), ("normal", 0)] {
        n = n.with_field(format!("{name}:gain0Enum"), DataType::EnumDict, 0);
    }
    for (name, _) in gain_mode::DICT {
        n = n.with_field(format!("{name}:gainModeEnum"), DataType::EnumDict, 0);
    }
    for name in ["FULL_SPEED", "HALF_SPEED", "QUARTER_SPEED"] {
        n = n.with_field(format!("{name}:speedLevelEnum"), DataType::EnumDict, 0);
    }
    n.with_field("expert.PauseThreshold", DataType::U8, 0)
        .with_field("expert.TriggerDelay", DataType::U32, 0)
        .with_field("firmwareBuild", DataType::CharStr, 1)
        .with_field("firmwareVersion", DataType::U32, 0)
        .with_field("help", DataType::CharStr, 1)
        .with_field("user.bias_voltage_v", DataType::U8, 0)
        .with_field("user.exposure_period", DataType::F64, 0)
        .with_field("user.exposure_time_s", DataType::F64, 0)
        .with_field("user.gain0:gain0Enum", DataType::EnumVal, 0)
        .with_field("user.gainMode:gainModeEnum", DataType::EnumVal, 0)
        .with_field("user.hot_pixel_threshold", DataType::U16, 0)
        .with_field("user.jungfrau_ip", DataType::CharStr, 1)
        .with_field("user.jungfrau_mac", DataType::CharStr, 1)
        .with_field("user.kcu_ip", DataType::CharStr, 1)
        .with_field("user.kcu_mac", DataType::CharStr, 1)
        .with_field("user.max_hot_pixels", DataType::U32, 0)
        .with_field("user.port", DataType::U16, 0)
        .with_field("user.speedLevel:speedLevelEnum", DataType::EnumVal, 0)
        .with_field("user.trigger_delay_s", DataType::F64, 0)
}

/// The ePix10ka Names of one segment: raw 2.0.1 (`raw`, `aux`) and config 2.0.0
/// (`asicPixelConfig`, `trbit`), for Configure and for step updates.
fn epix_names(setup: &DetectorSetup, seg: &SegmentSetup, node: u16) -> SegmentNames {
    let names = |id: u8, alg: Alg| {
        Names::new(
            NamesId::new(node, id),
            &setup.det_type,
            &setup.alias,
            &seg.det_id,
            alg,
            seg.segment,
        )
    };
    let config = |id: u8| {
        names(id, Alg::new("config", 2, 0, 0))
            .with_field("asicPixelConfig", DataType::U8, 3)
            .with_field("trbit", DataType::U8, 1)
    };
    SegmentNames {
        raw: names(RAW_NAMES, Alg::new("raw", 2, 0, 1))
            .with_field("raw", DataType::U16, 2)
            .with_field("aux", DataType::U16, 2),
        config: config(CONFIG_NAMES),
        update: config(UPDATE_NAMES),
    }
}

/// The values of an ePix10ka config Names.
fn epix_values(c: &EpixConfig) -> Result<[Value<'_>; 2], Error> {
    if c.asic_pixel_config.len() != 4 * EPIX_ASIC_PIXELS {
        return Err(Error::Write(format!(
            "an ePix10ka asicPixelConfig has {} values (4 x 176 x 192), not {}",
            4 * EPIX_ASIC_PIXELS,
            c.asic_pixel_config.len()
        )));
    }
    let shape = Shape::new(&[4, 176, 192]).unwrap_or(Shape::scalar());
    let tshape = Shape::new(&[4]).unwrap_or(Shape::scalar());
    Ok([
        Value::Array(shape, ArrayData::U8(&c.asic_pixel_config)),
        Value::Array(tshape, ArrayData::U8(&c.trbit)),
    ])
}

/// Adds the timing ShapesData of one shot to a datagram.
fn write_timing(d: &mut DgramBuilder, names: &Names, t: &TimingData) -> Result<(), Error> {
    let arr = |n: u32| Shape::new(&[n]).unwrap_or(Shape::scalar());
    let values = [
        Value::U64(t.pulse_id),
        Value::U64(t.time_stamp),
        Value::Array(arr(10), ArrayData::U8(&t.fixed_rates)),
        Value::Array(arr(6), ArrayData::U8(&t.ac_rates)),
        Value::U8(t.time_slot),
        Value::U16(t.time_slot_phase),
        Value::U8(t.ebeam_present),
        Value::U8(t.ebeam_destn),
        Value::U16(t.ebeam_charge),
        Value::Array(arr(4), ArrayData::U16(&t.ebeam_energy)),
        Value::Array(arr(2), ArrayData::U16(&t.x_wavelength)),
        Value::U16(t.dmod5),
        Value::Array(arr(16), ArrayData::U8(&t.mps_limits)),
        Value::Array(arr(16), ArrayData::U8(&t.mps_power_class)),
        Value::Array(arr(18), ArrayData::U16(&t.event_codes.0)),
    ];
    d.shapes_data(names, &values)
}

const HELP: &str = "-- user --\n  - bias_voltage_v : Module bias voltage in V.\n  - trigger_delay_s : Additional trigger delay in s.\n  - exposure_time_s : Exposure time in s.\n  - exposure_period : Exposure period in s.\n  - port : Port.\n";
const FIRMWARE_BUILD: &str = "Lcls2XilinxKcu1500Udp_10GbE: simulated by detcal";
const HOT_PIXEL_THRESHOLD: u16 = 15000;
const MAX_HOT_PIXELS: u32 = 3400;

impl<W: Write> RunWriter<W> {
    /// A writer of `setup`'s detector to `inner`; nothing is written until [`RunWriter::configure`].
    pub fn new(inner: W, setup: DetectorSetup) -> Result<Self, Error> {
        if setup.segments.is_empty() {
            return Err(Error::Write("a detector needs at least one segment".into()));
        }
        if setup.segments.len() + usize::from(setup.first_node_id) > 0xfff {
            return Err(Error::Write("too many segments for 12-bit node ids".into()));
        }
        let mut seen = std::collections::HashSet::new();
        if let Some(dup) = setup.segments.iter().find(|s| !seen.insert(s.segment)) {
            return Err(Error::Write(format!(
                "segment {} is given twice",
                dup.segment
            )));
        }
        let node0 = setup.first_node_id;
        let segments = setup
            .segments
            .iter()
            .enumerate()
            .map(|(k, seg)| {
                let node = node0 + k as u16;
                if setup.layout == Layout::Epix10ka {
                    return epix_names(&setup, seg, node);
                }
                let raw = Names::new(
                    NamesId::new(node, RAW_NAMES),
                    &setup.det_type,
                    &setup.alias,
                    &seg.det_id,
                    Alg::new("raw", 0, 2, 0),
                    seg.segment,
                )
                .with_field("raw", DataType::U16, 3)
                .with_field("frame_cnt", DataType::U64, 0)
                .with_field("timestamp", DataType::U64, 0)
                .with_field("hotPixelThresh", DataType::U16, 0)
                .with_field("numHotPixels", DataType::U32, 0)
                .with_field("maxHotPixels", DataType::U32, 0);
                let config = config_names(NamesId::new(node, CONFIG_NAMES), &setup, seg);
                let mut update = Names::new(
                    NamesId::new(node, UPDATE_NAMES),
                    &setup.det_type,
                    &setup.alias,
                    &seg.det_id,
                    Alg::new("config", 0, 2, 0),
                    seg.segment,
                );
                update = update.with_field("user.gainMode:gainModeEnum", DataType::EnumVal, 0);
                SegmentNames {
                    raw,
                    config,
                    update,
                }
            })
            .collect();
        let runinfo = Names::new(
            NamesId::new(node0, RUNINFO_NAMES),
            "runinfo",
            "runinfo",
            "",
            Alg::new("runinfo", 0, 0, 1),
            0,
        )
        .with_field("expt", DataType::CharStr, 1)
        .with_field("runnum", DataType::U32, 0);
        let chunkinfo = Names::new(
            NamesId::new(node0, CHUNKINFO_NAMES),
            "chunkinfo",
            "chunkinfo",
            "",
            Alg::new("chunkinfo", 0, 0, 1),
            0,
        )
        .with_field("filename", DataType::CharStr, 1)
        .with_field("chunkid", DataType::U32, 0);
        let scan = Names::new(
            NamesId::new(node0, SCAN_NAMES),
            "scan",
            "scan",
            "",
            Alg::new("raw", 2, 0, 0),
            0,
        )
        .with_field("step_value", DataType::F64, 0)
        .with_field("step_docstring", DataType::CharStr, 1);
        Ok(Self {
            writer: Writer::new(inner),
            setup,
            segments,
            runinfo,
            chunkinfo,
            scan,
            frame_cnt: 0,
            steps: 0,
            timing: None,
        })
    }

    /// Also writes the LCLS-II `timing` detector (alias `timing`, type `ts`, alg `raw` 2.0.0):
    /// its Names in Configure, on node `first_node_id + segments`, and in each event written
    /// with [`RunWriter::event_timed`] its values.
    pub fn with_timing(mut self) -> Self {
        let node = self.setup.first_node_id + self.setup.segments.len() as u16;
        self.timing = Some(TimingData::names(
            NamesId::new(node, RAW_NAMES),
            crate::timing::TIMING_ALIAS,
        ));
        self
    }

    /// Writes an L1Accept with a frame for every segment, in setup order, and the shot's timing
    /// data (the writer must have been made [`RunWriter::with_timing`]).
    pub fn event_timed(
        &mut self,
        time: TimeStamp,
        frames: &[&[u16]],
        timing: &TimingData,
    ) -> Result<u64, Error> {
        if self.timing.is_none() {
            return Err(Error::Write(
                "timing data given to a writer without a timing detector (RunWriter::with_timing)"
                    .into(),
            ));
        }
        let frames = self.all_segments(frames)?;
        self.event_inner(time, &frames, Some(timing))
    }

    /// The setup being written.
    pub fn setup(&self) -> &DetectorSetup {
        &self.setup
    }

    /// The `raw` Names of each segment, in setup order.
    pub fn raw_names(&self) -> impl Iterator<Item = &Names> {
        self.segments.iter().map(|s| &s.raw)
    }

    /// Bytes written so far.
    pub fn offset(&self) -> u64 {
        self.writer.offset()
    }

    /// The underlying datagram writer, to add datagrams of one's own.
    pub fn writer(&mut self) -> &mut Writer<W> {
        &mut self.writer
    }

    fn start(&mut self, time: TimeStamp, tid: TransitionId) -> DgramBuilder {
        let env = Env::new(tid, self.setup.readout_groups);
        self.writer
            .dgram(time, env, u32::from(self.setup.first_node_id))
    }

    /// Writes a transition with no payload (Enable, Disable, EndStep, EndRun, SlowUpdate, ...).
    pub fn transition(&mut self, time: TimeStamp, tid: TransitionId) -> Result<u64, Error> {
        let d = self.start(time, tid);
        self.writer.write(d)
    }

    /// Writes an ePix10ka Configure ([`Layout::Epix10ka`]): every Names, and each segment's
    /// `asicPixelConfig` and `trbit` (one [`EpixConfig`] per segment, in setup order).
    pub fn configure_epix(
        &mut self,
        time: TimeStamp,
        configs: &[EpixConfig],
    ) -> Result<u64, Error> {
        self.check_epix(configs)?;
        let mut d = self.start(time, TransitionId::Configure);
        for (seg, c) in self.segments.iter().zip(configs) {
            d.names(&seg.raw)?;
            d.names(&seg.config)?;
            d.shapes_data(&seg.config, &epix_values(c)?)?;
            d.names(&seg.update)?;
        }
        if let Some(t) = &self.timing {
            d.names(t)?;
        }
        d.names(&self.runinfo)?;
        d.names(&self.chunkinfo)?;
        if self.setup.write_scan {
            d.names(&self.scan)?;
        }
        self.steps = 0;
        self.writer.write(d)
    }

    /// Writes an ePix10ka BeginStep that updates every segment's config (one [`EpixConfig`] per
    /// segment, or none for no update), with an optional docstring.
    pub fn begin_step_epix(
        &mut self,
        time: TimeStamp,
        configs: Option<&[EpixConfig]>,
        docstring: Option<&str>,
    ) -> Result<u64, Error> {
        let mut d = self.start(time, TransitionId::BeginStep);
        if let Some(configs) = configs {
            self.check_epix(configs)?;
            for (seg, c) in self.segments.iter().zip(configs) {
                d.shapes_data(&seg.update, &epix_values(c)?)?;
            }
        }
        if let (Some(doc), true) = (docstring, self.setup.write_scan) {
            d.shapes_data(
                &self.scan,
                &[Value::F64(f64::from(self.steps)), Value::Str(doc)],
            )?;
        }
        self.steps = self.steps.wrapping_add(1);
        self.writer.write(d)
    }

    fn check_epix(&self, configs: &[EpixConfig]) -> Result<(), Error> {
        if self.setup.layout != Layout::Epix10ka {
            return Err(Error::Write(
                "ePix10ka configs need an ePix10ka layout (DetectorSetup::epix10ka)".into(),
            ));
        }
        if configs.len() != self.segments.len() {
            return Err(Error::Write(format!(
                "{} configs given for {} segments",
                configs.len(),
                self.segments.len()
            )));
        }
        Ok(())
    }

    /// Writes Configure: every Names, and each segment's config values with `gain_mode`.
    pub fn configure(&mut self, time: TimeStamp, gain_mode: i32) -> Result<u64, Error> {
        if self.setup.layout == Layout::Epix10ka {
            return Err(Error::Write(
                "an ePix10ka run is configured with configure_epix".into(),
            ));
        }
        let mut d = self.start(time, TransitionId::Configure);
        for (k, seg) in self.segments.iter().enumerate() {
            d.names(&seg.raw)?;
            d.names(&seg.config)?;
            let ip = format!("10.0.0.{}", 15 + k);
            let values = [
                Value::EnumDict(1),
                Value::EnumDict(0),
                Value::EnumDict(gain_mode::DYNAMIC),
                Value::EnumDict(gain_mode::FIX_G1),
                Value::EnumDict(gain_mode::FIX_G2),
                Value::EnumDict(gain_mode::FORCE_SWITCH_G1),
                Value::EnumDict(gain_mode::FORCE_SWITCH_G2),
                Value::EnumDict(0),
                Value::EnumDict(1),
                Value::EnumDict(2),
                Value::U8(16),
                Value::U32(42),
                Value::Str(FIRMWARE_BUILD),
                Value::U32(50_397_184),
                Value::Str(HELP),
                Value::U8(200),
                Value::F64(0.2),
                Value::F64(1e-5),
                Value::EnumVal(0),
                Value::EnumVal(gain_mode),
                Value::U16(HOT_PIXEL_THRESHOLD),
                Value::Str(&ip),
                Value::Str("aa:bb:cc:dd:ee:ff"),
                Value::Str("10.0.0.10"),
                Value::Str("08:00:56:00:00:00"),
                Value::U32(MAX_HOT_PIXELS),
                Value::U16(8192),
                Value::EnumVal(1),
                Value::F64(0.00021),
            ];
            d.shapes_data(&seg.config, &values)?;
            d.names(&seg.update)?;
        }
        if let Some(t) = &self.timing {
            d.names(t)?;
        }
        d.names(&self.runinfo)?;
        d.names(&self.chunkinfo)?;
        if self.setup.write_scan {
            d.names(&self.scan)?;
        }
        self.steps = 0;
        self.writer.write(d)
    }

    /// Writes BeginRun with `runinfo` (experiment and run number).
    pub fn begin_run(&mut self, time: TimeStamp, exp: &str, run: u32) -> Result<u64, Error> {
        let mut d = self.start(time, TransitionId::BeginRun);
        d.shapes_data(&self.runinfo, &[Value::Str(exp), Value::U32(run)])?;
        self.writer.write(d)
    }

    /// Writes BeginStep setting `gain_mode`, with psana's pedestal-scan docstring.
    pub fn begin_step(&mut self, time: TimeStamp, gain_mode: i32) -> Result<u64, Error> {
        let doc = format!(
            "{{\"detname\": \"{}\", \"scantype\": \"pedestal\", \"step\": {}, \"gainMode\": {}}}",
            self.setup.alias, self.steps, gain_mode
        );
        self.begin_step_with(time, Some(gain_mode), Some(&doc))
    }

    /// Writes BeginStep with an optional config update and an optional docstring.
    pub fn begin_step_with(
        &mut self,
        time: TimeStamp,
        gain_mode: Option<i32>,
        docstring: Option<&str>,
    ) -> Result<u64, Error> {
        let mut d = self.start(time, TransitionId::BeginStep);
        if let Some(g) = gain_mode
            && self.setup.layout == Layout::Jungfrau
        {
            for seg in &self.segments {
                d.shapes_data(&seg.update, &[Value::EnumVal(g)])?;
            }
        }
        if let (Some(doc), true) = (docstring, self.setup.write_scan) {
            d.shapes_data(
                &self.scan,
                &[Value::F64(f64::from(self.steps)), Value::Str(doc)],
            )?;
        }
        self.steps = self.steps.wrapping_add(1);
        self.writer.write(d)
    }

    /// Writes an L1Accept with a frame for every segment, in setup order.
    pub fn event(&mut self, time: TimeStamp, frames: &[&[u16]]) -> Result<u64, Error> {
        let frames = self.all_segments(frames)?;
        self.event_with(time, &frames)
    }

    /// Writes an L1Accept with the given segments only (others are missing from the event).
    pub fn event_with(
        &mut self,
        time: TimeStamp,
        frames: &[SegmentFrame<'_>],
    ) -> Result<u64, Error> {
        self.event_inner(time, frames, None)
    }

    /// One undamaged frame per segment, in setup order; an error unless every segment has one.
    fn all_segments<'f>(&self, frames: &[&'f [u16]]) -> Result<Vec<SegmentFrame<'f>>, Error> {
        if frames.len() != self.segments.len() {
            return Err(Error::Write(format!(
                "{} frames given for {} segments",
                frames.len(),
                self.segments.len()
            )));
        }
        Ok(frames
            .iter()
            .enumerate()
            .map(|(index, raw)| SegmentFrame {
                index,
                raw,
                damage: Damage(0),
            })
            .collect())
    }

    fn event_inner(
        &mut self,
        time: TimeStamp,
        frames: &[SegmentFrame<'_>],
        timing: Option<&TimingData>,
    ) -> Result<u64, Error> {
        let mut d = self.start(time, TransitionId::L1Accept);
        let dims = [1, self.setup.rows, self.setup.cols];
        let shape = Shape::new(&dims).unwrap_or(Shape::scalar());
        let epix = self.setup.layout == Layout::Epix10ka;
        let raw2 = Shape::new(&[self.setup.rows, self.setup.cols]).unwrap_or(Shape::scalar());
        let aux_shape = Shape::new(&[4, self.setup.cols]).unwrap_or(Shape::scalar());
        let aux = if epix {
            vec![0u16; 4 * self.setup.cols as usize]
        } else {
            Vec::new()
        };
        self.frame_cnt = self.frame_cnt.wrapping_add(1);
        for f in frames {
            let seg = self.segments.get(f.index).ok_or_else(|| {
                Error::Write(format!("segment index {} is not in the setup", f.index))
            })?;
            if epix {
                let values = [
                    Value::Array(raw2, ArrayData::U16(f.raw)),
                    Value::Array(aux_shape, ArrayData::U16(&aux)),
                ];
                let options = ShapesDataOptions {
                    damage: f.damage,
                    data_first: false,
                };
                d.shapes_data_with(&seg.raw, &values, options)?;
                continue;
            }
            let values = [
                Value::Array(shape, ArrayData::U16(f.raw)),
                Value::U64(self.frame_cnt),
                Value::U64(time.as_u64()),
                Value::U16(HOT_PIXEL_THRESHOLD),
                Value::U32(0),
                Value::U32(MAX_HOT_PIXELS),
            ];
            let options = ShapesDataOptions {
                damage: f.damage,
                data_first: false,
            };
            d.shapes_data_with(&seg.raw, &values, options)?;
        }
        if let (Some(names), Some(t)) = (&self.timing, timing) {
            write_timing(&mut d, names, t)?;
        }
        self.writer.write(d)
    }

    /// Flushes and returns the destination.
    pub fn into_inner(mut self) -> Result<W, Error> {
        self.writer.flush()?;
        Ok(self.writer.into_inner())
    }
}
