/*!
One event of a detector as an assembled image (`detcal image`): the calibrated (or raw) frame
placed with the geometry valid for the run (the calibration store's, else the type's default),
as psana's `det.image` does: psana-frame indexes at the segment's pixel size, the last pixel of a
cell winning, empty cells 0, float32.
*/

use std::path::PathBuf;

use ndarray::{ArrayD, IxDyn};
use serde::Serialize;

use crate::NdArray;
use crate::apply::Selection;
use crate::error::{Error, Missing, Result};
use crate::geometry::{Frame, Geometry, ImageMap, IndexOptions, Select};
use crate::pipeline::calib::{self, CalibInput};
use crate::pipeline::geometry::for_run;
use crate::report::Reporter;
use crate::settings::Settings;
use crate::source::{Flow, Item, open_dataset};
use crate::store::CalibStore;

/// Which event to draw, and how.
#[derive(Debug, Clone)]
pub struct ImageOptions {
    /// The dataset, detector and calibration (its selection is replaced by `event`).
    pub input: CalibInput,
    /// The event (0-based, among the frames of the first run).
    pub event: u64,
    /// A geometry file instead of the one valid for the run.
    pub geometry: Option<PathBuf>,
    /// Raw values instead of calibrated ones (no constants needed).
    pub raw: bool,
}

/// The assembled image and where it came from.
#[derive(Debug, Clone, Serialize)]
pub struct ImageReport {
    /// The image, float32 (rows, cols).
    #[serde(skip)]
    pub image: NdArray,
    /// The geometry used (file, or default name).
    pub geometry: String,
    /// (segments, rows, cols) of a frame.
    pub frame_shape: [usize; 3],
    /// (rows, cols) of the image.
    pub image_shape: (usize, usize),
    /// Cells no pixel falls in.
    pub empty_cells: usize,
    /// Pixels hidden by a later pixel in the same cell.
    pub hidden_pixels: usize,
    /// The unit of the values (`keV`, `ADU`, or empty).
    pub unit: &'static str,
    /// Experiment and run of the event.
    pub exp: String,
    /// The run.
    pub run: u32,
}

/// The geometry for a run: `given`, else the store's for the run, else the type's default.
fn geometry(
    given: Option<&PathBuf>,
    input: &CalibInput,
    meta: &crate::source::DetectorMeta,
    settings: &Settings,
) -> Result<(Geometry, String)> {
    if let Some(p) = given {
        return Ok((Geometry::read(p)?, p.display().to_string()));
    }
    let source = input
        .calib_source
        .clone()
        .unwrap_or_else(|| meta.det_type.default_source(&meta.alias));
    let store = match &input.calib_dir {
        Some(c) => Some(CalibStore::new(c)),
        None => settings.experiment_store(&meta.exp).ok(),
    };
    let store = store.unwrap_or_else(|| CalibStore::new("/nonexistent-calib-store"));
    for_run(
        &store,
        &source,
        meta.run,
        meta.det_type,
        meta.frame_shape[0],
    )
}

/// Assembles one event of the dataset's detector into an image.
pub fn run(opts: &ImageOptions, settings: &Settings, rep: &dyn Reporter) -> Result<ImageReport> {
    let input = CalibInput {
        selection: Selection {
            skip: opts.event,
            events: Some(1),
            step: None,
        },
        ..opts.input.clone()
    };
    let (values, meta, unit) = if opts.raw {
        let runs = open_dataset(
            &input.dataset,
            settings.psdm_data.as_deref(),
            input.det.as_deref(),
        )?;
        let src = runs.first().ok_or_else(|| {
            Error::not_found(
                Missing::Run,
                "runs",
                "the dataset",
                "the dataset has no runs",
            )
        })?;
        let mut seen = 0u64;
        let mut got: Option<Vec<f32>> = None;
        src.for_each(&mut |item| {
            Ok(match item {
                Item::Frame { frame, .. } => {
                    if seen == opts.event {
                        got = Some(frame.to_vec()?.into_iter().map(f32::from).collect());
                        Flow::Stop
                    } else {
                        seen += 1;
                        Flow::Continue
                    }
                }
                _ => Flow::Continue,
            })
        })?;
        let v = got.ok_or_else(|| no_event(opts.event, seen))?;
        (v, src.meta().clone(), "ADU")
    } else {
        let mut runs = calib::open(&input, settings)?;
        let meta = runs[0].src.meta().clone();
        let unit = runs[0].unit;
        let pb = rep.progress(0, "calibrating");
        let mut got: Option<Vec<f32>> = None;
        calib::calibrate_all(&mut runs[..1], &input.selection, pb.as_ref(), &mut |b| {
            if got.is_none() {
                got = Some(b[..meta.frame_len()].to_vec());
            }
            Ok(())
        })?;
        pb.finish();
        (got.ok_or_else(|| no_event(opts.event, 0))?, meta, unit)
    };
    let (geo, from) = geometry(opts.geometry.as_ref(), &opts.input, &meta, settings)?;
    let (rows, cols) = geo.indexes(Select::Top, Frame::Psana, true, &IndexOptions::default())?;
    if rows.data.len() != values.len() {
        return Err(Error::shape(
            from.clone(),
            format!("{} pixels", values.len()),
            &rows.shape,
            format!(
                "geometry {from} has {} pixels (shape {:?}) but a frame of {} has {} ({:?})",
                rows.data.len(),
                rows.shape,
                meta.alias,
                values.len(),
                meta.frame_shape
            ),
        ));
    }
    let map = ImageMap::new(&rows.data, &cols.data)?;
    let img = map.assemble(&values)?;
    let (r, c) = map.shape();
    Ok(ImageReport {
        image: NdArray::F32(
            ArrayD::from_shape_vec(IxDyn(&[r, c]), img.into_raw_vec_and_offset().0)
                .expect("rows × cols"),
        ),
        geometry: from,
        frame_shape: meta.frame_shape,
        image_shape: (r, c),
        empty_cells: map.empty_cells(),
        hidden_pixels: map.hidden_pixels(),
        unit,
        exp: meta.exp.clone(),
        run: meta.run,
    })
}

/// `frame` (one value per pixel of a frame of the dataset's detector, e.g. a mean image)
/// assembled with the geometry valid for the dataset's first run, with where the geometry came
/// from; `None` (and a message) when there is no geometry for it or it does not fit the frame.
pub fn assemble_for_dataset(
    input: &CalibInput,
    settings: &Settings,
    frame: &NdArray,
) -> Result<Option<(NdArray, String)>> {
    let runs = open_dataset(
        &input.dataset,
        settings.psdm_data.as_deref(),
        input.det.as_deref(),
    )?;
    let Some(src) = runs.first() else {
        return Ok(None);
    };
    let meta = src.meta().clone();
    let (geo, from) = match geometry(None, input, &meta, settings) {
        Ok(g) => g,
        Err(e) => {
            tracing::info!("no assembled image: {e}");
            return Ok(None);
        }
    };
    let (rows, cols) = geo.indexes(Select::Top, Frame::Psana, true, &IndexOptions::default())?;
    if rows.data.len() != frame.len() {
        tracing::info!(
            "no assembled image: geometry {from} has {} pixels, the frame {}",
            rows.data.len(),
            frame.len()
        );
        return Ok(None);
    }
    let values: Vec<f32> = frame.to_typed::<f32>().iter().copied().collect();
    let map = ImageMap::new(&rows.data, &cols.data)?;
    let img = map.assemble(&values)?;
    let (r, c) = map.shape();
    Ok(Some((
        NdArray::F32(
            ArrayD::from_shape_vec(IxDyn(&[r, c]), img.into_raw_vec_and_offset().0)
                .expect("rows × cols"),
        ),
        from,
    )))
}

fn no_event(event: u64, seen: u64) -> Error {
    Error::not_found(
        Missing::Data,
        "event",
        "the run",
        format!("no event {event} in the run ({seen} frames)"),
    )
}
