/*!
What the information scripts of psana show, from XTC2 files: the keys of the data in events
(`event_keys`) and which detectors the runs of a data root hold (`find_detector_runs`,
`find_runs_for_data_type`, `find_detector_names`).

An LCLS-II key is one Names record: detector name (the DAQ alias), detector type, algorithm and
version, segment. [`event_keys`] lists the keys of the data in each event (L1Accept) or, for
psana's configStore mode, those declared in Configure. [`scan_runs`] lists the detectors of
every run under `<root>/<INS>/<exp>/xtc/`, replacing psana's experiment database queries with a
scan of the files.
*/

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::{Error, IoContext, Result};
use xtc2::{Dgram, NamesTable, TransitionId, TypeId, XtcFile};

/// One key: a Names record of the data.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct EventKey {
    /// The detector name (DAQ alias).
    pub det_name: String,
    /// The LCLS-II detector type (`jungfrau`, `epix10ka`).
    pub det_type: String,
    /// The algorithm (`raw`, `config`, `runinfo`).
    pub alg: String,
    /// The algorithm's version (`0.2.0`).
    pub version: String,
    /// The segment.
    pub segment: u32,
    /// The names of the fields.
    pub fields: Vec<String>,
}

impl std::fmt::Display for EventKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "EventKey(type={}.{} v{}, src='{}:{}', alias='{}')",
            self.det_type, self.alg, self.version, self.det_name, self.segment, self.det_name
        )
    }
}

/// The keys of one event.
#[derive(Debug, Clone, Serialize)]
pub struct EventKeys {
    /// The 0-based index of the event (L1Accept) in the run, or `None` for Configure.
    pub event: Option<u64>,
    /// Its keys, in the order of the data.
    pub keys: Vec<EventKey>,
}

fn key_of(n: &xtc2::Names) -> EventKey {
    EventKey {
        det_name: n.det_name.clone(),
        det_type: n.det_type.clone(),
        alg: n.alg.name.clone(),
        version: n.alg.version.to_string(),
        segment: n.segment,
        fields: n.fields.iter().map(|f| f.name.clone()).collect(),
    }
}

fn dgram_keys(table: &NamesTable, d: &Dgram<'_>, path: &Path) -> Result<Vec<EventKey>> {
    let mut keys = Vec::new();
    for xtc in d.xtc().walk() {
        let xtc = xtc.map_err(|e| Error::content(path, e.to_string()))?;
        if xtc.type_id() == TypeId::ShapesData {
            let sd =
                xtc2::ShapesData::decode(&xtc).map_err(|e| Error::content(path, e.to_string()))?;
            if let Some(n) = table.get(sd.names_id()) {
                keys.push(key_of(n));
            }
        }
    }
    Ok(keys)
}

/// The keys of events `skip..skip+events` of an XTC2 file (each L1Accept's data), or with
/// `config`, the keys declared in its Configure transition.
pub fn event_keys(file: &Path, skip: u64, events: u64, config: bool) -> Result<Vec<EventKeys>> {
    let f = XtcFile::open(file)?;
    let mut table = NamesTable::new();
    let mut out = Vec::new();
    let mut ievt = 0u64;
    for d in f.dgrams() {
        let d = d?;
        table
            .update(&d)
            .map_err(|e| Error::content(file, e.to_string()))?;
        match d.transition_id() {
            TransitionId::Configure if config => {
                let mut keys: Vec<EventKey> = table.iter().map(|n| key_of(n)).collect();
                keys.sort();
                return Ok(vec![EventKeys { event: None, keys }]);
            }
            TransitionId::L1Accept => {
                if ievt >= skip {
                    out.push(EventKeys {
                        event: Some(ievt),
                        keys: dgram_keys(&table, &d, file)?,
                    });
                    if out.len() as u64 >= events {
                        break;
                    }
                }
                ievt += 1;
            }
            _ => {}
        }
    }
    Ok(out)
}

/// The detectors of one run found by [`scan_runs`].
#[derive(Debug, Clone, Serialize)]
pub struct RunDetectors {
    /// The instrument directory (`XPP`).
    pub instrument: String,
    /// The experiment.
    pub exp: String,
    /// The run number.
    pub run: u32,
    /// The files of the run.
    pub files: Vec<PathBuf>,
    /// (alias, detector type) of each raw detector.
    pub detectors: Vec<(String, String)>,
}

fn sorted_dirs(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut v: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(rd) => rd
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| p.is_dir())
            .collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(Error::io(dir, "list", e)),
    };
    v.sort();
    Ok(v)
}

/// Every run under `<root>/<INS>/<exp>/xtc/` (only instrument `ins` and experiment `exp` when
/// given), with the raw detectors each holds, in order of instrument, experiment and run.
pub fn scan_runs(root: &Path, ins: Option<&str>, exp: Option<&str>) -> Result<Vec<RunDetectors>> {
    if !root.is_dir() {
        return Err(Error::io(
            root,
            "list",
            std::io::Error::new(std::io::ErrorKind::NotFound, "no such data root"),
        ));
    }
    let mut out = Vec::new();
    for idir in sorted_dirs(root)? {
        let iname = idir
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("")
            .to_string();
        if ins.is_some_and(|i| !i.eq_ignore_ascii_case(&iname)) {
            continue;
        }
        for edir in sorted_dirs(&idir)? {
            let ename = edir
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("")
                .to_string();
            if exp.is_some_and(|e| e != ename) {
                continue;
            }
            let xtc = edir.join("xtc");
            let Ok(rd) = std::fs::read_dir(&xtc) else {
                continue;
            };
            let mut runs: BTreeMap<u32, Vec<PathBuf>> = BTreeMap::new();
            for e in rd {
                let p = e.at(&xtc, "list")?.path();
                let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
                if let Some((e, r, _, _)) = xtc2::dataset::parse_stream_chunk(name)
                    && e == ename
                {
                    runs.entry(r).or_default().push(p);
                }
            }
            for (run, mut files) in runs {
                files.sort();
                let r = xtc2::run::Run::open(&files)?;
                let detectors = r
                    .detectors()
                    .iter()
                    .map(|d| {
                        let t = crate::source::det_type_of_daq(&d.det_type, d.num_segments());
                        (d.alias.clone(), t.name().to_string())
                    })
                    .collect();
                out.push(RunDetectors {
                    instrument: iname.clone(),
                    exp: ename.clone(),
                    run,
                    files,
                    detectors,
                });
            }
        }
    }
    Ok(out)
}

/// Whether a detector (alias, type) matches `pattern` (case-insensitive, in either).
pub fn matches(det: &(String, String), pattern: &str) -> bool {
    let p = pattern.to_ascii_lowercase();
    det.0.to_ascii_lowercase().contains(&p) || det.1.to_ascii_lowercase().contains(&p)
}
