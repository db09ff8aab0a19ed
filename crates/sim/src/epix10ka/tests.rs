//! The simulated ePix10ka runs read back: steps with their gain modes from the segment
//! configs, frames as drawn, truth files; and the light run calibrated with the truth puts
//! photons at the simulated energy.

use super::*;
use detcal::calib::{Calibrator, Constants};
use detcal::detector::DetType;
use detcal::source::{Flow, Item, RunSource};

fn small() -> EpixSim {
    EpixSim {
        dark_events: 3,
        light_events: 4,
        ..EpixSim::default()
    }
}

/// A step read back: its gain range and frames.
type Step = (Option<GainRange>, Vec<Vec<u16>>);

/// Reads every step's gain range and every frame of a run.
fn read(path: &Path) -> (RunSource, Vec<Step>) {
    let src = RunSource::open_xtc(&[path], None).unwrap();
    let mut steps: Vec<Step> = Vec::new();
    src.for_each(&mut |item| {
        match item {
            Item::StepBegin(s) => steps.push((s.gain_range(), Vec::new())),
            Item::Frame { frame, .. } => steps.last_mut().unwrap().1.push(frame.to_vec()?),
            _ => {}
        }
        Ok(Flow::Continue)
    })
    .unwrap();
    (src, steps)
}

#[test]
fn quad_runs_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let s = small();
    let perms = Perms::new(0o775, 0o664, "");
    let out = simulate(&s, dir.path(), &perms).unwrap();
    let (src, steps) = read(&out.dark_file);
    let m = src.meta();
    assert_eq!(m.det_type, DetType::Epix10kaQuad);
    assert_eq!(m.frame_shape, [4, 352, 384]);
    assert_eq!(m.panel_ids, out.panel_ids);
    assert_eq!((m.exp.as_str(), m.run), ("xpptut15", 1));
    let modes: Vec<Option<GainRange>> = steps.iter().map(|s| s.0).collect();
    assert_eq!(modes, GAIN_MODES_IN.map(Some).to_vec());
    let truth = draw_truth(&s);
    let mut buf = vec![0u16; 4 * PANEL_PIXELS];
    for (k, (_, frames)) in steps.iter().enumerate() {
        assert_eq!(frames.len(), 3);
        for (e, f) in frames.iter().enumerate() {
            dark_frame(&s, &truth, k, k, e, &mut buf);
            assert_eq!(f, &buf, "dark step {k} event {e}");
            // FL: bit 14 in every pixel, as in the real sample; other modes: none.
            let fl = GAIN_MODES_IN[k] == GainRange::Fl;
            assert!(f.iter().all(|&w| (w & 0x4000 != 0) == fl));
        }
    }
    // Injected defects: dead pixels read 0, saturated 0x3fff (with FL's bit 14 masked away).
    let d = &truth.defects;
    let i = d.iter().position(|&x| x == defect::DEAD).unwrap();
    assert!(
        steps
            .iter()
            .all(|(_, fr)| fr.iter().all(|f| f[i] & 0x3fff == 0))
    );
    let i = d.iter().position(|&x| x == defect::SATURATED).unwrap();
    assert!(
        steps
            .iter()
            .all(|(_, fr)| fr.iter().all(|f| f[i] & 0x3fff == 0x3fff))
    );
    assert_eq!(
        d.iter().filter(|&&x| x != 0).count(),
        4 * s.defects.iter().sum::<usize>()
    );

    // Light run: AHL then AML, and the truth files.
    let (_, light) = read(out.light_file.as_ref().unwrap());
    let modes: Vec<Option<GainRange>> = light.iter().map(|s| s.0).collect();
    assert_eq!(modes, [Some(GainRange::AhlH), Some(GainRange::AmlM)]);
    for f in [
        "pedestals.npy",
        "rms.npy",
        "defects.npy",
        "panel_ids.txt",
        "truth.json",
    ] {
        assert!(out.truth_dir.join(f).is_file(), "{f}");
    }
    let peds = detcal::formats::load_array(&out.truth_dir.join("pedestals.npy")).unwrap();
    assert_eq!(peds.shape(), &[7, 4, 352, 384]);

    // Calibrated with the truth (pedestals, default gains, defects as status), photons sit at
    // the simulated energy in AHL-H/AML-M and switched pixels at 100 photons in AHL-L/AML-L.
    let status = truth.defects.iter().map(|&x| u16::from(x != 0));
    let status: Vec<u16> = (0..7).flat_map(|_| status.clone()).collect();
    let gains: Vec<f32> = DEFAULT_GAINS
        .per_range()
        .iter()
        .flat_map(|&g| std::iter::repeat_n(g as f32, 4 * PANEL_PIXELS))
        .collect();
    let sh = ndarray::IxDyn(&[7, 4, 352, 384]);
    let consts = Constants {
        pedestals: Some(peds),
        pixel_gain: Some(NdArray::F32(
            ndarray::ArrayD::from_shape_vec(sh.clone(), gains).unwrap(),
        )),
        pixel_status: Some(NdArray::U16(
            ndarray::ArrayD::from_shape_vec(sh, status).unwrap(),
        )),
        ..Constants::default()
    };
    let mut cal = Calibrator::epix10ka(DetType::Epix10kaQuad, &consts, 4).unwrap();
    let (mut hm, mut low) = (Vec::new(), Vec::new());
    let mut out_buf = vec![0f32; 4 * PANEL_PIXELS];
    let bits = |g| {
        detcal::source::EpixStepConfig::for_mode(g, 4)
            .unwrap()
            .config_bits
    };
    for (k, (_, frames)) in light.iter().enumerate() {
        cal.set_config_bits(&bits([GainRange::AhlH, GainRange::AmlM][k]))
            .unwrap();
        for f in frames {
            cal.calibrate(f, &mut out_buf).unwrap();
            for (i, (&w, &v)) in f.iter().zip(&out_buf).enumerate() {
                if truth.defects[i] != 0 {
                    assert_eq!(v, 0.0, "a defect is masked");
                } else if w & 0x4000 != 0 {
                    low.push(v);
                } else if v > 4.0 {
                    hm.push(v);
                }
            }
        }
    }
    let mean = |v: &[f32]| v.iter().map(|&x| x as f64).sum::<f64>() / v.len() as f64;
    let (e, n) = (s.energy_kev, f64::from(s.switch_photons));
    assert!(
        hm.len() > 1000 && low.len() > 100,
        "{} {}",
        hm.len(),
        low.len()
    );
    assert!(
        (mean(&hm) - e).abs() < 0.01 * e,
        "photon peak {} keV",
        mean(&hm)
    );
    assert!(
        (mean(&low) - n * e).abs() < 0.01 * n * e,
        "switched {} keV",
        mean(&low)
    );
}

#[test]
fn bad_settings_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let perms = Perms::new(0o775, 0o664, "");
    let bad = EpixSim {
        panels: 3,
        ..small()
    };
    assert!(simulate(&bad, dir.path(), &perms).is_err());
    let bad = EpixSim {
        light_run: Some(1),
        ..small()
    };
    assert!(simulate(&bad, dir.path(), &perms).is_err());
}

#[test]
fn a_2m_reads_back_with_16_panels() {
    let dir = tempfile::tempdir().unwrap();
    let s = EpixSim {
        panels: 16,
        alias: "epix10k2M".into(),
        dark_events: 1,
        light_run: None,
        ..EpixSim::default()
    };
    let out = simulate(&s, dir.path(), &Perms::new(0o775, 0o664, "")).unwrap();
    assert!(out.light_file.is_none());
    let (src, steps) = read(&out.dark_file);
    assert_eq!(src.meta().det_type, DetType::Epix10ka2M);
    assert_eq!(src.meta().frame_shape, [16, 352, 384]);
    assert_eq!(src.meta().alias, "epix10k2M");
    let modes: Vec<Option<GainRange>> = steps.iter().map(|s| s.0).collect();
    assert_eq!(modes, GAIN_MODES_IN.map(Some).to_vec());
}
