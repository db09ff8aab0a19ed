/*!
The geometry jobs behind `detcal geometry`: per-pixel arrays of a geometry file as `.npz`,
CrystFEL export and import, default files, and deployment of an (edited) geometry into the
calibration store (psana's `geometry_deploy_constants`, with the spec's fixes: only the options
given change, tilts are kept).
*/

use std::path::{Path, PathBuf};

use ndarray::{ArrayD, IxDyn};
use serde::Serialize;

use crate::NdArray;
use crate::detector::DetType;
use crate::detrun::{DetRun, DetRunSpec};
use crate::error::{Error, Result};
use crate::files::write_bytes_atomic;
use crate::formats::npz::write_npz;
use crate::geometry::repo::Reference;
use crate::geometry::{
    Frame, Geometry, ImageMap, IndexOptions, MaskOptions, Select, WriteOptions, crystfel, defaults,
    repo,
};
use crate::repo::alias::AliasRecord;
use crate::settings::Settings;
use crate::site;
use crate::store::{CalibStore, Deployment, RunRange};

/// What `geometry arrays` computes.
#[derive(Debug, Clone)]
pub struct ArraysOptions {
    /// The geometry file.
    pub geometry: PathBuf,
    /// The coordinate frame.
    pub frame: Frame,
    /// Apply the tilts.
    pub tilt: bool,
    /// One object (name, index) instead of the whole detector.
    pub object: Option<(String, i64)>,
    /// Project x and y on this z plane (µm) before indexing (psana's `get_pixel_xy_at_z`).
    pub zplane: Option<f64>,
    /// Image cell size and margin.
    pub index: IndexOptions,
    /// The geometry mask's bits and widths.
    pub mask: MaskOptions,
    /// Wide pixels at their geometric centre.
    pub wide_pix_center: bool,
    /// The `.npz` to write.
    pub out: PathBuf,
}

/// What `geometry arrays` wrote.
#[derive(Debug, Clone, Serialize)]
pub struct ArraysReport {
    /// The `.npz` written.
    pub out: PathBuf,
    /// psana's shape of every array.
    pub shape: Vec<usize>,
    /// Number of pixels.
    pub pixels: usize,
    /// The cell size used for the indexes, µm.
    pub pixel_scale_size: f64,
    /// (rows, cols) of the assembled image.
    pub image_shape: (usize, usize),
    /// Image cells no pixel falls in.
    pub empty_cells: usize,
    /// Pixels hidden by a later pixel in the same cell.
    pub hidden_pixels: usize,
}

fn nd<T>(data: Vec<T>, shape: &[usize]) -> ArrayD<T> {
    ArrayD::from_shape_vec(IxDyn(shape), data).expect("data fill the shape")
}

/// Writes `x_um`, `y_um`, `z_um`, `areas` (float64), `mask` (uint8), `rows`, `cols` (uint64) of
/// a geometry file to an `.npz`.
pub fn arrays(opts: &ArraysOptions, settings: &Settings) -> Result<ArraysReport> {
    let geo = Geometry::read(&opts.geometry)?.with_wide_pix_center(opts.wide_pix_center);
    let sel = match &opts.object {
        Some((n, i)) => Select::Object(n, *i),
        None => Select::Top,
    };
    let c = geo.coords(sel, opts.frame, opts.tilt)?;
    let (x, y) = match opts.zplane {
        Some(z) => crate::geometry::coords::xy_at_z(&c, Some(z)),
        None => (c.x.clone(), c.y.clone()),
    };
    let s = match opts.index.pix_scale_size {
        Some(s) => s,
        None => geo.pixel_scale_size(sel)?,
    };
    if !(s > 0.0 && s.is_finite()) {
        return Err(Error::bad_arg(
            "pix-scale-size",
            format!("pixel scale size {s} is not a positive number of µm"),
        ));
    }
    let (rows, cols) =
        crate::geometry::coords::pixel_indexes(&x, &y, s, opts.index.xy0_off_pix, opts.frame);
    let map = ImageMap::new(&rows, &cols)?;
    let areas = geo.areas(sel)?;
    let mask = geo.mask(sel, &opts.mask)?;
    let sh = c.shape.clone();
    let pixels = x.len();
    let arrays = [
        ("x_um", NdArray::F64(nd(x, &sh))),
        ("y_um", NdArray::F64(nd(y, &sh))),
        ("z_um", NdArray::F64(nd(c.z, &sh))),
        ("areas", NdArray::F64(nd(areas.data, &sh))),
        ("mask", NdArray::U8(nd(mask.data, &sh))),
        ("rows", NdArray::U64(nd(rows, &sh))),
        ("cols", NdArray::U64(nd(cols, &sh))),
    ];
    let refs: Vec<(&str, &NdArray)> = arrays.iter().map(|(n, a)| (*n, a)).collect();
    write_npz(&opts.out, &refs, &settings.perms)?;
    Ok(ArraysReport {
        out: opts.out.clone(),
        shape: sh,
        pixels,
        pixel_scale_size: s,
        image_shape: map.shape(),
        empty_cells: map.empty_cells(),
        hidden_pixels: map.hidden_pixels(),
    })
}

/// What `geometry crystfel` converts.
#[derive(Debug, Clone)]
pub struct CrystfelOptions {
    /// The geometry file.
    pub geometry: PathBuf,
    /// The frame of the CrystFEL coordinates (psana's default: LAB).
    pub frame: Frame,
    /// The `.geom` to write.
    pub out: PathBuf,
}

/// What `geometry crystfel` wrote.
#[derive(Debug, Clone, Serialize)]
pub struct CrystfelReport {
    /// The `.geom` written.
    pub out: PathBuf,
    /// CrystFEL panels written (one per ASIC).
    pub panels: usize,
}

/// Converts a geometry file to CrystFEL `.geom` text, as psana's `geometry_convert`.
pub fn to_crystfel(opts: &CrystfelOptions, settings: &Settings) -> Result<CrystfelReport> {
    let geo = Geometry::read(&opts.geometry)?;
    let text = crystfel::to_crystfel(&geo, opts.frame)?;
    write_bytes_atomic(&opts.out, text.as_bytes(), &settings.perms)?;
    Ok(CrystfelReport {
        out: opts.out.clone(),
        panels: text.matches("/no_index = ").count(),
    })
}

/// What `geometry from-crystfel` converts.
#[derive(Debug, Clone)]
pub struct FromCrystfelOptions {
    /// The CrystFEL `.geom` file.
    pub input: PathBuf,
    /// The detector type, which gives the segment type and panel names.
    pub det_type: DetType,
    /// The geometry file to write.
    pub out: PathBuf,
}

/// What `geometry from-crystfel` wrote.
#[derive(Debug, Clone, Serialize)]
pub struct FromCrystfelReport {
    /// The geometry file written.
    pub out: PathBuf,
    /// Segments written.
    pub segments: usize,
}

/// Converts a CrystFEL `.geom` file to a psana geometry file.
pub fn from_crystfel(
    opts: &FromCrystfelOptions,
    settings: &Settings,
) -> Result<FromCrystfelReport> {
    let text = std::fs::read(&opts.input).map_err(|e| Error::io(&opts.input, "read", e))?;
    let (bytes, segments) = crystfel::from_crystfel(&text, &opts.input, opts.det_type)?;
    // What is written must read back.
    Geometry::parse(&bytes, &opts.out)?;
    write_bytes_atomic(&opts.out, &bytes, &settings.perms)?;
    Ok(FromCrystfelReport {
        out: opts.out.clone(),
        segments,
    })
}

/// Writes the default geometry of a detector type, or with `shape` (rows, cols) a grid of
/// matrix panels of the type's pixel size.
pub fn write_default(
    det: DetType,
    panels: usize,
    shape: Option<(usize, usize)>,
    out: &Path,
    settings: &Settings,
) -> Result<&'static str> {
    if let Some((rows, cols)) = shape {
        if panels == 0 || rows == 0 || cols == 0 {
            return Err(Error::bad_arg(
                "shape",
                "panels, rows and columns must be positive",
            ));
        }
        let pixel = match det {
            DetType::Jungfrau | DetType::Pnccd => 75.0,
            DetType::Epix100a => 50.0,
            DetType::Cspad | DetType::Cspad2x2 => 109.92,
            _ => 100.0,
        };
        let text = defaults::grid_text(panels, rows, cols, pixel);
        write_bytes_atomic(out, text.as_bytes(), &settings.perms)?;
        return Ok("grid");
    }
    let name = defaults::default_name(det, panels)?;
    let text = defaults::text(name).expect("every default name has a file");
    write_bytes_atomic(out, text.as_bytes(), &settings.perms)?;
    Ok(name)
}

/// Changes to one object's placement; `None` leaves a value as it is.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GeometryEdit {
    /// The parent (name, index) whose single child is edited; `None`: the top object.
    pub parent: Option<(String, i64)>,
    /// New x0, y0, z0 (µm).
    pub pos: [Option<f64>; 3],
    /// New rotations about x, y, z (degrees).
    pub rot: [Option<f64>; 3],
}

impl GeometryEdit {
    /// Whether any value is changed.
    pub fn changes(&self) -> bool {
        self.pos.iter().chain(&self.rot).any(Option::is_some)
    }
}

/// What `geometry deploy` deploys, and where.
#[derive(Debug, Clone)]
pub struct DeployOptions {
    /// The geometry file (or `None`: the repository's, else the type's default, `det_type` and
    /// `panels` needed).
    pub geometry: Option<PathBuf>,
    /// Detector type for the default geometry.
    pub det_type: Option<DetType>,
    /// Panels for the default geometry.
    pub panels: Option<usize>,
    /// The calibration store (`-c`).
    pub calib_dir: Option<PathBuf>,
    /// The experiment, for the store under the data root when `calib_dir` is not given.
    pub exp: Option<String>,
    /// The DetInfo source naming the detector in the store; with `run`, default the run's
    /// `<alias>.0:<Type>.0`.
    pub source: Option<String>,
    /// The runs the deployed file is valid for.
    pub range: RunRange,
    /// Changes to the placement of one object.
    pub edit: GeometryEdit,
    /// Also write the (edited) file here.
    pub out: Option<PathBuf>,
    /// Deploy (`-D`); otherwise only show what would be deployed.
    pub deploy: bool,
    /// Comment for `HISTORY`.
    pub comment: String,
    /// psana's geometry repository (`-o`): with no geometry file, the file of the detector
    /// valid at `tstamp` is taken from it [default with `run`: `$SIT_ROOT/detector/calib/geometry`].
    pub dirrepo: Option<PathBuf>,
    /// The time stamp (`YYYYmmdd[HHMMSS]`, `-t`) for the repository; default the run's.
    pub tstamp: Option<String>,
    /// The run (psana's `-e`/`-r`/`-x`) giving the detector's type, source, panel ids and time
    /// stamp.
    pub run: Option<DetRunSpec>,
    /// psana's `-B`: an ePix10ka-family detector is named in the repository by its source and a
    /// date, not by its alias and a time.
    pub backward: bool,
    /// psana's `-a`: instead of deploying, add the repository reference
    /// `<prefix>_<stamp>.data` -> this file of `<dirrepo>/<dettype>/` (ePix10ka family).
    pub addgeof: Option<PathBuf>,
}

/// What `geometry deploy` did.
#[derive(Debug, Clone, Serialize)]
pub struct DeployReport {
    /// The object edited (name, index), if any.
    pub edited: Option<(String, i64)>,
    /// The file deployed (or that would be); `None` with `addgeof`.
    pub dest: Option<PathBuf>,
    /// Whether it was deployed or linked (false: a dry run).
    pub deployed: bool,
    /// The edited file written with `out`.
    pub out: Option<PathBuf>,
    /// The file taken from the geometry repository, if any.
    pub from_repo: Option<PathBuf>,
    /// The detector's file-name prefix in the repository, if it was needed.
    pub prefix: Option<String>,
    /// The repository reference added (or that would be) with `addgeof`.
    pub reference: Option<Reference>,
}

/// How a detector's files are named in the geometry repository.
struct Naming {
    /// `<dettype>_<alias or source>`; `None`: an alias not assigned yet.
    prefix: Option<String>,
    /// The time stamp for the lookup and the reference name.
    stamp: String,
}

/// The repository naming of the detector (spec §7.2 step 3); with `assign`, a new ePix10ka
/// alias is added to the table.
#[allow(clippy::too_many_arguments)]
fn naming(
    dirrepo: &Path,
    det: DetType,
    source: &str,
    run: Option<&DetRun>,
    tstamp: Option<&str>,
    backward: bool,
    assign: bool,
    settings: &Settings,
) -> Result<Naming> {
    if repo::is_epix10ka_family(det) && !backward {
        let r = run.ok_or_else(|| {
            Error::bad_arg(
                "backwrd",
                format!(
                    "an {} is named in the geometry repository by the alias of its panel ids: \
                     name its run (-e and -r, or -x), or use -B for the source-based name",
                    det.name()
                ),
            )
        })?;
        if r.meta.panel_ids.is_empty() {
            return Err(Error::bad_arg(
                "backwrd",
                format!("{}: the run gives no panel ids; use -B", r.meta.alias),
            ));
        }
        let id = r.meta.panel_ids.join("_");
        let table = repo::alias_table(&dirrepo.join(repo::dettype_dir(det)), det, &settings.perms);
        let alias = if assign {
            Some(table.alias_for(
                &id,
                &AliasRecord {
                    exp: Some(&r.meta.exp),
                    run: Some(r.meta.run),
                    extra: &[],
                },
            )?)
        } else {
            table.find(&id)?
        };
        Ok(Naming {
            prefix: alias.map(|a| repo::alias_prefix(det, &a)),
            stamp: match tstamp {
                Some(t) => t.to_string(),
                None => site::tstamp(r.meta.start),
            },
        })
    } else {
        let stamp = match (tstamp, run) {
            (Some(t), _) => t.to_string(),
            (None, Some(r)) => site::tstamp(r.meta.start)[..8].to_string(),
            (None, None) => {
                return Err(Error::bad_arg(
                    "tstamp",
                    "the geometry repository (-o) needs the time stamp (-t YYYYmmdd[HHMMSS]) to choose a file",
                ));
            }
        };
        Ok(Naming {
            prefix: Some(repo::repo_prefix(det, source)),
            stamp,
        })
    }
}

/// Applies `edit` to `geo`: the single child of the parent gets the given positions and
/// rotations; everything else, tilts included, is kept. Returns the edited object.
pub fn apply_edit(geo: &mut Geometry, edit: &GeometryEdit) -> Result<Option<(String, i64)>> {
    if !edit.changes() && edit.parent.is_none() {
        return Ok(None);
    }
    let p = match &edit.parent {
        Some((n, i)) => geo.object(Select::Object(n, *i))?,
        None => geo.object(Select::Top)?,
    };
    let file = geo.file_mut();
    let parent = &file.objects[p];
    if parent.children.len() != 1 {
        return Err(Error::bad_arg(
            "parent",
            format!(
                "{} {} has {} children; --parent must name an object with exactly one child",
                parent.name,
                parent.index,
                parent.children.len()
            ),
        ));
    }
    let k = parent.children[0];
    let o = &mut file.objects[k];
    let pl = &mut o.placement;
    for (slot, v) in [&mut pl.x0, &mut pl.y0, &mut pl.z0]
        .into_iter()
        .zip(edit.pos)
    {
        if let Some(v) = v {
            *slot = v;
        }
    }
    for (slot, v) in [&mut pl.rot_x, &mut pl.rot_y, &mut pl.rot_z]
        .into_iter()
        .zip(edit.rot)
    {
        if let Some(v) = v {
            *slot = v;
        }
    }
    Ok(Some((o.name.clone(), o.index)))
}

/// Deploys a geometry (edited as asked) into the calibration store with a run range; or, with
/// `addgeof`, adds a reference to the geometry repository.
pub fn deploy(opts: &DeployOptions, settings: &Settings) -> Result<DeployReport> {
    let run = match &opts.run {
        Some(spec) => Some(spec.resolve(None, settings)?),
        None => None,
    };
    let source = match (&run, &opts.source) {
        (Some(r), _) => r.source.clone(),
        (None, Some(s)) => s.clone(),
        (None, None) => {
            return Err(Error::bad_arg(
                "det",
                "name the detector: -d SOURCE (e.g. CxiDs1.0:Jungfrau.0), or its run with -e and -r (or -x)",
            ));
        }
    };
    crate::files::check_component("source", &source)?;
    let det = match (&run, opts.det_type) {
        (Some(r), _) => r.meta.det_type,
        (None, Some(t)) => t,
        (None, None) => DetType::from_source(&source),
    };
    if let Some(t) = &opts.tstamp {
        repo::request_stamp(t)?;
    }
    let use_repo = opts.addgeof.is_some()
        || (opts.geometry.is_none() && (opts.dirrepo.is_some() || run.is_some()));
    let dirrepo = match (&opts.dirrepo, use_repo) {
        (Some(d), _) => Some(d.clone()),
        (None, true) => Some(
            settings
                .sit_root("-o/--dirrepo")?
                .join("detector/calib/geometry"),
        ),
        (None, false) => None,
    };
    if opts.tstamp.is_some() && dirrepo.is_none() {
        return Err(Error::bad_arg(
            "tstamp",
            "-t chooses a file of the geometry repository (-o, or a run's) or names an -a reference; a geometry file given needs no time stamp",
        ));
    }
    let name = |assign: bool, repo: &Path| {
        naming(
            repo,
            det,
            &source,
            run.as_ref(),
            opts.tstamp.as_deref(),
            opts.backward,
            assign,
            settings,
        )
    };
    if let Some(file) = &opts.addgeof {
        let repo = dirrepo.as_deref().expect("a repository with -a");
        if !repo::is_epix10ka_family(det) {
            return Err(Error::bad_arg(
                "addgeof",
                format!(
                    "-a: repository references are for the ePix10ka family (epix10kaquad, \
                     epix10ka2m), not for {}; deploy a {} file by giving it",
                    det.name(),
                    repo::dettype_dir(det)
                ),
            ));
        }
        let dir = repo.join(repo::dettype_dir(det));
        let n = name(false, repo)?;
        repo::request_stamp(&n.stamp)?;
        let link_name = |prefix: &str| format!("{prefix}_{}.data", n.stamp);
        // Checked before a new alias is assigned, so a refused -a writes nothing.
        let placeholder = repo::alias_prefix(det, "<new alias>");
        let mut plan = repo::plan_reference(
            &dir,
            &link_name(n.prefix.as_deref().unwrap_or(&placeholder)),
            file,
        )?;
        let mut prefix = n.prefix;
        if opts.deploy {
            if prefix.is_none() {
                let p = name(true, repo)?.prefix.expect("an assigned alias");
                plan = repo::plan_reference(&dir, &link_name(&p), file)?;
                prefix = Some(p);
            }
            repo::create_reference(&plan)?;
        }
        return Ok(DeployReport {
            edited: None,
            dest: None,
            deployed: opts.deploy,
            out: None,
            from_repo: None,
            prefix: Some(prefix.unwrap_or(placeholder)),
            reference: Some(plan),
        });
    }
    let mut prefix = None;
    let from_repo = match (&opts.geometry, &dirrepo) {
        (None, Some(repo)) => {
            let n = name(false, repo)?;
            let found = match &n.prefix {
                Some(p) => repo::find_for_prefix(repo, det, p, &n.stamp)?,
                None => repo::default_file(repo, det),
            };
            let shown = n
                .prefix
                .clone()
                .unwrap_or_else(|| repo::alias_prefix(det, "<alias>"));
            let found = found.ok_or_else(|| {
                Error::not_found(
                    crate::error::Missing::File,
                    "dirrepo",
                    repo.display().to_string(),
                    format!(
                        "no geometry in {} for {source} at {} (files {shown}_<YYYYmmdd[HHMMSS]>.data or {}_default.data)",
                        repo.join(repo::dettype_dir(det)).display(),
                        n.stamp,
                        repo::dettype_dir(det)
                    ),
                )
            })?;
            prefix = Some(shown);
            Some(found)
        }
        _ => None,
    };
    let given = opts.geometry.as_ref().or(from_repo.as_ref());
    let (mut geo, copy_of) = match (given, opts.det_type) {
        (Some(p), _) => (Geometry::read(p)?, p.display().to_string()),
        (None, Some(t)) => {
            let panels = opts.panels.ok_or_else(|| {
                Error::bad_arg("panels", "the default geometry needs the number of panels")
            })?;
            let name = defaults::default_name(t, panels)?;
            (
                defaults::default_geometry(t, panels)?,
                format!("default:{name}"),
            )
        }
        (None, None) => {
            return Err(Error::bad_arg(
                "geometry",
                "give a geometry file or the detector type (--det-type) for its default",
            ));
        }
    };
    let edited = apply_edit(&mut geo, &opts.edit)?;
    let bytes = if edited.is_some() {
        // A changed position is written with its digits; whole-µm values as psana writes them.
        let b = geo.to_bytes(&WriteOptions {
            exact_positions: true,
        });
        Geometry::parse(&b, Path::new("<edited geometry>"))?;
        b
    } else {
        match given {
            Some(p) => std::fs::read(p).map_err(|e| Error::io(p, "read", e))?,
            None => geo.to_bytes(&WriteOptions {
                exact_positions: true,
            }),
        }
    };
    if let Some(out) = &opts.out {
        write_bytes_atomic(out, &bytes, &settings.perms)?;
    }
    let exp = opts
        .exp
        .as_deref()
        .or(run.as_ref().map(|r| r.meta.exp.as_str()));
    let store = match (&opts.calib_dir, exp) {
        (Some(c), _) => CalibStore::new(c),
        (None, Some(e)) => settings.calib_store(None, e)?,
        (None, None) => {
            return Err(Error::bad_arg(
                "calib-dir",
                "give the calibration directory (-c) or the experiment (-e)",
            ));
        }
    };
    let group = CalibStore::group_for_source(&source)?;
    let d = Deployment {
        group,
        source: &source,
        ctype: "geometry",
        range: opts.range,
        perms: settings.perms.clone(),
        comment: opts.comment.clone(),
    };
    let dir = store.ctype_dir(group, &source, "geometry")?;
    let dest = if opts.deploy {
        let copy = if edited.is_some() {
            format!("{copy_of} (edited)")
        } else {
            copy_of
        };
        store.deploy_bytes(&bytes, &copy, &d)?
    } else {
        dir.join(opts.range.file_name())
    };
    Ok(DeployReport {
        edited,
        dest: Some(dest),
        deployed: opts.deploy,
        out: opts.out.clone(),
        from_repo,
        prefix,
        reference: None,
    })
}

/// The geometry valid for `run` of the detector `source` in `store`, else the default of its
/// type for `panels` panels; with the path or default name it came from.
pub fn for_run(
    store: &CalibStore,
    source: &str,
    run: u32,
    det: DetType,
    panels: usize,
) -> Result<(Geometry, String)> {
    let group = CalibStore::group_for_source(source).unwrap_or(det.calib_group());
    match store.find(group, source, "geometry", run)? {
        Some(p) => Ok((Geometry::read(&p)?, p.display().to_string())),
        None => {
            let name = defaults::default_name(det, panels)?;
            Ok((
                defaults::default_geometry(det, panels)?,
                format!("default geometry {name}"),
            ))
        }
    }
}
