"""The trials of a sweep: every combination (grid) or ``n`` random draws (random).

A grid takes each list as it is and a range at evenly spaced points (in log space for
``:log``), as many as the trial budget allows: ``points`` per range, the most for which
the whole grid stays within ``trials``, and at least 2. Random draws are uniform (log-
uniform for ``:log``), reproducible from ``seed``; lists alone give distinct combinations.
"""
from __future__ import annotations

import itertools
import math

import numpy as np

from .space import Dimension, SweepError

METHODS = ("random", "grid")
MAX_TRIALS = 10_000


def trials_for(dims: list[Dimension], method: str, trials: int, seed: int = 0) -> list[dict]:
    """The settings of each trial, in order: ``{name: value}`` per trial."""
    if method not in METHODS:
        raise SweepError(f"unknown sweep method {method!r} (known: random, grid)")
    if not 1 <= trials <= MAX_TRIALS:
        raise SweepError(f"the number of trials must be 1 to {MAX_TRIALS:,}, not {trials}")
    if method == "grid":
        return grid(dims, trials)
    return random_trials(dims, trials, seed)


def grid(dims: list[Dimension], budget: int) -> list[dict]:
    listed = math.prod(len(d.values) for d in dims if not d.is_range)
    ranges = sum(1 for d in dims if d.is_range)
    points = max(2, int((budget / listed) ** (1 / ranges) + 1e-9)) if ranges else 0
    axes = [d.values if not d.is_range else range_points(d, points) for d in dims]
    combos = list(itertools.product(*axes))
    if len(combos) > MAX_TRIALS:
        raise SweepError(f"the grid has {len(combos):,} combinations, more than "
                         f"{MAX_TRIALS:,}: list fewer values or use random trials")
    return [{d.name: v for d, v in zip(dims, combo)} for combo in combos]


def range_points(dim: Dimension, n: int) -> tuple:
    """``n`` evenly spaced points from low to high (distinct whole numbers for :int)."""
    if dim.log:
        points = np.geomspace(dim.low, dim.high, n)
    else:
        points = np.linspace(dim.low, dim.high, n)
    if dim.integer:
        return tuple(dict.fromkeys(int(round(p)) for p in points))
    return tuple(float(f"{p:.6g}") for p in points)


def random_trials(dims: list[Dimension], n: int, seed: int) -> list[dict]:
    """``n`` draws; when every dimension is a list, distinct combinations (all of them,
    shuffled, when ``n`` asks for as many or more): a repeated trial teaches nothing."""
    rng = np.random.default_rng(seed)
    if all(not d.is_range for d in dims):
        combos = list(itertools.product(*(d.values for d in dims)))
        order = rng.permutation(len(combos))[:n]
        return [{d.name: v for d, v in zip(dims, combos[i])} for i in order]
    return [{d.name: draw(d, rng) for d in dims} for _ in range(n)]


def draw(dim: Dimension, rng: np.random.Generator):
    if not dim.is_range:
        return dim.values[int(rng.integers(len(dim.values)))]
    if dim.integer:
        if dim.log:
            value = math.exp(rng.uniform(math.log(dim.low), math.log(dim.high + 1)))
            return int(min(max(math.floor(value), dim.low), dim.high))
        return int(rng.integers(int(dim.low), int(dim.high) + 1))
    if dim.log:
        value = math.exp(rng.uniform(math.log(dim.low), math.log(dim.high)))
    else:
        value = rng.uniform(dim.low, dim.high)
    return float(f"{min(max(value, dim.low), dim.high):.4g}")
