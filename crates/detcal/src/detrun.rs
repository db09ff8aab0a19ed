/*!
Which detector in which run a job works on: from a dataset, from psana's `-e`/`-r`/`-x`, or
given outright (panel ids, experiment, run, time stamp) for work without raw data.
*/

use jiff::Timestamp;

use crate::detector::DetType;
use crate::error::{Error, Missing, Result};
use crate::settings::Settings;
use crate::site;
use crate::source::{DetectorMeta, open_dataset};

/// The ways of naming a detector in a run, as psana's deploy scripts take them.
#[derive(Debug, Clone)]
pub struct DetRunSpec {
    /// Experiment (`-e`).
    pub exp: Option<String>,
    /// Run number (`-r`).
    pub run: Option<String>,
    /// Dataset (an `.xtc2` file, or `exp=..:run=..[:dir=..]`).
    pub dataset: Option<String>,
    /// psana's extra dataset text (`-x`): appended to `exp=<EXP>:run=<RUN>` if it starts with
    /// `:`, else the whole dataset.
    pub dsnamex: Option<String>,
    /// The detector's DAQ alias (`-d`); default: the only detector with raw data.
    pub det: Option<String>,
    /// The DetInfo source in the calibration store; default `<alias>.0:<Type>.0`.
    pub source: Option<String>,
    /// Panel ids, for work without raw data.
    pub panel_ids: Vec<String>,
    /// The detector type of `panel_ids`.
    pub det_type: DetType,
}

impl Default for DetRunSpec {
    fn default() -> Self {
        DetRunSpec {
            exp: None,
            run: None,
            dataset: None,
            dsnamex: None,
            det: None,
            source: None,
            panel_ids: Vec::new(),
            det_type: DetType::Jungfrau,
        }
    }
}

/// A resolved detector in a run.
#[derive(Debug, Clone)]
pub struct DetRun {
    /// What the run says of the detector.
    pub meta: DetectorMeta,
    /// The DetInfo source for the calibration store.
    pub source: String,
}

/// The dataset psana's `-e EXP`, `-r RUN` and `-x DSNAMEX` name: `-x` appended to
/// `exp=<EXP>:run=<RUN>` when it starts with `:`, else `-x` alone; `None` when they name none.
pub fn dataset_of(exp: Option<&str>, run: Option<&str>, dsnamex: Option<&str>) -> Option<String> {
    match (dsnamex, exp, run) {
        (Some(x), Some(e), Some(r)) if x.starts_with(':') => Some(format!("exp={e}:run={r}{x}")),
        (Some(x), _, _) if !x.starts_with(':') => Some(x.to_string()),
        (None, Some(e), Some(r)) => Some(format!("exp={e}:run={r}")),
        _ => None,
    }
}

impl DetRunSpec {
    /// The dataset these options name, if any.
    fn dataset(&self) -> Option<String> {
        self.dataset.clone().or_else(|| {
            dataset_of(
                self.exp.as_deref(),
                self.run.as_deref(),
                self.dsnamex.as_deref(),
            )
        })
    }

    /// Resolves the detector, with `tstamp` (psana's `-t`) standing for the run's start time when
    /// given: 14 digits, or a run number up to 9999 whose start time is used.
    pub fn resolve(&self, tstamp: Option<&str>, settings: &Settings) -> Result<DetRun> {
        let data = settings.psdm_data.as_deref();
        let mut meta = if !self.panel_ids.is_empty() {
            let need =
                |what: &str| Error::bad_arg("--panel-ids", format!("--panel-ids needs {what}"));
            let exp = self.exp.clone().ok_or_else(|| need("--exp"))?;
            site::instrument(&exp)?;
            let run: u32 = self
                .run
                .as_deref()
                .ok_or_else(|| need("--run"))?
                .parse()
                .map_err(|_| Error::bad_arg("--run", "--run must be a number"))?;
            let t = tstamp.ok_or_else(|| need("--tstamp (YYYYmmddHHMMSS)"))?;
            DetectorMeta {
                det_type: self.det_type,
                alias: self.det.clone().unwrap_or_else(|| self.det_type.dir_name()),
                unique_id: self.det_type.unique_id(&self.panel_ids),
                panel_ids: self.panel_ids.clone(),
                exp,
                run,
                start: site::tstamp_to_timestamp(t)?,
                frame_shape: [self.panel_ids.len(), 0, 0],
            }
        } else {
            let ds = self.dataset().ok_or_else(|| {
                Error::bad_arg(
                    "--dataset",
                    "say which run: a dataset (--dataset), or --exp and --run, or --panel-ids",
                )
            })?;
            let runs = open_dataset(&ds, data, self.det.as_deref())?;
            runs.into_iter()
                .next()
                .ok_or_else(|| {
                    Error::not_found(
                        Missing::Run,
                        "runs",
                        &ds,
                        format!("{ds}: the dataset has no runs"),
                    )
                })?
                .meta()
                .clone()
        };
        if let Some(t) = tstamp {
            meta.start = self.tstamp_time(t, &meta, settings)?;
        }
        let source = match &self.source {
            Some(s) => s.clone(),
            None => meta.det_type.default_source(&meta.alias),
        };
        crate::files::check_component("source", &source)?;
        Ok(DetRun { meta, source })
    }

    /// The instant psana's `-t` value names.
    fn tstamp_time(&self, t: &str, meta: &DetectorMeta, settings: &Settings) -> Result<Timestamp> {
        if let Ok(run) = t.parse::<u32>()
            && run <= 9999
        {
            let ds = format!("exp={}:run={run}", meta.exp);
            let runs = open_dataset(&ds, settings.psdm_data.as_deref(), Some(&meta.alias))
                .map_err(|e| {
                    Error::bad_arg(
                        "-t",
                        format!("-t {t} names run {run}, whose time stamp is used: {e}"),
                    )
                })?;
            let Some(r) = runs.first() else {
                return Err(Error::not_found(
                    Missing::Run,
                    run,
                    &meta.exp,
                    format!("run {run} of {} not found", meta.exp),
                ));
            };
            return Ok(r.meta().start);
        }
        site::tstamp_to_timestamp(t)
    }
}
