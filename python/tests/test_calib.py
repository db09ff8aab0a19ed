"""Calibrator and Constants against `detcal calib`, on the real JUNGFRAU XTC2 sample read by psana2."""

import os

import numpy as np
import pytest

import detcal

SRC = "jungfrau.0:Jungfrau.0"
SAMPLE = "xtc2/test_jungfrau05M_calib.xtc2"


def psana_frames(path):
    """(run number, raw frames) of the JUNGFRAU in an XTC2 file, as psana2 reads them."""
    from psana import DataSource

    ds = DataSource(files=[str(path)], skip_calib_load="all")
    out = []
    for run in ds.runs():
        det = run.Detector("jungfrau")
        for evt in run.events():
            raw = det.raw.raw(evt)
            if raw is not None:
                out.append(np.array(raw, copy=True))
        return run.runnum, out


def simulated_constants(shape, seed):
    """Random but plausible JUNGFRAU constants of frames `shape` (nsegs, rows, cols)."""
    rng = np.random.default_rng(seed)
    s4 = (3, *shape)
    peds = np.stack([rng.uniform(2500, 3000, shape), rng.uniform(12000, 13000, shape),
                     rng.uniform(13500, 14500, shape)]).astype(np.float32)
    gain = rng.uniform([[[[40]]], [[[1.5]]], [[[0.1]]]], [[[[45]]], [[[1.7]]], [[[0.12]]]], s4).astype(np.float32)
    gain[rng.random(s4) < 0.001] = 0  # psana's 1/gain = 0 there
    offset = rng.uniform(-10, 10, s4).astype(np.float32)
    status = np.where(rng.random(s4) < 0.01, 1 << rng.integers(0, 7, s4), 0).astype(np.uint16)
    return {"pedestals": peds, "pixel_gain": gain, "pixel_offset": offset, "pixel_status": status}


def deploy(cli, tmp_path, consts, runrange):
    """Deploys the arrays into tmp_path/calib with `detcal deploy-file`."""
    for ctype, a in consts.items():
        f = tmp_path / f"{ctype}.npy"
        np.save(f, a)
        fmt = ["--fmt", "%.9g"] if a.dtype.kind == "f" else []  # float32 without loss
        cli("deploy-file", f, "-c", "calib", "-s", SRC, "-t", ctype, "-R", runrange, "--group", "", *fmt)
    return tmp_path / "calib"


@pytest.fixture(scope="module")
def sample(shared):
    pytest.importorskip("psana")
    runnum, frames = psana_frames(shared / SAMPLE)
    assert runnum == 7 and len(frames) == 2 and frames[0].shape == (1, 512, 1024)
    assert frames[0].dtype == np.uint16
    assert list(frames[0].ravel()[:5]) == [2767, 2705, 2721, 2690, 2688]
    return runnum, frames


@pytest.mark.parametrize("cmpars,cli_cm", [(None, []), ([], ["--no-cm"]), ([7, 3, 100, 0], ["--cmpars", "7,3,100,0"])])
def test_psana2_events_calibrated_exactly_as_detcal_calib(shared, tmp_path, cli, sample, cmpars, cli_cm):
    runnum, frames = sample
    calib = deploy(cli, tmp_path, simulated_constants(frames[0].shape, seed=5), "0-end")
    mask = np.ones(frames[0].shape, dtype=np.uint8)
    mask[0, 100:110, 200:260] = 0
    np.save(tmp_path / "mask.npy", mask)
    cli("calib", shared / SAMPLE, "-c", calib, "--mask", "mask.npy", "-o", "cli.npy", *cli_cm)
    want = np.load(tmp_path / "cli.npy")
    assert want.shape == (2, 1, 512, 1024)

    cal = detcal.Calibrator(calib, SRC, runnum, cmpars=cmpars, mask=tmp_path / "mask.npy")
    for i, raw in enumerate(frames):
        got = cal.calib(raw)
        assert got.dtype == np.float32 and got.shape == raw.shape
        assert np.array_equal(got, want[i]), f"event {i}: {np.sum(got != want[i])} pixels differ"
    # A stack at once, and the mask given as an array: the same values.
    cal2 = detcal.Calibrator(calib, SRC, runnum, cmpars=cmpars, mask=mask.astype(bool))
    assert np.array_equal(cal2.calib(np.stack(frames)), want)
    assert cal2.mask[0, 105, 205] == 0 and cal2.mask.sum() < mask.size


def test_constants_follow_run_ranges_with_psana_dtypes(tmp_path, cli):
    shape = (1, 16, 32)
    a = simulated_constants(shape, seed=1)
    b = simulated_constants(shape, seed=2)
    calib = deploy(cli, tmp_path, a, "1-9")
    deploy(cli, tmp_path, {"pedestals": b["pedestals"]}, "10-end")
    c5 = detcal.Constants(calib, SRC, 5)
    c12 = detcal.Constants(calib, SRC, 12)
    assert np.array_equal(c5.get("pedestals"), a["pedestals"])
    assert np.array_equal(c12.get("pedestals"), b["pedestals"])
    assert c5.get("pedestals").dtype == np.float32
    assert c5.get("pixel_status").dtype == np.uint16
    assert c5.origin("pedestals").endswith("pedestals/1-9.data")
    assert c12.origin("pedestals").endswith("pedestals/10-end.data")
    assert detcal.find(calib, SRC, "pedestals", 12) == c12.origin("pedestals")
    # No gain file valid for run 12: JUNGFRAU has no default array.
    assert c12.get("pixel_gain") is None and c12.origin("pixel_gain") is None
    assert detcal.find(calib, SRC, "pixel_gain", 12) is None
    # psana's default common mode.
    assert list(c12.get("common_mode")[:4]) == [7, 1, 100, 0]
    # Runs 1-9 without common mode: pedestals + offset removed, divided by the gain, masked.
    cal = detcal.Calibrator(calib, SRC, 5, cmpars=[])
    raw = np.full(shape, 2800, dtype=np.uint16)
    got = cal.calib(raw)
    with np.errstate(divide="ignore"):
        g = np.where(a["pixel_gain"][0] == 0, 0, 1 / a["pixel_gain"][0]).astype(np.float32)
    expect = ((np.float32(2800) - (a["pedestals"][0] + a["pixel_offset"][0])) * g)
    expect[a["pixel_status"].any(axis=0)] = 0
    assert np.allclose(got, expect, rtol=1e-6, atol=1e-5)
