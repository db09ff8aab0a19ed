/*!
Detector types, calibration groups, calibration types, panel shapes and gain modes.

The tables follow psana (LCLS-I `PSCalib.GlobalUtils`): the detector type of a DetInfo source
string is found by an ordered substring rule, and each type has a calibration group directory in
the calibration store (`Jungfrau::CalibV1`, `Camera::CalibV1`, ...).
*/

/// ePix10ka panel geometry, gain ranges and their decoding from config bits and data bit 14.
pub mod epix10ka;
/// JUNGFRAU panel geometry: panel, ASIC, half-panel and common-mode bank sizes.
pub mod jungfrau;

use std::fmt;
use std::str::FromStr;

use crate::error::{Error, Result};
use crate::formats::array::DType;

/// A detector type, with psana's enum numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[allow(missing_docs)]
pub enum DetType {
    Undefined = 0,
    Cspad = 1,
    Cspad2x2 = 2,
    Princeton = 3,
    Pnccd = 4,
    Tm6740 = 5,
    Opal1000 = 6,
    Opal2000 = 7,
    Opal4000 = 8,
    Opal8000 = 9,
    OrcaFl40 = 10,
    Epix = 11,
    Epix10k = 12,
    Epix100a = 13,
    Fccd960 = 14,
    Andor = 15,
    Acqiris = 16,
    Imp = 17,
    Quartz4A150 = 18,
    Rayonix = 19,
    Evr = 20,
    Fccd = 21,
    Timepix = 22,
    Fli = 23,
    Pimax = 24,
    Andor3d = 25,
    Jungfrau = 26,
    Zyla = 27,
    EpicsCam = 28,
    Epix10ka = 29,
    Uxi = 30,
    Pixis = 31,
    Epix10ka2M = 32,
    Epix10kaQuad = 33,
    Streak = 34,
    Archon = 35,
    IStar = 36,
    Alvium = 37,
}

/// The source-string patterns of psana's `det_type_from_source`, in the order they are tried.
const SOURCE_PATTERNS: &[(&str, DetType)] = &[
    (":Cspad.", DetType::Cspad),
    (":Cspad2x2.", DetType::Cspad2x2),
    (":pnCCD.", DetType::Pnccd),
    (":Princeton.", DetType::Princeton),
    (":Andor.", DetType::Andor),
    (":Epix100a.", DetType::Epix100a),
    (":Epix10k.", DetType::Epix10k),
    (":Epix.", DetType::Epix),
    (":Opal1000.", DetType::Opal1000),
    (":Opal2000.", DetType::Opal2000),
    (":Opal4000.", DetType::Opal4000),
    (":Opal8000.", DetType::Opal8000),
    (":Tm6740.", DetType::Tm6740),
    (":OrcaFl40.", DetType::OrcaFl40),
    (":Fccd960.", DetType::Fccd960),
    (":Acqiris.", DetType::Acqiris),
    (":Imp.", DetType::Imp),
    (":Quartz4A150.", DetType::Quartz4A150),
    (":Rayonix.", DetType::Rayonix),
    (":Evr.", DetType::Evr),
    (":Fccd.", DetType::Fccd),
    (":Timepix.", DetType::Timepix),
    (":Fli.", DetType::Fli),
    (":Pimax.", DetType::Pimax),
    (":DualAndor.", DetType::Andor3d),
    (":Jungfrau.", DetType::Jungfrau),
    (":Zyla.", DetType::Zyla),
    (":ControlsCamera.", DetType::EpicsCam),
    (":Epix10ka.", DetType::Epix10ka),
    (":Uxi.", DetType::Uxi),
    (":Pixis.", DetType::Pixis),
    (":Epix10ka2M.", DetType::Epix10ka2M),
    (":Epix10kaQuad.", DetType::Epix10kaQuad),
    (":StreakC7700.", DetType::Streak),
    (":Archon.", DetType::Archon),
    (":iStar.", DetType::IStar),
    (":Alvium.", DetType::Alvium),
];

/// Every defined detector type, in enum order.
pub const ALL_DET_TYPES: &[DetType] = &[
    DetType::Cspad,
    DetType::Cspad2x2,
    DetType::Princeton,
    DetType::Pnccd,
    DetType::Tm6740,
    DetType::Opal1000,
    DetType::Opal2000,
    DetType::Opal4000,
    DetType::Opal8000,
    DetType::OrcaFl40,
    DetType::Epix,
    DetType::Epix10k,
    DetType::Epix100a,
    DetType::Fccd960,
    DetType::Andor,
    DetType::Acqiris,
    DetType::Imp,
    DetType::Quartz4A150,
    DetType::Rayonix,
    DetType::Evr,
    DetType::Fccd,
    DetType::Timepix,
    DetType::Fli,
    DetType::Pimax,
    DetType::Andor3d,
    DetType::Jungfrau,
    DetType::Zyla,
    DetType::EpicsCam,
    DetType::Epix10ka,
    DetType::Uxi,
    DetType::Pixis,
    DetType::Epix10ka2M,
    DetType::Epix10kaQuad,
    DetType::Streak,
    DetType::Archon,
    DetType::IStar,
    DetType::Alvium,
];

impl DetType {
    /// The detector type of a psana DetInfo source string such as `CxiDs1.0:Jungfrau.0`.
    ///
    /// The patterns are tried in psana's order and the first match wins; anything else is
    /// [`DetType::Undefined`]. A `DetInfo(...)` wrapper is accepted.
    pub fn from_source(source: &str) -> DetType {
        let s = strip_detinfo(source);
        SOURCE_PATTERNS
            .iter()
            .find(|(pat, _)| s.contains(pat))
            .map_or(DetType::Undefined, |&(_, t)| t)
    }

    /// The detector type for a name compared without case (`jungfrau`, `Epix100a`, `pnccd`).
    ///
    /// LCLS-II detector type names (`epix100`, `epixquad`, ...) are accepted too.
    pub fn from_name(name: &str) -> Option<DetType> {
        let lower = name.to_ascii_lowercase();
        let alias = match lower.as_str() {
            "epix100" => Some(DetType::Epix100a),
            "epixquad" | "epix10kaquad" => Some(DetType::Epix10kaQuad),
            "epix10ka2m" | "epixhr2m" => Some(DetType::Epix10ka2M),
            "dualandor" => Some(DetType::Andor3d),
            "controlscamera" => Some(DetType::EpicsCam),
            "streakc7700" => Some(DetType::Streak),
            _ => None,
        };
        alias.or_else(|| {
            ALL_DET_TYPES
                .iter()
                .copied()
                .find(|t| t.name().eq_ignore_ascii_case(&lower))
        })
    }

    /// psana's name of the type (`Jungfrau`, `Epix100a`, `pnCCD`, ...).
    pub fn name(self) -> &'static str {
        use DetType::*;
        match self {
            Undefined => "UNDEFINED",
            Cspad => "Cspad",
            Cspad2x2 => "Cspad2x2",
            Princeton => "Princeton",
            Pnccd => "pnCCD",
            Tm6740 => "Tm6740",
            Opal1000 => "Opal1000",
            Opal2000 => "Opal2000",
            Opal4000 => "Opal4000",
            Opal8000 => "Opal8000",
            OrcaFl40 => "OrcaFl40",
            Epix => "Epix",
            Epix10k => "Epix10k",
            Epix100a => "Epix100a",
            Fccd960 => "Fccd960",
            Andor => "Andor",
            Acqiris => "Acqiris",
            Imp => "Imp",
            Quartz4A150 => "Quartz4A150",
            Rayonix => "Rayonix",
            Evr => "Evr",
            Fccd => "Fccd",
            Timepix => "Timepix",
            Fli => "Fli",
            Pimax => "Pimax",
            Andor3d => "Andor3d",
            Jungfrau => "Jungfrau",
            Zyla => "Zyla",
            EpicsCam => "ControlsCamera",
            Epix10ka => "Epix10ka",
            Uxi => "Uxi",
            Pixis => "Pixis",
            Epix10ka2M => "Epix10ka2M",
            Epix10kaQuad => "Epix10kaQuad",
            Streak => "StreakC7700",
            Archon => "Archon",
            IStar => "iStar",
            Alvium => "Alvium",
        }
    }

    /// The lower-case type name used for repository directories (`jungfrau`, `epix100a`, `pnccd`).
    pub fn dir_name(self) -> String {
        self.name().to_ascii_lowercase()
    }

    /// psana's unique id of a detector of this type made of `panel_ids`:
    /// `<type>_<panel id>_<panel id>...` (`jungfrau_170505-149520170815-3d00b0`).
    pub fn unique_id<S: AsRef<str>>(self, panel_ids: &[S]) -> String {
        let mut id = self.dir_name();
        for p in panel_ids {
            id.push('_');
            id.push_str(p.as_ref());
        }
        id
    }

    /// The DetInfo source naming a detector of this type with DAQ alias `alias` in the
    /// calibration store by default: `<alias>.0:<Type>.0` (`jungfrau.0:Jungfrau.0`).
    pub fn default_source(self, alias: &str) -> String {
        format!("{alias}.0:{}.0", self.name())
    }

    /// The calibration group directory of this type (`Jungfrau::CalibV1`, `Camera::CalibV1`, ...).
    pub fn calib_group(self) -> &'static str {
        use DetType::*;
        match self {
            Undefined => "UNDEFINED",
            Cspad => "CsPad::CalibV1",
            Cspad2x2 => "CsPad2x2::CalibV1",
            Princeton => "Princeton::CalibV1",
            Pnccd => "PNCCD::CalibV1",
            Tm6740 | Opal1000 | Opal2000 | Opal4000 | Opal8000 | OrcaFl40 | Fccd960
            | Quartz4A150 | Rayonix | Fccd | Zyla | EpicsCam | Streak | Archon | IStar | Alvium => {
                "Camera::CalibV1"
            }
            Epix => "Epix::CalibV1",
            Epix10k | Epix10ka => "Epix10ka::CalibV1",
            Epix100a => "Epix100a::CalibV1",
            Andor => "Andor::CalibV1",
            Acqiris => "Acqiris::CalibV1",
            Imp => "Imp::CalibV1",
            Evr => "EvrData::CalibV1",
            Timepix => "Timepix::CalibV1",
            Fli => "Fli::CalibV1",
            Pimax => "Pimax::CalibV1",
            Andor3d => "Andor3d::CalibV1",
            Jungfrau => "Jungfrau::CalibV1",
            Uxi => "Uxi::CalibV1",
            Pixis => "Pixis::CalibV1",
            Epix10ka2M => "Epix10ka2M::CalibV1",
            Epix10kaQuad => "Epix10kaQuad::CalibV1",
        }
    }

    /// The fixed shape psana gives this type's constants, or `None` for variable-size types
    /// whose constants keep the shape of their file.
    pub fn base_shape(self) -> Option<&'static [usize]> {
        match self {
            DetType::Cspad => Some(&[32, 185, 388]),
            DetType::Cspad2x2 => Some(&[185, 388, 2]),
            DetType::Pnccd => Some(&[4, 512, 512]),
            DetType::Epix100a => Some(&[704, 768]),
            DetType::Imp => Some(&[4, 1023]),
            _ => None,
        }
    }

    /// The shape (rows, cols) of one panel (segment) of the raw data, where it is fixed.
    pub fn panel_shape(self) -> Option<(usize, usize)> {
        match self {
            DetType::Jungfrau => Some((jungfrau::PANEL_ROWS, jungfrau::PANEL_COLS)),
            DetType::Epix10ka | DetType::Epix10k | DetType::Epix10ka2M | DetType::Epix10kaQuad => {
                Some((352, 384))
            }
            DetType::Epix100a => Some((704, 768)),
            DetType::Cspad | DetType::Cspad2x2 => Some((185, 388)),
            DetType::Pnccd => Some((512, 512)),
            _ => None,
        }
    }

    /// The gain modes of this type, or an empty list for single-gain detectors.
    pub fn gain_modes(self) -> &'static [GainModeInfo] {
        match self {
            DetType::Jungfrau => JUNGFRAU_GAIN_MODES,
            DetType::Epix10ka | DetType::Epix10k | DetType::Epix10ka2M | DetType::Epix10kaQuad => {
                EPIX10KA_GAIN_MODES
            }
            _ => &[],
        }
    }

    /// The number of gain indices of the merged constants (3 for JUNGFRAU, 7 for ePix10ka, 1 otherwise).
    pub fn gain_ranges(self) -> usize {
        match self {
            DetType::Jungfrau => 3,
            DetType::Epix10ka | DetType::Epix10k | DetType::Epix10ka2M | DetType::Epix10kaQuad => 7,
            _ => 1,
        }
    }

    /// The mask of the ADC bits in a raw word (0x3fff for JUNGFRAU and ePix, psana's default).
    pub fn data_bits(self) -> u16 {
        0x3fff
    }

    /// psana's default `common_mode` parameters for this type (16 values; zeros mean off).
    pub fn default_common_mode(self) -> [f64; 16] {
        let head: &[f64] = match self {
            DetType::Jungfrau => &[7.0, 1.0, 100.0, 0.0],
            DetType::Epix10ka | DetType::Epix10k | DetType::Epix10ka2M | DetType::Epix10kaQuad => {
                &[7.0, 2.0, 10.0, 10.0]
            }
            DetType::Epix100a => &[4.0, 6.0, 30.0, 30.0],
            DetType::Cspad | DetType::Cspad2x2 => &[1.0, 25.0, 25.0, 100.0],
            DetType::Pnccd => &[3.0, 350.0, 350.0, 128.0],
            _ => &[],
        };
        let mut out = [0.0; 16];
        out[..head.len()].copy_from_slice(head);
        out
    }

    /// Whether psana gives this type a fixed constants shape (see [`DetType::base_shape`]).
    pub fn is_fixed_size(self) -> bool {
        self.base_shape().is_some()
    }
}

impl fmt::Display for DetType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for DetType {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        DetType::from_name(s).ok_or_else(|| Error::BadName {
            kind: "detector type",
            name: s.to_string(),
            reason: "not a known detector type (jungfrau, epix10ka, epix10kaquad, epix10ka2m, \
                     epix100a, cspad, cspad2x2, pnccd, ...)"
                .to_string(),
        })
    }
}

fn strip_detinfo(source: &str) -> &str {
    source
        .strip_prefix("DetInfo(")
        .and_then(|s| s.strip_suffix(')'))
        .unwrap_or(source)
}

/// One gain mode of a multi-gain detector.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GainModeInfo {
    /// The configuration enum name (`Normal`, `ForcedGain1`, `FH`, `AHL-H`, ...).
    pub name: &'static str,
    /// The configuration enum value.
    pub config_value: u32,
    /// The index of the gain range in merged constants (0..3 for JUNGFRAU, 0..7 for ePix10ka).
    pub index: usize,
}

/// JUNGFRAU gain modes, in configuration enum order.
pub const JUNGFRAU_GAIN_MODES: &[GainModeInfo] = &[
    GainModeInfo {
        name: "Normal",
        config_value: 0,
        index: 0,
    },
    GainModeInfo {
        name: "FixedGain1",
        config_value: 1,
        index: 1,
    },
    GainModeInfo {
        name: "FixedGain2",
        config_value: 2,
        index: 2,
    },
    GainModeInfo {
        name: "ForcedGain1",
        config_value: 3,
        index: 1,
    },
    GainModeInfo {
        name: "ForcedGain2",
        config_value: 4,
        index: 2,
    },
    GainModeInfo {
        name: "HighGain0",
        config_value: 5,
        index: 0,
    },
];

/// ePix10ka gain modes, in gain-index order.
pub const EPIX10KA_GAIN_MODES: &[GainModeInfo] = &[
    GainModeInfo {
        name: "FH",
        config_value: 0,
        index: 0,
    },
    GainModeInfo {
        name: "FM",
        config_value: 1,
        index: 1,
    },
    GainModeInfo {
        name: "FL",
        config_value: 2,
        index: 2,
    },
    GainModeInfo {
        name: "AHL-H",
        config_value: 3,
        index: 3,
    },
    GainModeInfo {
        name: "AML-M",
        config_value: 4,
        index: 4,
    },
    GainModeInfo {
        name: "AHL-L",
        config_value: 5,
        index: 5,
    },
    GainModeInfo {
        name: "AML-L",
        config_value: 6,
        index: 6,
    },
];

/// The names of the three JUNGFRAU gain indices as the dark processing of a standard dark run
/// labels them (gain modes of the three steps).
pub const JUNGFRAU_DEFAULT_STEP_MODES: [&str; 3] = ["Normal", "ForcedGain1", "ForcedGain2"];

/// Finds a gain mode of `det` by its name (case-insensitive) or configuration value.
pub fn gain_mode(det: DetType, name_or_value: &str) -> Result<GainModeInfo> {
    let modes = det.gain_modes();
    let found = modes
        .iter()
        .find(|m| m.name.eq_ignore_ascii_case(name_or_value))
        .or_else(|| {
            name_or_value
                .parse::<u32>()
                .ok()
                .and_then(|v| modes.iter().find(|m| m.config_value == v))
        });
    found.copied().ok_or_else(|| Error::BadName {
        kind: "gain mode",
        name: name_or_value.to_string(),
        reason: if modes.is_empty() {
            format!("{det} has no gain modes")
        } else {
            format!(
                "{det} gain modes are {}",
                modes
                    .iter()
                    .map(|m| format!("{}={}", m.config_value, m.name))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        },
    })
}

/// The LCLS-I JUNGFRAU gain mode of a DAQ gain mode: an LCLS-II enum name (`DYNAMIC`,
/// `FORCE_SWITCH_G1`, `FORCE_SWITCH_G2`, `FIX_G1`, `FIX_G2`, `FIX_G0`) or an LCLS-I name, else the
/// LCLS-II enum value (0 DYNAMIC .. 4 FIX_G2).
pub fn jungfrau_mode_from_daq(value: i32, name: Option<&str>) -> Option<GainModeInfo> {
    let lcls1 = |n: &str| JUNGFRAU_GAIN_MODES.iter().find(|m| m.name == n).copied();
    if let Some(n) = name {
        let mapped = match n.to_ascii_uppercase().as_str() {
            "DYNAMIC" | "NORMAL" => Some("Normal"),
            "FORCE_SWITCH_G1" | "FORCEDGAIN1" => Some("ForcedGain1"),
            "FORCE_SWITCH_G2" | "FORCEDGAIN2" => Some("ForcedGain2"),
            "FIX_G1" | "FIXEDGAIN1" => Some("FixedGain1"),
            "FIX_G2" | "FIXEDGAIN2" => Some("FixedGain2"),
            "FIX_G0" | "HIGHGAIN0" => Some("HighGain0"),
            _ => None,
        };
        if let Some(m) = mapped {
            return lcls1(m);
        }
    }
    match value {
        0 => lcls1("Normal"),
        1 => lcls1("ForcedGain1"),
        2 => lcls1("ForcedGain2"),
        3 => lcls1("FixedGain1"),
        4 => lcls1("FixedGain2"),
        _ => None,
    }
}

/// The JUNGFRAU gain code (raw bits 15..14) expected for pixels of a gain index: 0, 1 or 3.
pub fn jungfrau_expected_gain_code(gain_index: usize) -> u16 {
    match gain_index {
        0 => 0,
        1 => 1,
        _ => 3,
    }
}

/// A calibration type (the `<ctype>` directory of the calibration store), psana's enum order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum CalibType {
    Pedestals = 0,
    PixelStatus = 1,
    PixelRms = 2,
    PixelGain = 3,
    PixelMask = 4,
    PixelBkgd = 5,
    CommonMode = 6,
    Geometry = 7,
    PixelOffset = 8,
    StatusData = 9,
    StatusExtra = 10,
}

/// Every calibration type, in enum order.
pub const ALL_CALIB_TYPES: &[CalibType] = &[
    CalibType::Pedestals,
    CalibType::PixelStatus,
    CalibType::PixelRms,
    CalibType::PixelGain,
    CalibType::PixelMask,
    CalibType::PixelBkgd,
    CalibType::CommonMode,
    CalibType::Geometry,
    CalibType::PixelOffset,
    CalibType::StatusData,
    CalibType::StatusExtra,
];

/// What psana uses for a calibration type when its file is missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CalibDefault {
    /// An array of zeros.
    Zeros,
    /// An array of ones.
    Ones,
    /// The detector's default common-mode parameters.
    CommonMode,
    /// No default (geometry).
    None,
}

impl CalibType {
    /// The directory name (`pedestals`, `pixel_status`, ...).
    pub fn name(self) -> &'static str {
        match self {
            CalibType::Pedestals => "pedestals",
            CalibType::PixelStatus => "pixel_status",
            CalibType::PixelRms => "pixel_rms",
            CalibType::PixelGain => "pixel_gain",
            CalibType::PixelMask => "pixel_mask",
            CalibType::PixelBkgd => "pixel_bkgd",
            CalibType::CommonMode => "common_mode",
            CalibType::Geometry => "geometry",
            CalibType::PixelOffset => "pixel_offset",
            CalibType::StatusData => "status_data",
            CalibType::StatusExtra => "status_extra",
        }
    }

    /// The calibration type with directory name `name`, if it is one of psana's.
    pub fn from_name(name: &str) -> Option<CalibType> {
        ALL_CALIB_TYPES.iter().copied().find(|c| c.name() == name)
    }

    /// The element type psana casts the loaded array to (`None` for geometry, which is text).
    pub fn dtype(self) -> Option<DType> {
        match self {
            CalibType::Pedestals
            | CalibType::PixelRms
            | CalibType::PixelGain
            | CalibType::PixelBkgd
            | CalibType::PixelOffset => Some(DType::F32),
            CalibType::PixelStatus | CalibType::StatusData => Some(DType::U16),
            CalibType::PixelMask => Some(DType::U8),
            CalibType::CommonMode => Some(DType::F64),
            CalibType::StatusExtra => Some(DType::U64),
            CalibType::Geometry => None,
        }
    }

    /// What psana uses when the file is missing (for fixed-size detectors).
    pub fn default_fill(self) -> CalibDefault {
        match self {
            CalibType::PixelRms | CalibType::PixelGain | CalibType::PixelMask => CalibDefault::Ones,
            CalibType::CommonMode => CalibDefault::CommonMode,
            CalibType::Geometry => CalibDefault::None,
            _ => CalibDefault::Zeros,
        }
    }

    /// Whether the type holds bad-pixel status bits.
    pub fn is_status(self) -> bool {
        matches!(
            self,
            CalibType::PixelStatus | CalibType::StatusData | CalibType::StatusExtra
        )
    }

    /// psana's number format for this type in deployed JUNGFRAU files.
    pub fn jungfrau_fmt(self) -> &'static str {
        match self {
            CalibType::Pedestals | CalibType::PixelRms => "%.3f",
            CalibType::PixelStatus => "%4i",
            CalibType::PixelGain => "%.4f",
            CalibType::PixelOffset => "%.1f",
            CalibType::StatusExtra | CalibType::StatusData => "%d",
            _ => "%.5f",
        }
    }
}

impl fmt::Display for CalibType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Whether a ctype directory name denotes bad-pixel status bits (`pixel_status`, `status_*`, `sta`).
pub fn is_status_name(ctype: &str) -> bool {
    ctype == "pixel_status" || ctype == "status" || ctype == "sta" || ctype.starts_with("status_")
}

/// Whether a file holds a status array, by its directory (`pixel_status/5-end.data`, a
/// repository's `status/`) or a word `status` in its name (`..._status_gm0-Normal.dat`).
pub fn path_names_status(path: &std::path::Path) -> bool {
    let dir = path
        .parent()
        .and_then(|p| p.file_name())
        .and_then(|n| n.to_str())
        .unwrap_or("");
    let stem = path.file_stem().and_then(|n| n.to_str()).unwrap_or("");
    is_status_name(dir) || stem.split(['_', '-']).any(|w| w == "status")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_rule_is_ordered_and_needs_the_trailing_dot() {
        assert_eq!(
            DetType::from_source("CxiDs1.0:Jungfrau.0"),
            DetType::Jungfrau
        );
        assert_eq!(
            DetType::from_source("XcsEndstation.0:Epix10ka2M.0"),
            DetType::Epix10ka2M
        );
        assert_eq!(
            DetType::from_source("XcsEndstation.0:Epix10ka.0"),
            DetType::Epix10ka
        );
        assert_eq!(
            DetType::from_source("MfxEndstation.0:Epix10kaQuad.1"),
            DetType::Epix10kaQuad
        );
        assert_eq!(DetType::from_source("Camp.0:pnCCD.1"), DetType::Pnccd);
        assert_eq!(
            DetType::from_source("XppGon.0:Epix100a.1"),
            DetType::Epix100a
        );
        assert_eq!(DetType::from_source("CxiDs2.0:Cspad.0"), DetType::Cspad);
        assert_eq!(
            DetType::from_source("MecTargetChamber.0:Cspad2x2.3"),
            DetType::Cspad2x2
        );
        assert_eq!(
            DetType::from_source("DetInfo(CxiDs1.0:Jungfrau.0)"),
            DetType::Jungfrau
        );
        assert_eq!(
            DetType::from_source("XppEndstation.0:Opal1000.1"),
            DetType::Opal1000
        );
        assert_eq!(DetType::from_source("jungfrau"), DetType::Undefined);
        assert_eq!(DetType::from_source("Cxi:Epix10kb.0"), DetType::Undefined);
        // :Epix. would match an "Epix." device, but not "Epix100a." (no dot after Epix).
        assert_eq!(DetType::from_source("Xpp.0:Epix.0"), DetType::Epix);
    }

    #[test]
    fn every_pattern_maps_back_to_its_type() {
        for (pat, t) in SOURCE_PATTERNS {
            let src = format!("Det.0{pat}0");
            assert_eq!(DetType::from_source(&src), *t, "{src}");
            assert_ne!(t.calib_group(), "UNDEFINED");
        }
    }

    #[test]
    fn calib_groups_follow_psana() {
        assert_eq!(DetType::Jungfrau.calib_group(), "Jungfrau::CalibV1");
        assert_eq!(DetType::Epix10k.calib_group(), "Epix10ka::CalibV1");
        assert_eq!(DetType::Epix10ka.calib_group(), "Epix10ka::CalibV1");
        assert_eq!(DetType::Epix10ka2M.calib_group(), "Epix10ka2M::CalibV1");
        assert_eq!(DetType::Epix10kaQuad.calib_group(), "Epix10kaQuad::CalibV1");
        assert_eq!(DetType::Epix100a.calib_group(), "Epix100a::CalibV1");
        assert_eq!(DetType::Cspad.calib_group(), "CsPad::CalibV1");
        assert_eq!(DetType::Pnccd.calib_group(), "PNCCD::CalibV1");
        assert_eq!(DetType::Zyla.calib_group(), "Camera::CalibV1");
        assert_eq!(DetType::Evr.calib_group(), "EvrData::CalibV1");
        assert_eq!(DetType::Undefined.calib_group(), "UNDEFINED");
    }

    #[test]
    fn names_round_trip() {
        for t in ALL_DET_TYPES {
            assert_eq!(DetType::from_name(t.name()), Some(*t));
            assert_eq!(DetType::from_name(&t.dir_name()), Some(*t));
        }
        assert_eq!(DetType::from_name("epix100"), Some(DetType::Epix100a));
        assert!("nosuchdet".parse::<DetType>().is_err());
    }

    #[test]
    fn gain_modes() {
        let g = gain_mode(DetType::Jungfrau, "forcedgain1").unwrap();
        assert_eq!((g.name, g.index), ("ForcedGain1", 1));
        assert_eq!(gain_mode(DetType::Jungfrau, "5").unwrap().name, "HighGain0");
        assert_eq!(gain_mode(DetType::Jungfrau, "HighGain0").unwrap().index, 0);
        assert_eq!(gain_mode(DetType::Epix10kaQuad, "AML-L").unwrap().index, 6);
        assert!(gain_mode(DetType::Epix100a, "Normal").is_err());
        assert!(gain_mode(DetType::Jungfrau, "9").is_err());
        assert_eq!(jungfrau_expected_gain_code(2), 3);
        let daq = |v, n| jungfrau_mode_from_daq(v, n).map(|m| (m.name, m.index));
        assert_eq!(daq(0, Some("DYNAMIC")), Some(("Normal", 0)));
        assert_eq!(daq(1, Some("FORCE_SWITCH_G1")), Some(("ForcedGain1", 1)));
        assert_eq!(daq(4, Some("FIX_G2")), Some(("FixedGain2", 2)));
        assert_eq!(daq(7, Some("FIX_G0")), Some(("HighGain0", 0)));
        assert_eq!(daq(2, None), Some(("ForcedGain2", 2)));
        assert_eq!(daq(3, Some("unknown")), Some(("FixedGain1", 1)));
        assert_eq!(daq(9, None), None);
        assert_eq!(DetType::Jungfrau.gain_ranges(), 3);
        assert_eq!(DetType::Epix10ka2M.gain_ranges(), 7);
    }

    #[test]
    fn calib_types() {
        for c in ALL_CALIB_TYPES {
            assert_eq!(CalibType::from_name(c.name()), Some(*c));
        }
        assert_eq!(CalibType::PixelStatus.dtype(), Some(DType::U16));
        assert_eq!(CalibType::StatusExtra.dtype(), Some(DType::U64));
        assert_eq!(CalibType::PixelMask.dtype(), Some(DType::U8));
        assert_eq!(CalibType::CommonMode.dtype(), Some(DType::F64));
        assert_eq!(CalibType::PixelRms.default_fill(), CalibDefault::Ones);
        assert_eq!(CalibType::Pedestals.default_fill(), CalibDefault::Zeros);
        assert_eq!(
            DetType::Jungfrau.default_common_mode()[..4],
            [7.0, 1.0, 100.0, 0.0]
        );
        assert_eq!(DetType::Zyla.default_common_mode(), [0.0; 16]);
        assert_eq!(DetType::Epix100a.base_shape(), Some(&[704usize, 768][..]));
        assert_eq!(DetType::Jungfrau.base_shape(), None);
    }
}
