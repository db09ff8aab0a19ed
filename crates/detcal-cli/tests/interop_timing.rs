//! psana2 (PyPI) reads the `timing` detector of simulated runs and sees the event codes detcal
//! sees (issue 17).

use crate::interop::{psana_python, run_python};
use crate::util::Dir;

/// Per event of `sys.argv[1]`, the event codes psana's `timing` detector reports.
const PSANA_EVENT_CODES: &str = r#"
import json, sys
from psana import DataSource
ds = DataSource(files=[sys.argv[1]], skip_calib_load='all')
out = []
for run in ds.runs():
    det = run.Detector('timing')
    for evt in run.events():
        bits = det.raw.eventcodes(evt)
        out.append([i for i, b in enumerate(bits) if b])
print(json.dumps(out))
"#;

#[test]
fn psana_sees_the_event_codes_detcal_sees() {
    let Some(py) = psana_python() else { return };
    let d = Dir::new();
    d.ok(&[
        "simulate",
        "--out",
        "data",
        "--panels",
        "1",
        "--shape",
        "16x32",
        "--steps",
        "1",
        "-n",
        "4",
        "--light-events",
        "12",
        "--drop-every",
        "4",
        "--group",
        "",
    ]);
    let file = d.join("data/XPP/xpptut15/xtc/xpptut15-r0002-s000-c000.xtc2");
    let script = format!(
        "import sys; sys.argv = ['x', {:?}]\n{PSANA_EVENT_CODES}",
        file.display().to_string()
    );
    let stdout = run_python(&py, d.path(), &script);
    let line = stdout
        .lines()
        .rev()
        .find(|l| l.starts_with('['))
        .expect("psana's JSON line");
    let theirs: Vec<Vec<u16>> = serde_json::from_str(line).unwrap();
    // The simulation: code 40 on every shot, 162 on every 4th (a drop shot), else 140.
    let want: Vec<Vec<u16>> = (0..12)
        .map(|e| vec![40, if (e + 1) % 4 == 0 { 162 } else { 140 }])
        .collect();
    assert_eq!(theirs, want, "psana's event codes per event");
    // detcal's counts of the same run.
    let ours: serde_json::Value = serde_json::from_str(&d.ok(&[
        "info",
        "exp=xpptut15:run=2",
        "--data-dir",
        "data",
        "--json",
    ]))
    .unwrap();
    let timing = &ours[0]["timing"];
    assert_eq!(timing["alias"], "timing");
    assert_eq!(timing["events"], 12);
    let mut counts = std::collections::BTreeMap::new();
    for codes in &theirs {
        for c in codes {
            *counts.entry(c.to_string()).or_insert(0u64) += 1;
        }
    }
    let our_counts: std::collections::BTreeMap<String, u64> =
        serde_json::from_value(timing["codes"].clone()).unwrap();
    assert_eq!(our_counts, counts, "event-code counts");
}
