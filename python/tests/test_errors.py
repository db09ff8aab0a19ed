"""Bad input raises detcal.Error subclasses with one-line messages naming what and where."""

import numpy as np
import pytest

import detcal

SRC = "jungfrau.0:Jungfrau.0"


def one_line(e):
    msg = str(e.value)
    assert msg and "\n" not in msg, msg
    return msg


def test_classes_are_subclasses_of_error():
    for c in (detcal.NotFoundError, detcal.MalformedError, detcal.ShapeError, detcal.IoError, detcal.ArgumentError):
        assert issubclass(c, detcal.Error) and issubclass(detcal.Error, Exception)


def test_missing_file_is_io_error(tmp_path):
    with pytest.raises(detcal.IoError) as e:
        detcal.load_txt(tmp_path / "nope.data")
    assert "nope.data" in one_line(e)


def test_bad_text_is_malformed_with_line(tmp_path):
    p = tmp_path / "bad.data"
    p.write_text("1 2 3\n4 x 6\n")
    with pytest.raises(detcal.MalformedError) as e:
        detcal.load_txt(p)
    msg = one_line(e)
    assert "bad.data" in msg and ":2" in msg, msg


def test_bad_names_are_argument_errors(tmp_path):
    with pytest.raises(detcal.ArgumentError) as e:
        detcal.save_txt(tmp_path / "x.txt", np.zeros(3), fmt="%q")
    assert "%q" in one_line(e)
    with pytest.raises(detcal.ArgumentError) as e:
        detcal.find(tmp_path, "nodetector", "pedestals", 1)
    assert "nodetector" in one_line(e)


def test_missing_calib_dir_and_pedestals_are_not_found(tmp_path):
    with pytest.raises(detcal.NotFoundError) as e:
        detcal.Calibrator(tmp_path / "nocalib", SRC, 1)
    assert "nocalib" in one_line(e)
    with pytest.raises(detcal.NotFoundError) as e:
        detcal.Calibrator(tmp_path, SRC, 1)
    assert "pedestals" in one_line(e)


def deploy_peds(tmp_path, shape=(3, 1, 16, 32)):
    d = tmp_path / "Jungfrau::CalibV1" / SRC / "pedestals"
    d.mkdir(parents=True)
    detcal.save_txt(d / "0-end.data", np.full(shape, 100, dtype=np.float32))


def test_frame_of_wrong_shape_or_dtype(tmp_path):
    deploy_peds(tmp_path)
    cal = detcal.Calibrator(tmp_path, SRC, 1)
    assert cal.frame_shape == [1, 16, 32]
    with pytest.raises(detcal.ShapeError) as e:
        cal.calib(np.zeros((1, 16, 31), dtype=np.uint16))
    assert "(1,16,31)" in one_line(e)
    with pytest.raises(detcal.ArgumentError) as e:
        cal.calib(np.zeros((1, 16, 32), dtype=np.float64))
    assert "uint16" in one_line(e)
    with pytest.raises(detcal.ShapeError):
        detcal.Calibrator(tmp_path, SRC, 1, mask=np.ones((3, 3), dtype=bool))


def test_wrong_detector_type_and_bad_options(tmp_path):
    deploy_peds(tmp_path)
    with pytest.raises(detcal.ArgumentError) as e:
        detcal.Constants(tmp_path, SRC, 1, det_type="epix100a")
    assert "jungfrau" in one_line(e).lower()
    with pytest.raises(detcal.ArgumentError) as e:
        detcal.Constants(tmp_path, SRC, 1).get("pedestalz")
    assert "pedestalz" in one_line(e)
    with pytest.raises(detcal.ArgumentError) as e:
        detcal.DarkProc("ForcedGain1", nrecz=5)
    assert "nrecz" in one_line(e)
    with pytest.raises(detcal.ArgumentError) as e:
        detcal.DarkProc("ForcedGain1", nrecs=2)
    assert "nrecs" in one_line(e)
    with pytest.raises(detcal.ArgumentError):
        detcal.DarkProc("NoSuchMode")
    with pytest.raises(detcal.ArgumentError) as e:
        detcal.dark(input=tmp_path / "x.npy", gain_mode="Normal")
    assert "--tstamp" in one_line(e)


def test_dark_proc_shapes_and_too_few_frames():
    dp = detcal.DarkProc("Normal")
    dp.add(np.zeros((2, 8, 16), dtype=np.uint16))
    with pytest.raises(detcal.ShapeError) as e:
        dp.add(np.zeros((2, 8, 17), dtype=np.uint16))
    assert "(2,8,17)" in one_line(e)
    with pytest.raises(detcal.Error) as e:
        dp.finish()
    one_line(e)
