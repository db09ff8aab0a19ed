/*!
The demo: the whole of detcal on a simulated JUNGFRAU, checked against the truth.

[`run`] simulates a detector with known truth, dark-processes it into a panel repository,
deploys the merged constants and the gain constants into a calibration store, calibrates the
light run with them, and compares what came out with the truth: pedestal errors beside the
statistical limit, every injected defect flagged and masked, the photon peak, the common-mode
correction. Each step is a library pipeline, shown to the caller as the command that does the
same; the result is a [`DemoReport`] with four pass/fail checks.
*/

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use detcal::NdArray;
use detcal::access::{DetectorCalib, LoadStatus};
use detcal::apply::{Histogram, MeanImage, Selection, bank_medians, calibrate_run};
use detcal::dark::DarkParams;
use detcal::dark::job::LoopOptions;
use detcal::detector::CalibType;
use detcal::detrun::DetRunSpec;
use detcal::error::{Error, IoContext, Result};
use detcal::files::Perms;
use detcal::formats::load_array;
use detcal::geometry::defaults::grid_text;
use detcal::geometry::{Assembler, Geometry};
use detcal::pipeline::dark::{self, DarkInput, DarkOptions};
use detcal::pipeline::deploy::{self, DeployOptions};
use detcal::pipeline::gains::{self, GainOptions};
use detcal::report::Reporter;
use detcal::settings::Settings;
use detcal::store::CalibStore;
use detcal_plot as plot;
use ndarray::{ArrayD, Axis, IxDyn};
use serde::Serialize;

use crate::frames::BANK_COLS;
use crate::{LightParams, SimConfig, SimOutput, defect};

/// Marker file of a demo directory.
const MARKER: &str = ".detcal-demo";

/// The experiment name of the simulated runs.
const EXP: &str = "xpptut15";

/// What to simulate and where.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    /// Working directory (created; cleared if an earlier demo made it).
    pub dir: PathBuf,
    /// Number of JUNGFRAU panels.
    pub panels: usize,
    /// Events in each of the 3 dark steps.
    pub events: usize,
    /// Events in the light run.
    pub light_events: usize,
    /// Photon energy of the light run (keV).
    pub energy: f64,
    /// Panel rows and columns.
    pub shape: (usize, usize),
    /// Seed of the simulation.
    pub seed: u64,
}

impl Default for DemoOptions {
    fn default() -> Self {
        DemoOptions {
            dir: PathBuf::from("detcal-demo"),
            panels: 4,
            events: 100,
            light_events: 100,
            energy: 9.5,
            shape: (512, 1024),
            seed: 1,
        }
    }
}

/// One step of the demo as it starts: what it does and the command that does the same.
#[derive(Debug, Clone)]
pub struct Step {
    /// What the step does.
    pub title: &'static str,
    /// The equivalent `detcal` arguments (without the program name); empty for the analysis.
    pub argv: Vec<String>,
}

/// What a finished step produced, for the caller to show.
#[derive(Debug)]
pub enum StepDone {
    /// The simulated runs.
    Simulated(SimOutput),
    /// The dark job.
    Dark(dark::DarkReport),
    /// The deployment of the dark constants.
    Deployed(deploy::DeployReport),
    /// The deployment of the gain constants.
    Gains(gains::GainReport),
}

/// The error of the deployed pedestals of one gain mode.
#[derive(Debug, Clone, Serialize)]
pub struct PedestalError {
    /// Gain mode index.
    pub gain_mode: usize,
    /// Mean absolute error over pixels without defects.
    pub mean_abs_adu: f64,
    /// Largest absolute error.
    pub max_abs_adu: f64,
    /// The mean of the true rms / sqrt(events) over the same pixels.
    pub statistical_adu: f64,
}

/// What became of one kind of injected defect.
#[derive(Debug, Clone, Serialize)]
pub struct DefectReport {
    /// The kind of defect.
    pub kind: &'static str,
    /// Pixels that have it.
    pub injected: usize,
    /// Of those, flagged in a deployed pixel_status.
    pub flagged: usize,
    /// Of those, masked by the calibrator.
    pub masked: usize,
}

/// The common-mode check.
#[derive(Debug, Clone, Serialize)]
pub struct CommonMode {
    /// Frames compared.
    pub frames: u64,
    /// Rms of the per-bank medians without the correction.
    pub bank_rms_without_kev: f64,
    /// Rms of the per-bank medians with it.
    pub bank_rms_with_kev: f64,
}

/// One check and its outcome.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// What is checked.
    pub what: String,
    /// Whether it passed.
    pub pass: bool,
}

/// The demo's report (also written as `report.json`).
#[derive(Debug, Clone, Serialize)]
pub struct DemoReport {
    /// The working directory.
    pub dir: PathBuf,
    /// Panels.
    pub panels: usize,
    /// Rows and columns of a panel.
    pub shape: [usize; 2],
    /// Dark events in each step.
    pub dark_events_per_step: usize,
    /// Frames of the light run calibrated.
    pub light_events: u64,
    /// Pedestal errors per gain mode.
    pub pedestals: Vec<PedestalError>,
    /// Each kind of defect.
    pub defects: Vec<DefectReport>,
    /// Pixels flagged that have no injected defect.
    pub flagged_without_defect: usize,
    /// The simulated photon energy.
    pub photon_energy_kev: f64,
    /// The photon peak found, if any.
    pub photon_peak_kev: Option<f64>,
    /// Its error in percent.
    pub photon_peak_error_percent: Option<f64>,
    /// The common-mode check.
    pub common_mode: CommonMode,
    /// The PNG images written.
    pub images: Vec<PathBuf>,
    /// The checks.
    pub checks: Vec<Check>,
    /// Wall-clock seconds.
    pub seconds: f64,
}

impl DemoReport {
    /// Whether every check passed.
    pub fn passed(&self) -> bool {
        self.checks.iter().all(|c| c.pass)
    }
}

/// Prepares the working directory: new, empty, or an earlier demo's (cleared).
fn prepare_dir(dir: &Path) -> Result<()> {
    if dir.exists() {
        let empty = std::fs::read_dir(dir)
            .at(dir, "read directory")?
            .next()
            .is_none();
        if !empty {
            if !dir.join(MARKER).is_file() {
                return Err(Error::Conflict {
                    path: dir.to_path_buf(),
                    msg: format!(
                        "{}: the directory exists and was not made by detcal demo; choose another --dir",
                        dir.display()
                    ),
                });
            }
            std::fs::remove_dir_all(dir).at(dir, "clear the earlier demo in")?;
        }
    }
    std::fs::create_dir_all(dir).at(dir, "create directory")?;
    std::fs::write(
        dir.join(MARKER),
        "made by detcal demo; cleared by the next one\n",
    )
    .at(dir.join(MARKER), "write")?;
    Ok(())
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// Runs the demo in `opts.dir`: `show` is told of each step as it starts and of what it
/// produced, `rep` shows progress. The report is also written to `<dir>/report.json`.
pub fn run(
    opts: &DemoOptions,
    rep: &dyn Reporter,
    show: &mut dyn FnMut(&Step, Option<&StepDone>),
) -> Result<DemoReport> {
    let t0 = Instant::now();
    let a = opts;
    if a.events < 10 || a.light_events == 0 {
        return Err(Error::bad_arg(
            "--events",
            "--events must be at least 10 and --light-events at least 1",
        ));
    }
    prepare_dir(&a.dir)?;
    let dir = &a.dir;
    let (data, panels, gains_dir, calib, images) = (
        dir.join("data"),
        dir.join("panels"),
        dir.join("gains"),
        dir.join("calib"),
        dir.join("images"),
    );
    let s = |p: &Path| p.display().to_string();
    let shape = format!("{}x{}", a.shape.0, a.shape.1);
    // The steps run with psana's default modes, the demo's data root, and no SIT_ROOT: nothing
    // is written outside the demo's directory.
    let settings = |argv: &[String]| Settings {
        sit_root: None,
        psdm_data: Some(data.clone()),
        perms: Perms::default(),
        argv: std::iter::once("detcal".to_string())
            .chain(argv.iter().cloned())
            .collect(),
    };

    let step = Step {
        title: "simulate a JUNGFRAU dark run and light run with known truth",
        argv: strings(&[
            "simulate",
            "--out",
            &s(&data),
            "--exp",
            EXP,
            "--panels",
            &a.panels.to_string(),
            "--shape",
            &shape,
            "--events",
            &a.events.to_string(),
            "--light-events",
            &a.light_events.to_string(),
            "--energy",
            &a.energy.to_string(),
            "--seed",
            &a.seed.to_string(),
            "--gains",
            &s(&gains_dir),
        ]),
    };
    show(&step, None);
    let cfg = SimConfig {
        exp: EXP.to_string(),
        alias: "jungfrau".to_string(),
        dark_run: 1,
        light_run: Some(2),
        panels: a.panels,
        rows: a.shape.0,
        cols: a.shape.1,
        dark_events: a.events,
        dark_steps: 3,
        light_events: a.light_events,
        light: LightParams {
            energy_kev: a.energy,
            ..Default::default()
        },
        seed: a.seed,
        ..SimConfig::default()
    };
    let out = crate::run(&cfg, &data, Some(&gains_dir), &Perms::default(), rep)?;
    show(&step, Some(&StepDone::Simulated(out)));

    let step = Step {
        title: "dark processing into the panel repository",
        argv: strings(&[
            "dark",
            &format!("exp={EXP}:run=1"),
            "--data-dir",
            &s(&data),
            "-o",
            &s(&panels),
        ]),
    };
    show(&step, None);
    let dark_opts = DarkOptions {
        input: DarkInput::Dataset {
            spec: format!("exp={EXP}:run=1"),
            det: None,
        },
        params: DarkParams::default(),
        loop_opts: LoopOptions::default(),
        gain_mode: None,
        dirrepo: Some(panels.clone()),
        expname: None,
        ofname: dark::DEFAULT_OFNAME.to_string(),
        savebw: dark::DEFAULT_SAVEBW,
    };
    let r = dark::run(&dark_opts, &settings(&step.argv), rep)?;
    show(&step, Some(&StepDone::Dark(r)));

    let det = DetRunSpec {
        exp: Some(EXP.to_string()),
        run: Some("1".to_string()),
        ..DetRunSpec::default()
    };
    let run_opts = ["-e", EXP, "-r", "1", "--data-dir"];
    let step = Step {
        title: "merge the panels and gain modes, deploy into the calibration store",
        argv: strings(
            &[
                &["deploy"][..],
                &run_opts,
                &[&s(&data), "-o", &s(&panels), "-c", &s(&calib), "-D"],
            ]
            .concat(),
        ),
    };
    show(&step, None);
    let r = deploy::run(
        &DeployOptions {
            det: det.clone(),
            dirrepo: Some(panels.clone()),
            dircalib: Some(calib.clone()),
            deploy: true,
            ..DeployOptions::default()
        },
        &settings(&step.argv),
    )?;
    show(&step, Some(&StepDone::Deployed(r)));

    let step = Step {
        title: "gain and offset constants from the panels' gain maps",
        argv: strings(
            &[
                &["gain-constants"][..],
                &run_opts,
                &[
                    &s(&data),
                    "--repdir",
                    &s(&gains_dir),
                    "-c",
                    &s(&calib),
                    "-D",
                ],
            ]
            .concat(),
        ),
    };
    show(&step, None);
    let r = gains::run(
        &GainOptions {
            det,
            repdir: Some(gains_dir.clone()),
            dircalib: Some(calib.clone()),
            deploy: true,
            ..GainOptions::default()
        },
        &settings(&step.argv),
    )?;
    show(&step, Some(&StepDone::Gains(r)));

    let step = Step {
        title: "calibrate the light run (run 2) with the deployed constants and compare with the truth",
        argv: Vec::new(),
    };
    show(&step, None);
    let report = analyse(a, EXP, &data, &calib, &images, t0)?;
    let json = serde_json::to_string_pretty(&report)
        .map_err(|e| Error::internal(format!("the demo report as JSON: {e}")))?;
    let report_file = a.dir.join("report.json");
    let perms = Perms::new(0o2775, 0o664, "");
    detcal::files::write_atomic(&report_file, &perms, |w| {
        writeln!(w, "{json}").map_err(|e| Error::io(&report_file, "write", e))
    })?;
    Ok(report)
}

/// Calibrates the light run and compares everything with the truth.
fn analyse(
    a: &DemoOptions,
    exp: &str,
    data: &Path,
    calib_dir: &Path,
    images: &Path,
    t0: Instant,
) -> Result<DemoReport> {
    let xtc = data.join("XPP").join(exp).join("xtc");
    let truth_dir = xtc.join(format!("{exp}-r0001-truth"));
    let truth = |name: &str| -> Result<ArrayD<f64>> {
        Ok(load_array(&truth_dir.join(format!("{name}.npy")))?.to_f64())
    };
    let (t_peds, t_rms, t_defects) = (truth("pedestals")?, truth("rms")?, truth("defects")?);
    let src =
        detcal::source::open_dataset(&format!("exp={exp}:run=2"), Some(data), None)?.remove(0);
    let m = src.meta().clone();
    let calib = DetectorCalib::new(
        CalibStore::new(calib_dir),
        &m.det_type.default_source(&m.alias),
    )?;
    let get = |c: CalibType| -> Result<NdArray> {
        let l = calib.get(c, m.run)?;
        match (&l.array, l.status) {
            (Some(arr), LoadStatus::Loaded) => Ok(arr.clone()),
            _ => Err(Error::not_found(
                detcal::Missing::Constants,
                c,
                m.run,
                format!("{c} was not deployed for run {}", m.run),
            )),
        }
    };
    let (peds, rms, status, gain) = (
        get(CalibType::Pedestals)?,
        get(CalibType::PixelRms)?,
        get(CalibType::PixelStatus)?,
        get(CalibType::PixelGain)?,
    );
    if peds.shape() != t_peds.shape() {
        return Err(Error::shape(
            "deployed pedestals",
            format!("{:?}", t_peds.shape()),
            peds.shape(),
            format!(
                "deployed pedestals {:?} but truth {:?}",
                peds.shape(),
                t_peds.shape()
            ),
        ));
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
        detcal::stats::median_f64(&mut noise)
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
                < cm_frames
                    * (shape[0] * 2 * detcal::detector::jungfrau::banks_across(shape[2], BANK_COLS))
                        as u64
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
    std::fs::create_dir_all(images).at(images, "create directory")?;
    let opts = |title: &str, ctype: &str, unit: &str| plot::PlotOptions {
        title: title.to_string(),
        ctype: Some(ctype.to_string()),
        unit: unit.to_string(),
        ..plot::PlotOptions::default()
    };
    let mut written = Vec::new();
    let mut save = |name: &str, fig: plot::Figure| -> Result<()> {
        let path = images.join(name);
        fig.save_png(&path, &perms)?;
        written.push(path);
        Ok(())
    };
    // Maps and images as the detector sits: the store's geometry or the type's default, else
    // the panels stacked as the simulator lays them out; the assembly is prepared once.
    let npix = shape.iter().product::<usize>();
    let (asm, geo_from) = detcal::pipeline::geometry::for_run(
        &CalibStore::new(calib_dir),
        &m.det_type.default_source(&m.alias),
        m.run,
        m.det_type,
        shape[0],
    )
    .ok()
    .and_then(|(g, from)| Some((Assembler::new(&g).ok()?, from)))
    .filter(|(a, _)| a.pixels() == npix)
    .map_or_else(
        || -> Result<(Assembler, String)> {
            let text = grid_text(shape[0], shape[1], shape[2], 75.0);
            let g = Geometry::parse(text.as_bytes(), Path::new("<panels stacked 1 mm apart>"))?;
            Ok((Assembler::new(&g)?, "panels stacked 1 mm apart".to_string()))
        },
        Ok,
    )?;
    let assembled = |arr: &NdArray| -> Result<NdArray> {
        Ok(asm
            .assemble_array(&geo_from, arr)?
            .unwrap_or_else(|| arr.clone()))
    };
    let opts = |title: &str, ctype: &str, unit: &str| plot::PlotOptions {
        axes: Some(asm.axes()),
        ..opts(title, ctype, unit)
    };
    save(
        "pedestals.png",
        plot::map(
            &assembled(&peds)?,
            &opts(
                &format!("deployed pedestals (geometry: {geo_from})"),
                "pedestals",
                "ADU",
            ),
        )?,
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
            &assembled(&mean_arr)?,
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
    Ok(DemoReport {
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
