"""Time per training step of a 1-D CNN block: NeuroCanvas's engine against PyTorch (CPU).

Network (a time-series classifier's first block): input (T=128, C=8) -> Conv1D k5x32
'same', ReLU -> MaxPool1D 2 -> GlobalAveragePool1D -> Dense 4; softmax cross-entropy;
SGD with momentum 0.9; batch 64. The engine takes channels-last sequences (N, T, C);
PyTorch gets its own channels-first layout (N, C, T), prepared beforehand, so it pays no
transpose. Both run on one thread (threadpoolctl for NumPy's BLAS,
``torch.set_num_threads(1)``), from the same initial weights, on the same batches; the
first losses are printed to show they agree. Measurements alternate between the two so
that noise from other processes falls on both; each figure is the median over
``--repeats`` runs, in wall-clock and in CPU time (``benchmarks/common.py``). A second table times the Conv1D + ReLU + MaxPool1D block alone
(forward and backward, input gradient included).

Usage: python benchmarks/bench_conv1d.py [--steps 30] [--repeats 7] [--batch 64]
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

# benchmarks.common sets one BLAS thread before NumPy loads.
from benchmarks.common import (EngineRun, TorchRun, measure, print_cpu,  # noqa: E402
                               print_first_losses, step_args, try_torch)
import numpy as np  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from engine.layers import create_layer  # noqa: E402

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


def torch_model(torch, weights: dict[str, np.ndarray]):
    """The same network in PyTorch, from the engine's initial weights."""
    nn = torch.nn
    model = nn.Sequential(
        nn.Conv1d(C, FILTERS, K, padding="same"), nn.ReLU(), nn.MaxPool1d(2),
        nn.AdaptiveAvgPool1d(1), nn.Flatten(), nn.Linear(FILTERS, CLASSES))
    with torch.no_grad():  # the engine's initial weights, so both start equal
        model[0].weight.copy_(torch.from_numpy(weights["c1/W"]))
        model[0].bias.copy_(torch.from_numpy(weights["c1/b"]))
        model[5].weight.copy_(torch.from_numpy(weights["out/W"].T.copy()))
        model[5].bias.copy_(torch.from_numpy(weights["out/b"]))
    return model


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


def main(argv=None):
    args = step_args(__doc__, argv)

    print_cpu()
    xs, ys = make_batches(16, args.batch)
    engine = EngineRun(SPEC, LR, MOMENTUM)
    runs = {"engine": (engine, (xs, ys))}
    blocks = {"engine": (EngineBlock(args.batch), (xs, ys))}
    torch = try_torch()
    if torch is None:
        print("PyTorch is not installed: timing the engine alone")
    else:
        channels_first = (torch.from_numpy(np.ascontiguousarray(xs.transpose(0, 1, 3, 2))),
                          torch.from_numpy(ys))
        runs["torch"] = (TorchRun(torch, torch_model(torch, engine.net.weights()), LR, MOMENTUM),
                         channels_first)
        blocks["torch"] = (TorchBlock(torch, args.batch), channels_first)

    with threadpool_limits(1):
        if torch is not None:  # same weights, same batches: the losses must agree
            print_first_losses(runs)
        print(f"training step, batch {args.batch}, (T={T}, C={C}) -> Conv1D k{K}x{FILTERS} "
              f"relu -> MaxPool1D 2 -> GlobalAveragePool1D -> Dense {CLASSES}:")
        measure(runs, args.steps, args.repeats)
        print("Conv1D + ReLU + MaxPool1D block alone, forward + backward:")
        measure(blocks, args.steps, args.repeats)

if __name__ == "__main__":
    main()
