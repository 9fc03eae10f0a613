"""Seeded 2-D toy problems and a 1-D regression: small, fast, and easy to picture.

Every generator takes ``seed`` and returns the same Dataset for the same seed and
options. Inputs are float32 ``(N, 2)`` (``(N, 1)`` for the regression); class targets
are int64 ``(N,)``; the rows are shuffled.
"""
from __future__ import annotations

import numpy as np

from .dataset import Dataset

XY = ("x1", "x2")


def _finish(x, y, rng, **fields) -> Dataset:
    order = rng.permutation(len(x))
    return Dataset(x=np.asarray(x, np.float32)[order], y=np.asarray(y, np.int64)[order],
                   task="classification", input_kind="features", feature_names=XY,
                   source="builtin", **fields)


def _split_counts(n: int, k: int) -> list[int]:
    """n samples over k classes as evenly as possible."""
    return [n // k + (1 if i < n % k else 0) for i in range(k)]


def make_xor(n_samples: int = 400, margin: float = 0.1, seed: int = 0) -> Dataset:
    """Points spread over the four quadrants of [-1, 1]^2; the class is 1 where exactly
    one coordinate is negative. Each coordinate keeps at least ``margin`` from the axes,
    so a gap separates the classes and 100% accuracy is reachable."""
    rng = np.random.default_rng(seed)
    signs = rng.choice([-1.0, 1.0], size=(n_samples, 2))
    x = signs * rng.uniform(margin, 1.0, size=(n_samples, 2))
    y = (signs[:, 0] != signs[:, 1]).astype(np.int64)
    return _finish(x, y, rng, name="xor", class_names=("same sign", "opposite signs"),
                   description=f"XOR: {n_samples} points in four quadrants, class = signs "
                               f"differ; a gap of {margin:g} around the axes makes 100% "
                               f"reachable. Needs a hidden layer.")


def make_circles(n_samples: int = 400, noise: float = 0.05, factor: float = 0.5,
                 seed: int = 0) -> Dataset:
    """A ring (class 0) around a smaller ring (class 1, radius ``factor``)."""
    rng = np.random.default_rng(seed)
    n_out, n_in = _split_counts(n_samples, 2)
    angles = rng.uniform(0, 2 * np.pi, n_samples)
    radius = np.concatenate([np.ones(n_out), np.full(n_in, factor)])
    x = np.stack([radius * np.cos(angles), radius * np.sin(angles)], axis=1)
    x += rng.normal(0, noise, x.shape)
    y = np.concatenate([np.zeros(n_out), np.ones(n_in)])
    return _finish(x, y, rng, name="circles", class_names=("outer", "inner"),
                   description=f"Two concentric circles ({n_samples} points, noise {noise:g}): "
                               f"not linearly separable.")


def make_moons(n_samples: int = 400, noise: float = 0.1, seed: int = 0) -> Dataset:
    """Two interleaving half circles."""
    rng = np.random.default_rng(seed)
    n_a, n_b = _split_counts(n_samples, 2)
    ta, tb = rng.uniform(0, np.pi, n_a), rng.uniform(0, np.pi, n_b)
    upper = np.stack([np.cos(ta), np.sin(ta)], axis=1)
    lower = np.stack([1 - np.cos(tb), 0.5 - np.sin(tb)], axis=1)
    x = np.concatenate([upper, lower]) + rng.normal(0, noise, (n_samples, 2))
    y = np.concatenate([np.zeros(n_a), np.ones(n_b)])
    return _finish(x, y, rng, name="moons", class_names=("upper moon", "lower moon"),
                   description=f"Two interleaving half moons ({n_samples} points, "
                               f"noise {noise:g}).")


def make_spirals(n_samples: int = 600, arms: int = 2, turns: float = 1.5,
                 noise: float = 0.2, seed: int = 0) -> Dataset:
    """``arms`` interleaved spirals, one class per arm. ``noise`` is the angular jitter
    in radians; keep it small for a problem that can be solved exactly."""
    rng = np.random.default_rng(seed)
    xs, ys = [], []
    for arm, count in enumerate(_split_counts(n_samples, arms)):
        r = np.sqrt(rng.uniform(0.0025, 1.0, count))  # even density along the arm
        theta = 2 * np.pi * (arm / arms + turns * r) + rng.normal(0, noise, count)
        xs.append(np.stack([r * np.cos(theta), r * np.sin(theta)], axis=1))
        ys.append(np.full(count, arm))
    names = tuple(f"arm {i + 1}" for i in range(arms))
    return _finish(np.concatenate(xs), np.concatenate(ys), rng, name="spirals",
                   class_names=names,
                   description=f"{arms} interleaved spirals of {turns:g} turns "
                               f"({n_samples} points, angular noise {noise:g}).")


def make_blobs(n_samples: int = 400, centers: int = 3, spread: float = 1.0,
               seed: int = 0) -> Dataset:
    """Gaussian clusters with standard deviation ``spread`` around centres placed evenly
    on a circle of radius 4 (wider for many clusters), so neighbours stay apart."""
    rng = np.random.default_rng(seed)
    radius = max(4.0, 0.8 * centers)
    angle = 2 * np.pi * np.arange(centers) / centers + rng.uniform(0, 2 * np.pi)
    middle = radius * np.stack([np.cos(angle), np.sin(angle)], axis=1)
    counts = _split_counts(n_samples, centers)
    y = np.repeat(np.arange(centers), counts)
    x = middle[y] + rng.normal(0, spread, (n_samples, 2))
    names = tuple(f"blob {i + 1}" for i in range(centers))
    return _finish(x, y, rng, name="blobs", class_names=names,
                   description=f"{centers} Gaussian blobs ({n_samples} points, "
                               f"spread {spread:g}).")


def make_sine_regression(n_samples: int = 200, noise: float = 0.1, x_range: float = 3.0,
                         seed: int = 0) -> Dataset:
    """y = sin(x) + Gaussian noise for x uniform in [-x_range, x_range]:
    x float32 (N, 1), y float32 (N, 1)."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-x_range, x_range, (n_samples, 1))
    y = np.sin(x) + rng.normal(0, noise, x.shape)
    return Dataset(x=x.astype(np.float32), y=y.astype(np.float32), task="regression",
                   name="sine_regression", input_kind="features", feature_names=("x",),
                   source="builtin",
                   description=f"Noisy 1-D regression: y = sin(x) + noise ({noise:g}), "
                               f"{n_samples} points with x in [-{x_range:g}, {x_range:g}].")
