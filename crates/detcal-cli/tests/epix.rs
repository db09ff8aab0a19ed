//! ePix10ka: `detcal info`, `detcal calib`, `detcal simulate` and `epix10ka_id` on the real quad
//! sample (spec epix10ka.md §9) and on simulated runs.

use crate::util::{Dir, shared_data};

const SAMPLE: &str = "xtc2/test_epix_calib.xtc2";

const IDS: [&str; 4] = [
    "3926196238-0175152897-1157627926-0000000000-0000000000-0000000000-0000000000",
    "3926196238-0174824449-0268435478-0000000000-0000000000-0000000000-0000000000",
    "3926196238-0175552257-3456106518-0000000000-0000000000-0000000000-0000000000",
    "3926196238-0176373505-4043309078-0000000000-0000000000-0000000000-0000000000",
];

/// The sample's step is FL (every pixel config 8, trbit 0), not "gain mode 0" (its step index).
#[test]
fn epix_info_on_the_real_sample_reports_fl() {
    let Some(f) = shared_data(SAMPLE) else { return };
    let d = Dir::new();
    let out = d.ok(&["info", f.to_str().unwrap()]);
    assert!(out.contains("run 109 of ueddaq02"), "{out}");
    assert!(
        out.contains("epixquad (epix10ka, psana Epix10kaQuad, raw 2.0.1)"),
        "{out}"
    );
    assert!(out.contains("frame     [4, 352, 384]"), "{out}");
    assert!(out.contains("tstamp 20210223203420"), "{out}");
    for (k, id) in IDS.iter().enumerate() {
        assert!(out.contains(&format!("segment  {k} {id}")), "{out}");
    }
    assert!(
        out.contains("step  0   gain mode 2 FL = psana FL (SegmentConfigs): 2 events"),
        "{out}"
    );
    assert!(out.contains("config bits {8:540672}"), "{out}");
    let json = d.ok(&["info", f.to_str().unwrap(), "--json"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let step = &v[0]["detectors"][0]["steps"][0];
    assert_eq!(step["psana_gain_mode"], "FL", "{json}");
}
