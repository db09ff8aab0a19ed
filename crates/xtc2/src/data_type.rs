/*!
The 13 element types of Names fields, and the Rust types that read and write them.
*/

use std::fmt;

/// The element type of a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DataType {
    /// 0: u8.
    U8,
    /// 1: u16.
    U16,
    /// 2: u32.
    U32,
    /// 3: u64.
    U64,
    /// 4: i8.
    I8,
    /// 5: i16.
    I16,
    /// 6: i32.
    I32,
    /// 7: i64.
    I64,
    /// 8: f32.
    F32,
    /// 9: f64.
    F64,
    /// 10: a NUL-terminated string, stored as a rank-1 byte array.
    CharStr,
    /// 11: the value of an enum (i32).
    EnumVal,
    /// 12: one entry of an enum's dictionary (i32).
    EnumDict,
}

impl DataType {
    /// All types, in code order.
    pub const ALL: [DataType; 13] = [
        Self::U8,
        Self::U16,
        Self::U32,
        Self::U64,
        Self::I8,
        Self::I16,
        Self::I32,
        Self::I64,
        Self::F32,
        Self::F64,
        Self::CharStr,
        Self::EnumVal,
        Self::EnumDict,
    ];

    /// The type with this code, if it is one of the 13.
    pub fn from_code(code: u32) -> Option<Self> {
        Self::ALL.get(usize::try_from(code).ok()?).copied()
    }

    /// The code stored in files.
    pub const fn code(self) -> u32 {
        self as u32
    }

    /// Bytes per element.
    pub const fn size(self) -> usize {
        match self {
            Self::U8 | Self::I8 | Self::CharStr => 1,
            Self::U16 | Self::I16 => 2,
            Self::U32 | Self::I32 | Self::F32 | Self::EnumVal | Self::EnumDict => 4,
            Self::U64 | Self::I64 | Self::F64 => 8,
        }
    }

    /// psana's name of the type (`UINT16`, `CHARSTR`, ...).
    pub const fn name(self) -> &'static str {
        match self {
            Self::U8 => "UINT8",
            Self::U16 => "UINT16",
            Self::U32 => "UINT32",
            Self::U64 => "UINT64",
            Self::I8 => "INT8",
            Self::I16 => "INT16",
            Self::I32 => "INT32",
            Self::I64 => "INT64",
            Self::F32 => "FLOAT",
            Self::F64 => "DOUBLE",
            Self::CharStr => "CHARSTR",
            Self::EnumVal => "ENUMVAL",
            Self::EnumDict => "ENUMDICT",
        }
    }
}

impl fmt::Display for DataType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A Rust number type that is the element of a field type.
pub trait Element: Copy + Default + fmt::Debug + 'static {
    /// Bytes per element.
    const SIZE: usize;
    /// Whether a field of type `dt` holds elements of this type.
    fn matches(dt: DataType) -> bool;
    /// Decodes one element from exactly `SIZE` little-endian bytes (zero if `bytes` is short).
    fn from_le_slice(bytes: &[u8]) -> Self;
    /// Appends the little-endian bytes of this element.
    fn extend_le(self, out: &mut Vec<u8>);
    /// Writes the little-endian bytes of this element to the start of `out` (if it is long enough).
    fn write_le(self, out: &mut [u8]);
}

macro_rules! element {
    ($t:ty, $($dt:ident)|+) => {
        impl Element for $t {
            const SIZE: usize = std::mem::size_of::<$t>();
            fn matches(dt: DataType) -> bool {
                matches!(dt, $(DataType::$dt)|+)
            }
            fn from_le_slice(bytes: &[u8]) -> Self {
                let mut a = [0u8; std::mem::size_of::<$t>()];
                if let Some(src) = bytes.get(..Self::SIZE) {
                    a.copy_from_slice(src);
                }
                <$t>::from_le_bytes(a)
            }
            fn extend_le(self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.to_le_bytes());
            }
            fn write_le(self, out: &mut [u8]) {
                if let Some(dst) = out.get_mut(..Self::SIZE) {
                    dst.copy_from_slice(&self.to_le_bytes());
                }
            }
        }
    };
}

element!(u8, U8 | CharStr);
element!(u16, U16);
element!(u32, U32);
element!(u64, U64);
element!(i8, I8);
element!(i16, I16);
element!(i32, I32 | EnumVal | EnumDict);
element!(i64, I64);
element!(f32, F32);
element!(f64, F64);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_sizes() {
        for (code, dt) in DataType::ALL.iter().enumerate() {
            assert_eq!(DataType::from_code(code as u32), Some(*dt));
            assert_eq!(dt.code(), code as u32);
        }
        assert_eq!(DataType::from_code(13), None);
        assert_eq!(DataType::from_code(u32::MAX), None);
        let sizes: Vec<usize> = DataType::ALL.iter().map(|d| d.size()).collect();
        assert_eq!(sizes, [1, 2, 4, 8, 1, 2, 4, 8, 4, 8, 1, 4, 4]);
    }

    #[test]
    fn elements_decode_little_endian() {
        assert_eq!(u16::from_le_slice(&[0xcf, 0x0a]), 2767);
        assert_eq!(i32::from_le_slice(&[0xff, 0xff, 0xff, 0xff]), -1);
        assert_eq!(f64::from_le_slice(&0.2f64.to_le_bytes()), 0.2);
        assert!(i32::matches(DataType::EnumVal));
        assert!(!u32::matches(DataType::EnumVal));
        let mut v = Vec::new();
        7665u64.extend_le(&mut v);
        assert_eq!(v, [0xf1, 0x1d, 0, 0, 0, 0, 0, 0]);
    }
}
