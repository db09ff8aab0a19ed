/*!
The writer, symmetric to the reader: Names, ShapesData (Shapes then Data), Parent Xtcs and
datagrams appended to any `Write`, and [`RunWriter`], which writes a detector run laid out as the
LCLS-II DAQ lays it out.

```
use xtc2::write::{Value, Writer};
use xtc2::{Alg, DataType, Env, Names, NamesId, TimeStamp, TransitionId};

let names = Names::new(NamesId::new(1, 255), "runinfo", "runinfo", "", Alg::new("runinfo", 0, 0, 1), 0)
    .with_field("expt", DataType::CharStr, 1)
    .with_field("runnum", DataType::U32, 0);
let mut w = Writer::new(Vec::new());
let mut d = w.dgram(TimeStamp::new(1, 0), Env::new(TransitionId::Configure, 1), 1);
d.names(&names)?;
w.write(d)?;
let mut d = w.dgram(TimeStamp::new(2, 0), Env::new(TransitionId::BeginRun, 1), 1);
d.shapes_data(&names, &[Value::Str("xpptut15"), Value::U32(7)])?;
w.write(d)?;
// Configure: headers + a Names of 2 fields; BeginRun: headers + ShapesData + Shapes + Data.
assert_eq!(w.offset(), (24 + 1048 + 2 * 524) + (24 + 12 + (12 + 20) + (12 + 12 + 4)));
# Ok::<(), xtc2::Error>(())
```
*/

mod dgram;
mod names;
mod run;
mod shapes_data;

pub use dgram::{DgramBuilder, Writer};
pub use run::{
    DetectorSetup, EPIX_ASIC_PIXELS, EpixConfig, Layout, RunWriter, SegmentFrame, SegmentSetup,
    gain_mode,
};
pub use shapes_data::{ArrayData, ShapesDataOptions, Value};
