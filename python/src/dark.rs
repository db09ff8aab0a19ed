//! `detcal.DarkProc`: psana's dark processing of frames given a chunk at a time.

use numpy::{PyArrayDyn, PyArrayMethods, PyUntypedArrayMethods};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use detcal::dark::epix10ka::{EpixDark, EpixDarkResult};
use detcal::dark::{DarkParams, DarkProc, DarkResult, GainCheck};
use detcal::detector::{DetType, gain_mode};
use detcal::formats::array::shape_str;

use crate::arrays::{raw_words, shaped};
use crate::errors::{ArgumentError, ShapeError, lib_err};
use crate::opts::Opts;

/// The engine, once the first frames gave the frame shape.
enum Engine {
    Jungfrau(DarkProc),
    Epix(EpixDark),
}

/// What the engine will be.
enum Plan {
    Jungfrau { params: DarkParams, gain: GainCheck },
    Epix { nbs: usize },
}

/// psana's dark processing of one step (one gain mode): frames in, per pixel pedestals, rms,
/// status and more out, equal to `detcal dark` on the same frames.
#[pyclass(module = "detcal", name = "DarkProc")]
pub struct PyDarkProc {
    plan: Plan,
    frame: Option<Vec<usize>>,
    engine: Option<Engine>,
    finished: bool,
}

#[pymethods]
impl PyDarkProc {
    /// Dark processing of frames of detector type `det_type` in `gain_mode` (JUNGFRAU: Normal,
    /// ForcedGain1, ... or 0-5; ePix10ka: FH, FM, ...; single-gain detectors: None), with
    /// psana's options as keywords: `nrecs`, `nrecs1`, `int_lo`, `int_hi`, `rms_lo`, `rms_hi`,
    /// `intnlo`, `intnhi`, `rmsnlo`, `rmsnhi`, `fraclm`, `fraclo`, `frachi`, `databits`
    /// (ePix10ka: `nbs` only).
    #[new]
    #[pyo3(signature = (gain_mode, det_type="jungfrau", **psana_options))]
    fn new(
        gain_mode: Option<String>,
        det_type: &str,
        psana_options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<PyDarkProc> {
        let det: DetType = det_type.parse().map_err(lib_err)?;
        let mode = gain_mode
            .as_deref()
            .map(|g| gain_mode_of(det, g))
            .transpose()?;
        let mut o = Opts::new("DarkProc", psana_options);
        let plan = if detcal::source::is_epix10ka(det) {
            if mode.is_none() {
                return Err(ArgumentError::new_err(format!(
                    "DarkProc(): {det} frames need their gain mode (FH, FM, FL, AHL-H, AML-M)"
                )));
            }
            let nbs = o
                .small(&["nbs"])?
                .unwrap_or(detcal::dark::epix10ka::DEFAULT_NBS);
            Plan::Epix { nbs }
        } else {
            let params = o.dark_params()?;
            params.validate().map_err(lib_err)?;
            let gain = match (det, mode) {
                (DetType::Jungfrau, Some(m)) => GainCheck::jungfrau(m).map_err(lib_err)?,
                (DetType::Jungfrau, None) => {
                    return Err(ArgumentError::new_err(
                        "DarkProc(): JUNGFRAU frames need their gain mode (Normal, ForcedGain1, ForcedGain2, ...)",
                    ));
                }
                _ => GainCheck::None,
            };
            Plan::Jungfrau { params, gain }
        };
        o.done()?;
        Ok(PyDarkProc {
            plan,
            frame: None,
            engine: None,
            finished: false,
        })
    }

    /// Adds frames: one frame `(nsegs, rows, cols)` (or `(rows, cols)`), or a stack of them
    /// with a leading frame axis. The first call fixes the frame shape: 4 dimensions are a
    /// stack, 3 or 2 one frame. Frames after `nrecs` (ePix10ka: `nbs`) are ignored, as psana.
    fn add(&mut self, py: Python<'_>, frames: &Bound<'_, PyAny>) -> PyResult<()> {
        if self.finished {
            return Err(ArgumentError::new_err(
                "DarkProc.add(): finish() was already called",
            ));
        }
        let arr = raw_words(frames, "frames")?;
        let arr = arr.cast::<PyArrayDyn<u16>>()?.readonly();
        let shape = arr.shape().to_vec();
        let frame = match &self.frame {
            Some(f) => f.clone(),
            None => {
                let f = match shape.len() {
                    4 => shape[1..].to_vec(),
                    2 | 3 => shape.clone(),
                    _ => {
                        return Err(ShapeError::new_err(format!(
                            "frames: shape {}, expected a frame (nsegs, rows, cols) or (rows, cols), or a stack (N, nsegs, rows, cols)",
                            shape_str(&shape)
                        )));
                    }
                };
                self.engine = Some(self.start(&f)?);
                self.frame = Some(f.clone());
                f
            }
        };
        if shape != frame && shape.get(1..) != Some(&frame[..]) {
            return Err(ShapeError::new_err(format!(
                "frames: shape {}, but the frames given first are {}",
                shape_str(&shape),
                shape_str(&frame)
            )));
        }
        let values = arr.as_slice()?;
        let npix: usize = frame.iter().product();
        let engine = self.engine.as_mut().expect("engine of the first frames");
        py.detach(|| match engine {
            Engine::Jungfrau(p) => p.push_frames(values).map(|_| ()),
            Engine::Epix(p) => {
                for f in values.chunks_exact(npix) {
                    p.push_frame(f)?;
                }
                Ok(())
            }
        })
        .map_err(lib_err)
    }

    /// The frames taken so far.
    #[getter]
    fn frames(&self) -> u64 {
        match &self.engine {
            Some(Engine::Jungfrau(p)) => p.frames(),
            Some(Engine::Epix(p)) => p.frames(),
            None => 0,
        }
    }

    /// The results, each array shaped as a frame: `pedestals`, `rms`, `status`, `min`, `max`
    /// (JUNGFRAU and single-gain), the gates `gate_lo`, `gate_hi`, the counts `count`,
    /// `count_lo`, `count_hi`, and the numbers `frames`, `counter`/`records`, `nevlm`.
    fn finish<'py>(&mut self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        if self.finished {
            return Err(ArgumentError::new_err("DarkProc.finish(): already called"));
        }
        let (Some(engine), Some(frame)) = (self.engine.take(), self.frame.clone()) else {
            return Err(ShapeError::new_err(
                "DarkProc.finish(): no frames were added",
            ));
        };
        self.finished = true;
        match engine {
            Engine::Jungfrau(p) => {
                let r = py.detach(|| p.finish()).map_err(lib_err)?;
                jungfrau_dict(py, r, &frame)
            }
            Engine::Epix(p) => {
                let r = py.detach(|| p.finish()).map_err(lib_err)?;
                epix_dict(py, r, &frame)
            }
        }
    }
}

impl PyDarkProc {
    /// The engine for frames of shape `frame`.
    fn start(&self, frame: &[usize]) -> PyResult<Engine> {
        let npix: usize = frame.iter().product();
        match &self.plan {
            Plan::Jungfrau { params, gain } => Ok(Engine::Jungfrau(
                DarkProc::new(npix, params.clone(), *gain).map_err(lib_err)?,
            )),
            Plan::Epix { nbs } => {
                let panels = if frame.len() == 3 { frame[0] } else { 1 };
                Ok(Engine::Epix(
                    EpixDark::new(panels, npix / panels.max(1), *nbs).map_err(lib_err)?,
                ))
            }
        }
    }
}

/// The gain-mode index of `g` for detector type `det`.
fn gain_mode_of(det: DetType, g: &str) -> PyResult<usize> {
    let m = gain_mode(det, g).map_err(lib_err)?;
    Ok(m.index)
}

fn jungfrau_dict<'py>(
    py: Python<'py>,
    r: DarkResult,
    frame: &[usize],
) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("pedestals", shaped(py, r.ave, frame)?)?;
    d.set_item("rms", shaped(py, r.rms, frame)?)?;
    d.set_item("status", shaped(py, r.status, frame)?)?;
    d.set_item("min", shaped(py, r.min, frame)?)?;
    d.set_item("max", shaped(py, r.max, frame)?)?;
    d.set_item("gate_lo", shaped(py, r.gate_lo, frame)?)?;
    d.set_item("gate_hi", shaped(py, r.gate_hi, frame)?)?;
    d.set_item("count", shaped(py, r.count, frame)?)?;
    d.set_item("count_lo", shaped(py, r.count_lo, frame)?)?;
    d.set_item("count_hi", shaped(py, r.count_hi, frame)?)?;
    d.set_item("bad_switch", shaped(py, r.bad_switch, frame)?)?;
    d.set_item("frames", r.frames)?;
    d.set_item("counter", r.counter)?;
    d.set_item("nevlm", r.nevlm)?;
    d.set_item("bit_counts", r.bit_counts.to_vec())?;
    Ok(d)
}

fn epix_dict<'py>(
    py: Python<'py>,
    r: EpixDarkResult,
    frame: &[usize],
) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    macro_rules! field {
        ($key:literal, $f:ident) => {
            let v: Vec<_> = r.panels.iter().flat_map(|p| p.$f.iter().copied()).collect();
            d.set_item($key, shaped(py, v, frame)?)?;
        };
    }
    field!("pedestals", ave);
    field!("rms", rms);
    field!("status", status);
    field!("gate_lo", gate_lo);
    field!("gate_hi", gate_hi);
    field!("count", count);
    field!("count_lo", count_lo);
    field!("count_hi", count_hi);
    field!("pass1_pedestals", pass1_ave);
    field!("pass1_rms", pass1_rms);
    field!("pass1_count", pass1_count);
    d.set_item("frames", r.frames)?;
    d.set_item("records", r.records)?;
    d.set_item("nevlm", r.nevlm)?;
    Ok(d)
}
