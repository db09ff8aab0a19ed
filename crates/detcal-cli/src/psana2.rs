//! psana2's (LCLS-II) command lines under psana's program names.
//!
//! psana2's `jungfrau_dark_proc` takes the dataset as DataSource keyword arguments
//! (`-k exp=...,run=...,dir=...`) and the detector as `-d`, where LCLS-I's takes the dataset as
//! `-d exp=...:run=...` and the detector as `-s`. Under the program name `jungfrau_dark_proc`,
//! `-k/--dskwargs` selects psana2's option set, with psana2's defaults; [`translate`] turns it
//! into the arguments of `detcal dark`, so that both flavours run the same code.

use std::ffi::OsString;

use clap::Parser;

/// Whether `args` (without the program name) use psana2's flavour: they hold `-k` or
/// `--dskwargs`.
pub fn is_psana2(args: &[OsString]) -> bool {
    args.iter().filter_map(|a| a.to_str()).any(|a| {
        a == "-k"
            || a == "--dskwargs"
            || a.starts_with("--dskwargs=")
            || a.starts_with("-k") && !a.starts_with("--") && a.len() > 2
    })
}

const DARK_AFTER_HELP: &str = "\
This is psana2's (LCLS-II) option set of jungfrau_dark_proc, selected by -k/--dskwargs; without
-k the program takes LCLS-I's (jungfrau_dark_proc -d exp=<exp>:run=<run> -s <det>; see
jungfrau_dark_proc -h). Both run detcal's dark processing (detcal dark) with LCLS-I's numerics
(docs/psana-compat.md): the defaults below are psana2's (int_hi and rms_hi 16382), and the
values given are honoured.

-k takes exp=<exp>,run=<run>[,dir=<xtc dir>] or an .xtc2 file (or files=<file>); without dir
the run is found under --data-dir or $SIT_PSDM_DATA. The results go to the per-panel repository
(-o) as with LCLS-I's flags. Options of psana2's batch wrapper and database deployment
(--wrapper, --submit, -D/--deploy) are refused: deploy with jungfrau_deploy_constants or detcal
deploy, and give the constants to psana2 with detcal export-psana2. -v/--version, -S/--save,
--slurmpars, -p/--ctdepl, --tstamp, --run_beg, --run_end, --comment and --dbsuffix are accepted
and have no effect.

EXAMPLES:
    jungfrau_dark_proc -k exp=xpptut15,run=1,dir=data/XPP/xpptut15/xtc -d jungfrau -o panels
    jungfrau_dark_proc -k data/XPP/xpptut15/xtc/xpptut15-r0001-s000-c000.xtc2 -o panels --nrecs 500";

/// Processes dark run xtc2 data for jungfrau (psana2's options).
#[derive(Debug, Parser)]
#[command(name = "jungfrau_dark_proc", after_help = DARK_AFTER_HELP, max_term_width = 100)]
#[command(disable_version_flag = true)]
pub struct DarkProc2 {
    /// DataSource keyword arguments: exp=<exp>,run=<run>[,dir=<xtc dir>], or <file.xtc2>, or
    /// files=<file.xtc2>.
    #[arg(short = 'k', long = "dskwargs", value_name = "KWARGS")]
    pub dskwargs: String,
    /// Detector name.
    #[arg(short = 'd', long = "detname", default_value = "jungfrau")]
    pub detname: String,
    /// Records to calibrate pedestals.
    #[arg(short = 'n', long = "nrecs", default_value_t = 1000)]
    pub nrecs: usize,
    /// Records of the first stage.
    #[arg(long = "nrecs1", default_value_t = 50)]
    pub nrecs1: usize,
    /// Repository of the results [default: detcal's, $SIT_ROOT/detector/gains/jungfrau/panels].
    #[arg(short = 'o', long = "dirrepo", value_name = "DIR")]
    pub dirrepo: Option<String>,
    /// Logging mode (DEBUG, INFO, WARNING, ERROR).
    #[arg(short = 'L', long = "logmode", default_value = "INFO")]
    pub logmode: String,
    /// Stop at the first error (psana2 skips errors unless -E).
    #[arg(short = 'E', long = "errskip")]
    pub errskip: bool,
    /// Only this step.
    #[arg(long = "stepnum")]
    pub stepnum: Option<u32>,
    /// Most steps to process.
    #[arg(long = "stepmax", default_value_t = 3)]
    pub stepmax: u32,
    /// Events skipped at the start.
    #[arg(long = "evskip", default_value_t = 0)]
    pub evskip: u64,
    /// Most events read (DataSource max_events).
    #[arg(long = "events", default_value_t = 10000)]
    pub events: u64,
    /// Mode of new directories (decimal, or octal 0o2775).
    #[arg(long = "dirmode", default_value = "1533")]
    pub dirmode: String,
    /// Mode of new files (decimal, or octal 0o664).
    #[arg(long = "filemode", default_value = "436")]
    pub filemode: String,
    /// Lowest intensity accepted.
    #[arg(long = "int_lo", default_value_t = 1)]
    pub int_lo: i64,
    /// Highest intensity accepted.
    #[arg(long = "int_hi", default_value_t = 16382)]
    pub int_hi: i64,
    /// Intensity distribution, number of sigmas low.
    #[arg(long = "intnlo", default_value_t = 6.0)]
    pub intnlo: f64,
    /// Intensity distribution, number of sigmas high.
    #[arg(long = "intnhi", default_value_t = 6.0)]
    pub intnhi: f64,
    /// Rms distribution low.
    #[arg(long = "rms_lo", default_value_t = 0.001)]
    pub rms_lo: f64,
    /// Rms distribution high.
    #[arg(long = "rms_hi", default_value_t = 16382.0)]
    pub rms_hi: f64,
    /// Rms distribution, number of sigmas low.
    #[arg(long = "rmsnlo", default_value_t = 6.0)]
    pub rmsnlo: f64,
    /// Rms distribution, number of sigmas high.
    #[arg(long = "rmsnhi", default_value_t = 6.0)]
    pub rmsnhi: f64,
    /// Fraction of events outside the gate that makes a pixel bad.
    #[arg(long = "fraclm", default_value_t = 0.1)]
    pub fraclm: f64,
    /// Quantile of the low gate.
    #[arg(long = "fraclo", default_value_t = 0.05)]
    pub fraclo: f64,
    /// Quantile of the high gate.
    #[arg(long = "frachi", default_value_t = 0.95)]
    pub frachi: f64,
    /// Constants version (database metadata; no effect).
    #[arg(short = 'v', long = "version", default_value = "V2026-04-02")]
    pub version: String,
    /// Data bits (JUNGFRAU: 16383 = 0x3fff only).
    #[arg(long = "datbits", default_value_t = 0x3fff)]
    pub datbits: u32,
    /// Save constants (no effect: the repository files are always written).
    #[arg(short = 'S', long = "save")]
    pub save: bool,
    /// Plot images of pedestals.
    #[arg(short = 'i', long = "plotim", default_value_t = 0)]
    pub plotim: u32,
    /// Only this segment index.
    #[arg(short = 'I', long = "segind")]
    pub segind: Option<usize>,
    /// psana2's batch wrapper: refused.
    #[arg(long = "submit")]
    pub submit: bool,
    /// psana2's batch wrapper stages: refused unless 0.
    #[arg(long = "wrapper", default_value_t = 0)]
    pub wrapper: u32,
    /// Slurm parameters of the wrapper (no effect).
    #[arg(long = "slurmpars")]
    pub slurmpars: Option<String>,
    /// Deploy to the calibration database: refused (use jungfrau_deploy_constants).
    #[arg(short = 'D', long = "deploy")]
    pub deploy: bool,
    /// Constant types to deploy (no effect).
    #[arg(short = 'p', long = "ctdepl", default_value = "prs")]
    pub ctdepl: String,
    /// Deployment time stamp (no effect).
    #[arg(long = "tstamp")]
    pub tstamp: Option<String>,
    /// Deployment first run (no effect).
    #[arg(long = "run_beg")]
    pub run_beg: Option<u32>,
    /// Deployment last run (no effect).
    #[arg(long = "run_end", default_value = "end")]
    pub run_end: String,
    /// Deployment comment (no effect).
    #[arg(long = "comment")]
    pub comment: Option<String>,
    /// Private database suffix (no effect).
    #[arg(long = "dbsuffix")]
    pub dbsuffix: Option<String>,
    /// Root of experiment data, instead of $SIT_PSDM_DATA (detcal's).
    #[arg(long = "data-dir", value_name = "DIR")]
    pub data_dir: Option<String>,
    /// Print only errors (detcal's).
    #[arg(short = 'q', long = "quiet")]
    pub quiet: bool,
    /// The group of new files (detcal's; '' leaves groups alone).
    #[arg(long = "group", default_value = detcal::files::DEFAULT_GROUP)]
    pub group: String,
}

/// The dataset psana (and detcal) names from psana2's DataSource keyword arguments.
pub fn dataset_of_dskwargs(kw: &str) -> Result<String, String> {
    let kw = kw.trim();
    if kw.starts_with('{') {
        return Err(format!(
            "-k {kw:?}: a Python dict of DataSource arguments is not supported; give \
             exp=<exp>,run=<run>[,dir=<dir>] or an .xtc2 file"
        ));
    }
    if !kw.contains('=') {
        return Ok(kw.to_string());
    }
    let (mut exp, mut run, mut dir, mut files) = (None, None, None, None);
    for item in kw.split(',').filter(|s| !s.is_empty()) {
        let (k, v) = item
            .split_once('=')
            .ok_or_else(|| format!("-k {kw:?}: {item:?} is not key=value"))?;
        match k {
            "exp" => exp = Some(v),
            "run" => run = Some(v),
            "dir" => dir = Some(v),
            "files" => files = Some(v),
            "max_events" | "detectors" => {}
            _ => {
                return Err(format!(
                    "-k {kw:?}: DataSource argument {k:?} is not supported (exp, run, dir, files)"
                ));
            }
        }
    }
    match (files, exp, run) {
        (Some(f), None, None) => Ok(f.to_string()),
        (None, Some(e), Some(r)) => Ok(match dir {
            Some(d) => format!("exp={e}:run={r}:dir={d}"),
            None => format!("exp={e}:run={r}"),
        }),
        _ => Err(format!(
            "-k {kw:?}: give exp=<exp>,run=<run>[,dir=<dir>] or files=<file.xtc2>"
        )),
    }
}

/// The arguments of `detcal dark` that do what psana2's `jungfrau_dark_proc` options ask.
pub fn dark_args(p: &DarkProc2) -> Result<Vec<OsString>, String> {
    if p.wrapper != 0 || p.submit {
        return Err(
            "--wrapper/--submit run psana2's batch wrapper, which detcal does not have: run \
             without them (all stages run in one process)"
                .into(),
        );
    }
    if p.deploy {
        return Err(
            "-D/--deploy deploys into psana2's calibration database, which detcal does not \
             write: deploy with jungfrau_deploy_constants (or detcal deploy) and give psana2 the \
             constants with detcal export-psana2"
                .into(),
        );
    }
    if p.datbits != 0x3fff {
        return Err(format!(
            "--datbits {}: JUNGFRAU data have 14 bits (16383, 0x3fff)",
            p.datbits
        ));
    }
    let mut a: Vec<String> = vec!["dark".into(), dataset_of_dskwargs(&p.dskwargs)?];
    let mut kv = |k: &str, v: String| {
        a.push(k.to_string());
        a.push(v);
    };
    kv("-s", p.detname.clone());
    kv("--nrecs", p.nrecs.to_string());
    kv("--nrecs1", p.nrecs1.to_string());
    kv("--logmode", p.logmode.clone());
    kv("--stepmax", p.stepmax.to_string());
    kv("--evskip", p.evskip.to_string());
    kv("--events", p.events.to_string());
    kv("--dirmode", p.dirmode.clone());
    kv("--filemode", p.filemode.clone());
    kv("--int_lo", p.int_lo.to_string());
    kv("--int_hi", p.int_hi.to_string());
    kv("--intnlo", p.intnlo.to_string());
    kv("--intnhi", p.intnhi.to_string());
    kv("--rms_lo", p.rms_lo.to_string());
    kv("--rms_hi", p.rms_hi.to_string());
    kv("--rmsnlo", p.rmsnlo.to_string());
    kv("--rmsnhi", p.rmsnhi.to_string());
    kv("--fraclm", p.fraclm.to_string());
    kv("--fraclo", p.fraclo.to_string());
    kv("--frachi", p.frachi.to_string());
    kv("--plotim", p.plotim.to_string());
    kv("--group", p.group.clone());
    if let Some(s) = p.stepnum {
        kv("--stepnum", s.to_string());
    }
    if let Some(s) = p.segind {
        kv("--segind", s.to_string());
    }
    if let Some(d) = &p.dirrepo {
        kv("-o", d.clone());
    }
    if let Some(d) = &p.data_dir {
        kv("--data-dir", d.clone());
    }
    if p.quiet {
        a.push("-q".into());
    }
    // psana2 skips errors unless -E; detcal's -E asks to skip them.
    if !p.errskip {
        a.push("-E".into());
    }
    Ok(a.into_iter().map(OsString::from).collect())
}

/// The programs whose psana2 flags detcal takes.
pub const PROGRAMS: [&str; 2] = ["jungfrau_dark_proc", "jungfrau_deploy_constants"];

/// The whole command line (program name first) as the detcal command takes it, for psana2's
/// flags of `program` (one of [`PROGRAMS`]); `--help` and bad flags print psana2's usage and
/// exit.
pub fn translate(program: &str, args: Vec<OsString>) -> Vec<OsString> {
    use clap::CommandFactory;
    let (rest, mut cmd) = if program == "jungfrau_deploy_constants" {
        (
            deploy_args(&DeployConstants2::parse_from(&args)),
            DeployConstants2::command(),
        )
    } else {
        (
            dark_args(&DarkProc2::parse_from(&args)),
            DarkProc2::command(),
        )
    };
    match rest {
        Ok(rest) => std::iter::once(args[0].clone()).chain(rest).collect(),
        Err(msg) => cmd
            .error(clap::error::ErrorKind::ArgumentConflict, msg)
            .exit(),
    }
}

const DEPLOY_AFTER_HELP: &str = "\
This is psana2's (LCLS-II) option set of jungfrau_deploy_constants, selected by -k/--dskwargs;
without -k the program takes LCLS-I's (see jungfrau_deploy_constants -h). Both run detcal deploy:
the panels' repository files of each gain mode valid for the run's time (or -t) are merged into
<dirrepo>/merge_tmp/. -D deploys them into detcal's calibration store (-c, default
<data root>/<INS>/<exp>/calib), not into psana2's database: give psana2 the constants with
detcal export-psana2. detcal deploys pedestals, pixel_rms, pixel_status, dark_min and dark_max
together (-p of p, r, s, x, n); gain and offset (g, c, o) come from detcal gain-constants, and
status_extra (e) from detcal deploy-constants -C status_extra, so -p with those letters is
refused, as are -N/--nsegstot (detcal deploys the detector's own panels) and -F/--depfiles.
-v/--version, -C/--comment and -S/--dbsuffix are database metadata and have no effect.

EXAMPLES:
    jungfrau_deploy_constants -k exp=xpptut15,run=1,dir=data/XPP/xpptut15/xtc -d jungfrau -o panels
    jungfrau_deploy_constants -k exp=xpptut15,run=1 --data-dir data -d jungfrau -o panels -D";

/// Deploys jungfrau constants (psana2's options).
#[derive(Debug, Parser)]
#[command(name = "jungfrau_deploy_constants", after_help = DEPLOY_AFTER_HELP, max_term_width = 100)]
#[command(disable_version_flag = true)]
pub struct DeployConstants2 {
    /// DataSource keyword arguments: exp=<exp>,run=<run>[,dir=<xtc dir>], or <file.xtc2>, or
    /// files=<file.xtc2>.
    #[arg(short = 'k', long = "dskwargs", value_name = "KWARGS")]
    pub dskwargs: String,
    /// Detector name [default: the only detector with raw data].
    #[arg(short = 'd', long = "detname")]
    pub detname: Option<String>,
    /// Time stamp YYYYmmddHHMMSS choosing the repository files [default: the run's start].
    #[arg(short = 't', long = "tstamp")]
    pub tstamp: Option<String>,
    /// Repository of calibration results [default: detcal's,
    /// $SIT_ROOT/detector/gains/jungfrau/panels].
    #[arg(short = 'o', long = "dirrepo", value_name = "DIR")]
    pub dirrepo: Option<String>,
    /// Total number of segments at deployment: refused (detcal deploys the detector's panels).
    #[arg(short = 'N', long = "nsegstot")]
    pub nsegstot: Option<usize>,
    /// Logging mode (DEBUG, INFO, WARNING, ERROR).
    #[arg(short = 'L', long = "logmode", default_value = "INFO")]
    pub logmode: String,
    /// Default high gain ADU/keV (ePix10ka only in detcal; no effect for JUNGFRAU).
    #[arg(long = "high")]
    pub high: Option<f64>,
    /// Default medium gain ADU/keV (no effect for JUNGFRAU).
    #[arg(long = "medium")]
    pub medium: Option<f64>,
    /// Default low gain ADU/keV (no effect for JUNGFRAU).
    #[arg(long = "low")]
    pub low: Option<f64>,
    /// Constants to deploy: letters of p (pedestals), r (rms), s (status), x (max), n (min).
    #[arg(short = 'p', long = "ctdepl", default_value = "psr")]
    pub ctdepl: String,
    /// Only these panel indices, comma-separated.
    #[arg(short = 'I', long = "paninds")]
    pub paninds: Option<String>,
    /// Constants version (database metadata; no effect).
    #[arg(short = 'v', long = "version", default_value = "V2026-03-10")]
    pub version: String,
    /// First run of the validity range [default: the run of -k].
    #[arg(short = 'B', long = "run_beg")]
    pub run_beg: Option<u32>,
    /// Last run of the validity range.
    #[arg(short = 'R', long = "run_end", default_value = "end")]
    pub run_end: String,
    /// Comment (database metadata; no effect).
    #[arg(short = 'C', long = "comment", default_value = "no comment")]
    pub comment: String,
    /// Private database suffix (no effect).
    #[arg(short = 'S', long = "dbsuffix", default_value = "")]
    pub dbsuffix: String,
    /// Deploy into detcal's calibration store (-c); without it, a dry run.
    #[arg(short = 'D', long = "deploy")]
    pub deploy: bool,
    /// Deploy from data and metadata files: refused.
    #[arg(short = 'F', long = "depfiles")]
    pub depfiles: bool,
    /// The experiment's calibration directory (detcal's) [default:
    /// <data root>/<INS>/<exp>/calib].
    #[arg(short = 'c', long = "calib-dir", value_name = "DIR")]
    pub calib_dir: Option<String>,
    /// Root of experiment data, instead of $SIT_PSDM_DATA (detcal's).
    #[arg(long = "data-dir", value_name = "DIR")]
    pub data_dir: Option<String>,
    /// Print only errors (detcal's).
    #[arg(short = 'q', long = "quiet")]
    pub quiet: bool,
    /// The group of new files (detcal's; '' leaves groups alone).
    #[arg(long = "group", default_value = detcal::files::DEFAULT_GROUP)]
    pub group: String,
}

/// The arguments of `detcal deploy` that do what psana2's `jungfrau_deploy_constants` options
/// ask.
pub fn deploy_args(p: &DeployConstants2) -> Result<Vec<OsString>, String> {
    if p.depfiles {
        return Err(
            "-F/--depfiles deploys files into psana2's database, which detcal does not write"
                .into(),
        );
    }
    if let Some(n) = p.nsegstot {
        return Err(format!(
            "-N/--nsegstot {n}: detcal deploys the constants of the detector's own panels"
        ));
    }
    if let Some(c) = p.ctdepl.chars().find(|c| !"psrxn".contains(*c)) {
        return Err(format!(
            "-p {}: {c:?} is not deployed by jungfrau_deploy_constants in detcal: gain and \
             offset (g, c, o) come from detcal gain-constants -D, status_extra (e) from detcal \
             deploy-constants -C status_extra",
            p.ctdepl
        ));
    }
    let mut a: Vec<String> = vec![
        "deploy".into(),
        "--dataset".into(),
        dataset_of_dskwargs(&p.dskwargs)?,
    ];
    let mut kv = |k: &str, v: String| {
        a.push(k.to_string());
        a.push(v);
    };
    kv("--logmode", p.logmode.clone());
    kv("--group", p.group.clone());
    for (k, v) in [
        ("-d", &p.detname),
        ("-t", &p.tstamp),
        ("-o", &p.dirrepo),
        ("-I", &p.paninds),
        ("-c", &p.calib_dir),
        ("--data-dir", &p.data_dir),
    ] {
        if let Some(v) = v {
            kv(k, v.clone());
        }
    }
    // The validity range: -B (default the run of -k) to -R.
    let run_of_kw = p
        .dskwargs
        .split(',')
        .find_map(|i| i.strip_prefix("run="))
        .and_then(|r| r.split([',', '-', ':']).next())
        .and_then(|r| r.parse::<u32>().ok());
    match (p.run_beg, run_of_kw) {
        (Some(b), _) => kv("--runbegin", b.to_string()),
        (None, Some(r)) => kv("-r", r.to_string()),
        (None, None) => {}
    }
    if p.run_beg.is_some() || run_of_kw.is_some() || p.run_end != "end" {
        kv("--runend", p.run_end.clone());
    }
    if p.deploy {
        a.push("-D".into());
    }
    if p.quiet {
        a.push("-q".into());
    }
    Ok(a.into_iter().map(OsString::from).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dskwargs_become_psana_datasets() {
        assert_eq!(
            dataset_of_dskwargs("exp=xpptut15,run=1,dir=/d/xtc").unwrap(),
            "exp=xpptut15:run=1:dir=/d/xtc"
        );
        assert_eq!(dataset_of_dskwargs("exp=x,run=3").unwrap(), "exp=x:run=3");
        assert_eq!(dataset_of_dskwargs("a.xtc2").unwrap(), "a.xtc2");
        assert_eq!(dataset_of_dskwargs("files=a.xtc2").unwrap(), "a.xtc2");
        assert!(dataset_of_dskwargs("exp=x").is_err());
        assert!(dataset_of_dskwargs("exp=x,run=1,foo=2").is_err());
        assert!(dataset_of_dskwargs("{'exp':'x'}").is_err());
    }

    #[test]
    fn psana2_flavour_is_chosen_by_k() {
        let v = |s: &[&str]| s.iter().map(OsString::from).collect::<Vec<_>>();
        assert!(is_psana2(&v(&["-k", "exp=x,run=1"])));
        assert!(is_psana2(&v(&["--dskwargs=exp=x,run=1"])));
        assert!(is_psana2(&v(&["-kexp=x,run=1"])));
        assert!(!is_psana2(&v(&["-d", "exp=x:run=1", "-s", "jungfrau"])));
        assert!(!is_psana2(&v(&["--nrecs", "5"])));
    }

    #[test]
    fn psana2_defaults_are_passed_and_refused_options_say_why() {
        let p = DarkProc2::parse_from(["jungfrau_dark_proc", "-k", "exp=x,run=1", "-o", "r"]);
        let a: Vec<String> = dark_args(&p)
            .unwrap()
            .into_iter()
            .map(|s| s.into_string().unwrap())
            .collect();
        let at = |k: &str| a[a.iter().position(|x| x == k).unwrap() + 1].clone();
        assert_eq!(a[..2], ["dark", "exp=x:run=1"]);
        assert_eq!(at("-s"), "jungfrau");
        assert_eq!(at("--int_hi"), "16382");
        assert_eq!(at("--events"), "10000");
        assert_eq!(at("-o"), "r");
        assert!(a.contains(&"-E".to_string()));
        let p = DarkProc2::parse_from(["jungfrau_dark_proc", "-k", "exp=x,run=1", "-D"]);
        assert!(dark_args(&p).unwrap_err().contains("export-psana2"));
        let p = DarkProc2::parse_from(["jungfrau_dark_proc", "-k", "a.xtc2", "--wrapper", "7"]);
        assert!(dark_args(&p).unwrap_err().contains("--wrapper"));
    }
}
