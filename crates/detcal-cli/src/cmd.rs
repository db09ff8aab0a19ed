//! One module per subcommand; each has an `Args` struct and a `run` function.

use std::process::ExitCode;

use crate::cli::{Cli, Command};

pub mod calib;
pub mod calibrun;
pub mod common_mode;
pub mod convert;
pub mod dark;
pub mod datinfo;
pub mod demo;
pub mod deploy;
pub mod deploy_constants;
pub mod deploy_file;
pub mod epix10ka_id;
pub mod epix_dark;
pub mod export_psana2;
pub mod extract;
pub mod find;
pub mod gain_constants;
pub mod geometry;
pub mod image;
pub mod info;
pub mod info_scripts;
pub mod pixel_status;
pub mod plot;
pub mod repo;
pub mod show;
pub mod simulate;

/// Runs the command given on the command line.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Find(a) => find::run(a),
        Command::Convert(a) => convert::run(a),
        Command::Show(a) => show::run(a),
        Command::DeployFile(a) => deploy_file::run(a),
        Command::Simulate(a) => simulate::run(a),
        Command::Dark(a) => dark::run(a),
        Command::Deploy(a) => deploy::run(a),
        Command::EpixDark(a) => epix_dark::run(a),
        Command::GainConstants(a) => gain_constants::run(a),
        Command::GainImport(a) => gain_constants::run_import(a),
        Command::DeployConstants(a) => deploy_constants::run(a),
        Command::Repo(a) => repo::run(a),
        Command::PixelStatus(a) => pixel_status::run(a),
        Command::Info(a) => info::run(a),
        Command::Extract(a) => extract::run(a),
        Command::Plot(a) => plot::run(a),
        Command::Calib(a) => calib::run(a),
        Command::CommonMode(a) => common_mode::run(a),
        Command::Demo(a) => demo::run(a),
        Command::Geometry(a) => geometry::run(a),
        Command::Image(a) => image::run(a),
        Command::Epix10kaId(a) => epix10ka_id::run(a),
        Command::Calibrun(a) => calibrun::run(a),
        Command::Datinfo(a) => datinfo::run(a),
        Command::JungfrauId(a) => epix10ka_id::run_jungfrau(a),
        Command::EventKeys(a) => info_scripts::event_keys(a),
        Command::FindDetectorRuns(a) => info_scripts::find_detector_runs(a),
        Command::FindRunsForDataType(a) => info_scripts::find_runs_for_data_type(a),
        Command::FindDetectorNames(a) => info_scripts::find_detector_names(a),
        Command::ExportPsana2(a) => export_psana2::run(a),
    }
}
