/*!
The pixel layout of each segment type LCLS-I psana knows: shape, pixel coordinates in the segment's
own frame, relative pixel areas, the geometry mask and the ASICs (for CrystFEL).

Every value is computed with the same double operations in the same order as psana, so that the
coordinates are bit-identical (spec `geometry.md` §5).
*/

use detcal_formats::geometry::SegmentName;

/// What the geometry mask masks (`mbits`) and how wide (`width`, `wcentral`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MaskOptions {
    /// Bit 1: edges; bit 2: ASIC borders (wide pixels); CSPAD bits 4, 8, 16: unbonded pixels.
    pub mbits: u32,
    /// Rows/columns masked at the segment edges.
    pub width: usize,
    /// Rows/columns masked on each side of the ASIC borders.
    pub wcentral: usize,
}

impl Default for MaskOptions {
    fn default() -> Self {
        MaskOptions {
            mbits: 0o377,
            width: 1,
            wcentral: 1,
        }
    }
}

/// A segment type with its pixel layout.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Segment {
    /// The segment type.
    pub name: SegmentName,
    /// Put the wide pixels' coordinates at their geometric centre (psana's `use_wide_pix_center`).
    pub wide_pix_center: bool,
}

/// The ASIC layout of a segment, for CrystFEL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asics {
    /// The data (row, col) of each ASIC's first pixel, in ASIC order.
    pub corners: Vec<(usize, usize)>,
    /// Rows of one ASIC.
    pub rows: usize,
    /// Columns of one ASIC.
    pub cols: usize,
    /// ASICs along the segment's columns.
    pub along_cols: usize,
}

/// Pixel size, wide-pixel size and orientation of the segments built from half rows.
struct Halves {
    pix: f64,
    wide: f64,
    /// Rows have wide pixels too (ePix), else rows are plain (CSPAD).
    wide_rows: bool,
    /// Row 0 at -y (ePix100) rather than +y (ePix10ka).
    row0_bottom: bool,
}

impl Segment {
    /// The segment of type `name` with psana's default (no wide-pixel centres).
    pub fn new(name: SegmentName) -> Segment {
        Segment {
            name,
            wide_pix_center: false,
        }
    }

    /// (rows, cols) of the segment's data.
    pub fn shape(&self) -> (usize, usize) {
        match self.name {
            SegmentName::JungfrauV1 | SegmentName::JungfrauV2 => (512, 1024),
            SegmentName::Epix10kaV1 | SegmentName::Epix10kaV2 => (352, 384),
            SegmentName::Epix100V1 => (704, 768),
            SegmentName::Sens2x1V1 => (185, 388),
            SegmentName::PnccdV1 => (512, 512),
            SegmentName::MatrixV1 { rows, cols, .. } | SegmentName::MatrixV2 { rows, cols, .. } => {
                (rows, cols)
            }
        }
    }

    /// Number of pixels.
    pub fn size(&self) -> usize {
        let (r, c) = self.shape();
        r * c
    }

    /// The pixel size used for image indexes, µm.
    pub fn pixel_scale_size(&self) -> f64 {
        match self.name {
            SegmentName::JungfrauV1 | SegmentName::JungfrauV2 | SegmentName::PnccdV1 => 75.0,
            SegmentName::Epix10kaV1 | SegmentName::Epix10kaV2 => 100.0,
            SegmentName::Epix100V1 => 50.0,
            SegmentName::Sens2x1V1 => 109.92,
            SegmentName::MatrixV1 {
                pix_rows, pix_cols, ..
            }
            | SegmentName::MatrixV2 {
                pix_rows, pix_cols, ..
            } => pix_rows.min(pix_cols),
        }
    }

    fn halves(&self) -> Option<Halves> {
        let h = |pix, wide, wide_rows, row0_bottom| Halves {
            pix,
            wide,
            wide_rows,
            row0_bottom,
        };
        Some(match self.name {
            SegmentName::Epix10kaV1 => h(100.0, 250.0, true, false),
            SegmentName::Epix10kaV2 => h(100.0, 225.0, true, false),
            SegmentName::Epix100V1 => h(50.0, 175.0, true, true),
            SegmentName::Sens2x1V1 => h(109.92, 274.8, false, false),
            _ => return None,
        })
    }

    /// Pixel x and y of every pixel in the segment frame (row-major, µm); z is 0.
    pub fn pixel_coords(&self) -> (Vec<f64>, Vec<f64>) {
        let (rows, cols) = self.shape();
        match self.name {
            SegmentName::PnccdV1 => {
                outer(rows, cols, |r, _| (r * 75) as f64, |_, c| (c * 75) as f64)
            }
            SegmentName::MatrixV1 {
                pix_rows, pix_cols, ..
            } => outer(
                rows,
                cols,
                |r, _| r as f64 * pix_rows,
                |_, c| c as f64 * pix_cols,
            ),
            SegmentName::MatrixV2 {
                pix_rows, pix_cols, ..
            } => {
                let hc = (cols as f64 - 1.0) / 2.0;
                let hr = (rows as f64 - 1.0) / 2.0;
                let xc: Vec<f64> = (0..cols).map(|c| (c as f64 - hc) * pix_cols).collect();
                let yr: Vec<f64> = (0..rows).map(|r| (r as f64 - hr) * -pix_rows).collect();
                outer(rows, cols, |_, c| xc[c], |r, _| yr[r])
            }
            SegmentName::JungfrauV1 | SegmentName::JungfrauV2 => {
                let offs = [-514.5, -256.5, 1.5, 259.5];
                let xc: Vec<f64> = (0..cols)
                    .map(|c| (75 * (c % 256)) as f64 + 75.0 * offs[c / 256])
                    .collect();
                let y1 = |r: usize| {
                    if r < 256 {
                        75.0 * 256.5 - (75 * r) as f64
                    } else {
                        75.0 * -1.5 - (75 * (r - 256)) as f64
                    }
                };
                let yr: Vec<f64> = if self.name == SegmentName::JungfrauV1 {
                    (0..rows).map(y1).collect()
                } else {
                    (0..rows).map(|r| y1(rows - 1 - r)).collect()
                };
                outer(rows, cols, |_, c| xc[c], |r, _| yr[r])
            }
            _ => {
                let h = self.halves().expect("half-row segment");
                let half = |n: usize| -> Vec<f64> {
                    let mut v: Vec<f64> = (0..n)
                        .map(|i| (i as f64 * h.pix + h.wide) - h.pix / 2.0)
                        .collect();
                    if self.wide_pix_center {
                        v[0] = h.wide / 2.0;
                    }
                    v
                };
                let xr = half(cols / 2);
                let xc: Vec<f64> = xr
                    .iter()
                    .rev()
                    .map(|v| -v)
                    .chain(xr.iter().copied())
                    .collect();
                let yr: Vec<f64> = if h.wide_rows {
                    let yh = half(rows / 2);
                    if h.row0_bottom {
                        yh.iter()
                            .rev()
                            .map(|v| -v)
                            .chain(yh.iter().copied())
                            .collect()
                    } else {
                        yh.iter()
                            .rev()
                            .copied()
                            .chain(yh.iter().map(|v| -v))
                            .collect()
                    }
                } else {
                    let y0 = |r: usize| -(r as f64 * h.pix);
                    let mid = y0(rows - 1) / 2.0;
                    (0..rows).map(|r| y0(r) - mid).collect()
                };
                outer(rows, cols, |_, c| xc[c], |r, _| yr[r])
            }
        }
    }

    /// Relative pixel areas (1 for a normal pixel), row-major.
    pub fn areas(&self) -> Vec<f64> {
        let (rows, cols) = self.shape();
        let Some(h) = self.halves() else {
            return vec![1.0; rows * cols];
        };
        let f = 1.0 / (h.pix * h.pix);
        let size = |i: usize, n: usize, wide: bool| {
            if wide && (i == n / 2 - 1 || i == n / 2) {
                h.wide
            } else {
                h.pix
            }
        };
        let mut out = Vec::with_capacity(rows * cols);
        for r in 0..rows {
            let sy = size(r, rows, h.wide_rows);
            for c in 0..cols {
                out.push(size(c, cols, true) * sy * f);
            }
        }
        out
    }

    /// The geometry mask (1 good, 0 masked), row-major.
    pub fn mask(&self, opts: &MaskOptions) -> Vec<u8> {
        let (rows, cols) = self.shape();
        let mut m = vec![1u8; rows * cols];
        let zero_rows = |m: &mut Vec<u8>, r0: usize, r1: usize| {
            for r in r0..r1.min(rows) {
                m[r * cols..(r + 1) * cols].fill(0);
            }
        };
        let zero_cols = |m: &mut Vec<u8>, c0: usize, c1: usize| {
            for r in 0..rows {
                for c in c0..c1.min(cols) {
                    m[r * cols + c] = 0;
                }
            }
        };
        let (w, u) = (opts.width, opts.wcentral);
        if opts.mbits & 1 != 0 && w > 0 {
            zero_rows(&mut m, 0, w);
            zero_rows(&mut m, rows.saturating_sub(w), rows);
            zero_cols(&mut m, 0, w);
            zero_cols(&mut m, cols.saturating_sub(w), cols);
        }
        if opts.mbits & 2 != 0 && u > 0 {
            match self.name {
                SegmentName::JungfrauV1 | SegmentName::JungfrauV2 => {
                    for g in [256, 512, 768] {
                        zero_cols(&mut m, g - u.min(g), g + u);
                    }
                    zero_rows(&mut m, 256 - u.min(256), 256 + u);
                }
                SegmentName::Epix10kaV1 | SegmentName::Epix10kaV2 | SegmentName::Epix100V1 => {
                    let (hr, hc) = (rows / 2, cols / 2);
                    zero_cols(&mut m, hc - u.min(hc), hc + u);
                    zero_rows(&mut m, hr - u.min(hr), hr + u);
                }
                SegmentName::Sens2x1V1 => {
                    let hc = cols / 2;
                    zero_cols(&mut m, hc - u.min(hc), hc + u);
                }
                _ => {}
            }
        }
        if self.name == SegmentName::Sens2x1V1 && opts.mbits & 0o34 != 0 {
            let h = 194;
            let mut set = |r: usize, c: usize| m[r * cols + c] = 0;
            for p in (0..=180).step_by(10) {
                for dc in [0, h] {
                    if opts.mbits & 16 != 0 {
                        for r in p.max(1) - 1..=p + 1 {
                            for c in p.max(1) - 1..=p + 1 {
                                set(r, c + dc);
                            }
                        }
                    } else if opts.mbits & 8 != 0 {
                        if p > 0 {
                            set(p, p + dc);
                            set(p - 1, p + dc);
                            set(p, p - 1 + dc);
                        }
                        set(p + 1, p + dc);
                        set(p, p + 1 + dc);
                    } else {
                        set(p, p + dc);
                    }
                }
            }
        }
        m
    }

    /// The ASICs of the segment; `None` for ePix100, which psana gives no ASIC layout.
    pub fn asics(&self) -> Option<Asics> {
        let (rows, cols) = self.shape();
        let grid = |nr: usize, nc: usize, ar: usize, ac: usize| Asics {
            corners: (0..nr)
                .flat_map(|i| (0..nc).map(move |j| (i * ar, j * ac)))
                .collect(),
            rows: ar,
            cols: ac,
            along_cols: nc,
        };
        Some(match self.name {
            SegmentName::JungfrauV1 | SegmentName::JungfrauV2 => grid(2, 4, 256, 256),
            SegmentName::Epix10kaV1 | SegmentName::Epix10kaV2 => grid(2, 2, 176, 192),
            SegmentName::Sens2x1V1 => grid(1, 2, 185, 194),
            SegmentName::Epix100V1 => return None,
            _ => grid(1, 1, rows, cols),
        })
    }
}

/// Row-major (X, Y) of a rows × cols segment from per-pixel functions.
fn outer(
    rows: usize,
    cols: usize,
    fx: impl Fn(usize, usize) -> f64,
    fy: impl Fn(usize, usize) -> f64,
) -> (Vec<f64>, Vec<f64>) {
    let mut x = Vec::with_capacity(rows * cols);
    let mut y = Vec::with_capacity(rows * cols);
    for r in 0..rows {
        for c in 0..cols {
            x.push(fx(r, c));
            y.push(fy(r, c));
        }
    }
    (x, y)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn x_of_col(s: &Segment, c: usize) -> f64 {
        s.pixel_coords().0[c]
    }

    fn y_of_row(s: &Segment, r: usize) -> f64 {
        let (_, cols) = s.shape();
        s.pixel_coords().1[r * cols]
    }

    #[test]
    fn jungfrau_values() {
        let v1 = Segment::new(SegmentName::JungfrauV1);
        let v2 = Segment::new(SegmentName::JungfrauV2);
        for (c, x) in [
            (0, -38587.5),
            (255, -19462.5),
            (256, -19237.5),
            (511, -112.5),
            (512, 112.5),
            (767, 19237.5),
            (768, 19462.5),
            (1023, 38587.5),
        ] {
            assert_eq!(x_of_col(&v1, c), x);
            assert_eq!(x_of_col(&v2, c), x);
        }
        for (r, y) in [(0, 19237.5), (255, 112.5), (256, -112.5), (511, -19237.5)] {
            assert_eq!(y_of_row(&v1, r), y);
            assert_eq!(y_of_row(&v2, r), -y);
        }
        let m = v1.mask(&MaskOptions::default());
        assert_eq!(m.iter().filter(|&&v| v == 1).count(), 516128);
        assert!(v1.areas().iter().all(|&a| a == 1.0));
    }

    #[test]
    fn wide_pixel_segments() {
        let e1 = Segment::new(SegmentName::Epix10kaV1);
        assert_eq!(x_of_col(&e1, 191), -200.0);
        assert_eq!(x_of_col(&e1, 192), 200.0);
        assert_eq!(y_of_row(&e1, 0), 17700.0);
        assert_eq!(y_of_row(&e1, 175), 200.0);
        assert_eq!(y_of_row(&e1, 176), -200.0);
        let a = e1.areas();
        assert_eq!(a[0], 1.0);
        assert_eq!(a[191], 2.5);
        assert_eq!(a[175 * 384 + 192], 6.25);
        let e2 = Segment::new(SegmentName::Epix10kaV2);
        assert_eq!(y_of_row(&e2, 0), 17675.0);
        assert_eq!(e2.areas()[175 * 384 + 191], 5.0625);
        let e100 = Segment::new(SegmentName::Epix100V1);
        assert_eq!(y_of_row(&e100, 0), -17700.0);
        assert_eq!(y_of_row(&e100, 351), -150.0);
        assert_eq!(y_of_row(&e100, 352), 150.0);
        assert_eq!(y_of_row(&e100, 703), 17700.0);
        let cs = Segment::new(SegmentName::Sens2x1V1);
        assert_eq!(x_of_col(&cs, 193), -219.84);
        assert_eq!(x_of_col(&cs, 195), 329.76000000000005);
        assert_eq!(x_of_col(&cs, 192), -329.76000000000005);
        assert_eq!(y_of_row(&cs, 0), 10112.64);
        assert_eq!(y_of_row(&cs, 92), 0.0);
        assert_eq!(y_of_row(&cs, 183), -10002.720000000001);
        assert_eq!(y_of_row(&cs, 184), -10112.64);
        assert_eq!(cs.areas()[193], 2.5000000000000004);
        let wc = Segment {
            name: SegmentName::Epix10kaV1,
            wide_pix_center: true,
        };
        assert_eq!(x_of_col(&wc, 192), 125.0);
    }

    #[test]
    fn matrix_segments() {
        let m = Segment::new(SegmentName::MatrixV2 {
            rows: 2,
            cols: 3,
            pix_rows: 10.0,
            pix_cols: 20.0,
        });
        let (x, y) = m.pixel_coords();
        assert_eq!(x, vec![-20.0, 0.0, 20.0, -20.0, 0.0, 20.0]);
        assert_eq!(y, vec![5.0, 5.0, 5.0, -5.0, -5.0, -5.0]);
        assert_eq!(m.pixel_scale_size(), 10.0);
        let p = Segment::new(SegmentName::PnccdV1);
        let (x, y) = p.pixel_coords();
        assert_eq!((x[512 + 3], y[512 + 3]), (75.0, 225.0));
        let mask = p.mask(&MaskOptions::default());
        assert_eq!(mask.iter().filter(|&&v| v == 1).count(), 510 * 510);
    }
}
