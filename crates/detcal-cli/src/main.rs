//! The `detcal` command: glue between the command line and the detcal library.
//!
//! `main` parses the arguments, sets up logging, runs one command and turns its outcome into an
//! exit code. Every command lives in its own module under `cmd/`.

mod args;
mod cli;
mod cmd;
mod detrun;
#[cfg(feature = "mpi")]
mod mpi;
mod output;
mod psana2;
mod ranks;

use std::process::ExitCode;

fn main() -> ExitCode {
    // A closed pipe (`detcal show ... | head`) ends the program quietly, as it does other tools.
    // SAFETY: restoring the default action of SIGPIPE before any other thread exists.
    let _ = unsafe {
        nix::sys::signal::signal(
            nix::sys::signal::Signal::SIGPIPE,
            nix::sys::signal::SigHandler::SigDfl,
        )
    };
    // Runs of many files hold a descriptor per file read; allow as many as the system permits.
    if let Ok((soft, hard)) =
        nix::sys::resource::getrlimit(nix::sys::resource::Resource::RLIMIT_NOFILE)
        && soft < hard
    {
        let _ =
            nix::sys::resource::setrlimit(nix::sys::resource::Resource::RLIMIT_NOFILE, hard, hard);
    }
    let cli = cli::parse();
    output::init_logging(cli.verbosity());
    match cmd::run(cli) {
        Ok(code) => code,
        Err(err) => {
            output::report_error(&err);
            ExitCode::from(cli::EXIT_ERROR)
        }
    }
}
