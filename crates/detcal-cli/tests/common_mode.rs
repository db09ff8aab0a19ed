//! `detcal common-mode`: psana's known answers (pnCCD algorithm 8, ePix100a algorithm 6) bit
//! for bit through the command, the whole det.calib with --calib, a hand-computed vector, and
//! one-line errors for bad input.

use std::path::{Path, PathBuf};

use detcal::NdArray;
use detcal::files::Perms;
use detcal::formats::npy::{read_npy, write_npy};
use ndarray::{ArrayD, IxDyn};

use crate::util::{Dir, shared_data};

fn f32s(path: &Path) -> (Vec<usize>, Vec<f32>) {
    let a = read_npy(path).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(a.dtype(), detcal::DType::F32, "{}", path.display());
    (
        a.shape().to_vec(),
        a.to_typed::<f32>().iter().copied().collect(),
    )
}

fn same_bits(got: &[f32], want: &[f32], what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    let bad = (0..got.len()).find(|&i| got[i].to_bits() != want[i].to_bits());
    assert!(
        bad.is_none(),
        "{what}: first difference at {bad:?}: {} vs psana {}",
        got[bad.unwrap()],
        want[bad.unwrap()]
    );
}

fn save(d: &Dir, name: &str, a: NdArray) -> PathBuf {
    let p = d.join(name);
    write_npy(&p, &a, &Perms::default()).unwrap();
    p
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn pnccd_algorithm_8_with_mask_equals_psana() {
    let Some(dir) = shared_data("parity/common_mode_pnccd_alg8") else {
        return;
    };
    let d = Dir::new();
    let (raw, peds, mask) = (
        dir.join("input_raw.npy"),
        dir.join("input_pedestals.npy"),
        dir.join("input_mask.npy"),
    );
    let base = [
        "common-mode",
        s(&raw),
        "--det-type",
        "pnccd",
        "--cmpars",
        "8,5,30",
        "--pedestals",
        s(&peds),
        "--mask",
        s(&mask),
    ];
    let out = d.join("cm.npy");
    let stdout = d.ok(&[&base[..], &["--out", s(&out)]].concat());
    assert!(stdout.contains("common-mode algorithm 8"), "{stdout}");
    let (shape, got) = f32s(&out);
    assert_eq!(shape, [1, 4, 512, 512]);
    let (_, want) = f32s(&dir.join("expected_cm_8_5_30_mask.npy"));
    same_bits(&got, &want, "pnCCD (8,5,30) with mask");

    // --calib: the same, then the user mask zeroes its bad pixels.
    let out = d.join("calib.npy");
    d.ok(&[&base[..], &["--calib", "--out", s(&out)]].concat());
    let (_, got) = f32s(&out);
    let mask = read_npy(&mask).unwrap().to_typed::<f32>();
    let want: Vec<f32> = want.iter().zip(mask.iter()).map(|(w, m)| w * m).collect();
    same_bits(&got, &want, "pnCCD --calib");
}

#[test]
fn epix100a_algorithm_6_equals_psana_and_calib_multiplies_gain_and_masks_status() {
    let Some(dir) = shared_data("parity/common_mode_epix100a_alg6") else {
        return;
    };
    let d = Dir::new();
    let out = d.join("cm.npy");
    let (raw, peds, rms) = (
        dir.join("input_raw.npy"),
        dir.join("input_pedestals.npy"),
        dir.join("input_pixel_rms.npy"),
    );
    let base = [
        "common-mode",
        s(&raw),
        "--det-type",
        "epix100a",
        "--cmpars",
        "6",
        "--pedestals",
        s(&peds),
        "--rms",
        s(&rms),
    ];
    let mut args = base.to_vec();
    args.extend(["--out", s(&out)]);
    d.ok(&args);
    let (shape, got) = f32s(&out);
    assert_eq!(shape, [1, 704, 768]);
    let (_, want) = f32s(&dir.join("expected_cm_6_default.npy"));
    same_bits(&got, &want, "ePix100a (6,)");

    // --calib with a gain of 0.5 and three bad pixels in the status: algorithm 6 does not
    // look at the status, the mask zeroes them afterwards.
    let mut status = ArrayD::<u16>::zeros(IxDyn(&[704, 768]));
    let bad = [(0usize, 0usize), (100, 200), (703, 767)];
    for &(r, c) in &bad {
        status[[r, c]] = 1 << (r % 5);
    }
    let sta = save(&d, "sta.npy", NdArray::U16(status));
    let gain = save(
        &d,
        "gain.npy",
        NdArray::F32(ArrayD::from_elem(IxDyn(&[704, 768]), 0.5)),
    );
    let out = d.join("calib.npy");
    let mut args = base.to_vec();
    args.extend([
        "--status",
        s(&sta),
        "--gain",
        s(&gain),
        "--calib",
        "--out",
        s(&out),
    ]);
    d.ok(&args);
    let (_, got) = f32s(&out);
    let want: Vec<f32> = want
        .iter()
        .enumerate()
        .map(|(k, &w)| {
            let good = !bad.contains(&(k / 768, k % 768));
            w * 0.5 * if good { 1.0 } else { 0.0 }
        })
        .collect();
    same_bits(&got, &want, "ePix100a --calib");
}

#[test]
fn algorithm_2_hand_vector_on_int16_frames() {
    // Spec §7 vector 1, two frames of an Andor (int16 raw, pedestals 0 and 1): threshold 50,
    // maxcorr 10, groups of 128 (p[3] below 100).
    let d = Dir::new();
    let raw = save(
        &d,
        "raw.npy",
        NdArray::I16(
            ArrayD::from_shape_vec(
                IxDyn(&[2, 6]),
                vec![1, 2, 3, 100, -2, 6, 2, 3, 4, 101, -1, 7],
            )
            .unwrap(),
        ),
    );
    let peds = save(
        &d,
        "peds.npy",
        NdArray::F32(ArrayD::from_elem(IxDyn(&[6]), 1.0)),
    );
    let out = d.join("out.npy");
    d.ok(&[
        "common-mode",
        s(&raw),
        "--det-type",
        "andor",
        "--cmpars",
        "2,50,10,0",
        "--pedestals",
        s(&peds),
        "--out",
        s(&out),
    ]);
    let (shape, got) = f32s(&out);
    assert_eq!(shape, [2, 6]);
    // Frame 0 minus the pedestal 1 is [0, 1, 2, 99, -3, 5]: mean of the values below 50 is 1.
    // Frame 1 minus 1 is the spec's group: mean 2.
    assert_eq!(
        got,
        [
            -1.0, 0.0, 1.0, 98.0, -4.0, 4.0, -1.0, 0.0, 1.0, 98.0, -4.0, 4.0
        ]
    );
}

#[test]
fn bad_input_is_a_one_line_error() {
    let d = Dir::new();
    let raw = save(
        &d,
        "raw.npy",
        NdArray::U16(ArrayD::zeros(IxDyn(&[2, 4, 512, 512]))),
    );
    let peds = save(
        &d,
        "peds.npy",
        NdArray::F32(ArrayD::zeros(IxDyn(&[4, 512, 512]))),
    );
    let small = save(&d, "small.npy", NdArray::F32(ArrayD::zeros(IxDyn(&[3, 7]))));
    let out = d.join("out.npy");
    let run = |extra: &[&str]| -> String {
        let mut a = vec![
            "common-mode",
            s(&raw),
            "--pedestals",
            s(&peds),
            "--out",
            s(&out),
        ];
        a.extend(extra);
        d.fails(&a, 2)
    };
    let one_line = |e: &str, has: &str| {
        assert!(e.contains(has), "{e}");
        assert!(!e.contains("panicked"), "{e}");
        assert_eq!(e.trim_end().lines().count(), 1, "{e}");
    };
    one_line(
        &run(&["--det-type", "pnccd", "--cmpars", "8"]),
        "algorithm 8 needs a mode",
    );
    one_line(
        &run(&["--det-type", "pnccd", "--cmpars", "2.5,1"]),
        "is not 0-8",
    );
    one_line(
        &run(&["--det-type", "epix100a", "--cmpars", "6"]),
        "704 x 768",
    );
    one_line(&run(&["--det-type", "jungfrau"]), "single-gain detectors");
    one_line(
        &run(&["--det-type", "pnccd", "--mask", s(&small)]),
        "small.npy",
    );
    one_line(
        &run(&["--det-type", "pnccd", "--gain", s(&peds)]),
        "--calib",
    );
    let e = run(&["--det-type", "nosuchdet"]);
    assert!(e.contains("nosuchdet"), "{e}");
    // Raw frames that do not fit the pedestals.
    let e = d.fails(
        &[
            "common-mode",
            s(&small),
            "--det-type",
            "pnccd",
            "--pedestals",
            s(&peds),
            "--out",
            s(&out),
        ],
        2,
    );
    one_line(&e, "pedestals' size");
    assert!(!out.exists(), "nothing written on errors");
}
