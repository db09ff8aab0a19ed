//! Measures reading throughput: every event of a detector, every raw byte copied out.
//!
//! ```text
//! cargo run --release -p xtc2 --example throughput -- [FILE...] [--alias NAME]
//!     [--segments N] [--events M] [--repeat K]
//! ```
//! With no file (and no `XTC2_BENCH_FILE`), it writes a synthetic JUNGFRAU run (default 8
//! segments x 200 events) to a temporary file with the writer and reads that. Run it twice or
//! use `--repeat` so the file is in the page cache; the best pass is reported.

use std::path::PathBuf;
use std::time::Instant;

use xtc2::run::{Item, Run};
use xtc2::write::{DetectorSetup, RunWriter};
use xtc2::{TimeStamp, XtcFile};

struct Args {
    files: Vec<PathBuf>,
    alias: Option<String>,
    segments: usize,
    events: u32,
    repeat: usize,
}

fn args() -> Args {
    let mut a = Args {
        files: Vec::new(),
        alias: None,
        segments: 8,
        events: 200,
        repeat: 3,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || it.next().expect("a value after the option");
        match arg.as_str() {
            "--alias" => a.alias = Some(value()),
            "--segments" => a.segments = value().parse().expect("a number of segments"),
            "--events" => a.events = value().parse().expect("a number of events"),
            "--repeat" => a.repeat = value().parse().expect("a number of passes"),
            _ => a.files.push(arg.into()),
        }
    }
    if a.files.is_empty()
        && let Some(f) = std::env::var_os("XTC2_BENCH_FILE")
    {
        a.files.push(f.into());
    }
    a
}

/// Writes a synthetic run; returns its path (removed when the guard drops).
fn synthetic(segments: usize, events: u32) -> Result<tempfile::TempPath, xtc2::Error> {
    let file = tempfile::Builder::new()
        .suffix(".xtc2")
        .tempfile()
        .map_err(|e| xtc2::Error::io("tmp", e))?;
    let (handle, path) = file.into_parts();
    let ids: Vec<String> = (0..segments).map(|k| format!("sim-panel-{k:04}")).collect();
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    let setup = DetectorSetup::jungfrau("jungfrau", &refs);
    let pixels = setup.pixels();
    let mut w = RunWriter::new(std::io::BufWriter::with_capacity(1 << 22, handle), setup)?;
    let t = |n: u32| TimeStamp::new(1_112_036_888 + n / 1000, (n % 1000) * 1000);
    w.configure(t(0), 0)?;
    w.begin_run(t(1), "xpptut15", 1)?;
    w.begin_step(t(2), 0)?;
    let frames: Vec<Vec<u16>> = (0..segments)
        .map(|k| {
            (0..pixels)
                .map(|p| ((p * 7 + k * 13) % 0x3fff) as u16)
                .collect()
        })
        .collect();
    let refs: Vec<&[u16]> = frames.iter().map(Vec::as_slice).collect();
    let start = Instant::now();
    for n in 0..events {
        w.event(t(10 + n), &refs)?;
    }
    let bytes = w.offset();
    w.into_inner()?;
    let secs = start.elapsed().as_secs_f64();
    eprintln!(
        "wrote {} ({:.2} GB) in {secs:.2} s: {:.2} GB/s",
        path.display(),
        bytes as f64 / 1e9,
        bytes as f64 / 1e9 / secs
    );
    Ok(path)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let a = args();
    let _guard;
    let files = if a.files.is_empty() {
        let p = synthetic(a.segments, a.events)?;
        let files = vec![p.to_path_buf()];
        _guard = p;
        files
    } else {
        a.files.clone()
    };
    let bytes: u64 = files
        .iter()
        .map(|f| std::fs::metadata(f).map(|m| m.len()).unwrap_or(0))
        .sum();
    let gb = bytes as f64 / 1e9;
    println!("files: {} ({gb:.3} GB)", files.len());

    let mut best_validate = f64::MAX;
    for _ in 0..a.repeat {
        let start = Instant::now();
        for f in &files {
            xtc2::validate(&XtcFile::open(f)?)?;
        }
        best_validate = best_validate.min(start.elapsed().as_secs_f64());
    }
    println!(
        "validate (every datagram, Names, ShapesData, field; no copy): {:.2} GB/s",
        gb / best_validate
    );

    let run = Run::open(&files)?;
    let alias = match &a.alias {
        Some(a) => a.clone(),
        None => run
            .detectors()
            .first()
            .ok_or("no detector in the files")?
            .alias
            .clone(),
    };
    let det = run.detector(&alias)?;
    let info = det.info();
    let len = info.frame_len().ok_or("unknown raw shape")?;
    println!(
        "detector {alias}: {} segments, frame {:?}",
        info.num_segments(),
        info.frame_shape()
    );
    let mut frame = vec![0u16; len];
    let nsegs = info.num_segments() as f64;
    // Two ways to take the pixels: through the map (`copy_raw_into`), and with positioned
    // reads of the file (`read_exact_at`, what detcal does), with the read-ahead mapping off.
    // Positioned reads put the file's little-endian words straight into the frame.
    let modes: &[bool] = if cfg!(target_endian = "little") {
        &[false, true]
    } else {
        &[false]
    };
    for &pread in modes {
        for f in run.streams().iter().flat_map(|s| s.chunks()) {
            f.set_populate_ahead(!pread);
        }
        let mut best = f64::MAX;
        let (mut events, mut checksum) = (0u64, 0u64);
        for _ in 0..a.repeat {
            let start = Instant::now();
            let mut items = det.items()?;
            (events, checksum) = (0, 0);
            while let Some(item) = items.next_item() {
                if let Item::Event(ev) = item? {
                    if pread {
                        let mut rest = &mut frame[..];
                        for seg in ev.segments() {
                            let (head, tail) = rest.split_at_mut(seg.len());
                            let file = run
                                .streams()
                                .iter()
                                .flat_map(|s| s.chunks())
                                .find_map(|f| f.offset_of(seg.raw_bytes()).map(|o| (f, o)))
                                .ok_or("segment outside the files")?;
                            file.0.read_exact_at(file.1, bytemuck_bytes(head))?;
                            rest = tail;
                        }
                    } else {
                        ev.copy_raw_into(&mut frame)?;
                    }
                    checksum =
                        checksum.wrapping_add(u64::from(frame[events as usize % len.max(1)]));
                    events += 1;
                }
            }
            best = best.min(start.elapsed().as_secs_f64());
        }
        let raw_gb = (events as f64) * (len as f64) * 2.0 / 1e9;
        println!(
            "events + {}: {events} events in {best:.3} s: {:.0} events/s, {:.0} panel-frames/s, \
             {:.2} GB/s of raw ({:.2} GB/s of file) [checksum {checksum}]",
            if pread {
                "read_exact_at"
            } else {
                "copy_raw_into"
            },
            events as f64 / best,
            events as f64 * nsegs / best,
            raw_gb / best,
            gb / best
        );
    }
    Ok(())
}

/// The bytes of a `u16` slice.
fn bytemuck_bytes(s: &mut [u16]) -> &mut [u8] {
    // SAFETY: u8 has no alignment or validity requirements, and the length covers the same bytes.
    unsafe { std::slice::from_raw_parts_mut(s.as_mut_ptr().cast::<u8>(), s.len() * 2) }
}
