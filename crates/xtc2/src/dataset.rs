/*!
Datasets as psana names them, resolved to files.

A dataset is a file, a list of files, or `exp=<exp>:run=<runs>[:dir=<path>]` where `<runs>` is
`7`, `7,8,9`, `7-9` or a mix (`3,7-9`). Files of run `r` of experiment `exp` are
`<root>/<INS>/<exp>/xtc/<exp>-r<NNNN>-s<SS>-c<CC>.xtc2`, where `<root>` is the data root
(psana's `SIT_PSDM_DATA`, given by the caller), `<INS>` the first three letters of the
experiment in upper case, and `dir=` replaces `<root>/<INS>/<exp>/xtc`. Stream and chunk numbers
may have any number of digits (`-s000-c000` and `-s00-c00` both occur).

```
use xtc2::dataset::Dataset;

let ds = Dataset::parse("exp=mfx101332224:run=7-9")?;
assert_eq!(ds.runs(), &[7, 8, 9]);
assert_eq!(
    xtc2::dataset::xtc_dir(std::path::Path::new("/data"), "mfx101332224"),
    std::path::Path::new("/data/MFX/mfx101332224/xtc")
);
# Ok::<(), xtc2::Error>(())
```
*/

use std::path::{Path, PathBuf};

use crate::error::Error;

/// The most runs a run range may name.
const MAX_RUNS: u32 = 100_000;

/// A dataset: files, or runs of an experiment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dataset {
    /// Files given by path; they are one run's streams and chunks.
    Files(Vec<PathBuf>),
    /// Runs of an experiment.
    Runs {
        /// The experiment, e.g. `mfx101332224`.
        exp: String,
        /// The runs, in the order given.
        runs: Vec<u32>,
        /// The directory of the files, replacing `<root>/<INS>/<exp>/xtc`.
        dir: Option<PathBuf>,
    },
}

/// The files of one run, streams and chunks in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunFiles {
    /// The experiment, if known from the dataset or the file names.
    pub exp: Option<String>,
    /// The run number, if known from the dataset or the file names.
    pub run: Option<u32>,
    /// The files, sorted by stream then chunk.
    pub files: Vec<PathBuf>,
}

fn invalid(dataset: &str, reason: impl Into<String>) -> Error {
    Error::InvalidDataset {
        dataset: dataset.to_string(),
        reason: reason.into(),
    }
}

impl Dataset {
    /// Parses a dataset string: `exp=...:run=...[:dir=...]`, or else a file path.
    pub fn parse(s: &str) -> Result<Self, Error> {
        if !s.contains('=') {
            if s.is_empty() {
                return Err(invalid(s, "empty"));
            }
            return Ok(Self::Files(vec![PathBuf::from(s)]));
        }
        let (mut exp, mut runs, mut dir) = (None, None, None);
        for part in s.split(':') {
            let (key, value) = part.split_once('=').unwrap_or((part, ""));
            match key {
                "exp" => exp = Some(value),
                "run" => runs = Some(value),
                "dir" => dir = Some(value),
                // psana flags that do not change which files make up the run.
                "smd" | "live" | "" => {}
                other => {
                    return Err(invalid(
                        s,
                        format!("unknown key `{other}` (known: exp, run, dir)"),
                    ));
                }
            }
        }
        let exp = exp.ok_or_else(|| invalid(s, "no exp="))?;
        let runs = runs.ok_or_else(|| invalid(s, "no run="))?;
        if dir == Some("") {
            return Err(invalid(s, "empty dir="));
        }
        Self::from_exp_run(exp, runs, dir.map(Path::new)).map_err(|e| match e {
            Error::InvalidDataset { reason, .. } => invalid(s, reason),
            other => other,
        })
    }

    /// The dataset `-e EXP -r RUNS [--dir DIR]` names.
    pub fn from_exp_run(exp: &str, runs: &str, dir: Option<&Path>) -> Result<Self, Error> {
        let shown = format!("exp={exp}:run={runs}");
        check_exp(exp).map_err(|r| invalid(&shown, r))?;
        let runs = parse_runs(runs).map_err(|r| invalid(&shown, r))?;
        Ok(Self::Runs {
            exp: exp.to_string(),
            runs,
            dir: dir.map(Path::to_path_buf),
        })
    }

    /// The run numbers (empty for files).
    pub fn runs(&self) -> &[u32] {
        match self {
            Self::Files(_) => &[],
            Self::Runs { runs, .. } => runs,
        }
    }

    /// The files of each run, in the order given; `data_root` is psana's `SIT_PSDM_DATA`.
    pub fn resolve(&self, data_root: Option<&Path>) -> Result<Vec<RunFiles>, Error> {
        match self {
            Self::Files(files) => {
                let names = files
                    .first()
                    .and_then(|f| f.file_name())
                    .and_then(|n| n.to_str());
                let parsed = names.and_then(parse_stream_chunk);
                Ok(vec![RunFiles {
                    exp: parsed.map(|p| p.0.to_string()),
                    run: parsed.map(|p| p.1),
                    files: files.clone(),
                }])
            }
            Self::Runs { exp, runs, dir } => {
                let dir = match (dir, data_root) {
                    (Some(d), _) => d.clone(),
                    (None, Some(root)) => xtc_dir(root, exp),
                    (None, None) => {
                        return Err(invalid(
                            &format!("exp={exp}"),
                            "no data root (SIT_PSDM_DATA) and no dir= to find the files in",
                        ));
                    }
                };
                runs.iter().map(|&run| run_files(&dir, exp, run)).collect()
            }
        }
    }
}

/// The first three letters of an experiment, upper case: `MFX` for `mfx101332224`.
pub fn instrument(exp: &str) -> String {
    exp.chars().take(3).collect::<String>().to_uppercase()
}

/// `<root>/<INS>/<exp>/xtc`.
pub fn xtc_dir(root: &Path, exp: &str) -> PathBuf {
    root.join(instrument(exp)).join(exp).join("xtc")
}

/// The file name of a chunk: `<exp>-r<NNNN>-s<SSS>-c<CCC>.xtc2` (3-digit stream and chunk, as
/// the current DAQ writes them).
pub fn run_file_name(exp: &str, run: u32, stream: u32, chunk: u32) -> String {
    format!("{exp}-r{run:04}-s{stream:03}-c{chunk:03}.xtc2")
}

/// Splits `<exp>-r<run>-s<stream>-c<chunk>.xtc2` into its parts (any number of digits).
pub fn parse_stream_chunk(file_name: &str) -> Option<(&str, u32, u32, u32)> {
    let stem = file_name.strip_suffix(".xtc2")?;
    let mut parts = stem.rsplitn(4, '-');
    let chunk = number(parts.next()?.strip_prefix('c')?)?;
    let stream = number(parts.next()?.strip_prefix('s')?)?;
    let run = number(parts.next()?.strip_prefix('r')?)?;
    let exp = parts.next().filter(|e| !e.is_empty())?;
    Some((exp, run, stream, chunk))
}

fn number(digits: &str) -> Option<u32> {
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

fn check_exp(exp: &str) -> Result<(), String> {
    if exp.is_empty() {
        return Err("empty experiment name".into());
    }
    if exp == "." || exp == ".." || exp.contains(['/', '\\']) || exp.starts_with('.') {
        return Err(format!(
            "experiment `{}` would leave the data directory",
            exp.escape_debug()
        ));
    }
    if let Some(c) = exp
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '_' || *c == '-'))
    {
        return Err(format!(
            "experiment `{}` has the character {c:?}",
            exp.escape_debug()
        ));
    }
    Ok(())
}

fn parse_runs(runs: &str) -> Result<Vec<u32>, String> {
    let mut out = Vec::new();
    for part in runs.split(',') {
        let part = part.trim();
        let num = |s: &str| number(s.trim()).ok_or_else(|| format!("`{s}` is not a run number"));
        match part.split_once('-') {
            Some((a, b)) => {
                let (a, b) = (num(a)?, num(b)?);
                if b < a {
                    return Err(format!("run range {a}-{b} is backwards"));
                }
                if b - a >= MAX_RUNS {
                    return Err(format!("run range {a}-{b} names more than {MAX_RUNS} runs"));
                }
                out.extend(a..=b);
            }
            None => out.push(num(part)?),
        }
        if out.len() > MAX_RUNS as usize {
            return Err(format!("more than {MAX_RUNS} runs"));
        }
    }
    Ok(out)
}

/// The files of `run` of `exp` in `dir`, sorted by stream then chunk.
fn run_files(dir: &Path, exp: &str, run: u32) -> Result<RunFiles, Error> {
    let no_files = || Error::NoRunFiles {
        exp: exp.to_string(),
        run,
        dir: dir.to_path_buf(),
        pattern: format!("{exp}-r{run:04}-s*-c*.xtc2"),
    };
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(no_files()),
        Err(e) => return Err(Error::io(dir, e)),
    };
    let mut found = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if let Some((e, r, s, c)) = parse_stream_chunk(name)
            && e == exp
            && r == run
        {
            found.push((s, c, entry.path()));
        }
    }
    if found.is_empty() {
        return Err(no_files());
    }
    found.sort();
    Ok(RunFiles {
        exp: Some(exp.to_string()),
        run: Some(run),
        files: found.into_iter().map(|(_, _, p)| p).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_exp_run_dir() {
        let ds = Dataset::parse("exp=xpptut15:run=3,7-9:dir=/tmp/x").unwrap();
        assert_eq!(
            ds,
            Dataset::Runs {
                exp: "xpptut15".into(),
                runs: vec![3, 7, 8, 9],
                dir: Some("/tmp/x".into())
            }
        );
        assert_eq!(
            Dataset::parse("exp=cxilu9218:run=242,243,244:smd")
                .unwrap()
                .runs(),
            &[242, 243, 244]
        );
        assert_eq!(
            Dataset::parse("run=7:exp=mfx101332224").unwrap().runs(),
            &[7]
        );
        assert_eq!(
            Dataset::parse("/a/b.xtc2").unwrap(),
            Dataset::Files(vec!["/a/b.xtc2".into()])
        );
    }

    #[test]
    fn refuses_malformed_datasets() {
        let cases = [
            ("exp=../x:run=1", "would leave the data directory"),
            ("exp=a/b:run=1", "would leave the data directory"),
            ("exp=:run=1", "empty experiment name"),
            ("exp=x y:run=1", "has the character ' '"),
            ("exp=xpp:run=9-7", "backwards"),
            ("exp=xpp:run=seven", "`seven` is not a run number"),
            ("exp=xpp:run=", "`` is not a run number"),
            ("exp=xpp:run=1-", "`` is not a run number"),
            ("exp=xpp:run=0-4000000000", "more than 100000 runs"),
            ("exp=xpp", "no run="),
            ("run=1", "no exp="),
            ("exp=xpp:run=1:foo=2", "unknown key `foo`"),
            ("exp=xpp:run=1:dir=", "empty dir="),
        ];
        for (s, msg) in cases {
            let e = Dataset::parse(s).unwrap_err().to_string();
            assert!(e.starts_with(&format!("invalid dataset `{s}`: ")), "{e}");
            assert!(e.contains(msg), "{s}: {e}");
        }
        assert!(Dataset::parse("").is_err());
    }

    #[test]
    fn splits_file_names_with_any_digit_count() {
        assert_eq!(
            parse_stream_chunk("mfx101332224-r0007-s000-c000.xtc2"),
            Some(("mfx101332224", 7, 0, 0))
        );
        assert_eq!(
            parse_stream_chunk("xpptut15-r0014-s01-c02.xtc2"),
            Some(("xpptut15", 14, 1, 2))
        );
        assert_eq!(
            parse_stream_chunk("a-b-r12345-s7-c10.xtc2"),
            Some(("a-b", 12345, 7, 10))
        );
        assert_eq!(parse_stream_chunk("x-r1-s0-c0.smd.xtc2"), None);
        assert_eq!(parse_stream_chunk("-r1-s0-c0.xtc2"), None);
        assert_eq!(parse_stream_chunk("x-r1-s0-c.xtc2"), None);
        assert_eq!(parse_stream_chunk("x-r1-s+1-c0.xtc2"), None);
        assert_eq!(parse_stream_chunk("test_epix_calib.xtc2"), None);
        assert_eq!(
            run_file_name("mfx101332224", 7, 0, 1),
            "mfx101332224-r0007-s000-c001.xtc2"
        );
    }

    #[test]
    fn resolves_runs_in_stream_and_chunk_order() {
        let root = tempfile::tempdir().unwrap();
        let dir = xtc_dir(root.path(), "xpptut15");
        std::fs::create_dir_all(&dir).unwrap();
        for name in [
            "xpptut15-r0007-s01-c00.xtc2",
            "xpptut15-r0007-s000-c001.xtc2",
            "xpptut15-r0007-s000-c000.xtc2",
            "xpptut15-r0008-s000-c000.xtc2",
            "xpptut15-r0070-s000-c000.xtc2",
            "other-r0007-s000-c000.xtc2",
            "xpptut15-r0007-s000-c000.xtc2.inprogress",
        ] {
            std::fs::write(dir.join(name), b"").unwrap();
        }
        let ds = Dataset::parse("exp=xpptut15:run=7,8").unwrap();
        let runs = ds.resolve(Some(root.path())).unwrap();
        let names: Vec<Vec<String>> = runs
            .iter()
            .map(|r| {
                r.files
                    .iter()
                    .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
                    .collect()
            })
            .collect();
        assert_eq!(
            names,
            [
                vec![
                    "xpptut15-r0007-s000-c000.xtc2",
                    "xpptut15-r0007-s000-c001.xtc2",
                    "xpptut15-r0007-s01-c00.xtc2"
                ],
                vec!["xpptut15-r0008-s000-c000.xtc2"],
            ]
        );
        assert_eq!(
            (runs[0].exp.as_deref(), runs[0].run),
            (Some("xpptut15"), Some(7))
        );
        let with_dir = Dataset::from_exp_run("xpptut15", "8", Some(&dir)).unwrap();
        assert_eq!(with_dir.resolve(None).unwrap()[0].files.len(), 1);
    }

    #[test]
    fn missing_files_name_directory_and_pattern() {
        let root = tempfile::tempdir().unwrap();
        let dir = xtc_dir(root.path(), "xpptut15");
        std::fs::create_dir_all(&dir).unwrap();
        let e = Dataset::parse("exp=xpptut15:run=9")
            .unwrap()
            .resolve(Some(root.path()))
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            format!(
                "no files for run 9 of experiment xpptut15: nothing matches xpptut15-r0009-s*-c*.xtc2 in {}",
                dir.display()
            )
        );
        let e = Dataset::parse("exp=xpptut15:run=9")
            .unwrap()
            .resolve(None)
            .unwrap_err();
        assert!(e.to_string().contains("SIT_PSDM_DATA"), "{e}");
        let e = Dataset::parse("exp=abc:run=1")
            .unwrap()
            .resolve(Some(root.path()))
            .unwrap_err();
        // A missing directory says which run and files were looked for.
        assert!(matches!(e, Error::NoRunFiles { run: 1, .. }), "{e}");
        assert!(e.to_string().contains("abc-r0001-s*-c*.xtc2"), "{e}");
    }
}
