//! Throughput of the single-gain common-mode algorithms (`detcal::calib::cm`) in frames per
//! second: pnCCD algorithms 3 (default) and 8 (`8,5,30` with a mask), ePix100a algorithms 4
//! (default) and 6, CSPAD algorithm 1 (default).
//!
//! `cargo bench -p detcal --bench common_mode`. Data: `raw - pedestals` values of noise within
//! +-8 ADU plus an offset per 128 pixels, 1% of the pixels bad in the status / mask, rms 2.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use detcal::NdArray;
use detcal::calib::cm::{CmInputs, SingleGainCm};
use detcal::detector::DetType;
use ndarray::{ArrayD, IxDyn};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// A case: its name, the detector type, the frame shape and the parameters (`None`: default).
type Case<'a> = (&'a str, DetType, &'a [usize], Option<&'a [f64]>);

fn bench(c: &mut Criterion) {
    let mut rng = StdRng::seed_from_u64(13);
    let mut g = c.benchmark_group("single_gain_common_mode");
    g.sample_size(10);
    let cases: &[Case] = &[
        ("pnccd_alg3_default", DetType::Pnccd, &[4, 512, 512], None),
        (
            "pnccd_alg8_5_30_mask",
            DetType::Pnccd,
            &[4, 512, 512],
            Some(&[8.0, 5.0, 30.0]),
        ),
        (
            "epix100a_alg4_default",
            DetType::Epix100a,
            &[704, 768],
            None,
        ),
        (
            "epix100a_alg6",
            DetType::Epix100a,
            &[704, 768],
            Some(&[6.0]),
        ),
        ("cspad_alg1_default", DetType::Cspad, &[32, 185, 388], None),
    ];
    for (name, det, shape, cmpars) in cases {
        let n: usize = shape.iter().product();
        let bad = ArrayD::from_shape_fn(IxDyn(shape), |_| rng.random::<f32>() < 0.01);
        let status = NdArray::U16(bad.mapv(|b| b as u16));
        let mask = NdArray::U8(bad.mapv(|b| !b as u8));
        let rms = NdArray::F32(ArrayD::from_elem(IxDyn(shape), 2.0));
        let cm = SingleGainCm::new(
            *det,
            *cmpars,
            shape,
            CmInputs {
                status: Some(&status),
                rms: Some(&rms),
                mask: Some(&mask),
            },
        )
        .unwrap()
        .unwrap();
        let frames = 4;
        let data: Vec<f32> = (0..frames * n)
            .map(|k| ((k / 128) % 7) as f32 + rng.random::<f32>() * 16.0 - 8.0)
            .collect();
        let mut work = data.clone();
        g.throughput(Throughput::Elements(frames as u64));
        g.bench_function(BenchmarkId::from_parameter(name), |b| {
            b.iter(|| {
                work.copy_from_slice(&data);
                cm.apply(&mut work).unwrap();
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
