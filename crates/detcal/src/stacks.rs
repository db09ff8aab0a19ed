/*!
Raw NumPy stacks of an experiment, described by a JSON file beside each one.

Single-gain detectors (pnCCD, ePix100a, CSPAD) come to detcal as NumPy stacks of raw words
`(N, rows, cols)` or `(N, segments, rows, cols)`. A stack of run `r` of detector `alias` lives in
`<data root>/<INS>/<exp>/npy/<exp>-r<NNNN>-<alias>.npy`, with its description (detector type,
alias, panel ids, experiment, run, start time) in `<exp>-r<NNNN>-<alias>.json` beside it
([`StackDescription`]). `detcal simulate --det epix100a|pnccd` writes this layout and
`detcal calibrun` reads it.
*/

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::detector::DetType;
use crate::error::{Error, IoContext, Result};
use crate::files::{Perms, check_component, write_bytes_atomic};
use crate::site;
use crate::source::{RunSource, StackInfo};

/// The JSON description written beside a raw NumPy stack.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StackDescription {
    /// psana's detector type name (`pnCCD`, `Epix100a`).
    pub det_type: String,
    /// The DAQ alias.
    pub alias: String,
    /// The panel id of each segment.
    pub panel_ids: Vec<String>,
    /// The experiment.
    pub exp: String,
    /// The run number.
    pub run: u32,
    /// The run's start, seconds since 1970-01-01 UTC.
    pub start_unix: i64,
}

/// The directory of an experiment's stacks: `<root>/<INS>/<exp>/npy`.
pub fn stacks_dir(root: &Path, exp: &str) -> Result<PathBuf> {
    Ok(site::experiment_dir(root, exp)?.join("npy"))
}

/// The stack file of run `run` of detector `alias`: `<dir>/<exp>-r<NNNN>-<alias>.npy`.
pub fn stack_file(dir: &Path, exp: &str, run: u32, alias: &str) -> PathBuf {
    dir.join(format!("{exp}-r{run:04}-{alias}.npy"))
}

/// The description file beside a stack (`.json` instead of `.npy`).
pub fn description_file(stack: &Path) -> PathBuf {
    stack.with_extension("json")
}

impl StackDescription {
    /// The description of a stack as the readers of stacks take it.
    pub fn info(&self, label: &Path) -> Result<StackInfo> {
        let det_type = DetType::from_name(&self.det_type).ok_or_else(|| {
            Error::content(label, format!("unknown detector type {:?}", self.det_type))
        })?;
        check_component("alias", &self.alias)?;
        check_component("experiment", &self.exp)?;
        Ok(StackInfo {
            det_type,
            panel_ids: self.panel_ids.clone(),
            exp: self.exp.clone(),
            run: self.run,
            start: jiff::Timestamp::from_second(self.start_unix)
                .map_err(|e| Error::content(label, format!("start_unix: {e}")))?,
            gain_mode: None,
            alias: self.alias.clone(),
        })
    }

    /// Writes the description beside `stack`, atomically.
    pub fn write(&self, stack: &Path, perms: &Perms) -> Result<()> {
        let mut text =
            serde_json::to_vec_pretty(self).map_err(|e| Error::internal(e.to_string()))?;
        text.push(b'\n');
        write_bytes_atomic(&description_file(stack), &text, perms)
    }

    /// Reads the description beside `stack`.
    pub fn read(stack: &Path) -> Result<StackDescription> {
        let path = description_file(stack);
        let text = std::fs::read(&path).at(&path, "read")?;
        serde_json::from_slice(&text)
            .map_err(|e| Error::content(&path, format!("not a stack description: {e}")))
    }
}

/// Every stack of run `run` in `dir` (files `<exp>-r<NNNN>-<alias>.npy` with a description),
/// sorted by alias.
pub fn run_stacks(dir: &Path, exp: &str, run: u32) -> Result<Vec<(PathBuf, StackDescription)>> {
    let prefix = format!("{exp}-r{run:04}-");
    let mut out = Vec::new();
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(Error::io(dir, "list", e)),
    };
    for entry in entries {
        let path = entry.at(dir, "list")?.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if !(name.starts_with(&prefix)
            && name.ends_with(".npy")
            && description_file(&path).is_file())
        {
            continue;
        }
        let d = StackDescription::read(&path)?;
        if d.exp == exp && d.run == run {
            out.push((path, d));
        }
    }
    out.sort_by(|a, b| a.1.alias.cmp(&b.1.alias));
    Ok(out)
}

/// Opens the stack at `path` with the description beside it, checking it is of detector
/// `alias` when one is given.
pub fn open_described(path: &Path, alias: Option<&str>) -> Result<RunSource> {
    let d = StackDescription::read(path)?;
    if let Some(a) = alias
        && a != d.alias
    {
        return Err(Error::not_found(
            crate::Missing::Detector,
            "detector",
            a,
            format!(
                "{}: the stack holds detector {:?}, not {a:?} (-s)",
                path.display(),
                d.alias
            ),
        ));
    }
    RunSource::open_stack(path, d.info(path)?)
}

/// The stacks of the runs of `exp=<exp>:run=<runs>` under the data root, one per run, of
/// detector `alias` (the run's only stack if `None`); `None` when some run has no stack, so
/// that the caller reports its missing XTC2 files instead.
pub fn dataset_stacks(
    exp: &str,
    runs: &[u32],
    root: &Path,
    alias: Option<&str>,
) -> Result<Option<Vec<RunSource>>> {
    let dir = stacks_dir(root, exp)?;
    let mut out = Vec::with_capacity(runs.len());
    for &run in runs {
        let found = run_stacks(&dir, exp, run)?;
        let pick = match alias {
            Some(a) => found.into_iter().find(|(_, d)| d.alias == a),
            None if found.len() > 1 => {
                let names: Vec<&str> = found.iter().map(|(_, d)| d.alias.as_str()).collect();
                return Err(Error::not_found(
                    crate::Missing::Detector,
                    "detector",
                    "-s",
                    format!(
                        "run {run} of {exp} has stacks of several detectors ({}): choose one with -s",
                        names.join(", ")
                    ),
                ));
            }
            None => found.into_iter().next(),
        };
        let Some((path, d)) = pick else {
            return Ok(None);
        };
        out.push(RunSource::open_stack(&path, d.info(&path)?)?);
    }
    Ok(Some(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions_round_trip_and_are_found_by_run() {
        let dir = tempfile::tempdir().unwrap();
        let d = StackDescription {
            det_type: "pnCCD".into(),
            alias: "pnccd".into(),
            panel_ids: vec!["p0".into()],
            exp: "xpptut15".into(),
            run: 3,
            start_unix: 1_700_000_000,
        };
        let stack = stack_file(dir.path(), "xpptut15", 3, "pnccd");
        std::fs::write(&stack, b"not read here").unwrap();
        d.write(&stack, &Perms::default()).unwrap();
        assert_eq!(StackDescription::read(&stack).unwrap(), d);
        let found = run_stacks(dir.path(), "xpptut15", 3).unwrap();
        assert_eq!(found, vec![(stack.clone(), d.clone())]);
        assert!(run_stacks(dir.path(), "xpptut15", 4).unwrap().is_empty());
        let info = d.info(&stack).unwrap();
        assert_eq!(info.det_type, DetType::Pnccd);
        assert_eq!(info.start.as_second(), 1_700_000_000);
        let bad = StackDescription {
            alias: "../x".into(),
            ..d
        };
        assert!(bad.info(&stack).is_err());
    }
}
