"""Graphics items: a node per layer with ports, and curved edges labelled with shapes.

Items only draw what the scene tells them; they never change the document. Moving a
node moves only the item until the drag ends; the scene then asks the editor.
"""
from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (QBrush, QColor, QFont, QFontMetricsF, QPainter, QPainterPath,
                           QPainterPathStroker, QPen)
from PySide6.QtWidgets import QGraphicsEllipseItem, QGraphicsItem, QGraphicsPathItem

from .. import style
from ..rich_text import as_plain, escape

NODE_W, NODE_H, HEADER = style.NODE_WIDTH, style.NODE_HEIGHT, style.HEADER_HEIGHT
TYPE_SHARE = 0.42  # of a node's header at most for its type: the name is what is read


def header_texts(name: str, type_name: str, title_font, type_font) -> tuple[str, str, float]:
    """A node header's name and type as drawn, and the type's width: a long type
    ("MultiHeadAttention") is cut before the name is, which read "at..." for attention."""
    type_metrics = QFontMetricsF(type_font)
    type_w = min(type_metrics.horizontalAdvance(type_name) + 10, NODE_W * TYPE_SHARE)
    type_text = type_metrics.elidedText(type_name, Qt.ElideRight, type_w - 10)
    shown = QFontMetricsF(title_font).elidedText(name, Qt.ElideRight, NODE_W - type_w - 16)
    return shown, type_text, type_w


def _font(point_size: float, bold: bool = False, mono: bool = False) -> QFont:
    font = QFont()  # the application's sans-serif, not a serif fallback
    if mono:
        font.setFamilies(["DejaVu Sans Mono", "Menlo", "Consolas", "monospace"])
        font.setStyleHint(QFont.TypeWriter)
    font.setPointSizeF(point_size)
    font.setBold(bold)
    return font


class PortItem(QGraphicsEllipseItem):
    """An input (left) or output (right) connector. ``state`` colours it while an edge
    is being dragged: "valid" green, "invalid" red (the tooltip says why)."""

    def __init__(self, node: NodeItem, kind: str):
        r = style.PORT_RADIUS
        super().__init__(-r, -r, 2 * r, 2 * r, node)
        self.node, self.kind = node, kind
        self.setPos(0.0 if kind == "in" else NODE_W, NODE_H / 2)
        self.setAcceptHoverEvents(True)
        self.setCursor(Qt.CrossCursor)
        self.setZValue(2)
        self.set_state("idle")

    @property
    def layer_id(self) -> str:
        return self.node.layer_id

    def set_state(self, state: str, reason: str = "") -> None:
        self.state = state
        colour = {"valid": style.VALID, "invalid": style.ERROR,
                  "blocked": QColor("#c5cad3")}.get(state, style.EDGE)
        fill = QColor(colour) if state in ("valid", "invalid", "hover") else QColor("#ffffff")
        self.setPen(QPen(colour, 2.0))
        self.setBrush(QBrush(fill))
        scale = 1.35 if state in ("valid", "invalid", "hover") else 1.0
        self.setScale(scale)
        default = "Drag to an input port to connect" if self.kind == "out" else "Input"
        self.setToolTip(as_plain(reason) or default)  # a refusal names layers

    def hoverEnterEvent(self, event):
        if self.state == "idle":
            self.set_state("hover")
        super().hoverEnterEvent(event)

    def hoverLeaveEvent(self, event):
        if self.state == "hover":
            self.set_state("idle")
        super().hoverLeaveEvent(event)


class NodeItem(QGraphicsItem):
    """One layer: name and type in a coloured header, key settings, output shape, params."""

    def __init__(self, layer_id: str, accepts_inputs: bool):
        super().__init__()
        self.layer_id = layer_id
        self.setFlags(QGraphicsItem.ItemIsMovable | QGraphicsItem.ItemIsSelectable
                      | QGraphicsItem.ItemSendsGeometryChanges)
        self.setAcceptHoverEvents(True)
        self.setZValue(1)
        self.edges: set[EdgeItem] = set()
        self.in_port = PortItem(self, "in") if accepts_inputs else None
        self.out_port = PortItem(self, "out")
        self.name = self.type_name = self.summary = ""
        self.colour = QColor(style.DEFAULT_CATEGORY_COLOUR)
        self.shape_text, self.params_text, self.error = "?", "", ""
        self.highlight: QColor | None = None  # an outline drawn around the node (step-through)

    def set_highlight(self, colour: QColor | None) -> None:
        """Outline the node in ``colour`` (None: no outline); it says where a step is."""
        if colour != self.highlight:
            self.highlight = colour
            self.update()

    def set_content(self, name: str, type_name: str, summary: str, category: str) -> None:
        self.name, self.type_name, self.summary = name, type_name, summary
        self.colour = style.category_colour(category)
        self._refresh_tooltip()
        self.update()

    def set_inference(self, shape_text: str, params: int, error: str) -> None:
        if (shape_text, params, error) == getattr(self, "_inference", None):
            return  # most nodes are unchanged by an edit: skip the repaint
        self._inference = (shape_text, params, error)
        self.shape_text = shape_text
        self.params_text = (f"{style.format_count(params)} {style.noun(params, 'param')}"
                            if params else "no params")
        self.error = error
        self._refresh_tooltip()
        self.update()

    def _refresh_tooltip(self) -> None:
        lines = [f"<b>{escape(self.name)}</b> ({self.type_name})"]
        if self.summary:
            lines.append(escape(self.summary))
        lines.append(f"output {escape(self.shape_text)}")
        if self.error:
            lines.append(f"<span style='color:{style.ERROR.name()}'>{escape(self.error)}</span>")
        self.setToolTip("<br>".join(lines))

    def boundingRect(self) -> QRectF:
        return QRectF(-3, -3, NODE_W + 6, NODE_H + 6)

    def paint(self, painter: QPainter, option, widget=None) -> None:
        painter.setRenderHint(QPainter.Antialiasing)
        body = QRectF(0, 0, NODE_W, NODE_H)
        border = style.ERROR if self.error else style.NODE_BORDER
        width = 1.2
        if self.isSelected():
            border, width = style.NODE_SELECTED, 2.6
        painter.setPen(QPen(border, width))
        painter.setBrush(style.ERROR_FILL if self.error else style.NODE_FILL)
        painter.drawRoundedRect(body, 7, 7)
        self._paint_header(painter)
        self._paint_rows(painter)
        if self.highlight is not None:  # outside the body, within boundingRect's margin
            painter.setPen(QPen(self.highlight, 3.0))
            painter.setBrush(Qt.NoBrush)
            painter.drawRoundedRect(QRectF(-1.5, -1.5, NODE_W + 3, NODE_H + 3), 8.5, 8.5)

    def _paint_header(self, painter: QPainter) -> None:
        header = QPainterPath()
        header.addRoundedRect(QRectF(0.6, 0.6, NODE_W - 1.2, HEADER), 6.5, 6.5)
        square = QPainterPath()
        square.addRect(QRectF(0.6, HEADER / 2, NODE_W - 1.2, HEADER / 2))
        painter.fillPath(header.united(square), style.ERROR if self.error else self.colour)
        painter.setPen(QColor("#ffffff"))
        title_font, type_font = _font(9.5, bold=True), _font(8)
        name, type_name, type_w = header_texts(self.name, self.type_name, title_font,
                                               type_font)
        painter.setFont(title_font)
        painter.drawText(QRectF(9, 0, NODE_W - type_w - 12, HEADER),
                         Qt.AlignVCenter | Qt.AlignLeft, name)
        painter.setFont(type_font)
        painter.setPen(QColor(255, 255, 255, 215))
        painter.drawText(QRectF(0, 0, NODE_W - 9, HEADER), Qt.AlignVCenter | Qt.AlignRight,
                         type_name)

    def _paint_rows(self, painter: QPainter) -> None:
        inner = NODE_W - 20
        summary_font = _font(9)
        painter.setFont(summary_font)
        painter.setPen(style.NODE_TEXT)
        text = self.summary or "\u2014"
        painter.drawText(QRectF(10, HEADER + 5, inner, 20), Qt.AlignVCenter | Qt.AlignLeft,
                         QFontMetricsF(summary_font).elidedText(text, Qt.ElideRight, inner))
        shape_font = _font(8.5, mono=True)
        painter.setFont(shape_font)
        painter.setPen(style.ERROR if self.error else style.NODE_TEXT)
        shape = "shape error" if self.error else f"\u2192 {self.shape_text}"
        painter.drawText(QRectF(10, HEADER + 25, inner, 20), Qt.AlignVCenter | Qt.AlignLeft,
                         QFontMetricsF(shape_font).elidedText(shape, Qt.ElideRight, inner))
        painter.setFont(_font(8))
        painter.setPen(style.NODE_SUBTLE_TEXT)
        painter.drawText(QRectF(10, HEADER + 44, inner, 20), Qt.AlignVCenter | Qt.AlignLeft,
                         self.params_text)

    def itemChange(self, change, value):
        if change == QGraphicsItem.ItemPositionHasChanged:
            for edge in self.edges:
                edge.update_path()
        return super().itemChange(change, value)


def edge_path(start: QPointF, end: QPointF) -> QPainterPath:
    """A horizontal S-curve from an output port to an input port."""
    dx = max(40.0, abs(end.x() - start.x()) * 0.5)
    path = QPainterPath(start)
    path.cubicTo(start + QPointF(dx, 0), end - QPointF(dx, 0), end)
    return path


class EdgeItem(QGraphicsPathItem):
    """Data flowing from one node to another, labelled with the shape it carries."""

    def __init__(self, source: NodeItem, target: NodeItem):
        super().__init__()
        self.source, self.target = source, target
        self.label = ""
        self.hovered = self.highlighted = False
        self.setFlags(QGraphicsItem.ItemIsSelectable)
        self.setAcceptHoverEvents(True)
        self.setZValue(0)
        source.edges.add(self)
        target.edges.add(self)
        self.update_path()

    @property
    def key(self) -> tuple[str, str]:
        return self.source.layer_id, self.target.layer_id

    def detach(self) -> None:
        self.source.edges.discard(self)
        self.target.edges.discard(self)

    def set_label(self, text: str) -> None:
        if text == self.label:
            return
        self.prepareGeometryChange()
        self.label = text
        self.update()

    def set_highlighted(self, on: bool) -> None:
        """Shown while a dragged palette entry hovers here: dropping inserts into the edge."""
        self.highlighted = on
        self.update()

    def update_path(self) -> None:
        start = self.source.out_port.scenePos()
        end = self.target.in_port.scenePos() if self.target.in_port else self.target.scenePos()
        self.prepareGeometryChange()
        self.setPath(edge_path(start, end))

    def shape(self) -> QPainterPath:
        stroker = QPainterPathStroker()
        stroker.setWidth(12)
        return stroker.createStroke(self.path())

    def _label_rect(self) -> QRectF:
        metrics = QFontMetricsF(_font(7.5, mono=True))
        w, h = metrics.horizontalAdvance(self.label) + 10, metrics.height() + 4
        mid = self.path().pointAtPercent(0.5)
        return QRectF(mid.x() - w / 2, mid.y() - h / 2, w, h)

    def boundingRect(self) -> QRectF:
        rect = super().boundingRect().adjusted(-6, -6, 6, 6)
        return rect.united(self._label_rect()) if self.label else rect

    def paint(self, painter: QPainter, option, widget=None) -> None:
        painter.setRenderHint(QPainter.Antialiasing)
        active = self.isSelected() or self.hovered or self.highlighted
        colour = style.EDGE_HOVER if active else style.EDGE
        pen = QPen(colour, 3.0 if active else 1.8)
        if self.highlighted:
            pen.setStyle(Qt.DashLine)
        painter.setPen(pen)
        painter.setBrush(Qt.NoBrush)
        painter.drawPath(self.path())
        if self.label:
            rect = self._label_rect()
            painter.setPen(QPen(colour, 1.0))
            painter.setBrush(style.EDGE_LABEL_FILL)
            painter.drawRoundedRect(rect, 4, 4)
            painter.setFont(_font(7.5, mono=True))
            painter.setPen(style.NODE_TEXT)
            painter.drawText(rect, Qt.AlignCenter, self.label)

    def hoverEnterEvent(self, event):
        self.hovered = True
        self.update()

    def hoverLeaveEvent(self, event):
        self.hovered = False
        self.update()


class DraftEdgeItem(QGraphicsPathItem):
    """The dashed curve that follows the mouse while an edge is being dragged."""

    def __init__(self):
        super().__init__()
        pen = QPen(style.EDGE_HOVER, 2.0, Qt.DashLine)
        self.setPen(pen)
        self.setZValue(3)

    def set_ends(self, start: QPointF, end: QPointF, ok: bool | None) -> None:
        colour = style.EDGE_HOVER if ok is None else (style.VALID if ok else style.ERROR)
        self.setPen(QPen(colour, 2.0, Qt.DashLine))
        self.setPath(edge_path(start, end))
