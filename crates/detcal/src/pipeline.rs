/*!
The jobs behind detcal's commands, one function each: a typed options value and the job's
[`Settings`](crate::settings::Settings) in, a typed report out.

Each pipeline reads no environment variable and prints nothing: roots and modes come from the
settings, progress goes to the [`Reporter`](crate::report::Reporter), messages to `tracing`,
and what was done comes back in the report for the caller to show.
*/

pub mod calib;
pub mod calibrun;
pub mod common_mode;
pub mod dark;
pub mod datinfo;
pub mod deploy;
pub mod deploy_constants;
pub mod export_psana2;
pub mod gains;
pub mod geometry;
pub mod image;
pub mod pixel_status;
pub mod repo;
