"""detcal.simulate, detcal.dark and detcal.deploy: the commands' pipelines, equal to the commands."""

import numpy as np
import pytest

import detcal

SRC = "jungfrau.0:Jungfrau.0"


def test_simulate_dark_deploy_then_calibrate_the_light_run(tmp_path, cli):
    data, repo = tmp_path / "data", tmp_path / "repo"
    sim = detcal.simulate(data, panels=2, events=60, shape="64x128", light_events=4, group="")
    assert len(sim["panel_ids"]) == 2 and sim["light_file"].endswith("-r0002-s000-c000.xtc2")

    rep = detcal.dark("exp=xpptut15:run=1", data_dir=data, dirrepo=repo, group="")
    assert (rep["steps"], rep["frames"], rep["panels"], len(rep["files"])) == (3, 180, 2, 30)

    dry = detcal.deploy(exp="xpptut15", run=1, data_dir=data, dirrepo=repo, calib_dir=tmp_path / "calib")
    assert dry["deployed"] is False and not (tmp_path / "calib").exists()
    dep = detcal.deploy(exp="xpptut15", run=1, data_dir=data, dirrepo=repo, calib_dir=tmp_path / "calib",
                        deploy=True, group="")
    assert dep["deployed"] is True
    # The command on the same repository deploys the same arrays.
    cli("deploy", "-e", "xpptut15", "-r", "1", "--data-dir", data, "-o", repo, "-c", "calib_cli", "-D",
        "--group", "")
    for ctype in ["pedestals", "pixel_rms", "pixel_status", "dark_min", "dark_max"]:
        f = detcal.find(tmp_path / "calib", SRC, ctype, 2)
        g = detcal.find(tmp_path / "calib_cli", SRC, ctype, 2)
        assert f and f.endswith(f"{ctype}/1-end.data"), ctype
        a, b = detcal.load_txt(f), detcal.load_txt(g)
        assert a.shape == (3, 2, 64, 128) and np.array_equal(a, b), ctype

    # The light run, calibrated by the command and by Calibrator on the frames the command extracts.
    cli("calib", "exp=xpptut15:run=2", "--data-dir", data, "-c", "calib", "-o", "light.npy")
    cli("extract", "exp=xpptut15:run=2", "--data-dir", data, "-o", "raw.npy")
    raw = np.load(tmp_path / "raw.npy")
    want = np.load(tmp_path / "light.npy")
    assert raw.shape == want.shape == (4, 2, 64, 128)
    cal = detcal.Calibrator(tmp_path / "calib", SRC, 2)
    assert np.array_equal(cal.calib(raw), want)


def test_export_psana2_writes_the_commands_cache(tmp_path, cli):
    import pickle

    data, repo = tmp_path / "data", tmp_path / "repo"
    detcal.simulate(data, panels=2, events=30, shape="32x64", light_events=2, group="")
    detcal.dark("exp=xpptut15:run=1", data_dir=data, dirrepo=repo, group="")
    detcal.deploy(exp="xpptut15", run=1, data_dir=data, dirrepo=repo, calib_dir=tmp_path / "calib",
                  deploy=True, group="")
    (tmp_path / "py").mkdir()
    rep = detcal.export_psana2(exp="xpptut15", run=2, data_dir=data, calib_dir=tmp_path / "calib",
                               out=tmp_path / "py", group="")
    assert rep["run"] == 2 and rep["out"].endswith("py/calibconst.pkl")
    cli("export-psana2", "exp=xpptut15:run=2", "--data-dir", data, "-c", "calib", "--out", ".",
        "--group", "")
    ours = pickle.load(open(tmp_path / "py" / "calibconst.pkl", "rb"))
    theirs = pickle.load(open(tmp_path / "calibconst.pkl", "rb"))
    # Every detector of the run's Configure, as psana2 checks them all (timing's id is "ts_").
    assert ours["det_info"] == theirs["det_info"]
    assert ours["det_info"]["jungfrau"] == rep["detectors"][0]["unique_id"]
    assert ours["det_info"]["timing"] == "ts_"
    assert "chunkinfo" not in ours["det_info"]
    peds, meta = ours["calib_const"]["jungfrau"]["pedestals"]
    assert peds.dtype == np.float32 and peds.shape == (3, 2, 32, 64) and meta["run"] == 1
    assert np.array_equal(peds, detcal.load_txt(detcal.find(tmp_path / "calib", SRC, "pedestals", 2)))
    assert np.array_equal(peds, theirs["calib_const"]["jungfrau"]["pedestals"][0])
    with pytest.raises(detcal.ArgumentError):
        detcal.export_psana2(exp="xpptut15", calib_dir=tmp_path / "calib")
