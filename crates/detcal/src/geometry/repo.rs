/*!
psana's geometry repository (`geometry_deploy_constants -o DIRREPO`): per detector type a
directory `<dirrepo>/<dettype>/` of files named `<dettype>_<id>_<time stamp>[_...].data` (also
`.txt`, `.dat`), where `<id>` is the DetInfo source with `:` and `.` replaced by `-`
(`jungfrau_CxiDs1-0-Jungfrau-0_20240101.data`). The file for a time stamp is the one with the
latest stamp not after it; without one, `<dettype>_default.data`.

Fixes of psana's lookup (spec §7.2 step 5): stamps are compared as dates and times, not as
strings of different lengths (psana asks with an 8-digit date for non-ePix10ka types, so a file
stamped with 14 digits never matched); a date-only stamp means the end of that day when asked
for and its start when it names a file; names with fewer than three `_` fields, or whose third
field is not a stamp, are passed over (psana crashes on them).
*/

use std::path::{Path, PathBuf};

use crate::detector::DetType;
use crate::error::{Error, Result};

/// psana's lower-case type name used for repository directories (`jungfrau`, `epix10ka2m`).
pub fn dettype_dir(det: DetType) -> String {
    det.name().to_lowercase()
}

/// psana's file-name prefix of a detector: `<dettype>_<source with ':' and '.' as '-'>`.
pub fn repo_prefix(det: DetType, source: &str) -> String {
    format!("{}_{}", dettype_dir(det), source.replace([':', '.'], "-"))
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

/// The repository file of `det` (`source`) valid at `tstamp` (`YYYYmmdd[HHMMSS]`), else the
/// type's `<dettype>_default.data` there; `None` when neither exists.
pub fn find_in_repo(
    dirrepo: &Path,
    det: DetType,
    source: &str,
    tstamp: &str,
) -> Result<Option<PathBuf>> {
    let want = stamp14(tstamp, true).ok_or_else(|| {
        Error::bad_arg(
            "tstamp",
            format!("time stamp {tstamp:?}: need YYYYmmdd or YYYYmmddHHMMSS"),
        )
    })?;
    let dir = dirrepo.join(dettype_dir(det));
    let prefix = repo_prefix(det, source);
    let mut best: Option<(u64, PathBuf)> = None;
    if dir.is_dir() {
        let entries = std::fs::read_dir(&dir).map_err(|e| Error::io(&dir, "read directory", e))?;
        for e in entries {
            let e = e.map_err(|e| Error::io(&dir, "read directory", e))?;
            let name = e.file_name();
            let Some(name) = name.to_str() else { continue };
            let Some((stem, ext)) = name.rsplit_once('.') else {
                continue;
            };
            if !matches!(ext, "data" | "dat" | "txt") || !stem.starts_with(&prefix) {
                continue;
            }
            // The stamp is the third `_` field: <dettype>_<id>_<stamp>[_...].
            let Some(st) = stem.split('_').nth(2).and_then(|f| stamp14(f, false)) else {
                continue;
            };
            if st <= want
                && best
                    .as_ref()
                    .is_none_or(|(b, p)| (st, e.path()) > (*b, p.clone()))
            {
                best = Some((st, e.path()));
            }
        }
    }
    if let Some((_, p)) = best {
        return Ok(Some(p));
    }
    let def = dir.join(format!("{}_default.data", dettype_dir(det)));
    Ok(def.is_file().then_some(def))
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
    }
}
