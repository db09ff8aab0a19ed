//! Integration tests of the `detcal` command, in one test binary.

mod util;

mod calib;
mod cli_basic;
mod cli_data;
mod cli_hostile;
mod demo_golden;
mod epix;
mod epix_dark;
mod geometry;
mod help_examples;
mod interop;
mod interop_calib;
mod pipeline;
mod python;
