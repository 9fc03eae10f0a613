"""Shape inference over a whole design, as run on every edit: 500-layer chains and a
branchy 500-layer design (residual Add blocks).

    .venv/bin/python benchmarks/bench_shapes.py
"""
from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.graph import infer_shapes  # noqa: E402
from engine.spec import NetworkSpec  # noqa: E402


def chain(n: int) -> NetworkSpec:
    layers = [{"id": "in", "type": "Input", "config": {"shape": [32]}}]
    edges, prev = [], "in"
    for i in range(n - 1):
        kind = ("Dense", {"units": 32}) if i % 2 == 0 else ("Dropout", {"rate": 0.1})
        layers.append({"id": f"l{i}", "type": kind[0], "config": kind[1]})
        edges.append({"from": prev, "to": f"l{i}"})
        prev = f"l{i}"
    return NetworkSpec.from_dict({"version": 1, "layers": layers, "edges": edges})


def residual(n_blocks: int) -> NetworkSpec:
    layers = [{"id": "in", "type": "Input", "config": {"shape": [32]}}]
    edges, prev = [], "in"
    for b in range(n_blocks):
        a, c, add = f"a{b}", f"c{b}", f"add{b}"
        layers += [{"id": a, "type": "Dense", "config": {"units": 32}},
                   {"id": c, "type": "Dense", "config": {"units": 32}},
                   {"id": add, "type": "Add", "config": {}}]
        edges += [{"from": prev, "to": a}, {"from": a, "to": c}, {"from": c, "to": add},
                  {"from": prev, "to": add}]
        prev = add
    return NetworkSpec.from_dict({"version": 1, "layers": layers, "edges": edges})


def median_ms(spec: NetworkSpec, repeats: int = 50) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        report = infer_shapes(spec)
        times.append((time.perf_counter() - t0) * 1000)
    assert report.ok, report.problems
    return statistics.median(times)


def main() -> None:
    for title, spec in (("chain of 500 layers", chain(500)),
                        ("166 residual blocks (499 layers, 664 edges)", residual(166))):
        print(f"{title}: infer_shapes {median_ms(spec):.2f} ms (median of 50; target well "
              f"under 10 ms)")


if __name__ == "__main__":
    main()
