/*!
Choosing the repository file valid for a time stamp.

Repository files are named `<type>_<alias>_<tstamp>_...`; the file valid for a time `t` is the
latest one whose time stamp is not later than `t` (there is no lower bound: a file from years
earlier is still valid). For JUNGFRAU gain-mode files, every name of one gain index competes
(`FixedGain1` and `ForcedGain1` for index 1, `Normal` and `HighGain0` for index 0) and the latest
time stamp wins (decision 4; psana lets the name that comes later in its table win whatever the
time stamps).
*/

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The extensions of repository files that selection considers.
const EXTENSIONS: [&str; 3] = ["txt", "dat", "data"];

/// How names are matched and their time stamps read. psana's rule ([`NameRule::PSANA`]): a
/// name contains a pattern and its time stamp is the integer third `_` field of its stem.
#[derive(Debug, Clone, Copy)]
pub struct NameRule {
    /// Names must start with a pattern (`true`) rather than contain one anywhere (psana).
    pub anchored: bool,
    /// The `_` field of the stem (0-based) that holds the time stamp (psana: 2).
    pub field: usize,
    /// The comparable time stamp of that field, `None` when it is not one (psana: the field's
    /// integer value, [`digits_tstamp`]).
    pub stamp: fn(&str) -> Option<u64>,
}

impl NameRule {
    /// psana's `find_file_for_timestamp`: names containing a pattern, stamp in the third field.
    pub const PSANA: NameRule = NameRule {
        anchored: false,
        field: 2,
        stamp: digits_tstamp,
    };

    /// The time stamp of `name` under this rule.
    pub fn tstamp(&self, name: &str) -> Option<u64> {
        let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
        (self.stamp)(stem.split('_').nth(self.field)?)
    }

    fn matches(&self, name: &str, pattern: &str) -> bool {
        if self.anchored {
            name.starts_with(pattern)
        } else {
            name.contains(pattern)
        }
    }
}

/// A field of digits as an integer time stamp (psana's `int(field)`); `None` otherwise.
pub fn digits_tstamp(f: &str) -> Option<u64> {
    if f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    f.parse().ok()
}

/// The time stamp of a repository file name: the integer third `_` field of its stem.
pub fn name_tstamp(name: &str) -> Option<u64> {
    NameRule::PSANA.tstamp(name)
}

/// Picks, among `names` that contain any of `patterns` and have a repository extension, the one
/// with the latest time stamp not later than `tstamp`. Names whose time stamp cannot be read
/// are skipped with a warning. Ties go to the name that sorts first.
pub fn select_for_tstamp<'a, S: AsRef<str>>(
    names: &'a [S],
    patterns: &[&str],
    tstamp: u64,
) -> Option<&'a str> {
    select_for_tstamp_by(names, patterns, tstamp, &NameRule::PSANA)
}

/// [`select_for_tstamp`] with names matched and stamps read by `rule`.
pub fn select_for_tstamp_by<'a, S: AsRef<str>>(
    names: &'a [S],
    patterns: &[&str],
    tstamp: u64,
    rule: &NameRule,
) -> Option<&'a str> {
    let mut best: Option<(u64, &str)> = None;
    for n in names {
        let n = n.as_ref();
        let ext_ok = n
            .rsplit_once('.')
            .is_some_and(|(_, e)| EXTENSIONS.contains(&e));
        if !ext_ok || !patterns.iter().any(|p| rule.matches(n, p)) {
            continue;
        }
        let Some(ts) = rule.tstamp(n) else {
            tracing::warn!(
                "skipping repository file {n:?}: no time stamp in its '_' field {}",
                rule.field + 1
            );
            continue;
        };
        if ts > tstamp {
            continue;
        }
        best = match best {
            Some((bts, bn)) if bts > ts || (bts == ts && bn <= n) => Some((bts, bn)),
            _ => Some((ts, n)),
        };
    }
    best.map(|(_, n)| n)
}

/// The file in `dir` valid for `tstamp` among names containing any of `patterns`; a missing
/// directory means none.
pub fn find_in_dir(dir: &Path, patterns: &[&str], tstamp: u64) -> Result<Option<PathBuf>> {
    find_in_dir_by(dir, patterns, tstamp, &NameRule::PSANA)
}

/// [`find_in_dir`] with names matched and stamps read by `rule`.
pub fn find_in_dir_by(
    dir: &Path,
    patterns: &[&str],
    tstamp: u64,
    rule: &NameRule,
) -> Result<Option<PathBuf>> {
    let names = match std::fs::read_dir(dir) {
        Ok(rd) => rd
            .filter_map(|e| e.ok())
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file() || t.is_symlink()))
            .filter_map(|e| e.file_name().into_string().ok())
            .collect::<Vec<_>>(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io(dir, "list", e)),
    };
    Ok(select_for_tstamp_by(&names, patterns, tstamp, rule).map(|n| dir.join(n)))
}

/// The patterns of every JUNGFRAU gain-mode file name of `ctype` with gain index `index`:
/// `<ctype>_gm<index>-<Name>` for each mode name of that index.
pub fn jungfrau_gain_patterns(ctype: &str, index: usize) -> Vec<String> {
    crate::detector::JUNGFRAU_GAIN_MODES
        .iter()
        .filter(|m| m.index == index)
        .map(|m| format!("{ctype}_gm{index}-{}", m.name))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_test_vectors() {
        let names = [
            "jungfrau_0001_20200101000000_exp_r0001_pedestals_gm0-Normal.dat",
            "jungfrau_0001_20210101000000_exp_r0002_pedestals_gm0-Normal.dat",
        ];
        let pat = ["pedestals_gm0-Normal"];
        assert_eq!(
            select_for_tstamp(&names, &pat, 20201231000000),
            Some(names[0])
        );
        assert_eq!(select_for_tstamp(&names, &pat, 20191231000000), None);
        assert_eq!(
            select_for_tstamp(&names, &pat, 20210101000000),
            Some(names[1])
        );
        assert_eq!(
            select_for_tstamp(&names, &pat, 20991231000000),
            Some(names[1])
        );
    }

    #[test]
    fn gain_names_compete_by_time_stamp() {
        let names = [
            "jungfrau_0001_20200101000000_exp_r0001_pedestals_gm1-FixedGain1.dat",
            "jungfrau_0001_20190101000000_exp_r0001_pedestals_gm1-ForcedGain1.dat",
            "jungfrau_0001_20210101000000_exp_r0001_pedestals_gm1-ForcedGain1.dat",
            "jungfrau_0001_20200601000000_exp_r0001_pedestals_gm2-ForcedGain2.dat",
        ];
        let pats = jungfrau_gain_patterns("pedestals", 1);
        let pats: Vec<&str> = pats.iter().map(String::as_str).collect();
        assert_eq!(
            pats,
            ["pedestals_gm1-FixedGain1", "pedestals_gm1-ForcedGain1"]
        );
        assert_eq!(
            select_for_tstamp(&names, &pats, 20200301000000),
            Some(names[0]),
            "FixedGain1 is newer"
        );
        assert_eq!(
            select_for_tstamp(&names, &pats, 20191231000000),
            Some(names[1])
        );
        assert_eq!(
            select_for_tstamp(&names, &pats, 20210101000000),
            Some(names[2])
        );
        assert_eq!(select_for_tstamp(&names, &pats, 20181231000000), None);
        assert_eq!(
            jungfrau_gain_patterns("rms", 0),
            ["rms_gm0-Normal", "rms_gm0-HighGain0"]
        );
    }

    #[test]
    fn other_names_are_skipped() {
        let names = [
            "jungfrau_0001_2020_exp_r1_pedestals_gm0-Normal.png",
            "notes_pedestals_gm0-Normal.txt",
            "jungfrau_0001_20200101000000_exp_r1_pedestals_gm0-Normal.txt",
        ];
        assert_eq!(
            select_for_tstamp(&names, &["pedestals_gm0-Normal"], 20300101000000),
            Some(names[2])
        );
        assert_eq!(name_tstamp("a_b_123_x.dat"), Some(123));
        assert_eq!(name_tstamp("a_b_12x_x.dat"), None);
        assert_eq!(name_tstamp("ab.dat"), None);
    }
}
