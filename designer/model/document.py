"""The design being edited: layers, edges, node positions and the project's other fields.

``NetworkDocument`` is the one source of truth. Only undo commands (designer/commands.py)
call its mutating methods; the canvas, inspector and summary listen to its signals.
Shape inference is lazy: a mutation marks the report stale and a zero-delay timer
recomputes it once per burst of edits (a layer removal with five edges is one
inference, not six), then ``report_changed`` fires.
"""
from __future__ import annotations

import copy
import re
from dataclasses import replace

from PySide6.QtCore import QObject, QTimer, Signal

from engine.graph import ShapeReport
from engine.project import Project

from .inference import safe_infer_shapes
from engine.spec import EdgeSpec, LayerSpec, NetworkSpec, design_fingerprint

Position = tuple[float, float]


# The fields a run fills in (one undo step, one signal).
RESULT_FIELDS = ("weights", "history", "preprocessing", "checkpoint")


class NetworkDocument(QObject):
    node_added = Signal(str)            # layer id
    node_removed = Signal(str)          # layer id
    node_moved = Signal(str)            # layer id
    config_changed = Signal(str)        # layer id (settings or name)
    edge_added = Signal(str, str)       # source id, target id
    edge_removed = Signal(str, str)
    design_changed = Signal()           # any of the above
    report_changed = Signal()           # shape inference is fresh again
    document_reset = Signal()           # a whole new design was loaded
    project_changed = Signal(str)       # a project field: data, training, name, results

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._layers: list[LayerSpec] = []
        self._index: dict[str, int] = {}
        self._positions: dict[str, Position] = {}
        self._edges: list[EdgeSpec] = []
        # The engine's Project: data, settings, results, checkpoint, name. Its spec and
        # layout stay empty: the design lives in the lists above (``snapshot`` joins them).
        self.project = Project(NetworkSpec())
        self._report: ShapeReport | None = None
        self._spec: NetworkSpec | None = None
        self._fingerprint: str | None = None
        self._report_stale = False  # an edit happened since report_changed last fired
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(0)
        self._refresh_timer.timeout.connect(self.refresh_report)

    # ---- queries -------------------------------------------------------------------
    @property
    def layers(self) -> list[LayerSpec]:
        return list(self._layers)

    @property
    def edges(self) -> list[EdgeSpec]:
        return list(self._edges)

    def layer_ids(self) -> list[str]:
        return [layer.id for layer in self._layers]

    def has_layer(self, layer_id: str) -> bool:
        return layer_id in self._index

    def layer(self, layer_id: str) -> LayerSpec:
        return self._layers[self._index[layer_id]]

    def layer_index(self, layer_id: str) -> int:
        return self._index[layer_id]

    def position(self, layer_id: str) -> Position:
        return self._positions.get(layer_id, (0.0, 0.0))

    def positions(self) -> dict[str, Position]:
        return dict(self._positions)

    def has_edge(self, source: str, target: str) -> bool:
        return EdgeSpec(source, target) in self._edges

    def edge_index(self, source: str, target: str) -> int:
        return self._edges.index(EdgeSpec(source, target))

    def edges_of(self, layer_id: str) -> list[EdgeSpec]:
        return [e for e in self._edges if layer_id in (e.source, e.target)]

    def spec(self) -> NetworkSpec:
        """An immutable snapshot of the design (cached until the next edit)."""
        if self._spec is None:
            self._spec = NetworkSpec(tuple(self._layers), tuple(self._edges))
        return self._spec

    @property
    def report(self) -> ShapeReport:
        """Shape inference for the current design, computed on demand."""
        if self._report is None:
            self._report = safe_infer_shapes(self.spec())
        return self._report

    def new_layer_id(self, type_name: str, also_taken=()) -> str:
        """An unused id such as ``dense_3`` (also used as the layer's first name)."""
        stem = re.sub(r"[^a-z0-9]+", "_", type_name.lower()).strip("_") or "layer"
        taken = set(self._index) | {layer.name for layer in self._layers} | set(also_taken)
        n = 1
        while f"{stem}_{n}" in taken:
            n += 1
        return f"{stem}_{n}"

    # ---- mutations (called by undo commands only) ----------------------------------
    def insert_layer(self, index: int, layer: LayerSpec, position: Position) -> None:
        if layer.id in self._index:
            raise ValueError(f"layer id {layer.id!r} is already in the design")
        index = max(0, min(index, len(self._layers)))
        self._layers.insert(index, layer)
        self._positions[layer.id] = (float(position[0]), float(position[1]))
        self._reindex()
        self._changed()
        self.node_added.emit(layer.id)

    def remove_layer(self, layer_id: str) -> tuple[int, LayerSpec, Position]:
        """Remove a layer that has no edges; returns what re-inserting it needs."""
        if self.edges_of(layer_id):
            raise ValueError(f"layer {layer_id!r} still has edges")
        index = self._index[layer_id]
        layer = self._layers.pop(index)
        position = self._positions.pop(layer_id)
        self._reindex()
        self._changed()
        self.node_removed.emit(layer_id)
        return index, layer, position

    def replace_layer(self, layer: LayerSpec) -> None:
        """Swap in new settings or a new name for an existing layer (same id)."""
        self._layers[self._index[layer.id]] = layer
        self._changed()
        self.config_changed.emit(layer.id)

    def move_layer(self, layer_id: str, position: Position) -> None:
        self._positions[layer_id] = (float(position[0]), float(position[1]))
        self.node_moved.emit(layer_id)

    def insert_edge(self, index: int, edge: EdgeSpec) -> None:
        if edge in self._edges:
            raise ValueError(f"edge {edge.source} -> {edge.target} already exists")
        for end in (edge.source, edge.target):
            if end not in self._index:
                raise ValueError(f"no layer {end!r}")
        self._edges.insert(max(0, min(index, len(self._edges))), edge)
        self._changed()
        self.edge_added.emit(edge.source, edge.target)

    def remove_edge(self, source: str, target: str) -> int:
        index = self.edge_index(source, target)
        del self._edges[index]
        self._changed()
        self.edge_removed.emit(source, target)
        return index

    def reset(self, spec: NetworkSpec, positions: dict[str, Position],
              project: Project | None = None) -> None:
        """Load a whole design (new / open) with the rest of ``project`` (its own spec
        and layout are not read); not undoable, the editor clears the stack."""
        self._layers = list(spec.layers)
        self._edges = list(spec.edges)
        self._positions = {l.id: tuple(map(float, positions.get(l.id, (0.0, 0.0))))
                           for l in spec.layers}
        fields = copy.deepcopy(replace(project, spec=NetworkSpec(), layout={})) \
            if project is not None else Project(NetworkSpec())
        if fields.weights is not None and fields.trained_design is None:
            # Weights from before the design was recorded: taken as this design's.
            fields.preprocessing = {**(fields.preprocessing or {}),
                                    "design": design_fingerprint(spec)}
        self.project = fields
        self._reindex()
        self._changed()
        self.document_reset.emit()

    def set_field(self, name: str, value) -> None:
        """Replace one project field (data, training, name, or a results field)."""
        setattr(self.project, name, copy.deepcopy(value))
        self.project_changed.emit("results" if name in RESULT_FIELDS else name)

    def set_results(self, results: dict) -> None:
        """Weights, history, preprocessing (with the trained design's fingerprint) and
        the checkpoint together (one signal)."""
        for name in RESULT_FIELDS:
            setattr(self.project, name, results.get(name))
        self.project.history = list(self.project.history or [])
        self.project_changed.emit("results")

    def results(self) -> dict:
        return {name: getattr(self.project, name) for name in RESULT_FIELDS}

    def snapshot(self) -> Project:
        """The whole project as it stands: the design and layout with the rest."""
        return replace(self.project, spec=self.spec(), layout=self.positions())

    @property
    def weights_stale(self) -> bool:
        """Weights exist but the design changed since they were trained."""
        return (self.project.weights is not None
                and self.project.trained_design != self.fingerprint())

    def fingerprint(self) -> str:
        """design_fingerprint of the current design (cached until the next edit)."""
        if self._fingerprint is None:
            self._fingerprint = design_fingerprint(self.spec())
        return self._fingerprint

    @property
    def trained(self) -> bool:
        return self.project.weights is not None and not self.weights_stale

    def refresh_report(self) -> None:
        """Recompute shape inference now if an edit made it stale, and announce it."""
        self._refresh_timer.stop()
        if self._report_stale:
            self._report_stale = False
            self.report  # noqa: B018  (compute before listeners read it)
            self.report_changed.emit()

    # ---- internals -----------------------------------------------------------------
    def _reindex(self) -> None:
        self._index = {layer.id: i for i, layer in enumerate(self._layers)}

    def _changed(self) -> None:
        self._spec = None
        self._fingerprint = None
        self._report = None
        self._report_stale = True
        self._refresh_timer.start()
        self.design_changed.emit()
