"""Numerical gradient checks (float64, centred differences, random upstream gradient).

``check_layer`` compares a layer's analytic gradients, for every input and every
weight, against centred differences of ``sum(forward(x) * G)`` with a random ``G``.
Randomness inside a layer (dropout) is replayed by reseeding ``layer.rng`` before each
forward, so the numeric and analytic passes see the same mask.
"""
from __future__ import annotations

import numpy as np

from engine.layers import create_layer

EPS = 1e-6
MAX_ENTRIES = 120  # per tensor; a random subset keeps big layers fast to check


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """Norm-based: robust where single entries are near zero."""
    denom = max(np.linalg.norm(a) + np.linalg.norm(b), 1e-12)
    return float(np.linalg.norm(a - b) / denom)


def numeric_grad(f, x: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Centred differences of scalar f() with respect to (a subset of) x, in place."""
    flat = x.reshape(-1)
    idx = np.arange(flat.size)
    if flat.size > MAX_ENTRIES:
        idx = rng.choice(flat.size, MAX_ENTRIES, replace=False)
    out = np.zeros(idx.size)
    for k, i in enumerate(idx):
        old = flat[i]
        flat[i] = old + EPS
        plus = f()
        flat[i] = old - EPS
        minus = f()
        flat[i] = old
        out[k] = (plus - minus) / (2 * EPS)
    return idx, out


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
