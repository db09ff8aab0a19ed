/*!
The datagram time stamp: seconds since 1990-01-01 00:00 UTC (the EPICS epoch) and nanoseconds.
*/

use std::fmt;

/// Seconds from the Unix epoch (1970) to the EPICS epoch (1990-01-01 00:00 UTC).
pub const EPICS_EPOCH_UNIX_SECONDS: i64 = 631_152_000;

/// A datagram time stamp: seconds since 1990-01-01 UTC and nanoseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct TimeStamp {
    /// Seconds since 1990-01-01 00:00 UTC (`time.high`).
    pub sec: u32,
    /// Nanoseconds (`time.low`).
    pub nsec: u32,
}

impl TimeStamp {
    /// A time stamp from seconds since 1990 and nanoseconds.
    pub const fn new(sec: u32, nsec: u32) -> Self {
        Self { sec, nsec }
    }

    /// A time stamp from psana's 64-bit form `sec << 32 | nsec`.
    pub const fn from_u64(value: u64) -> Self {
        Self {
            sec: (value >> 32) as u32,
            nsec: value as u32,
        }
    }

    /// psana's 64-bit form: `sec << 32 | nsec`.
    pub const fn as_u64(self) -> u64 {
        ((self.sec as u64) << 32) | self.nsec as u64
    }

    /// Whole seconds since 1970-01-01 00:00 UTC.
    pub const fn unix_seconds(self) -> i64 {
        self.sec as i64 + EPICS_EPOCH_UNIX_SECONDS
    }

    /// Seconds since 1970-01-01 00:00 UTC, with the nanoseconds as a fraction.
    pub fn unix_seconds_f64(self) -> f64 {
        self.unix_seconds() as f64 + f64::from(self.nsec) * 1e-9
    }

    /// A time stamp for Unix seconds and nanoseconds, if it is representable (1990..2126).
    pub fn from_unix(unix_seconds: i64, nsec: u32) -> Option<Self> {
        let sec = unix_seconds.checked_sub(EPICS_EPOCH_UNIX_SECONDS)?;
        Some(Self {
            sec: u32::try_from(sec).ok()?,
            nsec,
        })
    }
}

impl fmt::Display for TimeStamp {
    /// Formats as `sec.nsec` since 1990, e.g. `1112036888.994216330`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:09}", self.sec, self.nsec)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_to_unix() {
        // The jungfrau sample's Configure: 2025-03-28 19:08:08 UTC.
        let t = TimeStamp::new(1_112_036_888, 994_216_330);
        assert_eq!(t.unix_seconds(), 1_743_188_888);
        assert_eq!(TimeStamp::from_unix(1_743_188_888, 994_216_330), Some(t));
        assert_eq!(TimeStamp::from_unix(0, 0), None);
        assert_eq!(t.to_string(), "1112036888.994216330");
    }

    #[test]
    fn u64_form_orders_like_the_pair() {
        let a = TimeStamp::new(5, 999_999_999);
        let b = TimeStamp::new(6, 0);
        assert!(a < b);
        assert!(a.as_u64() < b.as_u64());
        assert_eq!(TimeStamp::from_u64(b.as_u64()), b);
    }
}
