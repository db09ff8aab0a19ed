//! Per-segment configuration values: the numeric fields of a detector's `config` Names, from
//! Configure and from BeginStep updates (ePix10ka `asicPixelConfig` and `trbit`, JUNGFRAU
//! `user.gainMode`, ...).

use crate::data_type::DataType;
use crate::error::FormatError;
use crate::names::Names;
use crate::shapes_data::{DescData, Shape};

/// Fields larger than this are not kept (a segment's config arrays are a few hundred KB).
const MAX_FIELD_BYTES: usize = 1 << 24;

/// One numeric config field of a segment: its name, element type, shape and little-endian bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigField {
    /// The field name without its enum type (`asicPixelConfig`, `trbit`, `user.gainMode`).
    pub name: String,
    /// The element type.
    pub data_type: DataType,
    /// The shape (rank 0 for a scalar).
    pub shape: Shape,
    /// The values, little-endian, C order.
    pub bytes: Vec<u8>,
}

impl ConfigField {
    /// The values as bytes when the field is UINT8 or INT8 (`asicPixelConfig`, `trbit`).
    pub fn as_u8(&self) -> Option<&[u8]> {
        matches!(self.data_type, DataType::U8 | DataType::I8).then_some(self.bytes.as_slice())
    }
}

/// The numeric config fields of one segment of a detector.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SegmentConfig {
    /// The DAQ segment number.
    pub segment: u32,
    /// The fields, in the order the Names list them (strings and enum dictionaries left out).
    pub fields: Vec<ConfigField>,
}

impl SegmentConfig {
    /// The field called `name` (without enum type), if present.
    pub fn field(&self, name: &str) -> Option<&ConfigField> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// Adds the fields of `other` that this config does not have yet; with `replace`, the
    /// fields of `other` win (a step update over the Configure values).
    pub fn merge(&mut self, other: &SegmentConfig, replace: bool) {
        for f in &other.fields {
            match self.fields.iter_mut().find(|g| g.name == f.name) {
                Some(g) if replace => *g = f.clone(),
                Some(_) => {}
                None => self.fields.push(f.clone()),
            }
        }
    }
}

/// The numeric fields of one `config` ShapesData of a segment.
pub(crate) fn segment_config(
    names: &Names,
    desc: &DescData<'_, '_>,
) -> Result<SegmentConfig, FormatError> {
    let mut out = SegmentConfig {
        segment: names.segment,
        fields: Vec::new(),
    };
    for field in desc.fields() {
        let field = field?;
        let dt = field.data_type();
        if matches!(dt, DataType::CharStr | DataType::EnumDict) {
            continue;
        }
        let bytes = field.bytes();
        if bytes.len() > MAX_FIELD_BYTES {
            continue;
        }
        let name = field.name().base_name().to_string();
        if out.fields.iter().any(|f| f.name == name) {
            continue;
        }
        out.fields.push(ConfigField {
            name,
            data_type: dt,
            shape: field.shape(),
            bytes: bytes.to_vec(),
        });
    }
    Ok(out)
}
