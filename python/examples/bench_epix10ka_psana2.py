#!/usr/bin/env python3
"""ePix10ka rates of psana2's own code (the LCLS-II psana on PyPI), for BENCHMARKS.md.

- dark: `UtilsEpix10kaCalib.proc_dark_block` (psana2's version of psana's ePix10ka dark
  processing, quantile gates rather than LCLS-I's two passes) on a (FRAMES, 352, 384) block of
  one panel in gain mode FH; the block is also saved as STACK.npy for `detcal dark --input`.
- calib: `UtilsEpix10ka.calib_epix10ka_any` per frame of a quad (4 x 352 x 384) in auto
  high-to-low mode with 1% of pixels switched (data bit 14), default common mode (7,2,10,10),
  7-range constants around 3000 ADU and 16 ADU/keV, 0.2% bad status: the data of detcal's
  `epix_calib_rate` example, given through a stand-in for psana2's Detector.raw object.

    VENV/bin/python python/examples/bench_epix10ka_psana2.py STACK.npy [FRAMES] [CALIB_FRAMES] [DIR]

With DIR, the calib constants and frames are saved there (`pedestals.npy`, `gain.npy`,
`status.npy`, `raw.npy`) for `target/release/examples/epix_calib_rate default N DIR`.
"""
import sys
import time

import numpy as np
import psana.detector.UtilsEpix10ka as ue
import psana.detector.UtilsEpix10kaCalib as uc

stack = sys.argv[1]
nframes = int(sys.argv[2]) if len(sys.argv) > 2 else 1024
ncal = int(sys.argv[3]) if len(sys.argv) > 3 else 40
save_dir = sys.argv[4] if len(sys.argv) > 4 else None
rng = np.random.default_rng(7)
shape = (352, 384)

# Dark: one panel, FH, noise of a few ADU around per-pixel pedestals.
peds = rng.integers(2500, 3500, size=shape, dtype=np.uint16)
block = (peds[None] + rng.integers(0, 8, size=(nframes,) + shape, dtype=np.uint16)).astype(np.uint16)
np.save(stack, block)
t = time.perf_counter()
uc.proc_dark_block(block[:nframes - 1])
dt = time.perf_counter() - t
print(f"psana2 proc_dark_block: {nframes} frames of 1 panel in {dt:.2f} s: "
      f"{nframes / dt:.1f} panel-frames/s")


class Raw:
    """What calib_epix10ka_any asks of psana2's Detector.raw, for a quad in AHL mode."""

    def __init__(self, nsegs):
        self.sh = (nsegs,) + shape
        self._data_bit_mask = 0x3fff
        self._store_ = None
        self._det_name = "epixquad"
        # Config bits of auto high-to-low (trbit 1, bits 2-3 clear): 16; data bit 14 adds 32.
        self.cfg = np.full(self.sh, 16, dtype=np.uint8)
        self.gain = 16.0 + rng.random((7,) + self.sh)
        self.peds = 3000.0 + rng.random((7,) + self.sh) * 50
        self.status = (rng.random((7,) + self.sh) < 0.002).astype(np.uint64)

    def _cbits_config_and_data_detector(self, evt):
        return ue.cbits_config_and_data_detector_alg(self.nda, self.cfg, 0x4000, 9)

    def _gain(self):
        return self.gain

    def _pedestals(self):
        return self.peds

    def _shape_as_daq(self):
        return self.sh

    def _mask(self, **kwa):
        return (self.status.max(axis=0) == 0).astype(np.uint8)


det = Raw(4)
frames = []
for _ in range(ncal):
    f = (2900 + rng.integers(0, 200, size=det.sh)).astype(np.uint16)
    f[rng.random(det.sh) < 0.01] |= 0x4000
    frames.append(f)
if save_dir:
    import os
    os.makedirs(save_dir, exist_ok=True)
    np.save(os.path.join(save_dir, "pedestals.npy"), det.peds)
    np.save(os.path.join(save_dir, "gain.npy"), det.gain)
    np.save(os.path.join(save_dir, "status.npy"), det.status)
    np.save(os.path.join(save_dir, "raw.npy"), np.stack(frames))
det.nda = frames[0]
ue.calib_epix10ka_any(det, None, cmpars=(7, 2, 10, 10), nda_raw=frames[0])  # builds the store
t = time.perf_counter()
for f in frames:
    det.nda = f
    out = ue.calib_epix10ka_any(det, None, cmpars=(7, 2, 10, 10), nda_raw=f)
dt = time.perf_counter() - t
print(f"psana2 calib_epix10ka_any, default common mode: {ncal} frames of 4 panels in {dt:.2f} s: "
      f"{4 * ncal / dt:.1f} panel-frames/s (checksum {float(np.sum(out)):.1f})")
