//! Parity with LCLS-I psana: the dark stacks of `shared/data/parity` through the library must
//! give psana's own gates, counters, min/max, status, pedestals and rms, bit for bit.

/// Named `dark::...` so that `cargo test -p detcal dark` selects these tests.
mod dark {
    use std::path::{Path, PathBuf};

    use detcal::dark::{DarkParams, DarkProc, DarkResult, GainCheck, Kernel};
    use detcal::formats::npy::read_npy;

    /// `<repo>/../shared/data/parity`, or `$DETCAL_SHARED_DIR/data/parity`.
    fn parity_dir() -> Option<PathBuf> {
        let dir = match std::env::var_os("DETCAL_SHARED_DIR") {
            Some(d) => PathBuf::from(d).join("data/parity"),
            None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/parity"),
        };
        if dir.is_dir() {
            Some(dir)
        } else {
            eprintln!("skipping: ../shared/data not found");
            None
        }
    }

    fn load<T: detcal::formats::array::Element>(dir: &Path, name: &str) -> Vec<T> {
        let a = read_npy(&dir.join(name)).unwrap_or_else(|e| panic!("{e}"));
        let t = a.to_typed::<T>();
        t.iter().copied().collect()
    }

    fn shape(dir: &Path) -> Vec<usize> {
        read_npy(&dir.join("input.npy")).unwrap().shape().to_vec()
    }

    /// Runs the folder's input through `DarkProc`, `batch` frames per push (0: one at a time
    /// with `push_frame`, 1: one at a time through `frame_slot`).
    fn run(dir: &Path, gain_index: usize, batch: usize, kernel: Kernel) -> DarkResult {
        let sh = shape(dir);
        let npix: usize = sh[1..].iter().product();
        let input: Vec<u16> = load(dir, "input.npy");
        let gain = GainCheck::jungfrau(gain_index).unwrap();
        let mut proc = DarkProc::new(npix, DarkParams::default(), gain).unwrap();
        proc.set_kernel(kernel);
        if batch == 0 {
            for frame in input.chunks(npix) {
                proc.push_frame(frame).unwrap();
            }
        } else if batch == 1 {
            for frame in input.chunks(npix) {
                proc.frame_slot().copy_from_slice(frame);
                proc.commit_frame();
            }
        } else {
            for frames in input.chunks(npix * batch) {
                proc.push_frames(frames).unwrap();
            }
        }
        assert!(!proc.is_done());
        proc.finish().unwrap()
    }

    fn meta(dir: &Path) -> serde_json::Value {
        let text = std::fs::read_to_string(dir.join("expected_meta.json")).unwrap();
        serde_json::from_str(&text).unwrap()
    }

    fn check_folder(name: &str, gain_index: usize) {
        let Some(root) = parity_dir() else { return };
        let dir = root.join(name);
        let m = meta(&dir);
        assert_eq!(m["gain_mode"].as_u64(), Some(gain_index as u64));
        let results = [
            (
                "one frame at a time, auto kernel",
                run(&dir, gain_index, 0, Kernel::Auto),
            ),
            (
                "batches of 7, auto kernel",
                run(&dir, gain_index, 7, Kernel::Auto),
            ),
            (
                "batches of 64, portable kernel",
                run(&dir, gain_index, 64, Kernel::Portable),
            ),
            (
                "all at once, auto kernel",
                run(&dir, gain_index, 1 << 20, Kernel::Auto),
            ),
        ];
        for (how, r) in &results {
            let ctx = format!("{name} ({how})");
            assert_eq!(
                r.gate_lo,
                load::<u16>(&dir, "expected_gate_lo.npy"),
                "{ctx}: gate_lo"
            );
            assert_eq!(
                r.gate_hi,
                load::<u16>(&dir, "expected_gate_hi.npy"),
                "{ctx}: gate_hi"
            );
            assert_eq!(
                r.count,
                load::<u64>(&dir, "expected_gated_count.npy"),
                "{ctx}: count"
            );
            assert_eq!(
                r.count_lo,
                load::<u64>(&dir, "expected_count_int_lo.npy"),
                "{ctx}: count_lo"
            );
            assert_eq!(
                r.count_hi,
                load::<u64>(&dir, "expected_count_int_hi.npy"),
                "{ctx}: count_hi"
            );
            assert_eq!(
                r.min,
                load::<u16>(&dir, "expected_pixel_min.npy"),
                "{ctx}: min"
            );
            assert_eq!(
                r.max,
                load::<u16>(&dir, "expected_pixel_max.npy"),
                "{ctx}: max"
            );
            assert_eq!(
                r.bad_switch,
                load::<u8>(&dir, "expected_bad_switch.npy"),
                "{ctx}: bad_switch"
            );
            assert_eq!(
                r.status,
                load::<u64>(&dir, "expected_pixel_status.npy"),
                "{ctx}: status"
            );

            // Pedestals and rms: bitwise identical f64.
            for (what, got, file) in [
                ("pedestals", &r.ave, "expected_pedestals.npy"),
                ("rms", &r.rms, "expected_pixel_rms.npy"),
            ] {
                let want: Vec<f64> = load(&dir, file);
                assert_eq!(got.len(), want.len());
                let differ: Vec<usize> = (0..want.len())
                    .filter(|&i| got[i].to_bits() != want[i].to_bits())
                    .collect();
                assert!(
                    differ.is_empty(),
                    "{ctx}: {what} differ bitwise at {} pixels, first {:?}: {} vs {}",
                    differ.len(),
                    differ.first(),
                    got[differ[0]],
                    want[differ[0]]
                );
                // And therefore in psana's `%.3f` text too.
                let fmt = |v: &[f64]| v.iter().map(|x| format!("{x:.3}")).collect::<Vec<_>>();
                assert_eq!(fmt(got), fmt(&want), "{ctx}: {what} as %.3f");
            }

            assert_eq!(Some(r.frames), m["frames_fed"].as_u64(), "{ctx}: frames");
            assert_eq!(Some(r.counter), m["counter"].as_u64(), "{ctx}: counter");
            assert_eq!(Some(r.nevlm), m["nevlm"].as_i64(), "{ctx}: nevlm");
            for (bit, n) in m["status_bit_counts"].as_object().unwrap() {
                let bit: u64 = bit.parse().unwrap();
                assert_eq!(
                    Some(r.pixels_with(bit)),
                    n.as_u64(),
                    "{ctx}: pixels with bit {bit}"
                );
            }
        }
        // Every way of feeding gives the very same result.
        for (how, r) in &results[1..] {
            assert_eq!(
                r, &results[0].1,
                "{name}: {how} differs from one frame at a time"
            );
        }
        let r = &results[0].1;
        eprintln!(
            "{name}: identical to psana; limits rms [{}, {}] ave [{}, {}]; bad pixels {}",
            r.limits.rms_lo,
            r.limits.rms_hi,
            r.limits.ave_lo,
            r.limits.ave_hi,
            r.bad_pixels()
        );
    }

    #[test]
    fn jungfrau_gain1_120_frames_equals_psana() {
        check_folder("jungfrau_g1_n120_128x256", 1);
    }

    #[test]
    fn jungfrau_gain2_51_frames_equals_psana() {
        check_folder("jungfrau_g2_n51_64x128", 2);
    }

    /// The parity stacks exercise every status bit but 16; make sure the test would catch a wrong
    /// gain code: the same data checked for another gain mode gives other bit-64 pixels.
    #[test]
    fn wrong_gain_mode_changes_bit_64() {
        let Some(root) = parity_dir() else { return };
        let dir = root.join("jungfrau_g2_n51_64x128");
        let r = run(&dir, 1, 0, Kernel::Auto);
        assert_ne!(r.bad_switch, load::<u8>(&dir, "expected_bad_switch.npy"));
    }
}
