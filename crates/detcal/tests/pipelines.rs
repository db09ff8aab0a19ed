//! The pipelines of gain-constants, gain-import, deploy-constants, pixel-status and repo, called
//! as library functions on a small JUNGFRAU run written here.

use std::path::{Path, PathBuf};

use detcal::NdArray;
use detcal::detector::DetType;
use detcal::detrun::DetRunSpec;
use detcal::files::Perms;
use detcal::formats::load_array;
use detcal::formats::npy::write_npy;
use detcal::pipeline::{deploy_constants, gains, pixel_status, repo};
use detcal::pixel_status::StatusParams;
use detcal::settings::Settings;
use detcal::store::RunRange;
use ndarray::{ArrayD, IxDyn};
use xtc2::write::{DetectorSetup, RunWriter, gain_mode};
use xtc2::{TimeStamp, TransitionId};

const ROWS: usize = 4;
const COLS: usize = 6;
const IDS: [&str; 2] = ["pa-0001", "pb-0002"];
const SOURCE: &str = "jungfrau.0:Jungfrau.0";
/// The pixel of panel 1 that always reads 0.
const DEAD: usize = 9;

fn perms() -> Perms {
    Perms {
        group: None,
        ..Perms::default()
    }
}

/// Settings with no roots: every directory is given.
fn settings(cmd: &str) -> Settings {
    Settings {
        perms: perms(),
        argv: vec!["detcal".into(), cmd.into()],
        ..Settings::default()
    }
}

/// Writes a 2-panel JUNGFRAU dark run (experiment xpptut15, run 1) of 3 steps (gain modes) of 20
/// events: values near 1000 that vary by event and pixel, and one dead pixel in panel 1.
fn write_run(path: &Path) {
    let mut setup = DetectorSetup::jungfrau("jungfrau", &IDS);
    setup.rows = ROWS as u32;
    setup.cols = COLS as u32;
    let file = std::fs::File::create(path).unwrap();
    let mut w = RunWriter::new(std::io::BufWriter::new(file), setup).unwrap();
    let t = |n: u32| TimeStamp::new(1_100_000_000 + n, 0);
    w.configure(t(1), gain_mode::DYNAMIC).unwrap();
    w.begin_run(t(2), "xpptut15", 1).unwrap();
    let mut seed: u32 = 12345;
    let mut n = 10;
    for (g, gm) in [
        gain_mode::DYNAMIC,
        gain_mode::FORCE_SWITCH_G1,
        gain_mode::FORCE_SWITCH_G2,
    ]
    .into_iter()
    .enumerate()
    {
        w.begin_step(t(n), gm).unwrap();
        w.transition(t(n + 1), TransitionId::Enable).unwrap();
        for e in 0..20u32 {
            let frames: Vec<Vec<u16>> = (0..IDS.len())
                .map(|p| {
                    (0..ROWS * COLS)
                        .map(|i| {
                            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
                            if p == 1 && i == DEAD {
                                return 0;
                            }
                            let v = 1000 + (e % 7) + (i as u32 % 5) + (seed >> 16) % 4;
                            v as u16 | ((g as u16) << 14)
                        })
                        .collect()
                })
                .collect();
            let refs: Vec<&[u16]> = frames.iter().map(Vec::as_slice).collect();
            w.event(t(n + 2 + e), &refs).unwrap();
        }
        w.transition(t(n + 30), TransitionId::Disable).unwrap();
        w.transition(t(n + 31), TransitionId::EndStep).unwrap();
        n += 40;
    }
    w.transition(t(n), TransitionId::EndRun).unwrap();
    w.into_inner().unwrap();
}

/// A temporary directory with the run in `run.xtc2`.
fn with_run() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let xtc = tmp.path().join("run.xtc2");
    write_run(&xtc);
    (tmp, xtc)
}

fn det(xtc: &Path) -> DetRunSpec {
    DetRunSpec {
        dataset: Some(xtc.display().to_string()),

        ..DetRunSpec::default()
    }
}

/// The name of a file.
fn name(p: &Path) -> &str {
    p.file_name().unwrap().to_str().unwrap()
}

/// Asserts that `log` is a job log of `script` with the command line in it.
fn assert_log(log: &Path, under: &Path, script: &str, cmd: &str) {
    assert!(log.starts_with(under), "{log:?} under {under:?}");
    assert!(name(log).contains(&format!("_log_{script}_")), "{log:?}");
    let text = std::fs::read_to_string(log).unwrap();
    assert!(
        text.starts_with(&format!("[I] command: detcal {cmd}\n")),
        "{text}"
    );
}

#[test]
fn pixel_status_maps_per_panel_and_step() {
    let (tmp, xtc) = with_run();
    let dirrepo = tmp.path().join("constants");
    let mut opts = pixel_status::PixelStatusOptions {
        dataset: Some(xtc.display().to_string()),
        stack: None,
        calib_dir: None,
        det: None,
        params: StatusParams::default(),
        ctype: Some("status_dark".into()),
        dirrepo: Some(dirrepo.clone()),
        evcode: None,
    };
    let r = pixel_status::run(&opts, &settings("pixel-status")).unwrap();
    assert_eq!(r.files.len(), IDS.len() * 3, "{:?}", r.files);
    for (k, f) in r.files.iter().enumerate() {
        // Per step, one file per panel.
        let (g, p) = (k / IDS.len(), k % IDS.len());
        assert!(
            f.starts_with(dirrepo.join("jungfrau").join(IDS[p]).join("status_dark")),
            "{f:?}"
        );
        assert!(
            name(f).ends_with(&format!("_r0001_status_dark_g{g}.dat")),
            "{f:?}"
        );
        let a = load_array(f).unwrap().to_f64();
        assert_eq!(a.shape(), &[ROWS, COLS]);
        if p == 1 {
            assert_ne!(
                a.as_slice().unwrap()[DEAD] as u64 & 1,
                0,
                "dead pixel: mean low"
            );
        }
        let good = a.iter().filter(|&&v| v == 0.0).count();
        assert!(good >= ROWS * COLS - 4, "{f:?}: {a}");
    }
    assert_eq!(r.logs.len(), 1);
    assert_log(
        &r.logs[0],
        &dirrepo.join("jungfrau/logs"),
        "det_pixel_status",
        "pixel-status",
    );

    // One panel only, and the errors of a bad status name, a bad panel and no dataset.
    opts.params.segind = Some(1);
    opts.ctype = Some("status_data".into());
    let r = pixel_status::run(&opts, &settings("pixel-status")).unwrap();
    assert_eq!(r.files.len(), 3);
    assert!(
        r.files
            .iter()
            .all(|f| f.starts_with(dirrepo.join("jungfrau").join(IDS[1])))
    );
    opts.params.segind = Some(2);
    let e = pixel_status::run(&opts, &settings("pixel-status")).unwrap_err();
    assert_eq!(e.to_string(), "segment 2: the detector has 2");
    opts.ctype = Some("dark".into());
    let e = pixel_status::run(&opts, &settings("pixel-status")).unwrap_err();
    assert_eq!(
        e.to_string(),
        "--ctype \"dark\": status maps are named status_<something> (status_dark, status_data, ...)"
    );
    opts.ctype = Some("status_dark".into());
    opts.dataset = None;
    let e = pixel_status::run(&opts, &settings("pixel-status")).unwrap_err();
    assert_eq!(
        e.to_string(),
        "give a dataset (or -k, or --input STACK.npy)"
    );
}

#[test]
fn repo_put_default_and_deploy_constants() {
    let (tmp, xtc) = with_run();
    let dirrepo = tmp.path().join("constants");
    let calib = tmp.path().join("calib");
    // A user map marking one pixel of panel 1.
    let mut user = ArrayD::<u16>::zeros(IxDyn(&[2, ROWS, COLS]));
    user[[1, 2, 3]] = 128;
    let npy = tmp.path().join("user.npy");
    write_npy(&npy, &NdArray::U16(user), &perms()).unwrap();
    let put = repo::PutOptions {
        array: npy.clone(),
        ctype: "status_user".into(),
        tstamp: None,
        det: det(&xtc),
        dirrepo: Some(dirrepo.clone()),
        fmt: None,
    };
    let r = repo::put(&put, &settings("repo")).unwrap();
    assert_eq!(r.files.len(), 2);
    for (p, f) in r.files.iter().enumerate() {
        assert!(
            f.starts_with(dirrepo.join("jungfrau").join(IDS[p]).join("status_user")),
            "{f:?}"
        );
        let a = load_array(f).unwrap().to_f64();
        assert_eq!(a.shape(), &[ROWS, COLS]);
        assert_eq!(a.sum(), if p == 1 { 128.0 } else { 0.0 });
        assert_eq!(a[[2, 3]], if p == 1 { 128.0 } else { 0.0 });
    }

    // Nothing for gain: no file, no default.
    let mut opts = deploy_constants::ConstantsOptions {
        det: det(&xtc),
        ctype: "gain".into(),
        tstamp: None,
        dirrepo: Some(dirrepo.clone()),
        dircalib: Some(calib.clone()),
        deploy: true,
        runrange: RunRange::from_run(0),
    };
    let r = deploy_constants::run(&opts, &settings("deploy-constants")).unwrap();
    assert!(r.prepared.is_none() && r.placed.is_empty());
    assert_log(
        &r.log,
        &dirrepo.join("jungfrau/logs"),
        "deploy_constants",
        "deploy-constants",
    );
    assert!(!calib.exists());

    // status_extra: the user map, for every gain mode; a dry run first.
    opts.ctype = "status_extra".into();
    opts.deploy = false;
    let r = deploy_constants::run(&opts, &settings("deploy-constants")).unwrap();
    let to = calib.join(format!(
        "Jungfrau::CalibV1/{SOURCE}/status_extra/0-end.data"
    ));
    assert_eq!(r.placed.len(), 1);
    assert_eq!((r.placed[0].to.clone(), r.deployed), (to.clone(), false));
    assert!(!to.exists(), "a dry run deploys nothing");
    let prepared = r.prepared.unwrap();
    assert!(!prepared.default);
    assert_eq!(prepared.found.len(), 2);
    opts.deploy = true;
    let r = deploy_constants::run(&opts, &settings("deploy-constants")).unwrap();
    assert!(r.deployed && r.placed[0].deployed);
    let a = load_array(&to).unwrap().to_typed::<u64>();
    assert_eq!(a.shape(), &[3, 2, ROWS, COLS]);
    for g in 0..3 {
        assert_eq!(a[[g, 1, 2, 3]], 128);
    }
    assert_eq!(a.iter().sum::<u64>(), 3 * 128);

    // Without -c, the experiment's store under the data root, or an error saying so.
    opts.dircalib = None;
    let e = deploy_constants::run(&opts, &settings("deploy-constants")).unwrap_err();
    assert_eq!(
        e.to_string(),
        "finding the calibration directory (-c): no directory given: set the environment \
         variable SIT_PSDM_DATA or pass --calib-dir"
    );

    // A default file: a constant array, and psana's common_mode parameters.
    let mut def = repo::DefaultOptions {
        det_type: DetType::Epix100a,
        ctype: "gain".into(),
        value: Some(0.06),
        shape: Some("4x6".into()),
        from: None,
        dirrepo: Some(dirrepo.clone()),
    };
    let r = repo::default(&def, &settings("repo")).unwrap();
    assert_eq!(
        r.file,
        dirrepo.join("epix100a/default/epix100a_default_gain.txt")
    );
    let a = load_array(&r.file).unwrap().to_f64();
    assert_eq!(a.shape(), &[4, 6]);
    assert!(a.iter().all(|&v| (v - 0.06).abs() < 1e-6));
    def.ctype = "common_mode".into();
    let r = repo::default(&def, &settings("repo")).unwrap();
    let a = load_array(&r.file).unwrap().to_f64();
    assert_eq!(a.shape(), &[16]);
    assert_eq!(
        a.as_slice().unwrap(),
        &DetType::Epix100a.default_common_mode()[..]
    );
    def.ctype = "gain".into();
    def.shape = Some("4xsix".into());
    let e = repo::default(&def, &settings("repo")).unwrap_err();
    assert_eq!(
        e.to_string(),
        "--shape \"4xsix\": expected sizes like 704x768"
    );
    // Without -o and SIT_ROOT: the error names both.
    def.dirrepo = None;
    let e = repo::default(&def, &settings("repo")).unwrap_err();
    assert!(
        e.to_string().contains("SIT_ROOT") && e.to_string().contains("-o/--dirrepo"),
        "{e}"
    );
}

/// Writes a panel gain directory of 4 x 6 maps: gain `10 + g + p`, offset `100 * g + p`.
fn gain_dir(repdir: &Path, p: usize) {
    for g in 0..3 {
        let m = |v: f64| NdArray::F64(ArrayD::from_elem(IxDyn(&[ROWS, COLS]), v));
        let dir = repdir.join(IDS[p]);
        write_npy(
            &dir.join(format!("g{g}_gain.npy")),
            &m(10.0 + g as f64 + p as f64),
            &perms(),
        )
        .unwrap();
        write_npy(
            &dir.join(format!("g{g}_offset.npy")),
            &m(100.0 * g as f64 + p as f64),
            &perms(),
        )
        .unwrap();
    }
}

#[test]
fn gain_constants_merge_and_deploy() {
    let (tmp, xtc) = with_run();
    let repdir = tmp.path().join("gains");
    let calib = tmp.path().join("calib");
    gain_dir(&repdir, 0);
    gain_dir(&repdir, 1);
    let mut opts = gains::GainOptions {
        det: det(&xtc),
        repdir: Some(repdir.clone()),
        dircalib: Some(calib.clone()),
        ..gains::GainOptions::default()
    };
    let r = gains::run(&opts, &settings("gain-constants")).unwrap();
    assert_eq!(r.dirs, vec![repdir.join(IDS[0]), repdir.join(IDS[1])]);
    let ctypes: Vec<&str> = r.merged.iter().map(|m| m.ctype.as_str()).collect();
    assert_eq!(ctypes, ["pixel_gain", "pixel_offset"]);
    assert!(
        r.merged
            .iter()
            .all(|m| m.file.starts_with(repdir.join("merge_tmp")) && m.shape == [3, 2, ROWS, COLS])
    );
    assert!(!r.deployed && r.placed.iter().all(|p| !p.deployed));
    assert!(!calib.exists(), "a dry run deploys nothing");
    assert_log(
        &r.log,
        &repdir.join("logs"),
        "jungfrau_gain_constants",
        "gain-constants",
    );

    opts.deploy = true;
    opts.runrange = Some("3-9".parse().unwrap());
    let r = gains::run(&opts, &settings("gain-constants")).unwrap();
    assert!(r.deployed);
    let to: Vec<PathBuf> = r.placed.iter().map(|p| p.to.clone()).collect();
    let store = calib.join(format!("Jungfrau::CalibV1/{SOURCE}"));
    assert_eq!(
        to,
        [
            store.join("pixel_gain/3-9.data"),
            store.join("pixel_offset/3-9.data")
        ]
    );
    let g = load_array(&to[0]).unwrap().to_f64();
    let o = load_array(&to[1]).unwrap().to_f64();
    assert_eq!(g.shape(), &[3, 2, ROWS, COLS]);
    for gi in 0..3 {
        for p in 0..2 {
            assert_eq!(g[[gi, p, 1, 1]], 10.0 + (gi + p) as f64);
            assert_eq!(o[[gi, p, 3, 5]], 100.0 * gi as f64 + p as f64);
        }
    }

    // A missing panel directory is an error naming it.
    std::fs::remove_dir_all(repdir.join(IDS[1])).unwrap();
    let e = gains::run(&opts, &settings("gain-constants")).unwrap_err();
    assert!(e.to_string().contains(IDS[1]), "{e}");
}

#[test]
fn gain_import_writes_a_panel_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let bin = tmp.path().join("gainMaps_M088_2021-03-01.bin");
    // Four maps G0, G1, G2, HG0 of 512 x 1024, valued 1, 2, 3, 4.
    let mut bytes = Vec::with_capacity(4 * 512 * 1024 * 8);
    for m in 1..=4 {
        for _ in 0..512 * 1024 {
            bytes.extend_from_slice(&(m as f64).to_le_bytes());
        }
    }
    std::fs::write(&bin, bytes).unwrap();
    let repdir = tmp.path().join("gains");
    let opts = gains::ImportOptions {
        file: bin,
        panel_id: "190408-181206-50c246de810058".into(),
        tstamp: Some("20210301000000".into()),
        hg0: true,
        repdir: Some(repdir.clone()),
    };
    let r = gains::import(&opts, &settings("gain-import")).unwrap();
    let dir = repdir.join("190408-181206-50c246de810058-20210301000000");
    assert_eq!(r.dir, dir);
    let names: Vec<&str> = r.files.iter().map(|f| name(f)).collect();
    assert_eq!(
        names,
        [
            "g0_gain.npy",
            "g0_offset.npy",
            "g1_gain.npy",
            "g1_offset.npy",
            "g2_gain.npy",
            "g2_offset.npy"
        ]
    );
    for (k, f) in r.files.iter().enumerate() {
        assert_eq!(f.parent(), Some(dir.as_path()));
        let a = load_array(f).unwrap().to_f64();
        assert_eq!(a.shape(), &[512, 1024]);
        // HG0 (4) replaces G0; offsets are zero.
        let want = match k {
            0 => 4.0,
            2 => 2.0,
            4 => 3.0,
            _ => 0.0,
        };
        assert!(a.iter().all(|&v| v == want), "{f:?}");
    }
}
