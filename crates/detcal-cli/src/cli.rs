//! The command-line grammar: global options and one subcommand per task.

use clap::{Parser, Subcommand};

use crate::cmd;
use crate::output::Verbosity;

/// Exit code: the command did what was asked.
pub const EXIT_OK: u8 = 0;
/// Exit code: the command ran but found nothing (e.g. no constants file valid for the run).
pub const EXIT_NOT_FOUND: u8 = 1;
/// Exit code: an error (bad input, unreadable file, failed write); the message says what.
pub const EXIT_ERROR: u8 = 2;

const AFTER_HELP: &str = "\
EXIT STATUS:
    0  success
    1  nothing found (find: no constants file is valid for the run)
    2  error: bad arguments, unreadable or malformed input, failed write

ENVIRONMENT:
    SIT_PSDM_DATA  root of experiment data: <root>/<INS>/<exp>/xtc and <root>/<INS>/<exp>/calib
    SIT_ROOT       root of the constants repositories (<SIT_ROOT>/detector/...)
    DETCAL_LOG     log filter for messages on stderr (error, warn, info, debug)
    DETCAL_PORTABLE  1: run the portable kernels, not the AVX2 ones (same results, slower)
    DETCAL_AVX512  0: AVX2 rather than AVX-512 where a kernel has both (same results)
    DETCAL_HUGE_PAGES  1 or 0: large buffers always or never ask for 2 MiB pages (default: they
                   do, except in VMs whose memory balloon reports free pages to the host)
    TZ             time zone of the time stamps in file names (local time, as psana)";

/// detcal: calibration constants for XFEL pixel detectors (JUNGFRAU, ePix10ka, ePix100a, CSPAD,
/// pnCCD), compatible with psana's files and directories.
#[derive(Debug, Parser)]
#[command(name = "detcal", version, about, long_about = None, after_help = AFTER_HELP)]
#[command(propagate_version = true, max_term_width = 100)]
pub struct Cli {
    /// Print only errors.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print debugging details.
    #[arg(short, long, global = true)]
    pub verbose: bool,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// How much to say on stderr.
    pub fn verbosity(&self) -> Verbosity {
        if self.quiet {
            Verbosity::Quiet
        } else if self.verbose {
            Verbosity::Verbose
        } else if let Command::Geometry(cmd::geometry::Args::Deploy(d)) = &self.command {
            // psana's -l/--loglev of geometry_deploy_constants.
            d.loglev
        } else {
            Verbosity::Normal
        }
    }
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the whole pipeline on simulated data and check it against the truth.
    #[command(after_help = cmd::demo::AFTER_HELP)]
    Demo(cmd::demo::Args),
    /// Print the path of the constants file valid for a run.
    #[command(after_help = cmd::find::AFTER_HELP)]
    Find(cmd::find::Args),
    /// Convert an array between .npy and psana text (.data, .txt, .dat).
    #[command(after_help = cmd::convert::AFTER_HELP)]
    Convert(cmd::convert::Args),
    /// Print the shape, dtype and statistics of an array file.
    #[command(after_help = cmd::show::AFTER_HELP)]
    Show(cmd::show::Args),
    /// Simulate JUNGFRAU or ePix10ka (XTC2), ePix100a or pnCCD (NumPy) runs with known truth.
    #[command(after_help = cmd::simulate::AFTER_HELP)]
    Simulate(cmd::simulate::Args),
    /// Describe the runs, detectors, panels, steps and events of a dataset.
    #[command(after_help = cmd::info::AFTER_HELP)]
    Info(cmd::info::Args),
    /// Write the raw frames of a detector as a NumPy stack.
    #[command(after_help = cmd::extract::AFTER_HELP)]
    Extract(cmd::extract::Args),
    /// Dark processing into the per-panel repository (psana jungfrau_dark_proc; ePix10ka:
    /// epix10ka_pedestals_calibration).
    #[command(after_help = cmd::dark::AFTER_HELP)]
    Dark(cmd::dark::Args),
    /// Merge JUNGFRAU or ePix10ka constants per panel and gain mode and deploy them (psana
    /// jungfrau_deploy_constants, epix10ka_deploy_constants).
    #[command(after_help = cmd::deploy::AFTER_HELP)]
    Deploy(cmd::deploy::Args),
    /// ePix10ka dark processing with psana's options (psana epix10ka_pedestals_calibration).
    #[command(name = "epix10ka-pedestals-calibration", after_help = cmd::epix_dark::AFTER_HELP)]
    EpixDark(cmd::epix_dark::Args),
    /// Merge and deploy JUNGFRAU gain and offset maps (psana jungfrau_gain_constants).
    #[command(name = "gain-constants", after_help = cmd::gain_constants::AFTER_HELP)]
    GainConstants(cmd::gain_constants::Args),
    /// Import a vendor binary gain file as a panel gain directory.
    #[command(name = "gain-import", after_help = cmd::gain_constants::IMPORT_AFTER_HELP)]
    GainImport(cmd::gain_constants::ImportArgs),
    /// Deploy constants of any detector from the per-type repository (psana deploy_constants).
    #[command(name = "deploy-constants", after_help = cmd::deploy_constants::AFTER_HELP)]
    DeployConstants(cmd::deploy_constants::Args),
    /// Bad-pixel status from dark or light data (psana det_pixel_status, features 1-3, 6, 11).
    #[command(name = "pixel-status", after_help = cmd::pixel_status::AFTER_HELP)]
    PixelStatus(cmd::pixel_status::Args),
    /// Put arrays into the constants repository, or write default files.
    #[command(subcommand, after_help = cmd::repo::AFTER_HELP)]
    Repo(cmd::repo::Args),
    /// Calibrate the frames of a run with the deployed constants (psana det.calib).
    #[command(after_help = cmd::calib::AFTER_HELP)]
    Calib(cmd::calib::Args),
    /// Common mode of single-gain detectors on a NumPy stack of raw frames (psana
    /// det.common_mode_correction; --calib: det.calib).
    #[command(name = "common-mode", after_help = cmd::common_mode::AFTER_HELP)]
    CommonMode(cmd::common_mode::Args),
    /// Draw a constants file or a calibrated image as PNG.
    #[command(after_help = cmd::plot::AFTER_HELP)]
    Plot(cmd::plot::Args),
    /// Deploy one file into the calibration store with run-range validity.
    #[command(name = "deploy-file", after_help = cmd::deploy_file::AFTER_HELP)]
    DeployFile(cmd::deploy_file::Args),
    /// One event of a detector as an assembled image (psana det.image).
    #[command(after_help = cmd::image::AFTER_HELP)]
    Image(cmd::image::Args),
    /// Detector geometry: pixel coordinates, CrystFEL conversion, defaults, deployment.
    #[command(subcommand, after_help = cmd::geometry::AFTER_HELP)]
    Geometry(cmd::geometry::Args),
    /// Print the id of a JUNGFRAU (psana jungfrau_id).
    #[command(name = "jungfrau-id", after_help = cmd::epix10ka_id::JUNGFRAU_AFTER_HELP)]
    JungfrauId(cmd::epix10ka_id::Args),
    /// The data keys of the first events of an XTC2 file (psana event_keys).
    #[command(name = "event-keys", after_help = cmd::info_scripts::EVENT_KEYS_AFTER_HELP)]
    EventKeys(cmd::info_scripts::EventKeysArgs),
    /// Runs of an instrument's experiments that hold a detector (psana find_detector_runs).
    #[command(name = "find-detector-runs", after_help = cmd::info_scripts::FIND_RUNS_AFTER_HELP)]
    FindDetectorRuns(cmd::info_scripts::FindDetectorRunsArgs),
    /// Runs and detectors whose name contains a text (psana find_runs_for_data_type).
    #[command(name = "find-runs-for-data-type", after_help = cmd::info_scripts::FIND_RUNS_AFTER_HELP)]
    FindRunsForDataType(cmd::info_scripts::FindRunsForDataTypeArgs),
    /// Every detector name under the data root (psana find_detector_names).
    #[command(name = "find-detector-names", after_help = cmd::info_scripts::FIND_RUNS_AFTER_HELP)]
    FindDetectorNames(cmd::info_scripts::FindDetectorNamesArgs),
    /// Dark processing and deployment of a run's single-gain detectors (psana calibrun).
    #[command(after_help = cmd::calibrun::AFTER_HELP)]
    Calibrun(cmd::calibrun::Args),
    /// Print the panel ids of an ePix10ka (psana epix10ka_id).
    #[command(name = "epix10ka-id", after_help = cmd::epix10ka_id::AFTER_HELP)]
    Epix10kaId(cmd::epix10ka_id::Args),
    /// A detector's constants, geometry, steps and first events in a dataset (psana datinfo).
    #[command(after_help = cmd::datinfo::AFTER_HELP)]
    Datinfo(cmd::datinfo::Args),
    /// Write psana2's calibration cache (calibconst.pkl) with detcal's constants of a run.
    #[command(name = "export-psana2", after_help = cmd::export_psana2::AFTER_HELP)]
    ExportPsana2(cmd::export_psana2::Args),
}

/// psana's program names and the detcal commands (words separated by spaces) that take their
/// options.
pub const PSANA_NAMES: [(&str, &str); 14] = [
    ("jungfrau_dark_proc", "dark"),
    ("jungfrau_deploy_constants", "deploy"),
    (
        "epix10ka_pedestals_calibration",
        "epix10ka-pedestals-calibration",
    ),
    ("epix10ka_deploy_constants", "deploy"),
    ("deploy_constants", "deploy-constants"),
    ("geometry_deploy_constants", "geometry deploy"),
    ("epix10ka_id", "epix10ka-id"),
    ("calibrun", "calibrun"),
    ("jungfrau_id", "jungfrau-id"),
    ("event_keys", "event-keys"),
    ("find_detector_runs", "find-detector-runs"),
    ("find_runs_for_data_type", "find-runs-for-data-type"),
    ("find_detector_names", "find-detector-names"),
    ("datinfo", "datinfo"),
];

/// Options of psana programs that detcal spells differently (their short letter is one of
/// detcal's global options): (program, psana's option, detcal's option).
pub const PSANA_OPTIONS: [(&str, &str, &str); 2] = [
    ("calibrun", "-v", "--runrange"),
    ("event_keys", "-v", "--no-print"),
];

/// Parses the command line; under one of psana's program names (a link named
/// `jungfrau_dark_proc`, ...) the arguments are those of the matching detcal command.
pub fn parse() -> Cli {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let program = psana_program(&args);
    // psana2's flags (-k/--dskwargs) under jungfrau_dark_proc and jungfrau_deploy_constants:
    // translated to `detcal dark` and `detcal deploy`.
    let psana2 = program
        .as_deref()
        .filter(|p| crate::psana2::PROGRAMS.contains(p) && crate::psana2::is_psana2(&args[1..]));
    let args = if let Some(p) = psana2 {
        crate::psana2::translate(p, args)
    } else {
        with_psana_name(args)
    };
    parse_named(args, program.as_deref(), psana2.is_some())
}

/// The psana program name the command runs under, if it is one.
fn psana_program(args: &[std::ffi::OsString]) -> Option<String> {
    let name = args
        .first()
        .and_then(|a| std::path::Path::new(a).file_name())
        .and_then(|n| n.to_str())?;
    PSANA_NAMES
        .iter()
        .any(|(p, _)| *p == name)
        .then(|| name.to_string())
}

/// Parses `args`; under a psana program name, usage lines and help name that program (not
/// `jungfrau_dark_proc dark`), and say which flavour of options is in use.
fn parse_named(args: Vec<std::ffi::OsString>, program: Option<&str>, psana2: bool) -> Cli {
    use clap::{CommandFactory, FromArgMatches};
    let Some(program) = program else {
        return Cli::parse_from(args);
    };
    let words: Vec<&str> = PSANA_NAMES
        .iter()
        .find(|(p, _)| *p == program)
        .map(|(_, c)| c.split(' ').collect())
        .unwrap_or_default();
    let flavour = if psana2 {
        format!(
            "{program}: psana2's (LCLS-II) options, as detcal {}",
            words.join(" ")
        )
    } else if program == "jungfrau_dark_proc" {
        format!(
            "{program}: psana's LCLS-I options (-d DATASET -s DET); with -k/--dskwargs, \
             psana2's (LCLS-II): {program} -k exp=<exp>,run=<run> -h"
        )
    } else if program == "jungfrau_deploy_constants" {
        format!(
            "{program}: psana's LCLS-I options (-e EXP -r RUN -d DET); with -k/--dskwargs, \
             psana2's (LCLS-II): {program} -k exp=<exp>,run=<run> -h"
        )
    } else {
        format!(
            "{program}: psana's LCLS-I options, as detcal {}",
            words.join(" ")
        )
    };
    fn rename(cmd: clap::Command, words: &[&str], program: &str, flavour: &str) -> clap::Command {
        match words.split_first() {
            None => {
                // clap names a subcommand "<program> <subcommand>" in its usage line.
                let usage = cmd
                    .clone()
                    .bin_name(program.to_string())
                    .render_usage()
                    .to_string();
                let usage = usage.trim_start_matches("Usage: ").to_string();
                cmd.override_usage(usage).before_help(flavour.to_string())
            }
            Some((w, rest)) => cmd.mut_subcommand(*w, |c| rename(c, rest, program, flavour)),
        }
    }
    let cmd = rename(Cli::command(), &words, program, &flavour);
    let matches = cmd.get_matches_from(args);
    Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
}

/// The arguments with the detcal command inserted when the program runs under a psana name.
pub fn with_psana_name(mut args: Vec<std::ffi::OsString>) -> Vec<std::ffi::OsString> {
    let name = args
        .first()
        .and_then(|a| std::path::Path::new(a).file_name())
        .and_then(|n| n.to_str())
        .unwrap_or("")
        .to_string();
    if let Some((_, cmd)) = PSANA_NAMES.iter().find(|(p, _)| *p == name) {
        for arg in args.iter_mut().skip(1) {
            if let Some((_, _, ours)) = PSANA_OPTIONS
                .iter()
                .find(|(p, theirs, _)| *p == name && arg.to_str() == Some(theirs))
            {
                *arg = (*ours).into();
            }
        }
        for (i, word) in cmd.split(' ').enumerate() {
            args.insert(1 + i, word.into());
        }
    }
    args
}
