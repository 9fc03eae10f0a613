"""Shape inference that never takes the designer down.

``engine.graph.infer_shapes`` reports every design problem without raising. If it raises
anyway, that is an engine bug: the editor shows it as a problem of the whole design
instead of crashing, so the person can still undo, save or fix the design.
"""
from __future__ import annotations

from engine.errors import GraphError
from engine.graph import LayerInfo, ShapeReport, infer_shapes
from engine.spec import NetworkSpec


def safe_infer_shapes(spec: NetworkSpec) -> ShapeReport:
    try:
        return infer_shapes(spec)
    except Exception as exc:  # noqa: BLE001  (an engine bug must not crash the editor)
        report = ShapeReport({l.id: LayerInfo(l.id) for l in spec.layers}, [], [])
        report.problems.append(GraphError(f"Shapes cannot be worked out for this design "
                                          f"(internal error: {type(exc).__name__}: {exc})"))
        return report
