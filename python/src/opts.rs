//! Keyword arguments named as the command's options (`--int_lo` is `int_lo=`, `--panel-ids` is
//! `panel_ids=`), into the library's option values.

use std::collections::HashSet;
use std::path::PathBuf;

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};

use detcal::dark::DarkParams;
use detcal::files::Perms;
use detcal::settings::Settings;

use crate::errors::ArgumentError;

/// The keyword arguments of one call; each is taken once, and those never taken are an error.
pub struct Opts<'py> {
    what: &'static str,
    dict: Option<Bound<'py, PyDict>>,
    taken: HashSet<String>,
}

impl<'py> Opts<'py> {
    /// The keyword arguments `dict` of the call `what`.
    pub fn new(what: &'static str, dict: Option<&Bound<'py, PyDict>>) -> Opts<'py> {
        Opts {
            what,
            dict: dict.cloned(),
            taken: HashSet::new(),
        }
    }

    /// The value of the first of `names` given (not `None`), marking all of them taken.
    fn value(&mut self, names: &[&str]) -> PyResult<Option<(String, Bound<'py, PyAny>)>> {
        let mut found = None;
        for n in names {
            self.taken.insert(n.to_string());
            if let Some(d) = &self.dict
                && let Some(v) = d.get_item(n)?
                && !v.is_none()
                && found.is_none()
            {
                found = Some((n.to_string(), v));
            }
        }
        Ok(found)
    }

    fn bad(&self, name: &str, want: &str, v: &Bound<'py, PyAny>) -> PyErr {
        let ty = v
            .get_type()
            .name()
            .map(|n| n.to_string())
            .unwrap_or_else(|_| "?".into());
        ArgumentError::new_err(format!(
            "{}(): option {name}: expected {want}, got {ty}",
            self.what
        ))
    }

    /// The option converted by `convert` (`None`: not of the kind `want` describes).
    fn typed<T>(
        &mut self,
        names: &[&str],
        want: &str,
        convert: impl Fn(&Bound<'py, PyAny>) -> Option<T>,
    ) -> PyResult<Option<T>> {
        match self.value(names)? {
            Some((n, v)) => convert(&v).map(Some).ok_or_else(|| self.bad(&n, want, &v)),
            None => Ok(None),
        }
    }

    /// A string option (`names`: the option and its aliases).
    pub fn string(&mut self, names: &[&str]) -> PyResult<Option<String>> {
        self.typed(names, "a string", |v| v.extract().ok())
    }

    /// A string option, or a number given for it (run numbers, time stamps).
    pub fn text(&mut self, names: &[&str]) -> PyResult<Option<String>> {
        self.typed(names, "a string or an integer", |v| {
            if v.is_instance_of::<PyString>() || v.extract::<i64>().is_ok() {
                v.str().ok().map(|s| s.to_string())
            } else {
                None
            }
        })
    }

    /// A path option (a string or a path-like object).
    pub fn path(&mut self, names: &[&str]) -> PyResult<Option<PathBuf>> {
        self.typed(names, "a path", |v| v.extract().ok())
    }

    /// An unsigned integer option.
    pub fn uint(&mut self, names: &[&str]) -> PyResult<Option<u64>> {
        self.typed(names, "an integer >= 0", |v| {
            if v.is_instance_of::<pyo3::types::PyBool>() {
                None
            } else {
                v.extract().ok()
            }
        })
    }

    /// An unsigned integer option that must fit `T`.
    pub fn small<T: TryFrom<u64>>(&mut self, names: &[&str]) -> PyResult<Option<T>> {
        match self.uint(names)? {
            Some(v) => T::try_from(v).map(Some).map_err(|_| {
                ArgumentError::new_err(format!(
                    "{}(): option {}: {v} is out of range",
                    self.what, names[0]
                ))
            }),
            None => Ok(None),
        }
    }

    /// A number option.
    pub fn float(&mut self, names: &[&str]) -> PyResult<Option<f64>> {
        self.typed(names, "a number", |v| v.extract().ok())
    }

    /// A flag.
    pub fn flag(&mut self, names: &[&str]) -> PyResult<bool> {
        Ok(self
            .typed(names, "True or False", |v| v.extract().ok())?
            .unwrap_or(false))
    }

    /// A list of strings, given as a list or comma-separated as on the command line.
    pub fn strings(&mut self, names: &[&str]) -> PyResult<Vec<String>> {
        Ok(self
            .typed(names, "a list of strings", |v| {
                match v.extract::<String>() {
                    Ok(s) => Some(s.split(',').map(str::to_string).collect()),
                    Err(_) => v.extract().ok(),
                }
            })?
            .unwrap_or_default())
    }

    /// A list of integers, given as a list or comma-separated.
    pub fn uints(&mut self, names: &[&str]) -> PyResult<Option<Vec<usize>>> {
        self.typed(names, "a list of integers >= 0", |v| {
            match v.extract::<String>() {
                Ok(s) => s.split(',').map(|x| x.trim().parse().ok()).collect(),
                Err(_) => v.extract().ok(),
            }
        })
    }

    /// A panel shape, `"ROWSxCOLS"` as on the command line or a pair `(rows, cols)`.
    pub fn shape(&mut self, names: &[&str]) -> PyResult<Option<(usize, usize)>> {
        self.typed(
            names,
            "ROWSxCOLS (e.g. \"512x1024\") or (rows, cols)",
            |v| {
                if let Ok(pair) = v.extract::<(usize, usize)>() {
                    return Some(pair);
                }
                let s = v.extract::<String>().ok()?;
                let (r, c) = s.split_once('x')?;
                Some((r.parse().ok()?, c.parse().ok()?))
            },
        )
    }

    /// An error naming every keyword argument that no option took.
    pub fn done(self) -> PyResult<()> {
        let Some(d) = &self.dict else { return Ok(()) };
        let mut unknown = Vec::new();
        for k in d.keys() {
            let k: String = k.extract()?;
            if !self.taken.contains(&k) {
                unknown.push(k);
            }
        }
        if unknown.is_empty() {
            return Ok(());
        }
        let mut known: Vec<&String> = self.taken.iter().collect();
        known.sort();
        Err(ArgumentError::new_err(format!(
            "{}(): unknown option(s) {}; known: {}",
            self.what,
            unknown.join(", "),
            known
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )))
    }

    /// psana's dark-processing parameters (`nrecs`, `int_lo`, ..., `databits`); those not given
    /// keep psana's defaults.
    pub fn dark_params(&mut self) -> PyResult<DarkParams> {
        let d = DarkParams::default();
        Ok(DarkParams {
            nrecs: self.small(&["nrecs"])?.unwrap_or(d.nrecs),
            nrecs1: self.small(&["nrecs1"])?.unwrap_or(d.nrecs1),
            int_lo: self.float(&["int_lo"])?.unwrap_or(d.int_lo),
            int_hi: self.float(&["int_hi"])?.unwrap_or(d.int_hi),
            rms_lo: self.float(&["rms_lo"])?.unwrap_or(d.rms_lo),
            rms_hi: self.float(&["rms_hi"])?.unwrap_or(d.rms_hi),
            intnlo: self.float(&["intnlo"])?.unwrap_or(d.intnlo),
            intnhi: self.float(&["intnhi"])?.unwrap_or(d.intnhi),
            rmsnlo: self.float(&["rmsnlo"])?.unwrap_or(d.rmsnlo),
            rmsnhi: self.float(&["rmsnhi"])?.unwrap_or(d.rmsnhi),
            fraclm: self.float(&["fraclm"])?.unwrap_or(d.fraclm),
            fraclo: self.float(&["fraclo"])?.unwrap_or(d.fraclo),
            frachi: self.float(&["frachi"])?.unwrap_or(d.frachi),
            data_bits: self.small(&["databits"])?.unwrap_or(d.data_bits),
        })
    }

    /// The job's settings: the environment's roots, `data_dir`, and the modes and group of new
    /// files (`dirmode`, `filemode`, `group`, psana's defaults when not given).
    pub fn settings(&mut self) -> PyResult<Settings> {
        let d = Perms::default();
        let dirmode = self.small::<u32>(&["dirmode"])?;
        let filemode = self.small::<u32>(&["filemode"])?;
        let group = self.string(&["group"])?;
        let perms = Perms::new(
            dirmode.unwrap_or(d.dir_mode),
            filemode.unwrap_or(d.file_mode),
            group.as_deref().unwrap_or(d.group.as_deref().unwrap_or("")),
        );
        Ok(Settings::from_env()
            .with_data_dir(self.path(&["data_dir"])?.as_deref())
            .with_perms(perms))
    }
}
