"""Weight initializers. Every random draw comes from the seeded Generator passed in."""
from __future__ import annotations

import numpy as np

from .errors import ConfigError

INITIALIZERS = ("glorot_uniform", "glorot_normal", "he_uniform", "he_normal",
                "orthogonal", "zeros", "ones", "lstm_bias")
# The choices a person picks for a layer's weights (zeros/ones are for biases and scales).
WEIGHT_INITIALIZERS = ("glorot_uniform", "glorot_normal", "he_uniform", "he_normal", "zeros")


def initialize(spec, rng: np.random.Generator, dtype=np.float32) -> np.ndarray:
    """A new array for a ParamSpec, drawn from ``rng``."""
    return np.asarray(_draw(spec.init, spec.shape, spec.fan_in, spec.fan_out, rng), dtype=dtype)


def _draw(name, shape, fan_in, fan_out, rng):
    fan_in, fan_out = max(fan_in, 1), max(fan_out, 1)
    if name == "zeros":
        return np.zeros(shape)
    if name == "ones":
        return np.ones(shape)
    if name == "glorot_uniform":
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        return rng.uniform(-limit, limit, shape)
    if name == "glorot_normal":
        return rng.normal(0.0, np.sqrt(2.0 / (fan_in + fan_out)), shape)
    if name == "he_uniform":
        limit = np.sqrt(6.0 / fan_in)
        return rng.uniform(-limit, limit, shape)
    if name == "he_normal":
        return rng.normal(0.0, np.sqrt(2.0 / fan_in), shape)
    if name == "orthogonal":
        return _orthogonal(shape, rng)
    if name == "lstm_bias":
        # Gate blocks i, f, g, o: a forget-gate bias of 1 lets the cell remember from the
        # first step on (Jozefowicz et al., 2015); the rest start at zero.
        b = np.zeros(shape)
        quarter = shape[0] // 4
        b[quarter:2 * quarter] = 1.0
        return b
    raise ConfigError(f"unknown initializer {name!r} (known: {', '.join(INITIALIZERS)})")


def _orthogonal(shape, rng):
    """Orthogonal blocks (for recurrent kernels): rows x cols with cols a multiple of rows."""
    rows = shape[0]
    cols = int(np.prod(shape[1:]))
    a = rng.normal(0.0, 1.0, (max(rows, cols), min(rows, cols)))
    q, r = np.linalg.qr(a)
    q *= np.sign(np.diag(r))
    q = q if rows >= cols else q.T
    return np.ascontiguousarray(q[:rows, :cols]).reshape(shape)
