//! The demo's report and every file it writes stay byte for byte what they were: a golden list
//! of file names and content hashes, with time stamps, host, user and paths taken out.
//!
//! To rewrite the golden file from a demo directory made by another build (for example the one
//! before a refactoring), run this test with `DETCAL_GOLDEN_FROM=<dir>` and
//! `DETCAL_UPDATE_GOLDEN=1`; the directory must come from the same arguments as [`ARGS`].

use std::path::Path;

use crate::util::Dir;

/// The demo's arguments: small, so the test is quick.
const ARGS: [&str; 10] = [
    "--panels",
    "1",
    "--shape",
    "64x256",
    "-n",
    "20",
    "--light-events",
    "10",
    "--seed",
    "1",
];

/// The golden list.
const GOLDEN: &str = "tests/golden/demo-1x64x256.txt";

/// FNV-1a, 64 bits: a hash small enough to write here, stable across Rust versions.
fn fnv64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// Replaces the value after `key` (up to the next space or end of line) with `*`.
fn blank_after(line: &str, key: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(i) = rest.find(key) {
        out.push_str(&rest[..i + key.len()]);
        out.push('*');
        rest = &rest[i + key.len()..];
        let end = rest.find([' ', '\n']).unwrap_or(rest.len());
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// The content of a file with what differs between runs taken out: the header lines of psana
/// text files that name host, directory, file, time and user; the copy records of HISTORY; the
/// time and user of panel aliases; the run time in the report; and the demo directory's own path.
fn normalized(rel: &str, bytes: &[u8], dir: &str) -> Vec<u8> {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return bytes.to_vec();
    };
    let text = text.replace(dir, "<DIR>");
    let mut out = String::new();
    for line in text.split_inclusive('\n') {
        let volatile = [
            "# HOST",
            "# WORK_DIR",
            "# FILE_NAME",
            "# DATE_TIME",
            "# UID",
        ];
        if volatile.iter().any(|v| line.starts_with(v)) {
            continue;
        }
        let mut l = line.to_string();
        if rel.ends_with("HISTORY") {
            for key in ["user:", "host:", "cptime:", "cwd:"] {
                l = blank_after(&l, key);
            }
        }
        if rel
            .rsplit('/')
            .next()
            .is_some_and(|n| n.starts_with(".aliases_"))
        {
            // alias, panel id, time of the first job, experiment, run, user: keep what is not
            // the time or the user.
            let f: Vec<&str> = l.split_whitespace().collect();
            if f.len() >= 5 {
                l = format!("{} {} {} {}\n", f[0], f[1], f[3], f[4]);
            }
        }
        if rel == "report.json" && l.trim_start().starts_with("\"seconds\":") {
            l = "  \"seconds\": *\n".into();
        }
        out.push_str(&l);
    }
    out.into_bytes()
}

/// `<relative path> <hash>` for every file under `dir` but the job logs, sorted.
fn listing(dir: &Path) -> String {
    fn walk(base: &Path, d: &Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            let rel = p.strip_prefix(base).unwrap().to_string_lossy().into_owned();
            if p.is_dir() {
                // Job logs hold the time and command line of each job; they are not results.
                if !rel.ends_with("logs") {
                    walk(base, &p, out);
                }
            } else {
                let bytes = std::fs::read(&p).unwrap();
                let norm = normalized(&rel, &bytes, &base.to_string_lossy());
                out.push(format!("{rel} {:016x}", fnv64(&norm)));
            }
        }
    }
    let mut lines = Vec::new();
    walk(dir, dir, &mut lines);
    lines.sort();
    lines.join("\n") + "\n"
}

#[test]
fn demo_files_match_the_golden_list() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let golden = manifest.join(GOLDEN);
    let update = std::env::var_os("DETCAL_UPDATE_GOLDEN").is_some();
    if let Some(from) = std::env::var_os("DETCAL_GOLDEN_FROM") {
        assert!(update, "DETCAL_GOLDEN_FROM needs DETCAL_UPDATE_GOLDEN=1");
        std::fs::write(&golden, listing(Path::new(&from))).unwrap();
        return;
    }
    let d = Dir::new();
    let demo = d.join("demo");
    let out = d
        .cmd()
        .arg("demo")
        .arg("--dir")
        .arg(&demo)
        .args(ARGS)
        .arg("--json")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "demo failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The report printed is the report written.
    let printed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let written: serde_json::Value =
        serde_json::from_slice(&std::fs::read(demo.join("report.json")).unwrap()).unwrap();
    assert_eq!(printed, written);
    let got = listing(&demo);
    if update {
        std::fs::write(&golden, &got).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&golden).unwrap();
    let (got_lines, want_lines): (Vec<&str>, Vec<&str>) =
        (got.lines().collect(), want.lines().collect());
    let differ: Vec<String> = want_lines
        .iter()
        .filter(|l| !got_lines.contains(l))
        .map(|l| format!("want {l}"))
        .chain(
            got_lines
                .iter()
                .filter(|l| !want_lines.contains(l))
                .map(|l| format!("got  {l}")),
        )
        .collect();
    assert!(
        differ.is_empty(),
        "demo files differ:\n{}",
        differ.join("\n")
    );
}

#[test]
fn normalization_takes_out_only_what_varies() {
    let header = "# HOST        vm\n# DATE_TIME   2026\n# DTYPE       float32\n1.0 2.0\n";
    assert_eq!(
        normalized("a.data", header.as_bytes(), "/x"),
        b"# DTYPE       float32\n1.0 2.0\n"
    );
    let hist =
        "file:1-end.data copy_of:/x/p ctype:dark_min user:root host:vm cptime:2026 cwd:/w cmt:\n";
    assert_eq!(
        String::from_utf8(normalized("c/HISTORY", hist.as_bytes(), "/x")).unwrap(),
        "file:1-end.data copy_of:<DIR>/p ctype:dark_min user:* host:* cptime:* cwd:* cmt:\n"
    );
    // A changed value changes the hash.
    let a = normalized("a.data", b"1.0 2.0\n", "/x");
    let b = normalized("a.data", b"1.0 2.5\n", "/x");
    assert_ne!(fnv64(&a), fnv64(&b));
}
