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
  [`validate()`]: a check of every structure and field of a file.
- [`write`](mod@write): the symmetric writer, and [`write::RunWriter`] to write a detector run.
- [`dataset`]: psana dataset names (`exp=xpptut15:run=7`) resolved to files.
- [`run`]: a run of one or more stream files as psana shows it: detectors, steps, events.

Write a small JUNGFRAU run and read it back:

```
use xtc2::run::{Item, Run};
use xtc2::write::{DetectorSetup, RunWriter};
use xtc2::{TimeStamp, XtcFile};

let mut setup = DetectorSetup::jungfrau("jungfrau", &["panel-0", "panel-1"]);
(setup.rows, setup.cols) = (2, 3); // small frames for the example
let mut w = RunWriter::new(Vec::new(), setup)?;
w.configure(TimeStamp::new(1_112_036_888, 0), 0)?;
w.begin_run(TimeStamp::new(1_112_036_889, 0), "mfx101332224", 7)?;
w.begin_step(TimeStamp::new(1_112_036_890, 0), 1)?;
w.event(TimeStamp::new(1_112_036_891, 0), &[&[1, 2, 3, 4, 5, 6], &[7, 8, 9, 10, 11, 12]])?;
let bytes = w.into_inner()?;

let run = Run::from_files(vec![XtcFile::from_bytes("mfx101332224-r0007-s000-c000.xtc2", bytes)])?;
assert_eq!((run.expt(), run.run_number()), (Some("mfx101332224"), Some(7)));
let det = run.detector("jungfrau")?;
assert_eq!(det.info().unique_id(), "jungfrau_panel-0_panel-1");
assert_eq!(det.info().frame_shape(), Some(vec![2, 2, 3]));
let mut frame = vec![0u16; 12];
let mut items = det.items()?;
while let Some(item) = items.next_item() {
    match item? {
        Item::StepBegin(step) => assert_eq!(step.gain_mode.name.as_deref(), Some("FORCE_SWITCH_G1")),
        Item::Event(event) => event.copy_raw_into(&mut frame)?,
        _ => {}
    }
}
assert_eq!(frame, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
# Ok::<(), Box<dyn std::error::Error>>(())
```
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
pub mod timing;
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
