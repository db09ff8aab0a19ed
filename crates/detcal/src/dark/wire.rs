/*!
Dark-processing state as bytes, for processes that share a step's frames ([`crate::dist`]):
the stage-1 gates that the root broadcasts, and the stage-2 accumulators that the other ranks
send to the root, which merges them exactly (integer sums, counts, min/max).
*/

use super::*;
use crate::dist::{Reader, Writer};

/// Bytes of stage-2 accumulators per pixel in a message: min, max, gain flag (u16 each),
/// three counts (u32) and two sums (u64).
pub const PARTIAL_BYTES_PER_PIXEL: usize = 3 * 2 + 3 * 4 + 2 * 8;

impl Gates {
    /// The gates as a message: frames, pixels, then the low and the high bounds.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::with_capacity(16 + 4 * self.npix());
        w.u64(self.frames as u64);
        w.u64(self.npix() as u64);
        w.u16s(&self.lo);
        w.u16s(&self.hi);
        w.buf
    }

    /// Gates from [`Gates::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Gates> {
        let mut r = Reader::new(bytes, "stage-1 gates");
        let frames = r.u64()? as usize;
        let npix = r.u64()? as usize;
        if npix.checked_mul(4) != Some(bytes.len() - 16) {
            return Err(Error::internal(format!(
                "stage-1 gates: {npix} pixels do not fit a message of {} bytes",
                bytes.len()
            )));
        }
        let mut lo = crate::mem::filled(npix, 0u16);
        let mut hi = crate::mem::filled(npix, 0u16);
        r.u16s(&mut lo)?;
        r.u16s(&mut hi)?;
        r.end()?;
        Ok(Gates { lo, hi, frames })
    }
}

impl DarkProc {
    /// The frames taken and the stage-2 accumulators, as a message for
    /// [`DarkProc::merge_bytes`] of the processor that found the gates. A processor that took
    /// no frame sends only its count (0).
    pub fn partial_bytes(mut self) -> Result<Vec<u8>> {
        if self.taken == 0 {
            let mut w = Writer::default();
            w.u64(0);
            return Ok(w.buf);
        }
        self.flush();
        let Some(stage2) = &self.stage2 else {
            return Err(Error::internal(
                "dark processing: frames taken before the gates were known",
            ));
        };
        let npix = self.npix;
        let mut w = Writer::with_capacity(16 + PARTIAL_BYTES_PER_PIXEL * npix);
        w.u64(self.taken);
        w.u64(npix as u64);
        for (i, t) in stage2.tiles.iter().enumerate() {
            let len = TILE.min(npix - i * TILE);
            w.u16s(&t.min[..len]);
            w.u16s(&t.max[..len]);
            w.u16s(&t.bad[..len]);
            w.u32s(&t.count[..len]);
            w.u32s(&t.count_lo[..len]);
            w.u32s(&t.count_hi[..len]);
            w.u64s(&t.sum1[..len]);
            w.u64s(&t.sum2[..len]);
        }
        Ok(w.buf)
    }

    /// Adds the accumulators of another processor with the same gates, sent as
    /// [`DarkProc::partial_bytes`]; the result is that of one processor given all the frames.
    pub fn merge_bytes(&mut self, bytes: &[u8]) -> Result<()> {
        let mut r = Reader::new(bytes, "dark accumulators");
        let taken = r.u64()?;
        if taken == 0 {
            return r.end();
        }
        let npix = r.u64()? as usize;
        if npix != self.npix {
            return Err(Error::internal(format!(
                "dark accumulators of {npix} pixels cannot merge into {}",
                self.npix
            )));
        }
        self.flush();
        let Some(stage2) = &mut self.stage2 else {
            return Err(Error::internal(
                "dark processing: accumulators to merge before the gates were known",
            ));
        };
        let total = stage2.frames + taken;
        if total > u64::from(u32::MAX) {
            return Err(Error::unsupported(
                "more than 4294967295 frames",
                format!("dark processing counts at most 4294967295 frames, got {total}"),
            ));
        }
        let mut o = Tile::new(&[], &[]);
        for (i, t) in stage2.tiles.iter_mut().enumerate() {
            let len = TILE.min(npix - i * TILE);
            r.u16s(&mut o.min[..len])?;
            r.u16s(&mut o.max[..len])?;
            r.u16s(&mut o.bad[..len])?;
            r.u32s(&mut o.count[..len])?;
            r.u32s(&mut o.count_lo[..len])?;
            r.u32s(&mut o.count_hi[..len])?;
            r.u64s(&mut o.sum1[..len])?;
            r.u64s(&mut o.sum2[..len])?;
            t.merge(&o, len);
        }
        r.end()?;
        stage2.frames = total;
        self.taken += taken;
        Ok(())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::dark::{DarkParams, DarkResult, GainCheck};

    /// Frames with noise, a few values out of range and a wrong gain code here and there (also
    /// for the tests of [`crate::dark::panels`]).
    pub(crate) fn frames(n: usize, npix: usize, seed: u64) -> Vec<u16> {
        let mut x = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
        (0..n * npix)
            .map(|i| {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let r = (x >> 33) as u16;
                let v = 1000 + (i % npix) as u16 % 50 + r % 40;
                match r % 997 {
                    0 => 0x3fff,
                    1 => 3,
                    2 => v | 0x4000,
                    _ => v,
                }
            })
            .collect()
    }

    #[test]
    fn gates_round_trip_and_a_cut_message_is_an_error() {
        let p = DarkParams::default();
        let npix = 5000;
        let g = Gates::from_frames(&p, npix, &frames(p.nrecs1, npix, 1)).unwrap();
        let b = g.to_bytes();
        assert_eq!(Gates::from_bytes(&b).unwrap(), g);
        assert!(Gates::from_bytes(&b[..b.len() - 2]).is_err());
        assert!(Gates::from_bytes(&b[..10]).is_err());
    }

    /// A step's frames shared as the ranks share them (block to the first processor, the rest
    /// split), merged through bytes, give the single processor's result exactly.
    #[test]
    fn split_frames_merged_through_bytes_equal_one_processor() {
        let p = DarkParams {
            nrecs: 300,
            ..DarkParams::default()
        };
        let npix = TILE + 123;
        let all = frames(260, npix, 7);
        let gain = GainCheck::jungfrau(0).unwrap();
        let mut one = DarkProc::new(npix, p.clone(), gain).unwrap();
        one.push_frames(&all).unwrap();
        let want = one.finish().unwrap();

        let n1 = p.block_frames();
        let mut root = DarkProc::new(npix, p.clone(), gain).unwrap();
        root.push_frames(&all[..(n1 + 10) * npix]).unwrap();
        let gates = Arc::new(Gates::from_bytes(&root.gates().unwrap().to_bytes()).unwrap());
        let mut other = DarkProc::with_gates(p.clone(), gain, gates.clone()).unwrap();
        other
            .push_frames(&all[(n1 + 10) * npix..(n1 + 200) * npix])
            .unwrap();
        let mut third = DarkProc::with_gates(p.clone(), gain, gates.clone()).unwrap();
        third.push_frames(&all[(n1 + 200) * npix..]).unwrap();
        let idle = DarkProc::with_gates(p.clone(), gain, gates).unwrap();
        root.merge_bytes(&other.partial_bytes().unwrap()).unwrap();
        root.merge_bytes(&idle.partial_bytes().unwrap()).unwrap();
        root.merge_bytes(&third.partial_bytes().unwrap()).unwrap();
        assert_eq!(root.frames(), 260);
        let got = root.finish().unwrap();
        assert_same_result(&got, &want, "merged");
        assert_ne!(want.bit_counts, [0; 7], "the data should flag some pixels");
    }

    /// Asserts that two dark results are the same in every output (also for the tests of
    /// [`crate::dark::panels`]).
    pub(crate) fn assert_same_result(got: &DarkResult, want: &DarkResult, what: &str) {
        assert_eq!(got.frames, want.frames, "{what}");
        assert_eq!(got.ave, want.ave, "{what}");
        assert_eq!(got.rms, want.rms, "{what}");
        assert_eq!(got.status, want.status, "{what}");
        assert_eq!(got.min, want.min, "{what}");
        assert_eq!(got.max, want.max, "{what}");
        assert_eq!(got.count_hi, want.count_hi, "{what}");
        assert_eq!(got.bad_switch, want.bad_switch, "{what}");
        assert_eq!(got.limits, want.limits, "{what}");
        assert_eq!(got.bit_counts, want.bit_counts, "{what}");
    }

    #[test]
    fn accumulators_of_another_size_or_cut_short_do_not_merge() {
        let p = DarkParams::default();
        let gain = GainCheck::None;
        let a = frames(p.nrecs1 + 5, 100, 3);
        let mut root = DarkProc::new(100, p.clone(), gain).unwrap();
        root.push_frames(&a).unwrap();
        let g = Arc::new(root.gates().unwrap().as_ref().clone());
        let mut other = DarkProc::with_gates(p.clone(), gain, g).unwrap();
        other.push_frames(&a[..100 * 3]).unwrap();
        let bytes = other.partial_bytes().unwrap();
        assert!(root.merge_bytes(&bytes[..bytes.len() - 8]).is_err());
        let b = frames(p.nrecs1, 90, 3);
        let mut small = DarkProc::new(90, p.clone(), gain).unwrap();
        small.push_frames(&b).unwrap();
        let msg = small.partial_bytes().unwrap();
        assert!(root.merge_bytes(&msg).is_err());
    }
}
