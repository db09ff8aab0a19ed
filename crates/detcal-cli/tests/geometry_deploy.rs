//! `geometry deploy` (psana's `geometry_deploy_constants`) with a run: `-x` datasets, the
//! ePix10ka family's alias names and `-B`, `-a` repository references, `-l` log levels.

use std::path::{Path, PathBuf};

use crate::util::{Dir, shared_data};

/// The default ePix10ka quad geometry with a marker comment, so that copies can be told apart.
fn quad_file(d: &Dir, rel: &str, marker: &str) -> Vec<u8> {
    let p = d.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    d.ok(&[
        "geometry",
        "default",
        "--det-type",
        "epix10kaquad",
        "--panels",
        "4",
        "-o",
        p.to_str().unwrap(),
    ]);
    let mut text = std::fs::read(&p).unwrap();
    text.extend_from_slice(format!("# {marker}\n").as_bytes());
    std::fs::write(&p, &text).unwrap();
    text
}

fn quad_dest(d: &Dir, source: &str, range: &str) -> PathBuf {
    d.join(&format!(
        "calib/Epix10kaQuad::CalibV1/{source}/geometry/{range}.data"
    ))
}

/// The panel ids of the real ePix10ka quad sample joined by `_` (psana's detector id).
fn quad_id(d: &Dir, sample: &Path) -> String {
    let out = d.ok(&["epix10ka-id", sample.to_str().unwrap()]);
    let ids: Vec<&str> = out
        .lines()
        .filter_map(|l| l.strip_prefix("elem ")?.split_once(": ").map(|(_, id)| id))
        .collect();
    assert_eq!(ids.len(), 4, "{out}");
    ids.join("_")
}

/// The real ePix10ka quad run (ueddaq02 run 109, started 2021-02-23T20:34:20 UTC) named by `-x`:
/// its repository file is chosen by the alias of its panel ids and the run's time; `-t`
/// replaces the time; `-B` names it by source and date; an unknown detector gets the default
/// and a dry run adds nothing to the alias table.
#[test]
fn deploy_for_a_run_names_the_epix10ka_quad_by_alias() {
    let Some(sample) = shared_data("xtc2/test_epix_calib.xtc2") else {
        return;
    };
    let d = Dir::new();
    let x = sample.to_str().unwrap();
    let id = quad_id(&d, &sample);
    let dir = "repo/epix10kaquad";
    let before = quad_file(
        &d,
        &format!("{dir}/epix10kaquad_0007_20210101000000.data"),
        "A",
    );
    let after = quad_file(
        &d,
        &format!("{dir}/epix10kaquad_0007_20210223203421.data"),
        "B",
    );
    quad_file(
        &d,
        &format!("{dir}/epix10kaquad_0008_20210201000000.data"),
        "other",
    );
    let by_source = quad_file(
        &d,
        &format!("{dir}/epix10kaquad_epixquad-0-Epix10kaQuad-0_20210223.data"),
        "C",
    );
    quad_file(&d, &format!("{dir}/epix10kaquad_default.data"), "D");
    let table = d.join(&format!("{dir}/.aliases-epix10kaquad.txt"));
    std::fs::write(
        &table,
        format!(
            "0007 {id} 2021-01-01T00:00:00   ueddaq02 r0100 USER\n0008 other-id 2021-02-01T00:00:00 x r0001 USER\n"
        ),
    )
    .unwrap();
    let src = "epixquad.0:Epix10kaQuad.0";
    let deploy = |extra: &[&str], range: &str| {
        let mut args = vec![
            "geometry", "deploy", "-x", x, "-o", "repo", "-c", "calib", "-R", range, "-D",
        ];
        args.extend_from_slice(extra);
        let out = d.ok(&args);
        let dest = quad_dest(&d, src, range);
        assert!(dest.ends_with(out.trim()), "{out}");
        std::fs::read(dest).unwrap()
    };
    // The run's time stamp 20210223203420: alias 0007's file of January, not the one a second
    // after the run, nor alias 0008's.
    assert!(deploy(&[], "1-9") == before, "alias 0007 before the run");
    assert!(deploy(&["-d", "epixquad"], "10-19") == before);
    assert!(deploy(&["-t", "20210223203421"], "20-29") == after);
    // -B: the source-based name with the run's date (the whole day).
    assert!(deploy(&["-B"], "30-39") == by_source);
    // -d with a source: that source in the store.
    let out = d.ok(&[
        "geometry",
        "deploy",
        "-x",
        x,
        "-d",
        "XcsEndstation.0:Epix10kaQuad.0",
        "-o",
        "repo",
        "-c",
        "calib",
        "-D",
    ]);
    let dest = quad_dest(&d, "XcsEndstation.0:Epix10kaQuad.0", "0-end");
    assert!(dest.ends_with(out.trim()), "{out}");
    assert!(std::fs::read(dest).unwrap() == before);

    // A repository that does not know the detector: its default, and a dry run writes nothing.
    quad_file(&d, "repo2/epix10kaquad/epix10kaquad_default.data", "D2");
    let o = d.run(&["geometry", "deploy", "-x", x, "-o", "repo2", "-c", "calib2"]);
    assert!(o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("epix10kaquad_default.data") && err.contains("would deploy"),
        "{err}"
    );
    assert!(
        !d.join("repo2/epix10kaquad/.aliases-epix10kaquad.txt")
            .exists()
    );
    assert!(!d.join("calib2").exists());

    // A dataset that does not exist: one-line error, nothing deployed.
    let err = d.fails(
        &[
            "geometry",
            "deploy",
            "-x",
            "nothere.xtc2",
            "-o",
            "repo",
            "-c",
            "calib",
            "-R",
            "50-end",
            "-D",
        ],
        2,
    );
    assert!(err.contains("nothere.xtc2"), "{err}");
    assert!(!quad_dest(&d, src, "50-end").exists());
}

/// `-a FILE`: with -D the reference `<prefix>_<stamp>.data` is a relative symbolic link to FILE
/// (a new detector gets its alias then), found by later lookups; without -D only a warning; an
/// existing reference, a file outside the repository directory, a link leading out of it, a
/// missing file and a non-ePix10ka detector are refused.
#[test]
fn addgeof_links_a_repository_reference() {
    let Some(sample) = shared_data("xtc2/test_epix_calib.xtc2") else {
        return;
    };
    let d = Dir::new();
    let x = sample.to_str().unwrap();
    let id = quad_id(&d, &sample);
    let dir = d.join("repo/epix10kaquad");
    let metrology = quad_file(&d, "repo/epix10kaquad/metrology.data", "M");
    let table = dir.join(".aliases-epix10kaquad.txt");
    let add = |extra: &[&str]| {
        let mut args = vec!["geometry", "deploy", "-x", x, "-o", "repo"];
        args.extend_from_slice(extra);
        d.run(&args)
    };
    let link = dir.join("epix10kaquad_0001_20210223203420.data");
    // Dry run: a warning, no link, no alias.
    let o = add(&["-a", "metrology.data"]);
    assert!(o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("would link"), "{err}");
    assert!(link.symlink_metadata().is_err() && !table.exists());
    // -D: the alias 0001 is assigned and the link made, relative.
    let o = add(&["-a", "metrology.data", "-D"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let printed = String::from_utf8_lossy(&o.stdout);
    assert!(link.ends_with(printed.trim()), "{printed}");
    assert_eq!(
        std::fs::read_link(&link).unwrap(),
        PathBuf::from("metrology.data")
    );
    let t = std::fs::read_to_string(&table).unwrap();
    assert!(t.starts_with(&format!("0001 {id} ")), "{t}");
    // Refused: the reference exists.
    let o = add(&["-a", "metrology.data", "-D"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("exists"));
    // -t names the reference; the lookup of a later date finds it through the link.
    let o = add(&["-a", "metrology.data", "-t", "20220101000000", "-D"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let later = dir.join("epix10kaquad_0001_20220101000000.data");
    assert_eq!(
        std::fs::read_link(&later).unwrap(),
        PathBuf::from("metrology.data")
    );
    assert_eq!(std::fs::read_to_string(&table).unwrap(), t, "alias kept");
    d.ok(&[
        "geometry", "deploy", "-x", x, "-o", "repo", "-t", "20221231", "-c", "calib", "-D",
    ]);
    let dest = quad_dest(&d, "epixquad.0:Epix10kaQuad.0", "0-end");
    assert!(std::fs::read(&dest).unwrap() == metrology);
    // -B: the source-based name and the run's date.
    let o = add(&["-a", "metrology.data", "-B", "-D"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(
        dir.join("epix10kaquad_epixquad-0-Epix10kaQuad-0_20210223.data")
            .symlink_metadata()
            .is_ok()
    );
    // A path leading into the repository directory is taken as its file name.
    let o = add(&[
        "-a",
        "repo/epix10kaquad/metrology.data",
        "-t",
        "20230101000000",
        "-D",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        std::fs::read_link(dir.join("epix10kaquad_0001_20230101000000.data")).unwrap(),
        PathBuf::from("metrology.data")
    );

    // Never out of the repository directory.
    std::fs::write(d.join("outside.data"), "x").unwrap();
    std::os::unix::fs::symlink(d.join("outside.data"), dir.join("escape.data")).unwrap();
    let entries = || {
        let mut v: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        v.sort();
        v
    };
    let before = entries();
    for (file, says) in [
        ("../outside.data", "repository directory"),
        ("outside.data", "no such file"),
        ("escape.data", "out of that directory"),
        ("missing.data", "no such file"),
    ] {
        let o = add(&["-a", file, "-t", "20240101000000", "-D"]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "-a {file}: {err}");
        assert!(err.contains(says), "-a {file}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "{err}");
    }
    let abs = d.join("outside.data");
    let o = add(&["-a", abs.to_str().unwrap(), "-t", "20240101000000", "-D"]);
    assert_eq!(o.status.code(), Some(2));
    // A -t that is no stamp would make a name outside the scheme (or the directory).
    let o = add(&["-a", "metrology.data", "-t", "../../x", "-D"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("YYYYmmdd"));
    assert_eq!(entries(), before, "nothing added by refused -a");

    // Without a run: the family's alias needs the panel ids, so -B is needed.
    let offline = |extra: &[&str]| {
        let mut args = vec![
            "geometry",
            "deploy",
            "-o",
            "repo",
            "-d",
            "XcsEndstation.0:Epix10kaQuad.0",
            "-a",
            "metrology.data",
            "-t",
            "20240101",
            "-D",
        ];
        args.extend_from_slice(extra);
        d.run(&args)
    };
    let o = offline(&[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("-B"));
    assert!(offline(&["-B"]).status.success());
    assert!(
        dir.join("epix10kaquad_XcsEndstation-0-Epix10kaQuad-0_20240101.data")
            .symlink_metadata()
            .is_ok()
    );

    // Not the ePix10ka family: refused.
    if let Some(jf) = shared_data("xtc2/test_jungfrau05M_calib.xtc2") {
        std::fs::create_dir_all(d.join("repo/jungfrau")).unwrap();
        std::fs::write(d.join("repo/jungfrau/metrology.data"), "x").unwrap();
        let err = d.fails(
            &[
                "geometry",
                "deploy",
                "-x",
                jf.to_str().unwrap(),
                "-o",
                "repo",
                "-a",
                "metrology.data",
                "-D",
            ],
            2,
        );
        assert!(err.contains("ePix10ka family"), "{err}");
        assert_eq!(
            std::fs::read_dir(d.join("repo/jungfrau")).unwrap().count(),
            1
        );
    }
}

/// A simulated JUNGFRAU run named three ways (-e -r with --data-dir, -x ':dir=...' appended to
/// exp/run, -x a whole dataset): the source-based name and the run's date choose the same file,
/// valid from the run on; `-l` sets what is said on stderr.
#[test]
fn dsnamex_and_loglev_with_a_simulated_jungfrau_run() {
    let d = Dir::new();
    d.ok(&[
        "simulate",
        "--out",
        "sim",
        "--panels",
        "1",
        "--events",
        "2",
        "--steps",
        "1",
        "--no-light",
        "--shape",
        "16x32",
    ]);
    let xtc = d.join("sim/XPP/xpptut15/xtc");
    let repo = "repo/jungfrau";
    std::fs::create_dir_all(d.join(repo)).unwrap();
    let write = |name: &str, panels: &str| {
        d.ok(&[
            "geometry",
            "default",
            "--det-type",
            "jungfrau",
            "--panels",
            panels,
            "-o",
            &format!("{repo}/{name}"),
        ]);
    };
    write("jungfrau_jungfrau-0-Jungfrau-0_20000101.data", "1");
    write("jungfrau_jungfrau-0-Jungfrau-0_20990101.data", "2");
    // Another detector whose name starts like this one's (psana's `contains` would take it).
    write("jungfrau_jungfrau-0-Jungfrau-01_20010101.data", "8");
    let src = "jungfrau.0:Jungfrau.0";
    let dest = d.join(&format!(
        "calib/Jungfrau::CalibV1/{src}/geometry/1-end.data"
    ));
    let want = std::fs::read(d.join(&format!(
        "{repo}/jungfrau_jungfrau-0-Jungfrau-0_20000101.data"
    )))
    .unwrap();
    let dir = format!(":dir={}", xtc.display());
    let whole = format!("exp=xpptut15:run=1:dir={}", xtc.display());
    for how in [
        vec!["-e", "xpptut15", "-r", "1", "--data-dir", "sim"],
        vec!["-e", "xpptut15", "-r", "1", "-x", &dir],
        vec!["-r", "1", "-x", &whole],
    ] {
        let _ = std::fs::remove_file(&dest);
        let mut args = vec!["geometry", "deploy", "-o", "repo", "-c", "calib", "-D"];
        args.extend_from_slice(&how);
        let out = d.ok(&args);
        assert!(dest.ends_with(out.trim()), "{how:?}: {out}");
        assert!(std::fs::read(&dest).unwrap() == want, "{how:?}");
    }
    // -x ':...' without -e and -r names no dataset.
    let err = d.fails(
        &[
            "geometry", "deploy", "-x", &dir, "-o", "repo", "-c", "calib",
        ],
        2,
    );
    assert_eq!(err.trim().lines().count(), 1, "{err}");

    // -l: INFO shows where the file came from, WARNING only the dry-run warning, DEBUG more,
    // ERROR nothing; an unknown level is refused.
    let stderr = |level: &str| {
        let o = d.run(&[
            "geometry", "deploy", "-x", &whole, "-o", "repo", "-c", "calib", "-l", level,
        ]);
        assert!(o.status.success(), "{level}");
        String::from_utf8_lossy(&o.stderr).to_string()
    };
    let info = stderr("INFO");
    assert!(info.contains("geometry from the repository") && info.contains("would deploy"));
    assert!(!info.contains("prefix"), "{info}");
    let warn = stderr("WARNING");
    assert!(!warn.contains("geometry from the repository") && warn.contains("would deploy"));
    let debug = stderr("debug");
    assert!(debug.contains("repository name prefix jungfrau_jungfrau-0-Jungfrau-0"));
    assert_eq!(stderr("ERROR"), "");
    let err = d.fails(
        &[
            "geometry", "deploy", "-x", &whole, "-o", "repo", "-l", "LOUD",
        ],
        2,
    );
    assert!(err.contains("LOUD"), "{err}");
}
