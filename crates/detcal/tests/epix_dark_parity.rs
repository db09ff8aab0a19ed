//! Parity with LCLS-I psana for ePix10ka dark processing: the stacks of
//! `shared/data/parity/epix10ka_*` through [`detcal::dark::epix10ka::EpixDark`] must give
//! psana's gates, counters, pass-1 results, limits, status, pedestals and rms bit for bit, and
//! the repository text files byte for byte.

#[path = "support/npz.rs"]
mod npz;

/// Named `dark::...` so that `cargo test -p detcal dark` selects these tests.
mod dark {
    use std::path::{Path, PathBuf};

    use detcal::dark::epix10ka::{EpixDark, EpixDarkResult};
    use detcal::formats::array::{Element, NdArray};

    use super::npz;

    /// `<repo>/../shared/data/parity`, or `$DETCAL_SHARED_DIR/data/parity`.
    fn parity_dir() -> Option<PathBuf> {
        let dir = match std::env::var_os("DETCAL_SHARED_DIR") {
            Some(d) => PathBuf::from(d).join("data/parity"),
            None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/parity"),
        };
        if dir.is_dir() {
            Some(dir)
        } else {
            eprintln!("skipping: ../shared/data not found");
            None
        }
    }

    fn array(dir: &Path, archive: &str, name: &str) -> NdArray {
        let path = dir.join(archive);
        detcal::formats::npz::read_npz(&path)
            .unwrap()
            .into_iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("{}: no member {name}", path.display()))
            .1
    }

    fn typed<T: Element>(dir: &Path, name: &str) -> Vec<T> {
        array(dir, "expected.npz", name)
            .to_typed::<T>()
            .iter()
            .copied()
            .collect()
    }

    /// The number tokens of `key`'s value in the raw JSON text (serde_json's float parsing is
    /// not exact to the last bit; Rust's `f64` parsing is).
    fn raw_numbers(dir: &Path, key: &str) -> Vec<f64> {
        let text = std::fs::read_to_string(dir.join("expected_meta.json")).unwrap();
        let at = text.find(&format!("\"{key}\"")).unwrap() + key.len() + 3;
        let rest = &text[at..];
        let end = rest.find([',', '}']).map_or(rest.len(), |e| {
            if rest.trim_start().starts_with('[') {
                rest.find(']').unwrap()
            } else {
                e
            }
        });
        rest[..end]
            .split(|c: char| !(c.is_ascii_digit() || "+-.eE".contains(c)))
            .filter(|t| !t.is_empty())
            .map(|t| t.parse().unwrap())
            .collect()
    }

    fn meta(dir: &Path) -> serde_json::Value {
        let text = std::fs::read_to_string(dir.join("expected_meta.json")).unwrap();
        serde_json::from_str(&text).unwrap()
    }

    /// The folder's input through the engine, frame by frame.
    fn run(dir: &Path) -> EpixDarkResult {
        let input = array(dir, "input.npz", "input");
        let shape = input.shape().to_vec();
        let frames: Vec<u16> = input.to_typed::<u16>().iter().copied().collect();
        let l: usize = shape[1..].iter().product();
        let mut d = EpixDark::new(1, l, 1024).unwrap();
        for f in frames.chunks(l) {
            d.push_frame(f).unwrap();
        }
        d.finish().unwrap()
    }

    fn text(values: impl Iterator<Item = String>, cols: usize) -> String {
        let v: Vec<String> = values.collect();
        let mut out = String::new();
        for row in v.chunks(cols) {
            out.push_str(&row.join(" "));
            out.push('\n');
        }
        out
    }

    fn check(name: &str, mode: &str) {
        let Some(root) = parity_dir() else { return };
        let dir = root.join(name);
        let m = meta(&dir);
        let r = run(&dir);
        assert_eq!(r.frames, m["records_collected"].as_u64().unwrap());
        assert_eq!(r.records, m["records_used"].as_u64().unwrap());
        assert_eq!(r.nevlm, m["nevlm"].as_i64().unwrap());
        let p = &r.panels[0];
        let s = &p.summary;
        assert_eq!(vec![s.rms_ave_pass1], raw_numbers(&dir, "rms_ave_pass1"));
        assert_eq!(vec![s.gate_half], raw_numbers(&dir, "gate_half"));
        assert_eq!(s.rms_limits.to_vec(), raw_numbers(&dir, "rms_limits"));
        assert_eq!(s.ave_limits.to_vec(), raw_numbers(&dir, "ave_limits"));
        for (b, c) in s.bit_counts.iter().enumerate() {
            let want = m["status_bit_counts"][(1u32 << b).to_string()]
                .as_u64()
                .unwrap_or(0);
            assert_eq!(*c, want, "{name}: pixels with status bit {}", 1 << b);
        }
        assert_eq!(s.bad_pixels, m["status_nonzero"].as_u64().unwrap());
        assert_eq!(p.gate_lo, typed::<i16>(&dir, "gate_lo"), "{name}: gate_lo");
        assert_eq!(p.gate_hi, typed::<i16>(&dir, "gate_hi"), "{name}: gate_hi");
        let u = |v: &[u32]| v.iter().map(|&x| i64::from(x)).collect::<Vec<_>>();
        assert_eq!(u(&p.count), typed::<i64>(&dir, "gated_count"));
        assert_eq!(u(&p.count_lo), typed::<i64>(&dir, "count_int_lo"));
        assert_eq!(u(&p.count_hi), typed::<i64>(&dir, "count_int_hi"));
        assert_eq!(u(&p.pass1_count), typed::<i64>(&dir, "pass1_count"));
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(
            bits(&p.pass1_ave),
            bits(&typed::<f64>(&dir, "pass1_pedestals"))
        );
        assert_eq!(bits(&p.pass1_rms), bits(&typed::<f64>(&dir, "pass1_rms")));
        assert_eq!(bits(&p.ave), bits(&typed::<f64>(&dir, "pedestals")));
        assert_eq!(bits(&p.rms), bits(&typed::<f64>(&dir, "pixel_rms")));
        assert_eq!(p.status, typed::<i64>(&dir, "pixel_status"));
        // The repository texts, as psana's savetxt wrote them.
        let cols = 384;
        let ped = text(p.ave.iter().map(|x| format!("{x:.3}")), cols);
        let rms = text(p.rms.iter().map(|x| format!("{x:.3}")), cols);
        let sta = text(p.status.iter().map(|x| format!("{x:4}")), cols);
        for (ctype, got) in [("pedestals", ped), ("rms", rms), ("status", sta)] {
            let want = npz::gunzip(&dir.join(format!("expected_{ctype}_{mode}.dat.gz")));
            assert!(got == want, "{name}: {ctype} text differs");
        }
    }

    #[test]
    fn epix10ka_fh_n60_matches_psana() {
        check("epix10ka_FH_n60", "FH");
    }

    #[test]
    fn epix10ka_aml_m_n40_matches_psana() {
        check("epix10ka_AML-M_n40", "AML-M");
    }
}
