//! `detcal extract`: raw frames of one detector into a NumPy stack.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use detcal::formats::npy::write_npy_streamed;
use detcal::source::{Flow, Item, open_dataset};

use crate::args::{DatasetArgs, PermArgs};
use crate::cli::EXIT_OK;
use crate::output;

pub const AFTER_HELP: &str = "\
Writes the raw words (gain bits included) of the chosen events as a uint16 .npy stack of shape
(N, segments, rows, cols), in run, step and event order. Events missing a segment or damaged are
left out and counted. The file is written to a temporary name and renamed when complete.

With --evcode LIST (psana's -c list: any listed code; a negative code inverts) or --beam-off
(= --evcode 162, the drop shots), only the events with those codes in the run's LCLS-II timing
data are taken; --events counts them.

EXAMPLES:
    detcal extract exp=xpptut15:run=1 --data-dir data --det jungfrau --step 1 --events 100 \\
        --out g1.npy
    detcal extract exp=xpptut15:run=2 --data-dir data --beam-off --out drop_shots.npy";

/// Write the raw frames of a detector as a NumPy stack.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub data: DatasetArgs,
    /// DAQ alias of the detector (default: the only detector with raw data).
    #[arg(
        short = 'd',
        long = "det",
        visible_alias = "source",
        value_name = "ALIAS"
    )]
    pub det: Option<String>,
    /// The .npy file to write.
    #[arg(short, long, value_name = "FILE")]
    pub out: PathBuf,
    /// Only this step (0-based).
    #[arg(long, value_name = "K")]
    pub step: Option<u32>,
    /// At most this many events in all.
    #[arg(short = 'n', long, value_name = "N")]
    pub events: Option<u64>,
    #[command(flatten)]
    pub evcode: crate::args::EvcodeArgs,
    #[command(flatten)]
    pub perms: PermArgs,
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let mut runs = open_dataset(
        &a.data.spec(),
        a.data.root.data_dir.as_deref(),
        a.det.as_deref(),
    )?;
    detcal::evcode::filter_events(&mut runs, a.evcode.selection()?.as_ref())?;
    let shape = runs[0].meta().frame_shape;
    if let Some(r) = runs.iter().find(|r| r.meta().frame_shape != shape) {
        anyhow::bail!(
            "{}: frame shape {:?} differs from the first run's {:?}",
            r.label(),
            r.meta().frame_shape,
            shape
        );
    }
    let limit = a.events.unwrap_or(u64::MAX);
    // Walk the runs with `f` for every selected frame; returns frames taken and events skipped.
    let walk = |f: &mut dyn FnMut(&[u16]) -> anyhow::Result<()>| -> anyhow::Result<(u64, u64)> {
        let (mut n, mut skipped) = (0u64, 0u64);
        for src in &runs {
            let mut err = None;
            src.for_each(&mut |item| {
                Ok(match item {
                    Item::StepBegin(s) if a.step.is_some_and(|k| k != s.index) => Flow::EndStep,
                    Item::Frame { frame, .. } if n < limit => {
                        if let Err(e) = frame
                            .to_vec()
                            .map_err(anyhow::Error::from)
                            .and_then(|v| f(&v))
                        {
                            err = Some(e);
                            return Ok(Flow::Stop);
                        }
                        n += 1;
                        Flow::Continue
                    }
                    Item::Frame { .. } => Flow::Stop,
                    Item::Skipped { .. } => {
                        skipped += 1;
                        Flow::Continue
                    }
                    _ => Flow::Continue,
                })
            })?;
            if let Some(e) = err {
                return Err(e);
            }
        }
        Ok((n, skipped))
    };
    // First pass: count, so the header can carry the shape.
    let (count, skipped) = walk(&mut |_| Ok(()))?;
    if count == 0 {
        anyhow::bail!("no events selected ({skipped} skipped); nothing written");
    }
    let pb = output::progress(count, "extracting");
    let npy_shape = [count, shape[0] as u64, shape[1] as u64, shape[2] as u64];
    write_npy_streamed::<u16>(&a.out, &npy_shape, &a.perms.perms(), |push| {
        let mut done = 0;
        walk(&mut |frame| {
            push(frame)?;
            done += 1;
            pb.set_position(done);
            Ok(())
        })
        .map_err(|e| detcal::Error::internal(format!("{e:#}")))?;
        Ok(())
    })
    .with_context(|| format!("writing {}", a.out.display()))?;
    pb.finish_and_clear();
    println!(
        "{}: {} frames of {:?}{}",
        a.out.display(),
        count,
        shape,
        if skipped > 0 {
            format!(" ({skipped} events skipped)")
        } else {
            String::new()
        }
    );
    Ok(ExitCode::from(EXIT_OK))
}
