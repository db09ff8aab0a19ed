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

/// A value at (range, segment, row, col).
type At<'a> = ((usize, usize, usize, usize), &'a str);

/// Writes a (7, 4, 352, 384) constants file with psana's header into the store, every value
/// `fill` except those given as ((range, seg, row, col), value).
fn deploy_const(calib: &std::path::Path, ctype: &str, dtype: &str, fill: &str, set: &[At<'_>]) {
    let dir = calib
        .join("Epix10kaQuad::CalibV1/epixquad.0:Epix10kaQuad.0")
        .join(ctype);
    std::fs::create_dir_all(&dir).unwrap();
    let mut s =
        format!("# DTYPE {dtype}\n# NDIM 4\n# DIM:0 7\n# DIM:1 4\n# DIM:2 352\n# DIM:3 384\n");
    for g in 0..7 {
        for seg in 0..4 {
            for r in 0..352 {
                let row: Vec<&str> = (0..384)
                    .map(|c| {
                        set.iter()
                            .find(|(at, _)| *at == (g, seg, r, c))
                            .map_or(fill, |(_, v)| *v)
                    })
                    .collect();
                s.push_str(&row.join(" "));
                s.push('\n');
            }
        }
    }
    std::fs::write(dir.join("0-end.data"), s).unwrap();
}

fn load_f32(p: &std::path::Path) -> (Vec<usize>, Vec<f32>) {
    let a = detcal::formats::load_array(p).unwrap();
    let shape = a.shape().to_vec();
    let v = a.to_f64().iter().map(|&x| x as f32).collect();
    (shape, v)
}

/// `detcal calib` on the real sample: FL everywhere (bit 14 set, ignored), no common mode on
/// low-range pixels, the spec's raw values without constants, and psana's formula with them.
#[test]
fn epix_calib_on_the_real_sample() {
    let Some(f) = shared_data(SAMPLE) else { return };
    let d = Dir::new();
    let file = f.to_str().unwrap();
    std::fs::create_dir_all(d.join("calib")).unwrap();
    // No constants: pedestal 0, factor 1 (psana), so the output is raw & 0x3fff.
    let out = d.ok(&["calib", file, "-c", "calib", "--out", "raw.npy"]);
    assert!(out.contains("2 frames of (4,352,384) float32 ADU"), "{out}");
    let (shape, v) = load_f32(&d.join("raw.npy"));
    assert_eq!(shape, [2, 4, 352, 384]);
    assert_eq!(&v[..5], &[3236.0, 3338.0, 3349.0, 3346.0, 3261.0]);
    let seg0 = &v[..352 * 384];
    let mean = seg0.iter().map(|&x| x as f64).sum::<f64>() / seg0.len() as f64;
    assert!((mean - 3093.2).abs() < 0.05, "{mean}");
    let (lo, hi) = seg0
        .iter()
        .fold((f32::MAX, f32::MIN), |(a, b), &x| (a.min(x), b.max(x)));
    assert_eq!((lo, hi), (2471.0, 8704.0));

    // FL pedestal 3000 and gain 0.164 in range 2; status bad in range 2 at (0, 0, 1) and in
    // range 6 at (0, 0, 2) (ranges 5, 6 are not part of the mask).
    // Pedestals: 3000 in every FL pixel of segment 0, row 0 (enough for the checks).
    let row0: Vec<At<'_>> = (0..384).map(|c| ((2, 0, 0, c), "3000")).collect();
    deploy_const(&d.join("calib"), "pedestals", "float32", "0", &row0);
    deploy_const(
        &d.join("calib"),
        "pixel_gain",
        "float32",
        "1",
        &[((2, 0, 0, 0), "0.164")],
    );
    deploy_const(
        &d.join("calib"),
        "pixel_status",
        "int32",
        "0",
        &[((2, 0, 0, 1), "4"), ((6, 0, 0, 2), "1")],
    );
    let out = d.ok(&["calib", file, "-c", "calib", "--out", "cal.npy"]);
    assert!(out.contains("2 frames of (4,352,384) float32 keV"), "{out}");
    let (_, c) = load_f32(&d.join("cal.npy"));
    assert_eq!(c[0], (3236.0f32 - 3000.0) * (1.0f32 / 0.164f32));
    assert_eq!(c[1], 0.0, "masked by its FL status");
    assert_eq!(c[2], 3349.0 - 3000.0, "range-6 status does not mask");
    // Low-range pixels get no common mode: event 1 differs from event 0 by the raw difference.
    let n = 4 * 352 * 384;
    for i in [500usize, 100_000, 300_000] {
        assert_eq!(c[n + i] - c[i], v[n + i] - v[i], "pixel {i}");
    }
}

/// `epix10ka_id` (and `detcal epix10ka-id`) prints psana's lines for the sample's four panels.
#[test]
fn epix10ka_id_prints_the_panel_ids() {
    let Some(f) = shared_data(SAMPLE) else { return };
    let d = Dir::new();
    let mut want = String::from("Panel ids:\n");
    for (k, id) in IDS.iter().enumerate() {
        want.push_str(&format!("elem {k:2}: {id}\n"));
    }
    assert_eq!(d.ok(&["epix10ka-id", f.to_str().unwrap()]), want);
    // Under psana's program name, with psana's optional detector name.
    let link = d.join("epix10ka_id");
    std::os::unix::fs::symlink(assert_cmd::cargo::cargo_bin("detcal"), &link).unwrap();
    let out = std::process::Command::new(&link)
        .args([f.to_str().unwrap(), "epixquad"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8(out.stdout).unwrap(), want);
    let err = d.fails(&["epix10ka-id", f.to_str().unwrap(), "nosuch"], 2);
    assert!(err.contains("nosuch"), "{err}");
}

/// A simulated quad: the dark run's 5 steps read back as FH..AML-M, the light run as AHL-H and
/// AML-M, and its panel ids through epix10ka-id.
#[test]
fn epix_simulated_quad_reads_back() {
    let d = Dir::new();
    let out = d.ok(&[
        "simulate",
        "--det",
        "epix10kaquad",
        "--out",
        "data",
        "--events",
        "2",
        "--light-events",
        "2",
    ]);
    assert!(out.contains("xpptut15-r0001-truth"), "{out}");
    let info = d.ok(&["info", "exp=xpptut15:run=1", "--data-dir", "data"]);
    for (k, m) in ["FH", "FM", "FL", "AHL-H", "AML-M"].iter().enumerate() {
        assert!(
            info.contains(&format!("step  {k}   gain mode {k} {m} = psana {m}")),
            "{info}"
        );
    }
    let info = d.ok(&["info", "exp=xpptut15:run=2", "--data-dir", "data"]);
    assert!(
        info.contains("gain mode 3 AHL-H") && info.contains("gain mode 4 AML-M"),
        "{info}"
    );
    let ids = d.ok(&["epix10ka-id", "exp=xpptut15:run=1", "--data-dir", "data"]);
    assert_eq!(ids.lines().count(), 5, "{ids}");
    assert!(
        ids.lines()
            .nth(1)
            .unwrap()
            .starts_with("elem  0: 3926196238-"),
        "{ids}"
    );
}

/// The whole ePix10ka chain on a simulated quad: simulate -> dark (5 modes) -> deploy -D ->
/// calib of the light run. The photon peak is within 1% of the simulated energy in every range
/// photons reach (AHL-H, AML-M, and the switched AHL-L, AML-L at 100 photons), and every
/// injected bad pixel is masked.
#[test]
fn epix_end_to_end_simulated_quad() {
    use detcal::source::{Flow, Item, RunSource};
    let d = Dir::new();
    d.ok(&[
        "simulate",
        "--det",
        "epix10kaquad",
        "--out",
        "data",
        "--events",
        "20",
        "--light-events",
        "10",
        "--energy",
        "8",
    ]);
    let dark = d.run(&[
        "dark",
        "exp=xpptut15:run=1",
        "--data-dir",
        "data",
        "-o",
        "panels",
    ]);
    let err = String::from_utf8_lossy(&dark.stderr);
    assert!(dark.status.success(), "{err}");
    // Every panel got the five measured modes from the steps' configurations.
    for mode in ["FH", "FM", "FL", "AHL-H", "AML-M"] {
        let n = walk(&d.join("panels"))
            .iter()
            .filter(|p| {
                p.to_str()
                    .unwrap()
                    .ends_with(&format!("_pedestals_{mode}.dat"))
            })
            .count();
        assert_eq!(n, 4, "pedestals_{mode} files");
    }
    // No charge-injection offsets were measured: the switched ranges' pedestals are FL's
    // (offsetph 0), as the simulation draws them (offset_low 0).
    for fl in walk(&d.join("panels")) {
        let name = fl.file_name().unwrap().to_str().unwrap().to_string();
        if let Some(prefix) = name.strip_suffix("pedestals_FL.dat") {
            let off = fl.parent().unwrap().parent().unwrap().join("offset");
            std::fs::create_dir_all(&off).unwrap();
            let zeros = format!("{}\n", vec!["0.000"; 384].join(" ")).repeat(352);
            for m in ["AHL", "AML"] {
                std::fs::write(off.join(format!("{prefix}offsetph_{m}.dat")), &zeros).unwrap();
            }
        }
    }
    std::fs::create_dir_all(d.join("calib")).unwrap();
    d.ok(&[
        "deploy",
        "-e",
        "xpptut15",
        "-r",
        "1",
        "--data-dir",
        "data",
        "-o",
        "panels",
        "-c",
        "calib",
        "-D",
    ]);
    d.ok(&[
        "calib",
        "exp=xpptut15:run=2",
        "--data-dir",
        "data",
        "-c",
        "calib",
        "--out",
        "light.npy",
    ]);
    let (shape, cal) = load_f32(&d.join("light.npy"));
    assert_eq!(shape, [20, 4, 352, 384]);
    let n = 4 * 352 * 384;
    // The raw frames, for each pixel's range: step 0 AHL, step 1 AML; bit 14 = switched.
    let src = RunSource::open_xtc(
        &[d.join("data/XPP/xpptut15/xtc/xpptut15-r0002-s000-c000.xtc2")],
        None,
    )
    .unwrap();
    let mut raw: Vec<(u32, Vec<u16>)> = Vec::new();
    src.for_each(&mut |item| {
        if let Item::Frame { step, frame, .. } = item {
            raw.push((step, frame.to_vec()?));
        }
        Ok(Flow::Continue)
    })
    .unwrap();
    let defects = detcal::formats::load_array(
        &d.join("data/XPP/xpptut15/xtc/xpptut15-r0001-truth/defects.npy"),
    )
    .unwrap()
    .to_f64()
    .iter()
    .map(|&x| x != 0.0)
    .collect::<Vec<bool>>();
    let mut sums = [(0f64, 0usize); 4]; // AHL-H, AML-M, AHL-L, AML-L
    for (f, (step, words)) in raw.iter().enumerate() {
        let out = &cal[f * n..(f + 1) * n];
        for i in 0..n {
            if defects[i] {
                assert_eq!(out[i], 0.0, "bad pixel {i} is masked");
                continue;
            }
            let switched = words[i] & 0x4000 != 0;
            let k = *step as usize + if switched { 2 } else { 0 };
            let v = out[i] as f64;
            // Photons only: above half the energy (one photon) in H/M.
            if switched || v > 4.0 {
                sums[k].0 += v;
                sums[k].1 += 1;
            }
        }
    }
    for (k, want) in [8.0, 8.0, 800.0, 800.0].iter().enumerate() {
        let (s, c) = sums[k];
        assert!(c > 50, "range {k}: {c} photon pixels");
        let mean = s / c as f64;
        assert!(
            (mean - want).abs() < 0.01 * want,
            "range {k}: peak {mean} keV, want {want}"
        );
    }
}

/// Every file under `dir`.
fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    let Ok(rd) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}
