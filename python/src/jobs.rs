//! `detcal.dark`, `detcal.deploy`, `detcal.simulate`: the commands' pipelines, with the
//! commands' option names as keyword arguments, their reports as dicts.

use pyo3::prelude::*;
use pyo3::types::PyDict;
use serde::Serialize;

use detcal::dark::job::LoopOptions;
use detcal::detector::DetType;
use detcal::detector::epix10ka::{DEFAULT_GAINS, GainFactors};
use detcal::detrun::DetRunSpec;
use detcal::pipeline::dark::{self as dark_pipe, DarkInput, DarkOptions, StackFlags};
use detcal::pipeline::deploy::{self as deploy_pipe, DeployOptions, EpixDeployOptions};
use detcal::report::Quiet;
use detcal::store::RunRange;

use crate::errors::{ArgumentError, lib_err};
use crate::opts::Opts;

/// A report as a Python dict (through JSON, as `--json` output would give it).
pub(crate) fn to_dict<'py>(
    py: Python<'py>,
    report: &impl Serialize,
) -> PyResult<Bound<'py, PyAny>> {
    let text = serde_json::to_string(report)
        .map_err(|e| crate::errors::Error::new_err(format!("report: {e}")))?;
    py.import("json")?.call_method1("loads", (text,))
}

/// A detector type option.
fn det_type(o: &mut Opts<'_>, names: &[&str]) -> PyResult<Option<DetType>> {
    o.string(names)?
        .map(|t| t.parse().map_err(lib_err))
        .transpose()
}

/// Dark processing into the per-panel repository (`detcal dark`); a dataset (`dataset=`), or
/// a NumPy stack (`input=` with `gain_mode`, `panel_ids`, `exp`, `run`, `tstamp`). Returns the
/// report: `dirrepo`, `steps`, `frames`, `panels`, `seconds`, `files`, `log`.
#[pyfunction]
#[pyo3(signature = (dataset=None, **options))]
pub fn dark<'py>(
    py: Python<'py>,
    dataset: Option<String>,
    options: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyAny>> {
    let mut o = Opts::new("dark", options);
    let dsname = o.string(&["dsname"])?;
    let source = o.string(&["source"])?;
    let d = LoopOptions::default();
    let loop_opts = LoopOptions {
        events: o.uint(&["events"])?.unwrap_or(d.events),
        evskip: o.uint(&["evskip"])?.unwrap_or(d.evskip),
        evstep: o.uint(&["evstep"])?.unwrap_or(d.evstep),
        stepnum: o.small(&["stepnum", "ccnum"])?,
        stepmax: o.small(&["stepmax", "ccmax"])?,
        segind: o.small(&["segind", "idx"])?,
        nbs: o.small(&["nbs"])?.unwrap_or(d.nbs),
        errskip: o.flag(&["errskip"])?,
        evcode: None,
    };
    let params = o.dark_params()?;
    let gain_mode = o.text(&["gain_mode"])?;
    let input = match o.path(&["input"])? {
        Some(path) => {
            if dataset.is_some() || dsname.is_some() {
                return Err(ArgumentError::new_err(
                    "dark(): give a dataset or input=STACK.npy, not both",
                ));
            }
            let flags = StackFlags {
                det_type: det_type(&mut o, &["det_type"])?.unwrap_or(DetType::Jungfrau),
                panel_ids: o.strings(&["panel_ids"])?,
                exp: o.string(&["exp"])?,
                run: o.small(&["run"])?,
                tstamp: o.text(&["tstamp"])?,
                gain_mode: gain_mode.clone(),
                alias: source,
            };
            DarkInput::Stack {
                path,
                info: flags.info().map_err(lib_err)?,
            }
        }
        None => DarkInput::Dataset {
            spec: dataset.or(dsname).ok_or_else(|| {
                ArgumentError::new_err("dark(): give a dataset (or dsname=, or input=STACK.npy)")
            })?,
            det: source,
        },
    };
    let opts = DarkOptions {
        input,
        params,
        loop_opts,
        gain_mode,
        dirrepo: o.path(&["dirrepo"])?,
        expname: o.string(&["expname"])?,
        ofname: o
            .string(&["ofname"])?
            .unwrap_or_else(|| dark_pipe::DEFAULT_OFNAME.to_string()),
        savebw: o.small(&["savebw"])?.unwrap_or(dark_pipe::DEFAULT_SAVEBW),
    };
    let settings = o.settings()?;
    o.done()?;
    let report = py
        .detach(|| dark_pipe::run(&opts, &settings, &Quiet))
        .map_err(lib_err)?;
    to_dict(py, &report)
}

/// Merges a detector's dark constants per panel and gain mode and deploys them (`detcal
/// deploy`): `exp`, `run` (or `dataset`), `det`, `dirrepo`, `calib_dir`, `deploy=True` to
/// write into the store (else a dry run), `runrange`, `paninds`, `errskip`, `tstamp`, ...
/// Returns the report: `picks`, `placed`, `deployed`, `log`.
#[pyfunction]
#[pyo3(signature = (**options))]
pub fn deploy<'py>(
    py: Python<'py>,
    options: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyAny>> {
    let mut o = Opts::new("deploy", options);
    let spec = DetRunSpec {
        exp: o.string(&["exp"])?,
        run: o.text(&["run"])?,
        dataset: o.string(&["dataset", "dsname"])?,
        dsnamex: o.string(&["dsnamex"])?,
        det: o.string(&["det"])?,
        source: o.string(&["source"])?,
        panel_ids: o.strings(&["panel_ids"])?,
        det_type: det_type(&mut o, &["det_type"])?.unwrap_or(DetType::Jungfrau),
    };
    let runrange = o
        .text(&["runrange", "run_range"])?
        .map(|r| r.parse::<RunRange>().map_err(lib_err))
        .transpose()?;
    let factors = GainFactors {
        high: o.float(&["high"])?.unwrap_or(DEFAULT_GAINS.high),
        medium: o.float(&["medium"])?.unwrap_or(DEFAULT_GAINS.medium),
        low: o.float(&["low"])?.unwrap_or(DEFAULT_GAINS.low),
    };
    let epix_default = EpixDeployOptions::default();
    let opts = DeployOptions {
        det: spec,
        tstamp: o.text(&["tstamp"])?,
        dirrepo: o.path(&["dirrepo"])?,
        dircalib: o.path(&["calib_dir", "dircalib", "clbdir"])?,
        paninds: o.uints(&["paninds"])?,
        deploy: o.flag(&["deploy"])?,
        errskip: o.flag(&["errskip"])?,
        runrange,
        epix: EpixDeployOptions {
            proc: o.string(&["proc"])?.unwrap_or(epix_default.proc),
            factors,
        },
    };
    let settings = o.settings()?;
    o.done()?;
    let report = py
        .detach(|| deploy_pipe::run(&opts, &settings))
        .map_err(lib_err)?;
    to_dict(py, &report)
}

/// Simulates JUNGFRAU (or `det="epix10kaquad"`/`"epix10ka2m"`) dark and light runs in XTC2
/// with known truth under `out` (`detcal simulate`): `exp`, `run`, `panels`, `events`,
/// `steps`, `light_events`, `no_light`, `energy`, `seed`, `shape` ("ROWSxCOLS" or a pair),
/// `gains`, `alias`. Returns what was written: `xtc_dir`, `dark_file`, `light_file`,
/// `truth_dir`, `gain_dirs`, `panel_ids`.
#[pyfunction]
#[pyo3(signature = (out, **options))]
pub fn simulate<'py>(
    py: Python<'py>,
    out: std::path::PathBuf,
    options: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyAny>> {
    use detcal_sim::{self as sim, SimConfig};
    let mut o = Opts::new("simulate", options);
    let det = o.string(&["det"])?.unwrap_or_else(|| "jungfrau".into());
    let d = SimConfig::default();
    let exp = o.string(&["exp"])?.unwrap_or_else(|| "xpptut15".into());
    let run = o.small(&["run"])?.unwrap_or(1u32);
    let no_light = o.flag(&["no_light"])?;
    let light_run = (!no_light).then_some(run + 1);
    let events = o.small(&["events"])?.unwrap_or(100usize);
    let light_events = o.small(&["light_events"])?.unwrap_or(100usize);
    let energy = o
        .float(&["energy"])?
        .unwrap_or(sim::LightParams::default().energy_kev);
    let seed = o.uint(&["seed"])?.unwrap_or(1);
    let alias = o.string(&["alias"])?;
    let panels = o.small(&["panels"])?.unwrap_or(4usize);
    let steps = o.small(&["steps"])?.unwrap_or(3usize);
    let shape = o.shape(&["shape"])?;
    let gains = o.path(&["gains"])?;
    let perms = o.settings()?.perms;
    o.done()?;
    let written = match det.as_str() {
        "jungfrau" => {
            let (rows, cols) = shape.unwrap_or((512, 1024));
            let cfg = SimConfig {
                exp,
                alias: alias.unwrap_or_else(|| "jungfrau".into()),
                dark_run: run,
                light_run,
                panels,
                rows,
                cols,
                dark_events: events,
                dark_steps: steps,
                light_events,
                light: sim::LightParams {
                    energy_kev: energy,
                    ..Default::default()
                },
                seed,
                ..d
            };
            py.detach(|| sim::run(&cfg, &out, gains.as_deref(), &perms, &Quiet))
        }
        "epix10kaquad" | "epix10ka2m" => {
            let two_m = det == "epix10ka2m";
            let s = sim::epix10ka::EpixSim {
                exp,
                alias: alias.unwrap_or_else(|| if two_m { "epix10k2M" } else { "epixquad" }.into()),
                dark_run: run,
                light_run,
                panels: if two_m { 16 } else { 4 },
                dark_events: events,
                light_events,
                energy_kev: energy,
                seed,
                ..Default::default()
            };
            py.detach(|| sim::epix10ka::simulate(&s, &out, &perms))
        }
        other => {
            return Err(ArgumentError::new_err(format!(
                "simulate(): det={other:?}: expected jungfrau, epix10kaquad or epix10ka2m"
            )));
        }
    }
    .map_err(lib_err)?;
    to_dict(py, &written)
}
