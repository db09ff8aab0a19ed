//! `detcal show`: what a constants file holds.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use detcal::formats;
use detcal::formats::array::shape_str;
use detcal::summary::{ArraySummary, summarize};

use crate::cli::EXIT_OK;

pub const AFTER_HELP: &str = "\
Prints the shape, dtype, min, max, mean and standard deviation of the values. For status
arrays (pixel_status, status_*, or --status) it also counts the pixels with each bit set.
A file is taken as status when its directory or name says so (pixel_status/, status_extra/,
..._status_gm0-Normal.dat, status/).

EXAMPLE:
    detcal show calib/Jungfrau::CalibV1/jungfrau.0:Jungfrau.0/pixel_status/1-end.data";

/// Print the shape, dtype and statistics of an array file.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The file (.npy, .data, .txt or .dat).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// Count status bits even when the file name does not say it is a status array.
    #[arg(long)]
    pub status: bool,
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let arr = formats::load_array(&a.file)?;
    let s = summarize(
        &arr,
        a.status || detcal::detector::path_names_status(&a.file),
    );
    if a.json {
        let mut v = serde_json::to_value(&s)?;
        v["file"] = serde_json::Value::String(a.file.display().to_string());
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        print_text(&a.file, &s);
    }
    Ok(ExitCode::from(EXIT_OK))
}

fn print_text(path: &Path, s: &ArraySummary) {
    let num = |v: Option<f64>| v.map_or("-".to_string(), |x| format!("{x:.6}"));
    println!("file:    {}", path.display());
    println!("shape:   {}  ({} values)", shape_str(&s.shape), s.size);
    println!("dtype:   {}", s.dtype);
    println!("min:     {}", num(s.min));
    println!("max:     {}", num(s.max));
    println!("mean:    {}", num(s.mean));
    println!("std:     {}", num(s.std));
    println!("nonzero: {}", s.nonzero);
    if s.nan_count > 0 {
        println!("nan:     {}", s.nan_count);
    }
    if let Some(bits) = &s.status_bits {
        println!("status bits (pixels with the bit set):");
        if bits.is_empty() {
            println!("  none");
        }
        for b in bits {
            println!(
                "  bit {:>2} ({:>5}): {}",
                b.bit.trailing_zeros(),
                b.bit,
                b.count
            );
        }
    }
}
