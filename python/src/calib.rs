//! `detcal.Constants` and `detcal.Calibrator`: a detector's constants for a run, and psana's
//! `det.calib` on NumPy frames.

use std::path::{Path, PathBuf};

use numpy::{PyArrayDyn, PyArrayMethods, PyUntypedArrayMethods};
use pyo3::prelude::*;

use detcal::access::DetectorCalib;
use detcal::calib::Calibrator;
use detcal::detector::{CalibType, DetType};
use detcal::formats::array::shape_str;
use detcal::pipeline::calib::{CommonMode, calib_store, calibrator};

use crate::arrays::{from_numpy, raw_words, shaped, to_numpy};
use crate::errors::{ArgumentError, ShapeError, lib_err};

/// The detector `source` of type `det_type` in the calibration store `calib_dir`.
fn open_calib(
    calib_dir: &Path,
    source: &str,
    det_type: &str,
) -> PyResult<(DetectorCalib, DetType)> {
    let det: DetType = det_type.parse().map_err(lib_err)?;
    let store = calib_store(Some(calib_dir), "", &Default::default()).map_err(lib_err)?;
    let calib = DetectorCalib::new(store, source).map_err(lib_err)?;
    if calib.det_type() != det {
        return Err(ArgumentError::new_err(format!(
            "source {source:?} names a {}, not a {det} (det_type={det_type:?})",
            calib.det_type()
        )));
    }
    Ok((calib, det))
}

/// The calibration type named `ctype`, or an error listing what is known.
fn calib_type(ctype: &str) -> PyResult<CalibType> {
    CalibType::from_name(ctype).ok_or_else(|| {
        let known: Vec<&str> = detcal::detector::ALL_CALIB_TYPES
            .iter()
            .map(|c| c.name())
            .collect();
        ArgumentError::new_err(format!(
            "unknown calibration type {ctype:?}; known: {}",
            known.join(", ")
        ))
    })
}

/// The constants of one detector for one run, as psana's `det.<ctype>(run)` gives them.
#[pyclass(module = "detcal", frozen)]
pub struct Constants {
    calib: DetectorCalib,
    run: u32,
}

#[pymethods]
impl Constants {
    /// Opens the detector `source` (e.g. `jungfrau.0:Jungfrau.0`) of type `det_type` in the
    /// calibration store `calib_dir` for `run`.
    #[new]
    #[pyo3(signature = (calib_dir, source, run, det_type="jungfrau"))]
    fn new(calib_dir: PathBuf, source: &str, run: u32, det_type: &str) -> PyResult<Constants> {
        let (calib, _) = open_calib(&calib_dir, source, det_type)?;
        Ok(Constants { calib, run })
    }

    /// The array of `ctype` (cast to psana's dtype) with psana's defaults, or `None`.
    fn get<'py>(&self, py: Python<'py>, ctype: &str) -> PyResult<Option<Bound<'py, PyAny>>> {
        let c = calib_type(ctype)?;
        let l = py.detach(|| self.calib.get(c, self.run)).map_err(lib_err)?;
        l.array.clone().map(|a| to_numpy(py, a)).transpose()
    }

    /// The file `ctype` was loaded from (`None`: psana's default or nothing).
    fn origin(&self, py: Python<'_>, ctype: &str) -> PyResult<Option<String>> {
        let c = calib_type(ctype)?;
        let l = py.detach(|| self.calib.get(c, self.run)).map_err(lib_err)?;
        Ok(l.file.as_ref().map(|p| p.display().to_string()))
    }

    fn __repr__(&self) -> String {
        format!(
            "detcal.Constants({:?}, {:?}, {})",
            self.calib.store().dir().display().to_string(),
            self.calib.source(),
            self.run
        )
    }
}

/// psana's `det.calib` with the constants deployed for a run: pedestals, offsets, gains, common
/// mode and masks, equal value for value to `detcal calib`.
#[pyclass(module = "detcal", name = "Calibrator")]
pub struct PyCalibrator {
    cal: Calibrator,
}

#[pymethods]
impl PyCalibrator {
    /// The calibrator of detector `source` for `run` from the store `calib_dir`; `cmpars`
    /// replaces the deployed common-mode parameters (`[]`: no common mode), `mask` (an array of
    /// the frame's shape, or a `.npy`/text file) is a user mask, 0 for bad pixels.
    #[new]
    #[pyo3(signature = (calib_dir, source, run, det_type="jungfrau", cmpars=None, mask=None))]
    fn new(
        py: Python<'_>,
        calib_dir: PathBuf,
        source: &str,
        run: u32,
        det_type: &str,
        cmpars: Option<Vec<f64>>,
        mask: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyCalibrator> {
        let (calib, det) = open_calib(&calib_dir, source, det_type)?;
        if detcal::source::is_epix10ka(det) {
            return Err(ArgumentError::new_err(format!(
                "{det} frames need each step's pixel configuration to calibrate: use detcal.dark/`detcal calib` on the run"
            )));
        }
        let user_mask = match mask {
            None => None,
            Some(m)
                if m.is_instance_of::<pyo3::types::PyString>() || m.hasattr("__fspath__")? =>
            {
                let p: PathBuf = m.extract()?;
                Some(detcal::formats::load_array(&p).map_err(|e| lib_err(e.into()))?)
            }
            Some(m) => Some(from_numpy(m, "mask")?),
        };
        let cm = match cmpars {
            None => CommonMode::Deployed,
            Some(c) if c.is_empty() => CommonMode::Off,
            Some(c) => CommonMode::Params(c),
        };
        let cal = py
            .detach(|| calibrator(&calib, det, run, user_mask, &cm, 0))
            .map_err(lib_err)?;
        Ok(PyCalibrator { cal })
    }

    /// Calibrates one raw frame `(nsegs, rows, cols)` or a stack `(N, nsegs, rows, cols)` of
    /// uint16 words into float32 values of the same shape.
    fn calib<'py>(
        &mut self,
        py: Python<'py>,
        raw: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let arr = raw_words(raw, "raw")?;
        let arr = arr.cast::<PyArrayDyn<u16>>()?.readonly();
        let shape = arr.shape().to_vec();
        let frame = self.cal.frame_shape().to_vec();
        if shape != frame && shape.get(1..) != Some(&frame[..]) {
            return Err(ShapeError::new_err(format!(
                "raw: shape {}, expected one frame {} or a stack (N, {})",
                shape_str(&shape),
                shape_str(&frame),
                frame
                    .iter()
                    .map(|d| d.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        let values = arr.as_slice()?;
        let cal = &mut self.cal;
        let out = py
            .detach(|| {
                let mut out = vec![0f32; values.len()];
                cal.calibrate_batch(values, &mut out).map(|_| out)
            })
            .map_err(lib_err)?;
        shaped(py, out, &shape)
    }

    /// The shape of one frame.
    #[getter]
    fn frame_shape(&self) -> Vec<usize> {
        self.cal.frame_shape().to_vec()
    }

    /// The mask applied to every frame (1 good, 0 bad), shaped as a frame.
    #[getter]
    fn mask<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let m = self.cal.mask();
        shaped(py, m.iter().copied().collect(), m.shape())
    }

    /// The number of pixels with invalid gain bits `10` in the last frame calibrated (JUNGFRAU).
    #[getter]
    fn bad_gain_count(&self) -> usize {
        self.cal.bad_gain_count()
    }
}
