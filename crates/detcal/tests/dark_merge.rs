//! Partial stage-2 accumulators merge into one pass, and the fast kernel equals the portable
//! one.

/// Named `dark::...` so that `cargo test -p detcal dark` selects these tests.
mod dark {
    use std::sync::Arc;

    use detcal::dark::{DarkParams, DarkProc, DarkResult, GainCheck, Gates, Kernel, Stage2};

    /// `nframes` frames of `npix` pixels: pedestals with noise, some out-of-range values and
    /// some frames with the wrong gain code; not a multiple of any tile or batch size.
    fn stack(npix: usize, nframes: usize, seed: u64) -> Vec<u16> {
        let mut s = seed | 1;
        let mut next = move || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s
        };
        let peds: Vec<u16> = (0..npix).map(|_| 1000 + (next() % 12000) as u16).collect();
        (0..nframes * npix)
            .map(|i| {
                let r = next();
                let v = match r % 200 {
                    0 => 0,
                    1 => 16383,
                    _ => peds[i % npix] + (r >> 20) as u16 % 30,
                };
                let gain = if (r >> 40) % 500 == 0 { 2 } else { 1 };
                (gain << 14) | v
            })
            .collect()
    }

    fn one_pass(frames: &[u16], npix: usize, p: &DarkParams, gain: GainCheck) -> DarkResult {
        let mut proc = DarkProc::new(npix, p.clone(), gain).unwrap();
        proc.push_frames(frames).unwrap();
        proc.finish().unwrap()
    }

    #[test]
    fn two_halves_merge_into_one_pass() {
        // More than one 4096-pixel tile and a partial one; 203 frames.
        let (npix, nf) = (9000, 203);
        let frames = stack(npix, nf, 7);
        let p = DarkParams::default();
        let gain = GainCheck::jungfrau(1).unwrap();
        let want = one_pass(&frames, npix, &p, gain);

        // Stage 1 on the first nrecs1 frames; two accumulators over [0, k) and [k, nf).
        let gates = Arc::new(Gates::from_frames(&p, npix, &frames[..50 * npix]).unwrap());
        assert_eq!(gates.lo(), &want.gate_lo[..]);
        assert_eq!(gates.hi(), &want.gate_hi[..]);
        for k in [1, 37, 50, 120, 202] {
            let mut a = Stage2::new(&p, gain, gates.clone()).unwrap();
            let mut b = Stage2::new(&p, gain, gates.clone()).unwrap();
            a.add_frames(&frames[..k * npix]).unwrap();
            b.add_frames(&frames[k * npix..]).unwrap();
            a.merge(&b).unwrap();
            assert_eq!(a.frames(), nf as u64);
            assert_eq!(a.finish().unwrap(), want, "split at {k}");
        }

        // The same with streaming processors: the first finds the gates, the second starts
        // from them, frames one at a time.
        let mut first = DarkProc::new(npix, p.clone(), gain).unwrap();
        first.push_frames(&frames[..120 * npix]).unwrap();
        let gates = first.gates().unwrap().clone();
        let mut second = DarkProc::with_gates(p.clone(), gain, gates).unwrap();
        for f in frames[120 * npix..].chunks(npix) {
            second.push_frame(f).unwrap();
        }
        first.merge(second).unwrap();
        assert_eq!(first.frames(), nf as u64);
        assert_eq!(first.finish().unwrap(), want);
    }

    #[test]
    fn merge_refuses_other_gates_parameters_or_missing_gates() {
        let (npix, nf) = (100, 60);
        let frames = stack(npix, nf, 3);
        let p = DarkParams::default();
        let g1 = Arc::new(Gates::from_frames(&p, npix, &frames[..50 * npix]).unwrap());
        let g2 = Arc::new(Gates::from_frames(&p, npix, &frames[10 * npix..]).unwrap());
        assert_ne!(g1, g2);
        let mut a = Stage2::new(&p, GainCheck::None, g1.clone()).unwrap();
        let b = Stage2::new(&p, GainCheck::None, g2).unwrap();
        let e = a.merge(&b).unwrap_err();
        assert!(
            matches!(&e, detcal::Error::BadArgument { arg: "other", .. }),
            "{e:?}"
        );
        assert!(e.to_string().contains("different gates"), "{e}");
        let q = DarkParams {
            fraclm: 0.2,
            ..p.clone()
        };
        let c = Stage2::new(&q, GainCheck::None, g1.clone()).unwrap();
        assert!(
            a.merge(&c)
                .unwrap_err()
                .to_string()
                .contains("different parameters")
        );
        // Equal gates held in different allocations do merge.
        let g1b = Arc::new((*g1).clone());
        let d = Stage2::new(&p, GainCheck::None, g1b).unwrap();
        a.merge(&d).unwrap();

        let mut x = DarkProc::new(npix, p.clone(), GainCheck::None).unwrap();
        let y = DarkProc::new(npix, p.clone(), GainCheck::None).unwrap();
        assert!(matches!(
            x.merge(y),
            Err(detcal::Error::BadArgument { arg: "other", .. })
        ));
        assert!(x.gates().is_none());
        assert!(matches!(
            Stage2::new(&p, GainCheck::None, g1).unwrap().finish(),
            Err(detcal::Error::Shape { what, found, .. }) if what == "frames" && found == [0]
        ));
    }

    #[test]
    fn fast_kernel_equals_portable_kernel() {
        for (npix, nf, gain) in [
            (512 * 64 + 17, 130, GainCheck::jungfrau(1).unwrap()),
            (4096 * 2, 77, GainCheck::None),
            (33, 51, GainCheck::jungfrau(2).unwrap()),
        ] {
            let frames = stack(npix, nf, npix as u64);
            for p in [
                DarkParams::default(),
                DarkParams {
                    data_bits: 0xffff,
                    int_hi: 70000.0,
                    ..DarkParams::default()
                },
                DarkParams {
                    fraclo: 0.5,
                    frachi: 0.5,
                    nrecs1: 60,
                    ..DarkParams::default()
                },
            ] {
                let mut results = vec![];
                for kernel in [Kernel::Auto, Kernel::Portable] {
                    let mut proc = DarkProc::new(npix, p.clone(), gain).unwrap();
                    proc.set_kernel(kernel);
                    for f in frames.chunks(npix * 9) {
                        proc.push_frames(f).unwrap();
                    }
                    results.push(proc.finish().unwrap());
                }
                assert_eq!(results[0], results[1], "npix {npix} {p:?}");
            }
        }
        eprintln!("kernel in use: {}", Kernel::Auto.name());
    }

    #[test]
    fn streams_many_more_frames_than_the_block() {
        // 3000 single frames through the 50-frame staging buffer, flushed 60 times.
        let (npix, nf) = (64, 3000);
        let frames = stack(npix, nf, 11);
        let p = DarkParams {
            nrecs: 10_000,
            ..DarkParams::default()
        };
        let mut proc = DarkProc::new(npix, p, GainCheck::jungfrau(1).unwrap()).unwrap();
        for f in frames.chunks(npix) {
            assert!(!proc.push_frame(f).unwrap());
        }
        let r = proc.finish().unwrap();
        assert_eq!((r.frames, r.counter), (3000, 2999));
        assert!(r.count.iter().all(|&c| c <= 3000));
    }
}
