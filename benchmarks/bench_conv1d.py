"""Time per training step of a 1-D CNN block: NeuroCanvas's engine against PyTorch (CPU).

Network (a time-series classifier's first block): input (T=128, C=8) -> Conv1D k5x32
'same', ReLU -> MaxPool1D 2 -> GlobalAveragePool1D -> Dense 4; softmax cross-entropy;
SGD with momentum 0.9; batch 64. The engine takes channels-last sequences (N, T, C);
PyTorch gets its own channels-first layout (N, C, T), prepared beforehand, so it pays no
transpose. Both run on one thread (threadpoolctl for NumPy's BLAS,
``torch.set_num_threads(1)``), from the same initial weights, on the same batches; the
first losses are printed to show they agree. Measurements alternate between the two so
that noise from other processes falls on both; each figure is the median over
``--repeats`` runs. A second table times the Conv1D + ReLU + MaxPool1D block alone
(forward and backward, input gradient included).

Usage: python benchmarks/bench_conv1d.py [--steps 30] [--repeats 7] [--batch 64]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.layers import create_layer  # noqa: E402
from engine.losses import get_loss  # noqa: E402
from engine.network import Network  # noqa: E402
from engine.optimizers import SGD  # noqa: E402
from engine.spec import NetworkSpec  # noqa: E402

LR, MOMENTUM = 0.01, 0.9
T, C, FILTERS, K, CLASSES = 128, 8, 32, 5, 4

SPEC = {
    "version": 1,
    "layers": [
        {"id": "in", "type": "Input", "config": {"shape": [T, C], "kind": "sequence"}},
        {"id": "c1", "type": "Conv1D", "config": {"filters": FILTERS, "kernel_size": K,
                                                  "padding": "same", "activation": "relu"}},
        {"id": "p1", "type": "MaxPool1D", "config": {"pool_size": 2}},
        {"id": "gap", "type": "GlobalAveragePool1D"},
        {"id": "out", "type": "Dense", "config": {"units": CLASSES, "activation": "softmax"}},
    ],
    "edges": [{"from": a, "to": b} for a, b in
              [("in", "c1"), ("c1", "p1"), ("p1", "gap"), ("gap", "out")]],
}


def make_batches(count: int, batch: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    xs = rng.standard_normal((count, batch, T, C), dtype=np.float32)
    ys = rng.integers(0, CLASSES, (count, batch))
    return xs, ys


class EngineRun:
    def __init__(self):
        self.net = Network(NetworkSpec.from_dict(SPEC), dtype=np.float32, seed=0)
        self.loss = get_loss("cross_entropy")
        self.opt = SGD(lr=LR, momentum=MOMENTUM).bind(self.net.flat, self.net.grad_flat,
                                                       self.net.decay_size)

    def step(self, x, y) -> float:
        pred = self.net.forward(x, training=True, strip=self.loss.fuses)
        value, grad = self.loss.value_and_grad(pred, y)
        self.net.backward(grad)
        self.opt.step()
        return value


class TorchRun:
    def __init__(self, torch, weights: dict[str, np.ndarray]):
        nn = torch.nn
        self.torch = torch
        self.model = nn.Sequential(
            nn.Conv1d(C, FILTERS, K, padding="same"), nn.ReLU(), nn.MaxPool1d(2),
            nn.AdaptiveAvgPool1d(1), nn.Flatten(), nn.Linear(FILTERS, CLASSES))
        with torch.no_grad():  # the engine's initial weights, so both start equal
            self.model[0].weight.copy_(torch.from_numpy(weights["c1/W"]))
            self.model[0].bias.copy_(torch.from_numpy(weights["c1/b"]))
            self.model[5].weight.copy_(torch.from_numpy(weights["out/W"].T.copy()))
            self.model[5].bias.copy_(torch.from_numpy(weights["out/b"]))
        self.opt = torch.optim.SGD(self.model.parameters(), lr=LR, momentum=MOMENTUM)
        self.cross_entropy = torch.nn.functional.cross_entropy

    def step(self, x, y) -> float:
        self.opt.zero_grad(set_to_none=True)
        loss = self.cross_entropy(self.model(x), y)
        loss.backward()
        self.opt.step()
        return float(loss.detach())


class EngineBlock:
    """Conv1D + ReLU + MaxPool1D alone, forward and backward with the input gradient."""

    def __init__(self, batch: int):
        self.conv = create_layer("Conv1D", SPEC["layers"][1]["config"], "c1")
        self.conv.allocate([(T, C)], dtype=np.float32)
        self.pool = create_layer("MaxPool1D", {"pool_size": 2}, "p1")
        self.pool.allocate([(T, FILTERS)], dtype=np.float32)
        self.grad = np.ones((batch, T // 2, FILTERS), np.float32)

    def step(self, x, y) -> float:
        self.pool.forward([self.conv.forward([x], True)], True)
        self.conv.backward(self.pool.backward(self.grad)[0])
        return 0.0


class TorchBlock:
    def __init__(self, torch, batch: int):
        nn = torch.nn
        self.model = nn.Sequential(nn.Conv1d(C, FILTERS, K, padding="same"), nn.ReLU(),
                                   nn.MaxPool1d(2))
        self.grad = torch.ones((batch, FILTERS, T // 2))

    def step(self, x, y) -> float:
        x = x.detach().requires_grad_(True)
        self.model.zero_grad(set_to_none=True)
        self.model(x).backward(self.grad)
        return 0.0


def timed(run, batches, steps: int) -> float:
    """Milliseconds per step over ``steps`` steps."""
    xs, ys = batches
    start = time.perf_counter()
    for i in range(steps):
        run.step(xs[i % len(xs)], ys[i % len(ys)])
    return (time.perf_counter() - start) / steps * 1e3


def measure(runs: dict, steps: int, repeats: int) -> dict[str, float]:
    for run, batches in runs.values():
        timed(run, batches, 5)  # warm-up: buffers, caches, allocator
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeats):
        for name, (run, batches) in runs.items():
            times[name].append(timed(run, batches, steps))
    med = {name: statistics.median(t) for name, t in times.items()}
    for name, t in times.items():
        spread = ", ".join(f"{v:.2f}" for v in sorted(t))
        print(f"  {name:6s} median {med[name]:7.3f} ms/step  (runs: {spread})")
    if "torch" in med:
        print(f"  speed ratio engine/torch: {med['torch'] / med['engine']:.2f}x "
              f"(above 1: the engine is faster)")
    return med


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--batch", type=int, default=64)
    args = ap.parse_args(argv)

    xs, ys = make_batches(16, args.batch)
    engine = EngineRun()
    runs = {"engine": (engine, (xs, ys))}
    blocks = {"engine": (EngineBlock(args.batch), (xs, ys))}
    try:
        import torch
    except ImportError:
        torch = None
        print("PyTorch is not installed: timing the engine alone")
    if torch is not None:
        torch.set_num_threads(1)
        channels_first = (torch.from_numpy(np.ascontiguousarray(xs.transpose(0, 1, 3, 2))),
                          torch.from_numpy(ys))
        runs["torch"] = (TorchRun(torch, engine.net.weights()), channels_first)
        blocks["torch"] = (TorchBlock(torch, args.batch), channels_first)

    with threadpool_limits(1):
        if torch is not None:  # same weights, same batches: the losses must agree
            first = [(r.step(b[0][i], b[1][i])) for i in range(3) for r, b in runs.values()]
            print("first losses engine/torch:",
                  ", ".join(f"{a:.5f}/{b:.5f}" for a, b in zip(first[::2], first[1::2])))
        print(f"training step, batch {args.batch}, (T={T}, C={C}) -> Conv1D k{K}x{FILTERS} "
              f"relu -> MaxPool1D 2 -> GlobalAveragePool1D -> Dense {CLASSES}:")
        measure(runs, args.steps, args.repeats)
        print("Conv1D + ReLU + MaxPool1D block alone, forward + backward:")
        measure(blocks, args.steps, args.repeats)


if __name__ == "__main__":
    main()
