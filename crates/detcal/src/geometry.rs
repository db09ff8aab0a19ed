/*!
Detector geometry as psana (LCLS-I) computes it: the object tree of a geometry file, pixel
coordinates in µm in the psana or LAB frame, pixel areas, the geometry mask, image indexes and
assembled images, bit for bit equal to psana's (spec `geometry.md`, decisions G1-G7).

- [`Geometry`]: a parsed geometry file and every per-pixel result of it, for the whole detector
  (the top object) or one object ([`Select`]).
- [`segments`]: the pixel layout of each segment type.
- [`coords`]: the transform, frames, indexes and z-plane projection.
- [`image`]: image assembly (the last pixel written to a cell wins, empty cells 0).
- [`crystfel`]: conversion to and from CrystFEL `.geom` text.
- [`defaults`]: the default geometry of each detector type.

```
use detcal::geometry::{Geometry, Frame, Select};

let text = "IP 0 MTRX:V2:1:2:100:100 0  10 20 -30  90 0 0  0 0 0\n";
let geo = Geometry::parse(text.as_bytes(), "g.data".as_ref()).unwrap();
let c = geo.coords(Select::Top, Frame::Psana, true).unwrap();
assert_eq!(c.shape, vec![1, 1, 2]);
assert_eq!(c.y, vec![-30.0, 70.0]);
```
*/

pub mod assembler;
pub mod coords;
pub mod crystfel;
pub mod defaults;
pub mod image;
pub mod repo;
pub mod segments;

use std::path::{Path, PathBuf};

use detcal_formats::geometry::{self as fmt, GeometryFile};
use rayon::prelude::*;

pub use assembler::{Assembler, ImageAxes};
pub use coords::{Coords, Frame, IndexOptions};
pub use detcal_formats::geometry::{Placement, SegmentName, WriteOptions};
pub use image::ImageMap;
pub use segments::{MaskOptions, Segment};

use crate::error::{Error, Result};

/// Which object a result is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Select<'a> {
    /// The top object: the whole detector.
    Top,
    /// The first object with this name and index.
    Object(&'a str, i64),
}

/// A parsed geometry file with its object tree.
#[derive(Debug, Clone)]
pub struct Geometry {
    file: GeometryFile,
    path: PathBuf,
    wide_pix_center: bool,
}

/// Per-pixel values of an object, flattened in C order, with psana's shape.
#[derive(Debug, Clone, PartialEq)]
pub struct PixelArray<T> {
    /// The values.
    pub data: Vec<T>,
    /// The shape.
    pub shape: Vec<usize>,
}

/// Name of the CSPAD 2×2 container, whose arrays psana reorders to the DAQ layout.
const CSPAD2X2: &str = "CSPAD2X2:V1";

impl Geometry {
    /// Reads a geometry file.
    pub fn read(path: &Path) -> Result<Geometry> {
        let file = fmt::read_geometry(path)?;
        Ok(Geometry::from_file(file, path))
    }

    /// Parses the bytes of a geometry file; `path` names it in errors.
    pub fn parse(bytes: &[u8], path: &Path) -> Result<Geometry> {
        let file = fmt::parse_geometry(bytes, path)?;
        Ok(Geometry::from_file(file, path))
    }

    /// The geometry of a parsed file (`path` names it in messages).
    pub fn from_file(file: GeometryFile, path: &Path) -> Geometry {
        for o in &file.objects {
            for (pos, &k) in o.children.iter().enumerate() {
                let child = &file.objects[k];
                if child.index != pos as i64 {
                    tracing::warn!(
                        "{}:{}: {} {} is child number {pos} of {} {}; the data layout follows the file order",
                        path.display(),
                        child.line.unwrap_or(0),
                        child.name,
                        child.index,
                        o.name,
                        o.index
                    );
                }
            }
        }
        Geometry {
            file,
            path: path.to_path_buf(),
            wide_pix_center: false,
        }
    }

    /// Places wide pixels at their geometric centre (psana's `use_wide_pix_center`, default off).
    pub fn with_wide_pix_center(mut self, on: bool) -> Geometry {
        self.wide_pix_center = on;
        self
    }

    /// The parsed file: comments and objects.
    pub fn file(&self) -> &GeometryFile {
        &self.file
    }

    /// The parsed file, to edit placements.
    pub fn file_mut(&mut self) -> &mut GeometryFile {
        &mut self.file
    }

    /// The file this geometry was read from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The file text in psana's writer format.
    pub fn to_bytes(&self, opts: &WriteOptions) -> Vec<u8> {
        fmt::encode_to_vec(&self.file, opts)
    }

    /// The position of the selected object in the object list.
    pub fn object(&self, sel: Select<'_>) -> Result<usize> {
        match sel {
            Select::Top => Ok(self.file.top()),
            Select::Object(name, index) => self.file.find(name, index).ok_or_else(|| {
                Error::bad_arg(
                    "oname",
                    format!(
                        "{}: no object {name} {index} (objects: {})",
                        self.path.display(),
                        self.object_names()
                    ),
                )
            }),
        }
    }

    fn object_names(&self) -> String {
        let mut names: Vec<String> = Vec::new();
        for o in &self.file.objects {
            let n = format!("{} {}", o.name, o.index);
            if !names.contains(&n) {
                names.push(n);
            }
        }
        names.join(", ")
    }

    fn segment(&self, k: usize) -> Option<Segment> {
        self.file.objects[k].segment.map(|name| Segment {
            name,
            wide_pix_center: self.wide_pix_center,
        })
    }

    /// The segment type used for pixel sizes and CrystFEL: the first segment of the file.
    pub fn first_segment(&self) -> Option<Segment> {
        (0..self.file.objects.len()).find_map(|k| self.segment(k))
    }

    /// The pixel scale size of the selected object: that of its first segment, depth first.
    pub fn pixel_scale_size(&self, sel: Select<'_>) -> Result<f64> {
        let mut k = self.object(sel)?;
        loop {
            if let Some(s) = self.segment(k) {
                return Ok(s.pixel_scale_size());
            }
            k = self.file.objects[k].children[0];
        }
    }

    /// Stacks a per-segment array over the subtree of `k`, checking that siblings agree in shape.
    fn stack<T: Clone>(
        &self,
        k: usize,
        leaf: &dyn Fn(&Segment) -> Vec<T>,
    ) -> Result<PixelArray<T>> {
        let o = &self.file.objects[k];
        let mut out = if let Some(s) = self.segment(k) {
            let (r, c) = s.shape();
            PixelArray {
                data: leaf(&s),
                shape: vec![r, c],
            }
        } else {
            let mut data = Vec::new();
            let mut shape: Option<Vec<usize>> = None;
            for &ch in &o.children {
                let a = self.stack(ch, leaf)?;
                self.check_shape(k, ch, &mut shape, &a.shape)?;
                data.extend(a.data);
            }
            let mut full = vec![o.children.len()];
            full.extend(shape.unwrap_or_default());
            PixelArray { data, shape: full }
        };
        if o.name == CSPAD2X2 && out.data.len() == 2 * 185 * 388 {
            out = reorder_cspad2x2(&out);
        }
        Ok(out)
    }

    fn check_shape(
        &self,
        parent: usize,
        child: usize,
        seen: &mut Option<Vec<usize>>,
        shape: &[usize],
    ) -> Result<()> {
        match seen {
            None => *seen = Some(shape.to_vec()),
            Some(s) if s.as_slice() == shape => {}
            Some(s) => {
                let p = &self.file.objects[parent];
                let c = &self.file.objects[child];
                return Err(Error::parse(
                    &self.path,
                    c.line.unwrap_or(0),
                    format!(
                        "{} {} has pixel arrays of shape {:?}, but its sibling(s) under {} {} have {:?}",
                        c.name, c.index, shape, p.name, p.index, s
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Pixel coordinates (µm) of the selected object in its parent's frame, in `frame`, with or
    /// without the tilts (psana's `get_pixel_coords`).
    pub fn coords(&self, sel: Select<'_>, frame: Frame, tilt: bool) -> Result<Coords> {
        let k = self.object(sel)?;
        let mut c = self.coords_of(k, tilt)?;
        if frame == Frame::Lab {
            coords::to_lab(&mut c);
        }
        Ok(c)
    }

    fn coords_of(&self, k: usize, tilt: bool) -> Result<Coords> {
        let o = &self.file.objects[k];
        let mut c = if let Some(s) = self.segment(k) {
            let (x, y) = s.pixel_coords();
            let (r, cc) = s.shape();
            Coords {
                z: vec![0.0; x.len()],
                x,
                y,
                shape: vec![r, cc],
            }
        } else {
            let mut acc = Coords {
                x: Vec::new(),
                y: Vec::new(),
                z: Vec::new(),
                shape: Vec::new(),
            };
            let mut shape: Option<Vec<usize>> = None;
            let parts: Vec<Coords> = o
                .children
                .par_iter()
                .map(|&ch| self.coords_of(ch, tilt))
                .collect::<Result<_>>()?;
            let total: usize = parts.iter().map(|a| a.x.len()).sum();
            acc.x.reserve_exact(total);
            acc.y.reserve_exact(total);
            acc.z.reserve_exact(total);
            for (a, &ch) in parts.into_iter().zip(&o.children) {
                self.check_shape(k, ch, &mut shape, &a.shape)?;
                acc.x.extend(a.x);
                acc.y.extend(a.y);
                acc.z.extend(a.z);
            }
            acc.shape = vec![o.children.len()];
            acc.shape.extend(shape.unwrap_or_default());
            acc
        };
        coords::transform(&mut c, &o.placement, tilt);
        if o.name == CSPAD2X2 && c.x.len() == 2 * 185 * 388 {
            let sh = c.shape.clone();
            let re = |v: Vec<f64>| {
                reorder_cspad2x2(&PixelArray {
                    data: v,
                    shape: sh.clone(),
                })
            };
            let x = re(c.x);
            c.y = re(c.y).data;
            c.z = re(c.z).data;
            c.shape = x.shape;
            c.x = x.data;
        }
        Ok(c)
    }

    /// Relative pixel areas of the selected object (psana's `get_pixel_areas`).
    pub fn areas(&self, sel: Select<'_>) -> Result<PixelArray<f64>> {
        let k = self.object(sel)?;
        self.stack(k, &|s| s.areas())
    }

    /// The geometry mask of the selected object (psana's `get_pixel_mask`).
    pub fn mask(&self, sel: Select<'_>, opts: &MaskOptions) -> Result<PixelArray<u8>> {
        let k = self.object(sel)?;
        self.stack(k, &|s| s.mask(opts))
    }

    /// Image rows and columns of every pixel of the selected object (psana's
    /// `get_pixel_coord_indexes`).
    pub fn indexes(
        &self,
        sel: Select<'_>,
        frame: Frame,
        tilt: bool,
        opts: &IndexOptions,
    ) -> Result<(PixelArray<u64>, PixelArray<u64>)> {
        let c = self.coords(sel, frame, tilt)?;
        let s = self.scale(sel, opts)?;
        let (r, cc) = coords::pixel_indexes(&c.x, &c.y, s, opts.xy0_off_pix, frame);
        Ok((
            PixelArray {
                data: r,
                shape: c.shape.clone(),
            },
            PixelArray {
                data: cc,
                shape: c.shape,
            },
        ))
    }

    fn scale(&self, sel: Select<'_>, opts: &IndexOptions) -> Result<f64> {
        match opts.pix_scale_size {
            Some(s) if s > 0.0 && s.is_finite() => Ok(s),
            Some(s) => Err(Error::bad_arg(
                "pix-scale-size",
                format!("pixel scale size {s} is not a positive number of µm"),
            )),
            None => self.pixel_scale_size(sel),
        }
    }

    /// Image rows and columns of the pixels projected on the plane z = `zplane` (default the
    /// mean z; psana's `get_pixel_xy_inds_at_z`).
    pub fn indexes_at_z(
        &self,
        sel: Select<'_>,
        frame: Frame,
        tilt: bool,
        zplane: Option<f64>,
        opts: &IndexOptions,
    ) -> Result<(PixelArray<u64>, PixelArray<u64>)> {
        let c = self.coords(sel, frame, tilt)?;
        let (x, y) = coords::xy_at_z(&c, zplane);
        let s = self.scale(sel, opts)?;
        let (r, cc) = coords::pixel_indexes(&x, &y, s, opts.xy0_off_pix, frame);
        Ok((
            PixelArray {
                data: r,
                shape: c.shape.clone(),
            },
            PixelArray {
                data: cc,
                shape: c.shape,
            },
        ))
    }

    /// The fractional image (row, col) of the point `p_um` (psana's `point_coord_indexes` with
    /// `fract=True`; floor them for the cell).
    pub fn point_index(
        &self,
        sel: Select<'_>,
        frame: Frame,
        tilt: bool,
        p_um: (f64, f64),
        opts: &IndexOptions,
    ) -> Result<(f64, f64)> {
        let c = self.coords(sel, frame, tilt)?;
        let s = self.scale(sel, opts)?;
        Ok(coords::point_index(
            &c.x,
            &c.y,
            p_um,
            s,
            opts.xy0_off_pix,
            frame,
        ))
    }
}

/// psana's CSPAD 2×2 reorder: (2, 185, 388) to the DAQ layout (185, 388, 2).
fn reorder_cspad2x2<T: Clone>(a: &PixelArray<T>) -> PixelArray<T> {
    let n = 185 * 388;
    let mut data = Vec::with_capacity(2 * n);
    for i in 0..n {
        data.push(a.data[i].clone());
        data.push(a.data[n + i].clone());
    }
    PixelArray {
        data,
        shape: vec![185, 388, 2],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn geo(text: &str) -> Geometry {
        Geometry::parse(text.as_bytes(), Path::new("g.data")).unwrap()
    }

    #[test]
    fn spec_rotation_vector_through_the_tree() {
        let g = geo("IP 0 MTRX:V2:1:2:100:100 0  10 20 -30  30 20 10  0 0 0\n");
        let c = g.coords(Select::Top, Frame::Psana, true).unwrap();
        assert_eq!(c.shape, vec![1, 1, 2]);
        assert_eq!(c.x, vec![-30.68988406746869, 50.68988406746869]);
        assert_eq!(c.z, vec![-19.75629356485689, -40.24370643514311]);
        let sub = g
            .coords(Select::Object("MTRX:V2:1:2:100:100", 0), Frame::Psana, true)
            .unwrap();
        assert_eq!(sub.shape, vec![1, 2]);
        assert_eq!(sub.x, c.x);
        assert!(
            g.coords(Select::Object("QUAD", 3), Frame::Psana, true)
                .is_err()
        );
    }

    #[test]
    fn file_order_defines_the_layout() {
        let g = geo("C 0 MTRX:V2:1:1:10:10 1  100 0 0  0 0 0  0 0 0\n\
             C 0 MTRX:V2:1:1:10:10 0  200 0 0  0 0 0  0 0 0\n\
             IP 0 C 0  0 0 -1000  0 0 0  0 0 0\n");
        let c = g.coords(Select::Top, Frame::Psana, true).unwrap();
        assert_eq!(c.shape, vec![1, 2, 1, 1]);
        assert_eq!(c.x, vec![100.0, 200.0]);
        let (r, _) = g
            .indexes(Select::Top, Frame::Psana, true, &IndexOptions::default())
            .unwrap();
        assert_eq!(r.data, vec![0, 10]);
    }

    #[test]
    fn siblings_of_different_shapes_are_an_error() {
        let g = geo("C 0 MTRX:V2:1:1:10:10 0  0 0 0  0 0 0  0 0 0\n\
             C 0 MTRX:V2:1:2:10:10 1  0 0 0  0 0 0  0 0 0\n\
             IP 0 C 0  0 0 0  0 0 0  0 0 0\n");
        let e = g
            .coords(Select::Top, Frame::Psana, true)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("g.data:2: "), "{e}");
        assert!(g.areas(Select::Top).is_err());
    }

    #[test]
    fn cspad2x2_reorders_to_daq_layout() {
        let g = geo("CSPAD2X2:V1 0 SENS2X1:V1 0  0 0 0  0 0 0  0 0 0\n\
             CSPAD2X2:V1 0 SENS2X1:V1 1  0 0 5  0 0 0  0 0 0\n\
             IP 0 CSPAD2X2:V1 0  0 0 0  0 0 0  0 0 0\n");
        let c = g.coords(Select::Top, Frame::Psana, true).unwrap();
        assert_eq!(c.shape, vec![1, 185, 388, 2]);
        assert_eq!((c.z[0], c.z[1]), (0.0, 5.0));
        assert_eq!(g.areas(Select::Top).unwrap().shape, vec![1, 185, 388, 2]);
    }
}
