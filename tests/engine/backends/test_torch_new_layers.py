"""The PyTorch backend trains the attention layers and bidirectional recurrent layers:
per-batch losses and the trained weights equal the engine's in float64 (the bundled
char_transformer example runs in test_torch_runs.py too), and a float32 run through the
one run path (``backend: torch``) learns."""
from __future__ import annotations

import numpy as np
import pytest

from engine.data import prepare
from engine.events import EpochEnd, RunResult
from engine.run import make_job, run_job
from tests.engine.io.export_cases import SYNTHETIC, _data, synthetic_spec

from .test_torch_runs import float64_runs, losses, relative

pytestmark = pytest.mark.torch  # compared with PyTorch where it is installed


def _prepared(name, tmp_path, n=48):
    shape, kind, _, _, target, classes = SYNTHETIC[name]
    x, y = _data(shape, kind, target, classes, n=n)
    np.savez(tmp_path / "d.npz", x=x, y=y)
    task = "regression" if target == "regression" else "classification"
    return prepare({"source": "npz", "path": str(tmp_path / "d.npz"), "input_kind": kind,
                    "task": task, "validation_split": 0.25, "test_split": 0.0}, 0)


@pytest.mark.parametrize("name", ["attention", "bidirectional", "bidirectional_last"])
def test_two_epochs_give_the_engines_losses_and_weights_in_float64(name, tmp_path):
    data = _prepared(name, tmp_path)
    theirs, ours, engine, trainer = float64_runs(
        synthetic_spec(name), data, {"epochs": 2, "batch_size": 8, "learning_rate": 0.01})
    a, b = losses(theirs), losses(ours)
    assert len(a) == len(b) == 10
    assert relative(a, b) < 1e-6
    trained = trainer.net.weights()
    for key, value in engine.weights().items():
        np.testing.assert_allclose(trained[key], value, rtol=1e-6, atol=1e-9)


def test_a_torch_run_of_the_attention_design_learns(tmp_path):
    pytest.importorskip("torch", reason="PyTorch is not installed")
    data = _prepared("attention", tmp_path, n=96)
    settings = {"epochs": 15, "batch_size": 16, "learning_rate": 0.01, "backend": "torch"}
    events = list(run_job(make_job(synthetic_spec("attention"), data, settings)))
    history = [e.record["loss"] for e in events if isinstance(e, EpochEnd)]
    result = next(e for e in events if isinstance(e, RunResult))
    assert len(history) == 15 and history[-1] < 0.8 * history[0]
    assert set(result.weights) >= {"attend/W_in", "attend/b_out", "positions/P"}
