/*!
Image assembly from per-pixel row and column indexes (psana's `img_from_pixel_arrays`): the image
has `max(rows) + 1` rows and `max(cols) + 1` columns, empty cells hold 0, and where several pixels
fall in one cell the one written last (the highest flat pixel index) wins.

[`ImageMap`] resolves the collisions once per geometry: for every cell the index of its winning
pixel. A frame is then copied band by band (512 image rows each, in parallel): within a band the
(cell, pixel) pairs are sorted by pixel index and stored as runs of consecutive pixels whose
cells are equally spaced (a panel row, or a column of a turned panel), so both the reads of the
frame and the writes of the image stay within a small region of memory even when panels are
rotated (a plain gather in image order reads the frame with a stride of a panel row for a panel
turned by 90°, which misses the cache and the TLB on every pixel), and the table is small.

Where 16 cells of one 64-byte line of the image (cells `16 m .. 16 m + 16` of the flat image)
all show pixels `p, p + s, ..., p + 15 s` (16 neighbouring columns of a turned panel, or 16
pixels of a panel row), the line is a [`Tile`]: its 16 values are gathered and written at once,
streamed to memory with non-temporal stores (whole cache lines, written without reading them
first). Tiles are used when the image is 64-byte aligned (an [`ImageBuffer`]), taken in pixel
order so that the frame is read in 16 parallel streams, the other covered cells by runs; an
unaligned image is written by the runs of all covered cells (a line of 16 cells would straddle
two cache lines).

A frame loop keeps its image in an [`ImageBuffer`] ([`ImageMap::image_buffer`]): aligned, its
empty cells written once, so that each frame writes only the covered cells
([`ImageMap::assemble_kept`]) instead of rewriting the empty ones (7.4 M of the 24 M cells of a
16M JUNGFRAU image).
*/

use ndarray::Array2;
use rayon::prelude::*;

use crate::error::{Error, Result};

/// Marks a cell no pixel falls in.
const EMPTY: u32 = u32::MAX;

/// Image rows per band of work (a multiple of 16, so bands start at whole lines of 16 cells).
const BAND: usize = 512;

/// Cells per tile: one 64-byte line of float32.
const LINE: usize = 16;

/// The cell-to-pixel table of an assembled image.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageMap {
    rows: usize,
    cols: usize,
    npix: usize,
    /// Filled cells.
    filled: usize,
    /// Runs of pixels covering every shown pixel, band by band (for unaligned images).
    runs: Vec<Run>,
    /// Whole lines of 16 cells showing equally spaced pixels, band by band, in pixel order
    /// (for 64-byte aligned images).
    tiles: Vec<Tile>,
    /// Where each band's tiles start in `tiles` (one more entry than bands).
    tile_start: Vec<usize>,
    /// Runs of the covered cells not in tiles, band by band.
    rest: Vec<Run>,
    /// Where each band's runs start in `rest` (one more entry than bands).
    rest_start: Vec<usize>,
    /// Where each band's runs start in `runs` (one more entry than bands).
    band_start: Vec<usize>,
    /// (first cell, count) of each stretch of empty cells, band by band.
    empty: Vec<(u32, u32)>,
    /// Where each band's stretches start in `empty` (one more entry than bands).
    empty_start: Vec<usize>,
}

/// One band's filled-cell count, runs, tiles, runs besides the tiles and empty stretches.
type BandTable = (usize, Vec<Run>, Vec<Tile>, Vec<Run>, Vec<(u32, u32)>);

/// Cells `cell .. cell + 16` of a band (a whole line) show pixels `pix + k * step`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Tile {
    cell: u32,
    pix: u32,
    step: i32,
}

/// Splits one band's winners into tiles (whole lines of equally spaced pixels, in pixel order)
/// and the (cell, pixel) pairs of the other covered cells, in pixel order.
fn tiles_of(w: &[u32]) -> (Vec<Tile>, Vec<(u32, u32)>) {
    let mut tiles = Vec::new();
    let mut rest: Vec<(u32, u32)> = Vec::new();
    for (l, line) in w.chunks(LINE).enumerate() {
        let c0 = l * LINE;
        let tile = (line.len() == LINE && line.iter().all(|&k| k != EMPTY))
            .then(|| i32::try_from(line[1] as i64 - line[0] as i64).ok())
            .flatten()
            .filter(|&step| {
                line.iter()
                    .enumerate()
                    .all(|(k, &p)| p as i64 == line[0] as i64 + k as i64 * step as i64)
            });
        match tile {
            Some(step) => tiles.push(Tile {
                cell: c0 as u32,
                pix: line[0],
                step,
            }),
            None => rest.extend(
                line.iter()
                    .enumerate()
                    .filter(|(_, k)| **k != EMPTY)
                    .map(|(i, &k)| ((c0 + i) as u32, k)),
            ),
        }
    }
    tiles.sort_unstable_by_key(|t| t.pix);
    rest.sort_unstable_by_key(|&(_, k)| k);
    (tiles, rest)
}

/// The 16 values of a tile.
#[inline(always)]
fn gather<T: Weight>(values: &[T], t: &Tile) -> [f32; LINE] {
    let mut v = [0f32; LINE];
    let mut p = t.pix as i64;
    for x in &mut v {
        *x = values[p as usize].to_f32();
        p += t.step as i64;
    }
    v
}

/// Writes the tiles of a band, which starts at a 64-byte boundary: on x86-64 streamed to memory
/// (non-temporal stores of whole cache lines).
fn write_tiles<T: Weight>(tiles: &[Tile], values: &[T], band: &mut [f32]) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_loadu_ps, _mm_sfence, _mm_stream_ps};
        for t in tiles {
            let v = gather(values, t);
            let dst = &mut band[t.cell as usize..t.cell as usize + LINE];
            // SAFETY: `dst` is 16 floats in bounds (checked by the slice above) starting at a
            // 64-byte boundary (the band starts at one and `cell` is a multiple of 16), so each
            // 4-float store is 16-byte aligned as `_mm_stream_ps` requires; SSE is part of
            // x86-64.
            unsafe {
                let d = dst.as_mut_ptr();
                for k in (0..LINE).step_by(4) {
                    _mm_stream_ps(d.add(k), _mm_loadu_ps(v.as_ptr().add(k)));
                }
            }
        }
        // Streamed stores are weakly ordered: make them visible before the band is handed
        // back to other threads.
        // SAFETY: a store fence has no preconditions.
        unsafe { _mm_sfence() };
    }
    #[cfg(not(target_arch = "x86_64"))]
    for t in tiles {
        let v = gather(values, t);
        band[t.cell as usize..t.cell as usize + LINE].copy_from_slice(&v);
    }
}

/// The stretches of consecutive empty cells of one band's winners.
fn empty_stretches(w: &[u32]) -> Vec<(u32, u32)> {
    let mut out: Vec<(u32, u32)> = Vec::new();
    for (i, &k) in w.iter().enumerate() {
        if k != EMPTY {
            continue;
        }
        match out.last_mut() {
            Some(last) if last.0 + last.1 == i as u32 => last.1 += 1,
            _ => out.push((i as u32, 1)),
        }
    }
    out
}

/// Pixels `pix..pix + len` go to cells `cell + j * step` of their band.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Run {
    pix: u32,
    cell: u32,
    len: u32,
    step: i32,
}

/// The runs of (cell, pixel) pairs sorted by pixel.
fn runs_of(pairs: &[(u32, u32)]) -> Vec<Run> {
    let mut out: Vec<Run> = Vec::new();
    for &(cell, pix) in pairs {
        if let Some(r) = out.last_mut()
            && pix == r.pix + r.len
        {
            let next = r.cell as i64 + r.len as i64 * r.step as i64;
            if r.len == 1 {
                let step = cell as i64 - r.cell as i64;
                if let Ok(step) = i32::try_from(step) {
                    r.step = step;
                    r.len = 2;
                    continue;
                }
            } else if next == cell as i64 {
                r.len += 1;
                continue;
            }
        }
        out.push(Run {
            pix,
            cell,
            len: 1,
            step: 1,
        });
    }
    out
}

/// Values that can be placed in a float32 image (psana converts them to float64, then float32).
pub trait Weight: Copy + Send + Sync {
    /// The value as psana stores it in the image.
    fn to_f32(self) -> f32;
}

impl Weight for f64 {
    fn to_f32(self) -> f32 {
        self as f32
    }
}

impl Weight for f32 {
    fn to_f32(self) -> f32 {
        self
    }
}

impl Weight for u16 {
    fn to_f32(self) -> f32 {
        f32::from(self)
    }
}

impl Weight for u8 {
    fn to_f32(self) -> f32 {
        f32::from(self)
    }
}

/// An assembled image kept between frames: 64-byte aligned, made by
/// [`ImageMap::image_buffer`] and filled by [`ImageMap::assemble_kept`].
#[derive(Debug, Clone)]
pub struct ImageBuffer {
    buf: Vec<f32>,
    off: usize,
    rows: usize,
    cols: usize,
    key: [usize; 6],
}

impl ImageBuffer {
    /// The image, row-major.
    pub fn as_slice(&self) -> &[f32] {
        &self.buf[self.off..self.off + self.rows * self.cols]
    }

    /// (rows, cols) of the image.
    pub fn shape(&self) -> (usize, usize) {
        (self.rows, self.cols)
    }

    /// A copy of the image as an array.
    pub fn to_array(&self) -> Array2<f32> {
        Array2::from_shape_vec((self.rows, self.cols), self.as_slice().to_vec())
            .expect("rows × cols")
    }
}

impl ImageMap {
    /// The table for pixels at image cells (`rows[i]`, `cols[i]`).
    pub fn new(rows: &[u64], cols: &[u64]) -> Result<ImageMap> {
        if rows.len() != cols.len() {
            return Err(Error::bad_arg(
                "cols",
                format!(
                    "{} row indexes but {} column indexes",
                    rows.len(),
                    cols.len()
                ),
            ));
        }
        if rows.is_empty() || rows.len() >= EMPTY as usize {
            return Err(Error::bad_arg(
                "rows",
                format!("cannot assemble an image of {} pixels", rows.len()),
            ));
        }
        let nr = *rows.iter().max().expect("non-empty") as usize + 1;
        let nc = *cols.iter().max().expect("non-empty") as usize + 1;
        let cells = nr
            .checked_mul(nc)
            .filter(|&n| n <= 1 << 31)
            .ok_or_else(|| {
                Error::bad_arg(
                    "rows",
                    format!("an image of {nr} × {nc} cells is too large"),
                )
            })?;
        let mut winner = vec![EMPTY; cells];
        for (i, (&r, &c)) in rows.iter().zip(cols).enumerate() {
            winner[r as usize * nc + c as usize] = i as u32;
        }
        let band_cells = BAND * nc;
        let bands: Vec<BandTable> = winner
            .par_chunks(band_cells)
            .map(|w| {
                let mut v: Vec<(u32, u32)> = w
                    .iter()
                    .enumerate()
                    .filter(|(_, k)| **k != EMPTY)
                    .map(|(cell, &k)| (cell as u32, k))
                    .collect();
                v.sort_unstable_by_key(|&(_, k)| k);
                let (tiles, rest) = tiles_of(w);
                (
                    v.len(),
                    runs_of(&v),
                    tiles,
                    runs_of(&rest),
                    empty_stretches(w),
                )
            })
            .collect();
        drop(winner);
        let mut band_start = Vec::with_capacity(bands.len() + 1);
        let mut runs = Vec::with_capacity(bands.iter().map(|b| b.1.len()).sum());
        let mut tile_start = Vec::with_capacity(bands.len() + 1);
        let mut tiles = Vec::with_capacity(bands.iter().map(|b| b.2.len()).sum());
        let mut rest_start = Vec::with_capacity(bands.len() + 1);
        let mut rest = Vec::new();
        let mut empty_start = Vec::with_capacity(bands.len() + 1);
        let mut empty = Vec::new();
        let mut filled = 0;
        for (n, b, t, r, e) in bands {
            band_start.push(runs.len());
            runs.extend(b);
            tile_start.push(tiles.len());
            tiles.extend(t);
            rest_start.push(rest.len());
            rest.extend(r);
            empty_start.push(empty.len());
            empty.extend(e);
            filled += n;
        }
        band_start.push(runs.len());
        tile_start.push(tiles.len());
        rest_start.push(rest.len());
        empty_start.push(empty.len());
        Ok(ImageMap {
            rows: nr,
            cols: nc,
            npix: rows.len(),
            filled,
            runs,
            band_start,
            tiles,
            tile_start,
            rest,
            rest_start,
            empty,
            empty_start,
        })
    }

    /// (rows, cols) of the image.
    pub fn shape(&self) -> (usize, usize) {
        (self.rows, self.cols)
    }

    /// Number of pixels the map expects.
    pub fn pixels(&self) -> usize {
        self.npix
    }

    /// Number of cells no pixel falls in.
    pub fn empty_cells(&self) -> usize {
        self.rows * self.cols - self.filled
    }

    /// Number of pixels hidden by a later pixel in the same cell.
    pub fn hidden_pixels(&self) -> usize {
        self.npix - self.filled
    }

    /// Whether pixel `i` is the one shown in its cell.
    pub fn shown(&self) -> Vec<bool> {
        let mut v = vec![false; self.npix];
        for r in &self.runs {
            v[r.pix as usize..(r.pix + r.len) as usize].fill(true);
        }
        v
    }

    /// Assembles `values` (one per pixel, flat C order) into `out` (rows × cols, row-major).
    pub fn assemble_into<T: Weight>(&self, values: &[T], out: &mut [f32]) -> Result<()> {
        self.assemble_into_filled(values, out, 0.0)
    }

    /// [`ImageMap::assemble_into`] with `empty` in the cells no pixel falls in (psana: 0).
    pub fn assemble_into_filled<T: Weight>(
        &self,
        values: &[T],
        out: &mut [f32],
        empty: f32,
    ) -> Result<()> {
        self.check(values, out.len())?;
        self.write(values, out, Some(empty));
        Ok(())
    }

    /// A 64-byte aligned image for this map with every cell `empty`, to keep between frames and
    /// fill with [`ImageMap::assemble_kept`].
    pub fn image_buffer(&self, empty: f32) -> ImageBuffer {
        let n = self.rows * self.cols;
        let buf = vec![empty; n + LINE];
        // The first float at a 64-byte boundary (a Vec<f32> is at least 4-byte aligned).
        let off = buf.as_ptr().align_offset(64).min(LINE - 1);
        ImageBuffer {
            buf,
            off,
            rows: self.rows,
            cols: self.cols,
            key: self.key(),
        }
    }

    /// Assembles `values` into `image`, writing only the covered cells: the empty cells keep
    /// the value the buffer was made with (psana: 0), so the image is the same as
    /// [`ImageMap::assemble_into`]'s.
    pub fn assemble_kept<T: Weight>(&self, values: &[T], image: &mut ImageBuffer) -> Result<()> {
        if image.key != self.key() {
            return Err(Error::internal(
                "image buffer made for another geometry's image map",
            ));
        }
        let n = self.rows * self.cols;
        let out = &mut image.buf[image.off..image.off + n];
        self.check(values, out.len())?;
        self.write(values, out, None);
        Ok(())
    }

    /// What identifies the cells a buffer's empty value was written to.
    fn key(&self) -> [usize; 6] {
        [
            self.rows,
            self.cols,
            self.npix,
            self.filled,
            self.runs.len(),
            self.tiles.len(),
        ]
    }

    fn check<T>(&self, values: &[T], out_len: usize) -> Result<()> {
        if values.len() != self.npix {
            return Err(Error::bad_arg(
                "data",
                format!(
                    "{} values for a geometry of {} pixels",
                    values.len(),
                    self.npix
                ),
            ));
        }
        if out_len != self.rows * self.cols {
            return Err(Error::internal("image buffer of the wrong size"));
        }
        Ok(())
    }

    /// Writes every covered cell of `out` (and the empty ones with `empty`), band by band in
    /// parallel.
    fn write<T: Weight>(&self, values: &[T], out: &mut [f32], empty: Option<f32>) {
        // Bands start at multiples of 16 cells: all at 64-byte boundaries if the image does.
        let stream = (out.as_ptr() as usize).is_multiple_of(64);
        out.par_chunks_mut(BAND * self.cols)
            .enumerate()
            .for_each(|(b, band)| {
                // Every cell is written once: the empty stretches with `empty`, the others by
                // the tiles and runs.
                if let Some(e) = empty {
                    for &(c0, n) in &self.empty[self.empty_start[b]..self.empty_start[b + 1]] {
                        band[c0 as usize..(c0 + n) as usize].fill(e);
                    }
                }
                // An aligned image: whole lines streamed, the other cells by their runs; else
                // the runs of all covered cells (lines of 16 cells would straddle cache lines).
                let runs = if stream {
                    let tiles = &self.tiles[self.tile_start[b]..self.tile_start[b + 1]];
                    write_tiles(tiles, values, band);
                    &self.rest[self.rest_start[b]..self.rest_start[b + 1]]
                } else {
                    &self.runs[self.band_start[b]..self.band_start[b + 1]]
                };
                for r in runs {
                    let src = &values[r.pix as usize..(r.pix + r.len) as usize];
                    if r.step == 1 {
                        let dst = &mut band[r.cell as usize..r.cell as usize + src.len()];
                        for (d, v) in dst.iter_mut().zip(src) {
                            *d = v.to_f32();
                        }
                    } else {
                        let mut cell = r.cell as i64;
                        for v in src {
                            band[cell as usize] = v.to_f32();
                            cell += r.step as i64;
                        }
                    }
                }
            });
    }

    /// The assembled float32 image of `values`.
    pub fn assemble<T: Weight>(&self, values: &[T]) -> Result<Array2<f32>> {
        let mut out = vec![0f32; self.rows * self.cols];
        self.assemble_into(values, &mut out)?;
        Ok(Array2::from_shape_vec((self.rows, self.cols), out).expect("rows × cols"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_pixel_wins_and_empty_cells_are_zero() {
        let rows = [0, 1, 0, 2];
        let cols = [0, 1, 0, 0];
        let m = ImageMap::new(&rows, &cols).unwrap();
        assert_eq!(m.shape(), (3, 2));
        let img = m.assemble(&[10.0f64, 20.0, 30.0, 40.0]).unwrap();
        assert_eq!(
            img.into_raw_vec_and_offset().0,
            vec![30.0, 0.0, 0.0, 20.0, 40.0, 0.0]
        );
        assert_eq!(m.empty_cells(), 3);
        assert_eq!(m.hidden_pixels(), 1);
        assert_eq!(m.shown(), vec![false, true, true, true]);
        assert!(m.assemble(&[1.0f64]).is_err());
        assert!(ImageMap::new(&[0, 1], &[0]).is_err());
    }

    /// Runs: a turned panel (cells a row apart), a plain row, and breaks where the spacing changes.
    #[test]
    fn runs_cover_every_pair_once() {
        let pairs = [
            (10, 0),
            (20, 1),
            (30, 2),
            (5, 3),
            (6, 4),
            (7, 5),
            (9, 6),
            (0, 8),
        ];
        let runs = runs_of(&pairs);
        assert_eq!(
            runs,
            vec![
                Run {
                    pix: 0,
                    cell: 10,
                    len: 3,
                    step: 10
                },
                Run {
                    pix: 3,
                    cell: 5,
                    len: 3,
                    step: 1
                },
                Run {
                    pix: 6,
                    cell: 9,
                    len: 1,
                    step: 1
                },
                Run {
                    pix: 8,
                    cell: 0,
                    len: 1,
                    step: 1
                },
            ]
        );
        // A map through several bands equals the plain scatter.
        let n = 300usize;
        let rows: Vec<u64> = (0..n).map(|i| ((i * 7) % 150) as u64).collect();
        let cols: Vec<u64> = (0..n).map(|i| ((i * 13) % 11) as u64).collect();
        let m = ImageMap::new(&rows, &cols).unwrap();
        let vals: Vec<f64> = (0..n).map(|i| i as f64 + 0.5).collect();
        let img = m.assemble(&vals).unwrap();
        // A reused buffer holding other values gives the same image.
        let mut buf = vec![7.0f32; 150 * 11];
        m.assemble_into(&vals, &mut buf).unwrap();
        assert_eq!(buf, img.iter().copied().collect::<Vec<f32>>());
        let mut want = ndarray::Array2::<f32>::zeros((150, 11));
        for i in 0..n {
            want[(rows[i] as usize, cols[i] as usize)] = vals[i] as f32;
        }
        assert_eq!(img, want);
    }

    /// Whole lines of a turned panel become tiles; the image through tiles and runs, in a
    /// caller's buffer at any alignment and in a kept buffer frame after frame, equals the
    /// plain scatter (last pixel wins, empty cells 0).
    #[test]
    fn tiles_and_kept_buffers_equal_the_plain_scatter() {
        // Two 40 x 70 panels turned by 90° (one flipped), the second overlapping the first, a
        // gap column, and an image 83 cells wide (lines of 16 cells start anywhere in a row).
        let (pr, pc) = (40usize, 70usize);
        let mut rows = Vec::new();
        let mut cols = Vec::new();
        for p in 0..2 {
            for r in 0..pr {
                for c in 0..pc {
                    let col = r + r / 20 + if p == 0 { 1 } else { 30 };
                    let row = if p == 0 { c + 3 } else { 90 - c };
                    rows.push(row as u64);
                    cols.push(col as u64);
                }
            }
        }
        rows.push(0);
        cols.push(82);
        let n = rows.len();
        let m = ImageMap::new(&rows, &cols).unwrap();
        assert_eq!(m.shape(), (91, 83));
        assert!(
            m.tiles.len() > 50 && !m.rest.is_empty(),
            "{}",
            m.tiles.len()
        );
        assert!(m.hidden_pixels() > 0);
        let scatter = |vals: &[f32]| {
            let mut want = vec![0f32; 91 * 83];
            for i in 0..n {
                want[rows[i] as usize * 83 + cols[i] as usize] = vals[i];
            }
            want
        };
        let shown_want = {
            let mut w = vec![usize::MAX; 91 * 83];
            for i in 0..n {
                w[rows[i] as usize * 83 + cols[i] as usize] = i;
            }
            let mut s = vec![false; n];
            for k in w.into_iter().filter(|&k| k != usize::MAX) {
                s[k] = true;
            }
            s
        };
        assert_eq!(m.shown(), shown_want);
        let mut kept = m.image_buffer(0.0);
        assert!((kept.as_slice().as_ptr() as usize).is_multiple_of(64));
        let mut raw = vec![5f32; 91 * 83 + 16];
        for frame in 0..3 {
            let vals: Vec<f32> = (0..n).map(|i| (i * 7 + frame * 1000) as f32).collect();
            let want = scatter(&vals);
            assert_eq!(m.assemble(&vals).unwrap().into_raw_vec_and_offset().0, want);
            for off in [0, 1, 3, 16] {
                let out = &mut raw[off..off + 91 * 83];
                m.assemble_into(&vals, out).unwrap();
                assert!(out == &want[..], "offset {off}");
            }
            m.assemble_kept(&vals, &mut kept).unwrap();
            assert_eq!(kept.as_slice(), &want[..], "kept, frame {frame}");
            assert_eq!(kept.to_array().shape(), &[91, 83]);
        }
        // NaN for empty cells stays in a kept buffer made with it.
        let mut nan = m.image_buffer(f32::NAN);
        let vals: Vec<f32> = (0..n).map(|i| i as f32).collect();
        m.assemble_kept(&vals, &mut nan).unwrap();
        let empty = nan.as_slice().iter().filter(|v| v.is_nan()).count();
        assert_eq!(empty, m.empty_cells());
        // A buffer of another map, or the wrong number of values: errors.
        let other = ImageMap::new(&[0, 1], &[0, 1]).unwrap();
        assert!(other.assemble_kept(&[1.0f32, 2.0], &mut kept).is_err());
        assert!(m.assemble_kept(&[1.0f32], &mut kept).is_err());
    }
}
