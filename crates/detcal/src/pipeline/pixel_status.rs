/*!
Bad-pixel status maps into the constants repository (psana's `det_pixel_status`): features 1-3
on a dark run, 6 and 11 on light data; from XTC2 runs or a NumPy stack described beside it.
*/

use std::path::PathBuf;

use ndarray::{ArrayD, IxDyn};
use serde::Serialize;

use crate::deploy::constants::{ConstantsRepo, DetRun};
use crate::dist::{Ranks, Single};
use crate::error::{Error, Result};
use crate::pixel_status::{self, StatusParams};
use crate::repo::joblog;
use crate::settings::Settings;
use crate::source::{RunSource, open_dataset};
use crate::stacks::StackDescription;
use crate::store::CalibStore;

/// Which run to judge, how, and where the maps go.
#[derive(Debug, Clone)]
pub struct PixelStatusOptions {
    /// The dataset as psana names it (`.xtc2` file(s) or `exp=..:run=..[:dir=..]`).
    pub dataset: Option<String>,
    /// A raw NumPy stack with its description beside it ([`crate::stacks`]), instead.
    pub stack: Option<PathBuf>,
    /// The calibration store of feature 11's pedestals [default: the experiment's under the
    /// data root].
    pub calib_dir: Option<PathBuf>,
    /// The detector's DAQ alias (`-d`); default: the only one with raw data.
    pub det: Option<String>,
    /// The algorithm's parameters (events, limits, features, panel).
    pub params: StatusParams,
    /// The status type saved (`status_<something>`); `None`: psana's default, `status_light`
    /// with feature 6, `status_max` with 11, else `status_dark`.
    pub ctype: Option<String>,
    /// The repository (`-o`); default under `SIT_ROOT`.
    pub dirrepo: Option<PathBuf>,
    /// Only events with these event codes (`-c/--evcode`, `--beam-off`), before the event
    /// counters ([`crate::evcode::filter_events`]).
    pub evcode: Option<crate::evcode::EventCodeSelection>,
}

/// What a pixel-status job wrote.
#[derive(Debug, Clone, Serialize)]
pub struct PixelStatusReport {
    /// The maps written, one per panel and step, in order.
    pub files: Vec<PathBuf>,
    /// The job's log file of each run, in order.
    pub logs: Vec<PathBuf>,
}

/// Computes the status of every pixel per step and panel of each run of the dataset and saves
/// the maps in the constants repository.
pub fn run(opts: &PixelStatusOptions, settings: &Settings) -> Result<PixelStatusReport> {
    run_shared(opts, settings, &Single)
}

/// [`run`] shared by the processes of `ranks` (MPI): each judges a contiguous share of the
/// panels ([`crate::dist::share_panels`]) and sends its maps (feature 11: its maxima)
/// to the root, which writes the maps, the work files and the logs exactly as [`run`] does.
/// Another rank writes nothing and gets an empty report.
pub fn run_shared(
    opts: &PixelStatusOptions,
    settings: &Settings,
    ranks: &dyn Ranks,
) -> Result<PixelStatusReport> {
    pixel_status::check_params(&opts.params)?;
    let features = &opts.params.features;
    let ctype = opts.ctype.clone().unwrap_or_else(|| {
        if features.contains(&6) {
            "status_light"
        } else if features.contains(&11) {
            "status_max"
        } else {
            "status_dark"
        }
        .to_string()
    });
    if !ctype.starts_with("status_") {
        return Err(Error::bad_arg(
            "--ctype",
            format!(
                "--ctype {ctype:?}: status maps are named status_<something> (status_dark, status_data, ...)"
            ),
        ));
    }
    let mut runs = match (&opts.dataset, &opts.stack) {
        (_, Some(stack)) => {
            let info = StackDescription::read(stack)?.info(stack)?;
            vec![RunSource::open_stack(stack, info)?]
        }
        (Some(ds), None) => open_dataset(ds, settings.psdm_data.as_deref(), opts.det.as_deref())?,
        (None, None) => {
            return Err(Error::bad_arg(
                "--dataset",
                "give a dataset (or -k, or --input STACK.npy)",
            ));
        }
    };
    crate::evcode::filter_events(&mut runs, opts.evcode.as_ref())?;
    if !ranks.is_root() {
        for src in &runs {
            judge_share(src, &opts.params, ranks)?;
        }
        return Ok(PixelStatusReport {
            files: Vec::new(),
            logs: Vec::new(),
        });
    }
    let perms = &settings.perms;
    let dirrepo = settings.constants_repo(opts.dirrepo.as_deref())?;
    let repo = ConstantsRepo::new(&dirrepo, perms.clone());
    let params = &opts.params;
    let mut files = Vec::new();
    let mut logs = Vec::new();
    for src in &runs {
        let m = src.meta().clone();
        let log = joblog::start(
            settings,
            &dirrepo,
            &repo.type_dir(m.det_type).join("logs"),
            "det_pixel_status",
        )?;
        logs.push(log.path().to_path_buf());
        let tstamp = m.tstamp();
        let source = m.det_type.default_source(&m.alias);
        let panel_ids: Vec<String> = match params.segind {
            Some(s) => vec![m.panel_ids.get(s).cloned().ok_or_else(|| {
                Error::bad_arg(
                    "--segind",
                    format!("segment {s}: the detector has {}", m.panel_ids.len()),
                )
            })?],
            None => m.panel_ids.clone(),
        };
        let d = DetRun {
            det_type: m.det_type,
            panel_ids: &panel_ids,
            exp: &m.exp,
            run: m.run,
            tstamp: &tstamp,
            source: &source,
        };
        let steps = if features.contains(&11) {
            let peds = run_pedestals(opts, settings, src)?;
            let work: Vec<PathBuf> = panel_ids
                .iter()
                .map(|id| repo.type_dir(m.det_type).join(id).join("work"))
                .collect();
            max_with_work_files(src, params, &peds, &work, &m.alias, perms, ranks)?
        } else {
            shared_status(src, params, ranks)?
        };
        for step in steps {
            let gain = step.step.mode.map_or(step.step.index as usize, |g| g.index);
            let (r, c) = (m.frame_shape[1], m.frame_shape[2]);
            let panels: Vec<ArrayD<f64>> = step
                .status
                .iter()
                .map(|s| {
                    ArrayD::from_shape_vec(IxDyn(&[r, c]), s.iter().map(|&v| v as f64).collect())
                        .map_err(|e| Error::internal(format!("a status map of {r}x{c}: {e}")))
                })
                .collect::<Result<_>>()?;
            for (k, s) in step.status.iter().enumerate() {
                let counts: Vec<String> = [1u64, 2, 4, 8, 16, 32, 64, 128, 256, 512]
                    .iter()
                    .filter(|&&b| b <= 8 || s.iter().any(|&v| v & b != 0))
                    .map(|b| format!("{b}: {}", s.iter().filter(|&&v| v & b != 0).count()))
                    .collect();
                tracing::info!(
                    "{} run {} step {} ({}) panel {}: {} of {} frames kept; pixels with bit {}",
                    m.exp,
                    m.run,
                    step.step.index,
                    step.step.mode_name().unwrap_or("-"),
                    panel_ids[k],
                    step.kept[k],
                    step.frames,
                    counts.join(", ")
                );
            }
            files.extend(repo.put_gain(&d, &ctype, &panels, gain, Some("%d"))?);
        }
    }
    Ok(PixelStatusReport { files, logs })
}

/// psana's name part of feature 11's work files of panel `seg`:
/// `<exp>-r<NNNN>-<det>-seg<seg>-evs<NNNNNN>-feat-11` (`:` and `.` of the name as `-`).
pub fn max_work_name(exp: &str, run: u32, det: &str, seg: usize, events: usize) -> String {
    let det = det.replace([':', '.'], "-");
    format!("{exp}-r{run:04}-{det}-seg{seg}-evs{events:06}-feat-11")
}

/// Feature 11 with psana's work files in each panel's `work` directory (`work[k]` for the k-th
/// panel judged): the maxima `arr-<name>-max.npy` (uint16) and `max - pedestals`
/// `arr-<name>-max-peds.npy` (float32) are saved when absent; when a single-gain detector's
/// maxima files are all present they are used instead of the data, as psana does. Later steps
/// of multi-step runs add `-step<N>` to the name.
fn max_with_work_files(
    src: &RunSource,
    params: &StatusParams,
    peds: &[Vec<f32>],
    work: &[PathBuf],
    det: &str,
    perms: &crate::files::Perms,
    ranks: &dyn Ranks,
) -> Result<Vec<pixel_status::StepStatus>> {
    let m = src.meta();
    let panels = pixel_status::check(src, params)?;
    let (rows, cols, panel_len) = (m.frame_shape[1], m.frame_shape[2], m.panel_len());
    let name = |k: usize, step: u32| {
        let base = max_work_name(&m.exp, m.run, det, panels[k], params.events);
        if step == 0 {
            base
        } else {
            format!("{base}-step{step}")
        }
    };
    let max_file = |k: usize, step: u32| work[k].join(format!("arr-{}-max.npy", name(k, step)));
    let single_gain = m.det_type.gain_ranges() == 1;
    let stored = single_gain && (0..panels.len()).all(|k| max_file(k, 0).is_file());
    tell_stored(ranks, stored)?;
    let maxima = if stored {
        let mut max = Vec::with_capacity(panels.len());
        for k in 0..panels.len() {
            let f = max_file(k, 0);
            let arr = crate::formats::load_array(&f)?;
            if arr.len() != panel_len || arr.dtype() != crate::formats::array::DType::U16 {
                return Err(Error::shape(
                    f.display().to_string(),
                    format!("uint16 {rows} x {cols}"),
                    arr.shape(),
                    format!(
                        "{}: a {} {:?} array, not the panel's uint16 {rows} x {cols} maxima",
                        f.display(),
                        arr.dtype().name(),
                        arr.shape()
                    ),
                ));
            }
            tracing::info!(
                "feature 11: maxima from {} (instead of the data)",
                f.display()
            );
            max.push(arr.to_typed::<u16>().into_raw_vec_and_offset().0);
        }
        vec![pixel_status::StepMax {
            step: crate::source::StepMeta::single(0),
            max,
            frames: 0,
        }]
    } else {
        shared_maxima(src, params, ranks)?
    };
    let mut out = Vec::with_capacity(maxima.len());
    for st in &maxima {
        for (k, mx) in st.max.iter().enumerate() {
            let f = max_file(k, st.step.index);
            let fp = work[k].join(format!("arr-{}-max-peds.npy", name(k, st.step.index)));
            let shape = IxDyn(&[rows, cols]);
            if !f.is_file() {
                let arr = ArrayD::from_shape_vec(shape.clone(), mx.clone())
                    .map_err(|e| Error::internal(e.to_string()))?;
                crate::files::create_dirs(&work[k], perms)?;
                crate::formats::npy::write_npy(&f, &crate::NdArray::U16(arr), perms)?;
            }
            if !fp.is_file() {
                let p = &peds[panels[k]];
                let diff: Vec<f32> = mx.iter().zip(p).map(|(&v, &q)| f32::from(v) - q).collect();
                let arr = ArrayD::from_shape_vec(shape, diff)
                    .map_err(|e| Error::internal(e.to_string()))?;
                crate::files::create_dirs(&work[k], perms)?;
                crate::formats::npy::write_npy(&fp, &crate::NdArray::F32(arr), perms)?;
            }
        }
        out.push(pixel_status::max_step_status(
            st,
            &panels,
            peds,
            panel_len,
            params.snrmax,
        )?);
    }
    Ok(out)
}

/// Feature 11's pedestals of a run, one array per panel of the frame: the `pedestals` file valid
/// for the run in the calibration store, or zeros (psana's default for a missing file) with a
/// warning.
fn run_pedestals(
    opts: &PixelStatusOptions,
    settings: &Settings,
    src: &RunSource,
) -> Result<Vec<Vec<f32>>> {
    let m = src.meta();
    let (nsegs, panel_len) = (m.frame_shape[0], m.panel_len());
    let store = match &opts.calib_dir {
        Some(d) => CalibStore::new(d),
        None => CalibStore::for_experiment(settings.psdm_data.as_deref(), &m.exp)?,
    };
    let source = m.det_type.default_source(&m.alias);
    let found = store.find(m.det_type.calib_group(), &source, "pedestals", m.run)?;
    let Some(path) = found else {
        tracing::warn!(
            "no pedestals of {source} for run {} in {}: feature 11 uses zeros, as psana does",
            m.run,
            store.dir().display()
        );
        return Ok(vec![vec![0.0; panel_len]; nsegs]);
    };
    let arr = crate::formats::load_array(&path)?;
    if arr.len() != nsegs * panel_len {
        return Err(Error::shape(
            path.display().to_string(),
            format!("{:?}", m.frame_shape),
            arr.shape(),
            format!(
                "{}: {} pedestals, but a frame of {} has {} pixels",
                path.display(),
                arr.len(),
                m.alias,
                nsegs * panel_len
            ),
        ));
    }
    tracing::info!("feature 11: pedestals {}", path.display());
    let flat: Vec<f32> = arr.to_typed::<f32>().into_raw_vec_and_offset().0;
    Ok(flat.chunks(panel_len).map(<[f32]>::to_vec).collect())
}

/// Feature 11 with several processes: the root tells the others whether the maxima come from
/// its work files (then nobody reads the data) or from the data.
fn tell_stored(ranks: &dyn Ranks, stored: bool) -> Result<bool> {
    if ranks.size() <= 1 {
        return Ok(stored);
    }
    let mut b = vec![u8::from(stored)];
    ranks.broadcast(&mut b)?;
    Ok(b.first() == Some(&1))
}

/// The maps of every panel of a run on the root: its own share judged here, the others'
/// gathered ([`pixel_status::wire`]).
fn shared_status(
    src: &RunSource,
    params: &StatusParams,
    ranks: &dyn Ranks,
) -> Result<Vec<pixel_status::StepStatus>> {
    let panels = pixel_status::check(src, params)?;
    let mine = crate::dist::share_panels(&panels, ranks.rank(), ranks.size());
    let mut steps = pixel_status::run_of(src, params, mine)?;
    let done = crate::dist::gather(
        ranks,
        || Ok(Vec::new()),
        |part| pixel_status::wire::append_status(&mut steps, part),
    )?;
    log_share(ranks, mine, &done);
    Ok(steps)
}

/// Feature 11's maxima of every panel of a run on the root, shared as [`shared_status`].
fn shared_maxima(
    src: &RunSource,
    params: &StatusParams,
    ranks: &dyn Ranks,
) -> Result<Vec<pixel_status::StepMax>> {
    let panels = pixel_status::check(src, params)?;
    let mine = crate::dist::share_panels(&panels, ranks.rank(), ranks.size());
    let mut steps = pixel_status::run_maxima_of(src, params, mine)?;
    let done = crate::dist::gather(
        ranks,
        || Ok(Vec::new()),
        |part| pixel_status::wire::append_maxima(&mut steps, part),
    )?;
    log_share(ranks, mine, &done);
    Ok(steps)
}

/// A process other than the root: judges its share of the panels of `src` and sends it, as
/// the root's [`shared_status`] or [`max_with_work_files`] expect.
fn judge_share(src: &RunSource, params: &StatusParams, ranks: &dyn Ranks) -> Result<()> {
    let panels = pixel_status::check(src, params)?;
    let mine = crate::dist::share_panels(&panels, ranks.rank(), ranks.size());
    let done = if params.features.contains(&11) {
        let mut b = Vec::new();
        ranks.broadcast(&mut b)?;
        if b.first() == Some(&1) {
            return Ok(());
        }
        let steps = pixel_status::run_maxima_of(src, params, mine)?;
        crate::dist::gather(
            ranks,
            || Ok(pixel_status::wire::maxima_bytes(&steps)),
            |_| Ok(()),
        )?
    } else {
        let steps = pixel_status::run_of(src, params, mine)?;
        crate::dist::gather(
            ranks,
            || Ok(pixel_status::wire::status_bytes(&steps)),
            |_| Ok(()),
        )?
    };
    log_share(ranks, mine, &done);
    Ok(())
}

/// Logs the panels a process judged and what its part of the gathering moved.
fn log_share(ranks: &dyn Ranks, mine: &[usize], done: &crate::dist::Reduced) {
    if ranks.size() > 1 {
        tracing::info!(
            "rank {} of {}: panels {:?}; {}",
            ranks.rank(),
            ranks.size(),
            mine,
            done
        );
    }
}
