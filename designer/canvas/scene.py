"""The canvas scene: mirrors the document (one node item per layer, one edge item per
edge) and turns mouse gestures into interaction objects that call the editor."""
from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QGraphicsItem, QGraphicsScene

from engine.errors import ConfigError
from engine.layers import fmt_shape, layer_class

from .. import style
from ..editor import Editor
from .interactions import ConnectInteraction, Interaction, MoveNodesInteraction
from .items import EdgeItem, NodeItem, PortItem

PORT_SNAP = 22.0  # how close (scene units) the cursor must come to a port to target it


class CanvasScene(QGraphicsScene):
    status_message = Signal(str)

    def __init__(self, editor: Editor, parent=None):
        super().__init__(parent)
        self.editor, self.doc = editor, editor.doc
        self._nodes: dict[str, NodeItem] = {}
        self._edges: dict[tuple[str, str], EdgeItem] = {}
        self.interaction: Interaction | None = None
        self.read_only = False  # while a run uses the design: select and look, no edits
        self._syncing_selection = False
        self.setItemIndexMethod(QGraphicsScene.NoIndex)  # nodes move a lot; few items
        doc = self.doc
        doc.node_added.connect(self._add_node)
        doc.node_removed.connect(self._remove_node)
        doc.node_moved.connect(self._move_node)
        doc.config_changed.connect(self._refresh_content)
        doc.edge_added.connect(self._add_edge)
        doc.edge_removed.connect(self._remove_edge)
        doc.report_changed.connect(self.apply_report)
        doc.document_reset.connect(self.rebuild)
        self.selectionChanged.connect(self._selection_to_editor)
        editor.selection_changed.connect(self._selection_from_editor)
        self.rebuild()

    # ---- lookups -------------------------------------------------------------------
    def node(self, layer_id: str) -> NodeItem | None:
        return self._nodes.get(layer_id)

    def nodes(self) -> list[NodeItem]:
        return list(self._nodes.values())

    def edge(self, source: str, target: str) -> EdgeItem | None:
        return self._edges.get((source, target))

    def edge_items(self) -> list[EdgeItem]:
        return list(self._edges.values())

    def highlight_layers(self, ids, colour: QColor | None = None) -> None:
        """Outline the nodes of ``ids`` (in ``colour``, the selection blue by default)
        and clear every other node's outline; an empty ``ids`` clears them all."""
        chosen = set(ids)
        for layer_id, item in self._nodes.items():
            item.set_highlight((colour or style.NODE_SELECTED) if layer_id in chosen else None)

    def selected_nodes(self) -> list[NodeItem]:
        return [i for i in self.selectedItems() if isinstance(i, NodeItem)]

    def selected_edges(self) -> list[EdgeItem]:
        return [i for i in self.selectedItems() if isinstance(i, EdgeItem)]

    def ports(self, kind: str) -> list[PortItem]:
        ports = [n.in_port if kind == "in" else n.out_port for n in self._nodes.values()]
        return [p for p in ports if p is not None]

    def port_near(self, pos: QPointF, kind: str, exclude: NodeItem | None = None):
        """The port of this kind nearest the cursor; over a node body, that node's port."""
        best, best_d = None, PORT_SNAP
        for item in self.items(QRectF(pos.x() - PORT_SNAP, pos.y() - PORT_SNAP,
                                      2 * PORT_SNAP, 2 * PORT_SNAP)):
            if isinstance(item, NodeItem) and item is not exclude:
                port = item.in_port if kind == "in" else item.out_port
                if port is None:
                    continue
                d = (port.scenePos() - pos).manhattanLength()
                if item.sceneBoundingRect().contains(pos):
                    d = min(d, PORT_SNAP - 1)
                if d < best_d:
                    best, best_d = port, d
        return best

    def edge_at(self, pos: QPointF) -> EdgeItem | None:
        for item in self.items(pos):
            if isinstance(item, EdgeItem):
                return item
            if isinstance(item, NodeItem):
                return None
        return None

    # ---- mirroring the document ----------------------------------------------------
    def rebuild(self) -> None:
        self.cancel_interaction()
        for edge in list(self._edges.values()):
            self.removeItem(edge)
        for node in list(self._nodes.values()):
            self.removeItem(node)
        self._nodes.clear()
        self._edges.clear()
        for layer_id in self.doc.layer_ids():
            self._add_node(layer_id)
        for edge in self.doc.edges:
            self._add_edge(edge.source, edge.target)
        self.apply_report()

    def _add_node(self, layer_id: str) -> None:
        layer = self.doc.layer(layer_id)
        try:
            accepts = layer_class(layer.type).max_inputs != 0
        except ConfigError:
            accepts = True
        node = NodeItem(layer_id, accepts)
        node.setFlag(QGraphicsItem.ItemIsMovable, not self.read_only)
        self._nodes[layer_id] = node
        self._refresh_content(layer_id)
        node.setPos(*self.doc.position(layer_id))
        self.addItem(node)

    def _remove_node(self, layer_id: str) -> None:
        node = self._nodes.pop(layer_id, None)
        if node is not None:
            self.removeItem(node)

    def _move_node(self, layer_id: str) -> None:
        node = self._nodes.get(layer_id)
        if node is not None:
            node.setPos(*self.doc.position(layer_id))

    def _refresh_content(self, layer_id: str) -> None:
        layer, node = self.doc.layer(layer_id), self._nodes[layer_id]
        try:
            cls = layer_class(layer.type)
            summary, category = cls(layer.config, layer.name).describe(), cls.category
        except ConfigError as exc:
            summary, category = exc.message, ""
        node.set_content(layer.name, layer.type, summary, category)

    def _add_edge(self, source: str, target: str) -> None:
        item = EdgeItem(self._nodes[source], self._nodes[target])
        self._edges[(source, target)] = item
        self.addItem(item)

    def _remove_edge(self, source: str, target: str) -> None:
        item = self._edges.pop((source, target), None)
        if item is not None:
            item.detach()
            self.removeItem(item)

    def apply_report(self) -> None:
        """Shapes, parameter counts and errors from the latest shape inference."""
        report = self.doc.report
        for layer_id, node in self._nodes.items():
            info = report.layers.get(layer_id)
            if info is None:
                continue
            error = info.error.message if info.error else ""
            if not error and info.output_shape is None:
                own = report.problems_for(layer_id)
                error = own[0].message if own else ""
            node.set_inference(fmt_shape(info.output_shape), info.params, error)
        for (source, _), edge in self._edges.items():
            info = report.layers.get(source)
            shape = info.output_shape if info else None
            edge.set_label(style.compact_shape(shape))
            edge.setToolTip(f"carries {fmt_shape(shape)} per sample")

    # ---- selection, kept in the editor so panels share it --------------------------
    def _selection_to_editor(self) -> None:
        if not self._syncing_selection:
            self.editor.set_selection([n.layer_id for n in self.selected_nodes()])

    def _selection_from_editor(self, ids: list[str]) -> None:
        wanted = set(ids)
        self._syncing_selection = True
        try:
            for layer_id, node in self._nodes.items():
                node.setSelected(layer_id in wanted)
        finally:
            self._syncing_selection = False

    # ---- gestures ------------------------------------------------------------------
    def set_read_only(self, on: bool) -> None:
        """Nodes can be selected (their views and settings shown), not moved or wired."""
        self.read_only = on
        if on:
            self.cancel_interaction()
        for node in self._nodes.values():
            node.setFlag(QGraphicsItem.ItemIsMovable, not on)

    def mousePressEvent(self, event) -> None:
        if event.button() != Qt.LeftButton or self.interaction is not None:
            super().mousePressEvent(event)
            return
        if self.read_only:
            super().mousePressEvent(event)  # selection only
            return
        port = self._port_under(event.scenePos())
        if port is not None:
            self._begin(ConnectInteraction(self, port), event.scenePos())
            event.accept()
            return
        super().mousePressEvent(event)
        if self.selected_nodes() and any(isinstance(i, NodeItem)
                                         for i in self.items(event.scenePos())):
            self._begin(MoveNodesInteraction(self), event.scenePos())

    def mouseMoveEvent(self, event) -> None:
        if isinstance(self.interaction, ConnectInteraction):
            self.interaction.move(event.scenePos())
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event) -> None:
        if isinstance(self.interaction, ConnectInteraction):
            interaction, self.interaction = self.interaction, None
            interaction.finish(event.scenePos())
            event.accept()
            return
        super().mouseReleaseEvent(event)
        if self.interaction is not None:
            interaction, self.interaction = self.interaction, None
            interaction.finish(event.scenePos())

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key_Escape and self.interaction is not None:
            self.cancel_interaction()
            event.accept()
            return
        super().keyPressEvent(event)

    def cancel_interaction(self) -> None:
        interaction, self.interaction = self.interaction, None
        if interaction is not None:
            interaction.cancel()
            if self.mouseGrabberItem() is not None:
                self.mouseGrabberItem().ungrabMouse()

    def _begin(self, interaction: Interaction, pos: QPointF) -> None:
        self.interaction = interaction
        interaction.start(pos)

    def _port_under(self, pos: QPointF) -> PortItem | None:
        for item in self.items(pos):
            if isinstance(item, PortItem):
                return item
        return None

    # ---- background ----------------------------------------------------------------
    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:
        painter.fillRect(rect, style.CANVAS_BACKGROUND)
        step = 24
        left, top = int(rect.left()) - int(rect.left()) % step, int(rect.top()) - int(rect.top()) % step
        painter.setPen(style.CANVAS_GRID)
        points = [QPointF(x, y) for x in range(left, int(rect.right()) + 1, step)
                  for y in range(top, int(rect.bottom()) + 1, step)]
        if len(points) < 40000:  # zoomed far out the dots are noise and cost time
            painter.drawPoints(points)
