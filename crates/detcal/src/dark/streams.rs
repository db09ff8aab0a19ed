/*!
Dark processing over ranks by stream file: a run the DAQ wrote as several stream files (each
with a share of the detector's panels) is split over the ranks so that each opens and reads
only its own streams, headers and frames, and processes its panels over every event
([`crate::dark::job::run_by_panels`]); the root puts the panels together
([`crate::dark::panels::PanelAssembly`]).

The root decides ([`decide`]) and tells the others. The split is used only where it gives the
files of one process for certain; otherwise the ranks share events as before
([`crate::dark::job::run_shared`]), and the reason is logged:

- an event-code selection (`-c/--evcode`, `--beam-off`): the timing detector is in stream 0;
- `--segind`: one panel is in one stream;
- a NumPy stack, an ePix10ka (shared by panel already), a run in one stream file, a stream
  without panels of the detector, runs whose panels are split over streams differently;
- more ranks than streams;
- streams that do not carry the same events ([`aligned`]): psana builds each event from every
  stream by time stamp, skipping an event a stream lacks or has damaged, and counts the events
  (`--evskip`, `--nrecs`, `--events`) over the whole detector. Each rank walks its own streams
  first and makes a digest of what it sees (steps with their gain modes, events with their
  time stamps, skipped events); the split goes ahead only where every rank saw the same.
*/

use std::path::PathBuf;

use crate::dist::{Ranks, gather, share_panels};
use crate::error::{Error, Result};
use crate::source::{Item, RunSource, is_epix10ka};

use super::job::LoopOptions;

/// One rank's share of a stream split.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RankStreams {
    /// The run's stream indices (the same for every run).
    pub streams: Vec<usize>,
    /// The detector's panels those streams carry, positions in the frame's panel order.
    pub panels: Vec<usize>,
    /// The files of those streams, for each run of the job.
    pub files: Vec<Vec<PathBuf>>,
}

/// How the ranks share a dark job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Share {
    /// By stream file: the detector's alias and each rank's streams, by rank.
    Streams {
        /// The detector.
        alias: String,
        /// Each rank's streams.
        ranks: Vec<RankStreams>,
    },
    /// By event ranges, for this reason.
    Events(String),
}

/// How `sources` (the root's, every file opened) would be split over `size` ranks with
/// `opts`: by stream file, or by event ranges and why.
pub fn plan(sources: &[RunSource], opts: &LoopOptions, size: usize) -> Share {
    match plan_streams(sources, opts, size) {
        Ok(s) => s,
        Err(reason) => Share::Events(reason),
    }
}

fn plan_streams(
    sources: &[RunSource],
    opts: &LoopOptions,
    size: usize,
) -> std::result::Result<Share, String> {
    if let Some(sel) = &opts.evcode {
        return Err(format!(
            "the event-code selection ({sel}) needs the timing detector, which is in stream 0 only"
        ));
    }
    if let Some(s) = opts.segind {
        return Err(format!(
            "--segind {s} takes one panel, which is in one stream"
        ));
    }
    let first = sources.first().ok_or("no runs")?;
    if is_epix10ka(first.meta().det_type) {
        return Err("ePix10ka runs are shared by panel".into());
    }
    let mut layout: Option<Vec<Vec<usize>>> = None;
    let mut files: Vec<Vec<Vec<PathBuf>>> = Vec::new();
    for src in sources {
        let streams = src
            .stream_layout()
            .ok_or_else(|| format!("{}: a NumPy stack has no stream files", src.label()))?;
        if streams.len() < 2 {
            return Err(format!("{}: the run is in one stream file", src.label()));
        }
        if let Some(i) = streams.iter().position(|(_, p)| p.is_empty()) {
            return Err(format!(
                "{}: stream {} carries no panel of {}",
                src.label(),
                streams[i]
                    .0
                    .first()
                    .map_or(String::new(), |f| f.display().to_string()),
                src.meta().alias
            ));
        }
        let panels: Vec<Vec<usize>> = streams.iter().map(|(_, p)| p.clone()).collect();
        match &layout {
            Some(l) if *l != panels => {
                return Err(format!(
                    "{}: the runs split their panels over streams differently",
                    src.label()
                ));
            }
            _ => layout = Some(panels),
        }
        for (fs, _) in &streams {
            if let Some(f) = fs
                .iter()
                .find(|f| f.to_str().is_none_or(|s| s.contains(['\t', '\n'])))
            {
                return Err(format!(
                    "{}: a file name that is not plain text",
                    f.display()
                ));
            }
        }
        files.push(streams.into_iter().map(|(f, _)| f).collect());
    }
    let layout = layout.ok_or("no runs")?;
    let nstreams = layout.len();
    if size > nstreams {
        return Err(format!(
            "more ranks ({size}) than stream files with panels ({nstreams})"
        ));
    }
    let all: Vec<usize> = (0..nstreams).collect();
    let ranks = (0..size)
        .map(|r| {
            let streams = share_panels(&all, r, size).to_vec();
            let mut panels: Vec<usize> = streams
                .iter()
                .flat_map(|&s| layout[s].iter().copied())
                .collect();
            panels.sort_unstable();
            let files = files
                .iter()
                .map(|run| streams.iter().flat_map(|&s| run[s].clone()).collect())
                .collect();
            RankStreams {
                streams,
                panels,
                files,
            }
        })
        .collect();
    Ok(Share::Streams {
        alias: first.meta().alias.clone(),
        ranks,
    })
}

impl Share {
    /// The share as a message (text lines).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut s = String::new();
        match self {
            Share::Events(reason) => {
                s.push_str("events\t");
                s.push_str(&reason.replace(['\t', '\n'], " "));
                s.push('\n');
            }
            Share::Streams { alias, ranks } => {
                s.push_str(&format!("streams\t{alias}\n"));
                let list =
                    |v: &[usize]| v.iter().map(usize::to_string).collect::<Vec<_>>().join(",");
                for r in ranks {
                    s.push_str(&format!(
                        "rank\t{}\t{}\n",
                        list(&r.streams),
                        list(&r.panels)
                    ));
                    for run in &r.files {
                        let names: Vec<&str> = run.iter().filter_map(|f| f.to_str()).collect();
                        s.push_str(&format!("run\t{}\n", names.join("\t")));
                    }
                }
            }
        }
        s.into_bytes()
    }

    /// A share from [`Share::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Share> {
        let bad = || Error::internal("the root's plan of the dark job is garbled");
        let text = std::str::from_utf8(bytes).map_err(|_| bad())?;
        let mut lines = text.lines();
        let head = lines.next().ok_or_else(bad)?;
        let (kind, rest) = head.split_once('\t').ok_or_else(bad)?;
        if kind == "events" {
            return Ok(Share::Events(rest.to_string()));
        }
        if kind != "streams" {
            return Err(bad());
        }
        let list = |s: &str| -> Result<Vec<usize>> {
            s.split(',')
                .filter(|x| !x.is_empty())
                .map(|x| x.parse().map_err(|_| bad()))
                .collect()
        };
        let mut ranks: Vec<RankStreams> = Vec::new();
        for line in lines {
            let f: Vec<&str> = line.split('\t').collect();
            match f[..] {
                ["rank", streams, panels] => ranks.push(RankStreams {
                    streams: list(streams)?,
                    panels: list(panels)?,
                    files: Vec::new(),
                }),
                ["run", ..] => ranks
                    .last_mut()
                    .ok_or_else(bad)?
                    .files
                    .push(f[1..].iter().map(PathBuf::from).collect()),
                _ => return Err(bad()),
            }
        }
        Ok(Share::Streams {
            alias: rest.to_string(),
            ranks,
        })
    }
}

/// The share of the job: the root plans it from `sources` (every file opened) and sends it to
/// the others, which pass `None`. Every rank calls it at the same point.
pub fn decide(
    sources: Option<&[RunSource]>,
    opts: &LoopOptions,
    ranks: &dyn Ranks,
) -> Result<Share> {
    let mut bytes = match sources {
        Some(s) if ranks.is_root() => plan(s, opts, ranks.size()).to_bytes(),
        _ => Vec::new(),
    };
    ranks.broadcast(&mut bytes)?;
    Share::from_bytes(&bytes)
}

/// A digest of what walking `sources` shows: steps (index, gain mode as the DAQ and detcal
/// read it), events (step, time stamp) and skipped events, in order.
pub fn digest(sources: &[RunSource]) -> Result<u64> {
    // FNV-1a over the items' descriptions.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |s: &str| {
        for b in s.bytes().chain([0xff]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    };
    for (i, src) in sources.iter().enumerate() {
        eat(&format!("run {i}"));
        src.for_each(&mut |item| {
            match item {
                Item::StepBegin(s) => eat(&format!(
                    "B {} {:?} {:?} {} {:?}",
                    s.index,
                    s.daq_value,
                    s.daq_name,
                    s.source,
                    s.mode.map(|m| m.index)
                )),
                Item::Frame { step, time, .. } => eat(&format!("F {step} {time}")),
                Item::Skipped { step, .. } => eat(&format!("S {step}")),
                Item::StepEnd { step } => eat(&format!("E {step}")),
            }
            Ok(crate::source::Flow::Continue)
        })?;
    }
    Ok(h)
}

/// Whether every rank's streams (`own`, this rank's) show the same steps and events
/// ([`digest`]): `None` if they do, else why not (the same answer on every rank).
pub fn aligned(own: &[RunSource], ranks: &dyn Ranks) -> Result<Option<String>> {
    let mine = digest(own)?;
    let mut differ: Vec<usize> = Vec::new();
    let mut r = 0;
    gather(
        ranks,
        || Ok(mine.to_le_bytes().to_vec()),
        |b| {
            r += 1;
            if b != mine.to_le_bytes() {
                differ.push(r);
            }
            Ok(())
        },
    )?;
    let mut verdict = if differ.is_empty() {
        Vec::new()
    } else {
        format!(
            "the streams of rank(s) {differ:?} do not show the events of rank 0's (a stream lacks an event, has it damaged, or the steps differ)"
        )
        .into_bytes()
    };
    ranks.broadcast(&mut verdict)?;
    if verdict.is_empty() {
        Ok(None)
    } else {
        Ok(Some(String::from_utf8_lossy(&verdict).into_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_share_round_trips_as_bytes() {
        let s = Share::Streams {
            alias: "jungfrau".into(),
            ranks: vec![
                RankStreams {
                    streams: vec![0, 1],
                    panels: vec![0, 1, 2],
                    files: vec![vec!["/d/a-s000.xtc2".into(), "/d/a-s001.xtc2".into()]],
                },
                RankStreams {
                    streams: vec![2],
                    panels: vec![3],
                    files: vec![vec!["/d/a-s002.xtc2".into()]],
                },
            ],
        };
        assert_eq!(Share::from_bytes(&s.to_bytes()).unwrap(), s);
        let e = Share::Events("more ranks (3) than stream files with panels (2)".into());
        assert_eq!(Share::from_bytes(&e.to_bytes()).unwrap(), e);
        assert!(Share::from_bytes(b"streams\tx\nrank\t0\n").is_err());
    }
}
