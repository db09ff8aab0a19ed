/*!
Image assembly for one geometry, prepared once and used for every array drawn with it: the
cell-to-pixel table ([`ImageMap`], which also knows the cells no pixel covers) and where the
image sits in the detector frame, for axes in mm.

The indexes are psana's `det.image` ones: psana frame, tilts applied, the segment's own pixel
size, no offset. In that frame image rows grow with x and columns with y (the detector seen from
the interaction point, x down, y right); the centre of row `r` is at
x = `x0_um + r · pixel_um` and the centre of column `c` at y = `y0_um + c · pixel_um`.
*/

use ndarray::{Array2, ArrayD, IxDyn};

use super::{Frame, Geometry, ImageMap, Select, coords};
use crate::NdArray;
use crate::error::Result;

/// Where an assembled image sits in the detector frame (psana frame, µm).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct ImageAxes {
    /// x of the centre of image row 0.
    pub x0_um: f64,
    /// y of the centre of image column 0.
    pub y0_um: f64,
    /// The size of an image cell.
    pub pixel_um: f64,
}

impl ImageAxes {
    /// x (mm) of the centre of image row `r` (may be fractional).
    pub fn row_mm(&self, r: f64) -> f64 {
        (self.x0_um + r * self.pixel_um) / 1000.0
    }

    /// y (mm) of the centre of image column `c` (may be fractional).
    pub fn col_mm(&self, c: f64) -> f64 {
        (self.y0_um + c * self.pixel_um) / 1000.0
    }

    /// The (fractional) image row whose centre is at x = `mm`.
    pub fn row_of_mm(&self, mm: f64) -> f64 {
        (mm * 1000.0 - self.x0_um) / self.pixel_um
    }

    /// The (fractional) image column whose centre is at y = `mm`.
    pub fn col_of_mm(&self, mm: f64) -> f64 {
        (mm * 1000.0 - self.y0_um) / self.pixel_um
    }
}

/// A geometry's image assembly, built once.
#[derive(Debug, Clone)]
pub struct Assembler {
    map: ImageMap,
    axes: ImageAxes,
}

impl Assembler {
    /// The assembly of the whole detector of `geo` as psana's `det.image` places it.
    pub fn new(geo: &Geometry) -> Result<Assembler> {
        let c = geo.coords(Select::Top, Frame::Psana, true)?;
        let s = geo.pixel_scale_size(Select::Top)?;
        let (rows, cols) = coords::pixel_indexes(&c.x, &c.y, s, None, Frame::Psana);
        let map = ImageMap::new(&rows, &cols)?;
        let min = |v: &[f64]| v.iter().copied().fold(f64::INFINITY, f64::min);
        Ok(Assembler {
            map,
            axes: ImageAxes {
                x0_um: min(&c.x),
                y0_um: min(&c.y),
                pixel_um: s,
            },
        })
    }

    /// The cell table.
    pub fn map(&self) -> &ImageMap {
        &self.map
    }

    /// Where the image sits in the detector frame.
    pub fn axes(&self) -> ImageAxes {
        self.axes
    }

    /// Number of pixels of the geometry.
    pub fn pixels(&self) -> usize {
        self.map.pixels()
    }

    /// psana's image of `values` (empty cells 0, float32).
    pub fn image(&self, values: &[f32]) -> Result<Array2<f32>> {
        self.map.assemble(values)
    }

    /// A constants array (`(nsegs, rows, cols)`, or `(gains, nsegs, rows, cols)` with one image
    /// per gain) assembled: `(rows, cols)`, or `(gains, 1, rows, cols)`, cells no pixel falls
    /// in NaN (pictures draw them grey and leave them out of colour scales); `None` (and a
    /// message naming `from`) when the geometry does not fit the array.
    pub fn assemble_array(&self, from: &str, arr: &NdArray) -> Result<Option<NdArray>> {
        let shape = arr.shape().to_vec();
        let n = self.map.pixels();
        let gains = if shape.len() == 4 { shape[0] } else { 1 };
        if n * gains != arr.len() {
            tracing::info!(
                "no assembled image: geometry {from} has {n} pixels, the array {} (shape {})",
                arr.len(),
                crate::formats::array::shape_str(&shape)
            );
            return Ok(None);
        }
        let values = arr.to_typed::<f32>();
        let values = values.as_slice().expect("an owned array is contiguous");
        let (r, c) = self.map.shape();
        let mut out = vec![0f32; gains * r * c];
        for (g, img) in values.chunks(n).zip(out.chunks_mut(r * c)) {
            self.map.assemble_into_filled(g, img, f32::NAN)?;
        }
        let dims: Vec<usize> = if shape.len() == 4 {
            vec![gains, 1, r, c]
        } else {
            vec![r, c]
        };
        Ok(Some(NdArray::F32(
            ArrayD::from_shape_vec(IxDyn(&dims), out).expect("gains × rows × cols"),
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::IndexOptions;
    use crate::geometry::defaults::grid_text;
    use std::path::Path;

    #[test]
    fn assembler_matches_the_plain_scatter_and_places_the_axes() {
        // Two panels of 4 × 6 pixels, the second turned by 90° and overlapping the first.
        let text = "D 0 MTRX:V2:4:6:100:100 0  0 0 0  0 0 0  0 0 0\n\
                    D 0 MTRX:V2:4:6:100:100 1  150 50 0  90 0 0  0 0 0\n\
                    IP 0 D 0  1000 -2000 -100000  0 0 0  0 0 0\n";
        let geo = Geometry::parse(text.as_bytes(), Path::new("t")).unwrap();
        let a = Assembler::new(&geo).unwrap();
        let (rows, cols) = geo
            .indexes(Select::Top, Frame::Psana, true, &IndexOptions::default())
            .unwrap();
        let c = geo.coords(Select::Top, Frame::Psana, true).unwrap();
        let (nr, nc) = a.map().shape();
        let vals: Vec<f32> = (0..48).map(|i| i as f32 + 1.0).collect();
        let mut want = vec![f32::NAN; nr * nc];
        for i in 0..48 {
            want[rows.data[i] as usize * nc + cols.data[i] as usize] = vals[i];
        }
        let arr = NdArray::F32(ArrayD::from_shape_vec(IxDyn(&[2, 4, 6]), vals.clone()).unwrap());
        let got = a
            .assemble_array("t", &arr)
            .unwrap()
            .unwrap()
            .to_typed::<f32>();
        assert_eq!(got.shape(), &[nr, nc]);
        for (g, w) in got.iter().zip(&want) {
            assert!(g == w || (g.is_nan() && w.is_nan()), "{g} {w}");
        }
        assert!(a.map().hidden_pixels() > 0, "the panels overlap");
        // psana's image has 0 where the NaN are.
        let img = a.image(&vals).unwrap();
        for (g, w) in img.iter().zip(&want) {
            assert_eq!(*g, if w.is_nan() { 0.0 } else { *w });
        }
        // Every pixel's cell centre is within half a cell of the pixel on both axes.
        let ax = a.axes();
        assert_eq!(ax.pixel_um, 100.0);
        for i in 0..48 {
            let x = ax.row_mm(rows.data[i] as f64) * 1000.0;
            let y = ax.col_mm(cols.data[i] as f64) * 1000.0;
            assert!(
                (x - c.x[i]).abs() <= 50.0 + 1e-9,
                "pixel {i}: x {x} {}",
                c.x[i]
            );
            assert!(
                (y - c.y[i]).abs() <= 50.0 + 1e-9,
                "pixel {i}: y {y} {}",
                c.y[i]
            );
        }
        assert_eq!(ax.row_of_mm(ax.row_mm(3.0)), 3.0);
        assert_eq!(ax.col_of_mm(ax.col_mm(5.0)), 5.0);
        // Gains: one image each, stacked (gains, 1, rows, cols); a wrong size is no image.
        let two = NdArray::F32(
            ArrayD::from_shape_vec(IxDyn(&[2, 2, 4, 6]), [vals.clone(), vals].concat()).unwrap(),
        );
        let got = a.assemble_array("t", &two).unwrap().unwrap();
        assert_eq!(got.shape(), &[2, 1, nr, nc]);
        let small = NdArray::F32(ArrayD::zeros(IxDyn(&[1, 4, 6])));
        assert!(a.assemble_array("t", &small).unwrap().is_none());
        // The grid geometry of simulated panels: no empty cell inside a panel.
        let g = Geometry::parse(grid_text(1, 8, 8, 75.0).as_bytes(), Path::new("g")).unwrap();
        let a = Assembler::new(&g).unwrap();
        assert_eq!((a.map().shape(), a.map().empty_cells()), ((8, 8), 0));
    }
}
