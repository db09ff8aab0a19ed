//! Hostile input files: `detcal show` and `convert` exit 2 with a one-line error, never panic.
//!
//! The mutation test reads 10,000 seeded random mutations of a valid constants file with the
//! library reader `detcal show` calls (`formats::load_array`, then `summary::summarize`)
//! in-process, and runs the `detcal` binary itself on every 50th of them (200 runs): starting the
//! binary 10,000 times would take minutes. Both must agree on which mutations are errors.

use std::path::Path;
use std::process::Output;

use detcal::NdArray;
use detcal::formats::load_array;
use detcal::formats::text::{HeaderInfo, TextOptions, encode_text};
use detcal::summary::summarize;
use ndarray::{ArrayD, IxDyn};

use crate::util::Dir;

/// Requires `detcal` to have failed cleanly: exit status 2 and one line of stderr starting with
/// `detcal: error:` and naming `file`. Returns that line.
fn clean_failure(out: &Output, file: &str, what: &str) -> String {
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(!err.contains("panicked"), "{what}: panic: {err}");
    assert_eq!(out.status.code(), Some(2), "{what}: stderr: {err}");
    assert_eq!(
        err.trim_end().lines().count(),
        1,
        "{what}: one line: {err:?}"
    );
    assert!(err.starts_with("detcal: error: "), "{what}: {err}");
    assert!(err.contains(file), "{what}: names the file: {err}");
    err
}

#[test]
fn wrapping_dim_product_is_an_error() {
    let d = Dir::new();
    // 4611686018427387905 * 4 wraps around to 4 in 64 bits: the four values seemed to fit.
    std::fs::write(
        d.join("wrap.data"),
        "# NDIM 2\n# DIM:0 4611686018427387905\n# DIM:1 4\n1 2 3 4\n",
    )
    .unwrap();
    let err = clean_failure(&d.run(&["show", "wrap.data"]), "wrap.data", "show");
    assert!(
        err.contains("header shape (4611686018427387905,4) is too large"),
        "{err}"
    );
    clean_failure(
        &d.run(&["convert", "wrap.data", "out.npy"]),
        "wrap.data",
        "convert",
    );
    assert!(!d.join("out.npy").exists());
}

/// A version 1.0 `.npy` file with `header` and `data`.
fn npy_file(header: &str, data: &[u8]) -> Vec<u8> {
    let mut h = header.to_string();
    while !(10 + h.len() + 1).is_multiple_of(64) {
        h.push(' ');
    }
    h.push('\n');
    let mut v = b"\x93NUMPY\x01\x00".to_vec();
    v.extend_from_slice(&(h.len() as u16).to_le_bytes());
    v.extend_from_slice(h.as_bytes());
    v.extend_from_slice(data);
    v
}

#[test]
fn npy_with_overflowing_shape_is_an_error() {
    let d = Dir::new();
    for (name, shape) in [
        ("wrap.npy", "(4611686018427387905, 4)"),
        ("empty.npy", "(0, 4611686018427387905, 4)"),
        ("huge.npy", "(18446744073709551615, 18446744073709551615)"),
    ] {
        let header = format!("{{'descr': '<u1', 'fortran_order': False, 'shape': {shape}, }}");
        std::fs::write(d.join(name), npy_file(&header, &[1, 2, 3, 4])).unwrap();
        let err = clean_failure(&d.run(&["show", name]), name, name);
        assert!(err.contains("is too large"), "{err}");
    }
    // The same header with a shape that fits is read.
    std::fs::write(
        d.join("ok.npy"),
        npy_file(
            "{'descr': '<u1', 'fortran_order': False, 'shape': (2, 2), }",
            &[1, 2, 3, 4],
        ),
    )
    .unwrap();
    assert!(d.ok(&["show", "ok.npy"]).contains("shape:   (2,2)"));
}

/// splitmix64: a small seeded generator, so that the mutations are the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const HUGE: &[&str] = &[
    "4611686018427387905",
    "9223372036854775808",
    "18446744073709551615",
    "18446744073709551616",
    "0",
    "-1",
    "99999999999999999999999",
];

/// One to four random changes: byte flips, insertions, deletions, a truncation, a duplicated
/// line, a huge number in a `# DIM` or `# NDIM` line, a changed dtype.
fn mutate(input: &[u8], rng: &mut Rng) -> Vec<u8> {
    let mut v = input.to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(v.len());
        match rng.below(8) {
            0 if !v.is_empty() => v[at] ^= 1 << rng.below(8),
            1 => v.insert(at, b"0123456789 #-.e\n\t:x\xff"[rng.below(20)]),
            2 if !v.is_empty() => {
                v.remove(at);
            }
            3 => v.truncate(at),
            4 if !v.is_empty() => {
                let start = v[..at]
                    .iter()
                    .rposition(|&b| b == b'\n')
                    .map_or(0, |p| p + 1);
                let end = v[at..]
                    .iter()
                    .position(|&b| b == b'\n')
                    .map_or(v.len(), |p| at + p + 1);
                let line = v[start..end].to_vec();
                v.splice(end..end, line);
            }
            5 | 6 => {
                let key: &[u8] = if rng.below(3) == 0 {
                    b"# NDIM"
                } else {
                    b"# DIM:"
                };
                let found: Vec<usize> = v
                    .windows(key.len())
                    .enumerate()
                    .filter(|(_, w)| *w == key)
                    .map(|(i, _)| i)
                    .collect();
                if found.is_empty() {
                    continue;
                }
                let line = found[rng.below(found.len())];
                let end = v[line..]
                    .iter()
                    .position(|&b| b == b'\n')
                    .map_or(v.len(), |p| line + p);
                let Some(sp) = v[line..end].iter().rposition(|&b| b == b' ') else {
                    continue;
                };
                let n = HUGE[rng.below(HUGE.len())];
                v.splice(line + sp + 1..end, n.bytes());
            }
            _ => {
                let d = ["uint8", "int64", "float64", "uint64", "complex64", ""][rng.below(6)];
                if let Some(p) = v.windows(8).position(|w| w == b"# DTYPE ") {
                    let end = v[p..]
                        .iter()
                        .position(|&b| b == b'\n')
                        .map_or(v.len(), |e| p + e);
                    v.splice(p + 8..end, d.bytes());
                }
            }
        }
    }
    v
}

/// A valid constants file: a (2, 3, 4) float32 array in psana's text format.
fn valid_constants() -> Vec<u8> {
    let a = NdArray::F32(
        ArrayD::from_shape_vec(
            IxDyn(&[2, 3, 4]),
            (0..24).map(|i| i as f32 * 1.25 - 3.0).collect(),
        )
        .unwrap(),
    );
    let info = HeaderInfo {
        host: "HOST".into(),
        work_dir: "/CWD".into(),
        file_name: "c.data".into(),
        date_time: "1970-01-01T00:00:00".into(),
        uid: "USER".into(),
    };
    let mut out = Vec::new();
    encode_text(
        &a,
        &TextOptions::new("%.3f").unwrap(),
        &info,
        &mut out,
        Path::new("c.data"),
    )
    .unwrap();
    out
}

#[test]
fn mutated_constants_never_panic() {
    const MUTATIONS: usize = 10_000;
    const BINARY_EVERY: usize = 50;
    let d = Dir::new();
    let valid = valid_constants();
    std::fs::write(d.join("valid.data"), &valid).unwrap();
    assert!(d.ok(&["show", "valid.data"]).contains("shape:   (2,3,4)"));
    let mut rng = Rng(0x5eed_0fde_7ca1);
    let (mut ok, mut errors) = (0, 0);
    for i in 0..MUTATIONS {
        let bytes = mutate(&valid, &mut rng);
        let name = format!("m{i}.data");
        let path = d.join(&name);
        std::fs::write(&path, &bytes).unwrap();
        // What `detcal show` does: read the file, then summarize it.
        let lib = load_array(&path);
        match &lib {
            Ok(a) => {
                assert_eq!(summarize(a, false).size, a.len());
                ok += 1;
            }
            Err(e) => {
                let msg = e.to_string();
                assert!(!msg.contains('\n'), "mutation {i}: {msg:?}");
                assert!(msg.contains(&name), "mutation {i}: {msg}");
                errors += 1;
            }
        }
        if i % BINARY_EVERY == 0 {
            let out = d.run(&["show", &name]);
            if lib.is_ok() {
                assert_eq!(
                    out.status.code(),
                    Some(0),
                    "mutation {i}: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
            } else {
                clean_failure(&out, &name, &format!("mutation {i}"));
            }
        }
        std::fs::remove_file(&path).unwrap();
    }
    // The mutations reach both outcomes (else they test nothing).
    assert!(ok > 100 && errors > 1000, "{ok} read, {errors} errors");
}
