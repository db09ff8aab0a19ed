"""Calibration constants of XFEL pixel detectors as psana makes them: psana's text format, the
calibration store, calibration and dark processing on NumPy arrays, and detcal's pipelines.

Every function releases the GIL and runs on detcal's threads; every error is a `detcal.Error`."""

from os import PathLike
from typing import Any, Optional, Sequence, Union

import numpy as np
import numpy.typing as npt

__version__: str

_Path = Union[str, PathLike[str]]

class Error(Exception):
    """Every error of detcal; the message names the input (file, line, option) and what is wrong."""

class NotFoundError(Error):
    """Something looked for does not exist: constants of a run, a detector, a run, a file, data."""

class MalformedError(Error):
    """Input that cannot be read as what it should be: a bad text line or header, a corrupt file."""

class ShapeError(Error):
    """An array whose shape or size does not fit (frames, constants, masks)."""

class IoError(Error):
    """An operating-system error on a file or directory."""

class ArgumentError(Error):
    """A bad value of an argument or option (a name, a number format, a gain mode), an unsupported
    detector or feature, a missing setting."""

def load_txt(path: _Path) -> np.ndarray:
    """Reads a file in psana's text format (with or without header) as a NumPy array of its dtype."""

def save_txt(path: _Path, array: npt.ArrayLike, fmt: Optional[str] = None, header: bool = True) -> None:
    """Writes `array` in psana's text format (`header=False`: plain rows, as the panel repository),
    with the Python number format `fmt` (default: lossless), exactly as `detcal convert` does."""

def find(calib_dir: _Path, source: str, ctype: str, run: int) -> Optional[str]:
    """The file of calibration type `ctype` valid for `run` of detector `source` in the calibration
    store `calib_dir` (psana's run-range rule), or `None`."""

class Constants:
    """The constants of one detector for one run, as psana's `det.<ctype>(run)` gives them."""

    def __init__(self, calib_dir: _Path, source: str, run: int, det_type: str = "jungfrau") -> None:
        """Opens the detector `source` (e.g. `jungfrau.0:Jungfrau.0`) of type `det_type` in the
        calibration store `calib_dir` for `run`."""
    def get(self, ctype: str) -> Optional[np.ndarray]:
        """The array of `ctype` (cast to psana's dtype) with psana's defaults, or `None`."""
    def origin(self, ctype: str) -> Optional[str]:
        """The file `ctype` was loaded from (`None`: psana's default or nothing)."""

class Calibrator:
    """psana's `det.calib` with the constants deployed for a run: pedestals, offsets, gains, common
    mode and masks, equal value for value to `detcal calib`."""

    def __init__(
        self,
        calib_dir: _Path,
        source: str,
        run: int,
        det_type: str = "jungfrau",
        cmpars: Optional[Sequence[float]] = None,
        mask: Union[None, npt.ArrayLike, _Path] = None,
    ) -> None:
        """The calibrator of detector `source` for `run` from the store `calib_dir`; `cmpars`
        replaces the deployed common-mode parameters (`[]`: no common mode), `mask` (an array of
        the frame's shape, or a `.npy`/text file) is a user mask, 0 for bad pixels."""
    def calib(self, raw: npt.NDArray[np.uint16]) -> npt.NDArray[np.float32]:
        """Calibrates one raw frame `(nsegs, rows, cols)` or a stack `(N, nsegs, rows, cols)` of
        uint16 words into float32 values of the same shape."""
    @property
    def frame_shape(self) -> list[int]:
        """The shape of one frame."""
    @property
    def mask(self) -> npt.NDArray[np.uint8]:
        """The mask applied to every frame (1 good, 0 bad), shaped as a frame."""
    @property
    def bad_gain_count(self) -> int:
        """The number of pixels with invalid gain bits `10` in the last frame calibrated (JUNGFRAU)."""

class DarkProc:
    """psana's dark processing of one step (one gain mode): frames in, per pixel pedestals, rms,
    status and more out, equal to `detcal dark` on the same frames."""

    def __init__(self, gain_mode: Optional[str], det_type: str = "jungfrau", **psana_options: Any) -> None:
        """Dark processing of frames of detector type `det_type` in `gain_mode` (JUNGFRAU: Normal,
        ForcedGain1, ... or 0-5; ePix10ka: FH, FM, ...; single-gain detectors: None), with psana's
        options as keywords: `nrecs`, `nrecs1`, `int_lo`, `int_hi`, `rms_lo`, `rms_hi`, `intnlo`,
        `intnhi`, `rmsnlo`, `rmsnhi`, `fraclm`, `fraclo`, `frachi`, `databits` (ePix10ka: `nbs`)."""
    def add(self, frames: npt.NDArray[np.uint16]) -> None:
        """Adds frames: one frame `(nsegs, rows, cols)` (or `(rows, cols)`), or a stack of them with
        a leading frame axis. The first call fixes the frame shape: 4 dimensions are a stack, 3 or 2
        one frame. Frames after `nrecs` (ePix10ka: `nbs`) are ignored, as psana."""
    @property
    def frames(self) -> int:
        """The frames taken so far."""
    def finish(self) -> dict[str, Any]:
        """The results, each array shaped as a frame: `pedestals`, `rms`, `status`, `min`, `max`
        (JUNGFRAU and single-gain), the gates `gate_lo`, `gate_hi`, the counts `count`, `count_lo`,
        `count_hi`, and the numbers `frames`, `counter`/`records`, `nevlm`."""

def dark(dataset: Optional[str] = None, **options: Any) -> dict[str, Any]:
    """Dark processing into the per-panel repository (`detcal dark`); a dataset, or a NumPy stack
    (`input=` with `gain_mode`, `panel_ids`, `exp`, `run`, `tstamp`). Options are the command's,
    `-` written `_`. Returns the report: `dirrepo`, `steps`, `frames`, `panels`, `seconds`,
    `files`, `log`."""

def deploy(**options: Any) -> dict[str, Any]:
    """Merges a detector's dark constants per panel and gain mode and deploys them (`detcal
    deploy`): `exp`, `run` (or `dataset`), `det`, `dirrepo`, `calib_dir`, `deploy=True` to write
    into the store (else a dry run), `runrange`, `paninds`, `errskip`, `tstamp`, ... Returns the
    report: `picks`, `placed`, `deployed`, `log`."""

def simulate(out: _Path, **options: Any) -> dict[str, Any]:
    """Simulates JUNGFRAU (or `det="epix10kaquad"`/`"epix10ka2m"`) dark and light runs in XTC2 with
    known truth under `out` (`detcal simulate`): `exp`, `run`, `panels`, `events`, `steps`,
    `light_events`, `no_light`, `energy`, `seed`, `shape`, `gains`, `alias`. Returns what was
    written: `xtc_dir`, `dark_file`, `light_file`, `truth_dir`, `gain_dirs`, `panel_ids`."""

def export_psana2(**options: Any) -> dict[str, Any]:
    """Writes psana2's calibration cache `calibconst.pkl` (`detcal export-psana2`) for one run:
    `dataset` (or `exp` and `run`), `calib_dir`, `out` (directory, default `/dev/shm`), `det` (a
    list of aliases; default every raw detector), `data_dir`. Returns the report: `out`, `exp`,
    `run`, `detectors` (each with `name`, `unique_id`, `source`, `constants`)."""
