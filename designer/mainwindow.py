"""The main window: composition only (canvas, docks, menus, status bar, settings)."""
from __future__ import annotations

from functools import partial
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QLabel, QMainWindow, QToolBar, QUndoView

from .about import show_about
from .app_icon import app_icon
from .canvas.view import CanvasView
from .datasets import DataCache, data_seed
from .edit_lock import EditLock, make_undo_actions
from .editor import Editor
from .freshness import Freshness
from .inside.dock import InsideController, make_inside_panel, project_data
from .lessons import LessonController
from .model.templates import templates
from .next_step import NextStepBar
from .panels.data_panel import DataPanel
from .panels.experiments_panel import ExperimentsPanel
from .panels.export_dialog import export_problem, open_export_dialog
from .panels.inspector import InspectorWidget
from .panels.palette import PaletteWidget
from .panels.plots_panel import PlotsPanel
from .panels.summary import SummaryWidget
from .panels.training_panel import TrainingPanel
from .projects import ProjectController, example_paths, example_title
from .recovery import Autosave
from .rich_text import as_plain
from .start_page import open_start_page
from .status_bar import ElidingStatusBar
from .training_controller import TrainingController
from .workspaces import WorkspaceManager, follow_the_work

STATE_VERSION = 4  # 3: one saved state per workspace; 4: the Experiments dock


class MainWindow(QMainWindow):
    def __init__(self, settings: QSettings | None = None):
        super().__init__()
        self.setObjectName("main_window")
        self.setWindowIcon(app_icon())  # dialogs inherit it from their parent
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
        self.data_cache = DataCache()
        self.training = TrainingController(self.editor, self.data_cache, self._project_dir,
                                           self)
        self.data_panel = DataPanel(self.editor, self.data_cache, self._project_dir)
        self.training_panel = TrainingPanel(self.editor, self.training)
        self.plots_panel = PlotsPanel(self.editor, self.training)
        self.experiments = ExperimentsPanel(self.editor, self._project_dir)
        self.autosave = Autosave(self.projects, self.training, self)  # recovery after a crash
        self.export_dialog = None
        self.setStatusBar(ElidingStatusBar(self))  # before anything adds to it
        self._make_docks()
        self._make_actions()
        self._make_menus()
        self._wire()
        self._make_status_bar()
        self._make_inside()  # views of the network's insides
        self._make_workspaces()
        self._make_learn_menu()
        self.addToolBarBreak()
        self.next_step = NextStepBar(self)  # design -> data -> train, one step at a time
        self.addToolBar(Qt.TopToolBarArea, self.next_step)
        # Last: every view is built, and each hears of a new project, other data, a run
        # or an edit through this one notification (designer/freshness.py).
        self.freshness = Freshness.adopt(self, self.editor, self.training,
                                         [self.inside.badges, self.inside])
        self.resize(1360, 860)
        self._restore_layout()
        self._update_title(self.projects.title())

    # ---- composition ---------------------------------------------------------------
    def _dock(self, title: str, name: str, widget, area, orientation=None) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        dock.setFeatures(QDockWidget.DockWidgetMovable | QDockWidget.DockWidgetClosable
                         | QDockWidget.DockWidgetFloatable)
        if orientation is None:
            self.addDockWidget(area, dock)
        else:
            self.addDockWidget(area, dock, orientation)
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
        self.data_dock = self._dock("Data", "data_dock", self.data_panel,
                                    Qt.RightDockWidgetArea)
        self.training_dock = self._dock("Training", "training_dock", self.training_panel,
                                        Qt.RightDockWidgetArea)
        self.summary_dock = self._dock("Summary", "summary_dock", self.summary,
                                       Qt.BottomDockWidgetArea)
        self.plots_dock = self._dock("Plots", "plots_dock", self.plots_panel,
                                     Qt.BottomDockWidgetArea)
        self.experiments_dock = self._dock("Experiments", "experiments_dock", self.experiments,
                                           Qt.LeftDockWidgetArea)
        # Where each dock shows, and how big, is the workspaces' (designer/workspaces.py).

    def _make_inside(self) -> None:
        """The Inside dock (live views, beside the plots in Train) and the Evaluation
        dock (the trained network's results), with their entries in the View menu."""
        doc = self.editor.doc
        data = lambda: project_data(doc, self.data_cache, self._project_dir)  # noqa: E731
        panel = make_inside_panel(self.training, doc, data)
        self.inside_dock = self._dock("Inside", "inside_dock", panel, Qt.BottomDockWidgetArea,
                                      Qt.Horizontal)
        self.evaluation_dock = self._dock("Evaluation", "evaluation_dock", panel.evaluation,
                                          Qt.BottomDockWidgetArea, Qt.Horizontal)
        self.view_menu.addActions([self.inside_dock.toggleViewAction(),
                                   self.evaluation_dock.toggleViewAction()])
        self.inside = InsideController(panel, self.training, self.editor,
                                       self.canvas.canvas_scene, self, data)
        # A very large layer: the Inspector's warning gets a measured time per epoch.
        self.inspector.estimate_wanted.connect(panel.estimate.start)
        panel.estimate.estimated.connect(self.inspector.show_estimate)

    def _make_workspaces(self) -> None:
        panel = self.inside_dock.widget()
        docks = {name: getattr(self, f"{name}_dock") for name in (
            "palette", "inspector", "history", "data", "training", "summary", "plots",
            "inside", "evaluation", "experiments")}
        views = {("inside", "preview"): (panel, panel.preview),
                 ("inside", "layers"): (panel, panel.layers),
                 ("evaluation", "results"): (panel.evaluation, panel.results)}
        self.workspaces = WorkspaceManager(self, docks, self.settings, STATE_VERSION, views)
        menu = self.view_menu.addMenu("&Workspace")
        menu.setObjectName("menu_workspace")
        menu.addActions(list(self.workspaces.actions.values()))
        self.view_menu.addAction(self.workspaces.action_reset)
        toolbar = QToolBar("Workspaces", self)
        toolbar.setObjectName("workspace_toolbar")
        toolbar.addWidget(self.workspaces.switcher)
        self.insertToolBar(self.training_toolbar, toolbar)
        follow_the_work(self.workspaces, self.training)

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
        self.action_undo, self.action_redo = make_undo_actions(self.editor, self)
        self.action_export = self._action("action_export", "&Export\u2026",
                                          lambda: open_export_dialog(self, self.editor, p))
        self.action_export_csv = self._action("action_export_csv", "Export metrics as &CSV\u2026",
                                              self.plots_panel.export_csv_dialog)
        self.action_export_png = self._action("action_export_png", "Export plots as &PNG\u2026",
                                              self.plots_panel.export_png_dialog)
        self.addActions([self.action_undo, self.action_redo] + self.training.actions)

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
            if template.key == "blank":
                action.setShortcut(QKeySequence.New)
            action.setToolTip(template.description if template.available
                              else template.unavailable_reason)
            self.new_menu.addAction(action)
        self.action_start_page = self._action(
            "action_start_page", "Start &Page\u2026", lambda: open_start_page(self),
            QKeySequence("Ctrl+Shift+N"))
        self.action_start_page.setToolTip("Examples, templates and recent projects")
        file_menu.addAction(self.action_start_page)
        file_menu.addAction(self.action_open)
        self.recent_menu = file_menu.addMenu("Open &Recent")
        self.recent_menu.setObjectName("menu_recent")
        self.examples_menu = file_menu.addMenu("&Examples")
        self.examples_menu.setObjectName("menu_examples")
        for path in example_paths():
            self.examples_menu.addAction(self._action(
                f"action_example_{path.stem}", example_title(path),
                partial(self.projects.open_path, path)))
        self.examples_menu.setEnabled(bool(example_paths()))
        file_menu.addSeparator()
        file_menu.addActions([self.action_save, self.action_save_as])
        file_menu.addSeparator()
        file_menu.addAction(self.action_export)
        file_menu.addSeparator()
        file_menu.addAction(self.action_quit)
        self._make_edit_and_view_menus(bar)
        self._make_training_menu(bar)
        self.learn_menu = bar.addMenu("&Learn")  # filled once the workspaces exist
        self.learn_menu.setObjectName("menu_learn")
        help_menu = bar.addMenu("&Help")
        self.action_about = self._action("action_about", "&About NeuroCanvas",
                                         lambda: show_about(self))
        self.action_about.setMenuRole(QAction.AboutRole)
        help_menu.addAction(self.action_about)
        self._fill_recent(self.projects.recent_files())

    def _make_edit_and_view_menus(self, bar) -> None:
        canvas_actions = self.canvas.actions_by_name
        edit_menu = bar.addMenu("&Edit")
        edit_menu.addActions([self.action_undo, self.action_redo])
        edit_menu.addSeparator()
        for name in ("action_copy", "action_paste", "action_duplicate", "action_delete",
                     "action_select_all"):
            edit_menu.addAction(canvas_actions[name])
        view_menu = self.view_menu = bar.addMenu("&View")
        for name in ("action_zoom_in", "action_zoom_out", "action_fit", "action_arrange"):
            view_menu.addAction(canvas_actions[name])
        view_menu.addSeparator()  # the workspaces and their docks (see _make_workspaces)
        for dock in (self.palette_dock, self.inspector_dock, self.data_dock,
                     self.training_dock, self.summary_dock, self.plots_dock,
                     self.history_dock, self.experiments_dock):
            view_menu.addAction(dock.toggleViewAction())

    def _make_training_menu(self, bar) -> None:
        menu = bar.addMenu("&Training")
        menu.addActions(self.training.actions)
        menu.addSeparator()
        menu.addAction(self.training.action_probe)
        menu.addAction(self._action("action_step_through", "Step &through one step\u2026",
                                    self.step_through))
        self.action_check_gradients = self._action(
            "action_check_gradients", "Check &gradients", self.check_gradients)
        self.action_check_gradients.setToolTip(
            "Compare every layer's backward pass with finite differences (Inside \u203a "
            "Gradients)")
        menu.addAction(self.action_check_gradients)
        menu.addSeparator()
        menu.addActions([self.action_export_csv, self.action_export_png])
        toolbar = self.training_toolbar = QToolBar("Training", self)
        toolbar.setObjectName("training_toolbar")
        toolbar.setToolButtonStyle(Qt.ToolButtonTextOnly)
        toolbar.addActions(self.training.actions)
        toolbar.addSeparator()
        toolbar.addAction(self.action_export)
        self.addToolBar(Qt.TopToolBarArea, toolbar)

    def step_through(self) -> None:
        """Show the Inside dock's step-through and take the next run's first step."""
        panel = self.inside_dock.widget()
        self.inside_dock.show()
        self.inside_dock.raise_()
        panel.show_view(panel.steps)
        panel.steps.start()

    def check_gradients(self) -> None:
        """Show the Inside dock's Gradients tab and run the check there."""
        panel = self.inside_dock.widget()
        self.inside_dock.show()
        self.inside_dock.raise_()
        panel.show_view(panel.gradcheck)
        panel.gradcheck.start()

    def _make_learn_menu(self) -> None:
        """Learn: the lessons, each opening its example beside its text (the Lesson
        dock, kept in view through the workspaces while a lesson is open)."""
        self.lessons = LessonController(self, self.projects, self.workspaces)
        self.lessons.fill_menu(self.learn_menu)
        # A lesson opens a project: not while a run goes (as File › Open).
        self.edit_lock.actions.extend(self.lessons.actions.values())

    def _fill_recent(self, files: list[str]) -> None:
        self.recent_menu.clear()
        for i, path in enumerate(files):
            self.recent_menu.addAction(self._action(
                f"action_recent_{i}", f"&{i + 1}  {Path(path).name.replace('&', '&&')}",
                partial(self.projects.open_path, path)))
            self.recent_menu.actions()[-1].setToolTip(as_plain(path))
        self.recent_menu.addSeparator()
        clear = self.recent_menu.addAction("Clear list", self.projects.clear_recent)
        clear.setEnabled(bool(files))

    def _wire(self) -> None:
        self.palette.layer_activated.connect(self.add_after_selection)
        self.projects.title_changed.connect(self._update_title)
        self.projects.recent_changed.connect(self._fill_recent)
        # A file moved or deleted since the list was filled no longer shows (it stayed,
        # and opening it failed every time).
        self.recent_menu.aboutToShow.connect(
            lambda: self._fill_recent(self.projects.recent_files()))
        self.summary.layer_focused.connect(self.canvas.centre_on_layer)
        self.summary.data_info = self._loaded_data_info  # the checks against the data
        self.summary.data_wanted.connect(lambda: self.workspaces.switch("data"))
        self.data_panel.loaded.connect(lambda _ok: self.summary.refresh())
        canvas_actions = self.canvas.actions_by_name
        self.edit_lock = EditLock(
            self.editor, [self.palette, self.inspector, self.history],
            [canvas_actions[n] for n in ("action_paste", "action_duplicate", "action_delete",
                                         "action_arrange")]
            + [self.action_open, self.action_start_page, self.new_menu.menuAction(), self.recent_menu.menuAction(),
               self.examples_menu.menuAction()], self.canvas, self.statusBar())
        self.training.message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        for signal in (self.editor.doc.project_changed, self.editor.doc.design_changed,
                       self.editor.doc.document_reset):
            signal.connect(self._update_export_action)
        self._update_export_action()

    def _update_export_action(self, *_) -> None:
        problem = export_problem(self.editor.doc)
        self.action_export.setEnabled(not problem)
        self.action_export.setToolTip("Export the trained model" if not problem else
                                      f"Train the network first. {problem}")

    def _loaded_data_info(self) -> dict | None:
        """The project's data description as loaded, if it is (this never loads)."""
        project = self.editor.doc.project
        data = self.data_cache.get(project.data, data_seed(project.training),
                                   self._project_dir())
        return data.dataset_info if data is not None else None

    def _project_dir(self):
        return self.projects.path.parent if self.projects.path else None

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

    def add_after_selection(self, type_name: str) -> None:
        self.editor.add_layer_after_selection(type_name)
        self.canvas.centre_on_layer(self.editor.selection[-1])

    def _update_title(self, title: str) -> None:
        self.setWindowTitle(title)

    # ---- remembered layout ---------------------------------------------------------
    def _restore_layout(self) -> None:
        geometry = self.settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        self.workspaces.start()  # the last workspace shown, as it was left

    def save_layout(self) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.workspaces.remember()
        self.settings.sync()

    def closeEvent(self, event) -> None:
        if not self.projects.maybe_save():
            event.ignore()
            return
        self.autosave.discard()  # saved or given up: nothing to recover
        self.training.shutdown()
        self.experiments.shutdown()  # every trial process stopped and gone
        self.data_panel.shutdown()
        self.save_layout()
        event.accept()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.workspaces.window_shown()  # the default dock sizes, once laid out...
        QTimer.singleShot(0, self.canvas.show_design)  # ...then the design fitted in view
