#!/usr/bin/env python3
"""A psana2 event loop with detcal calibration: psana reads the events, detcal calibrates them.

    python3 psana2_calib.py FILE.xtc2 --calib-dir CALIB [--det jungfrau] [--source SRC] [--out mean.npy]

The constants are those deployed in the calibration store CALIB for each run (`detcal deploy`,
`detcal deploy-file`), under the detector's DetInfo source (default `<det>.0:Jungfrau.0`). Prints
per-event statistics and writes the mean calibrated frame if asked.
"""

import argparse
import time

import numpy as np
from psana import DataSource

import detcal


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("xtc2", nargs="+", help="XTC2 file(s) of one run")
    ap.add_argument("--calib-dir", required=True, help="the experiment's calibration store")
    ap.add_argument("--det", default="jungfrau", help="detector name in the run (default jungfrau)")
    ap.add_argument("--source", help="DetInfo source in the store (default <det>.0:Jungfrau.0)")
    ap.add_argument("--cmpars", help="common-mode parameters instead of the deployed ones, e.g. 7,1,100,0; 'off' for none")
    ap.add_argument("--out", help="write the mean calibrated frame here (.npy)")
    a = ap.parse_args()
    cmpars = None if a.cmpars is None else [] if a.cmpars == "off" else [float(x) for x in a.cmpars.split(",")]

    ds = DataSource(files=a.xtc2, skip_calib_load="all")
    total, n, t0 = None, 0, time.perf_counter()
    for run in ds.runs():
        det = run.Detector(a.det)
        try:
            cal = detcal.Calibrator(a.calib_dir, a.source or f"{a.det}.0:Jungfrau.0", run.runnum, cmpars=cmpars)
        except detcal.NotFoundError as e:
            raise SystemExit(f"run {run.runnum}: {e}")
        for evt in run.events():
            raw = det.raw.raw(evt)
            if raw is None:
                continue
            frame = cal.calib(raw)  # float32, keV with gains deployed (ADU without)
            total = frame.astype(np.float64) if total is None else total + frame
            n += 1
            print(f"run {run.runnum} event {n}: mean {frame.mean():.3f}, max {frame.max():.3f}, "
                  f"invalid gain bits {cal.bad_gain_count}")
    dt = time.perf_counter() - t0
    print(f"{n} events in {dt:.2f} s")
    if a.out and n:
        np.save(a.out, (total / n).astype(np.float32))
        print(f"mean frame -> {a.out}")


if __name__ == "__main__":
    main()
