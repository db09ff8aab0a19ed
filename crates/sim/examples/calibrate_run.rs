//! The library from end to end: constants for a run from a calibration store, and calibrated
//! frames, as psana's `det.calib` gives them.
//!
//! A small JUNGFRAU (2 panels of 64 x 256) is simulated in a temporary directory; the simulator's
//! true pedestals, gains and offsets are deployed into a calibration store for runs 1-end; then the
//! light run (run 2) is calibrated with the constants the store gives for it, and its photon peak
//! is found.
//!
//!     cargo run --release --example calibrate_run [DIR]

use std::path::PathBuf;

use detcal::access::DetectorCalib;
use detcal::apply::{Histogram, MeanImage, Selection, calibrate_run};
use detcal::detector::{CalibType, DetType};
use detcal::files::Perms;
use detcal::formats::load_array;
use detcal::formats::text::TextOptions;
use detcal::source::open_dataset;
use detcal::store::{CalibStore, Deployment, RunRange};
use detcal_sim::{SimConfig, simulate};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let tmp = tempfile::tempdir()?;
    let dir = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| tmp.path().to_path_buf());
    let perms = Perms::new(0o2775, 0o664, "");

    // 1. A simulated dark run (run 1) and light run (run 2) with their truth.
    let cfg = SimConfig {
        panels: 2,
        rows: 64,
        cols: 256,
        dark_events: 20,
        light_events: 50,
        ..SimConfig::default()
    };
    let sim = simulate(&cfg, &dir.join("data"), None, &perms, &|_| {})?;

    // 2. The truth deployed as the constants of runs 1-end (detcal dark + deploy would measure
    //    them; see `detcal demo`).
    let store = CalibStore::new(dir.join("calib"));
    let source = "jungfrau.0:Jungfrau.0";
    for (ctype, file, fmt) in [
        (CalibType::Pedestals, "pedestals", "%.3f"),
        (CalibType::PixelGain, "gain", "%.4f"),
        (CalibType::PixelOffset, "offset", "%.1f"),
    ] {
        let arr = load_array(&sim.truth_dir.join(format!("{file}.npy")))?;
        let path = store.deploy_array(
            &arr,
            &TextOptions::new(fmt)?,
            "simulator truth",
            &Deployment {
                group: DetType::Jungfrau.calib_group(),
                source,
                ctype: ctype.name(),
                range: RunRange::from_run(1),
                perms: perms.clone(),
                comment: "calibrate_run example".into(),
            },
        )?;
        println!("deployed {ctype}: {}", path.display());
    }

    // 3. The constants valid for run 2, with psana's defaults for what is missing.
    let calib = DetectorCalib::new(store, source)?;
    for (ctype, file) in calib.report(2)? {
        let from = file.map_or("no file: psana's default, if any".into(), |f| {
            f.display().to_string()
        });
        println!("run 2 {:<13} {from}", ctype.name());
    }
    let mut cal = calib.calibrator(2, None)?;
    println!("common mode {:?}", cal.common_mode());

    // 4. The light run calibrated: its mean image and the spectrum of pixel values.
    let src = open_dataset("exp=xpptut15:run=2", Some(&dir.join("data")), None)?.remove(0);
    let mut mean = MeanImage::new(cal.frame_len());
    let mut hist = Histogram::new(-5.0, 50.0, 2750)?;
    let stats = calibrate_run(&src, &mut cal, &Selection::default(), &mut |frames| {
        mean.add(frames);
        hist.add(frames);
        Ok(())
    })?;
    let m = mean.mean();
    println!(
        "{} frames calibrated; mean image: {:.3} keV on average",
        stats.frames,
        m.iter().map(|&v| v as f64).sum::<f64>() / m.len() as f64
    );
    let peak = hist.peak(2.0, 0.8).ok_or("no photon peak")?;
    println!(
        "photon peak {peak:.3} keV (simulated {} keV)",
        cfg.light.energy_kev
    );
    Ok(())
}
