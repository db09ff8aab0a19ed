//! `detcal geometry`: pixel coordinates, CrystFEL conversion, default files and deployment of
//! psana geometry files (psana's GeometryAccess, geometry_convert, geometry_deploy_constants).

use std::path::PathBuf;
use std::process::ExitCode;

use detcal::detector::DetType;
use detcal::detrun::DetRunSpec;
use detcal::geometry::{Frame, IndexOptions, MaskOptions};
use detcal::pipeline::geometry::{
    self as pipe, ArraysOptions, CrystfelOptions, DeployOptions, FromCrystfelOptions, GeometryEdit,
};
use detcal::store::RunRange;

use crate::args::{CalibDirArg, PermArgs};
use crate::cli::EXIT_OK;
use crate::output::Verbosity;

pub const AFTER_HELP: &str = "\
A geometry file (calibration type 'geometry') places every segment of a detector: one line per
object, PARENT IND OBJECT IND X0 Y0 Z0 ROT_Z ROT_Y ROT_X TILT_Z TILT_Y TILT_X (µm, degrees).
Coordinates, masks, indexes and images are psana's (LCLS-I) bit for bit. cframe 0 is psana's
frame (x down, y right, seen from the IP), cframe 1 the LAB frame (y up, z along the beam).

EXAMPLES:
    detcal geometry default --det-type jungfrau --panels 8 --out jf4m.data
    detcal geometry arrays jf4m.data --out jf4m.npz
    detcal geometry crystfel jf4m.data --out jf4m.geom
    detcal geometry from-crystfel jf4m.geom --det-type jungfrau --out jf4m-back.data
    detcal geometry deploy jf4m.data -c calib -d CxiDs1.0:Jungfrau.0 -R 5-end --posz -120000 -D";

const ARRAYS_AFTER_HELP: &str = "\
The .npz holds x_um, y_um, z_um, areas (float64), mask (uint8, 1 good), rows and cols (uint64,
image indexes), each in psana's shape: (1, 8, 512, 1024) for a JUNGFRAU 4M. With --zplane, x_um
and y_um are projected on that plane and rows/cols index the projection. An image is
img[rows, cols] = value, the last pixel of a cell winning, empty cells 0.

EXAMPLES:
    detcal geometry arrays jf4m.data --out jf4m.npz
    detcal geometry arrays jf4m.data --cframe 1 --oname JUNGFRAU:V2 --oindex 3 --mbits 1 \\
        --out seg3.npz";

const CRYSTFEL_AFTER_HELP: &str = "\
psana's geometry_convert text, byte for byte, for EPIX10KA:V1/V2 (1, 4, 16 segments),
JUNGFRAU:V1 (1, 2, 8) and SENS2X1:V1, PNCCD, MTRX:V2:512:512:75:75; also JUNGFRAU:V2 and
32-segment JUNGFRAU, which psana refuses. corner_x/corner_y are, as psana writes them, the centre
of each ASIC's first pixel (CrystFEL reads a corner: half a pixel off).

EXAMPLE:
    detcal geometry crystfel jf4m.data --out jf4m.geom";

const FROM_CRYSTFEL_AFTER_HELP: &str = "\
Each segment is taken from its first ASIC (p<n>a0): fs/ss give its rotations (nearest multiple of
90 degrees plus a tilt), corner_x/corner_y/coffset its position. Segment types: jungfrau ->
JUNGFRAU:V2, epix10ka -> EPIX10KA:V2, cspad -> SENS2X1:V1, pnccd -> MTRX:V2:512:512:75:75.

EXAMPLE:
    detcal geometry from-crystfel jf4m.geom --det-type jungfrau --out jf4m-back.data";

const DEFAULT_AFTER_HELP: &str = "\
Defaults: jungfrau with 1, 2, 8 or 32 panels (0.5M, 1M, 4M, 16M), epix10kaquad (or
epix10ka2m/epix10ka with 4 panels), epix10ka2m with 16, epix100a, cspad with 32, cspad2x2, pnccd
with 4. With --shape: panels of that many pixels (MTRX:V2 segments of the
type's pixel size) stacked top to bottom 1 mm apart.

EXAMPLES:
    detcal geometry default --det-type jungfrau --panels 8 --out jf4m.data
    detcal geometry default --det-type jungfrau --panels 2 --shape 64x256 --out sim.data
    detcal geometry default --det-type jungfrau --panels 8 -o geo/jungfrau/jungfrau_default.data";

const DEPLOY_AFTER_HELP: &str = "\
Copies the geometry file (or the type's default) to
<calib-dir>/<group>/<source>/geometry/<begin>-<end>.data and appends a HISTORY line. --posx ...
--rotz change the single child of --parent (default: the top object, e.g. the camera under
IP); only the values given change, tilts are kept. Without -D nothing is written.
Also installed as psana's geometry_deploy_constants.

Without a GEOMETRY file the file comes from psana's geometry repository (-o DIR, default with a
run $SIT_ROOT/detector/calib/geometry): in DIR/<dettype>/ the latest <prefix>_<stamp>.data
(.dat, .txt) whose stamp is not after the time stamp (a date alone means the whole day), else
DIR/<dettype>/<dettype>_default.data. The prefix is <dettype>_<source, ':' and '.' as '-'> with
a date stamp (jungfrau_CxiDs1-0-Jungfrau-0_20240301.data); for the ePix10ka family
(epix10kaquad, epix10ka2m) <dettype>_<alias> with a YYYYmmddHHMMSS stamp, the alias of the
panel ids in DIR/<dettype>/.aliases-<dettype>.txt (-B: the source-based name and a date).

The detector, its type, panel ids and time stamp come from a run with -x, or with -e and -r when
no GEOMETRY or --det-type is given; -d is then its DAQ alias (or a source naming it in the
store); -t replaces the run's time stamp. Without a run, -d is the source and -t is needed.

-a FILE (ePix10ka family) deploys nothing: it adds the reference DIR/<dettype>/<prefix>_<stamp>.data,
a relative symbolic link to FILE, which must already be in DIR/<dettype>/; an existing reference
is never replaced. A new panel-id set gets its alias only then (with -D).

EXAMPLES:
    detcal geometry deploy jf4m.data -c calib -d CxiDs1.0:Jungfrau.0 -R 5-end --posz -120000 -D
    geometry_deploy_constants jf4m.data -c calib -d CxiDs1.0:Jungfrau.0 -r 7 --rotz 90 -D
    geometry_deploy_constants -o geo -t 20240301 -c calib -d CxiDs1.0:Jungfrau.0 -r 7 -D
    geometry_deploy_constants -e xpptut15 -r 1 -x :dir=idata/XPP/xpptut15/xtc -d jungfrau \\
        -o geo -c geocalib -D
    geometry_deploy_constants -x exp=xpptut15:run=1:dir=idata/XPP/xpptut15/xtc -o geo \\
        -c calib -l WARNING";

/// Geometry files: pixel coordinates, CrystFEL conversion, defaults and deployment.
#[derive(Debug, clap::Subcommand)]
pub enum Args {
    /// Write per-pixel coordinates, areas, mask and image indexes of a geometry as .npz.
    #[command(after_help = ARRAYS_AFTER_HELP)]
    Arrays(ArraysArgs),
    /// Convert a geometry to CrystFEL .geom (psana geometry_convert).
    #[command(after_help = CRYSTFEL_AFTER_HELP)]
    Crystfel(CrystfelArgs),
    /// Convert a CrystFEL .geom to a psana geometry file.
    #[command(name = "from-crystfel", after_help = FROM_CRYSTFEL_AFTER_HELP)]
    FromCrystfel(FromCrystfelArgs),
    /// Write the default geometry of a detector type.
    #[command(after_help = DEFAULT_AFTER_HELP)]
    Default(DefaultArgs),
    /// Deploy a geometry, optionally edited, into the calibration store (psana
    /// geometry_deploy_constants).
    #[command(after_help = DEPLOY_AFTER_HELP)]
    Deploy(Box<DeployArgs>),
}

fn parse_cframe(s: &str) -> Result<Frame, String> {
    match s {
        "0" => Ok(Frame::Psana),
        "1" => Ok(Frame::Lab),
        _ => Err(format!("{s:?}: expected 0 (psana frame) or 1 (LAB frame)")),
    }
}

fn parse_mbits(s: &str) -> Result<u32, String> {
    let r = if let Some(o) = s.strip_prefix("0o") {
        u32::from_str_radix(o, 8)
    } else if let Some(x) = s.strip_prefix("0x") {
        u32::from_str_radix(x, 16)
    } else {
        s.parse()
    };
    r.map_err(|_| format!("{s:?}: expected a number (decimal, 0o octal or 0x hex)"))
}

fn parse_pair(s: &str) -> Result<(f64, f64), String> {
    s.split_once(',')
        .and_then(|(a, b)| Some((a.trim().parse().ok()?, b.trim().parse().ok()?)))
        .ok_or_else(|| format!("{s:?}: expected ROWS,COLS, e.g. 10,20"))
}

/// `geometry arrays`.
#[derive(Debug, clap::Args)]
pub struct ArraysArgs {
    /// The geometry file.
    #[arg(value_name = "GEOMETRY")]
    pub geometry: PathBuf,
    /// Coordinate frame: 0 psana, 1 LAB.
    #[arg(long, value_name = "0|1", default_value = "0", value_parser = parse_cframe)]
    pub cframe: Frame,
    /// Ignore the tilts.
    #[arg(long)]
    pub no_tilt: bool,
    /// Only this object (e.g. JUNGFRAU:V2), in its parent's frame.
    #[arg(long, value_name = "NAME")]
    pub oname: Option<String>,
    /// Index of --oname.
    #[arg(long, value_name = "I", default_value_t = 0, requires = "oname")]
    pub oindex: i64,
    /// Project x, y on the plane z = Z (µm) before indexing.
    #[arg(long, value_name = "Z", allow_negative_numbers = true)]
    pub zplane: Option<f64>,
    /// Image cell size in µm [default: the segment's pixel size].
    #[arg(long, value_name = "UM")]
    pub pix_scale_size: Option<f64>,
    /// Empty margin of R rows and C columns before the first pixel.
    #[arg(long, value_name = "R,C", value_parser = parse_pair)]
    pub xy0_off_pix: Option<(f64, f64)>,
    /// Geometry mask bits: 1 edges, 2 ASIC borders, 4/8/16 CSPAD unbonded pixels.
    #[arg(long, value_name = "B", default_value = "0o377", value_parser = parse_mbits)]
    pub mbits: u32,
    /// Edge rows/columns masked with bit 1.
    #[arg(long, value_name = "W", default_value_t = 1)]
    pub width: usize,
    /// Rows/columns masked on each side of ASIC borders with bit 2.
    #[arg(long, value_name = "W", default_value_t = 1)]
    pub wcentral: usize,
    /// Place wide pixels at their geometric centre (psana's use_wide_pix_center).
    #[arg(long)]
    pub wide_pix_center: bool,
    /// The .npz to write.
    #[arg(short, long, value_name = "ARRAYS.npz")]
    pub out: PathBuf,
    #[command(flatten)]
    pub perms: PermArgs,
}

/// `geometry crystfel`.
#[derive(Debug, clap::Args)]
pub struct CrystfelArgs {
    /// The geometry file.
    #[arg(value_name = "GEOMETRY")]
    pub geometry: PathBuf,
    /// Coordinate frame of the CrystFEL file: 0 psana, 1 LAB (psana's default).
    #[arg(long, value_name = "0|1", default_value = "1", value_parser = parse_cframe)]
    pub cframe: Frame,
    /// The .geom to write.
    #[arg(short, long, value_name = "FILE.geom")]
    pub out: PathBuf,
    #[command(flatten)]
    pub perms: PermArgs,
}

/// `geometry from-crystfel`.
#[derive(Debug, clap::Args)]
pub struct FromCrystfelArgs {
    /// The CrystFEL .geom file.
    #[arg(value_name = "FILE.geom")]
    pub input: PathBuf,
    /// Detector type: jungfrau, epix10ka, epix10kaquad, epix10ka2m, cspad, pnccd.
    #[arg(long = "det-type", visible_alias = "dettype", value_name = "TYPE")]
    pub det_type: DetType,
    /// The geometry file to write.
    #[arg(short, long, value_name = "GEOMETRY.data")]
    pub out: PathBuf,
    #[command(flatten)]
    pub perms: PermArgs,
}

/// `geometry default`.
#[derive(Debug, clap::Args)]
pub struct DefaultArgs {
    /// Detector type (jungfrau, epix10kaquad, epix100a, ...).
    #[arg(long = "det-type", value_name = "TYPE")]
    pub det_type: DetType,
    /// Number of panels (segments).
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub panels: usize,
    /// Instead of the type's file: a grid of panels of ROWSxCOLS pixels of the type's pixel size
    /// (simulated detectors, panel sizes without a default).
    #[arg(long, value_name = "ROWSxCOLS")]
    pub shape: Option<String>,
    /// The geometry file to write.
    #[arg(short, long, value_name = "GEOMETRY.data")]
    pub out: PathBuf,
    #[command(flatten)]
    pub perms: PermArgs,
}

/// `geometry deploy` (psana's geometry_deploy_constants).
#[derive(Debug, clap::Args)]
pub struct DeployArgs {
    /// The geometry file [default: the repository's file for the run or -t, else the default
    /// of --det-type with --panels].
    #[arg(
        value_name = "GEOMETRY",
        required_unless_present_any = ["det_type", "dirrepo", "dsnamex", "exp", "addgeof"]
    )]
    pub geometry: Option<PathBuf>,
    /// psana's geometry repository: without GEOMETRY, take the detector's file valid for the run
    /// (or -t) from <DIR>/<dettype>/ [default with a run: $SIT_ROOT/detector/calib/geometry].
    #[arg(
        short = 'o',
        long = "dirrepo",
        value_name = "DIR",
        conflicts_with = "geometry"
    )]
    pub dirrepo: Option<PathBuf>,
    /// Time stamp YYYYmmdd or YYYYmmddHHMMSS for the repository [default: the run's].
    #[arg(short = 't', long = "tstamp", value_name = "STAMP")]
    pub tstamp: Option<String>,
    /// Detector type, for its default geometry.
    #[arg(long = "det-type", value_name = "TYPE", conflicts_with = "dsnamex")]
    pub det_type: Option<DetType>,
    /// Number of panels, for the default geometry.
    #[arg(long, value_name = "N")]
    pub panels: Option<usize>,
    #[command(flatten)]
    pub calib: CalibDirArg,
    /// Experiment: its calibration directory under SIT_PSDM_DATA, and with -r (no GEOMETRY) the
    /// run whose detector is deployed.
    #[arg(short, long, value_name = "EXP")]
    pub exp: Option<String>,
    /// psana's dataset text: appended to exp=<EXP>:run=<RUN> if it starts with ':' (e.g.
    /// :dir=/path/to/xtc), else the whole dataset (exp=...:run=..., or an .xtc2 file).
    #[arg(short = 'x', long = "dsnamex", value_name = "TEXT")]
    pub dsnamex: Option<String>,
    #[command(flatten)]
    pub root: crate::args::DataDirArg,
    /// The detector: a DetInfo source naming it in the store (e.g. CxiDs1.0:Jungfrau.0), or
    /// with a run its DAQ alias (store source <alias>.0:<Type>.0) [default with a run: the only
    /// detector with raw data].
    #[arg(
        short = 'd',
        long = "det",
        visible_alias = "source",
        value_name = "SRC"
    )]
    pub source: Option<String>,
    /// Valid from this run on (<run>-end.data); with -e (no GEOMETRY), the run whose detector is
    /// deployed.
    #[arg(short, long, value_name = "N", conflicts_with = "runrange")]
    pub run: Option<u32>,
    /// Validity, e.g. 10-20 or 10-end [default: <run>-end, else 0-end].
    #[arg(
        short = 'R',
        long = "runrange",
        visible_alias = "run-range",
        value_name = "B-E"
    )]
    pub runrange: Option<RunRange>,
    /// Deploy into the calibration store, or add the -a reference (without it: a dry run).
    #[arg(short = 'D', long = "deploy")]
    pub deploy: bool,
    /// ePix10ka family: name the detector's repository files by its source and a date
    /// (<dettype>_<source>_<YYYYmmdd>) instead of its alias and time (psana's --backwrd).
    #[arg(short = 'B', long = "backwrd", visible_alias = "backward")]
    pub backwrd: bool,
    /// ePix10ka family: instead of deploying, add the repository reference
    /// <dirrepo>/<dettype>/<prefix>_<stamp>.data, a relative symbolic link to FILE, which must
    /// be in that directory (refused if the reference exists).
    #[arg(
        short = 'a',
        long = "addgeof",
        value_name = "FILE",
        conflicts_with = "geometry"
    )]
    pub addgeof: Option<PathBuf>,
    /// Messages shown: DEBUG, INFO, WARNING, ERROR (or CRITICAL) (psana's --loglev).
    #[arg(
        short = 'l',
        long = "loglev",
        value_name = "LEVEL",
        default_value = "INFO",
        value_parser = parse_loglev
    )]
    pub loglev: Verbosity,
    /// Parent whose single child is edited, NAME or NAME:INDEX... as in the file [default: the
    /// top object].
    #[arg(long, value_name = "NAME")]
    pub parent: Option<String>,
    /// Index of --parent.
    #[arg(long, value_name = "I", default_value_t = 0)]
    pub parent_index: i64,
    /// New x0 of the edited object (µm).
    #[arg(long, value_name = "UM", allow_negative_numbers = true)]
    pub posx: Option<f64>,
    /// New y0 (µm).
    #[arg(long, value_name = "UM", allow_negative_numbers = true)]
    pub posy: Option<f64>,
    /// New z0 (µm).
    #[arg(long, value_name = "UM", allow_negative_numbers = true)]
    pub posz: Option<f64>,
    /// New rotation about x (degrees).
    #[arg(long, value_name = "DEG", allow_negative_numbers = true)]
    pub rotx: Option<f64>,
    /// New rotation about y (degrees).
    #[arg(long, value_name = "DEG", allow_negative_numbers = true)]
    pub roty: Option<f64>,
    /// New rotation about z (degrees).
    #[arg(long, value_name = "DEG", allow_negative_numbers = true)]
    pub rotz: Option<f64>,
    /// Also write the (edited) geometry here (no -o: psana's -o is its repository).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Comment for the HISTORY line.
    #[arg(long, value_name = "TEXT", default_value = "")]
    pub comment: String,
    #[command(flatten)]
    pub perms: PermArgs,
}

/// psana's log level names (Python's logging): how much is said on stderr.
fn parse_loglev(s: &str) -> Result<Verbosity, String> {
    match s.to_ascii_uppercase().as_str() {
        "DEBUG" | "NOTSET" => Ok(Verbosity::Verbose),
        "INFO" => Ok(Verbosity::Normal),
        "WARNING" | "WARN" => Ok(Verbosity::Warnings),
        "ERROR" | "CRITICAL" | "FATAL" => Ok(Verbosity::Quiet),
        _ => Err(format!(
            "{s:?}: expected DEBUG, INFO, WARNING, ERROR or CRITICAL"
        )),
    }
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    match a {
        Args::Arrays(a) => arrays(a),
        Args::Crystfel(a) => crystfel(a),
        Args::FromCrystfel(a) => from_crystfel(a),
        Args::Default(a) => default(a),
        Args::Deploy(a) => deploy(*a),
    }
}

fn arrays(a: ArraysArgs) -> anyhow::Result<ExitCode> {
    let settings = crate::args::settings(&a.perms, None);
    let opts = ArraysOptions {
        geometry: a.geometry,
        frame: a.cframe,
        tilt: !a.no_tilt,
        object: a.oname.map(|n| (n, a.oindex)),
        zplane: a.zplane,
        index: IndexOptions {
            pix_scale_size: a.pix_scale_size,
            xy0_off_pix: a.xy0_off_pix,
        },
        mask: MaskOptions {
            mbits: a.mbits,
            width: a.width,
            wcentral: a.wcentral,
        },
        wide_pix_center: a.wide_pix_center,
        out: a.out,
    };
    let r = pipe::arrays(&opts, &settings)?;
    tracing::info!(
        "{} pixels of shape {:?}; image {} x {} at {} µm, {} empty cells, {} hidden pixels",
        r.pixels,
        r.shape,
        r.image_shape.0,
        r.image_shape.1,
        r.pixel_scale_size,
        r.empty_cells,
        r.hidden_pixels
    );
    println!("{}", r.out.display());
    Ok(ExitCode::from(EXIT_OK))
}

fn crystfel(a: CrystfelArgs) -> anyhow::Result<ExitCode> {
    let settings = crate::args::settings(&a.perms, None);
    let opts = CrystfelOptions {
        geometry: a.geometry,
        frame: a.cframe,
        out: a.out,
    };
    let r = pipe::to_crystfel(&opts, &settings)?;
    tracing::info!("{} CrystFEL panels", r.panels);
    println!("{}", r.out.display());
    Ok(ExitCode::from(EXIT_OK))
}

fn from_crystfel(a: FromCrystfelArgs) -> anyhow::Result<ExitCode> {
    let settings = crate::args::settings(&a.perms, None);
    let opts = FromCrystfelOptions {
        input: a.input,
        det_type: a.det_type,
        out: a.out,
    };
    let r = pipe::from_crystfel(&opts, &settings)?;
    tracing::info!("{} segments", r.segments);
    println!("{}", r.out.display());
    Ok(ExitCode::from(EXIT_OK))
}

fn default(a: DefaultArgs) -> anyhow::Result<ExitCode> {
    let settings = crate::args::settings(&a.perms, None);
    let shape = a
        .shape
        .as_deref()
        .map(crate::args::parse_shape)
        .transpose()?;
    let name = pipe::write_default(a.det_type, a.panels, shape, &a.out, &settings)?;
    tracing::info!("default geometry {name}");
    println!("{}", a.out.display());
    Ok(ExitCode::from(EXIT_OK))
}

fn deploy(a: DeployArgs) -> anyhow::Result<ExitCode> {
    let settings = crate::args::settings(&a.perms, a.root.data_dir.as_deref());
    let range = match (a.runrange, a.run) {
        (Some(r), _) => r,
        (None, Some(run)) => RunRange::from_run(run),
        (None, None) => RunRange::from_run(0),
    };
    if let Some(x) = &a.dsnamex
        && x.starts_with(':')
        && (a.exp.is_none() || a.run.is_none())
    {
        anyhow::bail!(
            "-x {x}: a text starting with ':' is appended to exp=<EXP>:run=<RUN>; give -e and -r"
        );
    }
    // The detector comes from a run with -x, or with -e and -r when no file or type is given.
    let from_run = a.dsnamex.is_some()
        || (a.geometry.is_none() && a.det_type.is_none() && a.exp.is_some() && a.run.is_some());
    let run = from_run.then(|| {
        let (det, source) = match &a.source {
            Some(d) if d.contains(':') => (None, Some(d.clone())),
            Some(d) => (Some(d.clone()), None),
            None => (None, None),
        };
        DetRunSpec {
            exp: a.exp.clone(),
            run: a.run.map(|r| r.to_string()),
            dsnamex: a.dsnamex.clone(),
            det,
            source,
            ..DetRunSpec::default()
        }
    });
    let opts = DeployOptions {
        geometry: a.geometry,
        det_type: a.det_type,
        panels: a.panels,
        calib_dir: a.calib.calib_dir,
        exp: a.exp,
        source: if from_run { None } else { a.source },
        range,
        edit: GeometryEdit {
            parent: a.parent.map(|p| (p, a.parent_index)),
            pos: [a.posx, a.posy, a.posz],
            rot: [a.rotx, a.roty, a.rotz],
        },
        out: a.out,
        deploy: a.deploy,
        comment: a.comment,
        dirrepo: a.dirrepo,
        tstamp: a.tstamp,
        run,
        backward: a.backwrd,
        addgeof: a.addgeof,
    };
    let r = pipe::deploy(&opts, &settings)?;
    if let Some(p) = &r.prefix {
        tracing::debug!("repository name prefix {p}");
    }
    if let Some(p) = &r.from_repo {
        tracing::info!("geometry from the repository: {}", p.display());
    }
    if let Some((n, i)) = &r.edited {
        tracing::info!("edited {n} {i}");
    }
    if let Some(rf) = &r.reference {
        if r.deployed {
            tracing::info!("{} -> {}", rf.link.display(), rf.target);
            println!("{}", rf.link.display());
        } else {
            tracing::warn!(
                "dry run: would link {} -> {}; add -D to add it",
                rf.link.display(),
                rf.target
            );
        }
    }
    if let Some(dest) = &r.dest {
        if r.deployed {
            println!("{}", dest.display());
        } else {
            tracing::warn!("dry run: would deploy {}; add -D to deploy", dest.display());
        }
    }
    Ok(ExitCode::from(EXIT_OK))
}
