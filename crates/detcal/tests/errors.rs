//! Failures are error variants a caller can match, carrying what and where; their messages are
//! those the command line prints.

use detcal::access::DetectorCalib;
use detcal::calib::{Calibrator, Constants};
use detcal::dark::DarkParams;
use detcal::deploy::constants::{ConstantsRepo, DetRun};
use detcal::deploy::jungfrau::{MergeRequest, merge};
use detcal::detector::DetType;
use detcal::files::Perms;
use detcal::repo::Repo;
use detcal::repo::alias::{AliasRecord, AliasTable};
use detcal::settings::Settings;
use detcal::store::CalibStore;
use detcal::{Error, Missing, NdArray};
use ndarray::{ArrayD, IxDyn};

fn perms() -> Perms {
    Perms {
        group: None,
        ..Perms::default()
    }
}

fn merge_request<'a>(repo: &'a Repo, ids: &'a [String]) -> MergeRequest<'a> {
    MergeRequest {
        repo,
        panel_ids: ids,
        panel_indices: None,
        tstamp: "20200101000000",
        exp: "xpptut15",
        run: 7,
        det_name: "XppEndstation.0:Jungfrau.0",
        use_defaults: false,
    }
}

#[test]
fn missing_pedestals_of_a_run_are_not_found() {
    let tmp = tempfile::tempdir().unwrap();
    let calib = DetectorCalib::new(CalibStore::new(tmp.path()), "CxiDs1.0:Jungfrau.0").unwrap();
    let e = calib.constants(7, None).unwrap_err();
    assert!(
        matches!(
            &e,
            Error::NotFound { kind: Missing::Constants, what, place, .. }
                if what == "pedestals" && place == "CxiDs1.0:Jungfrau.0 run 7"
        ),
        "{e:?}"
    );
    let msg = e.to_string();
    assert!(
        msg.starts_with("no pedestals for CxiDs1.0:Jungfrau.0 run 7 in ")
            && msg.ends_with("deploy them first (detcal deploy), or give the right --calib-dir"),
        "{msg}"
    );
}

#[test]
fn a_panel_without_a_directory_is_not_found() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = Repo::new(tmp.path().join("panels"), perms());
    let ids = vec!["p-0-0".to_string()];
    let e = merge(&merge_request(&repo, &ids)).unwrap_err();
    assert!(
        matches!(&e, Error::NotFound { kind: Missing::Constants, what, .. } if what == "p-0-0"),
        "{e:?}"
    );
    assert!(
        e.to_string()
            .starts_with("panel 0 (p-0-0) has no directory in ")
    );
}

#[test]
fn a_bad_line_of_the_alias_table_is_a_parse_error_at_its_line() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("aliases.txt");
    std::fs::write(&path, "0001 a-b-c\n\nx002 a-b-d\n").unwrap();
    let e = AliasTable::new(&path, perms())
        .alias_for("a-b-e", &AliasRecord::default())
        .unwrap_err();
    assert!(
        matches!(&e, Error::Parse { path: p, line: 3, .. } if p == &path),
        "{e:?}"
    );
    assert!(
        e.to_string()
            .ends_with(":3: alias \"x002\" is not a number; the table is damaged"),
        "{e}"
    );
}

#[test]
fn a_bad_line_of_a_constants_file_is_a_parse_error_at_its_line() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = Repo::new(tmp.path().join("panels"), perms());
    let ids = vec!["p-0-0".to_string()];
    let dir = repo.root().join("p-0-0/pedestals");
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("jungfrau_0001_20190101000000_exp_r0001_pedestals_gm0-Normal.dat");
    std::fs::write(&bad, "1 2\n3\n").unwrap();
    let e = merge(&merge_request(&repo, &ids)).unwrap_err();
    assert!(
        matches!(
            &e,
            Error::Format(detcal_formats::Error::Parse { path, line: 2, .. }) if path == &bad
        ),
        "{e:?}"
    );
}

#[test]
fn wrong_shapes_are_shape_errors() {
    // A user array of five dimensions given to deploy-constants.
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
    let arr = NdArray::U8(ArrayD::zeros(IxDyn(&[2, 3, 4, 5, 6])));
    let e = repo.put(&run, "status_user", &arr, None).unwrap_err();
    assert!(
        matches!(&e, Error::Shape { what, found, .. }
            if what == "status_user" && found == &[2, 3, 4, 5, 6]),
        "{e:?}"
    );
    assert!(e.to_string().contains("must be (rows, cols)"), "{e}");

    // Pedestals that are not (3, nsegs, rows, cols) for a JUNGFRAU calibrator.
    let c = Constants {
        pedestals: Some(NdArray::F32(ArrayD::zeros(IxDyn(&[2, 1, 4, 16])))),
        ..Constants::default()
    };
    let e = Calibrator::jungfrau(&c).unwrap_err();
    assert!(
        matches!(&e, Error::Shape { what, found, .. } if what == "pedestals" && found == &[2, 1, 4, 16]),
        "{e:?}"
    );
}

#[test]
fn unknown_and_unsupported_detectors() {
    let e = "nosuchdet".parse::<DetType>().unwrap_err();
    assert!(
        matches!(&e, Error::BadName { kind: "detector type", name, .. } if name == "nosuchdet"),
        "{e:?}"
    );
    let e = Calibrator::new(DetType::Epix10k, &Constants::default()).unwrap_err();
    assert!(matches!(&e, Error::Unsupported { .. }), "{e:?}");
    assert!(e.to_string().contains("is not supported"), "{e}");
    // An ePix10ka without pedestals needs its panel count (Calibrator::epix10ka).
    let e = Calibrator::new(DetType::Epix10ka2M, &Constants::default()).unwrap_err();
    assert!(matches!(&e, Error::NotFound { .. }), "{e:?}");
    assert!(e.to_string().contains("Calibrator::epix10ka"), "{e}");
}

#[test]
fn a_missing_sit_root_is_a_config_error() {
    let e = Settings::default().sit_root("-o/--dirrepo").unwrap_err();
    assert!(
        matches!(&e, Error::Config { var, flag, .. } if var == "SIT_ROOT" && flag == "-o/--dirrepo"),
        "{e:?}"
    );
    assert_eq!(
        e.to_string(),
        "no directory given: set the environment variable SIT_ROOT or pass -o/--dirrepo"
    );
    let e = Settings::default().constants_repo(None).unwrap_err();
    assert!(matches!(&e, Error::Config { .. }), "{e:?}");
    let e = Settings::default().psdm_data("-c/--calib-dir").unwrap_err();
    assert!(
        matches!(&e, Error::Config { var, .. } if var == "SIT_PSDM_DATA"),
        "{e:?}"
    );
}

#[test]
fn bad_arguments_name_the_argument() {
    let p = DarkParams {
        nrecs: 1,
        ..DarkParams::default()
    };
    let e = p.validate().unwrap_err();
    assert!(
        matches!(&e, Error::BadArgument { arg: "nrecs", .. }),
        "{e:?}"
    );
    assert_eq!(
        e.to_string(),
        "invalid dark parameters: nrecs must be in 3..=4294967295, got 1"
    );
    let p = DarkParams {
        fraclo: 2.0,
        ..DarkParams::default()
    };
    assert!(matches!(
        p.validate(),
        Err(Error::BadArgument { arg: "fraclo", .. })
    ));

    let tmp = tempfile::tempdir().unwrap();
    let repo = Repo::new(tmp.path().join("panels"), perms());
    let ids = vec!["p-0-0".to_string()];
    let mut req = merge_request(&repo, &ids);
    req.panel_indices = Some(&[5]);
    let e = merge(&req).unwrap_err();
    assert!(
        matches!(
            &e,
            Error::BadArgument {
                arg: "--paninds",
                ..
            }
        ),
        "{e:?}"
    );
    assert_eq!(
        e.to_string(),
        "panel index 5 is out of range: the detector has 1 panels"
    );
}
