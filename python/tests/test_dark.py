"""DarkProc against psana's known answers (../shared/data/parity) and against `detcal dark`."""

import gzip
import json

import numpy as np
import pytest

import detcal

JUNGFRAU_CASES = [("jungfrau_g1_n120_128x256", "ForcedGain1"), ("jungfrau_g2_n51_64x128", "ForcedGain2")]


def chunks(n):
    """Three chunks of 0..n of different sizes, the second one crossing the stage-1 block."""
    return [slice(0, n // 5), slice(n // 5, n - 1), slice(n - 1, n)]


@pytest.mark.parametrize("case,mode", JUNGFRAU_CASES)
def test_jungfrau_parity_in_three_chunks(shared, case, mode):
    d = shared / "parity" / case
    stack = np.load(d / "input.npy")
    dp = detcal.DarkProc(mode)
    for s in chunks(len(stack)):
        dp.add(stack[s, None])  # frames of one panel: (N, 1, rows, cols)
    assert dp.frames == len(stack)
    r = dp.finish()
    names = {
        "pedestals": "pedestals", "rms": "pixel_rms", "status": "pixel_status", "min": "pixel_min",
        "max": "pixel_max", "gate_lo": "gate_lo", "gate_hi": "gate_hi", "count": "gated_count",
        "count_lo": "count_int_lo", "count_hi": "count_int_hi", "bad_switch": "bad_switch",
    }
    for key, name in names.items():
        want = np.load(d / f"expected_{name}.npy")
        got = r[key][0]
        assert got.shape == want.shape, key
        assert np.array_equal(got, want), f"{case} {key}: {np.sum(got != want)} pixels differ"
    meta = json.loads((d / "expected_meta.json").read_text())
    assert r["frames"] == len(stack)
    assert r["nevlm"] == meta["nevlm"]
    with pytest.raises(detcal.Error):
        dp.finish()


@pytest.mark.parametrize("case,mode", [("epix10ka_FH_n60", "FH"), ("epix10ka_AML-M_n40", "AML-M")])
def test_epix10ka_parity_in_three_chunks(shared, tmp_path, case, mode):
    d = shared / "parity" / case
    stack = np.load(d / "input.npz")["input"]
    exp = np.load(d / "expected.npz")
    dp = detcal.DarkProc(mode, det_type="epix10ka")
    for s in chunks(len(stack)):
        dp.add(stack[s, None])  # (N, 1, 352, 384): frames of one panel
    r = dp.finish()
    for key, name in [("pedestals", "pedestals"), ("rms", "pixel_rms"), ("status", "pixel_status"),
                      ("gate_lo", "gate_lo"), ("gate_hi", "gate_hi"), ("count", "gated_count"),
                      ("count_lo", "count_int_lo"), ("count_hi", "count_int_hi")]:
        assert np.array_equal(r[key][0], exp[name]), f"{case} {key}"
    assert r["records"] == len(stack) - 1
    # psana's own repository files, byte for byte.
    for key, stem, fmt in [("pedestals", "pedestals", "%.3f"), ("rms", "rms", "%.3f"), ("status", "status", "%4i")]:
        want = gzip.decompress((d / f"expected_{stem}_{mode}.dat.gz").read_bytes())
        p = tmp_path / f"{stem}.dat"
        detcal.save_txt(p, r[key][0], fmt=fmt, header=False)
        assert p.read_bytes() == want, f"{case} {stem} file"


JF_FILES = [("pedestals", "pedestals", "%.3f"), ("rms", "rms", "%.3f"), ("status", "status", "%4i"),
            ("dark_min", "min", "%6i"), ("dark_max", "max", "%6i")]


def test_chunks_equal_detcal_dark_on_the_whole_stack(shared, tmp_path, cli):
    """Two panels (halves of the g1 parity stack) in three chunks against `detcal dark --input`."""
    stack = np.load(shared / "parity/jungfrau_g1_n120_128x256/input.npy").reshape(120, 2, 64, 256)
    np.save(tmp_path / "stack.npy", stack)
    ids = ["panelA", "panelB"]
    flags = ["--gain-mode", "ForcedGain1", "--panel-ids", ",".join(ids), "--exp", "xpptut15",
             "--run", "12", "--tstamp", "20231102080104"]
    cli("dark", "--input", "stack.npy", *flags, "-o", "repo_cli", "--group", "")
    dp = detcal.DarkProc("ForcedGain1")
    for s in chunks(120):
        dp.add(stack[s])
    r = dp.finish()
    # The same job through detcal.dark, with the command's option names.
    rep = detcal.dark(input=tmp_path / "stack.npy", gain_mode="ForcedGain1", panel_ids=ids,
                      exp="xpptut15", run=12, tstamp="20231102080104", dirrepo=tmp_path / "repo_py", group="")
    assert rep["steps"] == 1 and rep["frames"] == 120 and rep["panels"] == 2
    assert len(rep["files"]) == 10
    for p, pid in enumerate(ids):
        for ctype, key, fmt in JF_FILES:
            [f] = list((tmp_path / "repo_cli" / pid / ctype).glob("*.dat"))
            want = f.read_bytes()
            q = tmp_path / "py.dat"
            detcal.save_txt(q, r[key][p], fmt=fmt, header=False)
            assert q.read_bytes() == want, f"{pid} {ctype}"
            g = tmp_path / "repo_py" / pid / ctype / f.name
            assert g.read_bytes() == want, f"detcal.dark {pid} {ctype}"


def test_frames_after_nrecs_are_ignored(shared):
    stack = np.load(shared / "parity/jungfrau_g1_n120_128x256/input.npy")[:, None]
    capped = detcal.DarkProc("ForcedGain1", nrecs=60, nrecs1=20)
    capped.add(stack)
    assert capped.frames == 60
    first = detcal.DarkProc("ForcedGain1", nrecs1=20)
    first.add(stack[:60])
    a, b = capped.finish(), first.finish()
    assert a["frames"] == 60
    for key in ("pedestals", "rms", "status", "min", "max"):
        assert np.array_equal(a[key], b[key]), key
