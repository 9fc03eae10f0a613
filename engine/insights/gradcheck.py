"""Gradient check: does the backward pass agree with the slope of the loss measured
directly? The same centred differences the layer tests use, run on a whole design.

In float64, for every parameter tensor (a seeded sample of its entries when it is
large) and for the input (unless it is tokens), the analytic gradient of the loss on a
few training samples is compared with ``(L(w + h) - L(w - h)) / 2h``. The error of a
tensor is ``|analytic - numeric| / (|analytic| + |numeric|)`` over its checked entries
(norms, so entries near zero cannot blow it up); a layer's is the largest of its
tensors'. Training mode is used, as a training step does: dropout draws one fixed mask
that every evaluation replays, batch normalisation uses the batch's own statistics.
``tests/engine/gradcheck.py`` builds the per-layer checks on ``numeric_grad`` and
``relative_error`` from here, so the tool and the tests share one implementation.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from ..errors import DataError
from ..losses import Loss
from ..network import Network
from ..spec import NetworkSpec

# The step h. A whole network's loss is a mean over many terms, so its gradients are
# small beside its value and float64 round-off (~1e-16 |L| / h) matters: on the bundled
# examples h = 1e-6 left char_lstm at 8e-7, h = 1e-4 crossed ReLU kinks in cnn_digits
# (4e-3); h = 1e-5 kept every example at 2e-7 or below.
EPS = 1e-5
TOLERANCE = 1e-6
PER_TENSOR = 20  # entries checked per tensor: 2 forward passes each
PASSED = ("The backward pass agrees with the slope of the loss measured directly: "
          "training follows the true gradient.")
FAILED = ("The backward pass disagrees with the slope of the loss measured directly in the "
          "layers marked FAIL: training there does not follow the true gradient (a bug in "
          "that layer's backward).")


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """Norm-based: robust where single entries are near zero."""
    denom = max(float(np.linalg.norm(a) + np.linalg.norm(b)), 1e-12)
    return float(np.linalg.norm(a - b) / denom)


def numeric_grad(f: Callable[[], float], x: np.ndarray, rng: np.random.Generator,
                 max_entries: int = 120, eps: float = EPS) -> tuple[np.ndarray, np.ndarray]:
    """Centred differences of scalar ``f()`` with respect to (a random subset of at most
    ``max_entries`` of) the entries of ``x``, which is perturbed in place and restored.
    Returns the flat indices checked and the slopes measured there."""
    flat = x.reshape(-1)
    if not np.shares_memory(flat, x):
        raise ValueError("numeric_grad perturbs x in place: it must be contiguous")
    idx = np.arange(flat.size)
    if flat.size > max_entries:
        idx = np.sort(rng.choice(flat.size, max_entries, replace=False))
    out = np.array([kink_free_slope(f, flat, int(i), eps) for i in idx])
    return idx, out


# Kinks (ReLU at 0, the winner of a max pool changing) make a centred difference wrong
# when one lies within ±h of the weight: the slope measured is a blend of the two sides.
# Large ReLU networks have many units near 0, and a first-layer weight moves all of them
# (the 1-D CNN example crossed one in most checks at h = 1e-5: errors of 1e-4 to 2e-3
# with a correct backward; smooth activations gave 1e-9). On a smooth stretch the slopes
# at h and h/2 agree to round-off, so a disagreement says a kink is near: the step
# shrinks tenfold (at most twice) until they agree. A wrong backward is still caught:
# the measured slopes agree with each other, not with it.
KINK_SHRINK, KINK_RETRIES = 10.0, 2
AGREE_RELATIVE, ROUNDOFF = 1e-7, 4e-16


def _centred(f: Callable[[], float], flat: np.ndarray, i: int, h: float) -> tuple[float, float]:
    """(the centred difference at step h, the larger |f| seen: its round-off scale)."""
    old = flat[i]
    flat[i] = old + h
    plus = f()
    flat[i] = old - h
    minus = f()
    flat[i] = old
    return (plus - minus) / (2 * h), max(abs(plus), abs(minus))


def kink_free_slope(f: Callable[[], float], flat: np.ndarray, i: int, h: float) -> float:
    """The slope of ``f`` along entry ``i``: the centred difference at ``h``, confirmed
    at ``h / 2``, at a smaller step where the two disagree (a kink within ±h)."""
    slope, scale = _centred(f, flat, i, h)
    for attempt in range(KINK_RETRIES + 1):
        half, scale2 = _centred(f, flat, i, h / 2)
        noise = ROUNDOFF * max(scale, scale2, 1.0) / h  # float64 round-off of both
        if abs(slope - half) <= AGREE_RELATIVE * (abs(slope) + abs(half)) + noise:
            return half
        if attempt == KINK_RETRIES:
            break
        h /= KINK_SHRINK
        slope, scale = _centred(f, flat, i, h)
    return half


@dataclass(frozen=True)
class LayerCheck:
    """One layer's result: ``tensors`` checked (``layer/name``), ``entries`` compared in
    all, the largest relative error and the tensor it came from."""

    layer_id: str
    name: str
    type: str
    tensors: tuple[str, ...]
    entries: int
    max_error: float
    worst: str
    tolerance: float = TOLERANCE

    @property
    def passed(self) -> bool:
        return bool(self.max_error < self.tolerance)


@dataclass(frozen=True)
class GradientCheck:
    """The whole check: a row per layer with parameters (and the input), what was run."""

    layers: tuple[LayerCheck, ...]
    samples: int
    loss: str
    notes: tuple[str, ...]
    tolerance: float = TOLERANCE

    @property
    def passed(self) -> bool:
        return all(row.passed for row in self.layers)

    @property
    def max_error(self) -> float:
        return max((row.max_error for row in self.layers), default=0.0)

    @property
    def meaning(self) -> str:
        return PASSED if self.passed else FAILED


def check_gradients(spec: NetworkSpec, weights: dict[str, np.ndarray] | None,
                    x: np.ndarray, y: np.ndarray, loss: Loss, *, seed: int = 0,
                    per_tensor: int = PER_TENSOR, tolerance: float = TOLERANCE,
                    prepare_y: Callable | None = None) -> GradientCheck:
    """Check the design's gradients on the batch ``(x, y)`` in float64. ``weights``:
    the trained weights (None: fresh ones, initialised with ``seed``). ``prepare_y``
    puts the targets in the form the loss takes (``engine.run.prepare_targets``)."""
    net = Network(spec, dtype=np.float64, seed=seed)
    if weights is not None:
        net.set_weights(weights)
    xb = net.prepare_input(x)
    if xb.dtype.kind == "f":
        xb = np.array(xb, dtype=np.float64)  # a private copy: the check perturbs it
    yb = prepare_y(loss, net, y) if prepare_y else y
    objective = _Objective(net, xb, yb, loss, seed)
    analytic = objective.gradients()
    rng = np.random.default_rng(seed + 12345)
    errors: dict[str, tuple[float, int]] = {}
    for key, (offset, size, _) in net.param_index.items():
        view = net.flat[offset:offset + size]
        idx, numeric = numeric_grad(objective, view, rng, per_tensor)
        errors[key] = (relative_error(analytic[key][idx], numeric), idx.size)
    if "input" in analytic:
        idx, numeric = numeric_grad(objective, xb, rng, per_tensor)
        errors[f"{net.input_id}/x"] = (relative_error(analytic["input"][idx], numeric),
                                       idx.size)
    rows = _rows(spec, errors, tolerance, net.input_id)
    return GradientCheck(rows, len(xb), loss.name, _notes(spec), tolerance)


class _Objective:
    """The loss of the batch as a function of the network's weights and input, in
    training mode with dropout's masks replayed (each call reseeds every layer)."""

    def __init__(self, net: Network, x: np.ndarray, y: np.ndarray, loss: Loss, seed: int):
        self.net, self.x, self.y, self.loss, self.seed = net, x, y, loss, seed

    def _forward(self) -> np.ndarray:
        for k, node in enumerate(self.net.nodes):
            node.layer.rng = np.random.default_rng([self.seed, k])
        return self.net.forward(self.x, training=True, strip=self.loss.fuses)

    def __call__(self) -> float:
        return float(self.loss.value(self._forward(), self.y))

    def gradients(self) -> dict[str, np.ndarray]:
        """The backward pass's gradients, flat, by ``layer/name`` (and ``input``)."""
        _, grad = self.loss.value_and_grad(self._forward(), self.y)
        self.net.grad_flat[:] = 0.0
        found: dict[str, np.ndarray] = {}
        if self.x.dtype.kind == "f":
            found["input"] = np.array(self.net.input_gradient(grad)).reshape(-1)
        else:
            self.net.backward(grad)
        for key, (offset, size, _) in self.net.param_index.items():
            found[key] = self.net.grad_flat[offset:offset + size].copy()
        return found


def _rows(spec: NetworkSpec, errors: dict[str, tuple[float, int]], tolerance: float,
          input_id: str) -> tuple[LayerCheck, ...]:
    """Group tensors by layer, in the design's order (the input's row first)."""
    rows = []
    for layer in spec.layers:
        mine = {k: v for k, v in errors.items() if k.split("/", 1)[0] == layer.id}
        if not mine:
            continue
        worst = max(mine, key=lambda k: mine[k][0])
        rows.append(LayerCheck(layer.id, layer.name, layer.type, tuple(mine),
                               sum(n for _, n in mine.values()), mine[worst][0], worst,
                               tolerance))
    rows.sort(key=lambda r: r.layer_id != input_id)  # stable: the rest keep their order
    return tuple(rows)


def _notes(spec: NetworkSpec) -> tuple[str, ...]:
    """What the check did that differs from plain inference, said plainly."""
    kinds = {layer.type for layer in spec.layers}
    notes = ["Float64 copy of the network; training mode, as a training step runs it."]
    if "Dropout" in kinds:
        notes.append("Dropout: one random mask is drawn and replayed in every evaluation, "
                     "so the loss is a fixed function of the weights.")
    if "BatchNorm" in kinds:
        notes.append("Batch normalisation: the batch's own mean and variance (training "
                     "mode), differentiated through as training does.")
    notes.append("The loss alone: weight decay, added by the optimizer, is not part of it.")
    return tuple(notes)


def report_lines(check: GradientCheck) -> list[str]:
    """The check as a table and a verdict, for the command line."""
    rows = [("layer", "type", "tensors", "entries", "max rel. error", "")]
    for r in check.layers:
        rows.append((r.name, r.type, str(len(r.tensors)), str(r.entries),
                     f"{r.max_error:.2e}", "pass" if r.passed else "FAIL"))
    widths = [max(len(row[i]) for row in rows) for i in range(6)]
    lines = ["  ".join(c.ljust(w) if i < 2 else c.rjust(w)
                       for i, (c, w) in enumerate(zip(row, widths))).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths[:5]))
    verdict = "PASSED" if check.passed else "FAILED"
    lines += ["", f"{verdict}: largest relative error {check.max_error:.2e} "
              f"(pass below {check.tolerance:.0e}) on {check.samples} training samples, "
              f"loss {check.loss}.", check.meaning]
    return lines + [f"note: {n}" for n in check.notes]


def check_project(project, prepared, samples: int = 4, *,
                  per_tensor: int = PER_TENSOR) -> tuple[GradientCheck, str]:
    """Check a project's design on its prepared data (``check_job``), with its trained
    weights when they belong to this design, fresh ones otherwise."""
    from ..run import make_job

    job = make_job(project.spec, prepared, project.training)
    trained = project.trained and not project.stale
    return check_job(job, project.weights if trained else None, samples,
                     per_tensor=per_tensor)


def check_job(job, weights: dict[str, np.ndarray] | None, samples: int = 4, *,
              per_tensor: int = PER_TENSOR) -> tuple[GradientCheck, str]:
    """Check a training job's design on ``samples`` seeded samples of its training
    split, with the loss the run chose (``make_job`` validated the rest) and
    ``weights`` (None: fresh ones from the run's seed). Returns the check and a
    sentence saying which weights were used."""
    from ..losses import get_loss
    from ..run import prepare_targets

    seed = int(job.settings.get("seed", 0))
    train = job.data.train
    if len(train) == 0:
        raise DataError("The training split is empty: there are no samples to check on")
    rng = np.random.default_rng(seed)
    pick = np.sort(rng.choice(len(train), min(samples, len(train)), replace=False))
    which = ("the trained weights" if weights is not None
             else f"fresh weights (seed {seed}: not trained, or the design changed since)")
    check = check_gradients(job.spec, weights, train.x[pick], train.y[pick],
                            get_loss(job.loss), seed=seed, per_tensor=per_tensor,
                            prepare_y=prepare_targets)
    return check, which
