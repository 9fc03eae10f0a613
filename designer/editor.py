"""The editor: owns the undo stack and is the only code that pushes commands.

Views call its verbs (add, connect, delete, set a setting ...); each verb checks the
request, builds one command (or one macro: one user gesture is one undo step) and pushes
it. Requests that cannot be honoured return a reason for people instead of raising.
The editor also keeps the selection, which the canvas, inspector and summary share.
"""
from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from engine.errors import ConfigError
from engine.layers import layer_class
from engine.project import Project
from engine.settings import TRAINING_SCHEMA
from engine.spec import LayerSpec, NetworkSpec

from . import style
from .commands import (AddEdgeCommand, AddLayerCommand, MacroCommand, MoveLayersCommand,
                       RemoveEdgeCommand, RemoveLayerCommand, RenameLayerCommand,
                       SetSettingCommand)
from .project_commands import SetProjectFieldCommand, SetResultsCommand, SetTrainingSettingCommand
from .model.clipboard import copy_fragment, parse_fragment, renamed_fragment
from .model.document import NetworkDocument, Position
from .model.layout import layered_layout
from engine.graph import can_connect

FOLLOW_GAP = 260.0  # how far right of its source a double-clicked layer lands
NODE_MARGIN = 16.0  # the least room between two nodes a new one is placed beside


class Editor(QObject):
    selection_changed = Signal(list)  # layer ids
    lock_changed = Signal(str)  # why editing is blocked ("" when it is allowed again)

    def __init__(self, document: NetworkDocument | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.doc = document or NetworkDocument(self)
        self.stack = QUndoStack(self)
        self._selection: list[str] = []
        self._lock_reason = ""
        self.doc.node_removed.connect(self._forget_removed)
        self.doc.document_reset.connect(lambda: self.set_selection([]))

    # ---- locking (while a training run uses the design) -----------------------------
    @property
    def locked(self) -> str:
        """Why edits are refused right now, or "" when they are allowed."""
        return self._lock_reason

    def set_locked(self, reason: str) -> None:
        if reason != self._lock_reason:
            self._lock_reason = reason
            self.lock_changed.emit(reason)

    def _push(self, command) -> bool:
        """Every edit goes through here: refused (nothing changes) while locked."""
        if self._lock_reason:
            return False
        self.stack.push(command)
        return True

    def undo(self) -> None:
        if not self._lock_reason:
            self.stack.undo()

    def redo(self) -> None:
        if not self._lock_reason:
            self.stack.redo()

    # ---- selection -----------------------------------------------------------------
    @property
    def selection(self) -> list[str]:
        return list(self._selection)

    def set_selection(self, ids: list[str]) -> None:
        ids = [i for i in dict.fromkeys(ids) if self.doc.has_layer(i)]
        if ids != self._selection:
            self._selection = ids
            self.selection_changed.emit(list(ids))

    def _forget_removed(self, layer_id: str) -> None:
        if layer_id in self._selection:
            self.set_selection([i for i in self._selection if i != layer_id])

    # ---- layers --------------------------------------------------------------------
    def add_layer(self, type_name: str, position: Position, after: str | None = None) -> str:
        """Add a layer with default settings; with ``after``, connect it from that layer."""
        if self._lock_reason:
            return ""
        layer = self._new_layer(type_name)
        position = self.free_position(position)
        if after is not None:
            # Connect unless the graph forbids it; a shape mismatch is still connected so
            # the node shows the problem (e.g. "add a Flatten before it") in its colour.
            candidate = NetworkSpec(self.doc.spec().layers + (layer,), self.doc.spec().edges)
            if can_connect(candidate, after, layer.id, check_shapes=False):
                after = None
        macro = MacroCommand(f"Add {type_name}")
        AddLayerCommand(self.doc, layer, position, parent=macro)
        if after is not None:
            AddEdgeCommand(self.doc, after, layer.id, parent=macro)
        self._push(macro)
        self.set_selection([layer.id])
        return layer.id

    def free_position(self, position: Position, ignore=()) -> Position:
        """``position``, or below it where a new node overlaps none (a drop on a node,
        a double-click after a layer whose right is taken by a branch); the ``ignore``d
        layers are about to move."""
        x, y = map(float, position)
        taken = [p for i, p in self.doc.positions().items() if i not in ignore]
        step = style.NODE_HEIGHT + NODE_MARGIN

        def overlaps(y_: float) -> bool:
            return any(abs(px - x) < style.NODE_WIDTH + NODE_MARGIN and
                       abs(py - y_) < step for px, py in taken)
        while overlaps(y):
            y += step
        return x, y

    def add_layer_after_selection(self, type_name: str) -> str:
        """Palette double-click: place the layer right of the selected one and connect
        it; in the middle of a chain it goes between the selection and the next layer
        (the chain stays one chain), and the layers after it move right to make room."""
        after = self._selection[-1] if self._selection else None
        if after is None:
            xs = [p for p in self.doc.positions().values()]
            position = (max((p[0] for p in xs), default=-FOLLOW_GAP) + FOLLOW_GAP, 0.0)
            return self.add_layer(type_name, position)
        x, y = self.doc.position(after)
        following = self.doc.spec().outputs_of(after)
        if len(following) == 1:
            return self.insert_into_edge(type_name, after, following[0], (x + FOLLOW_GAP, y),
                                         make_room=True) or ""
        return self.add_layer(type_name, (x + FOLLOW_GAP, y), after=after)

    def insert_into_edge(self, type_name: str, source: str, target: str,
                         position: Position, make_room: bool = False) -> str | None:
        """Drop a layer on an edge: source -> new -> target, keeping the target's input
        order. ``make_room``: the target and what follows it move right where the new
        layer would overlap them (one undo step with the insertion)."""
        if self._lock_reason or not self.doc.has_edge(source, target):
            return None
        layer = self._new_layer(type_name)
        index = self.doc.edge_index(source, target)
        macro = MacroCommand(f"Insert {type_name}")
        if make_room:
            moving = self._make_room(target, position[0] + FOLLOW_GAP, macro)
            position = self.free_position(position, ignore=moving)
        RemoveEdgeCommand(self.doc, source, target, parent=macro)
        AddLayerCommand(self.doc, layer, position, parent=macro)
        AddEdgeCommand(self.doc, layer.id, target, index=index, parent=macro)
        AddEdgeCommand(self.doc, source, layer.id, parent=macro)
        self._push(macro)
        self.set_selection([layer.id])
        return layer.id

    def _make_room(self, start: str, x: float, macro) -> set[str]:
        """Move ``start`` and every layer after it right so ``start`` is at ``x`` or
        beyond, as a child of ``macro``; returns the layers moved."""
        shift = x - self.doc.position(start)[0]
        if shift <= 0:
            return set()
        spec, seen, stack = self.doc.spec(), set(), [start]
        while stack:
            node = stack.pop()
            if node not in seen:
                seen.add(node)
                stack.extend(spec.outputs_of(node))
        moves = {i: (self.doc.position(i), (self.doc.position(i)[0] + shift,
                                            self.doc.position(i)[1])) for i in seen}
        MoveLayersCommand(self.doc, moves, parent=macro)
        return seen

    def delete(self, layer_ids: list[str], edges: list[tuple[str, str]] = ()) -> None:
        layer_ids = [i for i in layer_ids if self.doc.has_layer(i)]
        edges = [e for e in edges if self.doc.has_edge(*e)
                 and e[0] not in layer_ids and e[1] not in layer_ids]
        if not layer_ids and not edges:
            return
        parts = []
        if layer_ids:
            parts.append(f"{len(layer_ids)} layer" + ("s" if len(layer_ids) != 1 else ""))
        if edges:
            parts.append(f"{len(edges)} edge" + ("s" if len(edges) != 1 else ""))
        macro = MacroCommand("Delete " + " and ".join(parts))
        for source, target in edges:
            RemoveEdgeCommand(self.doc, source, target, parent=macro)
        for layer_id in layer_ids:
            RemoveLayerCommand(self.doc, layer_id, parent=macro)
        self._push(macro)

    def move(self, moves: dict[str, tuple[Position, Position]]) -> None:
        """One finished drag: {id: (old position, new position)}."""
        moves = {i: (old, new) for i, (old, new) in moves.items()
                 if self.doc.has_layer(i) and old != new}
        if moves:
            self._push(MoveLayersCommand(self.doc, moves))

    def arrange(self) -> None:
        """Automatic left-to-right layout, as one undo step."""
        target = layered_layout(self.doc.spec())
        moves = {i: (self.doc.position(i), pos) for i, pos in target.items()}
        moves = {i: m for i, m in moves.items() if m[0] != m[1]}
        if moves:
            self._push(MoveLayersCommand(self.doc, moves, text="Arrange layers"))

    # ---- edges ---------------------------------------------------------------------
    def connect_problem(self, source: str, target: str) -> str | None:
        return can_connect(self.doc.spec(), source, target)

    def structural_problem(self, source: str, target: str) -> str | None:
        """The cheap part of connect_problem (no shape inference), for many ports at once."""
        return can_connect(self.doc.spec(), source, target, check_shapes=False)

    def connect(self, source: str, target: str) -> str | None:
        """Add the edge, or return why it cannot be added (nothing changes then)."""
        problem = self._lock_reason or self.connect_problem(source, target)
        if problem is None:
            self._push(AddEdgeCommand(self.doc, source, target))
        return problem

    def disconnect(self, source: str, target: str) -> None:
        if self.doc.has_edge(source, target):
            self._push(RemoveEdgeCommand(self.doc, source, target))

    # ---- settings ------------------------------------------------------------------
    def settings_problem(self, layer_id: str, changes: dict) -> str | None:
        """Why these values cannot be set together, or None (schema and cross-setting checks)."""
        layer = self.doc.layer(layer_id)
        owner = f"{layer.type} '{layer.name}'"
        try:
            cls = layer_class(layer.type)
            checked = {key: cls.schema.get(key).validate(value, owner=owner)
                       for key, value in changes.items()}
            cls({**layer.config, **checked}, layer.name)
        except ConfigError as exc:
            return exc.message
        except KeyError as exc:
            return f"{owner} has no setting {exc.args[0]!r}"
        return None

    def set_setting(self, layer_id: str, key: str, value) -> str | None:
        """Set one setting, or return why not. Edits of one field in a row merge."""
        return self.set_settings(layer_id, {key: value})

    def set_settings(self, layer_id: str, changes: dict) -> str | None:
        """Set settings that only make sense together (an Input's kind and shape) as one
        step, or return why not; nothing changes then."""
        if self._lock_reason:
            return self._lock_reason
        if not self.doc.has_layer(layer_id):
            return "That layer no longer exists"
        problem = self.settings_problem(layer_id, changes)
        if problem:
            return problem
        layer = self.doc.layer(layer_id)
        schema = layer_class(layer.type).schema
        changed = {}
        for key, value in changes.items():
            value = schema.get(key).validate(value)
            value = list(value) if isinstance(value, tuple) else value
            if layer.config.get(key) != value:
                changed[key] = value
        if len(changed) == 1:
            self._push(SetSettingCommand(self.doc, layer_id, *next(iter(changed.items()))))
        elif changed:
            macro = MacroCommand(f"Set {', '.join(changed)} of '{layer.name}'")
            for key, value in changed.items():
                SetSettingCommand(self.doc, layer_id, key, value, parent=macro)
            self._push(macro)
        return None

    def rename(self, layer_id: str, name: str) -> str | None:
        if self._lock_reason:
            return self._lock_reason
        name = name.strip()
        if not name:
            return "A layer needs a name"
        if any(l.name == name and l.id != layer_id for l in self.doc.layers):
            return f"Another layer is already called '{name}'"
        if self.doc.has_layer(layer_id) and self.doc.layer(layer_id).name != name:
            self._push(RenameLayerCommand(self.doc, layer_id, name))
        return None

    # ---- clipboard -----------------------------------------------------------------
    def copy(self, layer_ids: list[str]) -> str:
        ids = [i for i in layer_ids if self.doc.has_layer(i)]
        return copy_fragment(self.doc.spec(), ids, self.doc.positions()) if ids else ""

    def paste(self, text: str, offset: Position = (40.0, 40.0)) -> list[str]:
        """Add a copied fragment with fresh ids; junk text pastes nothing."""
        fragment = parse_fragment(text) if text and not self._lock_reason else None
        if fragment is None or not fragment.layers:
            return []
        fragment = renamed_fragment(fragment, self.doc.new_layer_id, offset)
        n = len(fragment.layers)
        macro = MacroCommand(f"Paste {n} layer" + ("s" if n != 1 else ""))
        for layer in fragment.layers:
            AddLayerCommand(self.doc, layer, fragment.positions[layer.id], parent=macro)
        for edge in fragment.edges:
            AddEdgeCommand(self.doc, edge.source, edge.target, parent=macro)
        self._push(macro)
        ids = [l.id for l in fragment.layers]
        self.set_selection(ids)
        return ids

    def duplicate(self, layer_ids: list[str]) -> list[str]:
        return self.paste(self.copy(layer_ids))

    # ---- data, training settings and results -----------------------------------------
    def use_data(self, config: dict, sample_shape, input_kind: str, title: str) -> str | None:
        """Set the data description and make the Input layer fit it, as one undo step
        ("Use data: digits"); returns why not (nothing changes then)."""
        if self._lock_reason:
            return self._lock_reason
        macro = MacroCommand(f"Use data: {title}")
        SetProjectFieldCommand(self.doc, "data", config, "Set data", parent=macro)
        inputs = [l for l in self.doc.layers if l.type == "Input"]
        if len(inputs) == 1:
            changes = {"shape": list(sample_shape), "kind": input_kind}
            problem = self.settings_problem(inputs[0].id, changes)
            if problem:
                return f"The Input layer cannot take this data: {problem}"
            for key, value in changes.items():
                if inputs[0].config.get(key) != value:
                    SetSettingCommand(self.doc, inputs[0].id, key, value, parent=macro)
        self._push(macro)
        return None

    def set_training_setting(self, key: str, value) -> str | None:
        """One training setting, checked against TRAINING_SCHEMA; returns why not."""
        if self._lock_reason:
            return self._lock_reason
        try:
            value = TRAINING_SCHEMA.get(key).validate(value, owner="Training")
        except ConfigError as exc:
            return exc.message
        if self.doc.project.training.get(key, TRAINING_SCHEMA.get(key).default) != value \
                or key not in self.doc.project.training:
            self._push(SetTrainingSettingCommand(self.doc, key, value))
        return None

    def apply_trial(self, settings: dict, text: str) -> str | None:
        """A sweep trial's settings (training settings, and ``LAYER.SETTING`` for a
        layer's) as one undo step; returns why not (nothing changes then)."""
        if self._lock_reason:
            return self._lock_reason
        macro, training = MacroCommand(text), {}
        for name, value in settings.items():
            layer_id, _, key = name.rpartition(".")
            problem = (self._trial_layer_setting(layer_id, key, value, macro) if layer_id
                       else self._trial_training_setting(key, value, training))
            if problem:
                return problem
        if training:
            SetProjectFieldCommand(self.doc, "training", {**self.doc.project.training,
                                                          **training}, text, parent=macro)
        if macro.children_kept:
            self._push(macro)
        return None

    def _trial_training_setting(self, key: str, value, training: dict) -> str | None:
        try:
            training[key] = TRAINING_SCHEMA.get(key).validate(value, owner="Training")
        except ConfigError as exc:
            return exc.message
        except KeyError:
            return f"{key!r} is not a training setting"
        return None

    def _trial_layer_setting(self, layer_id: str, key: str, value, macro) -> str | None:
        if not self.doc.has_layer(layer_id):
            return f"The design no longer has the layer {layer_id!r}"
        problem = self.settings_problem(layer_id, {key: value})
        if problem:
            return problem
        if self.doc.layer(layer_id).config.get(key) != value:
            SetSettingCommand(self.doc, layer_id, key, value, parent=macro)
        return None

    def record_sweep(self, sweep: dict) -> None:
        """Keep a finished or stopped sweep in the project (an undo step, and the
        project then has unsaved changes). Not refused while a training run locks the
        design: a sweep's record touches nothing that run depends on."""
        self.stack.push(SetProjectFieldCommand(self.doc, "sweeps", self.doc.project.sweeps
                                               + [sweep], "Record sweep"))

    def set_results(self, results: dict, text: str) -> None:
        """Store a run's results (the editor is unlocked again by then)."""
        self._push(SetResultsCommand(self.doc, results, text))

    # ---- whole designs -------------------------------------------------------------
    def load(self, spec: NetworkSpec, positions: dict[str, Position] | None = None,
             project: Project | None = None) -> None:
        """Replace the design (New / Open) and, from ``project``, the data, settings,
        results and name: a fresh start, so the history is cleared."""
        missing = not positions or any(l.id not in positions for l in spec.layers)
        if missing:
            positions = {**layered_layout(spec), **(positions or {})}
        self.stack.clear()
        self.doc.reset(spec, positions, project)
        self.stack.setClean()

    # ---- helpers -------------------------------------------------------------------
    def _new_layer(self, type_name: str) -> LayerSpec:
        cls = layer_class(type_name)  # ConfigError for an unknown type: caller's bug
        config = cls.schema.validate({})
        layer_id = self.doc.new_layer_id(type_name)
        return LayerSpec(layer_id, type_name, layer_id,
                         {k: list(v) if isinstance(v, tuple) else v for k, v in config.items()})
