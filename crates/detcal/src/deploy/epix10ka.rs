/*!
ePix10ka constants from the per-panel repository into detector arrays (psana's
`epix10ka_deploy_constants`).

For each panel and each requested letter of `psrgc` (p pedestals, r rms, s status, g gain,
c gainci), the file valid for the time stamp of each of the 7 gain ranges is chosen
(`<ctype>_<MODE>` in its name), missing ranges get psana's defaults, and the 7 are stacked into
`(7, 1, rows, cols)`, saved beside them as `<prefix>_<ctype>.txt`; then the panels are stacked
into `(7, npanels, rows, cols)` in `<repo>/merge_tmp/<det>-<tstamp>-<exp>-r<NNNN>-<octype>.txt`,
ready to deploy as `pedestals`, `pixel_rms`, `pixel_status` or `pixel_gain`.

psana's defaults:
- missing files: zeros for pedestals and status, ones for rms, and ones times the range's
  gain factor (16.4, 5.466, 0.164 by default) for gain and gainci; status and rms of AHL-L and
  AML-L are never looked for;
- AHL-L / AML-L pedestals without their own file: `pedestals_FL + offsetph_AHL` (or `_AML`),
  read as float64, which makes the stacked pedestals float64 (`DTYPE float64`); zeros without
  the offsetph file;
- gainci files are scaled so that their median is the range's factor (AHL-L and AML-L with the
  median of AHL-H and AML-M); with `c`, fixed-mode gainci files of the current prefix are first
  linked to the auto-mode ones (FH -> AHL-H, FM -> AML-M, FL -> AML-L) where missing.
*/

use std::path::{Path, PathBuf};

use ndarray::{Array4, Ix2, s};

use crate::deploy::jungfrau::{MergeResult, Pick};
use crate::deploy::save_merged;
use crate::detector::epix10ka::{GAIN_RANGES, GainFactors, GainRange, PANEL_COLS, PANEL_ROWS};
use crate::error::{Error, Missing, Result};
use crate::files::check_component;
use crate::formats::array::{NdArray, shape_str};
use crate::formats::text::read_text;
use crate::repo::select::find_in_dir;
use crate::repo::{Repo, RepoKind};

/// psana's default choice of constants (`-p`).
pub const DEFAULT_PROC: &str = "psrg";

/// One letter of `-p`: (letter, repository sub-directory, name in files, deployed type, format).
pub const EPIX10KA_CTYPES: [(char, &str, &str, &str, &str); 5] = [
    ('p', "pedestals", "pedestals", "pedestals", "%.3f"),
    ('r', "rms", "rms", "pixel_rms", "%.3f"),
    ('s', "status", "status", "pixel_status", "%4i"),
    ('g', "gain", "gain", "pixel_gain", "%.6f"),
    ('c', "gain", "gainci", "pixel_gain", "%.6f"),
];

/// What to merge.
#[derive(Debug, Clone)]
pub struct EpixMergeRequest<'a> {
    /// The panel repository.
    pub repo: &'a Repo,
    /// Panel ids of the detector, in segment order.
    pub panel_ids: &'a [String],
    /// Only these panel indices (psana's `-I`), or all.
    pub panel_indices: Option<&'a [usize]>,
    /// Time stamp `YYYYmmddHHMMSS` that selects the files and names the outputs.
    pub tstamp: &'a str,
    /// Experiment (in names).
    pub exp: &'a str,
    /// Run (in names).
    pub run: u32,
    /// The detector name used in `merge_tmp` file names (psana uses the source).
    pub det_name: &'a str,
    /// The letters of `-p` (`psrgc`).
    pub proc: &'a str,
    /// Default gain factors (`--high/--medium/--low`).
    pub factors: GainFactors,
    /// Warn about a missing panel directory and use defaults for it (`-E`).
    pub use_defaults: bool,
}

/// The letters of `proc`, checked, in psana's order p, r, s, g, c.
fn letters(proc: &str) -> Result<Vec<usize>> {
    if let Some(c) = proc
        .chars()
        .find(|c| !EPIX10KA_CTYPES.iter().any(|t| t.0 == *c))
    {
        return Err(Error::bad_arg(
            "-p/--proc",
            format!(
                "-p {proc}: {c:?} is not one of p (pedestals), r (rms), s (status), g (gain), c (gainci)"
            ),
        ));
    }
    if proc.contains('g') && proc.contains('c') {
        return Err(Error::bad_arg(
            "-p/--proc",
            format!(
                "-p {proc}: g and c both make pixel_gain; choose one (psana would stack two gain arrays per panel)"
            ),
        ));
    }
    let ix: Vec<usize> = (0..EPIX10KA_CTYPES.len())
        .filter(|&k| proc.contains(EPIX10KA_CTYPES[k].0))
        .collect();
    if ix.is_empty() {
        return Err(Error::bad_arg("-p/--proc", "-p: no constants chosen"));
    }
    Ok(ix)
}

/// A 2-D array read from a repository text file, checked against the panel shape.
fn read_panel<T: crate::formats::array::Element>(
    f: &Path,
    shape: &mut Option<(usize, usize)>,
) -> Result<ndarray::Array2<T>> {
    let a = read_text(f)?.to_typed::<T>();
    let sh = match a.shape() {
        &[r, c] => (r, c),
        other => {
            return Err(Error::content(
                f,
                format!(
                    "expected a 2-D panel array, found shape {}",
                    shape_str(other)
                ),
            ));
        }
    };
    match shape {
        None => *shape = Some(sh),
        Some(s0) if *s0 != sh => {
            return Err(Error::content(
                f,
                format!("panel shape {sh:?} differs from {s0:?} of the other files"),
            ));
        }
        _ => {}
    }
    Ok(a.into_dimensionality::<Ix2>().expect("2-D"))
}

/// One panel's 7 ranges of one constant: float32, or float64 when derived pedestals were used.
enum Ranges {
    F32(Vec<ndarray::Array2<f32>>),
    F64(Vec<ndarray::Array2<f64>>),
}

/// `np.median` of a float32 array.
fn median32(a: &ndarray::Array2<f32>) -> f32 {
    let mut v: Vec<f32> = a.iter().copied().collect();
    crate::stats::median_f32(&mut v)
}

/// Creates the links psana's `add_links_for_gainci_fixed_modes` makes in `dir`.
fn link_gainci_fixed_modes(dir: &Path, prefix: &str) -> Result<()> {
    for (fixed, auto) in [
        (GainRange::Fh, GainRange::AhlH),
        (GainRange::Fm, GainRange::AmlM),
        (GainRange::Fl, GainRange::AmlL),
    ] {
        let target = dir.join(format!("{prefix}_gainci_{}.dat", auto.name()));
        let link = dir.join(format!("{prefix}_gainci_{}.dat", fixed.name()));
        if target.is_file() && std::fs::symlink_metadata(&link).is_err() {
            let abs = std::path::absolute(&target).map_err(|e| Error::io(&target, "resolve", e))?;
            std::os::unix::fs::symlink(&abs, &link)
                .map_err(|e| Error::io(&link, "create the link", e))?;
            tracing::info!("linked {} -> {}", link.display(), abs.display());
        }
    }
    Ok(())
}

/// Chooses the files of the 7 ranges of one constant of one panel.
fn merge_ranges(
    repo: &Repo,
    id: &str,
    panel: usize,
    k: usize,
    ts: u64,
    picks: &mut Vec<Pick>,
) -> Result<Vec<(GainRange, Option<PathBuf>)>> {
    let (_, sub, name, _, _) = EPIX10KA_CTYPES[k];
    let dir = repo.ctype_dir(id, sub)?;
    if !dir.is_dir() && repo.root().join(id).is_dir() {
        return Err(Error::not_found(
            Missing::Constants,
            format!("{sub} of {id}"),
            dir.display(),
            format!(
                "{}: no such directory (panel {panel}); nothing to merge for {name}",
                dir.display()
            ),
        ));
    }
    let mut out = Vec::new();
    for g in GAIN_RANGES {
        let skip =
            matches!(name, "rms" | "status") && matches!(g, GainRange::AhlL | GainRange::AmlL);
        let file = if skip {
            None
        } else {
            find_in_dir(&dir, &[&format!("{name}_{}", g.name())], ts)?
        };
        picks.push(Pick {
            panel,
            ctype: name.to_string(),
            gain: g.index(),
            file: file.clone(),
        });
        out.push((g, file));
    }
    Ok(out)
}

/// Reads and completes one panel's 7 ranges of constant `k` with psana's defaults.
fn panel_ranges(
    repo: &Repo,
    id: &str,
    k: usize,
    files: &[(GainRange, Option<PathBuf>)],
    ts: u64,
    factors: &[f64; 7],
    shape: &mut Option<(usize, usize)>,
) -> Result<Ranges> {
    let (_, _, name, _, _) = EPIX10KA_CTYPES[k];
    let default_one = matches!(name, "gain" | "gainci" | "rms");
    let mut f32s: Vec<Option<ndarray::Array2<f32>>> = vec![None; 7];
    for (g, file) in files {
        if let Some(f) = file {
            f32s[g.index()] = Some(read_panel::<f32>(f, shape)?);
        }
    }
    let (rows, cols) = shape.unwrap_or((PANEL_ROWS, PANEL_COLS));
    // gainci: scale each found range to the range's factor.
    if name == "gainci" {
        let medians: Vec<Option<f32>> = f32s.iter().map(|a| a.as_ref().map(median32)).collect();
        for g in GAIN_RANGES {
            let Some(a) = f32s[g.index()].as_mut() else {
                continue;
            };
            let med = medians[g.index()].expect("found");
            if med == 0.0 {
                continue;
            }
            let factor = match g {
                GainRange::AhlL | GainRange::AmlL => {
                    let high = if g == GainRange::AhlL {
                        GainRange::AhlH
                    } else {
                        GainRange::AmlM
                    };
                    let Some((_, Some(hf))) = files.iter().find(|(r, _)| *r == high) else {
                        return Err(Error::not_found(
                            Missing::Constants,
                            format!("gainci_{} of {id}", high.name()),
                            repo.ctype_dir(id, "gain")?.display(),
                            format!(
                                "panel {id}: gainci_{} is found but gainci_{} is not; it normalizes the low range (psana fails here)",
                                g.name(),
                                high.name()
                            ),
                        ));
                    };
                    let mut v: Vec<f64> = read_text(hf)?.to_f64().iter().copied().collect();
                    let m = crate::stats::median_f64(&mut v);
                    if m > 0.0 {
                        factors[high.index()] / m
                    } else {
                        0.0
                    }
                }
                _ => factors[g.index()] / f64::from(med),
            };
            let f = factor as f32;
            a.mapv_inplace(|x| x * f);
        }
    }
    let default = |g: GainRange| -> ndarray::Array2<f32> {
        let v = match name {
            "gain" | "gainci" => factors[g.index()] as f32,
            _ if default_one => 1.0,
            _ => 0.0,
        };
        ndarray::Array2::from_elem((rows, cols), v)
    };
    // Pedestals of the low auto ranges without their own file: FL + offsetph, in float64.
    let mut derived: Vec<(GainRange, ndarray::Array2<f64>)> = Vec::new();
    if name == "pedestals" {
        for (g, tag) in [(GainRange::AhlL, "AHL"), (GainRange::AmlL, "AML")] {
            if f32s[g.index()].is_some() {
                continue;
            }
            let off = find_in_dir(
                &repo.ctype_dir(id, "offset")?,
                &[&format!("offsetph_{tag}")],
                ts,
            )?;
            let Some(off) = off else {
                continue;
            };
            let fl = files
                .iter()
                .find(|(r, _)| *r == GainRange::Fl)
                .and_then(|(_, f)| f.clone())
                .ok_or_else(|| {
                    Error::not_found(
                        Missing::Constants,
                        format!("pedestals_FL of {id}"),
                        off.display(),
                        format!(
                            "panel {id}: {} needs pedestals_FL to make the {} pedestals, and there is none (psana fails here)",
                            off.display(),
                            g.name()
                        ),
                    )
                })?;
            let a = read_panel::<f64>(&fl, shape)? + read_panel::<f64>(&off, shape)?;
            derived.push((g, a));
        }
    }
    let filled: Vec<ndarray::Array2<f32>> = GAIN_RANGES
        .iter()
        .map(|&g| f32s[g.index()].take().unwrap_or_else(|| default(g)))
        .collect();
    if derived.is_empty() {
        return Ok(Ranges::F32(filled));
    }
    let mut f64s: Vec<ndarray::Array2<f64>> = filled.iter().map(|a| a.mapv(f64::from)).collect();
    for (g, a) in derived {
        f64s[g.index()] = a;
    }
    Ok(Ranges::F64(f64s))
}

/// Merges the requested constants of the request's panels; see the module documentation.
pub fn merge(req: &EpixMergeRequest<'_>) -> Result<MergeResult> {
    check_component("detector name", req.det_name)?;
    let kinds = letters(req.proc)?;
    let n = req.panel_ids.len();
    let indices = crate::deploy::panel_indices(n, req.panel_indices)?;
    let ts = crate::site::parse_tstamp(req.tstamp)?;
    let kind = RepoKind::EPIX10KA;
    let factors = req.factors.per_range();
    let mut picks = Vec::new();
    let mut shape: Option<(usize, usize)> = None;
    // Per panel: its prefix and, per requested constant, the chosen files.
    let mut chosen = Vec::new();
    for &i in &indices {
        let id = &req.panel_ids[i];
        crate::deploy::check_panel_dir(req.repo, i, id, req.use_defaults)?;
        let alias = kind.alias_for(req.repo, id, req.exp, req.run)?;
        let prefix = kind.file_prefix(&alias, req.tstamp, req.exp, req.run)?;
        if kinds.iter().any(|&k| EPIX10KA_CTYPES[k].0 == 'c') {
            let dir = req.repo.ctype_dir(id, "gain")?;
            if dir.is_dir() {
                link_gainci_fixed_modes(&dir, &prefix)?;
            }
        }
        let mut per = Vec::new();
        for &k in &kinds {
            per.push(merge_ranges(req.repo, id, i, k, ts, &mut picks)?);
        }
        chosen.push((i, prefix, per));
    }
    let merge_tmp = req.repo.merge_tmp()?;
    let np = indices.len();
    let mut merged = Vec::new();
    let mut panel_files = Vec::new();
    for (kk, &k) in kinds.iter().enumerate() {
        let (_, sub, name, octype, fmt) = EPIX10KA_CTYPES[k];
        let mut panels = Vec::new();
        for (i, prefix, per) in &chosen {
            let id = &req.panel_ids[*i];
            let r = panel_ranges(req.repo, id, k, &per[kk], ts, &factors, &mut shape)?;
            panels.push((id, prefix, r));
        }
        let (rows, cols) = shape.unwrap_or((PANEL_ROWS, PANEL_COLS));
        let wide = panels.iter().any(|(_, _, r)| matches!(r, Ranges::F64(_)));
        let mut det64 = Array4::<f64>::zeros((7, if wide { np } else { 0 }, rows, cols));
        let mut det32 = Array4::<f32>::zeros((7, if wide { 0 } else { np }, rows, cols));
        for (pi, (id, prefix, r)) in panels.into_iter().enumerate() {
            let path = req
                .repo
                .ctype_dir(id, sub)?
                .join(format!("{prefix}_{name}.txt"));
            let arr = match r {
                Ranges::F32(v) => {
                    let mut p = Array4::<f32>::zeros((7, 1, rows, cols));
                    for (g, a) in v.iter().enumerate() {
                        p.slice_mut(s![g, 0, .., ..]).assign(a);
                        if wide {
                            det64
                                .slice_mut(s![g, pi, .., ..])
                                .assign(&a.mapv(f64::from));
                        } else {
                            det32.slice_mut(s![g, pi, .., ..]).assign(a);
                        }
                    }
                    NdArray::F32(p.into_dyn())
                }
                Ranges::F64(v) => {
                    let mut p = Array4::<f64>::zeros((7, 1, rows, cols));
                    for (g, a) in v.iter().enumerate() {
                        p.slice_mut(s![g, 0, .., ..]).assign(a);
                        det64.slice_mut(s![g, pi, .., ..]).assign(a);
                    }
                    NdArray::F64(p.into_dyn())
                }
            };
            save_merged(path.clone(), octype, &arr, fmt, req.repo.perms())?;
            panel_files.push(path);
        }
        let path = merge_tmp.join(format!(
            "{}-{}-{}-r{:04}-{octype}.txt",
            req.det_name, req.tstamp, req.exp, req.run
        ));
        let arr: NdArray = if wide {
            NdArray::F64(det64.into_dyn())
        } else {
            NdArray::F32(det32.into_dyn())
        };
        merged.push(save_merged(path, octype, &arr, fmt, req.repo.perms())?);
    }
    Ok(MergeResult {
        merged,
        panel_files,
        picks,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::files::Perms;

    fn write(path: &Path, text: &str) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    fn values(path: &Path) -> Vec<Vec<String>> {
        let text = std::fs::read_to_string(path).unwrap();
        let rows: Vec<&str> = text
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .collect();
        rows.chunks(2)
            .map(|r| r.join(" ").split_whitespace().map(str::to_string).collect())
            .collect()
    }

    #[test]
    fn gainci_is_normalized_linked_and_defaults_fill_the_rest() {
        let tmp = tempfile::tempdir().unwrap();
        let repo = Repo::new(tmp.path(), Perms::default());
        let id = "p1".to_string();
        let pre = "epix10ka_0001_20210101000000_exp_r0001";
        let g = tmp.path().join("p1/gain");
        // 2 x 2 panels; AHL-H median 4, AHL-L median 0.5, FM median 2.
        write(&g.join(format!("{pre}_gainci_AHL-H.dat")), "2 4\n4 8\n");
        write(
            &g.join(format!("{pre}_gainci_AHL-L.dat")),
            "0.25 0.5\n0.5 1\n",
        );
        write(&g.join(format!("{pre}_gainci_FM.dat")), "1 2\n2 3\n");
        write(&tmp.path().join("p1/pedestals/x"), "");
        let ids = [id];
        let req = EpixMergeRequest {
            repo: &repo,
            panel_ids: &ids,
            panel_indices: None,
            tstamp: "20210101000000",
            exp: "exp",
            run: 1,
            det_name: "NoDetector.0:Epix10ka.0",
            proc: "pc",
            factors: crate::detector::epix10ka::DEFAULT_GAINS,
            use_defaults: false,
        };
        let r = merge(&req).unwrap();
        // The fixed-mode link FH -> AHL-H was made (FM has its own file; AML-M is missing).
        let link = g.join(format!("{pre}_gainci_FH.dat"));
        assert!(std::fs::symlink_metadata(&link).unwrap().is_symlink());
        assert!(!g.join(format!("{pre}_gainci_FL.dat")).exists());
        let gain = &r.merged[1];
        assert_eq!(gain.ctype, "pixel_gain");
        assert_eq!(gain.shape, vec![7, 1, 2, 2]);
        let v = values(&gain.file);
        // Scaled in float32, as psana: x * f32(factor / median).
        let scaled = |xs: [f32; 4], f: f64| -> Vec<String> {
            xs.iter()
                .map(|&x| format!("{:.6}", f64::from(x * f as f32)))
                .collect()
        };
        // FH (linked to AHL-H): x 16.4 / 4.
        assert_eq!(v[0], scaled([2.0, 4.0, 4.0, 8.0], 16.4 / 4.0));
        assert_eq!(v[0][3], "32.799999");
        // FM: x 5.466 / 2.
        assert_eq!(v[1], scaled([1.0, 2.0, 2.0, 3.0], 5.466 / 2.0));
        // FL: default.
        assert_eq!(v[2], ["0.164000"; 4]);
        assert_eq!(v[3], v[0]);
        assert_eq!(v[4], ["5.466000"; 4]);
        // AHL-L: x 16.4 / median(AHL-H) = 4.1.
        assert_eq!(v[5], scaled([0.25, 0.5, 0.5, 1.0], 16.4 / 4.0));
        assert_eq!(v[6], ["0.164000"; 4]);
        // Pedestals: no files, zeros, float32.
        let ped = std::fs::read_to_string(&r.merged[0].file).unwrap();
        assert!(ped.contains("float32"));
        assert!(
            values(&r.merged[0].file)
                .iter()
                .flatten()
                .all(|x| x == "0.000")
        );
        // A missing ctype directory of an existing panel is an error naming it.
        let e = merge(&EpixMergeRequest {
            proc: "s",
            ..req.clone()
        })
        .unwrap_err()
        .to_string();
        assert!(e.contains("p1/status: no such directory"), "{e}");
        std::fs::create_dir(tmp.path().join("p1/status")).unwrap();
        // A missing panel directory is an error, or defaults with -E.
        let ids2 = ["p1".to_string(), "p2".to_string()];
        let req2 = EpixMergeRequest {
            panel_ids: &ids2,
            proc: "s",
            ..req.clone()
        };
        let e = merge(&req2).unwrap_err().to_string();
        assert!(e.contains("p2"), "{e}");
        let r2 = merge(&EpixMergeRequest {
            use_defaults: true,
            ..req2
        })
        .unwrap();
        // No file gives the shape: a real panel.
        assert_eq!(r2.merged[0].shape, vec![7, 2, 352, 384]);
    }
}
