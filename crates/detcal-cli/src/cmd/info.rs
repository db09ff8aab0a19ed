//! `detcal info`: what a dataset holds (like psana's `datinfo` and `jungfrau_id`).

use std::process::ExitCode;

use detcal::source::{RunDescription, dataset_runs, describe_run};

use crate::args::DatasetArgs;
use crate::cli::EXIT_OK;

pub const AFTER_HELP: &str = "\
For each run: experiment, run number, start time (UTC, and the local YYYYmmddHHMMSS that
repository file names use), and every detector with raw data: DAQ alias, type, segments with
their panel ids, psana's unique id (<type>_<panel id>_...), frame shape, and its steps with
their gain modes (from the step's config update, else the step docstring, else the step index,
with psana's LCLS-I name for JUNGFRAU; for ePix10ka the gain mode is decoded from the
segments' asicPixelConfig and trbit valid at the step, as psana's find_gain_mode does, and the
config bits are shown) and event counts. Events missing a segment or damaged
are counted as skipped. When the run has the LCLS-II timing detector (alias timing, type ts),
how many events carry each event code (the codes -c/--evcode and --beam-off of `dark`,
`pixel-status`, `calib` and `extract` select).

EXAMPLES:
    detcal info exp=xpptut15:run=2 --data-dir data
    detcal info data/XPP/xpptut15/xtc/xpptut15-r0001-s000-c000.xtc2 --json";

/// Describe the runs, detectors, panels, steps and events of a dataset.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub data: DatasetArgs,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let runs = dataset_runs(&a.data.spec(), a.data.root.data_dir.as_deref())?;
    let descs: Vec<RunDescription> = runs
        .iter()
        .map(|f| describe_run(f))
        .collect::<Result<_, _>>()?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&descs)?);
        return Ok(ExitCode::from(EXIT_OK));
    }
    for d in &descs {
        print_run(d);
    }
    Ok(ExitCode::from(EXIT_OK))
}

fn print_run(d: &RunDescription) {
    let opt = |o: &Option<String>| o.clone().unwrap_or_else(|| "?".into());
    println!(
        "run {} of {}",
        d.run.map_or("?".to_string(), |r| r.to_string()),
        opt(&d.exp)
    );
    for f in &d.files {
        println!("  file        {}", f.display());
    }
    println!(
        "  start       {} (tstamp {})",
        opt(&d.start_utc),
        opt(&d.start_tstamp)
    );
    for det in &d.detectors {
        println!(
            "  detector    {} ({}, psana {}, raw {})",
            det.alias, det.daq_type, det.det_type, det.raw_version
        );
        println!("    unique id {}", det.unique_id);
        if let Some(s) = &det.frame_shape {
            println!("    frame     {s:?}");
        }
        for (seg, id) in det.segments.iter().zip(&det.panel_ids) {
            println!("    segment {seg:>2} {id}");
        }
        for s in &det.steps {
            println!(
                "    step {:>2}   gain mode {} {}{} ({}): {} events{}",
                s.index,
                s.gain_mode,
                s.gain_mode_name.as_deref().unwrap_or(""),
                s.psana_gain_mode
                    .as_deref()
                    .map(|n| format!(" = psana {n}"))
                    .unwrap_or_default(),
                s.gain_mode_source,
                s.events,
                if s.skipped > 0 {
                    format!(", {} skipped", s.skipped)
                } else {
                    String::new()
                }
            );
            if let Some(c) = &s.config {
                println!("            {c}");
            }
        }
        println!("    events    {} ({} skipped)", det.events, det.skipped);
    }
    if let Some(t) = &d.timing {
        println!(
            "  timing      {}: {} events, beam present in {}",
            t.alias, t.events, t.beam_present
        );
        for (code, n) in &t.codes {
            println!("    event code {code:>3}: {n} events");
        }
    }
}
