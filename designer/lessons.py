"""The Learn menu: short lessons built on the bundled examples (``engine.lessons``).

Choosing a lesson asks about unsaved changes (as File › Open does), opens the lesson's
set-up of its example as an untitled project, and shows its text in the Lesson dock
beside the canvas. The dock stays through every workspace while a lesson is open, so
its steps can be followed while training. Links ``lesson:<key>/<variant>`` in the text
switch to another set-up of the same lesson (XOR with a hidden layer, an LSTM ...).
"""
from __future__ import annotations

from functools import partial

from PySide6.QtCore import QObject, Qt, QUrl
from PySide6.QtGui import QAction, QDesktopServices
from PySide6.QtWidgets import QDockWidget, QMessageBox, QTextBrowser

from engine.errors import NeuroCanvasError
from engine.lessons import LESSONS, get_lesson, lesson_project, lesson_text, parse_link


class LessonPanel(QTextBrowser):
    """A lesson's Markdown, rendered; ``variant_chosen(key, variant)`` for its links."""

    def __init__(self, open_variant, parent=None):
        super().__init__(parent)
        self.setObjectName("lesson_text")
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.open_variant = open_variant
        self.anchorClicked.connect(self._link)
        self.key: str | None = None
        document = self.document()
        document.setDocumentMargin(10)
        # Headings and code a size a learner reads at a glance in a narrow dock.
        document.setDefaultStyleSheet("h1 { font-size: large; } h2 { font-size: medium; } "
                                      "code { background-color: #eef1f5; }")

    def show_lesson(self, key: str, text: str) -> None:
        self.key = key
        self.setMarkdown(text)

    def _link(self, url: QUrl) -> None:
        link = parse_link(url.toString())
        if link is not None:
            self.open_variant(*link)
        elif url.scheme() in ("http", "https"):
            QDesktopServices.openUrl(url)


class LessonDock(QDockWidget):
    """The dock; its close button ends the lesson (a workspace hiding it does not)."""

    def __init__(self, window, on_close):
        super().__init__("Lesson", window)
        self.on_close = on_close

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self.on_close()
        super().closeEvent(event)


class LessonController(QObject):
    """The Learn menu's actions and the Lesson dock of ``window``."""

    def __init__(self, window, projects, workspaces):
        super().__init__(window)
        self.window, self.projects = window, projects
        self.panel = LessonPanel(self.open)
        self.dock = LessonDock(window, self.close_lesson)
        self.dock.setObjectName("lesson_dock")
        self.dock.setWidget(self.panel)
        self.dock.setFeatures(QDockWidget.DockWidgetMovable | QDockWidget.DockWidgetClosable
                              | QDockWidget.DockWidgetFloatable)
        self.dock.setMinimumWidth(300)
        window.addDockWidget(Qt.RightDockWidgetArea, self.dock)
        self.dock.hide()
        self.current: tuple[str, str] | None = None
        self.actions: dict[str, QAction] = {}
        for lesson in LESSONS:
            action = QAction(lesson.title, window)
            action.setObjectName(f"action_lesson_{lesson.key}")
            action.setToolTip(f"Open the lesson: {lesson.title}")
            action.triggered.connect(partial(self.open, lesson.key, ""))
            self.actions[lesson.key] = action
        # A workspace's saved layout may not hold the dock: bring it back while a
        # lesson is open, so its steps stay in view through Design, Train and Evaluate.
        # And a lesson closed stays closed, whatever a workspace's saved layout says.
        workspaces.changed.connect(lambda _key: self._keep_in_view())
        self.action_show = QAction("Show the &Lesson", window)
        self.action_show.setObjectName("action_show_lesson")
        self.action_show.setToolTip("Bring back the text of the last lesson opened")
        self.action_show.setEnabled(False)
        self.action_show.triggered.connect(self.show_again)

    def fill_menu(self, menu) -> None:
        menu.setToolTipsVisible(True)
        menu.addActions(list(self.actions.values()))
        menu.addSeparator()
        menu.addAction(self.action_show)

    def open(self, key: str, variant: str = "") -> bool:
        """Open lesson ``key`` (its set-up ``variant``, or its first) beside the canvas;
        False when the user kept the current work or the lesson cannot be opened."""
        try:
            lesson = get_lesson(key)
            variant = variant or lesson.variants[0][0]
            project = lesson_project(key, variant)
            text = lesson_text(key) if self.panel.key != key else None
        except (NeuroCanvasError, OSError) as error:
            QMessageBox.critical(self.window, "Cannot open the lesson", str(error))
            return False
        if not self.projects.open_project(project, f"the lesson {lesson.title!r}"):
            return False
        if text is not None:
            self.panel.show_lesson(key, text)
        self.current = (key, variant)
        self.action_show.setEnabled(True)
        self._keep_in_view(raise_it=True)
        return True

    def show_again(self) -> None:
        if self.panel.key is not None:
            self.current = self.current or (self.panel.key, "")
            self._keep_in_view(raise_it=True)

    def _keep_in_view(self, raise_it: bool = False) -> None:
        if self.current is None:
            self.dock.hide()
            return
        if not self.dock.isFloating() and \
                self.window.dockWidgetArea(self.dock) == Qt.NoDockWidgetArea:
            self.window.addDockWidget(Qt.RightDockWidgetArea, self.dock)
        self.dock.show()
        if raise_it:
            self.dock.raise_()

    def close_lesson(self) -> None:
        self.current = None
