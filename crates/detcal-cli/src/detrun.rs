//! The flags that name a detector in a run (psana's `-e`/`-r`/`-x`/`-d`, or panel ids).

use detcal::detector::DetType;
use detcal::detrun::DetRunSpec;

/// Options that name a detector in a run.
#[derive(Debug, Clone, clap::Args)]
pub struct DetRunArgs {
    /// Experiment, e.g. xpptut15.
    #[arg(short = 'e', long = "exp", value_name = "EXP")]
    pub exp: Option<String>,
    /// Run number (the first run of the dataset when a dataset is given).
    #[arg(short = 'r', long = "run", value_name = "RUN")]
    pub run: Option<String>,
    /// Dataset: an .xtc2 file, or exp=<exp>:run=<run>[:dir=<dir>]; default exp=<EXP>:run=<RUN>.
    #[arg(long = "dataset", visible_alias = "dsname", value_name = "DATASET")]
    pub dataset: Option<String>,
    /// psana's extra dataset text: appended to exp=<EXP>:run=<RUN> if it starts with ':', else
    /// the whole dataset.
    #[arg(short = 'x', long = "dsnamex", value_name = "TEXT")]
    pub dsnamex: Option<String>,
    /// Detector: its DAQ alias (e.g. jungfrau); default: the only detector with raw data.
    #[arg(short = 'd', long = "det", value_name = "DET")]
    pub det: Option<String>,
    /// DetInfo source naming the detector in the calibration store
    /// [default: <alias>.0:<Type>.0, e.g. jungfrau.0:Jungfrau.0].
    #[arg(long, value_name = "SRC")]
    pub source: Option<String>,
    /// Panel ids, comma-separated, for work without raw data (with --exp, --run, --tstamp).
    #[arg(long = "panel-ids", value_name = "IDS", value_delimiter = ',')]
    pub panel_ids: Vec<String>,
    /// Detector type for --panel-ids.
    #[arg(long = "det-type", value_name = "TYPE", default_value = "jungfrau")]
    pub det_type: DetType,
    #[command(flatten)]
    pub root: crate::args::DataDirArg,
}

impl DetRunArgs {
    /// The library's description of the detector and run these options name.
    pub fn spec(&self) -> DetRunSpec {
        DetRunSpec {
            exp: self.exp.clone(),
            run: self.run.clone(),
            dataset: self.dataset.clone(),
            dsnamex: self.dsnamex.clone(),
            det: self.det.clone(),
            source: self.source.clone(),
            panel_ids: self.panel_ids.clone(),
            det_type: self.det_type,
        }
    }
}
