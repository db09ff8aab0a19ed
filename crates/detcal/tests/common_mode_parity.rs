//! Parity with LCLS-I psana: the common mode of single-gain detectors on the known answers of
//! `shared/data/parity/common_mode_*` (psana's own Python algorithms 6 and 8), bit for bit,
//! through the library's correction and through the calibrator.

/// Named `common_mode::...` so that `cargo test -p detcal common_mode` selects these tests.
mod common_mode {
    use std::path::{Path, PathBuf};

    use detcal::NdArray;
    use detcal::calib::cm::{CmInputs, SingleGainCm};
    use detcal::calib::{Calibrator, Constants};
    use detcal::detector::DetType;
    use detcal::formats::npy::read_npy;

    /// `<repo>/../shared/data/parity/<case>`, or under `$DETCAL_SHARED_DIR/data/parity`.
    fn case_dir(case: &str) -> Option<PathBuf> {
        let dir = match std::env::var_os("DETCAL_SHARED_DIR") {
            Some(d) => PathBuf::from(d).join("data/parity"),
            None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/parity"),
        }
        .join(case);
        if dir.is_dir() {
            Some(dir)
        } else {
            eprintln!("skipping: ../shared/data/parity/{case} not found");
            None
        }
    }

    fn load(dir: &Path, name: &str) -> NdArray {
        read_npy(&dir.join(name)).unwrap_or_else(|e| panic!("{e}"))
    }

    fn f32s(a: &NdArray) -> Vec<f32> {
        a.to_typed::<f32>().iter().copied().collect()
    }

    /// `float32(raw) - pedestals` of every frame of the stack.
    fn minus_peds(raw: &NdArray, peds: &[f32]) -> Vec<f32> {
        let raw = f32s(raw);
        raw.chunks(peds.len())
            .flat_map(|f| f.iter().zip(peds).map(|(&r, &p)| r - p))
            .collect()
    }

    fn assert_bits(got: &[f32], want: &[f32], what: &str) {
        assert_eq!(got.len(), want.len(), "{what}: length");
        let diffs: Vec<usize> = (0..got.len())
            .filter(|&i| got[i].to_bits() != want[i].to_bits())
            .collect();
        assert!(
            diffs.is_empty(),
            "{what}: {} values differ, the first at {} (got {}, psana {})",
            diffs.len(),
            diffs[0],
            got[diffs[0]],
            want[diffs[0]]
        );
    }

    #[test]
    fn pnccd_algorithm_8_with_mask_equals_psana() {
        let Some(dir) = case_dir("common_mode_pnccd_alg8") else {
            return;
        };
        let raw = load(&dir, "input_raw.npy");
        let peds = load(&dir, "input_pedestals.npy");
        let mask = load(&dir, "input_mask.npy");
        let want = f32s(&load(&dir, "expected_cm_8_5_30_mask.npy"));
        let shape = peds.shape().to_vec();
        let v = minus_peds(&raw, &f32s(&peds));
        // The correction changes something, so the comparison below means something.
        assert!(v.iter().zip(&want).any(|(a, b)| a != b));
        let cm = SingleGainCm::new(
            DetType::Pnccd,
            Some(&[8.0, 5.0, 30.0]),
            &shape,
            CmInputs {
                mask: Some(&mask),
                ..CmInputs::default()
            },
        )
        .unwrap()
        .unwrap();
        let mut got = v.clone();
        cm.apply(&mut got).unwrap();
        assert_bits(&got, &want, "pnCCD cmpars (8,5,30) with mask");

        // The calibrator with the same constants and the user mask: psana's det.calib, whose
        // mask then zeroes the masked pixels.
        let consts = Constants {
            pedestals: Some(peds.clone()),
            user_mask: Some(mask.clone()),
            common_mode: Some(vec![8.0, 5.0, 30.0]),
            ..Constants::default()
        };
        let mut cal = Calibrator::new(DetType::Pnccd, &consts).unwrap();
        let raw16: Vec<u16> = raw.to_typed::<u16>().iter().copied().collect();
        let mut out = vec![0f32; raw16.len()];
        cal.calibrate_batch(&raw16, &mut out).unwrap();
        let m: Vec<f32> = f32s(&mask);
        let want_masked: Vec<f32> = want.iter().zip(&m).map(|(&w, &m)| w * m).collect();
        assert_bits(&out, &want_masked, "pnCCD calibrator");
    }

    #[test]
    fn epix100a_algorithm_6_equals_psana() {
        let Some(dir) = case_dir("common_mode_epix100a_alg6") else {
            return;
        };
        let raw = load(&dir, "input_raw.npy");
        let peds = load(&dir, "input_pedestals.npy");
        let rms = load(&dir, "input_pixel_rms.npy");
        let want = f32s(&load(&dir, "expected_cm_6_default.npy"));
        let shape = peds.shape().to_vec();
        let v = minus_peds(&raw, &f32s(&peds));
        assert!(v.iter().zip(&want).any(|(a, b)| a != b));
        let cm = SingleGainCm::new(
            DetType::Epix100a,
            Some(&[6.0]),
            &shape,
            CmInputs {
                rms: Some(&rms),
                ..CmInputs::default()
            },
        )
        .unwrap()
        .unwrap();
        let mut got = v.clone();
        cm.apply(&mut got).unwrap();
        assert_bits(&got, &want, "ePix100a cmpars (6,)");

        let consts = Constants {
            pedestals: Some(peds.clone()),
            pixel_rms: Some(rms.clone()),
            common_mode: Some(vec![6.0]),
            ..Constants::default()
        };
        let mut cal = Calibrator::new(DetType::Epix100a, &consts).unwrap();
        let raw16: Vec<u16> = raw.to_typed::<u16>().iter().copied().collect();
        let mut out = vec![0f32; raw16.len()];
        cal.calibrate_batch(&raw16, &mut out).unwrap();
        assert_bits(&out, &want, "ePix100a calibrator");
    }
}
