/*!
A cursor over untrusted bytes that cannot panic.

[`Cursor`] wraps a byte slice and the absolute file offset of its first byte. Every read goes
through `get(..)` and returns a [`FormatError`] naming the offset; after a failed read the cursor is
empty, so code that ignores an error cannot go on reading garbage. Fields are decoded with
`from_le_bytes` on copied arrays, so nothing depends on alignment.
*/

use crate::error::{FormatError, FormatErrorKind};

/// A bounded reader over bytes of a file, with the file offset of its first byte.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cursor<'a> {
    buf: &'a [u8],
    at: u64,
}

impl<'a> Cursor<'a> {
    /// A cursor over `buf`, whose first byte is at file offset `at`.
    pub(crate) fn new(buf: &'a [u8], at: u64) -> Self {
        Self { buf, at }
    }

    /// File offset of the next byte.
    pub(crate) fn at(&self) -> u64 {
        self.at
    }

    /// Bytes left.
    pub(crate) fn len(&self) -> usize {
        self.buf.len()
    }

    /// Whether no bytes are left.
    pub(crate) fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    fn fail(&mut self, what: &'static str, need: u64) -> FormatError {
        let err = FormatErrorKind::Truncated {
            what,
            need,
            have: self.buf.len() as u64,
        }
        .at(self.at);
        self.buf = &[];
        err
    }

    /// Takes the next `n` bytes.
    pub(crate) fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], FormatError> {
        match (self.buf.get(..n), self.buf.get(n..)) {
            (Some(head), Some(tail)) => {
                self.buf = tail;
                // `n` fits in the slice, hence in u64.
                self.at = self.at.saturating_add(n as u64);
                Ok(head)
            }
            _ => Err(self.fail(what, n as u64)),
        }
    }

    /// Takes the next `n` bytes as a cursor of their own.
    pub(crate) fn split(
        &mut self,
        n: usize,
        what: &'static str,
    ) -> Result<Cursor<'a>, FormatError> {
        let at = self.at;
        self.take(n, what).map(|buf| Cursor::new(buf, at))
    }

    /// Takes the next `N` bytes as an array.
    pub(crate) fn array<const N: usize>(
        &mut self,
        what: &'static str,
    ) -> Result<[u8; N], FormatError> {
        let bytes = self.take(N, what)?;
        let mut out = [0u8; N];
        out.copy_from_slice(bytes);
        Ok(out)
    }

    /// Reads a little-endian u16.
    pub(crate) fn u16(&mut self, what: &'static str) -> Result<u16, FormatError> {
        self.array(what).map(u16::from_le_bytes)
    }

    /// Reads a little-endian u32.
    pub(crate) fn u32(&mut self, what: &'static str) -> Result<u32, FormatError> {
        self.array(what).map(u32::from_le_bytes)
    }
}

/// The bytes of a NUL-terminated string in a fixed buffer: up to the first NUL, or all of it.
pub(crate) fn cstr(buf: &[u8]) -> &[u8] {
    match buf.iter().position(|&b| b == 0) {
        Some(end) => buf.get(..end).unwrap_or(buf),
        None => buf,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_unaligned_little_endian() {
        let bytes = [0xff, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06];
        let mut c = Cursor::new(&bytes, 1001);
        c.take(1, "pad").unwrap();
        assert_eq!(c.u16("a").unwrap(), 0x0201);
        assert_eq!(c.at(), 1004);
        assert_eq!(c.u32("b").unwrap(), 0x0605_0403);
        assert!(c.is_empty());
    }

    #[test]
    fn short_read_names_offset_and_empties() {
        let bytes = [1, 2, 3];
        let mut c = Cursor::new(&bytes, 40);
        c.take(1, "pad").unwrap();
        let err = c.u32("extent").unwrap_err();
        assert_eq!(err.offset, 41);
        assert_eq!(
            err.kind,
            FormatErrorKind::Truncated {
                what: "extent",
                need: 4,
                have: 2
            }
        );
        assert_eq!(c.len(), 0);
        assert_eq!(
            err.to_string(),
            "byte 41: truncated extent: needs 4 bytes, 2 left"
        );
    }

    #[test]
    fn split_is_bounded() {
        let bytes = [1, 2, 3, 4, 5, 6];
        let mut c = Cursor::new(&bytes, 0);
        let mut sub = c.split(2, "sub").unwrap();
        assert!(sub.u32("x").is_err());
        assert_eq!(c.at(), 2);
        assert_eq!(c.take(4, "rest").unwrap(), &[3, 4, 5, 6]);
        assert!(c.split(5, "big").is_err());
    }

    #[test]
    fn cstr_stops_at_first_nul() {
        assert_eq!(cstr(b"jungfrau\0\0\x03\x00garbage"), b"jungfrau");
        assert_eq!(cstr(b"full"), b"full");
        assert_eq!(cstr(b""), b"");
    }
}
