/*!
The per-detector-type constants repository of psana's `deploy_constants` (its `RepoManager` v2),
user arrays saved into it, and the bit-wise merge of status maps.

```text
<dirrepo>/<type>/.aliases.txt                                  panel id -> alias
<dirrepo>/<type>/default/<type>_default_<ctype>.txt            defaults for the whole detector
<dirrepo>/<type>/<panel_id>/<ctype>/<type>_<alias>_<tstamp>_<exp>_r<NNNN>_<ctype>[_<gmode>].txt|.dat
<dirrepo>/<type>/merge_tmp/<source>-<tstamp>-<exp>-r<NNNN>-<ctype>.txt
```

Constants are kept per panel; a detector's array is assembled from its panels when deployed
(for a single-panel detector, such as an ePix100a, this is psana's layout exactly, and the file
found is deployed as it is). `status_extra` is the bit-wise OR of every `status_*` map valid
for the time stamp (`status_dark`, `status_user`, ...); a map type with no valid file is skipped
with a warning.
*/

use std::path::{Path, PathBuf};

use ndarray::{ArrayD, Axis, IxDyn};
use serde::Serialize;

use crate::deploy::{Merged, save_merged};
use crate::detector::DetType;
use crate::error::{Error, Missing, Result};
use crate::files::{Perms, check_component, create_dirs};
use crate::formats::array::{NdArray, shape_str};
use crate::formats::pyfmt::PyFormat;
use crate::formats::text::{read_text, write_plain};
use crate::repo::alias::{AliasRecord, AliasTable};
use crate::repo::file_prefix;
use crate::repo::select::select_for_tstamp;

/// The calibration type a `-C` value deploys as (psana's table); other values are refused.
pub fn deployed_ctype(ctype: &str) -> Result<&'static str> {
    Ok(match ctype {
        "gain" | "pixel_gain" => "pixel_gain",
        "rms" | "pixel_rms" => "pixel_rms",
        "status" | "pixel_status" => "pixel_status",
        "status_extra" => "status_extra",
        "common_mode" => "common_mode",
        "geometry" => "geometry",
        "pedestals" => "pedestals",
        "offset" | "pixel_offset" => "pixel_offset",
        "mask" | "pixel_mask" => "pixel_mask",
        _ => {
            return Err(Error::BadName {
                kind: "ctype",
                name: ctype.to_string(),
                reason: "deploy-constants deploys gain, pixel_gain, rms, pixel_rms, status, pixel_status, \
                         status_extra, common_mode, geometry, pedestals, offset, mask"
                    .into(),
            });
        }
    })
}

/// The psana number format of a ctype in this repository.
pub fn ctype_fmt(ctype: &str) -> &'static str {
    match ctype {
        c if crate::detector::is_status_name(c) => "%d",
        "common_mode" => "%d",
        "pedestals" | "pixel_rms" | "rms" => "%.3f",
        _ => "%.4f",
    }
}

/// A `deploy_constants` repository.
#[derive(Debug, Clone)]
pub struct ConstantsRepo {
    root: PathBuf,
    perms: Perms,
}

/// The detector whose constants are handled: its type, panels, and the run they belong to.
#[derive(Debug, Clone)]
pub struct DetRun<'a> {
    /// Detector type.
    pub det_type: DetType,
    /// Panel ids in segment order.
    pub panel_ids: &'a [String],
    /// Experiment.
    pub exp: &'a str,
    /// Run.
    pub run: u32,
    /// Time stamp `YYYYmmddHHMMSS`: selects files and names new ones.
    pub tstamp: &'a str,
    /// DetInfo source (recorded in the alias table, names merged files).
    pub source: &'a str,
}

/// What [`ConstantsRepo::prepare`] found for one panel and ctype.
#[derive(Debug, Clone, Serialize)]
pub struct Found {
    /// Panel index.
    pub panel: usize,
    /// The files used (several for a status merge).
    pub files: Vec<PathBuf>,
}

/// A file ready to deploy, and where it came from.
#[derive(Debug, Clone, Serialize)]
pub struct Prepared {
    /// The file and its deployed ctype.
    pub merged: Merged,
    /// Which repository files went into it.
    pub found: Vec<Found>,
    /// Whether the detector's default file was used.
    pub default: bool,
}

impl ConstantsRepo {
    /// The repository at `root` (`<SIT_ROOT>/detector/calib/constants`).
    pub fn new(root: impl Into<PathBuf>, perms: Perms) -> ConstantsRepo {
        ConstantsRepo {
            root: root.into(),
            perms,
        }
    }

    /// `<root>/<type>`.
    pub fn type_dir(&self, t: DetType) -> PathBuf {
        self.root.join(t.dir_name())
    }

    /// The alias table of a detector type.
    pub fn aliases(&self, t: DetType) -> AliasTable {
        AliasTable::new(self.type_dir(t).join(".aliases.txt"), self.perms.clone())
    }

    /// `<root>/<type>/default/<type>_default_<ctype>.txt`.
    pub fn default_file(&self, t: DetType, ctype: &str) -> Result<PathBuf> {
        check_component("ctype", ctype)?;
        Ok(self
            .type_dir(t)
            .join("default")
            .join(format!("{}_default_{ctype}.txt", t.dir_name())))
    }

    /// Writes the default file of a ctype for a detector type (psana text with header).
    pub fn write_default(
        &self,
        t: DetType,
        ctype: &str,
        arr: &NdArray,
        fmt: Option<&str>,
    ) -> Result<PathBuf> {
        let path = self.default_file(t, ctype)?;
        save_merged(
            path.clone(),
            ctype,
            arr,
            fmt.unwrap_or(ctype_fmt(ctype)),
            &self.perms,
        )?;
        Ok(path)
    }

    /// `<root>/<type>/<panel_id>/<ctype>`.
    pub fn ctype_dir(&self, t: DetType, panel_id: &str, ctype: &str) -> Result<PathBuf> {
        check_component("panel id", panel_id)?;
        check_component("ctype", ctype)?;
        Ok(self.type_dir(t).join(panel_id).join(ctype))
    }

    /// The file-name prefix of a panel for `d`, assigning the panel an alias if it has none.
    fn prefix(&self, d: &DetRun<'_>, panel_id: &str) -> Result<(String, String)> {
        let alias = self.aliases(d.det_type).alias_for(
            panel_id,
            &AliasRecord {
                exp: Some(d.exp),
                run: Some(d.run),
                extra: &[d.source],
            },
        )?;
        let prefix = file_prefix(&d.det_type.dir_name(), &alias, d.tstamp, d.exp, d.run)?;
        Ok((alias, prefix))
    }

    /// Saves a user array in the repository (psana's `save_constants_in_repository`): 2-D for a
    /// single panel, 3-D (panels, rows, cols), or 4-D (gain modes, panels, rows, cols), one
    /// plain-text file per panel (and gain mode, named with `_<mode>`). Returns the files.
    pub fn put(
        &self,
        d: &DetRun<'_>,
        ctype: &str,
        arr: &NdArray,
        fmt: Option<&str>,
    ) -> Result<Vec<PathBuf>> {
        let a = arr.to_f64();
        let n = d.panel_ids.len();
        let (gains, panels): (Vec<Option<usize>>, usize) = match a.shape() {
            [_, _] if n == 1 => (vec![None], 1),
            [p, _, _] if *p == n => (vec![None], n),
            [g, p, _, _] if *p == n => ((0..*g).map(Some).collect(), n),
            other => {
                return Err(Error::shape(
                    ctype,
                    "(rows, cols), (panels, rows, cols) or (gain modes, panels, rows, cols)",
                    other,
                    format!(
                        "a {ctype} array for {n} panel(s) must be (rows, cols) for one panel, (panels, rows, cols) or \
                     (gain modes, panels, rows, cols); found {}",
                        shape_str(other)
                    ),
                ));
            }
        };
        let fmt = PyFormat::parse(fmt.unwrap_or(ctype_fmt(ctype)))?;
        let mut out = Vec::new();
        for (p, id) in d.panel_ids.iter().enumerate().take(panels) {
            for g in &gains {
                let panel: ArrayD<f64> = match (a.ndim(), g) {
                    (2, _) => a.clone(),
                    (3, _) => a.index_axis(Axis(0), p).to_owned(),
                    (_, Some(g)) => a.index_axis(Axis(0), *g).index_axis(Axis(0), p).to_owned(),
                    _ => unreachable!("shapes checked above"),
                };
                out.push(self.write_panel(d, id, ctype, *g, &panel, &fmt)?);
            }
        }
        Ok(out)
    }

    /// Saves the panels `(panels, rows, cols)` of one gain index (a dark step) in the repository,
    /// named with the gain suffix `_g<i>` for multi-gain detectors. Returns the files.
    pub fn put_gain(
        &self,
        d: &DetRun<'_>,
        ctype: &str,
        panels: &[ArrayD<f64>],
        gain: usize,
        fmt: Option<&str>,
    ) -> Result<Vec<PathBuf>> {
        if panels.len() != d.panel_ids.len() {
            return Err(Error::shape(
                ctype,
                d.panel_ids.len().to_string(),
                &[panels.len()],
                format!(
                    "{} panel arrays for {} panels",
                    panels.len(),
                    d.panel_ids.len()
                ),
            ));
        }
        let fmt = PyFormat::parse(fmt.unwrap_or(ctype_fmt(ctype)))?;
        let g = (d.det_type.gain_ranges() > 1).then_some(gain);
        d.panel_ids
            .iter()
            .zip(panels)
            .map(|(id, a)| self.write_panel(d, id, ctype, g, a, &fmt))
            .collect()
    }

    /// Writes one panel's 2-D array as `<prefix>_<ctype>[_<gain>].dat`.
    fn write_panel(
        &self,
        d: &DetRun<'_>,
        id: &str,
        ctype: &str,
        g: Option<usize>,
        panel: &ArrayD<f64>,
        fmt: &PyFormat,
    ) -> Result<PathBuf> {
        let (_, prefix) = self.prefix(d, id)?;
        let dir = self.ctype_dir(d.det_type, id, ctype)?;
        create_dirs(&dir, &self.perms)?;
        let suffix = g
            .map(|g| format!("_{}", gain_suffix(d.det_type, g)))
            .unwrap_or_default();
        let path = dir.join(format!("{prefix}_{ctype}{suffix}.dat"));
        let typed = if crate::detector::is_status_name(ctype) {
            NdArray::U64(panel.mapv(|v| v as u64))
        } else {
            NdArray::F64(panel.clone())
        };
        write_plain(&path, &typed, fmt, &self.perms)?;
        Ok(path)
    }

    /// The file of `ctype` of one panel valid for the time stamp among names starting with the
    /// panel's prefix pattern `<type>_<alias>`, grouped by gain-mode suffix: `(None, file)` for a
    /// file of all gain modes, `(Some(g), file)` for gain index `g`.
    fn find_panel(
        &self,
        d: &DetRun<'_>,
        panel_id: &str,
        ctype: &str,
        tstamp: u64,
    ) -> Result<Vec<(Option<usize>, PathBuf)>> {
        let dir = self.ctype_dir(d.det_type, panel_id, ctype)?;
        let Some(alias) = self.aliases(d.det_type).find(panel_id)? else {
            return Ok(Vec::new());
        };
        let pattern = format!("{}_{alias}_", d.det_type.dir_name());
        let names: Vec<String> = match std::fs::read_dir(&dir) {
            Ok(rd) => rd
                .filter_map(|e| e.ok()?.file_name().into_string().ok())
                .filter(|n| n.starts_with(&pattern))
                .collect(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(Error::io(&dir, "list", e)),
        };
        // Group by what follows "_<ctype>" in the stem.
        let mut groups: std::collections::BTreeMap<Option<usize>, Vec<String>> = Default::default();
        for n in names {
            let stem = n.rsplit_once('.').map_or(n.as_str(), |(s, _)| s);
            let Some(pos) = stem.rfind(&format!("_{ctype}")) else {
                continue;
            };
            let rest = &stem[pos + ctype.len() + 1..];
            let key = match rest.strip_prefix('_') {
                None if rest.is_empty() => None,
                Some(mode) => match gain_of_suffix(d.det_type, mode) {
                    Some(g) => Some(g),
                    None => continue,
                },
                None => continue,
            };
            groups.entry(key).or_default().push(n);
        }
        let mut out = Vec::new();
        for (g, names) in groups {
            if let Some(n) = select_for_tstamp(&names, &[&pattern], tstamp) {
                out.push((g, dir.join(n)));
            }
        }
        Ok(out)
    }

    /// Finds, merges and writes what `deploy_constants -C <ctype>` deploys for the detector:
    /// the repository file valid for the time stamp (per panel), the bit-wise merge for
    /// `status_extra`, or else the detector type's default file.
    pub fn prepare(&self, d: &DetRun<'_>, ctype: &str) -> Result<Option<Prepared>> {
        let octype = deployed_ctype(ctype)?;
        let tstamp = crate::site::parse_tstamp(d.tstamp)?;
        if octype == "status_extra" {
            return self.merge_status(d, tstamp).map(Some);
        }
        // The repository directory: psana's name for gain, rms and status is the -C value.
        let mut per_panel = Vec::new();
        for id in d.panel_ids {
            per_panel.push(self.find_panel(d, id, ctype, tstamp)?);
        }
        if per_panel.iter().all(|f| !f.is_empty()) {
            let found: Vec<Found> = per_panel
                .iter()
                .enumerate()
                .map(|(p, f)| Found {
                    panel: p,
                    files: f.iter().map(|x| x.1.clone()).collect(),
                })
                .collect();
            if d.panel_ids.len() == 1 && per_panel[0].len() == 1 && per_panel[0][0].0.is_none() {
                // One panel, one file: deployed as it is, as psana does.
                let file = per_panel[0][0].1.clone();
                let shape = read_text(&file)?.shape().to_vec();
                return Ok(Some(Prepared {
                    merged: Merged {
                        ctype: octype.into(),
                        file,
                        shape,
                    },
                    found,
                    default: false,
                }));
            }
            let arr = assemble(d.det_type, &per_panel, |p| Ok(read_text(p)?.to_f64()))?;
            let arr = if crate::detector::is_status_name(octype) {
                NdArray::U64(arr.mapv(|v| v as u64))
            } else {
                NdArray::F32(arr.mapv(|v| v as f32))
            };
            let file = self.merge_tmp_file(d, octype)?;
            let merged = save_merged(file, octype, &arr, ctype_fmt(octype), &self.perms)?;
            return Ok(Some(Prepared {
                merged,
                found,
                default: false,
            }));
        }
        if let Some(p) = per_panel.iter().position(|f| f.is_empty())
            && per_panel.iter().any(|f| !f.is_empty())
        {
            tracing::warn!(
                "panel {p} ({}) has no {ctype} file valid for {}; using the default file",
                d.panel_ids[p],
                d.tstamp
            );
        }
        let def = self.default_file(d.det_type, ctype)?;
        if !def.is_file() {
            tracing::warn!(
                "no {ctype} constants for {} valid for {} and no default file {}: nothing to deploy",
                d.det_type,
                d.tstamp,
                def.display()
            );
            return Ok(None);
        }
        let shape = read_text(&def)?.shape().to_vec();
        Ok(Some(Prepared {
            merged: Merged {
                ctype: octype.into(),
                file: def,
                shape,
            },
            found: Vec::new(),
            default: true,
        }))
    }

    fn merge_tmp_file(&self, d: &DetRun<'_>, octype: &str) -> Result<PathBuf> {
        check_component("source", d.source)?;
        Ok(self.type_dir(d.det_type).join("merge_tmp").join(format!(
            "{}-{}-{}-r{:04}-{octype}.txt",
            d.source, d.tstamp, d.exp, d.run
        )))
    }

    /// ORs every `status_*` map (except `status_merged`) valid for the time stamp, per panel,
    /// saves each panel's `status_merged`, and assembles the detector's `status_extra`.
    fn merge_status(&self, d: &DetRun<'_>, tstamp: u64) -> Result<Prepared> {
        let mut per_panel: Vec<Vec<(Option<usize>, PathBuf)>> = Vec::new();
        for id in d.panel_ids {
            let pdir = self
                .type_dir(d.det_type)
                .join(check_component("panel id", id)?);
            let mut types: Vec<String> = match std::fs::read_dir(&pdir) {
                Ok(rd) => rd
                    .filter_map(|e| e.ok())
                    .filter(|e| e.path().is_dir())
                    .filter_map(|e| e.file_name().into_string().ok())
                    .filter(|n| n.contains("status_") && n != "status_merged")
                    .collect(),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
                Err(e) => return Err(Error::io(&pdir, "list", e)),
            };
            types.sort();
            let mut files = Vec::new();
            for t in &types {
                let f = self.find_panel(d, id, t, tstamp)?;
                if f.is_empty() {
                    tracing::warn!(
                        "{}: no {t} file valid for {}; skipped in the status merge",
                        pdir.join(t).display(),
                        d.tstamp
                    );
                }
                files.extend(f);
            }
            per_panel.push(files);
        }
        if per_panel.iter().all(Vec::is_empty) {
            return Err(Error::not_found(
                Missing::Constants,
                "status_* maps",
                self.type_dir(d.det_type).display(),
                format!(
                    "no status_* maps valid for {} in {} for panels {}",
                    d.tstamp,
                    self.type_dir(d.det_type).display(),
                    d.panel_ids.join(", ")
                ),
            ));
        }
        let words = assemble_or(d.det_type, &per_panel)?;
        // Each panel's own merge is kept, as psana keeps status_merged.
        let fmt = PyFormat::parse("%d")?;
        for (p, id) in d.panel_ids.iter().enumerate() {
            let (_, prefix) = self.prefix(d, id)?;
            let dir = self.ctype_dir(d.det_type, id, "status_merged")?;
            let panel = panel_of(&words, d.det_type, d.panel_ids.len(), p);
            crate::formats::text::write_text(
                &dir.join(format!("{prefix}_status_merged.txt")),
                &NdArray::U64(panel),
                &crate::formats::text::TextOptions {
                    fmt: fmt.clone(),
                    comments: Vec::new(),
                    add_metadata: true,
                },
                &self.perms,
            )?;
        }
        let file = self.merge_tmp_file(d, "status_extra")?;
        let merged = save_merged(
            file,
            "status_extra",
            &NdArray::U64(words),
            "%d",
            &self.perms,
        )?;
        let found = per_panel
            .iter()
            .enumerate()
            .map(|(p, f)| Found {
                panel: p,
                files: f.iter().map(|x| x.1.clone()).collect(),
            })
            .collect();
        Ok(Prepared {
            merged,
            found,
            default: false,
        })
    }
}

/// The name of gain index `g` in file-name suffixes: `g0`, `g1`, `g2` for JUNGFRAU, the mode
/// names for ePix10ka, `g<g>` otherwise.
pub fn gain_suffix(t: DetType, g: usize) -> String {
    match t.gain_modes() {
        m if t.gain_ranges() == 7 => m.get(g).map_or(format!("g{g}"), |m| m.name.to_string()),
        _ => format!("g{g}"),
    }
}

fn gain_of_suffix(t: DetType, s: &str) -> Option<usize> {
    (0..t.gain_ranges().max(1)).find(|&g| gain_suffix(t, g) == s)
}

/// The shape of a detector array of `n` panels of (rows, cols).
fn det_shape(t: DetType, n: usize, rows: usize, cols: usize) -> Vec<usize> {
    match t.gain_ranges() {
        1 if n == 1 => vec![rows, cols],
        1 => vec![n, rows, cols],
        g => vec![g, n, rows, cols],
    }
}

/// Assembles panel files into a detector array: a file for all gain modes (2-D, or 3-D with the
/// gain modes first) or one per gain index (2-D).
fn assemble(
    t: DetType,
    per_panel: &[Vec<(Option<usize>, PathBuf)>],
    load: impl Fn(&Path) -> Result<ArrayD<f64>>,
) -> Result<ArrayD<f64>> {
    let names = Names {
        array: "panel array",
        panel: "panel",
        none: "no files to assemble",
    };
    assemble_with(t, per_panel, load, &names, |d, s| *d = s)
}

/// Assembles panel status files with bit-wise OR.
fn assemble_or(t: DetType, per_panel: &[Vec<(Option<usize>, PathBuf)>]) -> Result<ArrayD<u64>> {
    let names = Names {
        array: "status map",
        panel: "map",
        none: "no status maps",
    };
    let load = |p: &Path| Ok(read_text(p)?.to_typed::<u64>());
    assemble_with(t, per_panel, load, &names, |d, s| *d |= s)
}

/// What [`assemble_with`]'s messages call the arrays.
struct Names {
    array: &'static str,
    panel: &'static str,
    none: &'static str,
}

/// Puts each panel file (all gain modes, or one gain index) into its place of the detector
/// array, combining each value with what is there by `combine`.
fn assemble_with<T: Copy + Default>(
    t: DetType,
    per_panel: &[Vec<(Option<usize>, PathBuf)>],
    load: impl Fn(&Path) -> Result<ArrayD<T>>,
    names: &Names,
    combine: impl Fn(&mut T, T),
) -> Result<ArrayD<T>> {
    let n = per_panel.len();
    let ng = t.gain_ranges();
    let mut out: Option<ArrayD<T>> = None;
    for (p, files) in per_panel.iter().enumerate() {
        for (g, file) in files {
            let a = load(file)?;
            let (rows, cols) = match a.shape() {
                [r, c] => (*r, *c),
                [gg, r, c] if *gg == ng && g.is_none() => (*r, *c),
                other => {
                    return Err(Error::content(
                        file,
                        format!("unexpected {} shape {}", names.array, shape_str(other)),
                    ));
                }
            };
            let arr = out.get_or_insert_with(|| {
                ArrayD::from_elem(IxDyn(&det_shape(t, n, rows, cols)), T::default())
            });
            if arr.shape()[arr.ndim() - 2..] != [rows, cols] {
                return Err(Error::content(
                    file,
                    format!(
                        "{} shape ({rows}, {cols}) differs from the other panels'",
                        names.panel
                    ),
                ));
            }
            let gains: Vec<usize> = match g {
                Some(g) => vec![*g],
                None => (0..ng).collect(),
            };
            for gi in gains {
                let mut dst = panel_view(arr, t, n, p, gi);
                let src = if a.ndim() == 3 {
                    a.index_axis(Axis(0), gi)
                } else {
                    a.view()
                };
                dst.zip_mut_with(&src, |d, s| combine(d, *s));
            }
        }
    }
    out.ok_or_else(|| Error::not_found(Missing::File, names.array, "", names.none))
}

/// The (rows, cols) view of panel `p`, gain `g` of a detector array.
fn panel_view<T>(
    arr: &mut ArrayD<T>,
    t: DetType,
    n: usize,
    p: usize,
    g: usize,
) -> ndarray::ArrayViewMutD<'_, T> {
    match (t.gain_ranges(), n) {
        (1, 1) => arr.view_mut(),
        (1, _) => arr.index_axis_mut(Axis(0), p).into_dyn(),
        _ => arr
            .index_axis_mut(Axis(0), g)
            .index_axis_move(Axis(0), p)
            .into_dyn(),
    }
}

/// Panel `p` of a detector array: (gains, rows, cols) for multi-gain types, else (rows, cols).
fn panel_of(arr: &ArrayD<u64>, t: DetType, n: usize, p: usize) -> ArrayD<u64> {
    match (t.gain_ranges(), n) {
        (1, 1) => arr.clone(),
        (1, _) => arr.index_axis(Axis(0), p).to_owned(),
        _ => arr.index_axis(Axis(1), p).to_owned(),
    }
}
