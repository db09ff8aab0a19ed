/*!
The transition id of a datagram and the `env` word that carries it.
*/

use std::fmt;

/// The kind of a datagram (the "service" in the `env` word).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TransitionId {
    /// 0: clear readout.
    ClearReadout,
    /// 1: reset.
    Reset,
    /// 2: configure; carries the Names of every detector.
    Configure,
    /// 3: unconfigure.
    Unconfigure,
    /// 4: begin run; carries `runinfo`.
    BeginRun,
    /// 5: end run.
    EndRun,
    /// 6: begin step (calib cycle).
    BeginStep,
    /// 7: end step.
    EndStep,
    /// 8: enable.
    Enable,
    /// 9: disable.
    Disable,
    /// 10: slow update.
    SlowUpdate,
    /// 12: an event.
    L1Accept,
    /// Any other value (11 is unused).
    Unknown(u8),
}

impl TransitionId {
    /// The transition with this service number.
    pub const fn from_u8(value: u8) -> Self {
        match value {
            0 => Self::ClearReadout,
            1 => Self::Reset,
            2 => Self::Configure,
            3 => Self::Unconfigure,
            4 => Self::BeginRun,
            5 => Self::EndRun,
            6 => Self::BeginStep,
            7 => Self::EndStep,
            8 => Self::Enable,
            9 => Self::Disable,
            10 => Self::SlowUpdate,
            12 => Self::L1Accept,
            n => Self::Unknown(n),
        }
    }

    /// The service number.
    pub const fn as_u8(self) -> u8 {
        match self {
            Self::ClearReadout => 0,
            Self::Reset => 1,
            Self::Configure => 2,
            Self::Unconfigure => 3,
            Self::BeginRun => 4,
            Self::EndRun => 5,
            Self::BeginStep => 6,
            Self::EndStep => 7,
            Self::Enable => 8,
            Self::Disable => 9,
            Self::SlowUpdate => 10,
            Self::L1Accept => 12,
            Self::Unknown(n) => n,
        }
    }

    /// Whether this is an event (L1Accept) rather than a transition.
    pub const fn is_event(self) -> bool {
        matches!(self, Self::L1Accept)
    }
}

impl fmt::Display for TransitionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unknown(n) => write!(f, "Unknown({n})"),
            other => fmt::Debug::fmt(other, f),
        }
    }
}

/// The `env` word of a datagram: transition id, transition type and readout groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Env(pub u32);

impl Env {
    /// An `env` for a transition (type Event) to the given readout groups, other bits zero.
    pub const fn new(transition: TransitionId, readout_groups: u16) -> Self {
        Self(((transition.as_u8() as u32 & 0xf) << 24) | readout_groups as u32)
    }

    /// The transition id (bits 24-27).
    pub const fn transition_id(self) -> TransitionId {
        TransitionId::from_u8(((self.0 >> 24) & 0xf) as u8)
    }

    /// The transition type (bits 28-29): 0 Event, 1 Occurrence, 2 Marker.
    pub const fn transition_type(self) -> u8 {
        ((self.0 >> 28) & 0x3) as u8
    }

    /// The control byte (bits 24-31).
    pub const fn control(self) -> u8 {
        (self.0 >> 24) as u8
    }

    /// The readout-group mask (bits 0-15).
    pub const fn readout_groups(self) -> u16 {
        self.0 as u16
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_observed_env_values() {
        assert_eq!(Env(0x0202_0003).transition_id(), TransitionId::Configure);
        assert_eq!(Env(0x0c4b_0003).transition_id(), TransitionId::L1Accept);
        assert_eq!(Env(0x0c4b_0003).readout_groups(), 3);
        assert_eq!(Env(0x0c4b_0003).transition_type(), 0);
        assert_eq!(Env::new(TransitionId::BeginStep, 1), Env(0x0600_0001));
    }

    #[test]
    fn every_id_round_trips() {
        for n in 0..=15u8 {
            assert_eq!(TransitionId::from_u8(n).as_u8(), n);
        }
        assert_eq!(TransitionId::from_u8(11), TransitionId::Unknown(11));
        assert_eq!(TransitionId::from_u8(11).to_string(), "Unknown(11)");
        assert_eq!(TransitionId::L1Accept.to_string(), "L1Accept");
    }
}
