"""Shared benchmark plumbing: one thread each side, medians, a printed table."""
from __future__ import annotations

import os
import statistics
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402


def single_thread():
    """Limit BLAS to one thread for numpy (and torch, if loaded)."""
    from threadpoolctl import threadpool_limits

    limits = threadpool_limits(1)
    try:
        import torch

        torch.set_num_threads(1)
    except ImportError:
        pass
    return limits


def try_torch():
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    return torch


def time_steps(step, n_steps: int, repeats: int = 5, warmup: int = 20) -> float:
    """Median seconds per call of ``step(i)`` over ``repeats`` runs of ``n_steps``."""
    for i in range(warmup):
        step(i)
    runs = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for i in range(n_steps):
            step(i)
        runs.append((time.perf_counter() - t0) / n_steps)
    return statistics.median(runs)


def report(title: str, engine_s: float, torch_s: float | None, target: float) -> None:
    print(f"{title}")
    print(f"  engine : {engine_s * 1e6:9.1f} us/step")
    if torch_s is None:
        print("  torch  : not installed (pip install torch==2.13.0 for the comparison)")
        return
    ratio = torch_s / engine_s
    print(f"  torch  : {torch_s * 1e6:9.1f} us/step")
    verdict = "meets" if ratio >= target else "MISSES"
    print(f"  speed  : {ratio:5.2f}x PyTorch ({verdict} the {target:g}x target)")


def batches(n: int, batch: int, steps: int, seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.choice(n, batch, replace=False) for _ in range(steps)]
