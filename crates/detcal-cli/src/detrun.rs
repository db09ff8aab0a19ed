//! Which detector in which run a command works on: from a dataset, from psana's `-e`/`-r`/`-x`,
//! or given outright (panel ids, experiment, run, time stamp).

use std::path::PathBuf;

use anyhow::{Context, bail};
use detcal::detector::DetType;
use detcal::site;
use detcal::source::{DetectorMeta, open_dataset};

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
    /// Root of experiment data instead of $SIT_PSDM_DATA.
    #[arg(long = "data-dir", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
}

/// A resolved detector in a run.
#[derive(Debug, Clone)]
pub struct DetRun {
    /// What the run says of the detector.
    pub meta: DetectorMeta,
    /// The DetInfo source for the calibration store.
    pub source: String,
}

/// The default DetInfo source of a DAQ alias: `<alias>.0:<Type>.0`.
pub fn default_source(alias: &str, t: DetType) -> String {
    format!("{alias}.0:{}.0", t.name())
}

impl DetRunArgs {
    /// The dataset these options name, if any.
    fn dataset(&self) -> Option<String> {
        match (&self.dataset, &self.dsnamex, &self.exp, &self.run) {
            (Some(d), _, _, _) => Some(d.clone()),
            (None, Some(x), Some(e), Some(r)) if x.starts_with(':') => {
                Some(format!("exp={e}:run={r}{x}"))
            }
            (None, Some(x), _, _) if !x.starts_with(':') => Some(x.clone()),
            (None, None, Some(e), Some(r)) => Some(format!("exp={e}:run={r}")),
            _ => None,
        }
    }

    /// Resolves the detector, with `tstamp` (psana's `-t`) standing for the run's start time when
    /// given: 14 digits, or a run number up to 9999 whose start time is used.
    pub fn resolve(&self, tstamp: Option<&str>) -> anyhow::Result<DetRun> {
        let mut meta = if !self.panel_ids.is_empty() {
            let exp = self.exp.clone().context("--panel-ids needs --exp")?;
            site::instrument(&exp)?;
            let run: u32 = self
                .run
                .as_deref()
                .context("--panel-ids needs --run")?
                .parse()
                .context("--run must be a number")?;
            let t = tstamp.context("--panel-ids needs --tstamp (YYYYmmddHHMMSS)")?;
            let start = site::tstamp_to_timestamp(t)?;
            DetectorMeta {
                det_type: self.det_type,
                alias: self.det.clone().unwrap_or_else(|| self.det_type.dir_name()),
                unique_id: format!("{}_{}", self.det_type.dir_name(), self.panel_ids.join("_")),
                panel_ids: self.panel_ids.clone(),
                exp,
                run,
                start,
                frame_shape: [self.panel_ids.len(), 0, 0],
            }
        } else {
            let ds = self.dataset().context(
                "say which run: a dataset (--dataset), or --exp and --run, or --panel-ids",
            )?;
            let runs = open_dataset(&ds, self.data_dir.as_deref(), self.det.as_deref())?;
            runs.into_iter()
                .next()
                .context("the dataset has no runs")?
                .meta()
                .clone()
        };
        if let Some(t) = tstamp {
            meta.start = self.tstamp_time(t, &meta)?;
        }
        let source = match &self.source {
            Some(s) => s.clone(),
            None => default_source(&meta.alias, meta.det_type),
        };
        detcal::files::check_component("source", &source)?;
        Ok(DetRun { meta, source })
    }

    /// The instant psana's `-t` value names.
    fn tstamp_time(&self, t: &str, meta: &DetectorMeta) -> anyhow::Result<jiff::Timestamp> {
        if let Ok(run) = t.parse::<u32>()
            && run <= 9999
        {
            let ds = format!("exp={}:run={run}", meta.exp);
            let runs = open_dataset(&ds, self.data_dir.as_deref(), Some(&meta.alias))
                .with_context(|| format!("-t {t} names run {run}, whose time stamp is used"))?;
            let Some(r) = runs.first() else {
                bail!("run {run} of {} not found", meta.exp)
            };
            return Ok(r.meta().start);
        }
        Ok(site::tstamp_to_timestamp(t)?)
    }
}
