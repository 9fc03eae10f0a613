"""Shared benchmark plumbing: one thread each side, medians, a printed table."""
from __future__ import annotations

import os
import statistics
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402


def cpu_model() -> str:
    """The processor, as ``lscpu`` names it (ratios against PyTorch move by 10-40%
    between CPU models, so every figure is printed with it)."""
    import platform
    import subprocess

    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        out = ""
    for line in out.splitlines():
        if line.startswith("Model name:"):
            return line.split(":", 1)[1].strip()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown CPU"


def print_cpu() -> None:
    print(f"CPU: {cpu_model()} ({os.cpu_count()} logical cores)", flush=True)


class Stopwatch:
    """Wall-clock and CPU time of this process together. On a shared machine the wall
    clock also counts the time other processes held the core; the CPU time does not,
    so it is the steadier figure there (both sides run on one thread)."""

    def __init__(self):
        self.wall = time.perf_counter()
        self.cpu = time.process_time()

    def lap(self) -> tuple[float, float]:
        """Seconds since the start: (wall, cpu)."""
        return time.perf_counter() - self.wall, time.process_time() - self.cpu


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
