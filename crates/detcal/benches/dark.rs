//! Dark processing throughput: the whole `DarkProc` (stage 1, stage 2 and the summary) over a
//! 1000-frame JUNGFRAU step with the gain check on, for 1 and 8 panels of 512 x 1024 pixels,
//! in panel-frames per second.
//!
//! The frames are synthetic and held in memory: pedestals around 3000 ADU with a few ADU of
//! noise and gain bits 00. To keep the memory at about 1 GiB for 8 panels too, the frames
//! come from a pool of 1 GiB of distinct frames taken in turn (1000 distinct frames for 1
//! panel, 128 for 8 panels), which still streams every frame from memory, as a reader would.
//!
//! `cargo bench -p detcal --bench dark`
//!
//! On a shared machine wall times mislead: `DARK_STEPS=N cargo bench -p detcal --bench dark`
//! runs N steps of the 1-panel cases instead of criterion and prints the CPU time (user +
//! system, all threads) per step. `DARK_NPIX=8192 DARK_POOL=64` there makes the frames small
//! (8192 pixels, a pool of 64 frames: 1 MiB, held in the cache; as many steps as make up the
//! pixels of the panel case), which measures the CPU work without the memory's.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use detcal::dark::{DarkParams, DarkProc, GainCheck, Kernel};

const PANEL: usize = 512 * 1024;
const FRAMES: usize = 1000;
const POOL_BYTES: usize = 1 << 30;

/// A small fast generator (xorshift64*), enough for noise.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

/// `nframes` frames of `npix` pixels: per-pixel pedestal 2500..3500, noise of about +-8 ADU
/// (a sum of 4 uniform values), gain bits 00.
fn pool(npix: usize, nframes: usize) -> Vec<u16> {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let peds: Vec<u16> = (0..npix)
        .map(|_| 2500 + (rng.next() % 1000) as u16)
        .collect();
    let mut out = vec![0u16; npix * nframes];
    for frame in out.chunks_mut(npix) {
        for (x, &p) in frame.iter_mut().zip(&peds) {
            let r = rng.next();
            let noise: u16 = (0..4).map(|k| ((r >> (16 * k)) & 7) as u16).sum();
            *x = p + noise - 14;
        }
    }
    out
}

/// Runs one dark step of `FRAMES` frames from the pool, `batch` frames per push (1: one
/// frame at a time through `push_frame`).
fn step(pool: &[u16], npix: usize, batch: usize, kernel: Kernel) -> u64 {
    let mut proc = DarkProc::new(npix, DarkParams::default(), GainCheck::jungfrau(0).unwrap())
        .expect("valid parameters");
    proc.set_kernel(kernel);
    let in_pool = pool.len() / npix;
    let mut fed = 0;
    while fed < FRAMES {
        let first = fed % in_pool;
        let k = batch.min(in_pool - first).min(FRAMES - fed);
        let frames = &pool[first * npix..(first + k) * npix];
        if batch == 1 {
            proc.push_frame(frames).unwrap();
        } else {
            proc.push_frames(frames).unwrap();
        }
        fed += k;
    }
    let res = proc.finish().unwrap();
    res.bit_counts.iter().sum::<u64>() + res.frames
}

/// The process's peak resident memory in KiB (Linux), for the memory report.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// CPU seconds (user + system) of this process so far.
fn cpu_seconds() -> f64 {
    use nix::sys::resource::{UsageWho, getrusage};
    let u = getrusage(UsageWho::RUSAGE_SELF).expect("getrusage");
    let s = |t: nix::sys::time::TimeVal| t.tv_sec() as f64 + t.tv_usec() as f64 * 1e-6;
    s(u.user_time()) + s(u.system_time())
}

/// `DARK_STEPS=N`: N steps of each 1-panel case, CPU time per step (see the module docs).
fn cpu_mode(steps: usize) {
    let env = |name: &str, default: usize| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .filter(|&v: &usize| v > 0)
            .unwrap_or(default)
    };
    let npix = env("DARK_NPIX", PANEL).min(PANEL);
    let pool = pool(npix, env("DARK_POOL", FRAMES));
    // As many steps as make up the pixel-frames of the panel case.
    let steps = steps * PANEL / npix;
    for (name, batch) in [("batches of 64", 64), ("one frame at a time", 1)] {
        step(&pool, npix, batch, Kernel::Auto);
        let (c0, w0) = (cpu_seconds(), std::time::Instant::now());
        for _ in 0..steps {
            black_box(step(black_box(&pool), npix, batch, Kernel::Auto));
        }
        let cpu = (cpu_seconds() - c0) / steps as f64;
        let wall = w0.elapsed().as_secs_f64() / steps as f64;
        let px = (FRAMES * npix) as f64;
        println!(
            "1 panel, {name}: {:.1} ms CPU per step ({:.2} G pixel-frames per CPU-second), {:.1} ms wall",
            cpu * 1e3,
            px / cpu * 1e-9,
            wall * 1e3
        );
    }
}

fn bench(c: &mut Criterion) {
    if let Some(n) = std::env::var("DARK_STEPS")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        cpu_mode(n);
        return;
    }
    eprintln!(
        "kernel: {}; rayon threads: {}",
        Kernel::Auto.name(),
        rayon::current_num_threads()
    );
    for panels in [1usize, 8] {
        let npix = panels * PANEL;
        let pool = pool(npix, (POOL_BYTES / 2 / npix).min(FRAMES));
        let before = peak_rss_kib();
        black_box(step(&pool, npix, 64, Kernel::Auto));
        if let (Some(b), Some(a)) = (before, peak_rss_kib()) {
            eprintln!(
                "{panels} panel(s): peak RSS {} MiB with a {} MiB frame pool; engine peak about {} MiB",
                a / 1024,
                (pool.len() * 2) >> 20,
                (a - b) / 1024
            );
        }
        let mut g = c.benchmark_group(format!("dark {panels} panel(s), 1000 frames"));
        g.throughput(Throughput::Elements((FRAMES * panels) as u64));
        g.sample_size(10);
        g.warm_up_time(Duration::from_secs(2));
        g.measurement_time(Duration::from_secs(if panels == 1 { 10 } else { 30 }));
        g.bench_function("batches of 64", |b| {
            b.iter(|| step(black_box(&pool), npix, 64, Kernel::Auto))
        });
        g.bench_function("one frame at a time", |b| {
            b.iter(|| step(black_box(&pool), npix, 1, Kernel::Auto))
        });
        if panels == 1 {
            g.bench_function("batches of 64, portable kernel", |b| {
                b.iter(|| step(black_box(&pool), npix, 64, Kernel::Portable))
            });
        }
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
