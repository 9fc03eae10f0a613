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


# ---- engine against PyTorch, training step by training step (bench_cnn, bench_conv1d) --
class EngineRun:
    """A training step of the engine: a network from ``spec`` (float32, seed 0), softmax
    cross-entropy, SGD with momentum."""

    def __init__(self, spec: dict, lr: float, momentum: float):
        from engine.losses import get_loss
        from engine.network import Network
        from engine.optimizers import SGD
        from engine.spec import NetworkSpec

        self.net = Network(NetworkSpec.from_dict(spec), dtype=np.float32, seed=0)
        self.loss = get_loss("cross_entropy")
        self.opt = SGD(lr=lr, momentum=momentum).bind(self.net.flat, self.net.grad_flat,
                                                      self.net.decay_size)

    def step(self, x, y) -> float:
        pred = self.net.forward(x, training=True, strip=self.loss.fuses)
        value, grad = self.loss.value_and_grad(pred, y)
        self.net.backward(grad)
        self.opt.step()
        return value


class TorchRun:
    """The same training step in PyTorch for ``model`` (its weights already the
    engine's): cross-entropy, ``torch.optim.SGD`` with momentum."""

    def __init__(self, torch, model, lr: float, momentum: float):
        self.model = model
        self.opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)
        self.cross_entropy = torch.nn.functional.cross_entropy

    def step(self, x, y) -> float:
        self.opt.zero_grad(set_to_none=True)
        loss = self.cross_entropy(self.model(x), y)
        loss.backward()
        self.opt.step()
        return float(loss.detach())


def step_args(doc: str, argv=None):
    """``--steps`` per timing (30), ``--repeats`` (7) and ``--batch`` (64)."""
    import argparse

    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--batch", type=int, default=64)
    return ap.parse_args(argv)


def print_first_losses(runs: dict) -> None:
    """The first three losses of the engine and of PyTorch side by side: from the same
    weights on the same batches they must agree (``runs`` as for ``measure``)."""
    first = [r.step(b[0][i], b[1][i]) for i in range(3) for r, b in runs.values()]
    print("first losses engine/torch:",
          ", ".join(f"{a:.5f}/{b:.5f}" for a, b in zip(first[::2], first[1::2])))


def timed(run, batches, steps: int) -> tuple[float, float]:
    """Milliseconds per ``run.step`` over ``steps`` steps: (wall clock, CPU time)."""
    xs, ys = batches
    watch = Stopwatch()
    for i in range(steps):
        run.step(xs[i % len(xs)], ys[i % len(ys)])
    wall, cpu = watch.lap()
    return wall / steps * 1e3, cpu / steps * 1e3


def measure(runs: dict, steps: int, repeats: int) -> None:
    """Time each ``name: (run, (xs, ys))`` alternately (noise from other processes falls
    on all), ``repeats`` times, and print the medians in wall-clock and CPU time."""
    for run, batches in runs.values():
        timed(run, batches, 5)  # warm-up: buffers, caches, allocator
    times: dict[str, dict[str, list[float]]] = {
        clock: {name: [] for name in runs} for clock in ("wall", "CPU")}
    for _ in range(repeats):
        for name, (run, batches) in runs.items():
            wall, cpu = timed(run, batches, steps)
            times["wall"][name].append(wall)
            times["CPU"][name].append(cpu)
    for clock, by_run in times.items():
        med = {name: statistics.median(t) for name, t in by_run.items()}
        for name, t in by_run.items():
            spread = ", ".join(f"{v:.2f}" for v in sorted(t))
            print(f"{name:6s} {clock:4s} median {med[name]:7.2f} ms/step  (runs: {spread})")
        if "torch" in med:
            print(f"speed ratio engine/torch ({clock} time): {med['torch'] / med['engine']:.2f}x "
                  f"(above 1: the engine is faster)")
