//! `detcal geometry`: psana's known answers through the command line, CrystFEL both ways,
//! deployment with edits, and errors on bad geometry files.

use std::collections::HashMap;
use std::path::Path;

use detcal::NdArray;
use detcal::formats::npz::read_npz;

use crate::util::{Dir, shared_data};

fn npz(path: &Path) -> HashMap<String, NdArray> {
    read_npz(path)
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .collect()
}

/// Arrays equal element for element; float64 compared bit for bit.
fn same(name: &str, got: &NdArray, want: &NdArray) {
    assert_eq!(got.dtype(), want.dtype(), "{name}: dtype");
    assert_eq!(got.shape(), want.shape(), "{name}: shape");
    if let (NdArray::F64(g), NdArray::F64(w)) = (got, want) {
        let bad = g
            .iter()
            .zip(w)
            .position(|(a, b)| a.to_bits() != b.to_bits());
        assert!(
            bad.is_none(),
            "{name}: first difference at flat index {bad:?}"
        );
    } else {
        assert!(got == want, "{name} differs");
    }
}

fn check_case(d: &Dir, case: &str, expected: &str, cframe: &str) {
    let Some(dir) = shared_data(&format!("parity/{case}")) else {
        return;
    };
    let geo = dir.join("geometry.data");
    let out = d.join(&format!("{case}-{cframe}.npz"));
    d.ok(&[
        "geometry",
        "arrays",
        geo.to_str().unwrap(),
        "--cframe",
        cframe,
        "--out",
        out.to_str().unwrap(),
    ]);
    let got = npz(&out);
    let want = npz(&dir.join(expected));
    for name in ["x_um", "y_um", "z_um", "areas", "mask", "rows", "cols"] {
        same(name, &got[name], &want[name]);
    }
}

#[test]
fn arrays_equal_psanas_known_answers() {
    let d = Dir::new();
    // The JUNGFRAU 4M case (both frames) is checked through the library
    // (crates/detcal/tests/geometry_parity.rs); the smaller tilted quad through the command.
    check_case(&d, "geometry_epix10kaquad", "expected.npz", "0");
}

#[test]
fn crystfel_text_is_psanas_byte_for_byte() {
    let Some(dir) = shared_data("parity/geometry_epix10kaquad") else {
        return;
    };
    let d = Dir::new();
    let geo = dir.join("geometry.data");
    d.ok(&[
        "geometry",
        "crystfel",
        geo.to_str().unwrap(),
        "-o",
        "q.geom",
    ]);
    let got = std::fs::read(d.join("q.geom")).unwrap();
    let want = std::fs::read(dir.join("expected_crystfel.geom")).unwrap();
    assert!(got == want, "CrystFEL text differs from psana's");
}

/// A JUNGFRAU:V2 geometry with `n` panels in a row.
fn jungfrau_file(n: usize) -> String {
    let mut s = String::from("# TITLE test\n");
    for i in 0..n {
        s += &format!(
            "CAM:V1 0 JUNGFRAU:V2 {i}  0 {} 0  0 0 0  0 0 0\n",
            i as f64 * 41000.0
        );
    }
    s + "IP 0 CAM:V1 0  0 0 -100000  90 0 0  0 0 0\n"
}

#[test]
fn crystfel_also_for_jungfrau_v2_and_32_panels_and_back() {
    let d = Dir::new();
    for n in [2, 32] {
        let g = d.join(&format!("jf{n}.data"));
        std::fs::write(&g, jungfrau_file(n)).unwrap();
        let geom = format!("jf{n}.geom");
        d.ok(&["geometry", "crystfel", g.to_str().unwrap(), "-o", &geom]);
        let text = std::fs::read_to_string(d.join(&geom)).unwrap();
        assert_eq!(text.matches("/no_index = 0").count(), n * 8);
        let last = n - 1;
        assert!(
            text.ends_with(&format!(
                "p{last}a7/max_ss = {}\np{last}a7/no_index = 0\n",
                n * 512 - 1
            )),
            "{}",
            &text[text.len() - 200..]
        );
        if n > 2 {
            continue;
        }
        let back = format!("jf{n}-back.data");
        d.ok(&[
            "geometry",
            "from-crystfel",
            &geom,
            "--det-type",
            "jungfrau",
            "-o",
            &back,
        ]);
        // Both read back to the same pixel positions, to well under a micrometre.
        let a = d.join(&format!("a{n}.npz"));
        let b = d.join(&format!("b{n}.npz"));
        d.ok(&[
            "geometry",
            "arrays",
            g.to_str().unwrap(),
            "-o",
            a.to_str().unwrap(),
        ]);
        d.ok(&["geometry", "arrays", &back, "-o", b.to_str().unwrap()]);
        let (a, b) = (npz(&a), npz(&b));
        for k in ["x_um", "y_um", "z_um"] {
            let worst = a[k]
                .to_f64()
                .iter()
                .zip(b[k].to_f64().iter())
                .map(|(p, q)| (p - q).abs())
                .fold(0.0, f64::max);
            assert!(worst < 0.5, "{k}: {worst} µm after the round trip");
        }
        same("rows", &a["rows"], &b["rows"]);
    }
}

#[test]
fn malformed_geometry_names_file_and_line_and_writes_nothing() {
    let d = Dir::new();
    std::fs::write(
        d.join("bad.data"),
        "# c\nIP 0 JUNGFRAU:V2 0 0 0 0 0 0 0 0 0\n",
    )
    .unwrap();
    let err = d.fails(&["geometry", "arrays", "bad.data", "-o", "a.npz"], 2);
    assert!(err.contains("bad.data:2: expected 13 fields"), "{err}");
    assert!(!d.join("a.npz").exists());
    std::fs::write(
        d.join("unk.data"),
        "IP 0 EPIXHR2X2:V1 0 0 0 0 0 0 0 0 0 0\n",
    )
    .unwrap();
    let err = d.fails(&["geometry", "crystfel", "unk.data", "-o", "u.geom"], 2);
    assert!(err.contains("unk.data:1: unknown segment type"), "{err}");
    assert!(!d.join("u.geom").exists());
    let err = d.fails(
        &[
            "geometry",
            "default",
            "--det-type",
            "jungfrau",
            "--panels",
            "3",
            "-o",
            "x.data",
        ],
        2,
    );
    assert!(err.contains("no default geometry"), "{err}");
}

#[test]
fn deploy_edits_only_what_is_given_and_reads_back() {
    let d = Dir::new();
    d.ok(&[
        "geometry",
        "default",
        "--det-type",
        "epix10kaquad",
        "--panels",
        "4",
        "-o",
        "q.data",
    ]);
    let src = "XcsEndstation.0:Epix10kaQuad.0";
    let out = d.ok(&[
        "geometry",
        "deploy",
        "q.data",
        "-c",
        "calib",
        "-d",
        src,
        "-R",
        "5-end",
        "--posz",
        "-120000.5",
        "-D",
    ]);
    let dest = d.join(&format!(
        "calib/Epix10kaQuad::CalibV1/{src}/geometry/5-end.data"
    ));
    assert!(dest.ends_with(out.trim()), "{out}");
    let text = std::fs::read_to_string(&dest).unwrap();
    // The camera: new z, rotation 90 kept; the panels keep their tilts.
    let cam = text.lines().find(|l| l.starts_with("IP ")).unwrap();
    assert!(cam.contains("-120000.5") && cam.contains("  90 "), "{cam}");
    assert!(text.contains("-0.26706 -0.26778  0.06324"), "{text}");
    let hist = std::fs::read_to_string(dest.with_file_name("HISTORY")).unwrap();
    assert!(
        hist.starts_with("file:5-end.data") && hist.contains("ctype:geometry"),
        "{hist}"
    );
    // Read back for a run of the range: z moved by -20000.5 µm, x and y unchanged.
    d.ok(&["geometry", "arrays", "q.data", "-o", "a.npz"]);
    d.ok(&["geometry", "arrays", dest.to_str().unwrap(), "-o", "b.npz"]);
    let (a, b) = (npz(&d.join("a.npz")), npz(&d.join("b.npz")));
    same("x_um", &a["x_um"], &b["x_um"]);
    let za = a["z_um"].to_f64();
    let zb = b["z_um"].to_f64();
    assert!(
        za.iter()
            .zip(zb.iter())
            .all(|(p, q)| ((p - q) - 20000.5).abs() < 1e-6)
    );

    // psana's program name; without -D nothing is written.
    let bin = assert_cmd::cargo::cargo_bin("detcal");
    let link = d.join("geometry_deploy_constants");
    std::os::unix::fs::symlink(&bin, &link).unwrap();
    let run = |args: &[&str]| {
        std::process::Command::new(&link)
            .args(args)
            .current_dir(d.path())
            .env("TZ", "UTC")
            .output()
            .unwrap()
    };
    let o = run(&["q.data", "-c", "calib", "-d", src, "-r", "9", "--rotz", "0"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let nine = dest.with_file_name("9-end.data");
    assert!(!nine.exists());
    let o = run(&[
        "q.data", "-c", "calib", "-d", src, "-r", "9", "--rotz", "0", "-D",
    ]);
    assert_eq!(o.status.code(), Some(0));
    let text = std::fs::read_to_string(&nine).unwrap();
    let cam = text.lines().find(|l| l.starts_with("IP ")).unwrap();
    assert!(cam.contains(" -100000 ") && !cam.contains(" 90 "), "{cam}");
    let err = d.fails(
        &[
            "geometry", "deploy", "q.data", "-c", "calib", "-d", src, "--parent", "CAMERA",
            "--posx", "1", "-D",
        ],
        2,
    );
    assert!(err.contains("exactly one child"), "{err}");
}

/// The real LCLS-II samples drawn raw with the default geometry: every pixel lands in the image.
#[test]
fn image_of_real_samples_with_default_geometry() {
    let d = Dir::new();
    for (file, shape, hidden) in [
        ("test_jungfrau05M_calib.xtc2", (514, 1030), 0usize),
        ("test_epix_calib.xtc2", (775, 793), 11),
    ] {
        let Some(f) = shared_data(&format!("xtc2/{file}")) else {
            return;
        };
        let out = d.join(&format!("{file}.npy"));
        let o = d.run(&[
            "image",
            f.to_str().unwrap(),
            "--raw",
            "--event",
            "1",
            "-o",
            out.to_str().unwrap(),
        ]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(o.status.success(), "{err}");
        assert!(err.contains(&format!("{} hidden pixels", hidden)), "{err}");
        let img = detcal::formats::npy::read_npy(&out).unwrap();
        assert_eq!(img.shape(), &[shape.0, shape.1]);
        // The raw values (non-zero ADU) fill exactly the cells of the shown pixels.
        let nonzero = img.to_f64().iter().filter(|v| **v != 0.0).count();
        let pixels = if hidden == 0 {
            512 * 1024
        } else {
            4 * 352 * 384
        };
        assert!(
            nonzero <= pixels - hidden && nonzero > (pixels - hidden) * 99 / 100,
            "{nonzero}"
        );
    }
}

/// The options of `geometry arrays`: one object, cell size, margin, mask bits, z plane, frame.
#[test]
fn arrays_options() {
    let d = Dir::new();
    d.ok(&[
        "geometry",
        "default",
        "--det-type",
        "epix10kaquad",
        "--panels",
        "4",
        "-o",
        "q.data",
    ]);
    let arrays = |extra: &[&str]| {
        let mut args = vec!["geometry", "arrays", "q.data", "-o", "o.npz"];
        args.extend(extra);
        d.ok(&args);
        npz(&d.join("o.npz"))
    };
    let u64s = |a: &NdArray| a.to_typed::<u64>().iter().copied().collect::<Vec<u64>>();
    let base = arrays(&[]);
    assert_eq!(base["x_um"].shape(), &[1, 4, 352, 384]);
    let max = |v: &[u64]| *v.iter().max().unwrap();
    let min = |v: &[u64]| *v.iter().min().unwrap();
    assert_eq!(
        (max(&u64s(&base["rows"])), max(&u64s(&base["cols"]))),
        (774, 792)
    );

    let one = arrays(&["--oname", "EPIX10KA:V1", "--oindex", "2", "--mbits", "0"]);
    assert_eq!(one["mask"].shape(), &[352, 384]);
    assert!(one["mask"].to_f64().iter().all(|v| *v == 1.0));
    let areas = one["areas"].to_f64();
    assert_eq!(
        (areas[[0, 0]], areas[[0, 191]], areas[[175, 192]]),
        (1.0, 2.5, 6.25)
    );

    let off = arrays(&["--xy0-off-pix", "5,7"]);
    let (r, c) = (u64s(&off["rows"]), u64s(&off["cols"]));
    assert_eq!((min(&r), min(&c)), (5, 7));
    assert_eq!((max(&r), max(&c)), (779, 799));

    let big = arrays(&["--pix-scale-size", "200"]);
    assert_eq!(max(&u64s(&big["rows"])), 387);

    // Projection on z = -50 mm halves x and y about the axis (the camera is at z ≈ -100 mm).
    let z = arrays(&["--zplane", "-50000"]);
    let (x0, xz) = (base["x_um"].to_f64(), z["x_um"].to_f64());
    let zz = base["z_um"].to_f64();
    let i = [0, 1, 100, 200];
    assert_eq!(xz[i], -50000.0 * (x0[i] / zz[i]));
    same("z_um", &z["z_um"], &base["z_um"]);

    // LAB frame: x_lab = -y_psana.
    let lab = arrays(&["--cframe", "1"]);
    let (yl, xl) = (base["y_um"].to_f64(), lab["x_um"].to_f64());
    assert_eq!(xl[i], -yl[i]);
    let err = d.fails(
        &[
            "geometry", "arrays", "q.data", "--cframe", "2", "-o", "x.npz",
        ],
        2,
    );
    assert!(err.contains("expected 0"), "{err}");
}

/// `detcal plot` of a calibration-store file draws it assembled with the store's geometry
/// (unless --tiles), and refuses --geometry for a status map.
#[test]
fn plot_assembles_store_constants_with_the_store_geometry() {
    let d = Dir::new();
    let src = "calib/Jungfrau::CalibV1/CxiDs1.0:Jungfrau.0";
    std::fs::create_dir_all(d.join(&format!("{src}/pedestals"))).unwrap();
    let geo = format!("{src}/geometry/0-end.data");
    std::fs::create_dir_all(d.join(&format!("{src}/geometry"))).unwrap();
    d.ok(&[
        "geometry",
        "default",
        "--det-type",
        "jungfrau",
        "--panels",
        "2",
        "--shape",
        "4x6",
        "--out",
        &geo,
    ]);
    // Two panels of 4 x 6 pixels as 8 text rows.
    let text: String = (0..8)
        .map(|r| {
            (0..6)
                .map(|c| format!("{} ", r * 10 + c))
                .collect::<String>()
                + "\n"
        })
        .collect();
    let peds = format!("{src}/pedestals/3-end.data");
    std::fs::write(d.join(&peds), text).unwrap();
    let log = |args: &[&str]| {
        let out = d.run(args);
        assert!(out.status.success(), "{args:?}");
        String::from_utf8_lossy(&out.stderr).to_string()
    };
    let assembled = log(&["plot", &peds, "-o", "a.png"]);
    assert!(
        assembled.contains(&format!("assembled with geometry {geo}")),
        "{assembled}"
    );
    let tiled = log(&["plot", &peds, "-o", "t.png", "--tiles"]);
    assert!(!tiled.contains("assembled"), "{tiled}");
    for png in ["a.png", "t.png"] {
        assert_eq!(&std::fs::read(d.join(png)).unwrap()[..4], b"\x89PNG");
    }
    let err = d.fails(
        &[
            "plot",
            &peds,
            "-o",
            "s.png",
            "--kind",
            "status",
            "--geometry",
            &geo,
        ],
        2,
    );
    assert!(err.contains("is not drawn as an assembled image"), "{err}");
}

/// `geometry deploy -o DIRREPO -t STAMP` (psana's geometry repository): the detector's file
/// valid at the stamp, else the type's `<dettype>_default.data`; nothing found or no -t is a
/// one-line error and nothing is deployed.
#[test]
fn deploy_from_the_geometry_repository_by_time_stamp() {
    let d = Dir::new();
    let src = "CxiDs1.0:Jungfrau.0";
    std::fs::create_dir_all(d.join("repo/jungfrau")).unwrap();
    let deploy = |t: &str, range: &str| {
        d.run(&[
            "geometry", "deploy", "-o", "repo", "-t", t, "-c", "calib", "-d", src, "-R", range,
            "-D",
        ])
    };
    let dest = |range: &str| {
        d.join(&format!(
            "calib/Jungfrau::CalibV1/{src}/geometry/{range}.data"
        ))
    };
    // Empty repository: an error naming where it looked, nothing deployed.
    let out = deploy("20240101", "1-end");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("jungfrau_CxiDs1-0-Jungfrau-0"), "{err}");
    assert!(!dest("1-end").exists());
    // The default, then dated files of two geometries (1 and 2 panels).
    d.ok(&[
        "geometry",
        "default",
        "--det-type",
        "jungfrau",
        "--panels",
        "1",
        "-o",
        "repo/jungfrau/jungfrau_default.data",
    ]);
    d.ok(&[
        "geometry",
        "default",
        "--det-type",
        "jungfrau",
        "--panels",
        "2",
        "-o",
        "repo/jungfrau/jungfrau_CxiDs1-0-Jungfrau-0_20240301.data",
    ]);
    d.ok(&[
        "geometry",
        "default",
        "--det-type",
        "jungfrau",
        "--panels",
        "8",
        "-o",
        "repo/jungfrau/jungfrau_CxiDs1-0-Jungfrau-0_20240501120000.data",
    ]);
    let panels = |range: &str| {
        std::fs::read_to_string(dest(range))
            .unwrap()
            .lines()
            .filter(|l| l.contains("JUNGFRAU:V2") && !l.starts_with('#'))
            .count()
    };
    assert!(deploy("20240101", "1-9").status.success());
    assert_eq!(panels("1-9"), 1, "before any dated file: the default");
    assert!(deploy("20240430", "10-19").status.success());
    assert_eq!(panels("10-19"), 2);
    // A date means the whole day: the file of 12:00 that day is taken.
    assert!(deploy("20240501", "20-end").status.success());
    assert_eq!(panels("20-end"), 8);
    // -t is needed with -o, and a bad stamp is refused; -o and a file exclude each other.
    let err = d.fails(
        &["geometry", "deploy", "-o", "repo", "-c", "calib", "-d", src],
        2,
    );
    assert!(err.contains("-t"), "{err}");
    let out = deploy("2024-05-01", "30-end");
    assert!(!out.status.success() && !dest("30-end").exists());
    assert!(String::from_utf8_lossy(&out.stderr).contains("YYYYmmdd"));
    d.fails(
        &[
            "geometry", "deploy", "x.data", "-o", "repo", "-t", "20240101", "-c", "calib", "-d",
            src,
        ],
        2,
    );
}
