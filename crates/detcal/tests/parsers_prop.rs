//! Property tests of every parser of outside input: psana text constants, `.npy`, the vendor
//! `.bin` gain maps, dataset names and run-range file names. Each parser is fed arbitrary input
//! and random mutations of valid input (byte flips, insertions, deletions, truncations,
//! duplicated lines, huge numbers in `# DIM` lines and npy shapes); it must return `Ok` or an
//! `Err`, never panic, and its errors must be one line naming the file.

/// Named `parsers::...` so that `cargo test -p detcal parsers` selects these tests.
mod parsers {
    use std::path::Path;

    use detcal::formats::array::NdArray;
    use detcal::formats::npy::{encode_npy, parse_npy};
    use detcal::formats::text::{HeaderInfo, TextOptions, encode_text, parse_text};
    use detcal::store::{self, RunEnd, RunRange};
    use detcal::summary::summarize;
    use ndarray::{ArrayD, IxDyn};
    use proptest::prelude::*;
    use xtc2::dataset::Dataset;

    /// One change to an input.
    #[derive(Debug, Clone)]
    enum Mutation {
        /// Flips bit `bit` of the byte at `at`.
        Flip { at: usize, bit: u8 },
        /// Inserts `byte` before `at`.
        Insert { at: usize, byte: u8 },
        /// Removes the byte at `at`.
        Delete { at: usize },
        /// Cuts the input at `at`.
        Truncate { at: usize },
        /// Repeats the line that holds `at`.
        DupLine { at: usize },
        /// Replaces the number after the first `DIM` (or `shape': (`) at or after `at` with `n`.
        HugeNumber { at: usize, n: String },
        /// Overwrites the bytes at `at` with `bytes`.
        Overwrite { at: usize, bytes: Vec<u8> },
    }

    /// Numbers that break careless size arithmetic.
    fn huge_number() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("4611686018427387905".to_string()),
            Just("9223372036854775807".to_string()),
            Just("9223372036854775808".to_string()),
            Just("18446744073709551615".to_string()),
            Just("18446744073709551616".to_string()),
            Just("99999999999999999999999999".to_string()),
            Just("0".to_string()),
            Just("-1".to_string()),
            Just("4294967296".to_string()),
            any::<u64>().prop_map(|n| n.to_string()),
            (0u32..64).prop_map(|k| (1u64 << k).to_string()),
        ]
    }

    fn mutation() -> impl Strategy<Value = Mutation> {
        let at = any::<usize>();
        prop_oneof![
            (at, 0u8..8).prop_map(|(at, bit)| Mutation::Flip { at, bit }),
            (at, any::<u8>()).prop_map(|(at, byte)| Mutation::Insert { at, byte }),
            at.prop_map(|at| Mutation::Delete { at }),
            at.prop_map(|at| Mutation::Truncate { at }),
            at.prop_map(|at| Mutation::DupLine { at }),
            (at, huge_number()).prop_map(|(at, n)| Mutation::HugeNumber { at, n }),
            (
                at,
                prop::collection::vec(
                    prop::sample::select(b"0123456789 #-.e\n\r\t(),:'x\x93\xff".to_vec()),
                    1..6
                )
            )
                .prop_map(|(at, bytes)| Mutation::Overwrite { at, bytes }),
        ]
    }

    fn apply(input: &mut Vec<u8>, m: &Mutation) {
        let pos = |at: usize, len: usize| if len == 0 { 0 } else { at % len };
        match m {
            Mutation::Flip { at, bit } => {
                if !input.is_empty() {
                    let i = pos(*at, input.len());
                    input[i] ^= 1 << bit;
                }
            }
            Mutation::Insert { at, byte } => {
                let i = pos(*at, input.len() + 1);
                input.insert(i, *byte);
            }
            Mutation::Delete { at } => {
                if !input.is_empty() {
                    let i = pos(*at, input.len());
                    input.remove(i);
                }
            }
            Mutation::Truncate { at } => {
                let i = pos(*at, input.len() + 1);
                input.truncate(i);
            }
            Mutation::DupLine { at } => {
                if !input.is_empty() {
                    let i = pos(*at, input.len());
                    let start = input[..i]
                        .iter()
                        .rposition(|&b| b == b'\n')
                        .map_or(0, |p| p + 1);
                    let end = input[i..]
                        .iter()
                        .position(|&b| b == b'\n')
                        .map_or(input.len(), |p| i + p + 1);
                    let line = input[start..end].to_vec();
                    input.splice(end..end, line);
                }
            }
            Mutation::HugeNumber { at, n } => {
                let from = pos(*at, input.len() + 1);
                let hay = &input[from..];
                let key = [&b"DIM:"[..], b"shape': ("]
                    .iter()
                    .filter_map(|k| {
                        hay.windows(k.len())
                            .position(|w| w == *k)
                            .map(|p| from + p + k.len())
                    })
                    .min();
                // After `DIM:i ` skip the axis index and the spaces to the value.
                let Some(mut s) = key else { return };
                if input[s - 1] == b':' {
                    while s < input.len() && input[s].is_ascii_digit() {
                        s += 1;
                    }
                    while s < input.len() && input[s] == b' ' {
                        s += 1;
                    }
                }
                let mut e = s;
                while e < input.len() && input[e].is_ascii_digit() {
                    e += 1;
                }
                input.splice(s..e, n.bytes());
            }
            Mutation::Overwrite { at, bytes } => {
                let i = pos(*at, input.len() + 1);
                for (k, b) in bytes.iter().enumerate() {
                    match input.get_mut(i + k) {
                        Some(x) => *x = *b,
                        None => input.push(*b),
                    }
                }
            }
        }
    }

    /// A small array of any dtype and rank 1 to 4.
    fn small_array() -> impl Strategy<Value = NdArray> {
        let shape = prop::collection::vec(1usize..5, 1..=4);
        (
            shape,
            prop::sample::select(detcal::formats::array::ALL_DTYPES.to_vec()),
        )
            .prop_flat_map(|(shape, dtype)| {
                let n: usize = shape.iter().product();
                prop::collection::vec(-1000i32..1000, n).prop_map(move |v| {
                    let a = ArrayD::from_shape_vec(
                        IxDyn(&shape),
                        v.iter().map(|&x| x as f64 / 4.0).collect(),
                    )
                    .unwrap();
                    NdArray::F64(a).cast(dtype)
                })
            })
    }

    fn info() -> HeaderInfo {
        HeaderInfo {
            host: "HOST".into(),
            work_dir: "/CWD".into(),
            file_name: "c.data".into(),
            date_time: "1970-01-01T00:00:00".into(),
            uid: "USER".into(),
        }
    }

    /// A valid psana text file of `arr`.
    fn text_of(arr: &NdArray) -> Vec<u8> {
        let fmt = if arr.dtype().is_integer() {
            "%d"
        } else {
            "%.3f"
        };
        let mut out = Vec::new();
        encode_text(
            arr,
            &TextOptions::new(fmt).unwrap(),
            &info(),
            &mut out,
            Path::new("c.data"),
        )
        .unwrap();
        out
    }

    /// A valid `.npy` file of `arr`.
    fn npy_of(arr: &NdArray) -> Vec<u8> {
        let mut out = Vec::new();
        encode_npy(arr, &mut out, Path::new("c.npy")).unwrap();
        out
    }

    /// Checks what a reader returned: a consistent array, or a one-line error naming `file`.
    fn check_result<E: Into<detcal::Error>>(
        r: Result<NdArray, E>,
        file: &str,
    ) -> Result<(), TestCaseError> {
        match r.map_err(Into::into) {
            Ok(a) => {
                let n: usize = a.shape().iter().product();
                prop_assert_eq!(n, a.len());
                // `detcal show` summarizes what it read; that must not panic either.
                let s = summarize(&a, true);
                prop_assert_eq!(s.size, a.len());
            }
            Err(e) => {
                let msg = e.to_string();
                prop_assert!(msg.starts_with(file), "error does not name {file}: {msg}");
                prop_assert!(!msg.contains('\n'), "error is not one line: {msg:?}");
            }
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        #[test]
        fn text_reads_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
            check_result(parse_text(&bytes, Path::new("c.data")), "c.data")?;
        }

        #[test]
        fn text_reads_arbitrary_headers(
            lines in prop::collection::vec(
                (
                    prop::sample::select(vec!["# NDIM", "# DIM:0", "# DIM:1", "# DIM:2", "# DTYPE", "#", "1 2", "3 4 5", ""]),
                    prop_oneof![huge_number(), prop::sample::select(vec!["uint8".to_string(), "float64".to_string(), "2".to_string(), "1".to_string()])],
                ),
                0..8,
            ),
            data in prop::collection::vec(-3i64..3, 0..12),
        ) {
            let mut s = String::new();
            for (k, v) in &lines {
                s.push_str(&format!("{k} {v}\n"));
            }
            for x in &data {
                s.push_str(&format!("{x} "));
            }
            check_result(parse_text(s.as_bytes(), Path::new("c.data")), "c.data")?;
        }

        #[test]
        fn text_reads_mutated_files(arr in small_array(), muts in prop::collection::vec(mutation(), 1..6)) {
            let mut bytes = text_of(&arr);
            let back = parse_text(&bytes, Path::new("c.data")).unwrap();
            prop_assert_eq!(back.shape(), arr.shape());
            for m in &muts {
                apply(&mut bytes, m);
            }
            check_result(parse_text(&bytes, Path::new("c.data")), "c.data")?;
        }

        #[test]
        fn npy_reads_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
            check_result(parse_npy(&bytes, Path::new("c.npy")), "c.npy")?;
            // With a valid magic and version, the header parser is reached.
            let mut v = b"\x93NUMPY\x01\x00".to_vec();
            v.extend_from_slice(&bytes);
            check_result(parse_npy(&v, Path::new("c.npy")), "c.npy")?;
        }

        #[test]
        fn npy_reads_mutated_files(arr in small_array(), muts in prop::collection::vec(mutation(), 1..6)) {
            let mut bytes = npy_of(&arr);
            prop_assert_eq!(&parse_npy(&bytes, Path::new("c.npy")).unwrap(), &arr);
            for m in &muts {
                apply(&mut bytes, m);
            }
            check_result(parse_npy(&bytes, Path::new("c.npy")), "c.npy")?;
        }

        #[test]
        fn npy_header_shapes(
            dims in prop::collection::vec(prop_oneof![huge_number(), (0u32..5).prop_map(|d| d.to_string())], 0..5),
            fortran in any::<bool>(),
            descr in prop::sample::select(vec!["<u1", "<f4", ">i8", "|b1", "<c8", "<u99999999999999"]),
        ) {
            let shape = dims.iter().map(|d| format!("{d},")).collect::<String>();
            let header = format!(
                "{{'descr': '{descr}', 'fortran_order': {}, 'shape': ({shape}), }}",
                if fortran { "True" } else { "False" }
            );
            let mut h = header.into_bytes();
            h.push(b'\n');
            let mut v = b"\x93NUMPY\x01\x00".to_vec();
            v.extend_from_slice(&(h.len() as u16).to_le_bytes());
            v.extend_from_slice(&h);
            v.extend_from_slice(&[0u8; 64]);
            check_result(parse_npy(&v, Path::new("c.npy")), "c.npy")?;
        }

        #[test]
        fn gain_bin_reads_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..4096)) {
            let r = detcal::deploy::gains::parse_vendor_gain_maps(&bytes, Path::new("g.bin"));
            let e = r.unwrap_err().to_string();
            prop_assert!(e.starts_with("g.bin: ") && e.contains("is not 3, 4 or 6 maps"), "{}", e);
        }

        #[test]
        fn dataset_names_parse_or_fail(s in ".{0,80}") {
            check_dataset(&s)?;
        }

        #[test]
        fn dataset_names_mutated(
            exp in "[a-z]{3}[a-z0-9]{0,10}",
            runs in prop::collection::vec((0u32..20000, 0u32..3), 1..4),
            muts in prop::collection::vec(mutation(), 0..4),
        ) {
            let runs: Vec<String> = runs
                .iter()
                .map(|&(a, w)| if w == 0 { a.to_string() } else { format!("{a}-{}", a + w) })
                .collect();
            let valid = format!("exp={exp}:run={}:dir=/d", runs.join(","));
            prop_assert!(Dataset::parse(&valid).is_ok(), "{}", valid);
            let mut bytes = valid.into_bytes();
            for m in &muts {
                apply(&mut bytes, m);
            }
            check_dataset(&String::from_utf8_lossy(&bytes))?;
        }

        #[test]
        fn dataset_huge_run_ranges(a in huge_number(), b in huge_number()) {
            check_dataset(&format!("exp=abc:run={a}-{b}"))?;
            check_dataset(&format!("exp=abc:run={a},{b},{a}-{b}"))?;
        }

        #[test]
        fn run_ranges_parse_or_fail(s in "[0-9a-z.-]{0,20}|.{0,20}") {
            check_run_range(&s)?;
        }

        #[test]
        fn run_ranges_mutated(
            begin in 0u32..=9999,
            end in prop_oneof![Just(None), (0u32..=9999).prop_map(Some)],
            muts in prop::collection::vec(mutation(), 0..4),
            huge in huge_number(),
        ) {
            let valid = match end {
                None => format!("{begin}-end"),
                Some(e) => format!("{begin}-{e}"),
            };
            check_run_range(&valid)?;
            let mut bytes = valid.clone().into_bytes();
            for m in &muts {
                apply(&mut bytes, m);
            }
            check_run_range(&String::from_utf8_lossy(&bytes))?;
            check_run_range(&format!("{huge}-end"))?;
            check_run_range(&format!("{begin}-{huge}"))?;
            // File names in a ctype directory, and the selection among them.
            let names = [format!("{valid}.data"), format!("{}.data", String::from_utf8_lossy(&bytes)), format!("{huge}-end.data")];
            for n in &names {
                let _ = store::classify(n);
            }
            if let Some(pick) = store::select(&names, begin) {
                prop_assert!(names.iter().any(|n| n == pick));
            }
        }
    }

    fn check_dataset(s: &str) -> Result<(), TestCaseError> {
        match Dataset::parse(s) {
            Ok(Dataset::Runs { exp, runs, .. }) => {
                prop_assert!(!exp.is_empty() && !exp.contains('/') && !exp.starts_with('.'));
                prop_assert!(runs.len() <= 200_000, "{} runs", runs.len());
            }
            Ok(Dataset::Files(files)) => prop_assert_eq!(files.len(), 1),
            Err(e) => {
                let msg = e.to_string();
                prop_assert!(!msg.contains('\n') || s.contains('\n'), "{msg:?}");
            }
        }
        Ok(())
    }

    fn check_run_range(s: &str) -> Result<(), TestCaseError> {
        match s.parse::<RunRange>() {
            Ok(r) => {
                prop_assert!(r.begin <= store::MAX_RUN);
                if let RunEnd::Run(e) = r.end {
                    prop_assert!(r.begin <= e && e <= store::MAX_RUN);
                }
                // The canonical name reads back as the same range.
                prop_assert_eq!(r.to_string().parse::<RunRange>().unwrap(), r);
                prop_assert!(r.contains(r.begin));
            }
            Err(e) => {
                let msg = e.to_string();
                prop_assert!(msg.starts_with("invalid run range"), "{msg}");
            }
        }
        Ok(())
    }

    /// The crafted file of the known crash: a `# DIM` product that wraps around to 4.
    #[test]
    fn wrapping_dim_product_is_an_error() {
        let bytes = b"# NDIM 2\n# DIM:0 4611686018427387905\n# DIM:1 4\n1 2 3 4\n";
        let e = parse_text(bytes, Path::new("wrap.txt"))
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "wrap.txt: header shape (4611686018427387905,4) is too large: its number of elements overflows"
        );
    }

    /// A vendor gain file far too large to be one is refused from its size, before any read.
    #[test]
    fn huge_gain_file_is_refused_from_its_size() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("gainMaps_M001.bin");
        let f = std::fs::File::create(&p).unwrap();
        // A sparse file: 64 GiB that reading would try to hold in memory.
        f.set_len(1 << 36).unwrap();
        let e = detcal::deploy::gains::read_vendor_gain_maps(&p)
            .unwrap_err()
            .to_string();
        assert!(e.contains("68719476736 bytes is not 3, 4 or 6 maps"), "{e}");
    }
}
