"""Seeded sequence problems: forecasting a noisy sine, and telling waves apart by
frequency. Inputs are float32 ``(N, T, 1)``.
"""
from __future__ import annotations

import numpy as np

from .dataset import Dataset


def sliding_windows(series: np.ndarray, target: np.ndarray, window: int,
                    horizon: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Cut a series ``(L, F)`` into inputs ``(N, window, F)`` and the target
    ``horizon`` steps after each window's last step, ``(N, 1)``:
    ``x[i] = series[i : i + window]``, ``y[i] = target[i + window - 1 + horizon]``."""
    n = len(series) - window - horizon + 1
    if n <= 0:
        return (np.zeros((0, window, series.shape[1]), series.dtype),
                np.zeros((0, 1), target.dtype))
    index = np.arange(window)[None, :] + np.arange(n)[:, None]
    x = series[index]
    y = target[window - 1 + horizon: window - 1 + horizon + n].reshape(n, 1)
    return x, y


def make_sine_forecast(n_samples: int = 500, window: int = 20, period: float = 25.0,
                       noise: float = 0.05, seed: int = 0) -> Dataset:
    """Windows of a noisy sine (a period of ``period`` steps); predict the next value.
    x float32 (N, window, 1), y float32 (N, 1)."""
    rng = np.random.default_rng(seed)
    steps = np.arange(n_samples + window)
    phase = rng.uniform(0, 2 * np.pi)
    series = np.sin(2 * np.pi * steps / period + phase) + rng.normal(0, noise, len(steps))
    series = series.astype(np.float32).reshape(-1, 1)
    x, y = sliding_windows(series, series[:, 0], window, horizon=1)
    return Dataset(x=x, y=y, task="regression", name="sine_forecast",
                   input_kind="sequence", feature_names=("value",), source="builtin",
                   description=f"Forecasting: {n_samples} windows of {window} steps of a "
                               f"noisy sine (period {period:g} steps, noise {noise:g}); "
                               f"predict the next value.",
                   meta={"window": window, "horizon": 1})


def make_wave_frequency(n_samples: int = 600, length: int = 32, classes: int = 3,
                        noise: float = 0.2, seed: int = 0) -> Dataset:
    """Sequence classification: each sequence is a sine with random phase and amplitude
    (0.5 to 1.5) plus noise; its class is its frequency, 2, 4, 6 ... cycles per
    sequence. A small GRU or LSTM learns it to well over 95%."""
    rng = np.random.default_rng(seed)
    y = np.arange(n_samples) % classes
    rng.shuffle(y)
    cycles = 2.0 * (y + 1)
    t = np.arange(length) / length
    phase = rng.uniform(0, 2 * np.pi, n_samples)
    amplitude = rng.uniform(0.5, 1.5, n_samples)
    waves = amplitude[:, None] * np.sin(2 * np.pi * cycles[:, None] * t[None, :]
                                        + phase[:, None])
    x = (waves + rng.normal(0, noise, waves.shape)).astype(np.float32)[:, :, None]
    names = tuple(f"{2 * (k + 1)} cycles" for k in range(classes))
    return Dataset(x=x, y=y.astype(np.int64), task="classification", name="wave_frequency",
                   input_kind="sequence", class_names=names, feature_names=("value",),
                   source="builtin",
                   description=f"Sequence classification: {n_samples} noisy sine waves of "
                               f"{length} steps; tell {classes} frequencies apart.")


def make_remember_first(n_samples: int = 600, length: int = 40, noise: float = 1.0,
                        seed: int = 0) -> Dataset:
    """A long-range dependency: each sequence starts with a +1 or a -1 and continues
    with ``length - 1`` steps of Gaussian noise (standard deviation ``noise``); its
    class is the sign of the first step. Only step 1 tells the class, so a network
    must carry it across the whole sequence: a SimpleRNN's gradient reaching step 1
    fades (vanishing gradients), an LSTM's cell keeps it."""
    rng = np.random.default_rng(seed)
    y = np.arange(n_samples) % 2
    rng.shuffle(y)
    x = rng.normal(0.0, noise, (n_samples, length)).astype(np.float32)
    x[:, 0] = np.where(y == 1, 1.0, -1.0)
    return Dataset(x=x[:, :, None], y=y.astype(np.int64), task="classification",
                   name="remember_first", input_kind="sequence",
                   class_names=("first < 0", "first > 0"), feature_names=("value",),
                   source="builtin",
                   description=f"Long-range memory: {n_samples} sequences of {length} "
                               f"steps; the class is the sign of step 1, the rest is noise "
                               f"(std {noise:g}).")
