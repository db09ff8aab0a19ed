//! Integration tests of the `detcal` command, in one test binary.

mod util;

mod calib;
mod calibrun;
mod cli_basic;
mod cli_data;
mod cli_hostile;
mod common_mode;
mod demo_golden;
mod drop_shots;
mod epix;
mod epix_dark;
mod evcode_commands;
mod geometry;
mod geometry_deploy;
mod help_examples;
mod info_scripts;
mod interop;
mod interop_calib;
mod interop_psana2;
mod interop_timing;
mod mpi;
mod pipeline;
mod pixel_status_light;
mod psana2_flags;
mod python;
