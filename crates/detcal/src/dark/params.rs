/*!
The parameters of dark processing (psana's options and LCLS-I defaults) and the gain check of
status bit 64.
*/

use super::*;

/// The parameters of dark processing (psana's option names; `Default` = LCLS-I defaults).
#[derive(Debug, Clone, PartialEq)]
pub struct DarkParams {
    /// Frames to process (`--nrecs`); more are ignored.
    pub nrecs: usize,
    /// Frames of stage 1, the gate-finding block (`--nrecs1`).
    pub nrecs1: usize,
    /// Intensity low limit in ADU (`--int_lo`).
    pub int_lo: f64,
    /// Intensity high limit in ADU (`--int_hi`).
    pub int_hi: f64,
    /// Rms low limit (`--rms_lo`).
    pub rms_lo: f64,
    /// Rms high limit (`--rms_hi`).
    pub rms_hi: f64,
    /// Number of sigmas for the low average limit (`--intnlo`; <= 0: use `int_lo`).
    pub intnlo: f64,
    /// Number of sigmas for the high average limit (`--intnhi`; <= 0: use `int_hi`).
    pub intnhi: f64,
    /// Number of sigmas for the low rms limit (`--rmsnlo`; <= 0: use `rms_lo`).
    pub rmsnlo: f64,
    /// Number of sigmas for the high rms limit (`--rmsnhi`; <= 0: use `rms_hi`).
    pub rmsnhi: f64,
    /// Allowed fraction of frames outside `[int_lo, int_hi]` (`--fraclm`).
    pub fraclm: f64,
    /// Quantile of the low gate (`--fraclo`).
    pub fraclo: f64,
    /// Quantile of the high gate (`--frachi`).
    pub frachi: f64,
    /// Mask of the ADC bits in a raw word (psana's `datbits`).
    pub data_bits: u16,
}

impl Default for DarkParams {
    fn default() -> Self {
        DarkParams {
            nrecs: 1000,
            nrecs1: 50,
            int_lo: 1.0,
            int_hi: 16000.0,
            rms_lo: 0.001,
            rms_hi: 16000.0,
            intnlo: 6.0,
            intnhi: 6.0,
            rmsnlo: 6.0,
            rmsnhi: 6.0,
            fraclm: 0.1,
            fraclo: 0.05,
            frachi: 0.95,
            data_bits: 0x3fff,
        }
    }
}

impl DarkParams {
    /// Checks that the parameters make sense (psana would crash or cast out of range otherwise).
    pub fn validate(&self) -> Result<()> {
        let bad = |arg: &'static str, msg: String| {
            Err(Error::bad_arg(
                arg,
                format!("invalid dark parameters: {msg}"),
            ))
        };
        if self.nrecs < MIN_FRAMES as usize || self.nrecs as u64 > u64::from(u32::MAX) {
            return bad(
                "nrecs",
                format!("nrecs must be in 3..=4294967295, got {}", self.nrecs),
            );
        }
        if self.nrecs1 == 0 {
            return bad("nrecs1", "nrecs1 must be at least 1, got 0".into());
        }
        for (name, v) in [("int_lo", self.int_lo), ("int_hi", self.int_hi)] {
            if !v.is_finite() {
                return bad(name, format!("{name} must be a finite number, got {v}"));
            }
        }
        if self.int_lo > 65535.0 || self.int_hi < 0.0 || self.int_lo > self.int_hi {
            return bad(
                "int_lo",
                format!(
                    "need int_lo <= int_hi, int_lo <= 65535 and int_hi >= 0, got int_lo={} int_hi={}",
                    self.int_lo, self.int_hi
                ),
            );
        }
        let others = [
            ("rms_lo", self.rms_lo),
            ("rms_hi", self.rms_hi),
            ("intnlo", self.intnlo),
            ("intnhi", self.intnhi),
            ("rmsnlo", self.rmsnlo),
            ("rmsnhi", self.rmsnhi),
        ];
        for (name, v) in others {
            if v.is_nan() {
                return bad(name, format!("{name} must be a number, got NaN"));
            }
        }
        if !(self.fraclm.is_finite() && self.fraclm >= 0.0) {
            return bad(
                "fraclm",
                format!("fraclm must be a finite number >= 0, got {}", self.fraclm),
            );
        }
        for (name, v) in [("fraclo", self.fraclo), ("frachi", self.frachi)] {
            if !(0.0..=1.0).contains(&v) {
                return bad(name, format!("{name} must be in [0, 1], got {v}"));
            }
        }
        Ok(())
    }

    /// Frames in the stage-1 block: `nrecs1`, or `nrecs` if that is smaller.
    pub fn block_frames(&self) -> usize {
        self.nrecs1.min(self.nrecs)
    }

    /// The kernel constants.
    pub(super) fn consts(&self, gain: GainCheck) -> Consts {
        Consts {
            data_bits: self.data_bits,
            // Integer values r: r < int_lo <=> r < ceil(int_lo); r > int_hi <=> r > floor(int_hi).
            below: self.int_lo.ceil().clamp(0.0, 65535.0) as u16,
            above: self.int_hi.floor().clamp(0.0, 65535.0) as u16,
            gain_code: gain.expected_code(),
            sub: Consts::sub_batch(self.data_bits),
        }
    }
}

/// Which frames count as a bad gain switch (status bit 64).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GainCheck {
    /// No gain bits (single-gain detectors): bit 64 is never set.
    #[default]
    None,
    /// JUNGFRAU: a frame whose raw bits 15..14 differ from this code (0, 1 or 3) sets bit 64.
    Jungfrau {
        /// The expected gain code of the step's gain mode.
        expected_code: u16,
    },
}

impl GainCheck {
    /// The JUNGFRAU check for gain index 0, 1 or 2 (expected codes 0, 1 and 3).
    pub fn jungfrau(gain_index: usize) -> Result<GainCheck> {
        if gain_index > 2 {
            return Err(Error::bad_arg(
                "gain index",
                format!("JUNGFRAU gain index must be 0, 1 or 2, got {gain_index}"),
            ));
        }
        Ok(GainCheck::Jungfrau {
            expected_code: jungfrau_expected_gain_code(gain_index),
        })
    }

    /// The expected gain code, if the gain is checked.
    pub fn expected_code(self) -> Option<u16> {
        match self {
            GainCheck::None => None,
            GainCheck::Jungfrau { expected_code } => Some(expected_code),
        }
    }

    pub(super) fn validate(self) -> Result<()> {
        match self.expected_code() {
            Some(c) if c > 3 => Err(Error::bad_arg(
                "gain code",
                format!("JUNGFRAU gain code must be 0..=3, got {c}"),
            )),
            _ => Ok(()),
        }
    }
}
