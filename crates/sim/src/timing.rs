//! The timing data of simulated shots: the LCLS-II `timing` detector every simulated run
//! carries, with LCLS-I event codes (40 every shot, 140 with beam, 162 on drop shots).

use xtc2::TimeStamp;
use xtc2::timing::{EventCodes, TimingData};

use detcal::evcode::{BEAM_OFF_CODE, BEAM_ON_CODE, CODE_120HZ};

/// Whether event `e` (0-based, within its step) is a drop shot when every `drop_every`-th shot
/// is one: events N-1, 2N-1, ...
pub fn is_drop_shot(drop_every: Option<usize>, e: usize) -> bool {
    drop_every.is_some_and(|n| n > 0 && (e + 1).is_multiple_of(n))
}

/// The shots of one run, numbered from a pulse id derived from the run number.
#[derive(Debug, Clone)]
pub struct Shots {
    pulse_id: u64,
}

/// Pulse ids advance by 3 per 120 Hz shot (the 360 Hz LCLS-I base rate).
const PULSES_PER_SHOT: u64 = 3;

impl Shots {
    /// The shots of run `run`.
    pub fn new(run: u32) -> Self {
        Shots {
            pulse_id: u64::from(run) << 24,
        }
    }

    /// The timing data of the next shot, at `time`: code 40, and 140 (beam present) or 162 (beam
    /// off: a drop shot, `ebeamPresent` 0).
    pub fn next(&mut self, time: TimeStamp, beam_off: bool) -> TimingData {
        self.pulse_id += PULSES_PER_SHOT;
        let mut codes = EventCodes::new();
        codes.insert(CODE_120HZ);
        codes.insert(if beam_off {
            BEAM_OFF_CODE
        } else {
            BEAM_ON_CODE
        });
        TimingData {
            pulse_id: self.pulse_id,
            time_stamp: time.as_u64(),
            ebeam_present: u8::from(!beam_off),
            event_codes: codes,
            ..TimingData::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_nth_shot_is_dropped() {
        let drops: Vec<usize> = (0..30).filter(|&e| is_drop_shot(Some(10), e)).collect();
        assert_eq!(drops, [9, 19, 29]);
        assert!(!(0..30).any(|e| is_drop_shot(None, e) || is_drop_shot(Some(0), e)));
        let mut s = Shots::new(2);
        let a = s.next(TimeStamp::new(5, 0), false);
        let b = s.next(TimeStamp::new(6, 0), true);
        assert_eq!(b.pulse_id - a.pulse_id, 3);
        assert_eq!(a.event_codes.iter().collect::<Vec<_>>(), [40, 140]);
        assert_eq!(b.event_codes.iter().collect::<Vec<_>>(), [40, 162]);
        assert_eq!((a.ebeam_present, b.ebeam_present), (1, 0));
        assert_eq!(b.time_stamp, TimeStamp::new(6, 0).as_u64());
    }
}
