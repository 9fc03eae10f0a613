"""Undo commands: the only code that changes the document, and they change nothing else.

The canvas and panels follow the document's signals, so undoing a command needs no view
code. Composite edits are a parent command with children (Qt runs children in order on
redo and in reverse on undo, so recorded indices restore the exact order).
"""
from __future__ import annotations

from PySide6.QtGui import QUndoCommand

from engine.spec import EdgeSpec, LayerSpec

from .model.document import NetworkDocument, Position

SET_SETTING_ID = 1001
RENAME_ID = 1002


class Command(QUndoCommand):
    """Base of every command. A composite keeps its children in Python and runs them:
    children in order on redo, in reverse on undo (as Qt does for child commands).

    Qt's own parent/child link is not used: PySide6 does not hand a child's ownership to
    its C++ parent, so the child is either collected early or freed twice."""

    def __init__(self, text: str, parent: Command | None = None):
        super().__init__(text)
        self.children_kept: list[Command] = []
        if parent is not None:
            parent.children_kept.append(self)

    def redo(self):
        for child in self.children_kept:
            child.redo()

    def undo(self):
        for child in reversed(self.children_kept):
            child.undo()


class MacroCommand(Command):
    """A parent whose children do the work: one user gesture, one undo step."""


class AddLayerCommand(Command):
    def __init__(self, doc: NetworkDocument, layer: LayerSpec, position: Position,
                 index: int | None = None, parent: Command | None = None):
        super().__init__(f"Add {layer.type} '{layer.name}'", parent)
        self.doc, self.layer, self.position = doc, layer, position
        self.index = len(doc.layers) if index is None else index

    def redo(self):
        self.doc.insert_layer(self.index, self.layer, self.position)
        super().redo()

    def undo(self):
        super().undo()
        self.doc.remove_layer(self.layer.id)


class RemoveEdgeCommand(Command):
    def __init__(self, doc: NetworkDocument, source: str, target: str,
                 parent: Command | None = None):
        super().__init__(f"Disconnect {source} from {target}", parent)
        self.doc, self.edge = doc, EdgeSpec(source, target)
        self.index = -1

    def redo(self):
        self.index = self.doc.remove_edge(self.edge.source, self.edge.target)

    def undo(self):
        self.doc.insert_edge(self.index, self.edge)


class AddEdgeCommand(Command):
    def __init__(self, doc: NetworkDocument, source: str, target: str,
                 index: int | None = None, parent: Command | None = None):
        super().__init__(f"Connect {source} to {target}", parent)
        self.doc, self.edge, self.index = doc, EdgeSpec(source, target), index

    def redo(self):
        index = len(self.doc.edges) if self.index is None else self.index
        self.doc.insert_edge(index, self.edge)

    def undo(self):
        self.doc.remove_edge(self.edge.source, self.edge.target)


class RemoveLayerCommand(Command):
    """Removes a layer's edges (as child commands) and then the layer itself.

    The children are made at the first redo, from the edges the layer has then, so
    several removals in one macro never remove a shared edge twice."""

    def __init__(self, doc: NetworkDocument, layer_id: str,
                 parent: Command | None = None):
        layer = doc.layer(layer_id)
        super().__init__(f"Delete {layer.type} '{layer.name}'", parent)
        self.doc, self.layer_id = doc, layer_id
        self._edges_listed = False
        self.index, self.layer, self.position = -1, layer, (0.0, 0.0)

    def redo(self):
        if not self._edges_listed:
            for edge in self.doc.edges_of(self.layer_id):
                RemoveEdgeCommand(self.doc, edge.source, edge.target, parent=self)
            self._edges_listed = True
        super().redo()
        self.index, self.layer, self.position = self.doc.remove_layer(self.layer_id)

    def undo(self):
        self.doc.insert_layer(self.index, self.layer, self.position)
        super().undo()


class MoveLayersCommand(Command):
    """One drag of any number of nodes is one step."""

    def __init__(self, doc: NetworkDocument, moves: dict[str, tuple[Position, Position]],
                 text: str = "", parent: Command | None = None):
        n = len(moves)
        super().__init__(text or (f"Move {n} layers" if n != 1 else "Move layer"), parent)
        self.doc, self.moves = doc, dict(moves)

    def redo(self):
        for layer_id, (_, new) in self.moves.items():
            self.doc.move_layer(layer_id, new)

    def undo(self):
        for layer_id, (old, _) in self.moves.items():
            self.doc.move_layer(layer_id, old)


class SetSettingCommand(Command):
    """Changes one setting; successive edits of the same field merge into one step."""

    def __init__(self, doc: NetworkDocument, layer_id: str, key: str, value,
                 parent: Command | None = None):
        layer = doc.layer(layer_id)
        super().__init__(f"Set {key} of '{layer.name}'", parent)
        self.doc, self.layer_id, self.key = doc, layer_id, key
        self.old, self.new = layer.config.get(key), value

    def id(self):
        return SET_SETTING_ID

    def mergeWith(self, other):
        if not (isinstance(other, SetSettingCommand) and other.layer_id == self.layer_id
                and other.key == self.key):
            return False
        self.new = other.new
        self.setObsolete(self.new == self.old)
        return True

    def _apply(self, value):
        layer = self.doc.layer(self.layer_id)
        self.doc.replace_layer(LayerSpec(layer.id, layer.type, layer.name,
                                         {**layer.config, self.key: value}))

    def redo(self):
        self._apply(self.new)

    def undo(self):
        self._apply(self.old)


class RenameLayerCommand(Command):
    def __init__(self, doc: NetworkDocument, layer_id: str, name: str,
                 parent: Command | None = None):
        super().__init__(f"Rename '{doc.layer(layer_id).name}'", parent)
        self.doc, self.layer_id = doc, layer_id
        self.old, self.new = doc.layer(layer_id).name, name

    def id(self):
        return RENAME_ID

    def mergeWith(self, other):
        if not (isinstance(other, RenameLayerCommand) and other.layer_id == self.layer_id):
            return False
        self.new = other.new
        self.setObsolete(self.new == self.old)
        return True

    def _apply(self, name: str):
        layer = self.doc.layer(self.layer_id)
        self.doc.replace_layer(LayerSpec(layer.id, layer.type, name, dict(layer.config)))

    def redo(self):
        self._apply(self.new)

    def undo(self):
        self._apply(self.old)
