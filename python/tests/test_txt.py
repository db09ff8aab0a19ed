"""load_txt / save_txt: psana's text format, byte for byte as the `detcal` command writes it."""

import numpy as np
import pytest

import detcal

DTYPES = ["uint8", "uint16", "uint32", "uint64", "int8", "int16", "int32", "int64", "float32", "float64"]


def sample(dtype, shape=(3, 4, 5), seed=7):
    rng = np.random.default_rng(seed)
    if np.dtype(dtype).kind == "f":
        return (rng.standard_normal(shape) * 1000).astype(dtype)
    info = np.iinfo(dtype)
    return rng.integers(info.min, info.max, size=shape, dtype=dtype, endpoint=True)


@pytest.mark.parametrize("dtype", DTYPES)
def test_round_trip_keeps_dtype_shape_and_values(tmp_path, dtype):
    a = sample(dtype)
    p = tmp_path / "a.data"
    detcal.save_txt(p, a)
    b = detcal.load_txt(p)
    assert b.dtype == a.dtype and b.shape == a.shape
    assert np.array_equal(a, b)
    # Read and written again: the same bytes.
    first = p.read_bytes()
    q = tmp_path / "b.data"
    detcal.save_txt(q, b)
    assert strip_time(q.read_bytes(), q) == strip_time(first, p)


def strip_time(data, path):
    """The file without its DATE_TIME and FILE_NAME header lines (which differ between writes)."""
    return b"".join(
        l for l in data.splitlines(keepends=True) if not l.startswith((b"# DATE_TIME", b"# FILE_NAME"))
    )


@pytest.mark.parametrize("fmt", [None, "%.3f", "%10.4e", "%6i"])
@pytest.mark.parametrize("ext", [".txt", ".dat"])
def test_same_bytes_as_detcal_convert(tmp_path, cli, fmt, ext):
    a = sample("float32", (2, 8, 16)) if fmt != "%6i" else sample("uint16", (2, 8, 16))
    np.save(tmp_path / "in.npy", a)
    out = tmp_path / f"out{ext}"
    args = ["convert", "in.npy", out.name] + (["--fmt", fmt] if fmt else [])
    cli(*args)
    want = out.read_bytes()
    out.unlink()
    # Same file name and working directory as the command's: only the time may differ.
    import os

    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        detcal.save_txt(out.name, a, fmt=fmt, header=(ext != ".dat"))
    finally:
        os.chdir(old)
    got = out.read_bytes()
    if ext == ".dat":
        assert got == want
    else:
        assert strip_time(got, out) == strip_time(want, out)
        assert got.count(b"\n") == want.count(b"\n")


def test_plain_repository_file_round_trips_byte_for_byte(shared, tmp_path):
    import gzip

    text = gzip.decompress((shared / "parity/epix10ka_FH_n60/expected_pedestals_FH.dat.gz").read_bytes())
    p = tmp_path / "peds.dat"
    p.write_bytes(text)
    a = detcal.load_txt(p)
    assert a.shape == (352, 384)
    q = tmp_path / "again.dat"
    detcal.save_txt(q, a, fmt="%.3f", header=False)
    assert q.read_bytes() == text
