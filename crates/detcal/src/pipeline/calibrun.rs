/*!
psana's `calibrun` for regular (single-gain) detectors: dark processing of every single-gain
detector of a run and deployment of its pedestals, pixel_rms and pixel_status into the
experiment's calibration store with a run range.

Process (`-P`): each selected detector of the run gets `det_ndarr_raw_proc`'s dark processing
with calibrun's thresholds; the files go to `<workdir>/work/` named
`clb-<exp>-r<NNNN>-peds-<type>-<source>.txt` (type ave, rms, sta, msk, max, min).
Deploy (`-D`): `ave` → `pedestals`, `rms` → `pixel_rms`, `sta` → `pixel_status`, and for a pnCCD
`cmo` → `common_mode` when such a file exists (nothing writes one, as in psana), each as
`<calib>/<group>/<source>/<ctype>/<begin>-<end>.data` with a `HISTORY` line.

The detectors of a run are the single-gain detectors of its XTC2 files
(`<root>/<INS>/<exp>/xtc/<exp>-r<NNNN>-s*.xtc2`) and its NumPy stacks
(`<root>/<INS>/<exp>/npy/<exp>-r<NNNN>-<alias>.npy`, see [`crate::stacks`]).
*/

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::dark::DarkParams;
use crate::dark::job::LoopOptions;
use crate::detector::DetType;
use crate::error::{Error, Missing, Result};
use crate::pipeline::dark::{self, DarkInput, DarkOptions};
use crate::report::Reporter;
use crate::settings::Settings;
use crate::stacks;
use crate::store::{CalibStore, Deployment, RunRange};

/// calibrun's file-name template of the dark results, in the work directory.
pub const CALIBRUN_OFNAME: &str = "clb-#exp-#run-peds-#type-#src.txt";

/// The dark-result types calibrun deploys and their calibration types (pnCCD also `cmo`).
pub const DEPLOYED: [(&str, &str); 3] = [
    ("ave", "pedestals"),
    ("rms", "pixel_rms"),
    ("sta", "pixel_status"),
];

/// What calibrun is to do.
#[derive(Debug, Clone)]
pub struct CalibrunOptions {
    /// The experiment (`-e`).
    pub exp: String,
    /// The dark run (`-r`).
    pub run: u32,
    /// Detector types to process (`-d`); empty: every single-gain detector of the run.
    pub detectors: Vec<DetType>,
    /// The work directory (`-w`); results go to `<workdir>/work`.
    pub workdir: PathBuf,
    /// The calibration store (`-c`); default `<data root>/<INS>/<exp>/calib`.
    pub calib_dir: Option<PathBuf>,
    /// Validity of the deployed files (`-v`); default `<run>-end`.
    pub runrange: Option<RunRange>,
    /// Run the dark processing (`-P`).
    pub process: bool,
    /// Deploy the results (`-D`).
    pub deploy: bool,
    /// Events to process (`-n`).
    pub events: u64,
    /// Events to skip first (`-s`).
    pub skip: u64,
    /// The dark-processing thresholds (`-B/-T/-b/-t/-Z/-U/-z/-u`, `--nrecs1`).
    pub params: DarkParams,
    /// Only events with these event codes (`-f/--event_code`, psana's `-c` of
    /// `det_ndarr_raw_proc`), from the runs' LCLS-II timing data.
    pub evcode: Option<crate::evcode::EventCodeSelection>,
}

/// The dark-processing parameters calibrun passes to `det_ndarr_raw_proc` by default:
/// intensity 0.1-16000, rms 0.1-10000, 5 sigmas each, fraction 0.1.
pub fn default_params() -> DarkParams {
    DarkParams {
        int_lo: 0.1,
        int_hi: 16000.0,
        rms_lo: 0.1,
        rms_hi: 10000.0,
        intnlo: 5.0,
        intnhi: 5.0,
        rmsnlo: 5.0,
        rmsnhi: 5.0,
        fraclm: 0.1,
        ..DarkParams::default()
    }
}

/// One detector of the run calibrun works on.
#[derive(Debug, Clone, Serialize)]
pub struct CalibrunDetector {
    /// The DAQ alias.
    pub alias: String,
    /// psana's detector type name.
    pub det_type: String,
    /// The DetInfo source of its files and of the store (`<alias>.0:<Type>.0`).
    pub source: String,
    /// Where its frames come from (an `.xtc2` file or a `.npy` stack).
    pub input: PathBuf,
    /// The dark files written (`-P`).
    pub processed: Vec<PathBuf>,
    /// The files deployed (`-D`), as (ctype, path).
    pub deployed: Vec<(String, PathBuf)>,
}

/// What calibrun did.
#[derive(Debug, Clone, Serialize)]
pub struct CalibrunReport {
    /// The work directory of the dark files.
    pub work_dir: PathBuf,
    /// The calibration store deployed into (`-D`).
    pub calib_dir: Option<PathBuf>,
    /// The run range of the deployed files.
    pub runrange: String,
    /// Each detector and what was done with it.
    pub detectors: Vec<CalibrunDetector>,
}

struct Found {
    det: CalibrunDetector,
    input: DarkInput,
    det_type: DetType,
}

/// Whether calibrun handles `t`: single-gain detectors (not JUNGFRAU or the ePix10ka family).
pub fn is_single_gain(t: DetType) -> bool {
    t.gain_ranges() == 1 && t != DetType::Undefined
}

/// The single-gain detectors of run `run`: XTC2 files first, then NumPy stacks.
fn find_detectors(opts: &CalibrunOptions, root: &Path) -> Result<Vec<Found>> {
    let mut out = Vec::new();
    let exp_dir = crate::site::experiment_dir(root, &opts.exp)?;
    let xtc_dir = exp_dir.join("xtc");
    let prefix = format!("{}-r{:04}-", opts.exp, opts.run);
    let has_xtc = std::fs::read_dir(&xtc_dir).is_ok_and(|rd| {
        rd.filter_map(|e| e.ok()).any(|e| {
            let n = e.file_name();
            let n = n.to_string_lossy();
            n.starts_with(&prefix) && n.ends_with(".xtc2")
        })
    });
    if has_xtc {
        let spec = format!("exp={}:run={}", opts.exp, opts.run);
        for files in crate::source::dataset_runs(&spec, Some(root))? {
            let run = xtc2::run::Run::open(&files)?;
            for info in run.detectors() {
                let t = crate::source::det_type_of_daq(&info.det_type, info.num_segments());
                if !is_single_gain(t) {
                    continue;
                }
                out.push(Found {
                    det: CalibrunDetector {
                        alias: info.alias.clone(),
                        det_type: t.name().into(),
                        source: t.default_source(&info.alias),
                        input: files[0].clone(),
                        processed: Vec::new(),
                        deployed: Vec::new(),
                    },
                    input: DarkInput::Dataset {
                        spec: spec.clone(),
                        det: Some(info.alias.clone()),
                    },
                    det_type: t,
                });
            }
        }
    }
    let dir = stacks::stacks_dir(root, &opts.exp)?;
    for (path, d) in stacks::run_stacks(&dir, &opts.exp, opts.run)? {
        let info = d.info(&path)?;
        if !is_single_gain(info.det_type) {
            continue;
        }
        out.push(Found {
            det: CalibrunDetector {
                alias: d.alias.clone(),
                det_type: info.det_type.name().into(),
                source: info.det_type.default_source(&d.alias),
                input: path.clone(),
                processed: Vec::new(),
                deployed: Vec::new(),
            },
            det_type: info.det_type,
            input: DarkInput::Stack { path, info },
        });
    }
    Ok(out)
}

/// The work file of one dark-result type of a detector: `clb-<exp>-r<NNNN>-peds-<ty>-<src>.txt`.
pub fn work_file(work_dir: &Path, exp: &str, run: u32, ty: &str, source: &str) -> PathBuf {
    work_dir.join(format!("clb-{exp}-r{run:04}-peds-{ty}-{source}.txt"))
}

/// Runs calibrun: finds the run's single-gain detectors (of the types asked for), processes
/// them (`process`) and deploys the results (`deploy`).
pub fn run(
    opts: &CalibrunOptions,
    settings: &Settings,
    rep: &dyn Reporter,
) -> Result<CalibrunReport> {
    if !opts.process && !opts.deploy {
        return Err(Error::bad_arg(
            "-P/-D",
            "nothing to do: give -P (process the dark run), -D (deploy the results) or both",
        ));
    }
    crate::files::check_component("experiment", &opts.exp)?;
    let root = settings.psdm_data("--data-dir")?;
    let mut found = find_detectors(opts, root)?;
    let all: Vec<String> = found
        .iter()
        .map(|f| format!("{} ({})", f.det.alias, f.det.det_type))
        .collect();
    if !opts.detectors.is_empty() {
        found.retain(|f| opts.detectors.contains(&f.det_type));
    }
    if found.is_empty() {
        let label = format!("{} run {}", opts.exp, opts.run);
        return Err(Error::not_found(
            Missing::Detector,
            "single-gain detectors",
            &label,
            format!(
                "{label}: no single-gain detector{} in {} (found: {})",
                if opts.detectors.is_empty() {
                    String::new()
                } else {
                    format!(
                        " of type {}",
                        opts.detectors
                            .iter()
                            .map(|t| t.name())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                },
                crate::site::experiment_dir(root, &opts.exp)?.display(),
                if all.is_empty() {
                    "none".to_string()
                } else {
                    all.join(", ")
                }
            ),
        ));
    }
    let work_dir = opts.workdir.join("work");
    if opts.process {
        for f in &mut found {
            tracing::info!(
                "dark processing of {} ({}) from {}",
                f.det.alias,
                f.det.det_type,
                f.det.input.display()
            );
            let dark_opts = DarkOptions {
                input: f.input.clone(),
                params: opts.params.clone(),
                loop_opts: LoopOptions {
                    events: opts.events,
                    evskip: opts.skip,
                    evcode: opts.evcode.clone(),
                    ..LoopOptions::default()
                },
                gain_mode: None,
                dirrepo: Some(work_dir.clone()),
                expname: None,
                ofname: CALIBRUN_OFNAME.into(),
                savebw: dark::DEFAULT_SAVEBW,
            };
            let r = dark::run(&dark_opts, settings, rep)?;
            f.det.processed = r.files;
        }
    }
    let range = opts
        .runrange
        .unwrap_or_else(|| RunRange::from_run(opts.run));
    let mut calib_dir = None;
    if opts.deploy {
        let store = match &opts.calib_dir {
            Some(d) => CalibStore::new(d),
            None => CalibStore::new(crate::site::experiment_calib_dir(root, &opts.exp)?),
        };
        for f in &mut found {
            let group = f.det_type.calib_group();
            let mut items: Vec<(&str, &str)> = DEPLOYED.to_vec();
            if f.det_type == DetType::Pnccd {
                items.push(("cmo", "common_mode"));
            }
            for (ty, ctype) in items {
                let file = work_file(&work_dir, &opts.exp, opts.run, ty, &f.det.source);
                if !file.is_file() {
                    if ty == "cmo" {
                        tracing::warn!(
                            "{}: no common-mode file {} (nothing writes one); common_mode not deployed",
                            f.det.alias,
                            file.display()
                        );
                        continue;
                    }
                    return Err(Error::not_found(
                        Missing::File,
                        "dark results",
                        file.display().to_string(),
                        format!(
                            "{}: no {ty} file {} to deploy as {ctype}; process the run first (-P)",
                            f.det.alias,
                            file.display()
                        ),
                    ));
                }
                let d = Deployment {
                    group,
                    source: &f.det.source,
                    ctype,
                    range,
                    perms: settings.perms.clone(),
                    comment: "calibrun".into(),
                };
                let dest = store.deploy_file(&file, &d)?;
                tracing::info!("deployed {} as {}", file.display(), dest.display());
                f.det.deployed.push((ctype.to_string(), dest));
            }
        }
        calib_dir = Some(store.dir().to_path_buf());
    }
    Ok(CalibrunReport {
        work_dir,
        calib_dir,
        runrange: range.file_name().trim_end_matches(".data").to_string(),
        detectors: found.into_iter().map(|f| f.det).collect(),
    })
}
