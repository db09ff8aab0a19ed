//! Known answers of dark processing on tiny arrays, computed by hand.

/// Named `dark::...` so that `cargo test -p detcal dark` selects these tests.
mod dark {
    use detcal::dark::{
        DarkParams, DarkProc, DarkResult, GainCheck, STATUS_AVE_HI, STATUS_AVE_LO,
        STATUS_BAD_GAIN_SWITCH, STATUS_COLD, STATUS_RMS_HI, STATUS_RMS_LO, STATUS_SATURATED,
    };

    /// Frames given per pixel: `pixels[p][f]` is the raw value of pixel p in frame f.
    fn frames_of(pixels: &[Vec<u16>]) -> Vec<u16> {
        let nf = pixels[0].len();
        assert!(pixels.iter().all(|p| p.len() == nf));
        (0..nf)
            .flat_map(|f| pixels.iter().map(move |p| p[f]))
            .collect()
    }

    fn run(pixels: &[Vec<u16>], params: DarkParams, gain: GainCheck) -> DarkResult {
        let mut proc = DarkProc::new(pixels.len(), params, gain).unwrap();
        for frame in frames_of(pixels).chunks(pixels.len()) {
            proc.push_frame(frame).unwrap();
        }
        proc.finish().unwrap()
    }

    fn alternate(a: u16, b: u16, n: usize) -> Vec<u16> {
        (0..n).map(|f| if f % 2 == 0 { a } else { b }).collect()
    }

    #[test]
    fn gates_at_quantile_indices_2_and_47_of_50() {
        // The first 50 frames hold 100, 110, ..., 590 in a scrambled order; the 10 frames after
        // them (value 1000) must not move the gates: only the first nrecs1 frames count.
        let mut v: Vec<u16> = (0..50).map(|i| 100 + 10 * ((i * 17) % 50) as u16).collect();
        v.extend([1000; 10]);
        let r = run(
            &[v.clone(), v.iter().map(|x| x + 1).collect()],
            DarkParams::default(),
            GainCheck::None,
        );
        assert_eq!((r.gate_lo[0], r.gate_hi[0]), (120, 570));
        assert_eq!((r.gate_lo[1], r.gate_hi[1]), (121, 571));
        // In gate: 120..=570, i.e. 46 of the 50 first values; the 1000s are out.
        assert_eq!(r.count[0], 46);
        let sum: u64 = (2..48).map(|i| 100 + 10 * i).sum();
        assert_eq!(r.ave[0], sum as f64 / 46.0);
        assert_eq!((r.min[0], r.max[0]), (100, 1000));
    }

    #[test]
    fn gates_of_3_and_2_frames() {
        // n = 3: indices floor(0.05 * 2) = 0 and ceil(0.95 * 2) = 2: the min and the max.
        let p = DarkParams {
            nrecs1: 3,
            ..DarkParams::default()
        };
        let r = run(&[vec![5, 9, 7, 100]], p, GainCheck::None);
        assert_eq!((r.gate_lo[0], r.gate_hi[0]), (5, 9));
        assert_eq!((r.count[0], r.ave[0]), (3, 7.0));

        // n = 2 (spec §12): indices 0 and 1; the gate is [min, max] of the first two frames and a
        // third frame outside it is excluded; nevlm = int(0.1 * 2) = 0.
        let p = DarkParams {
            nrecs: 3,
            nrecs1: 2,
            ..DarkParams::default()
        };
        let r = run(
            &[
                vec![2760, 2778, 3000],
                vec![2778, 2760, 2769],
                vec![0, 5, 5],
            ],
            p,
            GainCheck::None,
        );
        assert_eq!((r.gate_lo[0], r.gate_hi[0]), (2760, 2778));
        assert_eq!((r.count[0], r.ave[0], r.rms[0]), (2, 2769.0, 9.0));
        assert_eq!((r.count[1], r.ave[1]), (3, 2769.0));
        assert_eq!((r.frames, r.counter, r.nevlm), (3, 2, 0));
        // Pixel 2: gate [max(0, 1), 5] = [1, 5]; the single 0 is out of the gate and, with
        // nevlm = 0, makes the pixel "cold".
        assert_eq!(
            (r.gate_lo[2], r.gate_hi[2], r.count[2], r.ave[2]),
            (1, 5, 2, 5.0)
        );
        assert_eq!(r.count_lo, [0, 0, 1]);
        assert_ne!(r.status[2] & STATUS_COLD, 0);
    }

    /// Fixed limits (no sigmas): rms in [0.5, 5], intensity in [100, 1000]; nevlm = int(0.9) = 0.
    fn fixed_limits() -> DarkParams {
        DarkParams {
            nrecs1: 4,
            int_lo: 100.0,
            int_hi: 1000.0,
            rms_lo: 0.5,
            rms_hi: 5.0,
            intnlo: 0.0,
            intnhi: 0.0,
            rmsnlo: 0.0,
            rmsnhi: -1.0,
            ..DarkParams::default()
        }
    }

    #[test]
    fn every_status_bit_with_fixed_limits() {
        let n = 10;
        let good = alternate(500, 502, n);
        let hot = alternate(500, 520, n);
        let constant = vec![500; n];
        let mut saturated = good.clone();
        saturated[9] = 2000;
        let mut cold = good.clone();
        cold[7] = 50;
        let never = vec![0; n];
        let mut switch = good.clone();
        switch[5] |= 0x4000;
        let pixels = [good, hot, constant, saturated, cold, never, switch];
        let r = run(&pixels, fixed_limits(), GainCheck::jungfrau(0).unwrap());
        assert_eq!((r.frames, r.counter, r.nevlm), (10, 9, 0));
        assert_eq!(
            (
                r.limits.rms_lo,
                r.limits.rms_hi,
                r.limits.ave_lo,
                r.limits.ave_hi
            ),
            (0.5, 5.0, 100.0, 1000.0)
        );
        assert_eq!(
            r.status,
            [
                0,
                STATUS_RMS_HI,
                STATUS_RMS_LO,
                STATUS_SATURATED,
                STATUS_COLD,
                STATUS_RMS_LO | STATUS_COLD | STATUS_AVE_LO,
                STATUS_BAD_GAIN_SWITCH,
            ]
        );
        assert_eq!((r.ave[0], r.rms[0]), (501.0, 1.0));
        assert_eq!((r.ave[1], r.rms[1]), (510.0, 10.0));
        assert_eq!(
            (r.gate_lo[2], r.gate_hi[2], r.ave[2], r.rms[2]),
            (500, 501, 500.0, 0.0)
        );
        // 2000 is above int_hi and outside the gate [500, 502].
        assert_eq!((r.count[3], r.count_hi[3], r.max[3]), (9, 1, 2000));
        assert_eq!(r.ave[3], (5.0 * 500.0 + 4.0 * 502.0) / 9.0);
        assert_eq!((r.count[4], r.count_lo[4], r.min[4]), (9, 1, 50));
        // Never in gate: gate [100, 1] (high gate min(0 + 1, 1000)), ave = rms = 0.
        assert_eq!(
            (r.gate_lo[5], r.gate_hi[5], r.count[5], r.ave[5], r.rms[5]),
            (100, 1, 0, 0.0, 0.0)
        );
        assert_eq!(r.count_lo[5], 10);
        // The masked value of the 0x4000 frame still counts.
        assert_eq!((r.ave[6], r.bad_switch[6]), (501.0, 1));
        assert_eq!(r.bad_switch, [0, 0, 0, 0, 0, 0, 1]);
        assert_eq!(r.bit_counts, [1, 2, 1, 2, 0, 1, 1]);
        assert_eq!(r.pixels_with(STATUS_RMS_LO), 2);
        assert_eq!(r.bad_pixels(), 6);
    }

    #[test]
    fn sigma_limits_give_bits_16_and_32_and_rms_bits() {
        // Pixels alternating (v, v + 2k) have average v + k and rms k exactly.
        let n = 8;
        let pixels = [
            alternate(10, 12, n),
            alternate(10, 12, n),
            alternate(10, 12, n),
            alternate(50, 52, n),
            alternate(20, 26, n),
        ];
        let p = DarkParams {
            nrecs1: 4,
            intnlo: 0.5,
            intnhi: 1.0,
            rmsnlo: 0.25,
            rmsnhi: 1.0,
            ..DarkParams::default()
        };
        let r = run(&pixels, p, GainCheck::None);
        assert_eq!(r.ave, [11.0, 11.0, 11.0, 51.0, 23.0]);
        assert_eq!(r.rms, [1.0, 1.0, 1.0, 1.0, 3.0]);
        // Fewer than 8 values: numpy sums them in a plain loop.
        let mean = (11.0 + 11.0 + 11.0 + 51.0 + 23.0) / 5.0;
        let var = r
            .ave
            .iter()
            .map(|a| (a - mean) * (a - mean))
            .fold(0.0, |s, x| s + x)
            / 5.0;
        assert_eq!((r.limits.ave_mean, r.limits.ave_std), (mean, var.sqrt()));
        assert_eq!(r.limits.ave_hi, mean + var.sqrt());
        assert_eq!(r.limits.ave_lo, mean - 0.5 * var.sqrt());
        // rms: mean 1.4, std 0.8 -> limits [1.2, 2.2].
        assert!((r.limits.rms_lo - 1.2).abs() < 1e-12 && (r.limits.rms_hi - 2.2).abs() < 1e-12);
        assert_eq!(
            r.status,
            [
                STATUS_RMS_LO | STATUS_AVE_LO,
                STATUS_RMS_LO | STATUS_AVE_LO,
                STATUS_RMS_LO | STATUS_AVE_LO,
                STATUS_RMS_LO | STATUS_AVE_HI,
                STATUS_RMS_HI,
            ]
        );
    }

    #[test]
    fn values_at_0_int_lo_int_hi_and_16383() {
        // Default limits: int_lo = 1, int_hi = 16000.
        let n = 6;
        let pixels = [
            vec![0; n],
            vec![1; n],
            vec![16000; n],
            vec![16001; n],
            vec![16383; n],
            vec![0xffff; n],
        ];
        let r = run(
            &pixels,
            DarkParams {
                nrecs1: 5,
                ..DarkParams::default()
            },
            GainCheck::None,
        );
        // 0: below int_lo every frame; gate [1, 1]; never in gate.
        // 1: gate [1, 2] (1 + 1), in gate; not below int_lo.
        // 16000: gate [16000, 16000] (16001 clamped back to int_hi); in gate; not above.
        // 16001, 16383 and 0xffff & 0x3fff: above int_hi, gate [v, 16000]: never in gate.
        assert_eq!(r.gate_lo, [1, 1, 16000, 16001, 16383, 16383]);
        assert_eq!(r.gate_hi, [1, 2, 16000, 16000, 16000, 16000]);
        assert_eq!(r.count, [0, 6, 6, 0, 0, 0]);
        assert_eq!(r.count_lo, [6, 0, 0, 0, 0, 0]);
        assert_eq!(r.count_hi, [0, 0, 0, 6, 6, 6]);
        assert_eq!(r.ave, [0.0, 1.0, 16000.0, 0.0, 0.0, 0.0]);
        assert_eq!(r.min, [0, 1, 16000, 16001, 16383, 16383]);
        assert_eq!(r.max, r.min);
        // nevlm = int(0.1 * 5) = 0.
        assert_ne!(r.status[0] & STATUS_COLD, 0);
        for p in [3, 4, 5] {
            assert_ne!(r.status[p] & STATUS_SATURATED, 0);
            assert_ne!(r.status[p] & STATUS_RMS_LO, 0, "never in gate: rms 0");
        }
        for p in [1, 2] {
            assert_eq!(r.status[p] & (STATUS_COLD | STATUS_SATURATED), 0);
        }
        assert_eq!(
            r.status
                .iter()
                .filter(|&&s| s & STATUS_BAD_GAIN_SWITCH != 0)
                .count(),
            0
        );
    }

    #[test]
    fn high_gate_wraps_as_numpy_uint16() {
        // 16-bit data with int_hi above 65535: a pixel always at 65535 gets gate_lo = 65535 and
        // gate_hi = 65535 + 1, which wraps to 0 in numpy's uint16, so it is never in gate.
        let p = DarkParams {
            nrecs1: 3,
            int_hi: 70000.0,
            data_bits: 0xffff,
            ..DarkParams::default()
        };
        let r = run(&[vec![0xffff; 5], vec![0xfffe; 5]], p, GainCheck::None);
        assert_eq!(
            (r.gate_lo[0], r.gate_hi[0], r.count[0], r.ave[0]),
            (65535, 0, 0, 0.0)
        );
        assert_eq!(
            (r.gate_lo[1], r.gate_hi[1], r.count[1], r.ave[1]),
            (65534, 65535, 5, 65534.0)
        );
        assert_eq!((r.min[0], r.max[0]), (65535, 65535));
    }

    #[test]
    fn every_gain_code_for_every_gain_mode() {
        let n = 4;
        let pixels: Vec<Vec<u16>> = (0..4u16).map(|code| vec![(code << 14) | 500; n]).collect();
        for (index, expected) in [(0usize, 0u16), (1, 1), (2, 3)] {
            let gain = GainCheck::jungfrau(index).unwrap();
            assert_eq!(gain.expected_code(), Some(expected));
            let r = run(
                &pixels,
                DarkParams {
                    nrecs1: 3,
                    ..DarkParams::default()
                },
                gain,
            );
            let want: Vec<u8> = (0..4u16).map(|c| u8::from(c != expected)).collect();
            assert_eq!(r.bad_switch, want, "gain index {index}");
            for (p, &w) in want.iter().enumerate() {
                assert_eq!(
                    r.status[p] & STATUS_BAD_GAIN_SWITCH != 0,
                    w == 1,
                    "gain index {index}"
                );
                // The ADC value is the same whatever the gain bits.
                assert_eq!(r.ave[p], 500.0);
            }
        }
        // Single-gain detectors: no bit 64 whatever the top bits.
        let r = run(
            &pixels,
            DarkParams {
                nrecs1: 3,
                ..DarkParams::default()
            },
            GainCheck::None,
        );
        assert_eq!(r.bad_switch, [0, 0, 0, 0]);
        assert!(GainCheck::jungfrau(3).is_err());
    }

    #[test]
    fn a_single_bad_gain_frame_is_enough() {
        let mut v = vec![0x4000 | 700; 30];
        v[29] = 0x8000 | 700; // invalid code 10, last frame
        let r = run(
            &[v],
            DarkParams {
                nrecs1: 5,
                ..DarkParams::default()
            },
            GainCheck::jungfrau(1).unwrap(),
        );
        assert_eq!(r.bad_switch, [1]);
        assert_eq!(r.status[0] & STATUS_BAD_GAIN_SWITCH, STATUS_BAD_GAIN_SWITCH);
    }

    #[test]
    fn constant_pixel() {
        let r = run(
            &[vec![3000; 20], vec![3000; 20]],
            DarkParams {
                nrecs1: 10,
                ..DarkParams::default()
            },
            GainCheck::None,
        );
        assert_eq!((r.gate_lo[0], r.gate_hi[0]), (3000, 3001));
        assert_eq!((r.ave[0], r.rms[0], r.count[0]), (3000.0, 0.0, 20));
        // All rms are 0: mean 0, std 0, low limit max(0, 0.001) = 0.001, so both are "cold rms".
        assert_eq!(r.status, [STATUS_RMS_LO, STATUS_RMS_LO]);
    }

    #[test]
    fn processing_stops_after_nrecs_frames() {
        let p = DarkParams {
            nrecs: 5,
            nrecs1: 3,
            ..DarkParams::default()
        };
        // Frames after the 5th are zeros: they would make the pixel cold if they were taken.
        let frames: Vec<u16> = [10u16, 12, 11, 10, 12, 0, 0, 0].to_vec();
        let mut proc = DarkProc::new(1, p.clone(), GainCheck::None).unwrap();
        let done: Vec<bool> = frames
            .chunks(1)
            .map(|f| proc.push_frame(f).unwrap())
            .collect();
        assert_eq!(done, [false, false, false, false, true, true, true, true]);
        assert_eq!(proc.frames(), 5);
        let one = proc.finish().unwrap();
        assert_eq!(
            (one.frames, one.counter, one.count_lo[0], one.min[0]),
            (5, 4, 0, 10)
        );

        let mut proc = DarkProc::new(1, p.clone(), GainCheck::None).unwrap();
        assert!(proc.push_frames(&frames).unwrap());
        assert!(proc.is_done());
        assert_eq!(proc.finish().unwrap(), one);

        let mut proc = DarkProc::new(1, p, GainCheck::None).unwrap();
        let done: Vec<bool> = frames
            .iter()
            .map(|&v| {
                proc.frame_slot()[0] = v;
                proc.commit_frame()
            })
            .collect();
        assert_eq!(done, [false, false, false, false, true, true, true, true]);
        assert_eq!(proc.finish().unwrap(), one);
    }

    #[test]
    fn short_runs_take_gates_from_the_frames_there_are() {
        // 10 frames with nrecs1 = 50: gates from the 10 (indices 0 and ceil(0.95 * 9) = 9, the min
        // and max); no all-zero rows (psana would count 40 frames below int_lo and set min = 0).
        let v: Vec<u16> = (0..10).map(|i| 0x4000 | (400 + i)).collect();
        let r = run(&[v], DarkParams::default(), GainCheck::jungfrau(1).unwrap());
        assert_eq!((r.gate_lo[0], r.gate_hi[0]), (400, 409));
        assert_eq!(
            (r.count[0], r.count_lo[0], r.min[0], r.max[0]),
            (10, 0, 400, 409)
        );
        assert_eq!((r.frames, r.counter, r.nevlm), (10, 9, 0));
        assert_eq!(r.bad_switch, [0]);
        assert_eq!(r.status[0] & (STATUS_COLD | STATUS_BAD_GAIN_SWITCH), 0);

        // Exactly nrecs1 frames: the same as gates from the whole block.
        let v: Vec<u16> = (0..50).map(|i| 400 + (i * 7) % 50).collect();
        let r = run(&[v], DarkParams::default(), GainCheck::None);
        assert_eq!((r.gate_lo[0], r.gate_hi[0]), (402, 447));

        // Three frames are enough.
        let r = run(&[vec![5, 6, 7]], DarkParams::default(), GainCheck::None);
        assert_eq!((r.frames, r.counter, r.ave[0]), (3, 2, 6.0));
    }

    #[test]
    fn fewer_than_3_frames_is_a_clear_error() {
        for n in 0..3 {
            let mut proc = DarkProc::new(2, DarkParams::default(), GainCheck::None).unwrap();
            for _ in 0..n {
                proc.push_frame(&[100, 200]).unwrap();
            }
            let e = proc.finish().unwrap_err().to_string();
            assert_eq!(
                e,
                format!("dark processing needs at least 3 frames, got {n}")
            );
        }
    }

    #[test]
    fn wrong_input_is_an_error_not_a_panic() {
        let mut proc = DarkProc::new(4, DarkParams::default(), GainCheck::None).unwrap();
        let e = proc.push_frame(&[1, 2, 3]).unwrap_err();
        assert!(
            matches!(&e, detcal::Error::Shape { what, expected, found, .. }
                if what == "frame" && expected == "4" && found == &[3]),
            "{e:?}"
        );
        assert!(e.to_string().contains("expected 4"), "{e}");
        assert!(matches!(
            proc.push_frames(&[1, 2, 3, 4, 5]),
            Err(detcal::Error::Shape { .. })
        ));
        assert!(!proc.push_frames(&[]).unwrap());
        assert!(matches!(
            DarkProc::new(0, DarkParams::default(), GainCheck::None),
            Err(detcal::Error::Shape { .. })
        ));
        let e = DarkProc::new(usize::MAX / 4, DarkParams::default(), GainCheck::None).unwrap_err();
        assert!(matches!(e, detcal::Error::Unsupported { .. }), "{e:?}");
        assert!(e.to_string().contains("too large"), "{e}");
        let bad = [
            DarkParams {
                nrecs1: 0,
                ..DarkParams::default()
            },
            DarkParams {
                nrecs: 2,
                ..DarkParams::default()
            },
            DarkParams {
                fraclo: 1.5,
                ..DarkParams::default()
            },
            DarkParams {
                frachi: -0.1,
                ..DarkParams::default()
            },
            DarkParams {
                int_lo: f64::NAN,
                ..DarkParams::default()
            },
            DarkParams {
                int_lo: 100.0,
                int_hi: 50.0,
                ..DarkParams::default()
            },
            DarkParams {
                int_hi: -1.0,
                int_lo: -2.0,
                ..DarkParams::default()
            },
            DarkParams {
                rms_hi: f64::NAN,
                ..DarkParams::default()
            },
            DarkParams {
                fraclm: -0.1,
                ..DarkParams::default()
            },
        ];
        for p in bad {
            let e = DarkProc::new(4, p.clone(), GainCheck::None)
                .unwrap_err()
                .to_string();
            assert!(
                e.starts_with("invalid dark parameters: ") && !e.contains('\n'),
                "{p:?}: {e}"
            );
        }
        let e = DarkProc::new(
            1,
            DarkParams::default(),
            GainCheck::Jungfrau { expected_code: 4 },
        );
        assert!(e.is_err());
    }
}
