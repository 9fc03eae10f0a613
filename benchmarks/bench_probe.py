"""What looking inside costs: a probe snapshot against a training step, and training
throughput with probing every 200 ms against none.

For the digits MLP, the CNN and the LSTM forecaster examples (and the spirals MLP with
a live 100x100 decision map): the median time of a training step at the example's
batch size, the median time of a snapshot of a 64-sample probe batch (plus the health
assessment), their ratio, and samples per second while training headless and while
probing as the designer does (``Probe.poll`` after every batch, snapshots at most every
200 ms and at most 5% of the time). Runs alternate, medians of the repeats.

    OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/bench_probe.py [--seconds 3] [--repeats 3]

Target: throughput with probing at least 85% of headless.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.common import single_thread  # noqa: E402
from engine.data import prepare  # noqa: E402
from engine.events import BatchEnd  # noqa: E402
from engine.insights import BoundaryGrid, Probe, assess, probe_batch  # noqa: E402
from engine.network import Network  # noqa: E402
from engine.project import load_project  # noqa: E402
from engine.run import train  # noqa: E402

EXAMPLES = (("digits MLP", "digits_mlp", False), ("CNN", "cnn_digits", False),
            ("LSTM", "lstm_forecast", False), ("spirals + map", "spirals", True))


def load(name: str):
    project = load_project(ROOT / "resources" / "examples" / f"{name}.ncproj")
    data = prepare(project.data, seed=0)
    settings = {**project.training, "epochs": 100_000, "schedule": "constant"}
    return project.spec, data, settings


def make_probe(net, data, boundary: bool, every_ms=200.0):
    x, y, _ = probe_batch(data.train, 64)
    grid = BoundaryGrid(data.train.x, 100) if boundary else None
    return Probe(net, x, y, task=data.train.task, every_ms=every_ms, boundary=grid)


def step_seconds(spec, data, settings, steps=60) -> float:
    """Median seconds between batch ends (forward, backward, optimizer step)."""
    net, times, last = Network(spec, seed=0), [], None
    for event in train(net, data.train, None, settings):
        if isinstance(event, BatchEnd):
            now = time.perf_counter()
            if last is not None:
                times.append(now - last)
            last = now
            if len(times) >= steps:
                break
    return statistics.median(times[10:])


def snapshot_seconds(spec, data, boundary: bool, count=15) -> float:
    net = Network(spec, seed=0)
    probe = make_probe(net, data, boundary)
    times = []
    for i in range(count + 3):
        start = time.perf_counter()
        assess(probe.snapshot(i))
        times.append(time.perf_counter() - start)
    return statistics.median(times[3:])


def throughput(spec, data, settings, seconds: float, probed: bool, boundary: bool):
    """Samples per second over ``seconds`` of training (and snapshots taken)."""
    net = Network(spec, seed=0)
    probe = make_probe(net, data, boundary) if probed else None
    snaps, start, samples, previous = 0, time.perf_counter(), 0, None
    for event in train(net, data.train, None, settings):
        if isinstance(event, BatchEnd):
            samples = event.samples
            if probe is not None:
                snap = probe.poll(event.step)
                if snap is not None:
                    assess(snap, previous, event.lr)
                    previous, snaps = snap, snaps + 1
            if time.perf_counter() - start >= seconds:
                break
    return samples / (time.perf_counter() - start), snaps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    single_thread()
    print(f"{'example':14s} {'step':>9s} {'snapshot':>9s} {'ratio':>6s} "
          f"{'headless/s':>11s} {'probed/s':>9s} {'kept':>6s} {'snaps':>6s}")
    for title, name, boundary in EXAMPLES:
        try:
            spec, data, settings = load(name)
        except Exception as exc:  # noqa: BLE001 - an example missing here is not fatal
            print(f"{title:14s} skipped: {exc}")
            continue
        step = step_seconds(spec, data, settings)
        snap = snapshot_seconds(spec, data, boundary)
        plain, probed, counts = [], [], []
        for i in range(2 * args.repeats):  # alternating, so drift hits both alike
            rate, n = throughput(spec, data, settings, args.seconds, i % 2 == 1, boundary)
            (probed if i % 2 else plain).append(rate)
            if i % 2:
                counts.append(n)
        p, q = statistics.median(plain), statistics.median(probed)
        print(f"{title:14s} {step * 1e3:7.2f}ms {snap * 1e3:7.2f}ms {snap / step:5.1f}x "
              f"{p:11.0f} {q:9.0f} {100 * q / p:5.1f}% {statistics.median(counts):6.0f}")


if __name__ == "__main__":
    main()
