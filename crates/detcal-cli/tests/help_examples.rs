//! Every example in every `--help` runs: the EXAMPLES sections are read from the built binary's
//! help, and each example is executed, in a workflow order, in one scratch directory whose small
//! simulated data the examples themselves make (`detcal simulate` comes first).
//!
//! The only changes made to an example before it runs are those of [`SMALL`] (flags that make
//! the simulated detector small, so the test is quick) and the program path (`detcal`, or a link
//! named like the psana program). Everything else an example names must exist when it runs: it
//! was made by an earlier example, or it is one of the two input files of [`fixture_files`]
//! that a user brings (a bad-pixel map, a vendor gain file).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::util::Dir;

/// psana's program names that the binary answers to (a link with the name, as installed).
const PSANA_NAMES: [&str; 14] = [
    "jungfrau_dark_proc",
    "calibrun",
    "jungfrau_id",
    "event_keys",
    "find_detector_runs",
    "find_runs_for_data_type",
    "find_detector_names",
    "jungfrau_deploy_constants",
    "deploy_constants",
    "geometry_deploy_constants",
    "epix10ka_id",
    "epix10ka_pedestals_calibration",
    "epix10ka_deploy_constants",
    "datinfo",
];

/// The order in which the help pages' examples run: each page's examples, in the order shown,
/// after those of the pages above it (dark before deploy, deploy before calib, ...). It must
/// name every help page; an example that appears on several pages runs once, at its first.
const ORDER: [&str; 37] = [
    "simulate",
    "info",
    "epix10ka-id",
    "jungfrau-id",
    "event-keys",
    "find-detector-runs",
    "find-runs-for-data-type",
    "find-detector-names",
    "datinfo",
    "extract",
    "dark",
    "epix10ka-pedestals-calibration",
    "calibrun",
    "deploy",
    "gain-constants",
    "gain-import",
    "pixel-status",
    "repo",
    "repo put",
    "repo default",
    "deploy-constants",
    "calib",
    "export-psana2",
    "common-mode",
    "convert",
    "deploy-file",
    "find",
    "show",
    "plot",
    "geometry",
    "geometry default",
    "geometry arrays",
    "geometry crystfel",
    "geometry from-crystfel",
    "geometry deploy",
    "image",
    "demo",
];

/// Small sizes instead of the examples' big ones, per detcal command: `(flag[/alias], value)`.
/// A flag the example gives has its value replaced; one it does not give is appended. The
/// simulated panels are 64 x 256 pixels (JUNGFRAU's are 512 x 1024) with 20 events per dark
/// step, so the whole test takes seconds.
const SMALL: [(&str, &[(&str, &str)]); 2] = [
    (
        "simulate",
        &[
            ("--shape", "64x256"),
            ("--events/-n", "20"),
            ("--light-events", "20"),
        ],
    ),
    (
        "demo",
        &[
            ("--panels/-p", "1"),
            ("--shape", "64x256"),
            ("--events/-n", "20"),
        ],
    ),
];

/// Rows and columns of a panel in [`SMALL`], and the panels of the simulate example.
const ROWS: usize = 64;
const COLS: usize = 256;
const PANELS: usize = 2;

/// One example: the help page it is on, its words, and the exit status it documents.
#[derive(Debug, Clone)]
struct Example {
    page: String,
    line: String,
    words: Vec<String>,
    status: i32,
}

/// `detcal args... --help`, stdout.
fn help(d: &Dir, page: &str) -> String {
    let mut args: Vec<&str> = page.split_whitespace().collect();
    args.push("--help");
    d.ok(&args)
}

/// The subcommands listed under `Commands:` in a help text, without `help`.
fn subcommands(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|l| l.trim() != "Commands:")
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .map(str::to_string)
        .collect()
}

/// The example command lines of a help text's EXAMPLES (or EXAMPLE) section: its indented
/// lines up to the next blank or unindented line, a line ending in `\` continued on the next,
/// and a trailing `(comment)` split off. The exit status is 1 when the comment says
/// "exit status 1", else 0.
fn examples(page: &str, help: &str) -> Vec<Example> {
    let mut joined: Vec<String> = Vec::new();
    let mut continued = false;
    let mut section = help
        .lines()
        .skip_while(|l| !matches!(l.trim_end(), "EXAMPLES:" | "EXAMPLE:"))
        .skip(1)
        .peekable();
    let mut lines = Vec::new();
    while let Some(l) = section.next_if(|l| l.starts_with(' ') && !l.trim().is_empty()) {
        lines.push(l);
    }
    // The section ends at a blank line, a heading or the end: anything else is an example
    // wrapped by clap (a line wider than the help's 100 columns).
    if let Some(next) = section.next() {
        assert!(
            next.trim().is_empty() || next.ends_with(':'),
            "{page}: the EXAMPLES section ends in {next:?}: an example line is too long"
        );
    }
    for l in lines {
        let text = l.trim();
        let (text, cont) = match text.strip_suffix('\\') {
            Some(t) => (t.trim_end(), true),
            None => (text, false),
        };
        if continued {
            let last = joined.last_mut().expect("a continued line");
            last.push(' ');
            last.push_str(text);
        } else {
            joined.push(text.to_string());
        }
        continued = cont;
    }
    assert!(!continued, "{page}: the last example ends in '\\'");
    joined
        .into_iter()
        .map(|line| {
            let (cmd, comment) = match line.find(" (") {
                Some(i) if line.ends_with(')') => (line[..i].trim(), &line[i..]),
                _ => (line.as_str(), ""),
            };
            assert!(
                !cmd.contains(['\'', '"', '$', '`', '|', '>', '<', '(', ')']),
                "{page}: example {line:?} needs a shell; the test splits words at spaces"
            );
            let words: Vec<String> = cmd.split_whitespace().map(str::to_string).collect();
            assert!(
                words[0] == "detcal" || PSANA_NAMES.contains(&words[0].as_str()),
                "{page}: example {line:?} does not start with detcal or a psana program name"
            );
            Example {
                page: page.to_string(),
                line: line.clone(),
                words,
                status: if comment.contains("exit status 1") {
                    1
                } else {
                    0
                },
            }
        })
        .collect()
}

/// The detcal command an example runs (`repo put`, `dark` for jungfrau_dark_proc, ...).
fn command_of(words: &[String]) -> String {
    match words[0].as_str() {
        "detcal" => words[1].clone(),
        "jungfrau_dark_proc" => "dark".into(),
        "jungfrau_deploy_constants" | "epix10ka_deploy_constants" => "deploy".into(),
        "epix10ka_pedestals_calibration" => "epix10ka-pedestals-calibration".into(),
        "geometry_deploy_constants" => "geometry".into(),
        "calibrun" => "calibrun".into(),
        "jungfrau_id" => "jungfrau-id".into(),
        "event_keys" => "event-keys".into(),
        "find_detector_runs" => "find-detector-runs".into(),
        "find_runs_for_data_type" => "find-runs-for-data-type".into(),
        "find_detector_names" => "find-detector-names".into(),
        _ => "deploy-constants".into(),
    }
}

/// The arguments after the program name, with [`SMALL`]'s sizes.
fn small_args(words: &[String]) -> Vec<String> {
    let mut args: Vec<String> = words[1..].to_vec();
    let cmd = command_of(words);
    if let Some((_, subs)) = SMALL.iter().find(|(c, _)| *c == cmd) {
        for (flags, value) in subs.iter() {
            let names: Vec<&str> = flags.split('/').collect();
            match args.iter().position(|a| names.contains(&a.as_str())) {
                Some(i) => args[i + 1] = value.to_string(),
                None => args.extend([names[0].to_string(), value.to_string()]),
            }
        }
    }
    args
}

/// A .npy v1.0 file of `u8` values.
fn write_npy_u8(path: &Path, shape: &[usize], data: &[u8]) {
    let dims: Vec<String> = shape.iter().map(usize::to_string).collect();
    let mut header = format!(
        "{{'descr': '|u1', 'fortran_order': False, 'shape': ({},), }}",
        dims.join(", ")
    );
    while (10 + header.len() + 1) % 64 != 0 {
        header.push(' ');
    }
    header.push('\n');
    let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
    bytes.extend((header.len() as u16).to_le_bytes());
    bytes.extend(header.as_bytes());
    bytes.extend(data);
    std::fs::write(path, bytes).unwrap();
}

/// A .npy v1.0 file of `u16` values.
fn write_npy_u16(path: &Path, shape: &[usize], data: &[u16]) {
    let dims: Vec<String> = shape.iter().map(usize::to_string).collect();
    let mut header = format!(
        "{{'descr': '<u2', 'fortran_order': False, 'shape': ({}), }}",
        dims.join(", ")
    );
    while (10 + header.len() + 1) % 64 != 0 {
        header.push(' ');
    }
    header.push('\n');
    let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
    bytes.extend((header.len() as u16).to_le_bytes());
    bytes.extend(header.as_bytes());
    bytes.extend(data.iter().flat_map(|v| v.to_le_bytes()));
    std::fs::write(path, bytes).unwrap();
}

/// The files a user brings that no example makes: `mask.npy`, a hand-made bad-pixel map of the
/// simulated detector (repo put), a vendor gain file of one module (gain-import),
/// `epix.npy`, a dark stack of one ePix10ka panel (6 frames of 352 x 384), and `epix100a.npy`,
/// raw frames of an ePix100a (2 frames of 704 x 768; common-mode).
fn fixture_files(d: &Dir) {
    // psana's geometry repository of `geometry deploy -o` (its file comes from `geometry default`).
    std::fs::create_dir_all(d.join("geo/jungfrau")).unwrap();
    let epix100a: Vec<u16> = (0..2 * 704 * 768usize)
        .map(|i| 1000 + ((i * 7919) % 13) as u16 + ((i / 768) % 5) as u16)
        .collect();
    write_npy_u16(&d.join("epix100a.npy"), &[2, 704, 768], &epix100a);
    let epix: Vec<u16> = (0..6 * 352 * 384usize)
        .map(|i| 2500 + (i % 384) as u16 + ((i * 7919) % 13) as u16)
        .collect();
    write_npy_u16(&d.join("epix.npy"), &[6, 352, 384], &epix);
    let mut mask = vec![0u8; PANELS * ROWS * COLS];
    for i in (0..mask.len()).step_by(997) {
        mask[i] = 1;
    }
    write_npy_u8(&d.join("mask.npy"), &[PANELS, ROWS, COLS], &mask);
    let gains: Vec<u8> = (0..3 * 512 * 1024)
        .flat_map(|i| (40.0 / (1 + i / (512 * 1024)) as f64).to_le_bytes())
        .collect();
    std::fs::write(d.join("gainMaps_M088_2021-03-01.bin"), gains).unwrap();
}

/// Every help page's examples, page by page as `detcal --help` lists them.
fn all_examples(d: &Dir) -> BTreeMap<String, Vec<Example>> {
    let mut pages: Vec<String> = subcommands(&help(d, ""));
    let nested: Vec<String> = pages
        .iter()
        .flat_map(|p| {
            subcommands(&help(d, p))
                .into_iter()
                .map(move |s| format!("{p} {s}"))
        })
        .collect();
    assert!(
        nested.contains(&"repo put".to_string()),
        "repo's subcommands: {nested:?}"
    );
    pages.extend(nested);
    assert!(pages.len() >= ORDER.len(), "help pages: {pages:?}");
    pages
        .into_iter()
        .map(|p| {
            let ex = examples(&p, &help(d, &p));
            (p, ex)
        })
        .collect()
}

#[test]
fn example_extraction_joins_lines_and_splits_comments() {
    let text = "\
Usage: x

EXAMPLES:
    detcal a --x 1 \\
        --y 2
    detcal b --z      (a comment, with a comma)
    detcal find --run 5 \\
        (exit status 1: nothing)
    jungfrau_dark_proc -d exp=a:run=1

NOT AN EXAMPLE:
    detcal c";
    let ex = examples("t", text);
    let words: Vec<Vec<String>> = ex.iter().map(|e| e.words.clone()).collect();
    assert_eq!(
        words,
        [
            vec!["detcal", "a", "--x", "1", "--y", "2"],
            vec!["detcal", "b", "--z"],
            vec!["detcal", "find", "--run", "5"],
            vec!["jungfrau_dark_proc", "-d", "exp=a:run=1"],
        ]
    );
    let status: Vec<i32> = ex.iter().map(|e| e.status).collect();
    assert_eq!(status, [0, 0, 1, 0]);
    assert!(examples("t", "Usage: x\n\nOptions:\n  -h").is_empty());
    let wrapped = std::panic::catch_unwind(|| examples("t", "EXAMPLES:\n    detcal a (b\nc)\n"));
    assert!(wrapped.is_err(), "a wrapped example line is not noticed");
    let w = |s: &str| s.split(' ').map(str::to_string).collect::<Vec<_>>();
    assert_eq!(
        small_args(&w("detcal demo --panels 8 --energy 6")),
        w("demo --panels 1 --energy 6 --shape 64x256 --events 20")
    );
    assert_eq!(small_args(&w("detcal show a")), w("show a"));
}

#[test]
fn every_help_example_runs() {
    let t0 = Instant::now();
    let d = Dir::new();
    let pages = all_examples(&d);
    let listed: BTreeSet<&str> = pages.keys().map(String::as_str).collect();
    let ordered: BTreeSet<&str> = ORDER.iter().copied().collect();
    assert_eq!(
        listed, ordered,
        "ORDER must name every help page, and only those"
    );
    for (p, ex) in &pages {
        assert!(!ex.is_empty(), "`detcal {p} --help` has no EXAMPLES");
    }
    for name in PSANA_NAMES {
        assert!(
            pages.values().flatten().any(|e| e.words[0] == name),
            "no example shows psana's name {name}"
        );
    }

    fixture_files(&d);
    let bin = assert_cmd::cargo::cargo_bin("detcal");
    let links = d.join("bin");
    std::fs::create_dir(&links).unwrap();
    for name in PSANA_NAMES {
        std::os::unix::fs::symlink(&bin, links.join(name)).unwrap();
    }

    let mut done: BTreeSet<Vec<String>> = BTreeSet::new();
    let mut ran = 0;
    for page in ORDER {
        for e in &pages[page] {
            if !done.insert(e.words.clone()) {
                continue;
            }
            let program: PathBuf = match e.words[0].as_str() {
                "detcal" => bin.clone(),
                name => links.join(name),
            };
            let args = small_args(&e.words);
            let t = Instant::now();
            let out = std::process::Command::new(&program)
                .args(&args)
                .current_dir(d.path())
                .env("TZ", "UTC")
                .env("SIT_ROOT", d.join("sit"))
                .env("SIT_PSDM_DATA", d.join("data"))
                .env_remove("DETCAL_LOG")
                .output()
                .expect("run the example");
            eprintln!(
                "[{:5.2} s] {page}: {} {}",
                t.elapsed().as_secs_f64(),
                e.words[0],
                args.join(" ")
            );
            assert_eq!(
                out.status.code(),
                Some(e.status),
                "`detcal {}` example {:?} (run as {} {}):\nstdout:\n{}\nstderr:\n{}",
                e.page,
                e.line,
                e.words[0],
                args.join(" "),
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            ran += 1;
        }
    }
    // What the examples promise to make is there.
    for f in [
        "calib/Jungfrau::CalibV1/jungfrau.0:Jungfrau.0/pedestals/1-end.data",
        "calib/Jungfrau::CalibV1/jungfrau.0:Jungfrau.0/pixel_gain/2-end.data",
        "calib/Jungfrau::CalibV1/CxiDs1.0:Jungfrau.0/pedestals/23-end.data",
        "data/XPP/xpptut15/calib/Jungfrau::CalibV1/jungfrau.0:Jungfrau.0/status_extra/0-end.data",
        "data/XPP/xpptut15/calib/Epix100a::CalibV1/epix100.0:Epix100a.0/pixel_gain/0-end.data",
        "gains/190408-181206-50c246de810058-20210301000000/g0_gain.npy",
        "calib.npy",
        "cm.npy",
        "cm6.npy",
        "mean.png",
        "status.png",
        "data/XPP/xpptut15/calib/Jungfrau::CalibV1/jungfrau.0:Jungfrau.0/pedestals/2-end.data",
        "data/XPP/xpptut15/calib/Jungfrau::CalibV1/jungfrau.0:Jungfrau.0/common_mode/0-end.data",
        "jf/report.json",
        "detcal-demo/report.json",
        "jf4m.npz",
        "event3.png",
        "raw0.npy",
        "seg3.npz",
        "jf4m.geom",
        "jf4m-back.data",
        "calib/Jungfrau::CalibV1/CxiDs1.0:Jungfrau.0/geometry/5-end.data",
        "calib/Jungfrau::CalibV1/CxiDs1.0:Jungfrau.0/geometry/7-end.data",
        "geo/jungfrau/jungfrau_default.data",
        "epixrepo/epixpanel1/pedestals/epix10ka_0001_20210223203420_xpptut15_r0001_pedestals_FM.dat",
        "calib/Epix10ka::CalibV1/epix10ka.0:Epix10ka.0/pedestals/1-end.data",
    ] {
        assert!(d.join(f).exists(), "no {f} after the examples");
    }
    eprintln!("{ran} examples in {:.1} s", t0.elapsed().as_secs_f64());
}

#[test]
fn repo_default_without_value_says_what_is_missing() {
    let d = Dir::new();
    let err = d.fails(
        &[
            "repo",
            "default",
            "--det-type",
            "epix100a",
            "--ctype",
            "gain",
            "-o",
            "c",
        ],
        2,
    );
    assert!(err.contains("--value"), "{err}");
    let out = d.ok(&[
        "repo",
        "default",
        "--det-type",
        "jungfrau",
        "--ctype",
        "common_mode",
        "-o",
        "c",
    ]);
    let text = std::fs::read_to_string(d.join(out.trim())).unwrap();
    let values: Vec<f64> = text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .flat_map(|l| l.split_whitespace().map(|v| v.parse::<f64>().unwrap()))
        .collect();
    assert_eq!(values.len(), 16, "{text}");
}
