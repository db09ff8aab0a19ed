//! `detcal pixel-status` on light data (features 6 and 11) of a simulated ePix100a, and the
//! merge of its maps into status_extra by `deploy-constants -C status_extra`.

use detcal::formats::load_array;

use crate::util::Dir;

const LIGHT: &str = "data/XPP/xpptut15/npy/xpptut15-r0002-epix100a.npy";

/// Feature 6 on the light run into `constants`.
const F6: [&str; 9] = [
    "pixel-status",
    "--input",
    LIGHT,
    "-F",
    "6",
    "-o",
    "constants",
    "--group",
    "",
];

/// Feature 11 on the light run into `constants`, pedestals from `data`'s calibration store.
const F11: [&str; 11] = [
    "pixel-status",
    "--input",
    LIGHT,
    "-F",
    "11",
    "--data-dir",
    "data",
    "-o",
    "constants",
    "--group",
    "",
];

fn u64s(path: &std::path::Path) -> Vec<u64> {
    load_array(path)
        .unwrap()
        .to_typed::<u64>()
        .into_raw_vec_and_offset()
        .0
}

#[test]
fn light_features_flag_the_injected_pixels_and_merge_into_status_extra() {
    let d = Dir::new();
    d.ok(&[
        "simulate",
        "--det",
        "epix100a",
        "--out",
        "data",
        "--events",
        "20",
        "--light-events",
        "20",
        "-q",
    ]);
    let truth = "data/XPP/xpptut15/npy/xpptut15-r0001-epix100a-truth";
    let defects = u64s(&d.join(&format!("{truth}/defects.npy")));
    // Feature 6 on the light run: status_light by default.
    let out = d.ok(&F6);
    let f6 = out.trim();
    assert!(
        f6.contains("/status_light/") && f6.ends_with("_r0002_status_light.dat"),
        "{out}"
    );
    let st = u64s(&d.join(f6));
    assert_eq!(st.len(), 704 * 768);
    for (i, (&s, &def)) in st.iter().zip(&defects).enumerate() {
        // Dead pixels sit far below the plane of their window, hot ones far above, noisy ones
        // swing: median residual low (16) / high (32), residual spread high (128).
        let want = match def {
            1 => 16,
            2 => 32,
            4 => 128,
            _ => continue,
        };
        assert_ne!(s & want, 0, "pixel {i}, defect {def}: status {s}");
    }
    assert!(st.iter().all(|&s| s & !0xf0 == 0), "only feature 6's bits");
    let good_flagged = st
        .iter()
        .zip(&defects)
        .filter(|&(&s, &def)| s != 0 && def == 0)
        .count();
    assert!(good_flagged < 50, "{good_flagged} good pixels flagged");

    // Feature 11 without deployed pedestals: zeros, as psana; the maxima alone are judged.
    let out = d.run(&F11);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("uses zeros"));
    let f11 = String::from_utf8(out.stdout).unwrap();
    let st = u64s(&d.join(f11.trim()));
    assert!(f11.contains("/status_max/"));
    // Dead pixels (max 0) are the lowest maxima of all; hot ones (pedestal + 3000) the highest.
    for (&s, &def) in st.iter().zip(&defects) {
        match def {
            1 => assert_eq!(s, 256),
            2 => assert_eq!(s, 512),
            _ => assert_eq!(s & !0x300, 0),
        }
    }
    // psana's work files beside the panel's status types: the maxima of `raw & 0x3fff` over the
    // events (1000 asked, all 20 read) and max - pedestals (zeros here), float32.
    let work = d
        .join(f11.trim())
        .parent()
        .and_then(|p| p.parent())
        .unwrap()
        .join("work");
    let name = "arr-xpptut15-r0002-epix100a-seg0-evs001000-feat-11";
    let max_file = work.join(format!("{name}-max.npy"));
    let stack = load_array(&d.join(LIGHT)).unwrap().to_typed::<u16>();
    let npix = 704 * 768;
    let flat = stack.as_slice().unwrap();
    let want: Vec<u16> = (0..npix)
        .map(|p| {
            flat.iter()
                .skip(p)
                .step_by(npix)
                .map(|&v| v & 0x3fff)
                .max()
                .unwrap()
        })
        .collect();
    let max_arr = load_array(&max_file).unwrap();
    assert_eq!(max_arr.shape(), [704, 768]);
    assert_eq!(max_arr.to_typed::<u16>().into_raw_vec_and_offset().0, want);
    let peds_arr = load_array(&work.join(format!("{name}-max-peds.npy"))).unwrap();
    assert_eq!(peds_arr.dtype().name(), "float32");
    let want_f: Vec<f32> = want.iter().map(|&v| f32::from(v)).collect();
    assert_eq!(
        peds_arr.to_typed::<f32>().into_raw_vec_and_offset().0,
        want_f
    );
    // As in psana, a present maxima file is used instead of the data: a good pixel set to 0
    // there becomes dead.
    let good = (0..npix).find(|&p| defects[p] == 0 && st[p] == 0).unwrap();
    let mut edited = want.clone();
    edited[good] = 0;
    let arr = ndarray::ArrayD::from_shape_vec(ndarray::IxDyn(&[704, 768]), edited).unwrap();
    detcal::formats::npy::write_npy(
        &max_file,
        &detcal::NdArray::U16(arr),
        &detcal::files::Perms::default(),
    )
    .unwrap();
    let again = d.run(&F11);
    assert!(again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("instead of the data"));
    let st2 = u64s(&d.join(String::from_utf8(again.stdout).unwrap().trim()));
    assert_eq!(st2[good], 256);
    std::fs::remove_file(&max_file).unwrap();
    let f11 = String::from_utf8(d.run(&F11).stdout).unwrap();
    assert_eq!(u64s(&d.join(f11.trim())), st, "back to the data's maxima");
    // -t status_data is kept as given.
    let out = d.ok(&[&F6[..], &["-t", "status_data"]].concat());
    assert!(out.contains("/status_data/"), "{out}");
    // 11 with other features, and windows larger than the frame, are refused.
    let err = d.fails(
        &["pixel-status", "--input", LIGHT, "-F", "6,11", "-o", "c2"],
        2,
    );
    assert!(err.contains("11") && err.contains("alone"), "{err}");
    let err = d.fails(
        &[
            "pixel-status",
            "--input",
            LIGHT,
            "-F",
            "6",
            "-w",
            "800,15",
            "-o",
            "c2",
        ],
        2,
    );
    assert!(err.contains("800"), "{err}");

    // The merge ORs status_light, status_max and status_data into status_extra.
    let desc: serde_json::Value = serde_json::from_slice(
        &std::fs::read(d.join("data/XPP/xpptut15/npy/xpptut15-r0002-epix100a.json")).unwrap(),
    )
    .unwrap();
    let id = desc["panel_ids"][0].as_str().unwrap();
    d.ok(&[
        "deploy-constants",
        "-C",
        "status_extra",
        "--panel-ids",
        id,
        "--det-type",
        "epix100a",
        "-e",
        "xpptut15",
        "-r",
        "2",
        "-t",
        "20231114231320",
        "-d",
        "epix100a",
        "-o",
        "constants",
        "-c",
        "calib",
        "-D",
        "--group",
        "",
    ]);
    let merged =
        u64s(&d.join("calib/Epix100a::CalibV1/epix100a.0:Epix100a.0/status_extra/0-end.data"));
    let light = u64s(&d.join(f6));
    let max = u64s(&d.join(f11.trim()));
    for i in 0..merged.len() {
        assert_eq!(merged[i], light[i] | max[i], "pixel {i}");
    }
}
