"""Small builders shared by engine tests."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from engine.data.dataset import Dataset
from engine.spec import NetworkSpec


def chain_spec(input_shape, layers, kind="features") -> NetworkSpec:
    """A straight chain: Input -> layers[0] -> layers[1] ...; layers are (type, config)."""
    items = [{"id": "in", "type": "Input", "name": "input",
              "config": {"shape": list(input_shape), "kind": kind}}]
    edges, prev = [], "in"
    for i, (type_name, config) in enumerate(layers):
        lid = f"l{i}"
        items.append({"id": lid, "type": type_name, "name": f"{type_name.lower()}{i}",
                      "config": config})
        edges.append({"from": prev, "to": lid})
        prev = lid
    return NetworkSpec.from_dict({"version": 1, "layers": items, "edges": edges})


def spirals(n=400, seed=0, noise=0.02) -> Dataset:
    rng = np.random.default_rng(seed)
    t = np.sqrt(rng.random(n)) * 3 * np.pi
    cls = rng.integers(0, 2, n)
    x = np.stack([t * np.cos(t + np.pi * cls), t * np.sin(t + np.pi * cls)], 1) / 10
    return Dataset(x + rng.normal(0, noise, x.shape), cls.astype(np.int64), "classification")


def alive(pid: int) -> bool:
    """Whether process ``pid`` runs (a zombie, exited but not yet reaped, does not):
    the sweep tests check that Stop leaves no trial process behind."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"
