/*!
Whole frames given as parts anywhere in memory: a frame of `npix` pixels is `npix / part_len`
parts of `part_len` pixels, one after the other (a JUNGFRAU frame read from an XTC2 file is one
part per panel, each in its own place in the mapped file; a contiguous frame is one part). The
engine reads them where they are, without copying them into a batch first.
*/

use crate::error::{Error, Result};

/// Where the parts are: `u16` slices, or bytes holding little-endian words at any address
/// (say, a panel at an odd offset of a mapped file).
#[derive(Debug, Clone, Copy)]
enum Store<'a> {
    Words(&'a [&'a [u16]]),
    Bytes(&'a [&'a [u8]]),
}

/// `k` whole frames as parts: frame `f` is parts `f * per_frame..(f + 1) * per_frame` put
/// together.
#[derive(Debug, Clone, Copy)]
pub struct FrameParts<'a> {
    store: Store<'a>,
    part_len: usize,
    per_frame: usize,
}

impl<'a> FrameParts<'a> {
    /// Frames of `npix` pixels from `parts`, which must all have the same length, a divisor of
    /// `npix`, and make whole frames.
    pub fn new(parts: &'a [&'a [u16]], npix: usize) -> Result<FrameParts<'a>> {
        let lens: Vec<usize> = parts.iter().map(|p| p.len()).collect();
        Self::checked(Store::Words(parts), &lens, npix)
    }

    /// [`FrameParts::new`] with parts given as bytes of little-endian words, at any address
    /// (the kernel reads them where they are, aligned or not).
    pub fn from_bytes(parts: &'a [&'a [u8]], npix: usize) -> Result<FrameParts<'a>> {
        if let Some(p) = parts.iter().find(|p| p.len() % 2 != 0) {
            return Err(Error::shape(
                "frame parts",
                "an even number of bytes",
                &[p.len()],
                format!(
                    "dark processing: a part of {} bytes is not whole words",
                    p.len()
                ),
            ));
        }
        let lens: Vec<usize> = parts.iter().map(|p| p.len() / 2).collect();
        Self::checked(Store::Bytes(parts), &lens, npix)
    }

    fn checked(store: Store<'a>, lens: &[usize], npix: usize) -> Result<FrameParts<'a>> {
        let part_len = lens.first().copied().unwrap_or(npix);
        let bad = |why: String| {
            Error::shape(
                "frame parts",
                format!("parts of frames of {npix} pixels"),
                &[lens.len(), part_len],
                why,
            )
        };
        if npix == 0 || part_len == 0 || !npix.is_multiple_of(part_len) {
            return Err(bad(format!(
                "dark processing: parts of {part_len} pixels do not make frames of {npix}"
            )));
        }
        if let Some(p) = lens.iter().find(|&&p| p != part_len) {
            return Err(bad(format!(
                "dark processing: a part of {p} pixels among parts of {part_len}"
            )));
        }
        let per_frame = npix / part_len;
        if !lens.len().is_multiple_of(per_frame) {
            return Err(bad(format!(
                "dark processing: {} parts of {part_len} pixels are not whole frames of {npix}",
                lens.len()
            )));
        }
        Ok(FrameParts {
            store,
            part_len,
            per_frame,
        })
    }

    /// The number of frames.
    pub fn frames(&self) -> usize {
        self.count() / self.per_frame
    }

    /// The number of parts.
    pub fn count(&self) -> usize {
        match self.store {
            Store::Words(p) => p.len(),
            Store::Bytes(p) => p.len(),
        }
    }

    /// Pixels per part.
    pub fn part_len(&self) -> usize {
        self.part_len
    }

    /// The frames `from..to`.
    pub fn range(&self, from: usize, to: usize) -> FrameParts<'a> {
        let (a, b) = (from * self.per_frame, to * self.per_frame);
        FrameParts {
            store: match self.store {
                Store::Words(p) => Store::Words(&p[a..b]),
                Store::Bytes(p) => Store::Bytes(&p[a..b]),
            },
            ..*self
        }
    }

    /// Part `i` as bytes (little-endian words on little-endian machines).
    fn bytes(&self, i: usize) -> &'a [u8] {
        match self.store {
            Store::Words(p) => bytemuck::cast_slice(p[i]),
            Store::Bytes(p) => p[i],
        }
    }

    /// Part `i` as words, where it is (`None`: not at an even address).
    fn words(&self, i: usize) -> Option<&'a [u16]> {
        match self.store {
            Store::Words(p) => Some(p[i]),
            Store::Bytes(p) if cfg!(target_endian = "little") => {
                bytemuck::try_cast_slice(p[i]).ok()
            }
            Store::Bytes(_) => None,
        }
    }

    /// The pixels `start..start + len` of every frame as bytes of little-endian words, one
    /// row per frame, at any address: slices of the parts where the range lies in one part,
    /// else copies gathered into `scratch`.
    pub(crate) fn row_bytes<'s>(
        &self,
        start: usize,
        len: usize,
        scratch: &'s mut Vec<u16>,
    ) -> Vec<&'s [u8]>
    where
        'a: 's,
    {
        let (first, last) = (start / self.part_len, (start + len - 1) / self.part_len);
        if first == last && cfg!(target_endian = "little") {
            let off = start - first * self.part_len;
            return (first..self.count())
                .step_by(self.per_frame)
                .map(|i| &self.bytes(i)[2 * off..2 * (off + len)])
                .collect();
        }
        self.gather(start, len, scratch);
        if cfg!(target_endian = "big") {
            scratch.iter_mut().for_each(|x| *x = x.to_le());
        }
        bytemuck::cast_slice::<u16, u8>(scratch)
            .chunks(2 * len)
            .collect()
    }

    /// Copies the pixels `start..start + len` of every frame into `scratch`, frame after frame.
    fn gather(&self, start: usize, len: usize, scratch: &mut Vec<u16>) {
        scratch.clear();
        scratch.resize(self.frames() * len, 0);
        for (f, out) in scratch.chunks_mut(len).enumerate() {
            let mut at = start;
            while at < start + len {
                let (i, off) = (at / self.part_len, at % self.part_len);
                let n = (self.part_len - off).min(start + len - at);
                let dst = &mut out[at - start..at - start + n];
                self.copy_part(f * self.per_frame + i, off, dst);
                at += n;
            }
        }
    }

    /// Copies the pixels `off..off + dst.len()` of part `i` into `dst`.
    pub(crate) fn copy_part(&self, i: usize, off: usize, dst: &mut [u16]) {
        match self.words(i) {
            Some(w) => dst.copy_from_slice(&w[off..off + dst.len()]),
            None => copy_le_words(dst, &self.bytes(i)[2 * off..2 * (off + dst.len())]),
        }
    }

    /// Copies frame `f` into `out` (of `npix` values).
    pub(crate) fn copy_frame(&self, f: usize, out: &mut [u16]) {
        for (k, dst) in out.chunks_mut(self.part_len).enumerate() {
            self.copy_part(f * self.per_frame + k, 0, dst);
        }
    }
}

/// Copies the little-endian words in `src` (`2 * dst.len()` bytes at any address) into `dst`.
pub(crate) fn copy_le_words(dst: &mut [u16], src: &[u8]) {
    bytemuck::cast_slice_mut::<u16, u8>(dst).copy_from_slice(src);
    if cfg!(target_endian = "big") {
        dst.iter_mut().for_each(|x| *x = u16::from_le(*x));
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
        let as_words = |row: &[u8]| -> Vec<u16> {
            row.chunks(2)
                .map(|c| u16::from_le_bytes([c[0], c[1]]))
                .collect()
        };
        for (start, len) in [(0, 5), (5, 5), (3, 4), (2, 13), (0, 20), (19, 1)] {
            let mut scratch = Vec::new();
            let rows = f.row_bytes(start, len, &mut scratch);
            assert_eq!(rows.len(), 3);
            for (k, r) in rows.iter().enumerate() {
                assert_eq!(
                    as_words(r),
                    &whole(k)[start..start + len],
                    "{start} {len} {k}"
                );
            }
        }
        let mut out = vec![0u16; 20];
        f.range(1, 3).copy_frame(1, &mut out);
        assert_eq!(out, whole(2));
        assert!(FrameParts::new(&parts, 18).is_err());
        assert!(FrameParts::new(&parts[..3], 20).is_err());
        // The same parts as little-endian bytes at odd addresses: the same pixels.
        let mut odd = vec![0u8];
        odd.extend(
            parts
                .iter()
                .flat_map(|p| p.iter().flat_map(|v| v.to_le_bytes())),
        );
        let bparts: Vec<&[u8]> = odd[1..].chunks(10).collect();
        let b = FrameParts::from_bytes(&bparts, 20).unwrap();
        for (start, len) in [(0, 5), (5, 5), (3, 4), (2, 13), (0, 20), (19, 1)] {
            let mut scratch = Vec::new();
            let bytes = b.row_bytes(start, len, &mut scratch);
            for (k, row) in bytes.iter().enumerate() {
                assert_eq!(as_words(row), &whole(k)[start..start + len]);
            }
        }
        b.range(1, 3).copy_frame(1, &mut out);
        assert_eq!(out, whole(2));
        assert!(FrameParts::from_bytes(&[&odd[..3]], 1).is_err());
        let uneven = [&store[0][..], &store[1][..4]];
        assert!(FrameParts::new(&uneven, 10).is_err());
    }
}
