//! Merging and deploying: time-stamp choice, gain modes, defaults, status merge.

use std::path::Path;

use detcal::NdArray;
use detcal::deploy::constants::{ConstantsRepo, DetRun};
use detcal::deploy::jungfrau::{MergeRequest, merge};
use detcal::detector::DetType;
use detcal::files::Perms;
use detcal::formats::pyfmt::PyFormat;
use detcal::formats::text::{read_text, read_text_meta, write_plain};
use detcal::repo::Repo;
use ndarray::{ArrayD, IxDyn};

const R: usize = 4;
const C: usize = 6;

fn perms() -> Perms {
    Perms {
        group: None,
        ..Perms::default()
    }
}

/// Writes a repository file of panel `id` filled with `v`.
#[allow(clippy::too_many_arguments)]
fn put(
    repo: &Path,
    id: &str,
    ctype: &str,
    alias: &str,
    tstamp: &str,
    mode: &str,
    g: usize,
    v: f64,
) {
    let dir = repo.join(id).join(ctype);
    let name = format!("jungfrau_{alias}_{tstamp}_exp_r0001_{ctype}_gm{g}-{mode}.dat");
    let arr = NdArray::F64(ArrayD::from_elem(IxDyn(&[R, C]), v));
    write_plain(
        &dir.join(name),
        &arr,
        &PyFormat::parse("%.3f").unwrap(),
        &perms(),
    )
    .unwrap();
}

/// A panel with every dark ctype for the three default gain modes at `tstamp`, valued base+g.
fn full_panel(repo: &Path, id: &str, alias: &str, tstamp: &str, base: f64) {
    for ctype in ["pedestals", "rms", "status", "dark_min", "dark_max"] {
        for (g, mode) in ["Normal", "ForcedGain1", "ForcedGain2"].iter().enumerate() {
            put(repo, id, ctype, alias, tstamp, mode, g, base + g as f64);
        }
    }
}

fn request<'a>(repo: &'a Repo, ids: &'a [String], tstamp: &'a str) -> MergeRequest<'a> {
    MergeRequest {
        repo,
        panel_ids: ids,
        panel_indices: None,
        tstamp,
        exp: "xpptut15",
        run: 7,
        det_name: "XppEndstation.0:Jungfrau.0",
        use_defaults: false,
    }
}

fn pedestal_of(m: &detcal::deploy::jungfrau::MergeResult, panel: usize, g: usize) -> f32 {
    let a = read_text(&m.merged[0].file).unwrap().to_typed::<f32>();
    a[[g, panel, 0, 0]]
}

#[test]
fn merge_picks_files_by_time_stamp() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = Repo::new(tmp.path().join("panels"), perms());
    let ids = vec!["a-b-c".to_string(), "a-b-d".to_string()];
    full_panel(repo.root(), &ids[0], "0001", "20200101000000", 1000.0);
    full_panel(repo.root(), &ids[0], "0001", "20210101000000", 2000.0);
    full_panel(repo.root(), &ids[1], "0002", "20200601000000", 3000.0);
    // A FixedGain1 pedestal newer than the 2020 ForcedGain1 one, older than the 2021 one.
    put(
        repo.root(),
        &ids[0],
        "pedestals",
        "0001",
        "20200701000000",
        "FixedGain1",
        1,
        1500.0,
    );

    // Before every file: nothing; psana fails unless asked for defaults.
    let e = merge(&request(&repo, &ids, "20191231000000"))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("panel 0 (a-b-c): no pedestals file for gain index 0 (Normal or HighGain0)"),
        "{e}"
    );
    // Between the two versions of panel 0, after panel 1's.
    let m = merge(&request(&repo, &ids, "20200615000000")).unwrap();
    assert_eq!(pedestal_of(&m, 0, 0), 1000.0);
    assert_eq!(pedestal_of(&m, 0, 1), 1001.0);
    assert_eq!(pedestal_of(&m, 1, 2), 3002.0);
    // After the FixedGain1 file: it wins over the older ForcedGain1 (decision 4).
    let m = merge(&request(&repo, &ids, "20200801000000")).unwrap();
    assert_eq!(pedestal_of(&m, 0, 1), 1500.0);
    // Exactly at the 2021 time stamp: the 2021 files, ForcedGain1 newer than FixedGain1 again.
    let m = merge(&request(&repo, &ids, "20210101000000")).unwrap();
    assert_eq!(pedestal_of(&m, 0, 0), 2000.0);
    assert_eq!(pedestal_of(&m, 0, 1), 2001.0);
    // Long after: the latest.
    let m = merge(&request(&repo, &ids, "20990101000000")).unwrap();
    assert_eq!(pedestal_of(&m, 0, 2), 2002.0);

    // Outputs: 5 merged files (3, 2, R, C) with psana headers and formats, and per-panel files.
    assert_eq!(
        m.merged
            .iter()
            .map(|x| x.ctype.as_str())
            .collect::<Vec<_>>(),
        [
            "pedestals",
            "pixel_rms",
            "pixel_status",
            "dark_min",
            "dark_max"
        ]
    );
    for x in &m.merged {
        assert_eq!(x.shape, vec![3, 2, R, C]);
        let meta = read_text_meta(&x.file).unwrap();
        assert_eq!((meta.ndim, meta.dims.clone()), (Some(4), vec![3, 2, R, C]));
        assert!(x.file.starts_with(repo.root().join("merge_tmp")));
    }
    let name = m.merged[1].file.file_name().unwrap().to_str().unwrap();
    assert_eq!(
        name,
        "XppEndstation.0:Jungfrau.0-20990101000000-xpptut15-r0007-pixel_rms.txt"
    );
    let status_text = std::fs::read_to_string(&m.merged[2].file).unwrap();
    assert!(
        status_text.ends_with(&format!("{}\n", ["3002"; C].join(" "))),
        "%4i status"
    );
    let panel_file = repo
        .root()
        .join("a-b-c/pedestals/jungfrau_0001_20990101000000_xpptut15_r0007_pedestals.txt");
    assert!(m.panel_files.contains(&panel_file));
    assert_eq!(read_text(&panel_file).unwrap().shape(), &[3, 1, R, C]);
}

#[test]
fn missing_panels_and_gain_modes_use_defaults_only_when_asked() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = Repo::new(tmp.path().join("panels"), perms());
    let ids = vec!["p-0-0".to_string(), "p-0-1".to_string()];
    full_panel(repo.root(), &ids[0], "0001", "20200101000000", 100.0);
    let e = merge(&request(&repo, &ids, "20200201000000")).unwrap_err();
    assert!(
        matches!(&e, detcal::Error::NotFound { kind: detcal::Missing::Constants, what, .. } if what == "p-0-1"),
        "{e:?}"
    );
    let e = e.to_string();
    assert!(e.contains("panel 1 (p-0-1) has no directory"), "{e}");
    let mut req = request(&repo, &ids, "20200201000000");
    req.use_defaults = true;
    let m = merge(&req).unwrap();
    let value =
        |k: usize, g: usize, p: usize| read_text(&m.merged[k].file).unwrap().to_f64()[[g, p, 1, 1]];
    assert_eq!(value(0, 1, 0), 101.0);
    assert_eq!(
        (
            value(0, 0, 1),
            value(1, 0, 1),
            value(2, 0, 1),
            value(3, 0, 1),
            value(4, 2, 1)
        ),
        (0.0, 1.0, 0.0, 0.0, 16383.0)
    );
    // -I selects panels.
    let mut req = request(&repo, &ids, "20200201000000");
    req.panel_indices = Some(&[0]);
    assert_eq!(merge(&req).unwrap().merged[0].shape, vec![3, 1, R, C]);
    req.panel_indices = Some(&[5]);
    assert!(matches!(
        merge(&req),
        Err(detcal::Error::BadArgument {
            arg: "--paninds",
            ..
        })
    ));
    // A malformed repository file is an error naming it.
    let bad = repo
        .root()
        .join("p-0-0/rms/jungfrau_0001_20200102000000_exp_r0001_rms_gm0-Normal.dat");
    std::fs::write(&bad, "1 2\n3\n").unwrap();
    let e = merge(&request(&repo, &ids[..1], "20200201000000"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("rms_gm0-Normal.dat:2:"), "{e}");
}

fn status_array(panels: usize, set: &[(usize, usize, usize, u64)]) -> NdArray {
    let mut a = ArrayD::<u64>::zeros(IxDyn(&[panels, R, C]));
    for &(p, r, c, v) in set {
        a[[p, r, c]] |= v;
    }
    NdArray::U64(a)
}

#[test]
fn status_maps_merge_by_bits() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = ConstantsRepo::new(tmp.path(), perms());
    let ids = vec!["q-1-1".to_string(), "q-1-2".to_string()];
    let run = |tstamp: &'static str| DetRun {
        det_type: DetType::Jungfrau,
        panel_ids: Box::leak(Box::new(ids.clone())),
        exp: "xpptut15",
        run: 3,
        tstamp,
        source: "XppEndstation.0:Jungfrau.0",
    };
    // Two user maps at different times, a dark map, and a per-gain (4-D) map.
    repo.put(
        &run("20200101000000"),
        "status_user",
        &status_array(2, &[(0, 0, 0, 1), (1, 3, 5, 2)]),
        None,
    )
    .unwrap();
    repo.put(
        &run("20200301000000"),
        "status_user",
        &status_array(2, &[(0, 1, 1, 4)]),
        None,
    )
    .unwrap();
    repo.put(
        &run("20200201000000"),
        "status_dark",
        &status_array(2, &[(0, 0, 0, 8), (1, 2, 2, 1)]),
        None,
    )
    .unwrap();
    let mut g4 = ArrayD::<u64>::zeros(IxDyn(&[3, 2, R, C]));
    g4[[2, 1, 0, 1]] = 64;
    repo.put(
        &run("20200201000000"),
        "status_light",
        &NdArray::U64(g4),
        None,
    )
    .unwrap();
    // A status directory with nothing valid yet (only a later file) is skipped.
    repo.put(
        &run("20250101000000"),
        "status_max",
        &status_array(2, &[(0, 3, 3, 16)]),
        None,
    )
    .unwrap();

    let p = repo
        .prepare(&run("20200215000000"), "status_extra")
        .unwrap()
        .unwrap();
    assert_eq!(p.merged.ctype, "status_extra");
    let a = read_text(&p.merged.file).unwrap().to_typed::<u64>();
    assert_eq!(a.shape(), &[3, 2, R, C]);
    for g in 0..3 {
        assert_eq!(a[[g, 0, 0, 0]], 1 | 8, "user OR dark, every gain");
        assert_eq!(a[[g, 1, 3, 5]], 2);
        assert_eq!(a[[g, 1, 2, 2]], 1);
        assert_eq!(a[[g, 0, 1, 1]], 0, "the later user map is not valid yet");
        assert_eq!(a[[g, 0, 3, 3]], 0, "status_max has no valid file");
    }
    assert_eq!(a[[2, 1, 0, 1]], 64);
    assert_eq!(
        a[[0, 1, 0, 1]],
        0,
        "a per-gain map applies to its gain only"
    );
    assert_eq!(a.iter().filter(|&&v| v != 0).count(), 3 * 3 + 1);
    // Later: the newer user map replaces the older one.
    let p = repo
        .prepare(&run("20200401000000"), "status_extra")
        .unwrap()
        .unwrap();
    let a = read_text(&p.merged.file).unwrap().to_typed::<u64>();
    assert_eq!(
        (a[[0, 0, 0, 0]], a[[0, 0, 1, 1]], a[[0, 1, 3, 5]]),
        (8, 4, 0)
    );
    // Each panel keeps its own merged map.
    let merged_dir = tmp.path().join("jungfrau/q-1-1/status_merged");
    assert_eq!(std::fs::read_dir(&merged_dir).unwrap().count(), 2);
    // Before every map: an error saying so.
    let e = repo
        .prepare(&run("20190101000000"), "status_extra")
        .unwrap_err();
    assert!(
        matches!(&e, detcal::Error::NotFound { kind: detcal::Missing::Constants, what, .. } if what == "status_* maps"),
        "{e:?}"
    );
    let e = e.to_string();
    assert!(
        e.contains("no status_* maps valid for 20190101000000"),
        "{e}"
    );
}

#[test]
fn deploy_constants_falls_back_to_defaults() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = ConstantsRepo::new(tmp.path(), perms());
    let ids = vec!["e-1-1".to_string()];
    let run = DetRun {
        det_type: DetType::Epix100a,
        panel_ids: &ids,
        exp: "xpptut15",
        run: 5,
        tstamp: "20200101000000",
        source: "XppGon.0:Epix100a.1",
    };
    assert!(
        repo.prepare(&run, "gain").unwrap().is_none(),
        "no file and no default: nothing, with a warning"
    );
    let def = NdArray::F32(ArrayD::from_elem(IxDyn(&[704, 768]), 0.06));
    let path = repo
        .write_default(DetType::Epix100a, "gain", &def, None)
        .unwrap();
    assert_eq!(
        path,
        tmp.path()
            .join("epix100a/default/epix100a_default_gain.txt")
    );
    let p = repo.prepare(&run, "gain").unwrap().unwrap();
    assert!(p.default);
    assert_eq!(
        (p.merged.ctype.as_str(), p.merged.shape.clone()),
        ("pixel_gain", vec![704, 768])
    );
    // A repository file valid for the time wins over the default, and is deployed as it is.
    let g = NdArray::F64(ArrayD::from_elem(IxDyn(&[704, 768]), 0.05));
    let saved = repo
        .put(
            &DetRun {
                tstamp: "20191201000000",
                ..run.clone()
            },
            "gain",
            &g,
            Some("%.4f"),
        )
        .unwrap();
    let p = repo.prepare(&run, "gain").unwrap().unwrap();
    assert!(!p.default);
    assert_eq!(p.merged.file, saved[0]);
    assert!(repo.prepare(&run, "bogus").is_err());
    let e = repo
        .put(
            &run,
            "status_user",
            &NdArray::U8(ArrayD::zeros(IxDyn(&[2, 3, 4, 5, 6]))),
            None,
        )
        .unwrap_err()
        .to_string();
    assert!(e.contains("must be (rows, cols)"), "{e}");
}
