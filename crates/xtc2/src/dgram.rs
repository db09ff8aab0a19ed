/*!
The datagram: a 12-byte transition header (time stamp, `env`) followed by its root Xtc.
Datagrams are concatenated in a file with no padding and no file header.
*/

use crate::cursor::Cursor;
use crate::error::{FormatError, FormatErrorKind};
use crate::time_stamp::TimeStamp;
use crate::transition::{Env, TransitionId};
use crate::xtc::{XTC_HEADER_SIZE, Xtc};

/// Bytes of the transition header before the root Xtc.
pub const TRANSITION_HEADER_SIZE: usize = 12;
/// Bytes of a datagram's headers: transition header plus root Xtc header.
pub const DGRAM_HEADER_SIZE: usize = TRANSITION_HEADER_SIZE + XTC_HEADER_SIZE;

/// A view of one datagram in a buffer.
#[derive(Debug, Clone, Copy)]
pub struct Dgram<'a> {
    at: u64,
    time: TimeStamp,
    env: Env,
    xtc: Xtc<'a>,
}

impl<'a> Dgram<'a> {
    pub(crate) fn parse(cur: &mut Cursor<'a>) -> Result<Self, FormatError> {
        let at = cur.at();
        if cur.len() < DGRAM_HEADER_SIZE {
            let have = cur.len() as u64;
            return Err(FormatErrorKind::Truncated {
                what: "datagram header",
                need: DGRAM_HEADER_SIZE as u64,
                have,
            }
            .at(at));
        }
        let mut header = cur.split(TRANSITION_HEADER_SIZE, "datagram header")?;
        let nsec = header.u32("time stamp nanoseconds")?;
        let sec = header.u32("time stamp seconds")?;
        let env = Env(header.u32("env")?);
        let xtc = Xtc::parse(cur)?;
        Ok(Self {
            at,
            time: TimeStamp { sec, nsec },
            env,
            xtc,
        })
    }

    /// Reads the datagram at the start of `buf`, whose first byte is at file offset `at`.
    pub fn from_bytes(buf: &'a [u8], at: u64) -> Result<Self, FormatError> {
        Self::parse(&mut Cursor::new(buf, at))
    }

    /// File offset of the datagram's first byte.
    pub fn offset(&self) -> u64 {
        self.at
    }

    /// Bytes of the whole datagram: 12 + the root extent.
    pub fn size(&self) -> u64 {
        TRANSITION_HEADER_SIZE as u64 + u64::from(self.xtc.extent())
    }

    /// The time stamp.
    pub fn time(&self) -> TimeStamp {
        self.time
    }

    /// The `env` word.
    pub fn env(&self) -> Env {
        self.env
    }

    /// The transition id from `env`.
    pub fn transition_id(&self) -> TransitionId {
        self.env.transition_id()
    }

    /// The root Xtc.
    pub fn xtc(&self) -> Xtc<'a> {
        self.xtc
    }
}

/// The datagrams of a byte buffer, in order; stops after the first error.
#[derive(Debug, Clone)]
pub struct Dgrams<'a> {
    cur: Cursor<'a>,
}

impl<'a> Dgrams<'a> {
    /// The datagrams of `buf`, whose first byte is at file offset `at`.
    pub fn new(buf: &'a [u8], at: u64) -> Self {
        Self {
            cur: Cursor::new(buf, at),
        }
    }

    /// File offset of the next datagram.
    pub fn offset(&self) -> u64 {
        self.cur.at()
    }
}

impl<'a> Iterator for Dgrams<'a> {
    type Item = Result<Dgram<'a>, FormatError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.cur.is_empty() {
            return None;
        }
        let item = Dgram::parse(&mut self.cur);
        if item.is_err() {
            self.cur = Cursor::new(&[], self.cur.at());
        }
        Some(item)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dgram(sec: u32, nsec: u32, env: u32, payload: &[u8]) -> Vec<u8> {
        let mut v = Vec::new();
        v.extend_from_slice(&nsec.to_le_bytes()); // time.low
        v.extend_from_slice(&sec.to_le_bytes()); // time.high
        v.extend_from_slice(&env.to_le_bytes());
        v.extend_from_slice(&1u32.to_le_bytes()); // src
        v.extend_from_slice(&0u16.to_le_bytes()); // damage
        v.extend_from_slice(&0u16.to_le_bytes()); // contains: Parent
        v.extend_from_slice(&(12 + payload.len() as u32).to_le_bytes());
        v.extend_from_slice(payload);
        v
    }

    #[test]
    fn reads_consecutive_unaligned_datagrams() {
        let mut file = vec![0xee; 3];
        file.extend(dgram(1_112_036_888, 994_216_330, 0x0202_0003, &[]));
        file.extend(dgram(1_112_036_891, 5, 0x0c4b_0003, &[]));
        let all: Vec<_> = Dgrams::new(&file[3..], 3).map(Result::unwrap).collect();
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].offset(), 3);
        assert_eq!(all[0].time(), TimeStamp::new(1_112_036_888, 994_216_330));
        assert_eq!(all[0].transition_id(), TransitionId::Configure);
        assert_eq!(all[0].size(), 24);
        assert_eq!(all[1].offset(), 27);
        assert_eq!(all[1].transition_id(), TransitionId::L1Accept);
    }

    #[test]
    fn truncated_header_is_an_error_at_the_datagram() {
        let file = dgram(1, 2, 0, &[]);
        for cut in 1..24 {
            let e = Dgrams::new(&file[..cut], 50).next().unwrap().unwrap_err();
            assert_eq!(e.offset, 50, "cut at {cut}");
            assert!(
                matches!(e.kind, FormatErrorKind::Truncated { need: 24, .. }),
                "{e}"
            );
        }
    }

    #[test]
    fn truncated_payload_is_an_error() {
        let file = dgram(1, 2, 0, &[0; 30]);
        let e = Dgrams::new(&file[..40], 0).next().unwrap().unwrap_err();
        assert_eq!(
            e.to_string(),
            "byte 12: Xtc extent 42 runs past its container (28 bytes left)"
        );
    }
}
