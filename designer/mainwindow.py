"""The main window: composition only (canvas, docks, menus, status bar, settings)."""
from __future__ import annotations

from functools import partial
from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QLabel, QMainWindow, QMenu, QUndoView

from .canvas.view import CanvasView
from .editor import Editor
from .model.templates import templates
from .panels.inspector import InspectorWidget
from .panels.palette import PaletteWidget
from .panels.summary import SummaryWidget
from .projects import ProjectController, example_paths

STATE_VERSION = 1


class MainWindow(QMainWindow):
    def __init__(self, settings: QSettings | None = None):
        super().__init__()
        self.setObjectName("main_window")
        self.settings = settings or QSettings("NeuroCanvas", "NeuroCanvas")
        self.editor = Editor(parent=self)
        self.canvas = CanvasView(self.editor, self)
        self.setCentralWidget(self.canvas)
        self.projects = ProjectController(self.editor, self.settings, self)
        self.palette = PaletteWidget()
        self.inspector = InspectorWidget(self.editor)
        self.summary = SummaryWidget(self.editor)
        self.history = QUndoView(self.editor.stack)
        self.history.setObjectName("history")
        self.history.setEmptyLabel("<start>")
        self._make_docks()
        self._make_actions()
        self._make_menus()
        self._wire()
        self._make_status_bar()
        self.resize(1360, 860)
        self._restore_layout()
        self._update_title(self.projects.title())

    # ---- composition ---------------------------------------------------------------
    def _dock(self, title: str, name: str, widget, area) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        dock.setFeatures(QDockWidget.DockWidgetMovable | QDockWidget.DockWidgetClosable
                         | QDockWidget.DockWidgetFloatable)
        self.addDockWidget(area, dock)
        return dock

    def _make_docks(self) -> None:
        self.setCorner(Qt.BottomLeftCorner, Qt.LeftDockWidgetArea)
        self.setCorner(Qt.BottomRightCorner, Qt.RightDockWidgetArea)
        self.palette_dock = self._dock("Layers", "palette_dock", self.palette,
                                       Qt.LeftDockWidgetArea)
        self.inspector_dock = self._dock("Inspector", "inspector_dock", self.inspector,
                                         Qt.RightDockWidgetArea)
        self.history_dock = self._dock("History", "history_dock", self.history,
                                       Qt.RightDockWidgetArea)
        self.summary_dock = self._dock("Summary", "summary_dock", self.summary,
                                       Qt.BottomDockWidgetArea)
        self.resizeDocks([self.palette_dock, self.inspector_dock], [225, 290], Qt.Horizontal)
        self.resizeDocks([self.inspector_dock, self.history_dock], [520, 200], Qt.Vertical)
        self.resizeDocks([self.summary_dock], [200], Qt.Vertical)

    def _action(self, name: str, text: str, slot, shortcut=None) -> QAction:
        action = QAction(text, self)
        action.setObjectName(name)
        if shortcut is not None:
            action.setShortcut(shortcut)
        action.triggered.connect(slot)
        return action

    def _make_actions(self) -> None:
        p = self.projects
        self.action_open = self._action("action_open", "&Open\u2026", p.open_dialog,
                                        QKeySequence.Open)
        self.action_save = self._action("action_save", "&Save", p.save, QKeySequence.Save)
        self.action_save_as = self._action("action_save_as", "Save &As\u2026", p.save_as,
                                           QKeySequence.SaveAs)
        self.action_quit = self._action("action_quit", "&Quit", self.close, QKeySequence.Quit)
        self.action_undo = self.editor.stack.createUndoAction(self, "&Undo")
        self.action_undo.setObjectName("action_undo")
        self.action_undo.setShortcuts(QKeySequence.Undo)
        self.action_redo = self.editor.stack.createRedoAction(self, "&Redo")
        self.action_redo.setObjectName("action_redo")
        self.action_redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence.Redo])
        self.addActions([self.action_undo, self.action_redo])

    def _make_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        self.new_menu = file_menu.addMenu("&New")
        self.new_menu.setObjectName("menu_new")
        self.new_menu.setToolTipsVisible(True)
        for template in templates():
            action = self._action(f"action_new_{template.key}", template.title,
                                  partial(self.projects.new_from_template, template.key))
            action.setEnabled(template.available)
            action.setToolTip(template.description if template.available
                              else template.unavailable_reason)
            self.new_menu.addAction(action)
        file_menu.addAction(self.action_open)
        self.recent_menu = file_menu.addMenu("Open &Recent")
        self.recent_menu.setObjectName("menu_recent")
        self.examples_menu = file_menu.addMenu("&Examples")
        self.examples_menu.setObjectName("menu_examples")
        for path in example_paths():
            title = path.stem.replace("_", " ").capitalize().replace("mlp", "MLP")
            self.examples_menu.addAction(self._action(
                f"action_example_{path.stem}", title, partial(self.projects.open_path, path)))
        self.examples_menu.setEnabled(bool(example_paths()))
        file_menu.addSeparator()
        file_menu.addActions([self.action_save, self.action_save_as])
        file_menu.addSeparator()
        file_menu.addAction(self.action_quit)
        self._make_edit_and_view_menus(bar)
        self._fill_recent(self.projects.recent_files())

    def _make_edit_and_view_menus(self, bar) -> None:
        canvas_actions = self.canvas.actions_by_name
        edit_menu = bar.addMenu("&Edit")
        edit_menu.addActions([self.action_undo, self.action_redo])
        edit_menu.addSeparator()
        for name in ("action_copy", "action_paste", "action_duplicate", "action_delete",
                     "action_select_all"):
            edit_menu.addAction(canvas_actions[name])
        view_menu = bar.addMenu("&View")
        for name in ("action_zoom_in", "action_zoom_out", "action_fit", "action_arrange"):
            view_menu.addAction(canvas_actions[name])
        view_menu.addSeparator()
        for dock in (self.palette_dock, self.inspector_dock, self.summary_dock,
                     self.history_dock):
            view_menu.addAction(dock.toggleViewAction())

    def _fill_recent(self, files: list[str]) -> None:
        self.recent_menu.clear()
        for i, path in enumerate(files):
            self.recent_menu.addAction(self._action(
                f"action_recent_{i}", f"&{i + 1}  {Path(path).name}",
                partial(self.projects.open_path, path)))
            self.recent_menu.actions()[-1].setToolTip(path)
        self.recent_menu.addSeparator()
        clear = self.recent_menu.addAction("Clear list", self.projects.clear_recent)
        clear.setEnabled(bool(files))

    def _wire(self) -> None:
        self.palette.layer_activated.connect(self._add_after_selection)
        self.projects.title_changed.connect(self._update_title)
        self.projects.recent_changed.connect(self._fill_recent)
        self.editor.doc.document_reset.connect(self.canvas.show_design)
        self.summary.layer_focused.connect(self.canvas.centre_on_layer)

    def _make_status_bar(self) -> None:
        self.zoom_label = QLabel("100%")
        self.zoom_label.setObjectName("zoom_label")
        self.statusBar().addPermanentWidget(self.zoom_label)
        self.canvas.zoom_changed.connect(lambda z: self.zoom_label.setText(f"{z:.0%}"))
        self.canvas.canvas_scene.status_message.connect(
            lambda text: self.statusBar().showMessage(text, 8000))
        self.projects.message.connect(lambda text: self.statusBar().showMessage(text, 4000))
        self.statusBar().showMessage(
            "Drag layers from the palette; drag from a right-hand port to a left-hand "
            "port to connect.", 10000)

    def _add_after_selection(self, type_name: str) -> None:
        self.editor.add_layer_after_selection(type_name)
        self.canvas.centre_on_layer(self.editor.selection[-1])

    def _update_title(self, title: str) -> None:
        self.setWindowTitle(title)

    # ---- remembered layout ---------------------------------------------------------
    def _restore_layout(self) -> None:
        geometry = self.settings.value("window/geometry")
        state = self.settings.value("window/state")
        if geometry is not None:
            self.restoreGeometry(geometry)
        if state is not None:
            self.restoreState(state, STATE_VERSION)

    def save_layout(self) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState(STATE_VERSION))
        self.settings.sync()

    def closeEvent(self, event) -> None:
        if not self.projects.maybe_save():
            event.ignore()
            return
        self.save_layout()
        event.accept()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.canvas.show_design()
