//! JUNGFRAU calibration throughput in panel-frames per second, for BENCHMARKS.md: the data of
//! the `jungfrau_calib` bench (random pedestals around 3000 ADU, gains around 40 ADU/keV,
//! offsets, 0.33% bad status, frames of gain-0 noise with 0.5% of pixels in gain 1 and 0.1% in
//! gain 2), `FRAMES` frames of `PANELS` panels, one frame per call.
//!
//!     cargo build --release -p detcal --example jungfrau_calib_rate
//!     /usr/bin/time -f "%e s wall, %U s user, %S s sys" \
//!         target/release/examples/jungfrau_calib_rate [CMPARS] [FRAMES] [PANELS] [BATCH]
//!
//! BATCH (default 1): frames per call of the calibrator (`calibrate_batch`, as `detcal calib`
//! calls it), each a different random frame.
//!
//! CMPARS: `default` (7,1,100,0), `off`, `rows-cols` (7,3,100,10) or `all` (7,7,100,10). The
//! wall time gives the rate on this machine; the CPU time /usr/bin/time reports gives the rate
//! per core (the measure to compare on a shared machine).

use detcal::calib::{Calibrator, Constants};
use ndarray::{Array, IxDyn};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let cm = match args.get(1).map(String::as_str) {
        Some("off") => vec![],
        Some("rows-cols") => vec![7.0, 3.0, 100.0, 10.0],
        Some("all") => vec![7.0, 7.0, 100.0, 10.0],
        _ => vec![7.0, 1.0, 100.0, 0.0],
    };
    let frames: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(100);
    let nsegs: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(8);
    let batch: usize = args.get(4).and_then(|s| s.parse().ok()).unwrap_or(1).max(1);
    let (rows, cols) = (512usize, 1024usize);
    let mut x = 12345u64;
    let mut rnd = move || {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (x >> 40) as f32 / (1u64 << 24) as f32
    };
    let shape = IxDyn(&[3, nsegs, rows, cols]);
    let peds = Array::from_shape_fn(shape.clone(), |_| 2800.0 + rnd() * 400.0);
    let gain = Array::from_shape_fn(shape.clone(), |_| 40.0 + rnd());
    let offs = Array::from_shape_fn(shape.clone(), |_| rnd() * 10.0);
    let status = Array::from_shape_fn(shape, |_| (rnd() < 0.0033) as u16);
    let consts = Constants {
        pedestals: Some(peds.into()),
        pixel_gain: Some(gain.into()),
        pixel_offset: Some(offs.into()),
        pixel_status: Some(status.into()),
        common_mode: Some(cm),
        ..Constants::default()
    };
    let mut cal = Calibrator::jungfrau(&consts).unwrap();
    let raw: Vec<u16> = (0..cal.frame_len() * batch)
        .map(|_| {
            let u = rnd();
            let adc = 2900 + (rnd() * 200.0) as u16;
            if u < 0.001 {
                adc | 0xc000
            } else if u < 0.006 {
                adc | 0x4000
            } else {
                adc
            }
        })
        .collect();
    let mut out = vec![0f32; raw.len()];
    cal.calibrate_batch(&raw, &mut out).unwrap();
    let frames = frames.div_ceil(batch) * batch;
    let cpu0 = cpu_seconds();
    let t = std::time::Instant::now();
    for _ in 0..frames / batch {
        cal.calibrate_batch(&raw, &mut out).unwrap();
    }
    let s = t.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu0;
    let pf = (frames * nsegs) as f64;
    let sum: f64 = out.iter().map(|&v| v as f64).sum();
    println!(
        "{pf} panel-frames in {s:.3} s: {:.0} panel-frames/s, {:.0} per CPU-second ({} threads, \
         {} path, {batch} per call; checksum {sum})",
        pf / s,
        pf / cpu,
        rayon::current_num_threads(),
        detcal::cpu::path_name()
    );
}

/// The CPU time (user and system) of this process so far, in seconds.
fn cpu_seconds() -> f64 {
    use nix::sys::resource::{UsageWho, getrusage};
    let u = getrusage(UsageWho::RUSAGE_SELF).expect("getrusage");
    let t = |v: nix::sys::time::TimeVal| v.tv_sec() as f64 + v.tv_usec() as f64 * 1e-6;
    t(u.user_time()) + t(u.system_time())
}
