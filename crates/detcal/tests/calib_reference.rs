//! The fast calibrator against a plain reference written from the spec (§11), on random data.
//!
//! The reference follows psana's order literally (mode 4 on the top then the bottom half, mode 1
//! on the whole panel, mode 2 on both halves), uses sorted copies for medians and simple loops.
//! Medians are numpy's: float32 mean of the two middle values (`np.median`, mode 4) and
//! float32 `(lo + hi) / 2` with `lo == hi` for odd counts (`np.ma.median`, modes 1 and 2).
//! The comparison is exact: both must give the same float32 results.

// Inside `calib` so that `cargo test -p detcal calib` selects these tests.
mod calib {
    use detcal::calib::{Calibrator, Constants};
    use ndarray::{ArrayD, IxDyn};
    use proptest::prelude::*;
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    /// Constants and parameters as plain vectors.
    #[derive(Debug, Clone)]
    struct Case {
        nsegs: usize,
        rows: usize,
        cols: usize,
        /// 3 gains x frame.
        peds: Vec<f32>,
        gain: Option<Vec<f32>>,
        offs: Option<Vec<f32>>,
        status: Option<Vec<u16>>,
        extra: Option<Vec<u64>>,
        user: Option<Vec<u8>>,
        cmps: Vec<f64>,
    }

    impl Case {
        fn npix(&self) -> usize {
            self.nsegs * self.rows * self.cols
        }

        fn constants(&self) -> Constants {
            let s4 = [3, self.nsegs, self.rows, self.cols];
            let s3 = [self.nsegs, self.rows, self.cols];
            let a4 = |v: &Vec<f32>| {
                ArrayD::from_shape_vec(IxDyn(&s4), v.clone())
                    .unwrap()
                    .into()
            };
            Constants {
                pedestals: Some(a4(&self.peds)),
                pixel_gain: self.gain.as_ref().map(a4),
                pixel_offset: self.offs.as_ref().map(a4),
                pixel_status: self.status.as_ref().map(|v| {
                    ArrayD::from_shape_vec(IxDyn(&s4), v.clone())
                        .unwrap()
                        .into()
                }),
                status_extra: self.extra.as_ref().map(|v| {
                    ArrayD::from_shape_vec(IxDyn(&s3), v.clone())
                        .unwrap()
                        .into()
                }),
                status_data: None,
                pixel_rms: None,
                user_mask: self.user.as_ref().map(|v| {
                    ArrayD::from_shape_vec(IxDyn(&s3), v.clone())
                        .unwrap()
                        .into()
                }),
                common_mode: Some(self.cmps.clone()),
            }
        }
    }

    /// np.median of float32 values.
    fn np_median(mut v: Vec<f32>) -> f32 {
        if v.is_empty() {
            return f32::NAN;
        }
        if v.iter().any(|x| x.is_nan()) {
            return f32::NAN;
        }
        v.sort_by(|a, b| a.partial_cmp(b).unwrap());
        let n = v.len();
        if n % 2 == 1 {
            v[n / 2]
        } else {
            (v[n / 2 - 1] + v[n / 2]) / 2.0
        }
    }

    /// np.ma.median along an axis, for float32 values.
    fn np_ma_median(mut v: Vec<f32>) -> f32 {
        if v.is_empty() || v.iter().any(|x| x.is_nan()) {
            return f32::NAN;
        }
        v.sort_by(|a, b| a.partial_cmp(b).unwrap());
        let n = v.len();
        (v[(n - 1) / 2] + v[n / 2]) / 2.0
    }

    /// The spec's `det.calib` for one frame.
    fn reference(c: &Case, raw: &[u16]) -> Vec<f32> {
        let n = c.npix();
        let (rows, cols) = (c.rows, c.cols);
        let mut mask = vec![1u8; n];
        for p in 0..n {
            // pixel_status: bad where status & 0xffff != 0 in any gain (u16 values: any bit).
            if let Some(s) = &c.status
                && (0..3).any(|g| s[g * n + p] != 0)
            {
                mask[p] = 0;
            }
            if c.extra.as_ref().is_some_and(|e| e[p] != 0) {
                mask[p] = 0;
            }
            if c.user.as_ref().is_some_and(|u| u[p] == 0) {
                mask[p] = 0;
            }
        }
        let gidx = |r: u16| match r >> 14 {
            0 => Some(0),
            1 => Some(1),
            3 => Some(2),
            _ => None,
        };
        let mut v = vec![0f32; n];
        let mut good = vec![false; n];
        for p in 0..n {
            if let Some(g) = gidx(raw[p]) {
                let off = c.offs.as_ref().map_or(0.0, |o| o[g * n + p]);
                let poff = c.peds[g * n + p] + off;
                v[p] = (raw[p] & 0x3fff) as f32 - poff;
                good[p] = g == 0 && mask[p] == 1;
            }
        }
        let mode = if c.cmps.len() > 1 {
            c.cmps[1] as i64
        } else {
            0
        };
        if mode > 0 {
            let cormax = c.cmps[2];
            let npix_min = c.cmps.get(3).copied().unwrap_or(10.0);
            let hr = rows / 2;
            let bw = cols / 16;
            for s in 0..c.nsegs {
                let at = |r: usize, col: usize| s * rows * cols + r * cols + col;
                if mode & 4 != 0 {
                    for h in 0..2 {
                        for b in 0..16 {
                            let pix: Vec<usize> = (h * hr..(h + 1) * hr)
                                .flat_map(|r| (b * bw..(b + 1) * bw).map(move |col| (r, col)))
                                .map(|(r, col)| at(r, col))
                                .filter(|&p| good[p])
                                .collect();
                            if (pix.len() as f64) < npix_min {
                                continue;
                            }
                            let cm = np_median(pix.iter().map(|&p| v[p]).collect());
                            if (cm as f64).abs() < cormax {
                                for &p in &pix {
                                    v[p] -= cm;
                                }
                            }
                        }
                    }
                }
                let one = |pix: Vec<usize>, v: &mut Vec<f32>| {
                    if (pix.len() as f64) > npix_min && !pix.is_empty() {
                        let cm = np_ma_median(pix.iter().map(|&p| v[p]).collect());
                        if (cm as f64).abs() < cormax {
                            for &p in &pix {
                                v[p] -= cm;
                            }
                        }
                    }
                };
                if mode & 1 != 0 {
                    for r in 0..rows {
                        for b in 0..16 {
                            let pix = (b * bw..(b + 1) * bw)
                                .map(|col| at(r, col))
                                .filter(|&p| good[p])
                                .collect();
                            one(pix, &mut v);
                        }
                    }
                }
                if mode & 2 != 0 {
                    for h in 0..2 {
                        for col in 0..cols {
                            let pix = (h * hr..(h + 1) * hr)
                                .map(|r| at(r, col))
                                .filter(|&p| good[p])
                                .collect();
                            one(pix, &mut v);
                        }
                    }
                }
            }
        }
        (0..n)
            .map(|p| match gidx(raw[p]) {
                None => 0.0,
                Some(g) => {
                    let gain = c.gain.as_ref().map_or(1.0, |x| x[g * n + p]);
                    let f = if gain == 0.0 { 0.0 } else { 1.0 / gain };
                    v[p] * f * mask[p] as f32
                }
            })
            .collect()
    }

    /// A random case: pedestals with fractions, some zero gains, sparse status bits, raw values
    /// around the pedestals with offsets per row bank, per column and per bank, and all gain codes.
    fn random_case(
        seed: u64,
        nsegs: usize,
        rows: usize,
        cols: usize,
        cmps: Vec<f64>,
    ) -> (Case, Vec<u16>) {
        let mut rng = StdRng::seed_from_u64(seed);
        let n = nsegs * rows * cols;
        let peds: Vec<f32> = (0..3 * n)
            .map(|_| 1000.0 + rng.random::<f32>() * 2000.0)
            .collect();
        let gain = rng.random_bool(0.8).then(|| {
            (0..3 * n)
                .map(|_| {
                    if rng.random_bool(0.02) {
                        0.0
                    } else {
                        0.5 + rng.random::<f32>() * 50.0
                    }
                })
                .collect()
        });
        let offs = rng.random_bool(0.5).then(|| {
            (0..3 * n)
                .map(|_| rng.random::<f32>() * 20.0 - 10.0)
                .collect()
        });
        let pbad = [0.0, 0.01, 0.2][rng.random_range(0..3)];
        let status = rng.random_bool(0.7).then(|| {
            (0..3 * n)
                .map(|_| {
                    if rng.random_bool(pbad) {
                        1 << rng.random_range(0..16)
                    } else {
                        0
                    }
                })
                .collect()
        });
        let extra = rng.random_bool(0.3).then(|| {
            (0..n)
                .map(|_| if rng.random_bool(pbad) { 1u64 << 63 } else { 0 })
                .collect()
        });
        let user = rng.random_bool(0.3).then(|| {
            (0..n)
                .map(|_| if rng.random_bool(pbad) { 0 } else { 1 })
                .collect()
        });
        let c = Case {
            nsegs,
            rows,
            cols,
            peds,
            gain,
            offs,
            status,
            extra,
            user,
            cmps,
        };
        let pswitch = [0.0, 0.01, 0.3][rng.random_range(0..3)];
        let bank_off: Vec<f32> = (0..nsegs * rows * 16)
            .map(|_| rng.random::<f32>() * 60.0 - 30.0)
            .collect();
        let col_off: Vec<f32> = (0..nsegs * 2 * cols)
            .map(|_| rng.random::<f32>() * 20.0 - 10.0)
            .collect();
        let raw = (0..n)
            .map(|p| {
                let (s, r, col) = (p / (rows * cols), p / cols % rows, p % cols);
                let adc = c.peds[p]
                    + bank_off[(s * rows + r) * 16 + col / (cols / 16)]
                    + col_off[(s * 2 + r / (rows / 2)) * cols + col]
                    + (rng.random::<f32>() * 8.0).round();
                let adc = adc.clamp(0.0, 16383.0) as u16;
                if rng.random_bool(pswitch) {
                    [0x4000, 0x8000, 0xc000][rng.random_range(0..3)]
                        | rng.random_range(0..0x4000u16)
                } else {
                    adc
                }
            })
            .collect();
        (c, raw)
    }

    fn assert_same(got: &[f32], want: &[f32], what: &str) {
        assert_eq!(got.len(), want.len());
        for (i, (g, w)) in got.iter().zip(want).enumerate() {
            assert!(
                g == w || (g.is_nan() && w.is_nan()),
                "{what}: pixel {i}: got {g} want {w}"
            );
        }
    }

    fn check(c: &Case, raw: &[u16], what: &str) {
        let mut cal = Calibrator::jungfrau(&c.constants()).unwrap();
        let mut out = vec![0f32; raw.len()];
        let bad = cal.calibrate(raw, &mut out).unwrap();
        assert_eq!(bad, raw.iter().filter(|&&r| r >> 14 == 2).count(), "{what}");
        assert_same(&out, &reference(c, raw), what);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn fast_path_equals_reference(
            seed in any::<u64>(),
            nsegs in 1usize..3,
            half_rows in 1usize..6,
            bw in 1usize..6,
            mode in 0u32..8,
            cormax in prop::sample::select(vec![0.5f64, 4.0, 15.0, 1e9]),
            npix_min in prop::sample::select(vec![-1.0f64, 0.0, 1.0, 2.0, 3.5, 7.0, 100.0]),
            cm_len in 3usize..5,
        ) {
            let cmps = [7.0, mode as f64, cormax, npix_min][..cm_len].to_vec();
            let (c, raw) = random_case(seed, nsegs, 2 * half_rows, 16 * bw, cmps);
            check(&c, &raw, &format!("seed {seed}"));
        }
    }

    #[test]
    fn full_size_panels_equal_reference() {
        for (k, cmps) in [
            vec![7.0, 1.0, 100.0, 0.0],
            vec![7.0, 7.0, 100.0, 10.0],
            vec![7.0, 2.0, 5.0, 3.0],
            vec![7.0, 4.0, 100.0, 16384.0],
            vec![],
        ]
        .into_iter()
        .enumerate()
        {
            let (c, raw) = random_case(100 + k as u64, 2, 512, 1024, cmps.clone());
            check(&c, &raw, &format!("512 x 1024, cmps {cmps:?}"));
        }
    }

    #[test]
    fn same_result_with_any_number_of_threads_and_in_batches() {
        let (c, raw1) = random_case(5, 3, 512, 1024, vec![7.0, 7.0, 50.0, 5.0]);
        let (_, raw2) = random_case(6, 3, 512, 1024, vec![]);
        let raw: Vec<u16> = raw1.iter().chain(&raw2).copied().collect();
        let run = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            pool.install(|| {
                let mut cal = Calibrator::jungfrau(&c.constants()).unwrap();
                let mut out = vec![0f32; raw.len()];
                cal.calibrate_batch(&raw, &mut out).unwrap();
                out
            })
        };
        let one = run(1);
        assert_same(&run(3), &one, "3 threads");
        assert_same(&run(8), &one, "8 threads");
        let n = raw1.len();
        assert_same(&one[..n], &reference(&c, &raw1), "first frame");
        assert_same(&one[n..], &reference(&c, &raw2), "second frame");
    }

    /// The default row common mode in batches goes half panel by half panel with the frames
    /// innermost; every frame must equal the reference, with any number of threads and frames.
    #[test]
    fn row_common_mode_batches_equal_the_reference_frame_by_frame() {
        let cmps = vec![7.0, 1.0, 100.0, 0.0];
        let (c, first) = random_case(21, 3, 512, 1024, cmps.clone());
        let mut frames = vec![first];
        for seed in 22..26 {
            frames.push(random_case(seed, 3, 512, 1024, cmps.clone()).1);
        }
        let want: Vec<Vec<f32>> = frames.iter().map(|r| reference(&c, r)).collect();
        for (threads, nframes) in [(1, 5), (2, 5), (3, 2), (8, 5), (16, 3)] {
            let raw: Vec<u16> = frames[..nframes].concat();
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let out = pool.install(|| {
                let mut cal = Calibrator::jungfrau(&c.constants()).unwrap();
                let mut out = vec![0f32; raw.len()];
                cal.calibrate_batch(&raw, &mut out).unwrap();
                out
            });
            let n = frames[0].len();
            for (k, w) in want[..nframes].iter().enumerate() {
                let what = format!("{threads} threads, frame {k} of {nframes}");
                assert_same(&out[k * n..(k + 1) * n], w, &what);
            }
        }
    }

    #[test]
    fn nan_pedestals_make_the_median_nan_which_is_not_applied() {
        let (mut c, raw) = random_case(9, 1, 4, 32, vec![7.0, 7.0, 100.0, 0.0]);
        c.status = None;
        c.extra = None;
        c.user = None;
        c.peds[5] = f32::NAN;
        c.peds[40] = f32::INFINITY;
        check(&c, &raw, "NaN and inf pedestals");
    }
}
