//! Parity with LCLS-I psana's geometry code: the known answers of `shared/data/parity/geometry_*`
//! (coordinates, areas, mask, indexes, image, writer text, CrystFEL text) through the library,
//! bit for bit.

/// Named `geometry::...` so that `cargo test -p detcal geometry` selects these tests.
mod geometry {
    use std::collections::HashMap;
    use std::path::{Path, PathBuf};

    use detcal::NdArray;
    use detcal::formats::npz::read_npz;
    use detcal::geometry::{
        Frame, Geometry, ImageMap, IndexOptions, MaskOptions, Select, WriteOptions, crystfel,
    };

    /// `<repo>/../shared/data/parity/<case>`, or `$DETCAL_SHARED_DIR/data/parity/<case>`.
    fn case(name: &str) -> Option<PathBuf> {
        let dir = match std::env::var_os("DETCAL_SHARED_DIR") {
            Some(d) => PathBuf::from(d).join("data/parity"),
            None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/parity"),
        }
        .join(name);
        if dir.is_dir() {
            Some(dir)
        } else {
            eprintln!("skipping: {} not found", dir.display());
            None
        }
    }

    fn npz(path: &Path) -> HashMap<String, NdArray> {
        read_npz(path)
            .unwrap_or_else(|e| panic!("{e}"))
            .into_iter()
            .collect()
    }

    fn f64s(a: &NdArray) -> Vec<f64> {
        match a {
            NdArray::F64(a) => a.iter().copied().collect(),
            other => panic!("expected float64, got {:?}", other.dtype()),
        }
    }

    /// Bit-for-bit equality of two f64 slices, reporting the first difference.
    fn same_bits(what: &str, got: &[f64], want: &[f64]) {
        assert_eq!(got.len(), want.len(), "{what}: length");
        if let Some(i) = (0..got.len()).find(|&i| got[i].to_bits() != want[i].to_bits()) {
            panic!("{what}[{i}]: got {:?}, psana {:?}", got[i], want[i]);
        }
    }

    fn check_arrays(dir: &Path, npz_name: &str, frame: Frame) {
        let want = npz(&dir.join(npz_name));
        let geo = Geometry::read(&dir.join("geometry.data")).unwrap();
        let c = geo.coords(Select::Top, frame, true).unwrap();
        let shape = want["x_um"].shape().to_vec();
        assert_eq!(c.shape, shape);
        same_bits("x_um", &c.x, &f64s(&want["x_um"]));
        same_bits("y_um", &c.y, &f64s(&want["y_um"]));
        same_bits("z_um", &c.z, &f64s(&want["z_um"]));
        let areas = geo.areas(Select::Top).unwrap();
        assert_eq!(areas.shape, shape);
        same_bits("areas", &areas.data, &f64s(&want["areas"]));
        let mask = geo.mask(Select::Top, &MaskOptions::default()).unwrap();
        assert_eq!(mask.shape, shape);
        assert_eq!(
            NdArray::U8(ndarray::ArrayD::from_shape_vec(shape.clone(), mask.data).unwrap()),
            want["mask"]
        );
        let (rows, cols) = geo
            .indexes(Select::Top, frame, true, &IndexOptions::default())
            .unwrap();
        let u64s = |a: &NdArray| a.to_typed::<u64>().iter().copied().collect::<Vec<u64>>();
        assert_eq!(want["rows"].dtype(), detcal::DType::U64);
        assert!(rows.data == u64s(&want["rows"]), "rows differ");
        assert!(cols.data == u64s(&want["cols"]), "cols differ");
        let map = ImageMap::new(&rows.data, &cols.data).unwrap();
        let weights: Vec<f64> = (0..rows.data.len()).map(|i| i as f64).collect();
        let img = map.assemble(&weights).unwrap();
        let NdArray::F32(want_img) = &want["image"] else {
            panic!("image is not float32")
        };
        assert_eq!(img.shape(), want_img.shape());
        let got: Vec<u32> = img.iter().map(|v| v.to_bits()).collect();
        let exp: Vec<u32> = want_img.iter().map(|v| v.to_bits()).collect();
        assert!(got == exp, "image differs");
        // The same image in a kept, aligned buffer (empty cells written once),
        // frame after frame.
        let mut kept = map.image_buffer(0.0);
        for _ in 0..2 {
            map.assemble_kept(&weights, &mut kept).unwrap();
            let got: Vec<u32> = kept.as_slice().iter().map(|v| v.to_bits()).collect();
            assert!(got == exp, "kept image differs");
        }
    }

    #[test]
    fn jungfrau4m_psana_frame() {
        let Some(dir) = case("geometry_jungfrau4M") else {
            return;
        };
        check_arrays(&dir, "expected.npz", Frame::Psana);
        let geo = Geometry::read(&dir.join("geometry.data")).unwrap();
        let p = geo
            .point_index(
                Select::Top,
                Frame::Psana,
                true,
                (0.0, 0.0),
                &IndexOptions::default(),
            )
            .unwrap();
        assert_eq!(p, (1101.74, 1149.556));
    }

    #[test]
    fn jungfrau4m_lab_frame() {
        let Some(dir) = case("geometry_jungfrau4M") else {
            return;
        };
        check_arrays(&dir, "expected_cframe1.npz", Frame::Lab);
    }

    #[test]
    fn epix10kaquad_tilted() {
        let Some(dir) = case("geometry_epix10kaquad") else {
            return;
        };
        check_arrays(&dir, "expected.npz", Frame::Psana);
        let geo = Geometry::read(&dir.join("geometry.data")).unwrap();
        let p = geo
            .point_index(
                Select::Top,
                Frame::Psana,
                true,
                (0.0, 0.0),
                &IndexOptions::default(),
            )
            .unwrap();
        assert_eq!(p, (387.7010407794805, 396.30496586712064));
        let (rows, cols) = geo
            .indexes(Select::Top, Frame::Psana, true, &IndexOptions::default())
            .unwrap();
        let map = ImageMap::new(&rows.data, &cols.data).unwrap();
        assert_eq!(map.hidden_pixels(), 11);
    }

    #[test]
    fn writer_text_is_psanas() {
        for name in ["geometry_jungfrau4M", "geometry_epix10kaquad"] {
            let Some(dir) = case(name) else { return };
            let geo = Geometry::read(&dir.join("geometry.data")).unwrap();
            let want = std::fs::read(dir.join("expected_saved_pars.data")).unwrap();
            let got = geo.to_bytes(&WriteOptions::default());
            assert!(
                got == want,
                "{name}: got\n{}",
                String::from_utf8_lossy(&got)
            );
        }
    }

    #[test]
    fn crystfel_text_is_psanas() {
        let Some(dir) = case("geometry_epix10kaquad") else {
            return;
        };
        let geo = Geometry::read(&dir.join("geometry.data")).unwrap();
        let want = std::fs::read_to_string(dir.join("expected_crystfel.geom")).unwrap();
        let got = crystfel::to_crystfel(&geo, Frame::Lab).unwrap();
        if got != want {
            for (i, (g, w)) in got.lines().zip(want.lines()).enumerate() {
                assert_eq!(g, w, "line {}", i + 1);
            }
            panic!("lengths differ: {} vs {}", got.len(), want.len());
        }
    }
}
