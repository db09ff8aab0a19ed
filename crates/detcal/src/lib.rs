/*!
Calibration constants for the pixel detectors of X-ray free-electron lasers.

detcal produces, stores, deploys and applies the calibration constants of JUNGFRAU, ePix10ka,
ePix100a, CSPAD and pnCCD detectors, compatible with the files and directory layouts of psana
(the LCLS analysis framework).

The main pieces:

- [`detector`]: detector types, their calibration groups, calibration types, panel shapes and
  gain modes.
- [`formats`]: psana's text ndarray format, NumPy `.npy`, and the dynamically typed [`NdArray`].
- [`geometry`]: detector geometry files, pixel coordinates, masks and assembled images, as psana.
- [`store`]: an experiment's calibration store `<calib>/<group>/<source>/<ctype>/<begin>-<end>.data`,
  with psana's run-range file selection and deployment.
- [`files`]: atomic writes, locked appends and psana's file modes.
- [`site`]: where data and repositories live (`SIT_ROOT`, `SIT_PSDM_DATA`), who and where we are.

```
use detcal::detector::DetType;
use detcal::store::RunRange;

let det = DetType::from_source("CxiDs1.0:Jungfrau.0");
assert_eq!(det, DetType::Jungfrau);
assert_eq!(det.calib_group(), "Jungfrau::CalibV1");
let range: RunRange = "5-end".parse().unwrap();
assert!(range.contains(12));
```
*/

pub mod access;
pub mod apply;
pub mod calib;
pub mod cpu;
pub mod dark;
pub mod deploy;
pub mod detector;
pub mod detrun;
pub mod dist;
pub mod error;
pub mod evcode;
pub mod files;
pub mod formats;
pub mod geometry;
pub mod info;
pub mod mem;
pub mod pipeline;
pub mod pixel_status;
pub mod repo;
pub mod report;
pub mod settings;
pub mod site;
pub mod source;
pub mod stacks;
pub mod stats;
pub mod store;
pub mod summary;

pub use detcal_formats::with_array;
pub use error::{Error, Missing, Result};
pub use formats::array::{DType, NdArray};
