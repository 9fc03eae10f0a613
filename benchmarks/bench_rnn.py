"""Time per training step of a recurrent network: the engine against PyTorch on the CPU.

One thread each (numpy's BLAS through threadpoolctl, ``torch.set_num_threads(1)``),
float32, the same initial weights and the same batches. The network: Input (T, 8) ->
SimpleRNN or LSTM (128 units, last step) -> Dense 1; MSE loss; SGD with momentum.

    OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/bench_rnn.py [--repeats 7]

Prints the median milliseconds per step of each and the speed ratio (torch time divided
by engine time: above 1 the engine is faster). Targets: Elman >= 2x, LSTM >= 0.8x.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.losses import get_loss  # noqa: E402
from engine.network import Network  # noqa: E402
from engine.optimizers import SGD  # noqa: E402
from engine.spec import NetworkSpec  # noqa: E402

D_IN, HIDDEN, STEPS, BATCH, LR, MOMENTUM = 8, 128, 50, 32, 0.01, 0.9


def engine_net(cell: str) -> Network:
    spec = NetworkSpec.from_dict({"version": 1, "layers": [
        {"id": "in", "type": "Input", "config": {"shape": [STEPS, D_IN], "kind": "sequence"}},
        {"id": "rnn", "type": cell, "config": {"units": HIDDEN}},
        {"id": "out", "type": "Dense", "config": {"units": 1, "activation": "linear"}},
    ], "edges": [{"from": "in", "to": "rnn"}, {"from": "rnn", "to": "out"}]})
    return Network(spec, dtype=np.float32, seed=0)


def torch_net(cell: str, net: Network):
    """The same network in PyTorch, with the engine's initial weights copied in."""
    import torch

    rnn_cls = torch.nn.RNN if cell == "SimpleRNN" else torch.nn.LSTM
    rnn = rnn_cls(D_IN, HIDDEN, batch_first=True)
    head = torch.nn.Linear(HIDDEN, 1)
    w = net.weights()
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(torch.from_numpy(w["rnn/W"].T.copy()))
        rnn.weight_hh_l0.copy_(torch.from_numpy(w["rnn/U"].T.copy()))
        rnn.bias_ih_l0.copy_(torch.from_numpy(w["rnn/b"]))
        rnn.bias_hh_l0.zero_()
        head.weight.copy_(torch.from_numpy(w["out/W"].T.copy()))
        head.bias.copy_(torch.from_numpy(w["out/b"]))
    # PyTorch's second bias is redundant with the first; frozen at zero it leaves the
    # same trainable model as the engine's (training both would move the bias twice).
    rnn.bias_hh_l0.requires_grad_(False)
    return rnn, head


def batches(count: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    return [(rng.normal(size=(BATCH, STEPS, D_IN)).astype(np.float32),
             rng.normal(size=(BATCH, 1)).astype(np.float32)) for _ in range(count)]


def engine_steps(cell: str, data, repeats: int) -> tuple[list[float], list[float]]:
    net = engine_net(cell)
    loss = get_loss("mse")
    opt = SGD(lr=LR, momentum=MOMENTUM).bind(net.flat, net.grad_flat, net.decay_size)
    losses = []

    def step(x, y):
        pred = net.forward(x, training=True)
        value, grad = loss.value_and_grad(pred, y)
        net.backward(grad)
        opt.step()
        losses.append(value)

    return _timed(step, data, repeats), losses


def torch_steps(cell: str, data, repeats: int) -> tuple[list[float], list[float]]:
    import torch

    rnn, head = torch_net(cell, engine_net(cell))
    params = [p for p in rnn.parameters() if p.requires_grad] + list(head.parameters())
    opt = torch.optim.SGD(params, lr=LR, momentum=MOMENTUM)
    mse = torch.nn.MSELoss()
    tensors = [(torch.from_numpy(x), torch.from_numpy(y)) for x, y in data]
    losses = []

    def step(x, y):
        opt.zero_grad(set_to_none=False)
        seq, _ = rnn(x)
        value = mse(head(seq[:, -1]), y)
        value.backward()
        opt.step()
        losses.append(value.item())

    return _timed(step, tensors, repeats), losses


def _timed(step, data, repeats: int) -> list[float]:
    """Milliseconds per step of each repeat (one pass over ``data``), after a warm-up."""
    step(*data[0])
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        for x, y in data:
            step(x, y)
        times.append((time.perf_counter() - start) * 1e3 / len(data))
    return times


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--batches", type=int, default=10)
    parser.add_argument("--cells", nargs="+", default=["SimpleRNN", "LSTM"])
    args = parser.parse_args(argv)
    from threadpoolctl import threadpool_limits

    try:
        import torch
        torch.set_num_threads(1)
    except ImportError:
        torch = None
    data = batches(args.batches)
    with threadpool_limits(1):
        for cell in args.cells:
            ours, our_loss = engine_steps(cell, data, args.repeats)
            line = f"{cell:9s} engine {statistics.median(ours):7.2f} ms/step"
            if torch is not None:
                theirs, their_loss = torch_steps(cell, data, args.repeats)
                t_med, o_med = statistics.median(theirs), statistics.median(ours)
                drift = max(abs(a - b) / max(abs(b), 1e-6) for a, b in zip(our_loss, their_loss))
                line += (f" | torch {t_med:7.2f} ms/step | engine speed {t_med / o_med:4.2f}x"
                         f" | loss agreement: max rel diff {drift:.1e}")
            print(line, flush=True)


if __name__ == "__main__":
    main()
