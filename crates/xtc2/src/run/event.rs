//! What iterating a run gives: items, events with their segments, skipped events and why.

use std::fmt;
use std::sync::Arc;

use crate::damage::Damage;
use crate::data_type::{DataType, Element};
use crate::error::FormatError;
use crate::names::Names;
use crate::shapes_data::{DescData, LengthMismatch, Shape, ShapesData};
use crate::time_stamp::TimeStamp;

use super::step::StepInfo;

/// One item of a run, in order: steps begin, events come, steps end.
#[derive(Debug)]
pub enum Item<'a> {
    /// A BeginStep (or, for a run without BeginStep, the first event's implicit step 0).
    StepBegin(StepInfo),
    /// An event with every segment present and undamaged.
    Event(Event<'a>),
    /// An event left out, and why.
    Skipped(SkippedEvent),
    /// The end of a step (EndStep, the next BeginStep, EndRun, or the end of the files).
    StepEnd(StepEnd),
}

/// The end of a step, with what it held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StepEnd {
    /// The step index.
    pub index: u32,
    /// Events given in the step.
    pub events: u64,
    /// Events skipped in the step.
    pub skipped: u64,
}

/// An event left out.
#[derive(Debug, Clone, PartialEq)]
pub struct SkippedEvent {
    /// The event's time stamp.
    pub time: TimeStamp,
    /// The step it was in.
    pub step: u32,
    /// Why it was left out.
    pub reason: SkipReason,
}

/// Why an event was left out.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum SkipReason {
    /// Segments (by number) that the event does not have.
    MissingSegments(Vec<u32>),
    /// A segment whose ShapesData carries damage.
    Damaged {
        /// The segment number.
        segment: u32,
        /// The damage.
        damage: Damage,
    },
    /// A container marked Corrupted, which may hold missing segments.
    Corrupted {
        /// File offset of the container.
        offset: u64,
        /// Its damage.
        damage: Damage,
    },
    /// A segment whose raw shape differs from the detector's.
    ShapeMismatch {
        /// The segment number.
        segment: u32,
        /// The detector's shape.
        expected: Vec<u32>,
        /// The event's shape.
        found: Vec<u32>,
    },
    /// A segment whose raw data is not u16.
    NotU16 {
        /// The segment number.
        segment: u32,
        /// The type found.
        found: DataType,
    },
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingSegments(s) => write!(f, "missing segment(s) {s:?}"),
            Self::Damaged { segment, damage } => write!(f, "segment {segment} damaged ({damage})"),
            Self::Corrupted { offset, damage } => {
                write!(f, "container at byte {offset} is corrupted ({damage})")
            }
            Self::ShapeMismatch {
                segment,
                expected,
                found,
            } => {
                write!(
                    f,
                    "segment {segment} has shape {found:?}, expected {expected:?}"
                )
            }
            Self::NotU16 { segment, found } => {
                write!(f, "segment {segment} raw is {found}, not UINT16")
            }
        }
    }
}

/// One segment's data in an event.
#[derive(Debug, Clone)]
pub struct SegmentData<'r> {
    pub(crate) segment: u32,
    pub(crate) shape: Shape,
    pub(crate) raw: &'r [u8],
    pub(crate) shapes_data: ShapesData<'r>,
    pub(crate) names: Arc<Names>,
}

impl<'r> SegmentData<'r> {
    /// The segment number.
    pub fn segment(&self) -> u32 {
        self.segment
    }

    /// The raw shape, e.g. `(1, 512, 1024)`.
    pub fn shape(&self) -> Shape {
        self.shape
    }

    /// The raw pixels as little-endian bytes (unaligned).
    pub fn raw_bytes(&self) -> &'r [u8] {
        self.raw
    }

    /// Number of raw pixels.
    pub fn len(&self) -> usize {
        self.raw.len() / 2
    }

    /// Whether there are no pixels.
    pub fn is_empty(&self) -> bool {
        self.raw.is_empty()
    }

    /// Copies the raw pixels into `out`, which must have exactly [`SegmentData::len`] elements.
    pub fn copy_raw_into(&self, out: &mut [u16]) -> Result<(), LengthMismatch> {
        if out.len() != self.len() {
            return Err(LengthMismatch {
                need: self.len(),
                got: out.len(),
            });
        }
        copy_u16(self.raw, out);
        Ok(())
    }

    /// All fields of the segment's `raw` ShapesData (`frame_cnt`, `timestamp`, ...).
    pub fn fields(&self) -> Result<DescData<'r, '_>, FormatError> {
        self.shapes_data.desc(&self.names)
    }
}

fn copy_u16(src: &[u8], out: &mut [u16]) {
    for (o, c) in out.iter_mut().zip(src.chunks_exact(2)) {
        *o = u16::from_le_slice(c);
    }
}

/// An event with every wanted segment present, in ascending segment order.
#[derive(Debug, Clone, Copy)]
pub struct Event<'a> {
    pub(crate) time: TimeStamp,
    pub(crate) step: u32,
    pub(crate) index: u64,
    pub(crate) segments: &'a [SegmentData<'a>],
}

impl<'a> Event<'a> {
    /// The time stamp.
    pub fn time(&self) -> TimeStamp {
        self.time
    }

    /// The step index.
    pub fn step(&self) -> u32 {
        self.step
    }

    /// 0-based index of the event among the L1Accepts with this detector (given or skipped).
    pub fn index(&self) -> u64 {
        self.index
    }

    /// The segments, in ascending segment order.
    pub fn segments(&self) -> &'a [SegmentData<'a>] {
        self.segments
    }

    /// Pixels of all segments together.
    pub fn len(&self) -> usize {
        self.segments.iter().map(SegmentData::len).sum()
    }

    /// Whether the event holds no pixels.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Copies the (nsegs, rows, cols) frame into `out`, which must hold exactly [`Event::len`] pixels.
    pub fn copy_raw_into(&self, out: &mut [u16]) -> Result<(), LengthMismatch> {
        let need = self.len();
        if out.len() != need {
            return Err(LengthMismatch {
                need,
                got: out.len(),
            });
        }
        let mut rest = out;
        for s in self.segments {
            let (head, tail) = rest.split_at_mut(s.len());
            copy_u16(s.raw, head);
            rest = tail;
        }
        Ok(())
    }
}
