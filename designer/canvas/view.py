"""The canvas view: zoom, pan, fit, drop from the palette, and the edit actions.

Actions live here (with shortcuts and stable object names) so the canvas works the same
inside the main window and alone in a test; the main window puts them in its menus.
"""
from __future__ import annotations

from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QPainter
from PySide6.QtWidgets import QApplication, QGraphicsView

from .. import style
from ..editor import Editor
from ..freshness import Change, FreshView
from ..panels.palette import layer_type_from_mime
from .items import EdgeItem
from .scene import CanvasScene

ZOOM_STEP = 1.2
MIN_ZOOM, MAX_ZOOM = 0.1, 4.0


class CanvasView(QGraphicsView, FreshView):
    zoom_changed = Signal(float)

    def __init__(self, editor: Editor, parent=None):
        super().__init__(parent)
        self.setObjectName("canvas")
        self.editor = editor
        self.fit_pending = False  # fit the design again when the view is resized
        self.canvas_scene = CanvasScene(editor, self)
        self.setScene(self.canvas_scene)
        self.setRenderHints(QPainter.Antialiasing | QPainter.TextAntialiasing)
        self.setDragMode(QGraphicsView.RubberBandDrag)
        self.setTransformationAnchor(QGraphicsView.AnchorUnderMouse)
        self.setViewportUpdateMode(QGraphicsView.BoundingRectViewportUpdate)
        self.setAcceptDrops(True)
        self.setFocusPolicy(Qt.StrongFocus)
        self._drop_edge: EdgeItem | None = None
        self._pan_from: QPointF | None = None
        self.actions_by_name: dict[str, QAction] = {}
        self._make_actions()
        self.setSceneRect(-5000, -5000, 10000, 10000)

    # ---- actions -------------------------------------------------------------------
    def _make_actions(self) -> None:
        specs = [
            ("action_delete", "&Delete", [QKeySequence.Delete, QKeySequence(Qt.Key_Backspace)],
             self.delete_selection),
            ("action_copy", "&Copy", [QKeySequence.Copy], self.copy_selection),
            ("action_paste", "&Paste", [QKeySequence.Paste], self.paste),
            ("action_duplicate", "D&uplicate", [QKeySequence("Ctrl+D")], self.duplicate_selection),
            ("action_select_all", "Select &All", [QKeySequence.SelectAll], self.select_all),
            ("action_zoom_in", "Zoom &In", [QKeySequence.ZoomIn, QKeySequence("Ctrl+=")],
             self.zoom_in),
            ("action_zoom_out", "Zoom &Out", [QKeySequence.ZoomOut], self.zoom_out),
            ("action_fit", "&Fit to View", [QKeySequence(Qt.Key_F)], self.fit_to_view),
            ("action_arrange", "&Arrange Left to Right", [QKeySequence("Ctrl+L")],
             self.arrange),
        ]
        for name, text, keys, slot in specs:
            action = QAction(text, self)
            action.setObjectName(name)
            action.setShortcuts(keys)
            action.setShortcutContext(Qt.WidgetWithChildrenShortcut)
            action.triggered.connect(slot)
            self.addAction(action)
            self.actions_by_name[name] = action

    def delete_selection(self) -> None:
        scene = self.canvas_scene
        self.editor.delete([n.layer_id for n in scene.selected_nodes()],
                           [e.key for e in scene.selected_edges()])

    def copy_selection(self) -> None:
        text = self.editor.copy([n.layer_id for n in self.canvas_scene.selected_nodes()])
        if text:
            QApplication.clipboard().setText(text)

    def paste(self) -> None:
        self.editor.paste(QApplication.clipboard().text())

    def duplicate_selection(self) -> None:
        self.editor.duplicate([n.layer_id for n in self.canvas_scene.selected_nodes()])

    def select_all(self) -> None:
        self.editor.set_selection(self.editor.doc.layer_ids())

    def arrange(self) -> None:
        self.editor.arrange()
        self.fit_to_view()

    # ---- zoom and pan --------------------------------------------------------------
    @property
    def zoom(self) -> float:
        return self.transform().m11()

    def set_zoom(self, factor: float) -> None:
        factor = max(MIN_ZOOM, min(MAX_ZOOM, factor))
        scale = factor / self.zoom
        self.scale(scale, scale)
        self.zoom_changed.emit(self.zoom)

    def zoom_in(self) -> None:
        self.fit_pending = False
        self.set_zoom(self.zoom * ZOOM_STEP)

    def zoom_out(self) -> None:
        self.fit_pending = False
        self.set_zoom(self.zoom / ZOOM_STEP)

    def fit_to_view(self) -> None:
        nodes = self.canvas_scene.nodes()
        if not nodes:
            return
        rect = nodes[0].sceneBoundingRect()
        for node in nodes[1:]:
            rect = rect.united(node.sceneBoundingRect())
        rect.adjust(-60, -60, 60, 60)
        self.fitInView(rect, Qt.KeepAspectRatio)
        if self.zoom > 1.0:  # a small design is clearer at natural size than blown up
            self.set_zoom(1.0)
        self.centerOn(rect.center())
        self.zoom_changed.emit(self.zoom)

    def fresh(self, change: Change) -> None:
        if change is Change.PROJECT:
            self.show_design()  # fit the new design in view

    def show_design(self, min_zoom: float = 0.75) -> None:
        """After opening: fit, but never so small that nodes cannot be read; then show
        the start of the network (data flows left to right). Until the user zooms or
        pans, the fit follows the view's size (the docks of a workspace settle after
        the window shows, and a fit made before then cut the design off)."""
        self.fit_pending = True
        self.fit_to_view()
        nodes = self.canvas_scene.nodes()
        if not nodes or self.zoom >= min_zoom:
            return
        self.set_zoom(min_zoom)
        left = min(n.sceneBoundingRect().left() for n in nodes) - 40
        visible = self.mapToScene(self.viewport().rect()).boundingRect()
        top = min(n.sceneBoundingRect().top() for n in nodes)
        bottom = max(n.sceneBoundingRect().bottom() for n in nodes)
        self.centerOn(left + visible.width() / 2, (top + bottom) / 2)

    def centre_on_layer(self, layer_id: str) -> None:
        node = self.canvas_scene.node(layer_id)
        if node is not None:
            self.ensureVisible(node.sceneBoundingRect(), 80, 80)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self.fit_pending:
            self.show_design()

    def wheelEvent(self, event) -> None:
        self.fit_pending = False  # the user's own view from now on
        if event.angleDelta().y() == 0:
            super().wheelEvent(event)
            return
        self.set_zoom(self.zoom * (ZOOM_STEP if event.angleDelta().y() > 0 else 1 / ZOOM_STEP))
        event.accept()

    def mousePressEvent(self, event) -> None:
        self.fit_pending = False
        if event.button() == Qt.MiddleButton:  # pan with the middle button
            self._pan_from = event.position()
            self.viewport().setCursor(Qt.ClosedHandCursor)
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:
        if self._pan_from is not None:
            delta = event.position() - self._pan_from
            self._pan_from = event.position()
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - delta.x())
            self.verticalScrollBar().setValue(self.verticalScrollBar().value() - delta.y())
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event) -> None:
        if event.button() == Qt.MiddleButton and self._pan_from is not None:
            self._pan_from = None
            self.viewport().unsetCursor()
            event.accept()
            return
        super().mouseReleaseEvent(event)

    # ---- drop from the palette -----------------------------------------------------
    def dragEnterEvent(self, event) -> None:
        if layer_type_from_mime(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:
        if not layer_type_from_mime(event.mimeData()):
            event.ignore()
            return
        self._highlight_drop_edge(self.mapToScene(event.position().toPoint()))
        event.acceptProposedAction()

    def dragLeaveEvent(self, event) -> None:
        self._highlight_drop_edge(None)
        super().dragLeaveEvent(event)

    def dropEvent(self, event) -> None:
        type_name = layer_type_from_mime(event.mimeData())
        self._highlight_drop_edge(None)
        if not type_name:
            event.ignore()
            return
        pos = self.mapToScene(event.position().toPoint())
        corner = (pos.x() - style.NODE_WIDTH / 2, pos.y() - style.NODE_HEIGHT / 2)
        edge = self.canvas_scene.edge_at(pos)
        if edge is not None:
            self.editor.insert_into_edge(type_name, *edge.key, corner)
        else:
            self.editor.add_layer(type_name, corner)
        event.acceptProposedAction()
        self.setFocus()

    def _highlight_drop_edge(self, pos: QPointF | None) -> None:
        edge = self.canvas_scene.edge_at(pos) if pos is not None else None
        if edge is not self._drop_edge:
            if self._drop_edge is not None and self._drop_edge.scene() is not None:
                self._drop_edge.set_highlighted(False)
            if edge is not None:
                edge.set_highlighted(True)
            self._drop_edge = edge

