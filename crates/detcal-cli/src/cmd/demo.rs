//! `detcal demo`: the whole pipeline on a simulated JUNGFRAU, checked against the truth.

use std::path::PathBuf;
use std::process::ExitCode;

use detcal_sim::demo::{self, DemoOptions, DemoReport, Step, StepDone};

use crate::cli::{EXIT_ERROR, EXIT_OK};
pub const AFTER_HELP: &str = "\
Runs the whole of detcal on the embedded simulator, in DIR, showing each command as you would type
it:

  1. detcal simulate        a JUNGFRAU with known truth: a dark run (3 steps: gain modes 0, 1, 2)
                            and a light run of --energy keV photons with per-bank common mode,
                            plus each panel's gain and offset maps
  2. detcal dark            pedestals, rms, status, min and max per panel and gain mode into the
                            panel repository DIR/panels
  3. detcal deploy -D       the panels merged into (3, panels, rows, cols) and deployed into the
                            calibration store DIR/calib
  4. detcal gain-constants  pixel_gain and pixel_offset from the gain maps, deployed
  5. calibration            the light run calibrated with the deployed constants (common mode on)

and then compares what came out with the truth the simulator wrote:

  pedestals     the error of the deployed pedestals on good pixels, per gain mode, beside the
                statistical limit rms/sqrt(events)
  defects       each kind of injected defect (dead, hot, noisy, wrong gain, invalid gain,
                saturated): how many pixels were flagged in pixel_status and masked
  photon peak   the single-photon peak of the calibrated light run, in keV
  common mode   the spread of per-bank offsets with and without the correction

CHECKS (the exit status is 0 only if all pass): the photon peak within 1% of --energy; every dead,
saturated and invalid-gain pixel masked; common mode reducing the bank offsets at least 5-fold;
the mean pedestal error within 3 times the statistical limit.

Images go to DIR/images (pedestals, status, spectrum, mean calibrated image). DIR is created; an
existing DIR is reused only if an earlier demo made it (it is then cleared).

EXAMPLES:
    detcal demo
    detcal demo --dir jf --panels 8 --energy 6.0
    detcal demo --panels 1 --shape 64x256 --json      (a quick run, the report as JSON)";

/// Simulate, process, deploy and apply constants, and compare the result with the truth.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Working directory (created; cleared if an earlier demo made it).
    #[arg(long, value_name = "DIR", default_value = "detcal-demo")]
    pub dir: PathBuf,
    /// Number of JUNGFRAU panels.
    #[arg(short, long, default_value_t = 4)]
    pub panels: usize,
    /// Events in each of the 3 dark steps.
    #[arg(short = 'n', long, default_value_t = 100)]
    pub events: usize,
    /// Events in the light run.
    #[arg(long, default_value_t = 100)]
    pub light_events: usize,
    /// Photon energy of the light run (keV).
    #[arg(long, default_value_t = 9.5)]
    pub energy: f64,
    /// Panel shape ROWSxCOLS.
    #[arg(long, value_name = "RxC", default_value = "512x1024")]
    pub shape: String,
    /// Seed of the simulation.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Print the report as JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let (rows, cols) = crate::args::parse_shape(&a.shape)?;
    let opts = DemoOptions {
        dir: a.dir.clone(),
        panels: a.panels,
        events: a.events,
        light_events: a.light_events,
        energy: a.energy,
        shape: (rows, cols),
        seed: a.seed,
    };
    let quiet = a.json;
    let report = demo::run(&opts, &crate::output::Bars, &mut |step, done| {
        if !quiet {
            show(step, done);
        }
    })?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_report(&report);
    }
    Ok(ExitCode::from(if report.passed() {
        EXIT_OK
    } else {
        EXIT_ERROR
    }))
}

/// Shows a step as it starts (its title and the command that does the same) and what it did.
fn show(step: &Step, done: Option<&StepDone>) {
    match done {
        None if step.argv.is_empty() => println!("\n== {}", step.title),
        None => println!("\n== {}\n$ detcal {}", step.title, step.argv.join(" ")),
        Some(StepDone::Simulated(out)) => crate::output::print_simulated(out),
        Some(StepDone::Dark(_)) => {}
        Some(StepDone::Deployed(r)) => crate::output::print_placed(&r.placed, r.deployed),
        Some(StepDone::Gains(r)) => crate::output::print_placed(&r.placed, r.deployed),
    }
}

fn print_report(r: &DemoReport) {
    println!(
        "\nREPORT: {} JUNGFRAU panels of {}x{}, dark {} events per gain mode, light run {} events",
        r.panels, r.shape[0], r.shape[1], r.dark_events_per_step, r.light_events
    );
    println!("\npedestals vs truth (pixels without defects):");
    for p in &r.pedestals {
        println!(
            "  gain mode {}: mean |error| {:.3} ADU, max {:.2} ADU (statistical limit rms/sqrt(N) {:.3} ADU)",
            p.gain_mode, p.mean_abs_adu, p.max_abs_adu, p.statistical_adu
        );
    }
    println!("\ninjected defects:        injected  flagged  masked");
    for d in &r.defects {
        println!(
            "  {:<20} {:>10} {:>8} {:>7}",
            d.kind, d.injected, d.flagged, d.masked
        );
    }
    println!(
        "  flagged pixels without an injected defect: {}",
        r.flagged_without_defect
    );
    println!(
        "\nphoton peak: {} (simulated {} keV)",
        match (r.photon_peak_kev, r.photon_peak_error_percent) {
            (Some(p), Some(e)) => format!("{p:.3} keV, {e:+.2}%"),
            _ => "not found".into(),
        },
        r.photon_energy_kev
    );
    println!(
        "common mode: per-bank offsets rms {:.3} keV without, {:.4} keV with the correction ({} frames)",
        r.common_mode.bank_rms_without_kev, r.common_mode.bank_rms_with_kev, r.common_mode.frames
    );
    println!("\nimages:");
    for i in &r.images {
        println!("  {}", i.display());
    }
    println!("\nchecks:");
    for c in &r.checks {
        println!("  [{}] {}", if c.pass { "pass" } else { "FAIL" }, c.what);
    }
    println!(
        "\ndone in {:.1} s; everything is in {}",
        r.seconds,
        r.dir.display()
    );
}
