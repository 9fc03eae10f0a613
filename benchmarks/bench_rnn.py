"""Time per training step of a recurrent network: the engine against PyTorch on the CPU.

One thread each (numpy's BLAS through threadpoolctl, ``torch.set_num_threads(1)``),
float32, the same initial weights and the same batches. The network: Input (T, 8) ->
SimpleRNN, LSTM or GRU (128 units, last step) -> Dense 1; MSE loss; SGD with momentum.

    OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/bench_rnn.py [--repeats 7]

Prints the CPU model, then the median milliseconds per step of each and the speed ratio
(torch time divided by engine time: above 1 the engine is faster), in wall-clock time and
in this process's CPU time (the steadier one on a shared machine), and how closely the
two runs' losses agree. Targets: Elman >= 2x, LSTM >= 1.2x (issue #16; it was 0.8x) (GRU: no target), at
the default 128 units and batch 32; ``--units`` and ``--batch`` try other sizes.
"""
from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import Stopwatch, print_cpu  # noqa: E402
from engine.losses import get_loss  # noqa: E402
from engine.network import Network  # noqa: E402
from engine.optimizers import SGD  # noqa: E402
from engine.spec import NetworkSpec  # noqa: E402

D_IN, HIDDEN, STEPS, BATCH, LR, MOMENTUM = 8, 128, 50, 32, 0.01, 0.9
TORCH_CELLS = {"SimpleRNN": "RNN", "LSTM": "LSTM", "GRU": "GRU"}


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

    rnn = getattr(torch.nn, TORCH_CELLS[cell])(D_IN, HIDDEN, batch_first=True)
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
    # A GRU keeps its n-gate part, the engine's b_hn.
    if cell == "GRU":
        with torch.no_grad():
            rnn.bias_hh_l0[2 * HIDDEN:] = torch.from_numpy(w["rnn/b_hn"])
        mask = torch.zeros(3 * HIDDEN)
        mask[2 * HIDDEN:] = 1
        rnn.bias_hh_l0.register_hook(lambda g: g * mask)
    else:
        rnn.bias_hh_l0.requires_grad_(False)
    return rnn, head


def batches(count: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    return [(rng.normal(size=(BATCH, STEPS, D_IN)).astype(np.float32),
             rng.normal(size=(BATCH, 1)).astype(np.float32)) for _ in range(count)]


def engine_stepper(cell: str, losses: list):
    net = engine_net(cell)
    loss = get_loss("mse")
    opt = SGD(lr=LR, momentum=MOMENTUM).bind(net.flat, net.grad_flat, net.decay_size)

    def step(x, y):
        pred = net.forward(x, training=True)
        value, grad = loss.value_and_grad(pred, y)
        net.backward(grad)
        opt.step()
        losses.append(value)

    return step


def torch_stepper(cell: str, losses: list):
    import torch

    rnn, head = torch_net(cell, engine_net(cell))
    params = [p for p in rnn.parameters() if p.requires_grad] + list(head.parameters())
    opt = torch.optim.SGD(params, lr=LR, momentum=MOMENTUM)
    mse = torch.nn.MSELoss()

    def step(x, y):
        opt.zero_grad(set_to_none=False)
        seq, _ = rnn(torch.from_numpy(x))
        value = mse(head(seq[:, -1]), torch.from_numpy(y))
        value.backward()
        opt.step()
        losses.append(value.item())

    return step


def timed(steppers: dict, data, repeats: int) -> dict[str, dict[str, list[float]]]:
    """Milliseconds per step of each repeat (one pass over ``data``), after a warm-up,
    by clock ("wall", "CPU") and contender. The contenders take turns, so a burst of
    load from elsewhere hits both alike."""
    times: dict[str, dict[str, list[float]]] = {
        clock: {name: [] for name in steppers} for clock in ("wall", "CPU")}
    for step in steppers.values():
        step(*data[0])
    for _ in range(repeats):
        for name, step in steppers.items():
            watch = Stopwatch()
            for x, y in data:
                step(x, y)
            for clock, seconds in zip(("wall", "CPU"), watch.lap()):
                times[clock][name].append(seconds * 1e3 / len(data))
    return times


def main(argv=None) -> None:
    global HIDDEN, BATCH
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--batches", type=int, default=10)
    parser.add_argument("--cells", nargs="+", default=list(TORCH_CELLS), choices=list(TORCH_CELLS))
    parser.add_argument("--units", type=int, default=128, help="hidden units (the target: 128)")
    parser.add_argument("--batch", type=int, default=32, help="batch size (the target: 32)")
    args = parser.parse_args(argv)
    HIDDEN, BATCH = args.units, args.batch
    from threadpoolctl import threadpool_limits

    try:
        import torch
        torch.set_num_threads(1)
    except ImportError:
        torch = None
    print_cpu()
    data = batches(args.batches)
    with threadpool_limits(1):
        for cell in args.cells:
            losses = {"engine": [], "torch": []}
            steppers = {"engine": engine_stepper(cell, losses["engine"])}
            if torch is not None:
                steppers["torch"] = torch_stepper(cell, losses["torch"])
            times = timed(steppers, data, args.repeats)
            drift = None
            if torch is not None:
                drift = max(abs(a - b) / max(abs(b), 1e-6)
                            for a, b in zip(losses["engine"], losses["torch"]))
            for clock, by_run in times.items():
                print(_line(cell, clock, by_run, drift), flush=True)


def _line(cell: str, clock: str, by_run: dict[str, list[float]], drift) -> str:
    ours = statistics.median(by_run["engine"])
    line = (f"{cell:9s} {clock:4s} engine {ours:7.2f} ms/step "
            f"({min(by_run['engine']):.2f}-{max(by_run['engine']):.2f})")
    if "torch" in by_run:
        theirs = statistics.median(by_run["torch"])
        line += (f" | torch {theirs:7.2f} ms/step ({min(by_run['torch']):.2f}-"
                 f"{max(by_run['torch']):.2f}) | engine speed {theirs / ours:4.2f}x"
                 f" | losses agree to {drift:.1e} (relative)")
    return line


if __name__ == "__main__":
    main()
