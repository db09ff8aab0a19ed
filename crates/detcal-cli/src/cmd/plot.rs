//! `detcal plot`: a constants file as a PNG image (map, histogram or status map).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use detcal::detector::CalibType;
use detcal::formats::{self, array::shape_str};
use detcal::pipeline::calib;
use detcal_plot::{self as plot, PlotOptions};

use crate::args::{CalibDetArgs, PermArgs};
use crate::cli::EXIT_OK;

pub const AFTER_HELP: &str = "\
Draws the array in FILE (.npy, .data, .txt or .dat) and writes the figure to --out as PNG. Given
a dataset instead (exp=<exp>:run=<run> or .xtc2 files), it draws the run's mean calibrated image,
with the constants valid for the run, as `detcal calib --mean` computes it (options under
the Datasets heading; --kind hist gives the histogram of the mean image).

KINDS:
    map     the values on a colour scale (viridis) with a labelled colour bar
    hist    a histogram of the values, pixel counts on a log scale
    status  each pixel coloured by the lowest status bit it has set (good pixels light grey),
            with a legend that names each bit present and counts its pixels; JUNGFRAU and
            ePix10ka dark status bits are 1 hot rms, 2 cold rms, 4 saturated, 8 cold,
            16 high mean, 32 low mean, 64 bad gain switch
    image   a calibrated frame (nsegs, rows, cols) or (rows, cols), drawn like a map
    auto    status for status files, map otherwise (the default). A file is taken as status
            when its directory or name says so (pixel_status/, status_extra/, status/,
            ..._status_gm0-Normal.dat), as in `detcal show`.

GEOMETRY:
    Maps and images of a calibration-store file (<calib>/<group>/<source>/<ctype>/<runs>.data)
    are drawn as the detector sits in the hall: assembled with the geometry valid for the
    file's first run (the store's geometry, else the type's default), one image per gain mode.
    --geometry FILE uses that file for any array; --tiles draws the segments in a grid instead.
    The mean image of a dataset is assembled the same way. Assembled images have axes in mm
    (psana frame: x down the left edge, y along the bottom, seen from the interaction point);
    cells no pixel falls in are grey. Status maps and histograms are never assembled.

SHAPES:
    A 4-D array (gains, nsegs, rows, cols), such as deployed JUNGFRAU constants (3, nsegs, 512,
    1024), gives one image per gain mode, one above the other; --gain-mode N keeps one. A 3-D
    array (nsegs, rows, cols) or a 2-D one (rows, cols) gives one image. Segments are tiled in
    a grid with small gaps, closest to square unless --columns says otherwise.

COLOURS AND SIZE:
    The colour scale runs from the 1st to the 99th percentile of each image's values
    (--percentiles), or from --vmin to --vmax; values beyond take the end colours and NaN is
    grey. Histograms cover the 0.05th to 99.95th percentile unless --vmin/--vmax are given, and
    count the values outside. Images larger than 1200 x 900 pixels per gain mode are reduced by
    a whole factor: blocks of pixels show their mean (maps) or the OR of their bits (status, so
    a single bad pixel stays visible); the subtitle says so.

    The title starts with the file path (--title replaces it) and names the calibration type
    (from the directory: pedestals/, pixel_gain/, ...) and the gain mode. The unit on colour
    bars and axes comes from the calibration type (ADU for pedestals, rms and offsets, ADU/keV
    for multi-gain pixel_gain) unless --unit is given.

EXAMPLES:
    detcal plot calib/Jungfrau::CalibV1/CxiDs1.0:Jungfrau.0/pedestals/23-end.data -o peds.png
    detcal plot calib/Jungfrau::CalibV1/jungfrau.0:Jungfrau.0/pixel_status/1-end.data \\
        -o status.png --gain-mode 0
    detcal plot calib/Jungfrau::CalibV1/jungfrau.0:Jungfrau.0/pedestals/1-end.data \\
        -o peds-hist.png --kind hist --vmin 2500 --vmax 4000
    detcal plot mean.npy -o mean.png --kind image --unit keV
    detcal plot exp=xpptut15:run=2 --data-dir data -c calib -o mean.png --events 50";

/// Draw a constants file as a PNG image: a map, a histogram or a status map.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The file to draw (.npy, .data, .txt or .dat), or a dataset whose mean calibrated image
    /// is drawn (exp=<exp>:run=<run>, or an .xtc2 file).
    #[arg(value_name = "FILE_OR_DATASET")]
    pub file: PathBuf,
    /// The PNG file to write (must end in .png); replaced atomically.
    #[arg(short, long, value_name = "IMAGE.png")]
    pub out: PathBuf,
    /// What to draw.
    #[arg(long, value_enum, default_value_t = Kind::Auto)]
    pub kind: Kind,
    /// Only this gain mode: index on the first axis of a 4-D array (JUNGFRAU: 0, 1, 2).
    #[arg(long, value_name = "N")]
    pub gain_mode: Option<usize>,
    /// The value at the bottom of the colour scale (or the histogram's left end).
    #[arg(long, value_name = "X", allow_negative_numbers = true)]
    pub vmin: Option<f64>,
    /// The value at the top of the colour scale (or the histogram's right end).
    #[arg(long, value_name = "Y", allow_negative_numbers = true)]
    pub vmax: Option<f64>,
    /// The percentiles that set automatic colour limits.
    #[arg(long, value_name = "LOW,HIGH", default_value = "1,99", value_parser = parse_pair)]
    pub percentiles: (f64, f64),
    /// The unit of the values, for colour bars and axes (default: from the calibration type).
    #[arg(long, value_name = "TEXT")]
    pub unit: Option<String>,
    /// The start of every title (default: FILE as given).
    #[arg(long, value_name = "TEXT")]
    pub title: Option<String>,
    /// Segments per row of the tile grid (default: the grid closest to square).
    #[arg(long, value_name = "N")]
    pub columns: Option<usize>,
    /// The number of histogram bins.
    #[arg(long, value_name = "N", default_value_t = 200)]
    pub bins: usize,
    /// Assemble maps and images with this geometry file (default: the calibration store's
    /// geometry for a store file or dataset, else the type's default).
    #[arg(long, value_name = "GEOMETRY.data", conflicts_with = "tiles")]
    pub geometry: Option<PathBuf>,
    /// Draw segments in a grid, never assembled with a geometry.
    #[arg(long)]
    pub tiles: bool,
    #[command(flatten, next_help_heading = "Datasets (mean calibrated image)")]
    pub root: crate::args::DataDirArg,
    #[command(flatten, next_help_heading = "Datasets (mean calibrated image)")]
    pub calib: CalibDetArgs,
    #[command(flatten)]
    pub perms: PermArgs,
}

/// What `detcal plot` draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Kind {
    /// Status map for status files, map otherwise.
    Auto,
    /// Values on a colour scale.
    Map,
    /// Histogram of the values.
    Hist,
    /// Status bits.
    Status,
    /// A calibrated frame.
    Image,
}

fn parse_pair(s: &str) -> Result<(f64, f64), String> {
    let bad = || format!("{s:?}: expected two numbers LOW,HIGH such as 1,99");
    let (a, b) = s.split_once(',').ok_or_else(bad)?;
    let a: f64 = a.trim().parse().map_err(|_| bad())?;
    let b: f64 = b.trim().parse().map_err(|_| bad())?;
    if !(0.0..=100.0).contains(&a) || !(0.0..=100.0).contains(&b) || a >= b {
        return Err(format!("{s:?}: need 0 <= LOW < HIGH <= 100"));
    }
    Ok((a, b))
}

/// The calibration type the path names: its directory (calib store, repository) or a word of
/// its file name.
fn ctype_of(path: &Path) -> Option<String> {
    let repo_dirs = [
        ("pedestals", "pedestals"),
        ("rms", "pixel_rms"),
        ("status", "pixel_status"),
        ("gain", "pixel_gain"),
        ("offset", "pixel_offset"),
    ];
    let dir = path
        .parent()
        .and_then(|p| p.file_name())
        .and_then(|n| n.to_str())
        .unwrap_or("");
    if CalibType::from_name(dir).is_some() || dir.starts_with("status_") {
        return Some(dir.to_string());
    }
    if let Some((_, c)) = repo_dirs.iter().find(|(d, _)| *d == dir) {
        return Some(c.to_string());
    }
    let stem = path.file_stem().and_then(|n| n.to_str()).unwrap_or("");
    let words: Vec<&str> = stem.split(['_', '-', '.']).collect();
    let joined = |w: &[&str]| w.join("_");
    for pair in words.windows(2) {
        let name = joined(pair);
        if CalibType::from_name(&name).is_some() {
            return Some(name);
        }
    }
    words.iter().find_map(|w| {
        repo_dirs
            .iter()
            .find(|(d, _)| d == w)
            .map(|(_, c)| c.to_string())
    })
}

/// The unit of a calibration type's values.
fn default_unit(ctype: Option<&str>, ndim: usize) -> &'static str {
    match ctype {
        Some("pedestals" | "pixel_rms" | "pixel_offset") => "ADU",
        // JUNGFRAU and ePix10ka gains (multi-gain, 4-D) are ADU/keV; others are plain factors.
        Some("pixel_gain") if ndim == 4 => "ADU/keV",
        _ => "",
    }
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    if a.out.extension().and_then(|e| e.to_str()) != Some("png") {
        anyhow::bail!(
            "--out {}: the image file name must end in .png",
            a.out.display()
        );
    }
    if let Some(ds) = dataset_of(&a.file) {
        return plot_dataset(&a, ds);
    }
    let arr = formats::load_array(&a.file)?;
    let ctype = ctype_of(&a.file);
    let kind = match a.kind {
        Kind::Auto if detcal::detector::path_names_status(&a.file) => Kind::Status,
        Kind::Auto => Kind::Map,
        k => k,
    };
    let bit_names = match ctype.as_deref() {
        // status_extra and status_data bits mean other things than dark-processing status.
        Some(c) if c.starts_with("status_") => vec![],
        _ => plot::jungfrau_status_bits(),
    };
    let opts = PlotOptions {
        title: a
            .title
            .clone()
            .unwrap_or_else(|| a.file.display().to_string()),
        ctype: ctype.clone(),
        gain_mode: a.gain_mode,
        vmin: a.vmin,
        vmax: a.vmax,
        percentiles: a.percentiles,
        unit: a
            .unit
            .clone()
            .unwrap_or_else(|| default_unit(ctype.as_deref(), arr.ndim()).to_string()),
        columns: a.columns,
        bins: a.bins,
        bit_names,
        ..PlotOptions::default()
    };
    let desc = format!(
        "drawing {} (shape {})",
        a.file.display(),
        shape_str(arr.shape())
    );
    let what = || desc.clone();
    let assembled = match kind {
        Kind::Map | Kind::Auto | Kind::Image if !a.tiles => {
            detcal::pipeline::image::assemble_constants(&a.file, &arr, a.geometry.as_deref())
                .with_context(what)?
        }
        _ => None,
    };
    if let Some(asm) = &assembled {
        tracing::info!("{}: assembled with geometry {}", a.out.display(), asm.from);
    } else if a.geometry.is_some() {
        anyhow::bail!(
            "--geometry: {} is not drawn as an assembled image (a status map or histogram, or the geometry does not fit the array; see the log)",
            a.file.display()
        );
    }
    let opts = PlotOptions {
        axes: assembled.as_ref().map(|asm| asm.axes),
        ..opts
    };
    let arr = assembled.map_or(arr, |asm| asm.image);
    let fig = match kind {
        Kind::Map | Kind::Auto => plot::map(&arr, &opts),
        Kind::Hist => plot::histogram(&arr, &opts),
        Kind::Status => plot::status_map(&arr, &opts),
        Kind::Image => plot::image(&arr, &opts),
    }
    .with_context(what)?;
    fig.save_png(&a.out, &a.perms.perms())
        .with_context(|| format!("writing {}", a.out.display()))?;
    tracing::info!(
        "wrote {} ({}x{} pixels, {:?} of {})",
        a.out.display(),
        fig.image.width,
        fig.image.height,
        kind,
        a.file.display()
    );
    Ok(ExitCode::from(EXIT_OK))
}

/// The dataset `arg` names, if it is one rather than a file: psana's `key=value` form
/// (`exp=...:run=...`), or `.xtc2` files (several separated by commas).
fn dataset_of(arg: &Path) -> Option<String> {
    let s = arg.to_str()?;
    let mut pieces = s.split(',').filter(|f| !f.is_empty()).peekable();
    let xtc = pieces.peek().is_some() && pieces.all(|f| f.ends_with(".xtc2"));
    (s.contains('=') || xtc).then(|| s.to_string())
}

/// Draws the mean calibrated image of a dataset.
fn plot_dataset(a: &Args, ds: String) -> anyhow::Result<ExitCode> {
    let settings = crate::args::settings(&a.perms, a.root.data_dir.as_deref());
    let r = calib::mean_image(&a.calib.input(ds.clone()), &settings, &crate::output::Bars)?;
    let unit = a.unit.clone().unwrap_or_else(|| r.unit.to_string());
    let (mean, stats) = (r.image, r.stats);
    let input = a.calib.input(ds.clone());
    let assembled = match (a.kind, a.tiles, &a.geometry) {
        (Kind::Hist, ..) | (_, true, _) => None,
        (_, false, Some(g)) => {
            detcal::pipeline::image::assemble_constants(&a.file, &mean, Some(g))?
        }
        (_, false, None) => {
            detcal::pipeline::image::assemble_for_dataset(&input, &settings, &mean)?
        }
    };
    if let Some(asm) = &assembled {
        tracing::info!("{}: assembled with geometry {}", a.out.display(), asm.from);
    }
    let axes = assembled.as_ref().map(|asm| asm.axes);
    let mean = assembled.map_or(mean, |asm| asm.image);
    let opts = PlotOptions {
        title: a
            .title
            .clone()
            .unwrap_or_else(|| format!("{ds}: mean of {} calibrated frames", stats.frames)),
        vmin: a.vmin,
        vmax: a.vmax,
        percentiles: a.percentiles,
        unit,
        columns: a.columns,
        bins: a.bins,
        axes,
        ..PlotOptions::default()
    };
    let fig = match a.kind {
        Kind::Hist => plot::histogram(&mean, &opts),
        Kind::Status => anyhow::bail!("--kind status draws status files, not a dataset"),
        _ => plot::image(&mean, &opts),
    }?;
    fig.save_png(&a.out, &a.perms.perms())
        .with_context(|| format!("writing {}", a.out.display()))?;
    println!(
        "{}: mean of {} calibrated frames of {ds}",
        a.out.display(),
        stats.frames
    );
    Ok(ExitCode::from(EXIT_OK))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        args: Args,
    }

    fn parse(argv: &[&str]) -> Result<Args, clap::Error> {
        let mut v = vec!["plot"];
        v.extend_from_slice(argv);
        Cli::try_parse_from(v).map(|c| c.args)
    }

    #[test]
    fn options_parse() {
        let a = parse(&["f.npy", "-o", "x.png", "--vmin", "-5", "--vmax", "5"]).unwrap();
        assert_eq!((a.vmin, a.vmax), (Some(-5.0), Some(5.0)));
        assert_eq!(a.kind, Kind::Auto);
        assert_eq!(a.percentiles, (1.0, 99.0));
        let a = parse(&[
            "f.npy",
            "--out",
            "x.png",
            "--kind",
            "hist",
            "--percentiles",
            "5,95",
        ])
        .unwrap();
        assert_eq!((a.kind, a.percentiles), (Kind::Hist, (5.0, 95.0)));
        assert!(parse(&["f.npy", "-o", "x.png", "--percentiles", "95,5"]).is_err());
        assert!(parse(&["f.npy", "-o", "x.png", "--kind", "pie"]).is_err());
        assert!(parse(&["f.npy"]).is_err(), "--out is required");
    }

    #[test]
    fn datasets_are_told_from_files() {
        let ds = |s: &str| dataset_of(Path::new(s));
        assert_eq!(ds("exp=x:run=2").as_deref(), Some("exp=x:run=2"));
        assert_eq!(ds("run=2:exp=x").as_deref(), Some("run=2:exp=x"));
        assert_eq!(ds("a.xtc2,b.xtc2,").as_deref(), Some("a.xtc2,b.xtc2,"));
        assert_eq!(ds("peds.npy"), None);
        assert_eq!(ds("a.xtc2,peds.npy"), None);
        assert_eq!(ds(","), None);
    }

    #[test]
    fn ctype_and_status_from_the_path() {
        let p = Path::new;
        assert_eq!(
            ctype_of(p("c/Jungfrau::CalibV1/s/pedestals/23-end.data")).as_deref(),
            Some("pedestals")
        );
        assert_eq!(
            ctype_of(p("x/status_extra/1-end.data")).as_deref(),
            Some("status_extra")
        );
        assert_eq!(
            ctype_of(p("panel/rms/jf_0001_2020_exp_r0007_rms_gm0-Normal.dat")).as_deref(),
            Some("pixel_rms")
        );
        assert_eq!(
            ctype_of(p("out/my_pixel_gain.npy")).as_deref(),
            Some("pixel_gain")
        );
        assert_eq!(ctype_of(p("frame.npy")), None);
        assert!(detcal::detector::path_names_status(p(
            "a/pixel_status/23-end.data"
        )));
        assert!(detcal::detector::path_names_status(p(
            "a/b/jf_x_status_gm0-Normal.dat"
        )));
        assert!(!detcal::detector::path_names_status(p(
            "a/pedestals/23-end.data"
        )));
        assert_eq!(default_unit(Some("pixel_gain"), 4), "ADU/keV");
        assert_eq!(default_unit(Some("pixel_gain"), 3), "");
    }

    #[test]
    fn writes_png_and_rejects_bad_input() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("pixel_status");
        std::fs::create_dir(&src).unwrap();
        let file = src.join("23-end.npy");
        let arr: detcal::NdArray =
            ndarray::ArrayD::<u16>::from_elem(ndarray::IxDyn(&[3, 1, 16, 32]), 0).into();
        formats::npy::write_npy(&file, &arr, &detcal::files::Perms::new(0o775, 0o664, "")).unwrap();
        let out = dir.path().join("s.png");
        let (f, o) = (file.to_str().unwrap(), out.to_str().unwrap());
        run(parse(&[f, "-o", o, "--group", ""]).unwrap()).unwrap();
        let bytes = std::fs::read(&out).unwrap();
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
        assert!(run(parse(&[f, "-o", "s.jpg"]).unwrap()).is_err());
        assert!(run(parse(&[f, "-o", o, "--gain-mode", "3", "--group", ""]).unwrap()).is_err());
        assert!(run(parse(&[f, "-o", o, "--kind", "image", "--group", ""]).unwrap()).is_err());
    }
}
