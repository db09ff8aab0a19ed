//! `detcal.export_psana2`: psana2's calibration cache from detcal's constants.

use pyo3::prelude::*;
use pyo3::types::PyDict;

use detcal::pipeline::export_psana2::{self as export_pipe, DEFAULT_DIR, ExportOptions};

use crate::errors::lib_err;
use crate::jobs::to_dict;
use crate::opts::Opts;

/// Writes psana2's calibration cache `calibconst.pkl` (`detcal export-psana2`) for one run:
/// `dataset` (or `exp` and `run`), `calib_dir`, `out` (directory, default `/dev/shm`), `det`
/// (a list of aliases; default every raw detector), `data_dir`. Returns the report: `out`,
/// `exp`, `run`, `detectors` (each with `name`, `unique_id`, `source`, `constants`).
#[pyfunction]
#[pyo3(signature = (**options))]
pub fn export_psana2<'py>(
    py: Python<'py>,
    options: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyAny>> {
    let mut o = Opts::new("export_psana2", options);
    let dataset = match (
        o.string(&["dataset"])?,
        o.string(&["exp"])?,
        o.text(&["run"])?,
    ) {
        (Some(d), None, None) => d,
        (None, Some(e), Some(r)) => format!("exp={e}:run={r}"),
        _ => {
            return Err(lib_err(detcal::Error::bad_arg(
                "dataset",
                "export_psana2: give dataset=... or exp=... and run=...",
            )));
        }
    };
    let opts = ExportOptions {
        dataset,
        calib_dir: o.path(&["calib_dir", "dircalib", "clbdir"])?,
        out_dir: o
            .path(&["out", "out_dir"])?
            .unwrap_or_else(|| DEFAULT_DIR.into()),
        detectors: o.strings(&["det", "detectors"])?,
    };
    let settings = o.settings()?;
    o.done()?;
    let report = py
        .detach(|| export_pipe::run(&opts, &settings))
        .map_err(lib_err)?;
    to_dict(py, &report)
}
