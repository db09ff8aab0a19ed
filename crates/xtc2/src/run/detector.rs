//! What a run says about a detector: alias, type, segments with panel ids and raw shapes.

use std::collections::BTreeMap;

use crate::data_type::DataType;
use crate::shapes_data::Shape;
use crate::type_id::NamesId;

use super::step::GainMode;

/// One segment (panel) of a detector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentInfo {
    /// The DAQ segment number.
    pub segment: u32,
    /// The panel id (`detId` of the segment's `raw` Names).
    pub det_id: String,
    /// Index of the stream (in [`super::Run::streams`]) that carries this segment.
    pub stream: usize,
    /// The NamesId of the segment's `raw` Names in that stream.
    pub names_id: NamesId,
    /// The element type of the `raw` field.
    pub raw_type: DataType,
    /// The shape of `raw` in the first events, if an event with this segment was found early.
    pub raw_shape: Option<Shape>,
    /// The numeric fields of the segment's `config` in Configure (ePix10ka `asicPixelConfig`,
    /// `trbit`), if it has any.
    pub config: Option<super::SegmentConfig>,
}

impl SegmentInfo {
    /// The pixel dimensions of one frame: the raw shape without leading 1s (`[512, 1024]`).
    pub fn frame_dims(&self) -> Option<Vec<u32>> {
        let dims = self.raw_shape?.dims().to_vec();
        let keep = dims.len().saturating_sub(2);
        let lead = dims.iter().take(keep).take_while(|&&d| d == 1).count();
        Some(dims.get(lead..).unwrap_or(&[]).to_vec())
    }

    /// Elements of one frame of this segment.
    pub fn frame_len(&self) -> Option<usize> {
        self.raw_shape?
            .num_elements()
            .and_then(|n| usize::try_from(n).ok())
    }
}

/// A detector of a run: every segment of one DAQ alias with alg `raw`.
#[derive(Debug, Clone, PartialEq)]
pub struct DetectorInfo {
    /// The DAQ alias (`detName`), e.g. `jungfrau`.
    pub alias: String,
    /// The detector type (`detType`), e.g. `jungfrau`.
    pub det_type: String,
    /// The `raw` algorithm version, e.g. `0.2.0`.
    pub raw_version: crate::names::AlgVersion,
    /// The segments, sorted by segment number.
    pub segments: Vec<SegmentInfo>,
    /// The gain mode in the Configure's config values, if it has `user.gainMode`.
    pub configure_gain_mode: Option<GainMode>,
    pub(crate) enum_dicts: super::step::EnumDicts,
}

impl DetectorInfo {
    /// psana's unique id: `<detType>_<detId of each segment, by segment number, joined by _>`.
    pub fn unique_id(&self) -> String {
        let mut id = self.det_type.clone();
        for s in &self.segments {
            id.push('_');
            id.push_str(&s.det_id);
        }
        id
    }

    /// Number of segments.
    pub fn num_segments(&self) -> usize {
        self.segments.len()
    }

    /// The shape of a whole event's frame, psana's `det.raw.raw` shape: `[nsegs, rows, cols]`.
    ///
    /// `None` if a segment's shape is unknown or segments differ.
    pub fn frame_shape(&self) -> Option<Vec<usize>> {
        let first = self.segments.first()?.frame_dims()?;
        if self
            .segments
            .iter()
            .any(|s| s.frame_dims().as_ref() != Some(&first))
        {
            return None;
        }
        let mut shape = vec![self.segments.len()];
        shape.extend(first.iter().map(|&d| d as usize));
        Some(shape)
    }

    /// Elements of a whole event's frame (all segments).
    pub fn frame_len(&self) -> Option<usize> {
        self.segments
            .iter()
            .try_fold(0usize, |n, s| n.checked_add(s.frame_len()?))
    }

    /// The enum dictionary (value -> name) of an enum type of the detector's config.
    pub fn enum_dict(&self, enum_type: &str) -> Option<&BTreeMap<i32, String>> {
        self.enum_dicts.get(enum_type)
    }
}
