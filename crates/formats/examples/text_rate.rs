//! Parse and format rates of psana text constants at the size of a 16M JUNGFRAU, with the CPU
//! time beside the wall time (on a shared machine the CPU time is the steadier figure).
//!
//! `cargo run --release -p detcal-formats --example text_rate [REPEATS [parse|format|file]]`: a
//! (3, 32, 512, 1024) float32 pedestals array as `%.3f` and a uint64 status array as `%4i`, each
//! formatted and parsed in memory REPEATS times, and written to and read from a temporary file
//! (default 3; only one of the three if named; a fourth argument `pedestals` or `status` runs
//! only that array); prints one line per run.
//!
//! `text_rate save DIR` writes the two arrays to `DIR/pedestals.txt` and `DIR/status.txt`;
//! `text_rate read FILE...` reads each file once in a fresh process (a job's first large
//! allocations, unlike the repeated measurements above, which reuse memory freed before).
//!
//! `text_rate hot [ROUNDS [format|parse|all [pedestals|status]]]`: the CPU cost of formatting
//! and parsing alone, without the page faults of fresh 200-500 MB buffers: a (128, 1024) slice
//! of each array formatted ROUNDS times (default 400, 52 M values) into one reused buffer, and
//! parsed as many times (only the operation and the array named, if given; run it with
//! `RAYON_NUM_THREADS=1` for the cost per byte on one core).

use std::path::Path;
use std::time::{Duration, Instant};

use detcal_formats::NdArray;
use detcal_formats::text::{HeaderInfo, TextOptions, encode_text, parse_text, read_text};
use ndarray::{ArrayD, IxDyn};
use nix::sys::resource::{UsageWho, getrusage};

const SHAPE: [usize; 4] = [3, 32, 512, 1024];

/// A cheap reproducible hash of an index.
fn hash(i: usize) -> u64 {
    (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 40
}

/// User plus system CPU time of this process so far.
fn cpu() -> Duration {
    let u = getrusage(UsageWho::RUSAGE_SELF).expect("getrusage");
    let t =
        |tv: nix::sys::time::TimeVal| Duration::new(tv.tv_sec() as u64, tv.tv_usec() as u32 * 1000);
    t(u.user_time()) + t(u.system_time())
}

/// Runs `f`, printing wall time, CPU time and both rates for `bytes` of text.
fn measure<R>(label: &str, bytes: usize, f: impl Fn() -> R) {
    let (w0, c0) = (Instant::now(), cpu());
    std::hint::black_box(f());
    let (wall, cpu) = (w0.elapsed().as_secs_f64(), (cpu() - c0).as_secs_f64());
    let mb = bytes as f64 / 1e6;
    println!(
        "{label:<22} {mb:7.1} MB  wall {wall:6.3} s = {:7.1} MB/s   cpu {cpu:6.3} s = {:7.1} MB per cpu-s",
        mb / wall,
        mb / cpu
    );
}

/// Formats and parses a small slice of each array many times: the CPU cost per byte without
/// fresh large buffers.
fn hot(arrays: &[(&str, NdArray, &str)]) {
    let rounds: usize = std::env::args()
        .nth(2)
        .map_or(400, |a| a.parse().expect("ROUNDS must be a number"));
    let only = std::env::args().nth(3);
    let run = |what: &str| only.as_deref().is_none_or(|o| o == what || o == "all");
    let array = std::env::args().nth(4);
    for (label, arr, fmt) in arrays {
        if array.as_deref().is_some_and(|a| !label.starts_with(a)) {
            continue;
        }
        let opts = TextOptions::new(fmt).unwrap();
        let small = match arr {
            NdArray::F32(a) => {
                NdArray::F32(a.slice(ndarray::s![0, 0, ..128, ..]).to_owned().into_dyn())
            }
            NdArray::U64(a) => {
                NdArray::U64(a.slice(ndarray::s![0, 0, ..128, ..]).to_owned().into_dyn())
            }
            _ => unreachable!(),
        };
        let mut out = Vec::new();
        let encode = |out: &mut Vec<u8>| {
            out.clear();
            encode_text(
                &small,
                &opts,
                &HeaderInfo::default(),
                out,
                Path::new("rate.txt"),
            )
            .unwrap();
        };
        encode(&mut out);
        let text = out.clone();
        let out = std::cell::RefCell::new(out);
        if run("format") {
            measure(&format!("{label} hot format"), text.len() * rounds, || {
                for _ in 0..rounds {
                    encode(&mut out.borrow_mut());
                }
            });
        }
        if run("parse") {
            measure(&format!("{label} hot parse"), text.len() * rounds, || {
                for _ in 0..rounds {
                    std::hint::black_box(parse_text(&text, Path::new("rate.txt")).unwrap());
                }
            });
        }
    }
}

fn main() {
    // `text_rate read FILE...`: each file read once in this fresh process (the first large
    // allocations of a process, as in a job that loads its constants).
    if std::env::args().nth(1).as_deref() == Some("read") {
        for f in std::env::args().skip(2) {
            let len = std::fs::metadata(&f).unwrap().len() as usize;
            measure(&format!("read {f}"), len, || {
                read_text(Path::new(&f)).unwrap()
            });
        }
        return;
    }
    let repeats: usize = std::env::args()
        .nth(1)
        .filter(|a| a != "hot" && a != "save")
        .map_or(3, |a| a.parse().expect("REPEATS must be a number"));
    let only = std::env::args().nth(2);
    let run = |what: &str| only.as_deref().is_none_or(|o| o == what || o == "all");
    let array = std::env::args().nth(3);
    let n: usize = SHAPE.iter().product();
    let ped: Vec<f32> = (0..n)
        .map(|i| 1500.0 + (i % 1024) as f32 * 0.5 + (hash(i) % 100_000) as f32 * 0.013)
        .collect();
    let status: Vec<u64> = (0..n)
        .map(|i| {
            if hash(i).is_multiple_of(97) {
                1 << (hash(i) % 7)
            } else {
                0
            }
        })
        .collect();
    let arrays = [
        (
            "pedestals f32 %.3f",
            NdArray::F32(ArrayD::from_shape_vec(IxDyn(&SHAPE), ped).unwrap()),
            "%.3f",
        ),
        (
            "status u64 %4i",
            NdArray::U64(ArrayD::from_shape_vec(IxDyn(&SHAPE), status).unwrap()),
            "%4i",
        ),
    ];
    println!("threads: {}", rayon::current_num_threads());
    if std::env::args().nth(1).as_deref() == Some("hot") {
        return hot(&arrays);
    }
    if std::env::args().nth(1).as_deref() == Some("save") {
        let dir = std::path::PathBuf::from(std::env::args().nth(2).expect("save DIR"));
        for ((label, arr, fmt), name) in arrays.iter().zip(["pedestals.txt", "status.txt"]) {
            let path = dir.join(name);
            let opts = TextOptions::new(fmt).unwrap();
            let mut w = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
            encode_text(arr, &opts, &HeaderInfo::default(), &mut w, &path).unwrap();
            w.into_inner().unwrap();
            println!("{label}: {}", path.display());
        }
        return;
    }
    for (label, arr, fmt) in &arrays {
        if array.as_deref().is_some_and(|a| !label.starts_with(a)) {
            continue;
        }
        let opts = TextOptions::new(fmt).unwrap();
        let encode = || {
            let mut out = Vec::new();
            encode_text(
                arr,
                &opts,
                &HeaderInfo::default(),
                &mut out,
                Path::new("rate.txt"),
            )
            .unwrap();
            out
        };
        let text = encode();
        for _ in 0..repeats * usize::from(run("format")) {
            measure(&format!("{label} format"), text.len(), encode);
        }
        // Into a buffer that already has the room (no page faults or regrowth): the
        // formatting's own rate.
        let reused = std::cell::RefCell::new(Vec::with_capacity(text.len()));
        reused.borrow_mut().extend_from_slice(&text);
        for _ in 0..repeats * usize::from(run("format")) {
            measure(&format!("{label} format reused"), text.len(), || {
                let mut out = reused.borrow_mut();
                out.clear();
                encode_text(
                    arr,
                    &opts,
                    &HeaderInfo::default(),
                    &mut *out,
                    Path::new("r.txt"),
                )
                .unwrap();
            });
        }
        for _ in 0..repeats * usize::from(run("parse")) {
            measure(&format!("{label} parse"), text.len(), || {
                parse_text(&text, Path::new("rate.txt")).unwrap()
            });
        }
        // Through a file in the temporary directory (page cache): `encode_text` into a
        // buffered file, `read_text` from it.
        // Each run writes a new file, as a job does (its temporary file, then a rename): the
        // file before is removed first, outside the measurement (truncating 500 MB of page
        // cache in `File::create` would be measured otherwise).
        let dir = tempfile::tempdir().unwrap();
        for r in 0..repeats * usize::from(run("file")) {
            let path = dir.path().join(format!("rate{r}.txt"));
            if r > 0 {
                std::fs::remove_file(dir.path().join(format!("rate{}.txt", r - 1))).unwrap();
            }
            measure(&format!("{label} write file"), text.len(), || {
                let mut w = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
                encode_text(arr, &opts, &HeaderInfo::default(), &mut w, &path).unwrap();
                w.into_inner().unwrap();
            });
            measure(&format!("{label} read file"), text.len(), || {
                read_text(&path).unwrap()
            });
        }
        // The text read back and written again is the same text.
        let back = parse_text(&text, Path::new("rate.txt")).unwrap();
        let mut again = Vec::new();
        encode_text(
            &back,
            &opts,
            &HeaderInfo::default(),
            &mut again,
            Path::new("rate.txt"),
        )
        .unwrap();
        assert!(again == text, "{label}: text changed after a round trip");
    }
}
