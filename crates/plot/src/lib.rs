/*!
PNG images of constants, status maps, histograms and calibrated frames.

Each function draws one [`Figure`] (an [`RgbImage`] and where its pixel grids are);
[`Figure::save_png`] writes it. A 4-D array
`(gains, nsegs, rows, cols)` gives one image per gain mode, one above the other (or only
[`PlotOptions::gain_mode`]); a 3-D array `(nsegs, rows, cols)` or a 2-D one `(rows, cols)`
gives one. The segments of an image are tiled in a grid with small gaps, labelled `seg N`.

- [`map`]: values on the viridis colour scale with a labelled colour bar. The colour limits are
  the 1st and 99th percentiles of each gain mode's values unless given
  ([`PlotOptions::percentiles`], [`PlotOptions::vmin`], [`PlotOptions::vmax`]); values beyond
  them take the end colours, NaN is grey.
- [`histogram`]: the values of each gain mode in [`PlotOptions::bins`] bins, counts on a log
  scale; the range is the 0.05th to 99.95th percentile unless given.
- [`status_map`]: each pixel coloured by the lowest status bit it has set (good pixels light
  grey), with a legend naming each bit present and counting its pixels.
- [`image`]: a calibrated (for example mean) frame `(nsegs, rows, cols)`, drawn like a map.

Images larger than [`PlotOptions::max_width`] x [`PlotOptions::max_height`] are reduced by an
integer factor: blocks of pixels become their mean (maps, NaN ignored) or the OR of their status
bits (status maps, so that one bad pixel stays visible). Text uses an embedded font (DejaVu Sans),
so no system font library is needed.

```no_run
use detcal::files::Perms;
use detcal::formats::load_array;
use detcal_plot::{PlotOptions, map};
use std::path::Path;

let arr = load_array(Path::new("pedestals.npy")).unwrap();
let opts = PlotOptions { title: "pedestals.npy".into(), unit: "ADU".into(), ..PlotOptions::default() };
map(&arr, &opts).unwrap().save_png(Path::new("pedestals.png"), &Perms::default()).unwrap();
```
*/

mod figure;
mod font;
mod raster;

use std::path::Path;

use plotters::prelude::*;

pub use raster::RgbImage;

/// One drawn image of a figure: its pixels, where its grid is in it, its gain, its layout.
type Drawn = (RgbImage, Option<(u32, u32)>, Option<usize>, Option<Layout>);

/// A drawn figure and where its pixel grids are.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    /// The pixels.
    pub image: RgbImage,
    /// The tile grid of each image (gain mode) of the figure, top to bottom; empty for
    /// histograms.
    pub grids: Vec<GridPlacement>,
}

/// Where a tile grid sits in a [`Figure`] and how data pixels map to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GridPlacement {
    /// The gain index the grid shows (`None` for 2-D and 3-D arrays).
    pub gain: Option<usize>,
    /// The top-left corner of the grid in the figure.
    pub x: u32,
    /// The top-left corner of the grid in the figure.
    pub y: u32,
    /// Data pixels per figure pixel along each axis (large arrays are reduced).
    pub factor: usize,
    /// Figure pixels per data pixel along each axis (small arrays are enlarged).
    pub zoom: usize,
    /// Segments per row of the grid.
    pub columns: usize,
    /// The size of one segment's tile in figure pixels.
    pub tile_width: u32,
    /// The size of one segment's tile in figure pixels.
    pub tile_height: u32,
    /// The gap between tiles in figure pixels.
    pub gap: u32,
    /// The height of the label strip above each row of tiles.
    pub label_height: u32,
}

impl GridPlacement {
    /// The figure pixel that shows data pixel `(row, col)` of segment `seg`.
    pub fn pixel_of(&self, seg: usize, row: usize, col: usize) -> (u32, u32) {
        let (gr, gc) = (seg / self.columns, seg % self.columns);
        (
            self.x
                + gc as u32 * (self.tile_width + self.gap)
                + (col / self.factor * self.zoom) as u32,
            self.y
                + gr as u32 * (self.tile_height + self.gap + self.label_height)
                + self.label_height
                + (row / self.factor * self.zoom) as u32,
        )
    }

    fn new(gain: Option<usize>, at: (u32, u32), l: &Layout) -> GridPlacement {
        GridPlacement {
            gain,
            x: at.0,
            y: at.1,
            factor: l.factor,
            zoom: l.zoom,
            columns: l.columns,
            tile_width: l.tile_w,
            tile_height: l.tile_h,
            gap: l.gap,
            label_height: l.label_h,
        }
    }
}

impl Figure {
    /// Writes the figure as a PNG file (see [`save_png`]).
    pub fn save_png(&self, path: &Path, perms: &Perms) -> Result<()> {
        save_png(&self.image, path, perms)
    }

    /// Stacks blocks and records where their grids went.
    fn from_blocks(blocks: Vec<Drawn>) -> Figure {
        let images: Vec<RgbImage> = blocks.iter().map(|b| b.0.clone()).collect();
        let (image, offsets) = figure::stack(&images);
        let grids = blocks
            .iter()
            .zip(offsets)
            .filter_map(|((_, at, gain, layout), dy)| {
                let (at, layout) = (at.as_ref()?, layout.as_ref()?);
                Some(GridPlacement::new(*gain, (at.0, at.1 + dy), layout))
            })
            .collect();
        Figure { image, grids }
    }
}

use detcal::detector::{EPIX10KA_GAIN_MODES, JUNGFRAU_DEFAULT_STEP_MODES};
use detcal::error::{Error, IoContext, Result};
use detcal::files::{self, Perms};
use detcal::formats::array::{NdArray, shape_str};
pub use detcal::geometry::ImageAxes;
use figure::{GridAxes, LegendEntry};
use raster::{Block, Layout, NAN_COLOR};

/// What a figure shows and how.
#[derive(Debug, Clone, PartialEq)]
pub struct PlotOptions {
    /// The start of every title, usually the file name.
    pub title: String,
    /// The calibration type shown (`pedestals`, `pixel_status`, ...), named in the titles.
    pub ctype: Option<String>,
    /// Only this gain mode (index on the first axis of a 4-D array).
    pub gain_mode: Option<usize>,
    /// The value at the bottom of the colour scale or histogram (default: a percentile).
    pub vmin: Option<f64>,
    /// The value at the top of the colour scale or histogram (default: a percentile).
    pub vmax: Option<f64>,
    /// The percentiles (0-100) that set the colour limits of maps.
    pub percentiles: (f64, f64),
    /// The unit of the values, shown on colour bars and histogram axes (`ADU`, `keV`).
    pub unit: String,
    /// Segments per row of the tile grid (default: the grid closest to square).
    pub columns: Option<usize>,
    /// The largest width of one image's tile grid, in pixels.
    pub max_width: u32,
    /// The largest height of one image's tile grid, in pixels.
    pub max_height: u32,
    /// The number of histogram bins.
    pub bins: usize,
    /// Names of status bits by bit index (0 for value 1), for status legends.
    pub bit_names: Vec<(u32, String)>,
    /// Where an assembled image (a 2-D array, or one per gain) sits in the detector frame:
    /// maps of it get axes in mm (x down the left edge, y along the bottom, psana frame).
    pub axes: Option<ImageAxes>,
}

impl Default for PlotOptions {
    fn default() -> Self {
        PlotOptions {
            title: String::new(),
            ctype: None,
            gain_mode: None,
            vmin: None,
            vmax: None,
            percentiles: (1.0, 99.0),
            unit: String::new(),
            columns: None,
            max_width: 1200,
            max_height: 900,
            bins: 200,
            bit_names: jungfrau_status_bits(),
            axes: None,
        }
    }
}

/// The names of the status bits of JUNGFRAU (and ePix10ka) dark processing.
pub fn jungfrau_status_bits() -> Vec<(u32, String)> {
    [
        "hot rms",
        "cold rms",
        "saturated",
        "cold",
        "high mean",
        "low mean",
        "bad gain switch",
    ]
    .iter()
    .enumerate()
    .map(|(i, s)| (i as u32, s.to_string()))
    .collect()
}

impl PlotOptions {
    /// The title of the image of gain `gain` (of `ngains`).
    fn block_title(&self, gain: Option<usize>, ngains: usize) -> String {
        let mut parts = vec![];
        if !self.title.is_empty() {
            parts.push(self.title.clone());
        }
        if let Some(c) = &self.ctype {
            parts.push(c.clone());
        }
        if let Some(g) = gain {
            let name = match ngains {
                3 => JUNGFRAU_DEFAULT_STEP_MODES.get(g).copied(),
                7 => EPIX10KA_GAIN_MODES.get(g).map(|m| m.name),
                _ => None,
            };
            parts.push(match name {
                Some(n) => format!("gain mode {g} ({n})"),
                None => format!("gain index {g}"),
            });
        }
        parts.join("  ·  ")
    }

    /// The colour limits: the options' or the percentiles of `data`, never empty.
    fn limits(&self, data: &ndarray::ArrayView3<'_, f32>, qs: (f64, f64)) -> (f64, f64, bool) {
        let auto = raster::percentiles(data, &[qs.0, qs.1]).unwrap_or_else(|| vec![0.0, 1.0]);
        let lo = self.vmin.unwrap_or(auto[0]);
        let hi = self.vmax.unwrap_or(auto[1]);
        let given = self.vmin.is_some() || self.vmax.is_some();
        if hi > lo {
            (lo, hi, given)
        } else {
            let d = if lo != 0.0 { lo.abs() * 1e-3 } else { 0.5 };
            (lo - d, lo + d, given)
        }
    }

    fn max_height_per(&self, nblocks: usize) -> u32 {
        if nblocks > 1 {
            self.max_height.min(800)
        } else {
            self.max_height
        }
    }

    fn check(&self) -> Result<()> {
        if let (Some(a), Some(b)) = (self.vmin, self.vmax)
            && b <= a
        {
            return Err(Error::bad_arg(
                "vmax",
                format!("colour limits: vmax {b} must be greater than vmin {a}"),
            ));
        }
        if self.vmin.is_some_and(|v| !v.is_finite()) || self.vmax.is_some_and(|v| !v.is_finite()) {
            return Err(Error::bad_arg(
                "vmin",
                "colour limits must be finite numbers",
            ));
        }
        let (p, q) = self.percentiles;
        if !(0.0..=100.0).contains(&p) || !(0.0..=100.0).contains(&q) || p >= q {
            return Err(Error::bad_arg(
                "percentiles",
                format!("percentiles ({p}, {q}): need 0 <= low < high <= 100"),
            ));
        }
        if self.bins == 0 || self.bins > 100_000 {
            return Err(Error::bad_arg(
                "bins",
                format!("bins {}: need 1 to 100000", self.bins),
            ));
        }
        if self.max_width == 0 || self.max_height == 0 {
            return Err(Error::bad_arg(
                "max_width",
                "image size limits must be at least 1 pixel",
            ));
        }
        Ok(())
    }

    fn name(&self) -> &str {
        if self.title.is_empty() {
            "array"
        } else {
            &self.title
        }
    }
}

/// Labels `seg N` at the tile corners, when there is more than one segment.
fn tile_labels(layout: &Layout) -> Vec<(u32, u32, String)> {
    if layout.nsegs < 2 {
        return vec![];
    }
    (0..layout.nsegs)
        .map(|s| {
            let (x, y) = layout.tile_origin(s);
            (x, y, format!("seg {s}"))
        })
        .collect()
}

/// Ticks in mm along the left (x) and bottom (y) edges of the single tile of an assembled image
/// of `rows` x `cols` cells drawn with `layout`.
fn grid_axes(ax: &ImageAxes, rows: usize, cols: usize, layout: &Layout) -> GridAxes {
    // Figure pixels per image cell.
    let scale = layout.zoom as f64 / layout.factor as f64;
    let side = |n: usize, mm: &dyn Fn(f64) -> f64, cell: &dyn Fn(f64) -> f64| {
        let (a, b) = (mm(-0.5), mm(n as f64 - 0.5));
        let (tv, step) = figure::ticks(a.min(b), a.max(b), 6);
        tv.into_iter()
            .map(|v| ((cell(v) + 0.5) * scale, figure::tick_label(v, step)))
            .filter(|(p, _)| (0.0..=n as f64 * scale).contains(p))
            .collect::<Vec<_>>()
    };
    GridAxes {
        left: side(rows, &|r| ax.row_mm(r), &|v| ax.row_of_mm(v)),
        bottom: side(cols, &|c| ax.col_mm(c), &|v| ax.col_of_mm(v)),
        left_title: "x [mm]".into(),
        bottom_title: "y [mm]".into(),
    }
}

fn reduction_note(layout: &Layout) -> String {
    if layout.factor > 1 {
        format!("  ·  {f}x{f} pixel blocks averaged", f = layout.factor)
    } else {
        String::new()
    }
}

fn fmt_num(v: f64) -> String {
    if v.is_nan() {
        return "-".into();
    }
    let a = v.abs();
    if a != 0.0 && !(1e-3..1e7).contains(&a) {
        format!("{v:.4e}")
    } else {
        let s = format!("{v:.4}");
        let s = s.trim_end_matches('0').trim_end_matches('.');
        s.to_string()
    }
}

/// A map of the values of `arr`, one image per gain mode, each with a colour bar.
pub fn map(arr: &NdArray, o: &PlotOptions) -> Result<Figure> {
    o.check()?;
    raster::check_drawable(arr.shape(), o.name())?;
    let data = raster::as_f32(arr);
    let blocks = raster::blocks(&data, o.gain_mode, o.name())?;
    let ngains = arr.shape().first().copied().unwrap_or(1);
    let max_h = o.max_height_per(blocks.len());
    let mut images = Vec::with_capacity(blocks.len());
    for Block { gain, data } in &blocks {
        let (nsegs, rows, cols) = data.dim();
        let layout = Layout::new(nsegs, rows, cols, o.columns, o.max_width, max_h);
        let (lo, hi, given) = o.limits(data, o.percentiles);
        let grid = raster::grid(
            data,
            &layout,
            (0.0f64, 0u32),
            raster::mean_fold,
            |(s, n)| {
                if n == 0 {
                    NAN_COLOR
                } else {
                    raster::scale_color(s / n as f64, lo, hi)
                }
            },
        );
        let (min, max, mean, nan) = raster::stats(data);
        let how = if given {
            "given".to_string()
        } else {
            format!("{}-{} percentile", o.percentiles.0, o.percentiles.1)
        };
        let mut sub = format!(
            "shape {}  ·  colour {} to {} ({how})  ·  min {}  max {}  mean {}",
            shape_str(arr.shape()),
            fmt_num(lo),
            fmt_num(hi),
            fmt_num(min),
            fmt_num(max),
            fmt_num(mean),
        );
        if nan > 0 {
            sub += &format!("  ·  {nan} not finite");
        }
        sub += &reduction_note(&layout);
        let axes = match o.axes {
            Some(ax) if nsegs == 1 => Some(grid_axes(&ax, rows, cols, &layout)),
            _ => None,
        };
        let (img, at) = figure::map_block(
            &o.block_title(*gain, ngains),
            &sub,
            &grid,
            &tile_labels(&layout),
            lo,
            hi,
            &o.unit,
            axes.as_ref(),
        )?;
        images.push((img, Some(at), *gain, Some(layout)));
    }
    Ok(Figure::from_blocks(images))
}

/// A calibrated frame `(nsegs, rows, cols)` or `(rows, cols)` as a map with a colour bar.
pub fn image(frame: &NdArray, o: &PlotOptions) -> Result<Figure> {
    if !(2..=3).contains(&frame.ndim()) {
        return Err(Error::shape(
            o.name(),
            "(nsegs, rows, cols) or (rows, cols)",
            frame.shape(),
            format!(
                "{}: a frame must be (nsegs, rows, cols) or (rows, cols), not {}",
                o.name(),
                shape_str(frame.shape())
            ),
        ));
    }
    map(
        frame,
        &PlotOptions {
            gain_mode: None,
            ..o.clone()
        },
    )
}

/// A mean calibrated image with a title and the unit of its values, and axes in mm when it is
/// an assembled image placed by `axes`; otherwise default options (`detcal calib --png`).
pub fn titled_image(
    frame: &NdArray,
    title: &str,
    unit: &str,
    axes: Option<ImageAxes>,
) -> Result<Figure> {
    image(
        frame,
        &PlotOptions {
            title: title.to_string(),
            unit: unit.to_string(),
            axes,
            ..PlotOptions::default()
        },
    )
}

/// A histogram of the values of `arr`, one per gain mode of a 4-D array.
pub fn histogram(arr: &NdArray, o: &PlotOptions) -> Result<Figure> {
    o.check()?;
    raster::check_drawable(arr.shape(), o.name())?;
    let data = raster::as_f32(arr);
    let data = if arr.ndim() == 4 || (2..=3).contains(&arr.ndim()) {
        data
    } else if arr.ndim() == 1 {
        std::borrow::Cow::Owned(raster::flat3(&data))
    } else {
        return Err(Error::shape(
            o.name(),
            "1 to 4 dimensions",
            arr.shape(),
            format!(
                "{}: cannot histogram an array of shape {}",
                o.name(),
                shape_str(arr.shape())
            ),
        ));
    };
    let blocks = raster::blocks(&data, o.gain_mode, o.name())?;
    let ngains = arr.shape().first().copied().unwrap_or(1);
    let mut images = Vec::with_capacity(blocks.len());
    for Block { gain, data } in &blocks {
        let (lo, hi, _) = o.limits(data, (0.05, 99.95));
        let mut counts = vec![0u64; o.bins];
        let (mut below, mut above, mut nan) = (0u64, 0u64, 0u64);
        let scale = o.bins as f64 / (hi - lo);
        for &v in data.iter() {
            let v = v as f64;
            if v.is_nan() {
                nan += 1;
            } else if v < lo {
                below += 1;
            } else if v > hi {
                above += 1;
            } else {
                let i = (((v - lo) * scale) as usize).min(o.bins - 1);
                counts[i] += 1;
            }
        }
        let (min, max, mean, _) = raster::stats(data);
        let mut sub = format!(
            "{} values  ·  min {}  max {}  mean {}",
            data.len(),
            fmt_num(min),
            fmt_num(max),
            fmt_num(mean)
        );
        if below + above > 0 {
            sub += &format!("  ·  {below} below and {above} above the range shown");
        }
        if nan > 0 {
            sub += &format!("  ·  {nan} NaN");
        }
        let x_label = if o.unit.is_empty() {
            "value".to_string()
        } else {
            format!("value [{}]", o.unit)
        };
        let img = figure::histogram_block(
            &o.block_title(*gain, ngains),
            &sub,
            &counts,
            lo,
            hi,
            &x_label,
        )?;
        images.push((img, None, *gain, None));
    }
    Ok(Figure::from_blocks(images))
}

/// A histogram already counted: `counts` in equal bins over `[lo, hi)`, pixel counts on a log
/// scale, titled `title` with `subtitle` under it.
pub fn counts_histogram(
    title: &str,
    subtitle: &str,
    counts: &[u64],
    (lo, hi): (f64, f64),
    x_label: &str,
) -> Result<Figure> {
    if counts.is_empty() || !(lo.is_finite() && hi.is_finite() && lo < hi) {
        return Err(Error::bad_arg(
            "histogram",
            format!(
                "{title}: a histogram needs bins and a range lo < hi, not {} bins over [{lo}, {hi})",
                counts.len()
            ),
        ));
    }
    let img = figure::histogram_block(title, subtitle, counts, lo, hi, x_label)?;
    Ok(Figure::from_blocks(vec![(img, None, None, None)]))
}

/// The colour of status bit `b` in status maps.
pub fn status_bit_color(b: u32) -> [u8; 3] {
    const PALETTE: [[u8; 3]; 10] = [
        [214, 39, 40],
        [31, 119, 180],
        [255, 127, 14],
        [44, 160, 44],
        [148, 103, 189],
        [140, 86, 75],
        [227, 119, 194],
        [188, 189, 34],
        [23, 190, 207],
        [0, 0, 0],
    ];
    PALETTE[b as usize % PALETTE.len()]
}

/// The colour of good pixels (no status bit set) in status maps.
pub const GOOD_COLOR: [u8; 3] = [226, 226, 226];

/// A map of status bits: each pixel coloured by its lowest set bit, with a legend.
pub fn status_map(arr: &NdArray, o: &PlotOptions) -> Result<Figure> {
    o.check()?;
    raster::check_drawable(arr.shape(), o.name())?;
    if !arr.dtype().is_integer() {
        tracing::debug!(
            "{}: float status values are truncated to integers",
            o.name()
        );
    }
    let data = raster::as_u64(arr);
    let blocks = raster::blocks(&data, o.gain_mode, o.name())?;
    let ngains = arr.shape().first().copied().unwrap_or(1);
    let max_h = o.max_height_per(blocks.len());
    let mut images = Vec::with_capacity(blocks.len());
    for Block { gain, data } in &blocks {
        let (nsegs, rows, cols) = data.dim();
        let layout = Layout::new(nsegs, rows, cols, o.columns, o.max_width, max_h);
        let grid = raster::grid(
            data,
            &layout,
            0u64,
            |a, v| a | v,
            |bits| {
                if bits == 0 {
                    GOOD_COLOR
                } else {
                    status_bit_color(bits.trailing_zeros())
                }
            },
        );
        let mut per_bit = [0u64; 64];
        let mut bad = 0u64;
        for &v in data.iter() {
            if v != 0 {
                bad += 1;
                let mut b = v;
                while b != 0 {
                    per_bit[b.trailing_zeros() as usize] += 1;
                    b &= b - 1;
                }
            }
        }
        let total = data.len() as u64;
        let mut entries = vec![LegendEntry {
            color: GOOD_COLOR,
            label: format!("good (no bit set): {}", total - bad),
        }];
        for (b, &n) in per_bit.iter().enumerate().filter(|(_, n)| **n > 0) {
            let name = o
                .bit_names
                .iter()
                .find(|(i, _)| *i as usize == b)
                .map(|(_, s)| format!(" {s}"))
                .unwrap_or_default();
            entries.push(LegendEntry {
                color: status_bit_color(b as u32),
                label: format!("bit {b} ({}){name}: {n}", 1u64 << b),
            });
        }
        let sub = format!(
            "shape {}  ·  bad (any bit): {bad} of {total} ({:.3}%){}",
            shape_str(arr.shape()),
            100.0 * bad as f64 / total.max(1) as f64,
            if layout.factor > 1 {
                format!(
                    "  ·  {f}x{f} pixel blocks show the OR of their bits",
                    f = layout.factor
                )
            } else {
                String::new()
            }
        );
        let (img, at) = figure::legend_block(
            &o.block_title(*gain, ngains),
            &sub,
            &grid,
            &tile_labels(&layout),
            "colour: lowest bit set; pixels with each bit:",
            &entries,
        )?;
        images.push((img, Some(at), *gain, Some(layout)));
    }
    Ok(Figure::from_blocks(images))
}

/// Writes `img` as a PNG file at `path`, atomically (a temporary file renamed into place).
pub fn save_png(img: &RgbImage, path: &Path, perms: &Perms) -> Result<()> {
    if img.rgb.len() != 3 * img.width as usize * img.height as usize || img.width == 0 {
        return Err(Error::shape(
            "image buffer",
            format!("3 x {} x {}", img.width, img.height),
            &[img.rgb.len()],
            format!(
                "{}: image buffer does not match its size {}x{}",
                path.display(),
                img.width,
                img.height
            ),
        ));
    }
    if path.is_dir() {
        return Err(Error::content(path, "is a directory; expected a file name"));
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    files::create_dirs(&dir, perms)?;
    let name = path
        .file_name()
        .ok_or_else(|| Error::content(path, "has no file name"))?;
    // The encoder picks the format by extension, so the temporary name ends in .png.
    let tmp = tempfile::Builder::new()
        .prefix(&format!(".{}.", name.to_string_lossy()))
        .suffix(".png")
        .tempfile_in(&dir)
        .at(&dir, "create a temporary file in")?;
    {
        let root = BitMapBackend::new(tmp.path(), (img.width, img.height)).into_drawing_area();
        let elem = BitMapElement::with_ref((0, 0), (img.width, img.height), &img.rgb)
            .ok_or_else(|| Error::internal("image buffer size"))?;
        root.draw(&elem)
            .map_err(|e| Error::content(path, format!("cannot draw: {e}")))?;
        root.present()
            .map_err(|e| Error::content(path, format!("cannot write PNG: {e}")))?;
    }
    tmp.as_file().sync_data().at(path, "flush to disk")?;
    files::set_mode(tmp.path(), perms.file_mode);
    files::set_group(tmp.path(), perms);
    tmp.persist(path)
        .map_err(|e| Error::io(path, "rename into place", e.error))?;
    Ok(())
}
