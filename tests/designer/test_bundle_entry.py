"""What the desktop bundle and the smoke tests rely on in the ``neurocanvas`` command:
a frozen executable is its own training process, and NEUROCANVAS_QUIT_AFTER_SHOW makes
the window report the time to its first paint and quit."""
import os
import re
import subprocess
import sys

import pytest

import engine.remote
from designer import app, first_paint


def test_a_frozen_executable_runs_the_training_process(monkeypatch):
    ran = []
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(engine.remote, "main", lambda: ran.append(True))
    assert app.main(["-m", "engine.remote"]) == 0 and ran == [True]


def test_the_installed_command_is_not_a_training_process(monkeypatch, capsys):
    monkeypatch.delattr(sys, "frozen", raising=False)
    monkeypatch.setattr(engine.remote, "main", lambda: pytest.fail("ran the child"))
    with pytest.raises(SystemExit) as exit_:
        app.main(["-m", "engine.remote"])
    assert exit_.value.code == 2  # argparse: not a command it knows
    assert "usage: neurocanvas" in capsys.readouterr().err


def test_process_age_is_the_time_since_the_process_started():
    age = first_paint.process_age()
    if sys.platform.startswith("linux"):
        assert age is not None and 0 < age < 24 * 3600
    assert first_paint.requested({"NEUROCANVAS_QUIT_AFTER_SHOW": "1"})
    assert not first_paint.requested({"NEUROCANVAS_QUIT_AFTER_SHOW": "0"})
    assert not first_paint.requested({})


def test_the_window_reports_its_first_paint_and_quits(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "NEUROCANVAS_QUIT_AFTER_SHOW": "1",
           "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "config"),
           "NEUROCANVAS_RECOVERY_DIR": str(tmp_path / "recovery")}
    proc = subprocess.run([sys.executable, "-m", "designer"], env=env, capture_output=True,
                          text=True, timeout=120, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    seconds = float(re.search(r"^first-paint-s: ([0-9.]+) \(since process start\)$",
                              proc.stdout, flags=re.MULTILINE).group(1))
    assert 0 < seconds < 60
