//! The hand-computed vectors of spec single-gain-and-status.md §7 for psana's C++-only
//! common-mode algorithms (1-5), through the library's dispatch on whole frames, and its errors.

/// Named `common_mode::...` so that `cargo test -p detcal common_mode` selects these tests.
mod common_mode {
    use detcal::calib::cm::{
        CmAlgorithm, CmInputs, RegionParams, SECTION_COLS, SECTION_PIXELS, SECTION_ROWS,
        SingleGainCm, cspad, epix100,
    };
    use detcal::detector::DetType;
    use detcal::{Error, NdArray};
    use ndarray::{ArrayD, IxDyn};
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    /// Applies `cmpars` of `det` to one frame of `shape` holding `v`.
    fn apply(det: DetType, cmpars: &[f64], shape: &[usize], v: &[f32]) -> Vec<f32> {
        apply_with(det, cmpars, shape, v, CmInputs::default())
    }

    fn apply_with(
        det: DetType,
        cmpars: &[f64],
        shape: &[usize],
        v: &[f32],
        inputs: CmInputs<'_>,
    ) -> Vec<f32> {
        let cm = SingleGainCm::new(det, Some(cmpars), shape, inputs)
            .unwrap()
            .expect("a correction");
        let mut out = v.to_vec();
        cm.apply(&mut out).unwrap();
        out
    }

    const GROUP: [f32; 6] = [1.0, 2.0, 3.0, 100.0, -2.0, 6.0];

    #[test]
    fn algorithm_2_mean_below_threshold() {
        // Threshold 50: 1, 2, 3, -2, 6 -> mean 2 -> every value - 2.
        let out = apply(DetType::Andor, &[2.0, 50.0, 10.0, 6.0], &[6], &GROUP);
        assert_eq!(out, [-1.0, 0.0, 1.0, 98.0, -4.0, 4.0]);
        // Threshold 3: 1, 2, -2 -> mean 1/3 as float32, subtracted from all six.
        let out = apply(DetType::Andor, &[2.0, 3.0, 10.0, 6.0], &[6], &GROUP);
        let third = 0.333_333_34f32;
        assert_eq!((1.0f64 / 3.0) as f32, third);
        let want: Vec<f32> = GROUP.iter().map(|v| v - third).collect();
        assert_eq!(out, want);
        // maxcorr 1: the mean 2 is too large, nothing changes.
        let out = apply(DetType::Andor, &[2.0, 50.0, 1.0, 6.0], &[6], &GROUP);
        assert_eq!(out, GROUP);
        // A pixel with non-zero status is left out of the estimate but corrected: without 100
        // and 6 the mean of 1, 2, 3, -2 is 1.
        let status =
            NdArray::U16(ArrayD::from_shape_vec(IxDyn(&[6]), vec![0, 0, 0, 0, 0, 4]).unwrap());
        let inputs = CmInputs {
            status: Some(&status),
            ..CmInputs::default()
        };
        let out = apply_with(
            DetType::Andor,
            &[2.0, 50.0, 10.0, 6.0],
            &[6],
            &GROUP,
            inputs,
        );
        assert_eq!(out, [0.0, 1.0, 2.0, 99.0, -3.0, 5.0]);
    }

    #[test]
    fn algorithm_3_histogram_median_of_truncated_values() {
        // pnCCD's default algorithm with threshold 50, maxcorr 10.
        let out = apply(DetType::Pnccd, &[3.0, 50.0, 10.0, 128.0], &[6], &GROUP);
        assert_eq!(out, [-1.0, 0.0, 1.0, 98.0, -4.0, 4.0]);
        // Truncation toward zero: bins 0, 0, 0, 5 -> median 0 -> no change.
        let v = [0.9f32, 0.2, -0.7, 5.5];
        let out = apply(DetType::Pnccd, &[3.0, 50.0, 10.0, 128.0], &[4], &v);
        assert_eq!(out, v);
        // Groups of 128: the second group has its own median.
        let v: Vec<f32> = (0..256).map(|i| if i < 128 { 4.5 } else { -3.9 }).collect();
        let out = apply(DetType::Pnccd, &[3.0, 50.0, 10.0, 128.0], &[256], &v);
        assert!(out[..128].iter().all(|&x| x == 0.5));
        assert!(out[128..].iter().all(|&x| x == -3.9f32 + 3.0));
    }

    #[test]
    fn algorithm_4_median_with_limits() {
        let row: Vec<f32> = (0..96).map(|x| x as f32).collect();
        let idx: Vec<usize> = (0..96).collect();
        let p = RegionParams {
            cmtype: 2,
            half: 30.0,
            maxcorr: 10.0,
        };
        // Kept 0..=30: median 15 > 10: not applied.
        let mut v = row.clone();
        assert_eq!(epix100::median_in_region(&mut v, &[], &idx, &p), None);
        assert_eq!(v, row);
        // maxcorr 20: 15 subtracted from all 96 values, 31..95 included.
        let p20 = RegionParams { maxcorr: 20.0, ..p };
        assert_eq!(
            epix100::median_in_region(&mut v, &[], &idx, &p20),
            Some(15.0)
        );
        assert_eq!(v, row.iter().map(|x| x - 15.0).collect::<Vec<_>>());
        // Values -40..=55: kept -30..=30, median 0.
        let mut w: Vec<f32> = (-40..56).map(|x| x as f32).collect();
        let w0 = w.clone();
        assert_eq!(epix100::median_in_region(&mut w, &[], &idx, &p), Some(0.0));
        assert_eq!(w, w0);

        // Excluded pixels 0..=20 (non-zero status): kept 21..=30, exactly 10 values, median
        // (25 + 26) / 2; maxcorr 0 applies any value. Excluding 21 too leaves 9: no estimate.
        let p0 = RegionParams { maxcorr: 0.0, ..p };
        let mut ex = vec![0u8; 96];
        ex[..21].fill(1);
        let mut v = row.clone();
        assert_eq!(
            epix100::median_in_region(&mut v, &ex, &idx, &p0),
            Some(25.5)
        );
        assert_eq!(v, row.iter().map(|x| x - 25.5).collect::<Vec<_>>());
        ex[21] = 1;
        let mut v = row.clone();
        assert_eq!(epix100::median_in_region(&mut v, &ex, &idx, &p0), None);

        // On a whole ePix100a frame, every row of every region holding 0..95: the row medians
        // (cmtype 2) are 15, applied with maxcorr 20, not with 10.
        let frame: Vec<f32> = (0..704 * 768).map(|k| ((k % 768) % 96) as f32).collect();
        let out = apply(
            DetType::Epix100a,
            &[4.0, 2.0, 30.0, 20.0],
            &[704, 768],
            &frame,
        );
        let want: Vec<f32> = frame.iter().map(|x| x - 15.0).collect();
        assert_eq!(out, want);
        let out = apply(
            DetType::Epix100a,
            &[4.0, 2.0, 30.0, 10.0],
            &[704, 768],
            &frame,
        );
        assert_eq!(out, frame);
        // Then the columns (cmtype 6): after the rows, column c holds c - 15 everywhere; the
        // column medians of |v| <= 30 are c - 15 for c <= 45, applied while |c - 15| <= 20.
        let out = apply(
            DetType::Epix100a,
            &[4.0, 6.0, 30.0, 20.0],
            &[704, 768],
            &frame,
        );
        for (k, &o) in out.iter().enumerate() {
            let c = ((k % 768) % 96) as f32 - 15.0;
            let want = if c.abs() <= 20.0 { 0.0 } else { c };
            assert_eq!(o, want, "pixel {k}");
        }
    }

    /// A CSPAD section with every value `v` except the 36 unbonded pixels, which hold `u`.
    fn section(v: f32, u: f32) -> Vec<f32> {
        let mut s = vec![v; SECTION_PIXELS];
        for k in cspad::unbonded_pixels() {
            s[k] = u;
        }
        s
    }

    #[test]
    fn algorithm_5_unbonded_pixels() {
        let s = section(7.0, 3.0);
        let frame: Vec<f32> = (0..32).flat_map(|_| s.clone()).collect();
        let out = apply(DetType::Cspad, &[5.0, 25.0], &[32, 185, 388], &frame);
        let want: Vec<f32> = (0..32).flat_map(|_| section(4.0, 0.0)).collect();
        assert_eq!(out, want);
        // meanmax 2: the mean 3 is too large.
        let out = apply(DetType::Cspad, &[5.0, 2.0], &[32, 185, 388], &frame);
        assert_eq!(out, frame);
        // Algorithm 5 is CSPAD's only: nothing for other types.
        assert!(
            SingleGainCm::new(
                DetType::Pnccd,
                Some(&[5.0, 25.0]),
                &[4, 512, 512],
                CmInputs::default()
            )
            .unwrap()
            .is_none()
        );
    }

    #[test]
    fn cspad2x2_sections_in_either_order() {
        // Section 0 is 7 with unbonded 3, section 1 is 9 with unbonded 4.
        let (s0, s1) = (section(7.0, 3.0), section(9.0, 4.0));
        let natural: Vec<f32> = s0.iter().chain(&s1).copied().collect();
        let out = apply(DetType::Cspad2x2, &[5.0, 25.0], &[2, 185, 388], &natural);
        let want: Vec<f32> = section(4.0, 0.0)
            .into_iter()
            .chain(section(5.0, 0.0))
            .collect();
        assert_eq!(out, want);
        // DAQ order (185, 388, 2): the two sections interleaved.
        let daq: Vec<f32> = (0..SECTION_PIXELS).flat_map(|i| [s0[i], s1[i]]).collect();
        let out = apply(
            DetType::Cspad2x2,
            &[5.0, 25.0],
            &[SECTION_ROWS, SECTION_COLS, 2],
            &daq,
        );
        let want_daq: Vec<f32> = (0..SECTION_PIXELS)
            .flat_map(|i| [want[i], want[SECTION_PIXELS + i]])
            .collect();
        assert_eq!(out, want_daq);
    }

    #[test]
    fn algorithm_1_histogram_peak_with_unbond_fallback() {
        let shape = [32, 185, 388];
        // All 12.0: the peak is at 12 with sigma 0: every pixel becomes 0. CSPAD's default
        // parameters (no cmpars given).
        let cm = SingleGainCm::new(DetType::Cspad, None, &shape, CmInputs::default())
            .unwrap()
            .unwrap();
        assert!(matches!(cm.algorithm(), CmAlgorithm::CspadPeak(p) if p.unbond_fallback));
        let mut frame = vec![12.0f32; 32 * SECTION_PIXELS];
        cm.apply(&mut frame).unwrap();
        assert!(frame.iter().all(|&x| x == 0.0));
        // All 30.0: |cm| = 30 > 25, and the unbonded mean 30 > 25 too: no change.
        let mut frame = vec![30.0f32; 32 * SECTION_PIXELS];
        cm.apply(&mut frame).unwrap();
        assert!(frame.iter().all(|&x| x == 30.0));
        // No bin above a threshold of 100000: the unbonded fallback corrects (mean 3).
        let s = section(7.0, 3.0);
        let frame: Vec<f32> = (0..32).flat_map(|_| s.clone()).collect();
        let out = apply(
            DetType::Cspad,
            &[1.0, 25.0, 25.0, 100000.0, 1.0],
            &shape,
            &frame,
        );
        assert_eq!(out[..SECTION_PIXELS], section(4.0, 0.0)[..]);
        // ... but not without the fallback (p[4] = 0).
        let out = apply(
            DetType::Cspad,
            &[1.0, 25.0, 25.0, 100000.0, 0.0],
            &shape,
            &frame,
        );
        assert_eq!(out, frame);
        // A 4-value parameter list reads p[4] as 0: no fallback.
        let out = apply(DetType::Cspad, &[1.0, 25.0, 25.0, 100000.0], &shape, &frame);
        assert_eq!(out, frame);
        // With the default threshold, the peak of section 0 is at 7 (71744 pixels): all 7s
        // become 0 and the unbonded -4.
        let out = apply(
            DetType::Cspad,
            &[1.0, 25.0, 25.0, 100.0, 1.0],
            &shape,
            &frame,
        );
        assert_eq!(out[..SECTION_PIXELS], section(0.0, -4.0)[..]);
    }

    #[test]
    fn generic_algorithm_1_on_a_camera() {
        // Princeton's default: one group of the whole frame at stride 1.
        let v = vec![5.0f32; 1000];
        let cm = SingleGainCm::new(DetType::Princeton, None, &[10, 100], CmInputs::default())
            .unwrap()
            .unwrap();
        assert!(matches!(
            cm.algorithm(),
            CmAlgorithm::GenericPeak {
                nsegs: 1,
                ssize: 1000,
                stride: 1,
                ..
            }
        ));
        let mut out = v.clone();
        cm.apply(&mut out).unwrap();
        assert!(out.iter().all(|&x| x == 0.0));
        // One group of 128 values (p[5] below 100) at stride 2: the even values of 0..256.
        let v: Vec<f32> = (0..400)
            .map(|k| if k % 2 == 0 { 3.0 } else { 8.0 })
            .collect();
        let out = apply(
            DetType::Opal1000,
            &[1.0, 25.0, 25.0, 10.0, 1.0, 0.0, 2.0],
            &[400],
            &v,
        );
        for (k, &o) in out.iter().enumerate() {
            let want = if k % 2 == 0 && k < 256 { 0.0 } else { v[k] };
            assert_eq!(o, want, "value {k}");
        }
    }

    #[test]
    fn off_and_errors() {
        let f = [4usize, 512, 512];
        let none = |det, p: &[f64]| {
            SingleGainCm::new(det, Some(p), &f, CmInputs::default())
                .unwrap()
                .is_none()
        };
        assert!(none(DetType::Pnccd, &[0.0, 5.0, 30.0]));
        assert!(none(DetType::Pnccd, &[]));
        assert!(none(DetType::Pnccd, &[7.0, 1.0, 100.0]));
        assert!(none(DetType::Pnccd, &[4.0, 6.0, 30.0, 10.0]));
        // Cameras: no default common mode.
        assert!(
            SingleGainCm::new(DetType::Opal1000, None, &[8, 8], CmInputs::default())
                .unwrap()
                .is_none()
        );
        let err = |det, p: &[f64], shape: &[usize]| {
            SingleGainCm::new(det, Some(p), shape, CmInputs::default()).unwrap_err()
        };
        assert!(matches!(
            err(DetType::Pnccd, &[f64::NAN], &f),
            Error::BadArgument { .. }
        ));
        assert!(matches!(
            err(DetType::Pnccd, &[1.5], &f),
            Error::BadArgument { .. }
        ));
        assert!(matches!(
            err(DetType::Pnccd, &[8.0], &f),
            Error::BadArgument { .. }
        ));
        let e = err(DetType::Pnccd, &[8.0, 1.0, 30.0], &[512, 512]);
        assert!(matches!(e, Error::Shape { .. }), "{e}");
        assert!(e.to_string().contains("4 x 512 x 512"), "{e}");
        let e = err(DetType::Epix100a, &[6.0], &[352, 384]);
        assert!(matches!(e, Error::Shape { .. }), "{e}");
        let e = err(DetType::Cspad, &[1.0, 25.0, 25.0, 100.0], &[2, 185, 388]);
        assert!(matches!(e, Error::Shape { .. }), "{e}");
        // A status of the wrong size.
        let status = NdArray::U16(ArrayD::zeros(IxDyn(&[5])));
        let e = SingleGainCm::new(
            DetType::Andor,
            Some(&[2.0, 10.0, 10.0, 128.0]),
            &[6],
            CmInputs {
                status: Some(&status),
                ..CmInputs::default()
            },
        )
        .unwrap_err();
        assert!(e.to_string().contains("pixel_status"), "{e}");
        // Frames that are not whole.
        let cm = SingleGainCm::new(
            DetType::Andor,
            Some(&[2.0, 10.0, 10.0, 128.0]),
            &[6],
            CmInputs::default(),
        )
        .unwrap()
        .unwrap();
        assert!(cm.apply(&mut [0.0; 7]).is_err());
    }

    /// A plain implementation of psana's pnCCD algorithm 8 (spec §1.8), one line at a time with
    /// sorted copies, for comparison with the library's.
    fn naive_pnccd(f: &mut [f32], mask: Option<&[f32]>, mode: u32, cormax: f32) {
        fn median(mut v: Vec<f32>) -> f32 {
            v.sort_by(f32::total_cmp);
            let n = v.len();
            if n % 2 == 1 {
                v[n / 2]
            } else {
                (v[n / 2 - 1] + v[n / 2]) / 2.0
            }
        }
        let n = 512;
        for s in 0..4 {
            let at = |r: usize, c: usize| s * n * n + r * n + c;
            let mut lines: Vec<(bool, Vec<usize>)> = Vec::new();
            let row_banks = |lines: &mut Vec<(bool, Vec<usize>)>| {
                for b in 0..4 {
                    for r in 0..n {
                        lines.push((false, (b * 128..(b + 1) * 128).map(|c| at(r, c)).collect()));
                    }
                }
            };
            if mode & 1 != 0 {
                row_banks(&mut lines);
            }
            if mode & 2 != 0 {
                (0..n).for_each(|r| lines.push((false, (0..n).map(|c| at(r, c)).collect())));
            }
            if mode & 4 != 0 {
                (0..n).for_each(|c| lines.push((false, (0..n).map(|r| at(r, c)).collect())));
            }
            if mode & 8 != 0 {
                if mask.is_some() {
                    for b in 0..4 {
                        let idx = (0..n)
                            .flat_map(|r| (b * 128..(b + 1) * 128).map(move |c| (r, c)))
                            .map(|(r, c)| at(r, c))
                            .collect();
                        lines.push((true, idx));
                    }
                } else {
                    row_banks(&mut lines);
                }
            }
            for (is_bank, idx) in lines {
                match mask {
                    None => {
                        let cm = median(idx.iter().map(|&k| f[k]).collect());
                        let cm = if cm.abs() < cormax { cm } else { 0.0 };
                        idx.iter().for_each(|&k| f[k] -= cm);
                    }
                    Some(m) if is_bank => {
                        let good: Vec<usize> = idx.into_iter().filter(|&k| m[k] > 0.0).collect();
                        if good.len() < 10 {
                            continue;
                        }
                        let cm = median(good.iter().map(|&k| f[k]).collect());
                        if cm.abs() < cormax {
                            good.iter().for_each(|&k| f[k] -= cm);
                        }
                    }
                    Some(m) => {
                        let vals: Vec<f32> = idx
                            .iter()
                            .filter(|&&k| m[k] >= 1.0)
                            .map(|&k| f[k])
                            .collect();
                        let npix: f32 = idx.iter().map(|&k| m[k]).sum();
                        let cm = if vals.is_empty() { 0.0 } else { median(vals) };
                        let cm = if npix > 10.0 && cm.abs() < cormax {
                            cm
                        } else {
                            0.0
                        };
                        idx.iter()
                            .filter(|&&k| m[k] > 0.0)
                            .for_each(|&k| f[k] -= cm);
                    }
                }
            }
        }
    }

    #[test]
    fn algorithm_8_equals_a_plain_implementation_in_every_mode() {
        let n = 4 * 512 * 512;
        let mut rng = StdRng::seed_from_u64(99);
        let mut rnd = move || rng.random::<f32>();
        // Noise of +-20 ADU on an offset per 64 pixels of a row and per column, a few hits.
        let frame: Vec<f32> = (0..n)
            .map(|k| {
                let (r, c) = ((k / 512) % 512, k % 512);
                let hit = if rnd() < 0.01 { 500.0 } else { 0.0 };
                ((r * 7 + c / 64) % 41) as f32 - 20.0 + (c % 13) as f32 + rnd() * 40.0 - 20.0 + hit
            })
            .collect();
        // A 0/1 mask with 5% bad pixels and a nearly bad row.
        let mut m: Vec<f32> = (0..n).map(|_| (rnd() > 0.05) as u8 as f32).collect();
        m[3 * 512..3 * 512 + 500].fill(0.0);
        let mask = NdArray::F32(ArrayD::from_shape_vec(IxDyn(&[4, 512, 512]), m.clone()).unwrap());
        for mode in [1u32, 2, 4, 8, 5, 15] {
            for with_mask in [false, true] {
                let inputs = CmInputs {
                    mask: with_mask.then_some(&mask),
                    ..CmInputs::default()
                };
                let got = apply_with(
                    DetType::Pnccd,
                    &[8.0, mode as f64, 25.0],
                    &[4, 512, 512],
                    &frame,
                    inputs,
                );
                let mut want = frame.clone();
                naive_pnccd(&mut want, with_mask.then_some(&m[..]), mode, 25.0);
                let bad = (0..n).find(|&k| got[k].to_bits() != want[k].to_bits());
                assert!(bad.is_none(), "mode {mode} mask {with_mask}: pixel {bad:?}");
                assert_ne!(got, frame, "mode {mode} mask {with_mask} changed nothing");
            }
        }
    }
}
