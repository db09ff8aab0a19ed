/*!
The default geometry of each detector type, used when the calibration store has none.

The files live in `crates/detcal/data/geometry/` and carry the numbers of psana's public default
files (psana2's for JUNGFRAU and the ePix10ka quad, since detcal reads LCLS-II data). Unlike
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
];

/// The name of the default file for `det` with `panels` panels (segments).
pub fn default_name(det: DetType, panels: usize) -> Result<&'static str> {
    Ok(match (det, panels) {
        (DetType::Jungfrau, 1) => "jungfrau05m",
        (DetType::Jungfrau, 2) => "jungfrau1m",
        (DetType::Jungfrau, 8) => "jungfrau4m",
        (DetType::Epix10kaQuad | DetType::Epix10ka2M | DetType::Epix10ka, 4) => "epix10kaquad",
        (DetType::Epix100a, 1) => "epix100a",
        _ => {
            return Err(Error::unsupported(
                det.name(),
                format!(
                    "no default geometry for a {} with {panels} panel(s) (defaults: JUNGFRAU with 1, 2 or 8 panels, ePix10ka with 4, ePix100a); deploy a geometry to the calibration store",
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
        ] {
            let g = default_geometry(det, panels).unwrap();
            let a = g.areas(Select::Top).unwrap();
            assert_eq!(a.shape, shape, "{det:?} {panels}");
        }
        assert!(default_geometry(DetType::Jungfrau, 3).is_err());
        assert!(default_geometry(DetType::Cspad, 32).is_err());
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
