//! `detcal epix10ka-id` and `detcal jungfrau-id` (psana's `epix10ka_id`, `jungfrau_id`): the
//! panel ids of a detector in a dataset.

use std::process::ExitCode;

use crate::args::DatasetArgs;
use crate::cli::EXIT_OK;

pub const AFTER_HELP: &str = "\
Prints, as psana's epix10ka_id does, 'Panel ids:' and then one line 'elem NN: <id>' per panel, in
segment order. In LCLS-II XTC2 a panel id is the segment's detId (7 fields of 10 digits,
<version>-<carrier>-<carrier>-<digital>-<digital>-<analog>-<analog>). DETNAME is the DAQ alias
(default: the only detector with raw data); the first run of the dataset is used.

EXAMPLES:
    detcal simulate --det epix10kaquad --out edata --events 1 --no-light
    detcal epix10ka-id exp=xpptut15:run=1 --data-dir edata
    epix10ka_id exp=xpptut15:run=1 epixquad --data-dir edata";

/// Print the panel ids of an ePix10ka (psana epix10ka_id).
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub data: DatasetArgs,
    /// DAQ alias of the detector (default: the only detector with raw data).
    #[arg(value_name = "DETNAME")]
    pub det: Option<String>,
    /// Print JSON (alias, type, panel ids, unique id, run).
    #[arg(long)]
    pub json: bool,
}

pub const JUNGFRAU_AFTER_HELP: &str = "\
Prints, as psana's jungfrau_id does, the detector found (its alias), the number of panels and the
detector's id: jungfrau_<panel id>_<panel id>... with the segments' detIds in segment order (the
id under which the calibration database files the detector). DETNAME is the DAQ alias (default:
the only detector with raw data); the first run of the dataset is used. --json prints the alias,
type, panel ids and id.

EXAMPLES:
    detcal simulate --out jdata --panels 2 --events 1 --no-light
    detcal jungfrau-id exp=xpptut15:run=1 --data-dir jdata
    jungfrau_id exp=xpptut15:run=1 jungfrau --data-dir jdata --json";

/// The detector the arguments name.
fn detector(a: &Args) -> anyhow::Result<detcal::source::DetectorMeta> {
    Ok(detcal::source::detector_of(
        &a.data.spec(),
        a.data.root.data_dir.as_deref(),
        a.det.as_deref(),
    )?)
}

/// Print the id of a JUNGFRAU (psana jungfrau_id).
pub fn run_jungfrau(a: Args) -> anyhow::Result<ExitCode> {
    let meta = detector(&a)?;
    if meta.det_type != detcal::detector::DetType::Jungfrau {
        tracing::warn!("{} is a {}, not a JUNGFRAU", meta.alias, meta.det_type);
    }
    if a.json {
        println!("{}", serde_json::to_string_pretty(&meta)?);
        return Ok(ExitCode::from(EXIT_OK));
    }
    println!("found source: {}", meta.alias.replace(':', "-"));
    println!("number of panels: {}", meta.panel_ids.len());
    println!("Jungfrau id: {}", meta.unique_id);
    Ok(ExitCode::from(EXIT_OK))
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let meta = detector(&a)?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&meta)?);
        return Ok(ExitCode::from(EXIT_OK));
    }
    if !detcal::source::is_epix10ka(meta.det_type) {
        tracing::warn!(
            "{} is a {}, not an ePix10ka; its panel ids are:",
            meta.alias,
            meta.det_type
        );
    }
    println!("Panel ids:");
    for (i, id) in meta.panel_ids.iter().enumerate() {
        println!("elem {i:2}: {id}");
    }
    Ok(ExitCode::from(EXIT_OK))
}
