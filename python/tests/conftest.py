"""Shared fixtures: the `detcal` command (DETCAL_BIN) and the shared sample data (DETCAL_SHARED)."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def detcal_bin():
    """The `detcal` command the Python results are compared with."""
    b = os.environ.get("DETCAL_BIN") or shutil.which("detcal")
    if not b:
        b = str(ROOT / "target" / "debug" / "detcal")
    assert Path(b).exists(), f"no detcal binary at {b}: set DETCAL_BIN"
    return b


@pytest.fixture(scope="session")
def shared():
    """The shared spec and data directory (`../shared` from the repository root)."""
    d = Path(os.environ.get("DETCAL_SHARED", ROOT / ".." / "shared"))
    assert (d / "data").is_dir(), f"no shared data in {d}: set DETCAL_SHARED"
    return d / "data"


@pytest.fixture
def cli(detcal_bin, tmp_path):
    """Runs `detcal ARGS...` in tmp_path; returns stdout, fails the test on a non-zero exit."""

    def run(*args, cwd=None):
        p = subprocess.run(
            [detcal_bin, *map(str, args)],
            cwd=cwd or tmp_path,
            capture_output=True,
            text=True,
            env={**os.environ, "TZ": "UTC"},
        )
        assert p.returncode == 0, f"detcal {' '.join(map(str, args))}:\n{p.stdout}\n{p.stderr}"
        return p.stdout

    return run
