//! Property test: the engine against a plain reference implementation written here from the
//! description of psana's algorithm: f64 arithmetic, one pixel at a time, sort-based
//! quantiles, float gates as psana keeps them, naive loops, numpy's pairwise sum for the limits.

/// Named `dark::...` so that `cargo test -p detcal dark` selects these tests.
mod dark {
    use detcal::dark::{DarkParams, DarkProc, DarkResult, GainCheck, Kernel};
    use proptest::prelude::*;

    /// What the reference computes.
    #[derive(Debug)]
    struct Reference {
        ave: Vec<f64>,
        rms: Vec<f64>,
        status: Vec<u64>,
        min: Vec<u16>,
        max: Vec<u16>,
        gate_lo: Vec<u16>,
        gate_hi: Vec<u16>,
        count: Vec<u64>,
        count_lo: Vec<u64>,
        count_hi: Vec<u64>,
        bad: Vec<u8>,
        frames: u64,
        nevlm: i64,
        limits: [f64; 4],
    }

    /// numpy's pairwise summation (`loops_utils.h.src`), on a slice.
    fn numpy_sum(a: &[f64]) -> f64 {
        let n = a.len();
        if n < 8 {
            let mut s = 0.0;
            for x in a {
                s += x;
            }
            s
        } else if n <= 128 {
            let mut r = [0.0; 8];
            r.copy_from_slice(&a[..8]);
            let mut i = 8;
            while i < n - n % 8 {
                for j in 0..8 {
                    r[j] += a[i + j];
                }
                i += 8;
            }
            let mut s = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
            for x in &a[i..] {
                s += x;
            }
            s
        } else {
            let n2 = n / 2 - (n / 2) % 8;
            numpy_sum(&a[..n2]) + numpy_sum(&a[n2..])
        }
    }

    /// psana's `evaluate_limits` with numpy's mean/std and Python's max/min.
    fn limits(a: &[f64], nneg: f64, npos: f64, lim_lo: f64, lim_hi: f64) -> (f64, f64) {
        let n = a.len() as f64;
        let mean = numpy_sum(a) / n;
        let sq: Vec<f64> = a.iter().map(|x| (x - mean) * (x - mean)).collect();
        let std = (numpy_sum(&sq) / n).sqrt();
        let lo = if nneg > 0.0 {
            mean - nneg * std
        } else {
            lim_lo
        };
        let hi = if npos > 0.0 {
            mean + npos * std
        } else {
            lim_hi
        };
        let lo = if lim_lo > lo { lim_lo } else { lo };
        let hi = if lim_hi < hi { lim_hi } else { hi };
        (lo, hi)
    }

    /// The reference: `frames[f][p]`, all frames offered (the first `nrecs` are taken).
    fn reference(frames: &[Vec<u16>], p: &DarkParams, gain: Option<u16>) -> Option<Reference> {
        let nf = frames.len().min(p.nrecs);
        if nf < 3 {
            return None;
        }
        let frames = &frames[..nf];
        let npix = frames[0].len();
        let n1 = nf.min(p.nrecs1);
        let mut r = Reference {
            ave: vec![],
            rms: vec![],
            status: vec![],
            min: vec![],
            max: vec![],
            gate_lo: vec![],
            gate_hi: vec![],
            count: vec![],
            count_lo: vec![],
            count_hi: vec![],
            bad: vec![],
            frames: nf as u64,
            nevlm: (p.fraclm * (nf - 1) as f64) as i64,
            limits: [0.0; 4],
        };
        for px in 0..npix {
            // Stage 1: numpy "lower"/"higher" quantiles of the first n1 masked values.
            let mut block: Vec<u16> = frames[..n1].iter().map(|f| f[px] & p.data_bits).collect();
            block.sort();
            let last = (n1 - 1) as f64;
            let ilo = (p.fraclo * last).floor() as usize;
            let ihi = ((p.frachi * last).ceil() as usize).min(n1 - 1);
            let (qlo, qhi) = (f64::from(block[ilo]), f64::from(block[ihi]));
            let mut glo = (if p.int_lo > qlo.floor() {
                p.int_lo
            } else {
                qlo.floor()
            }) as u16;
            let mut ghi = (if p.int_hi < qhi.ceil() {
                p.int_hi
            } else {
                qhi.ceil()
            }) as u16;
            if ghi <= glo {
                ghi = ghi.wrapping_add(1);
            }
            let _ = &mut glo;
            // Stage 2 compares against float gates.
            let gate_lo = if p.int_lo > f64::from(glo) {
                p.int_lo
            } else {
                f64::from(glo)
            };
            let gate_hi = if p.int_hi < f64::from(ghi) {
                p.int_hi
            } else {
                f64::from(ghi)
            };
            let (mut n, mut s1, mut s2) = (0u64, 0.0f64, 0.0f64);
            let (mut clo, mut chi, mut mn, mut mx, mut bad) = (0u64, 0u64, 0xffffu16, 0u16, 0u8);
            for f in frames {
                let raw = f[px];
                let v = raw & p.data_bits;
                let x = f64::from(v);
                if gate_lo <= x && x <= gate_hi {
                    n += 1;
                    s1 += x;
                    s2 += x * x;
                }
                if x < p.int_lo {
                    clo += 1;
                }
                if x > p.int_hi {
                    chi += 1;
                }
                mn = mn.min(v);
                mx = mx.max(v);
                if gain.is_some_and(|code| raw >> 14 != code) {
                    bad = 1;
                }
            }
            let (ave, av2) = if n == 0 {
                (0.0, 0.0)
            } else {
                (s1 / n as f64, s2 / n as f64)
            };
            r.ave.push(ave);
            r.rms.push((av2 - ave * ave).sqrt());
            r.gate_lo.push(gate_lo.ceil() as u16);
            r.gate_hi.push(gate_hi.floor() as u16);
            r.count.push(n);
            r.count_lo.push(clo);
            r.count_hi.push(chi);
            r.min.push(mn);
            r.max.push(mx);
            r.bad.push(bad);
        }
        let (rlo, rhi) = limits(&r.rms, p.rmsnlo, p.rmsnhi, p.rms_lo, p.rms_hi);
        let (alo, ahi) = limits(&r.ave, p.intnlo, p.intnhi, p.int_lo, p.int_hi);
        r.limits = [rlo, rhi, alo, ahi];
        for px in 0..npix {
            let mut s = 0;
            if r.rms[px] > rhi {
                s += 1;
            }
            if r.rms[px] < rlo {
                s += 2;
            }
            if r.count_hi[px] as i64 > r.nevlm {
                s += 4;
            }
            if r.count_lo[px] as i64 > r.nevlm {
                s += 8;
            }
            if r.ave[px] > ahi {
                s += 16;
            }
            if r.ave[px] < alo {
                s += 32;
            }
            if r.bad[px] == 1 {
                s += 64;
            }
            r.status.push(s);
        }
        Some(r)
    }

    fn same_f64(a: &[f64], b: &[f64]) -> bool {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
    }

    fn check(r: &DarkResult, want: &Reference) -> Result<(), TestCaseError> {
        prop_assert_eq!(&r.gate_lo, &want.gate_lo);
        prop_assert_eq!(&r.gate_hi, &want.gate_hi);
        prop_assert_eq!(&r.count, &want.count);
        prop_assert_eq!(&r.count_lo, &want.count_lo);
        prop_assert_eq!(&r.count_hi, &want.count_hi);
        prop_assert_eq!(&r.min, &want.min);
        prop_assert_eq!(&r.max, &want.max);
        prop_assert_eq!(&r.bad_switch, &want.bad);
        prop_assert!(
            same_f64(&r.ave, &want.ave),
            "ave {:?} vs {:?}",
            r.ave,
            want.ave
        );
        prop_assert!(
            same_f64(&r.rms, &want.rms),
            "rms {:?} vs {:?}",
            r.rms,
            want.rms
        );
        let l = [
            r.limits.rms_lo,
            r.limits.rms_hi,
            r.limits.ave_lo,
            r.limits.ave_hi,
        ];
        prop_assert!(
            same_f64(&l, &want.limits),
            "limits {:?} vs {:?}",
            l,
            want.limits
        );
        prop_assert_eq!(&r.status, &want.status);
        prop_assert_eq!(r.frames, want.frames);
        prop_assert_eq!(r.counter, want.frames - 1);
        prop_assert_eq!(r.nevlm, want.nevlm);
        let counts: Vec<u64> = (0..7)
            .map(|b| want.status.iter().filter(|&&s| s >> b & 1 == 1).count() as u64)
            .collect();
        prop_assert_eq!(r.bit_counts.to_vec(), counts);
        Ok(())
    }

    /// A stack of raw frames: per-pixel pedestals with noise, and special values sprinkled in
    /// (0, the limits, 16383, words with other gain bits).
    fn stack() -> impl Strategy<Value = (Vec<Vec<u16>>, u16)> {
        (
            1usize..600,
            0usize..75,
            any::<u64>(),
            prop_oneof![Just(0u16), Just(1), Just(3)],
        )
            .prop_map(|(npix, nframes, seed, code)| {
                let mut s = seed | 1;
                let mut next = move || {
                    s ^= s << 13;
                    s ^= s >> 7;
                    s ^= s << 17;
                    s
                };
                let peds: Vec<u16> = (0..npix).map(|_| (next() % 16384) as u16).collect();
                let noise: Vec<u16> = (0..npix).map(|_| 1 + (next() % 40) as u16).collect();
                let frames = (0..nframes)
                    .map(|_| {
                        (0..npix)
                            .map(|p| {
                                let r = next();
                                let v = match r % 50 {
                                    0 => 0,
                                    1 => 1,
                                    2 => 16000,
                                    3 => 16383,
                                    4 => (r >> 8) as u16 % 16384,
                                    _ => (peds[p] + (r >> 16) as u16 % noise[p]).min(16383),
                                };
                                let gain = if (r >> 40) % 97 == 0 {
                                    (r >> 50) as u16 % 4
                                } else {
                                    code
                                };
                                (gain << 14) | v
                            })
                            .collect()
                    })
                    .collect();
                (frames, code)
            })
    }

    fn params() -> impl Strategy<Value = DarkParams> {
        let ints = (
            3usize..90,
            1usize..70,
            prop_oneof![Just(1.0), 0.0..40.0f64],
            15000.0..17000.0f64,
        );
        let limits = (0.0..0.5f64, prop_oneof![Just(16000.0), 1.0..60.0f64]);
        let sigmas = (-1.0..8.0f64, -1.0..8.0f64, -1.0..8.0f64, -1.0..8.0f64);
        let fracs = (0.0..0.5f64, 0.0..=1.0f64, 0.0..=1.0f64);
        let bits = prop_oneof![Just(0x3fffu16), Just(0xffff), Just(0x0fff)];
        (ints, limits, sigmas, fracs, bits).prop_map(
            |(
                (nrecs, nrecs1, int_lo, int_hi),
                (rms_lo, rms_hi),
                (a, b, c, d),
                (fraclm, lo, hi),
                bits,
            )| {
                DarkParams {
                    nrecs,
                    nrecs1,
                    int_lo,
                    int_hi,
                    rms_lo,
                    rms_hi,
                    intnlo: a,
                    intnhi: b,
                    rmsnlo: c,
                    rmsnhi: d,
                    fraclm,
                    fraclo: lo,
                    frachi: hi,
                    data_bits: bits,
                }
            },
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        #[test]
        fn engine_equals_reference(
            (frames, code) in stack(),
            p in params(),
            check_gain in any::<bool>(),
            chunks in proptest::collection::vec(1usize..40, 1..8),
            portable in any::<bool>(),
        ) {
            let npix = frames.first().map_or(1, |f| f.len());
            let gain = if check_gain {
                GainCheck::Jungfrau { expected_code: code }
            } else {
                GainCheck::None
            };
            let mut proc = DarkProc::new(npix, p.clone(), gain).unwrap();
            proc.set_kernel(if portable { Kernel::Portable } else { Kernel::Auto });
            // Feed in chunks of varying sizes (one frame at a time for 1, by push_frame or
            // frame_slot): staged and direct.
            let flat: Vec<u16> = frames.concat();
            let mut at = 0;
            let mut i = 0;
            while at < frames.len() {
                let k = chunks[i % chunks.len()].min(frames.len() - at);
                let part = &flat[at * npix..(at + k) * npix];
                let done = match (k, i % 2) {
                    (1, 0) => proc.push_frame(part).unwrap(),
                    (1, _) => {
                        proc.frame_slot().copy_from_slice(part);
                        proc.commit_frame()
                    }
                    _ => proc.push_frames(part).unwrap(),
                };
                prop_assert_eq!(done, (at + k).min(frames.len()) >= p.nrecs);
                at += k;
                i += 1;
            }
            let want = reference(&frames, &p, gain.expected_code());
            match (proc.finish(), want) {
                (Ok(r), Some(want)) => check(&r, &want)?,
                (Err(e), None) => prop_assert!(e.to_string().contains("at least 3 frames")),
                (got, want) => prop_assert!(false, "engine {:?} vs reference {:?}", got.map(|r| r.frames), want.map(|w| w.frames)),
            }
        }
    }

    /// Quantile indices deep inside a long block use the fallback selection; check it too.
    #[test]
    fn deep_quantiles_equal_reference() {
        let npix = 300;
        let nf = 90;
        let frames: Vec<Vec<u16>> = (0..nf)
            .map(|f| {
                (0..npix)
                    .map(|p| ((p * 7919 + f * 104_729) % 1000) as u16 + 2000)
                    .collect()
            })
            .collect();
        for (fraclo, frachi) in [
            (0.5, 0.5),
            (0.3, 0.6),
            (0.05, 0.95),
            (0.0, 1.0),
            (0.26, 0.74),
        ] {
            let p = DarkParams {
                nrecs: 100,
                nrecs1: 80,
                fraclo,
                frachi,
                ..DarkParams::default()
            };
            for kernel in [Kernel::Auto, Kernel::Portable] {
                let mut proc = DarkProc::new(npix, p.clone(), GainCheck::None).unwrap();
                proc.set_kernel(kernel);
                proc.push_frames(&frames.concat()).unwrap();
                let r = proc.finish().unwrap();
                let want = reference(&frames, &p, None).unwrap();
                check(&r, &want).unwrap();
            }
        }
    }
}
