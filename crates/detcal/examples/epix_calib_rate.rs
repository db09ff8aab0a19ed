//! ePix10ka calibration throughput in panel-frames per second, for BENCHMARKS.md: the data of
//! the `epix10ka_calib` bench (a quad in auto high-to-low mode, 1% switched pixels, 7-range
//! constants, 0.2% bad status), `FRAMES` quad frames calibrated in batches of 4.
//!
//!     /usr/bin/time -f "%e s wall, %U s user, %S s sys" \
//!         cargo run --release -p detcal --example epix_calib_rate -- [CMPARS] [FRAMES]
//!
//! CMPARS: `default` (7,2,10,10), `off`, or `all` (7,7,10,10). Wall time and the CPU time
//! /usr/bin/time reports give the rate on this machine and the rate per core.
//!
//! With a third argument DIR, the constants and frames come from `DIR/pedestals.npy`,
//! `DIR/gain.npy`, `DIR/status.npy` (7, 4, 352, 384) and `DIR/raw.npy` (N, 4, 352, 384) instead,
//! the frames taken 4 at a time in turn: the data `python/examples/bench_epix10ka_psana2.py`
//! gives psana2, for the two rates on the same stacks.

use detcal::calib::{Calibrator, Constants};
use detcal::detector::DetType;
use detcal::detector::epix10ka::config_bits;
use ndarray::{Array, IxDyn};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let cm = match args.get(1).map(String::as_str) {
        Some("off") => vec![],
        Some("all") => vec![7.0, 7.0, 10.0, 10.0],
        _ => vec![7.0, 2.0, 10.0, 10.0],
    };
    let frames: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(2000);
    let (r, c, nsegs, batch) = (352usize, 384usize, 4usize, 4usize);
    let mut x = 12345u64;
    let mut rnd = move || {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (x >> 40) as f32 / (1u64 << 24) as f32
    };
    let dir = args.get(3).map(std::path::PathBuf::from);
    let read = |name: &str| {
        let path = dir.as_ref().expect("DIR").join(name);
        detcal::formats::npy::read_npy(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    };
    let shape = IxDyn(&[7, nsegs, r, c]);
    let consts = if dir.is_some() {
        Constants {
            pedestals: Some(read("pedestals.npy")),
            pixel_gain: Some(read("gain.npy")),
            pixel_status: Some(read("status.npy")),
            common_mode: Some(cm),
            ..Constants::default()
        }
    } else {
        let peds = Array::from_shape_fn(shape.clone(), |_| 2800.0 + rnd() * 400.0);
        let gain = Array::from_shape_fn(shape.clone(), |_| 16.0 + rnd());
        let status = Array::from_shape_fn(shape, |_| (rnd() < 0.002) as u16);
        Constants {
            pedestals: Some(peds.into()),
            pixel_gain: Some(gain.into()),
            pixel_status: Some(status.into()),
            common_mode: Some(cm),
            ..Constants::default()
        }
    };
    let mut cal = Calibrator::epix10ka(DetType::Epix10kaQuad, &consts, nsegs).unwrap();
    let bits: Vec<Vec<u8>> = (0..nsegs)
        .map(|_| config_bits(&vec![0u8; r * c], &[1; 4]).unwrap())
        .collect();
    cal.set_config_bits(&bits).unwrap();
    let unit = nsegs * batch * r * c;
    let raw: Vec<u16> = if dir.is_some() {
        let detcal::NdArray::U16(a) = read("raw.npy") else {
            panic!("raw.npy: not uint16");
        };
        let v: Vec<u16> = a.iter().copied().collect();
        assert!(
            v.len() >= unit && v.len().is_multiple_of(unit),
            "raw.npy: whole batches of 4 quad frames"
        );
        v
    } else {
        (0..unit)
            .map(|_| {
                let adc = 2900 + (rnd() * 200.0) as u16;
                if rnd() < 0.01 { adc | 0x4000 } else { adc }
            })
            .collect()
    };
    let mut out = vec![0f32; unit];
    cal.calibrate_batch(&raw[..unit], &mut out).unwrap();
    let t = std::time::Instant::now();
    let calls = frames.div_ceil(batch);
    for (_, b) in (0..calls).zip(raw.chunks(unit).cycle()) {
        cal.calibrate_batch(b, &mut out).unwrap();
    }
    let s = t.elapsed().as_secs_f64();
    let pf = (calls * batch * nsegs) as f64;
    println!(
        "{} panel-frames in {s:.3} s: {:.0} panel-frames/s ({} threads)",
        pf,
        pf / s,
        rayon::current_num_threads()
    );
}
