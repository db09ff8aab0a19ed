//! Known answers of the calibrator, worked out by hand on small synthetic panels.
//!
//! The panels are 4 x 32 pixels unless said otherwise: two halves of 2 rows, 16 banks of 2
//! columns (psana's 512 x 1024 geometry scaled down, see `detcal::calib`).

// Inside `calib` so that `cargo test -p detcal calib` selects these tests.
mod calib {
    use detcal::NdArray;
    use detcal::calib::{Calibrator, CommonModeParams, Constants};
    use detcal::detector::DetType;
    use ndarray::{Array, ArrayD, IxDyn};

    const G0: u16 = 0x0000;
    const G1: u16 = 0x4000;
    const G2: u16 = 0xc000;
    const BAD: u16 = 0x8000;

    fn full<T: Clone>(shape: &[usize], v: T) -> ArrayD<T> {
        ArrayD::from_elem(IxDyn(shape), v)
    }

    /// Per-gain constants `[g0, g1, g2]` for every pixel of a `(3, nsegs, rows, cols)` array.
    fn per_gain(nsegs: usize, rows: usize, cols: usize, v: [f32; 3]) -> NdArray {
        Array::from_shape_fn(IxDyn(&[3, nsegs, rows, cols]), |i| v[i[0]]).into()
    }

    fn no_cm() -> Option<Vec<f64>> {
        Some(vec![])
    }

    fn calib(c: &Constants, raw: &[u16]) -> (Vec<f32>, usize) {
        let mut cal = Calibrator::jungfrau(c).unwrap();
        let mut out = vec![f32::NAN; raw.len()];
        let bad = cal.calibrate(raw, &mut out).unwrap();
        assert_eq!(bad, cal.bad_gain_count());
        (out, bad)
    }

    #[test]
    fn each_gain_code_uses_its_constants_and_bits_10_give_zero() {
        let c = Constants {
            pedestals: Some(per_gain(1, 4, 32, [100.0, 200.0, 300.0])),
            pixel_offset: Some(per_gain(1, 4, 32, [1.5, 2.5, 3.5])),
            pixel_gain: Some(per_gain(1, 4, 32, [32.0, 2.0, 0.25])),
            common_mode: no_cm(),
            ..Constants::default()
        };
        let mut raw = vec![G0 | 141; 128];
        raw[1] = G1 | 1000;
        raw[2] = G2 | 1000;
        raw[3] = BAD | 1000;
        raw[4] = BAD | 5;
        let (out, bad) = calib(&c, &raw);
        assert_eq!(out[0], (141.0 - 101.5) / 32.0);
        assert_eq!(out[1], (1000.0 - 202.5) * 0.5);
        assert_eq!(out[2], (1000.0 - 303.5) * 4.0);
        assert_eq!(out[3], 0.0, "gain bits 10 give 0 (decision 8)");
        assert_eq!(out[4], 0.0);
        assert_eq!(bad, 2);
        // The 14 data bits only: raw 0x7fff in gain 1 is ADC 0x3fff.
        let mut raw2 = raw.clone();
        raw2[1] = 0x7fff;
        let (out2, _) = calib(&c, &raw2);
        assert_eq!(out2[1], (16383.0 - 202.5) * 0.5);
    }

    #[test]
    fn zero_gain_gives_zero_and_missing_gain_gives_adu() {
        let mut gain = Array::from_elem(IxDyn(&[3, 1, 4, 32]), 2.0f32);
        gain[[0, 0, 0, 7]] = 0.0;
        let c = Constants {
            pedestals: Some(per_gain(1, 4, 32, [100.0, 100.0, 100.0])),
            pixel_gain: Some(gain.into()),
            common_mode: no_cm(),
            ..Constants::default()
        };
        let raw = vec![150u16; 128];
        let (out, _) = calib(&c, &raw);
        assert_eq!(out[7], 0.0, "gain 0 gives factor 0");
        assert_eq!(out[6], 25.0);

        // No gain file: ADU. No offset file: zeros.
        let c = Constants {
            pedestals: Some(per_gain(1, 4, 32, [100.0, 120.0, 140.0])),
            common_mode: no_cm(),
            ..Constants::default()
        };
        let mut raw = vec![150u16; 128];
        raw[0] = G1 | 150;
        raw[1] = G2 | 150;
        let (out, _) = calib(&c, &raw);
        assert_eq!(&out[..3], &[30.0, 10.0, 50.0]);
    }

    #[test]
    fn status_types_make_the_mask_and_are_anded_over_gains() {
        let shape4 = [3, 2, 4, 32];
        let mut status = full(&shape4, 0u16);
        status[[2, 0, 0, 1]] = 64; // bad in gain 2 only: bad everywhere
        status[[0, 1, 3, 31]] = 0x8000; // the top bit of the 0xffff code
        let mut extra = full(&[2, 4, 32], 0u64);
        extra[[0, 0, 2]] = 1 << 63; // 3-D status_extra, every bit counts
        let mut data = full(&shape4, 0u16);
        data[[1, 0, 0, 3]] = 2;
        let mut user = full(&[2, 4, 32], 1u8);
        user[[0, 0, 4]] = 0;
        user[[0, 0, 5]] = 2; // non-zero is good
        let c = Constants {
            pedestals: Some(per_gain(2, 4, 32, [0.0, 0.0, 0.0])),
            pixel_status: Some(status.into()),
            status_extra: Some(extra.into()),
            status_data: Some(data.into()),
            user_mask: Some(user.into()),
            common_mode: no_cm(),
            ..Constants::default()
        };
        let cal = Calibrator::jungfrau(&c).unwrap();
        let m = cal.mask();
        assert_eq!(m.shape(), &[2, 4, 32]);
        let bad: Vec<Vec<usize>> = m
            .indexed_iter()
            .filter(|(_, v)| **v == 0)
            .map(|(i, _)| (0..3).map(|k| i[k]).collect())
            .collect();
        assert_eq!(
            bad,
            vec![
                vec![0, 0, 1],
                vec![0, 0, 2],
                vec![0, 0, 3],
                vec![0, 0, 4],
                vec![1, 3, 31]
            ]
        );
        assert!(m.iter().all(|&v| v <= 1), "the mask is 0/1");

        // Masked pixels give 0 in every gain.
        let mut raw = vec![G0 | 10; 256];
        raw[1] = G1 | 10;
        let (out, _) = calib(&c, &raw);
        assert_eq!(&out[..6], &[10.0, 0.0, 0.0, 0.0, 0.0, 10.0]);
    }

    #[test]
    fn pixel_status_is_cast_to_uint16_as_psana_does() {
        // psana casts pixel_status to uint16 before testing 0xffff: 0x10000 wraps to 0 (good).
        let mut status = full(&[3, 1, 4, 32], 0i64);
        status[[0, 0, 0, 0]] = 0x10000;
        status[[0, 0, 0, 1]] = 0x10001;
        let c = Constants {
            pedestals: Some(per_gain(1, 4, 32, [0.0; 3])),
            pixel_status: Some(status.into()),
            ..Constants::default()
        };
        let cal = Calibrator::jungfrau(&c).unwrap();
        assert_eq!(cal.mask()[[0, 0, 0]], 1);
        assert_eq!(cal.mask()[[0, 0, 1]], 0);
    }

    /// Pedestal-subtracted values `v[row][col]` of a 4 x 32 panel as raw words over zero
    /// pedestals (values must be non-negative integers below 2^14).
    fn raw_of(v: &[[u16; 32]; 4]) -> Vec<u16> {
        v.iter().flatten().copied().collect()
    }

    fn cm_constants(cmps: &[f64]) -> Constants {
        Constants {
            pedestals: Some(per_gain(1, 4, 32, [0.0; 3])),
            common_mode: Some(cmps.to_vec()),
            ..Constants::default()
        }
    }

    #[test]
    fn mode_1_removes_the_median_of_each_row_of_each_bank() {
        // Bank 0 of row 0 holds (10, 13): median 11.5. Every other row-bank holds (20, 20 + r).
        let mut v = [[0u16; 32]; 4];
        for (r, row) in v.iter_mut().enumerate() {
            for b in 0..16 {
                row[2 * b] = 20;
                row[2 * b + 1] = 20 + r as u16;
            }
        }
        v[0][0] = 10;
        v[0][1] = 13;
        let (out, _) = calib(&cm_constants(&[7.0, 1.0, 100.0, 0.0]), &raw_of(&v));
        assert_eq!(&out[..2], &[-1.5, 1.5]);
        for r in 0..4 {
            let m = 20.0 + r as f32 / 2.0;
            assert_eq!(out[r * 32 + 2], 20.0 - m, "row {r}");
            assert_eq!(out[r * 32 + 3], 20.0 + r as f32 - m, "row {r}");
        }
    }

    #[test]
    fn cormax_is_a_strict_limit() {
        let mut v = [[0u16; 32]; 4];
        v[0][0] = 10;
        v[0][1] = 14; // median 12
        let raw = raw_of(&v);
        let (out, _) = calib(&cm_constants(&[7.0, 1.0, 12.0, 0.0]), &raw);
        assert_eq!(&out[..2], &[10.0, 14.0], "|12| < 12 is false: not applied");
        let (out, _) = calib(&cm_constants(&[7.0, 1.0, 12.5, 0.0]), &raw);
        assert_eq!(&out[..2], &[-2.0, 2.0]);
    }

    #[test]
    fn npix_min_is_strict_for_rows_and_columns_and_inclusive_for_banks() {
        let v = [[7u16; 32]; 4];
        let raw = raw_of(&v);
        // Rows of banks have 2 good pixels: corrected only if 2 > npix_min.
        let (out, _) = calib(&cm_constants(&[7.0, 1.0, 100.0, 2.0]), &raw);
        assert_eq!(out[0], 7.0);
        let (out, _) = calib(&cm_constants(&[7.0, 1.0, 100.0, 1.0]), &raw);
        assert_eq!(out[0], 0.0);
        // Columns of a half have 2 good pixels.
        let (out, _) = calib(&cm_constants(&[7.0, 2.0, 100.0, 2.0]), &raw);
        assert_eq!(out[0], 7.0);
        let (out, _) = calib(&cm_constants(&[7.0, 2.0, 100.0, 1.9]), &raw);
        assert_eq!(out[0], 0.0);
        // Banks of a half have 2 x 2 = 4 good pixels: corrected if 4 >= npix_min.
        let (out, _) = calib(&cm_constants(&[7.0, 4.0, 100.0, 4.0]), &raw);
        assert_eq!(out[0], 0.0);
        let (out, _) = calib(&cm_constants(&[7.0, 4.0, 100.0, 4.5]), &raw);
        assert_eq!(out[0], 7.0);
        // Without a 4th value npix_min is 10: nothing here has more than 4 pixels.
        let (out, _) = calib(&cm_constants(&[7.0, 7.0, 100.0]), &raw);
        assert_eq!(out[0], 7.0);
    }

    #[test]
    fn mode_4_removes_a_bank_offset_and_mode_2_a_column_offset() {
        // Bank 3 of the top half (rows 0-1, cols 6-7) is offset by 30, the rest by 5.
        let mut v = [[5u16; 32]; 4];
        for row in v.iter_mut().take(2) {
            row[6] = 30;
            row[7] = 31;
        }
        let (out, _) = calib(&cm_constants(&[7.0, 4.0, 100.0, 1.0]), &raw_of(&v));
        assert_eq!(&out[6..8], &[-0.5, 0.5], "median of 30, 31, 30, 31 is 30.5");
        assert_eq!(&out[32 + 6..32 + 8], &[-0.5, 0.5]);
        assert!(
            out.iter()
                .enumerate()
                .all(|(i, &x)| matches!(i % 32, 6 | 7) || x == 0.0)
        );

        // Column 9 of the bottom half (rows 2-3) is offset by 40.
        let mut v = [[5u16; 32]; 4];
        v[2][9] = 40;
        v[3][9] = 44;
        let (out, _) = calib(&cm_constants(&[7.0, 2.0, 100.0, 0.0]), &raw_of(&v));
        assert_eq!(out[2 * 32 + 9], -2.0);
        assert_eq!(out[3 * 32 + 9], 2.0);
        assert_eq!(out[9], 0.0);
    }

    #[test]
    fn other_gains_and_masked_pixels_are_neither_estimated_nor_corrected() {
        // Row 0, bank 0 holds (10, 12) in gain 0 and bank 1 holds (10, 12) with one pixel in
        // gain 1 (ADC 5000) and bank 2 one masked pixel (1000).
        let mut raw = vec![G0 | 50; 128];
        raw[..6].copy_from_slice(&[10, 12, 10, G1 | 5000, 1000, 12]);
        let mut status = full(&[3, 1, 4, 32], 0u16);
        status[[1, 0, 0, 4]] = 1;
        let c = Constants {
            pedestals: Some(per_gain(1, 4, 32, [0.0, 100.0, 0.0])),
            pixel_status: Some(status.into()),
            common_mode: Some(vec![7.0, 1.0, 100.0, 0.0]),
            ..Constants::default()
        };
        let (out, _) = calib(&c, &raw);
        assert_eq!(&out[..2], &[-1.0, 1.0]);
        assert_eq!(out[2], 0.0, "bank 1: the median of the gain-0 pixel alone");
        assert_eq!(out[3], 4900.0, "gain 1: not corrected");
        assert_eq!(out[4], 0.0, "masked");
        assert_eq!(out[5], 0.0, "bank 2: the median of the good pixel alone");
    }

    #[test]
    fn corrections_apply_in_psana_order_banks_rows_columns() {
        // Top half of a 4 x 32 panel, bank 0 (cols 0-1), values (rows 0-1): (0, 10), (20, 30);
        // cormax 16. mode 4: median 15 -> (-15, -5), (5, 15); mode 1: row medians -10 and 10 ->
        // (-5, 5), (-5, 5); mode 2: column medians -5 and 5 -> 0 everywhere in the bank.
        // (Rows first would leave row 1 alone, its median 25 being too large, and then remove the
        // bank median 12.5.)
        let mut v = [[50u16; 32]; 4];
        v[0][0] = 0;
        v[0][1] = 10;
        v[1][0] = 20;
        v[1][1] = 30;
        let (out, _) = calib(&cm_constants(&[7.0, 5.0, 16.0, 0.0]), &raw_of(&v));
        assert_eq!(&out[..2], &[-5.0, 5.0]);
        assert_eq!(&out[32..34], &[-5.0, 5.0]);
        let (out, _) = calib(&cm_constants(&[7.0, 7.0, 16.0, 0.0]), &raw_of(&v));
        assert_eq!(&out[..2], &[0.0, 0.0]);
        assert_eq!(&out[32..34], &[0.0, 0.0]);
        assert_eq!(out[2], 50.0, "medians of 50 exceed cormax");
    }

    #[test]
    fn common_mode_parameters_and_defaults() {
        let c = Constants {
            pedestals: Some(per_gain(1, 4, 32, [0.0; 3])),
            ..Constants::default()
        };
        let cal = Calibrator::jungfrau(&c).unwrap();
        assert_eq!(
            cal.common_mode(),
            Some(CommonModeParams {
                mode: 1,
                cormax: 100.0,
                npix_min: 0.0
            }),
            "JUNGFRAU default (7,1,100,0)"
        );
        let off = Calibrator::jungfrau(&cm_constants(&[7.0, 0.0, 100.0, 0.0])).unwrap();
        assert_eq!(off.common_mode(), None);
        assert!(matches!(
            Calibrator::jungfrau(&cm_constants(&[7.0, 1.0])),
            Err(detcal::Error::BadArgument {
                arg: "common_mode",
                ..
            })
        ));
    }

    #[test]
    fn missing_pedestals_and_bad_shapes_are_errors() {
        use detcal::{Error, Missing};
        let e = Calibrator::jungfrau(&Constants::default()).unwrap_err();
        assert!(
            matches!(&e, Error::NotFound { kind: Missing::Constants, what, .. } if what == "pedestals"),
            "{e:?}"
        );
        assert!(e.to_string().contains("no pedestals"), "{e}");
        let e = Calibrator::new(DetType::Epix100a, &Constants::default()).unwrap_err();
        assert!(
            matches!(&e, Error::NotFound { kind: Missing::Constants, place, .. } if place == "Epix100a"),
            "{e:?}"
        );
        assert!(e.to_string().contains("no pedestals"), "{e}");

        let bad = |c: Constants, want: &str| {
            let e = Calibrator::jungfrau(&c).unwrap_err().to_string();
            assert!(e.contains(want), "{e:?} should mention {want:?}");
        };
        let peds = || Some(per_gain(1, 4, 32, [0.0; 3]));
        bad(
            Constants {
                pedestals: Some(full(&[1, 4, 32], 0f32).into()),
                ..Constants::default()
            },
            "(1,4,32)",
        );
        bad(
            Constants {
                pedestals: Some(full(&[3, 1, 4, 30], 0f32).into()),
                ..Constants::default()
            },
            "multiple of 16",
        );
        bad(
            Constants {
                pedestals: peds(),
                pixel_gain: Some(full(&[3, 1, 4, 16], 1f32).into()),
                ..Constants::default()
            },
            "pixel_gain",
        );
        bad(
            Constants {
                pedestals: peds(),
                pixel_status: Some(full(&[2, 1, 4, 32], 0u16).into()),
                ..Constants::default()
            },
            "pixel_status",
        );
        bad(
            Constants {
                pedestals: peds(),
                user_mask: Some(full(&[1, 4, 16], 1u8).into()),
                ..Constants::default()
            },
            "user mask",
        );
        bad(
            Constants {
                pedestals: Some(full(&[3, 0, 4, 32], 0f32).into()),
                ..Constants::default()
            },
            "pedestals",
        );

        let mut cal = Calibrator::jungfrau(&Constants {
            pedestals: peds(),
            ..Constants::default()
        })
        .unwrap();
        let mut out = vec![0f32; 128];
        assert!(matches!(
            cal.calibrate(&[0u16; 127], &mut out[..127]),
            Err(Error::Shape { what, found, .. }) if what == "raw data" && found == [127]
        ));
        assert!(matches!(
            cal.calibrate(&[0u16; 128], &mut out[..100]),
            Err(Error::Shape { what, found, .. }) if what == "output buffer" && found == [100]
        ));
        assert!(matches!(
            cal.calibrate_batch(&[0u16; 200], &mut [0f32; 200]),
            Err(Error::Shape { .. })
        ));
        assert_eq!(cal.calibrate_batch(&[], &mut []).unwrap(), 0);
        assert!(matches!(
            cal.calibrate_array(full(&[1, 4, 16], 0u16).view()),
            Err(Error::Shape { what, found, .. }) if what == "raw frame" && found == [1, 4, 16]
        ));
    }

    #[test]
    fn batches_equal_single_frames_and_count_bad_gain_in_the_last_frame() {
        let c = Constants {
            pedestals: Some(per_gain(2, 4, 32, [3.0, 1.0, 2.0])),
            ..Constants::default()
        };
        let mut cal = Calibrator::jungfrau(&c).unwrap();
        let n = cal.frame_len();
        let raw: Vec<u16> = (0..3 * n)
            .map(|i| [G0 | 9, G0 | (i % 50) as u16, G1 | 4, BAD | 1][i % 7 % 4])
            .collect();
        let mut batch = vec![0f32; raw.len()];
        let total = cal.calibrate_batch(&raw, &mut batch).unwrap();
        let last = cal.bad_gain_count();
        let mut single = vec![0f32; raw.len()];
        let mut sum = 0;
        for (r, o) in raw.chunks(n).zip(single.chunks_mut(n)) {
            sum += cal.calibrate(r, o).unwrap();
        }
        assert_eq!(batch, single);
        assert_eq!(total, sum);
        assert_eq!(last, cal.bad_gain_count());
        assert_eq!(last, raw[2 * n..].iter().filter(|&&r| r >> 14 == 2).count());
    }

    #[test]
    fn single_gain_multiplies_by_the_gain_and_masks() {
        let peds = Array::from_shape_fn(IxDyn(&[2, 3]), |i| (i[0] * 3 + i[1]) as f32);
        let gain = full(&[2, 3], 2.0f32);
        let mut status = full(&[6], 0u16);
        status[[4]] = 1;
        let c = Constants {
            pedestals: Some(peds.into()),
            pixel_gain: Some(gain.into()),
            pixel_status: Some(status.into()),
            // No common mode (the pnCCD's default, algorithm 3, would remove the median).
            common_mode: Some(vec![0.0]),
            ..Constants::default()
        };
        let mut cal = Calibrator::new(DetType::Pnccd, &c).unwrap();
        assert_eq!(cal.frame_shape(), &[2, 3]);
        let raw = ArrayD::from_shape_vec(IxDyn(&[2, 3]), vec![10u16, 10, 10, 10, 10, 10]).unwrap();
        let out = cal.calibrate_array(raw.view()).unwrap();
        assert_eq!(
            out.iter().copied().collect::<Vec<_>>(),
            vec![20.0, 18.0, 16.0, 14.0, 0.0, 10.0]
        );
        assert!(Calibrator::new(DetType::Epix10ka2M, &c).is_err());
    }
}
