//! `detcal epix10ka-id` (psana's `epix10ka_id`): the panel ids of an ePix10ka in a dataset.

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
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let meta = detcal::source::detector_of(
        &a.data.spec(),
        a.data.root.data_dir.as_deref(),
        a.det.as_deref(),
    )?;
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
