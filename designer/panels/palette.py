"""The palette: every registered layer type, grouped by category, searchable.

Drag an entry onto the canvas to add it there (or onto an edge to insert it);
double-click to add it after the selected layer. Nothing here knows particular layers:
the list, groups, icons and tooltips all come from the registry.
"""
from __future__ import annotations

from PySide6.QtCore import QMimeData, QSize, Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QLineEdit, QTreeWidget, QTreeWidgetItem,
                               QVBoxLayout, QWidget)

from engine.layers import layer_types

from .icons import layer_icon

LAYER_MIME_TYPE = "application/x-neurocanvas-layer-type"
TYPE_ROLE = Qt.UserRole + 1


def layer_mime(type_name: str) -> QMimeData:
    mime = QMimeData()
    mime.setData(LAYER_MIME_TYPE, type_name.encode("utf-8"))
    mime.setText(type_name)
    return mime


def layer_type_from_mime(mime: QMimeData | None) -> str:
    """The layer type a drag carries, or "" if it carries none we know."""
    if mime is None or not mime.hasFormat(LAYER_MIME_TYPE):
        return ""
    name = bytes(mime.data(LAYER_MIME_TYPE)).decode("utf-8", "replace")
    return name if name in {cls.type_name for cls in layer_types()} else ""


class _LayerTree(QTreeWidget):
    def mimeTypes(self):
        return [LAYER_MIME_TYPE]

    def mimeData(self, items):
        names = [i.data(0, TYPE_ROLE) for i in items if i.data(0, TYPE_ROLE)]
        return layer_mime(names[0]) if names else QMimeData()


class PaletteWidget(QWidget):
    layer_activated = Signal(str)  # type name (double-click)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("palette")
        self.search = QLineEdit(self)
        self.search.setObjectName("palette_search")
        self.search.setToolTip("Show only the layers whose name contains this text")
        self.search.setPlaceholderText("Search layers\u2026")
        self.search.setClearButtonEnabled(True)
        self.tree = _LayerTree(self)
        self.tree.setObjectName("palette_tree")
        self.tree.setHeaderHidden(True)
        self.tree.setRootIsDecorated(False)
        self.tree.setIndentation(8)
        self.tree.setDragEnabled(True)
        self.tree.setDragDropMode(QAbstractItemView.DragOnly)
        self.tree.setIconSize(QSize(22, 22))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(6)
        layout.addWidget(self.search)
        layout.addWidget(self.tree)
        self._populate()
        self.search.textChanged.connect(self.filter)
        self.tree.itemDoubleClicked.connect(self._activated)

    def _populate(self) -> None:
        groups: dict[str, QTreeWidgetItem] = {}
        for cls in layer_types():
            group = groups.get(cls.category)
            if group is None:
                group = QTreeWidgetItem(self.tree, [cls.category])
                group.setFlags(Qt.ItemIsEnabled)
                group.setToolTip(0, cls.category)
                font = group.font(0)
                font.setBold(True)
                group.setFont(0, font)
                group.setForeground(0, self.palette().placeholderText())
                groups[cls.category] = group
            item = QTreeWidgetItem(group, [cls.type_name])
            item.setData(0, TYPE_ROLE, cls.type_name)
            item.setIcon(0, layer_icon(cls.category, cls.type_name))
            item.setToolTip(0, f"<b>{cls.type_name}</b><br>{cls.help}")
            item.setStatusTip(0, cls.help)
            item.setFlags(Qt.ItemIsEnabled | Qt.ItemIsSelectable | Qt.ItemIsDragEnabled)
        self.tree.expandAll()

    def type_items(self) -> list[QTreeWidgetItem]:
        items = []
        for g in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(g)
            items.extend(group.child(i) for i in range(group.childCount()))
        return items

    def item_for(self, type_name: str) -> QTreeWidgetItem | None:
        return next((i for i in self.type_items() if i.data(0, TYPE_ROLE) == type_name), None)

    def filter(self, text: str) -> None:
        """Show layers whose name, group or help mentions every word typed."""
        words = text.lower().split()
        for g in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(g)
            visible = 0
            for i in range(group.childCount()):
                item = group.child(i)
                haystack = f"{item.text(0)} {group.text(0)} {item.statusTip(0)}".lower()
                match = all(w in haystack for w in words)
                item.setHidden(not match)
                visible += match
            group.setHidden(visible == 0)

    def _activated(self, item: QTreeWidgetItem, _column: int) -> None:
        type_name = item.data(0, TYPE_ROLE)
        if type_name:
            self.layer_activated.emit(type_name)

