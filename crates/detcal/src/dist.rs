/*!
Work shared by several processes ("ranks", as MPI calls them), without depending on MPI.

A pipeline that can share its work takes a [`Ranks`]: the number of processes, which one this
is, and the exchanges the pipelines need (the root's bytes to every rank, a rank's bytes to the
root or to another rank). On these, [`reduce`] merges partial results to the root along a
binomial tree, and [`gather`] brings each rank's part to the root in rank order. [`Single`] is one process alone; the `detcal` command implements
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
    /// Receives what rank `from` sent to this rank with [`Ranks::send_to_root`] or
    /// [`Ranks::send_to`].
    fn recv_from(&self, from: usize) -> Result<Vec<u8>>;
    /// Sends `data` to rank `to`, which receives it with [`Ranks::recv_from`]; by default only
    /// the root can be sent to.
    fn send_to(&self, to: usize, data: &[u8]) -> Result<()> {
        if to == 0 {
            self.send_to_root(data)
        } else {
            Err(Error::internal(format!(
                "these ranks cannot send to rank {to}, only to the root"
            )))
        }
    }

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

/// What a [`reduce`] did on this rank.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Reduced {
    /// Messages received and merged.
    pub received: usize,
    /// Bytes received.
    pub bytes: usize,
    /// Bytes sent (0 on the root).
    pub sent: usize,
    /// Seconds from the start of the reduction to its end on this rank (waiting included).
    pub seconds: f64,
}

impl std::fmt::Display for Reduced {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "reduction: {} message(s), {:.1} MB received, {:.1} MB sent, {:.3} s",
            self.received,
            self.bytes as f64 / 1e6,
            self.sent as f64 / 1e6,
            self.seconds
        )
    }
}

/// Reduces a partial result of every rank to the root along a binomial tree: at level
/// `d = 1, 2, 4, ...`, a rank `r` with `r % 2d == d` sends its `state` (as `message` makes
/// it, with what it merged before) to rank `r - d` and is done; rank `r` with `r % 2d == 0`
/// merges into its state (`merge`) what rank `r + d` sends. The root has merged every rank's result after
/// `ceil(log2 K)` levels instead of receiving `K - 1` messages in turn. The merges must not
/// depend on their order (exact sums, min/max), so that the result is the same for any K.
pub fn reduce<S>(
    ranks: &dyn Ranks,
    state: &mut S,
    mut message: impl FnMut(&mut S) -> Result<Vec<u8>>,
    mut merge: impl FnMut(&mut S, &[u8]) -> Result<()>,
) -> Result<Reduced> {
    let t0 = std::time::Instant::now();
    let (rank, size) = (ranks.rank(), ranks.size());
    let mut out = Reduced::default();
    let mut d = 1;
    while d < size {
        if rank % (2 * d) == d {
            let bytes = message(state)?;
            out.sent = bytes.len();
            ranks.send_to(rank - d, &bytes)?;
            break;
        }
        if rank + d < size {
            let part = ranks.recv_from(rank + d)?;
            out.received += 1;
            out.bytes += part.len();
            merge(state, &part)?;
        }
        d *= 2;
    }
    out.seconds = t0.elapsed().as_secs_f64();
    Ok(out)
}

/// Gathers a part of every rank to the root, in rank order: the other ranks send theirs
/// (`message()`), the root hands the parts of ranks 1, 2, ... to `append` in turn. For parts
/// that add up (shares of the panels) rather than merge, where a tree would move the same bytes.
pub fn gather(
    ranks: &dyn Ranks,
    message: impl FnOnce() -> Result<Vec<u8>>,
    mut append: impl FnMut(&[u8]) -> Result<()>,
) -> Result<Reduced> {
    let t0 = std::time::Instant::now();
    let mut out = Reduced::default();
    if ranks.is_root() {
        for r in 1..ranks.size() {
            let part = ranks.recv_from(r)?;
            out.received += 1;
            out.bytes += part.len();
            append(&part)?;
        }
    } else {
        let bytes = message()?;
        out.sent = bytes.len();
        ranks.send_to_root(&bytes)?;
    }
    out.seconds = t0.elapsed().as_secs_f64();
    Ok(out)
}

/// Consecutive frames a rank takes at a time after the root's block.
pub const SHARE_RUN: u64 = 32;

/// The panels of `panels` that process `rank` of `size` takes (commands shared by panel:
/// `pixel-status`, ePix10ka `dark`): a contiguous share, the first processes one more where
/// they do not divide evenly (so the root has one as long as there is one).
pub fn share_panels(panels: &[usize], rank: usize, size: usize) -> &[usize] {
    let size = size.max(1);
    let (base, extra) = (panels.len() / size, panels.len() % size);
    let start = rank * base + rank.min(extra);
    &panels[start..start + base + usize::from(rank < extra)]
}

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

    /// Appends `i128` values.
    pub fn i128s(&mut self, v: &[i128]) {
        self.buf.extend(v.iter().flat_map(|x| x.to_le_bytes()));
    }

    /// Appends `f64` values (their bits).
    pub fn f64s(&mut self, v: &[f64]) {
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

    /// The next `out.len()` `i128` values.
    pub fn i128s(&mut self, out: &mut [i128]) -> Result<()> {
        let b = self.take(16 * out.len())?;
        for (o, c) in out.iter_mut().zip(b.chunks_exact(16)) {
            *o = i128::from_le_bytes(c.try_into().expect("16 bytes"));
        }
        Ok(())
    }

    /// The next `out.len()` `f64` values.
    pub fn f64s(&mut self, out: &mut [f64]) -> Result<()> {
        let b = self.take(8 * out.len())?;
        for (o, c) in out.iter_mut().zip(b.chunks_exact(8)) {
            *o = f64::from_le_bytes(c.try_into().expect("8 bytes"));
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
    fn panels_are_shared_contiguously_and_the_root_has_one() {
        let panels: Vec<usize> = (10..15).collect();
        for size in 1..=7 {
            let all: Vec<usize> = (0..size)
                .flat_map(|r| share_panels(&panels, r, size).to_vec())
                .collect();
            assert_eq!(all, panels, "{size} ranks");
            assert!(!share_panels(&panels, 0, size).is_empty());
        }
        assert_eq!(share_panels(&panels, 0, 2), &[10, 11, 12]);
        assert_eq!(share_panels(&[3], 1, 2), &[] as &[usize]);
    }

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

    /// Ranks as threads exchanging messages over channels, for the tree's tests.
    struct Threads {
        rank: usize,
        size: usize,
        tx: Vec<std::sync::mpsc::Sender<(usize, Vec<u8>)>>,
        rx: std::sync::mpsc::Receiver<(usize, Vec<u8>)>,
        pending: std::cell::RefCell<Vec<(usize, Vec<u8>)>>,
    }

    impl Ranks for Threads {
        fn rank(&self) -> usize {
            self.rank
        }
        fn size(&self) -> usize {
            self.size
        }
        fn broadcast(&self, _data: &mut Vec<u8>) -> Result<()> {
            unimplemented!()
        }
        fn send_to_root(&self, data: &[u8]) -> Result<()> {
            self.send_to(0, data)
        }
        fn send_to(&self, to: usize, data: &[u8]) -> Result<()> {
            self.tx[to].send((self.rank, data.to_vec())).unwrap();
            Ok(())
        }
        fn recv_from(&self, from: usize) -> Result<Vec<u8>> {
            // As MPI matches the source: others' messages wait.
            let mut pending = self.pending.borrow_mut();
            if let Some(i) = pending.iter().position(|(f, _)| *f == from) {
                return Ok(pending.remove(i).1);
            }
            loop {
                let (f, d) = self.rx.recv().unwrap();
                if f == from {
                    return Ok(d);
                }
                pending.push((f, d));
            }
        }
    }

    /// Every rank's value reaches the root exactly once, through ceil(log2 K) levels.
    #[test]
    fn the_tree_reduction_merges_every_rank_once() {
        for size in 1..=9usize {
            let (txs, rxs): (Vec<_>, Vec<_>) =
                (0..size).map(|_| std::sync::mpsc::channel()).unzip();
            let got: Vec<(u64, Reduced)> = std::thread::scope(|s| {
                let hs: Vec<_> = rxs
                    .into_iter()
                    .enumerate()
                    .map(|(rank, rx)| {
                        let r = Threads {
                            rank,
                            size,
                            tx: txs.clone(),
                            rx,
                            pending: Default::default(),
                        };
                        s.spawn(move || {
                            // Each rank holds the bit of its rank; merging ORs them.
                            let mut v: u64 = 1 << rank;
                            let red = reduce(
                                &r,
                                &mut v,
                                |v| Ok(v.to_le_bytes().to_vec()),
                                |v, b| {
                                    let o = u64::from_le_bytes(b.try_into().unwrap());
                                    assert_eq!(*v & o, 0, "a rank merged twice");
                                    *v |= o;
                                    Ok(())
                                },
                            )
                            .unwrap();
                            (v, red)
                        })
                    })
                    .collect();
                hs.into_iter().map(|h| h.join().unwrap()).collect()
            });
            assert_eq!(got[0].0, (1u64 << size) - 1, "{size} ranks");
            let levels = (size as f64).log2().ceil() as usize;
            assert_eq!(got[0].1.received, levels, "{size} ranks");
            assert!(got[1..].iter().all(|(_, r)| r.sent == 8));
        }
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
