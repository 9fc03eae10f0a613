"""Step-through: every number is the engine's for the next run's first batch.

A real run (make_job + run_job, stopped after its first BatchEnd) is the reference:
the step-through's loss is its first batch's loss, and the weights after the update
are the run's weights after that one step, bit for bit, for a plain network, one
with dropout (masks from the run's generator), a CNN and an LSTM, with SGD, Adam,
clipping and a schedule."""
from pathlib import Path

import numpy as np
import pytest

from engine.data import prepare
from engine.events import BatchEnd
from engine.losses import get_loss
from engine.network import Network
from engine.insights.stepthrough import step_phases, step_through
from engine.project import load_project
from engine.run import make_job, run_job

EXAMPLES = Path(__file__).resolve().parents[3] / "resources" / "examples"


def _first_step(spec, data, settings):
    """(loss of the first batch, weights after it) from a real run."""
    run = run_job(make_job(spec, data, settings))
    for event in run:
        if isinstance(event, BatchEnd):
            run.control.stop()
            return event.loss, run.network.weights()
    raise AssertionError("the run took no step")


CASES = [
    ("digits_mlp", {}),
    ("digits_mlp", {"optimizer": "sgd", "momentum": 0.9, "learning_rate": 0.5,
                    "clip_norm": 0.5, "weight_decay": 1e-3, "schedule": "cosine"}),
    ("spirals", {"seed": 7, "batch_size": 16}),
    ("cnn_digits", {"batch_size": 8}),
    ("lstm_forecast", {"batch_size": 8}),
]


@pytest.mark.parametrize("name,changes", CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
def test_loss_and_updated_weights_equal_a_real_runs_first_step(name, changes):
    project = load_project(EXAMPLES / f"{name}.ncproj")
    settings = {**project.training, **changes}
    data = prepare(project.data, 0)
    loss, weights = _first_step(project.spec, data, settings)
    result = step_through(project.spec, data, settings)
    (loss_phase,) = [p for p in result.phases if p.kind == "loss"]
    assert loss_phase.loss == loss
    assert set(result.weights_after) == set(weights)
    for key, value in weights.items():
        np.testing.assert_array_equal(result.weights_after[key], value, err_msg=key)
    changed = [p for p in result.phases if p.kind == "update"]
    assert changed and all(p.update_norm > 0 for p in changed)


def test_phases_go_forward_in_order_then_back_in_reverse():
    project = load_project(EXAMPLES / "digits_mlp.ncproj")
    data = prepare(project.data, 0)
    phases = step_phases(project.spec, data, project.training)
    order = [layer.id for layer in project.spec.layers if layer.type != "Input"]
    forward = [p.layer for p in phases if p.kind == "forward"]
    backward = [p.layer for p in phases if p.kind == "backward"]
    assert [p.kind for p in phases][len(forward)] == "loss"
    assert sorted(forward) == sorted(order) and backward == forward[::-1]
    first = phases[0].output
    assert first is not None and first.shape[0] == project.training.get("batch_size", 32)
    assert all(p.weight_grad_norm > 0 for p in phases if p.kind == "backward"
               and p.param_norms)


def test_the_output_summary_is_the_layers_output():
    """Mean, std and values of a tiny layer are those of the engine's forward pass."""
    project = load_project(EXAMPLES / "xor.ncproj")
    data = prepare(project.data, 0)
    result = step_through(project.spec, data, project.training)
    last = [p for p in result.phases if p.kind == "forward"][-1]
    net = Network(project.spec, seed=make_job(project.spec, data, project.training)
                  .settings["seed"])
    x = net.prepare_input(data.train.x[result.indices])
    out = net.forward(x, training=True, strip=get_loss(result.loss_name).fuses).astype(np.float64)
    assert last.output.shape == out.shape
    assert last.output.mean == pytest.approx(out.mean(), rel=1e-12)
    assert last.output.std == pytest.approx(out.std(), rel=1e-12)
    np.testing.assert_array_equal(last.output.values, out[0].ravel())
