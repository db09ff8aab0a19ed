/*!
Runs written as several stream files, as the LCLS-II DAQ writes a big detector: stream `s` is
`<exp>-r<NNNN>-s<SSS>-c000.xtc2` and holds a contiguous share of the panels (the first streams
one more where they do not divide evenly), with the same transitions and event time stamps in
every stream, so that a reader builds each event by its time stamp.
*/

use std::ops::Range;
use std::path::{Path, PathBuf};

use detcal::error::{Error, Result};
use detcal::files::Perms;
use xtc2::write::DetectorSetup;

use super::{RunSpec, write_run};

/// The panels of stream `s` of `streams` for a detector of `panels` panels.
pub fn stream_panels(panels: usize, streams: usize, s: usize) -> Range<usize> {
    let (base, extra) = (panels / streams, panels % streams);
    let start = s * base + s.min(extra);
    start..start + base + usize::from(s < extra)
}

/// Checks a number of streams for `panels` panels: 1 to `panels`.
pub fn check_streams(panels: usize, streams: usize) -> Result<()> {
    if streams == 0 || streams > panels {
        return Err(Error::bad_arg(
            "streams",
            format!("streams must be 1 to the number of panels ({panels}), not {streams}"),
        ));
    }
    Ok(())
}

/// Writes run `spec` as `streams` files in `xtc_dir` (one file, `-s000-`, for one stream);
/// `setup` is the whole detector's, `frame(step, event, buf)` draws a whole frame. Returns the
/// files, stream 0 first.
pub(crate) fn write_run_streams(
    xtc_dir: &Path,
    streams: usize,
    perms: &Perms,
    setup: DetectorSetup,
    spec: &RunSpec<'_>,
    frame: &(dyn Fn(usize, usize, &mut [u16]) + Sync),
) -> Result<Vec<PathBuf>> {
    let panels = setup.segments.len();
    check_streams(panels, streams)?;
    let path = |s: usize| {
        xtc_dir.join(xtc2::dataset::run_file_name(
            spec.exp, spec.run, s as u32, 0,
        ))
    };
    if streams == 1 {
        write_run(&path(0), perms, setup, spec, frame)?;
        return Ok(vec![path(0)]);
    }
    let mut files = Vec::new();
    for s in 0..streams {
        let range = stream_panels(panels, streams, s);
        let mut st = setup.clone();
        st.segments = setup.segments[range.clone()].to_vec();
        // Node ids stay distinct over the streams, as the DAQ's are.
        st.first_node_id = setup.first_node_id + range.start as u16;
        // The timing detector is in stream 0 only, as the DAQ's timing system writes one.
        let part = RunSpec {
            npix: range.len() * spec.seg,
            timing: s == 0,
            ..*spec
        };
        let (lo, hi) = (range.start * spec.seg, range.end * spec.seg);
        let npix = spec.npix;
        write_run(&path(s), perms, st, &part, &|step, e, buf| {
            let mut whole = vec![0u16; npix];
            frame(step, e, &mut whole);
            buf.copy_from_slice(&whole[lo..hi]);
        })?;
        files.push(path(s));
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panels_split_contiguously_and_cover_the_detector() {
        for panels in 1..=9 {
            for streams in 1..=panels {
                let mut next = 0;
                for s in 0..streams {
                    let r = stream_panels(panels, streams, s);
                    assert_eq!(r.start, next);
                    assert!(!r.is_empty());
                    next = r.end;
                }
                assert_eq!(next, panels);
            }
        }
        assert_eq!(stream_panels(5, 2, 0), 0..3);
        assert_eq!(stream_panels(5, 2, 1), 3..5);
        assert!(check_streams(4, 5).is_err() && check_streams(4, 0).is_err());
    }
}
