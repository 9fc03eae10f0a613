"""Numerical gradient checks (float64, centred differences, random upstream gradient).

``check_layer`` compares a layer's analytic gradients, for every input and every
weight, against centred differences of ``sum(forward(x) * G)`` with a random ``G``.
Randomness inside a layer (dropout) is replayed by reseeding ``layer.rng`` before each
forward, so the numeric and analytic passes see the same mask. The differences and the
error measure are ``engine.insights.gradcheck``'s, which checks whole designs.
"""
from __future__ import annotations

import numpy as np

from engine.insights.gradcheck import numeric_grad as _numeric_grad
from engine.insights.gradcheck import relative_error
from engine.layers import create_layer

EPS = 1e-6  # one layer's weighted sum is not a mean over many terms: round-off is small
MAX_ENTRIES = 120  # per tensor; a random subset keeps big layers fast to check


def numeric_grad(f, x: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Centred differences with the layer tests' step and sample size."""
    return _numeric_grad(f, x, rng, MAX_ENTRIES, EPS)


def make_inputs(input_shapes, batch, rng, int_high=None, positive=False):
    if int_high is not None:
        return [rng.integers(0, int_high, size=(batch,) + tuple(s)) for s in input_shapes]
    xs = [rng.normal(size=(batch,) + tuple(s)) for s in input_shapes]
    return [np.abs(x) + 0.1 for x in xs] if positive else xs


def check_layer(type_name: str, config: dict, input_shapes, batch: int = 3, seed: int = 0,
                training: bool = True, int_high: int | None = None, inputs=None,
                tol: float = 1e-6) -> dict[str, float]:
    """Return the relative error of each gradient; assert each is below ``tol``."""
    layer = create_layer(type_name, config, "under_test")
    layer.allocate([tuple(s) for s in input_shapes], dtype=np.float64, seed=seed)
    rng = np.random.default_rng(seed + 100)
    xs = inputs if inputs is not None else make_inputs(input_shapes, batch, rng, int_high)

    def run():
        layer.rng = np.random.default_rng(seed + 7)
        return layer.forward(xs, training)

    upstream = rng.normal(size=run().shape)

    def objective():
        return float(np.sum(run() * upstream))

    run()
    in_grads = layer.backward(upstream.copy())
    errors = {}
    targets = [] if int_high is not None else [(f"input{i}", x, g) for i, (x, g)
                                                in enumerate(zip(xs, in_grads))]
    targets += [(f"param {k}", layer.params[k], layer.grads[k].copy()) for k in layer.params]
    for label, array, analytic in targets:
        idx, numeric = numeric_grad(objective, array, rng)
        errors[label] = relative_error(np.asarray(analytic).reshape(-1)[idx], numeric)
    bad = {k: v for k, v in errors.items() if not v < tol}
    assert not bad, f"{type_name} {config} on {input_shapes}: gradient errors {bad}"
    return errors
