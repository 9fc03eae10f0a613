"""Graph checks and shape inference over a whole NetworkSpec.

``infer_shapes`` is a pure function, cheap enough to run on every edit: it never raises
for a problem in the design but collects every problem, attributed to its layers, so
the designer can colour each node. ``ShapeReport.raise_first`` turns the first problem
into its typed error for the CLI and the trainer.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .errors import ConfigError, GraphError, NeuroCanvasError, ShapeError
from .layers import Layer, Shape, layer_class
from .spec import EdgeSpec, NetworkSpec


@dataclass
class LayerInfo:
    """What inference learned about one layer. ``output_shape`` is None when unknown:
    either this layer has an ``error`` or something upstream does."""

    id: str
    layer: Layer | None = None
    input_shapes: list[Shape] = field(default_factory=list)
    output_shape: Shape | None = None
    params: int = 0
    error: NeuroCanvasError | None = None


@dataclass
class ShapeReport:
    layers: dict[str, LayerInfo]
    order: list[str]  # topological order of every layer that could be ordered
    problems: list[NeuroCanvasError]
    input_id: str | None = None
    output_id: str | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def total_params(self) -> int:
        return sum(info.params for info in self.layers.values())

    @property
    def output_shape(self) -> Shape | None:
        return self.layers[self.output_id].output_shape if self.output_id else None

    def problems_for(self, layer_id: str) -> list[NeuroCanvasError]:
        return [p for p in self.problems if layer_id in _layers_of(p)]

    def raise_first(self) -> None:
        if self.problems:
            raise self.problems[0]


def _layers_of(problem: NeuroCanvasError) -> tuple[str, ...]:
    if isinstance(problem, GraphError):
        return problem.layers
    return (problem.where,) if problem.where else ()


def infer_shapes(spec: NetworkSpec) -> ShapeReport:
    """Check the graph and infer every layer's output shape and parameter count."""
    infos = {l.id: LayerInfo(l.id) for l in spec.layers}
    problems: list[NeuroCanvasError] = []
    names = {l.id: l.name for l in spec.layers}
    inputs = {l.id: [] for l in spec.layers}
    outputs = {l.id: [] for l in spec.layers}
    for e in spec.edges:
        inputs[e.target].append(e.source)
        outputs[e.source].append(e.target)

    _instantiate(spec, infos, problems)
    input_id = _find_input(spec, names, problems)
    order = _topological_order(spec, inputs, outputs, names, problems)
    bad_fan_in = _check_fan_in(spec, infos, inputs, names, problems)
    reachable = _reachable(input_id, outputs)
    _check_connected(spec, order, inputs, reachable, input_id, names, problems)
    output_id = _find_output(order, outputs, reachable, names, problems)
    for layer_id in order:
        # Layers cut off from the Input are reported above; they have no shape to infer.
        if layer_id not in bad_fan_in and layer_id in reachable:
            _infer_one(infos[layer_id], [infos[i] for i in inputs[layer_id]], problems)
    return ShapeReport(infos, order, problems, input_id, output_id)


def check_network(spec: NetworkSpec) -> ShapeReport:
    """Like infer_shapes, but raise the first problem as its typed error."""
    report = infer_shapes(spec)
    report.raise_first()
    return report


def _instantiate(spec, infos, problems):
    for l in spec.layers:
        try:
            infos[l.id].layer = layer_class(l.type)(l.config, l.name)
        except ConfigError as exc:
            err = ConfigError(exc.message, where=l.id)
            infos[l.id].error = err
            problems.append(err)


def _find_input(spec, names, problems) -> str | None:
    ids = [l.id for l in spec.layers if l.type == "Input"]
    if not ids:
        problems.append(GraphError("The network has no Input layer: add one from the palette"))
        return None
    if len(ids) > 1:
        listed = ", ".join(repr(names[i]) for i in ids)
        problems.append(GraphError(f"The network has {len(ids)} Input layers ({listed}); "
                                   f"it takes one input", layers=tuple(ids)))
    return ids[0]


def _topological_order(spec, inputs, outputs, names, problems) -> list[str]:
    """Kahn's algorithm, stable in the spec's layer order; leftovers lie on cycles."""
    pending = {l.id: len(inputs[l.id]) for l in spec.layers}
    position = {l.id: i for i, l in enumerate(spec.layers)}
    ready = [l.id for l in spec.layers if pending[l.id] == 0]
    order = []
    while ready:
        ready.sort(key=position.__getitem__)
        node = ready.pop(0)
        order.append(node)
        for nxt in outputs[node]:
            pending[nxt] -= 1
            if pending[nxt] == 0:
                ready.append(nxt)
    placed = set(order)
    stuck = [l.id for l in spec.layers if l.id not in placed]
    if stuck:
        listed = ", ".join(repr(names[i]) for i in stuck)
        problems.append(GraphError(f"Layers {listed} form a cycle (or hang off one): "
                                   f"data must flow one way", layers=tuple(stuck)))
    return order


def _check_fan_in(spec, infos, inputs, names, problems) -> set[str]:
    bad = set()
    for l in spec.layers:
        cls = infos[l.id].layer.__class__ if infos[l.id].layer else None
        if cls is None:
            continue
        n, label = len(inputs[l.id]), f"{l.type} '{l.name}'"
        sources = ", ".join(repr(names[s]) for s in inputs[l.id])
        message = None
        if cls.max_inputs == 0 and n:
            message = f"{label} cannot receive data: remove the edge from {sources}"
        elif cls.max_inputs == 1 and n > 1:
            message = (f"{label} takes one input but {n} are connected ({sources}): "
                       f"join them with Add or Concatenate first")
        elif n and n < cls.min_inputs:
            message = f"{label} needs at least {cls.min_inputs} inputs but has {n}"
        if message:
            bad.add(l.id)
            problems.append(GraphError(message, layers=(l.id,)))
    return bad


def _reachable(input_id, outputs) -> set[str]:
    seen, stack = set(), [input_id] if input_id else []
    while stack:
        node = stack.pop()
        if node not in seen:
            seen.add(node)
            stack.extend(outputs[node])
    return seen


def _check_connected(spec, order, inputs, reachable, input_id, names, problems):
    if input_id is None:
        return
    for l in spec.layers:
        if l.type == "Input" or l.id in reachable:
            continue
        if not inputs[l.id]:
            msg = f"{l.type} '{l.name}' has no input: connect a layer to it"
        else:
            msg = f"{l.type} '{l.name}' is not connected to the Input"
        problems.append(GraphError(msg, layers=(l.id,)))


def _find_output(order, outputs, reachable, names, problems) -> str | None:
    sinks = [i for i in order if i in reachable and not outputs[i]]
    if len(sinks) > 1:
        listed = ", ".join(repr(names[i]) for i in sinks)
        problems.append(GraphError(f"The network has {len(sinks)} outputs ({listed}); it "
                                   f"has one output: join the branches or remove one",
                                   layers=tuple(sinks)))
        return None
    if len(sinks) == 1 and len(reachable) == 1:
        problems.append(GraphError("The network has only an Input: add layers after it",
                                   layers=tuple(sinks)))
    return sinks[0] if sinks else None


def _infer_one(info: LayerInfo, upstream: list[LayerInfo], problems) -> None:
    if info.layer is None or any(u.output_shape is None for u in upstream):
        return  # a config error here, or an unknown shape upstream: nothing to add
    shapes = [u.output_shape for u in upstream]
    try:
        info.output_shape = info.layer.output_shape(shapes)
        info.input_shapes = shapes
        info.params = info.layer.param_count(shapes)
    except ShapeError as exc:
        err = ShapeError(exc.message, layer=info.id)
        info.error = err
        problems.append(err)


# ---- connection rules (asked while the user drags an edge) ---------------------------
def check_connect(spec: NetworkSpec, source: str, target: str,
                  check_shapes: bool = True) -> None:
    """Raise GraphError (or ShapeError) saying why data cannot flow ``source -> target``;
    ``check_shapes=False`` asks only about the graph (self-loops, fan-in, cycles)."""
    try:
        src, dst = spec.layer(source), spec.layer(target)
    except KeyError:
        raise GraphError("That layer no longer exists") from None
    if source == target:
        raise GraphError("A layer cannot feed itself", layers=(source,))
    if any(e.source == source and e.target == target for e in spec.edges):
        raise GraphError(f"'{src.name}' already feeds '{dst.name}'", layers=(target,))
    cls = layer_class(dst.type)  # ConfigError for an unknown type
    if cls.max_inputs == 0:
        raise GraphError(f"{dst.type} '{dst.name}' takes no inputs: data starts here",
                         layers=(target,))
    if _flows(spec, target, source):
        raise GraphError(f"Connecting '{src.name}' to '{dst.name}' would make a loop: data "
                         f"must flow one way", layers=(source, target))
    current = spec.inputs_of(target)
    if cls.max_inputs is not None and len(current) >= cls.max_inputs:
        names = ", ".join(repr(spec.layer(i).name) for i in current)
        raise GraphError(f"{dst.type} '{dst.name}' takes {cls.max_inputs} input and already "
                         f"receives {names}: remove that edge first, or merge with Add or "
                         f"Concatenate", layers=(target,))
    if check_shapes:
        candidate = NetworkSpec(spec.layers, spec.edges + (EdgeSpec(source, target),),
                                spec.version)
        info = infer_shapes(candidate).layers.get(target)
        if info is not None and isinstance(info.error, ShapeError):
            raise info.error


def can_connect(spec: NetworkSpec, source: str, target: str,
                check_shapes: bool = True) -> str | None:
    """The boolean probe for hovering: None when the edge may be added, else why not."""
    try:
        check_connect(spec, source, target, check_shapes)
    except NeuroCanvasError as exc:
        return exc.message
    return None


def _flows(spec: NetworkSpec, start: str, goal: str) -> bool:
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
