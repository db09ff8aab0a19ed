//! `detcal image`: one event of a detector as an assembled image (psana's `det.image`).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use detcal::pipeline::image::{self, ImageOptions};

use crate::args::{CalibDetArgs, DatasetArgs, PermArgs};
use crate::cli::EXIT_OK;

pub const AFTER_HELP: &str = "\
The event is calibrated as `detcal calib` does (or taken raw with --raw: no constants needed)
and placed with the geometry valid for the run: the calibration store's geometry file for the
run, else the detector type's default (JUNGFRAU 0.5M/1M/4M/16M, ePix10ka quad/2M, ePix100a,
CSPAD, CSPAD2x2, pnCCD), or
--geometry. Pixels go to psana-frame cells of the segment's pixel size (the detector seen from
the interaction point); where pixels share a cell the last one wins, empty cells are 0.

OUTPUT:
    --out IMAGE.npy   the image, float32 (rows, cols)
    --out IMAGE.png   a picture with a colour scale and axes in mm (x down, y across),
                      cells no pixel falls in grey

EXAMPLES:
    detcal geometry default --det-type jungfrau --panels 2 --shape 64x256 --out sim.data
    detcal geometry deploy sim.data -c calib -d jungfrau.0:Jungfrau.0 -R 0-end -D
    detcal image exp=xpptut15:run=2 --data-dir data -c calib -s jungfrau --event 3 --out event3.png
    detcal image exp=xpptut15:run=2 --data-dir data --raw --geometry sim.data --out raw0.npy";

/// Draw one event of a detector as an assembled image.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub data: DatasetArgs,
    #[command(flatten)]
    pub det: CalibDetArgs,
    /// The event to draw (0-based, frames of the first run).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub event: u64,
    /// Raw values, not calibrated.
    #[arg(long)]
    pub raw: bool,
    /// A geometry file instead of the one valid for the run.
    #[arg(long, value_name = "FILE")]
    pub geometry: Option<PathBuf>,
    /// The image to write: .png or .npy.
    #[arg(short, long, value_name = "IMAGE.png|.npy")]
    pub out: PathBuf,
    #[command(flatten)]
    pub perms: PermArgs,
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let ext = a.out.extension().and_then(|e| e.to_str()).unwrap_or("");
    if ext != "png" && ext != "npy" {
        anyhow::bail!(
            "{}: the file name must end in .png or .npy",
            a.out.display()
        );
    }
    let settings = crate::args::settings(&a.perms, a.data.root.data_dir.as_deref());
    let opts = ImageOptions {
        input: a.det.input(a.data.spec()),
        event: a.event,
        geometry: a.geometry.clone(),
        raw: a.raw,
    };
    let r = image::run(&opts, &settings, &crate::output::Bars)?;
    if ext == "png" {
        let title = format!(
            "{} run {} event {}{}",
            r.exp,
            r.run,
            a.event,
            if a.raw { " raw" } else { "" }
        );
        detcal_plot::titled_image(&r.picture, &title, r.unit, Some(r.axes))?
            .save_png(&a.out, &settings.perms)
            .with_context(|| format!("writing {}", a.out.display()))?;
    } else {
        detcal::formats::npy::write_npy(&a.out, &r.image, &settings.perms)?;
    }
    tracing::info!(
        "geometry {}; image {} x {}, {} empty cells, {} hidden pixels",
        r.geometry,
        r.image_shape.0,
        r.image_shape.1,
        r.empty_cells,
        r.hidden_pixels
    );
    println!("{}", a.out.display());
    Ok(ExitCode::from(EXIT_OK))
}
