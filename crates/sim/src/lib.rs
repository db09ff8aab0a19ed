/*!
A simulator of JUNGFRAU runs, laid out as the LCLS-II DAQ writes them.

[`simulate`] draws a detector ([`Model`]: pedestals, noise, gains and offsets per gain range,
injected defects) and writes, under `<root>/<INS>/<exp>/xtc/`:

- a dark run `<exp>-r<NNNN>-s000-c000.xtc2` with three steps (gain modes DYNAMIC,
  FORCE_SWITCH_G1, FORCE_SWITCH_G2, i.e. psana's Normal, ForcedGain1, ForcedGain2);
- optionally a light run (one step, dynamic gain) with photons of one energy, bright spots that
  switch pixels to gain 1 and 2, and per-bank common-mode offsets;
- the truth beside them in `<exp>-r<NNNN>-truth/`: `pedestals.npy`, `rms.npy`, `gain.npy`,
  `offset.npy` (3, panels, rows, cols) float32, `defects.npy` (panels, rows, cols) uint8 with the
  bits of [`defect`], `panel_ids.txt` and `truth.json`;
- optionally, per panel, a gain directory `<gains>/<panel_id>/g{0,1,2}_{gain,offset}.npy` as the
  JUNGFRAU gain repository holds them.

Everything is drawn from one seed and is the same on every machine.

[`epix10ka`] simulates ePix10ka quads and 2Ms the same way (dark run of the 5 measured gain
modes, light run in the two auto modes, truth files).
*/

pub mod demo;
pub mod epix10ka;
pub mod frames;
pub mod model;
pub mod single_gain;
pub mod streams;
pub mod timing;

use std::io::Write;
use std::path::{Path, PathBuf};

use ndarray::{Array2, Axis};
use serde::Serialize;
use xtc2::TimeStamp;
use xtc2::TransitionId;
use xtc2::write::{DetectorSetup, RunWriter, gain_mode};

use detcal::error::{Error, Result};
use detcal::files::{Perms, check_component, create_dirs, write_bytes_atomic};
use detcal::formats::array::NdArray;
use detcal::formats::npy::write_npy;
use detcal::site;

pub use frames::{FrameGen, LightParams};
pub use model::{DefectCounts, Model, defect};

/// What to simulate.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Experiment name (its first three letters are the instrument).
    pub exp: String,
    /// The DAQ alias of the detector.
    pub alias: String,
    /// Run number of the dark run.
    pub dark_run: u32,
    /// Run number of the light run, if one is wanted.
    pub light_run: Option<u32>,
    /// Number of panels (1 to 32).
    pub panels: usize,
    /// Rows and columns of a panel (JUNGFRAU: 512 x 1024).
    pub rows: usize,
    /// Columns of a panel.
    pub cols: usize,
    /// Events in each dark step.
    pub dark_events: usize,
    /// Dark steps (1 to 3: gain modes 0, 1, 2 in that order).
    pub dark_steps: usize,
    /// Events in the light run.
    pub light_events: usize,
    /// What the light run looks like.
    pub light: LightParams,
    /// Defects injected per panel.
    pub defects: DefectCounts,
    /// The seed of everything random.
    pub seed: u64,
    /// Start of the dark run (the light run starts an hour later).
    pub start: TimeStamp,
    /// Drop shots in the light run: every N-th shot (N-1, 2N-1, ...) has the beam off, carries
    /// the beam-off event code (162) instead of the beam code (140), and is a dark frame in gain
    /// mode 0.
    pub drop_every: Option<usize>,
    /// Pedestal drift over the light run (ADU): every pedestal of light event `e` of `n` is
    /// `drift * e / (n - 1)` higher ([`drift_at`]), drop shots included; truth in
    /// `light_drift.npy` (one value per light event) and `truth.json`.
    pub drift_adu: f64,
    /// Stream files per run (the panels split over them; [`streams`]).
    pub streams: usize,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            exp: "xpptut15".into(),
            alias: "jungfrau".into(),
            dark_run: 1,
            light_run: Some(2),
            panels: 4,
            rows: 512,
            cols: 1024,
            dark_events: 100,
            dark_steps: 3,
            light_events: 100,
            light: LightParams::default(),
            defects: DefectCounts::default(),
            seed: 1,
            // 2025-03-28 19:08:08 UTC, the time of the real JUNGFRAU sample.
            start: TimeStamp::new(1_112_036_888, 0),
            drop_every: None,
            drift_adu: 0.0,
            streams: 1,
        }
    }
}

/// The gain modes (LCLS-II JUNGFRAU enum values) of the three dark steps.
pub const DARK_STEP_GAIN_MODES: [i32; 3] = [
    gain_mode::DYNAMIC,
    gain_mode::FORCE_SWITCH_G1,
    gain_mode::FORCE_SWITCH_G2,
];

/// What a simulation wrote.
#[derive(Debug, Clone, Serialize)]
pub struct SimOutput {
    /// The directory of the runs: `<root>/<INS>/<exp>/xtc` (NumPy stacks: `.../npy`).
    pub xtc_dir: PathBuf,
    /// The dark run file.
    pub dark_file: PathBuf,
    /// The light run file, if any.
    pub light_file: Option<PathBuf>,
    /// The truth directory.
    pub truth_dir: PathBuf,
    /// The gain directories, if written.
    pub gain_dirs: Vec<PathBuf>,
    /// Panel ids in segment order.
    pub panel_ids: Vec<String>,
}

/// The panel ids of a simulated detector: `<version>-<firmware>-<serial>` in hex like real ones,
/// different for different seeds.
pub fn panel_ids(seed: u64, panels: usize) -> Vec<String> {
    let base = (seed.wrapping_mul(0x9e37_79b9) & 0xff_ffff) << 8;
    (0..panels)
        .map(|k| format!("8000000020000-230920-2{:08x}", base + k as u64))
        .collect()
}

impl SimConfig {
    fn check(&self) -> Result<()> {
        check_component("experiment", &self.exp)?;
        site::instrument(&self.exp)?;
        check_component("alias", &self.alias)?;
        if !(1..=32).contains(&self.panels) {
            return Err(Error::bad_arg(
                "panels",
                format!("panels must be 1 to 32, not {}", self.panels),
            ));
        }
        if self.rows < 2 || self.cols < 1 || !self.rows.is_multiple_of(2) {
            return Err(Error::bad_arg(
                "rows",
                format!(
                    "a panel of {} x {} pixels is not possible (rows must be even)",
                    self.rows, self.cols
                ),
            ));
        }
        if !(1..=3).contains(&self.dark_steps) {
            return Err(Error::bad_arg(
                "dark_steps",
                format!("dark steps must be 1 to 3, not {}", self.dark_steps),
            ));
        }
        streams::check_streams(self.panels, self.streams)?;
        check_light(
            self.dark_run,
            self.light_run,
            self.light.energy_kev,
            self.light.occupancy,
        )
    }

    /// Total frames written (dark and light), for progress bars.
    pub fn total_frames(&self) -> u64 {
        (self.dark_steps * self.dark_events
            + if self.light_run.is_some() {
                self.light_events
            } else {
                0
            }) as u64
    }
}

/// Checks what every simulator's runs share: a light run other than the dark run, a photon
/// energy in 0-100 keV and an occupancy in 0-1.
pub(crate) fn check_light(
    dark_run: u32,
    light_run: Option<u32>,
    energy_kev: f64,
    occupancy: f64,
) -> Result<()> {
    if light_run == Some(dark_run) {
        return Err(Error::bad_arg(
            "light_run",
            "the light run needs a run number other than the dark run's",
        ));
    }
    if !(energy_kev > 0.0 && energy_kev < 100.0) {
        return Err(Error::bad_arg(
            "energy_kev",
            format!("photon energy {energy_kev} keV is outside 0-100 keV"),
        ));
    }
    if !(0.0..=1.0).contains(&occupancy) {
        return Err(Error::bad_arg(
            "occupancy",
            "occupancy must be between 0 and 1 photons per pixel",
        ));
    }
    Ok(())
}

/// The file name of run `run` of `exp`, stream 0, chunk 0.
pub fn run_file(xtc_dir: &Path, exp: &str, run: u32) -> PathBuf {
    xtc_dir.join(xtc2::dataset::run_file_name(exp, run, 0, 0))
}

fn ts_add(t: TimeStamp, secs: u64, nanos: u64) -> TimeStamp {
    let total = t.nsec as u64 + nanos;
    TimeStamp::new(
        t.sec + (secs + total / 1_000_000_000) as u32,
        (total % 1_000_000_000) as u32,
    )
}

/// Simulates as [`simulate`] does, showing the frames written through `rep`.
pub fn run(
    cfg: &SimConfig,
    root: &Path,
    gains: Option<&Path>,
    perms: &Perms,
    rep: &dyn detcal::report::Reporter,
) -> Result<SimOutput> {
    let pb = rep.progress(cfg.total_frames(), "simulating");
    let out = simulate(cfg, root, gains, perms, &|n| pb.set(n));
    pb.finish();
    out
}

/// Simulates under `root` (the `SIT_PSDM_DATA`-style data root); writes gain directories under
/// `gains` if given. `progress` is called with the number of frames written so far.
pub fn simulate(
    cfg: &SimConfig,
    root: &Path,
    gains: Option<&Path>,
    perms: &Perms,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<SimOutput> {
    cfg.check()?;
    let xtc_dir = site::experiment_dir(root, &cfg.exp)?.join("xtc");
    create_dirs(&xtc_dir, perms)?;
    let ids = panel_ids(cfg.seed, cfg.panels);
    let model = Model::generate(cfg.seed, cfg.panels, cfg.rows, cfg.cols, &cfg.defects);
    let frames_gen = FrameGen::new(&model, cfg.seed);
    let npix = cfg.panels * cfg.rows * cfg.cols;
    let seg = cfg.rows * cfg.cols;
    let id_refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    let setup = || {
        let mut s = DetectorSetup::jungfrau(&cfg.alias, &id_refs);
        (s.rows, s.cols) = (cfg.rows as u32, cfg.cols as u32);
        s
    };

    // Dark run: steps in gain modes 0, 1, 2.
    let dark_file = run_file(&xtc_dir, &cfg.exp, cfg.dark_run);
    let dark_steps: Vec<(i32, usize)> = DARK_STEP_GAIN_MODES
        .iter()
        .take(cfg.dark_steps)
        .map(|&g| (g, cfg.dark_events))
        .collect();
    let written = std::sync::atomic::AtomicU64::new(0);
    let count = |_: ()| progress(written.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1);
    let run_spec = RunSpec {
        exp: &cfg.exp,
        run: cfg.dark_run,
        start: cfg.start,
        steps: &dark_steps,
        npix,
        seg,
        drop_every: None,
        timing: true,
    };
    streams::write_run_streams(
        &xtc_dir,
        cfg.streams,
        perms,
        setup(),
        &run_spec,
        &|step, e, buf| {
            frames_gen.dark_frame(cfg.dark_run, step as u32, e as u64, step, buf);
            count(());
        },
    )?;
    let light_file = match cfg.light_run {
        None => None,
        Some(run) => {
            let path = run_file(&xtc_dir, &cfg.exp, run);
            let steps = [(gain_mode::DYNAMIC, cfg.light_events)];
            let start = ts_add(cfg.start, 3600, 0);
            let spec = RunSpec {
                exp: &cfg.exp,
                run,
                start,
                steps: &steps,
                npix,
                seg,
                drop_every: cfg.drop_every,
                timing: true,
            };
            streams::write_run_streams(
                &xtc_dir,
                cfg.streams,
                perms,
                setup(),
                &spec,
                &|_, e, buf| {
                    let shift = drift_at(cfg.drift_adu, e, cfg.light_events);
                    if timing::is_drop_shot(cfg.drop_every, e) {
                        frames_gen.dark_frame_shifted(run, 0, e as u64, 0, shift, buf);
                    } else {
                        frames_gen.light_frame_shifted(run, e as u64, &cfg.light, shift, buf);
                    }
                    count(());
                },
            )?;
            Some(path)
        }
    };

    let truth_dir = xtc_dir.join(format!("{}-r{:04}-truth", cfg.exp, cfg.dark_run));
    write_truth(&truth_dir, cfg, &model, &ids, perms)?;
    let mut gain_dirs = Vec::new();
    if let Some(gains) = gains {
        for (p, id) in ids.iter().enumerate() {
            let dir = gains.join(id);
            for g in 0..3 {
                let gain: Array2<f64> = model
                    .gain
                    .index_axis(Axis(0), g)
                    .index_axis(Axis(0), p)
                    .mapv(f64::from);
                let off: Array2<f64> = model
                    .offset
                    .index_axis(Axis(0), g)
                    .index_axis(Axis(0), p)
                    .mapv(f64::from);
                write_npy(
                    &dir.join(format!("g{g}_gain.npy")),
                    &NdArray::F64(gain.into_dyn()),
                    perms,
                )?;
                write_npy(
                    &dir.join(format!("g{g}_offset.npy")),
                    &NdArray::F64(off.into_dyn()),
                    perms,
                )?;
            }
            gain_dirs.push(dir);
        }
    }
    Ok(SimOutput {
        xtc_dir,
        dark_file,
        light_file,
        truth_dir,
        gain_dirs,
        panel_ids: ids,
    })
}

/// The pedestal shift (ADU) of light event `e` of `n` under a linear drift of `drift` ADU over
/// the run: 0 at the first event, `drift` at the last.
pub fn drift_at(drift: f64, e: usize, n: usize) -> f64 {
    if n < 2 {
        0.0
    } else {
        drift * e as f64 / (n - 1) as f64
    }
}

/// One run to write: its steps as (gain mode, events).
struct RunSpec<'a> {
    exp: &'a str,
    run: u32,
    start: TimeStamp,
    steps: &'a [(i32, usize)],
    npix: usize,
    seg: usize,
    /// Every N-th event of a step is a drop shot (beam off).
    drop_every: Option<usize>,
    /// Whether this file carries the timing detector (stream 0 of a run only).
    timing: bool,
}

/// Frames come 120 per second.
const FRAME_PERIOD_NS: u64 = 8_333_333;

/// Writes one run: Configure, BeginRun, then per step BeginStep, Enable, the events and
/// Disable/EndStep, then EndRun. Frames are drawn by `frame(step, event, buf)` on one thread
/// while the file is written on another.
fn write_run(
    path: &Path,
    perms: &Perms,
    setup: DetectorSetup,
    spec: &RunSpec<'_>,
    frame: &(dyn Fn(usize, usize, &mut [u16]) + Sync),
) -> Result<()> {
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<u16>>(2);
    let (back_tx, back_rx) = std::sync::mpsc::channel::<Vec<u16>>();
    std::thread::scope(|scope| {
        scope.spawn(move || {
            for (step, &(_, n)) in spec.steps.iter().enumerate() {
                for e in 0..n {
                    let mut buf = back_rx.try_recv().unwrap_or_else(|_| vec![0u16; spec.npix]);
                    frame(step, e, &mut buf);
                    if tx.send(buf).is_err() {
                        return;
                    }
                }
            }
        });
        // The raw data can be drawn again from the seed, so it need not wait for the disk.
        // The receiver moves into the writer, so a failed write drops it and ends the generator.
        detcal::files::write_atomic_with(path, perms, false, move |w| {
            let rx = rx;
            let mut rw = RunWriter::new(&mut *w, setup)?;
            if spec.timing {
                rw = rw.with_timing();
            }
            let mut t = spec.start;
            let mut shots = timing::Shots::new(spec.run);
            rw.configure(t, spec.steps.first().map_or(gain_mode::DYNAMIC, |s| s.0))?;
            t = ts_add(t, 1, 0);
            rw.begin_run(t, spec.exp, spec.run)?;
            for &(gm, n) in spec.steps {
                t = ts_add(t, 1, 0);
                rw.begin_step(t, gm)?;
                rw.transition(t, TransitionId::Enable)?;
                for e in 0..n {
                    t = ts_add(t, 0, FRAME_PERIOD_NS);
                    let buf = rx
                        .recv()
                        .map_err(|_| Error::internal("frame generation stopped"))?;
                    let segs: Vec<&[u16]> = buf.chunks(spec.seg).collect();
                    let beam_off = timing::is_drop_shot(spec.drop_every, e);
                    let shot = shots.next(t, beam_off);
                    if spec.timing {
                        rw.event_timed(t, &segs, &shot)?;
                    } else {
                        rw.event(t, &segs)?;
                    }
                    let _ = back_tx.send(buf);
                }
                rw.transition(t, TransitionId::Disable)?;
                rw.transition(t, TransitionId::EndStep)?;
            }
            rw.transition(t, TransitionId::EndRun)?;
            rw.into_inner()?;
            Ok(())
        })
    })
}

#[derive(Serialize)]
struct TruthJson<'a> {
    exp: &'a str,
    alias: &'a str,
    dark_run: u32,
    light_run: Option<u32>,
    seed: u64,
    panels: usize,
    rows: usize,
    cols: usize,
    panel_ids: &'a [String],
    dark_events_per_step: usize,
    dark_step_gain_modes: Vec<(i32, &'static str)>,
    light_events: usize,
    photon_energy_kev: f64,
    occupancy: f64,
    spots_per_panel: usize,
    common_mode_sigma_adu: f64,
    switch_g1_kev: f64,
    switch_g2_kev: f64,
    defect_bits: Vec<(u8, &'static str)>,
    defect_counts_per_panel: [usize; 6],
    start_time_unix: u64,
    /// Light-run events N-1, 2N-1, ... are drop shots (beam off, event code 162, dark frames).
    #[serde(skip_serializing_if = "Option::is_none")]
    drop_every: Option<usize>,
    /// Linear pedestal drift over the light run (ADU; per event in light_drift.npy).
    #[serde(skip_serializing_if = "is_zero")]
    drift_adu: f64,
}

fn is_zero(x: &f64) -> bool {
    *x == 0.0
}

fn write_truth(
    dir: &Path,
    cfg: &SimConfig,
    model: &Model,
    ids: &[String],
    perms: &Perms,
) -> Result<()> {
    create_dirs(dir, perms)?;
    write_npy(
        &dir.join("pedestals.npy"),
        &NdArray::F32(model.pedestals.clone().into_dyn()),
        perms,
    )?;
    write_npy(
        &dir.join("rms.npy"),
        &NdArray::F32(model.rms.clone().into_dyn()),
        perms,
    )?;
    write_npy(
        &dir.join("gain.npy"),
        &NdArray::F32(model.gain.clone().into_dyn()),
        perms,
    )?;
    write_npy(
        &dir.join("offset.npy"),
        &NdArray::F32(model.offset.clone().into_dyn()),
        perms,
    )?;
    write_npy(
        &dir.join("defects.npy"),
        &NdArray::U8(model.defects.clone().into_dyn()),
        perms,
    )?;
    write_bytes_atomic(
        &dir.join("panel_ids.txt"),
        format!("{}\n", ids.join("\n")).as_bytes(),
        perms,
    )?;
    let d = &cfg.defects;
    let json = TruthJson {
        exp: &cfg.exp,
        alias: &cfg.alias,
        dark_run: cfg.dark_run,
        light_run: cfg.light_run,
        seed: cfg.seed,
        panels: cfg.panels,
        rows: cfg.rows,
        cols: cfg.cols,
        panel_ids: ids,
        dark_events_per_step: cfg.dark_events,
        dark_step_gain_modes: vec![
            (0, "DYNAMIC"),
            (1, "FORCE_SWITCH_G1"),
            (2, "FORCE_SWITCH_G2"),
        ],
        light_events: cfg.light_events,
        photon_energy_kev: cfg.light.energy_kev,
        occupancy: cfg.light.occupancy,
        spots_per_panel: cfg.light.spots,
        common_mode_sigma_adu: cfg.light.cm_sigma_adu,
        switch_g1_kev: frames::SWITCH_G1_KEV,
        switch_g2_kev: frames::SWITCH_G2_KEV,
        defect_bits: defect::NAMES.to_vec(),
        defect_counts_per_panel: [
            d.dead,
            d.hot,
            d.noisy,
            d.wrong_gain,
            d.invalid_gain,
            d.saturated,
        ],
        start_time_unix: cfg.start.unix_seconds_f64() as u64,
        drop_every: cfg.drop_every,
        drift_adu: cfg.drift_adu,
    };
    if cfg.drift_adu != 0.0 && cfg.light_run.is_some() {
        let shifts: Vec<f64> = (0..cfg.light_events)
            .map(|e| drift_at(cfg.drift_adu, e, cfg.light_events))
            .collect();
        write_npy(
            &dir.join("light_drift.npy"),
            &NdArray::F64(ndarray::Array1::from(shifts).into_dyn()),
            perms,
        )?;
    }
    let mut text = serde_json::to_vec_pretty(&json).map_err(|e| Error::internal(e.to_string()))?;
    text.write_all(b"\n").expect("vec write");
    write_bytes_atomic(&dir.join("truth.json"), &text, perms)
}
