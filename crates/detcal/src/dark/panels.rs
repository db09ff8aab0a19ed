/*!
Dark processing shared by panel (a run's stream files split over the ranks,
[`crate::dark::streams`]): each process runs stages 1 and 2 on its own panels over every frame
of the step, then sends its gates and accumulators ([`DarkProc::panel_part`]); the root puts the
parts together at their panels' places ([`PanelAssembly`]) and summarizes the whole detector,
so the all-panel status limits (psana's default `segind=None`) are those of one process. The
gates and the accumulators are per pixel, so a pixel's values do not depend on which other
pixels a process had.
*/

use super::*;
use crate::dist::{Reader, Writer};

/// Bytes per pixel of a panel part: the two gates (u16), then min, max, gain flag (u16), three
/// counts (u32) and two sums (u64).
pub const PANEL_PART_BYTES_PER_PIXEL: usize = 2 * 2 + 3 * 2 + 3 * 4 + 2 * 8;

impl DarkProc {
    /// The results of this processor, whose frames are the panels `panels` (positions in the
    /// whole detector's panel order, in the order of this processor's frames), as a part for
    /// [`PanelAssembly::add`]: the frames taken, and with at least [`MIN_FRAMES`] of them the
    /// panels, the gates (stage 1 on the frames there are for a step shorter than the block,
    /// as [`DarkProc::finish`] does) and the stage-2 accumulators.
    pub fn panel_part(self, panels: &[usize]) -> Result<Vec<u8>> {
        let taken = self.taken;
        let npix = self.npix;
        let mut w = Writer::default();
        w.u64(taken);
        if taken < MIN_FRAMES {
            return Ok(w.buf);
        }
        if panels.is_empty() || !npix.is_multiple_of(panels.len()) {
            return Err(Error::internal(format!(
                "dark panel part: {npix} pixels are not {} whole panels",
                panels.len()
            )));
        }
        let stage2 = self.into_stage2()?;
        w.buf
            .reserve(8 * (4 + panels.len()) + PANEL_PART_BYTES_PER_PIXEL * npix);
        w.u64(stage2.frames);
        w.u64(stage2.gates.frames as u64);
        w.u64(npix as u64);
        w.u64(panels.len() as u64);
        for &p in panels {
            w.u64(p as u64);
        }
        w.u16s(&stage2.gates.lo);
        w.u16s(&stage2.gates.hi);
        let tiles = &stage2.tiles;
        let len = |i: usize| TILE.min(npix - i * TILE);
        for (i, t) in tiles.iter().enumerate() {
            w.u16s(&t.min[..len(i)]);
        }
        for (i, t) in tiles.iter().enumerate() {
            w.u16s(&t.max[..len(i)]);
        }
        for (i, t) in tiles.iter().enumerate() {
            w.u16s(&t.bad[..len(i)]);
        }
        for (i, t) in tiles.iter().enumerate() {
            w.u32s(&t.count[..len(i)]);
        }
        for (i, t) in tiles.iter().enumerate() {
            w.u32s(&t.count_lo[..len(i)]);
        }
        for (i, t) in tiles.iter().enumerate() {
            w.u32s(&t.count_hi[..len(i)]);
        }
        for (i, t) in tiles.iter().enumerate() {
            w.u64s(&t.sum1[..len(i)]);
        }
        for (i, t) in tiles.iter().enumerate() {
            w.u64s(&t.sum2[..len(i)]);
        }
        Ok(w.buf)
    }
}

/// The whole detector's gates and accumulators put together from panel parts
/// ([`DarkProc::panel_part`]) of processes that took the same frames.
pub struct PanelAssembly {
    panel_len: usize,
    npanels: usize,
    /// Frames taken, the same in every part.
    taken: Option<u64>,
    /// Stage-2 frames and stage-1 frames, the same in every part.
    frames: Option<(u64, u64)>,
    /// Which panels arrived.
    have: Vec<bool>,
    lo: Vec<u16>,
    hi: Vec<u16>,
    tiles: Vec<Tile>,
}

impl std::fmt::Debug for PanelAssembly {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PanelAssembly")
            .field("panels", &self.npanels)
            .field("taken", &self.taken)
            .finish_non_exhaustive()
    }
}

/// Copies `vals` into one field of the tiles, from pixel `start` on.
fn scatter<T: Copy, const N: usize>(
    tiles: &mut [Tile],
    start: usize,
    vals: &[T],
    field: impl Fn(&mut Tile) -> &mut [T; N],
) {
    let mut at = start;
    let mut rest = vals;
    while !rest.is_empty() {
        let (ti, off) = (at / N, at % N);
        let n = (N - off).min(rest.len());
        field(&mut tiles[ti])[off..off + n].copy_from_slice(&rest[..n]);
        rest = &rest[n..];
        at += n;
    }
}

impl PanelAssembly {
    /// An empty assembly for a detector of `npanels` panels of `panel_len` pixels.
    pub fn new(npanels: usize, panel_len: usize) -> PanelAssembly {
        PanelAssembly {
            panel_len,
            npanels,
            taken: None,
            frames: None,
            have: vec![false; npanels],
            lo: Vec::new(),
            hi: Vec::new(),
            tiles: Vec::new(),
        }
    }

    /// The frames every part took (`None` before the first part).
    pub fn taken(&self) -> Option<u64> {
        self.taken
    }

    /// Adds one process's part; parts that took different numbers of frames, or give a panel
    /// twice, are an error.
    pub fn add(&mut self, bytes: &[u8]) -> Result<()> {
        let mut r = Reader::new(bytes, "dark panel part");
        let taken = r.u64()?;
        match self.taken {
            Some(t) if t != taken => {
                return Err(Error::internal(format!(
                    "dark panel parts of {t} and {taken} frames: the processes did not read the same events"
                )));
            }
            _ => self.taken = Some(taken),
        }
        if taken < MIN_FRAMES {
            return r.end();
        }
        let frames = (r.u64()?, r.u64()?);
        if self.frames.is_some_and(|f| f != frames) {
            return Err(Error::internal(
                "dark panel parts with different frame counts in stage 1 or 2",
            ));
        }
        self.frames = Some(frames);
        let npix = r.u64()? as usize;
        let np = r.u64()? as usize;
        if np == 0 || np > self.npanels || npix != np * self.panel_len {
            return Err(Error::internal(format!(
                "dark panel part: {np} panels of {npix} pixels do not fit panels of {} pixels",
                self.panel_len
            )));
        }
        let mut panels = vec![0u64; np];
        r.u64s(&mut panels)?;
        for &p in &panels {
            let p = p as usize;
            if p >= self.npanels || self.have[p] {
                return Err(Error::internal(format!(
                    "dark panel part: panel {p} is out of range or given twice"
                )));
            }
            self.have[p] = true;
        }
        if self.tiles.is_empty() {
            let total = self.npanels * self.panel_len;
            self.lo = crate::mem::filled(total, 0);
            self.hi = crate::mem::filled(total, 0);
            self.tiles = (0..total.div_ceil(TILE))
                .map(|_| Tile::new(&[], &[]))
                .collect();
        }
        let n = self.panel_len;
        // Each field of the part in turn, panel by panel to its place.
        let mut u16s = vec![0u16; npix];
        let mut u32s = vec![0u32; npix];
        let mut u64s = vec![0u64; npix];
        macro_rules! place {
            ($buf:ident, $read:ident, |$t:ident| $f:expr) => {{
                r.$read(&mut $buf)?;
                for (k, &p) in panels.iter().enumerate() {
                    let src = &$buf[k * n..(k + 1) * n];
                    scatter(&mut self.tiles, p as usize * n, src, |$t| &mut $f);
                }
            }};
        }
        r.u16s(&mut u16s)?;
        for (k, &p) in panels.iter().enumerate() {
            let p = p as usize;
            self.lo[p * n..(p + 1) * n].copy_from_slice(&u16s[k * n..(k + 1) * n]);
            scatter(&mut self.tiles, p * n, &u16s[k * n..(k + 1) * n], |t| {
                &mut t.gate_lo
            });
        }
        r.u16s(&mut u16s)?;
        for (k, &p) in panels.iter().enumerate() {
            let p = p as usize;
            self.hi[p * n..(p + 1) * n].copy_from_slice(&u16s[k * n..(k + 1) * n]);
            scatter(&mut self.tiles, p * n, &u16s[k * n..(k + 1) * n], |t| {
                &mut t.gate_hi
            });
        }
        place!(u16s, u16s, |t| t.min);
        place!(u16s, u16s, |t| t.max);
        place!(u16s, u16s, |t| t.bad);
        place!(u32s, u32s, |t| t.count);
        place!(u32s, u32s, |t| t.count_lo);
        place!(u32s, u32s, |t| t.count_hi);
        place!(u64s, u64s, |t| t.sum1);
        place!(u64s, u64s, |t| t.sum2);
        r.end()
    }

    /// The whole detector's results, once every panel arrived: `Ok(None)` when the step took
    /// no frame, an error as [`DarkProc::finish`] gives it for fewer than [`MIN_FRAMES`].
    pub fn finish(self, params: &DarkParams, gain: GainCheck) -> Result<Option<DarkResult>> {
        let taken = self.taken.unwrap_or(0);
        if taken == 0 {
            return Ok(None);
        }
        if taken < MIN_FRAMES {
            return Err(too_few_frames(taken));
        }
        if let Some(p) = self.have.iter().position(|h| !h) {
            return Err(Error::internal(format!(
                "dark panel parts: panel {p} of {} is missing",
                self.npanels
            )));
        }
        let (frames, gate_frames) = self.frames.unwrap_or_default();
        let gates = Arc::new(Gates {
            lo: self.lo,
            hi: self.hi,
            frames: gate_frames as usize,
        });
        let mut stage2 = Stage2::build(params, gain, Arc::clone(&gates));
        stage2.tiles = self.tiles;
        stage2.frames = frames;
        Ok(Some(stage2.finish()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dark::wire::tests::{assert_same_result, frames};

    /// The panels of each frame at `panels`, one after the other.
    fn panels_of(all: &[u16], npix: usize, panel_len: usize, panels: &[usize]) -> Vec<u16> {
        all.chunks_exact(npix)
            .flat_map(|f| {
                panels
                    .iter()
                    .flat_map(move |&p| f[p * panel_len..(p + 1) * panel_len].iter().copied())
            })
            .collect()
    }

    /// Three processes with panels {0, 3}, {1} and {2, 4} (panels not a multiple of the tile)
    /// give the results of one processor with every panel, all-panel limits included; for a
    /// step longer and one shorter than the stage-1 block.
    #[test]
    fn panel_parts_put_together_equal_one_processor() {
        let panel_len = TILE / 2 + 37;
        let (npanels, npix) = (5, 5 * (TILE / 2 + 37));
        let gain = GainCheck::jungfrau(0).unwrap();
        for n in [260, 20] {
            let p = DarkParams {
                nrecs: 300,
                ..DarkParams::default()
            };
            let all = frames(n, npix, 11);
            let mut one = DarkProc::new(npix, p.clone(), gain).unwrap();
            one.push_frames(&all).unwrap();
            let want = one.finish().unwrap();
            let mut asm = PanelAssembly::new(npanels, panel_len);
            for share in [&[2usize, 4][..], &[1], &[0, 3]] {
                let mut proc = DarkProc::new(share.len() * panel_len, p.clone(), gain).unwrap();
                proc.push_frames(&panels_of(&all, npix, panel_len, share))
                    .unwrap();
                asm.add(&proc.panel_part(share).unwrap()).unwrap();
            }
            let got = asm.finish(&p, gain).unwrap().unwrap();
            assert_same_result(&got, &want, &format!("{n} frames"));
        }
    }

    #[test]
    fn missing_twice_given_or_unequal_parts_are_errors() {
        let p = DarkParams::default();
        let gain = GainCheck::None;
        let part = |panels: &[usize], n: usize| {
            let mut proc = DarkProc::new(panels.len() * 10, p.clone(), gain).unwrap();
            proc.push_frames(&frames(n, panels.len() * 10, 3)).unwrap();
            proc.panel_part(panels).unwrap()
        };
        let mut a = PanelAssembly::new(2, 10);
        a.add(&part(&[0], 20)).unwrap();
        assert!(a.add(&part(&[0], 20)).is_err(), "panel 0 twice");
        let mut a = PanelAssembly::new(2, 10);
        a.add(&part(&[0], 20)).unwrap();
        assert!(a.add(&part(&[1], 21)).is_err(), "other frame count");
        let mut a = PanelAssembly::new(2, 10);
        a.add(&part(&[1], 20)).unwrap();
        assert!(a.finish(&p, gain).is_err(), "panel 0 missing");
        let mut a = PanelAssembly::new(2, 10);
        a.add(&part(&[0, 1], 2)).unwrap();
        assert!(a.finish(&p, gain).is_err(), "too few frames");
        let a = PanelAssembly::new(2, 10);
        assert!(a.finish(&p, gain).unwrap().is_none(), "no frames");
    }
}
