"""Automatic left-to-right layout: each layer's column is its longest path from a source."""
from __future__ import annotations

from engine.spec import NetworkSpec

COLUMN_GAP = 240.0
ROW_GAP = 130.0


def layered_layout(spec: NetworkSpec) -> dict[str, tuple[float, float]]:
    """Positions for every layer: columns by depth, rows in design order, centred."""
    depth = _depths(spec)
    columns: dict[int, list[str]] = {}
    for layer in spec.layers:
        columns.setdefault(depth[layer.id], []).append(layer.id)
    positions = {}
    for col, ids in columns.items():
        top = -(len(ids) - 1) * ROW_GAP / 2
        for row, layer_id in enumerate(ids):
            positions[layer_id] = (col * COLUMN_GAP, top + row * ROW_GAP)
    return positions


def _depths(spec: NetworkSpec) -> dict[str, int]:
    """Longest-path depth; layers on a cycle keep the depth they reached (no endless loop)."""
    inputs: dict[str, list[str]] = {l.id: [] for l in spec.layers}
    for e in spec.edges:
        inputs[e.target].append(e.source)
    depth: dict[str, int] = {}
    for layer in spec.layers:
        _iterative_visit(layer.id, inputs, depth)
    return depth


def _iterative_visit(root: str, inputs: dict[str, list[str]], depth: dict[str, int]) -> None:
    """Depth-first without recursion, so a 5000-layer chain does not hit Python's limit."""
    stack = [(root, False)]
    on_path: set[str] = set()
    while stack:
        node, expanded = stack.pop()
        if node in depth and not expanded:
            continue
        if expanded:
            on_path.discard(node)
            depth[node] = max((depth.get(s, 0) + 1 for s in inputs[node]
                               if s in depth), default=0)
            continue
        on_path.add(node)
        stack.append((node, True))
        stack.extend((s, False) for s in inputs[node] if s not in depth and s not in on_path)
