/*!
Dark processing of runs or NumPy stacks into the per-panel repository (psana's
`jungfrau_dark_proc`; `det_ndarr_raw_proc` for single-gain detectors).
*/

use std::path::PathBuf;

use serde::Serialize;

use crate::dark::DarkParams;
use crate::dark::job::{self, LoopOptions};
use crate::dark::output::{NdarrNames, save_jungfrau, save_ndarr, summary_lines};
use crate::detector::{DetType, gain_mode};
use crate::dist::{Ranks, Single};
use crate::error::{Error, Result};
use crate::repo::{Repo, joblog};
use crate::report::Reporter;
use crate::settings::Settings;
use crate::source::{RunSource, StackInfo, open_dataset};

/// psana's default file-name template of single-gain results (`--ofname`).
pub const DEFAULT_OFNAME: &str = "nda-#exp-#run-#src-#evts-#type-#date-#time-#fid-#sec-#nsec.txt";

/// psana's default choice of single-gain arrays to save (`--savebw`: all).
pub const DEFAULT_SAVEBW: u32 = 255;

/// Where the raw frames come from.
#[derive(Debug, Clone)]
pub enum DarkInput {
    /// A dataset as psana names it (an `.xtc2` file, files, or `exp=..:run=..[:dir=..]`), and
    /// the DAQ alias of the detector (default: the only one with raw data).
    Dataset {
        /// The dataset.
        spec: String,
        /// The detector's DAQ alias.
        det: Option<String>,
    },
    /// A NumPy stack of raw words, one step, described by `info`.
    Stack {
        /// The `.npy` file.
        path: PathBuf,
        /// What the stack holds.
        info: StackInfo,
    },
}

/// The description of a NumPy stack as `detcal dark --input` takes it, each piece as given
/// (the flags `--det-type`, `--panel-ids`, `--exp`, `--run`, `--tstamp`, `--gain-mode`, `-s`).
#[derive(Debug, Clone)]
pub struct StackFlags {
    /// The detector type of the frames.
    pub det_type: DetType,
    /// The panel ids, one per segment.
    pub panel_ids: Vec<String>,
    /// The experiment.
    pub exp: Option<String>,
    /// The run number.
    pub run: Option<u32>,
    /// The run's start time, `YYYYmmddHHMMSS` (local time).
    pub tstamp: Option<String>,
    /// The gain mode of the frames (required for JUNGFRAU).
    pub gain_mode: Option<String>,
    /// The DAQ alias (default: the type's directory name).
    pub alias: Option<String>,
}

impl StackFlags {
    /// The stack's description; a missing piece is an error naming its flag.
    pub fn info(&self) -> Result<StackInfo> {
        let need = |what: &str| Error::bad_arg("--input", format!("--input needs {what}"));
        let tstamp = self
            .tstamp
            .as_deref()
            .ok_or_else(|| need("--tstamp YYYYmmddHHMMSS"))?;
        if self.panel_ids.is_empty() {
            return Err(need("--panel-ids"));
        }
        let info = StackInfo {
            det_type: self.det_type,
            panel_ids: self.panel_ids.clone(),
            exp: self.exp.clone().ok_or_else(|| need("--exp"))?,
            run: self.run.ok_or_else(|| need("--run"))?,
            start: crate::site::tstamp_to_timestamp(tstamp)?,
            gain_mode: match &self.gain_mode {
                Some(g) => Some(gain_mode(self.det_type, g)?),
                None if self.det_type == DetType::Jungfrau => {
                    return Err(need("--gain-mode for JUNGFRAU frames"));
                }
                None => None,
            },
            alias: self
                .alias
                .clone()
                .unwrap_or_else(|| self.det_type.dir_name()),
        };
        crate::site::instrument(&info.exp)?;
        Ok(info)
    }
}

/// What to process and how.
#[derive(Debug, Clone)]
pub struct DarkOptions {
    /// The raw frames.
    pub input: DarkInput,
    /// psana's algorithm parameters.
    pub params: DarkParams,
    /// Which events and steps.
    pub loop_opts: LoopOptions,
    /// The gain mode of every step, instead of the one the data says (psana `--gain-mode`).
    pub gain_mode: Option<String>,
    /// The repository (`-o`); default: JUNGFRAU's under `SIT_ROOT`, `work` for other types.
    pub dirrepo: Option<PathBuf>,
    /// The experiment name in file names, instead of the run's.
    pub expname: Option<String>,
    /// File-name template of single-gain results (`--ofname`).
    pub ofname: String,
    /// Which single-gain arrays to save (`--savebw`).
    pub savebw: u32,
}

/// What a dark job did.
#[derive(Debug, Clone, Serialize)]
pub struct DarkReport {
    /// The repository written into.
    pub dirrepo: PathBuf,
    /// Steps processed.
    pub steps: usize,
    /// Frames read.
    pub frames: u64,
    /// Panels per frame that were processed.
    pub panels: usize,
    /// Wall-clock seconds.
    pub seconds: f64,
    /// Every file written, in order.
    pub files: Vec<PathBuf>,
    /// The job's log file.
    pub log: PathBuf,
}

/// psana's program name of ePix10ka dark processing (job logs).
pub const EPIX10KA_SCRIPT: &str = "epix10ka_pedestals_calibration";

/// ePix10ka dark processing (psana's `epix10ka_pedestals_calibration`): each step's gain range
/// is the given one (`--gain-mode`) or the step's own, the results go per panel into the
/// ePix10ka repository (default `<SIT_ROOT>/detector/gains/epix10k/panels`).
fn run_epix10ka(
    opts: &DarkOptions,
    settings: &Settings,
    rep: &dyn Reporter,
    sources: &[RunSource],
    first: &crate::source::DetectorMeta,
    dataset: &str,
    ranks: &dyn Ranks,
) -> Result<DarkReport> {
    use crate::dark::epix10ka_job::{self, EpixNames};
    use crate::repo::RepoKind;
    let given = epix_given(opts, first)?;
    let kind = RepoKind::EPIX10KA;
    let dirrepo = settings.panels_repo_of(&kind, opts.dirrepo.as_deref())?;
    let log = joblog::start(settings, &dirrepo, &dirrepo.join("logs"), EPIX10KA_SCRIPT)?;
    let repo = Repo::new(&dirrepo, settings.perms.clone());
    let tstamp = first.tstamp();
    let exp = opts.expname.clone().unwrap_or_else(|| first.exp.clone());
    let names = EpixNames {
        tstamp: &tstamp,
        exp: &exp,
        run: first.run,
    };
    tracing::info!(
        "{} ({}, {} panels {:?}), {} run(s) from {}; time stamp {tstamp}; block of at most {} frames; repository {}",
        first.alias,
        first.det_type,
        first.panel_ids.len(),
        first.frame_shape,
        sources.len(),
        dataset,
        opts.loop_opts.nbs,
        dirrepo.display()
    );
    let pb = rep.progress(
        sources.iter().map(|s| s.frames_hint().unwrap_or(0)).sum(),
        "dark frames",
    );
    let started = std::time::Instant::now();
    let mut files = Vec::new();
    let mut steps = 0;
    epix10ka_job::run_shared(
        sources,
        &opts.loop_opts,
        given,
        ranks,
        &mut |d| {
            for line in epix10ka_job::summary_lines(&d) {
                tracing::info!("{line}");
            }
            let written = epix10ka_job::save(&repo, &d, &names)?;
            for f in &written {
                tracing::info!("saved {}", f.display());
            }
            files.extend(written);
            steps += 1;
            Ok(())
        },
        &|n| pb.set(n),
    )?;
    pb.finish();
    let panels = if opts.loop_opts.segind.is_some() {
        1
    } else {
        first.panel_ids.len()
    };
    let done = JobDone {
        dirrepo,
        steps,
        frames: pb.position(),
        panels,
        started,
        files,
        log: log.path().to_path_buf(),
    };
    done.report(dataset, "no step was processed (check --ccnum, --ccmax)")
}

/// ePix10ka: checks that the JUNGFRAU-style parameters are psana's (the ePix10ka program has
/// none), and gives the gain range of `--gain-mode`, if given.
fn epix_given(
    opts: &DarkOptions,
    first: &crate::source::DetectorMeta,
) -> Result<Option<crate::detector::epix10ka::GainRange>> {
    use crate::detector::epix10ka::GainRange;
    if opts.params != DarkParams::default() {
        return Err(Error::bad_arg(
            "--int_lo/--nrecs/...",
            "ePix10ka dark processing has fixed thresholds and block sizes (psana's epix10ka_pedestals_calibration has no options for them); use --nbs",
        ));
    }
    Ok(match &opts.gain_mode {
        Some(g) => {
            let m = gain_mode(first.det_type, g)?;
            Some(GainRange::from_index(m.index).ok_or_else(|| {
                Error::bad_arg(
                    "--gain-mode",
                    format!("--gain-mode {g}: not an ePix10ka gain range"),
                )
            })?)
        }
        None => None,
    })
}

/// The report of a rank other than the root: the frames it took, no step saved, no file.
fn idle_report(
    dirrepo: PathBuf,
    frames: u64,
    panels: usize,
    started: std::time::Instant,
) -> DarkReport {
    DarkReport {
        dirrepo,
        steps: 0,
        frames,
        panels,
        seconds: started.elapsed().as_secs_f64(),
        files: Vec::new(),
        log: PathBuf::new(),
    }
}

/// What a dark job did, before it becomes the report.
struct JobDone {
    dirrepo: PathBuf,
    steps: usize,
    frames: u64,
    panels: usize,
    started: std::time::Instant,
    files: Vec<PathBuf>,
    log: PathBuf,
}

impl JobDone {
    /// Logs the job's summary line and makes the report; no step processed is an error whose
    /// message ends with `hint`.
    fn report(self, dataset: &str, hint: &str) -> Result<DarkReport> {
        let JobDone {
            dirrepo,
            steps,
            frames,
            panels,
            started,
            files,
            log,
        } = self;
        let seconds = started.elapsed().as_secs_f64();
        tracing::info!(
            "{steps} step(s), {frames} frames in {seconds:.1} s ({:.0} panel-frames/s); {} files; log {}",
            frames as f64 * panels as f64 / seconds.max(1e-9),
            files.len(),
            log.display()
        );
        if steps == 0 {
            return Err(Error::not_found(
                crate::Missing::Data,
                "steps",
                dataset,
                hint,
            ));
        }
        Ok(DarkReport {
            dirrepo,
            steps,
            frames,
            panels,
            seconds,
            files,
            log,
        })
    }
}

/// Opens the runs (or the stack) of `input`; returns them and the dataset's name.
fn open_input(input: &DarkInput, settings: &Settings) -> Result<(Vec<RunSource>, String)> {
    match input {
        DarkInput::Stack { path, info } => Ok((
            vec![RunSource::open_stack(path, info.clone())?],
            path.display().to_string(),
        )),
        DarkInput::Dataset { spec, det } => {
            let sources = open_dataset(spec, settings.psdm_data.as_deref(), det.as_deref())?;
            Ok((sources, spec.clone()))
        }
    }
}

/// Logs, over several ranks, which run files this rank opened and the frame bytes it read
/// from each.
fn log_files_used(ranks: &dyn Ranks) {
    if ranks.size() <= 1 {
        return;
    }
    let list: Vec<String> = crate::source::files_used()
        .iter()
        .map(|(p, n)| {
            let name = p.file_name().map_or(p.display().to_string(), |n| {
                n.to_string_lossy().into_owned()
            });
            format!("{name} {n} frame bytes")
        })
        .collect();
    tracing::info!(
        "rank {} of {}: files opened: {}",
        ranks.rank(),
        ranks.size(),
        list.join(", ")
    );
}

/// This rank's stream files (opened alone; `None` where they are the runs returned with them)
/// and the panels they carry, when the ranks share the job by stream file.
type ByStreams = Option<(Option<Vec<RunSource>>, Vec<usize>)>;

/// Opens the input as the ranks share it ([`crate::dark::streams`]): one process, or a stack,
/// opens everything; over several ranks the root opens every file and decides whether the
/// ranks split the runs' stream files (then another rank opens only its own, and every rank
/// checks that the streams show the same events) or share events. Returns the runs (the root's
/// with every file; another rank's own under a stream split), the dataset's name, this rank's
/// stream files and panels under a stream split, and, on the root, a line for the log saying
/// how the ranks share the work.
fn open_shared(
    opts: &DarkOptions,
    settings: &Settings,
    ranks: &dyn Ranks,
) -> Result<(Vec<RunSource>, String, ByStreams, Option<String>)> {
    let DarkInput::Dataset { spec, .. } = &opts.input else {
        let (s, d) = open_input(&opts.input, settings)?;
        return Ok((s, d, None, None));
    };
    if ranks.size() <= 1 {
        let (s, d) = open_input(&opts.input, settings)?;
        return Ok((s, d, None, None));
    }
    let (rank, size) = (ranks.rank(), ranks.size());
    let opened = if ranks.is_root() {
        Some(open_input(&opts.input, settings)?)
    } else {
        None
    };
    let share = crate::dark::streams::decide(
        opened.as_ref().map(|(s, _)| s.as_slice()),
        &opts.loop_opts,
        ranks,
    )?;
    let (by_streams, note) = match share {
        crate::dark::streams::Share::Streams { alias, ranks: plan } => {
            let mine = plan
                .get(rank)
                .ok_or_else(|| Error::internal("the root's plan has no share for this rank"))?;
            let own = mine
                .files
                .iter()
                .map(|f| RunSource::open_xtc(f, Some(&alias)))
                .collect::<Result<Vec<_>>>()?;
            let names: Vec<String> = mine
                .files
                .iter()
                .flatten()
                .map(|f| {
                    f.file_name().map_or(f.display().to_string(), |n| {
                        n.to_string_lossy().into_owned()
                    })
                })
                .collect();
            tracing::info!(
                "rank {rank} of {size}: stream files {} (panels {:?})",
                names.join(", "),
                mine.panels
            );
            match crate::dark::streams::aligned(&own, ranks)? {
                None => {
                    let shares: Vec<String> = plan
                        .iter()
                        .enumerate()
                        .map(|(r, p)| {
                            format!("rank {r}: streams {:?}, panels {:?}", p.streams, p.panels)
                        })
                        .collect();
                    (
                        Some((own, mine.panels.clone())),
                        format!(
                            "{size} ranks share the work by stream file, each reading only its own ({})",
                            shares.join("; ")
                        ),
                    )
                }
                Some(why) => (
                    None,
                    format!("{size} ranks share each step's events, not the stream files: {why}"),
                ),
            }
        }
        crate::dark::streams::Share::Events(why) => (
            None,
            format!("{size} ranks share each step's events, not the stream files: {why}"),
        ),
    };
    let (sources, dataset, by_streams) = match (opened, by_streams) {
        (Some((s, d)), b) => (s, d, b.map(|(own, p)| (Some(own), p))),
        // Another rank under a stream split: its own runs stand for the job's.
        (None, Some((own, p))) => (own, spec.clone(), Some((None, p))),
        (None, None) => {
            let (s, d) = open_input(&opts.input, settings)?;
            (s, d, None)
        }
    };
    Ok((
        sources,
        dataset,
        by_streams,
        ranks.is_root().then_some(note),
    ))
}

/// Runs psana's dark processing over every run and step of `opts.input` and saves each step's
/// results into the repository.
pub fn run(opts: &DarkOptions, settings: &Settings, rep: &dyn Reporter) -> Result<DarkReport> {
    run_shared(opts, settings, rep, &Single)
}

/// [`run`] shared by the processes of `ranks` (MPI): every rank reads the runs and takes its
/// share of each step's frames ([`job::run_shared`]); the root (rank 0) reduces the results
/// and writes the repository, the alias table and the log exactly as [`run`] does. Another
/// rank writes nothing and reports the frames it took. ePix10ka runs are shared by panel
/// ([`crate::dark::epix10ka_job::run_shared`]).
pub fn run_shared(
    opts: &DarkOptions,
    settings: &Settings,
    rep: &dyn Reporter,
    ranks: &dyn Ranks,
) -> Result<DarkReport> {
    let params = &opts.params;
    params.validate()?;
    let (mut sources, dataset, by_streams, share_note) = open_shared(opts, settings, ranks)?;
    if let Some(sel) = &opts.loop_opts.evcode {
        // JUNGFRAU and single-gain jobs select in psana's order (after the event counters);
        // ePix10ka's step processing sees only the selected frames.
        match sources
            .first()
            .map(|s| crate::source::is_epix10ka(s.meta().det_type))
        {
            Some(true) => crate::evcode::filter_events(&mut sources, Some(sel))?,
            _ => {
                crate::evcode::select_events(&mut sources, sel)?;
            }
        }
    }
    let first = sources
        .first()
        .ok_or_else(|| {
            Error::not_found(
                crate::Missing::Run,
                "runs",
                &dataset,
                format!("{dataset}: no runs"),
            )
        })?
        .meta()
        .clone();
    if matches!(
        first.det_type,
        DetType::Epix10ka | DetType::Epix10kaQuad | DetType::Epix10ka2M
    ) {
        if !ranks.is_root() {
            let started = std::time::Instant::now();
            let pb = rep.progress(0, "dark frames");
            crate::dark::epix10ka_job::run_shared(
                &sources,
                &opts.loop_opts,
                epix_given(opts, &first)?,
                ranks,
                &mut |_| Ok(()),
                &|n| pb.set(n),
            )?;
            pb.finish();
            return Ok(idle_report(PathBuf::new(), pb.position(), 0, started));
        }
        return run_epix10ka(opts, settings, rep, &sources, &first, &dataset, ranks);
    }
    let gain_override = match &opts.gain_mode {
        Some(g) => Some(gain_mode(first.det_type, g)?),
        None => None,
    };
    let jungfrau = first.det_type == DetType::Jungfrau;
    if jungfrau && params.data_bits != 0x3fff {
        return Err(Error::bad_arg(
            "--databits",
            "--databits: JUNGFRAU raw words have 14 ADC bits (0x3fff) and 2 gain bits",
        ));
    }
    let perms = &settings.perms;
    let dirrepo = match (&opts.dirrepo, jungfrau) {
        (Some(p), _) => p.clone(),
        (None, true) => settings.panels_repo(None)?,
        (None, false) => PathBuf::from("work"),
    };
    let script = if jungfrau {
        "jungfrau_dark_proc"
    } else {
        "det_ndarr_raw_proc"
    };
    let panels = if opts.loop_opts.segind.is_some() {
        1
    } else {
        first.panel_ids.len()
    };
    // The job, shared by stream files (each rank its panels; `full`: the root's whole detector)
    // or by events.
    let run_job = |full: Option<&[RunSource]>,
                   done: &mut dyn FnMut(job::StepDone<'_>) -> Result<()>,
                   progress: &(dyn Fn(u64) + Sync)| match &by_streams {
        Some((own, my_panels)) => job::run_by_panels(
            own.as_deref().unwrap_or(&sources),
            full,
            my_panels,
            params,
            &opts.loop_opts,
            gain_override,
            ranks,
            done,
            progress,
        ),
        None => job::run_shared(
            &sources,
            params,
            &opts.loop_opts,
            gain_override,
            ranks,
            done,
            progress,
        ),
    };
    if !ranks.is_root() {
        let started = std::time::Instant::now();
        let pb = rep.progress(0, "dark frames");
        run_job(None, &mut |_| Ok(()), &|n| pb.set(n))?;
        pb.finish();
        log_files_used(ranks);
        return Ok(idle_report(dirrepo, pb.position(), panels, started));
    }
    let log = joblog::start(settings, &dirrepo, &dirrepo.join("logs"), script)?;
    if let Some(note) = &share_note {
        tracing::info!("{note}");
    }
    let repo = Repo::new(&dirrepo, perms.clone());
    // psana names every file of a job with the first run's time stamp.
    let tstamp = first.tstamp();
    let exp = opts.expname.clone().unwrap_or_else(|| first.exp.clone());
    tracing::info!(
        "{} ({}, {} panels {:?}), {} run(s) from {}; time stamp {tstamp}; repository {}",
        first.alias,
        first.det_type,
        first.panel_ids.len(),
        first.frame_shape,
        sources.len(),
        dataset,
        dirrepo.display()
    );
    let source = first.det_type.default_source(&first.alias);
    let pb = rep.progress(
        sources.iter().map(|s| s.frames_hint().unwrap_or(0)).sum(),
        "dark frames",
    );
    let started = std::time::Instant::now();
    let mut files = Vec::new();
    let mut steps = 0;
    let mut save = |d: job::StepDone<'_>| {
        for line in summary_lines(&d, params) {
            tracing::info!("{line}");
        }
        let written = if jungfrau {
            save_jungfrau(&repo, &d, &tstamp, &exp)?
        } else {
            let names = NdarrNames {
                template: &opts.ofname,
                dataset: &dataset,
                source: &source,
                savebw: opts.savebw,
            };
            save_ndarr(&dirrepo, &d, &names, perms)?
        };
        for f in &written {
            tracing::info!("saved {}", f.display());
        }
        files.extend(written);
        steps += 1;
        Ok(())
    };
    run_job(Some(&sources), &mut save, &|n| pb.set(n))?;
    pb.finish();
    log_files_used(ranks);
    let done = JobDone {
        dirrepo,
        steps,
        frames: pb.position(),
        panels,
        started,
        files,
        log: log.path().to_path_buf(),
    };
    done.report(
        &dataset,
        "no step was processed (check --stepnum, --evskip, --events)",
    )
}
