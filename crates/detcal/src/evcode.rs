/*!
Event-code selection (psana's `-c/--evcode`, LCLS-I `EventCodeManager`) over the LCLS-II timing
data of a run (the `timing` detector, [`xtc2::timing`]).

A selection is a comma-separated list of event codes: an event is selected when any listed code
is present in its timing data. When any code of the list is negative, every code is taken as its
absolute value and the decision is inverted (the event is selected when none is present).

`--beam-off` stands for `-c 162`: LCLS-I event code 162 (BYKIK) marks a shot the beam kicker
dropped, a dark frame in the middle of a light run ("drop shot"). See `docs/timing.md`.

```
use detcal::evcode::EventCodeSelection;
use xtc2::timing::EventCodes;

let mut shot = EventCodes::new();
shot.insert(40);
shot.insert(162);
assert!(EventCodeSelection::parse("162")?.selects(&shot));
assert!(EventCodeSelection::parse("140,162")?.selects(&shot));
assert!(!EventCodeSelection::parse("-162")?.selects(&shot));
assert!(EventCodeSelection::parse("-140")?.selects(&shot));
assert_eq!(EventCodeSelection::beam_off(), EventCodeSelection::parse("162")?);
# Ok::<(), detcal::error::Error>(())
```
*/

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;
use xtc2::timing::{EventCodes, NUM_EVENT_CODES, RunTiming};

use crate::error::{Error, Result};
use crate::source::RunSource;

/// LCLS-I event code of a shot dropped by the beam kicker (BYKIK): the beam-off code.
pub const BEAM_OFF_CODE: u16 = 162;
/// LCLS-I event code of a shot with beam (the simulator sets it on every other shot).
pub const BEAM_ON_CODE: u16 = 140;
/// LCLS-I 120 Hz event code (every shot of the simulator).
pub const CODE_120HZ: u16 = 40;

/// An event-code selection: psana's `-c/--evcode` list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EventCodeSelection {
    codes: Vec<u16>,
    inverted: bool,
}

impl EventCodeSelection {
    /// Parses psana's list: integers separated by commas; any negative one inverts the selection.
    pub fn parse(list: &str) -> Result<Self> {
        let bad = |msg: String| Error::bad_arg("--evcode", msg);
        let mut codes = Vec::new();
        let mut inverted = false;
        for item in list.split(',') {
            let item = item.trim();
            let v: i64 = item.parse().map_err(|_| {
                bad(format!(
                    "-c/--evcode {list:?}: {item:?} is not an integer (give codes like 162 or -162,40)"
                ))
            })?;
            if v < 0 {
                inverted = true;
            }
            let code = u16::try_from(v.unsigned_abs())
                .ok()
                .filter(|&c| c < NUM_EVENT_CODES)
                .ok_or_else(|| {
                    bad(format!(
                        "-c/--evcode {list:?}: event code {} is outside 0-{}",
                        v.unsigned_abs(),
                        NUM_EVENT_CODES - 1
                    ))
                })?;
            if !codes.contains(&code) {
                codes.push(code);
            }
        }
        Ok(Self { codes, inverted })
    }

    /// The drop-shot selection (`--beam-off`): code [`BEAM_OFF_CODE`] present.
    pub fn beam_off() -> Self {
        Self {
            codes: vec![BEAM_OFF_CODE],
            inverted: false,
        }
    }

    /// The codes, as absolute values, in the order given.
    pub fn codes(&self) -> &[u16] {
        &self.codes
    }

    /// Whether the decision is inverted (a negative code was given).
    pub fn inverted(&self) -> bool {
        self.inverted
    }

    /// Whether an event with these codes is selected.
    pub fn selects(&self, codes: &EventCodes) -> bool {
        self.codes.iter().any(|&c| codes.contains(c)) != self.inverted
    }

    /// Counts the events of a run's timing data that the selection takes, and names the listed
    /// codes that never occur in the run.
    pub fn census(&self, timing: &RunTiming) -> Census {
        let counts = timing.code_counts();
        let selected = timing
            .events
            .values()
            .filter(|t| self.selects(&t.event_codes))
            .count() as u64;
        Census {
            events: timing.events.len() as u64,
            selected,
            absent: self
                .codes
                .iter()
                .copied()
                .filter(|c| !counts.contains_key(c))
                .collect(),
            counts,
        }
    }
}

impl fmt::Display for EventCodeSelection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = self
            .codes
            .iter()
            .map(|c| c.to_string())
            .collect::<Vec<_>>()
            .join(",");
        if self.inverted {
            write!(f, "none of event codes {list}")
        } else {
            write!(f, "any of event codes {list}")
        }
    }
}

/// What a selection takes of one run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Census {
    /// Events with timing data.
    pub events: u64,
    /// Of them, events the selection takes.
    pub selected: u64,
    /// Listed codes that no event of the run carries.
    pub absent: Vec<u16>,
    /// Events per event code in the run.
    pub counts: BTreeMap<u16, u64>,
}

/// The timing data of a run as `detcal info` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimingDescription {
    /// The timing detector's alias.
    pub alias: String,
    /// Events with timing data.
    pub events: u64,
    /// Events per event code, ascending by code.
    pub codes: BTreeMap<u16, u64>,
    /// Events with the electron beam present.
    pub beam_present: u64,
}

impl TimingDescription {
    /// Reads and summarizes the timing data of `run`; `None` if it has no timing detector.
    pub fn of_run(run: &xtc2::run::Run) -> Result<Option<Self>> {
        let timing = RunTiming::read(run)?;
        let Some(alias) = timing.alias.clone() else {
            return Ok(None);
        };
        Ok(Some(Self {
            alias,
            events: timing.events.len() as u64,
            codes: timing.code_counts(),
            beam_present: timing
                .events
                .values()
                .filter(|t| t.ebeam_present != 0)
                .count() as u64,
        }))
    }
}

/// Reads the timing data of an opened run; a run without a timing detector is an error that
/// says a selection needs one.
pub fn run_timing(run: &xtc2::run::Run) -> Result<RunTiming> {
    let timing = RunTiming::read(run)?;
    if !timing.has_timing() {
        return Err(Error::content(
            run.path(),
            "the run has no LCLS-II timing detector (type `ts`), so events cannot be selected by event code (-c/--evcode, --beam-off)",
        ));
    }
    Ok(timing)
}

/// Loads the timing data of every run for an event-code selection and says what it takes of
/// each: listed codes absent from a run are a warning, no event selected in all runs an error
/// (before anything is written). Returns the events selected. Every command's selection starts
/// here (`dark`, `pixel-status`, `calib`, `extract`, `calibrun`).
pub fn select_events(sources: &mut [RunSource], sel: &EventCodeSelection) -> Result<u64> {
    let mut selected = 0;
    for src in sources.iter_mut() {
        let label = src.label().to_string();
        let census = sel.census(src.load_timing()?);
        if !census.absent.is_empty() {
            tracing::warn!(
                "{label}: event code(s) {:?} of the selection occur in no event of this run (codes present: {:?})",
                census.absent,
                census.counts.keys().collect::<Vec<_>>()
            );
        }
        tracing::info!(
            "{label}: {} of {} events with timing data selected ({sel})",
            census.selected,
            census.events
        );
        selected += census.selected;
    }
    if selected == 0 {
        return Err(Error::not_found(
            crate::Missing::Data,
            "events",
            sel,
            format!("no event of the run(s) is selected by {sel}; nothing was processed"),
        ));
    }
    Ok(selected)
}

/// [`select_events`], then makes each run hand on only the selected frames
/// ([`RunSource::set_event_filter`]): the selection comes before every event counter of the
/// command (`--evskip`, `-n`, `--nrecs`). Nothing is done without a selection.
pub fn filter_events(sources: &mut [RunSource], sel: Option<&EventCodeSelection>) -> Result<()> {
    let Some(sel) = sel else { return Ok(()) };
    select_events(sources, sel)?;
    for src in sources.iter_mut() {
        src.set_event_filter(Some(sel.clone()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shot(codes: &[u16]) -> EventCodes {
        let mut c = EventCodes::new();
        for &k in codes {
            c.insert(k);
        }
        c
    }

    #[test]
    fn psana_semantics_any_code_and_inversion() {
        let s = EventCodeSelection::parse(" 40, 162 ").unwrap();
        assert_eq!((s.codes(), s.inverted()), (&[40u16, 162][..], false));
        assert!(s.selects(&shot(&[40])));
        assert!(s.selects(&shot(&[162, 287])));
        assert!(!s.selects(&shot(&[140])));
        // One negative code inverts the whole list, taken as absolute values.
        let inv = EventCodeSelection::parse("40,-162").unwrap();
        assert_eq!((inv.codes(), inv.inverted()), (&[40u16, 162][..], true));
        assert!(!inv.selects(&shot(&[40])));
        assert!(!inv.selects(&shot(&[162])));
        assert!(inv.selects(&shot(&[140])));
        assert!(inv.selects(&shot(&[])));
        assert_eq!(inv.to_string(), "none of event codes 40,162");
    }

    #[test]
    fn bad_lists_are_refused_with_the_flag_named() {
        for bad in ["", "abc", "1,,2", "288", "-300", "99999999999999999999"] {
            let e = EventCodeSelection::parse(bad).unwrap_err().to_string();
            assert!(e.contains("--evcode"), "{bad:?}: {e}");
        }
        assert!(EventCodeSelection::parse("0,287,-0").is_ok());
    }
}
