"""MLP 64-128-64-10 (ReLU) on the 8x8 digits, softmax cross-entropy, batch 64:
engine vs PyTorch on the CPU, same initial weights and batches, one thread each.

    .venv/bin/python benchmarks/bench_mlp.py [--steps 300]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.common import (batches, print_cpu, report, single_thread, time_steps,  # noqa: E402
                               try_torch)

import numpy as np  # noqa: E402

from engine.losses import get_loss  # noqa: E402
from engine.network import Network  # noqa: E402
from engine.optimizers import SGD, Adam  # noqa: E402
from engine.spec import NetworkSpec  # noqa: E402

SIZES = (64, 128, 64, 10)


def digits():
    """The bundled digits when the data module has them, else same-shaped random data."""
    try:
        from engine.data import load_builtin

        ds = load_builtin("digits")
        return ds.x.astype(np.float32) / 16.0, ds.y.astype(np.int64)
    except Exception:  # noqa: BLE001 - benchmark still runs before data lands
        rng = np.random.default_rng(0)
        return rng.random((1797, 64), dtype=np.float32), rng.integers(0, 10, 1797)


def mlp_spec():
    layers = [{"id": "in", "type": "Input", "config": {"shape": [SIZES[0]]}}]
    edges, prev = [], "in"
    for i, units in enumerate(SIZES[1:]):
        act = "relu" if i < len(SIZES) - 2 else "linear"
        layers.append({"id": f"d{i}", "type": "Dense", "config": {"units": units, "activation": act}})
        edges.append({"from": prev, "to": f"d{i}"})
        prev = f"d{i}"
    return NetworkSpec.from_dict({"version": 1, "layers": layers, "edges": edges})


def engine_step(x, y, idx, optimizer):
    net = Network(mlp_spec(), dtype=np.float32, seed=0)
    loss = get_loss("cross_entropy")
    optimizer.bind(net.flat, net.grad_flat, net.decay_size)

    def step(i):
        b = idx[i % len(idx)]
        out = net.forward(x[b], training=True, strip="softmax")
        _, grad = loss.value_and_grad(out, y[b])
        net.backward(grad)
        optimizer.step()
    return net, step


def torch_step(torch, net, x, y, idx, make_opt):
    layers = []
    for i in range(len(SIZES) - 1):
        lin = torch.nn.Linear(SIZES[i], SIZES[i + 1])
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(net.nodes[i].layer.params["W"].T.copy()))
            lin.bias.copy_(torch.from_numpy(net.nodes[i].layer.params["b"].copy()))
        layers += [lin, torch.nn.ReLU()] if i < len(SIZES) - 2 else [lin]
    model = torch.nn.Sequential(*layers)
    opt = make_opt(model.parameters())
    lossf = torch.nn.CrossEntropyLoss()
    tx, ty = torch.from_numpy(x), torch.from_numpy(y)

    def step(i):
        b = torch.from_numpy(idx[i % len(idx)])
        opt.zero_grad(set_to_none=True)
        lossf(model(tx[b]), ty[b]).backward()
        opt.step()
    return step


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--steps", type=int, default=300)
    args = parser.parse_args(argv)
    print_cpu()
    single_thread()
    torch = try_torch()
    x, y = digits()
    idx = batches(len(x), 64, 100)
    cases = [("SGD momentum 0.9", lambda: SGD(0.01, momentum=0.9),
              lambda t: (lambda p: t.optim.SGD(p, lr=0.01, momentum=0.9))),
             ("Adam", lambda: Adam(1e-3), lambda t: (lambda p: t.optim.Adam(p, lr=1e-3)))]
    for title, make_engine_opt, make_torch_opt in cases:
        net, estep = engine_step(x, y, idx, make_engine_opt())
        e = time_steps(estep, args.steps)
        t = None
        if torch is not None:
            t = time_steps(torch_step(torch, net, x, y, idx, make_torch_opt(torch)), args.steps)
        report(f"MLP 64-128-64-10, batch 64, {title}", e, t, target=3.0)


if __name__ == "__main__":
    main()
