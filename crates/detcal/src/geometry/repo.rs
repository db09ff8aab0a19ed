/*!
psana's geometry repository (`geometry_deploy_constants -o DIRREPO`): per detector type a
directory `<dirrepo>/<dettype>/` of files named `<prefix>_<time stamp>[_...].data` (also `.txt`,
`.dat`). The prefix is `<dettype>_<id>`: for the ePix10ka family (`epix10ka2m`, `epix10kaquad`,
the old `epix10k`) the detector's alias from `<dettype>/.aliases-<dettype>.txt` with a time stamp
`YYYYmmddHHMMSS` (`epix10ka2m_0002_20240101120000.data`); for other types, or the family with
psana's `-B`, the DetInfo source with `:` and `.` replaced by `-` and a date `YYYYmmdd`
(`jungfrau_CxiDs1-0-Jungfrau-0_20240101.data`). The file for a time stamp is the one with the
latest stamp not after it ([`crate::repo::select`], the selection of every repository); without
one, `<dettype>_default.data`.

Differences from psana's lookup (spec §7.2 step 5, recorded in `docs/psana-compat.md`): stamps
are compared as dates and times, not as strings of different lengths (psana asks with an 8-digit
date for non-ePix10ka types, so a file stamped with 14 digits never matched); a date-only stamp
means the end of that day when asked for and its start when it names a file; a name must start
with `<prefix>_` (psana: contain the prefix anywhere, so `..._Jungfrau-1` also took the files of
`..._Jungfrau-10`) and its stamp is the field after the prefix; names whose stamp field is not a
stamp are passed over with a warning (psana crashes on them); of two files with the same stamp
the name that sorts first wins (psana: the first the directory lists).
*/

use std::path::{Path, PathBuf};

use crate::detector::DetType;
use crate::error::{Error, Result};
use crate::files::{Perms, check_component};
use crate::repo::alias::AliasTable;
use crate::repo::select::{NameRule, find_in_dir_by};

/// psana's lower-case type name used for repository directories (`jungfrau`, `epix10ka2m`).
pub fn dettype_dir(det: DetType) -> String {
    det.name().to_lowercase()
}

/// psana's file-name prefix of a detector named by its source:
/// `<dettype>_<source with ':' and '.' as '-'>`.
pub fn repo_prefix(det: DetType, source: &str) -> String {
    format!("{}_{}", dettype_dir(det), source.replace([':', '.'], "-"))
}

/// The file-name prefix of an ePix10ka-family detector named by its alias: `<dettype>_<alias>`.
pub fn alias_prefix(det: DetType, alias: &str) -> String {
    format!("{}_{alias}", dettype_dir(det))
}

/// Whether psana names the repository files of `det` by alias (the ePix10ka family: the old
/// `Epix10k`, `Epix10kaQuad`, `Epix10ka2M`; not the single-panel `Epix10ka`).
pub fn is_epix10ka_family(det: DetType) -> bool {
    matches!(
        det,
        DetType::Epix10k | DetType::Epix10kaQuad | DetType::Epix10ka2M
    )
}

/// The alias table of a type's directory: `<dir_dettype>/.aliases-<dettype>.txt`.
pub fn alias_table(dir_dettype: &Path, det: DetType, perms: &Perms) -> AliasTable {
    AliasTable::new(
        dir_dettype.join(format!(".aliases-{}.txt", dettype_dir(det))),
        perms.clone(),
    )
}

/// A time stamp `YYYYmmdd` or `YYYYmmddHHMMSS` as 14 digits: a date alone is the start of the
/// day (`end_of_day` false) or its end.
fn stamp14(s: &str, end_of_day: bool) -> Option<u64> {
    if !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let v = match s.len() {
        8 => format!("{s}{}", if end_of_day { "235959" } else { "000000" }),
        14 => s.to_string(),
        _ => return None,
    };
    v.parse().ok()
}

/// The stamp of a file name's field: a date is the start of its day.
fn file_stamp(f: &str) -> Option<u64> {
    stamp14(f, false)
}

/// Checks a requested time stamp (`YYYYmmdd` or `YYYYmmddHHMMSS`); a date means its whole day.
pub fn request_stamp(tstamp: &str) -> Result<u64> {
    stamp14(tstamp, true).ok_or_else(|| {
        Error::bad_arg(
            "tstamp",
            format!("time stamp {tstamp:?}: need YYYYmmdd or YYYYmmddHHMMSS"),
        )
    })
}

/// The file of `prefix` in `<dirrepo>/<dettype>/` valid at `tstamp` (`YYYYmmdd[HHMMSS]`), else
/// the type's `<dettype>_default.data` there; `None` when neither exists.
pub fn find_for_prefix(
    dirrepo: &Path,
    det: DetType,
    prefix: &str,
    tstamp: &str,
) -> Result<Option<PathBuf>> {
    let want = request_stamp(tstamp)?;
    let dir = dirrepo.join(dettype_dir(det));
    let rule = NameRule {
        anchored: true,
        field: prefix.matches('_').count() + 1,
        stamp: file_stamp,
    };
    if let Some(p) = find_in_dir_by(&dir, &[&format!("{prefix}_")], want, &rule)? {
        return Ok(Some(p));
    }
    Ok(default_file(dirrepo, det))
}

/// The type's `<dirrepo>/<dettype>/<dettype>_default.data`, if it exists.
pub fn default_file(dirrepo: &Path, det: DetType) -> Option<PathBuf> {
    let def = dirrepo
        .join(dettype_dir(det))
        .join(format!("{}_default.data", dettype_dir(det)));
    def.is_file().then_some(def)
}

/// The repository file of `det` named by its `source` valid at `tstamp`, else the type's
/// default; `None` when neither exists.
pub fn find_in_repo(
    dirrepo: &Path,
    det: DetType,
    source: &str,
    tstamp: &str,
) -> Result<Option<PathBuf>> {
    find_for_prefix(dirrepo, det, &repo_prefix(det, source), tstamp)
}

/// A repository reference (psana's `-a`): the symbolic link `link` to the file `target` of the
/// same directory.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Reference {
    /// The link to create, `<dir_dettype>/<prefix>_<stamp>.data`.
    pub link: PathBuf,
    /// Its relative target: the file's name in the same directory.
    pub target: String,
}

/// Plans the reference `<dir_dettype>/<name>` to the existing file `file` of `dir_dettype`
/// (given by its name, or a path that leads into that directory). Refused: names with a path
/// in them, a file that is missing, not a regular file or (after following links) outside
/// `dir_dettype`, and a link name that exists already.
pub fn plan_reference(dir_dettype: &Path, name: &str, file: &Path) -> Result<Reference> {
    check_component("repository reference", name)?;
    let fname = file
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| {
            Error::bad_arg("addgeof", format!("-a {}: not a file name", file.display()))
        })?
        .to_string();
    check_component("geometry file", &fname)?;
    let outside = |why: &str| {
        Error::bad_arg(
            "addgeof",
            format!(
                "-a {}: {why}; the file must be in the repository directory {}",
                file.display(),
                dir_dettype.display()
            ),
        )
    };
    let dir_real = dir_dettype
        .canonicalize()
        .map_err(|e| Error::io(dir_dettype, "find the repository directory", e))?;
    // A path given with directories must lead into the repository directory itself.
    if file.components().count() > 1 {
        let parent = file.parent().unwrap_or(Path::new("."));
        let parent = if parent.as_os_str().is_empty() {
            Path::new(".")
        } else {
            parent
        };
        match parent.canonicalize() {
            Ok(p) if p == dir_real => {}
            Ok(_) => return Err(outside("it is in another directory")),
            Err(e) => return Err(Error::io(parent, "find", e)),
        }
    }
    let in_dir = dir_dettype.join(&fname);
    let real = in_dir.canonicalize().map_err(|e| {
        Error::not_found(
            crate::error::Missing::File,
            &fname,
            dir_dettype.display(),
            format!("-a {fname}: no such file in {}: {e}", dir_dettype.display()),
        )
    })?;
    if real.parent() != Some(dir_real.as_path()) {
        return Err(outside(
            "it leads (by a symbolic link) out of that directory",
        ));
    }
    if !real.is_file() {
        return Err(outside("it is not a regular file"));
    }
    if fname == name {
        return Err(Error::bad_arg(
            "addgeof",
            format!("-a {fname}: the reference would point to itself"),
        ));
    }
    let link = dir_dettype.join(name);
    if link.symlink_metadata().is_ok() {
        return Err(Error::Conflict {
            msg: format!(
                "{}: exists; psana's -a refuses to replace a repository file",
                link.display()
            ),
            path: link,
        });
    }
    Ok(Reference {
        link,
        target: fname,
    })
}

/// Creates a planned reference (a relative symbolic link); refused if the name exists by now.
pub fn create_reference(r: &Reference) -> Result<()> {
    match std::os::unix::fs::symlink(&r.target, &r.link) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(Error::Conflict {
            msg: format!(
                "{}: exists; psana's -a refuses to replace a repository file",
                r.link.display()
            ),
            path: r.link.clone(),
        }),
        Err(e) => Err(Error::io(&r.link, "create the symbolic link", e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repository_lookup_by_time_stamp() {
        let d = tempfile::tempdir().unwrap();
        let jf = d.path().join("jungfrau");
        std::fs::create_dir_all(&jf).unwrap();
        let src = "CxiDs1.0:Jungfrau.0";
        assert_eq!(
            repo_prefix(DetType::Jungfrau, src),
            "jungfrau_CxiDs1-0-Jungfrau-0"
        );
        assert_eq!(dettype_dir(DetType::Epix10ka2M), "epix10ka2m");
        // Nothing yet: no file, no default.
        assert_eq!(
            find_in_repo(d.path(), DetType::Jungfrau, src, "20240101").unwrap(),
            None
        );
        std::fs::write(jf.join("jungfrau_default.data"), "").unwrap();
        let found = |t: &str| {
            find_in_repo(d.path(), DetType::Jungfrau, src, t)
                .unwrap()
                .unwrap()
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned()
        };
        assert_eq!(found("20240101"), "jungfrau_default.data");
        for n in [
            "jungfrau_CxiDs1-0-Jungfrau-0_20230501.data",
            "jungfrau_CxiDs1-0-Jungfrau-0_20240101120000_moved.txt",
            "jungfrau_CxiDs1-0-Jungfrau-0_20240301.dat",
            // Another detector, another extension, no stamp: passed over.
            "jungfrau_MfxEndstation-0-Jungfrau-0_20240102.data",
            "jungfrau_CxiDs1-0-Jungfrau-0_20240102.npy",
            "jungfrau_CxiDs1-0-Jungfrau-0.data",
            "jungfrau_CxiDs1-0-Jungfrau-0_latest.data",
        ] {
            std::fs::write(jf.join(n), "").unwrap();
        }
        assert_eq!(found("20230101"), "jungfrau_default.data");
        assert_eq!(
            found("20231231"),
            "jungfrau_CxiDs1-0-Jungfrau-0_20230501.data"
        );
        // A date asks for the whole day: the file of 12:00 that day counts (psana: never).
        assert_eq!(
            found("20240101"),
            "jungfrau_CxiDs1-0-Jungfrau-0_20240101120000_moved.txt"
        );
        assert_eq!(
            found("20240101115959"),
            "jungfrau_CxiDs1-0-Jungfrau-0_20230501.data"
        );
        assert_eq!(
            found("20991231"),
            "jungfrau_CxiDs1-0-Jungfrau-0_20240301.dat"
        );
        assert!(find_in_repo(d.path(), DetType::Jungfrau, src, "2024-01-01").is_err());
        assert!(find_in_repo(d.path(), DetType::Jungfrau, src, "202401").is_err());
        // Jungfrau.1's prefix is also the start of Jungfrau.10's: only names with `<prefix>_`.
        std::fs::write(jf.join("jungfrau_CxiDs1-0-Jungfrau-10_20240101.data"), "").unwrap();
        std::fs::write(jf.join("jungfrau_CxiDs1-0-Jungfrau-1_20230101.data"), "").unwrap();
        let one = find_in_repo(
            d.path(),
            DetType::Jungfrau,
            "CxiDs1.0:Jungfrau.1",
            "20991231",
        )
        .unwrap()
        .unwrap();
        assert!(one.ends_with("jungfrau_CxiDs1-0-Jungfrau-1_20230101.data"));
        // The same stamp twice (a date is the start of its day): the name sorting first.
        std::fs::write(
            jf.join("jungfrau_CxiDs1-0-Jungfrau-0_20240301000000.data"),
            "",
        )
        .unwrap();
        assert_eq!(
            found("20991231"),
            "jungfrau_CxiDs1-0-Jungfrau-0_20240301.dat"
        );
        // An alias prefix: the stamp is the field after it, whatever the `_` in it.
        let ep = d.path().join("epix10kaquad");
        std::fs::create_dir_all(&ep).unwrap();
        std::fs::write(ep.join("epix10kaquad_0002_20240101120000.data"), "").unwrap();
        let p = alias_prefix(DetType::Epix10kaQuad, "0002");
        assert!(
            find_for_prefix(d.path(), DetType::Epix10kaQuad, &p, "20240101120000")
                .unwrap()
                .is_some()
        );
        assert!(
            find_for_prefix(d.path(), DetType::Epix10kaQuad, &p, "20240101115959")
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn references_stay_in_the_repository_directory() {
        let d = tempfile::tempdir().unwrap();
        let dir = d.path().join("epix10kaquad");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("m.data"), "g").unwrap();
        std::fs::write(d.path().join("out.data"), "x").unwrap();
        let r = plan_reference(
            &dir,
            "epix10kaquad_0001_20240101000000.data",
            Path::new("m.data"),
        )
        .unwrap();
        assert_eq!(r.target, "m.data");
        create_reference(&r).unwrap();
        assert_eq!(std::fs::read_to_string(&r.link).unwrap(), "g");
        assert!(matches!(
            plan_reference(
                &dir,
                "epix10kaquad_0001_20240101000000.data",
                Path::new("m.data")
            ),
            Err(Error::Conflict { .. })
        ));
        assert!(create_reference(&r).is_err());
        for bad in ["../x.data", "a/../../x.data", "/etc/hostname"] {
            assert!(
                plan_reference(&dir, "n.data", Path::new(bad)).is_err(),
                "{bad}"
            );
        }
        assert!(plan_reference(&dir, "../n.data", Path::new("m.data")).is_err());
        assert!(plan_reference(&dir, "m.data", Path::new("m.data")).is_err());
        std::os::unix::fs::symlink(d.path().join("out.data"), dir.join("esc.data")).unwrap();
        assert!(plan_reference(&dir, "n.data", Path::new("esc.data")).is_err());
        assert!(!dir.join("n.data").exists());
    }
}
