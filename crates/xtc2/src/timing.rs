/*!
The LCLS-II `timing` detector: what the timing system says of every shot (pulse id, time stamp,
rate markers, beam presence and destination, and 288 event-code bits).

The DAQ's timing-system node writes, in Configure, a Names of detector type `ts` (alias usually
`timing`, alg `raw` 2.x) with 15 fields, and in each L1Accept their values (121 bytes):

| field | type | shape |
|---|---|---|
| `pulseId` | u64 | scalar |
| `timeStamp` | u64 | scalar |
| `fixedRates` | u8 | (10,) |
| `acRates` | u8 | (6,) |
| `timeSlot` | u8 | scalar |
| `timeSlotPhase` | u16 | scalar |
| `ebeamPresent` | u8 | scalar |
| `ebeamDestn` | u8 | scalar |
| `ebeamCharge` | u16 | scalar |
| `ebeamEnergy` | u16 | (4,) |
| `xWavelength` | u16 | (2,) |
| `dmod5` | u16 | scalar |
| `mpsLimits` | u8 | (16,) |
| `mpsPowerClass` | u8 | (16,) |
| `sequenceValues` | u16 | (18,) |

Event code `c` (0..288) is present when bit `c & 15` of `sequenceValues[c >> 4]` is set (psana2's
`det.raw.eventcodes(evt)`). See `docs/timing.md` for the sources.

[`TimingData::from_desc`] decodes the fields of a ShapesData, [`TimingData::from_bytes`] the
packed 121 bytes; both check every field and never panic. [`RunTiming::read`] collects the
timing of every event of a run, keyed by time stamp.

```
use xtc2::timing::{EventCodes, TimingData};

let mut t = TimingData::default();
t.event_codes.insert(162);
t.event_codes.insert(40);
let back = TimingData::from_bytes(&t.to_bytes())?;
assert_eq!(back.event_codes.iter().collect::<Vec<_>>(), [40, 162]);
assert!(back.event_codes.contains(162) && !back.event_codes.contains(140));
# Ok::<(), xtc2::timing::TimingError>(())
```
*/

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::data_type::DataType;
use crate::error::{Error, FormatError};
use crate::names::{Alg, Names};
use crate::names_table::NamesTable;
use crate::shapes_data::{DescData, ShapesData};
use crate::transition::TransitionId;
use crate::type_id::{NamesId, TypeId};

/// How many event codes the timing frame carries (0..288).
pub const NUM_EVENT_CODES: u16 = 288;

/// Bytes of the packed timing data of one shot.
pub const TIMING_DATA_SIZE: usize = 121;

/// The detector type of the timing system's Names.
pub const TIMING_DET_TYPE: &str = "ts";

/// The DAQ alias the timing system is recorded under.
pub const TIMING_ALIAS: &str = "timing";

/// The event codes of one shot: 288 bits in 18 words of 16.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct EventCodes(pub [u16; 18]);

impl EventCodes {
    /// No code set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether `code` is present (codes of 288 and above never are).
    pub fn contains(&self, code: u16) -> bool {
        self.0
            .get(usize::from(code >> 4))
            .is_some_and(|w| (w >> (code & 15)) & 1 == 1)
    }

    /// Sets `code`; false (and nothing set) if it is 288 or above.
    pub fn insert(&mut self, code: u16) -> bool {
        match self.0.get_mut(usize::from(code >> 4)) {
            Some(w) => {
                *w |= 1 << (code & 15);
                true
            }
            None => false,
        }
    }

    /// The codes present, ascending.
    pub fn iter(&self) -> impl Iterator<Item = u16> + '_ {
        (0..NUM_EVENT_CODES).filter(|&c| self.contains(c))
    }

    /// Whether no code is present.
    pub fn is_empty(&self) -> bool {
        self.0.iter().all(|&w| w == 0)
    }
}

/// What the timing system says of one shot.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TimingData {
    /// The pulse id (bit 63 set marks LCLS-I timing).
    pub pulse_id: u64,
    /// The timing system's time stamp (seconds << 32 | nanoseconds).
    pub time_stamp: u64,
    /// Fixed-rate markers, one 0/1 per rate.
    pub fixed_rates: [u8; 10],
    /// AC-rate markers, one 0/1 per rate.
    pub ac_rates: [u8; 6],
    /// AC time slot.
    pub time_slot: u8,
    /// AC time-slot phase.
    pub time_slot_phase: u16,
    /// Whether the electron beam is present (0/1).
    pub ebeam_present: u8,
    /// The beam destination.
    pub ebeam_destn: u8,
    /// Requested bunch charge.
    pub ebeam_charge: u16,
    /// Requested beam energies.
    pub ebeam_energy: [u16; 4],
    /// Requested photon wavelengths.
    pub x_wavelength: [u16; 2],
    /// `dmod5`.
    pub dmod5: u16,
    /// MPS limits, one per destination.
    pub mps_limits: [u8; 16],
    /// MPS power classes, one per destination.
    pub mps_power_class: [u8; 16],
    /// The event codes (`sequenceValues`).
    pub event_codes: EventCodes,
}

/// Timing data that cannot be decoded.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum TimingError {
    /// Fewer bytes than the packed layout needs.
    #[error("timing data has {got} bytes, {TIMING_DATA_SIZE} needed")]
    Short {
        /// Bytes given.
        got: usize,
    },
    /// A field the timing Names must have is missing.
    #[error("timing data has no `{field}` field")]
    MissingField {
        /// The field.
        field: &'static str,
    },
    /// A field of the wrong type or number of elements.
    #[error("timing field `{field}` is {found}, expected {expected}")]
    BadField {
        /// The field.
        field: &'static str,
        /// What it should be.
        expected: String,
        /// What it is.
        found: String,
    },
    /// The bytes of a field do not follow the XTC2 layout.
    #[error("timing field: {0}")]
    Format(#[from] FormatError),
}

/// The fields in Data order: name, element type, elements (0 for a scalar).
const FIELDS: [(&str, DataType, usize); 15] = [
    ("pulseId", DataType::U64, 0),
    ("timeStamp", DataType::U64, 0),
    ("fixedRates", DataType::U8, 10),
    ("acRates", DataType::U8, 6),
    ("timeSlot", DataType::U8, 0),
    ("timeSlotPhase", DataType::U16, 0),
    ("ebeamPresent", DataType::U8, 0),
    ("ebeamDestn", DataType::U8, 0),
    ("ebeamCharge", DataType::U16, 0),
    ("ebeamEnergy", DataType::U16, 4),
    ("xWavelength", DataType::U16, 2),
    ("dmod5", DataType::U16, 0),
    ("mpsLimits", DataType::U8, 16),
    ("mpsPowerClass", DataType::U8, 16),
    ("sequenceValues", DataType::U16, 18),
];

/// Little-endian reader over the packed layout; the length was checked before.
struct Packed<'a>(&'a [u8]);

impl Packed<'_> {
    fn take<const N: usize>(&mut self) -> [u8; N] {
        let mut out = [0u8; N];
        let (head, tail) = self.0.split_at(N.min(self.0.len()));
        out[..head.len()].copy_from_slice(head);
        self.0 = tail;
        out
    }
    fn u8(&mut self) -> u8 {
        self.take::<1>()[0]
    }
    fn u16(&mut self) -> u16 {
        u16::from_le_bytes(self.take())
    }
    fn u64(&mut self) -> u64 {
        u64::from_le_bytes(self.take())
    }
    fn u16s<const N: usize>(&mut self) -> [u16; N] {
        std::array::from_fn(|_| self.u16())
    }
}

impl TimingData {
    /// Whether `names` is the timing system's event Names (type `ts`, alg `raw`, with
    /// `sequenceValues`).
    pub fn is_timing_names(names: &Names) -> bool {
        names.det_type == TIMING_DET_TYPE
            && names.alg.name == "raw"
            && names.field_index("sequenceValues").is_some()
    }

    /// The timing Names as the DAQ writes it (alg `raw` 2.0.0), for alias `alias`.
    pub fn names(id: NamesId, alias: &str) -> Names {
        let mut n = Names::new(id, TIMING_DET_TYPE, alias, "", Alg::new("raw", 2, 0, 0), 0);
        for (name, ty, len) in FIELDS {
            n = n.with_field(name, ty, u32::from(len > 0));
        }
        n
    }

    /// Decodes the packed 121 bytes (the Data of the timing ShapesData); extra bytes are
    /// ignored.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, TimingError> {
        if bytes.len() < TIMING_DATA_SIZE {
            return Err(TimingError::Short { got: bytes.len() });
        }
        let mut p = Packed(bytes);
        Ok(Self {
            pulse_id: p.u64(),
            time_stamp: p.u64(),
            fixed_rates: p.take(),
            ac_rates: p.take(),
            time_slot: p.u8(),
            time_slot_phase: p.u16(),
            ebeam_present: p.u8(),
            ebeam_destn: p.u8(),
            ebeam_charge: p.u16(),
            ebeam_energy: p.u16s(),
            x_wavelength: p.u16s(),
            dmod5: p.u16(),
            mps_limits: p.take(),
            mps_power_class: p.take(),
            event_codes: EventCodes(p.u16s()),
        })
    }

    /// The packed 121 bytes, in field order, little-endian.
    pub fn to_bytes(&self) -> [u8; TIMING_DATA_SIZE] {
        let mut v = Vec::with_capacity(TIMING_DATA_SIZE);
        v.extend_from_slice(&self.pulse_id.to_le_bytes());
        v.extend_from_slice(&self.time_stamp.to_le_bytes());
        v.extend_from_slice(&self.fixed_rates);
        v.extend_from_slice(&self.ac_rates);
        v.push(self.time_slot);
        v.extend_from_slice(&self.time_slot_phase.to_le_bytes());
        v.push(self.ebeam_present);
        v.push(self.ebeam_destn);
        v.extend_from_slice(&self.ebeam_charge.to_le_bytes());
        for w in self.ebeam_energy.iter().chain(&self.x_wavelength) {
            v.extend_from_slice(&w.to_le_bytes());
        }
        v.extend_from_slice(&self.dmod5.to_le_bytes());
        v.extend_from_slice(&self.mps_limits);
        v.extend_from_slice(&self.mps_power_class);
        for w in &self.event_codes.0 {
            v.extend_from_slice(&w.to_le_bytes());
        }
        let mut out = [0u8; TIMING_DATA_SIZE];
        out.copy_from_slice(&v);
        out
    }

    /// Decodes the fields of a timing ShapesData, checking each one's type and length.
    pub fn from_desc(desc: &DescData<'_, '_>) -> Result<Self, TimingError> {
        let mut packed = Vec::with_capacity(TIMING_DATA_SIZE);
        for (name, ty, len) in FIELDS {
            let f = desc
                .field(name)?
                .ok_or(TimingError::MissingField { field: name })?;
            let n = len.max(1);
            let want = n * ty.size();
            if f.data_type() != ty || f.name().is_array() != (len > 0) || f.bytes().len() != want {
                let what = |t: DataType, array: bool, bytes: usize| {
                    if array {
                        format!("{t} array of {bytes} bytes")
                    } else {
                        format!("{t} scalar of {bytes} bytes")
                    }
                };
                return Err(TimingError::BadField {
                    field: name,
                    expected: what(ty, len > 0, want),
                    found: what(f.data_type(), f.name().is_array(), f.bytes().len()),
                });
            }
            packed.extend_from_slice(f.bytes());
        }
        Self::from_bytes(&packed)
    }
}

/// The timing data of every event of a run that has it, keyed by the event's time stamp.
#[derive(Debug, Clone, Default)]
pub struct RunTiming {
    /// The timing detector's alias, if the run has a timing Names.
    pub alias: Option<String>,
    /// Per event time stamp ([`crate::TimeStamp::as_u64`]): its timing data.
    pub events: BTreeMap<u64, TimingData>,
}

impl RunTiming {
    /// Reads the timing data of every L1Accept of every stream of `run`.
    pub fn read(run: &crate::run::Run) -> Result<Self, Error> {
        let mut out = RunTiming::default();
        for stream in run.streams() {
            let mut table = NamesTable::new();
            let mut timing_ids: Vec<NamesId> = Vec::new();
            let mut dgrams = stream.dgrams();
            while let Some(d) = dgrams.next() {
                let d = d?;
                let path = dgrams.path();
                let ctx = |e: FormatError| e.in_file(path);
                match d.transition_id() {
                    TransitionId::Configure => {
                        table.update(&d).map_err(ctx)?;
                        timing_ids.clear();
                        for names in table.iter() {
                            if TimingData::is_timing_names(names) {
                                timing_ids.push(names.names_id);
                                out.alias.get_or_insert_with(|| names.det_name.clone());
                            }
                        }
                    }
                    TransitionId::L1Accept if !timing_ids.is_empty() => {
                        for xtc in d.xtc().walk() {
                            let xtc = xtc.map_err(ctx)?;
                            if xtc.type_id() != TypeId::ShapesData
                                || !xtc.damage().is_clean()
                                || !timing_ids.contains(&xtc.names_id())
                            {
                                continue;
                            }
                            let Some(names) = table.get(xtc.names_id()) else {
                                continue;
                            };
                            let at = xtc.offset();
                            let sd = ShapesData::decode(&xtc).map_err(ctx)?;
                            let desc = sd.desc(names).map_err(ctx)?;
                            let t =
                                TimingData::from_desc(&desc).map_err(|source| Error::Timing {
                                    path: PathBuf::from(path),
                                    offset: at,
                                    source,
                                })?;
                            out.events.insert(d.time().as_u64(), t);
                        }
                    }
                    _ => {}
                }
            }
        }
        Ok(out)
    }

    /// Whether the run has a timing detector.
    pub fn has_timing(&self) -> bool {
        self.alias.is_some()
    }

    /// The timing data of the event at `time`.
    pub fn get(&self, time: crate::TimeStamp) -> Option<&TimingData> {
        self.events.get(&time.as_u64())
    }

    /// How many events carry each event code, ascending by code.
    pub fn code_counts(&self) -> BTreeMap<u16, u64> {
        let mut counts = BTreeMap::new();
        for t in self.events.values() {
            for c in t.event_codes.iter() {
                *counts.entry(c).or_insert(0) += 1;
            }
        }
        counts
    }

    /// How many events go to each beam destination, with the beam present or not.
    pub fn destination_counts(&self) -> BTreeMap<(u8, bool), u64> {
        let mut counts = BTreeMap::new();
        for t in self.events.values() {
            *counts
                .entry((t.ebeam_destn, t.ebeam_present != 0))
                .or_insert(0) += 1;
        }
        counts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_code_bits_follow_the_word_and_bit_rule() {
        let mut c = EventCodes::new();
        assert!(c.insert(0) && c.insert(17) && c.insert(287));
        assert!(!c.insert(288));
        // code 17: word 1, bit 1; code 287: word 17, bit 15.
        assert_eq!(c.0[0], 1);
        assert_eq!(c.0[1], 2);
        assert_eq!(c.0[17], 0x8000);
        assert_eq!(c.iter().collect::<Vec<_>>(), [0, 17, 287]);
        assert!(!c.contains(288) && !c.contains(u16::MAX));
    }

    #[test]
    fn packed_layout_offsets_by_hand() {
        let t = TimingData {
            pulse_id: 0x0102_0304_0506_0708,
            time_stamp: 9,
            time_slot: 3,
            time_slot_phase: 0xabcd,
            ebeam_present: 1,
            ebeam_destn: 4,
            dmod5: 0x1234,
            event_codes: EventCodes({
                let mut w = [0u16; 18];
                w[10] = 0x0004; // code 162
                w
            }),
            ..TimingData::default()
        };
        let b = t.to_bytes();
        assert_eq!(b[0], 0x08);
        assert_eq!(b[8], 9);
        // 8 + 8 + 10 + 6 = 32: timeSlot; 33..35 phase; 35 present; 36 destn.
        assert_eq!((b[32], b[33], b[34], b[35], b[36]), (3, 0xcd, 0xab, 1, 4));
        // 37 charge(2), 39 energy(8), 47 wavelength(4), 51 dmod5.
        assert_eq!((b[51], b[52]), (0x34, 0x12));
        // 53 + 16 + 16 = 85: sequenceValues; word 10 at 105.
        assert_eq!(b[105], 4);
        assert_eq!(TimingData::from_bytes(&b), Ok(t));
        assert_eq!(
            TimingData::from_bytes(&b[..120]),
            Err(TimingError::Short { got: 120 })
        );
    }
}
