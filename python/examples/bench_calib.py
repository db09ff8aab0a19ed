#!/usr/bin/env python3
"""Frames/s of detcal.Calibrator.calib against psana2's calib_jungfrau_single_panel, same process.

    python3 bench_calib.py ../shared/data/xtc2/test_jungfrau05M_calib.xtc2 [--frames 200] [--panels 1]

Reads the sample's events with psana2, tiles them into frames of --panels panels of 512 x 1024,
makes random constants (three gains, pedestals, gains, offsets, status), deploys them into a
temporary calibration store and times both calibrations with common mode (7,1,100,0), checking
that they give the same values.
"""

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
from psana import DataSource
import psana.detector.UtilsJungfrau as uj

import detcal

SRC = "jungfrau.0:Jungfrau.0"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("xtc2")
    ap.add_argument("--frames", type=int, default=200)
    ap.add_argument("--panels", type=int, default=1)
    a = ap.parse_args()

    ds = DataSource(files=[a.xtc2], skip_calib_load="all")
    raws = [np.array(r.Detector("jungfrau").raw.raw(e)) for r in ds.runs() for e in r.events()]
    raws = [r for r in raws if r is not None and r.ndim == 3]
    shape = (a.panels, 512, 1024)
    frames = np.stack([np.tile(raws[i % len(raws)][:1], (a.panels, 1, 1)) for i in range(a.frames)])

    rng = np.random.default_rng(1)
    s4 = (3, *shape)
    peds = rng.uniform(2500, 3000, s4).astype(np.float32)
    gain = rng.uniform(1, 45, s4).astype(np.float32)
    offs = rng.uniform(-10, 10, s4).astype(np.float32)
    status = np.where(rng.random(s4) < 0.01, 1, 0).astype(np.uint16)
    cm = [7, 1, 100, 0]
    with tempfile.TemporaryDirectory() as t:
        for ctype, arr in [("pedestals", peds), ("pixel_gain", gain), ("pixel_offset", offs), ("pixel_status", status)]:
            d = Path(t) / "Jungfrau::CalibV1" / SRC / ctype
            d.mkdir(parents=True)
            detcal.save_txt(d / "0-end.data", arr)
        cal = detcal.Calibrator(t, SRC, 1, cmpars=cm)
        peds, gain, offs = [detcal.Constants(t, SRC, 1).get(c) for c in ("pedestals", "pixel_gain", "pixel_offset")]
        mask = cal.mask

    cal.calib(frames[0])  # warm up
    t0 = time.perf_counter()
    ours = [cal.calib(f) for f in frames]
    t_one = time.perf_counter() - t0
    t0 = time.perf_counter()
    stack = cal.calib(frames)
    t_stack = time.perf_counter() - t0

    gfac = np.where(gain == 0, 0, 1 / np.where(gain == 0, 1, gain)).astype(np.float32)
    poff = peds + offs
    cmps = np.array(cm, dtype=np.float64)
    n_psana = min(a.frames, 20)
    t0 = time.perf_counter()
    theirs = []
    for f in frames[:n_psana]:
        out = np.empty(shape, dtype=np.float32)
        for p in range(a.panels):
            out[p] = uj.calib_jungfrau_single_panel(f[p:p + 1], gfac[:, p:p + 1], poff[:, p:p + 1], mask[p:p + 1], cmps)[0]
        theirs.append(out)
    t_psana = time.perf_counter() - t0

    diff = max(float(np.max(np.abs(o - t))) for o, t in zip(ours, theirs))
    same = all(np.array_equal(o, s) for o, s in zip(ours, stack))
    print(f"frames of {a.panels} x 512 x 1024; detcal per frame: {a.frames / t_one:.1f} frames/s; "
          f"detcal stack of {a.frames}: {a.frames / t_stack:.1f} frames/s; "
          f"psana2 calib_jungfrau_single_panel: {n_psana / t_psana:.2f} frames/s "
          f"(max |difference| {diff:g}; stack equal to per frame: {same})")


if __name__ == "__main__":
    main()
