"""Gestures on the canvas as objects with start / move / finish / cancel (Esc cancels).

After Orange's ``document/interactions.py``: the scene forwards mouse events to the
current interaction instead of growing if-chains in ``mousePressEvent``. An interaction
changes the design only in ``finish``, through the editor, as one undo step.
"""
from __future__ import annotations

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QBrush, QColor, QPen
from PySide6.QtWidgets import QGraphicsSimpleTextItem, QGraphicsRectItem

from .. import style
from .items import DraftEdgeItem, NodeItem, PortItem


class Interaction:
    def __init__(self, scene):
        self.scene = scene

    def start(self, pos: QPointF) -> None: ...

    def move(self, pos: QPointF) -> None: ...

    def finish(self, pos: QPointF) -> None: ...

    def cancel(self) -> None: ...


class MoveNodesInteraction(Interaction):
    """Qt moves the selected items while dragging; on release the editor records one
    "Move N layers" step. Esc puts every node back where it was."""

    def start(self, pos: QPointF) -> None:
        self.origins = {n.layer_id: (n.pos().x(), n.pos().y())
                        for n in self.scene.selected_nodes()}

    def finish(self, pos: QPointF) -> None:
        moves = {}
        for layer_id, old in self.origins.items():
            node = self.scene.node(layer_id)
            if node is not None:
                moves[layer_id] = (old, (node.pos().x(), node.pos().y()))
        self.scene.editor.move(moves)

    def cancel(self) -> None:
        for layer_id, (x, y) in self.origins.items():
            node = self.scene.node(layer_id)
            if node is not None:
                node.setPos(x, y)


class ConnectInteraction(Interaction):
    """Drag from a port to a port of the other kind. While dragging, ports that may take
    the edge glow green and the others are dimmed; hovering a port runs the full check
    (shape inference on the candidate design) and a refused target says why."""

    def __init__(self, scene, port: PortItem):
        super().__init__(scene)
        self.port = port
        self.target: PortItem | None = None
        self._problems: dict[str, str | None] = {}  # full checks, cached per layer
        self._candidate_state: dict[PortItem, tuple[str, str]] = {}

    def start(self, pos: QPointF) -> None:
        self.draft = DraftEdgeItem()
        self.scene.addItem(self.draft)
        self.note = _Note()
        self.scene.addItem(self.note)
        self.note.hide()
        self._mark_candidates()
        self.move(pos)

    def _ends(self, other_id: str) -> tuple[str, str]:
        mine = self.port.layer_id
        return (mine, other_id) if self.port.kind == "out" else (other_id, mine)

    def _mark_candidates(self) -> None:
        """Cheap graph checks for every port now; shapes only for the hovered one."""
        wanted = "in" if self.port.kind == "out" else "out"
        for port in self.scene.ports(wanted):
            source, target = self._ends(port.layer_id)
            reason = self.scene.editor.structural_problem(source, target)
            state = ("valid" if reason is None else "blocked", reason or "")
            self._candidate_state[port] = state
            port.set_state(*state)

    def _problem(self, port: PortItem) -> str | None:
        if port.layer_id not in self._problems:
            self._problems[port.layer_id] = self.scene.editor.connect_problem(
                *self._ends(port.layer_id))
        return self._problems[port.layer_id]

    def move(self, pos: QPointF) -> None:
        previous = self.target
        self.target = self.scene.port_near(pos, "in" if self.port.kind == "out" else "out",
                                           exclude=self.port.node)
        if previous is not None and previous is not self.target:
            previous.set_state(*self._candidate_state.get(previous, ("idle", "")))
        problem = self._problem(self.target) if self.target else None
        if self.target is not None:
            self.target.set_state("invalid" if problem else "valid", problem or "")
        start, end = self.port.scenePos(), self.target.scenePos() if self.target else pos
        if self.port.kind == "in":
            start, end = end, start
        self.draft.set_ends(start, end, None if self.target is None else problem is None)
        self.note.show_text(problem, pos) if problem else self.note.hide()

    def finish(self, pos: QPointF) -> None:
        self.move(pos)
        target = self.target
        self.cancel()
        if target is None:
            return
        problem = self.scene.editor.connect(*self._ends(target.layer_id))
        if problem:
            self.scene.status_message.emit(f"Not connected: {problem}")

    def cancel(self) -> None:
        for port in self.scene.ports("in") + self.scene.ports("out"):
            port.set_state("idle")
        for item in (self.draft, self.note):
            if item.scene() is not None:
                self.scene.removeItem(item)


class _Note(QGraphicsRectItem):
    """A small red note by the cursor saying why a connection is refused."""

    def __init__(self):
        super().__init__()
        self.text = QGraphicsSimpleTextItem(self)
        self.text.setBrush(QBrush(QColor("#ffffff")))
        self.setBrush(QBrush(style.ERROR))
        self.setPen(QPen(Qt.NoPen))
        self.setZValue(10)

    def show_text(self, text: str, pos: QPointF) -> None:
        if len(text) > 90:
            text = text[:88] + "\u2026"
        self.text.setText(text)
        rect = self.text.boundingRect().adjusted(-6, -3, 6, 3)
        self.setRect(rect)
        self.setPos(pos + QPointF(16, 14))
        self.show()


def node_at(items) -> NodeItem | None:
    """The node among the items under the cursor (a port or the node body itself)."""
    for item in items:
        if isinstance(item, NodeItem):
            return item
        if isinstance(item, PortItem):
            return item.node
    return None
