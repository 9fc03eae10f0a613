"""Connection rules: may data flow from one layer into another? (a boolean probe with a reason)

``connect_problem`` answers while the user drags an edge over a port, so it must not
raise: it returns None when the edge is fine and a sentence for people when it is not.
It runs shape inference on the candidate design, like Orange's ``can_connect``.
"""
from __future__ import annotations

from engine.errors import ConfigError, ShapeError
from .inference import safe_infer_shapes
from engine.layers import layer_class
from engine.spec import EdgeSpec, NetworkSpec


def connect_problem(spec: NetworkSpec, source: str, target: str,
                    check_shapes: bool = True) -> str | None:
    """Why the edge ``source -> target`` cannot be added, or None when it can.

    ``check_shapes=False`` asks only about the graph (self-loops, fan-in, cycles)."""
    try:
        src, dst = spec.layer(source), spec.layer(target)
    except KeyError:
        return "That layer no longer exists"
    if source == target:
        return "A layer cannot feed itself"
    if EdgeSpec(source, target) in spec.edges:
        return f"'{src.name}' already feeds '{dst.name}'"
    if _takes_no_inputs(dst):
        return f"{dst.type} '{dst.name}' takes no inputs: data starts here"
    if _reaches(spec, target, source):
        return f"Connecting '{src.name}' to '{dst.name}' would make a loop: data must flow one way"
    reason = _fan_in_problem(spec, dst)
    if reason:
        return reason
    return _shape_problem(spec, source, target) if check_shapes else None


def _takes_no_inputs(dst) -> bool:
    try:
        return layer_class(dst.type).max_inputs == 0
    except ConfigError:
        return False


def _fan_in_problem(spec: NetworkSpec, dst) -> str | None:
    try:
        cls = layer_class(dst.type)
    except ConfigError as exc:
        return exc.message
    current = spec.inputs_of(dst.id)
    if cls.max_inputs is not None and len(current) >= cls.max_inputs:
        names = ", ".join(repr(spec.layer(i).name) for i in current)
        return (f"{dst.type} '{dst.name}' takes {cls.max_inputs} input and already receives "
                f"{names}: remove that edge first, or merge with Add or Concatenate")
    return None


def _reaches(spec: NetworkSpec, start: str, goal: str) -> bool:
    """Does data already flow from ``start`` to ``goal``? (then goal -> start closes a loop)"""
    outputs: dict[str, list[str]] = {}
    for e in spec.edges:
        outputs.setdefault(e.source, []).append(e.target)
    seen, stack = set(), [start]
    while stack:
        node = stack.pop()
        if node == goal:
            return True
        if node not in seen:
            seen.add(node)
            stack.extend(outputs.get(node, ()))
    return False


def _shape_problem(spec: NetworkSpec, source: str, target: str) -> str | None:
    """The target's shape error in the candidate design, if connecting causes one."""
    candidate = NetworkSpec(spec.layers, spec.edges + (EdgeSpec(source, target),), spec.version)
    info = safe_infer_shapes(candidate).layers.get(target)
    if info is None:
        return None
    if isinstance(info.error, ShapeError):
        return info.error.message
    return None
