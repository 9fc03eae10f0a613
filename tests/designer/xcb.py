"""Running a window script under a real X server (Xvfb with the xcb platform), where
keyboard shortcuts and focus behave as on a desktop (offscreen resolves some key
sequences differently). Tests using it skip where xvfb-run is not installed."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

needs_xvfb = pytest.mark.skipif(shutil.which("xvfb-run") is None,
                                reason="xvfb-run is not installed (apt-get install xvfb xauth)")


def run_under_xvfb(script: str, tmp_path: Path, done: str) -> None:
    """Run ``script`` (argv: a settings file, this folder) in a child under Xvfb; it must
    print ``done``, and Qt must not have met an ambiguous shortcut."""
    env = {**os.environ, "QT_QPA_PLATFORM": "xcb", "PYTHONPATH": str(ROOT),
           "NEUROCANVAS_RECOVERY_DIR": str(tmp_path)}
    proc = subprocess.run(
        ["xvfb-run", "-a", "-s", "-screen 0 1366x768x24", sys.executable, "-c", script,
         str(tmp_path / "s.ini"), str(Path(__file__).parent)],
        env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and done in proc.stdout, proc.stderr[-2000:]
    assert "Ambiguous shortcut overload" not in proc.stderr
