//! One module per subcommand; each has an `Args` struct and a `run` function.

use std::process::ExitCode;

use crate::cli::{Cli, Command};

pub mod find;

/// Runs the command given on the command line.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Find(a) => find::run(a),
    }
}
