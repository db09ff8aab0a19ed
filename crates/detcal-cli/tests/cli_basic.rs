//! `find`, `convert`, `show`, `deploy-file`: behaviour and bad input.

use std::os::unix::fs::MetadataExt;

use detcal::NdArray;
use detcal::files::Perms;
use detcal::formats::{load_array, npy};
use ndarray::{ArrayD, IxDyn};
use proptest::prelude::*;

use crate::util::Dir;

fn write_npy(dir: &Dir, name: &str, arr: &NdArray) -> String {
    npy::write_npy(
        &dir.join(name),
        arr,
        &Perms {
            group: None,
            ..Perms::default()
        },
    )
    .unwrap();
    name.to_string()
}

fn f32_array(shape: &[usize]) -> NdArray {
    let n: usize = shape.iter().product();
    NdArray::F32(
        ArrayD::from_shape_vec(
            IxDyn(shape),
            (0..n).map(|i| (i as f32) * 0.37 - 11.0).collect(),
        )
        .unwrap(),
    )
}

#[test]
fn find_prints_the_file_or_exits_1() {
    let d = Dir::new();
    let dir = d.join("calib/Jungfrau::CalibV1/CxiDs1.0:Jungfrau.0/pedestals");
    std::fs::create_dir_all(&dir).unwrap();
    for name in [
        "1-end.data",
        "5-end.data",
        "3-15.data",
        "HISTORY",
        "1-2-3.data",
    ] {
        std::fs::write(dir.join(name), "1\n").unwrap();
    }
    let args = |run: &str| {
        vec![
            "find",
            "-c",
            "calib",
            "-s",
            "CxiDs1.0:Jungfrau.0",
            "-t",
            "pedestals",
            "-r",
            run,
        ]
        .into_iter()
        .map(String::from)
        .collect::<Vec<_>>()
    };
    let run = |r: &str| {
        let a = args(r);
        d.ok(&a.iter().map(String::as_str).collect::<Vec<_>>())
    };
    assert!(run("4").trim_end().ends_with("pedestals/3-15.data"));
    assert!(run("12345").trim_end().ends_with("pedestals/5-end.data"));
    let a = args("0");
    let err = d.fails(&a.iter().map(String::as_str).collect::<Vec<_>>(), 1);
    assert!(err.contains("no pedestals file for run 0"), "{err}");
    assert!(
        err.contains("skipping calibration file \"1-2-3.data\""),
        "{err}"
    );
    // A missing calib directory is "not found", not an error.
    let err = d.fails(
        &[
            "find",
            "-c",
            "nowhere",
            "-s",
            "CxiDs1.0:Jungfrau.0",
            "-t",
            "pedestals",
            "-r",
            "1",
        ],
        1,
    );
    assert!(err.contains("no pedestals file"), "{err}");
    // Without --calib-dir the experiment's store under SIT_PSDM_DATA is used.
    let err = d.fails(
        &[
            "find",
            "-e",
            "cxi83714",
            "-s",
            "CxiDs1.0:Jungfrau.0",
            "-t",
            "pedestals",
            "-r",
            "1",
        ],
        2,
    );
    assert!(
        err.contains("SIT_PSDM_DATA") && err.contains("--calib-dir"),
        "{err}"
    );
    let out = d
        .cmd()
        .env("SIT_PSDM_DATA", d.path())
        .args([
            "find",
            "-e",
            "cxi83714",
            "-s",
            "CxiDs1.0:Jungfrau.0",
            "-t",
            "pedestals",
            "-r",
            "1",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("CXI/cxi83714/calib/Jungfrau::CalibV1"));
}

#[test]
fn convert_round_trips_every_dtype_and_rank() {
    let d = Dir::new();
    for rank in 1..=4usize {
        let shape: Vec<usize> = (0..rank).map(|i| [3, 2, 4, 5][i]).collect();
        let n: usize = shape.iter().product();
        let sh = IxDyn(&shape);
        let arrays = [
            NdArray::U8(
                ArrayD::from_shape_vec(sh.clone(), (0..n).map(|i| (i * 7 % 256) as u8).collect())
                    .unwrap(),
            ),
            NdArray::U16(
                ArrayD::from_shape_vec(
                    sh.clone(),
                    (0..n).map(|i| (i * 1999 % 65536) as u16).collect(),
                )
                .unwrap(),
            ),
            NdArray::U32(
                ArrayD::from_shape_vec(
                    sh.clone(),
                    (0..n)
                        .map(|i| (i as u32).wrapping_mul(40_000_000))
                        .collect(),
                )
                .unwrap(),
            ),
            NdArray::U64(
                ArrayD::from_shape_vec(sh.clone(), (0..n).map(|i| u64::MAX - i as u64).collect())
                    .unwrap(),
            ),
            NdArray::I32(
                ArrayD::from_shape_vec(sh.clone(), (0..n).map(|i| i as i32 * -12345).collect())
                    .unwrap(),
            ),
            NdArray::F32(
                ArrayD::from_shape_vec(
                    sh.clone(),
                    (0..n).map(|i| (i as f32).sqrt() * -1e-3).collect(),
                )
                .unwrap(),
            ),
            NdArray::F64(
                ArrayD::from_shape_vec(sh, (0..n).map(|i| (i as f64).exp() / 3.0).collect())
                    .unwrap(),
            ),
        ];
        for (k, arr) in arrays.iter().enumerate() {
            let src = write_npy(&d, &format!("in{rank}_{k}.npy"), arr);
            for ext in ["data", "txt", "dat"] {
                let txt = format!("t{rank}_{k}.{ext}");
                let back = format!("b{rank}_{k}_{ext}.npy");
                d.ok(&["convert", &src, &txt]);
                d.ok(&["convert", &txt, &back]);
                let got = load_array(&d.join(&back)).unwrap();
                if ext == "dat" {
                    // Plain text has no header: psana reads it as float32 in the text layout.
                    assert_eq!(got.dtype(), detcal::DType::F32);
                    let rows: usize = shape[..rank - 1].iter().product();
                    let layout = if rank == 1 || rows == 1 {
                        vec![n]
                    } else {
                        vec![rows, shape[rank - 1]]
                    };
                    assert_eq!(got.shape(), &layout[..]);
                    if matches!(
                        arr.dtype(),
                        detcal::DType::U8 | detcal::DType::U16 | detcal::DType::F32
                    ) {
                        assert_eq!(
                            got,
                            arr.cast(detcal::DType::F32).reshape(&layout).unwrap(),
                            "{:?}",
                            arr.dtype()
                        );
                    }
                } else {
                    assert_eq!(&got, arr, "{ext} {:?} rank {rank}", arr.dtype());
                }
            }
        }
    }
}

#[test]
fn convert_with_psana_format_and_headerless_input() {
    let d = Dir::new();
    write_npy(&d, "p.npy", &f32_array(&[3, 1, 4, 6]));
    d.ok(&["convert", "p.npy", "p.txt", "--fmt", "%.3f"]);
    let text = std::fs::read_to_string(d.join("p.txt")).unwrap();
    assert!(text.contains(
        "# SHAPE       (3,1,4,6)\n# DATATYPE    float32\n\n# DTYPE       float32\n# NDIM        4\n"
    ));
    assert!(text.ends_with("\n"));
    assert_eq!(
        text.lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .count(),
        12
    );
    assert!(
        text.contains("\n-11.000 -10.630 -10.260 -9.890 -9.520 -9.150\n"),
        "{text}"
    );
    // A file without header reads as float32 in its text layout.
    std::fs::write(d.join("plain.txt"), "1 2 3\n4 5 6\n").unwrap();
    d.ok(&["convert", "plain.txt", "plain.npy"]);
    let got = load_array(&d.join("plain.npy")).unwrap();
    assert_eq!(
        got,
        NdArray::F32(
            ArrayD::from_shape_vec(IxDyn(&[2, 3]), vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]).unwrap()
        )
    );
}

#[test]
fn malformed_inputs_give_one_line_errors() {
    let d = Dir::new();
    let cases: &[(&str, &str, &str)] = &[
        (
            "nonnum.txt",
            "1 2\n3 abc\n",
            "nonnum.txt:2: \"abc\" is not a number",
        ),
        (
            "ragged.txt",
            "1 2 3\n4 5\n",
            "ragged.txt:2: 2 values on this line, but line 1 has 3",
        ),
        (
            "ndim.txt",
            "# NDIM        3\n# DIM:0       2\n# DIM:1       2\n1 2\n3 4\n",
            "NDIM 3 but has 2 DIM lines",
        ),
        (
            "size.txt",
            "# NDIM        2\n# DIM:0       2\n# DIM:1       3\n1 2\n3 4\n",
            "header shape (2,3) needs 6 values but the file holds 4",
        ),
        ("empty.txt", "", "no data lines"),
        ("trunc.npy", "\u{93}NUMPY", "not a valid .npy file"),
        ("noext", "1 2\n", "unknown file type"),
    ];
    for (name, content, want) in cases {
        std::fs::write(d.join(name), content).unwrap();
        let err = d.fails(&["convert", name, "out.npy"], 2);
        assert!(err.contains(want), "{name}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{name}: one line: {err}");
        assert!(!err.contains("panicked"), "{err}");
        assert!(!d.join("out.npy").exists(), "no output on error");
    }
    std::fs::create_dir(d.join("adir.txt")).unwrap();
    let err = d.fails(&["convert", "adir.txt", "out.npy"], 2);
    assert!(err.contains("adir.txt: is a directory"), "{err}");
    write_npy(&d, "ok.npy", &f32_array(&[2, 2]));
    std::fs::create_dir(d.join("outdir.txt")).unwrap();
    let err = d.fails(&["convert", "ok.npy", "outdir.txt"], 2);
    assert!(err.contains("is a directory"), "{err}");
    let err = d.fails(&["convert", "missing.npy", "out.txt"], 2);
    assert!(err.contains("missing.npy: cannot open"), "{err}");
    let err = d.fails(&["convert", "ok.npy", "o.txt", "--fmt", "%s"], 2);
    assert!(err.contains("invalid number format \"%s\""), "{err}");
}

#[test]
fn show_reports_statistics_and_status_bits() {
    let d = Dir::new();
    let st =
        NdArray::U16(ArrayD::from_shape_vec(IxDyn(&[2, 3]), vec![0, 1, 2, 64, 65, 0]).unwrap());
    std::fs::create_dir(d.join("pixel_status")).unwrap();
    write_npy(&d, "pixel_status/s.npy", &st);
    let out = d.ok(&["show", "pixel_status/s.npy"]);
    assert!(out.contains("shape:   (2,3)"), "{out}");
    assert!(out.contains("bit  0 (    1): 2"), "{out}");
    assert!(out.contains("bit  6 (   64): 2"), "{out}");
    let json: serde_json::Value =
        serde_json::from_str(&d.ok(&["show", "pixel_status/s.npy", "--json"])).unwrap();
    assert_eq!(json["shape"], serde_json::json!([2, 3]));
    assert_eq!(json["dtype"], "uint16");
    assert_eq!(json["max"], 65.0);
    assert_eq!(
        json["status_bits"][1],
        serde_json::json!({"bit": 2, "count": 1})
    );
    write_npy(&d, "p.npy", &f32_array(&[2, 2]));
    let json: serde_json::Value =
        serde_json::from_str(&d.ok(&["show", "p.npy", "--json"])).unwrap();
    assert!(json.get("status_bits").is_none());
    assert!((json["mean"].as_f64().unwrap() - (-11.0 + 0.37 * 1.5)).abs() < 1e-5);
}

#[test]
fn deploy_file_writes_store_and_history() {
    let d = Dir::new();
    std::fs::write(d.join("peds.txt"), "# DTYPE       float32\n1.000 2.000\n").unwrap();
    let base = [
        "deploy-file",
        "peds.txt",
        "-c",
        "calib",
        "-s",
        "CxiDs1.0:Jungfrau.0",
        "-t",
        "pedestals",
        "--group",
        "",
    ];
    let out = d.ok(&[&base[..], &["-r", "23"]].concat());
    assert!(
        out.trim_end()
            .ends_with("calib/Jungfrau::CalibV1/CxiDs1.0:Jungfrau.0/pedestals/23-end.data"),
        "{out}"
    );
    d.ok(&[&base[..], &["-R", "5-10", "--comment", "from test"]].concat());
    let dir = d.join("calib/Jungfrau::CalibV1/CxiDs1.0:Jungfrau.0/pedestals");
    assert_eq!(
        std::fs::read(dir.join("23-end.data")).unwrap(),
        std::fs::read(d.join("peds.txt")).unwrap()
    );
    assert_eq!(
        std::fs::metadata(dir.join("23-end.data")).unwrap().mode() & 0o7777,
        0o664
    );
    assert_eq!(std::fs::metadata(&dir).unwrap().mode() & 0o7777, 0o2775);
    let hist = std::fs::read_to_string(dir.join("HISTORY")).unwrap();
    let lines: Vec<_> = hist.lines().collect();
    assert_eq!(lines.len(), 2);
    assert!(
        lines[0].starts_with("file:23-end.data    copy_of:peds.txt ctype:pedestals user:"),
        "{hist}"
    );
    assert!(
        lines[1].starts_with("file:5-10.data      copy_of:peds.txt ctype:pedestals "),
        "{hist}"
    );
    assert!(lines[1].ends_with(" cmt:from test"), "{hist}");
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(names.len(), 3, "no temporary files left: {names:?}");
    let found = d.ok(&[
        "find",
        "-c",
        "calib",
        "-s",
        "CxiDs1.0:Jungfrau.0",
        "-t",
        "pedestals",
        "-r",
        "7",
    ]);
    assert!(found.trim_end().ends_with("5-10.data"));

    // A .npy input is written as psana text in the ctype's format.
    let st = NdArray::U16(ArrayD::from_shape_vec(IxDyn(&[1, 3]), vec![0, 5, 64]).unwrap());
    write_npy(&d, "st.npy", &st);
    d.ok(&[
        "deploy-file",
        "st.npy",
        "-c",
        "calib",
        "-s",
        "CxiDs1.0:Jungfrau.0",
        "-t",
        "pixel_status",
        "-r",
        "1",
    ]);
    let txt = std::fs::read_to_string(
        d.join("calib/Jungfrau::CalibV1/CxiDs1.0:Jungfrau.0/pixel_status/1-end.data"),
    )
    .unwrap();
    assert!(txt.ends_with("\n   0    5   64\n"), "{txt}");
    assert!(txt.contains(
        "# FILE_NAME   calib/Jungfrau::CalibV1/CxiDs1.0:Jungfrau.0/pixel_status/1-end.data"
    ));
}

#[test]
fn deploy_file_rejects_bad_names_and_inputs() {
    let d = Dir::new();
    std::fs::write(d.join("peds.txt"), "1 2\n").unwrap();
    std::fs::write(d.join("bad.txt"), "1 x\n").unwrap();
    let run = |src: &str, file: &str, ctype: &str, range: &[&str]| {
        let mut a = vec!["deploy-file", file, "-c", "calib", "-s", src, "-t", ctype];
        a.extend_from_slice(range);
        d.fails(&a, 2)
    };
    assert!(run("../x", "peds.txt", "pedestals", &["-r", "1"]).contains("invalid source \"../x\""));
    assert!(
        run("Cxi.0:Jungfrau.0/..", "peds.txt", "pedestals", &["-r", "1"]).contains("contains '/'")
    );
    assert!(
        run("CxiDs1.0:Jungfrau.0", "peds.txt", "..", &["-r", "1"])
            .contains("invalid calibration type \"..\"")
    );
    assert!(
        run(
            "CxiDs1.0:Jungfrau.0",
            "peds.txt",
            "pedestals",
            &["-R", "10-5"]
        )
        .contains("end run is before")
    );
    assert!(
        run(
            "CxiDs1.0:Jungfrau.0",
            "peds.txt",
            "pedestals",
            &["-R", "../1-end"]
        )
        .contains("invalid run range")
    );
    assert!(
        run("CxiDs1.0:Jungfrau.0", "bad.txt", "pedestals", &["-r", "1"])
            .contains("bad.txt:1: \"x\" is not a number")
    );
    assert!(
        run("CxiDs1.0:Jungfrau.0", "none.txt", "pedestals", &["-r", "1"])
            .contains("none.txt: cannot")
    );
    assert!(!d.join("calib").exists(), "nothing is created on error");
    // Both or neither of --run and --run-range: a usage error.
    let err = d.fails(
        &[
            "deploy-file",
            "peds.txt",
            "-c",
            "calib",
            "-s",
            "CxiDs1.0:Jungfrau.0",
            "-t",
            "pedestals",
        ],
        2,
    );
    assert!(err.contains("--run"), "{err}");
}

fn int_array() -> impl Strategy<Value = NdArray> {
    let shape = prop::collection::vec(1usize..5, 1..=4);
    (shape, 0u8..6, any::<u64>()).prop_map(|(shape, kind, seed)| {
        let n: usize = shape.iter().product();
        let mut x = seed | 1;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let sh = IxDyn(&shape);
        match kind {
            0 => NdArray::U8(ArrayD::from_shape_simple_fn(sh, || next() as u8)),
            1 => NdArray::U16(ArrayD::from_shape_simple_fn(sh, || next() as u16)),
            2 => NdArray::U32(ArrayD::from_shape_simple_fn(sh, || next() as u32)),
            3 => NdArray::U64(ArrayD::from_shape_simple_fn(sh, &mut next)),
            4 => NdArray::I32(ArrayD::from_shape_simple_fn(sh, || next() as i32)),
            _ => NdArray::I64(
                ArrayD::from_shape_vec(sh, (0..n).map(|_| next() as i64).collect()).unwrap(),
            ),
        }
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// `convert` round-trips integer arrays .npy -> text -> .npy exactly, with any integer format.
    #[test]
    fn convert_round_trips_integers(arr in int_array(), fmt in prop::sample::select(vec!["%d", "%4i", "%6i", "%1d", "%i"])) {
        let d = Dir::new();
        write_npy(&d, "a.npy", &arr);
        d.ok(&["convert", "a.npy", "a.data", "--fmt", fmt]);
        d.ok(&["convert", "a.data", "b.npy"]);
        prop_assert_eq!(load_array(&d.join("b.npy")).unwrap(), arr);
    }
}
