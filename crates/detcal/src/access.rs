/*!
A detector's constants for a run, from an experiment's calibration store, as psana's
`det.<ctype>(run)` gives them, and calibrators made from them.

For each calibration type the file valid for the run is loaded ([`crate::store`]'s rule) and cast
to psana's element type for the type. Where psana's rules apply, they are followed:

- a missing file (or one that cannot be read, with a warning) gives psana's default: zeros, or
  ones for `pixel_rms`, `pixel_gain` and `pixel_mask`, and the detector's default parameters for
  `common_mode`; detectors whose constants have no fixed shape (JUNGFRAU, ePix10ka, cameras) get
  no array instead, except for `common_mode`;
- for fixed-shape detectors (CSPAD, pnCCD, ePix100a, ...) an array of another size is refused with
  a warning and the default used; one of the right size is reshaped to the detector's shape.

Loaded constants are kept per run, so asking again costs nothing.

```no_run
use detcal::access::DetectorCalib;
use detcal::detector::CalibType;

let calib = DetectorCalib::for_experiment(None, "xpptut15", "jungfrau.0:Jungfrau.0")?;
let peds = calib.get(CalibType::Pedestals, 12)?;
println!("{:?} from {:?}", peds.array.as_ref().map(|a| a.shape().to_vec()), peds.file);
let mut cal = calib.calibrator(12, None)?;
let raw = vec![0u16; cal.frame_len()];
let mut out = vec![0f32; cal.frame_len()];
cal.calibrate(&raw, &mut out)?;
# Ok::<(), detcal::Error>(())
```
*/

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use ndarray::{ArrayD, IxDyn};
use serde::Serialize;

use crate::calib::{Calibrator, Constants};
use crate::detector::{CalibDefault, CalibType, DetType};
use crate::error::{Error, Missing, Result};
use crate::formats::array::{DType, NdArray, shape_str};
use crate::formats::text::read_text;
use crate::store::CalibStore;

/// How a constants array was obtained, with psana's load-status names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum LoadStatus {
    /// Read from the file valid for the run.
    Loaded,
    /// No file: psana's default.
    Default,
    /// No file and no default (variable-shape detectors, geometry).
    NotFound,
    /// A file of the wrong size for a fixed-shape detector: the default instead.
    WrongSize,
    /// A file that could not be read: the default instead.
    Unreadable,
}

/// One calibration type of a detector for a run.
#[derive(Debug, Clone)]
pub struct Lookup {
    /// The constants, cast to psana's element type for the type, if any.
    pub array: Option<NdArray>,
    /// How they were obtained.
    pub status: LoadStatus,
    /// The file valid for the run, if there is one.
    pub file: Option<PathBuf>,
    /// Why the file was not used (unreadable, wrong size), if it was not.
    pub problem: Option<String>,
}

/// The constants of one detector in an experiment's calibration store.
#[derive(Debug)]
pub struct DetectorCalib {
    store: CalibStore,
    source: String,
    det_type: DetType,
    group: String,
    cache: Mutex<HashMap<(u32, CalibType), Arc<Lookup>>>,
}

impl DetectorCalib {
    /// The detector `source` (a DetInfo source such as `CxiDs1.0:Jungfrau.0`) in `store`.
    pub fn new(store: CalibStore, source: &str) -> Result<DetectorCalib> {
        let group = CalibStore::group_for_source(source)?.to_string();
        Ok(DetectorCalib {
            det_type: DetType::from_source(source),
            source: source.to_string(),
            group,
            store,
            cache: Mutex::new(HashMap::new()),
        })
    }

    /// The detector in experiment `exp`'s store under `SIT_PSDM_DATA` (or `psdm_data`).
    pub fn for_experiment(
        psdm_data: Option<&Path>,
        exp: &str,
        source: &str,
    ) -> Result<DetectorCalib> {
        DetectorCalib::new(CalibStore::for_experiment(psdm_data, exp)?, source)
    }

    /// The detector type.
    pub fn det_type(&self) -> DetType {
        self.det_type
    }

    /// The DetInfo source naming the detector in the store.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The store.
    pub fn store(&self) -> &CalibStore {
        &self.store
    }

    /// The constants of `ctype` for `run` (loaded once per run).
    pub fn get(&self, ctype: CalibType, run: u32) -> Result<Arc<Lookup>> {
        if let Some(hit) = self.cache.lock().expect("cache lock").get(&(run, ctype)) {
            return Ok(hit.clone());
        }
        let found = self
            .store
            .find(&self.group, &self.source, ctype.name(), run)?;
        let lookup = Arc::new(self.load(ctype, found)?);
        self.cache
            .lock()
            .expect("cache lock")
            .insert((run, ctype), lookup.clone());
        Ok(lookup)
    }

    fn load(&self, ctype: CalibType, file: Option<PathBuf>) -> Result<Lookup> {
        let lookup = |array, status, file, problem| Lookup {
            array,
            status,
            file,
            problem,
        };
        let Some(dtype) = ctype.dtype() else {
            // Geometry is a text file of its own format: only its path is given.
            let status = if file.is_some() {
                LoadStatus::Loaded
            } else {
                LoadStatus::NotFound
            };
            return Ok(lookup(None, status, file, None));
        };
        let Some(path) = file else {
            let array = self.default(ctype);
            let status = if array.is_some() {
                LoadStatus::Default
            } else {
                LoadStatus::NotFound
            };
            return Ok(lookup(array, status, None, None));
        };
        let arr = match read_text(&path) {
            Ok(a) => a.cast(dtype),
            Err(e) => {
                tracing::warn!("{e}: using psana's default for {ctype}");
                let d = self.default(ctype);
                return Ok(lookup(
                    d,
                    LoadStatus::Unreadable,
                    Some(path),
                    Some(e.to_string()),
                ));
            }
        };
        match (self.det_type.base_shape(), ctype) {
            (Some(base), c) if c != CalibType::CommonMode => {
                let n: usize = base.iter().product();
                if arr.len() != n {
                    let problem = format!(
                        "{}: {} values, but a {} {ctype} array is {} ({n} values)",
                        path.display(),
                        arr.len(),
                        self.det_type,
                        shape_str(base)
                    );
                    tracing::warn!("{problem}: using the default");
                    let d = self.default(ctype);
                    return Ok(lookup(d, LoadStatus::WrongSize, Some(path), Some(problem)));
                }
                let arr = arr
                    .reshape(base)
                    .map_err(|e| Error::content(&path, e.to_string()))?;
                Ok(lookup(Some(arr), LoadStatus::Loaded, Some(path), None))
            }
            _ => Ok(lookup(Some(arr), LoadStatus::Loaded, Some(path), None)),
        }
    }

    /// psana's default array for `ctype` of this detector, if it has one.
    fn default(&self, ctype: CalibType) -> Option<NdArray> {
        let dtype = ctype.dtype()?;
        if ctype == CalibType::CommonMode {
            let v = self.det_type.default_common_mode().to_vec();
            return Some(NdArray::F64(
                ArrayD::from_shape_vec(IxDyn(&[v.len()]), v).expect("1-D"),
            ));
        }
        let shape = self.det_type.base_shape()?;
        let fill = match ctype.default_fill() {
            CalibDefault::Ones => 1.0,
            CalibDefault::Zeros => 0.0,
            CalibDefault::CommonMode | CalibDefault::None => return None,
        };
        Some(NdArray::F64(ArrayD::from_elem(IxDyn(shape), fill)).cast(dtype))
    }

    /// Everything a calibrator needs for `run`, with `user_mask` (one value per pixel, 0 bad).
    pub fn constants(&self, run: u32, user_mask: Option<NdArray>) -> Result<Constants> {
        let get = |c| -> Result<Option<NdArray>> {
            let l = self.get(c, run)?;
            // Defaults of fixed-shape detectors are what psana uses; absent files of the others
            // are left out, so the calibrator applies its own neutral values.
            Ok(match l.status {
                LoadStatus::Loaded
                | LoadStatus::Default
                | LoadStatus::WrongSize
                | LoadStatus::Unreadable => l.array.clone(),
                LoadStatus::NotFound => None,
            })
        };
        let pedestals = self.get(CalibType::Pedestals, run)?;
        if self.det_type.base_shape().is_none() {
            if let (Some(problem), Some(file)) = (&pedestals.problem, &pedestals.file) {
                return Err(Error::not_found(
                    Missing::Constants,
                    "pedestals",
                    file.display(),
                    format!(
                        "the pedestals of {} for run {run} cannot be used: {problem}",
                        self.source
                    ),
                ));
            }
            if pedestals.status != LoadStatus::Loaded && crate::source::is_epix10ka(self.det_type) {
                // psana's ePix10ka calib: no pedestals means pedestal 0 and factor 1.
                tracing::warn!(
                    "no pedestals for {} run {run}: calibrated values are the raw ADC values \
                     (psana does the same)",
                    self.source
                );
            } else if pedestals.status != LoadStatus::Loaded {
                return Err(Error::not_found(
                    Missing::Constants,
                    "pedestals",
                    format!("{} run {run}", self.source),
                    format!(
                        "no pedestals for {} run {run} in {}: deploy them first (detcal deploy), or \
                     give the right --calib-dir",
                        self.source,
                        self.store
                            .ctype_dir(&self.group, &self.source, "pedestals")?
                            .display()
                    ),
                ));
            }
        }
        let cm = self.get(CalibType::CommonMode, run)?;
        let loaded = || -> Option<Vec<f64>> {
            cm.array
                .as_ref()
                .map(|a| a.cast(DType::F64).to_f64().iter().copied().collect())
        };
        // Without a deployed file, single-gain types get the values psana's det.calib runs
        // with: the C++ defaults, not the Python ones `get` reports.
        let common_mode = match cm.status {
            LoadStatus::Loaded => loaded(),
            _ if self.det_type.gain_ranges() == 1 => pedestals
                .array
                .as_ref()
                .map(|p| crate::calib::cm::default_cmpars(self.det_type, p.shape())),
            _ => loaded(),
        };
        Ok(Constants {
            pedestals: pedestals.array.clone(),
            pixel_gain: get(CalibType::PixelGain)?,
            pixel_offset: get(CalibType::PixelOffset)?,
            pixel_status: get(CalibType::PixelStatus)?,
            status_extra: get(CalibType::StatusExtra)?,
            status_data: get(CalibType::StatusData)?,
            user_mask,
            // Only algorithm 6 (never a default) uses pixel_rms.
            pixel_rms: if common_mode.as_ref().and_then(|c| c.first()) == Some(&6.0) {
                get(CalibType::PixelRms)?
            } else {
                None
            },
            common_mode,
        })
    }

    /// A calibrator for `run` (see [`DetectorCalib::constants`]).
    pub fn calibrator(&self, run: u32, user_mask: Option<NdArray>) -> Result<Calibrator> {
        Calibrator::new(self.det_type, &self.constants(run, user_mask)?)
    }

    /// The file valid for `run` of each calibration type (`None`: psana's default or nothing),
    /// found without reading any.
    pub fn report(&self, run: u32) -> Result<Vec<(CalibType, Option<PathBuf>)>> {
        crate::detector::ALL_CALIB_TYPES
            .iter()
            .map(|&c| {
                Ok((
                    c,
                    self.store.find(&self.group, &self.source, c.name(), run)?,
                ))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::files::Perms;
    use crate::formats::text::TextOptions;
    use crate::store::{Deployment, RunRange};

    fn deploy(store: &CalibStore, source: &str, ctype: &str, range: &str, arr: &NdArray) {
        let det = DetType::from_source(source);
        store
            .deploy_array(
                arr,
                &TextOptions::new("%.3f").unwrap(),
                "test",
                &Deployment {
                    group: det.calib_group(),
                    source,
                    ctype,
                    range: range.parse::<RunRange>().unwrap(),
                    perms: Perms::new(0o775, 0o664, ""),
                    comment: String::new(),
                },
            )
            .unwrap();
    }

    fn filled(shape: &[usize], v: f64) -> NdArray {
        NdArray::F64(ArrayD::from_elem(IxDyn(shape), v))
    }

    #[test]
    fn fixed_shape_detectors_get_psana_defaults_and_sizes_are_checked() {
        let dir = tempfile::tempdir().unwrap();
        let store = CalibStore::new(dir.path());
        let src = "XppGon.0:Epix100a.0";
        // Pedestals for runs 5-end as a 2-D text file of the right size (any layout of 704x768
        // values); a gain file of the wrong size.
        deploy(&store, src, "pedestals", "5-end", &filled(&[768, 704], 7.0));
        deploy(&store, src, "pixel_gain", "5-end", &filled(&[10, 10], 2.0));
        let calib = DetectorCalib::new(store, src).unwrap();

        let p = calib.get(CalibType::Pedestals, 6).unwrap();
        assert_eq!(p.status, LoadStatus::Loaded);
        let arr = p.array.as_ref().unwrap();
        assert_eq!(
            (arr.shape(), arr.dtype()),
            (&[704usize, 768][..], DType::F32)
        );
        assert!(arr.to_f64().iter().all(|&v| v == 7.0));
        // Before run 5 there is no file: zeros.
        let p = calib.get(CalibType::Pedestals, 4).unwrap();
        assert_eq!((p.status, p.file.is_none()), (LoadStatus::Default, true));
        assert!(p.array.as_ref().unwrap().to_f64().iter().all(|&v| v == 0.0));
        // Wrong size: ones, psana's default gain.
        let g = calib.get(CalibType::PixelGain, 6).unwrap();
        assert_eq!(g.status, LoadStatus::WrongSize);
        assert!(g.array.as_ref().unwrap().to_f64().iter().all(|&v| v == 1.0));
        // rms defaults to ones, status to zeros, common_mode to the detector's parameters.
        let r = calib.get(CalibType::PixelRms, 6).unwrap();
        assert!(r.array.as_ref().unwrap().to_f64().iter().all(|&v| v == 1.0));
        let s = calib.get(CalibType::PixelStatus, 6).unwrap();
        assert_eq!(s.array.as_ref().unwrap().dtype(), DType::U16);
        let cm = calib.get(CalibType::CommonMode, 6).unwrap();
        let cm: Vec<f64> = cm
            .array
            .as_ref()
            .unwrap()
            .to_f64()
            .iter()
            .copied()
            .collect();
        assert_eq!(&cm[..4], &[4.0, 6.0, 30.0, 30.0]);
        // Loaded once per run: the same Arc comes back.
        let a = calib.get(CalibType::Pedestals, 6).unwrap();
        assert!(Arc::ptr_eq(
            &a,
            &calib.get(CalibType::Pedestals, 6).unwrap()
        ));
    }

    #[test]
    fn single_gain_calibrators_take_the_deployed_or_the_cpp_default_common_mode() {
        use crate::calib::cm::CmAlgorithm;
        let dir = tempfile::tempdir().unwrap();
        let store = CalibStore::new(dir.path());
        let src = "XppGon.0:Epix100a.0";
        deploy(
            &store,
            src,
            "pedestals",
            "1-end",
            &filled(&[704, 768], 10.0),
        );
        deploy(&store, src, "pixel_rms", "1-end", &filled(&[704, 768], 3.0));
        // No common_mode file: get reports psana's Python default (4,6,30,30), the calibrator
        // runs the C++ one (4,6,30,10), as psana's det.calib does; no pixel_rms is read.
        let calib = DetectorCalib::new(store.clone(), src).unwrap();
        let c = calib.constants(1, None).unwrap();
        assert_eq!(c.common_mode.as_deref(), Some(&[4.0, 6.0, 30.0, 10.0][..]));
        assert!(c.pixel_rms.is_none());
        let cal = calib.calibrator(1, None).unwrap();
        assert!(matches!(
            cal.single_gain_common_mode(),
            Some(CmAlgorithm::Epix100Regions(p)) if p.cmtype == 6 && p.maxcorr == 10.0
        ));
        // A deployed common_mode file of algorithm 6 from run 3: cm_epix with the rms.
        deploy(&store, src, "common_mode", "3-end", &filled(&[1], 6.0));
        let calib = DetectorCalib::new(store.clone(), src).unwrap();
        let c = calib.constants(3, None).unwrap();
        assert_eq!(c.common_mode.as_deref(), Some(&[6.0][..]));
        assert!(c.pixel_rms.is_some());
        let cal = calib.calibrator(3, None).unwrap();
        assert!(matches!(
            cal.single_gain_common_mode(),
            Some(CmAlgorithm::CmEpix(_))
        ));
        // A common_mode file of zeros turns it off.
        deploy(&store, src, "common_mode", "4-end", &filled(&[4], 0.0));
        let calib = DetectorCalib::new(store.clone(), src).unwrap();
        let cal = calib.calibrator(4, None).unwrap();
        assert!(cal.single_gain_common_mode().is_none());
    }

    #[test]
    fn jungfrau_without_files_has_no_arrays_and_needs_pedestals() {
        let dir = tempfile::tempdir().unwrap();
        let store = CalibStore::new(dir.path());
        let src = "jungfrau.0:Jungfrau.0";
        let calib = DetectorCalib::new(store.clone(), src).unwrap();
        let g = calib.get(CalibType::PixelGain, 1).unwrap();
        assert_eq!((g.status, g.array.is_none()), (LoadStatus::NotFound, true));
        let err = calib.constants(1, None).unwrap_err().to_string();
        assert!(err.contains("no pedestals") && err.contains(src), "{err}");

        // With pedestals only: no gain (ADU), no status (no mask), psana's default common mode.
        deploy(
            &store,
            src,
            "pedestals",
            "1-end",
            &filled(&[3, 1, 16, 32], 100.0),
        );
        let calib = DetectorCalib::new(store.clone(), src).unwrap();
        let c = calib.constants(3, None).unwrap();
        assert!(c.pixel_gain.is_none() && c.pixel_status.is_none() && c.pixel_offset.is_none());
        assert_eq!(
            &c.common_mode.as_ref().unwrap()[..4],
            &[7.0, 1.0, 100.0, 0.0]
        );
        let mut cal = calib.calibrator(3, None).unwrap();
        assert!(cal.mask().iter().all(|&m| m == 1));
        let raw = vec![110u16; cal.frame_len()];
        let mut out = vec![0f32; cal.frame_len()];
        cal.calibrate(&raw, &mut out).unwrap();
        // 10 ADU above the pedestal everywhere, removed as common mode.
        assert!(out.iter().all(|&v| v == 0.0));

        // An unreadable file is reported and skipped: JUNGFRAU has no default, so no array.
        let bad = store
            .ctype_dir(DetType::Jungfrau.calib_group(), src, "pixel_gain")
            .unwrap();
        std::fs::create_dir_all(&bad).unwrap();
        std::fs::write(bad.join("1-end.data"), "1 2 x\n").unwrap();
        let calib = DetectorCalib::new(store.clone(), src).unwrap();
        let g = calib.get(CalibType::PixelGain, 1).unwrap();
        assert_eq!(
            (g.status, g.array.is_none()),
            (LoadStatus::Unreadable, true)
        );
        assert!(g.problem.as_deref().unwrap().contains("1-end.data"));

        // Unreadable pedestals: an error naming the file, not "no pedestals".
        let other = "jungfrau.1:Jungfrau.1";
        let dir = store
            .ctype_dir(DetType::Jungfrau.calib_group(), other, "pedestals")
            .unwrap();
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("0-end.data"), "1 2\n3\n").unwrap();
        let calib = DetectorCalib::new(store, other).unwrap();
        let err = calib.constants(5, None).unwrap_err().to_string();
        assert!(
            err.contains("cannot be used") && err.contains("0-end.data"),
            "{err}"
        );
    }
}
