/*!
detcal's constants for psana2 (LCLS-II, PyPI `psana`): its calibration cache
(`detcal export-psana2`).

psana2's `DataSource(..., use_calib_cache=True)` reads the constants of every detector of a run
from one pickle, `calibconst.pkl` in `/dev/shm`, instead of the calibration database. It holds
`{"det_info": {det_name: unique_id}, "calib_const": {det_name: {ctype: (data, metadata)}}}`:
`data` a NumPy array (a `str` for `geometry`), `metadata` a dict with the database document's
keys (`experiment`, `run`, `run_end`, `ctype`, `detname`, `longname`, `data_type`, `data_dtype`,
`data_shape`, ...). psana2 takes the cache only when `det_info` holds every detector of the run
with the unique id the run's Configure gives it.

[`run`] takes every raw detector of the run, the constants valid for the run from detcal's
calibration store (the detector's default DetInfo source `<alias>.0:<Type>.0`), and writes the
cache atomically (`calibconst.pkl.inprogress`, then a rename, as psana2's prefetcher does).
Arrays keep psana's element types (`pedestals` float32, `pixel_status` uint16, ...) and the
shapes of the deployed files, which must end with the run's frame shape.
*/

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::access::{DetectorCalib, LoadStatus};
use crate::detector::CalibType;
use crate::error::{Context, Error, Missing, Result};
use crate::formats::array::shape_str;
use crate::formats::pickle::{Value, encode_pickle};
use crate::pipeline::calib::calib_store;
use crate::settings::Settings;
use crate::source::{dataset_runs, det_type_of_daq};

/// The name of psana2's calibration cache file.
pub const CACHE_FILE: &str = "calibconst.pkl";

/// psana2's directory of the cache (`use_calib_cache=True` reads only there).
pub const DEFAULT_DIR: &str = "/dev/shm";

/// The calibration types exported, when the store has them for the run.
pub const EXPORTED: [CalibType; 9] = [
    CalibType::Pedestals,
    CalibType::PixelGain,
    CalibType::PixelOffset,
    CalibType::PixelStatus,
    CalibType::StatusExtra,
    CalibType::PixelRms,
    CalibType::PixelMask,
    CalibType::CommonMode,
    CalibType::Geometry,
];

/// What to export.
#[derive(Debug, Clone)]
pub struct ExportOptions {
    /// One run, as psana names it (`.xtc2` files or `exp=<exp>:run=<run>[:dir=<dir>]`).
    pub dataset: String,
    /// The calibration store (`-c`); default: the experiment's under the data root.
    pub calib_dir: Option<PathBuf>,
    /// The directory of the cache (default [`DEFAULT_DIR`]).
    pub out_dir: PathBuf,
    /// Only these detectors (DAQ aliases); empty: every raw detector of the run.
    pub detectors: Vec<String>,
}

/// One exported constant.
#[derive(Debug, Clone, Serialize)]
pub struct ExportedConstant {
    /// The calibration type.
    pub ctype: String,
    /// The file of detcal's store it came from.
    pub file: PathBuf,
    /// The array's shape (empty for geometry).
    pub shape: Vec<usize>,
    /// The element type (`str` for geometry).
    pub dtype: String,
}

/// One detector in the cache.
#[derive(Debug, Clone, Serialize)]
pub struct ExportedDetector {
    /// psana2's detector name (the DAQ alias).
    pub name: String,
    /// The unique id of the run's Configure.
    pub unique_id: String,
    /// The DetInfo source the constants were taken from in the store.
    pub source: String,
    /// The constants written.
    pub constants: Vec<ExportedConstant>,
}

/// What [`run`] wrote.
#[derive(Debug, Clone, Serialize)]
pub struct ExportReport {
    /// The cache file.
    pub out: PathBuf,
    /// The experiment.
    pub exp: String,
    /// The run.
    pub run: u32,
    /// The detectors, by name.
    pub detectors: Vec<ExportedDetector>,
}

/// The metadata psana2's database gives with each constant, for a constant of detcal's store.
#[allow(clippy::too_many_arguments)]
fn metadata(
    ctype: CalibType,
    exp: &str,
    det_name: &str,
    unique_id: &str,
    det_type: &str,
    file: &Path,
    data: &Value,
) -> Value {
    let range = file
        .file_stem()
        .and_then(|s| s.to_str())
        .and_then(|s| crate::store::parse_range(s).ok());
    let run_beg = range.map_or(0, |r| r.begin);
    let run_end = match range.map(|r| r.end) {
        Some(crate::store::RunEnd::Run(e)) => Value::Int(e as i64),
        _ => Value::str("end"),
    };
    let mtime = std::fs::metadata(file)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_secs() as i64);
    let stamp = jiff::Timestamp::from_second(mtime)
        .map(|t| t.strftime("%Y-%m-%dT%H:%M:%S%z").to_string())
        .unwrap_or_default();
    fn s(x: impl Into<String>) -> Value {
        Value::Str(x.into())
    }
    let mut items = vec![
        (s("experiment"), s(exp)),
        (s("run"), Value::Int(run_beg as i64)),
        (s("run_end"), run_end),
        (s("run_orig"), Value::Int(run_beg as i64)),
        (s("detector"), s(unique_id)),
        (s("ctype"), s(ctype.name())),
        (s("time_sec"), Value::Int(mtime)),
        (s("time_stamp"), s(stamp.clone())),
        (s("tstamp_orig"), s(stamp)),
        (
            s("version"),
            s(format!("detcal-{}", env!("CARGO_PKG_VERSION"))),
        ),
        (
            s("comment"),
            s(format!("exported by detcal from {}", file.display())),
        ),
        (s("uid"), s(crate::site::login_name())),
        (s("host"), s(crate::site::hostname())),
        (s("detname"), s(det_name)),
        (s("longname"), s(unique_id)),
        (s("shortname"), s(unique_id)),
        (s("dettype"), s(det_type)),
        (s("iofname"), s(file.display().to_string())),
    ];
    match data {
        Value::Array(a) => {
            let shape = match a.shape() {
                [n] => format!("({n},)"),
                sh => format!(
                    "({})",
                    sh.iter()
                        .map(|n| n.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            items.extend([
                (s("dtype"), s("ndarray")),
                (s("data_type"), s("ndarray")),
                (s("data_dtype"), s(a.dtype().name())),
                (s("data_size"), s(a.len().to_string())),
                (s("data_ndim"), s(a.ndim().to_string())),
                (s("data_shape"), s(shape)),
            ]);
        }
        Value::Str(t) => items.extend([
            (s("dtype"), s("str")),
            (s("data_type"), s("str")),
            (s("data_size"), s(t.len().to_string())),
        ]),
        _ => {}
    }
    Value::Dict(items)
}

/// The mismatch error of a detector whose constants do not fit the run.
fn mismatch(what: String) -> Error {
    Error::content(Path::new("the calibration store"), what)
}

/// Writes psana2's calibration cache of the run in `opts.dataset` with detcal's constants.
pub fn run(opts: &ExportOptions, settings: &Settings) -> Result<ExportReport> {
    let runs = dataset_runs(&opts.dataset, settings.psdm_data.as_deref())?;
    let files = match runs.as_slice() {
        [one] => one,
        [] => {
            return Err(Error::not_found(
                Missing::Run,
                "runs",
                &opts.dataset,
                format!("{}: the dataset has no runs", opts.dataset),
            ));
        }
        _ => {
            return Err(Error::bad_arg(
                "dataset",
                format!(
                    "{}: {} runs; psana2's calibration cache holds the constants of one run",
                    opts.dataset,
                    runs.len()
                ),
            ));
        }
    };
    let xrun = xtc2::run::Run::open(files)?;
    let label = xrun.path().display().to_string();
    let exp = xrun.expt().map(str::to_string).ok_or_else(|| {
        Error::content(
            xrun.path(),
            "the run names no experiment (runinfo); cannot find its constants",
        )
    })?;
    let runnum = xrun.run_number().ok_or_else(|| {
        Error::content(
            xrun.path(),
            "the run has no run number (runinfo); cannot find its constants",
        )
    })?;
    for want in &opts.detectors {
        if !xrun.detectors().iter().any(|d| &d.alias == want) {
            return Err(Error::bad_arg(
                "--det",
                format!(
                    "{label}: no raw detector {want}; the run has {}",
                    xrun.detectors()
                        .iter()
                        .map(|d| d.alias.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
    }
    let store = calib_store(opts.calib_dir.as_deref(), &exp, settings)?;
    let mut det_info = Vec::new();
    let mut calib_const = Vec::new();
    let mut report = Vec::new();
    // Every detector of the Configure (timing, scan, ...), as psana2 checks them all.
    for (alias, id) in xrun.unique_ids() {
        det_info.push((Value::str(&alias), Value::str(&id)));
    }
    for info in xrun.detectors() {
        let unique_id = info.unique_id();
        if !opts.detectors.is_empty() && !opts.detectors.contains(&info.alias) {
            continue;
        }
        let det_type = det_type_of_daq(&info.det_type, info.num_segments());
        let source = det_type.default_source(&info.alias);
        let calib = DetectorCalib::new(store.clone(), &source)?;
        let frame = info.frame_shape();
        let segs: Vec<u32> = info.segments.iter().map(|s| s.segment).collect();
        if segs.iter().enumerate().any(|(i, &s)| s as usize != i) {
            return Err(Error::unsupported(
                "segments",
                format!(
                    "{label}: detector {} has segments {segs:?}; psana2 indexes constants by segment \
                 number, and detcal exports only detectors whose segments are 0, 1, 2, ...",
                    info.alias
                ),
            ));
        }
        let mut consts = Vec::new();
        let mut exported = Vec::new();
        for ctype in EXPORTED {
            let l = calib
                .get(ctype, runnum)
                .with_context(|| format!("constants of {source} for run {runnum}"))?;
            let (LoadStatus::Loaded, Some(file)) = (l.status, &l.file) else {
                if let (Some(p), Some(f)) = (&l.problem, &l.file) {
                    return Err(Error::content(f, p.clone()));
                }
                continue;
            };
            let data = match (&l.array, ctype) {
                (None, CalibType::Geometry) => Value::Str(
                    std::fs::read_to_string(file).map_err(|e| Error::io(file, "read", e))?,
                ),
                (Some(a), CalibType::CommonMode) => Value::Array(a.clone()),
                (Some(a), _) => {
                    if let Some(fs) = &frame {
                        let sh = a.shape();
                        if sh.len() < fs.len() || sh[sh.len() - fs.len()..] != fs[..] {
                            return Err(mismatch(format!(
                                "{}: {ctype} of {source} is {}, but detector {} of {label} has \
                                 frames of {}: the run's detector does not match the store",
                                file.display(),
                                shape_str(sh),
                                info.alias,
                                shape_str(fs)
                            )));
                        }
                    }
                    Value::Array(gain_ranged_extra(&calib, ctype, runnum, a)?)
                }
                (None, _) => continue,
            };
            let (shape, dtype) = match &data {
                Value::Array(a) => (a.shape().to_vec(), a.dtype().name().to_string()),
                _ => (vec![], "str".to_string()),
            };
            let meta = metadata(
                ctype,
                &exp,
                &info.alias,
                &unique_id,
                &info.det_type,
                file,
                &data,
            );
            consts.push((Value::str(ctype.name()), Value::Tuple(vec![data, meta])));
            exported.push(ExportedConstant {
                ctype: ctype.name().to_string(),
                file: file.clone(),
                shape,
                dtype,
            });
        }
        if !exported.iter().any(|c| c.ctype == "pedestals") {
            return Err(Error::not_found(
                Missing::Constants,
                "pedestals",
                format!("{source} run {runnum}"),
                format!(
                    "no pedestals of {source} for run {runnum} in {}: detector {} of {label} does \
                     not match the store (deploy its constants first, or give the right -c)",
                    store.dir().display(),
                    info.alias
                ),
            ));
        }
        calib_const.push((Value::str(&info.alias), Value::Dict(consts)));
        report.push(ExportedDetector {
            name: info.alias.clone(),
            unique_id,
            source,
            constants: exported,
        });
    }
    if report.is_empty() {
        return Err(Error::not_found(
            Missing::Detector,
            "detectors",
            &label,
            format!("{label}: the run has no raw detector to export"),
        ));
    }
    let cache = Value::Dict(vec![
        (Value::str("det_info"), Value::Dict(det_info)),
        (Value::str("calib_const"), Value::Dict(calib_const)),
    ]);
    let out = opts.out_dir.join(CACHE_FILE);
    write_inprogress(&out, &cache, settings)?;
    Ok(ExportReport {
        out,
        exp,
        run: runnum,
        detectors: report,
    })
}

/// Writes `v` to `<path>.inprogress` and renames it to `path`, as psana2 does; on an error the
/// partial file is removed and `path` is untouched.
fn write_inprogress(path: &Path, v: &Value, settings: &Settings) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    if !dir.is_dir() {
        return Err(Error::not_found(
            Missing::File,
            "directory",
            dir.display(),
            format!("{}: no such directory (--out)", dir.display()),
        ));
    }
    let mut tmp_name = path.as_os_str().to_owned();
    tmp_name.push(".inprogress");
    let tmp = PathBuf::from(tmp_name);
    let result = (|| -> Result<()> {
        let file = std::fs::File::create(&tmp).map_err(|e| Error::io(&tmp, "create", e))?;
        let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
        encode_pickle(v, &mut w).map_err(|e| Error::io(&tmp, "write", e))?;
        w.flush().map_err(|e| Error::io(&tmp, "write", e))?;
        let file = w
            .into_inner()
            .map_err(|e| Error::io(&tmp, "write", e.into_error()))?;
        file.sync_data()
            .map_err(|e| Error::io(&tmp, "flush to disk", e))?;
        crate::files::set_mode(&tmp, settings.perms.file_mode);
        crate::files::set_group(&tmp, &settings.perms);
        std::fs::rename(&tmp, path).map_err(|e| Error::io(path, "rename into place", e))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// `status_extra` as psana2 needs it: psana2 merges its mask with `pixel_status`'s before
/// merging gain ranges, so the two must have one shape. detcal's (and LCLS-I's) `status_extra`
/// of a multi-gain detector has no gain axis: it is repeated along `pixel_status`'s, which
/// leaves the merged mask as it was (a pixel bad in one range is bad in all). Other types and
/// shapes are returned as they are.
fn gain_ranged_extra(
    calib: &DetectorCalib,
    ctype: CalibType,
    run: u32,
    a: &crate::formats::array::NdArray,
) -> Result<crate::formats::array::NdArray> {
    if ctype != CalibType::StatusExtra {
        return Ok(a.clone());
    }
    let status = calib.get(CalibType::PixelStatus, run)?;
    let Some(st) = status.array.as_ref() else {
        return Ok(a.clone());
    };
    if st.ndim() != a.ndim() + 1 || st.shape()[1..] != *a.shape() {
        return Ok(a.clone());
    }
    let ranges = st.shape()[0];
    let extra = a.to_typed::<u64>();
    let views: Vec<_> = (0..ranges).map(|_| extra.view()).collect();
    let stacked = ndarray::stack(ndarray::Axis(0), &views)
        .map_err(|e| Error::internal(format!("stacking status_extra: {e}")))?;
    Ok(stacked.into())
}
