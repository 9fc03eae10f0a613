"""Where an LSTM training step's time goes, and how close it is to the GEMMs alone.

The network and batches of ``bench_rnn.py --cells LSTM`` (128 units, 50 steps, batch
32, float32, one BLAS thread). Prints, per phase of the engine's step, the median
milliseconds of the phase as it runs, of the same phase with only its GEMMs (the same
calls on the same buffers, the element-wise work left out), and the GEMMs' GFLOP/s:

    .venv/bin/python benchmarks/lstm_breakdown.py [--repeats 40]

Phases: the forward time loop, the backward time loop, and the weight-gradient GEMMs
after it (every dW, dU and db at once); "whole step" adds the kernels' set-up, the Dense
head, the loss and the optimizer. The sum of the GEMM-only figures is the floor this
design cannot go under on the machine: what is left above it is element-wise work and
copies.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.bench_rnn import batches, engine_net  # noqa: E402
from benchmarks.common import print_cpu  # noqa: E402
from engine.kernels import recurrent as kernels  # noqa: E402
from engine.losses import get_loss  # noqa: E402
from engine.optimizers import SGD  # noqa: E402


def median_ms(fn, repeats: int) -> float:
    """Median CPU milliseconds of ``fn()`` (CPU time: steadier on a shared machine)."""
    times = []
    for _ in range(repeats):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return statistics.median(times) * 1e3


def forward_gemms(kernel, z, gates) -> None:
    """The forward loop's GEMMs alone: each step's [U^T | W^T] against [h; x; 1]."""
    for step_in, out in zip(z[:-1], kernels._rows(gates, kernel.shape[0])):
        np.matmul(kernel, step_in, out=out)


def backward_gemms(u, d_a, d_h) -> None:
    """The backward loop's GEMMs alone: each step's U against the gates' gradients."""
    rows = kernels._rows(d_h, u.shape[0])
    for d in d_a[:0:-1]:
        np.matmul(u, d, out=rows)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=40)
    args = parser.parse_args(argv)
    from threadpoolctl import threadpool_limits

    print_cpu()
    with threadpool_limits(1):
        report(args.repeats)


def report(repeats: int) -> None:
    net = engine_net("LSTM")
    layer: Any = next(node.layer for node in net.nodes if node.layer.type_name == "LSTM")
    loss = get_loss("mse")
    opt = SGD(lr=0.01, momentum=0.9).bind(net.flat, net.grad_flat, net.decay_size)
    x, y = batches(1)[0]

    def whole_step():
        value, grad = loss.value_and_grad(net.forward(x, training=True), y)
        net.backward(grad)
        opt.step()

    whole_step()
    k, z, hs, _ = layer._cache
    ws = layer._ws
    gates, d_a = ws["gates"], ws["dA"]
    t, g, n = gates.shape
    h = g // 4
    scratch = np.empty((h, n), gates.dtype)
    d_last = np.ascontiguousarray(np.ones((n, h), gates.dtype).T)
    rows = ws["rows"]
    # The weight-gradient GEMM's operands laid out as one product wants them (the layer
    # makes these copies a few steps at a time; here they are made once, untimed).
    d_flat = np.ascontiguousarray(d_a.transpose(1, 0, 2).reshape(g, t * n))
    rows_flat = rows.reshape(t * n, -1)
    grads = np.empty((g, rows_flat.shape[1]), gates.dtype)
    phases = {
        "forward loop": (
            lambda: kernels.lstm_forward_folded(k["UZ"], z, gates, ws["c"], ws["tanh_c"], scratch),
            lambda: forward_gemms(k["UZ"], z, gates), 2 * g * z.shape[1] * n * t),
        "backward loop": (
            lambda: kernels.lstm_backward(None, d_last, k["U"], gates, ws["c"], ws["tanh_c"],
                                          hs, d_a, ws),
            lambda: backward_gemms(k["U"], d_a, scratch), 2 * h * g * n * (t - 1)),
        "weight gradients": (
            lambda: layer._grad_gemm(d_a, rows, z),
            lambda: np.matmul(d_flat, rows_flat, out=grads), 2 * g * t * n * z.shape[1]),
    }
    print(f"{'phase':18s} {'as run':>9s} {'GEMMs only':>11s} {'GFLOP/s':>8s}")
    floor = 0.0
    for name, (run, gemms, flops) in phases.items():
        full, only = median_ms(run, repeats), median_ms(gemms, repeats)
        floor += only
        print(f"{name:18s} {full:7.2f} ms {only:8.2f} ms {flops / only / 1e6:8.1f}")
    step = median_ms(whole_step, repeats)
    print(f"{'whole step':18s} {step:7.2f} ms {floor:8.2f} ms  (floor: the GEMMs alone)")


if __name__ == "__main__":
    main()
