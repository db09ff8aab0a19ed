//! Dark processing, deployment and gain constants end to end, on simulated runs.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use detcal::formats::{load_array, text::read_text_meta};
use ndarray::{ArrayD, Axis};

use crate::util::Dir;

const SHAPE: &str = "64x256";
const ROWS: usize = 64;
const COLS: usize = 256;

/// Simulates a 2-panel dark run (3 steps of `events`) with gain maps.
fn simulate(d: &Dir, events: usize, seed: u64) {
    d.ok(&[
        "simulate",
        "--out",
        "data",
        "--panels",
        "2",
        "--shape",
        SHAPE,
        "-n",
        &events.to_string(),
        "--no-light",
        "--gains",
        "gains",
        "--seed",
        &seed.to_string(),
        "--group",
        "",
    ]);
}

fn truth(d: &Dir, name: &str) -> ArrayD<f64> {
    load_array(&d.join(&format!(
        "data/XPP/xpptut15/xtc/xpptut15-r0001-truth/{name}.npy"
    )))
    .unwrap()
    .to_f64()
}

fn panel_ids(d: &Dir) -> Vec<String> {
    std::fs::read_to_string(d.join("data/XPP/xpptut15/xtc/xpptut15-r0001-truth/panel_ids.txt"))
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

/// The one repository file of a panel, ctype and gain mode.
fn repo_file(repo: &Path, id: &str, ctype: &str, gm: &str) -> PathBuf {
    let dir = repo.join(id).join(ctype);
    let mut hits: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_str().unwrap().ends_with(&format!("_{ctype}_{gm}.dat")))
        .collect();
    assert_eq!(hits.len(), 1, "{dir:?} {gm}: {hits:?}");
    hits.pop().unwrap()
}

const MODES: [&str; 3] = ["gm0-Normal", "gm1-ForcedGain1", "gm2-ForcedGain2"];

#[test]
fn dark_processing_matches_the_truth_and_flags_the_defects() {
    let d = Dir::new();
    let events = 80;
    simulate(&d, events, 11);
    d.ok(&[
        "dark",
        "exp=xpptut15:run=1",
        "--data-dir",
        "data",
        "-o",
        "panels",
        "--group",
        "",
    ]);
    let (peds, rms, defects) = (
        truth(&d, "pedestals"),
        truth(&d, "rms"),
        truth(&d, "defects"),
    );
    let ids = panel_ids(&d);
    let mut flagged_any = vec![vec![0u64; ROWS * COLS]; 2];
    for (p, id) in ids.iter().enumerate() {
        for (g, gm) in MODES.iter().enumerate() {
            let got = load_array(&repo_file(
                Path::new(&d.join("panels")),
                id,
                "pedestals",
                gm,
            ))
            .unwrap()
            .to_f64();
            assert_eq!(got.shape(), &[ROWS, COLS]);
            let status = load_array(&repo_file(&d.join("panels"), id, "status", gm))
                .unwrap()
                .to_typed::<u64>();
            let mut worst: f64 = 0.0;
            for r in 0..ROWS {
                for c in 0..COLS {
                    if defects[[p, r, c]] != 0.0 {
                        continue;
                    }
                    let sigma = rms[[g, p, r, c]] / (events as f64 * 0.9).sqrt();
                    let err = (got[[r, c]] - peds[[g, p, r, c]]).abs() / sigma;
                    worst = worst.max(err);
                }
            }
            assert!(
                worst < 6.0,
                "panel {p} {gm}: pedestal off by {worst:.1} sigma"
            );
            for (i, s) in status.iter().enumerate() {
                flagged_any[p][i] |= s;
            }
        }
    }
    // Every dead, saturated and invalid-gain pixel is flagged; so are hot, noisy, wrong-gain ones.
    let mut false_flags = 0;
    for p in 0..2 {
        for r in 0..ROWS {
            for c in 0..COLS {
                let st = flagged_any[p][r * COLS + c];
                match defects[[p, r, c]] as u8 {
                    0 => false_flags += usize::from(st != 0),
                    bit => assert_ne!(
                        st, 0,
                        "panel {p} ({r}, {c}) with defect bit {bit} is not flagged"
                    ),
                }
            }
        }
    }
    assert!(
        false_flags < 2 * ROWS * COLS / 1000,
        "{false_flags} good pixels flagged"
    );
    // The log says what was done.
    let logs: Vec<PathBuf> = walk(&d.join("panels/logs"));
    let log = std::fs::read_to_string(&logs[0]).unwrap();
    assert!(
        log.contains("gain mode ForcedGain1") && log.contains("status bits (pixels)"),
        "{log}"
    );
    let alias_table = std::fs::read_to_string(d.join("panels/.aliases_jungfrau.txt")).unwrap();
    assert_eq!(alias_table.lines().count(), 2);
}

/// Every file below `dir`, sorted.
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd {
            let p = e.unwrap().path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn numpy_stack_gives_the_same_files_as_the_run() {
    let d = Dir::new();
    simulate(&d, 60, 12);
    d.ok(&[
        "dark",
        "exp=xpptut15:run=1",
        "--data-dir",
        "data",
        "-o",
        "from_xtc",
        "--stepnum",
        "1",
        "--group",
        "",
    ]);
    d.ok(&[
        "extract",
        "exp=xpptut15:run=1",
        "--data-dir",
        "data",
        "--step",
        "1",
        "-o",
        "g1.npy",
        "--group",
        "",
    ]);
    let ids = panel_ids(&d).join(",");
    d.ok(&[
        "dark",
        "--input",
        "g1.npy",
        "--gain-mode",
        "ForcedGain1",
        "--panel-ids",
        &ids,
        "--exp",
        "xpptut15",
        "--run",
        "1",
        "--tstamp",
        "20250328190808",
        "-o",
        "from_npy",
        "--group",
        "",
    ]);
    let a: Vec<PathBuf> = walk(&d.join("from_xtc"))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "dat"))
        .collect();
    let b: Vec<PathBuf> = walk(&d.join("from_npy"))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "dat"))
        .collect();
    assert_eq!(a.len(), 10);
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(
            x.strip_prefix(d.join("from_xtc")).unwrap(),
            y.strip_prefix(d.join("from_npy")).unwrap()
        );
        assert_eq!(
            std::fs::read(x).unwrap(),
            std::fs::read(y).unwrap(),
            "{x:?}"
        );
    }
    // psana's -e/-m/-n: at most 20 events per step after skipping 5, then the counts show it.
    d.ok(&[
        "dark",
        "exp=xpptut15:run=1",
        "--data-dir",
        "data",
        "-o",
        "short",
        "-e",
        "25",
        "-m",
        "5",
        "--group",
        "",
    ]);
    let log = std::fs::read_to_string(&walk(&d.join("short/logs"))[0]).unwrap();
    assert_eq!(log.matches(": 20 frames used").count(), 3, "{log}");
    // Bad input is an error, and nothing half-written is left.
    let err = d.fails(
        &[
            "dark",
            "--input",
            "g1.npy",
            "--panel-ids",
            &ids,
            "--exp",
            "xpptut15",
            "--run",
            "1",
            "--tstamp",
            "20250328190808",
            "-o",
            "x",
        ],
        2,
    );
    assert!(err.contains("--gain-mode"), "{err}");
    let err = d.fails(
        &[
            "dark",
            "exp=xpptut15:run=1",
            "--data-dir",
            "data",
            "-o",
            "y",
            "-n",
            "2",
            "--group",
            "",
        ],
        2,
    );
    assert!(
        err.contains("no step was processed") || err.contains("frames"),
        "{err}"
    );
    let err = d.fails(
        &[
            "dark",
            "exp=xpptut15:run=1",
            "--data-dir",
            "data",
            "-o",
            "z",
            "--segind",
            "9",
        ],
        2,
    );
    assert!(err.contains("--segind 9"), "{err}");
}

#[test]
fn concurrent_jobs_share_one_repository() {
    let d = Dir::new();
    // Eight detectors of one new panel each, simulated apart, processed at the same time.
    for k in 0..8 {
        d.ok(&[
            "simulate",
            "--out",
            &format!("data{k}"),
            "--panels",
            "1",
            "--shape",
            "32x64",
            "-n",
            "55",
            "--no-light",
            "--seed",
            &(100 + k).to_string(),
            "--group",
            "",
        ]);
    }
    let children: Vec<_> = (0..8)
        .map(|k| {
            d.spawn_cmd()
                .args([
                    "-q",
                    "dark",
                    "exp=xpptut15:run=1",
                    "--data-dir",
                    &format!("data{k}"),
                    "-o",
                    "repo",
                    "--group",
                    "",
                ])
                .spawn()
                .unwrap()
        })
        .collect();
    for mut c in children {
        assert!(c.wait().unwrap().success());
    }
    let table = std::fs::read_to_string(d.join("repo/.aliases_jungfrau.txt")).unwrap();
    let mut aliases: Vec<&str> = table
        .lines()
        .map(|l| l.split(' ').next().unwrap())
        .collect();
    aliases.sort();
    assert_eq!(
        aliases,
        [
            "0001", "0002", "0003", "0004", "0005", "0006", "0007", "0008"
        ],
        "{table}"
    );
    let ids: std::collections::BTreeSet<&str> = table
        .lines()
        .map(|l| l.split(' ').nth(1).unwrap())
        .collect();
    assert_eq!(ids.len(), 8);
    // Every log line is whole, and the per-year record has one record per job.
    let files = walk(&d.join("repo"));
    let mut log_lines = 0;
    for f in files
        .iter()
        .filter(|f| f.to_str().unwrap().contains("_log_jungfrau_dark_proc_"))
    {
        for l in std::fs::read_to_string(f).unwrap().lines() {
            assert!(
                l.starts_with("[I] ") || l.starts_with("[W] ") || l.starts_with("    "),
                "torn line {l:?} in {f:?}"
            );
            log_lines += 1;
        }
    }
    assert!(log_lines >= 8 * 5, "{log_lines} log lines");
    let record = files
        .iter()
        .find(|f| {
            f.to_str()
                .unwrap()
                .ends_with("_lcls1_jungfrau_dark_proc.txt")
        })
        .unwrap();
    let rec = std::fs::read_to_string(record).unwrap();
    assert_eq!(
        rec.lines().filter(|l| l.contains(" command:")).count(),
        8,
        "{rec}"
    );
    // 8 panels x 3 gain modes x 5 ctypes, each complete.
    let dats: Vec<&PathBuf> = files
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "dat"))
        .collect();
    assert_eq!(dats.len(), 8 * 3 * 5);
    for f in dats {
        assert_eq!(load_array(f).unwrap().shape(), &[32, 64], "{f:?}");
    }
    assert!(
        !files.iter().any(|f| f.to_str().unwrap().ends_with(".tmp")),
        "no temporary files left"
    );
}

/// Hashes every file below `dir` (name and content).
fn tree_hash(dir: &Path) -> BTreeMap<PathBuf, u64> {
    use std::hash::{Hash, Hasher};
    walk(dir)
        .into_iter()
        .map(|p| {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            std::fs::read(&p).unwrap().hash(&mut h);
            (p, h.finish())
        })
        .collect()
}

#[test]
fn dark_deploy_gains_find_end_to_end() {
    let d = Dir::new();
    simulate(&d, 60, 13);
    d.ok(&[
        "dark",
        "exp=xpptut15:run=1",
        "--data-dir",
        "data",
        "-o",
        "panels",
        "--group",
        "",
    ]);
    let dep = [
        "deploy",
        "-e",
        "xpptut15",
        "-r",
        "1",
        "--data-dir",
        "data",
        "-o",
        "panels",
        "-c",
        "calib",
        "--group",
        "",
    ];
    // A dry run says what it would deploy and changes nothing in the calibration store.
    let out = d.ok(&dep);
    assert_eq!(
        out.lines().filter(|l| l.starts_with("dry-run ")).count(),
        5,
        "{out}"
    );
    assert!(!d.join("calib").exists());
    d.ok(&[&dep[..], &["-D"]].concat());
    d.ok(&[
        "gain-constants",
        "-e",
        "xpptut15",
        "-r",
        "1",
        "--data-dir",
        "data",
        "--repdir",
        "gains",
        "-c",
        "calib",
        "-D",
        "--group",
        "",
    ]);
    let before = tree_hash(&d.join("calib"));
    d.ok(&dep);
    d.ok(&[
        "gain-constants",
        "-e",
        "xpptut15",
        "-r",
        "1",
        "--data-dir",
        "data",
        "--repdir",
        "gains",
        "-c",
        "calib",
        "--group",
        "",
    ]);
    assert_eq!(
        tree_hash(&d.join("calib")),
        before,
        "dry runs leave the calibration store as it was"
    );

    let find = |ctype: &str| {
        let out = d.ok(&[
            "find",
            "-c",
            "calib",
            "-s",
            "jungfrau.0:Jungfrau.0",
            "-t",
            ctype,
            "-r",
            "5",
        ]);
        d.path().join(out.trim_end())
    };
    let (peds, gains, offsets, defects) = (
        truth(&d, "pedestals"),
        truth(&d, "gain"),
        truth(&d, "offset"),
        truth(&d, "defects"),
    );
    for ctype in [
        "pedestals",
        "pixel_rms",
        "pixel_status",
        "dark_min",
        "dark_max",
        "pixel_gain",
        "pixel_offset",
    ] {
        let f = find(ctype);
        assert!(
            f.ends_with(format!(
                "Jungfrau::CalibV1/jungfrau.0:Jungfrau.0/{ctype}/1-end.data"
            )),
            "{f:?}"
        );
        let meta = read_text_meta(&f).unwrap();
        assert_eq!(
            (meta.ndim, meta.dims.clone()),
            (Some(4), vec![3, 2, ROWS, COLS]),
            "{ctype}"
        );
        assert!(
            meta.comments.iter().any(|c| c.starts_with("HOST ")),
            "psana header"
        );
    }
    let got = load_array(&find("pedestals")).unwrap().to_f64();
    let rms = truth(&d, "rms");
    for ((idx, &v), &t) in got.indexed_iter().zip(peds.iter()) {
        let (g, p, r, c) = (idx[0], idx[1], idx[2], idx[3]);
        if defects[[p, r, c]] == 0.0 {
            let tol = 6.0 * rms[[g, p, r, c]] / (60.0f64 * 0.9).sqrt() + 0.001;
            assert!((v - t).abs() < tol, "pedestal {idx:?}: {v} vs {t}");
        }
    }
    let g = load_array(&find("pixel_gain")).unwrap().to_f64();
    assert!(
        g.iter()
            .zip(gains.iter())
            .all(|(a, b)| (a - b).abs() <= 0.00005 + 1e-6 * b.abs()),
        "gains equal the maps to %.4f"
    );
    let o = load_array(&find("pixel_offset")).unwrap().to_f64();
    assert!(
        o.iter()
            .zip(offsets.iter())
            .all(|(a, b)| (a - b).abs() <= 0.05 + 1e-5 * b.abs()),
        "offsets equal the maps to %.1f"
    );
    assert_eq!(g.index_axis(Axis(0), 1).shape(), &[2, ROWS, COLS]);
}

#[test]
fn killed_deploys_never_leave_partial_files() {
    let d = Dir::new();
    simulate(&d, 55, 14);
    d.ok(&[
        "dark",
        "exp=xpptut15:run=1",
        "--data-dir",
        "data",
        "-o",
        "panels",
        "--group",
        "",
    ]);
    let args = [
        "-q",
        "deploy",
        "-e",
        "xpptut15",
        "-r",
        "1",
        "--data-dir",
        "data",
        "-o",
        "panels",
        "-c",
        "calib",
        "-D",
        "--group",
        "",
    ];
    let mut seed: u64 = 0x5eed;
    for round in 0..12 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let mut child = d.spawn_cmd().args(args).spawn().unwrap();
        std::thread::sleep(Duration::from_millis(seed % 400));
        let _ = child.kill(); // SIGKILL: no chance to clean up
        let _ = child.wait();
        // Whatever moment it died at, every .data file is complete.
        for f in walk(&d.join("calib"))
            .into_iter()
            .filter(|f| f.extension().is_some_and(|e| e == "data"))
        {
            let a = load_array(&f).unwrap_or_else(|e| panic!("round {round}: {f:?}: {e}"));
            assert_eq!(a.shape(), &[3, 2, ROWS, COLS], "round {round}: {f:?}");
        }
    }
    // A finished deploy afterwards finds everything in place.
    d.ok(&args[1..]);
    assert_eq!(
        walk(&d.join("calib"))
            .iter()
            .filter(|f| f.extension().is_some_and(|e| e == "data"))
            .count(),
        5
    );
}

#[test]
fn pixel_status_and_user_maps_merge_into_status_extra() {
    let d = Dir::new();
    simulate(&d, 30, 15);
    let out = d.ok(&[
        "pixel-status",
        "exp=xpptut15:run=1",
        "--data-dir",
        "data",
        "-o",
        "constants",
        "--group",
        "",
    ]);
    assert_eq!(
        out.lines().count(),
        2 * 3,
        "one map per panel and step: {out}"
    );
    assert!(out.lines().all(|l| l.contains("/status_dark/")
        && (l.ends_with("_g0.dat") || l.ends_with("_g1.dat") || l.ends_with("_g2.dat"))));
    // A user map marks one pixel of panel 1 for all gain modes.
    let mut user = ndarray::ArrayD::<u16>::zeros(ndarray::IxDyn(&[2, ROWS, COLS]));
    user[[1, 5, 7]] = 128;
    detcal::formats::npy::write_npy(
        &d.join("user.npy"),
        &detcal::NdArray::U16(user),
        &detcal::files::Perms {
            group: None,
            ..Default::default()
        },
    )
    .unwrap();
    d.ok(&[
        "repo",
        "put",
        "user.npy",
        "-C",
        "status_user",
        "-e",
        "xpptut15",
        "-r",
        "1",
        "--data-dir",
        "data",
        "-o",
        "constants",
        "--group",
        "",
    ]);
    d.ok(&[
        "deploy-constants",
        "-e",
        "xpptut15",
        "-r",
        "1",
        "--data-dir",
        "data",
        "-o",
        "constants",
        "-C",
        "status_extra",
        "-c",
        "calib",
        "-D",
        "--group",
        "",
    ]);
    let f = d.join("calib/Jungfrau::CalibV1/jungfrau.0:Jungfrau.0/status_extra/0-end.data");
    let a = load_array(&f).unwrap().to_typed::<u64>();
    assert_eq!(a.shape(), &[3, 2, ROWS, COLS]);
    let defects = truth(&d, "defects");
    for g in 0..3 {
        assert_eq!(a[[g, 1, 5, 7]] & 128, 128, "the user bit in gain {g}");
        for p in 0..2 {
            for r in 0..ROWS {
                for c in 0..COLS {
                    let def = defects[[p, r, c]] as u8;
                    // Dead pixels read 0 (mean low); saturated ones 16383 (mean high).
                    if def == 1 {
                        assert_ne!(a[[g, p, r, c]] & 1, 0, "dead ({p},{r},{c}) gain {g}");
                    }
                    if def == 32 {
                        assert_ne!(a[[g, p, r, c]] & 2, 0, "saturated ({p},{r},{c}) gain {g}");
                    }
                }
            }
        }
    }
}

/// Writes `gains/<id>/g{0,1,2}_{gain,offset}.npy` of shape (4, 6) in the given dtype, with values
/// that psana's text formats (%.4f, %.1f) write without loss, and returns them per kind as
/// `[g][p]` arrays of f64.
fn write_gain_dir(d: &Dir, id: &str, p: usize, dtype: detcal::DType) -> Vec<Vec<f64>> {
    use detcal::NdArray;
    use detcal::files::Perms;
    let perms = Perms {
        group: None,
        ..Perms::default()
    };
    let mut out = Vec::new();
    for (kind, digits) in [("gain", 4), ("offset", 1)] {
        let mut per_gain = Vec::new();
        for g in 0..3 {
            let v: Vec<f64> = (0..24)
                .map(|k| {
                    let x = 40.0 / (1 + g * 20) as f64 + (k + 24 * p) as f64 * 0.0123 - 0.3;
                    format!("{x:.digits$}").parse().unwrap()
                })
                .collect();
            let a =
                NdArray::F64(ArrayD::from_shape_vec(ndarray::IxDyn(&[4, 6]), v.clone()).unwrap());
            detcal::formats::npy::write_npy(
                &d.join(&format!("gains/{id}/g{g}_{kind}.npy")),
                &a.cast(dtype),
                &perms,
            )
            .unwrap();
            per_gain.extend(if dtype == detcal::DType::F32 {
                v.iter().map(|&x| x as f32 as f64).collect()
            } else {
                v
            });
        }
        out.push(per_gain);
    }
    out
}

#[test]
fn gain_constants_keep_the_dtype_of_the_panel_maps() {
    use detcal::DType::{F32, F64};
    // psana's merge_panel_constants stacks the maps with np.stack, which keeps their dtype
    // (numpy's promotion when they differ), and save_txt writes it as # DTYPE.
    for (dtypes, want) in [([F64, F64], F64), ([F32, F32], F32), ([F32, F64], F64)] {
        let d = Dir::new();
        let ids = ["panel-a", "panel-b"];
        let maps: Vec<Vec<Vec<f64>>> = ids
            .iter()
            .zip(dtypes)
            .enumerate()
            .map(|(p, (id, t))| write_gain_dir(&d, id, p, t))
            .collect();
        let out = d.ok(&[
            "gain-constants",
            "--panel-ids",
            "panel-a,panel-b",
            "-e",
            "xpptut15",
            "-r",
            "5",
            "-t",
            "20230101000000",
            "--repdir",
            "gains",
            "-c",
            "calib",
            "-D",
            "--group",
            "",
        ]);
        for (k, ctype) in ["pixel_gain", "pixel_offset"].into_iter().enumerate() {
            // (3, panels, 4, 6): gain index, then panel.
            let expected: Vec<f64> = (0..3)
                .flat_map(|g| (0..2).flat_map(move |p| (0..24).map(move |i| (g, p, i))))
                .map(|(g, p, i)| maps[p][k][g * 24 + i])
                .collect();
            let deployed = d.join(&format!(
                "calib/Jungfrau::CalibV1/jungfrau.0:Jungfrau.0/{ctype}/5-end.data"
            ));
            let meta = read_text_meta(&deployed).unwrap();
            assert_eq!(meta.dtype, Some(want), "{ctype} {dtypes:?}: {out}");
            let dtype_line: Vec<&String> = meta
                .comments
                .iter()
                .filter(|c| c.starts_with("DTYPE"))
                .collect();
            assert_eq!(dtype_line.len(), 1, "{ctype}: {:?}", meta.comments);
            assert!(
                dtype_line[0].ends_with(&format!(" {want}")),
                "{dtype_line:?}"
            );
            let text = load_array(&deployed).unwrap();
            assert_eq!(text.dtype(), want);
            assert_eq!(text.shape(), &[3, 2, 4, 6]);
            // The text has the values in psana's format, read back in the file's dtype.
            let digits = [4, 1][k];
            let in_text: Vec<f64> = expected
                .iter()
                .map(|e| {
                    let x: f64 = format!("{e:.digits$}").parse().unwrap();
                    if want == F32 { x as f32 as f64 } else { x }
                })
                .collect();
            let got: Vec<f64> = text.to_f64().iter().copied().collect();
            assert_eq!(got, in_text, "{ctype} {dtypes:?}: text values");
            // The merged .npy keeps every bit of the maps.
            let npy = d.join(&format!(
                "gains/merge_tmp/jungfrau.0:Jungfrau.0-20230101000000-xpptut15-r0005_{ctype}.npy"
            ));
            let merged = load_array(&npy).unwrap();
            assert_eq!(merged.dtype(), want, "{npy:?}");
            let got: Vec<f64> = merged.to_f64().iter().copied().collect();
            assert_eq!(got, expected, "{ctype} {dtypes:?}: .npy values");
        }
    }
}
