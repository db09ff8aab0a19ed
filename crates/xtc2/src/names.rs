/*!
Names: the description of one detector segment's fields (found in Configure). The same
[`Names`] value is decoded by the reader ([`Names::decode`]) and encoded by the writer.

Layout (offsets from the start of the Names Xtc): header (12), `numArrays` u32, `detType`,
`detName`, `detId`, alg name (each `char[256]`, NUL-terminated, garbage after the NUL ignored), alg
version u32, segment u32, then N Name entries of 524 bytes: alg name `char[256]`, alg version u32,
field name `char[256]`, data type u32, rank u32.
*/

use std::fmt;

use crate::cursor::{Cursor, cstr};
use crate::data_type::DataType;
use crate::error::{FormatError, FormatErrorKind};
use crate::type_id::NamesId;
use crate::xtc::Xtc;

/// Bytes of a fixed string buffer in Names.
pub const NAME_BUF: usize = 256;
/// Bytes of a Names payload before its entries.
pub const NAMES_FIXED: usize = 4 + 4 * NAME_BUF + 4 + 4;
/// Bytes of one Name entry.
pub const NAME_ENTRY: usize = NAME_BUF + 4 + NAME_BUF + 4 + 4;
/// The largest rank a field can have.
pub const MAX_RANK: u32 = 5;

/// An algorithm version `major.minor.micro`, stored as `major << 16 | minor << 8 | micro`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct AlgVersion(pub u32);

impl AlgVersion {
    /// The version `major.minor.micro`.
    pub const fn new(major: u16, minor: u8, micro: u8) -> Self {
        Self(((major as u32) << 16) | ((minor as u32) << 8) | micro as u32)
    }

    /// The major number (bits 16-31).
    pub const fn major(self) -> u16 {
        (self.0 >> 16) as u16
    }

    /// The minor number (bits 8-15).
    pub const fn minor(self) -> u8 {
        (self.0 >> 8) as u8
    }

    /// The micro number (bits 0-7).
    pub const fn micro(self) -> u8 {
        self.0 as u8
    }
}

impl fmt::Display for AlgVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major(), self.minor(), self.micro())
    }
}

/// An algorithm: name and version.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Alg {
    /// The name (`raw`, `config`, `runinfo`, ...).
    pub name: String,
    /// The version.
    pub version: AlgVersion,
}

impl Alg {
    /// An algorithm `name` of version `major.minor.micro`.
    pub fn new(name: impl Into<String>, major: u16, minor: u8, micro: u8) -> Self {
        Self {
            name: name.into(),
            version: AlgVersion::new(major, minor, micro),
        }
    }
}

/// One field of a Names: name, element type and rank.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Name {
    /// The field name; `.` separates levels and `:Type` marks an enum (`user.gainMode:gainModeEnum`).
    pub name: String,
    /// The element type.
    pub data_type: DataType,
    /// 0 for a scalar, else the number of dimensions (at most 5).
    pub rank: u32,
    /// The per-field algorithm (usually empty).
    pub alg: Alg,
}

impl Name {
    /// A field with an empty per-field algorithm.
    pub fn new(name: impl Into<String>, data_type: DataType, rank: u32) -> Self {
        Self {
            name: name.into(),
            data_type,
            rank,
            alg: Alg::default(),
        }
    }

    /// The name without an enum suffix: `user.gainMode` for `user.gainMode:gainModeEnum`.
    pub fn base_name(&self) -> &str {
        self.name
            .split_once(':')
            .map_or(&self.name, |(base, _)| base)
    }

    /// The enum type after `:`, if any: `gainModeEnum` for `user.gainMode:gainModeEnum`.
    pub fn enum_type(&self) -> Option<&str> {
        self.name.split_once(':').map(|(_, ty)| ty)
    }

    /// Whether this field is an array (rank > 0).
    pub fn is_array(&self) -> bool {
        self.rank > 0
    }
}

/// The description of one detector segment's fields, keyed by its NamesId.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Names {
    /// The NamesId (`src` of the Names and of its ShapesData).
    pub names_id: NamesId,
    /// The detector type (`jungfrau`, `epix10ka`, ...).
    pub det_type: String,
    /// The DAQ alias (`jungfrau`, `epixquad`, ...).
    pub det_name: String,
    /// This segment's serial id (panel id).
    pub det_id: String,
    /// The algorithm (`raw` 0.2.0, `config`, `runinfo`, ...).
    pub alg: Alg,
    /// The segment number.
    pub segment: u32,
    /// The fields, in Data order.
    pub fields: Vec<Name>,
}

impl Names {
    /// A Names with no fields yet.
    pub fn new(
        names_id: NamesId,
        det_type: impl Into<String>,
        det_name: impl Into<String>,
        det_id: impl Into<String>,
        alg: Alg,
        segment: u32,
    ) -> Self {
        Self {
            names_id,
            det_type: det_type.into(),
            det_name: det_name.into(),
            det_id: det_id.into(),
            alg,
            segment,
            fields: Vec::new(),
        }
    }

    /// Adds a field (builder style).
    pub fn with_field(mut self, name: impl Into<String>, data_type: DataType, rank: u32) -> Self {
        self.fields.push(Name::new(name, data_type, rank));
        self
    }

    /// The number of array fields (`numArrays`).
    pub fn num_arrays(&self) -> u32 {
        self.fields.iter().filter(|f| f.is_array()).count() as u32
    }

    /// The index of the field whose name, or name without enum suffix, is `name`.
    pub fn field_index(&self, name: &str) -> Option<usize> {
        self.fields
            .iter()
            .position(|f| f.name == name || f.base_name() == name)
    }

    /// psana's detector class name: `<detType>_<alg>_<major>_<minor>_<micro>`.
    pub fn class_name(&self) -> String {
        let v = self.alg.version;
        format!(
            "{}_{}_{}_{}_{}",
            self.det_type,
            self.alg.name,
            v.major(),
            v.minor(),
            v.micro()
        )
    }

    /// Decodes a Names Xtc (type id 4).
    pub fn decode(xtc: &Xtc<'_>) -> Result<Self, FormatError> {
        let mut cur = xtc.payload_cursor();
        let len = cur.len();
        let entries_len = len.checked_sub(NAMES_FIXED);
        let count = match entries_len {
            Some(rest) if rest % NAME_ENTRY == 0 => rest / NAME_ENTRY,
            _ => {
                return Err(FormatErrorKind::BadNamesSize { len: len as u64 }.at(xtc.offset()));
            }
        };
        let num_arrays_at = cur.at();
        let num_arrays = cur.u32("Names numArrays")?;
        let det_type = string(&mut cur, "Names detType")?;
        let det_name = string(&mut cur, "Names detName")?;
        let det_id = string(&mut cur, "Names detId")?;
        let alg_name = string(&mut cur, "Names alg name")?;
        let alg_version = AlgVersion(cur.u32("Names alg version")?);
        let segment = cur.u32("Names segment")?;
        // `count` is bounded by the checked payload length, so this allocation is too.
        let mut fields = Vec::with_capacity(count);
        for _ in 0..count {
            let mut entry = cur.split(NAME_ENTRY, "Name entry")?;
            let alg_name = string(&mut entry, "Name alg name")?;
            let alg_version = AlgVersion(entry.u32("Name alg version")?);
            let name = string(&mut entry, "Name field name")?;
            let type_at = entry.at();
            let code = entry.u32("Name data type")?;
            let data_type = DataType::from_code(code)
                .ok_or_else(|| FormatErrorKind::UnknownDataType(code).at(type_at))?;
            let rank_at = entry.at();
            let rank = entry.u32("Name rank")?;
            if rank > MAX_RANK {
                return Err(FormatErrorKind::BadRank(rank).at(rank_at));
            }
            fields.push(Name {
                name,
                data_type,
                rank,
                alg: Alg {
                    name: alg_name,
                    version: alg_version,
                },
            });
        }
        let names = Self {
            names_id: xtc.names_id(),
            det_type,
            det_name,
            det_id,
            alg: Alg {
                name: alg_name,
                version: alg_version,
            },
            segment,
            fields,
        };
        let counted = names.num_arrays();
        if counted != num_arrays {
            return Err(FormatErrorKind::NumArraysMismatch {
                declared: num_arrays,
                counted,
            }
            .at(num_arrays_at));
        }
        Ok(names)
    }
}

/// Reads a fixed 256-byte string buffer: up to the first NUL, invalid UTF-8 replaced.
fn string(cur: &mut Cursor<'_>, what: &'static str) -> Result<String, FormatError> {
    let buf = cur.take(NAME_BUF, what)?;
    Ok(String::from_utf8_lossy(cstr(buf)).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixed(s: &[u8]) -> Vec<u8> {
        let mut v = s.to_vec();
        v.resize(NAME_BUF, 0);
        v
    }

    /// A Names Xtc, built field by field as the file lays it out.
    fn names_xtc(num_arrays: u32, entries: &[(&[u8], u32, u32)]) -> Vec<u8> {
        let mut p = Vec::new();
        p.extend_from_slice(&num_arrays.to_le_bytes()); // numArrays
        p.extend(fixed(b"jungfrau\0\0\x03\0\x10garbage")); // detType, garbage after the NUL
        p.extend(fixed(b"jungfrau")); // detName
        p.extend(fixed(b"8000000020000-230920-20004002c")); // detId
        p.extend(fixed(b"raw")); // alg name
        p.extend_from_slice(&0x0000_0200u32.to_le_bytes()); // alg version 0.2.0
        p.extend_from_slice(&3u32.to_le_bytes()); // segment
        for (name, dt, rank) in entries {
            p.extend(fixed(b"")); // per-field alg name
            p.extend_from_slice(&0u32.to_le_bytes()); // per-field alg version
            p.extend(fixed(name)); // field name
            p.extend_from_slice(&dt.to_le_bytes()); // data type
            p.extend_from_slice(&rank.to_le_bytes()); // rank
        }
        let mut x = Vec::new();
        x.extend_from_slice(&0x10au32.to_le_bytes()); // src = NamesId
        x.extend_from_slice(&0u16.to_le_bytes()); // damage
        x.extend_from_slice(&4u16.to_le_bytes()); // contains: Names
        x.extend_from_slice(&(12 + p.len() as u32).to_le_bytes()); // extent
        x.extend(p);
        x
    }

    #[test]
    fn decodes_jungfrau_raw_names() {
        let bytes = names_xtc(1, &[(b"raw", 1, 3), (b"frame_cnt", 3, 0)]);
        let xtc = Xtc::from_bytes(&bytes, 24).unwrap();
        let n = Names::decode(&xtc).unwrap();
        assert_eq!(n.names_id, NamesId(0x10a));
        assert_eq!(n.det_type, "jungfrau");
        assert_eq!(n.det_name, "jungfrau");
        assert_eq!(n.det_id, "8000000020000-230920-20004002c");
        assert_eq!(n.alg, Alg::new("raw", 0, 2, 0));
        assert_eq!(n.alg.version.to_string(), "0.2.0");
        assert_eq!(n.segment, 3);
        assert_eq!(
            n.fields,
            [
                Name::new("raw", DataType::U16, 3),
                Name::new("frame_cnt", DataType::U64, 0)
            ]
        );
        assert_eq!(n.class_name(), "jungfrau_raw_0_2_0");
    }

    #[test]
    fn refuses_bad_entries() {
        type Entries<'a> = &'a [(&'a [u8], u32, u32)];
        let cases: [(u32, Entries<'_>, &str); 3] = [
            (0, &[(b"x", 13, 0)], "unknown data type 13"),
            (1, &[(b"x", 1, 6)], "rank 6 exceeds the maximum of 5"),
            (
                2,
                &[(b"x", 1, 1)],
                "Names says 2 arrays but 1 of its fields have rank > 0",
            ),
        ];
        for (num_arrays, entries, msg) in cases {
            let bytes = names_xtc(num_arrays, entries);
            let e = Names::decode(&Xtc::from_bytes(&bytes, 0).unwrap()).unwrap_err();
            assert!(e.to_string().ends_with(msg), "{e}");
        }
    }

    #[test]
    fn refuses_partial_entry() {
        let mut bytes = names_xtc(0, &[(b"x", 1, 0)]);
        bytes.truncate(bytes.len() - 1);
        let len = bytes.len() as u32;
        bytes[8..12].copy_from_slice(&len.to_le_bytes());
        let e = Names::decode(&Xtc::from_bytes(&bytes, 0).unwrap()).unwrap_err();
        assert_eq!(e.kind, FormatErrorKind::BadNamesSize { len: 1036 + 523 });
    }

    #[test]
    fn enum_field_names_split() {
        let f = Name::new("user.gainMode:gainModeEnum", DataType::EnumVal, 0);
        assert_eq!(f.base_name(), "user.gainMode");
        assert_eq!(f.enum_type(), Some("gainModeEnum"));
        assert_eq!(Name::new("raw", DataType::U16, 3).enum_type(), None);
    }
}
