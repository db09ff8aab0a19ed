//! [`detcal::dist::Ranks`] over MPI (the `mpi` crate on the system's Open MPI): the glue of the
//! cargo feature `mpi`.

use detcal::dist::Ranks;
use detcal::{Error, Result};
use mpi::environment::Universe;
use mpi::topology::SimpleCommunicator;
use mpi::traits::*;

/// Bytes per MPI message: counts are C `int`s, so big buffers go in pieces.
const PIECE: usize = 1 << 30;

/// The processes of `MPI_COMM_WORLD`; MPI is finalised when this is dropped.
pub struct MpiRanks {
    world: SimpleCommunicator,
    _universe: Universe,
}

impl MpiRanks {
    /// Initialises MPI (once per process); `None` if it was initialised before.
    pub fn init() -> Option<MpiRanks> {
        // Only the thread that runs a pipeline's computing side talks to MPI.
        let (universe, _) = mpi::initialize_with_threading(mpi::Threading::Funneled)?;
        Some(MpiRanks {
            world: universe.world(),
            _universe: universe,
        })
    }

    /// Ends every process of the job with `code`.
    pub fn abort(&self, code: i32) -> ! {
        self.world.abort(code)
    }
}

/// The length of a message, as every rank agrees on it.
fn len_of(bytes: usize) -> Result<u64> {
    u64::try_from(bytes).map_err(|_| Error::internal("message too long"))
}

impl Ranks for MpiRanks {
    fn rank(&self) -> usize {
        self.world.rank() as usize
    }

    fn size(&self) -> usize {
        self.world.size() as usize
    }

    fn broadcast(&self, data: &mut Vec<u8>) -> Result<()> {
        let root = self.world.process_at_rank(0);
        let mut len = [len_of(data.len())?];
        root.broadcast_into(&mut len[..]);
        if !self.is_root() {
            *data = vec![0u8; len[0] as usize];
        }
        for piece in data.chunks_mut(PIECE) {
            root.broadcast_into(piece);
        }
        Ok(())
    }

    fn send_to_root(&self, data: &[u8]) -> Result<()> {
        self.send_to(0, data)
    }

    fn send_to(&self, to: usize, data: &[u8]) -> Result<()> {
        let to = i32::try_from(to).map_err(|_| Error::internal("rank out of range"))?;
        let dest = self.world.process_at_rank(to);
        dest.send(&[len_of(data.len())?][..]);
        for piece in data.chunks(PIECE) {
            dest.send(piece);
        }
        Ok(())
    }

    fn recv_from(&self, from: usize) -> Result<Vec<u8>> {
        let from = i32::try_from(from).map_err(|_| Error::internal("rank out of range"))?;
        let src = self.world.process_at_rank(from);
        let mut len = [0u64];
        src.receive_into(&mut len[..]);
        let mut data = vec![0u8; len[0] as usize];
        for piece in data.chunks_mut(PIECE) {
            src.receive_into(piece);
        }
        Ok(data)
    }
}
