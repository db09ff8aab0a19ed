//! `detcal epix10ka-pedestals-calibration`: ePix10ka dark processing with the options of psana's
//! `epix10ka_pedestals_calibration` (the program answers to that name); the same work as
//! `detcal dark` on an ePix10ka, whose JUNGFRAU-style short options differ.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use detcal::dark::DarkParams;
use detcal::dark::job::LoopOptions;
use detcal::detector::{DetType, gain_mode};
use detcal::pipeline::dark::{self, DarkInput, DarkOptions};
use detcal::site;
use detcal::source::StackInfo;

use crate::args::PermArgs;
use crate::cli::EXIT_OK;

pub const AFTER_HELP: &str = "\
psana's epix10ka_pedestals_calibration: the ePix10ka dark processing of `detcal dark` (see its
help for the algorithm and the repository files), with psana's options. The dataset is
exp=<-e>:run=<-r> (plus -x if it starts with ':', or -x alone) under --data-dir or
$SIT_PSDM_DATA; each step's gain mode comes from the step (its configuration), or from
--gain-mode. A NumPy stack is one step: --input with --det-type, --gain-mode, --panel-ids,
-e, -r and --tstamp.

Differences from psana: a gain-mode mismatch or an unknown mode is an error (exit status 2, psana
exits with 0); fewer than 3 frames is an error; -d is the DAQ alias of the detector (a psana
source such as XcsEndstation.0:Epix10ka2M.0 means the only detector with raw data).

EXAMPLES:
    epix10ka_pedestals_calibration --input epix.npy --det-type epix10ka --gain-mode FM \\
        --panel-ids epixpanel1 -e xpptut15 -r 1 --tstamp 20210223203420 -o epixrepo";

/// ePix10ka dark processing with psana's options (psana epix10ka_pedestals_calibration).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Experiment.
    #[arg(short = 'e', long = "exp", value_name = "EXP")]
    pub exp: Option<String>,
    /// Run(s): 12 or 12,14-18.
    #[arg(short = 'r', long = "run", value_name = "RUN")]
    pub run: Option<String>,
    /// Detector: its DAQ alias (a psana source selects the only detector with raw data).
    #[arg(short = 'd', long = "det", value_name = "DET")]
    pub det: Option<String>,
    /// Most frames collected per calib cycle; the last one is never used.
    #[arg(short = 'b', long = "nbs", default_value_t = LoopOptions::default().nbs)]
    pub nbs: usize,
    /// Only this calib-cycle index.
    #[arg(short = 'c', long = "ccnum", value_name = "K")]
    pub ccnum: Option<u32>,
    /// Stop when the step count over all runs reaches this.
    #[arg(short = 'm', long = "ccmax", default_value_t = detcal::dark::epix10ka_job::DEFAULT_CCMAX)]
    pub ccmax: u32,
    /// Process and save only this panel index.
    #[arg(short = 'i', long = "idx", value_name = "I")]
    pub idx: Option<usize>,
    /// Dataset text: appended to exp=<exp>:run=<run> if it starts with ':', else the dataset.
    #[arg(short = 'x', long = "dsnamex", value_name = "TEXT")]
    pub dsnamex: Option<String>,
    /// Repository [default: $SIT_ROOT/detector/gains/epix10k/panels].
    #[arg(short = 'o', long = "dirrepo", value_name = "DIR")]
    pub dirrepo: Option<PathBuf>,
    /// Log level (psana's -L; DEBUG is like -v).
    #[arg(short = 'L', long = "logmode", default_value = "DEBUG")]
    pub logmode: String,
    /// Skip a step whose configured gain mode is not its calib cycle's, instead of failing.
    #[arg(short = 'E', long = "errskip")]
    pub errskip: bool,
    #[command(flatten)]
    pub root: crate::args::DataDirArg,
    /// A raw NumPy stack (N, [panels,] 352, 384) of one gain mode instead of a dataset.
    #[arg(long = "input", value_name = "STACK.npy")]
    pub input: Option<PathBuf>,
    /// Detector type of the stack (epix10ka, epix10kaquad, epix10ka2m).
    #[arg(long = "det-type", default_value = "epix10ka")]
    pub det_type: DetType,
    /// Gain mode of every step (FH, FM, FL, AHL-H, AML-M), instead of the steps' own.
    #[arg(long = "gain-mode", value_name = "MODE")]
    pub gain_mode: Option<String>,
    /// Panel ids of the stack's panels, comma-separated.
    #[arg(long = "panel-ids", value_name = "IDS", value_delimiter = ',')]
    pub panel_ids: Vec<String>,
    /// Time stamp YYYYmmddHHMMSS of the stack (local time).
    #[arg(long = "tstamp", value_name = "T")]
    pub tstamp: Option<String>,
    #[command(flatten)]
    pub perms: PermArgs,
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let input = if let Some(path) = &a.input {
        let need = |what: &str| format!("--input needs {what}");
        let exp = a.exp.clone().with_context(|| need("-e"))?;
        site::instrument(&exp)?;
        let run: u32 = a
            .run
            .as_deref()
            .with_context(|| need("-r"))?
            .parse()
            .context("-r: a stack has one run number")?;
        if a.panel_ids.is_empty() {
            bail!(need("--panel-ids"));
        }
        let tstamp = a.tstamp.as_deref().with_context(|| need("--tstamp"))?;
        DarkInput::Stack {
            path: path.clone(),
            info: StackInfo {
                det_type: a.det_type,
                panel_ids: a.panel_ids.clone(),
                exp,
                run,
                start: site::tstamp_to_timestamp(tstamp)?,
                gain_mode: match &a.gain_mode {
                    Some(g) => Some(gain_mode(a.det_type, g)?),
                    None => None,
                },
                alias: a.det.clone().unwrap_or_else(|| a.det_type.dir_name()),
            },
        }
    } else {
        let Some(spec) =
            detcal::detrun::dataset_of(a.exp.as_deref(), a.run.as_deref(), a.dsnamex.as_deref())
        else {
            bail!("give -e and -r together (or -x), or --input STACK.npy");
        };
        let det = a.det.clone().filter(|d| !d.contains(':'));
        DarkInput::Dataset { spec, det }
    };
    let opts = DarkOptions {
        input,
        params: DarkParams::default(),
        loop_opts: LoopOptions {
            stepnum: a.ccnum,
            stepmax: Some(a.ccmax),
            segind: a.idx,
            nbs: a.nbs,
            errskip: a.errskip,
            ..LoopOptions::default()
        },
        gain_mode: a.gain_mode.clone(),
        dirrepo: a.dirrepo.clone(),
        expname: None,
        ofname: dark::DEFAULT_OFNAME.to_string(),
        savebw: dark::DEFAULT_SAVEBW,
    };
    let settings = crate::args::settings(&a.perms, a.root.data_dir.as_deref());
    dark::run(&opts, &settings, &crate::output::Bars)?;
    Ok(ExitCode::from(EXIT_OK))
}
