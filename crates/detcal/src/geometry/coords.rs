/*!
The transform of an object into its parent frame, coordinate frames, pixel indexes for images,
projection on a z plane: psana's double operations in psana's order (spec `geometry.md` §4, §6).
*/

use detcal_formats::geometry::Placement;
use rayon::prelude::*;

/// Pixel coordinates x, y, z in µm, flattened in C order, with their shape.
#[derive(Debug, Clone, PartialEq)]
pub struct Coords {
    /// x of every pixel.
    pub x: Vec<f64>,
    /// y of every pixel.
    pub y: Vec<f64>,
    /// z of every pixel.
    pub z: Vec<f64>,
    /// The array shape (psana's: `(n,) + child shape` per container level).
    pub shape: Vec<usize>,
}

/// The coordinate frame of results.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub enum Frame {
    /// psana's frame (cframe 0): x down, y right, z toward the IP.
    #[default]
    Psana,
    /// The LAB frame (cframe 1): y up, z along the beam.
    Lab,
}

impl Frame {
    /// The frame of psana's `cframe` number (0 psana, anything else LAB).
    pub fn from_cframe(cframe: u32) -> Frame {
        if cframe == 0 {
            Frame::Psana
        } else {
            Frame::Lab
        }
    }

    /// psana's `cframe` number.
    pub fn cframe(self) -> u32 {
        match self {
            Frame::Psana => 0,
            Frame::Lab => 1,
        }
    }
}

/// Sine and cosine of `deg` degrees as psana computes them.
fn sin_cos(deg: f64) -> (f64, f64) {
    let t = deg.to_radians();
    (t.sin(), t.cos())
}

/// Applies an object's placement to its pixel coordinates in place (rotations about z, y, x of
/// the parent frame, then the translation).
pub fn transform(c: &mut Coords, p: &Placement, tilt: bool) {
    let (az, ay, ax) = if tilt {
        (p.rot_z + p.tilt_z, p.rot_y + p.tilt_y, p.rot_x + p.tilt_x)
    } else {
        (p.rot_z, p.rot_y, p.rot_x)
    };
    let (sz, cz) = sin_cos(az);
    let (sy, cy) = sin_cos(ay);
    let (sx, cx) = sin_cos(ax);
    // Each pixel on its own: the parallel split does not change any result.
    let chunk = 1 << 14;
    let xs = c.x.par_chunks_mut(chunk);
    let ys = c.y.par_chunks_mut(chunk);
    let zs = c.z.par_chunks_mut(chunk);
    xs.zip(ys).zip(zs).for_each(|((xs, ys), zs)| {
        for ((x, y), z) in xs.iter_mut().zip(ys.iter_mut()).zip(zs.iter_mut()) {
            let x1 = *x * cz - *y * sz;
            let y1 = *y * cz + *x * sz;
            let z2 = *z * cy - x1 * sy;
            let x2 = x1 * cy + *z * sy;
            let y3 = y1 * cx - z2 * sx;
            let z3 = z2 * cx + y1 * sx;
            *x = x2 + p.x0;
            *y = y3 + p.y0;
            *z = z3 + p.z0;
        }
    });
}

/// Converts psana-frame coordinates to the LAB frame (an involution).
pub fn to_lab(c: &mut Coords) {
    for (x, y) in c.x.iter_mut().zip(c.y.iter_mut()) {
        let (nx, ny) = (-*y, -*x);
        *x = nx;
        *y = ny;
    }
    for z in c.z.iter_mut() {
        *z = -*z;
    }
}

/// How pixels map to image cells.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct IndexOptions {
    /// The cell size in µm; `None` for the geometry's pixel scale size.
    pub pix_scale_size: Option<f64>,
    /// Empty margin (rows, cols) in pixels before the first row/column; non-positive parts ignored.
    pub xy0_off_pix: Option<(f64, f64)>,
}

/// The origin of the index grid: (x_min, y_min) in the psana frame, (x_min, y_max) in LAB.
fn grid_origin(x: &[f64], y: &[f64], s: f64, off: Option<(f64, f64)>, frame: Frame) -> (f64, f64) {
    let mut xmin = min(x);
    let (or, oc) = off.unwrap_or((0.0, 0.0));
    if or > 0.0 {
        xmin -= or * s;
    }
    xmin -= s / 2.0;
    match frame {
        Frame::Psana => {
            let mut ymin = min(y);
            if oc > 0.0 {
                ymin -= oc * s;
            }
            (xmin, ymin - s / 2.0)
        }
        Frame::Lab => {
            let mut ymax = max(y);
            if oc > 0.0 {
                ymax += oc * s;
            }
            (xmin, ymax + s / 2.0)
        }
    }
}

fn min(v: &[f64]) -> f64 {
    v.iter().copied().fold(f64::INFINITY, f64::min)
}

fn max(v: &[f64]) -> f64 {
    v.iter().copied().fold(f64::NEG_INFINITY, f64::max)
}

/// Image row and column of every pixel for `x`, `y` in `frame` and cell size `s` (psana's
/// `get_pixel_coord_indexes`).
pub fn pixel_indexes(
    x: &[f64],
    y: &[f64],
    s: f64,
    off: Option<(f64, f64)>,
    frame: Frame,
) -> (Vec<u64>, Vec<u64>) {
    let (x0, y0) = grid_origin(x, y, s, off, frame);
    match frame {
        Frame::Psana => (
            x.par_iter().map(|&v| ((v - x0) / s) as u64).collect(),
            y.par_iter().map(|&v| ((v - y0) / s) as u64).collect(),
        ),
        Frame::Lab => (
            y.par_iter().map(|&v| ((y0 - v) / s) as u64).collect(),
            x.par_iter().map(|&v| ((v - x0) / s) as u64).collect(),
        ),
    }
}

/// The fractional (row, col) of the point `p` (µm) on the index grid of `x`, `y` (psana's
/// `point_coord_indexes(fract=True)`); floor them for the cell.
pub fn point_index(
    x: &[f64],
    y: &[f64],
    p: (f64, f64),
    s: f64,
    off: Option<(f64, f64)>,
    frame: Frame,
) -> (f64, f64) {
    let (x0, y0) = grid_origin(x, y, s, off, frame);
    match frame {
        Frame::Psana => ((p.0 - x0) / s, (p.1 - y0) / s),
        Frame::Lab => ((y0 - p.1) / s, (p.0 - x0) / s),
    }
}

/// numpy's `mean` of a contiguous float64 array: its pairwise sum over the count (the same
/// summation as the dark-processing summary, checked there against psana).
pub fn mean(a: &[f64]) -> f64 {
    crate::dark::summary::pairwise_sum(&|i| a[i], 0, a.len()) / a.len() as f64
}

/// Projects x and y on the plane z = `zplane` (default: the mean z) as psana's
/// `get_pixel_xy_at_z`; unchanged when that plane is within 1000 µm of 0.
pub fn xy_at_z(c: &Coords, zplane: Option<f64>) -> (Vec<f64>, Vec<f64>) {
    let z0 = zplane.unwrap_or_else(|| mean(&c.z));
    if z0.abs() < 1000.0 {
        return (c.x.clone(), c.y.clone());
    }
    let proj = |v: &[f64]| -> Vec<f64> {
        v.iter()
            .zip(&c.z)
            .map(|(&a, &z)| z0 * if z == 0.0 { 0.0 } else { a / z })
            .collect()
    };
    (proj(&c.x), proj(&c.y))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn two_pixels() -> Coords {
        Coords {
            x: vec![-50.0, 50.0],
            y: vec![0.0, 0.0],
            z: vec![0.0, 0.0],
            shape: vec![1, 2],
        }
    }

    fn place(v: [f64; 9]) -> Placement {
        Placement {
            x0: v[0],
            y0: v[1],
            z0: v[2],
            rot_z: v[3],
            rot_y: v[4],
            rot_x: v[5],
            tilt_z: v[6],
            tilt_y: v[7],
            tilt_x: v[8],
        }
    }

    /// The spec's test vectors (§11), produced by psana.
    #[test]
    fn rotation_order_and_frames() {
        let mut c = two_pixels();
        transform(
            &mut c,
            &place([10.0, 20.0, -30.0, 30.0, 20.0, 10.0, 0.0, 0.0, 0.0]),
            true,
        );
        assert_eq!(c.x, vec![-30.68988406746869, 50.68988406746869]);
        assert_eq!(c.y, vec![-7.191907124116277, 47.19190712411628]);
        assert_eq!(c.z, vec![-19.75629356485689, -40.24370643514311]);

        let mut c = two_pixels();
        transform(
            &mut c,
            &place([0.0, 0.0, 0.0, 90.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
            true,
        );
        assert_eq!(c.x, vec![-3.061616997868383e-15, 3.061616997868383e-15]);
        assert_eq!(c.y, vec![-50.0, 50.0]);
        to_lab(&mut c);
        assert_eq!(c.x, vec![50.0, -50.0]);
        assert_eq!(c.y, vec![3.061616997868383e-15, -3.061616997868383e-15]);
        assert!(c.z.iter().all(|z| *z == 0.0 && z.is_sign_negative()));

        let tilted = place([0.0, 0.0, 0.0, 90.0, 0.0, 0.0, -0.5, 0.0, 0.0]);
        let mut c = two_pixels();
        transform(&mut c, &tilted, true);
        assert_eq!(c.x, vec![-0.4363267749186948, 0.4363267749186948]);
        assert_eq!(c.y, vec![-49.998096153208564, 49.998096153208564]);
        let mut c = two_pixels();
        transform(&mut c, &tilted, false);
        assert_eq!(c.y, vec![-50.0, 50.0]);
    }

    #[test]
    fn indexes_round_half_up_from_the_minimum() {
        let x = [0.0, 75.0, 150.0];
        let y = [0.0, 0.0, 100.0];
        let (r, c) = pixel_indexes(&x, &y, 75.0, None, Frame::Psana);
        assert_eq!(r, vec![0, 1, 2]);
        assert_eq!(c, vec![0, 0, 1]);
        let (r, _) = pixel_indexes(&x, &y, 75.0, Some((2.0, -3.0)), Frame::Psana);
        assert_eq!(r, vec![2, 3, 4]);
        let (r, c) = pixel_indexes(&x, &y, 75.0, None, Frame::Lab);
        assert_eq!(r, vec![1, 1, 0]);
        assert_eq!(c, vec![0, 1, 2]);
        let p = point_index(&x, &y, (0.0, 0.0), 75.0, None, Frame::Psana);
        assert_eq!(p, (0.5, 0.5));
    }

    #[test]
    fn projection_on_a_z_plane() {
        let v: Vec<f64> = (0..1000).map(|i| i as f64).collect();
        assert_eq!(mean(&v), 499.5);
        let c = Coords {
            x: vec![100.0, 200.0],
            y: vec![0.0, 50.0],
            z: vec![-2000.0, -4000.0],
            shape: vec![2],
        };
        let (x, y) = xy_at_z(&c, Some(-1000.0));
        assert_eq!(x, vec![50.0, 50.0]);
        assert_eq!(y, vec![0.0, 12.5]);
        let (x, _) = xy_at_z(&c, Some(500.0));
        assert_eq!(x, c.x);
    }
}
