//! `detcal dark` over MPI (cargo feature `mpi`): `mpirun -n 2` and `-n 3` write the same
//! repository files as one process, byte for byte. Without the feature, `--mpi` is a clear
//! error.

use std::collections::BTreeMap;
use std::path::Path;

use crate::util::Dir;

/// Every file under `dir` except the job logs (they hold times), by relative path.
fn files_of(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            let rel = p.strip_prefix(base).unwrap().to_string_lossy().into_owned();
            if rel == "logs" {
                continue;
            }
            if p.is_dir() {
                walk(base, &p, out);
            } else if p
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(".aliases"))
            {
                // The alias table records when each alias was given: the wall clock.
                let text = std::fs::read_to_string(&p).unwrap();
                let masked: String = text
                    .split_inclusive('\n')
                    .map(|l| {
                        l.split(' ')
                            .map(|w| {
                                if w.contains('T') && w.contains(':') {
                                    "TIME"
                                } else {
                                    w
                                }
                            })
                            .collect::<Vec<_>>()
                            .join(" ")
                    })
                    .collect();
                out.insert(rel, masked.into_bytes());
            } else {
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// Asserts that two repositories hold the same files with the same bytes, naming those that
/// differ.
fn assert_same(got: &BTreeMap<String, Vec<u8>>, want: &BTreeMap<String, Vec<u8>>, what: &str) {
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        want.keys().collect::<Vec<_>>(),
        "{what}: the files"
    );
    let differ: Vec<&String> = want.keys().filter(|k| got[*k] != want[*k]).collect();
    assert!(differ.is_empty(), "{what}: these files differ: {differ:?}");
}

/// Simulates a 2-panel JUNGFRAU dark run of 3 steps of `events` events.
fn simulate(d: &Dir, events: usize) {
    simulate_streams(d, "data", 2, 1, events);
}

/// Simulates into `out` a JUNGFRAU dark run of `panels` panels in `streams` stream files.
fn simulate_streams(d: &Dir, out: &str, panels: usize, streams: usize, events: usize) {
    d.ok(&[
        "simulate",
        "--out",
        out,
        "--panels",
        &panels.to_string(),
        "--streams",
        &streams.to_string(),
        "--shape",
        "32x128",
        "-n",
        &events.to_string(),
        "--no-light",
        "--seed",
        "5",
        "--group",
        "",
    ]);
}

/// The same detector written as 1 and as 3 stream files (3 panels: one per stream) gives the
/// same repository, byte for byte: the reader builds events across streams by time stamp.
#[test]
fn a_run_in_three_streams_gives_the_files_of_one_stream() {
    let d = Dir::new();
    simulate_streams(&d, "one", 3, 1, 60);
    simulate_streams(&d, "three", 3, 3, 60);
    let xtc = d.join("three/XPP/xpptut15/xtc");
    for s in 0..3 {
        assert!(
            xtc.join(format!("xpptut15-r0001-s00{s}-c000.xtc2"))
                .exists()
        );
    }
    assert!(!xtc.join("xpptut15-r0001-s003-c000.xtc2").exists());
    for data in ["one", "three"] {
        d.ok(&[
            "dark",
            "exp=xpptut15:run=1",
            "--data-dir",
            data,
            "-o",
            &format!("r{data}"),
            "--group",
            "",
        ]);
    }
    let (a, b) = (files_of(&d.join("rone")), files_of(&d.join("rthree")));
    assert!(a.len() >= 3 * 5 * 3, "files: {:?}", a.keys());
    assert_same(&b, &a, "3 streams");
}

#[cfg(feature = "mpi")]
mod with_mpi {
    use super::*;

    /// `mpirun -n K detcal args...` in `d`, with the flags a root user on a small machine needs.
    fn mpirun(d: &Dir, k: usize, args: &[&str]) -> std::process::Output {
        let detcal = assert_cmd::cargo::cargo_bin("detcal");
        std::process::Command::new("mpirun")
            .args([
                "--allow-run-as-root",
                "--oversubscribe",
                "-n",
                &k.to_string(),
            ])
            .arg(&detcal)
            .args(args)
            .current_dir(d.path())
            .env("TZ", "UTC")
            .env_remove("SIT_ROOT")
            .env_remove("SIT_PSDM_DATA")
            // One rayon thread per rank: the ranks share 2 cores.
            .env("RAYON_NUM_THREADS", "1")
            .output()
            .expect("mpirun (openmpi-bin) should be installed where detcal is built with MPI")
    }

    fn dark_args(out: &str) -> Vec<&str> {
        vec![
            "dark",
            "exp=xpptut15:run=1",
            "--data-dir",
            "data",
            "-o",
            out,
            "--group",
            "",
        ]
    }

    #[test]
    fn dark_over_2_and_3_ranks_writes_the_files_of_one_process() {
        let d = Dir::new();
        // 50 frames for the gates, then runs of 32 over the ranks, the last one partial.
        simulate(&d, 50 + 5 * 32 + 7);
        d.ok(&dark_args("one"));
        let want = files_of(&d.join("one"));
        assert!(want.len() > 2 * 5 * 3, "files: {:?}", want.keys());
        for k in [2, 3] {
            let out = format!("ranks{k}");
            let o = mpirun(&d, k, &dark_args(&out));
            assert!(
                o.status.success(),
                "mpirun -n {k}:\n{}\n{}",
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr)
            );
            assert_same(&files_of(&d.join(&out)), &want, &format!("-n {k}"));
            // The job log and the per-year record, written by rank 0 only, as one process does.
            let logs = walk_logs(&d.join(&out).join("logs"));
            assert_eq!(
                logs.len(),
                walk_logs(&d.join("one").join("logs")).len(),
                "-n {k}: logs {logs:?}"
            );
            let record = logs
                .iter()
                .find(|p| p.to_string_lossy().contains("atstart"))
                .unwrap();
            let lines = |p: &Path| std::fs::read_to_string(p).unwrap().lines().count();
            let one = walk_logs(&d.join("one").join("logs"));
            let one_record = one
                .iter()
                .find(|p| p.to_string_lossy().contains("atstart"))
                .unwrap();
            assert_eq!(
                lines(record),
                lines(one_record),
                "-n {k}: one record of the job in {record:?}"
            );
        }
    }

    /// A step shorter than the stage-1 block: rank 0 has every frame, the others none (with 4
    /// ranks, rank 2 merges rank 3's empty accumulators in the tree).
    #[test]
    fn dark_over_ranks_with_fewer_frames_than_the_gate_block() {
        let d = Dir::new();
        simulate(&d, 30);
        d.ok(&dark_args("one"));
        for k in [2, 4] {
            let out = format!("r{k}");
            let o = mpirun(&d, k, &dark_args(&out));
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            assert_same(
                &files_of(&d.join(&out)),
                &files_of(&d.join("one")),
                &format!("-n {k}"),
            );
        }
    }

    /// A run in 2 stream files (3 panels: 2 and 1) over 2 and 3 ranks.
    #[test]
    fn multi_stream_dark_over_ranks_writes_the_files_of_one_process() {
        let d = Dir::new();
        simulate_streams(&d, "data", 3, 2, 50 + 3 * 32 + 1);
        d.ok(&dark_args("one"));
        let want = files_of(&d.join("one"));
        for k in [2, 3] {
            let out = format!("ranks{k}");
            let o = mpirun(&d, k, &dark_args(&out));
            let stderr = String::from_utf8_lossy(&o.stderr);
            assert!(o.status.success(), "{stderr}");
            assert_same(&files_of(&d.join(&out)), &want, &format!("-n {k}"));
            // 2 streams: split over 2 ranks; 3 ranks share events, and the log says why.
            let why = match k {
                2 => "2 ranks share the work by stream file".to_string(),
                _ => format!(
                    "{k} ranks share each step's events, not the stream files: more ranks ({k}) than stream files with panels (2)"
                ),
            };
            assert!(stderr.contains(&why), "-n {k}: {stderr}");
        }
    }

    /// The stream files rank `r` of `k` names as opened, with the frame bytes it read from
    /// each (the line `rank r of k: files opened: NAME N frame bytes, ...`).
    fn files_opened(stderr: &str, r: usize, k: usize) -> Vec<(String, u64)> {
        let head = format!("rank {r} of {k}: files opened: ");
        let line = stderr
            .lines()
            .find_map(|l| l.split_once(&head).map(|(_, rest)| rest.to_string()))
            .unwrap_or_else(|| panic!("no line {head:?} in:\n{stderr}"));
        line.split(", ")
            .map(|f| {
                let w: Vec<&str> = f.split(' ').collect();
                (w[0].to_string(), w[1].parse().unwrap())
            })
            .collect()
    }

    /// Runs in 2 and 3 stream files (one panel each) over 2 and 3 ranks: the ranks split the
    /// stream files, each reads frames only from its own (another rank opens no other file;
    /// the root opens every file for the detector's description), and the files are those of
    /// one process, byte for byte.
    #[test]
    fn stream_split_dark_over_ranks_reads_only_own_streams() {
        let d = Dir::new();
        let name = |s: usize| format!("xpptut15-r0001-s00{s}-c000.xtc2");
        for streams in [2, 3] {
            let data = format!("data{streams}");
            simulate_streams(&d, &data, streams, streams, 60);
            let args = |out: &str| -> Vec<String> {
                let mut a: Vec<String> = dark_args(out).iter().map(|s| s.to_string()).collect();
                a[3] = data.clone();
                a
            };
            let one = format!("one{streams}");
            let a: Vec<String> = args(&one);
            d.ok(&a.iter().map(String::as_str).collect::<Vec<_>>());
            let want = files_of(&d.join(&one));
            assert!(want.len() >= streams * 5 * 3, "files: {:?}", want.keys());
            for k in 2..=streams {
                let out = format!("s{streams}k{k}");
                let a = args(&out);
                let o = mpirun(&d, k, &a.iter().map(String::as_str).collect::<Vec<_>>());
                let stderr = String::from_utf8_lossy(&o.stderr);
                assert!(o.status.success(), "{streams} streams -n {k}: {stderr}");
                assert_same(
                    &files_of(&d.join(&out)),
                    &want,
                    &format!("{streams} streams -n {k}"),
                );
                assert!(
                    stderr.contains(&format!("{k} ranks share the work by stream file")),
                    "{stderr}"
                );
                // Streams split contiguously: 3 over 2 ranks are {0, 1} and {2}.
                let own: Vec<Vec<usize>> = match (streams, k) {
                    (3, 2) => vec![vec![0, 1], vec![2]],
                    _ => (0..k).map(|r| vec![r]).collect(),
                };
                let bytes_per_stream = 3 * 60 * 32 * 128 * 2;
                for (r, mine) in own.iter().enumerate() {
                    let opened = files_opened(&stderr, r, k);
                    for (f, n) in &opened {
                        let s = (0..streams).find(|&s| *f == name(s)).unwrap();
                        let want = if mine.contains(&s) {
                            bytes_per_stream
                        } else {
                            0
                        };
                        assert_eq!(*n, want, "{streams} streams -n {k} rank {r}: {f}");
                    }
                    let names: Vec<&str> = opened.iter().map(|(f, _)| f.as_str()).collect();
                    if r == 0 {
                        assert_eq!(names.len(), streams, "rank 0: {names:?}");
                    } else {
                        let mine: Vec<String> = mine.iter().map(|&s| name(s)).collect();
                        assert_eq!(names, mine, "{streams} streams -n {k} rank {r}");
                    }
                }
            }
        }
    }

    /// A run in 2 stream files whose stream 1 lacks one event (its datagram cut out): one
    /// process skips that event (a panel is missing); the ranks' digests of their streams
    /// differ, so they share events instead of stream files, say so, and write the files of
    /// one process.
    #[test]
    fn streams_that_do_not_show_the_same_events_fall_back_to_event_ranges() {
        let d = Dir::new();
        simulate_streams(&d, "data", 2, 2, 60);
        let s1 = d.join("data/XPP/xpptut15/xtc/xpptut15-r0001-s001-c000.xtc2");
        let (at, size) = {
            let f = xtc2::XtcFile::open(&s1).unwrap();
            let l1: Vec<(u64, u64)> = f
                .dgrams()
                .map(|g| g.unwrap())
                .filter(|g| g.transition_id() == xtc2::TransitionId::L1Accept)
                .map(|g| (g.offset(), g.size()))
                .collect();
            // An event of the second step.
            l1[60 + 7]
        };
        let mut bytes = std::fs::read(&s1).unwrap();
        bytes.drain(at as usize..(at + size) as usize);
        std::fs::write(&s1, bytes).unwrap();
        d.ok(&dark_args("one"));
        let o = mpirun(&d, 2, &dark_args("r2"));
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert!(o.status.success(), "{stderr}");
        assert_same(&files_of(&d.join("r2")), &files_of(&d.join("one")), "-n 2");
        assert!(
            stderr.contains("2 ranks share each step's events, not the stream files: the streams of rank(s) [1] do not show the events of rank 0's"),
            "{stderr}"
        );
    }

    /// An error on every rank (no such dataset) ends the job with a message, not a hang.
    #[test]
    fn a_bad_dataset_over_ranks_is_an_error() {
        let d = Dir::new();
        let o = mpirun(&d, 2, &dark_args("x"));
        assert!(!o.status.success());
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("rank ") && err.contains("xpptut15"), "{err}");
    }

    /// ePix10ka dark processing of a simulated quad (4 panels, 5 steps) over 2 ranks (2 panels
    /// each) and 3 (2, 1, 1) writes the repository of one process.
    #[test]
    fn epix10ka_dark_over_2_and_3_ranks_writes_the_files_of_one_process() {
        let d = Dir::new();
        d.ok(&[
            "simulate",
            "--det",
            "epix10kaquad",
            "--out",
            "data",
            "--events",
            "6",
            "--no-light",
            "--seed",
            "4",
            "-q",
        ]);
        d.ok(&dark_args("one"));
        let (want, logs) = repo_files(&d.join("one"));
        assert!(want.len() >= 4 * 5, "{:?}", want.keys());
        for k in [2, 3] {
            let out = format!("ranks{k}");
            let o = mpirun(&d, k, &dark_args(&out));
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            let (got, got_logs) = repo_files(&d.join(&out));
            assert_same(&got, &want, &format!("-n {k}"));
            assert_eq!(got_logs, logs, "-n {k}: log files");
        }
    }

    /// A 2-panel JUNGFRAU (dark run 1, light run 2 of `light` events, in `streams` stream
    /// files) with its dark constants deployed into `calib`.
    fn deployed(d: &Dir, streams: usize, light: usize) {
        d.ok(&[
            "simulate",
            "--out",
            "data",
            "--panels",
            "2",
            "--streams",
            &streams.to_string(),
            "--shape",
            "32x128",
            "-n",
            "20",
            "--light-events",
            &light.to_string(),
            "--seed",
            "9",
            "--group",
            "",
        ]);
        d.ok(&dark_args("panels"));
        d.ok(&[
            "deploy",
            "-o",
            "panels",
            "-D",
            "-e",
            "xpptut15",
            "-r",
            "1",
            "--data-dir",
            "data",
            "-c",
            "calib",
            "--group",
            "",
        ]);
    }

    fn mean_args(out: &str) -> Vec<&str> {
        vec![
            "calib",
            "exp=xpptut15:run=2",
            "--data-dir",
            "data",
            "-c",
            "calib",
            "--mean",
            "--out",
            out,
            "--group",
            "",
        ]
    }

    /// `calib --mean` over 2, 3 and 4 ranks (runs of 32 frames: 3 ranks each get one, the last
    /// partial; the selection `-n` cuts inside a run; with 4, rank 2 merges rank 3's sums before
    /// sending them on in the tree) writes the bytes of one process.
    #[test]
    fn calib_mean_over_2_to_4_ranks_writes_the_file_of_one_process() {
        for streams in [1, 2] {
            let d = Dir::new();
            deployed(&d, streams, 3 * 32 + 5);
            for extra in [&[][..], &["-n", "70"][..]] {
                d.ok(&[&mean_args("one.npy")[..], extra].concat());
                let want = std::fs::read(d.join("one.npy")).unwrap();
                let mean = detcal::formats::load_array(&d.join("one.npy"))
                    .unwrap()
                    .to_f64();
                assert!(mean.iter().any(|&v| v != 0.0), "a mean image of zeros");
                for k in [2, 3, 4] {
                    let out = format!("m{k}.npy");
                    let o = mpirun(&d, k, &[&mean_args(&out)[..], extra].concat());
                    assert!(
                        o.status.success(),
                        "mpirun -n {k}:\n{}\n{}",
                        String::from_utf8_lossy(&o.stdout),
                        String::from_utf8_lossy(&o.stderr)
                    );
                    let got = std::fs::read(d.join(&out)).unwrap();
                    assert!(got == want, "{streams} stream(s) {extra:?}: -n {k} differs");
                    // Rank 0 reports the frames of every rank, once.
                    let stdout = String::from_utf8_lossy(&o.stdout);
                    let frames = if extra.is_empty() { 3 * 32 + 5 } else { 70 };
                    assert_eq!(
                        stdout.matches(&format!("mean of {frames} frames")).count(),
                        1,
                        "{stdout}"
                    );
                }
            }
        }
    }

    /// The files of a repository but its logs (which hold times); the number of log files.
    fn repo_files(dir: &Path) -> (BTreeMap<String, Vec<u8>>, usize) {
        let mut all = files_of(dir);
        let logs: Vec<String> = all
            .keys()
            .filter(|k| k.split('/').any(|c| c == "logs"))
            .cloned()
            .collect();
        for k in &logs {
            all.remove(k);
        }
        (all, logs.len())
    }

    /// `pixel-status` (features 1-3 on a dark run of 3 panels) over 2 ranks (panels 0-1 and 2)
    /// and 3 (one each) writes the maps of one process.
    #[test]
    fn pixel_status_over_2_and_3_ranks_writes_the_maps_of_one_process() {
        let d = Dir::new();
        simulate_streams(&d, "data", 3, 1, 40);
        let args = |out: &str| {
            [
                "pixel-status",
                "exp=xpptut15:run=1",
                "--data-dir",
                "data",
                "-o",
                out,
                "--group",
                "",
            ]
            .map(String::from)
            .to_vec()
        };
        let ok = |o: std::process::Output, what: &str| {
            assert!(
                o.status.success(),
                "{what}:\n{}\n{}",
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr)
            );
            String::from_utf8_lossy(&o.stdout).into_owned()
        };
        let listed = d.ok(&args("one").iter().map(String::as_str).collect::<Vec<_>>());
        let (want, logs) = repo_files(&d.join("one"));
        // 3 steps x 3 panels, and the alias table.
        assert_eq!(want.len(), 10, "{:?}", want.keys());
        for k in [2, 3] {
            let out = format!("ranks{k}");
            let a = args(&out);
            let o = mpirun(&d, k, &a.iter().map(String::as_str).collect::<Vec<_>>());
            let stdout = ok(o, &format!("-n {k}"));
            let (got, got_logs) = repo_files(&d.join(&out));
            assert_same(&got, &want, &format!("-n {k}"));
            assert_eq!(got_logs, logs, "-n {k}: log files");
            // Rank 0 lists the maps, as one process does.
            assert_eq!(stdout.lines().count(), listed.lines().count(), "{stdout}");
        }
    }

    /// Feature 11 (maxima of a light run minus pedestals, zeros where none are deployed, with
    /// psana's work files) over 2 ranks (a panel each) and 3 (rank 2 has none).
    #[test]
    fn pixel_status_feature_11_over_ranks_writes_maps_and_work_files_of_one_process() {
        let d = Dir::new();
        d.ok(&[
            "simulate",
            "--out",
            "data",
            "--panels",
            "2",
            "--shape",
            "32x128",
            "-n",
            "3",
            "--light-events",
            "40",
            "--seed",
            "9",
            "--group",
            "",
        ]);
        std::fs::create_dir(d.join("calib")).unwrap();
        let args = |out: &str| {
            [
                "pixel-status",
                "exp=xpptut15:run=2",
                "--data-dir",
                "data",
                "-F",
                "11",
                "--calib-dir",
                "calib",
                "-o",
                out,
                "--group",
                "",
            ]
            .map(String::from)
            .to_vec()
        };
        d.ok(&args("one").iter().map(String::as_str).collect::<Vec<_>>());
        let (want, _) = repo_files(&d.join("one"));
        assert!(
            want.keys().filter(|k| k.contains("/work/")).count() == 4,
            "{:?}",
            want.keys()
        );
        for k in [2, 3] {
            let out = format!("ranks{k}");
            let a = args(&out);
            let o = mpirun(&d, k, &a.iter().map(String::as_str).collect::<Vec<_>>());
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            assert_same(&repo_files(&d.join(&out)).0, &want, &format!("-n {k}"));
        }
    }

    fn walk_logs(dir: &Path) -> Vec<std::path::PathBuf> {
        let mut out = Vec::new();
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                out.extend(walk_logs(&p));
            } else if p.extension().is_some_and(|x| x == "txt") {
                out.push(p);
            }
        }
        out
    }
}

#[cfg(not(feature = "mpi"))]
#[test]
fn mpi_flag_without_the_feature_is_a_clear_error() {
    let d = Dir::new();
    simulate(&d, 5);
    let o = d.run(&[
        "dark",
        "exp=xpptut15:run=1",
        "--data-dir",
        "data",
        "-o",
        "r",
        "--mpi",
    ]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("--mpi") && err.contains("--features mpi"),
        "{err}"
    );
    assert!(!d.join("r").exists(), "nothing should be written");
}

/// Started as one of several MPI processes by a launcher, a build without MPI refuses to work
/// (each rank would do the whole job); a build with MPI would need the real launcher.
#[cfg(not(feature = "mpi"))]
#[test]
fn launched_by_mpirun_without_the_feature_is_a_clear_error() {
    let d = Dir::new();
    simulate(&d, 5);
    let o = d
        .cmd()
        .env("OMPI_COMM_WORLD_SIZE", "4")
        .args([
            "dark",
            "exp=xpptut15:run=1",
            "--data-dir",
            "data",
            "-o",
            "r",
        ])
        .output()
        .unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("4 MPI processes"), "{err}");
}
