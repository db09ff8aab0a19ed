/*!
Reader and writer for LCLS-II XTC2 raw data files.

This crate stands alone: it knows the XTC2 byte layout and nothing of calibration.

An XTC2 file is a sequence of datagrams ([`Dgram`]): a time stamp, an `env` word holding the
transition id, and a root [`Xtc`] container. Xtcs nest; the leaves that matter are [`Names`]
(found in Configure: one per detector segment and algorithm, describing fields) and
[`ShapesData`] (the values of one Names in one datagram). All integers are little-endian and
nothing is aligned.

Layers, from bytes up:
- [`Dgrams`], [`Xtc`], [`Names`], [`ShapesData`]: views over bytes that check every extent and
  length against its container and never panic on input.
- [`XtcFile`]: a memory-mapped file and its datagrams; [`Reader`]: the same over any `Read`;
  [`validate`]: a check of every structure and field of a file.
- [`write`]: the symmetric writer, and [`write::RunWriter`] to write a detector run.
- [`dataset`]: psana dataset names (`exp=xpptut15:run=7`) resolved to files.
- [`run`]: a run of one or more stream files as psana shows it: detectors, steps, events.
*/

#![deny(missing_docs)]

mod cursor;
mod damage;
mod data_type;
mod dgram;
mod error;
mod file;
mod names;
mod names_table;
mod shapes_data;
mod stream;
mod time_stamp;
mod transition;
mod type_id;
mod validate;
mod xtc;

pub mod dataset;
pub mod run;
pub mod write;

pub use damage::Damage;
pub use data_type::{DataType, Element};
pub use dgram::{DGRAM_HEADER_SIZE, Dgram, Dgrams, TRANSITION_HEADER_SIZE};
pub use error::{Error, FormatError, FormatErrorKind};
pub use file::{FileDgrams, XtcFile};
pub use names::{Alg, AlgVersion, MAX_RANK, Name, Names};
pub use names_table::NamesTable;
pub use shapes_data::{Array, DescData, Field, Fields, LengthMismatch, Shape, ShapesData};
pub use stream::Reader;
pub use time_stamp::{EPICS_EPOCH_UNIX_SECONDS, TimeStamp};
pub use transition::{Env, TransitionId};
pub use type_id::{NamesId, TypeId};
pub use validate::{Summary, validate};
pub use xtc::{Children, XTC_HEADER_SIZE, Xtc, XtcWalk};
