/*!
JUNGFRAU dark constants from the per-panel repository into detector arrays (psana's
`jungfrau_deploy_constants`).

For each panel and each of `pedestals`, `rms`, `status`, `dark_min`, `dark_max`, the file of each
gain index valid for the time stamp is chosen (every gain-mode name of that index competes,
decision 4), the three are stacked into `(3, 1, rows, cols)` and saved beside them as
`<prefix>_<ctype>.txt`; then the panels are stacked into `(3, npanels, rows, cols)` in
`<repo>/merge_tmp/<det>-<tstamp>-<exp>-r<NNNN>-<ctype>.txt`, ready to deploy as `pedestals`,
`pixel_rms`, `pixel_status`, `dark_min` and `dark_max`.
*/

use std::path::PathBuf;

use ndarray::{Array4, ArrayD, s};
use serde::Serialize;

use crate::deploy::{Merged, save_merged};
use crate::error::{Error, Missing, Result};
use crate::files::check_component;
use crate::formats::array::{NdArray, shape_str};
use crate::formats::text::read_text;
use crate::repo::alias::{AliasRecord, AliasTable};
use crate::repo::select::{find_in_dir, jungfrau_gain_patterns};
use crate::repo::{Repo, file_prefix};

/// The constants merged: (calibration type deployed, repository sub-directory, number format).
pub const JUNGFRAU_CTYPES: [(&str, &str, &str); 5] = [
    ("pedestals", "pedestals", "%.3f"),
    ("pixel_rms", "rms", "%.3f"),
    ("pixel_status", "status", "%4i"),
    ("dark_min", "dark_min", "%6i"),
    ("dark_max", "dark_max", "%6i"),
];

/// The alias table of a JUNGFRAU panel repository.
pub fn alias_table(repo: &Repo) -> AliasTable {
    crate::repo::RepoKind::JUNGFRAU.alias_table(repo)
}

/// What to merge.
#[derive(Debug, Clone)]
pub struct MergeRequest<'a> {
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
    /// Use psana's defaults for missing panels and gain modes instead of failing (`-E`).
    pub use_defaults: bool,
}

/// Which file served one panel, constant and gain index (or that the default was used).
#[derive(Debug, Clone, Serialize)]
pub struct Pick {
    /// Panel index.
    pub panel: usize,
    /// Repository sub-directory.
    pub ctype: String,
    /// Gain index.
    pub gain: usize,
    /// The file, or `None` where psana's default was used.
    pub file: Option<PathBuf>,
}

/// The result of a merge.
#[derive(Debug, Clone, Serialize)]
pub struct MergeResult {
    /// The merged detector files, one per calibration type.
    pub merged: Vec<Merged>,
    /// The per-panel `(3, 1, rows, cols)` files written.
    pub panel_files: Vec<PathBuf>,
    /// Which repository file went where.
    pub picks: Vec<Pick>,
}

/// psana's default for a missing gain mode: ones for rms, 16383 for dark_max, zeros otherwise.
fn default_value(ctype: &str) -> f32 {
    match ctype {
        "rms" => 1.0,
        "dark_max" => 16383.0,
        _ => 0.0,
    }
}

/// Merges the dark constants of the request's panels; see the module documentation.
pub fn merge(req: &MergeRequest<'_>) -> Result<MergeResult> {
    check_component("detector name", req.det_name)?;
    let n = req.panel_ids.len();
    let indices = crate::deploy::panel_indices(n, req.panel_indices)?;
    let tstamp = crate::site::parse_tstamp(req.tstamp)?;
    let table = alias_table(req.repo);
    // Per panel: per ctype, the three gain slots, each a (rows, cols) array or missing.
    let mut picks = Vec::new();
    let mut loaded: Vec<Vec<[Option<ArrayD<f32>>; 3]>> = Vec::new();
    let mut shape: Option<(usize, usize)> = None;
    let mut prefixes = Vec::new();
    for &i in &indices {
        let id = &req.panel_ids[i];
        crate::deploy::check_panel_dir(req.repo, i, id, req.use_defaults)?;
        let alias = table.alias_for(
            id,
            &AliasRecord {
                exp: Some(req.exp),
                run: Some(req.run),
                extra: &[],
            },
        )?;
        prefixes.push(file_prefix(
            "jungfrau", &alias, req.tstamp, req.exp, req.run,
        )?);
        let mut per_ctype = Vec::new();
        for (_, ctype, _) in JUNGFRAU_CTYPES {
            let dir = req.repo.ctype_dir(id, ctype)?;
            let mut slots: [Option<ArrayD<f32>>; 3] = Default::default();
            for (g, slot) in slots.iter_mut().enumerate() {
                let pats = jungfrau_gain_patterns(ctype, g);
                let refs: Vec<&str> = pats.iter().map(String::as_str).collect();
                let file = find_in_dir(&dir, &refs, tstamp)?;
                if let Some(f) = &file {
                    let a = read_text(f)?.to_typed::<f32>();
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
                        None => shape = Some(sh),
                        Some(s0) if s0 != sh => {
                            return Err(Error::content(
                                f,
                                format!(
                                    "panel shape {sh:?} differs from {s0:?} of the other files"
                                ),
                            ));
                        }
                        _ => {}
                    }
                    *slot = Some(a);
                } else {
                    let msg = format!(
                        "panel {i} ({id}): no {ctype} file for gain index {g} ({}) at or before {} in {}",
                        pats.iter()
                            .map(|p| p.rsplit('-').next().unwrap_or(p))
                            .collect::<Vec<_>>()
                            .join(" or "),
                        req.tstamp,
                        dir.display()
                    );
                    if !req.use_defaults {
                        return Err(Error::not_found(
                            Missing::Constants,
                            format!("{ctype} g{g} of {id}"),
                            dir.display(),
                            format!("{msg}; use psana's defaults with -E"),
                        ));
                    }
                    tracing::warn!("{msg}: using the default");
                }
                picks.push(Pick {
                    panel: i,
                    ctype: ctype.to_string(),
                    gain: g,
                    file,
                });
            }
            per_ctype.push(slots);
        }
        loaded.push(per_ctype);
    }
    let (rows, cols) = shape.unwrap_or((512, 1024));
    let np = indices.len();
    let merge_tmp = req.repo.merge_tmp()?;
    let mut merged = Vec::new();
    let mut panel_files = Vec::new();
    for (k, (octype, ctype, fmt)) in JUNGFRAU_CTYPES.iter().enumerate() {
        let mut det = Array4::<f32>::zeros((3, np, rows, cols));
        for (pi, &i) in indices.iter().enumerate() {
            let mut panel = Array4::<f32>::zeros((3, 1, rows, cols));
            for (g, slot) in loaded[pi][k].iter().enumerate() {
                let mut dst = panel.slice_mut(s![g, 0, .., ..]);
                match slot {
                    Some(a) => {
                        dst.assign(&a.view().into_dimensionality::<ndarray::Ix2>().expect("2-D"))
                    }
                    None => dst.fill(default_value(ctype)),
                }
            }
            det.slice_mut(s![.., pi..pi + 1, .., ..]).assign(&panel);
            let dir = req.repo.ctype_dir(&req.panel_ids[i], ctype)?;
            let path = dir.join(format!("{}_{ctype}.txt", prefixes[pi]));
            save_merged(
                path.clone(),
                ctype,
                &NdArray::F32(panel.into_dyn()),
                fmt,
                req.repo.perms(),
            )?;
            panel_files.push(path);
        }
        let path = merge_tmp.join(format!(
            "{}-{}-{}-r{:04}-{octype}.txt",
            req.det_name, req.tstamp, req.exp, req.run
        ));
        merged.push(save_merged(
            path,
            octype,
            &NdArray::F32(det.into_dyn()),
            fmt,
            req.repo.perms(),
        )?);
    }
    Ok(MergeResult {
        merged,
        panel_files,
        picks,
    })
}
