"""Time per training step of a small CNN: NeuroCanvas's engine against PyTorch (CPU).

Network (MNIST-sized): input 1x28x28 -> Conv 3x3x16 pad 1, ReLU -> MaxPool 2 ->
Conv 3x3x32 pad 1, ReLU -> MaxPool 2 -> Flatten -> Dense 10; softmax cross-entropy;
SGD with momentum 0.9; batch 64. Both run on one thread, from the same initial weights,
on the same batches. Measurements alternate between the two so that noise from other
processes falls on both; each figure is the median over ``--repeats`` runs, in wall-clock
time and in this process's CPU time (the steadier one on a shared machine). The first
line names the CPU: ratios against PyTorch differ between CPU models.

Usage: python benchmarks/bench_cnn.py [--steps 30] [--repeats 7] [--batch 64]
"""
from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import Stopwatch, print_cpu  # noqa: E402
from engine.losses import get_loss  # noqa: E402
from engine.network import Network  # noqa: E402
from engine.optimizers import SGD  # noqa: E402
from engine.spec import NetworkSpec  # noqa: E402

LR, MOMENTUM = 0.01, 0.9

SPEC = {
    "version": 1,
    "layers": [
        {"id": "in", "type": "Input", "config": {"shape": [1, 28, 28], "kind": "image"}},
        {"id": "c1", "type": "Conv2D", "config": {"filters": 16, "kernel_size": 3,
                                                  "padding": 1, "activation": "relu"}},
        {"id": "p1", "type": "MaxPool2D", "config": {"pool_size": 2}},
        {"id": "c2", "type": "Conv2D", "config": {"filters": 32, "kernel_size": 3,
                                                  "padding": 1, "activation": "relu"}},
        {"id": "p2", "type": "MaxPool2D", "config": {"pool_size": 2}},
        {"id": "flat", "type": "Flatten"},
        {"id": "out", "type": "Dense", "config": {"units": 10, "activation": "softmax"}},
    ],
    "edges": [{"from": a, "to": b} for a, b in
              [("in", "c1"), ("c1", "p1"), ("p1", "c2"), ("c2", "p2"), ("p2", "flat"),
               ("flat", "out")]],
}


def make_batches(count: int, batch: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    xs = rng.random((count, batch, 1, 28, 28), dtype=np.float32)
    ys = rng.integers(0, 10, (count, batch))
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
            nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(32 * 7 * 7, 10))
        with torch.no_grad():  # the engine's initial weights, so both start equal
            for index, layer in (("c1", 0), ("c2", 3)):
                self.model[layer].weight.copy_(torch.from_numpy(weights[f"{index}/W"]))
                self.model[layer].bias.copy_(torch.from_numpy(weights[f"{index}/b"]))
            self.model[7].weight.copy_(torch.from_numpy(weights["out/W"].T.copy()))
            self.model[7].bias.copy_(torch.from_numpy(weights["out/b"]))
        self.opt = torch.optim.SGD(self.model.parameters(), lr=LR, momentum=MOMENTUM)
        self.cross_entropy = torch.nn.functional.cross_entropy

    def step(self, x, y) -> float:
        self.opt.zero_grad(set_to_none=True)
        loss = self.cross_entropy(self.model(x), y)
        loss.backward()
        self.opt.step()
        return float(loss.detach())


def timed(run, batches, steps: int) -> tuple[float, float]:
    """Milliseconds per step over ``steps`` steps: (wall clock, CPU time)."""
    xs, ys = batches
    watch = Stopwatch()
    for i in range(steps):
        run.step(xs[i % len(xs)], ys[i % len(ys)])
    wall, cpu = watch.lap()
    return wall / steps * 1e3, cpu / steps * 1e3


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--batch", type=int, default=64)
    args = ap.parse_args(argv)

    print_cpu()
    xs, ys = make_batches(16, args.batch)
    engine = EngineRun()
    runs = {"engine": (engine, (xs, ys))}
    try:
        import torch
    except ImportError:
        torch = None
        print("PyTorch is not installed: timing the engine alone")
    if torch is not None:
        torch.set_num_threads(1)
        runs["torch"] = (TorchRun(torch, engine.net.weights()),
                         (torch.from_numpy(xs), torch.from_numpy(ys)))

    with threadpool_limits(1):
        if torch is not None:  # same weights, same batches: the losses must agree
            first = [(r.step(b[0][i], b[1][i])) for i in range(3) for r, b in runs.values()]
            print("first losses engine/torch:",
                  ", ".join(f"{a:.5f}/{b:.5f}" for a, b in zip(first[::2], first[1::2])))
        for run, batches in runs.values():
            timed(run, batches, 5)  # warm-up: buffers, caches, allocator
        times: dict[str, dict[str, list[float]]] = {
            clock: {name: [] for name in runs} for clock in ("wall", "CPU")}
        for _ in range(args.repeats):
            for name, (run, batches) in runs.items():
                wall, cpu = timed(run, batches, args.steps)
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


if __name__ == "__main__":
    main()
