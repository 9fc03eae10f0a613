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

import sys
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import (EngineRun, TorchRun, measure, print_cpu,  # noqa: E402
                               print_first_losses, step_args, try_torch)

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


def torch_model(torch, weights: dict[str, np.ndarray]):
    """The same network in PyTorch, from the engine's initial weights."""
    nn = torch.nn
    model = nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(32 * 7 * 7, 10))
    with torch.no_grad():  # the engine's initial weights, so both start equal
        for index, layer in (("c1", 0), ("c2", 3)):
            model[layer].weight.copy_(torch.from_numpy(weights[f"{index}/W"]))
            model[layer].bias.copy_(torch.from_numpy(weights[f"{index}/b"]))
        model[7].weight.copy_(torch.from_numpy(weights["out/W"].T.copy()))
        model[7].bias.copy_(torch.from_numpy(weights["out/b"]))
    return model


def main(argv=None):
    args = step_args(__doc__, argv)

    print_cpu()
    xs, ys = make_batches(16, args.batch)
    engine = EngineRun(SPEC, LR, MOMENTUM)
    runs = {"engine": (engine, (xs, ys))}
    torch = try_torch()
    if torch is None:
        print("PyTorch is not installed: timing the engine alone")
    else:
        runs["torch"] = (TorchRun(torch, torch_model(torch, engine.net.weights()), LR, MOMENTUM),
                         (torch.from_numpy(xs), torch.from_numpy(ys)))

    with threadpool_limits(1):
        if torch is not None:  # same weights, same batches: the losses must agree
            print_first_losses(runs)
        measure(runs, args.steps, args.repeats)


if __name__ == "__main__":
    main()
