/*!
The default geometry of each detector type, used when the calibration store has none.

The files live in `crates/detcal/data/geometry/` and carry the numbers of psana's public default
files (psana2's for JUNGFRAU and the ePix10ka quad, since detcal reads LCLS-II data; LCLS-I's for
the ePix10ka 2M; CSPAD, CSPAD2x2 and pnCCD have the same file in both). Unlike
LCLS-I psana, which gives every JUNGFRAU the 8-panel 4M file, the file is chosen by the number of
panels; a type or panel count without a default is an error, not a 10×10 placeholder image.
*/

use std::path::Path;

use super::Geometry;
use crate::detector::DetType;
use crate::error::{Error, Result};

/// (name, text) of every default geometry file.
pub const FILES: &[(&str, &str)] = &[
    (
        "jungfrau05m",
        include_str!("../../data/geometry/jungfrau05m.data"),
    ),
    (
        "jungfrau1m",
        include_str!("../../data/geometry/jungfrau1m.data"),
    ),
    (
        "jungfrau4m",
        include_str!("../../data/geometry/jungfrau4m.data"),
    ),
    (
        "epix10kaquad",
        include_str!("../../data/geometry/epix10kaquad.data"),
    ),
    (
        "epix100a",
        include_str!("../../data/geometry/epix100a.data"),
    ),
    (
        "jungfrau16m",
        include_str!("../../data/geometry/jungfrau16m.data"),
    ),
    (
        "epix10ka2m",
        include_str!("../../data/geometry/epix10ka2m.data"),
    ),
    ("cspad", include_str!("../../data/geometry/cspad.data")),
    (
        "cspad2x2",
        include_str!("../../data/geometry/cspad2x2.data"),
    ),
    ("pnccd", include_str!("../../data/geometry/pnccd.data")),
];

/// The name of the default file for `det` with `panels` panels (segments).
pub fn default_name(det: DetType, panels: usize) -> Result<&'static str> {
    Ok(match (det, panels) {
        (DetType::Jungfrau, 1) => "jungfrau05m",
        (DetType::Jungfrau, 2) => "jungfrau1m",
        (DetType::Jungfrau, 8) => "jungfrau4m",
        (DetType::Jungfrau, 32) => "jungfrau16m",
        (DetType::Epix10kaQuad | DetType::Epix10ka2M | DetType::Epix10ka, 4) => "epix10kaquad",
        (DetType::Epix10kaQuad | DetType::Epix10ka2M | DetType::Epix10ka, 16) => "epix10ka2m",
        (DetType::Epix100a, 1) => "epix100a",
        (DetType::Cspad, 32) => "cspad",
        // The DAQ shape (185, 388, 2) has no panel axis in front.
        (DetType::Cspad2x2, 2 | 185) => "cspad2x2",
        (DetType::Pnccd, 4) => "pnccd",
        _ => {
            return Err(Error::unsupported(
                det.name(),
                format!(
                    "no default geometry for a {} with {panels} panel(s) (defaults: JUNGFRAU with 1, 2, 8 or 32 panels, ePix10ka with 4 or 16, ePix100a, CSPAD with 32, CSPAD2x2, pnCCD with 4); deploy a geometry to the calibration store",
                    det.name()
                ),
            ));
        }
    })
}

/// The text of the default file `name`.
pub fn text(name: &str) -> Option<&'static str> {
    FILES.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

/// The default geometry for `det` with `panels` panels.
pub fn default_geometry(det: DetType, panels: usize) -> Result<Geometry> {
    let name = default_name(det, panels)?;
    let t = text(name).expect("every default name has a file");
    Geometry::parse(
        t.as_bytes(),
        Path::new(&format!("<default geometry {name}>")),
    )
}

/// A plain geometry for `panels` panels of `rows` × `cols` pixels of `pixel` µm (matrix segments
/// `MTRX:V2`, turned so that panel rows are image rows), stacked top to bottom 1 mm apart, 100 mm
/// from the IP: for simulated detectors and
/// panel sizes without a default.
pub fn grid_text(panels: usize, rows: usize, cols: usize, pixel: f64) -> String {
    let mut s = format!(
        "# TITLE      grid of {panels} panel(s) of {rows} x {cols} pixels of {pixel} um (detcal)\n# CALIB_TYPE geometry\n"
    );
    let pitch = rows as f64 * pixel + 1000.0;
    for i in 0..panels {
        let x0 = (i as f64 - (panels as f64 - 1.0) / 2.0) * pitch;
        s += &format!(
            "GRID:V1 0 MTRX:V2:{rows}:{cols}:{pixel}:{pixel} {i}  {x0} 0 0  90 0 0  0 0 0\n"
        );
    }
    s + "IP 0 GRID:V1 0  0 0 -100000  0 0 0  0 0 0\n"
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::{Frame, IndexOptions, Select};

    #[test]
    fn every_default_parses_and_has_its_panel_count() {
        for (det, panels, shape) in [
            (DetType::Jungfrau, 1, vec![1, 1, 512, 1024]),
            (DetType::Jungfrau, 2, vec![1, 2, 512, 1024]),
            (DetType::Jungfrau, 8, vec![1, 8, 512, 1024]),
            (DetType::Epix10kaQuad, 4, vec![1, 4, 352, 384]),
            (DetType::Epix100a, 1, vec![1, 704, 768]),
            (DetType::Jungfrau, 32, vec![1, 32, 512, 1024]),
            (DetType::Epix10ka2M, 16, vec![1, 16, 352, 384]),
            (DetType::Cspad, 32, vec![1, 32, 185, 388]),
            (DetType::Cspad2x2, 185, vec![1, 185, 388, 2]),
            (DetType::Pnccd, 4, vec![1, 2, 2, 512, 512]),
        ] {
            let g = default_geometry(det, panels).unwrap();
            let a = g.areas(Select::Top).unwrap();
            assert_eq!(a.shape, shape, "{det:?} {panels}");
            // The geometry has a pixel for every pixel of the DAQ's frame.
            if let Some(daq) = det.base_shape() {
                assert_eq!(a.data.len(), daq.iter().product::<usize>(), "{det:?}");
            }
        }
        assert!(default_geometry(DetType::Jungfrau, 3).is_err());
        assert!(default_geometry(DetType::Cspad, 16).is_err());
        assert!(default_geometry(DetType::Pnccd, 2).is_err());
        assert!(default_geometry(DetType::Andor, 1).is_err());
    }

    /// Pixels of the CSPAD, CSPAD2x2, pnCCD and 16M JUNGFRAU defaults as psana2's GeometryAccess
    /// (PyPI psana, numpy 1.26, this machine's libm) gives them for the same public files, psana
    /// frame: flat pixel index, x, y, z (µm), image row and column at the natural pixel size; and
    /// the image size and number of cells shared by several pixels. (psana2 differs from LCLS-I
    /// only in segments none of these files uses, spec §10.)
    #[test]
    fn defaults_match_psana_pixels() {
        type Px = (usize, f64, f64, f64, u64, u64);
        type Case = (DetType, usize, (u64, u64), usize, [Px; 4]);
        let cases: [Case; 4] = [
            (
                DetType::Cspad,
                32,
                (1942, 1940),
                58531,
                [
                    (
                        0,
                        25225.53790305266,
                        97018.4240983968,
                        -999847.9877627124,
                        562,
                        879,
                    ),
                    (
                        1,
                        25205.53879370493,
                        97126.50944430384,
                        -999847.9827173264,
                        562,
                        880,
                    ),
                    (
                        765653,
                        83843.79652028088,
                        189343.89678331642,
                        -999844.1509388126,
                        1096,
                        1719,
                    ),
                    (
                        2296959,
                        29060.4922713079,
                        96208.43070000142,
                        -999894.9068376053,
                        597,
                        872,
                    ),
                ],
            ),
            (
                DetType::Cspad2x2,
                185,
                (454, 459),
                3596,
                [
                    (
                        0,
                        42487.72453647131,
                        7836.592006581304,
                        -999985.5249552784,
                        453,
                        68,
                    ),
                    (
                        1,
                        38473.284436506234,
                        30841.73490153052,
                        -999987.7661560352,
                        416,
                        277,
                    ),
                    (
                        47853,
                        9055.685594913411,
                        32463.172034787836,
                        -999995.5511937084,
                        148,
                        292,
                    ),
                    (
                        143559,
                        -7256.323542174873,
                        43315.65078945638,
                        -1000006.2338439648,
                        0,
                        390,
                    ),
                ],
            ),
            (
                DetType::Pnccd,
                4,
                (1400, 1312),
                83118,
                [
                    (
                        0,
                        -52469.065056848325,
                        -22928.91158032972,
                        -100000.0,
                        0,
                        350,
                    ),
                    (
                        1,
                        -52398.588110289376,
                        -22954.563091079148,
                        -100000.0,
                        1,
                        350,
                    ),
                    (
                        349525,
                        -18607.587492711664,
                        32826.22731442571,
                        -100000.0,
                        451,
                        1093,
                    ),
                    (
                        1048575,
                        39335.83357328596,
                        -13156.345365228368,
                        -100000.0,
                        1224,
                        480,
                    ),
                ],
            ),
            (
                DetType::Jungfrau,
                32,
                (4432, 4216),
                0,
                [
                    (0, 168750.0, -152887.5, -100000.0, 4431, 69),
                    (1, 168750.0, -152812.5, -100000.0, 4431, 70),
                    (5592405, 55425.0, 28687.499999999996, -100000.0, 2920, 2490),
                    (16777215, -163575.0, 152887.5, -100000.0, 0, 4146),
                ],
            ),
        ];
        for (det, panels, size, shared, pixels) in cases {
            let g = default_geometry(det, panels).unwrap();
            let c = g.coords(Select::Top, Frame::Psana, true).unwrap();
            let (r, k) = g
                .indexes(Select::Top, Frame::Psana, true, &IndexOptions::default())
                .unwrap();
            for (i, x, y, z, row, col) in pixels {
                let got = (c.x[i], c.y[i], c.z[i]);
                let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * b.abs().max(1.0);
                assert!(
                    close(got.0, x) && close(got.1, y) && close(got.2, z),
                    "{det:?} pixel {i}: {got:?}"
                );
                assert_eq!((r.data[i], k.data[i]), (row, col), "{det:?} pixel {i}");
            }
            let nr = r.data.iter().max().unwrap() + 1;
            let nc = k.data.iter().max().unwrap() + 1;
            assert_eq!((nr, nc), size, "{det:?}");
            let mut count = vec![0u32; (nr * nc) as usize];
            for (&a, &b) in r.data.iter().zip(&k.data) {
                count[(a * nc + b) as usize] += 1;
            }
            assert_eq!(count.iter().filter(|&&n| n > 1).count(), shared, "{det:?}");
        }
    }

    /// Every pixel of every default lands in the assembled image: in its cell when it is the
    /// last pixel there, else hidden by a later pixel of the same cell; nothing else is drawn.
    #[test]
    fn every_pixel_of_every_default_lands_in_the_image() {
        for (det, panels) in [
            (DetType::Jungfrau, 1),
            (DetType::Jungfrau, 2),
            (DetType::Jungfrau, 8),
            (DetType::Epix10kaQuad, 4),
            (DetType::Epix10ka2M, 16),
            (DetType::Epix100a, 1),
            (DetType::Cspad, 32),
            (DetType::Cspad2x2, 185),
            (DetType::Pnccd, 4),
        ] {
            let g = default_geometry(det, panels).unwrap();
            let (r, c) = g
                .indexes(Select::Top, Frame::Psana, true, &IndexOptions::default())
                .unwrap();
            let map = crate::geometry::ImageMap::new(&r.data, &c.data).unwrap();
            let (nr, nc) = map.shape();
            // Values 1..=n, so a cell's value names its pixel.
            let vals: Vec<f64> = (1..=r.data.len()).map(|i| i as f64).collect();
            let img = map.assemble(&vals).unwrap();
            let img = img.as_slice().unwrap();
            let mut last = vec![0usize; nr * nc];
            for (i, (&a, &b)) in r.data.iter().zip(&c.data).enumerate() {
                assert!((a as usize) < nr && (b as usize) < nc, "{det:?} pixel {i}");
                last[a as usize * nc + b as usize] = i + 1;
            }
            for (cell, (&v, &want)) in img.iter().zip(&last).enumerate() {
                assert_eq!(v as usize, want, "{det:?} cell {cell}");
            }
            let shown = last.iter().filter(|&&k| k > 0).count();
            assert_eq!(shown + map.hidden_pixels(), r.data.len(), "{det:?}");
            assert_eq!(map.empty_cells(), nr * nc - shown, "{det:?}");
        }
    }

    #[test]
    fn grid_geometry_stacks_panels() {
        let t = grid_text(2, 64, 256, 75.0);
        let g = Geometry::parse(t.as_bytes(), Path::new("grid")).unwrap();
        let (r, c) = g
            .indexes(Select::Top, Frame::Psana, true, &IndexOptions::default())
            .unwrap();
        assert_eq!(r.shape, vec![1, 2, 64, 256]);
        // 64 rows, a gap of 1000/75 = 13.3 cells, 64 rows.
        assert_eq!(*r.data.iter().max().unwrap(), 64 + 13 + 63);
        assert_eq!(*c.data.iter().max().unwrap(), 255);
        assert_eq!((r.data[0], r.data[64 * 256]), (0, 77));
    }

    /// Image sizes of spec §9 at the natural pixel size, psana frame.
    #[test]
    fn default_image_sizes() {
        for (det, panels, size) in [
            (DetType::Jungfrau, 1, (514, 1030)),
            (DetType::Jungfrau, 2, (1064, 1030)),
            (DetType::Jungfrau, 8, (2203, 2299)),
            (DetType::Epix10kaQuad, 4, (775, 793)),
            (DetType::Epix100a, 1, (709, 773)),
            (DetType::Epix10ka2M, 16, (1674, 1672)),
        ] {
            let g = default_geometry(det, panels).unwrap();
            let (r, c) = g
                .indexes(Select::Top, Frame::Psana, true, &IndexOptions::default())
                .unwrap();
            let got = (
                *r.data.iter().max().unwrap() + 1,
                *c.data.iter().max().unwrap() + 1,
            );
            assert_eq!(got, size, "{det:?} {panels}");
        }
    }
}
