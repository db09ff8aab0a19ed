//! `detcal dark`: per-pixel pedestals, rms, min, max and status from dark runs, into the
//! per-panel repository (psana's `jungfrau_dark_proc`; `det_ndarr_raw_proc` for single-gain
//! detectors).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use detcal::dark::DarkParams;
use detcal::dark::job::LoopOptions;
use detcal::detector::DetType;
use detcal::pipeline::dark::{self, DarkInput, DarkOptions, StackFlags};

use crate::args::PermArgs;
use crate::cli::EXIT_OK;

pub const AFTER_HELP: &str = "\
For each run of the dataset and each step (one gain mode per step: Normal, ForcedGain1,
ForcedGain2 in a standard JUNGFRAU dark run), psana's two-stage algorithm gives every pixel:
stage 1 takes a gate from the --fraclo and --frachi quantiles of its first --nrecs1 values
(clamped to [int_lo, int_hi]); stage 2 averages the values inside the gate over up to --nrecs
events. The status bits are 1 rms above mean+H*std of all pixels (or rms_hi), 2 rms below
mean-L*std (or rms_lo), 4 above int_hi in more than fraclm of the events (saturated), 8 below
int_lo likewise (cold), 16 average above mean+U*std (or int_hi), 32 average below mean-D*std (or
int_lo), and for JUNGFRAU 64: a gain code other than the step's expected one in any event.

JUNGFRAU results go per panel and gain mode into the repository (-o), as psana writes them:
  <repo>/<panel_id>/{pedestals,rms,status,dark_min,dark_max}/
      jungfrau_<alias>_<tstamp>_<exp>_r<NNNN>_<ctype>_gm<i>-<Mode>.dat
with panel aliases from <repo>/.aliases_jungfrau.txt (assigned under a file lock), a log in
<repo>/logs/<YYYY>/ and a record of the job in the per-year file. <tstamp> is the start of the
job's first run, in local time. Single-gain detectors (ePix100a, CSPAD, pnCCD, cameras) get
det_ndarr_raw_proc's files (--ofname, --savebw) in -o (default ./work).

ePix10ka, ePix10ka quad and ePix10ka 2M (psana's epix10ka_pedestals_calibration) use their own
two-pass algorithm with fixed thresholds, each panel on its own: pass 1 over the first 500
records with the gate [1, 16000] gives the panel's average rms; pass 2 over all records uses
the gate ave1 +- 6 rms_ave. At most --nbs frames are collected per step and the last one is
never used. Status bits 1-32 as above (no bit 64). Files go per panel into
<repo>/<panel_id>/{pedestals,rms,status}/epix10ka_<alias>_<tstamp>_<exp>_r<NNNN>_<ctype>_<MODE>.dat
(default repository $SIT_ROOT/detector/gains/epix10k/panels, aliases in <repo>/.aliases.txt);
after AHL-H and AML-M steps also the derived AHL-L/AML-L pedestals where the panel has the
charge-injection offset and gainci files.

A NumPy stack (N, rows, cols) or (N, panels, rows, cols) of uint16 raw words is one step:
    detcal dark --input stack.npy --gain-mode ForcedGain1 --panel-ids ID1,ID2 --exp EXP \\
        --run 12 --tstamp 20231102080104 -o REPO
    detcal dark --input epix.npy --det-type epix10ka --gain-mode FH --panel-ids ID --exp EXP \\
        --run 1 --tstamp 20210223203420 -o REPO

Drop shots: in a light run, the shots the beam kicker dropped are dark frames. -c/--evcode
CODES takes only events whose LCLS-II timing data (the run's `timing` detector) has any of
the codes (a negative code inverts: events with none of them); --beam-off is -c 162 (LCLS-I
BYKIK). As psana does, the statistics then accumulate over every step and run and are saved
once, as the first step's gain mode (gm0 Normal in a regular run), so `deploy` picks them by
time stamp like any dark run. A run without timing data, or no event selected, is an error
and nothing is written; codes that occur in no event of a run are a warning. ePix10ka: the
selected frames of each step give that step's results, its gain range taken from its
configuration (a light run's steps are not calib cycles). pixel-status, calib, extract and
calibrun (-f) take the same selection.

MPI (a build with the cargo feature `mpi`): started by mpirun or srun, the ranks share each
step's frames (rank 0 takes the first --nrecs1 for the gates and broadcasts them, the rest go
round-robin in runs of 32); the accumulators are reduced to rank 0, which writes the files, the
alias table and the log. The files are those of one process, byte for byte. ePix10ka runs are
shared by panel (psana processes each panel on its own): each rank takes a contiguous share of
the panels over all frames, rank 0 gathers the results. A run in several stream files
(-s000-, -s001-, ...) is split by stream file: each rank opens and reads only its own streams
and processes their panels over every event, rank 0 gathers the panels (up to as many ranks as
streams; with -c/--evcode, --beam-off, --segind, more ranks than streams or streams that do not
show the same events, the ranks share events instead, and the log says why). For example, on
4 processes:
    mpirun -n 4 detcal dark exp=xpptut15:run=1 --data-dir data -o panels

EXAMPLES:
    detcal dark exp=xpptut15:run=1 --data-dir data -o panels
    detcal dark exp=xpptut15:run=2 --beam-off --data-dir data -o panels     (drop shots)
    detcal dark exp=xpptut15:run=2 -c -162 --data-dir data -o panels   (all but drop shots)
    detcal dark --input epix.npy --det-type epix10ka --gain-mode FH --panel-ids epixpanel1 \\
        --exp xpptut15 --run 1 --tstamp 20210223203420 -o epixrepo
    jungfrau_dark_proc -d exp=xpptut15:run=1 -s jungfrau -o ./work     (psana's name)";

/// Dark processing into the per-panel repository (psana jungfrau_dark_proc).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Dataset: .xtc2 file(s) or exp=<exp>:run=<runs>[:dir=<dir>].
    #[arg(value_name = "DATASET", conflicts_with = "dsname")]
    pub dataset: Option<String>,
    /// Dataset, as psana's -d.
    #[arg(short = 'd', long = "dsname", value_name = "DATASET")]
    pub dsname: Option<String>,
    /// Detector alias (default: the only detector with raw data).
    #[arg(short = 's', long = "source", value_name = "DET")]
    pub source: Option<String>,
    /// Most events in all (psana counts them before checking).
    #[arg(short = 'n', long = "events", default_value_t = LoopOptions::default().events)]
    pub events: u64,
    /// Events to skip at the start of each step.
    #[arg(short = 'm', long = "evskip", default_value_t = LoopOptions::default().evskip)]
    pub evskip: u64,
    /// Most events of each step.
    #[arg(short = 'e', long = "evstep", default_value_t = LoopOptions::default().evstep)]
    pub evstep: u64,
    /// Intensity low limit (ADU).
    #[arg(short = 'b', long = "int_lo", default_value_t = DarkParams::default().int_lo)]
    pub int_lo: f64,
    /// Intensity high limit (ADU).
    #[arg(short = 't', long = "int_hi", default_value_t = DarkParams::default().int_hi)]
    pub int_hi: f64,
    /// Rms low limit.
    #[arg(short = 'B', long = "rms_lo", default_value_t = DarkParams::default().rms_lo)]
    pub rms_lo: f64,
    /// Rms high limit.
    #[arg(short = 'T', long = "rms_hi", default_value_t = DarkParams::default().rms_hi)]
    pub rms_hi: f64,
    /// Allowed fraction of events outside [int_lo, int_hi].
    #[arg(short = 'F', long = "fraclm", default_value_t = DarkParams::default().fraclm)]
    pub fraclm: f64,
    /// Sigmas for the low average limit.
    #[arg(short = 'D', long = "intnlo", default_value_t = DarkParams::default().intnlo)]
    pub intnlo: f64,
    /// Sigmas for the high average limit.
    #[arg(short = 'U', long = "intnhi", default_value_t = DarkParams::default().intnhi)]
    pub intnhi: f64,
    /// Sigmas for the low rms limit.
    #[arg(short = 'L', long = "rmsnlo", default_value_t = DarkParams::default().rmsnlo)]
    pub rmsnlo: f64,
    /// Sigmas for the high rms limit.
    #[arg(short = 'H', long = "rmsnhi", default_value_t = DarkParams::default().rmsnhi)]
    pub rmsnhi: f64,
    /// Events collected per gain mode.
    #[arg(long = "nrecs", default_value_t = DarkParams::default().nrecs)]
    pub nrecs: usize,
    /// Events for the first stage (the gates).
    #[arg(long = "nrecs1", default_value_t = DarkParams::default().nrecs1)]
    pub nrecs1: usize,
    /// Quantile of the low gate.
    #[arg(long = "fraclo", default_value_t = DarkParams::default().fraclo)]
    pub fraclo: f64,
    /// Quantile of the high gate.
    #[arg(long = "frachi", default_value_t = DarkParams::default().frachi)]
    pub frachi: f64,
    /// Only this step index (0-based; ePix10ka: only this calib cycle, psana's --ccnum).
    #[arg(
        short = 'N',
        long = "stepnum",
        visible_alias = "ccnum",
        value_name = "K"
    )]
    pub stepnum: Option<u32>,
    /// Most steps in all runs (ePix10ka: psana's --ccmax, 5 when not given).
    #[arg(
        short = 'M',
        long = "stepmax",
        visible_alias = "ccmax",
        value_name = "K"
    )]
    pub stepmax: Option<u32>,
    /// Only this panel index (ePix10ka: psana's --idx).
    #[arg(short = 'I', long = "segind", visible_alias = "idx", value_name = "I")]
    pub segind: Option<usize>,
    /// ePix10ka: the most frames collected per step; the last one is never used (psana -b).
    #[arg(long = "nbs", value_name = "N", default_value_t = LoopOptions::default().nbs)]
    pub nbs: usize,
    /// ePix10ka: skip a step whose configured gain mode is not its calib cycle's (psana -E).
    #[arg(short = 'E', long = "errskip")]
    pub errskip: bool,
    /// Only events with any of these event codes (psana -c: comma-separated; a negative code
    /// inverts the selection), from the run's LCLS-II timing data; statistics then accumulate
    /// over all steps and runs and are saved once, labelled with the first step's gain mode.
    #[arg(
        short = 'c',
        long = "evcode",
        value_name = "CODES",
        allow_hyphen_values = true
    )]
    pub evcode: Option<String>,
    /// Only drop shots (beam off): the same as -c 162 (LCLS-I BYKIK, the kicker dropped the shot).
    #[arg(long = "beam-off", conflicts_with = "evcode")]
    pub beam_off: bool,
    /// psana's plot bit-word; accepted for compatibility (use detcal plot on the results).
    #[arg(short = 'p', long = "plotim", default_value_t = 0)]
    pub plotim: u32,
    /// psana's deprecated upload flag; ignored.
    #[arg(short = 'u', long = "upload")]
    pub upload: bool,
    /// Repository [JUNGFRAU default: $SIT_ROOT/detector/gains/jungfrau/panels; others: ./work].
    #[arg(short = 'o', long = "dirrepo", value_name = "DIR")]
    pub dirrepo: Option<PathBuf>,
    /// Experiment name to use in file names instead of the run's.
    #[arg(long = "expname", value_name = "EXP")]
    pub expname: Option<String>,
    /// Log level (psana's --logmode; DEBUG is like -v).
    #[arg(long = "logmode", default_value = "INFO")]
    pub logmode: String,
    #[command(flatten)]
    pub root: crate::args::DataDirArg,
    /// A raw NumPy stack instead of a dataset.
    #[arg(long = "input", value_name = "STACK.npy", conflicts_with_all = ["dataset", "dsname"])]
    pub input: Option<PathBuf>,
    /// Gain mode of the stack's frames (Normal, ForcedGain1, ... or 0-5); overrides the steps'.
    #[arg(long = "gain-mode", value_name = "MODE")]
    pub gain_mode: Option<String>,
    /// Panel ids of the stack's segments, comma-separated.
    #[arg(long = "panel-ids", value_name = "IDS", value_delimiter = ',')]
    pub panel_ids: Vec<String>,
    /// Experiment of the stack.
    #[arg(long = "exp", value_name = "EXP")]
    pub exp: Option<String>,
    /// Run number of the stack.
    #[arg(long = "run", value_name = "N")]
    pub run: Option<u32>,
    /// Time stamp YYYYmmddHHMMSS of the stack (local time).
    #[arg(long = "tstamp", value_name = "T")]
    pub tstamp: Option<String>,
    /// Detector type of the stack.
    #[arg(long = "det-type", default_value = "jungfrau")]
    pub det_type: DetType,
    /// ADC bits of a raw word (single-gain detectors; JUNGFRAU uses 0x3fff).
    #[arg(long = "databits", value_name = "MASK", value_parser = parse_hex)]
    pub databits: Option<u16>,
    /// det_ndarr_raw_proc's file-name template (single-gain detectors).
    #[arg(
        short = 'f',
        long = "ofname",
        default_value = dark::DEFAULT_OFNAME
    )]
    pub ofname: String,
    /// det_ndarr_raw_proc's bits of arrays to save: 1 ave, 2 rms, 4 sta, 8 msk, 16 max, 32 min.
    #[arg(short = 'S', long = "savebw", default_value_t = dark::DEFAULT_SAVEBW)]
    pub savebw: u32,
    #[command(flatten)]
    pub perms: PermArgs,
    /// Share the work over MPI (implied when started by mpirun or srun); needs a build with
    /// the cargo feature `mpi`.
    #[arg(long = "mpi")]
    pub mpi: bool,
}

fn parse_hex(s: &str) -> Result<u16, String> {
    let t = s.trim();
    let v = match t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        Some(h) => u16::from_str_radix(h, 16),
        None => t.parse::<u16>(),
    };
    v.map_err(|_| format!("{s:?}: expected a 16-bit mask such as 0x3fff or 16383"))
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let evcode = match (&a.evcode, a.beam_off) {
        (Some(list), _) => Some(detcal::evcode::EventCodeSelection::parse(list)?),
        (None, true) => Some(detcal::evcode::EventCodeSelection::beam_off()),
        (None, false) => None,
    };
    if a.plotim != 0 {
        tracing::warn!(
            "-p/--plotim is accepted for compatibility; make images with `detcal plot` on the files written"
        );
    }
    let opts = DarkOptions {
        input: input(&a)?,
        params: DarkParams {
            nrecs: a.nrecs,
            nrecs1: a.nrecs1,
            int_lo: a.int_lo,
            int_hi: a.int_hi,
            rms_lo: a.rms_lo,
            rms_hi: a.rms_hi,
            intnlo: a.intnlo,
            intnhi: a.intnhi,
            rmsnlo: a.rmsnlo,
            rmsnhi: a.rmsnhi,
            fraclm: a.fraclm,
            fraclo: a.fraclo,
            frachi: a.frachi,
            data_bits: a.databits.unwrap_or(0x3fff),
        },
        loop_opts: LoopOptions {
            events: a.events,
            evskip: a.evskip,
            evstep: a.evstep,
            stepnum: a.stepnum,
            stepmax: a.stepmax,
            segind: a.segind,
            nbs: a.nbs,
            errskip: a.errskip,
            evcode,
        },
        gain_mode: a.gain_mode.clone(),
        dirrepo: a.dirrepo.clone(),
        expname: a.expname.clone(),
        ofname: a.ofname.clone(),
        savebw: a.savebw,
    };
    let settings = crate::args::settings(&a.perms, a.root.data_dir.as_deref());
    crate::ranks::with_ranks(a.mpi, |ranks| {
        // Progress bars and the summary come from the root; the other ranks stay quiet.
        let report = if ranks.is_root() {
            dark::run_shared(&opts, &settings, &crate::output::Bars, ranks)?
        } else {
            dark::run_shared(&opts, &settings, &detcal::report::Quiet, ranks)?
        };
        if ranks.size() > 1 {
            tracing::info!(
                "rank {} of {}: {} frames taken in {:.1} s",
                ranks.rank(),
                ranks.size(),
                report.frames,
                report.seconds
            );
        }
        Ok(())
    })?;
    Ok(ExitCode::from(EXIT_OK))
}

/// The raw frames the flags name: a NumPy stack with its description, or a dataset.
fn input(a: &Args) -> anyhow::Result<DarkInput> {
    if let Some(input) = &a.input {
        let flags = StackFlags {
            det_type: a.det_type,
            panel_ids: a.panel_ids.clone(),
            exp: a.exp.clone(),
            run: a.run,
            tstamp: a.tstamp.clone(),
            gain_mode: a.gain_mode.clone(),
            alias: a.source.clone(),
        };
        return Ok(DarkInput::Stack {
            path: input.clone(),
            info: flags.info()?,
        });
    }
    let spec = a
        .dataset
        .clone()
        .or_else(|| a.dsname.clone())
        .context("give a dataset (or -d, or --input STACK.npy)")?;
    Ok(DarkInput::Dataset {
        spec,
        det: a.source.clone(),
    })
}
