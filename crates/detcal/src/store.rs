/*!
An experiment's calibration store: `<calib-dir>/<group>/<source>/<ctype>/<begin>-<end>.data`.

Each `<ctype>` directory holds constants files named by the runs they are valid for, and a
`HISTORY` file with one line per deployment. The file valid for a run is chosen as psana does
(`PSCalib.CalibFileFinder`): among the files whose range covers the run, the one with the
largest begin, and among those the smallest end. Names psana would reject are skipped with a
warning.

Files are deployed atomically (temporary file and rename), so a reader never sees a partial
file, and the `HISTORY` line is appended under a file lock.
*/

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use crate::detector::DetType;
use crate::error::{Error, IoContext, Result};
use crate::files::{Perms, append_locked, check_component, copy_atomic};
use crate::formats::array::NdArray;
use crate::formats::text::{self, TextOptions};
use crate::site;

/// The largest run number psana's file names may carry; `end` stands for it.
pub const MAX_RUN: u32 = 9999;

/// The end of a run range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RunEnd {
    /// A run number.
    Run(u32),
    /// Open-ended (`end`), equal to run 9999 for selection.
    End,
}

impl RunEnd {
    /// The run number this end stands for in comparisons.
    pub fn value(self) -> u32 {
        match self {
            RunEnd::Run(r) => r,
            RunEnd::End => MAX_RUN,
        }
    }
}

/// A range of runs `<begin>-<end>`, the validity of a constants file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RunRange {
    /// The first run.
    pub begin: u32,
    /// The last run, or `end`.
    pub end: RunEnd,
}

impl RunRange {
    /// `<begin>-end`.
    pub fn from_run(begin: u32) -> RunRange {
        RunRange {
            begin,
            end: RunEnd::End,
        }
    }

    /// Whether `run` lies within the range.
    pub fn contains(&self, run: u32) -> bool {
        self.begin <= run && run <= self.end.value()
    }

    /// The file name of constants valid for this range: `<begin>-<end>.data`.
    pub fn file_name(&self) -> String {
        format!("{self}.data")
    }
}

impl fmt::Display for RunRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.end {
            RunEnd::Run(e) => write!(f, "{}-{}", self.begin, e),
            RunEnd::End => write!(f, "{}-end", self.begin),
        }
    }
}

/// Why a name is not a run range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RangeError {
    /// Not two fields separated by one `-`; psana warns about these.
    Fields,
    /// The begin is not all decimal digits; psana skips these silently.
    Begin,
    /// The end is neither digits nor `end`.
    End,
    /// A run number above 9999.
    TooLarge,
}

impl fmt::Display for RangeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RangeError::Fields => "expected <begin>-<end>, e.g. 10-end or 10-20",
            RangeError::Begin => "the begin run must be decimal digits",
            RangeError::End => "the end must be decimal digits or 'end'",
            RangeError::TooLarge => "run numbers go up to 9999",
        })
    }
}

/// Parses `<begin>-<end>` by psana's rules for file names (leading zeros allowed, runs <= 9999).
pub fn parse_range(s: &str) -> std::result::Result<RunRange, RangeError> {
    let fields: Vec<&str> = s.split('-').collect();
    let [b, e] = fields[..] else {
        return Err(RangeError::Fields);
    };
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|c| c.is_ascii_digit());
    if !digits(b) {
        return Err(RangeError::Begin);
    }
    let num = |t: &str| {
        t.parse::<u64>()
            .ok()
            .filter(|&v| v <= MAX_RUN as u64)
            .map(|v| v as u32)
    };
    let begin = num(b).ok_or(RangeError::TooLarge)?;
    let end = if e == "end" {
        RunEnd::End
    } else if digits(e) {
        RunEnd::Run(num(e).ok_or(RangeError::TooLarge)?)
    } else {
        return Err(RangeError::End);
    };
    Ok(RunRange { begin, end })
}

impl FromStr for RunRange {
    type Err = Error;

    fn from_str(s: &str) -> Result<RunRange> {
        let r = parse_range(s).map_err(|e| Error::BadName {
            kind: "run range",
            name: s.to_string(),
            reason: e.to_string(),
        })?;
        if let RunEnd::Run(e) = r.end
            && e < r.begin
        {
            return Err(Error::BadName {
                kind: "run range",
                name: s.to_string(),
                reason: "the end run is before the begin run".into(),
            });
        }
        Ok(r)
    }
}

/// What a directory entry of a ctype directory is, for file selection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// A constants file valid for the range.
    Valid(RunRange),
    /// Not a constants file (`HISTORY`, backups, other extensions): ignored silently.
    Ignored,
    /// A `.data` file with a malformed name: skipped with a warning.
    Malformed(RangeError),
}

/// Classifies a file name in a ctype directory as psana's finder does.
pub fn classify(name: &str) -> Entry {
    if name == "HISTORY" {
        return Entry::Ignored;
    }
    let Some((base, ext)) = name.rsplit_once('.') else {
        return Entry::Ignored;
    };
    if ext != "data" {
        return Entry::Ignored;
    }
    match parse_range(base) {
        Ok(r) => Entry::Valid(r),
        // psana's Python finder silently ignores a non-numeric begin.
        Err(RangeError::Begin) => Entry::Ignored,
        Err(e) => Entry::Malformed(e),
    }
}

/// Picks the file valid for `run` among `names`: the largest begin not after the run whose end
/// covers it, and for equal begins the smallest end. Runs above 9999 count as 9999.
///
/// Identical ranges (`5-end` and `5-9999`) go to the name that sorts last, so the choice does
/// not depend on the order of the directory listing.
pub fn select<S: AsRef<str>>(names: &[S], run: u32) -> Option<&str> {
    let run = run.min(MAX_RUN);
    let mut valid: Vec<(RunRange, &str)> = names
        .iter()
        .filter_map(|n| match classify(n.as_ref()) {
            Entry::Valid(r) => Some((r, n.as_ref())),
            Entry::Malformed(e) => {
                tracing::warn!("skipping calibration file {:?}: {e}", n.as_ref());
                None
            }
            Entry::Ignored => None,
        })
        .collect();
    valid.sort_by(|(a, an), (b, bn)| {
        a.begin
            .cmp(&b.begin)
            .then_with(|| b.end.value().cmp(&a.end.value()))
            .then_with(|| an.cmp(bn))
    });
    valid
        .iter()
        .rev()
        .find(|(r, _)| r.contains(run))
        .map(|(_, n)| *n)
}

/// An experiment's calibration store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalibStore {
    dir: PathBuf,
}

/// Where to deploy a file and how.
#[derive(Debug, Clone)]
pub struct Deployment<'a> {
    /// The calibration group (`Jungfrau::CalibV1`).
    pub group: &'a str,
    /// The DetInfo source (`CxiDs1.0:Jungfrau.0`).
    pub source: &'a str,
    /// The calibration type (`pedestals`).
    pub ctype: &'a str,
    /// The runs the file is valid for.
    pub range: RunRange,
    /// Modes and group of what is created.
    pub perms: Perms,
    /// The comment written into `HISTORY` (`cmt:`).
    pub comment: String,
}

impl CalibStore {
    /// The store in `dir` (psana's `-c/--dircalib`).
    pub fn new(dir: impl Into<PathBuf>) -> CalibStore {
        let dir: PathBuf = dir.into();
        // psana replaces '//' with '/'.
        let cleaned: PathBuf = dir.components().collect();
        CalibStore {
            dir: if cleaned.as_os_str().is_empty() {
                dir
            } else {
                cleaned
            },
        }
    }

    /// The store of experiment `exp` under `SIT_PSDM_DATA` (or `psdm_data` if given).
    pub fn for_experiment(psdm_data: Option<&Path>, exp: &str) -> Result<CalibStore> {
        let settings = crate::settings::Settings::from_env().with_data_dir(psdm_data);
        let root = settings.psdm_data("--calib-dir")?;
        Ok(CalibStore::new(site::experiment_calib_dir(root, exp)?))
    }

    /// The store's directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// `<calib-dir>/<group>/<source>/<ctype>`, with every name checked to stay inside the store.
    pub fn ctype_dir(&self, group: &str, source: &str, ctype: &str) -> Result<PathBuf> {
        check_component("calibration group", group)?;
        check_component("source", source)?;
        check_component("calibration type", ctype)?;
        Ok(self.dir.join(group).join(source).join(ctype))
    }

    /// The calibration group for a source, from its detector type.
    pub fn group_for_source(source: &str) -> Result<&'static str> {
        match DetType::from_source(source) {
            DetType::Undefined => Err(Error::BadName {
                kind: "source",
                name: source.to_string(),
                reason: "no detector type found in it; expected a DetInfo source such as \
                         CxiDs1.0:Jungfrau.0 (or give the calibration group explicitly)"
                    .into(),
            }),
            t => Ok(t.calib_group()),
        }
    }

    /// The file valid for `run`, if any. A missing directory means no file.
    pub fn find(
        &self,
        group: &str,
        source: &str,
        ctype: &str,
        run: u32,
    ) -> Result<Option<PathBuf>> {
        let dir = self.ctype_dir(group, source, ctype)?;
        let names = match std::fs::read_dir(&dir) {
            Ok(rd) => rd
                .filter_map(|e| e.ok())
                .filter(|e| e.file_type().map(|t| !t.is_dir()).unwrap_or(false))
                .filter_map(|e| e.file_name().into_string().ok())
                .collect::<Vec<_>>(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) if e.kind() == std::io::ErrorKind::NotADirectory => {
                return Err(Error::content(
                    &dir,
                    "is a file; expected a calibration type directory",
                ));
            }
            Err(e) => return Err(Error::io(&dir, "list", e)),
        };
        Ok(select(&names, run).map(|n| dir.join(n)))
    }

    /// Copies `file` into the store as `<ctype>/<begin>-<end>.data` (psana's `deploy_file`),
    /// atomically, and appends a line to the ctype's `HISTORY`. Returns the deployed path.
    pub fn deploy_file(&self, file: &Path, d: &Deployment<'_>) -> Result<PathBuf> {
        let dir = self.ctype_dir(d.group, d.source, d.ctype)?;
        if !file.is_file() {
            return Err(match std::fs::metadata(file) {
                Ok(_) => Error::content(file, "is not a regular file"),
                Err(e) => Error::io(file, "read", e),
            });
        }
        let name = d.range.file_name();
        let dest = dir.join(&name);
        copy_atomic(file, &dest, &d.perms)?;
        let line = history_line(&name, &file.display().to_string(), d.ctype, &d.comment);
        append_locked(&dir.join("HISTORY"), line.as_bytes(), &d.perms)?;
        Ok(dest)
    }

    /// Writes `bytes` into the store as `<ctype>/<begin>-<end>.data`, atomically, and appends a
    /// `HISTORY` line naming `copy_of` as its origin (an edited file). Returns the deployed path.
    pub fn deploy_bytes(&self, bytes: &[u8], copy_of: &str, d: &Deployment<'_>) -> Result<PathBuf> {
        let dir = self.ctype_dir(d.group, d.source, d.ctype)?;
        let name = d.range.file_name();
        let dest = dir.join(&name);
        crate::files::write_bytes_atomic(&dest, bytes, &d.perms)?;
        let line = history_line(&name, copy_of, d.ctype, &d.comment);
        append_locked(&dir.join("HISTORY"), line.as_bytes(), &d.perms)?;
        Ok(dest)
    }

    /// Writes `arr` into the store as psana text `<ctype>/<begin>-<end>.data`, atomically, and
    /// appends a `HISTORY` line naming `copy_of` as its origin. Returns the deployed path.
    pub fn deploy_array(
        &self,
        arr: &NdArray,
        opts: &TextOptions,
        copy_of: &str,
        d: &Deployment<'_>,
    ) -> Result<PathBuf> {
        let dir = self.ctype_dir(d.group, d.source, d.ctype)?;
        let name = d.range.file_name();
        let dest = dir.join(&name);
        text::write_text(&dest, arr, opts, &d.perms)?;
        let line = history_line(&name, copy_of, d.ctype, &d.comment);
        append_locked(&dir.join("HISTORY"), line.as_bytes(), &d.perms)?;
        Ok(dest)
    }

    /// Every file name in a ctype directory, sorted, with how psana's finder sees it.
    pub fn list(&self, group: &str, source: &str, ctype: &str) -> Result<Vec<(String, Entry)>> {
        let dir = self.ctype_dir(group, source, ctype)?;
        let mut out: Vec<(String, Entry)> = std::fs::read_dir(&dir)
            .at(&dir, "list")?
            .filter_map(|e| e.ok())
            .filter_map(|e| e.file_name().into_string().ok())
            .map(|n| {
                let c = classify(&n);
                (n, c)
            })
            .collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(out)
    }
}

/// One `HISTORY` line in the format of psana's `deploy_file`, with its newline.
pub fn history_line(ofname: &str, copy_of: &str, ctype: &str, comment: &str) -> String {
    history_line_with(
        ofname,
        copy_of,
        ctype,
        &site::login_name(),
        &site::hostname(),
        &site::iso_seconds(jiff::Timestamp::now()),
        &site::cwd(),
        comment,
    )
}

/// A `HISTORY` line from explicit values.
#[allow(clippy::too_many_arguments)]
pub fn history_line_with(
    ofname: &str,
    copy_of: &str,
    ctype: &str,
    user: &str,
    host: &str,
    cptime: &str,
    cwd: &str,
    comment: &str,
) -> String {
    format!(
        "file:{ofname:<14} copy_of:{copy_of} ctype:{ctype} user:{user} host:{host} cptime:{cptime} cwd:{cwd} cmt:{comment}\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(files: &[&str], cases: &[(u32, Option<&str>)]) {
        for &(run, want) in cases {
            let got = select(files, run).map(|n| n.trim_end_matches(".data"));
            assert_eq!(got, want, "files {files:?} run {run}");
        }
    }

    #[test]
    fn psana_test_vectors() {
        check(
            &["1-end.data", "5-end.data", "3-15.data"],
            &[
                (0, None),
                (1, Some("1-end")),
                (2, Some("1-end")),
                (3, Some("3-15")),
                (4, Some("3-15")),
                (5, Some("5-end")),
                (15, Some("5-end")),
                (9999, Some("5-end")),
                (12345, Some("5-end")),
            ],
        );
        check(
            &["0-10.data", "0-5.data", "0-end.data"],
            &[
                (0, Some("0-5")),
                (5, Some("0-5")),
                (6, Some("0-10")),
                (10, Some("0-10")),
                (11, Some("0-end")),
            ],
        );
        check(
            &["0-end.data", "5-10.data"],
            &[
                (4, Some("0-end")),
                (5, Some("5-10")),
                (10, Some("5-10")),
                (11, Some("0-end")),
                (20, Some("0-end")),
            ],
        );
        check(
            &["0-10.data", "5-15.data"],
            &[(4, Some("0-10")), (5, Some("5-15")), (15, Some("5-15"))],
        );
        check(&["0-10.data", "11-20.data"], &[(21, None)]);
    }

    #[test]
    fn names_psana_ignores_or_rejects() {
        let files = [
            "HISTORY",
            "1-end.data-2016-01-26T10:40:53",
            "1-end.txt",
            "abc.data",
            "1-2-3.data",
            "10000-end.data",
            "5-10000.data",
            "5-abc.data",
            "x5-end.data",
            "07-end.data",
        ];
        assert_eq!(classify("HISTORY"), Entry::Ignored);
        assert_eq!(classify("1-end.txt"), Entry::Ignored);
        assert_eq!(classify("1-end.data-2016-01-26T10:40:53"), Entry::Ignored);
        assert_eq!(classify("abc.data"), Entry::Malformed(RangeError::Fields));
        assert_eq!(classify("1-2-3.data"), Entry::Malformed(RangeError::Fields));
        assert_eq!(
            classify("10000-end.data"),
            Entry::Malformed(RangeError::TooLarge)
        );
        assert_eq!(
            classify("5-10000.data"),
            Entry::Malformed(RangeError::TooLarge)
        );
        assert_eq!(classify("5-abc.data"), Entry::Malformed(RangeError::End));
        assert_eq!(classify("x5-end.data"), Entry::Ignored);
        check(
            &files,
            &[(6, None), (7, Some("07-end")), (10001, Some("07-end"))],
        );
    }

    #[test]
    fn identical_ranges_pick_a_stable_name() {
        check(&["5-end.data", "5-9999.data"], &[(6, Some("5-end"))]);
        check(&["5-9999.data", "5-end.data"], &[(6, Some("5-end"))]);
    }

    #[test]
    fn run_range_strings() {
        assert_eq!("10-20".parse::<RunRange>().unwrap().to_string(), "10-20");
        assert_eq!(
            "10-end".parse::<RunRange>().unwrap(),
            RunRange::from_run(10)
        );
        assert_eq!(RunRange::from_run(23).file_name(), "23-end.data");
        for bad in [
            "",
            "10",
            "10-",
            "-5",
            "a-end",
            "10-5",
            "1-2-3",
            "10000-end",
            "../x",
        ] {
            assert!(bad.parse::<RunRange>().is_err(), "{bad}");
        }
    }

    #[test]
    fn history_line_format() {
        let l = history_line_with(
            "23-end.data",
            "/tmp/a.txt",
            "pedestals",
            "u",
            "h",
            "2024-01-02T03:04:05",
            "/w",
            "",
        );
        assert_eq!(
            l,
            "file:23-end.data    copy_of:/tmp/a.txt ctype:pedestals user:u host:h cptime:2024-01-02T03:04:05 cwd:/w cmt:\n"
        );
    }

    #[test]
    fn deploy_and_find() {
        let tmp = tempfile::tempdir().unwrap();
        let store = CalibStore::new(tmp.path().join("calib"));
        let src = tmp.path().join("peds.txt");
        std::fs::write(&src, b"1 2 3\n").unwrap();
        let d = |range: &str| Deployment {
            group: "Jungfrau::CalibV1",
            source: "CxiDs1.0:Jungfrau.0",
            ctype: "pedestals",
            range: range.parse().unwrap(),
            perms: Perms {
                group: None,
                ..Perms::default()
            },
            comment: String::new(),
        };
        let p1 = store.deploy_file(&src, &d("1-end")).unwrap();
        let p2 = store.deploy_file(&src, &d("5-10")).unwrap();
        assert_eq!(std::fs::read(&p1).unwrap(), b"1 2 3\n");
        let found = |run| {
            store
                .find("Jungfrau::CalibV1", "CxiDs1.0:Jungfrau.0", "pedestals", run)
                .unwrap()
        };
        assert_eq!(found(3), Some(p1.clone()));
        assert_eq!(found(7), Some(p2));
        assert_eq!(found(0), None);
        assert_eq!(
            store
                .find("Jungfrau::CalibV1", "CxiDs1.0:Jungfrau.0", "pixel_rms", 3)
                .unwrap(),
            None
        );
        let hist = std::fs::read_to_string(p1.parent().unwrap().join("HISTORY")).unwrap();
        assert_eq!(hist.lines().count(), 2);
        assert!(hist.starts_with("file:1-end.data     copy_of:"), "{hist}");
        assert!(
            store
                .ctype_dir("Jungfrau::CalibV1", "../x", "pedestals")
                .is_err()
        );
        assert!(store.deploy_file(tmp.path(), &d("1-end")).is_err());
    }
}
