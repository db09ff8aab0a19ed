//! PNG figures: files that decode to the drawn pixels, and known patterns in known colours.

mod calib {
    use std::path::Path;

    use detcal::NdArray;
    use detcal::files::Perms;
    use detcal_plot::{
        self, Figure, GOOD_COLOR, PlotOptions, RgbImage, histogram, map, status_bit_color,
        status_map,
    };
    use ndarray::{Array, ArrayD, IxDyn};

    /// The ends of the viridis colour scale.
    const LOW: [u8; 3] = [68, 1, 84];
    const HIGH: [u8; 3] = [254, 232, 37];
    const GREY: [u8; 3] = [190, 190, 190];

    fn perms() -> Perms {
        Perms::new(0o775, 0o664, "")
    }

    /// Reads a PNG file: checks its signature and header, decodes it to RGB rows.
    fn read_png(path: &Path) -> RgbImage {
        let bytes = std::fs::read(path).unwrap();
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "PNG signature");
        assert_eq!(&bytes[12..16], b"IHDR");
        let w = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
        let h = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
        let dec = png::Decoder::new(std::io::Cursor::new(&bytes));
        let mut reader = dec.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut buf).unwrap();
        assert_eq!((info.width, info.height), (w, h));
        assert_eq!(info.color_type, png::ColorType::Rgb);
        assert_eq!(info.bit_depth, png::BitDepth::Eight);
        buf.truncate(info.buffer_size());
        RgbImage {
            width: w,
            height: h,
            rgb: buf,
        }
    }

    fn at(fig: &Figure, grid: usize, seg: usize, row: usize, col: usize) -> [u8; 3] {
        let (x, y) = fig.grids[grid].pixel_of(seg, row, col);
        fig.image.pixel(x, y).unwrap()
    }

    /// An assembled image with axes: the grid moves right and down to make room, tick marks
    /// sit where the centres of the cells at round mm values are drawn, and the data pixels
    /// are drawn as without axes.
    #[test]
    fn assembled_image_has_axes_in_mm() {
        let a: NdArray =
            Array::from_shape_fn(IxDyn(&[100, 200]), |i| (i[0] * 1000 + i[1]) as f32).into();
        let o = PlotOptions {
            title: "img".into(),
            unit: "keV".into(),
            ..PlotOptions::default()
        };
        let plain = map(&a, &o).unwrap();
        // Row r at x = -5 mm + r * 0.1 mm, column c at y = -10 mm + c * 0.1 mm.
        let axes = detcal_plot::ImageAxes {
            x0_um: -5000.0,
            y0_um: -10000.0,
            pixel_um: 100.0,
        };
        let fig = map(
            &a,
            &PlotOptions {
                axes: Some(axes),
                ..o.clone()
            },
        )
        .unwrap();
        let (g, p) = (fig.grids[0], plain.grids[0]);
        assert!(g.x > p.x && g.y > p.y, "room for the axes: {g:?} {p:?}");
        assert_eq!((g.zoom, g.factor), (p.zoom, p.factor));
        for (r, c) in [(0, 0), (50, 100), (99, 199)] {
            assert_eq!(
                at(&fig, 0, 0, r, c),
                at(&plain, 0, 0, r, c),
                "pixel ({r}, {c})"
            );
        }
        let z = g.zoom as f64;
        let black = [0, 0, 0];
        // x = 0 mm is row 50, y = 0 mm column 100: tick marks left of and under the grid.
        let y = g.y + ((50.0 + 0.5) * z).round() as u32;
        assert_eq!(fig.image.pixel(g.x - 3, y), Some(black), "x tick at 0 mm");
        let x = g.x + ((100.0 + 0.5) * z).round() as u32;
        let bottom = g.y + g.tile_height;
        assert_eq!(
            fig.image.pixel(x, bottom + 2),
            Some(black),
            "y tick at 0 mm"
        );
        // No tick between round values.
        let y = g.y + ((53.0 + 0.5) * z).round() as u32;
        assert_ne!(fig.image.pixel(g.x - 3, y), Some(black));
        // Segment grids (3-D arrays) get no axes even when asked.
        let segs: NdArray = Array::from_shape_fn(IxDyn(&[2, 10, 20]), |i| i[2] as f32).into();
        let with = map(
            &segs,
            &PlotOptions {
                axes: Some(axes),
                ..o.clone()
            },
        )
        .unwrap();
        assert_eq!(with, map(&segs, &o).unwrap());
    }

    #[test]
    fn map_png_decodes_to_the_drawn_pixels() {
        let a: NdArray = Array::from_shape_fn(IxDyn(&[3, 2, 64, 128]), |i| {
            (i[0] * 1000 + i[1] * 100 + i[3]) as f32
        })
        .into();
        let o = PlotOptions {
            title: "test.npy".into(),
            ctype: Some("pedestals".into()),
            unit: "ADU".into(),
            ..PlotOptions::default()
        };
        let fig = map(&a, &o).unwrap();
        assert_eq!(fig.grids.len(), 3, "one image per gain mode");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/map.png");
        fig.save_png(&path, &perms()).unwrap();
        let back = read_png(&path);
        assert_eq!(back, fig.image);
        // Nothing but the PNG is left in the directory (the temporary file was renamed).
        let names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec!["map.png"]);
    }

    #[test]
    fn a_known_pattern_gets_the_scale_colours_in_the_right_places() {
        // Two segments 8 x 32: left half 0, right half 10, one NaN; colour scale 0..10.
        let mut a = Array::from_shape_fn(
            IxDyn(&[2, 8, 32]),
            |i| {
                if i[2] < 16 { 0.0f32 } else { 10.0 }
            },
        );
        a[[1, 3, 5]] = f32::NAN;
        let o = PlotOptions {
            vmin: Some(0.0),
            vmax: Some(10.0),
            columns: Some(1),
            ..PlotOptions::default()
        };
        let fig = map(&a.into(), &o).unwrap();
        let g = fig.grids[0];
        assert_eq!((g.factor, g.columns), (1, 1));
        // Small arrays are enlarged towards 600 pixels wide.
        assert_eq!(g.zoom, 16, "at most 16");
        assert_eq!((g.tile_width, g.tile_height), (32 * 16, 8 * 16));
        for seg in 0..2 {
            for row in 0..8 {
                assert_eq!(at(&fig, 0, seg, row, 0), LOW);
                assert_eq!(at(&fig, 0, seg, row, 15), LOW);
                assert_eq!(at(&fig, 0, seg, row, 16), HIGH);
                assert_eq!(at(&fig, 0, seg, row, 31), HIGH);
            }
        }
        assert_eq!(at(&fig, 0, 1, 3, 5), GREY, "NaN is grey");
        // Segment 1 is below segment 0, after a white gap.
        let (x0, y0) = g.pixel_of(0, 7, 0);
        let (x1, y1) = g.pixel_of(1, 0, 0);
        assert_eq!(x0, x1);
        assert!(y1 > y0 + g.zoom as u32);
        assert_eq!(
            fig.image.pixel(x0, y0 + g.zoom as u32),
            Some([255, 255, 255])
        );
    }

    #[test]
    fn large_arrays_are_reduced_by_block_means() {
        // 4 x 8 values, at most 4 pixels wide: 2 x 2 blocks. Block (0, 0) holds 0, 0, 10, 10:
        // its mean 5 is the middle of the scale; block (0, 1) holds 0, 0, 0, 10 -> 2.5.
        let mut a = ArrayD::<f32>::zeros(IxDyn(&[4, 8]));
        a[[1, 0]] = 10.0;
        a[[1, 1]] = 10.0;
        a[[0, 3]] = 10.0;
        a[[3, 7]] = 10.0;
        let o = PlotOptions {
            vmin: Some(0.0),
            vmax: Some(10.0),
            max_width: 4,
            max_height: 100,
            ..PlotOptions::default()
        };
        let fig = map(&a.into(), &o).unwrap();
        let g = fig.grids[0];
        assert_eq!(
            (g.factor, g.zoom, g.tile_width, g.tile_height),
            (2, 1, 4, 2)
        );
        let lut = |t: f64| {
            // The colour scale's own colour for a fraction t, from a 0..10 gradient image.
            let grad: NdArray =
                ArrayD::from_shape_fn(IxDyn(&[1, 256]), |i| i[1] as f32 * 10.0 / 255.0).into();
            let f = map(
                &grad,
                &PlotOptions {
                    max_width: 256,
                    ..o.clone()
                },
            )
            .unwrap();
            assert_eq!((f.grids[0].factor, f.grids[0].zoom), (1, 1));
            at(&f, 0, 0, 0, (t * 255.0).round() as usize)
        };
        assert_eq!(at(&fig, 0, 0, 0, 0), lut(0.5));
        assert_eq!(at(&fig, 0, 0, 0, 2), lut(0.25));
        assert_eq!(at(&fig, 0, 0, 3, 7), lut(0.25));
        assert_eq!(at(&fig, 0, 0, 2, 2), LOW);
    }

    #[test]
    fn status_pixels_take_the_colour_of_their_lowest_bit() {
        let mut s = ArrayD::<u16>::zeros(IxDyn(&[3, 1, 8, 32]));
        s[[0, 0, 1, 1]] = 1;
        s[[0, 0, 2, 2]] = 64;
        s[[0, 0, 3, 3]] = 0b1010; // bits 1 and 3: colour of bit 1
        s[[2, 0, 4, 4]] = 4;
        let o = PlotOptions {
            title: "status.npy".into(),
            ..PlotOptions::default()
        };
        let fig = status_map(&s.clone().into(), &o).unwrap();
        assert_eq!(fig.grids.len(), 3);
        assert_eq!(at(&fig, 0, 0, 0, 0), GOOD_COLOR);
        assert_eq!(at(&fig, 0, 0, 1, 1), status_bit_color(0));
        assert_eq!(at(&fig, 0, 0, 2, 2), status_bit_color(6));
        assert_eq!(at(&fig, 0, 0, 3, 3), status_bit_color(1));
        assert_eq!(at(&fig, 0, 0, 4, 4), GOOD_COLOR);
        assert_eq!(at(&fig, 2, 0, 4, 4), status_bit_color(2));
        assert_ne!(status_bit_color(0), GOOD_COLOR);

        // Reduced: a 2 x 2 block with one bad pixel shows it.
        let fig = status_map(
            &s.into(),
            &PlotOptions {
                gain_mode: Some(0),
                max_width: 16,
                ..o
            },
        )
        .unwrap();
        assert_eq!(fig.grids.len(), 1);
        assert_eq!(fig.grids[0].factor, 2);
        assert_eq!(
            at(&fig, 0, 0, 0, 0),
            status_bit_color(0),
            "block (0,0) holds (1,1)"
        );
        assert_eq!(at(&fig, 0, 0, 6, 6), GOOD_COLOR);
    }

    #[test]
    fn histogram_has_one_chart_per_gain_and_draws_bars() {
        let a: NdArray =
            Array::from_shape_fn(IxDyn(&[2, 1, 16, 64]), |i| (i[3] % 10) as f32 + i[0] as f32)
                .into();
        let fig = histogram(
            &a,
            &PlotOptions {
                bins: 10,
                unit: "keV".into(),
                ..PlotOptions::default()
            },
        )
        .unwrap();
        assert!(fig.grids.is_empty());
        assert!(fig.image.height > 2 * 300, "two charts");
        let bar = [49u8, 104, 142];
        let n = fig.image.rgb.chunks(3).filter(|p| *p == bar).count();
        assert!(n > 1000, "bars are drawn ({n} pixels)");
        // A 1-D array is one histogram.
        let one: NdArray = ArrayD::from_shape_fn(IxDyn(&[100]), |i| i[0] as f64).into();
        assert!(histogram(&one, &PlotOptions::default()).is_ok());
    }

    #[test]
    fn eight_full_panels_render_in_reasonable_time_and_size() {
        let a: NdArray = Array::from_shape_fn(IxDyn(&[3, 8, 512, 1024]), |i| {
            3000.0 + (i[1] * 10 + i[3] / 64) as f32
        })
        .into();
        let t = std::time::Instant::now();
        let fig = map(&a, &PlotOptions::default()).unwrap();
        let dt = t.elapsed();
        eprintln!(
            "3 x 8 x 512 x 1024 map: {dt:?}, {}x{}",
            fig.image.width, fig.image.height
        );
        assert!(fig.image.width <= 1600 && fig.image.height <= 3 * 900);
        assert!(fig.grids.iter().all(|g| g.factor > 1));
        assert!(dt.as_secs_f64() < 20.0);
    }

    #[test]
    fn bad_inputs_are_errors() {
        let o = PlotOptions::default();
        let one: NdArray = ArrayD::<f32>::zeros(IxDyn(&[10])).into();
        assert!(map(&one, &o).is_err(), "1-D cannot be a map");
        let five: NdArray = ArrayD::<f32>::zeros(IxDyn(&[1, 1, 1, 2, 2])).into();
        assert!(map(&five, &o).is_err());
        assert!(status_map(&five, &o).is_err());
        let empty: NdArray = ArrayD::<f32>::zeros(IxDyn(&[3, 0, 4])).into();
        assert!(map(&empty, &o).is_err());
        assert!(histogram(&empty, &o).is_err());
        let four: NdArray = ArrayD::<f32>::zeros(IxDyn(&[3, 1, 4, 4])).into();
        let e = map(
            &four,
            &PlotOptions {
                gain_mode: Some(3),
                ..o.clone()
            },
        )
        .unwrap_err();
        assert!(e.to_string().contains("gain mode 3"), "{e}");
        let three: NdArray = ArrayD::<f32>::zeros(IxDyn(&[1, 4, 4])).into();
        assert!(
            map(
                &three,
                &PlotOptions {
                    gain_mode: Some(0),
                    ..o.clone()
                }
            )
            .is_err()
        );
        assert!(
            detcal_plot::image(&four, &o).is_err(),
            "a frame has no gain axis"
        );
        let e = map(
            &three,
            &PlotOptions {
                vmin: Some(2.0),
                vmax: Some(1.0),
                ..o.clone()
            },
        )
        .unwrap_err();
        assert!(e.to_string().contains("vmax"), "{e}");
        assert!(
            map(
                &three,
                &PlotOptions {
                    percentiles: (50.0, 10.0),
                    ..o.clone()
                }
            )
            .is_err()
        );
        assert!(
            histogram(
                &three,
                &PlotOptions {
                    bins: 0,
                    ..o.clone()
                }
            )
            .is_err()
        );
        // Constant and all-NaN arrays still draw.
        let nan: NdArray = ArrayD::from_elem(IxDyn(&[4, 4]), f32::NAN).into();
        assert!(map(&nan, &o).is_ok());
        assert!(histogram(&nan, &o).is_ok());
        let c: NdArray = ArrayD::from_elem(IxDyn(&[4, 4]), 7u16).into();
        assert!(map(&c, &o).is_ok());
        // Writing over a directory fails cleanly.
        let dir = tempfile::tempdir().unwrap();
        let fig = map(&c, &o).unwrap();
        assert!(fig.save_png(dir.path(), &perms()).is_err());
    }
}
