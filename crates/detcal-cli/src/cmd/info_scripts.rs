//! psana's information scripts on XTC2 data: `event_keys`, `find_detector_runs`,
//! `find_runs_for_data_type`, `find_detector_names`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use detcal::info;

use crate::cli::{EXIT_NOT_FOUND, EXIT_OK};

pub const EVENT_KEYS_AFTER_HELP: &str = "\
Prints, as psana's event_keys does, for each event a separator line and 'Event# N', then one key
per line. An LCLS-II key is a Names record of the event's data:
    EventKey(type=<detType>.<alg> v<version>, src='<detName>:<segment>', alias='<detName>')
With -m 2 the keys declared in the Configure transition are printed instead (configStore keys;
-m 4, calibStore keys, has no XTC2 equivalent). With -p only keys containing the text are
printed, each once. -f also writes the keys to a file; --no-print (psana's event_keys -v, which
turns its verbose printing off) prints none, so that they go only to the file. --json gives events
and keys with their fields.

EXAMPLES:
    detcal simulate --out kdata --events 2 --no-light
    detcal event-keys -d kdata/XPP/xpptut15/xtc/xpptut15-r0001-s000-c000.xtc2 -n 2
    event_keys -d kdata/XPP/xpptut15/xtc/xpptut15-r0001-s000-c000.xtc2 -m 2 -p raw
    event_keys -d kdata/XPP/xpptut15/xtc/xpptut15-r0001-s000-c000.xtc2 -v -f keys.txt";

/// psana's event_keys: the data keys of the first events of a file.
#[derive(Debug, clap::Args)]
pub struct EventKeysArgs {
    /// The XTC2 file (psana's dataset name).
    #[arg(short = 'd', long = "dsname", value_name = "FILE")]
    pub dsname: PathBuf,
    /// Also write the keys printed to this file.
    #[arg(short = 'f', long = "ofname", value_name = "FILE")]
    pub ofname: Option<PathBuf>,
    /// Number of events.
    #[arg(short = 'n', long = "events", default_value_t = 10)]
    pub events: u64,
    /// Events to skip first.
    #[arg(short = 's', long = "evskip", default_value_t = 0)]
    pub evskip: u64,
    /// 1: event keys, 2: configStore keys (Configure), 4: calibStore keys (none in XTC2).
    #[arg(short = 'm', long = "modebw", default_value_t = 1)]
    pub modebw: u32,
    /// Only keys containing this text, each once.
    #[arg(short = 'p', long = "pattern", value_name = "TEXT")]
    pub pattern: Option<String>,
    /// Print no keys, only write them to -f (psana's event_keys -v, which turns its
    /// verbose printing off).
    #[arg(long)]
    pub no_print: bool,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn event_keys(a: EventKeysArgs) -> anyhow::Result<ExitCode> {
    let started = std::time::Instant::now();
    let mut groups = Vec::new();
    if a.modebw & 1 != 0 {
        groups.extend(info::event_keys(&a.dsname, a.evskip, a.events, false)?);
    }
    if a.modebw & 2 != 0 {
        groups.extend(info::event_keys(&a.dsname, 0, 1, true)?);
    }
    if a.modebw & 4 != 0 {
        tracing::warn!("-m 4: XTC2 data has no calibStore keys");
    }
    if a.json {
        println!("{}", serde_json::to_string_pretty(&groups)?);
        return Ok(ExitCode::from(EXIT_OK));
    }
    let mut printed = Vec::new();
    let mut seen: BTreeSet<String> = BTreeSet::new();
    for g in &groups {
        if a.pattern.is_none() && !a.no_print {
            println!("{}", "=".repeat(80));
            match g.event {
                Some(n) => println!("Event# {n}"),
                None => println!("Configure"),
            }
        }
        for k in &g.keys {
            let rec = k.to_string();
            match &a.pattern {
                Some(p) if !rec.contains(p.as_str()) => continue,
                Some(_) if !seen.insert(rec.clone()) => continue,
                _ => {}
            }
            if !a.no_print {
                println!("{rec}");
            }
            printed.push(rec);
        }
    }
    if let Some(f) = &a.ofname {
        let mut text = printed.join("\n");
        text.push('\n');
        detcal::files::write_bytes_atomic(f, text.as_bytes(), &detcal::files::Perms::default())?;
    }
    println!(
        "Loop over {} events consumes {:.3} sec",
        groups.iter().filter(|g| g.event.is_some()).count(),
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::from(EXIT_OK))
}

pub const FIND_RUNS_AFTER_HELP: &str = "\
psana asks the experiment database; detcal scans the XTC2 files under the data root
(<root>/<INS>/<exp>/xtc/<exp>-r<NNNN>-s<S>-c<C>.xtc2, root = --data-dir or $SIT_PSDM_DATA) and
reads each run's detectors. find-detector-runs prints, per experiment of the instrument, the runs
with a detector whose alias or type contains DET (any case); find-runs-for-data-type prints every
experiment with its number of runs and then 'instr:exper:run detname' for each detector whose
alias or type contains TEXT. Exit status 1 when nothing matches.

EXAMPLES:
    detcal simulate --out fdata --events 2 --no-light
    detcal simulate --det epix10kaquad --out fdata --run 3 --events 2 --no-light
    detcal find-detector-runs XPP epix --data-dir fdata
    find_detector_runs XPP --data-dir fdata
    detcal find-runs-for-data-type jungfrau --data-dir fdata --json
    detcal find-detector-names --data-dir fdata
    find_runs_for_data_type quad --data-dir fdata
    find_detector_names --data-dir fdata --json";

/// psana's find_detector_runs: the runs of an instrument's experiments with a detector.
#[derive(Debug, clap::Args)]
pub struct FindDetectorRunsArgs {
    /// Instrument (AMO, SXR, XPP, XCS, CXI, MEC, MFX, DIA, DET, MOB, ...).
    #[arg(value_name = "INS")]
    pub ins: String,
    /// Detector name or type to look for (any case).
    #[arg(value_name = "DET", default_value = "jungfrau")]
    pub det: String,
    /// Only this experiment (exp=<exp> or <exp>).
    #[arg(short = 'e', long = "exp", value_name = "EXP")]
    pub exp: Option<String>,
    #[command(flatten)]
    pub root: crate::args::DataDirArg,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// psana's find_runs_for_data_type: the runs and detectors whose name contains a text.
#[derive(Debug, clap::Args)]
pub struct FindRunsForDataTypeArgs {
    /// Text in the detector's alias or type (any case).
    #[arg(value_name = "TEXT")]
    pub text: String,
    #[command(flatten)]
    pub root: crate::args::DataDirArg,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// psana's find_detector_names: every detector name in the data root.
#[derive(Debug, clap::Args)]
pub struct FindDetectorNamesArgs {
    #[command(flatten)]
    pub root: crate::args::DataDirArg,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

fn data_root(root: &crate::args::DataDirArg) -> anyhow::Result<PathBuf> {
    let s = detcal::settings::Settings::from_env().with_data_dir(root.data_dir.as_deref());
    Ok(s.psdm_data("--data-dir")?.to_path_buf())
}

pub fn find_detector_runs(a: FindDetectorRunsArgs) -> anyhow::Result<ExitCode> {
    let root = data_root(&a.root)?;
    let exp = a
        .exp
        .as_deref()
        .map(|e| e.strip_prefix("exp=").unwrap_or(e));
    let runs = info::scan_runs(&root, Some(&a.ins), exp)
        .with_context(|| format!("scanning {}", root.display()))?;
    let hits: Vec<_> = runs
        .into_iter()
        .filter(|r| r.detectors.iter().any(|d| info::matches(d, &a.det)))
        .collect();
    if a.json {
        println!("{}", serde_json::to_string_pretty(&hits)?);
    } else {
        let mut by_exp: BTreeMap<(&str, &str), Vec<String>> = BTreeMap::new();
        for r in &hits {
            let dets: Vec<&str> = r
                .detectors
                .iter()
                .filter(|d| info::matches(d, &a.det))
                .map(|d| d.0.as_str())
                .collect();
            by_exp
                .entry((&r.instrument, &r.exp))
                .or_default()
                .push(format!("{} ({})", r.run, dets.join(" ")));
        }
        for ((ins, exp), runs) in by_exp {
            println!("{ins}:{exp} runs: {}", runs.join(", "));
        }
    }
    Ok(ExitCode::from(if hits.is_empty() {
        EXIT_NOT_FOUND
    } else {
        EXIT_OK
    }))
}

pub fn find_runs_for_data_type(a: FindRunsForDataTypeArgs) -> anyhow::Result<ExitCode> {
    let root = data_root(&a.root)?;
    let runs = info::scan_runs(&root, None, None)?;
    let mut json = Vec::new();
    let mut any = false;
    let mut counts: BTreeMap<(String, String), usize> = BTreeMap::new();
    for r in &runs {
        *counts
            .entry((r.instrument.clone(), r.exp.clone()))
            .or_default() += 1;
    }
    let mut lines: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for r in &runs {
        for d in r.detectors.iter().filter(|d| info::matches(d, &a.text)) {
            any = true;
            lines
                .entry((r.instrument.clone(), r.exp.clone()))
                .or_default()
                .push(format!("{}:{}:{} {}", r.instrument, r.exp, r.run, d.0));
            json.push(serde_json::json!({
                "instrument": r.instrument, "exp": r.exp, "run": r.run,
                "detector": d.0, "det_type": d.1,
            }));
        }
    }
    if a.json {
        println!("{}", serde_json::to_string_pretty(&json)?);
    } else {
        for ((ins, exp), n) in &counts {
            println!("{ins}:{exp} ({n} runs)");
            for l in lines.get(&(ins.clone(), exp.clone())).into_iter().flatten() {
                println!("  {l}");
            }
        }
    }
    Ok(ExitCode::from(if any { EXIT_OK } else { EXIT_NOT_FOUND }))
}

pub fn find_detector_names(a: FindDetectorNamesArgs) -> anyhow::Result<ExitCode> {
    let root = data_root(&a.root)?;
    let mut names: BTreeSet<(String, String)> = BTreeSet::new();
    for r in info::scan_runs(&root, None, None)? {
        for (alias, t) in r.detectors {
            names.insert((t.to_ascii_lowercase(), alias));
        }
    }
    let mut by_type: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (t, n) in &names {
        by_type.entry(t).or_default().push(n);
    }
    if a.json {
        println!("{}", serde_json::to_string_pretty(&by_type)?);
        return Ok(ExitCode::from(EXIT_OK));
    }
    for (i, (t, n)) in names.iter().enumerate() {
        println!("{i:04} {t:>20} {n}");
    }
    for (t, ns) in &by_type {
        for (k, n) in ns.iter().enumerate() {
            println!("'{n}': '{t}_{k:04}',\\");
        }
    }
    println!("Total number of detector types: {}", by_type.len());
    Ok(ExitCode::from(EXIT_OK))
}
