//! The ePix10ka calibrator against an independent implementation written from the spec text
//! (epix10ka.md §2.2 and §6), bit for bit, on random frames and constants; and hand-computed
//! cases.

use ndarray::{ArrayD, IxDyn};

use crate::calib::{Calibrator, Constants};
use crate::detector::DetType;
use crate::detector::epix10ka::config_bits;
use crate::formats::array::NdArray;

const R: usize = 352;
const C: usize = 384;
const P: usize = R * C;

/// A small random generator (no crate needed).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u32 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) as u32
    }
    fn below(&mut self, n: u32) -> u32 {
        self.next() % n
    }
    fn f32(&mut self, lo: f32, hi: f32) -> f32 {
        lo + (hi - lo) * (self.next() as f32 / (1u64 << 31) as f32)
    }
}

/// The spec's rule table (§2.2), written out again: the range 0..6 of a control word, or None.
fn spec_range(cb: u8) -> Option<usize> {
    if cb & 28 == 28 {
        Some(0)
    } else if cb & 28 == 12 {
        Some(1)
    } else if cb & 12 == 8 {
        Some(2)
    } else if cb & 60 == 16 {
        Some(3)
    } else if cb & 60 == 0 {
        Some(4)
    } else if cb & 60 == 48 {
        Some(5)
    } else if cb & 60 == 32 {
        Some(6)
    } else {
        None
    }
}

/// The spec's quadrant table (§1): ASIC of (row, col).
fn spec_asic(r: usize, c: usize) -> usize {
    match (r >= 176, c >= 192) {
        (false, false) => 2,
        (false, true) => 1,
        (true, false) => 3,
        (true, true) => 0,
    }
}

/// The spec's ordinary float32 median.
fn spec_median(v: &mut [f32]) -> f32 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

struct Case {
    nsegs: usize,
    /// Per panel: pixel config (352 x 384) and trbits.
    config: Vec<(Vec<u8>, [u8; 4])>,
    peds: Option<Vec<f32>>,
    gains: Option<Vec<f32>>,
    status: Option<Vec<u16>>,
    extra: Option<Vec<u64>>,
    cmps: Vec<f64>,
}

/// `det.calib` of one frame, straight from §6.
fn reference(case: &Case, raw: &[u16]) -> Vec<f32> {
    let n = case.nsegs * P;
    let mut out = vec![0f32; n];
    for s in 0..case.nsegs {
        let (pc, tr) = &case.config[s];
        let mut v = vec![0f32; P];
        let mut fac = vec![1f32; P];
        let mut good = vec![false; P];
        let mut mask = vec![1u8; P];
        for p in 0..P {
            let g = s * P + p;
            let (r, c) = (p / C, p % C);
            let cb = (pc[p] & 12)
                | if tr[spec_asic(r, c)] != 0 { 16 } else { 0 }
                | (((raw[g] & 0x4000) >> 9) as u8);
            let range = spec_range(cb);
            let mut m = 1u8;
            for k in 0..5 {
                // pixel_status bits 0xffff: all bits of a u16.
                if let Some(st) = &case.status
                    && st[k * n + g] != 0
                {
                    m = 0;
                }
                if let Some(st) = &case.extra
                    && st[k * n + g] != 0
                {
                    m = 0;
                }
            }
            mask[p] = m;
            let (ped, f) = match (range, &case.peds) {
                (Some(k), Some(peds)) => {
                    let f = match &case.gains {
                        Some(gn) => {
                            let x = gn[k * n + g];
                            if x != 0.0 { 1.0 / x } else { 0.0 }
                        }
                        None => 1.0,
                    };
                    (peds[k * n + g], f)
                }
                _ => (0.0, 1.0),
            };
            v[p] = (raw[g] & 0x3fff) as f32 - ped;
            fac[p] = f;
            good[p] = matches!(range, Some(0 | 1 | 3 | 4)) && m == 1;
        }
        let mode = if case.cmps.len() > 1 {
            case.cmps[1] as i64
        } else {
            0
        };
        let cormax = case.cmps.get(2).copied().unwrap_or(0.0);
        let npix_min = case.cmps.get(3).copied().unwrap_or(10.0);
        let fix = |v: &mut [f32], idx: &[usize], enough: bool| {
            if !enough {
                return;
            }
            let mut vals: Vec<f32> = idx.iter().map(|&i| v[i]).collect();
            let cm = spec_median(&mut vals);
            if (cm as f64).abs() < cormax {
                for &i in idx {
                    v[i] -= cm;
                }
            }
        };
        if mode > 0 && mode & 4 != 0 {
            for h in 0..2 {
                for b in 0..8 {
                    let idx: Vec<usize> = (h * 176..(h + 1) * 176)
                        .flat_map(|r| (b * 48..(b + 1) * 48).map(move |c| r * C + c))
                        .filter(|&i| good[i])
                        .collect();
                    let ok = !idx.is_empty() && idx.len() as f64 >= npix_min;
                    fix(&mut v, &idx, ok);
                }
            }
        }
        if mode > 0 && mode & 1 != 0 {
            for r in 0..R {
                for b in 0..8 {
                    let idx: Vec<usize> = (b * 48..(b + 1) * 48)
                        .map(|c| r * C + c)
                        .filter(|&i| good[i])
                        .collect();
                    let ok = !idx.is_empty() && idx.len() as f64 > npix_min;
                    fix(&mut v, &idx, ok);
                }
            }
        }
        if mode > 0 && mode & 2 != 0 {
            for h in 0..2 {
                for c in 0..C {
                    let idx: Vec<usize> = (h * 176..(h + 1) * 176)
                        .map(|r| r * C + c)
                        .filter(|&i| good[i])
                        .collect();
                    let ok = !idx.is_empty() && idx.len() as f64 > npix_min;
                    fix(&mut v, &idx, ok);
                }
            }
        }
        for p in 0..P {
            out[s * P + p] = v[p] * fac[p] * mask[p] as f32;
        }
    }
    out
}

fn arr<T: Clone>(shape: &[usize], v: &[T]) -> ArrayD<T> {
    ArrayD::from_shape_vec(IxDyn(shape), v.to_vec()).unwrap()
}

fn constants(case: &Case) -> Constants {
    let sh = [7, case.nsegs, R, C];
    Constants {
        pedestals: case.peds.as_ref().map(|p| NdArray::F32(arr(&sh, p))),
        pixel_gain: case.gains.as_ref().map(|p| NdArray::F32(arr(&sh, p))),
        pixel_status: case.status.as_ref().map(|p| NdArray::U16(arr(&sh, p))),
        status_extra: case.extra.as_ref().map(|p| NdArray::U64(arr(&sh, p))),
        common_mode: Some(case.cmps.clone()),
        ..Constants::default()
    }
}

/// A random case: mixed pixel configs (fixed H/M/L, auto, no range) by ASIC, constants near
/// 1000-3000 ADU, a few zero gains, status bits in every range (5 and 6 must not mask).
fn random_case(r: &mut Lcg, nsegs: usize, cmps: &[f64], with: [bool; 4]) -> Case {
    let n = nsegs * P;
    let config = (0..nsegs)
        .map(|_| {
            let pc: Vec<u8> = (0..P)
                .map(|p| {
                    let (row, col) = (p / C, p % C);
                    let base = match spec_asic(row, col) {
                        0 => 12,
                        1 => 0,
                        2 => 8,
                        _ => 12,
                    };
                    // Test/mask bits (1, 2) are ignored; some pixels differ from their ASIC.
                    let v = match r.below(40) {
                        0 => 4,
                        1 => 8,
                        2 => 0,
                        _ => base,
                    };
                    v | r.below(4) as u8
                })
                .collect();
            let tr = [
                r.below(2) as u8,
                r.below(2) as u8,
                r.below(2) as u8,
                r.below(2) as u8,
            ];
            (pc, tr)
        })
        .collect();
    let peds: Vec<f32> = (0..7 * n).map(|_| r.f32(1000.0, 3000.0)).collect();
    let gains: Vec<f32> = (0..7 * n)
        .map(|_| {
            if r.below(500) == 0 {
                0.0
            } else {
                r.f32(0.1, 20.0)
            }
        })
        .collect();
    let status: Vec<u16> = (0..7 * n)
        .map(|_| {
            if r.below(300) == 0 {
                1 << r.below(16)
            } else {
                0
            }
        })
        .collect();
    let extra: Vec<u64> = (0..7 * n)
        .map(|_| {
            if r.below(1000) == 0 {
                1 << r.below(64)
            } else {
                0
            }
        })
        .collect();
    Case {
        nsegs,
        config,
        peds: with[0].then_some(peds),
        gains: with[1].then_some(gains),
        status: with[2].then_some(status),
        extra: with[3].then_some(extra),
        cmps: cmps.to_vec(),
    }
}

/// Frames near the pedestals of each pixel's range, with a common-mode shift per half-column
/// block (small and large), bit 14 set in some auto pixels, and a few extreme words.
fn random_frame(r: &mut Lcg, case: &Case) -> Vec<u16> {
    let n = case.nsegs * P;
    let shift: Vec<f32> = (0..case.nsegs * 2 * C)
        .map(|_| r.f32(-14.0, 14.0))
        .collect();
    (0..n)
        .map(|g| {
            let (s, p) = (g / P, g % P);
            let (row, col) = (p / C, p % C);
            // Rows where no pixel, every pixel, or one in ten has data bit 14 (the kernel
            // treats chunks of one bit value apart).
            let bit = match row % 3 {
                0 => 0,
                1 => 0x4000u16,
                _ if r.below(10) == 0 => 0x4000,
                _ => 0,
            };
            let (pc, tr) = &case.config[s];
            let cb = (pc[p] & 12) | if tr[spec_asic(row, col)] != 0 { 16 } else { 0 };
            let cb = cb | ((bit >> 9) as u8);
            let ped = match (spec_range(cb), &case.peds) {
                (Some(k), Some(peds)) => peds[k * n + g],
                _ => 2000.0,
            };
            let x = ped + shift[(s * 2 + row / 176) * C + col] + r.f32(-5.0, 5.0);
            let adc = match r.below(2000) {
                0 => 0,
                1 => 0x3fff,
                _ => x.round().clamp(0.0, 16383.0) as u16,
            };
            adc | bit | if r.below(50) == 0 { 0x8000 } else { 0 }
        })
        .collect()
}

fn calibrator(case: &Case) -> Calibrator {
    let mut cal =
        Calibrator::epix10ka(DetType::Epix10kaQuad, &constants(case), case.nsegs).unwrap();
    let bits: Vec<Vec<u8>> = case
        .config
        .iter()
        .map(|(pc, tr)| config_bits(pc, tr).unwrap())
        .collect();
    cal.set_config_bits(&bits).unwrap();
    cal
}

fn assert_bits_equal(got: &[f32], want: &[f32], what: &str) {
    let bad: Vec<usize> = (0..got.len())
        .filter(|&i| got[i].to_bits() != want[i].to_bits())
        .take(5)
        .collect();
    assert!(
        bad.is_empty(),
        "{what}: {} pixels differ, first {:?}",
        (0..got.len())
            .filter(|&i| got[i].to_bits() != want[i].to_bits())
            .count(),
        bad.iter()
            .map(|&i| (i, got[i], want[i]))
            .collect::<Vec<_>>()
    );
}

#[test]
fn matches_the_spec_on_random_frames_and_constants() {
    let mut r = Lcg(11);
    let all = [true; 4];
    let cases: Vec<(Vec<f64>, [bool; 4])> = vec![
        (vec![7.0, 2.0, 10.0, 10.0], all),
        (vec![7.0, 7.0, 10.0, 10.0], all),
        (vec![7.0, 1.0, 100.0, 5.0], all),
        (vec![7.0, 4.0, 8.0, 1000.0], all),
        (vec![7.0, 5.0, 12.0], all),
        (vec![7.0, 6.0, 10.0, 150.0], all),
        (vec![7.0, 0.0, 10.0, 10.0], all),
        (vec![7.0, 2.0, 10.0, 10.0], [true, false, false, false]),
        (vec![7.0, 2.0, 10.0, 10.0], [false, true, true, false]),
        (vec![7.0, 3.0, 10.0, 0.0], [true, true, false, true]),
    ];
    for (k, (cmps, with)) in cases.iter().enumerate() {
        let case = random_case(&mut r, 2, cmps, *with);
        let mut cal = calibrator(&case);
        let frames: Vec<Vec<u16>> = (0..2).map(|_| random_frame(&mut r, &case)).collect();
        let raw = frames.concat();
        let mut out = vec![0f32; raw.len()];
        cal.calibrate_batch(&raw, &mut out).unwrap();
        for (f, frame) in frames.iter().enumerate() {
            let want = reference(&case, frame);
            assert_bits_equal(
                &out[f * 2 * P..(f + 1) * 2 * P],
                &want,
                &format!("case {k} {cmps:?} frame {f}"),
            );
        }
        // One frame at a time, and both code paths, give the same bits.
        for portable in [true, false] {
            crate::cpu::force_portable(portable);
            let mut one = vec![0f32; 2 * P];
            cal.calibrate(&frames[1], &mut one).unwrap();
            crate::cpu::force_portable(false);
            assert_bits_equal(
                &one,
                &out[2 * P..],
                &format!("case {k} portable={portable}"),
            );
        }
    }
}

/// One panel, common mode off, values worked out by hand.
#[test]
fn hand_computed_pixels() {
    let mut pc = vec![12u8; P];
    // Pixel 0 (ASIC 2, trbit 1): FH; pixel 1: auto with trbit 1; pixel 2: g=1 ga=0, no range;
    // pixel 3: FL.
    pc[1] = 0;
    pc[2] = 4;
    pc[3] = 8;
    let mut peds = vec![0f32; 7 * P];
    let mut gains = vec![1f32; 7 * P];
    let mut status = vec![0u16; 7 * P];
    peds[0] = 2990.0; // FH
    gains[0] = 16.4;
    peds[3 * P + 1] = 1500.0; // AHL-H
    gains[3 * P + 1] = 16.4;
    peds[5 * P + 1] = 100.25; // AHL-L
    gains[5 * P + 1] = 0.164;
    peds[2 * P + 3] = 50.0; // FL
    gains[2 * P + 3] = 0.0; // factor 0
    status[6 * P + 4] = 1; // range 6 does not mask
    status[2 * P + 5] = 0x100; // range 2 masks pixel 5 (FH there) anyway
    let case = Case {
        nsegs: 1,
        config: vec![(pc, [1, 1, 1, 1])],
        peds: Some(peds),
        gains: Some(gains),
        status: Some(status),
        extra: None,
        cmps: vec![7.0, 0.0, 0.0],
    };
    let mut cal = Calibrator::new(DetType::Epix10ka, &{
        let mut c = constants(&case);
        // A single panel's constants may come as (7, 352, 384).
        c.pedestals = c.pedestals.map(|a| a.reshape(&[7, R, C]).unwrap());
        c
    })
    .unwrap();
    assert!(cal.needs_config());
    let mut raw = vec![0u16; P];
    let mut out = vec![0f32; P];
    assert!(
        cal.calibrate(&raw, &mut out).is_err(),
        "needs the config first"
    );
    cal.set_config_bits(&[config_bits(&case.config[0].0, &case.config[0].1).unwrap()])
        .unwrap();
    raw[0] = 0x4000 | 3000; // fixed mode: bit 14 ignored
    raw[1] = 0x4000 | 200; // switched: AHL-L
    raw[2] = 0x8000 | 1234; // no range: ped 0, factor 1, bit 15 dropped
    raw[3] = 0x4000 | 60; // FL, gain 0 -> factor 0
    raw[4] = 77;
    raw[5] = 3000;
    cal.calibrate(&raw, &mut out).unwrap();
    assert_eq!(out[0], 10.0f32 * (1.0f32 / 16.4f32));
    assert!((out[0] - 0.609_756).abs() < 1e-6);
    assert_eq!(out[1], (200.0f32 - 100.25) * (1.0f32 / 0.164f32));
    assert_eq!(out[2], 1234.0);
    assert_eq!(out[3], 0.0);
    assert_eq!(out[4], 77.0);
    assert_eq!(out[5], 0.0);
    assert_eq!(cal.mask().iter().filter(|&&m| m == 0).count(), 1);
    // Raw 1 without bit 14 is AHL-H.
    raw[1] = 1510;
    cal.calibrate(&raw, &mut out).unwrap();
    assert_eq!(out[1], 10.0f32 * (1.0f32 / 16.4f32));
}

/// Default common mode (7, 2, 10, 10) on one column of a half panel, by hand; no pedestals
/// (psana: pedestal 0 and factor 1 everywhere).
#[test]
fn column_common_mode_by_hand() {
    let pc = vec![12u8; P]; // FH/FM everywhere: all good
    let consts = Constants::default();
    let mut cal = Calibrator::epix10ka(DetType::Epix10ka, &consts, 1).unwrap();
    assert!(Calibrator::new(DetType::Epix10ka, &consts).is_err());
    cal.set_config_bits(&[config_bits(&pc, &[0; 4]).unwrap()])
        .unwrap();
    let mut raw = vec![100u16; P];
    // Every other column has median 100, not below cormax 10: not corrected. Column 5 of the
    // top half holds 3 + row % 4 (44 each of 3, 4, 5, 6).
    for row in 0..176 {
        raw[row * C + 5] = 3 + (row % 4) as u16;
    }
    // Column 6 of the bottom half: 20 (out of cormax): unchanged.
    for row in 176..352 {
        raw[row * C + 6] = 20;
    }
    let mut out = vec![0f32; P];
    cal.calibrate(&raw, &mut out).unwrap();
    // Column 5: values 3..6, median (4 + 5) / 2 = 4.5, subtracted.
    assert_eq!(out[5], 3.0 - 4.5);
    assert_eq!(out[3 * C + 5], 6.0 - 4.5);
    assert_eq!(out[200 * C + 5], 100.0);
    assert_eq!(out[200 * C + 6], 20.0);
    assert_eq!(out[7], 100.0);
    assert_eq!(cal.common_mode().unwrap().mode, 2);
    // With only 10 good pixels in a column (more than 10 needed), no correction.
    let mut pc2 = vec![8u8; P]; // FL: never used for common mode
    for row in 0..10 {
        pc2[row * C + 5] = 12;
    }
    cal.set_config_bits(&[config_bits(&pc2, &[0; 4]).unwrap()])
        .unwrap();
    cal.calibrate(&raw, &mut out).unwrap();
    assert_eq!(out[5], 3.0);
    pc2[10 * C + 5] = 12;
    cal.set_config_bits(&[config_bits(&pc2, &[0; 4]).unwrap()])
        .unwrap();
    cal.calibrate(&raw, &mut out).unwrap();
    // 11 values 3,4,5,6,3,...: sorted middle (6th) value.
    let mut v: Vec<f32> = (0..11).map(|r| 3.0 + (r % 4) as f32).collect();
    let m = spec_median(&mut v);
    assert_eq!(out[5], 3.0 - m);
    assert_eq!(out[11 * C + 5], 6.0, "FL pixel not corrected");
}
