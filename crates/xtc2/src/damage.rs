/*!
The damage word of an Xtc: 12 flag bits and 4 user bits.
*/

use std::fmt;

/// The damage word of an Xtc: bits 0-11 are flags, bits 12-15 user bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Damage(pub u16);

/// Names of the damage flags, by bit index.
const FLAG_NAMES: [&str; 12] = [
    "Truncated",
    "OutOfOrder",
    "OutOfSynch",
    "Corrupted",
    "DroppedContribution",
    "MissingData",
    "TimedOut",
    "UserDefined",
    "Bit8",
    "Bit9",
    "Bit10",
    "Bit11",
];

impl Damage {
    /// Bit 0: the contribution was truncated.
    pub const TRUNCATED: u16 = 1 << 0;
    /// Bit 3: the contents cannot be trusted; readers do not descend.
    pub const CORRUPTED: u16 = 1 << 3;
    /// Bit 4: a contribution was dropped.
    pub const DROPPED_CONTRIBUTION: u16 = 1 << 4;
    /// Bit 5: data is missing.
    pub const MISSING_DATA: u16 = 1 << 5;

    /// The 12 flag bits.
    pub const fn flags(self) -> u16 {
        self.0 & 0x0fff
    }

    /// The 4 user bits.
    pub const fn user_bits(self) -> u8 {
        (self.0 >> 12) as u8
    }

    /// Whether no flag bit is set (user bits are ignored).
    pub const fn is_clean(self) -> bool {
        self.flags() == 0
    }

    /// Whether the Corrupted bit is set.
    pub const fn is_corrupted(self) -> bool {
        self.0 & Self::CORRUPTED != 0
    }

    /// The names of the flag bits that are set.
    pub fn flag_names(self) -> impl Iterator<Item = &'static str> {
        FLAG_NAMES
            .iter()
            .enumerate()
            .filter(move |(i, _)| self.0 & (1 << i) != 0)
            .map(|(_, n)| *n)
    }
}

impl fmt::Display for Damage {
    /// Formats the set flags joined by `|`, or `none`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_clean() {
            return f.write_str("none");
        }
        for (i, name) in self.flag_names().enumerate() {
            if i > 0 {
                f.write_str("|")?;
            }
            f.write_str(name)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_flags_and_ignores_user_bits() {
        let d = Damage(0x8000 | Damage::CORRUPTED | Damage::TRUNCATED);
        assert!(d.is_corrupted());
        assert!(!d.is_clean());
        assert_eq!(d.user_bits(), 8);
        assert_eq!(d.to_string(), "Truncated|Corrupted");
        assert!(Damage(0xf000).is_clean());
        assert_eq!(Damage(0).to_string(), "none");
    }
}
