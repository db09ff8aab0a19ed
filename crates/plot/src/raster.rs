/*!
From arrays to pixels: gain blocks, segment tiles, downsampling, robust limits and colours.

Everything here is plain Rust on buffers; [`super::figure`] adds text, colour bars and legends.
*/

use std::borrow::Cow;

use ndarray::{ArrayD, ArrayView3, Axis, IxDyn};

use detcal::error::{Error, Result};
use detcal::formats::array::{NdArray, shape_str};

/// An RGB image, 3 bytes per pixel, rows from the top.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RgbImage {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// The pixels, row by row, `[r, g, b]` each.
    pub rgb: Vec<u8>,
}

impl RgbImage {
    /// A `width x height` image filled with `color`.
    pub fn new(width: u32, height: u32, color: [u8; 3]) -> RgbImage {
        let n = width as usize * height as usize;
        RgbImage {
            width,
            height,
            rgb: color.iter().copied().cycle().take(3 * n).collect(),
        }
    }

    /// The colour at `(x, y)`, or `None` outside the image.
    pub fn pixel(&self, x: u32, y: u32) -> Option<[u8; 3]> {
        if x >= self.width || y >= self.height {
            return None;
        }
        let i = 3 * (y as usize * self.width as usize + x as usize);
        Some([self.rgb[i], self.rgb[i + 1], self.rgb[i + 2]])
    }

    /// Copies `src` with its top-left corner at `(x, y)` (clipped to this image).
    pub(crate) fn blit(&mut self, src: &RgbImage, x: u32, y: u32) {
        for sy in 0..src.height {
            let ty = y + sy;
            if ty >= self.height || x >= self.width {
                break;
            }
            let w = src.width.min(self.width - x) as usize;
            let s = 3 * (sy as usize * src.width as usize);
            let t = 3 * (ty as usize * self.width as usize + x as usize);
            self.rgb[t..t + 3 * w].copy_from_slice(&src.rgb[s..s + 3 * w]);
        }
    }
}

/// Background of figures.
pub const WHITE: [u8; 3] = [255, 255, 255];
/// Colour of pixels without a finite value.
pub const NAN_COLOR: [u8; 3] = [190, 190, 190];

/// One image of a figure: a label and a stack of segments `(nsegs, rows, cols)`.
pub(crate) struct Block<'a, T> {
    /// The gain index of a 4-D array, `None` for a 2-D or 3-D one.
    pub gain: Option<usize>,
    pub data: ArrayView3<'a, T>,
}

/// The gain blocks of `a`: 4-D `(gains, nsegs, rows, cols)` gives one per gain (or only
/// `gain_mode`), 3-D `(nsegs, rows, cols)` and 2-D `(rows, cols)` one.
pub(crate) fn blocks<'a, T>(
    a: &'a ArrayD<T>,
    gain_mode: Option<usize>,
    name: &str,
) -> Result<Vec<Block<'a, T>>> {
    let shape = a.shape();
    let v = a.view();
    let three = |x: ndarray::ArrayViewD<'a, T>| {
        let found = x.shape().to_vec();
        x.into_dimensionality::<ndarray::Ix3>()
            .map_err(|e| Error::shape(name, "(nsegs, rows, cols)", &found, format!("{name}: {e}")))
    };
    let out = match shape.len() {
        2 => vec![Block {
            gain: None,
            data: three(v.insert_axis(Axis(0)))?,
        }],
        3 => vec![Block {
            gain: None,
            data: three(v)?,
        }],
        4 => {
            let gains: Vec<usize> = match gain_mode {
                Some(g) if g < shape[0] => vec![g],
                Some(g) => {
                    return Err(Error::bad_arg(
                        "gain",
                        format!(
                            "{name}: gain mode {g} is out of range: the array has {} (shape {})",
                            shape[0],
                            shape_str(shape)
                        ),
                    ));
                }
                None => (0..shape[0]).collect(),
            };
            gains
                .into_iter()
                .map(|g| {
                    Ok(Block {
                        gain: Some(g),
                        data: three(v.clone().index_axis_move(Axis(0), g))?,
                    })
                })
                .collect::<Result<_>>()?
        }
        _ => {
            return Err(Error::shape(
                name,
                "(rows, cols), (nsegs, rows, cols) or (gains, nsegs, rows, cols)",
                shape,
                format!(
                    "{name}: cannot draw an array of shape {} as images; expected (rows, cols), \
                 (nsegs, rows, cols) or (gains, nsegs, rows, cols)",
                    shape_str(shape)
                ),
            ));
        }
    };
    if gain_mode.is_some() && shape.len() != 4 {
        return Err(Error::bad_arg(
            "gain",
            format!(
                "{name}: a gain mode was asked for, but shape {} has no gain axis",
                shape_str(shape)
            ),
        ));
    }
    if out.iter().any(|b| b.data.is_empty()) {
        return Err(Error::shape(
            name,
            "at least one pixel",
            shape,
            format!("{name}: shape {} has no pixels", shape_str(shape)),
        ));
    }
    Ok(out)
}

/// The array as f32 values (borrowed when it already is).
pub(crate) fn as_f32(a: &NdArray) -> Cow<'_, ArrayD<f32>> {
    match a {
        NdArray::F32(x) => Cow::Borrowed(x),
        _ => Cow::Owned(a.to_typed::<f32>()),
    }
}

/// The array as u64 status words (borrowed when it already is), cast as numpy's `astype`
/// casts in-range values (signed integers wrap, floats are truncated).
pub(crate) fn as_u64(a: &NdArray) -> Cow<'_, ArrayD<u64>> {
    Cow::Owned(match a {
        NdArray::U64(x) => return Cow::Borrowed(x),
        NdArray::U8(x) => x.mapv(u64::from),
        NdArray::U16(x) => x.mapv(u64::from),
        NdArray::U32(x) => x.mapv(u64::from),
        NdArray::I8(x) => x.mapv(|v| v as u64),
        NdArray::I16(x) => x.mapv(|v| v as u64),
        NdArray::I32(x) => x.mapv(|v| v as u64),
        NdArray::I64(x) => x.mapv(|v| v as u64),
        NdArray::F32(x) => x.mapv(|v| v as i64 as u64),
        NdArray::F64(x) => x.mapv(|v| v as i64 as u64),
    })
}

/// Height of the segment-label strip above each row of tiles.
pub const LABEL_STRIP: u32 = 18;
/// The width small arrays are enlarged towards.
const MIN_WIDTH: usize = 600;

/// How the segments of a block are laid out: a grid of tiles, each downsampled by `factor`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Layout {
    pub nsegs: usize,
    pub columns: usize,
    pub grid_rows: usize,
    /// Pixels of data per pixel of image along each axis.
    pub factor: usize,
    /// Pixels of image per pixel of data along each axis (small arrays are enlarged).
    pub zoom: usize,
    pub tile_w: u32,
    pub tile_h: u32,
    pub gap: u32,
    /// Height of the strip above each row of tiles that holds the segment labels.
    pub label_h: u32,
}

impl Layout {
    /// The layout of `nsegs` segments of `rows x cols` in `columns` columns (automatic: the
    /// grid closest to square), downsampled to fit `max_w x max_h`.
    pub fn new(
        nsegs: usize,
        rows: usize,
        cols: usize,
        columns: Option<usize>,
        max_w: u32,
        max_h: u32,
    ) -> Layout {
        let columns = columns.unwrap_or_else(|| {
            (1..=nsegs)
                .min_by(|&a, &b| {
                    let skew = |c: usize| {
                        let w = (c * cols) as f64;
                        let h = (nsegs.div_ceil(c) * rows) as f64;
                        (w / h).ln().abs()
                    };
                    skew(a).total_cmp(&skew(b))
                })
                .unwrap_or(1)
        });
        let columns = columns.clamp(1, nsegs.max(1));
        let grid_rows = nsegs.div_ceil(columns);
        let gap = if nsegs > 1 { 6 } else { 0 };
        let label_h = if nsegs > 1 { LABEL_STRIP } else { 0 };
        let gaps_w = gap as usize * (columns - 1);
        let gaps_h = gap as usize * (grid_rows - 1) + label_h as usize * grid_rows;
        let fw = (columns * cols).div_ceil((max_w as usize).saturating_sub(gaps_w).max(1));
        let fh = (grid_rows * rows).div_ceil((max_h as usize).saturating_sub(gaps_h).max(1));
        let factor = fw.max(fh).max(1);
        // Small arrays are enlarged by a whole factor, to about MIN_WIDTH pixels at most.
        let zoom = if factor == 1 {
            let fit_w = (max_w as usize).saturating_sub(gaps_w) / (columns * cols).max(1);
            let fit_h = (max_h as usize).saturating_sub(gaps_h) / (grid_rows * rows).max(1);
            let want = MIN_WIDTH.div_ceil((columns * cols).max(1));
            want.min(fit_w).min(fit_h).clamp(1, 16)
        } else {
            1
        };
        Layout {
            nsegs,
            columns,
            grid_rows,
            factor,
            zoom,
            tile_w: (cols.div_ceil(factor) * zoom) as u32,
            tile_h: (rows.div_ceil(factor) * zoom) as u32,
            gap,
            label_h,
        }
    }

    /// The size of the whole grid in pixels.
    pub fn size(&self) -> (u32, u32) {
        let w = self.columns as u32 * self.tile_w + (self.columns as u32 - 1) * self.gap;
        let h = self.grid_rows as u32 * (self.tile_h + self.label_h)
            + (self.grid_rows as u32 - 1) * self.gap;
        (w, h)
    }

    /// The top-left corner of segment `s`'s tile in the grid.
    pub fn tile_origin(&self, s: usize) -> (u32, u32) {
        let (gr, gc) = (s / self.columns, s % self.columns);
        (
            gc as u32 * (self.tile_w + self.gap),
            gr as u32 * (self.tile_h + self.gap + self.label_h) + self.label_h,
        )
    }
}

/// Draws the segments of `data` into a grid image with `layout`, colouring each image pixel by
/// `color` of its block of data (`reduce` folds a block's values; `init` starts the fold).
/// Segments are drawn in parallel.
pub(crate) fn grid<T: Copy + Sync, A: Copy + Send + Sync>(
    data: &ArrayView3<'_, T>,
    layout: &Layout,
    init: A,
    reduce: impl Fn(A, T) -> A + Sync,
    color: impl Fn(A) -> [u8; 3] + Sync,
) -> RgbImage {
    use rayon::prelude::*;
    let (w, h) = layout.size();
    let (f, z) = (layout.factor, layout.zoom);
    let (tw, th) = (layout.tile_w as usize, layout.tile_h as usize);
    let (dw, dh) = (tw / z, th / z);
    let tiles: Vec<RgbImage> = (0..data.len_of(Axis(0)))
        .into_par_iter()
        .map(|s| {
            let seg = data.index_axis(Axis(0), s);
            let rows = seg.dim().0;
            let mut tile = RgbImage::new(layout.tile_w, layout.tile_h, WHITE);
            let mut acc = vec![init; dw];
            for ty in 0..dh {
                acc.iter_mut().for_each(|a| *a = init);
                for r in ty * f..((ty + 1) * f).min(rows) {
                    let row = seg.row(r);
                    for (c, &v) in row.iter().enumerate() {
                        let a = &mut acc[c / f];
                        *a = reduce(*a, v);
                    }
                }
                for (tx, a) in acc.iter().enumerate() {
                    let c = color(*a);
                    for y in ty * z..(ty + 1) * z {
                        for x in tx * z..(tx + 1) * z {
                            let i = 3 * (y * tw + x);
                            tile.rgb[i..i + 3].copy_from_slice(&c);
                        }
                    }
                }
            }
            tile
        })
        .collect();
    let mut img = RgbImage::new(w, h, WHITE);
    for (s, tile) in tiles.iter().enumerate() {
        let (x, y) = layout.tile_origin(s);
        img.blit(tile, x, y);
    }
    img
}

/// A block mean of finite values: (sum, count).
pub(crate) fn mean_fold(acc: (f64, u32), v: f32) -> (f64, u32) {
    if v.is_finite() {
        (acc.0 + v as f64, acc.1 + 1)
    } else {
        acc
    }
}

/// Percentiles (0-100) of the finite values of `data`, with numpy's linear interpolation;
/// at most about 2 million values are used (an even sample of larger arrays).
pub(crate) fn percentiles(data: &ArrayView3<'_, f32>, qs: &[f64]) -> Option<Vec<f64>> {
    let n = data.len();
    let step = n.div_ceil(2_000_000).max(1);
    let mut v: Vec<f32> = data
        .iter()
        .step_by(step)
        .copied()
        .filter(|x| x.is_finite())
        .collect();
    if v.is_empty() {
        return None;
    }
    let last = (v.len() - 1) as f64;
    let mut out = Vec::with_capacity(qs.len());
    for &q in qs {
        let pos = (q.clamp(0.0, 100.0) / 100.0) * last;
        let lo = pos.floor() as usize;
        let frac = pos - lo as f64;
        let (_, &mut a, rest) = v.select_nth_unstable_by(lo, f32::total_cmp);
        let b = if frac > 0.0 {
            rest.iter().copied().fold(f32::INFINITY, f32::min)
        } else {
            a
        };
        out.push(a as f64 + frac * (b as f64 - a as f64));
    }
    Some(out)
}

/// Statistics of the finite values: (min, max, mean, count of non-finite values).
pub(crate) fn stats(data: &ArrayView3<'_, f32>) -> (f64, f64, f64, usize) {
    let (mut lo, mut hi, mut sum, mut n, mut bad) = (f64::INFINITY, f64::NEG_INFINITY, 0.0, 0, 0);
    for &x in data.iter() {
        if x.is_finite() {
            let x = x as f64;
            lo = lo.min(x);
            hi = hi.max(x);
            sum += x;
            n += 1;
        } else {
            bad += 1;
        }
    }
    (lo, hi, if n > 0 { sum / n as f64 } else { f64::NAN }, bad)
}

/// The viridis colour map as 256 colours.
pub(crate) fn viridis() -> &'static [[u8; 3]; 256] {
    use plotters::style::colors::colormaps::{ColorMap, ViridisRGB};
    static LUT: std::sync::OnceLock<[[u8; 3]; 256]> = std::sync::OnceLock::new();
    LUT.get_or_init(|| {
        std::array::from_fn(|i| {
            let c = ViridisRGB.get_color(i as f32 / 255.0);
            [c.0, c.1, c.2]
        })
    })
}

/// The colour of `v` on the colour scale `[lo, hi]` (clamped; grey for NaN).
pub(crate) fn scale_color(v: f64, lo: f64, hi: f64) -> [u8; 3] {
    if v.is_nan() {
        return NAN_COLOR;
    }
    let t = ((v - lo) / (hi - lo)).clamp(0.0, 1.0);
    viridis()[(t * 255.0).round() as usize]
}

/// Checks that the array can be drawn: at most 4-D and not empty.
pub(crate) fn check_drawable(shape: &[usize], name: &str) -> Result<()> {
    if shape.contains(&0) {
        return Err(Error::shape(
            name,
            "at least one value",
            shape,
            format!("{name}: shape {} has no values", shape_str(shape)),
        ));
    }
    Ok(())
}

/// A 1-D or 2-D array as `(1, 1, n)`/`(1, rows, cols)` for histograms of any shape.
pub(crate) fn flat3<T: Clone>(a: &ArrayD<T>) -> ArrayD<T> {
    let n = a.len();
    a.to_shape(IxDyn(&[1, 1, n]))
        .map(|x| x.into_owned())
        .unwrap_or_else(|_| a.clone())
}
