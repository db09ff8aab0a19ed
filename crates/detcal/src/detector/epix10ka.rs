/*!
ePix10ka panel geometry and the per-pixel gain range: the one definition shared by dark
processing, deployment, calibration and the simulator.

A panel is 352 x 384 pixels read by 2 x 2 ASICs of 176 x 192. Each pixel's gain range (one of
the seven of [`GainRange`](crate::detector::epix10ka::GainRange)) follows from the
configuration (the pixel config bits `g` and `ga`, the ASIC's `trbit`) and, only in the
auto-switching modes, from bit 14 of the raw word. psana (`UtilsEpix10ka.gain_maps_epix10ka_any`)
builds a 6-bit control word per pixel and decodes it with an ordered rule list;
[`decode`](crate::detector::epix10ka::decode) is that table.
*/

use crate::error::{Error, Result};

/// Pixel rows of an ePix10ka panel.
pub const PANEL_ROWS: usize = 352;
/// Pixel columns of an ePix10ka panel.
pub const PANEL_COLS: usize = 384;
/// Pixels of one panel.
pub const PANEL_PIXELS: usize = PANEL_ROWS * PANEL_COLS;
/// Pixel rows of one ASIC.
pub const ASIC_ROWS: usize = 176;
/// Pixel columns of one ASIC.
pub const ASIC_COLS: usize = 192;
/// Mask of the ADC value in a raw word.
pub const DATA_MASK: u16 = 0x3fff;
/// The raw-word bit that says a pixel of an auto mode has switched to the low range.
pub const SWITCH_BIT: u16 = 0x4000;

/// Control-word bit of the pixel config bit `g`.
pub const CB_G: u8 = 4;
/// Control-word bit of the pixel config bit `ga` (1 = fixed gain).
pub const CB_GA: u8 = 8;
/// Control-word bit of the ASIC's `trbit` (1 = high, 0 = medium).
pub const CB_TRBIT: u8 = 16;
/// Control-word bit of data bit 14 (the pixel switched to low).
pub const CB_DATA: u8 = 32;

/// The seven gain ranges of ePix10ka constants, in the index order of merged constants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[allow(missing_docs)]
pub enum GainRange {
    Fh = 0,
    Fm = 1,
    Fl = 2,
    AhlH = 3,
    AmlM = 4,
    AhlL = 5,
    AmlL = 6,
}

/// Every gain range, in index order.
pub const GAIN_RANGES: [GainRange; 7] = [
    GainRange::Fh,
    GainRange::Fm,
    GainRange::Fl,
    GainRange::AhlH,
    GainRange::AmlM,
    GainRange::AhlL,
    GainRange::AmlL,
];

/// The five gain modes a dark run measures (psana's `GAIN_MODES_IN`), in step order.
pub const GAIN_MODES_IN: [GainRange; 5] = [
    GainRange::Fh,
    GainRange::Fm,
    GainRange::Fl,
    GainRange::AhlH,
    GainRange::AmlM,
];

/// psana's default gain factors in ADU/keV: high (132 ADU / 8.05 keV), medium (high / 3), low (high / 100).
pub const DEFAULT_GAINS: GainFactors = GainFactors {
    high: 16.40,
    medium: 5.466,
    low: 0.164,
};

/// Gain factors (ADU/keV) of the high, medium and low ranges.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GainFactors {
    /// Factor of FH and AHL-H.
    pub high: f64,
    /// Factor of FM and AML-M.
    pub medium: f64,
    /// Factor of FL, AHL-L and AML-L.
    pub low: f64,
}

impl GainFactors {
    /// The factor of each of the seven ranges, in index order.
    pub fn per_range(&self) -> [f64; 7] {
        let (h, m, l) = (self.high, self.medium, self.low);
        [h, m, l, h, m, l, l]
    }
}

impl GainRange {
    /// The range of an index 0..7.
    pub fn from_index(index: usize) -> Option<GainRange> {
        GAIN_RANGES.get(index).copied()
    }

    /// The index of the range in merged constants.
    pub fn index(self) -> usize {
        self as usize
    }

    /// psana's (LCLS-I) name, used verbatim in repository file names: `FH`, ..., `AHL-H`, `AML-L`.
    pub fn name(self) -> &'static str {
        match self {
            GainRange::Fh => "FH",
            GainRange::Fm => "FM",
            GainRange::Fl => "FL",
            GainRange::AhlH => "AHL-H",
            GainRange::AmlM => "AML-M",
            GainRange::AhlL => "AHL-L",
            GainRange::AmlL => "AML-L",
        }
    }

    /// The range of a name; LCLS-I (`AHL-H`) and psana2 (`AHL_H`) spellings, any case.
    pub fn from_name(name: &str) -> Option<GainRange> {
        let n = name.to_ascii_uppercase().replace('_', "-");
        GAIN_RANGES.iter().copied().find(|g| g.name() == n)
    }

    /// Whether pixels of this range take part in common mode (the high and medium ranges).
    pub fn is_high_or_medium(self) -> bool {
        matches!(
            self,
            GainRange::Fh | GainRange::Fm | GainRange::AhlH | GainRange::AmlM
        )
    }
}

impl std::fmt::Display for GainRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for GainRange {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        GainRange::from_name(s).ok_or_else(|| Error::BadName {
            kind: "ePix10ka gain mode",
            name: s.to_string(),
            reason: "expected one of FH, FM, FL, AHL-H, AML-M, AHL-L, AML-L".to_string(),
        })
    }
}

/// The gain range of a 6-bit control word (psana's rule table, first match wins), or `None`
/// for `g=1, ga=0` pixels, which have no range.
pub fn decode(cb: u8) -> Option<GainRange> {
    if cb & 28 == 28 {
        Some(GainRange::Fh)
    } else if cb & 28 == 12 {
        Some(GainRange::Fm)
    } else if cb & 12 == 8 {
        Some(GainRange::Fl)
    } else {
        match cb & 60 {
            16 => Some(GainRange::AhlH),
            0 => Some(GainRange::AmlM),
            48 => Some(GainRange::AhlL),
            32 => Some(GainRange::AmlL),
            _ => None,
        }
    }
}

/// The ASIC (0..4) that reads pixel (`row`, `col`) of a panel, for the per-ASIC `trbit`.
pub fn asic_of_pixel(row: usize, col: usize) -> usize {
    match (row < ASIC_ROWS, col < ASIC_COLS) {
        (true, true) => 2,
        (true, false) => 1,
        (false, true) => 3,
        (false, false) => 0,
    }
}

/// The configuration part of the control word of every pixel of a panel: pixel config bits
/// `& 12` plus the `trbit` of the pixel's ASIC, row-major (352 x 384).
///
/// `pixel_config` is the panel's (352, 384) config (LCLS-I `asicPixelConfigArray`, or
/// [`assemble_asic_config`] of LCLS-II data); `trbit` holds the 4 ASICs' bits.
pub fn config_bits(pixel_config: &[u8], trbit: &[u8; 4]) -> Result<Vec<u8>> {
    if pixel_config.len() != PANEL_PIXELS {
        return Err(Error::shape(
            "ePix10ka pixel config",
            format!("({PANEL_ROWS}, {PANEL_COLS})"),
            &[pixel_config.len()],
            format!(
                "an ePix10ka pixel config has {PANEL_PIXELS} values ({PANEL_ROWS} x {PANEL_COLS}), not {}",
                pixel_config.len()
            ),
        ));
    }
    let mut out = Vec::with_capacity(PANEL_PIXELS);
    for row in 0..PANEL_ROWS {
        for col in 0..PANEL_COLS {
            let tr = if trbit[asic_of_pixel(row, col)] != 0 {
                CB_TRBIT
            } else {
                0
            };
            out.push((pixel_config[row * PANEL_COLS + col] & 12) | tr);
        }
    }
    Ok(out)
}

/// The gain range of one pixel from its configuration bits ([`config_bits`]) and raw word.
#[inline]
pub fn pixel_range(config_bits: u8, raw: u16) -> Option<GainRange> {
    let data = if raw & SWITCH_BIT != 0 { CB_DATA } else { 0 };
    decode(config_bits | data)
}

/// A panel's (352, 384) pixel config assembled from LCLS-II `asicPixelConfig` (4, 176, 192), as
/// psana2 does: top-left ASIC 2 and top-right ASIC 1 rotated by 180 degrees, bottom-left ASIC 3,
/// bottom-right ASIC 0.
pub fn assemble_asic_config(asics: &[u8]) -> Result<Vec<u8>> {
    let asic_len = ASIC_ROWS * ASIC_COLS;
    if asics.len() != 4 * asic_len {
        return Err(Error::shape(
            "ePix10ka asicPixelConfig",
            format!("(4, {ASIC_ROWS}, {ASIC_COLS})"),
            &[asics.len()],
            format!(
                "an ePix10ka asicPixelConfig has {} values (4 x {ASIC_ROWS} x {ASIC_COLS}), not {}",
                4 * asic_len,
                asics.len()
            ),
        ));
    }
    let at = |a: usize, r: usize, c: usize| asics[a * asic_len + r * ASIC_COLS + c];
    let mut out = vec![0u8; PANEL_PIXELS];
    for r in 0..ASIC_ROWS {
        for c in 0..ASIC_COLS {
            let (rr, rc) = (ASIC_ROWS - 1 - r, ASIC_COLS - 1 - c);
            out[r * PANEL_COLS + c] = at(2, rr, rc);
            out[r * PANEL_COLS + ASIC_COLS + c] = at(1, rr, rc);
            out[(ASIC_ROWS + r) * PANEL_COLS + c] = at(3, r, c);
            out[(ASIC_ROWS + r) * PANEL_COLS + ASIC_COLS + c] = at(0, r, c);
        }
    }
    Ok(out)
}

/// The gain mode of a dark step from the configuration alone (psana's `find_gain_mode`): the
/// first range, in index order, that holds more than half of all pixels of all panels.
///
/// `panels` are the per-panel [`config_bits`]. `None` for a mixed pixel map.
pub fn find_gain_mode(panels: &[Vec<u8>]) -> Option<GainRange> {
    let mut counts = [0usize; 7];
    let mut total = 0usize;
    for panel in panels {
        for &cb in panel {
            total += 1;
            if let Some(g) = decode(cb) {
                counts[g.index()] += 1;
            }
        }
    }
    GAIN_RANGES
        .iter()
        .copied()
        .find(|g| 2 * counts[g.index()] > total)
}

/// The pixel config value and `trbit` the LCLS-II DAQ sets for a user gain mode (0 High,
/// 1 Medium, 2 Low, 3 AutoHiLo, 4 AutoMedLo); `None` for the map mode and unknown values.
pub fn daq_config_for_mode(user_mode: u32) -> Option<(u8, u8)> {
    match user_mode {
        0 => Some((12, 1)),
        1 => Some((12, 0)),
        2 => Some((8, 0)),
        3 => Some((0, 1)),
        4 => Some((0, 0)),
        _ => None,
    }
}

/// The range a measured dark mode (`GAIN_MODES_IN`) is taken in by the DAQ's settings, for the
/// simulator and tests: the pixel config value and `trbit` of that mode.
pub fn daq_config_for_range(range: GainRange) -> Option<(u8, u8)> {
    match range {
        GainRange::Fh => daq_config_for_mode(0),
        GainRange::Fm => daq_config_for_mode(1),
        GainRange::Fl => daq_config_for_mode(2),
        GainRange::AhlH => daq_config_for_mode(3),
        GainRange::AmlM => daq_config_for_mode(4),
        GainRange::AhlL | GainRange::AmlL => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The spec's rule table written out as conditions on (g, ga, trbit, bit14).
    fn by_hand(g: bool, ga: bool, tr: bool, d: bool) -> Option<GainRange> {
        match (g, ga) {
            (true, true) if tr => Some(GainRange::Fh),
            (true, true) => Some(GainRange::Fm),
            (false, true) => Some(GainRange::Fl),
            (false, false) => Some(match (tr, d) {
                (true, false) => GainRange::AhlH,
                (false, false) => GainRange::AmlM,
                (true, true) => GainRange::AhlL,
                (false, true) => GainRange::AmlL,
            }),
            (true, false) => None,
        }
    }

    #[test]
    fn decode_matches_the_rule_table_for_every_control_word() {
        for cb in 0u8..64 {
            let expect = by_hand(
                cb & CB_G != 0,
                cb & CB_GA != 0,
                cb & CB_TRBIT != 0,
                cb & CB_DATA != 0,
            );
            assert_eq!(decode(cb), expect, "cb={cb}");
        }
    }

    #[test]
    fn daq_modes_decode_to_their_ranges() {
        for g in GAIN_MODES_IN {
            let (pc, tr) = daq_config_for_range(g).unwrap();
            let bits = config_bits(&vec![pc; PANEL_PIXELS], &[tr; 4]).unwrap();
            assert_eq!(find_gain_mode(std::slice::from_ref(&bits)), Some(g));
            // Fixed modes ignore bit 14; auto modes switch to their low range.
            let switched = pixel_range(bits[0], SWITCH_BIT | 100).unwrap();
            let expect = match g {
                GainRange::AhlH => GainRange::AhlL,
                GainRange::AmlM => GainRange::AmlL,
                other => other,
            };
            assert_eq!(switched, expect);
        }
    }

    #[test]
    fn trbit_is_taken_per_quadrant() {
        // Only ASIC 1 (top right) has trbit 1; an auto config gives AHL-H there, AML-M elsewhere.
        let bits = config_bits(&vec![0; PANEL_PIXELS], &[0, 1, 0, 0]).unwrap();
        assert_eq!(decode(bits[383]), Some(GainRange::AhlH));
        assert_eq!(decode(bits[0]), Some(GainRange::AmlM));
        assert_eq!(decode(bits[351 * PANEL_COLS + 383]), Some(GainRange::AmlM));
        // 3/4 of the pixels are AML-M: more than half.
        assert_eq!(find_gain_mode(&[bits]), Some(GainRange::AmlM));
    }

    #[test]
    fn mixed_map_has_no_mode() {
        let mut cfg = vec![12u8; PANEL_PIXELS];
        cfg[..PANEL_PIXELS / 2].fill(8);
        let bits = config_bits(&cfg, &[1; 4]).unwrap();
        assert_eq!(find_gain_mode(&[bits]), None);
    }

    #[test]
    fn asic_assembly_rotates_the_top_asics() {
        let mut asics = vec![0u8; 4 * ASIC_ROWS * ASIC_COLS];
        for a in 0..4 {
            // first pixel of each ASIC marked with its number + 1
            asics[a * ASIC_ROWS * ASIC_COLS] = a as u8 + 1;
        }
        let p = assemble_asic_config(&asics).unwrap();
        // ASIC 2 rotated: its (0,0) lands at the panel's (175, 191).
        assert_eq!(p[175 * PANEL_COLS + 191], 3);
        assert_eq!(p[175 * PANEL_COLS + 383], 2);
        assert_eq!(p[176 * PANEL_COLS], 4);
        assert_eq!(p[176 * PANEL_COLS + 192], 1);
        assert_eq!(p.iter().filter(|&&v| v != 0).count(), 4);
        assert!(assemble_asic_config(&asics[1..]).is_err());
    }

    #[test]
    fn names_round_trip() {
        for g in GAIN_RANGES {
            assert_eq!(GainRange::from_name(g.name()), Some(g));
            assert_eq!(GainRange::from_index(g.index()), Some(g));
        }
        assert_eq!(GainRange::from_name("ahl_h"), Some(GainRange::AhlH));
        assert!("XX".parse::<GainRange>().is_err());
        assert_eq!(DEFAULT_GAINS.per_range()[5], 0.164);
    }
}
