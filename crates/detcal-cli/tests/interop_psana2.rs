//! psana2 (PyPI `psana`) calibrating with detcal's constants through its calibration cache.
//!
//! A simulated run goes through `detcal dark`, `deploy -D`, `gain-constants -D`, a
//! `status_extra` and a `status_data` file, and `export-psana2`; then psana2's
//! `DataSource(files=..., use_calib_cache=True)` reads the cache and `det.raw.calib(evt)` of every
//! event must equal detcal's calibrator under psana2's rules (docs/psana-compat.md: no common
//! mode; the mask from `pixel_status` and `status_extra`, not `status_data`), and
//! `det.raw._pedestals()` detcal's pedestals, exactly.
//!
//! psana2 reads the cache only from `/dev/shm/calibconst.pkl`. So that the test neither needs
//! nor clobbers that shared file, the driver points psana2's reader
//! (`calib_utils.try_load_data_from_file`) at the test's directory by changing only its default
//! directory argument; the reading and everything after it are psana2's own.

use std::path::Path;

use detcal::NdArray;
use detcal::access::DetectorCalib;
use detcal::calib::Calibrator;
use detcal::files::Perms;
use detcal::formats::{load_array, npy};
use detcal::store::CalibStore;
use ndarray::{ArrayD, IxDyn};

use crate::interop::psana_python;
use crate::util::Dir;

const DRIVER: &str = r#"
import sys, os, json
import numpy as np
from psana.pscalib.app.calib_prefetch import calib_utils
calib_utils.try_load_data_from_file.__defaults__ = (os.getcwd(),)
from psana import DataSource
ds = DataSource(files=[sys.argv[1]], use_calib_cache=True, fetch_calib_cache_max_retries=1)
run = next(ds.runs())
det = run.Detector('jungfrau')
out = [np.array(det.raw.calib(evt), copy=True) for evt in run.events()]
np.save('psana2_calib.npy', np.stack(out))
np.save('psana2_peds.npy', det.raw._pedestals())
print(json.dumps({'det_info': run.get_filtered_detinfo(),
                  'ctypes': sorted(det.raw._calibconst.keys())}))
"#;

fn write_npy(path: &Path, a: NdArray) {
    npy::write_npy(path, &a, &Perms::new(0o775, 0o664, "")).unwrap();
}

#[test]
fn psana2_calib_with_detcal_constants_equals_detcal() {
    let Some(py) = psana_python() else { return };
    let d = Dir::new();
    let g = ["--group", ""];
    let sim = [
        "simulate",
        "--out",
        "data",
        "--panels",
        "2",
        "--shape",
        "64x256",
        "-n",
        "30",
        "--light-events",
        "5",
        "--gains",
        "gains",
        "--seed",
        "21",
    ];
    d.ok(&[&sim[..], &g].concat());
    d.ok(&[
        &[
            "dark",
            "exp=xpptut15:run=1",
            "--data-dir",
            "data",
            "-o",
            "panels",
        ][..],
        &g,
    ]
    .concat());
    let run = [
        "-e",
        "xpptut15",
        "-r",
        "1",
        "--data-dir",
        "data",
        "-c",
        "calib",
    ];
    d.ok(&[&["deploy", "-o", "panels", "-D"][..], &run, &g].concat());
    d.ok(&[&["gain-constants", "--repdir", "gains", "-D"][..], &run, &g].concat());
    // status_extra (psana2 masks with it) and status_data (psana2 does not), a few bits each.
    let (nsegs, rows, cols) = (2usize, 64usize, 256usize);
    let n = nsegs * rows * cols;
    let extra: Vec<u64> = (0..n)
        .map(|i| if i % 97 == 5 { 1 << 40 } else { 0 })
        .collect();
    let sdata: Vec<u16> = (0..3 * n)
        .map(|i| if i % 89 == 3 { 4 } else { 0 })
        .collect();
    write_npy(
        &d.join("extra.npy"),
        ArrayD::from_shape_vec(IxDyn(&[nsegs, rows, cols]), extra)
            .unwrap()
            .into(),
    );
    write_npy(
        &d.join("sdata.npy"),
        ArrayD::from_shape_vec(IxDyn(&[3, nsegs, rows, cols]), sdata)
            .unwrap()
            .into(),
    );
    for (file, ctype) in [("extra.npy", "status_extra"), ("sdata.npy", "status_data")] {
        d.ok(&[
            "deploy-file",
            file,
            "-c",
            "calib",
            "-s",
            "jungfrau.0:Jungfrau.0",
            "-t",
            ctype,
            "-r",
            "1",
            "--group",
            "",
        ]);
    }
    let light = d.join("data/XPP/xpptut15/xtc/xpptut15-r0002-s000-c000.xtc2");
    let light_s = light.display().to_string();
    let out = d.ok(&[
        &[
            "export-psana2",
            &light_s,
            "-c",
            "calib",
            "--out",
            ".",
            "--json",
        ][..],
        &g,
    ]
    .concat());
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    let unique_id = report["detectors"][0]["unique_id"].as_str().unwrap();
    assert!(!d.join("calibconst.pkl.inprogress").exists());

    let out = std::process::Command::new(&py)
        .arg("-c")
        .arg(DRIVER)
        .arg(&light)
        .current_dir(d.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "psana2 failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8_lossy(&out.stdout);
    let json = said
        .lines()
        .rev()
        .find(|l| l.starts_with("{\"det_info"))
        .expect("the driver's JSON line");
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    assert_eq!(v["det_info"]["jungfrau"], unique_id, "psana2's unique id");
    let ctypes: Vec<&str> = v["ctypes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    for c in [
        "pedestals",
        "pixel_gain",
        "pixel_offset",
        "pixel_status",
        "status_extra",
    ] {
        assert!(ctypes.contains(&c), "psana2 has no {c}: {ctypes:?}");
    }

    // detcal's calibrator under psana2's rules, from the same store.
    let calib =
        DetectorCalib::new(CalibStore::new(d.join("calib")), "jungfrau.0:Jungfrau.0").unwrap();
    let mut consts = calib.constants(2, None).unwrap();
    assert!(consts.status_data.is_some() && consts.status_extra.is_some());
    consts.status_data = None;
    consts.common_mode = Some(vec![]);
    let mut cal = Calibrator::jungfrau(&consts).unwrap();
    d.ok(&[
        &["extract", &light_s, "--det", "jungfrau", "-o", "raw.npy"][..],
        &g,
    ]
    .concat());
    let raw = load_array(&d.join("raw.npy")).unwrap().to_typed::<u16>();
    let theirs = load_array(&d.join("psana2_calib.npy"))
        .unwrap()
        .to_typed::<f32>();
    assert_eq!(theirs.shape(), raw.shape(), "events and frame shape");
    assert_eq!(raw.shape()[0], 5, "light events");
    let raw = raw.as_standard_layout();
    let raw = raw.as_slice().unwrap();
    let theirs = theirs.as_standard_layout();
    let theirs = theirs.as_slice().unwrap();
    let mut ours = vec![0f32; n];
    let mut masked = 0;
    for e in 0..5 {
        cal.calibrate(&raw[e * n..(e + 1) * n], &mut ours).unwrap();
        let t = &theirs[e * n..(e + 1) * n];
        let differ = ours
            .iter()
            .zip(t)
            .filter(|(a, b)| !(a == b || (a.is_nan() && b.is_nan())))
            .count();
        assert_eq!(differ, 0, "event {e}: {differ} pixels differ from psana2's");
        masked += t.iter().filter(|x| **x == 0.0).count();
    }
    assert!(masked > 5 * n / 97, "status_extra masks pixels ({masked})");

    // det.raw._pedestals() is detcal's deployed pedestals, bit for bit.
    let peds = calib
        .get(detcal::detector::CalibType::Pedestals, 2)
        .unwrap()
        .array
        .clone()
        .unwrap();
    let theirs = load_array(&d.join("psana2_peds.npy")).unwrap();
    assert_eq!(theirs, peds, "det.raw._pedestals()");
}
