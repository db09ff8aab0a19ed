//! `detcal calibrun` (psana's CalibManager `calibrun`): dark processing and deployment of the
//! single-gain detectors of a run.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::bail;
use detcal::dark::DarkParams;
use detcal::detector::DetType;
use detcal::pipeline::calibrun::{self, CalibrunOptions};
use detcal::store::RunRange;

use crate::args::PermArgs;
use crate::cli::EXIT_OK;

pub const AFTER_HELP: &str = "\
psana's workflow for the dark run of regular detectors (ePix100a, pnCCD, CSPAD, CSPAD2x2,
cameras): with -P every single-gain detector of the run (of the types given by -d) gets the dark
processing of det_ndarr_raw_proc (see `detcal dark`) with calibrun's thresholds; its six results
go to <workdir>/work/clb-<exp>-r<NNNN>-peds-<type>-<source>.txt (type ave, rms, sta, msk, max,
min). With -D they are deployed into the experiment's calibration store:
    ave -> pedestals, rms -> pixel_rms, sta -> pixel_status
    (pnCCD: cmo -> common_mode when that file exists; nothing writes one, as in psana)
as <calib>/<group>/<source>/<ctype>/<runrange>.data with a line in the ctype's HISTORY. The
source is <alias>.0:<Type>.0, e.g. pnccd.0:pnCCD.0 in PNCCD::CalibV1.

The detectors of a run are the single-gain detectors in its XTC2 files
(<root>/<INS>/<exp>/xtc/<exp>-r<NNNN>-s*.xtc2) and its NumPy stacks
(<root>/<INS>/<exp>/npy/<exp>-r<NNNN>-<alias>.npy with the description <...>.json beside it, as
`detcal simulate --det pnccd|epix100a` writes them). <root> is --data-dir or $SIT_PSDM_DATA.

Under the name calibrun, -v is the run range as in psana (in `detcal calibrun`, -v is detcal's
--verbose; use --runrange).

-f/--event_code CODES (psana's list: any listed code; a negative code inverts) keeps only those
events of XTC2 runs with LCLS-II timing data (see detcal dark --help); NumPy stacks carry no
timing data, so -f on them is an error.

EXAMPLES:
    detcal simulate --det pnccd --out data --events 50 --no-light
    detcal calibrun -e xpptut15 -r 1 -P -D --data-dir data -w .
    detcal find -c data/XPP/xpptut15/calib -s pnccd.0:pnCCD.0 -t pedestals -r 5
    calibrun -e xpptut15 -r 1 -d PNCCD -P -D -v 1-10 --data-dir data     (psana's name)";

/// Dark processing and deployment of a run's single-gain detectors (psana calibrun).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Experiment name.
    #[arg(short = 'e', long = "exp", value_name = "EXP")]
    pub exp: String,
    /// The dark run.
    #[arg(short = 'r', long = "run", value_name = "RUN")]
    pub run: u32,
    /// psana's extended dataset name; not supported (runs are found by -e and -r).
    #[arg(short = 'x', long = "dsnamex", value_name = "DSNAME")]
    pub dsnamex: Option<String>,
    /// Detector types to process, comma-separated (CSPAD,PNCCD,EPIX100A, ...) [default: all
    /// single-gain detectors of the run].
    #[arg(
        short = 'd',
        long = "detector",
        value_name = "TYPES",
        value_delimiter = ','
    )]
    pub detector: Vec<String>,
    /// Only events with any of these event codes (psana -f: comma-separated; a negative code
    /// inverts), from the runs' LCLS-II timing data (NumPy stacks carry none).
    #[arg(
        short = 'f',
        long = "event_code",
        value_name = "CODES",
        allow_hyphen_values = true
    )]
    pub event_code: Option<String>,
    /// Work directory: the dark files go to <workdir>/work.
    #[arg(short = 'w', long = "workdir", value_name = "DIR", default_value = ".")]
    pub workdir: PathBuf,
    /// Calibration directory [default: <data root>/<INS>/<exp>/calib].
    #[arg(short = 'c', long = "calibdir", value_name = "DIR")]
    pub calibdir: Option<PathBuf>,
    /// Validity of the deployed files, e.g. 10-20 or 10-end [default: <run>-end] (psana -v).
    #[arg(long = "runrange", value_name = "B-E")]
    pub runrange: Option<RunRange>,
    /// Process the dark run.
    #[arg(short = 'P', long = "process")]
    pub process: bool,
    /// Deploy the results into the calibration store.
    #[arg(short = 'D', long = "deploy")]
    pub deploy: bool,
    /// Number of events to process.
    #[arg(short = 'n', long = "num_events", default_value_t = 1000)]
    pub num_events: u64,
    /// Number of events to skip first.
    #[arg(short = 's', long = "skip_events", default_value_t = 0)]
    pub skip_events: u64,
    /// Events psana scans for the event keys; accepted and unused (detcal reads the run's
    /// detector list directly).
    #[arg(short = 'm', long = "scan_events", default_value_t = 10)]
    pub scan_events: u64,
    /// Intensity low limit (ADU).
    #[arg(short = 'B', long = "thr_int_min", default_value_t = calibrun::default_params().int_lo)]
    pub thr_int_min: f64,
    /// Intensity high limit (ADU).
    #[arg(short = 'T', long = "thr_int_max", default_value_t = calibrun::default_params().int_hi)]
    pub thr_int_max: f64,
    /// Rms low limit (ADU).
    #[arg(short = 'b', long = "thr_rms_min", default_value_t = calibrun::default_params().rms_lo)]
    pub thr_rms_min: f64,
    /// Rms high limit (ADU).
    #[arg(short = 't', long = "thr_rms_max", default_value_t = calibrun::default_params().rms_hi)]
    pub thr_rms_max: f64,
    /// Sigmas for the low average limit.
    #[arg(short = 'Z', long = "intnlo", default_value_t = calibrun::default_params().intnlo)]
    pub intnlo: f64,
    /// Sigmas for the high average limit.
    #[arg(short = 'U', long = "intnhi", default_value_t = calibrun::default_params().intnhi)]
    pub intnhi: f64,
    /// Sigmas for the low rms limit.
    #[arg(short = 'z', long = "rmsnlo", default_value_t = calibrun::default_params().rmsnlo)]
    pub rmsnlo: f64,
    /// Sigmas for the high rms limit.
    #[arg(short = 'u', long = "rmsnhi", default_value_t = calibrun::default_params().rmsnhi)]
    pub rmsnhi: f64,
    /// Events collected for the averages.
    #[arg(long = "nrecs", default_value_t = DarkParams::default().nrecs)]
    pub nrecs: usize,
    /// Events for the first stage (the gates).
    #[arg(long = "nrecs1", default_value_t = DarkParams::default().nrecs1)]
    pub nrecs1: usize,
    /// Deploy zero pedestals (psana: Rayonix only); not supported.
    #[arg(long = "zeropeds")]
    pub zeropeds: bool,
    /// Also deploy the default geometry; not supported here (use detcal geometry deploy).
    #[arg(long = "deploygeo")]
    pub deploygeo: bool,
    /// Log level (psana's --loglev; DEBUG is like -v).
    #[arg(short = 'l', long = "loglev", default_value = "INFO")]
    pub loglev: String,
    #[command(flatten)]
    pub root: crate::args::DataDirArg,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub perms: PermArgs,
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    if a.dsnamex.is_some() {
        bail!(
            "-x/--dsnamex: not supported; detcal finds the run's files by -e and -r (and --data-dir)"
        );
    }
    if a.zeropeds {
        bail!(
            "--zeropeds: zero pedestals are written for Rayonix cameras only, which detcal does not process"
        );
    }
    if a.deploygeo {
        bail!("--deploygeo: not supported here; deploy a geometry with `detcal geometry deploy`");
    }
    let detectors = a
        .detector
        .iter()
        .map(|d| d.parse::<DetType>())
        .collect::<Result<Vec<_>, _>>()?;
    let opts = CalibrunOptions {
        exp: a.exp,
        run: a.run,
        detectors,
        workdir: a.workdir,
        calib_dir: a.calibdir,
        runrange: a.runrange,
        process: a.process,
        deploy: a.deploy,
        events: a.num_events,
        skip: a.skip_events,
        params: DarkParams {
            nrecs: a.nrecs,
            nrecs1: a.nrecs1,
            int_lo: a.thr_int_min,
            int_hi: a.thr_int_max,
            rms_lo: a.thr_rms_min,
            rms_hi: a.thr_rms_max,
            intnlo: a.intnlo,
            intnhi: a.intnhi,
            rmsnlo: a.rmsnlo,
            rmsnhi: a.rmsnhi,
            ..calibrun::default_params()
        },
        evcode: a
            .event_code
            .as_deref()
            .map(detcal::evcode::EventCodeSelection::parse)
            .transpose()?,
    };
    let settings = crate::args::settings(&a.perms, a.root.data_dir.as_deref());
    let report = calibrun::run(&opts, &settings, &crate::output::Bars)?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(ExitCode::from(EXIT_OK));
    }
    for d in &report.detectors {
        println!("{} ({}) source {}", d.alias, d.det_type, d.source);
        for f in &d.processed {
            println!("  processed: {}", f.display());
        }
        for (ctype, f) in &d.deployed {
            println!("  deployed {ctype:<13} {}", f.display());
        }
    }
    Ok(ExitCode::from(EXIT_OK))
}
