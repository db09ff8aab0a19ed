//! Throughput of JUNGFRAU and ePix10ka `calibrate` in panel-frames per second.
//!
//! ePix10ka (`epix10ka_calib`): a quad, 7-range constants around 3000 ADU, 1% bad status, pixels
//! in auto high-to-low mode with 1% switched (bit 14), common mode off, default (7,2,10,10) and
//! all three (7,7,10,10).
//!
//! `cargo bench -p detcal --bench calib`. Data: random pedestals around 3000 ADU, gains around
//! 40 ADU/keV, offsets, a status map with 1% bad pixels, and raw frames of gain-0 noise around
//! the pedestals with 0.5% of pixels in gain 1 and 0.1% in gain 2.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use detcal::calib::{Calibrator, Constants};
use ndarray::{Array, IxDyn};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const ROWS: usize = 512;
const COLS: usize = 1024;

fn constants(nsegs: usize, cm: Vec<f64>, rng: &mut StdRng) -> Constants {
    let shape = IxDyn(&[3, nsegs, ROWS, COLS]);
    let peds = Array::from_shape_fn(shape.clone(), |_| 2800.0 + rng.random::<f32>() * 400.0);
    let gain = Array::from_shape_fn(shape.clone(), |_| 40.0 + rng.random::<f32>());
    let offs = Array::from_shape_fn(shape.clone(), |_| rng.random::<f32>() * 10.0);
    let status = Array::from_shape_fn(shape, |_| (rng.random::<f32>() < 0.0033) as u16);
    Constants {
        pedestals: Some(peds.into()),
        pixel_gain: Some(gain.into()),
        pixel_offset: Some(offs.into()),
        pixel_status: Some(status.into()),
        common_mode: Some(cm),
        ..Constants::default()
    }
}

fn frames(n: usize, rng: &mut StdRng) -> Vec<u16> {
    (0..n)
        .map(|_| {
            let x: f32 = rng.random();
            let adc = 2900 + (rng.random::<f32>() * 200.0) as u16;
            if x < 0.001 {
                adc | 0xc000
            } else if x < 0.006 {
                adc | 0x4000
            } else {
                adc
            }
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let mut rng = StdRng::seed_from_u64(7);
    let mut g = c.benchmark_group("jungfrau_calib");
    g.sample_size(20);
    let cases: &[(&str, usize, usize, Vec<f64>)] = &[
        ("default_cm_1seg", 1, 1, vec![7.0, 1.0, 100.0, 0.0]),
        ("default_cm_8seg", 8, 1, vec![7.0, 1.0, 100.0, 0.0]),
        ("default_cm_1seg_batch16", 1, 16, vec![7.0, 1.0, 100.0, 0.0]),
        ("no_cm_8seg", 8, 1, vec![]),
        ("cm_rows_cols_8seg", 8, 1, vec![7.0, 3.0, 100.0, 10.0]),
        ("cm_all_7_8seg", 8, 1, vec![7.0, 7.0, 100.0, 10.0]),
    ];
    for (name, nsegs, batch, cm) in cases {
        let mut cal = Calibrator::jungfrau(&constants(*nsegs, cm.clone(), &mut rng)).unwrap();
        let raw = frames(cal.frame_len() * batch, &mut rng);
        let mut out = vec![0f32; raw.len()];
        g.throughput(Throughput::Elements((nsegs * batch) as u64));
        g.bench_with_input(BenchmarkId::from_parameter(name), &(), |b, _| {
            b.iter(|| cal.calibrate_batch(&raw, &mut out).unwrap())
        });
    }
    g.finish();
}

fn bench_epix(c: &mut Criterion) {
    use detcal::detector::DetType;
    use detcal::detector::epix10ka::config_bits;
    let mut rng = StdRng::seed_from_u64(9);
    let mut g = c.benchmark_group("epix10ka_calib");
    g.sample_size(20);
    let (r, cols, nsegs, batch) = (352usize, 384usize, 4usize, 4usize);
    let shape = IxDyn(&[7, nsegs, r, cols]);
    let peds = Array::from_shape_fn(shape.clone(), |_| 2800.0 + rng.random::<f32>() * 400.0);
    let gain = Array::from_shape_fn(shape.clone(), |_| 16.0 + rng.random::<f32>());
    let status = Array::from_shape_fn(shape, |_| (rng.random::<f32>() < 0.002) as u16);
    let bits: Vec<Vec<u8>> = (0..nsegs)
        .map(|_| config_bits(&vec![0u8; r * cols], &[1; 4]).unwrap())
        .collect();
    let raw: Vec<u16> = (0..nsegs * batch * r * cols)
        .map(|_| {
            let adc = 2900 + (rng.random::<f32>() * 200.0) as u16;
            if rng.random::<f32>() < 0.01 {
                adc | 0x4000
            } else {
                adc
            }
        })
        .collect();
    let mut out = vec![0f32; raw.len()];
    for (name, cm) in [
        ("default_cm_quad", vec![7.0, 2.0, 10.0, 10.0]),
        ("no_cm_quad", vec![]),
        ("cm_all_7_quad", vec![7.0, 7.0, 10.0, 10.0]),
    ] {
        let consts = Constants {
            pedestals: Some(peds.clone().into()),
            pixel_gain: Some(gain.clone().into()),
            pixel_status: Some(status.clone().into()),
            common_mode: Some(cm),
            ..Constants::default()
        };
        let mut cal = Calibrator::epix10ka(DetType::Epix10kaQuad, &consts, nsegs).unwrap();
        cal.set_config_bits(&bits).unwrap();
        g.throughput(Throughput::Elements((nsegs * batch) as u64));
        g.bench_with_input(BenchmarkId::from_parameter(name), &(), |b, _| {
            b.iter(|| cal.calibrate_batch(&raw, &mut out).unwrap())
        });
    }
    g.finish();
}

criterion_group!(benches, bench, bench_epix);
criterion_main!(benches);
