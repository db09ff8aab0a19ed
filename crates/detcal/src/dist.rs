/*!
Work shared by several processes ("ranks", as MPI calls them), without depending on MPI.

A pipeline that can share its work takes a [`Ranks`]: the number of processes, which one this
is, and the three exchanges the pipelines need (the root's bytes to every rank, and every other
rank's bytes to the root). [`Single`] is one process alone; the `detcal` command implements
[`Ranks`] over MPI when it is built with the cargo feature `mpi` and started by `mpirun` or
`srun`. Rank 0 is the root: it reads what it must, reduces the others' partial results, and
writes every output file, so the files are those of a single process.

How the frames of a step are shared is [`FrameShare`]: the first block (stage 1 of dark
processing needs it whole) goes to the root, the frames after it go round-robin to the ranks in
runs of [`SHARE_RUN`] consecutive frames.
*/

use crate::error::{Error, Result};

/// A group of cooperating processes, as the pipelines see it.
pub trait Ranks {
    /// This process's index, `0..size()`; 0 is the root.
    fn rank(&self) -> usize;
    /// The number of processes.
    fn size(&self) -> usize;
    /// The root's `data` to every rank: sent from the root, received (replacing `data`)
    /// elsewhere. Every rank calls it at the same point of the work.
    fn broadcast(&self, data: &mut Vec<u8>) -> Result<()>;
    /// Sends `data` to the root (a rank other than the root).
    fn send_to_root(&self, data: &[u8]) -> Result<()>;
    /// Receives what rank `from` sent to the root with [`Ranks::send_to_root`] (the root only).
    fn recv_from(&self, from: usize) -> Result<Vec<u8>>;

    /// Whether this process is the root (rank 0).
    fn is_root(&self) -> bool {
        self.rank() == 0
    }
}

/// One process alone: the root, and nobody to exchange with.
#[derive(Debug, Default, Clone, Copy)]
pub struct Single;

impl Ranks for Single {
    fn rank(&self) -> usize {
        0
    }

    fn size(&self) -> usize {
        1
    }

    fn broadcast(&self, _data: &mut Vec<u8>) -> Result<()> {
        Ok(())
    }

    fn send_to_root(&self, _data: &[u8]) -> Result<()> {
        Err(Error::internal("a single process has no root to send to"))
    }

    fn recv_from(&self, from: usize) -> Result<Vec<u8>> {
        Err(Error::internal(format!(
            "a single process has no rank {from} to receive from"
        )))
    }
}

/// Consecutive frames a rank takes at a time after the root's block.
pub const SHARE_RUN: u64 = 32;

/// Which frames of a step a rank takes: the first `block` to the root, then runs of
/// [`SHARE_RUN`] frames round-robin over the ranks, from rank 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameShare {
    /// This rank.
    pub rank: usize,
    /// The number of ranks.
    pub size: usize,
    /// Frames at the start of each step that go to the root.
    pub block: u64,
}

impl FrameShare {
    /// All frames to one process.
    pub fn all() -> FrameShare {
        FrameShare {
            rank: 0,
            size: 1,
            block: 0,
        }
    }

    /// Whether this rank takes frame `i` (0-based among the frames a step takes).
    pub fn takes(&self, i: u64) -> bool {
        if self.size <= 1 {
            return true;
        }
        let owner = if i < self.block {
            0
        } else {
            // The root has the block: the first run after it goes to rank 1.
            ((i - self.block) / SHARE_RUN + 1) % self.size as u64
        };
        owner == self.rank as u64
    }
}

/// A little-endian byte writer for the messages between ranks.
#[derive(Debug, Default)]
pub struct Writer {
    /// The bytes so far.
    pub buf: Vec<u8>,
}

impl Writer {
    /// A writer with room for `n` bytes.
    pub fn with_capacity(n: usize) -> Writer {
        Writer {
            buf: Vec::with_capacity(n),
        }
    }

    /// Appends a `u64`.
    pub fn u64(&mut self, v: u64) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }

    /// Appends `u16` values.
    pub fn u16s(&mut self, v: &[u16]) {
        self.buf.extend(v.iter().flat_map(|x| x.to_le_bytes()));
    }

    /// Appends `u32` values.
    pub fn u32s(&mut self, v: &[u32]) {
        self.buf.extend(v.iter().flat_map(|x| x.to_le_bytes()));
    }

    /// Appends `u64` values.
    pub fn u64s(&mut self, v: &[u64]) {
        self.buf.extend(v.iter().flat_map(|x| x.to_le_bytes()));
    }
}

/// A little-endian byte reader of a message written with [`Writer`]; running short is an
/// error naming `what`.
#[derive(Debug)]
pub struct Reader<'a> {
    rest: &'a [u8],
    what: &'static str,
}

impl<'a> Reader<'a> {
    /// A reader of `bytes`, a message of kind `what`.
    pub fn new(bytes: &'a [u8], what: &'static str) -> Reader<'a> {
        Reader { rest: bytes, what }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if self.rest.len() < n {
            return Err(Error::internal(format!(
                "{}: message from another rank is {} bytes short",
                self.what,
                n - self.rest.len()
            )));
        }
        let (a, b) = self.rest.split_at(n);
        self.rest = b;
        Ok(a)
    }

    /// The next `u64`.
    pub fn u64(&mut self) -> Result<u64> {
        let b = self.take(8)?;
        Ok(u64::from_le_bytes(b.try_into().expect("8 bytes")))
    }

    /// The next `out.len()` `u16` values.
    pub fn u16s(&mut self, out: &mut [u16]) -> Result<()> {
        let b = self.take(2 * out.len())?;
        for (o, c) in out.iter_mut().zip(b.chunks_exact(2)) {
            *o = u16::from_le_bytes([c[0], c[1]]);
        }
        Ok(())
    }

    /// The next `out.len()` `u32` values.
    pub fn u32s(&mut self, out: &mut [u32]) -> Result<()> {
        let b = self.take(4 * out.len())?;
        for (o, c) in out.iter_mut().zip(b.chunks_exact(4)) {
            *o = u32::from_le_bytes(c.try_into().expect("4 bytes"));
        }
        Ok(())
    }

    /// The next `out.len()` `u64` values.
    pub fn u64s(&mut self, out: &mut [u64]) -> Result<()> {
        let b = self.take(8 * out.len())?;
        for (o, c) in out.iter_mut().zip(b.chunks_exact(8)) {
            *o = u64::from_le_bytes(c.try_into().expect("8 bytes"));
        }
        Ok(())
    }

    /// Ends the message: bytes left over are an error.
    pub fn end(self) -> Result<()> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(Error::internal(format!(
                "{}: message from another rank has {} bytes too many",
                self.what,
                self.rest.len()
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_frame_has_exactly_one_owner_and_the_block_is_the_roots() {
        for size in 1..=4 {
            for i in 0..500u64 {
                let owners: Vec<usize> = (0..size)
                    .filter(|&r| {
                        FrameShare {
                            rank: r,
                            size,
                            block: 50,
                        }
                        .takes(i)
                    })
                    .collect();
                assert_eq!(owners.len(), 1, "frame {i} of {size} ranks: {owners:?}");
                if i < 50 {
                    assert_eq!(owners, [0]);
                }
            }
        }
        // After the block, runs of SHARE_RUN frames rotate over the ranks.
        let s = |rank| FrameShare {
            rank,
            size: 3,
            block: 50,
        };
        assert!(s(1).takes(50) && s(1).takes(50 + SHARE_RUN - 1));
        assert!(s(2).takes(50 + SHARE_RUN) && s(0).takes(50 + 2 * SHARE_RUN));
        assert!(s(1).takes(50 + 3 * SHARE_RUN));
    }

    #[test]
    fn messages_round_trip_and_short_or_long_ones_are_errors() {
        let mut w = Writer::default();
        w.u64(7);
        w.u16s(&[1, 65535]);
        w.u32s(&[70000]);
        w.u64s(&[u64::MAX, 3]);
        let mut r = Reader::new(&w.buf, "test");
        assert_eq!(r.u64().unwrap(), 7);
        let mut a = [0u16; 2];
        r.u16s(&mut a).unwrap();
        assert_eq!(a, [1, 65535]);
        let mut b = [0u32; 1];
        r.u32s(&mut b).unwrap();
        assert_eq!(b, [70000]);
        let mut c = [0u64; 2];
        r.u64s(&mut c).unwrap();
        assert_eq!(c, [u64::MAX, 3]);
        r.end().unwrap();
        let short = &w.buf[..w.buf.len() - 1];
        let mut r = Reader::new(short, "test");
        r.u64().unwrap();
        r.u16s(&mut a).unwrap();
        r.u32s(&mut b).unwrap();
        assert!(r.u64s(&mut c).unwrap_err().to_string().contains("short"));
        let mut r = Reader::new(&w.buf, "test");
        r.u64().unwrap();
        assert!(r.end().unwrap_err().to_string().contains("too many"));
    }
}
