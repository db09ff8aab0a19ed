//! `detcal simulate`: realistic JUNGFRAU and ePix10ka runs in XTC2, with their truth.

use std::path::PathBuf;
use std::process::ExitCode;

use detcal_sim::{self as sim, SimConfig};

use crate::args::PermArgs;
use crate::cli::EXIT_OK;
use crate::output;

pub const AFTER_HELP: &str = "\
Writes, as the LCLS-II DAQ lays out a JUNGFRAU run (the Names, fields, config and transitions
of a real run), under <out>/<INS>/<exp>/xtc/:
  <exp>-r<dark>-s000-c000.xtc2    a dark run: 3 steps in gain modes DYNAMIC, FORCE_SWITCH_G1,
                                  FORCE_SWITCH_G2 (psana: Normal, ForcedGain1, ForcedGain2)
  <exp>-r<light>-s000-c000.xtc2   a light run: photons of --energy keV on a Poisson background,
                                  bright spots that switch pixels to gain 1 and 2, and a
                                  common-mode offset per bank (--no-light to skip it)
  <exp>-r<dark>-truth/            the truth: pedestals, rms, gain, offset (3, panels, 512, 1024),
                                  defects (panels, 512, 1024: 1 dead, 2 hot, 4 noisy, 8 wrong
                                  gain bits, 16 invalid gain bits, 32 saturated), truth.json
With --gains DIR, each panel also gets DIR/<panel_id>/g{0,1,2}_{gain,offset}.npy, the layout of
the JUNGFRAU gain repository. The same seed gives the same files on every machine. Read the
runs back with exp=<exp>:run=<n> and --data-dir <out> (or SIT_PSDM_DATA=<out>).
With --streams N each run is N stream files, -s000- to -s<N-1>-, each holding a contiguous
share of the panels and every event under the same time stamp, as the DAQ writes big detectors.

With --det epix10kaquad (4 panels) or epix10ka2m (16), an ePix10ka as the LCLS-II DAQ writes the
real epixquad sample (alias epixquad, or epix10k2M for a 2M, unless --alias): a dark run with 5 steps, FH, FM, FL, AHL-H,
AML-M, each carrying the segment configs (asicPixelConfig, trbit) the DAQ sets for the mode; a
light run with 2 steps, AutoHiLo and AutoMedLo: photons of --energy keV in the high/medium range,
a common-mode offset per half-panel column, and bright pixels of 100 photons switched to the low
range (data bit 14). Injected dead, hot, noisy and saturated pixels. Truth: pedestals (7, panels,
352, 384), rms, defects, truth.json. Panels are 352 x 384 (--panels and --shape do not apply).

With --det epix100a or pnccd, a single-gain detector as NumPy stacks (how these detectors come to
detcal), under <out>/<INS>/<exp>/npy/:
  <exp>-r<dark>-<alias>.npy and .json   the dark run, uint16 (N, 704, 768) for an ePix100a or
                                        (N, 4, 512, 512) for a pnCCD, and its description
  <exp>-r<light>-<alias>.npy and .json  the light run: photons of --energy keV (ePix100a 6,
                                        pnCCD 62.5 ADU/keV) on 1% of the pixels
  <exp>-r<dark>-<alias>-truth/          pedestals, rms, defects (1 dead, 2 hot, 4 noisy), the
                                        common-mode offsets of every event (cm_dark.npy,
                                        cm_light.npy) and truth.json with the bad-pixel list
Both runs carry a common-mode offset per event in the groups psana corrects together: ePix100a
rows of 96 pixels (offset[e, row, col / 96]), pnCCD rows of 128 pixels per sensor
(offset[e, sensor, row, col / 128]), uniform in +-8 ADU. -n gives the dark events, --light-events
the light ones. calibrun finds the stacks by experiment and run.

Every XTC2 run (JUNGFRAU, ePix10ka) also carries the LCLS-II timing detector (alias timing,
type ts) with LCLS-I event codes per shot: 40 (120 Hz) always, 140 with beam, 162 on a drop
shot (--drop-every N: every N-th shot of the light run, a dark frame). `detcal info` counts the
codes; `detcal dark --beam-off` (or -c 162) takes the drop shots (also pixel-status, calib,
extract; ePix10ka light steps get drop shots too). --drift ADU (JUNGFRAU) raises every pedestal
of the light run linearly, by 0 at its first event to ADU at its last, drop shots included: what
drop-shot darks follow during a long run.

EXAMPLES:
    detcal simulate --out data --panels 2 --events 200 --gains gains
    detcal simulate --out data --panels 2 --shape 64x128 --light-events 500 --drop-every 4
    detcal simulate --out ddata --panels 1 --light-events 400 --drop-every 10 --drift 30
    detcal simulate --out sdata --panels 2 --streams 2 --events 20 --no-light
    detcal info exp=xpptut15:run=1 --data-dir data
    detcal simulate --det epix10kaquad --out edata --events 5 --light-events 5
    detcal simulate --det pnccd --out pdata --events 20 --light-events 5
    detcal calibrun -e xpptut15 -r 1 -P -D --data-dir pdata";

/// Simulate JUNGFRAU or ePix10ka (XTC2), ePix100a or pnCCD (NumPy) runs with known truth.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Detector: jungfrau, epix10kaquad (4 panels), epix10ka2m (16 panels), epix100a or pnccd.
    #[arg(long, default_value = "jungfrau", value_parser = ["jungfrau", "epix10kaquad", "epix10ka2m", "epix100a", "pnccd"])]
    pub det: String,
    /// Data root: files go to <out>/<INS>/<exp>/xtc/.
    #[arg(short, long, value_name = "DIR")]
    pub out: PathBuf,
    /// Experiment name.
    #[arg(short, long, default_value = "xpptut15")]
    pub exp: String,
    /// Run number of the dark run (the light run is the next one).
    #[arg(short, long, default_value_t = 1)]
    pub run: u32,
    /// Number of panels (1 to 32).
    #[arg(short, long, default_value_t = 4)]
    pub panels: usize,
    /// Events in each of the 3 dark steps.
    #[arg(short = 'n', long, default_value_t = 100)]
    pub events: usize,
    /// Dark steps to write (1 to 3; gain modes 0, 1, 2 in that order).
    #[arg(long, default_value_t = 3)]
    pub steps: usize,
    /// Events in the light run.
    #[arg(long, default_value_t = 100)]
    pub light_events: usize,
    /// Do not write a light run.
    #[arg(long)]
    pub no_light: bool,
    /// JUNGFRAU: stream files per run (-s000-, -s001-, ...), the panels split over them.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub streams: usize,
    /// Photon energy of the light run (keV).
    #[arg(long, default_value_t = 9.5)]
    pub energy: f64,
    /// Seed of everything random.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Panel shape ROWSxCOLS (smaller than JUNGFRAU's 512x1024 for quick tests).
    #[arg(long, default_value = "512x1024", value_name = "RxC")]
    pub shape: String,
    /// Also write each panel's gain and offset maps here (<DIR>/<panel_id>/g*_gain.npy).
    #[arg(long, value_name = "DIR")]
    pub gains: Option<PathBuf>,
    /// DAQ alias of the detector (default jungfrau, or epixquad for an ePix10ka).
    #[arg(long)]
    pub alias: Option<String>,
    /// ePix100a and pnCCD: the largest injected common-mode offset, ADU (uniform in ±ADU per
    /// event and group).
    #[arg(long, value_name = "ADU", default_value_t = 8.0)]
    pub cm_max: f32,
    /// Every N-th shot of the light run (of each light step for an ePix10ka) is a drop shot
    /// (beam off, event code 162, a dark frame: JUNGFRAU gain mode 0, ePix10ka the step's
    /// mode); select them with `detcal dark --beam-off`.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(2..))]
    pub drop_every: Option<u64>,
    /// JUNGFRAU: a linear pedestal drift over the light run, ADU (0 at its first event, ADU at
    /// its last, in every gain range; truth in <dark>-truth/light_drift.npy, per light event).
    #[arg(
        long,
        value_name = "ADU",
        default_value_t = 0.0,
        allow_negative_numbers = true
    )]
    pub drift: f64,
    #[command(flatten)]
    pub perms: PermArgs,
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let single = match a.det.as_str() {
        "epix100a" => Some(sim::single_gain::SingleGainDet::Epix100a),
        "pnccd" => Some(sim::single_gain::SingleGainDet::Pnccd),
        _ => None,
    };
    if let Some(det) = single {
        let base = sim::single_gain::SingleGainSim::new(det);
        let s = sim::single_gain::SingleGainSim {
            exp: a.exp,
            alias: a.alias.unwrap_or(base.alias.clone()),
            dark_run: a.run,
            light_run: if a.no_light { None } else { Some(a.run + 1) },
            dark_events: a.events,
            light_events: a.light_events,
            energy_kev: a.energy,
            seed: a.seed,
            cm_max_adu: a.cm_max,
            ..base
        };
        let total = (s.dark_events + s.light_run.map_or(0, |_| s.light_events)) as u64;
        let pb = detcal::report::Reporter::progress(&output::Bars, total, "simulating");
        let out = sim::single_gain::simulate(&s, &a.out, &a.perms.perms(), &|n| pb.set(n));
        pb.finish();
        output::print_simulated(&out?);
        return Ok(ExitCode::from(EXIT_OK));
    }
    if a.det != "jungfrau" {
        let s = sim::epix10ka::EpixSim {
            exp: a.exp,
            alias: a.alias.unwrap_or_else(|| {
                if a.det == "epix10ka2m" {
                    "epix10k2M"
                } else {
                    "epixquad"
                }
                .into()
            }),
            dark_run: a.run,
            light_run: if a.no_light { None } else { Some(a.run + 1) },
            panels: if a.det == "epix10ka2m" { 16 } else { 4 },
            dark_events: a.events,
            light_events: a.light_events,
            energy_kev: a.energy,
            seed: a.seed,
            drop_every: a.drop_every.map(|n| n as usize),
            ..Default::default()
        };
        let out = sim::epix10ka::simulate(&s, &a.out, &a.perms.perms())?;
        output::print_simulated(&out);
        return Ok(ExitCode::from(EXIT_OK));
    }
    let (rows, cols) = crate::args::parse_shape(&a.shape)?;
    let cfg = SimConfig {
        exp: a.exp,
        alias: a.alias.unwrap_or_else(|| "jungfrau".into()),
        dark_run: a.run,
        light_run: if a.no_light { None } else { Some(a.run + 1) },
        panels: a.panels,
        rows,
        cols,
        dark_events: a.events,
        dark_steps: a.steps,
        light_events: a.light_events,
        light: sim::LightParams {
            energy_kev: a.energy,
            ..Default::default()
        },
        seed: a.seed,
        drop_every: a.drop_every.map(|n| n as usize),
        drift_adu: a.drift,
        streams: a.streams,
        ..SimConfig::default()
    };
    let out = sim::run(
        &cfg,
        &a.out,
        a.gains.as_deref(),
        &a.perms.perms(),
        &output::Bars,
    )?;
    output::print_simulated(&out);
    Ok(ExitCode::from(EXIT_OK))
}
