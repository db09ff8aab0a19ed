//! The processes a command shares its work with: MPI's when `detcal` is built with the cargo
//! feature `mpi` and started by `mpirun` or `srun`, one process otherwise.

use anyhow::bail;
use detcal::dist::{Ranks, Single};

/// The size of the job as an MPI launcher tells its processes (Open MPI, MPICH/Hydra, PMIx,
/// SLURM's PMI), if one started this process.
pub fn launcher_size() -> Option<usize> {
    [
        "OMPI_COMM_WORLD_SIZE",
        "PMIX_SIZE",
        "PMI_SIZE",
        "MPI_LOCALNRANKS",
    ]
    .iter()
    .find_map(|v| std::env::var(v).ok()?.trim().parse().ok())
}

/// Runs `f` with the job's processes: over MPI when `mpi` is asked for or an MPI launcher
/// started this process (and the build has MPI), alone otherwise. With several processes, an
/// error of any rank is shown with its rank and ends the whole job (`MPI_Abort`), so that no
/// rank waits for it forever.
pub fn with_ranks<T>(
    mpi: bool,
    f: impl FnOnce(&dyn Ranks) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    let launched = launcher_size().unwrap_or(1);
    if !mpi && launched <= 1 {
        return f(&Single);
    }
    mpi_ranks(mpi, launched, f)
}

#[cfg(not(feature = "mpi"))]
fn mpi_ranks<T>(
    mpi: bool,
    launched: usize,
    _f: impl FnOnce(&dyn Ranks) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    if mpi {
        bail!(
            "--mpi: this detcal was built without MPI; build it with `cargo build --release --features mpi` (needs libopenmpi-dev and libclang-dev)"
        );
    }
    bail!(
        "started as one of {launched} MPI processes, but this detcal was built without MPI, so each would do the whole job; build it with `cargo build --release --features mpi`, or run it without mpirun/srun"
    )
}

#[cfg(feature = "mpi")]
fn mpi_ranks<T>(
    _mpi: bool,
    _launched: usize,
    f: impl FnOnce(&dyn Ranks) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    let Some(ranks) = crate::mpi::MpiRanks::init() else {
        bail!("MPI could not be initialised (was it initialised before?)");
    };
    if ranks.size() == 1 {
        return f(&ranks);
    }
    match f(&ranks) {
        Ok(v) => Ok(v),
        Err(e) => {
            let e = e.context(format!("rank {} of {}", ranks.rank(), ranks.size()));
            crate::output::report_error(&e);
            ranks.abort(crate::cli::EXIT_ERROR.into())
        }
    }
}

#[cfg(test)]
mod tests {
    /// The launcher variables name the job's size; without them there is no launcher.
    #[test]
    fn launcher_size_reads_the_launchers_variable() {
        // The test harness itself is not started by mpirun.
        if std::env::var_os("OMPI_COMM_WORLD_SIZE").is_none()
            && std::env::var_os("PMIX_SIZE").is_none()
            && std::env::var_os("PMI_SIZE").is_none()
            && std::env::var_os("MPI_LOCALNRANKS").is_none()
        {
            assert_eq!(super::launcher_size(), None);
        }
    }
}
