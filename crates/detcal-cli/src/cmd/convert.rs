//! `detcal convert`: between NumPy `.npy` and psana's text formats.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use detcal::formats::{self, FileFormat};

use crate::args::PermArgs;
use crate::cli::EXIT_OK;

pub const AFTER_HELP: &str = "\
Formats go by extension: .npy (NumPy), .data and .txt (psana text with header: host, shape,
# DTYPE, # NDIM, # DIM:i), .dat (plain text without header, as the per-panel repository).
Shape and dtype are kept. Text is written with --fmt, by default without loss: %d for
integers, %.9g for float32, %.17g for float64. psana's own formats are %.3f for pedestals and
rms, %4i for status, %.4f for gains and %.1f for offsets.

EXAMPLES:
    detcal convert calib/Jungfrau::CalibV1/jungfrau.0:Jungfrau.0/pedestals/1-end.data pedestals.npy
    detcal convert pedestals.npy peds.txt --fmt %.3f";

/// Convert an array between .npy and psana text (.data, .txt, .dat).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The file to read (.npy, .data, .txt or .dat).
    #[arg(value_name = "IN")]
    pub input: PathBuf,
    /// The file to write (.npy, .data, .txt or .dat); replaced atomically.
    #[arg(value_name = "OUT")]
    pub output: PathBuf,
    /// Number format for text output, Python style: %.3f, %4i, %d, %.4e, ...
    #[arg(long, value_name = "FMT")]
    pub fmt: Option<String>,
    /// Output format when the extension does not say: npy, text or plain.
    #[arg(long = "to", value_name = "FORMAT")]
    pub to: Option<String>,
    #[command(flatten)]
    pub perms: PermArgs,
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let arr = formats::load_array(&a.input)?;
    let format = match &a.to {
        Some(name) => FileFormat::from_name(name)?,
        None => FileFormat::of_path(&a.output)?,
    };
    if format == FileFormat::Npy && a.fmt.is_some() {
        anyhow::bail!(
            "--fmt applies to text output only; {} is .npy",
            a.output.display()
        );
    }
    formats::save_array(&a.output, &arr, format, a.fmt.as_deref(), &a.perms.perms())
        .with_context(|| format!("writing {}", a.output.display()))?;
    tracing::info!(
        "wrote {} ({} {})",
        a.output.display(),
        detcal::formats::array::shape_str(arr.shape()),
        arr.dtype()
    );
    Ok(ExitCode::from(EXIT_OK))
}
