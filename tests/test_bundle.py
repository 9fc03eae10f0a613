"""The desktop bundle (PyInstaller, one folder): packaging/smoke-bundle.sh builds it in a
fresh environment and runs it as a machine without Python would (size, time to the first
window, headless training, the training process). Minutes and a package index: it runs
only when asked, with NEUROCANVAS_BUNDLE_TEST=1 (NEUROCANVAS_SMOKE_BUILD=0 tests the
bundle already in dist/NeuroCanvas)."""
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(os.environ.get("NEUROCANVAS_BUNDLE_TEST") != "1",
                       reason="builds the desktop bundle (minutes): set NEUROCANVAS_BUNDLE_TEST=1"),
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the smoke script is Linux's"),
]


def test_bundle_builds_opens_its_window_and_trains_without_python():
    env = {**os.environ, "PYTHON": sys.executable}
    proc = subprocess.run(["bash", str(ROOT / "packaging" / "smoke-bundle.sh")], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=1800)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-6000:]
    assert "smoke test passed" in proc.stdout
    assert float(re.search(r"first-window-median-s: ([0-9.]+)", out).group(1)) < 2.0
    assert "train: ok" in out and "training process: ok" in out
    assert "lessons: ok" in out  # the Learn menu's texts shipped in the bundle
