/*!
The Python package `detcal`: psana's text format, the calibration store, calibration and dark
processing on NumPy arrays, and detcal's pipelines, all calling the library the `detcal` command
uses. Every function releases the GIL while it works (on detcal's threads); every error of the
library becomes an exception of the class the `errors` module chooses for it.
*/

mod arrays;
mod calib;
mod dark;
mod errors;
mod export;
mod jobs;
mod opts;

use std::path::PathBuf;

use pyo3::prelude::*;

use detcal::files::Perms;
use detcal::formats::{self, FileFormat};
use detcal::store::CalibStore;

use crate::arrays::{from_numpy, to_numpy};
use crate::errors::lib_err;

/// Reads a file in psana's text format (with or without header) as a NumPy array of its dtype.
#[pyfunction]
fn load_txt(py: Python<'_>, path: PathBuf) -> PyResult<Bound<'_, PyAny>> {
    let arr = py
        .detach(|| formats::text::read_text(&path))
        .map_err(|e| lib_err(e.into()))?;
    to_numpy(py, arr)
}

/// Writes `array` in psana's text format (`header=False`: plain rows, as the panel repository),
/// with the Python number format `fmt` (default: lossless), exactly as `detcal convert` does.
#[pyfunction]
#[pyo3(signature = (path, array, fmt=None, header=true))]
fn save_txt(
    py: Python<'_>,
    path: PathBuf,
    array: &Bound<'_, PyAny>,
    fmt: Option<String>,
    header: bool,
) -> PyResult<()> {
    let arr = from_numpy(array, "array")?;
    let format = if header {
        FileFormat::Text
    } else {
        FileFormat::Plain
    };
    py.detach(|| formats::save_array(&path, &arr, format, fmt.as_deref(), &Perms::default()))
        .map_err(lib_err)
}

/// The file of calibration type `ctype` valid for `run` of detector `source` in the calibration
/// store `calib_dir` (psana's run-range rule), or `None`.
#[pyfunction]
fn find(
    py: Python<'_>,
    calib_dir: PathBuf,
    source: &str,
    ctype: &str,
    run: u32,
) -> PyResult<Option<String>> {
    let group = CalibStore::group_for_source(source).map_err(lib_err)?;
    let store = detcal::pipeline::calib::calib_store(Some(&calib_dir), "", &Default::default())
        .map_err(lib_err)?;
    let found = py
        .detach(|| store.find(group, source, ctype, run))
        .map_err(lib_err)?;
    Ok(found.map(|p| p.display().to_string()))
}

/// Calibration constants of XFEL pixel detectors as psana makes them: psana's text format, the
/// calibration store, calibration and dark processing of NumPy arrays, and detcal's pipelines.
#[pymodule(name = "detcal")]
fn detcal_py(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    errors::register(m)?;
    m.add_function(wrap_pyfunction!(load_txt, m)?)?;
    m.add_function(wrap_pyfunction!(save_txt, m)?)?;
    m.add_function(wrap_pyfunction!(find, m)?)?;
    m.add_class::<calib::Constants>()?;
    m.add_class::<calib::PyCalibrator>()?;
    m.add_class::<dark::PyDarkProc>()?;
    m.add_function(wrap_pyfunction!(jobs::dark, m)?)?;
    m.add_function(wrap_pyfunction!(jobs::deploy, m)?)?;
    m.add_function(wrap_pyfunction!(jobs::simulate, m)?)?;
    m.add_function(wrap_pyfunction!(export::export_psana2, m)?)?;
    Ok(())
}
