/*!
ePix10ka dark results as bytes, for processes that share the panels of a step
([`crate::dark::epix10ka_job::run_shared`]): psana processes each panel on its own (its pass-1
rms average, gates and limits), so a process can take a contiguous share of the panels over all
frames and send its panels' results to the root, which appends them in rank order and has the
results of one process.
*/

use crate::dark::epix10ka::{EpixDarkResult, EpixPanelResult, EpixPanelSummary};
use crate::dist::{Reader, Writer};
use crate::error::{Error, Result};

/// The results of a process's panels, with the step's frame count.
pub fn result_bytes(r: &EpixDarkResult) -> Vec<u8> {
    let mut w = Writer::default();
    w.u64(r.frames);
    w.u64(r.panels.len() as u64);
    for p in &r.panels {
        w.u64(p.ave.len() as u64);
        w.f64s(&p.ave);
        w.f64s(&p.rms);
        w.u64s(&p.status.iter().map(|&s| s as u64).collect::<Vec<_>>());
        w.u16s(&p.gate_lo.iter().map(|&g| g as u16).collect::<Vec<_>>());
        w.u16s(&p.gate_hi.iter().map(|&g| g as u16).collect::<Vec<_>>());
        w.u32s(&p.count);
        w.u32s(&p.count_lo);
        w.u32s(&p.count_hi);
        w.f64s(&p.pass1_ave);
        w.f64s(&p.pass1_rms);
        w.u32s(&p.pass1_count);
        let s = &p.summary;
        w.f64s(&[
            s.rms_ave_pass1,
            s.gate_half,
            s.rms_limits[0],
            s.rms_limits[1],
            s.ave_limits[0],
            s.ave_limits[1],
        ]);
        w.u64s(&s.bit_counts);
        w.u64(s.bad_pixels);
    }
    w.buf
}

/// Appends the panels of another process ([`result_bytes`]) to the root's result of the step.
pub fn append_result(into: &mut EpixDarkResult, bytes: &[u8]) -> Result<()> {
    let mut r = Reader::new(bytes, "ePix10ka dark results");
    let frames = r.u64()?;
    if frames != into.frames {
        return Err(Error::internal(format!(
            "ePix10ka dark results: another rank collected {frames} frames, the root {}",
            into.frames
        )));
    }
    for _ in 0..r.u64()? {
        let n = r.u64()? as usize;
        let f64s = |r: &mut Reader<'_>| -> Result<Vec<f64>> {
            let mut v = vec![0.0; n];
            r.f64s(&mut v)?;
            Ok(v)
        };
        let u32s = |r: &mut Reader<'_>| -> Result<Vec<u32>> {
            let mut v = vec![0; n];
            r.u32s(&mut v)?;
            Ok(v)
        };
        let i16s = |r: &mut Reader<'_>| -> Result<Vec<i16>> {
            let mut v = vec![0u16; n];
            r.u16s(&mut v)?;
            Ok(v.into_iter().map(|x| x as i16).collect())
        };
        let ave = f64s(&mut r)?;
        let rms = f64s(&mut r)?;
        let mut status = vec![0u64; n];
        r.u64s(&mut status)?;
        let gate_lo = i16s(&mut r)?;
        let gate_hi = i16s(&mut r)?;
        let count = u32s(&mut r)?;
        let count_lo = u32s(&mut r)?;
        let count_hi = u32s(&mut r)?;
        let pass1_ave = f64s(&mut r)?;
        let pass1_rms = f64s(&mut r)?;
        let pass1_count = u32s(&mut r)?;
        let mut sf = [0.0; 6];
        r.f64s(&mut sf)?;
        let mut bit_counts = [0u64; 6];
        r.u64s(&mut bit_counts)?;
        let bad_pixels = r.u64()?;
        into.panels.push(EpixPanelResult {
            ave,
            rms,
            status: status.into_iter().map(|s| s as i64).collect(),
            gate_lo,
            gate_hi,
            count,
            count_lo,
            count_hi,
            pass1_ave,
            pass1_rms,
            pass1_count,
            summary: EpixPanelSummary {
                rms_ave_pass1: sf[0],
                gate_half: sf[1],
                rms_limits: [sf[2], sf[3]],
                ave_limits: [sf[4], sf[5]],
                bit_counts,
                bad_pixels,
            },
        });
    }
    r.end()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dark::epix10ka::EpixDark;

    /// Frames of 3 panels processed as panels 0-1 and panel 2 apart, the second's results
    /// appended through bytes, equal the results of all 3 together.
    #[test]
    fn panels_processed_apart_and_appended_equal_one_process() {
        let (npanels, len, nframes) = (3, 300, 40);
        let mut x = 99u64;
        let frames: Vec<Vec<u16>> = (0..nframes)
            .map(|_| {
                (0..npanels * len)
                    .map(|i| {
                        x = x
                            .wrapping_mul(6364136223846793005)
                            .wrapping_add(1442695040888963407);
                        let p = (i / len) as u16;
                        let v = 2000 + 300 * p + (x >> 58) as u16;
                        if i % 97 == 0 { v | 0x4000 } else { v }
                    })
                    .collect()
            })
            .collect();
        let run = |panels: std::ops::Range<usize>| {
            let mut d = EpixDark::new(panels.len(), len, 1024).unwrap();
            for f in &frames {
                d.push_frame(&f[panels.start * len..panels.end * len])
                    .unwrap();
            }
            d.finish().unwrap()
        };
        let want = run(0..3);
        let mut root = run(0..2);
        append_result(&mut root, &result_bytes(&run(2..3))).unwrap();
        assert_eq!(root, want);
        let b = result_bytes(&run(2..3));
        assert!(append_result(&mut run(0..2), &b[..b.len() - 1]).is_err());
    }
}
