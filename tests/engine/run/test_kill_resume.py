"""A headless run killed with SIGKILL mid-run continues with ``--resume`` to the same
final weights as a run never interrupted (the --out project keeps its checkpoints as it
goes). Real processes, real kill -9: an MLP with dropout, the CNN and an LSTM."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from engine.cli import main
from engine.errors import NeuroCanvasError
from engine.project import load_project

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "resources" / "examples"
CASES = {"digits_mlp": 6, "cnn_digits": 2, "lstm_forecast": 12}


def checkpoint_of(path: Path):
    try:
        return load_project(path).checkpoint
    except NeuroCanvasError:  # not written yet
        return None


def max_abs_diff(a: dict, b: dict) -> float:
    assert a.keys() == b.keys()
    return max(float(np.max(np.abs(a[k].astype(np.float64) - b[k]))) for k in a)


@pytest.mark.parametrize("name", list(CASES))
def test_kill_9_mid_run_then_resume_gives_the_uninterrupted_weights(name, tmp_path):
    epochs = str(CASES[name])
    project = str(EXAMPLES / f"{name}.ncproj")
    straight = tmp_path / "straight.ncproj"
    args = ["--epochs", epochs, "--checkpoint-every", "0.05", "--quiet"]
    assert main(["train", project, "--out", str(straight), *args]) == 0
    out = tmp_path / "killed.ncproj"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "engine.cli", "train", project,
                             "--out", str(out), *args], env=env, stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            checkpoint = checkpoint_of(out)
            if checkpoint is not None and checkpoint.step >= 3:
                break
            time.sleep(0.01)
        assert proc.poll() is None, "the run ended before it could be killed"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    killed_at = checkpoint_of(out)
    assert killed_at is not None and len(killed_at.history) < int(epochs)
    assert main(["train", str(out), "--resume", "--epochs", epochs, "--quiet"]) == 0
    resumed, reference = load_project(out), load_project(straight)
    diff = max_abs_diff(resumed.weights, reference.weights)
    print(f"{name}: killed at {killed_at.describe()}, resumed; max abs diff {diff:.3g}")
    assert diff <= 1e-6
    assert [r["loss"] for r in resumed.history] == [r["loss"] for r in reference.history]
    assert resumed.preprocessing["test"] == reference.preprocessing["test"]


def test_ctrl_c_saves_a_checkpoint_exits_130_and_the_run_resumes(tmp_path):
    out = tmp_path / "interrupted.ncproj"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "engine.cli", "train",
                             str(EXAMPLES / "xor.ncproj"), "--epochs", "100000",
                             "--out", str(out), "--quiet"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while checkpoint_of(out) is None and time.monotonic() < deadline:
            time.sleep(0.02)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err
    assert "Stopped by request" in err and "Traceback" not in err
    stopped = load_project(out)
    assert stopped.checkpoint is not None and stopped.preprocessing["ended"] == "stopped"
    done = stopped.checkpoint.epoch + 1  # the epoch it stopped in, and one more
    assert main(["train", str(out), "--resume", "--epochs", str(done), "--quiet"]) == 0
    resumed = load_project(out)
    assert [r["epoch"] for r in resumed.history] == list(range(1, done + 1))
