/*!
A streaming datagram reader over any `Read`, for pipes and sockets where memory mapping is not
possible. Each call fills a caller-owned buffer with one whole datagram.
*/

use std::io::{self, Read};

use crate::dgram::{DGRAM_HEADER_SIZE, Dgram, TRANSITION_HEADER_SIZE};
use crate::error::{FormatError, FormatErrorKind};
use crate::xtc::XTC_HEADER_SIZE;

/// Reads datagrams one at a time from a byte stream.
#[derive(Debug)]
pub struct Reader<R> {
    inner: R,
    offset: u64,
    last: u64,
}

impl<R: Read> Reader<R> {
    /// A reader at stream offset 0.
    pub fn new(inner: R) -> Self {
        Self {
            inner,
            offset: 0,
            last: 0,
        }
    }

    /// The underlying reader.
    pub fn get_ref(&self) -> &R {
        &self.inner
    }

    /// The underlying reader, mutably.
    pub fn get_mut(&mut self) -> &mut R {
        &mut self.inner
    }

    /// The underlying reader, giving up the reader.
    pub fn into_inner(self) -> R {
        self.inner
    }

    /// Stream offset of the datagram last read.
    pub fn dgram_offset(&self) -> u64 {
        self.last
    }

    /// Reads the next datagram into `buf` (replacing its contents) and returns its size.
    ///
    /// Returns `Ok(0)` at a clean end of stream, `UnexpectedEof` for a datagram cut short, and
    /// `InvalidData` (wrapping a [`FormatError`]) for an extent below 12. The buffer grows with the
    /// bytes that actually arrive, never from the extent field alone.
    pub fn read_dgram(&mut self, buf: &mut Vec<u8>) -> io::Result<usize> {
        buf.clear();
        let at = self.offset;
        let mut header = [0u8; DGRAM_HEADER_SIZE];
        let got = read_full(&mut self.inner, &mut header)?;
        if got == 0 {
            return Ok(0);
        }
        if got < DGRAM_HEADER_SIZE {
            return Err(eof(FormatErrorKind::Truncated {
                what: "datagram header",
                need: DGRAM_HEADER_SIZE as u64,
                have: got as u64,
            }
            .at(at)));
        }
        let mut extent_bytes = [0u8; 4];
        extent_bytes.copy_from_slice(&header[DGRAM_HEADER_SIZE - 4..]);
        let extent = u32::from_le_bytes(extent_bytes);
        let xtc_at = at + TRANSITION_HEADER_SIZE as u64;
        let Some(rest) = extent.checked_sub(XTC_HEADER_SIZE as u32) else {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                FormatErrorKind::ExtentTooSmall { extent }.at(xtc_at),
            ));
        };
        buf.extend_from_slice(&header);
        let got = (&mut self.inner).take(u64::from(rest)).read_to_end(buf)?;
        if got < rest as usize {
            return Err(eof(FormatErrorKind::ExtentPastContainer {
                extent,
                room: (XTC_HEADER_SIZE + got) as u64,
            }
            .at(xtc_at)));
        }
        self.last = at;
        self.offset = at + buf.len() as u64;
        Ok(buf.len())
    }

    /// Reads the next datagram into `buf` and parses it; `None` at a clean end of stream.
    pub fn next_dgram<'b>(&mut self, buf: &'b mut Vec<u8>) -> io::Result<Option<Dgram<'b>>> {
        if self.read_dgram(buf)? == 0 {
            return Ok(None);
        }
        Dgram::from_bytes(buf, self.last)
            .map(Some)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
    }
}

fn eof(e: FormatError) -> io::Error {
    io::Error::new(io::ErrorKind::UnexpectedEof, e)
}

/// Reads until `buf` is full or the stream ends; returns the bytes read.
fn read_full(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut done = 0;
    while let Some(rest) = buf.get_mut(done..) {
        if rest.is_empty() {
            break;
        }
        match r.read(rest) {
            Ok(0) => break,
            Ok(n) => done += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transition::TransitionId;

    fn dgram(env: u32, payload: &[u8]) -> Vec<u8> {
        let mut v = Vec::new();
        v.extend_from_slice(&7u32.to_le_bytes()); // nsec
        v.extend_from_slice(&9u32.to_le_bytes()); // sec
        v.extend_from_slice(&env.to_le_bytes());
        v.extend_from_slice(&0u32.to_le_bytes()); // src
        v.extend_from_slice(&0u32.to_le_bytes()); // damage, contains
        v.extend_from_slice(&(12 + payload.len() as u32).to_le_bytes());
        v.extend_from_slice(payload);
        v
    }

    #[test]
    fn reads_datagrams_then_clean_end() {
        let mut data = dgram(0x0200_0000, &[]);
        data.extend(dgram(0x0c00_0000, &[0; 13]));
        let mut r = Reader::new(&data[..]);
        let mut buf = Vec::new();
        let d = r.next_dgram(&mut buf).unwrap().unwrap();
        assert_eq!(d.transition_id(), TransitionId::Configure);
        assert_eq!(r.read_dgram(&mut buf).unwrap(), 37);
        assert_eq!(r.dgram_offset(), 24);
        assert_eq!(r.read_dgram(&mut buf).unwrap(), 0);
    }

    #[test]
    fn truncation_is_unexpected_eof() {
        let data = dgram(0, &[0; 10]);
        for cut in 1..data.len() {
            let mut r = Reader::new(&data[..cut]);
            let e = r.read_dgram(&mut Vec::new()).unwrap_err();
            assert_eq!(e.kind(), io::ErrorKind::UnexpectedEof, "cut {cut}");
        }
    }

    #[test]
    fn huge_extent_allocates_only_what_arrives() {
        let mut data = dgram(0, &[]);
        data[20..24].copy_from_slice(&u32::MAX.to_le_bytes());
        let mut buf = Vec::new();
        let e = Reader::new(&data[..]).read_dgram(&mut buf).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::UnexpectedEof);
        assert!(buf.capacity() < 4096);
    }
}
