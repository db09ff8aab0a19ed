/*!
Whole frames given as parts anywhere in memory: a frame of `npix` pixels is `npix / part_len`
parts of `part_len` pixels, one after the other (a JUNGFRAU frame read from an XTC2 file is one
part per panel, each in its own place in the mapped file; a contiguous frame is one part). The
engine reads them where they are, without copying them into a batch first.
*/

use crate::error::{Error, Result};

/// `k` whole frames as parts: frame `f` is `parts[f * per_frame..(f + 1) * per_frame]` put
/// together.
#[derive(Debug, Clone, Copy)]
pub struct FrameParts<'a> {
    parts: &'a [&'a [u16]],
    part_len: usize,
    per_frame: usize,
}

impl<'a> FrameParts<'a> {
    /// Frames of `npix` pixels from `parts`, which must all have the same length, a divisor of
    /// `npix`, and make whole frames.
    pub fn new(parts: &'a [&'a [u16]], npix: usize) -> Result<FrameParts<'a>> {
        let part_len = parts.first().map_or(npix, |p| p.len());
        let bad = |why: String| {
            Error::shape(
                "frame parts",
                format!("parts of frames of {npix} pixels"),
                &[parts.len(), part_len],
                why,
            )
        };
        if npix == 0 || part_len == 0 || !npix.is_multiple_of(part_len) {
            return Err(bad(format!(
                "dark processing: parts of {part_len} pixels do not make frames of {npix}"
            )));
        }
        if let Some(p) = parts.iter().find(|p| p.len() != part_len) {
            return Err(bad(format!(
                "dark processing: a part of {} pixels among parts of {part_len}",
                p.len()
            )));
        }
        let per_frame = npix / part_len;
        if !parts.len().is_multiple_of(per_frame) {
            return Err(bad(format!(
                "dark processing: {} parts of {part_len} pixels are not whole frames of {npix}",
                parts.len()
            )));
        }
        Ok(FrameParts {
            parts,
            part_len,
            per_frame,
        })
    }

    /// The number of frames.
    pub fn frames(&self) -> usize {
        self.parts.len() / self.per_frame
    }

    /// The frames `from..to`.
    pub fn range(&self, from: usize, to: usize) -> FrameParts<'a> {
        FrameParts {
            parts: &self.parts[from * self.per_frame..to * self.per_frame],
            ..*self
        }
    }

    /// The parts, frame after frame.
    pub fn parts(&self) -> &'a [&'a [u16]] {
        self.parts
    }

    /// The pixels `start..start + len` of every frame, one row per frame: slices of the parts
    /// where the range lies in one part, else copies gathered into `scratch`.
    pub(crate) fn rows<'s>(
        &self,
        start: usize,
        len: usize,
        scratch: &'s mut Vec<u16>,
    ) -> Vec<&'s [u16]>
    where
        'a: 's,
    {
        let (first, last) = (start / self.part_len, (start + len - 1) / self.part_len);
        if first == last {
            let off = start - first * self.part_len;
            return self
                .parts
                .iter()
                .skip(first)
                .step_by(self.per_frame)
                .map(|p| &p[off..off + len])
                .collect();
        }
        scratch.clear();
        for f in 0..self.frames() {
            let frame = &self.parts[f * self.per_frame..(f + 1) * self.per_frame];
            let mut at = start;
            while at < start + len {
                let (i, off) = (at / self.part_len, at % self.part_len);
                let n = (self.part_len - off).min(start + len - at);
                scratch.extend_from_slice(&frame[i][off..off + n]);
                at += n;
            }
        }
        scratch.chunks(len).collect()
    }

    /// Copies frame `f` into `out` (of `npix` values).
    pub(crate) fn copy_frame(&self, f: usize, out: &mut [u16]) {
        let frame = &self.parts[f * self.per_frame..(f + 1) * self.per_frame];
        for (dst, src) in out.chunks_mut(self.part_len).zip(frame) {
            dst.copy_from_slice(src);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_the_pixels_of_each_frame_put_together() {
        // 3 frames of 4 parts of 5 pixels, each part somewhere else.
        let store: Vec<Vec<u16>> = (0..12)
            .map(|i| (0..5).map(|j| (100 * i + j) as u16).collect())
            .collect();
        let parts: Vec<&[u16]> = store.iter().rev().map(Vec::as_slice).collect();
        let f = FrameParts::new(&parts, 20).unwrap();
        assert_eq!(f.frames(), 3);
        let whole = |k: usize| -> Vec<u16> { parts[k * 4..(k + 1) * 4].concat() };
        for (start, len) in [(0, 5), (5, 5), (3, 4), (2, 13), (0, 20), (19, 1)] {
            let mut scratch = Vec::new();
            let rows = f.rows(start, len, &mut scratch);
            assert_eq!(rows.len(), 3);
            for (k, r) in rows.iter().enumerate() {
                assert_eq!(*r, &whole(k)[start..start + len], "{start} {len} {k}");
            }
        }
        let mut out = vec![0u16; 20];
        f.range(1, 3).copy_frame(1, &mut out);
        assert_eq!(out, whole(2));
        assert!(FrameParts::new(&parts, 18).is_err());
        assert!(FrameParts::new(&parts[..3], 20).is_err());
        let uneven = [&store[0][..], &store[1][..4]];
        assert!(FrameParts::new(&uneven, 10).is_err());
    }
}
