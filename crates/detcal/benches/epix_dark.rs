//! ePix10ka dark processing throughput: the whole `EpixDark` (pass 1, pass 2 and the per-panel
//! summary) over one full step of 1024 frames (1023 records used), for 1 and 4 panels of
//! 352 x 384 pixels, in panel-frames per second. Compare per pixel with the JUNGFRAU engine of
//! `benches/dark.rs` (a JUNGFRAU panel is 512 x 1024 = 3.88 ePix panels).
//!
//! The frames are synthetic and in memory: pedestals 2500..3500 ADU with a few ADU of noise,
//! from a pool of distinct frames taken in turn.
//!
//! `cargo bench -p detcal --bench epix_dark`
//!
//! On a shared machine wall times mislead: `EPIX_DARK_STEPS=N cargo bench -p detcal --bench
//! epix_dark` runs N steps of each case instead of criterion and prints the CPU time (user +
//! system, all threads) per step, which other work on the machine disturbs far less
//! (`EPIX_DARK_PANELS=1` or `4`: only those cases; `EPIX_DARK_FEED="batches of 64"`: only the
//! feed of that name).

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use detcal::dark::epix10ka::{DEFAULT_NBS, EpixDark};

const PANEL: usize = 352 * 384;
const POOL_FRAMES: usize = 256;

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

fn pool(npix: usize) -> Vec<u16> {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let peds: Vec<u16> = (0..npix)
        .map(|_| 2500 + (rng.next() % 1000) as u16)
        .collect();
    let mut out = vec![0u16; npix * POOL_FRAMES];
    for frame in out.chunks_mut(npix) {
        for (x, &p) in frame.iter_mut().zip(&peds) {
            let r = rng.next();
            let noise: u16 = (0..4).map(|k| ((r >> (16 * k)) & 7) as u16).sum();
            *x = p + noise - 14;
        }
    }
    out
}

/// How a step is fed.
#[derive(Clone, Copy)]
enum Feed {
    /// Each frame written in place as the job's reader does, into a fresh engine.
    FrameByFrame,
    /// Each frame written in place, the block's memory handed on from the step before: what
    /// the job does from its second gain mode on.
    FrameByFrameReused,
    /// Batches of 64 frames (`push_frames`, as the JUNGFRAU bench's main case), a fresh engine.
    Batches,
    /// Batches of 64 frames, the block's memory handed on from the step before (as the job
    /// does from one gain mode to the next).
    BatchesReused,
    /// Frames read where they lie (`push_parts`, each panel at an odd address, as many frames
    /// at once as `parts_wanted` says), as the job hands over frames of mapped files.
    InPlace,
}

impl Feed {
    fn name(self) -> &'static str {
        match self {
            Feed::FrameByFrame => "frame by frame",
            Feed::FrameByFrameReused => "frame by frame, block reused",
            Feed::Batches => "batches of 64",
            Feed::BatchesReused => "batches of 64, block reused",
            Feed::InPlace => "in place",
        }
    }
}

const ALL_FEEDS: [Feed; 5] = [
    Feed::FrameByFrame,
    Feed::FrameByFrameReused,
    Feed::Batches,
    Feed::BatchesReused,
    Feed::InPlace,
];

/// The pool's panels as bytes one byte into a buffer (odd addresses, as half the frames of a
/// simulated XTC2 run lie): `parts[f * panels + p]`.
fn parts_of(pool: &[u16]) -> Vec<u8> {
    let mut bytes = vec![0u8];
    bytes.extend(pool.iter().flat_map(|v| v.to_le_bytes()));
    bytes
}

/// One step of `DEFAULT_NBS` frames; `block` is the block memory handed from step to step;
/// `bytes` is [`parts_of`] the pool.
fn step(pool: &[u16], bytes: &[u8], panels: usize, feed: Feed, block: &mut Vec<u16>) -> u64 {
    let npix = panels * PANEL;
    let buf = match feed {
        Feed::BatchesReused | Feed::FrameByFrameReused => std::mem::take(block),
        _ => Vec::new(),
    };
    let mut d = EpixDark::with_buffer(panels, PANEL, DEFAULT_NBS, buf).unwrap();
    match feed {
        Feed::FrameByFrame | Feed::FrameByFrameReused => {
            for i in 0..DEFAULT_NBS {
                let f = i % POOL_FRAMES;
                d.frame_slot()
                    .copy_from_slice(&pool[f * npix..(f + 1) * npix]);
                d.commit_frame();
            }
        }
        Feed::Batches | Feed::BatchesReused => {
            let mut fed = 0;
            while fed < DEFAULT_NBS {
                let first = fed % POOL_FRAMES;
                let k = 64.min(POOL_FRAMES - first).min(DEFAULT_NBS - fed);
                d.push_frames(&pool[first * npix..(first + k) * npix])
                    .unwrap();
                fed += k;
            }
        }
        Feed::InPlace => {
            let parts: Vec<&[u8]> = bytes[1..].chunks(2 * PANEL).collect();
            let mut pending: Vec<&[u8]> = Vec::new();
            for i in 0..DEFAULT_NBS {
                let f = i % POOL_FRAMES;
                pending.extend(&parts[f * panels..(f + 1) * panels]);
                if pending.len() >= d.parts_wanted().max(1) * panels {
                    d.push_parts(&pending).unwrap();
                    pending.clear();
                }
            }
            d.push_parts(&pending).unwrap();
        }
    }
    let (r, buf) = d.finish_with_buffer();
    *block = buf;
    let r = r.unwrap();
    r.records + r.panels.iter().map(|p| p.summary.bad_pixels).sum::<u64>()
}

/// CPU seconds (user + system) of this process so far.
fn cpu_seconds() -> f64 {
    use nix::sys::resource::{UsageWho, getrusage};
    let u = getrusage(UsageWho::RUSAGE_SELF).expect("getrusage");
    let s = |t: nix::sys::time::TimeVal| t.tv_sec() as f64 + t.tv_usec() as f64 * 1e-6;
    s(u.user_time()) + s(u.system_time())
}

/// `EPIX_DARK_STEPS=N`: N steps per case, CPU time per step (see the module docs);
/// `EPIX_DARK_PANELS=1` (or 4) runs only the cases of that many panels.
fn cpu_mode(steps: usize) {
    let only: Option<usize> = std::env::var("EPIX_DARK_PANELS")
        .ok()
        .and_then(|v| v.parse().ok());
    let feed_only = std::env::var("EPIX_DARK_FEED").ok();
    for panels in [1usize, 4]
        .into_iter()
        .filter(|p| only.is_none_or(|o| o == *p))
    {
        let pool = pool(panels * PANEL);
        let bytes = parts_of(&pool);
        for feed in ALL_FEEDS
            .into_iter()
            .filter(|f| feed_only.as_ref().is_none_or(|o| f.name() == o.as_str()))
        {
            let mut block = Vec::new();
            step(&pool, &bytes, panels, feed, &mut block);
            let (c0, w0) = (cpu_seconds(), std::time::Instant::now());
            for _ in 0..steps {
                black_box(step(black_box(&pool), &bytes, panels, feed, &mut block));
            }
            let cpu = (cpu_seconds() - c0) / steps as f64;
            let wall = w0.elapsed().as_secs_f64() / steps as f64;
            let px = (DEFAULT_NBS * panels * PANEL) as f64;
            println!(
                "{panels} panel(s), {}: {:.1} ms CPU per step ({:.2} G pixel-frames per CPU-second), {:.1} ms wall",
                feed.name(),
                cpu * 1e3,
                px / cpu * 1e-9,
                wall * 1e3
            );
        }
    }
}

fn bench(c: &mut Criterion) {
    if let Some(n) = std::env::var("EPIX_DARK_STEPS")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        cpu_mode(n);
        return;
    }
    eprintln!(
        "kernel: {}; rayon threads: {}",
        detcal::cpu::path_name(),
        rayon::current_num_threads()
    );
    for panels in [1usize, 4] {
        let pool = pool(panels * PANEL);
        let bytes = parts_of(&pool);
        let mut g = c.benchmark_group(format!("epix10ka dark {panels} panel(s), 1024 frames"));
        g.throughput(Throughput::Elements((DEFAULT_NBS * panels) as u64));
        g.sample_size(10);
        g.warm_up_time(Duration::from_secs(1));
        g.measurement_time(Duration::from_secs(8));
        for feed in ALL_FEEDS {
            let mut block = Vec::new();
            g.bench_function(feed.name(), |b| {
                b.iter(|| step(black_box(&pool), &bytes, panels, feed, &mut block))
            });
        }
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
