//! `detcal datinfo` (psana's `datinfo`): a detector's constants, geometry, steps and first
//! events in each run of a dataset.

use std::process::ExitCode;

use detcal::pipeline::datinfo::{self, DatinfoOptions, RunInfo};

use crate::args::{CalibDirArg, DatasetArgs};
use crate::cli::EXIT_OK;

pub const AFTER_HELP: &str = "\
Prints, as psana's datinfo does, for each run of the dataset: the experiment, run, calibration
directory and detector type; the detector's source, panel ids and unique id; one line per
calibration constant valid for the run (pedestals, pixel_rms, pixel_status, common_mode,
pixel_gain, pixel_offset, status_extra: shape, size, dtype, first values, and the file or psana
default it came from); the pixel X, Y, Z coordinates (µm) of the geometry valid for the run
(store, else the type's default); then per step its gain mode, the raw data of its first
--evtkeys events (for an ePix10ka also the fraction of pixels in each gain range) and the number
of events looked at and good (complete frames). The dataset may be XTC2 or a raw NumPy stack.
--json prints the same as JSON.

EXAMPLES:
    detcal simulate --out idata --panels 2 --events 3 --no-light
    detcal datinfo -e xpptut15 -r 1 --data-dir idata -d jungfrau
    datinfo -e xpptut15 -r 1 --data-dir idata --evtkeys 1 --stepnum 2
    detcal datinfo idata/XPP/xpptut15/xtc/xpptut15-r0001-s000-c000.xtc2 --data-dir idata --json";

/// Describe a detector's constants, geometry, steps and events in a dataset (psana datinfo).
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub data: DatasetArgs,
    /// DAQ alias of the detector (default: the only detector with raw data).
    #[arg(
        short = 'd',
        long = "detname",
        visible_alias = "det",
        value_name = "ALIAS"
    )]
    pub det: Option<String>,
    /// psana's -x: extra dataset fields appended to exp=...:run=... when they start with ':'
    /// (e.g. :dir=/path/to/xtc), else the whole dataset instead of -e/-r.
    #[arg(short = 'x', long = "dsnamex", value_name = "TEXT")]
    pub dsnamex: Option<String>,
    #[command(flatten)]
    pub calib: CalibDirArg,
    /// DetInfo source naming the detector in the store [default: <alias>.0:<Type>.0].
    #[arg(long, value_name = "SRC")]
    pub calib_source: Option<String>,
    /// Events to look at in each step.
    #[arg(long, value_name = "N", default_value_t = 1_000_000)]
    pub events: u64,
    /// Events to skip at the start of each step.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub evskip: u64,
    /// Events of each step whose raw data is printed.
    #[arg(long, value_name = "N", default_value_t = 2)]
    pub evtkeys: u64,
    /// Steps to look at.
    #[arg(long, value_name = "N", default_value_t = 1000)]
    pub steps: u32,
    /// Steps to skip first.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub stskip: u32,
    /// Only this step (0-based).
    #[arg(long, value_name = "K")]
    pub stepnum: Option<u32>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let dataset = match (&a.dsnamex, &a.data.dataset) {
        (None, _) => a.data.spec(),
        // With a DATASET, -x adds fields to it.
        (Some(x), Some(d)) => {
            if !d.contains('=') {
                anyhow::bail!(
                    "-x {x}: extra dataset fields need -e EXP -r RUN (or exp=...:run=...)"
                );
            }
            format!("{d}:{}", x.trim_start_matches(':'))
        }
        (Some(x), None) => {
            detcal::detrun::dataset_of(a.data.exp.as_deref(), a.data.run.as_deref(), Some(x))
                .unwrap_or_else(|| a.data.spec())
        }
    };
    let opts = DatinfoOptions {
        dataset,
        det: a.det.clone(),
        calib_dir: a.calib.calib_dir.clone(),
        calib_source: a.calib_source.clone(),
        events: a.events,
        evskip: a.evskip,
        evtkeys: a.evtkeys,
        steps: a.steps,
        stskip: a.stskip,
        stepnum: a.stepnum,
    };
    let settings =
        detcal::settings::Settings::from_env().with_data_dir(a.data.root.data_dir.as_deref());
    let runs = datinfo::run(&opts, &settings)?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&runs)?);
    } else {
        for r in &runs {
            print!("{}", text(r));
        }
    }
    Ok(ExitCode::from(EXIT_OK))
}

/// The text report of one run.
fn text(r: &RunInfo) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let _ = writeln!(s, "expname   : {}", r.exp);
    let _ = writeln!(s, "run       : {}", r.run);
    let _ = writeln!(s, "calibDir  : {}", r.calib_dir.display());
    let _ = writeln!(s, "dettype   : {}", r.det_type);
    let _ = writeln!(s, "detname   : {}", r.alias);
    let _ = writeln!(s, "source    : {}", r.source);
    let _ = writeln!(s, "unique id : {}", r.unique_id);
    for (i, id) in r.panel_ids.iter().enumerate() {
        let _ = writeln!(s, "  panel {i:02}: {id}");
    }
    for c in &r.constants {
        let _ = writeln!(s, "  {c}");
        if let Some(from) = &c.from {
            let _ = writeln!(s, "      from {from}");
        }
    }
    if let Some(g) = &r.geometry {
        let _ = writeln!(s, "  geometry: {g}");
    }
    for c in &r.coords {
        let _ = writeln!(s, "  {c}");
    }
    for st in &r.steps {
        let _ = writeln!(
            s,
            "step {}{}",
            st.index,
            st.gain_mode
                .as_ref()
                .map(|m| format!(" gain mode {m}"))
                .unwrap_or_default()
        );
        for e in &st.events {
            let _ = writeln!(s, "  event {} {}: {}", e.index, e.time, e.raw);
            if let Some(f) = &e.gain_range_fractions {
                let parts: Vec<String> = f
                    .iter()
                    .filter(|(_, v)| *v > 0.0)
                    .map(|(n, v)| format!("{n}: {v:.4}"))
                    .collect();
                let _ = writeln!(s, "    gain range fractions {}", parts.join(", "));
            }
        }
        let _ = writeln!(
            s,
            "  step {} summary: events total {}, good {}",
            st.index, st.total, st.good
        );
    }
    s
}
