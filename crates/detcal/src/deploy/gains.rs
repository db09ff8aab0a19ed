/*!
JUNGFRAU gain and offset constants (psana's `jungfrau_gain_constants`), and the import of the
vendor's binary gain maps.

The gain repository holds one directory per panel, `<repdir>/<panel_id>` or
`<repdir>/<panel_id>-<YYYYmmddHHMMSS>` (entries may be symbolic links to module directories such
as `M088`), each with `g0_gain.npy`, `g1_gain.npy`, `g2_gain.npy` (ADU/keV) and `g0_offset.npy`,
`g1_offset.npy`, `g2_offset.npy` (ADU), all (512, 1024). A panel's directory is chosen for the
run's time stamp (decision 7; psana defaults to 2015-01-01).
*/

use std::path::{Path, PathBuf};

use ndarray::{ArrayD, IxDyn};

use crate::deploy::{Merged, save_merged};
use crate::error::{Error, IoContext, Result};
use crate::files::{Perms, check_component};
use crate::formats::array::{DType, Element, NdArray, shape_str};
use crate::formats::npy::{read_npy, write_npy};

/// The time stamp of a gain directory name: `Some(None)` for `<id>`, `Some(Some(t))` for
/// `<id>-<t>`, `None` when the name is not one of the panel's.
fn dir_tstamp(name: &str, panel_id: &str) -> Option<Option<u64>> {
    let fields: Vec<&str> = name.split('-').collect();
    let id_fields = panel_id.split('-').count();
    if name == panel_id {
        return Some(None);
    }
    if fields.len() == id_fields + 1 && fields[..id_fields].join("-") == panel_id {
        return fields[id_fields].parse::<u64>().ok().map(Some);
    }
    None
}

/// The gain directories of a panel in `repdir`, sorted by time stamp, the one without first.
pub fn panel_gain_dirs(repdir: &Path, panel_id: &str) -> Result<Vec<(Option<u64>, PathBuf)>> {
    check_component("panel id", panel_id)?;
    let mut out = Vec::new();
    for e in std::fs::read_dir(repdir).at(repdir, "list")? {
        let e = e.at(repdir, "list")?;
        let Ok(name) = e.file_name().into_string() else {
            continue;
        };
        if let Some(ts) = dir_tstamp(&name, panel_id)
            && e.path().is_dir()
        {
            out.push((ts, e.path()));
        }
    }
    out.sort_by_key(|(ts, _)| ts.unwrap_or(0));
    Ok(out)
}

/// The panel's gain directory for `tstamp` (`None`: the latest): psana's rule.
pub fn find_panel_gain_dir(repdir: &Path, panel_id: &str, tstamp: Option<u64>) -> Result<PathBuf> {
    let dirs = panel_gain_dirs(repdir, panel_id)?;
    match (dirs.len(), tstamp) {
        (0, _) => Err(Error::not_found(
            crate::Missing::Constants,
            panel_id,
            repdir.display(),
            format!(
                "no gain directory for panel {panel_id} in {} (expected {panel_id} or {panel_id}-<YYYYmmddHHMMSS>)",
                repdir.display()
            ),
        )),
        (1, _) => Ok(dirs[0].1.clone()),
        (_, None) => Ok(dirs.last().expect("non-empty").1.clone()),
        (_, Some(t)) => {
            for k in 1..dirs.len() {
                if dirs[k].0.unwrap_or(0) > t {
                    return Ok(dirs[k - 1].1.clone());
                }
            }
            Ok(dirs.last().expect("non-empty").1.clone())
        }
    }
}

/// What [`merge_gains`] needs.
#[derive(Debug, Clone)]
pub struct GainRequest<'a> {
    /// The gain repository (`<SIT_ROOT>/detector/gains/jungfrau`).
    pub repdir: &'a Path,
    /// Panel ids in segment order.
    pub panel_ids: &'a [String],
    /// Time stamp that chooses each panel's directory (`None`: the latest).
    pub select: Option<u64>,
    /// The run's time stamp `YYYYmmddHHMMSS` (in names).
    pub tstamp: &'a str,
    /// Experiment (in names).
    pub exp: &'a str,
    /// Run (in names).
    pub run: u32,
    /// The source (in names).
    pub source: &'a str,
    /// Modes and group of what is written.
    pub perms: &'a Perms,
}

/// Loads `g<g>_<kind>.npy` of a panel directory, a 2-D array of any dtype.
fn load_map(dir: &Path, g: usize, kind: &str) -> Result<NdArray> {
    let p = dir.join(format!("g{g}_{kind}.npy"));
    if !p.exists() {
        return Err(Error::not_found(
            crate::Missing::File,
            p.display(),
            dir.display(),
            format!(
                "{}: missing (a panel gain directory holds g0..g2 _gain and _offset .npy)",
                p.display()
            ),
        ));
    }
    let a = read_npy(&p)?;
    if a.ndim() != 2 {
        return Err(Error::content(
            &p,
            format!("expected a 2-D map, found shape {}", shape_str(a.shape())),
        ));
    }
    Ok(a)
}

/// The dtype numpy gives an array stacked from arrays of dtypes `a` and `b` (`np.result_type`).
fn promote(a: DType, b: DType) -> DType {
    use DType::*;
    let signed = |d: DType| matches!(d, I8 | I16 | I32 | I64);
    let int_of = |signed: bool, size: usize| match (signed, size) {
        (true, 1) => I8,
        (true, 2) => I16,
        (true, 4) => I32,
        (true, 8) => I64,
        (false, 1) => U8,
        (false, 2) => U16,
        (false, 4) => U32,
        _ => U64,
    };
    if a == b {
        return a;
    }
    match (a.is_integer(), b.is_integer()) {
        (false, false) => F64,
        (true, false) | (false, true) => {
            let (i, f) = if a.is_integer() { (a, b) } else { (b, a) };
            if f == F32 && i.size() <= 2 { F32 } else { F64 }
        }
        (true, true) if signed(a) == signed(b) => int_of(signed(a), a.size().max(b.size())),
        (true, true) => {
            let (s, u) = if signed(a) { (a, b) } else { (b, a) };
            if s.size() > u.size() {
                s
            } else if u.size() < 8 {
                int_of(true, 2 * u.size())
            } else {
                F64
            }
        }
    }
}

/// `maps[g][p]`, all of one shape (rows, cols), stacked into `(gains, panels, rows, cols)` of
/// element type `T`.
fn stack_maps<T: Element>(maps: &[Vec<NdArray>], rows: usize, cols: usize) -> NdArray {
    let mut v: Vec<T> = Vec::with_capacity(maps.len() * maps[0].len() * rows * cols);
    for m in maps.iter().flatten() {
        v.extend(m.to_typed::<T>().iter().copied());
    }
    T::wrap(
        ArrayD::from_shape_vec(IxDyn(&[maps.len(), maps[0].len(), rows, cols]), v)
            .expect("the maps fill the shape"),
    )
}

/// Merges the panels' gain and offset maps into `pixel_gain` and `pixel_offset`
/// `(3, npanels, rows, cols)`, written to `<repdir>/merge_tmp/` as `.npy` and as psana text
/// (`%.4f`, `%.1f`). As psana's `merge_panel_constants` (`np.stack` of the maps), the merged
/// array has the maps' dtype (float32, or float64 for float64 maps; numpy's promotion for mixed
/// ones), and so has the text's `# DTYPE`. Returns the text files to deploy and the directories
/// used.
pub fn merge_gains(req: &GainRequest<'_>) -> Result<(Vec<Merged>, Vec<PathBuf>)> {
    check_component("source", req.source)?;
    let dirs: Vec<PathBuf> = req
        .panel_ids
        .iter()
        .map(|id| find_panel_gain_dir(req.repdir, id, req.select))
        .collect::<Result<_>>()?;
    let mut out = Vec::new();
    let merge_tmp = req.repdir.join("merge_tmp");
    for (kind, ctype, fmt) in [
        ("gain", "pixel_gain", "%.4f"),
        ("offset", "pixel_offset", "%.1f"),
    ] {
        let mut maps: Vec<Vec<NdArray>> = vec![Vec::new(); 3];
        let mut first: Option<(usize, usize, DType)> = None;
        for dir in &dirs {
            for (g, of_gain) in maps.iter_mut().enumerate() {
                let m = load_map(dir, g, kind)?;
                let (r, c) = (m.shape()[0], m.shape()[1]);
                let (r0, c0, dtype) = first.get_or_insert((r, c, m.dtype()));
                if (*r0, *c0) != (r, c) {
                    return Err(Error::content(
                        dir.join(format!("g{g}_{kind}.npy")),
                        format!(
                            "map shape ({r}, {c}) differs from ({r0}, {c0}) of the first panel"
                        ),
                    ));
                }
                *dtype = promote(*dtype, m.dtype());
                of_gain.push(m);
            }
        }
        let (r, c, dtype) = first.expect("at least one panel");
        let arr = match dtype {
            DType::U8 => stack_maps::<u8>(&maps, r, c),
            DType::U16 => stack_maps::<u16>(&maps, r, c),
            DType::U32 => stack_maps::<u32>(&maps, r, c),
            DType::U64 => stack_maps::<u64>(&maps, r, c),
            DType::I8 => stack_maps::<i8>(&maps, r, c),
            DType::I16 => stack_maps::<i16>(&maps, r, c),
            DType::I32 => stack_maps::<i32>(&maps, r, c),
            DType::I64 => stack_maps::<i64>(&maps, r, c),
            DType::F32 => stack_maps::<f32>(&maps, r, c),
            DType::F64 => stack_maps::<f64>(&maps, r, c),
        };
        let stem = format!(
            "{}-{}-{}-r{:04}_{ctype}",
            req.source, req.tstamp, req.exp, req.run
        );
        write_npy(&merge_tmp.join(format!("{stem}.npy")), &arr, req.perms)?;
        out.push(save_merged(
            merge_tmp.join(format!("{stem}.txt")),
            ctype,
            &arr,
            fmt,
            req.perms,
        )?);
    }
    Ok((out, dirs))
}

/// Pixels of one vendor gain map.
const MAP_PIXELS: usize = 512 * 1024;

/// The number of maps a vendor gain file of `len` bytes holds, or why it is not one.
fn vendor_map_count(len: u64) -> std::result::Result<usize, String> {
    let per_map = (MAP_PIXELS * 8) as u64;
    match (len % per_map, len / per_map) {
        (0, n @ (3 | 4 | 6)) => Ok(n as usize),
        _ => Err(format!(
            "{len} bytes is not 3, 4 or 6 maps of 512 x 1024 float64 ({per_map} bytes each)"
        )),
    }
}

/// Reads a vendor binary gain file (`gainMaps_M<id>_<date>.bin`: little-endian float64 maps of
/// 512 x 1024 in ADU/keV, in the order G0, G1, G2, HG0, HG1, HG2; 3, 4 or 6 maps).
///
/// The size is checked before anything is read, so a wrong (or huge) file is refused at once.
pub fn read_vendor_gain_maps(path: &Path) -> Result<Vec<ArrayD<f64>>> {
    if path.is_dir() {
        return Err(Error::content(
            path,
            "is a directory; expected a .bin gain file",
        ));
    }
    let len = std::fs::metadata(path).at(path, "stat")?.len();
    vendor_map_count(len).map_err(|m| Error::content(path, m))?;
    let bytes = std::fs::read(path).at(path, "read")?;
    parse_vendor_gain_maps(&bytes, path)
}

/// Decodes the bytes of a vendor binary gain file (see [`read_vendor_gain_maps`]); `path` is
/// used in error messages.
pub fn parse_vendor_gain_maps(bytes: &[u8], path: &Path) -> Result<Vec<ArrayD<f64>>> {
    vendor_map_count(bytes.len() as u64).map_err(|m| Error::content(path, m))?;
    bytes
        .chunks_exact(MAP_PIXELS * 8)
        .map(|m| {
            let v: Vec<f64> = m
                .chunks_exact(8)
                .map(|b| f64::from_le_bytes(std::array::from_fn(|i| b[i])))
                .collect();
            ArrayD::from_shape_vec(IxDyn(&[512, 1024]), v)
                .map_err(|e| Error::content(path, format!("cannot shape a gain map: {e}")))
        })
        .collect()
}

/// Imports a vendor gain file as the panel gain directory `<repdir>/<panel_id>[-<tstamp>]`:
/// `g0..g2_gain.npy` from maps G0, G1, G2 (with `hg0`, the HG0 map for gain 0 where the file has
/// one) and zero `g0..g2_offset.npy` (the vendor maps carry no offsets). Returns the directory.
pub fn import_vendor_gains(
    bin: &Path,
    repdir: &Path,
    panel_id: &str,
    tstamp: Option<&str>,
    hg0: bool,
    perms: &Perms,
) -> Result<PathBuf> {
    check_component("panel id", panel_id)?;
    let maps = read_vendor_gain_maps(bin)?;
    if hg0 && maps.len() < 4 {
        return Err(Error::content(bin, "has no HG0 map (3 maps: G0, G1, G2)"));
    }
    let name = match tstamp {
        Some(t) => {
            crate::site::parse_tstamp(t)?;
            format!("{panel_id}-{t}")
        }
        None => panel_id.to_string(),
    };
    let dir = repdir.join(name);
    for g in 0..3 {
        let m = if g == 0 && hg0 { &maps[3] } else { &maps[g] };
        write_npy(
            &dir.join(format!("g{g}_gain.npy")),
            &NdArray::F64(m.clone()),
            perms,
        )?;
        write_npy(
            &dir.join(format!("g{g}_offset.npy")),
            &NdArray::F64(ArrayD::zeros(IxDyn(&[512, 1024]))),
            perms,
        )?;
    }
    Ok(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stacked_dtypes_follow_numpy() {
        use DType::*;
        // np.result_type of each pair.
        for (a, b, want) in [
            (F32, F32, F32),
            (F64, F64, F64),
            (F32, F64, F64),
            (F32, I16, F32),
            (F32, U16, F32),
            (F32, I32, F64),
            (I16, F64, F64),
            (U8, I8, I16),
            (U16, I32, I32),
            (U32, I32, I64),
            (U64, I64, F64),
            (U8, U32, U32),
            (I64, I8, I64),
        ] {
            assert_eq!(promote(a, b), want, "{a} {b}");
            assert_eq!(promote(b, a), want, "{b} {a}");
        }
    }

    #[test]
    fn directory_names() {
        let id = "190408-181206-50c246de810058";
        assert_eq!(dir_tstamp(id, id), Some(None));
        assert_eq!(
            dir_tstamp(&format!("{id}-20200101000000"), id),
            Some(Some(20200101000000))
        );
        assert_eq!(dir_tstamp(&format!("{id}-x"), id), None);
        assert_eq!(dir_tstamp("190408-181206-other", id), None);
        assert_eq!(dir_tstamp("M088", id), None);
    }

    #[test]
    fn directory_selection_follows_psana() {
        let tmp = tempfile::tempdir().unwrap();
        let id = "a-b-c";
        for n in [
            "a-b-c",
            "a-b-c-20200101000000",
            "a-b-c-20220101000000",
            "a-b-d-20210101000000",
        ] {
            std::fs::create_dir(tmp.path().join(n)).unwrap();
        }
        let pick = |t| {
            find_panel_gain_dir(tmp.path(), id, t)
                .unwrap()
                .file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .to_string()
        };
        assert_eq!(pick(None), "a-b-c-20220101000000");
        assert_eq!(
            pick(Some(20150101000000)),
            "a-b-c",
            "before all: the one without a time stamp"
        );
        assert_eq!(pick(Some(20210101000000)), "a-b-c-20200101000000");
        assert_eq!(
            pick(Some(20220101000000)),
            "a-b-c-20220101000000",
            "equal counts"
        );
        assert_eq!(pick(Some(20300101000000)), "a-b-c-20220101000000");
        // A symbolic link to a module directory counts.
        let m = tmp.path().join("M088");
        std::fs::create_dir(&m).unwrap();
        std::os::unix::fs::symlink(&m, tmp.path().join("x-y-z")).unwrap();
        assert_eq!(
            find_panel_gain_dir(tmp.path(), "x-y-z", Some(1)).unwrap(),
            tmp.path().join("x-y-z")
        );
        let e = find_panel_gain_dir(tmp.path(), "q-q-q", None)
            .unwrap_err()
            .to_string();
        assert!(e.contains("no gain directory for panel q-q-q"), "{e}");
    }

    #[test]
    fn vendor_maps() {
        let tmp = tempfile::tempdir().unwrap();
        let bin = tmp.path().join("gainMaps_M088_2020-01-01.bin");
        let mut bytes = Vec::new();
        for m in 0..4 {
            for i in 0..MAP_PIXELS {
                bytes.extend_from_slice(&((m as f64 + 1.0) * 10.0 + i as f64 * 1e-6).to_le_bytes());
            }
        }
        std::fs::write(&bin, &bytes).unwrap();
        let perms = Perms {
            group: None,
            ..Perms::default()
        };
        let dir = import_vendor_gains(
            &bin,
            tmp.path(),
            "a-b-c",
            Some("20200101000000"),
            false,
            &perms,
        )
        .unwrap();
        assert_eq!(dir, tmp.path().join("a-b-c-20200101000000"));
        let g1 = read_npy(&dir.join("g1_gain.npy")).unwrap().to_f64();
        assert_eq!(g1.shape(), &[512, 1024]);
        assert_eq!(g1[[0, 3]], 20.0 + 3e-6);
        let dir = import_vendor_gains(&bin, tmp.path(), "a-b-c", None, true, &perms).unwrap();
        assert_eq!(
            read_npy(&dir.join("g0_gain.npy")).unwrap().to_f64()[[0, 0]],
            40.0
        );
        assert_eq!(
            read_npy(&dir.join("g2_offset.npy")).unwrap().to_f64().sum(),
            0.0
        );
        std::fs::write(&bin, &bytes[..MAP_PIXELS * 8 * 2]).unwrap();
        let e = import_vendor_gains(&bin, tmp.path(), "a-b-c", None, false, &perms)
            .unwrap_err()
            .to_string();
        assert!(e.contains("is not 3, 4 or 6 maps"), "{e}");
        assert!(e.starts_with(&format!("{}: ", bin.display())), "{e}");
        // A size that is a multiple of a map but not 3, 4 or 6 of them, or not a multiple.
        for n in [0, 1, 5, 7, 4096] {
            let e = parse_vendor_gain_maps(&vec![0u8; n], &bin).unwrap_err();
            assert!(e.to_string().contains("is not 3, 4 or 6 maps"), "{n}: {e}");
        }
        assert_eq!(vendor_map_count(5 * (MAP_PIXELS as u64) * 8).ok(), None);
        assert_eq!(vendor_map_count(u64::MAX).ok(), None);
        assert_eq!(vendor_map_count(6 * (MAP_PIXELS as u64) * 8), Ok(6));
        assert!(
            read_vendor_gain_maps(tmp.path())
                .unwrap_err()
                .to_string()
                .contains("is a directory")
        );
        std::fs::write(&bin, &bytes[..MAP_PIXELS * 8 * 3]).unwrap();
        assert!(import_vendor_gains(&bin, tmp.path(), "a-b-c", None, true, &perms).is_err());
        assert!(import_vendor_gains(&bin, tmp.path(), "../x", None, false, &perms).is_err());
    }
}
