//! The `detcal` command: glue between the command line and the detcal library.
//!
//! `main` parses the arguments, sets up logging, runs one command and turns its outcome into an
//! exit code. Every command lives in its own module under `cmd/`.

mod args;
mod cli;
mod cmd;
mod output;

use std::process::ExitCode;

fn main() -> ExitCode {
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
