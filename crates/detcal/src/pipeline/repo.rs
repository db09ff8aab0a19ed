/*!
User arrays into the constants repository (psana's `save_constants_in_repository`), and the
default files of a detector type.
*/

use std::path::PathBuf;

use ndarray::{ArrayD, IxDyn};
use serde::Serialize;

use crate::NdArray;
use crate::deploy::constants::{ConstantsRepo, DetRun};
use crate::detector::{CalibType, DetType};
use crate::detrun::DetRunSpec;
use crate::error::{Error, Result};
use crate::formats;
use crate::settings::Settings;
use crate::site;

/// Which array to save, for which detector and run.
#[derive(Debug, Clone, Default)]
pub struct PutOptions {
    /// The array (`.npy` or text).
    pub array: PathBuf,
    /// The constants type, e.g. status_user, status_dark, gain.
    pub ctype: String,
    /// The time stamp `YYYYmmddHHMMSS` from which the array is valid; default the run's start.
    pub tstamp: Option<String>,
    /// The detector and run.
    pub det: DetRunSpec,
    /// The repository (`-o`); default under `SIT_ROOT`.
    pub dirrepo: Option<PathBuf>,
    /// The number format; default `%d` for status, `%.4f` otherwise.
    pub fmt: Option<String>,
}

/// What `put` wrote.
#[derive(Debug, Clone, Serialize)]
pub struct PutReport {
    /// The files written, one per panel (and gain mode), in order.
    pub files: Vec<PathBuf>,
}

/// Saves a user's array in the repository under the detector's and run's names.
pub fn put(opts: &PutOptions, settings: &Settings) -> Result<PutReport> {
    let d = opts.det.resolve(opts.tstamp.as_deref(), settings)?;
    let arr = formats::load_array(&opts.array)?;
    let repo = ConstantsRepo::new(
        settings.constants_repo(opts.dirrepo.as_deref())?,
        settings.perms.clone(),
    );
    let tstamp = site::tstamp(d.meta.start);
    let run = DetRun {
        det_type: d.meta.det_type,
        panel_ids: &d.meta.panel_ids,
        exp: &d.meta.exp,
        run: d.meta.run,
        tstamp: &tstamp,
        source: &d.source,
    };
    let files = repo.put(&run, &opts.ctype, &arr, opts.fmt.as_deref())?;
    Ok(PutReport { files })
}

/// Which default file to write.
#[derive(Debug, Clone)]
pub struct DefaultOptions {
    /// The detector type.
    pub det_type: DetType,
    /// The constants type (gain, pedestals, rms, common_mode, ...).
    pub ctype: String,
    /// The value of every pixel (unless `from` is given or the type is common_mode).
    pub value: Option<f64>,
    /// The shape `ROWSxCOLS` or `AxBxC...`; default the detector type's fixed shape.
    pub shape: Option<String>,
    /// Take the array from this file instead.
    pub from: Option<PathBuf>,
    /// The repository (`-o`); default under `SIT_ROOT`.
    pub dirrepo: Option<PathBuf>,
}

/// What `default` wrote.
#[derive(Debug, Clone, Serialize)]
pub struct DefaultReport {
    /// The default file.
    pub file: PathBuf,
}

/// Writes the default file of a constants type for a detector type: the array of `from`,
/// psana's common_mode parameters, or a constant array.
pub fn default(opts: &DefaultOptions, settings: &Settings) -> Result<DefaultReport> {
    let repo = ConstantsRepo::new(
        settings.constants_repo(opts.dirrepo.as_deref())?,
        settings.perms.clone(),
    );
    let arr = if let Some(f) = &opts.from {
        formats::load_array(f)?
    } else if opts.ctype == CalibType::CommonMode.name() {
        let cm = opts.det_type.default_common_mode().to_vec();
        let n = cm.len();
        NdArray::F64(
            ArrayD::from_shape_vec(IxDyn(&[n]), cm)
                .map_err(|e| Error::internal(format!("common_mode parameters: {e}")))?,
        )
    } else {
        let shape: Vec<usize> = match &opts.shape {
            Some(s) => s
                .split('x')
                .map(|d| d.trim().parse::<usize>())
                .collect::<Result<_, _>>()
                .map_err(|_| {
                    Error::bad_arg(
                        "--shape",
                        format!("--shape {s:?}: expected sizes like 704x768"),
                    )
                })?,
            None => opts
                .det_type
                .base_shape()
                .map(<[usize]>::to_vec)
                .ok_or_else(|| {
                    Error::bad_arg(
                        "--shape",
                        format!("{} has no fixed shape; give --shape", opts.det_type),
                    )
                })?,
        };
        let value = opts.value.ok_or_else(|| {
            Error::bad_arg(
                "--value",
                format!("--ctype {}: give --value (or --from)", opts.ctype),
            )
        })?;
        NdArray::F32(ArrayD::from_elem(IxDyn(&shape), value as f32))
    };
    let file = repo.write_default(opts.det_type, &opts.ctype, &arr, None)?;
    Ok(DefaultReport { file })
}
