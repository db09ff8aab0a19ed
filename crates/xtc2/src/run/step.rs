//! Steps and their gain modes: from the step's config update, the step docstring, or the index.

use std::collections::BTreeMap;

use crate::time_stamp::TimeStamp;

/// Where a step's gain mode came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GainModeSource {
    /// The detector's `user.gainMode` config update in the BeginStep.
    ConfigUpdate,
    /// The `gainMode` of the `step_docstring` JSON in the BeginStep.
    Docstring,
    /// Neither was present: the step index stands in (as psana does).
    StepIndex,
}

/// A step's gain mode: value, name from the ENUMDICT, and where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct GainMode {
    /// The enum value (JUNGFRAU: 0 DYNAMIC, 1 FORCE_SWITCH_G1, 2 FORCE_SWITCH_G2, 3 FIX_G1, 4 FIX_G2).
    pub value: i32,
    /// The enum name, if the Configure had the enum's dictionary.
    pub name: Option<String>,
    /// Where the value came from.
    pub source: GainModeSource,
}

/// One step of a run (the transitions from one BeginStep to its EndStep).
#[derive(Debug, Clone, PartialEq)]
pub struct StepInfo {
    /// 0-based count of BeginSteps in the run.
    pub index: u32,
    /// The BeginStep's time stamp (the first event's, for a run with no BeginStep).
    pub time: TimeStamp,
    /// The gain mode of the step.
    pub gain_mode: GainMode,
    /// The `step_docstring` text, if the BeginStep had one.
    pub docstring: Option<String>,
    /// The detector's config updates in the BeginStep, one per segment that had one (numeric
    /// fields of its `config` Names: ePix10ka `asicPixelConfig` and `trbit`, ...).
    pub config_updates: Vec<super::SegmentConfig>,
}

/// Enum dictionaries from ENUMDICT fields: enum type -> value -> name.
pub(crate) type EnumDicts = BTreeMap<String, BTreeMap<i32, String>>;

/// Resolves a step's gain mode from what its BeginStep carried.
pub(crate) fn gain_mode(
    index: u32,
    update: Option<i32>,
    docstring: Option<&str>,
    dict: Option<&BTreeMap<i32, String>>,
) -> GainMode {
    let name = |v: i32| dict.and_then(|d| d.get(&v).cloned());
    if let Some(value) = update {
        return GainMode {
            value,
            name: name(value),
            source: GainModeSource::ConfigUpdate,
        };
    }
    if let Some(value) = docstring.and_then(|d| docstring_gain_mode(d, dict)) {
        return GainMode {
            value,
            name: name(value),
            source: GainModeSource::Docstring,
        };
    }
    let value = i32::try_from(index).unwrap_or(i32::MAX);
    GainMode {
        value,
        name: name(value),
        source: GainModeSource::StepIndex,
    }
}

/// The `gainMode` of a step docstring such as
/// `{"detname": "jungfrau", "scantype": "pedestal", "step": 1, "gainMode": 1}`.
///
/// The value may be an integer or the name of an enum value (looked up in `dict`). Only the
/// top-level key counts; nested objects are skipped.
pub fn docstring_gain_mode(doc: &str, dict: Option<&BTreeMap<i32, String>>) -> Option<i32> {
    let value = top_level_value(doc, "gainMode")?;
    if let Some(text) = value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
        if let Ok(n) = text.trim().parse::<i32>() {
            return Some(n);
        }
        return dict?
            .iter()
            .find(|(_, name)| name.as_str() == text)
            .map(|(v, _)| *v);
    }
    value.parse::<i32>().ok().or_else(|| {
        // A float such as 1.0.
        let f = value.parse::<f64>().ok()?;
        (f.fract() == 0.0 && f.abs() < 1e9).then_some(f as i32)
    })
}

/// The raw text of the value of `key` in a top-level JSON object (strings keep their quotes).
fn top_level_value<'d>(doc: &'d str, key: &str) -> Option<&'d str> {
    let b = doc.as_bytes();
    let mut depth = 0i32;
    let mut i = 0usize;
    while let Some(&c) = b.get(i) {
        match c {
            b'{' | b'[' => depth += 1,
            b'}' | b']' => depth -= 1,
            b'"' => {
                let end = string_end(b, i)?;
                let text = doc.get(i + 1..end)?;
                i = end;
                if depth == 1 && text == key {
                    // A key is followed by `:`; the same text as a value is not.
                    let rest = doc.get(i + 1..)?.trim_start();
                    if let Some(rest) = rest.strip_prefix(':') {
                        return Some(value_text(rest.trim_start()));
                    }
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// Index of the closing quote of the string starting at `start`.
fn string_end(b: &[u8], start: usize) -> Option<usize> {
    let mut i = start + 1;
    while let Some(&c) = b.get(i) {
        match c {
            b'\\' => i += 2,
            b'"' => return Some(i),
            _ => i += 1,
        }
    }
    None
}

/// The text of a scalar JSON value at the start of `s`.
fn value_text(s: &str) -> &str {
    if s.starts_with('"') {
        let end = string_end(s.as_bytes(), 0).map_or(s.len(), |e| e + 1);
        return s.get(..end).unwrap_or(s);
    }
    let end = s.find([',', '}', ']']).unwrap_or(s.len());
    s.get(..end).unwrap_or(s).trim()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dict() -> BTreeMap<i32, String> {
        [
            (0, "DYNAMIC"),
            (1, "FORCE_SWITCH_G1"),
            (2, "FORCE_SWITCH_G2"),
        ]
        .into_iter()
        .map(|(v, n)| (v, n.to_string()))
        .collect()
    }

    #[test]
    fn reads_gain_mode_from_docstrings() {
        let d = dict();
        let doc = r#"{"detname": "jungfrau", "scantype": "pedestal", "step": 1, "gainMode": 2}"#;
        assert_eq!(docstring_gain_mode(doc, None), Some(2));
        assert_eq!(
            docstring_gain_mode(r#"{"gainMode":"FORCE_SWITCH_G1"}"#, Some(&d)),
            Some(1)
        );
        assert_eq!(docstring_gain_mode(r#"{"gainMode": "2"}"#, None), Some(2));
        assert_eq!(docstring_gain_mode(r#"{"gainMode": 1.0}"#, None), Some(1));
        assert_eq!(
            docstring_gain_mode(r#"{"x": {"gainMode": 1}, "step": 0}"#, None),
            None
        );
        assert_eq!(
            docstring_gain_mode(r#"{"note": "gainMode", "gainMode": 0}"#, None),
            Some(0)
        );
        assert_eq!(
            docstring_gain_mode(r#"{"detname": "jungfrau"}"#, None),
            None
        );
        assert_eq!(docstring_gain_mode("not json", None), None);
        assert_eq!(
            docstring_gain_mode(r#"{"gainMode": "UNKNOWN"}"#, Some(&d)),
            None
        );
    }

    #[test]
    fn gain_mode_prefers_update_then_docstring_then_index() {
        let d = dict();
        let g = gain_mode(5, Some(1), Some(r#"{"gainMode": 2}"#), Some(&d));
        assert_eq!(
            (g.value, g.name.as_deref(), g.source),
            (1, Some("FORCE_SWITCH_G1"), GainModeSource::ConfigUpdate)
        );
        let g = gain_mode(5, None, Some(r#"{"gainMode": 2}"#), Some(&d));
        assert_eq!((g.value, g.source), (2, GainModeSource::Docstring));
        let g = gain_mode(2, None, Some("{}"), None);
        assert_eq!(
            (g.value, g.name, g.source),
            (2, None, GainModeSource::StepIndex)
        );
    }
}
