//! Geometry of a 16M JUNGFRAU (32 panels): pixel coordinates, image indexes, the cell table
//! computed once per run, and the assembly of one frame into an image.
//!
//! `cargo bench -p detcal --bench geometry`. The geometry: four copies of the 4M camera's eight
//! panels (positions of psana's default 4M file) 200 mm apart, under IP at z = -100 mm.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use detcal::geometry::{Frame, Geometry, ImageMap, IndexOptions, Select};

/// The 32-panel geometry text.
fn geometry_16m() -> String {
    let panels = [
        (-56807.1, 44005.5),
        (-15557.5, 44005.5),
        (25692.1, 33921.7),
        (66941.7, 33921.7),
        (-66941.7, -33921.7),
        (-25692.1, -33921.7),
        (15557.5, -44005.5),
        (56807.1, -44005.5),
    ];
    let quads = [(-1e5, -1e5), (-1e5, 1e5), (1e5, 1e5), (1e5, -1e5)];
    let mut s = String::new();
    for (q, (qx, qy)) in quads.iter().enumerate() {
        for (p, (x, y)) in panels.iter().enumerate() {
            s += &format!(
                "JFDET:V1 0 JUNGFRAU:V2 {}  {} {} 0  90 180 0  0 0 0\n",
                8 * q + p,
                x + qx,
                y + qy
            );
        }
    }
    s + "IP:V1 0 JFDET:V1 0  0 0 100000  90 0 0  0 0 0\n"
}

fn bench(c: &mut Criterion) {
    let geo = Geometry::parse(geometry_16m().as_bytes(), "16m.data".as_ref()).unwrap();
    let npix = 32 * 512 * 1024;
    let mut g = c.benchmark_group("jungfrau16m");
    g.sample_size(10);
    g.throughput(Throughput::Elements(npix as u64));
    g.bench_function("coords", |b| {
        b.iter(|| geo.coords(Select::Top, Frame::Psana, true).unwrap())
    });
    g.bench_function("indexes", |b| {
        b.iter(|| {
            geo.indexes(Select::Top, Frame::Psana, true, &IndexOptions::default())
                .unwrap()
        })
    });
    let (rows, cols) = geo
        .indexes(Select::Top, Frame::Psana, true, &IndexOptions::default())
        .unwrap();
    g.bench_function("image_map", |b| {
        b.iter(|| ImageMap::new(&rows.data, &cols.data).unwrap())
    });
    let map = ImageMap::new(&rows.data, &cols.data).unwrap();
    let (r, cc) = map.shape();
    eprintln!("image {r} x {cc}, {} empty cells", map.empty_cells());
    let frame: Vec<f32> = (0..npix).map(|i| (i % 4096) as f32).collect();
    let mut out = vec![0f32; r * cc];
    g.bench_function("assemble_frame", |b| {
        b.iter(|| map.assemble_into(&frame, &mut out).unwrap())
    });
    // A frame loop's image: kept between frames, empty cells written once, aligned.
    let mut kept = map.image_buffer(0.0);
    map.assemble_kept(&frame, &mut kept).unwrap();
    assert!(
        kept.as_slice() == &out[..],
        "the kept image equals assemble_into's"
    );
    g.bench_function("assemble_kept", |b| {
        b.iter(|| map.assemble_kept(&frame, &mut kept).unwrap())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
