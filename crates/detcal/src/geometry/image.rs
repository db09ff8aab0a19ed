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
*/

use ndarray::Array2;
use rayon::prelude::*;

use crate::error::{Error, Result};

/// Marks a cell no pixel falls in.
const EMPTY: u32 = u32::MAX;

/// Image rows per band of work.
const BAND: usize = 512;

/// The cell-to-pixel table of an assembled image.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageMap {
    rows: usize,
    cols: usize,
    npix: usize,
    /// Filled cells.
    filled: usize,
    /// Runs of pixels, band by band.
    runs: Vec<Run>,
    /// Where each band's runs start in `runs` (one more entry than bands).
    band_start: Vec<usize>,
    /// (first cell, count) of each stretch of empty cells, band by band.
    empty: Vec<(u32, u32)>,
    /// Where each band's stretches start in `empty` (one more entry than bands).
    empty_start: Vec<usize>,
}

/// One band's filled-cell count, runs and empty stretches.
type BandTable = (usize, Vec<Run>, Vec<(u32, u32)>);

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
                (v.len(), runs_of(&v), empty_stretches(w))
            })
            .collect();
        drop(winner);
        let mut band_start = Vec::with_capacity(bands.len() + 1);
        let mut runs = Vec::with_capacity(bands.iter().map(|b| b.1.len()).sum());
        let mut empty_start = Vec::with_capacity(bands.len() + 1);
        let mut empty = Vec::new();
        let mut filled = 0;
        for (n, b, e) in bands {
            band_start.push(runs.len());
            runs.extend(b);
            empty_start.push(empty.len());
            empty.extend(e);
            filled += n;
        }
        band_start.push(runs.len());
        empty_start.push(empty.len());
        Ok(ImageMap {
            rows: nr,
            cols: nc,
            npix: rows.len(),
            filled,
            runs,
            band_start,
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
        if out.len() != self.rows * self.cols {
            return Err(Error::internal("image buffer of the wrong size"));
        }
        out.par_chunks_mut(BAND * self.cols)
            .enumerate()
            .for_each(|(b, band)| {
                // Every cell is written once: the empty stretches with `empty`, the others by
                // the runs.
                for &(c0, n) in &self.empty[self.empty_start[b]..self.empty_start[b + 1]] {
                    band[c0 as usize..(c0 + n) as usize].fill(empty);
                }
                for r in &self.runs[self.band_start[b]..self.band_start[b + 1]] {
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
        Ok(())
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
}
