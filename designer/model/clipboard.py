"""Copy and paste of design fragments: selected layers with the edges among them.

A fragment is plain JSON (it travels through the system clipboard under ``MIME_TYPE``);
pasting gives every layer a fresh id and name so it never clashes with the design.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from engine.errors import NeuroCanvasError
from engine.project import canvas_coordinate
from engine.spec import EdgeSpec, LayerSpec, NetworkSpec

MIME_TYPE = "application/x-neurocanvas-layers"


@dataclass
class Fragment:
    layers: list[LayerSpec]
    edges: list[EdgeSpec]
    positions: dict[str, tuple[float, float]]


def copy_fragment(spec: NetworkSpec, ids: list[str],
                  positions: dict[str, tuple[float, float]]) -> str:
    """JSON text for the chosen layers and the edges that run between them."""
    chosen = set(ids)
    sub = NetworkSpec(tuple(l for l in spec.layers if l.id in chosen),
                      tuple(e for e in spec.edges if e.source in chosen and e.target in chosen))
    data = sub.to_dict()
    data["positions"] = {i: list(positions.get(i, (0.0, 0.0))) for i in chosen}
    return json.dumps(data)


def parse_fragment(text: str) -> Fragment | None:
    """The fragment in this text, or None if it is not one (pasting junk does nothing)."""
    try:
        data = json.loads(text)
        spec = NetworkSpec.from_dict(data, where="clipboard")
        raw = data.get("positions", {})
        positions = {l.id: (canvas_coordinate(raw[l.id][0]), canvas_coordinate(raw[l.id][1]))
                     if l.id in raw else (0.0, 0.0) for l in spec.layers}
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, NeuroCanvasError):
        return None
    return Fragment(list(spec.layers), list(spec.edges), positions)


def renamed_fragment(fragment: Fragment, new_id, offset: tuple[float, float]) -> Fragment:
    """The fragment with fresh ids (``new_id(type_name, taken)``) and shifted positions."""
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    layers = []
    for layer in fragment.layers:
        fresh = new_id(layer.type, taken)
        taken.add(fresh)
        mapping[layer.id] = fresh
        layers.append(LayerSpec(fresh, layer.type, fresh, dict(layer.config)))
    edges = [EdgeSpec(mapping[e.source], mapping[e.target]) for e in fragment.edges]
    positions = {mapping[i]: (x + offset[0], y + offset[1])
                 for i, (x, y) in fragment.positions.items()}
    return Fragment(layers, edges, positions)
