"""Health badges on the canvas: while training, each node with a probe view carries a
small badge (green "ok", orange or red with the finding) whose hover text gives the
reasons and plain suggestions from engine.insights ``assess``.

The badge is a child item of the node, so it moves with it and disappears with it;
the scene is only read (node items by layer id), never the document.
"""
from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem

from .. import style
from ..freshness import Change, FreshView
from ..rich_text import escape

COLOURS = {"ok": QColor("#2e7d32"), "warn": QColor("#ef6c00"), "bad": QColor("#d32f2f")}
MAX_CHARS = 22


def badge_text(health) -> str:
    """What fits on the node: the worst finding, and how many more there are."""
    if health.level == "ok" or not health.badges:
        return "\u2713 ok"
    text = health.badges[0]
    if len(text) > MAX_CHARS:
        text = text[:MAX_CHARS - 1] + "\u2026"
    more = len(health.badges) - 1
    return f"{text} +{more}" if more else text


def badge_tooltip(health, name: str = "") -> str:
    head = f"<b>{escape(name)}</b>: " if name else ""
    if health.level == "ok" or not health.reasons:
        figures = health.figures or {}
        bits = [f"{k.replace('_', ' ')} {v:.2g}" for k, v in figures.items()
                if isinstance(v, float)][:4]
        return head + "healthy" + (f" ({', '.join(bits)})" if bits else "")
    rows = "".join(f"<li>{escape(r)}: <i>{escape(s)}</i></li>"
                   for r, s in zip(health.reasons, health.suggestions))
    return f"{head}<ul style='margin:0'>{rows}</ul>"


class HealthBadgeItem(QGraphicsItem):
    """A rounded label above the node's top-right corner."""

    def __init__(self, node):
        super().__init__(node)
        self.node = node
        self.level, self.text = "ok", ""
        self.font = QFont()
        self.font.setPointSizeF(7.5)
        self.font.setBold(True)
        self.setZValue(5)
        self.setAcceptHoverEvents(True)

    def set_health(self, health, name: str = "") -> None:
        text = badge_text(health)
        if (health.level, text) != (self.level, self.text):
            self.prepareGeometryChange()
            self.level, self.text = health.level, text
            self.update()
        self.setToolTip(badge_tooltip(health, name))

    def _rect(self) -> QRectF:
        w = QFontMetricsF(self.font).horizontalAdvance(self.text) + 12
        return QRectF(style.NODE_WIDTH - w + 4, -10, w, 17)

    def boundingRect(self) -> QRectF:
        return self._rect().adjusted(-1, -1, 1, 1)

    def paint(self, painter: QPainter, option, widget=None) -> None:
        painter.setRenderHint(QPainter.Antialiasing)
        colour = COLOURS.get(self.level, COLOURS["ok"])
        painter.setPen(QPen(QColor("#ffffff"), 1.5))
        painter.setBrush(colour)
        rect = self._rect()
        painter.drawRoundedRect(rect, 8, 8)
        painter.setFont(self.font)
        painter.setPen(QColor("#ffffff"))
        painter.drawText(rect, Qt.AlignCenter, self.text)


class HealthBadges(FreshView):
    """Puts and updates badges on a CanvasScene's nodes; ``clear`` removes them."""

    def __init__(self, scene):
        self.scene = scene
        self.items: dict[str, HealthBadgeItem] = {}

    def fresh(self, change: Change) -> None:
        """Badges judge a run: another project, other data or a new run drop them."""
        if change is not Change.DESIGN:
            self.clear()

    def show_health(self, health: dict, names: dict | None = None) -> None:
        names = names or {}
        for layer_id in list(self.items):
            if layer_id not in health or self.scene.node(layer_id) is not self.items[
                    layer_id].node:  # the node went (or was rebuilt)
                self._remove(layer_id)
        for layer_id, h in health.items():
            node = self.scene.node(layer_id)
            if node is None:
                continue
            item = self.items.get(layer_id)
            if item is None:
                item = self.items[layer_id] = HealthBadgeItem(node)
            item.set_health(h, names.get(layer_id, getattr(node, "name", "")))

    def _remove(self, layer_id: str) -> None:
        item = self.items.pop(layer_id)
        if item.scene() is not None:
            item.scene().removeItem(item)

    def clear(self) -> None:
        for layer_id in list(self.items):
            self._remove(layer_id)
