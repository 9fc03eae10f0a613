"""One training step, phase by phase, with the engine's own numbers.

``step_phases(spec, data, settings)`` takes the first step the next run would take: the
job is made by ``engine.run.make_job`` and the network built by ``JobRun`` (the same
seed, so the same initial weights), the loop's own ``_Run`` draws the epoch's shuffle
and dropout generators, and the batch is the one the run's first ``BatchEnd`` reports.
Then the step the loop takes in ``_Run._batch`` is taken in the open: a training-mode
forward keeping every layer's output, the loss, a backward keeping every output
gradient, and the optimizer's step at the scheduled learning rate. Each phase records
what a learner looks at (a summary of a layer's output, the loss, gradient norms,
the size of each layer's weight change); ``tests/engine/insights/test_stepthrough.py``
checks the loss and the weights after the update against a real run's first step.

The step is always taken on the NumPy engine (a run on the PyTorch backend takes the
same step up to floating-point rounding).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..control import TrainControl
from ..data import PreparedData
from ..losses import get_loss
from ..run import make_job, run_job
from ..run.loop import _Run
from ..spec import NetworkSpec
from .stats import Histogram, histogram, norm

TINY_LAYER = 16  # outputs of at most this many numbers per sample are shown as values
BINS = 24


@dataclass(frozen=True)
class OutputSummary:
    """A layer's output over the batch: its shape, mean, std, a histogram, and the first
    sample's values when a sample's output is tiny (``TINY_LAYER`` numbers or fewer)."""

    shape: tuple[int, ...]
    mean: float
    std: float
    histogram: Histogram
    values: np.ndarray | None


@dataclass(frozen=True)
class Phase:
    """One thing that happens in a step. ``kind``: "forward", "loss", "backward" or
    "update"; ``layer``: the layer it happens in (None for the loss). Forward phases
    carry ``output``; backward phases ``output_grad_norm`` (||dL/d output||) and
    ``weight_grad_norm`` (||dL/dθ|| over the layer's weights, before clipping);
    update phases ``update_norm`` (||θ_after − θ_before||) and ``weight_norm``."""

    kind: str
    layer: str | None
    title: str
    output: OutputSummary | None = None
    loss: float | None = None
    output_grad_norm: float | None = None
    weight_grad_norm: float | None = None
    update_norm: float | None = None
    weight_norm: float | None = None
    param_norms: dict[str, float] = field(default_factory=dict)  # per weight array


@dataclass(frozen=True)
class StepThrough:
    """The phases, and what the step was: the batch's row indices in the training split,
    the learning rate, the optimizer, and every weight after the update."""

    phases: list[Phase]
    indices: np.ndarray
    learning_rate: float
    optimizer: str
    loss_name: str
    weights_after: dict[str, np.ndarray]


def step_phases(spec: NetworkSpec, data: PreparedData, settings: dict | None = None,
                weights: dict | None = None) -> list[Phase]:
    """The phases of the next run's first step (see the module docstring)."""
    return step_through(spec, data, settings, weights).phases


def step_through(spec: NetworkSpec, data: PreparedData, settings: dict | None = None,
                 weights: dict | None = None) -> StepThrough:
    """The first step of a run of ``spec`` on ``data`` (``weights``: start from these
    instead of the seed's initialisation, as a run given initial weights does)."""
    job = make_job(spec, data, settings, initial_weights=weights)
    settings = job.settings
    network = run_job(job).network
    loss = get_loss(job.loss)
    # The loop's own state: its generators are seeded exactly as a run's.
    run = _Run(network, data.train, None, settings, TrainControl(), None, None, {}, loss)
    run.rng.bit_generator.state = run.epoch_state
    n, bs = len(run.x), settings["batch_size"]
    order = run.rng.permutation(n) if settings["shuffle"] else np.arange(n)
    idx = order[:bs]
    lr = run._lr(1, 0)
    phases, grad = _forward_and_loss(network, loss, run.x[idx], run.y[idx])
    phases += _backward(network, grad)
    before = network.flat.copy()
    run.opt.step(lr)
    phases += _updates(network, before)
    return StepThrough(phases, idx, float(lr), settings["optimizer"], loss.name,
                       network.weights())


def _names(network) -> dict[str, str]:
    return {layer.id: layer.name for layer in network.spec.layers}


def _forward_and_loss(network, loss, x, y) -> tuple[list[Phase], np.ndarray]:
    """As the loop's ``_batch``: a training-mode forward (dropout masks drawn from the
    run's generator), then the loss and its gradient."""
    out = network.forward(x, training=True, strip=loss.fuses, keep=True)
    names, phases = _names(network), []
    for node in network.nodes:
        note = ""
        if node.id == network.output_id and loss.fuses and \
                network.output_activation == loss.fuses:
            note = f" (before {loss.fuses}: the loss applies it)"
        phases.append(Phase("forward", node.id, f"Forward: {names[node.id]}{note}",
                            output=summarise(network.outputs[node.id])))
    value, grad = loss.value_and_grad(out, y)
    return phases + [Phase("loss", None, f"Loss ({loss.name})", loss=float(value))], grad


def _backward(network, grad: np.ndarray) -> list[Phase]:
    grads = network.backward(grad, keep=True) or {}
    names, phases = _names(network), []
    for node in reversed(network.nodes):
        g = grads.get(node.id)
        params = {name: norm(arr) for name, arr in node.layer.grads.items()}
        phases.append(Phase(
            "backward", node.id, f"Backward: {names[node.id]}",
            output_grad_norm=None if g is None else norm(g),
            weight_grad_norm=_total(params) if params else None, param_norms=params))
    return phases


def _updates(network, before: np.ndarray) -> list[Phase]:
    names, phases = _names(network), []
    for node in network.nodes:
        if not node.layer.params:
            continue
        deltas = {}
        for name in node.layer.params:
            offset, size, _ = network.param_index[f"{node.id}/{name}"]
            d = network.flat[offset:offset + size].astype(np.float64) - \
                before[offset:offset + size]
            deltas[name] = float(np.sqrt(np.dot(d, d)))
        weights = {name: norm(arr) for name, arr in node.layer.params.items()}
        phases.append(Phase("update", node.id, f"Update: {names[node.id]}",
                            update_norm=_total(deltas), weight_norm=_total(weights),
                            param_norms=deltas))
    return phases


def _total(norms: dict[str, float]) -> float:
    return float(np.sqrt(sum(v * v for v in norms.values())))


def summarise(out: np.ndarray) -> OutputSummary:
    """Shape, mean, std, histogram and (tiny outputs) the first sample's values."""
    a = np.asarray(out, dtype=np.float64)
    per_sample = int(np.prod(a.shape[1:])) if a.ndim > 1 else 1
    values = a[0].ravel().copy() if len(a) and per_sample <= TINY_LAYER else None
    return OutputSummary(tuple(a.shape), float(a.mean()) if a.size else 0.0,
                         float(a.std()) if a.size else 0.0, histogram(a, BINS), values)
