//! One module per subcommand; each has an `Args` struct and a `run` function.

use std::process::ExitCode;

use crate::cli::{Cli, Command};

pub mod convert;
pub mod deploy_file;
pub mod find;
pub mod show;

/// Runs the command given on the command line.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Find(a) => find::run(a),
        Command::Convert(a) => convert::run(a),
        Command::Show(a) => show::run(a),
        Command::DeployFile(a) => deploy_file::run(a),
    }
}
