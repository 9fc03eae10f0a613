"""Shape inference that never takes the designer down.

``engine.graph.infer_shapes`` is meant not to raise for design problems, but a layer
with no inputs at all is still handed an empty list of shapes, and some layers (Add)
fail on that with an IndexError. While the engine learns to skip such layers, the
designer leaves input-less layers out of inference and reports them itself.
"""
from __future__ import annotations

from engine.errors import ConfigError, GraphError
from engine.graph import LayerInfo, ShapeReport, infer_shapes
from engine.layers import layer_class
from engine.spec import NetworkSpec


def safe_infer_shapes(spec: NetworkSpec) -> ShapeReport:
    try:
        return infer_shapes(spec)
    except Exception:  # noqa: BLE001  (an engine bug must not crash the editor)
        return _infer_without_inputless(spec)


def _needs_input(type_name: str) -> bool:
    try:
        return layer_class(type_name).max_inputs != 0
    except ConfigError:
        return False


def _infer_without_inputless(spec: NetworkSpec) -> ShapeReport:
    fed = {e.target for e in spec.edges}
    dangling = [l for l in spec.layers if l.id not in fed and _needs_input(l.type)]
    gone = {l.id for l in dangling}
    rest = NetworkSpec(tuple(l for l in spec.layers if l.id not in gone),
                       tuple(e for e in spec.edges if e.source not in gone), spec.version)
    try:
        report = infer_shapes(rest)
    except Exception:  # noqa: BLE001
        report = ShapeReport({l.id: LayerInfo(l.id) for l in rest.layers}, [], [])
        report.problems.append(GraphError("Shapes cannot be worked out for this design"))
    for layer in dangling:
        error = GraphError(f"{layer.type} '{layer.name}' has no input: connect a layer to it",
                           layers=(layer.id,))
        report.layers[layer.id] = LayerInfo(layer.id, error=error)
        report.problems.append(error)
    return report
