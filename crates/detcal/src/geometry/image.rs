/*!
Image assembly from per-pixel row and column indexes (psana's `img_from_pixel_arrays`): the image
has `max(rows) + 1` rows and `max(cols) + 1` columns, empty cells hold 0, and where several pixels
fall in one cell the one written last (the highest flat pixel index) wins.

[`ImageMap`] resolves the collisions once: for every cell it keeps the index of its winning pixel,
so each frame is a parallel gather, not a serial scatter.
*/

use ndarray::Array2;
use rayon::prelude::*;

use crate::error::{Error, Result};

/// Marks a cell no pixel falls in.
const EMPTY: u32 = u32::MAX;

/// The cell-to-pixel table of an assembled image.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageMap {
    rows: usize,
    cols: usize,
    npix: usize,
    /// The winning pixel of each cell, row-major; [`EMPTY`] where no pixel falls.
    winner: Vec<u32>,
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
        Ok(ImageMap {
            rows: nr,
            cols: nc,
            npix: rows.len(),
            winner,
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
        self.winner.iter().filter(|&&w| w == EMPTY).count()
    }

    /// Number of pixels hidden by a later pixel in the same cell.
    pub fn hidden_pixels(&self) -> usize {
        self.npix - (self.winner.len() - self.empty_cells())
    }

    /// Whether pixel `i` is the one shown in its cell.
    pub fn shown(&self) -> Vec<bool> {
        let mut v = vec![false; self.npix];
        for &w in &self.winner {
            if w != EMPTY {
                v[w as usize] = true;
            }
        }
        v
    }

    /// Assembles `values` (one per pixel, flat C order) into `out` (rows × cols, row-major).
    pub fn assemble_into<T: Weight>(&self, values: &[T], out: &mut [f32]) -> Result<()> {
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
        if out.len() != self.winner.len() {
            return Err(Error::internal("image buffer of the wrong size"));
        }
        out.par_chunks_mut(1 << 16)
            .zip(self.winner.par_chunks(1 << 16))
            .for_each(|(o, w)| {
                for (cell, &k) in o.iter_mut().zip(w) {
                    *cell = if k == EMPTY {
                        0.0
                    } else {
                        values[k as usize].to_f32()
                    };
                }
            });
        Ok(())
    }

    /// The assembled float32 image of `values`.
    pub fn assemble<T: Weight>(&self, values: &[T]) -> Result<Array2<f32>> {
        let mut out = vec![0f32; self.winner.len()];
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
}
