//! `detcal demo`: the whole pipeline on a simulated JUNGFRAU, checked against the truth.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, bail};
use clap::Parser;
use detcal::access::{DetectorCalib, LoadStatus};
use detcal::apply::{Histogram, MeanImage, Selection, bank_medians, calibrate_run};
use detcal::detector::CalibType;
use detcal::files::Perms;
use detcal::formats::load_array;
use detcal::sim::defect;
use detcal::sim::frames::BANK_COLS;
use detcal::store::CalibStore;
use detcal::{NdArray, plot};
use ndarray::{ArrayD, Axis, IxDyn};
use serde::Serialize;

use crate::cli::{Cli, EXIT_ERROR, EXIT_OK};
use crate::cmd;
use crate::detrun::default_source;

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

/// Marker file of a demo directory.
const MARKER: &str = ".detcal-demo";

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

/// The error of the deployed pedestals of one gain mode.
#[derive(Debug, Serialize)]
struct PedestalError {
    gain_mode: usize,
    mean_abs_adu: f64,
    max_abs_adu: f64,
    /// The mean of the true rms / sqrt(events) over the same pixels.
    statistical_adu: f64,
}

/// What became of one kind of injected defect.
#[derive(Debug, Serialize)]
struct DefectReport {
    kind: &'static str,
    injected: usize,
    flagged: usize,
    masked: usize,
}

/// The common-mode check.
#[derive(Debug, Serialize)]
struct CommonMode {
    frames: u64,
    bank_rms_without_kev: f64,
    bank_rms_with_kev: f64,
}

/// One check and its outcome.
#[derive(Debug, Serialize)]
struct Check {
    what: String,
    pass: bool,
}

/// The demo's report.
#[derive(Debug, Serialize)]
struct Report {
    dir: PathBuf,
    panels: usize,
    shape: [usize; 2],
    dark_events_per_step: usize,
    light_events: u64,
    pedestals: Vec<PedestalError>,
    defects: Vec<DefectReport>,
    flagged_without_defect: usize,
    photon_energy_kev: f64,
    photon_peak_kev: Option<f64>,
    photon_peak_error_percent: Option<f64>,
    common_mode: CommonMode,
    images: Vec<PathBuf>,
    checks: Vec<Check>,
    seconds: f64,
}

/// Prepares the working directory: new, empty, or an earlier demo's (cleared).
fn prepare_dir(dir: &Path) -> anyhow::Result<()> {
    if dir.exists() {
        let empty = std::fs::read_dir(dir)
            .with_context(|| format!("reading {}", dir.display()))?
            .next()
            .is_none();
        if !empty {
            if !dir.join(MARKER).is_file() {
                bail!(
                    "{}: the directory exists and was not made by detcal demo; choose another --dir",
                    dir.display()
                );
            }
            std::fs::remove_dir_all(dir)
                .with_context(|| format!("clearing the earlier demo in {}", dir.display()))?;
        }
    }
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    std::fs::write(
        dir.join(MARKER),
        "made by detcal demo; cleared by the next one\n",
    )
    .with_context(|| format!("writing {}", dir.join(MARKER).display()))?;
    Ok(())
}

/// Standard output sent to /dev/null until dropped (the steps' own output, under --json).
struct Silenced(std::os::fd::OwnedFd);

impl Silenced {
    fn new() -> anyhow::Result<Silenced> {
        use std::io::Write;
        std::io::stdout().flush()?;
        let saved = nix::unistd::dup(std::io::stdout())?;
        let null = std::fs::OpenOptions::new().write(true).open("/dev/null")?;
        nix::unistd::dup2_stdout(&null)?;
        Ok(Silenced(saved))
    }
}

impl Drop for Silenced {
    fn drop(&mut self) {
        use std::io::Write;
        let _ = std::io::stdout().flush();
        let _ = nix::unistd::dup2_stdout(&self.0);
    }
}

/// Runs one detcal command, showing it first (only the report is printed when `quiet`).
fn step(title: &str, argv: &[String], quiet: bool) -> anyhow::Result<()> {
    let _silence = if quiet {
        Some(Silenced::new().context("redirecting standard output")?)
    } else {
        println!("\n== {title}\n$ detcal {}", argv.join(" "));
        None
    };
    let cli =
        Cli::try_parse_from(std::iter::once("detcal".to_string()).chain(argv.iter().cloned()))
            .with_context(|| format!("demo step {title:?}: bad arguments"))?;
    let code = cmd::run(cli).with_context(|| format!("demo step {title:?}"))?;
    if code != ExitCode::from(EXIT_OK) {
        bail!("demo step {title:?} did not succeed");
    }
    Ok(())
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let t0 = Instant::now();
    if a.events < 10 || a.light_events == 0 {
        bail!("--events must be at least 10 and --light-events at least 1");
    }
    prepare_dir(&a.dir)?;
    let dir = &a.dir;
    let p = |s: &str| dir.join(s).display().to_string();
    let (data, panels, gains, calib, images) = (
        p("data"),
        p("panels"),
        p("gains"),
        p("calib"),
        dir.join("images"),
    );
    let quiet = a.json;
    let exp = "xpptut15";
    step(
        "simulate a JUNGFRAU dark run and light run with known truth",
        &strings(&[
            "simulate",
            "--out",
            &data,
            "--exp",
            exp,
            "--panels",
            &a.panels.to_string(),
            "--shape",
            &a.shape,
            "--events",
            &a.events.to_string(),
            "--light-events",
            &a.light_events.to_string(),
            "--energy",
            &a.energy.to_string(),
            "--seed",
            &a.seed.to_string(),
            "--gains",
            &gains,
        ]),
        quiet,
    )?;
    let run_opts = ["-e", exp, "-r", "1", "--data-dir", &data];
    step(
        "dark processing into the panel repository",
        &strings(
            &[&[
                "dark",
                &format!("exp={exp}:run=1"),
                "--data-dir",
                &data,
                "-o",
                &panels,
            ][..]]
            .concat(),
        ),
        quiet,
    )?;
    step(
        "merge the panels and gain modes, deploy into the calibration store",
        &strings(
            &[
                &["deploy"][..],
                &run_opts,
                &["-o", &panels, "-c", &calib, "-D"],
            ]
            .concat(),
        ),
        quiet,
    )?;
    step(
        "gain and offset constants from the panels' gain maps",
        &strings(
            &[
                &["gain-constants"][..],
                &run_opts,
                &["--repdir", &gains, "-c", &calib, "-D"],
            ]
            .concat(),
        ),
        quiet,
    )?;
    if !quiet {
        println!(
            "\n== calibrate the light run (run 2) with the deployed constants and compare with the truth"
        );
    }
    let report = analyse(&a, exp, &data, &calib, &images, t0)?;
    let json = serde_json::to_string_pretty(&report)?;
    let report_file = a.dir.join("report.json");
    let perms = Perms::new(0o2775, 0o664, "");
    detcal::files::write_atomic(&report_file, &perms, |w| {
        writeln!(w, "{json}").map_err(|e| detcal::Error::io(&report_file, "write", e))
    })
    .with_context(|| format!("writing {}", report_file.display()))?;
    if a.json {
        println!("{json}");
    } else {
        print_report(&report);
    }
    Ok(ExitCode::from(if report.checks.iter().all(|c| c.pass) {
        EXIT_OK
    } else {
        EXIT_ERROR
    }))
}

/// Calibrates the light run and compares everything with the truth.
fn analyse(
    a: &Args,
    exp: &str,
    data: &str,
    calib_dir: &str,
    images: &Path,
    t0: Instant,
) -> anyhow::Result<Report> {
    let xtc = PathBuf::from(data).join("XPP").join(exp).join("xtc");
    let truth_dir = xtc.join(format!("{exp}-r0001-truth"));
    let truth = |name: &str| -> anyhow::Result<ArrayD<f64>> {
        Ok(load_array(&truth_dir.join(format!("{name}.npy")))?.to_f64())
    };
    let (t_peds, t_rms, t_defects) = (truth("pedestals")?, truth("rms")?, truth("defects")?);
    let src =
        detcal::source::open_dataset(&format!("exp={exp}:run=2"), Some(Path::new(data)), None)?
            .remove(0);
    let m = src.meta().clone();
    let calib = DetectorCalib::new(
        CalibStore::new(calib_dir),
        &default_source(&m.alias, m.det_type),
    )?;
    let get = |c: CalibType| -> anyhow::Result<NdArray> {
        let l = calib.get(c, m.run)?;
        match (&l.array, l.status) {
            (Some(arr), LoadStatus::Loaded) => Ok(arr.clone()),
            _ => bail!("{c} was not deployed for run {}", m.run),
        }
    };
    let (peds, rms, status, gain) = (
        get(CalibType::Pedestals)?,
        get(CalibType::PixelRms)?,
        get(CalibType::PixelStatus)?,
        get(CalibType::PixelGain)?,
    );
    if peds.shape() != t_peds.shape() {
        bail!(
            "deployed pedestals {:?} but truth {:?}",
            peds.shape(),
            t_peds.shape()
        );
    }
    let (peds_f, rms_f, gain_f) = (peds.to_f64(), rms.to_f64(), gain.to_f64());
    let good: Vec<bool> = t_defects.iter().map(|&d| d == 0.0).collect();
    let npix = good.len();

    // Pedestal error per gain mode, on pixels without defects.
    let pedestals = (0..3)
        .map(|g| {
            let (tp, dp, r) = (
                t_peds.index_axis(Axis(0), g),
                peds_f.index_axis(Axis(0), g),
                t_rms.index_axis(Axis(0), g),
            );
            let (mut sum, mut max, mut stat, mut n) = (0.0, 0f64, 0.0, 0usize);
            for (((&t, &d), &r), &ok) in tp.iter().zip(dp.iter()).zip(r.iter()).zip(&good) {
                if ok {
                    let e = (d - t).abs();
                    sum += e;
                    max = max.max(e);
                    stat += r / (a.events as f64).sqrt();
                    n += 1;
                }
            }
            let n = n.max(1) as f64;
            PedestalError {
                gain_mode: g,
                mean_abs_adu: sum / n,
                max_abs_adu: max,
                statistical_adu: stat / n,
            }
        })
        .collect::<Vec<_>>();

    // Defects: flagged in any gain mode's status, and masked by the calibrator.
    let mut cal = calib.calibrator(m.run, None)?;
    let mask: Vec<u8> = cal.mask().iter().copied().collect();
    let st = status.to_f64();
    let flagged: Vec<bool> = (0..npix)
        .map(|i| (0..3).any(|g| st.as_slice().expect("standard layout")[g * npix + i] != 0.0))
        .collect();
    let defects = defect::NAMES
        .iter()
        .map(|&(bit, kind)| {
            let has: Vec<usize> = (0..npix)
                .filter(|&i| t_defects.as_slice().expect("standard")[i] as u8 & bit != 0)
                .collect();
            DefectReport {
                kind,
                injected: has.len(),
                flagged: has.iter().filter(|&&i| flagged[i]).count(),
                masked: has.iter().filter(|&&i| mask[i] == 0).count(),
            }
        })
        .collect::<Vec<_>>();
    let flagged_without_defect = (0..npix).filter(|&i| flagged[i] && good[i]).count();

    // The noise of a good gain-0 pixel in keV sets where the photon peak search starts.
    let g0 = |a: &ArrayD<f64>| a.index_axis(Axis(0), 0).iter().copied().collect::<Vec<_>>();
    let mut noise: Vec<f64> = g0(&rms_f)
        .iter()
        .zip(g0(&gain_f))
        .zip(&good)
        .filter(|&(_, &ok)| ok)
        .map(|((&r, g), _)| r / g.abs().max(1e-9))
        .collect();
    let noise_kev = if noise.is_empty() {
        0.0
    } else {
        let k = noise.len() / 2;
        *noise.select_nth_unstable_by(k, f64::total_cmp).1
    };

    // Calibrate the light run: spectrum, mean image, and bank offsets with common mode.
    let cm_frames = 10u64.min(a.light_events as u64);
    let shape = m.frame_shape;
    let mut hist = Histogram::new(-5.0, 5.0 * a.energy.max(1.0), 5000)?;
    let mut mean = MeanImage::new(cal.frame_len());
    let mut with_cm = Vec::new();
    let n = cal.frame_len();
    let stats = calibrate_run(&src, &mut cal, &Selection::default(), &mut |batch| {
        hist.add(batch);
        mean.add(batch);
        for f in batch.chunks_exact(n) {
            if (with_cm.len() as u64)
                < cm_frames * (shape[0] * 2 * shape[2].div_ceil(BANK_COLS)) as u64
            {
                with_cm.extend(bank_medians(f, shape, BANK_COLS)?);
            }
        }
        Ok(())
    })?;
    let mut no_cm = {
        let mut consts = calib.constants(m.run, None)?;
        consts.common_mode = Some(vec![]);
        detcal::calib::Calibrator::new(m.det_type, &consts)?
    };
    let mut without_cm = Vec::new();
    calibrate_run(
        &src,
        &mut no_cm,
        &Selection {
            events: Some(cm_frames),
            ..Selection::default()
        },
        &mut |batch| {
            for f in batch.chunks_exact(n) {
                without_cm.extend(bank_medians(f, shape, BANK_COLS)?);
            }
            Ok(())
        },
    )?;
    let rms_of = |v: &[f32]| {
        let ok: Vec<f64> = v
            .iter()
            .filter(|x| x.is_finite())
            .map(|&x| x as f64)
            .collect();
        (ok.iter().map(|x| x * x).sum::<f64>() / ok.len().max(1) as f64).sqrt()
    };
    let common_mode = CommonMode {
        frames: cm_frames,
        bank_rms_without_kev: rms_of(&without_cm),
        bank_rms_with_kev: rms_of(&with_cm),
    };
    let peak = hist.peak(
        (6.0 * noise_kev).max(hist.bin_width()),
        (2.0 * noise_kev).max(0.1),
    );
    let peak_err = peak.map(|p| 100.0 * (p - a.energy) / a.energy);

    // Images.
    let perms = Perms::new(0o2775, 0o664, "");
    std::fs::create_dir_all(images).with_context(|| format!("creating {}", images.display()))?;
    let opts = |title: &str, ctype: &str, unit: &str| plot::PlotOptions {
        title: title.to_string(),
        ctype: Some(ctype.to_string()),
        unit: unit.to_string(),
        ..plot::PlotOptions::default()
    };
    let mut written = Vec::new();
    let mut save = |name: &str, fig: plot::Figure| -> anyhow::Result<()> {
        let path = images.join(name);
        fig.save_png(&path, &perms)
            .with_context(|| format!("writing {}", path.display()))?;
        written.push(path);
        Ok(())
    };
    save(
        "pedestals.png",
        plot::map(&peds, &opts("deployed pedestals", "pedestals", "ADU"))?,
    )?;
    save(
        "pixel_status.png",
        plot::status_map(&status, &opts("deployed pixel_status", "pixel_status", ""))?,
    )?;
    let (below, above) = hist.outside();
    save(
        "spectrum.png",
        plot::counts_histogram(
            &format!(
                "light run: calibrated pixel values of {} frames",
                stats.frames
            ),
            &format!(
                "photon peak {} keV (simulated {} keV)  ·  {below} values below and {above} above the range",
                peak.map_or("not found".into(), |p| format!("{p:.3}")),
                a.energy
            ),
            hist.counts(),
            (-5.0, 5.0 * a.energy.max(1.0)),
            "value [keV]",
        )?,
    )?;
    let mean_arr: NdArray = ArrayD::from_shape_vec(IxDyn(&shape), mean.mean())
        .expect("frame shape")
        .into();
    save(
        "mean.png",
        plot::image(
            &mean_arr,
            &opts(
                &format!("light run: mean of {} calibrated frames", stats.frames),
                "calib",
                "keV",
            ),
        )?,
    )?;

    // Every dead, saturated and invalid-gain pixel masked, by the truth map's bits.
    let must_mask = defect::DEAD | defect::SATURATED | defect::INVALID_GAIN;
    let all_masked = t_defects
        .iter()
        .zip(&mask)
        .all(|(&d, &m)| (d as u8) & must_mask == 0 || m == 0);
    let checks = vec![
        Check {
            what: format!("photon peak within 1% of {} keV", a.energy),
            pass: peak_err.is_some_and(|e| e.abs() < 1.0),
        },
        Check {
            what: "every dead, saturated and invalid-gain pixel masked".into(),
            pass: all_masked,
        },
        Check {
            what: "common mode reduces the per-bank offsets at least 5-fold".into(),
            pass: common_mode.bank_rms_with_kev * 5.0 <= common_mode.bank_rms_without_kev,
        },
        Check {
            what: "mean pedestal error within 3x the statistical limit in every gain mode".into(),
            pass: pedestals
                .iter()
                .all(|p| p.mean_abs_adu <= 3.0 * p.statistical_adu),
        },
    ];
    Ok(Report {
        dir: a.dir.clone(),
        panels: shape[0],
        shape: [shape[1], shape[2]],
        dark_events_per_step: a.events,
        light_events: stats.frames,
        pedestals,
        defects,
        flagged_without_defect,
        photon_energy_kev: a.energy,
        photon_peak_kev: peak,
        photon_peak_error_percent: peak_err,
        common_mode,
        images: written,
        checks,
        seconds: t0.elapsed().as_secs_f64(),
    })
}

fn print_report(r: &Report) {
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
