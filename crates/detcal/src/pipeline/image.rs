/*!
One event of a detector as an assembled image (`detcal image`): the calibrated (or raw) frame
placed with the geometry valid for the run (the calibration store's, else the type's default),
as psana's `det.image` does: psana-frame indexes at the segment's pixel size, the last pixel of a
cell winning, empty cells 0, float32.
*/

use std::path::{Path, PathBuf};

use ndarray::{ArrayD, IxDyn};
use serde::Serialize;

use crate::NdArray;
use crate::apply::Selection;
use crate::detector::DetType;
use crate::error::{Error, Missing, Result};
use crate::geometry::{Assembler, Frame, Geometry, ImageAxes, Select};
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
    /// The same image with NaN in the cells no pixel falls in, for pictures (grey there).
    #[serde(skip)]
    pub picture: NdArray,
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
    /// Where the image sits in the detector frame.
    pub axes: ImageAxes,
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
        calib::calibrate_all(
            &mut runs[..1],
            &input.selection,
            pb.as_ref(),
            None,
            Some(&mut |b| {
                if got.is_none() {
                    got = Some(b[..meta.frame_len()].to_vec());
                }
                Ok(())
            }),
        )?;
        pb.finish();
        (got.ok_or_else(|| no_event(opts.event, 0))?, meta, unit)
    };
    let (geo, from) = geometry(opts.geometry.as_ref(), &opts.input, &meta, settings)?;
    let asm = Assembler::new(&geo)?;
    if asm.pixels() != values.len() {
        let shape = geo.coords(Select::Top, Frame::Psana, true)?.shape;
        return Err(Error::shape(
            from.clone(),
            format!("{} pixels", values.len()),
            &shape,
            format!(
                "geometry {from} has {} pixels (shape {:?}) but a frame of {} has {} ({:?})",
                asm.pixels(),
                shape,
                meta.alias,
                values.len(),
                meta.frame_shape
            ),
        ));
    }
    let img = asm.image(&values)?;
    let map = asm.map();
    let (r, c) = map.shape();
    let mut pic = vec![0f32; r * c];
    map.assemble_into_filled(&values, &mut pic, f32::NAN)?;
    Ok(ImageReport {
        image: NdArray::F32(
            ArrayD::from_shape_vec(IxDyn(&[r, c]), img.into_raw_vec_and_offset().0)
                .expect("rows × cols"),
        ),
        picture: NdArray::F32(ArrayD::from_shape_vec(IxDyn(&[r, c]), pic).expect("rows × cols")),
        geometry: from,
        frame_shape: meta.frame_shape,
        image_shape: (r, c),
        empty_cells: map.empty_cells(),
        hidden_pixels: map.hidden_pixels(),
        axes: asm.axes(),
        unit,
        exp: meta.exp.clone(),
        run: meta.run,
    })
}

/// An array assembled with a geometry: the image, where the geometry came from, and where the
/// image sits in the detector frame.
#[derive(Debug, Clone)]
pub struct Assembled {
    /// `(rows, cols)`, or `(gains, 1, rows, cols)`; cells no pixel falls in are NaN.
    pub image: NdArray,
    /// The geometry (file, or default name).
    pub from: String,
    /// Where the image sits (for axes in mm).
    pub axes: ImageAxes,
}

/// `frame` (one value per pixel of a frame of the dataset's detector, e.g. a mean image)
/// assembled with the geometry valid for the dataset's first run; `None` (and a message) when
/// there is no geometry for it or it does not fit the frame.
pub fn assemble_for_dataset(
    input: &CalibInput,
    settings: &Settings,
    frame: &NdArray,
) -> Result<Option<Assembled>> {
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
    assemble_with(&geo, from, frame)
}

/// A constants array (`(nsegs, rows, cols)`, or `(gains, nsegs, rows, cols)` with one image per
/// gain) assembled with `geometry`, or, for a file of a calibration store
/// (`<calib>/<group>/<source>/<ctype>/<begin>-<end>.data`), with the geometry valid for its
/// first run (the store's, else the type's default). The image is `(rows, cols)`, or
/// `(gains, 1, rows, cols)`; `None` (and a message) when no geometry applies or it does not fit
/// the array.
pub fn assemble_constants(
    file: &Path,
    arr: &NdArray,
    geometry: Option<&Path>,
) -> Result<Option<Assembled>> {
    let shape = arr.shape().to_vec();
    let panels = match shape.len() {
        3 => shape[0],
        4 => shape[1],
        _ => 1,
    };
    let (geo, from) = match geometry {
        Some(p) => (Geometry::read(p)?, p.display().to_string()),
        None => {
            let Some((store, source, run)) = store_file(file) else {
                return Ok(None);
            };
            match for_run(&store, &source, run, DetType::from_source(&source), panels) {
                Ok(g) => g,
                Err(e) => {
                    tracing::info!("no assembled image: {e}");
                    return Ok(None);
                }
            }
        }
    };
    assemble_with(&geo, from, arr)
}

/// `arr` assembled with `geo` (named `from`); see [`Assembler::assemble_array`].
pub fn assemble_with(geo: &Geometry, from: String, arr: &NdArray) -> Result<Option<Assembled>> {
    let asm = Assembler::new(geo)?;
    Ok(asm.assemble_array(&from, arr)?.map(|image| Assembled {
        image,
        from,
        axes: asm.axes(),
    }))
}

/// The store, source and first run of a file laid out as `<calib>/<group>/<source>/<ctype>/<begin>-<end>.data`.
fn store_file(file: &Path) -> Option<(CalibStore, String, u32)> {
    let range = crate::store::parse_range(file.file_stem()?.to_str()?).ok()?;
    let source_dir = file.parent()?.parent()?;
    let source = source_dir.file_name()?.to_str()?.to_string();
    let group_dir = source_dir.parent()?;
    let group = group_dir.file_name()?.to_str()?;
    if CalibStore::group_for_source(&source).ok()? != group {
        return None;
    }
    Some((CalibStore::new(group_dir.parent()?), source, range.begin))
}

fn no_event(event: u64, seen: u64) -> Error {
    Error::not_found(
        Missing::Data,
        "event",
        "the run",
        format!("no event {event} in the run ({seen} frames)"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::defaults::grid_text;

    /// (gain, panel, row, col) encoded in one value, so every pixel can be found in the image.
    fn code(g: usize, p: usize, r: usize, c: usize) -> f32 {
        (g * 1000 + p * 100 + r * 10 + c) as f32
    }

    #[test]
    fn constants_of_a_store_file_are_assembled_with_the_store_geometry() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir
            .path()
            .join("calib/Jungfrau::CalibV1/CxiDs1.0:Jungfrau.0");
        std::fs::create_dir_all(src.join("geometry")).unwrap();
        // Two panels of 4 x 6 pixels, valid from run 5.
        std::fs::write(src.join("geometry/5-end.data"), grid_text(2, 4, 6, 75.0)).unwrap();
        let (gains, panels, rows, cols) = (3, 2, 4, 6);
        let mut v = Vec::new();
        for g in 0..gains {
            for p in 0..panels {
                for r in 0..rows {
                    for c in 0..cols {
                        v.push(code(g, p, r, c));
                    }
                }
            }
        }
        let arr =
            NdArray::F32(ArrayD::from_shape_vec(IxDyn(&[gains, panels, rows, cols]), v).unwrap());
        let file = src.join("pedestals/7-end.data");
        let Assembled {
            image: img, from, ..
        } = assemble_constants(&file, &arr, None)
            .unwrap()
            .expect("assembled");
        assert!(from.ends_with("geometry/5-end.data"), "{from}");
        let img = img.to_f64();
        let s = img.shape().to_vec();
        assert_eq!((s[0], s[1]), (gains, 1));
        for g in 0..gains {
            // Every pixel lands in its own cell: the image holds each value once, the rest is NaN.
            let mut got: Vec<f64> = img
                .index_axis(ndarray::Axis(0), g)
                .iter()
                .copied()
                .filter(|&x| !x.is_nan() && x != 0.0)
                .collect();
            let empty = img
                .index_axis(ndarray::Axis(0), g)
                .iter()
                .filter(|x| x.is_nan())
                .count();
            assert_eq!(
                empty + panels * rows * cols,
                s[2] * s[3],
                "gain {g}: empty cells"
            );
            got.sort_by(f64::total_cmp);
            let mut want: Vec<f64> = (0..panels * rows * cols)
                .map(|i| f64::from(code(g, i / (rows * cols), i / cols % rows, i % cols)))
                .filter(|&x| x != 0.0)
                .collect();
            want.sort_by(f64::total_cmp);
            assert_eq!(got, want, "gain {g}");
        }
        // Runs before the geometry's range: the default 1M geometry, which does not fit 2 small panels.
        let early = src.join("pedestals/1-4.data");
        assert!(assemble_constants(&early, &arr, None).unwrap().is_none());
        // Not a store file, or an array the geometry does not fit: not assembled.
        assert!(
            assemble_constants(Path::new("peds.npy"), &arr, None)
                .unwrap()
                .is_none()
        );
        let geo = src.join("geometry/5-end.data");
        let small = NdArray::F32(ArrayD::zeros(IxDyn(&[1, 4, 6])));
        assert!(
            assemble_constants(&file, &small, Some(&geo))
                .unwrap()
                .is_none()
        );
        // A given geometry applies to any file; a 3-D array gives one 2-D image.
        let one = NdArray::F32(
            arr.to_typed::<f32>()
                .index_axis(ndarray::Axis(0), 1)
                .to_owned()
                .into_dyn(),
        );
        let a = assemble_constants(Path::new("peds.npy"), &one, Some(&geo))
            .unwrap()
            .unwrap();
        assert_eq!(a.image.ndim(), 2);
    }
}
