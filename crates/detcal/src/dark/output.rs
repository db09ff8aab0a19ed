/*!
Saving dark-processing results as psana does.

- JUNGFRAU ([`save_jungfrau`]): per panel and gain mode, plain-text files in the panel
  repository: `<repo>/<panel_id>/<ctype>/jungfrau_<alias>_<tstamp>_<exp>_r<NNNN>_<ctype>_gm<i>-<Mode>.dat`
  for `pedestals` and `rms` (`%.3f`), `status` (`%4i`), `dark_min` and `dark_max` (`%6i`).
- Single-gain detectors ([`save_ndarr`], psana's `det_ndarr_raw_proc`): the whole detector array
  as psana text with header, named by a template such as
  `nda-#exp-#run-#src-#evts-#type-#date-#time-#fid-#sec-#nsec.txt`, for the types selected by the
  `savebw` bits: 1 `ave` (`%8.2f`), 2 `rms` (`%8.2f`), 4 `sta` (`%d`), 8 `msk` (`%1d`), 16 `max`
  (`%d`), 32 `min` (`%d`).
*/

use std::path::{Path, PathBuf};

use ndarray::{ArrayD, IxDyn};
use rayon::prelude::*;

use crate::dark::job::StepDone;
use crate::dark::{DarkParams, DarkResult};
use crate::detector::DetType;
use crate::error::{Error, Result};
use crate::files::{check_component, commit_all};
use crate::formats::array::NdArray;
use crate::formats::pyfmt::PyFormat;
use crate::formats::text::{TextOptions, stage_plain, write_text};
use crate::repo::alias::AliasRecord;
use crate::repo::{JUNGFRAU_DARK_CTYPES, Repo, file_prefix, gain_mode_file_name};

/// Saves a JUNGFRAU step's results per panel into the repository; `tstamp` and `exp` name the
/// files (psana uses the job's first run's time for every file). Returns the files written.
pub fn save_jungfrau(
    repo: &Repo,
    d: &StepDone<'_>,
    tstamp: &str,
    exp: &str,
) -> Result<Vec<PathBuf>> {
    let mode = d
        .mode
        .ok_or_else(|| Error::bad_arg("--gain-mode", "a JUNGFRAU step needs its gain mode"))?;
    let [nsegs, rows, cols] = d.meta.frame_shape;
    let panel_len = rows * cols;
    let panels: Vec<usize> = match d.segind {
        Some(s) => vec![s],
        None => (0..nsegs).collect(),
    };
    let table = crate::deploy::jungfrau::alias_table(repo);
    let r = &d.result;
    let formats = [
        PyFormat::parse("%.3f")?,
        PyFormat::parse("%.3f")?,
        PyFormat::parse("%4i")?,
        PyFormat::parse("%6i")?,
        PyFormat::parse("%6i")?,
    ];
    // Aliases are assigned one panel at a time (under the table's lock); the files are then
    // formatted and written in parallel.
    let mut jobs = Vec::new();
    for (k, &p) in panels.iter().enumerate() {
        let id = &d.meta.panel_ids[p];
        let alias = table.alias_for(
            id,
            &AliasRecord {
                exp: Some(exp),
                run: Some(d.meta.run),
                extra: &[],
            },
        )?;
        let prefix = file_prefix("jungfrau", &alias, tstamp, exp, d.meta.run)?;
        repo.make_panel_dirs(id, &JUNGFRAU_DARK_CTYPES)?;
        for (c, ctype) in JUNGFRAU_DARK_CTYPES.iter().enumerate() {
            let path = repo
                .ctype_dir(id, ctype)?
                .join(gain_mode_file_name(&prefix, ctype, mode.index, mode.name));
            jobs.push((k, c, path));
        }
    }
    // Written in parallel, then flushed to disk together and renamed into place (one at a
    // time, each flush waits for the disk: 40 files of 8 panels spent 0.2 s of the two
    // threads' time waiting).
    let staged = jobs
        .par_iter()
        .map(|(k, c, path)| {
            // With segind the result holds that one panel only.
            let range = k * panel_len..(k + 1) * panel_len;
            let sh = IxDyn(&[rows, cols]);
            let arr = match c {
                0 => {
                    NdArray::F64(ArrayD::from_shape_vec(sh, r.ave[range].to_vec()).expect("panel"))
                }
                1 => {
                    NdArray::F64(ArrayD::from_shape_vec(sh, r.rms[range].to_vec()).expect("panel"))
                }
                2 => NdArray::U64(
                    ArrayD::from_shape_vec(sh, r.status[range].to_vec()).expect("panel"),
                ),
                3 => {
                    NdArray::U16(ArrayD::from_shape_vec(sh, r.min[range].to_vec()).expect("panel"))
                }
                _ => {
                    NdArray::U16(ArrayD::from_shape_vec(sh, r.max[range].to_vec()).expect("panel"))
                }
            };
            stage_plain(path, &arr, &formats[*c], repo.perms())
        })
        .collect::<Result<Vec<_>>>()?;
    commit_all(staged)
}

/// What goes into the names and comments of `det_ndarr_raw_proc`-style files.
#[derive(Debug, Clone)]
pub struct NdarrNames<'a> {
    /// The file-name template (`#exp`, `#run`, `#src`, `#type`, `#date`, `#time`, `#fid`, `#sec`,
    /// `#nsec`, `#evts`, each replaced once).
    pub template: &'a str,
    /// The dataset, for the `DATASET` comment.
    pub dataset: &'a str,
    /// The source, for names and the `SOURCE` comment.
    pub source: &'a str,
    /// Which arrays to save (bits of 1 ave, 2 rms, 4 sta, 8 msk, 16 max, 32 min).
    pub savebw: u32,
}

/// Fills psana's file-name template for one array type.
pub fn ndarr_file_name(t: &str, d: &StepDone<'_>, source: &str, ty: &str) -> String {
    let start = d.meta.start;
    let utc = start.to_zoned(crate::site::local_tz());
    let mut s = t.to_string();
    let mut sub = |tok: &str, val: &str| {
        if let Some(i) = s.find(tok) {
            s.replace_range(i..i + tok.len(), val);
        }
    };
    sub("#src", source);
    sub("#exp", &d.meta.exp);
    sub("#run", &format!("r{:04}", d.meta.run));
    sub("#evts", &format!("e{:06}", d.result.counter));
    sub("#type", "%s");
    sub("#date", &utc.strftime("%Y-%m-%d").to_string());
    sub("#time", &utc.strftime("%H:%M:%S").to_string());
    sub("#fid", "0");
    sub("#sec", &start.as_second().to_string());
    sub("#nsec", &format!("{:09}", start.subsec_nanosecond()));
    if !s.contains("%s") {
        s.push_str("-%s");
    }
    s.replacen("%s", ty, 1)
}

/// The shape of a single-gain detector's arrays as psana saves them: the type's fixed shape
/// where it has one, else (rows, cols) for one panel or (panels, rows, cols).
fn ndarr_shape(t: DetType, frame: [usize; 3]) -> Vec<usize> {
    let n: usize = frame.iter().product();
    match t.base_shape() {
        Some(b) if b.iter().product::<usize>() == n => b.to_vec(),
        _ if frame[0] == 1 => vec![frame[1], frame[2]],
        _ => frame.to_vec(),
    }
}

/// Saves a single-gain detector's results as `det_ndarr_raw_proc` does, in `dir`.
pub fn save_ndarr(
    dir: &Path,
    d: &StepDone<'_>,
    names: &NdarrNames<'_>,
    perms: &crate::files::Perms,
) -> Result<Vec<PathBuf>> {
    let r = &d.result;
    let shape = match d.segind {
        Some(_) => vec![d.meta.frame_shape[1], d.meta.frame_shape[2]],
        None => ndarr_shape(d.meta.det_type, d.meta.frame_shape),
    };
    let sh = IxDyn(&shape);
    let mask: Vec<u8> = r.status.iter().map(|&s| u8::from(s == 0)).collect();
    let arrays: [(u32, &str, &str, &str, NdArray); 6] = [
        (
            1,
            "ave",
            "average",
            "%8.2f",
            NdArray::F64(ArrayD::from_shape_vec(sh.clone(), r.ave.clone()).expect("shape")),
        ),
        (
            2,
            "rms",
            "RMS",
            "%8.2f",
            NdArray::F64(ArrayD::from_shape_vec(sh.clone(), r.rms.clone()).expect("shape")),
        ),
        (
            4,
            "sta",
            "status",
            "%d",
            NdArray::U64(ArrayD::from_shape_vec(sh.clone(), r.status.clone()).expect("shape")),
        ),
        (
            8,
            "msk",
            "mask",
            "%1d",
            NdArray::U8(ArrayD::from_shape_vec(sh.clone(), mask).expect("shape")),
        ),
        (
            16,
            "max",
            "max",
            "%d",
            NdArray::U16(ArrayD::from_shape_vec(sh.clone(), r.max.clone()).expect("shape")),
        ),
        (
            32,
            "min",
            "min",
            "%d",
            NdArray::U16(ArrayD::from_shape_vec(sh, r.min.clone()).expect("shape")),
        ),
    ];
    let mut out = Vec::new();
    for (bit, ty, what, fmt, arr) in arrays {
        if names.savebw & bit == 0 {
            continue;
        }
        let name = ndarr_file_name(names.template, d, names.source, ty);
        check_component("output file name", &name)?;
        let mut opts = TextOptions::new(fmt)?.with_comments([
            format!("DATASET {}", names.dataset),
            format!("STATISTICS {}", r.counter),
            format!("ARR_TYPE {what}"),
            format!("SOURCE {}", names.source),
        ]);
        // psana writes CSPAD arrays without the shape metadata.
        opts.add_metadata = !matches!(d.meta.det_type, DetType::Cspad | DetType::Cspad2x2);
        let path = dir.join(name);
        write_text(&path, &arr, &opts, perms)?;
        out.push(path);
    }
    Ok(out)
}

/// Log lines summarizing a step: events, limits, and pixels with each status bit.
pub fn summary_lines(d: &StepDone<'_>, params: &DarkParams) -> Vec<String> {
    let r: &DarkResult = &d.result;
    let l = &r.limits;
    let mode = d.mode.map_or("single gain".to_string(), |m| {
        format!(
            "gain mode {} ({}, gain index {})",
            m.name,
            d.step.daq_name.as_deref().unwrap_or("-"),
            m.index
        )
    });
    let names = [
        "1 hot rms",
        "2 cold rms",
        "4 saturated",
        "8 cold",
        "16 high mean",
        "32 low mean",
        "64 bad gain switch",
    ];
    let bits = names
        .iter()
        .zip(r.bit_counts)
        .map(|(n, c)| format!("{n}: {c}"))
        .collect::<Vec<_>>()
        .join(", ");
    vec![
        format!(
            "{} run {} step {}: {mode}: {} frames used ({} skipped), counter {}, nevlm {}",
            d.meta.exp, d.meta.run, d.step.index, r.frames, d.skipped, r.counter, r.nevlm
        ),
        format!(
            "  ave mean {:.3} std {:.3} limits [{:.3}, {:.3}]; rms mean {:.3} std {:.3} limits [{:.3}, {:.3}] (nsigma {}/{}/{}/{})",
            l.ave_mean,
            l.ave_std,
            l.ave_lo,
            l.ave_hi,
            l.rms_mean,
            l.rms_std,
            l.rms_lo,
            l.rms_hi,
            params.intnlo,
            params.intnhi,
            params.rmsnlo,
            params.rmsnhi
        ),
        format!(
            "  status bits (pixels): {bits}; bad pixels: {} of {}",
            r.bad_pixels(),
            r.status.len()
        ),
    ]
}
