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
from PySide6.QtGui import QAction, QDesktopServices, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QDockWidget, QMessageBox, QTextBrowser

from engine.errors import NeuroCanvasError
from engine.lessons import LESSONS, get_lesson, lesson_project, lesson_text, parse_link

from .rich_text import as_plain


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
        self.document().setDocumentMargin(10)

    def show_lesson(self, key: str, text: str) -> None:
        self.key = key
        self.setMarkdown(text)
        self._scale_headings()

    def _scale_headings(self) -> None:
        """Markdown's headings come out at up to twice the text size: too big for a
        dock beside the canvas. Level 1 gets 1.4 times the text, the others 1.15."""
        base = self.font().pointSizeF()
        cursor = QTextCursor(self.document())
        block = self.document().begin()
        while block.isValid():
            level = block.blockFormat().headingLevel()
            if level:
                cursor.setPosition(block.position())
                cursor.setPosition(block.position() + block.length() - 1,
                                   QTextCursor.KeepAnchor)
                size = QTextCharFormat()
                size.setFontPointSize(base * (1.4 if level == 1 else 1.15))
                cursor.mergeCharFormat(size)
            block = block.next()

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
        window.addDockWidget(Qt.LeftDockWidgetArea, self.dock)
        self.dock.hide()
        self.palette_dock, self.summary_dock = window.palette_dock, window.summary_dock
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
        # Where the saved layout does hold it (the user left the workspace with the
        # lesson open), it stays where they put it. A lesson closed stays closed,
        # whatever a workspace's saved layout says.
        self.workspaces = workspaces
        workspaces.changed.connect(lambda _key: self._workspace_shown())
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
        if self.projects.refused_while_running("open a lesson"):  # its links too
            return False
        try:
            lesson = get_lesson(key)
            variant = variant or lesson.variants[0][0]
            project = lesson_project(key, variant)
            text = lesson_text(key) if self.panel.key != key else None
        except (NeuroCanvasError, OSError) as error:
            QMessageBox.critical(self.window, "Cannot open the lesson", as_plain(str(error)))
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

    def _workspace_shown(self) -> None:
        """A default layout lays the other docks out around wherever the dock was: place
        it again. A saved one showing it put it back where the user had it."""
        kept = self.workspaces.restored and self.dock.isVisible()
        self._keep_in_view(raise_it=kept, replace=not kept)

    def _keep_in_view(self, raise_it: bool = False, replace: bool = False) -> None:
        """Shown, beside the canvas (``_place``); ``replace``: placed again, as another
        workspace's docks have just been laid out around wherever it was."""
        if self.current is None:
            self.dock.hide()
            return
        if self.dock.isFloating():
            self.dock.show()
        elif replace or not self.dock.isVisible():
            self.dock.hide()
            self._place()
            raise_it = True
        if raise_it:
            self.dock.raise_()

    def _place(self) -> None:
        """In front of the Layers palette (Design); else a column of its own on the left
        (Train); else, where the left holds a view of its own (Evaluate), in front of
        the Summary."""
        win = self.window
        left = [d for d in win.findChildren(QDockWidget)
                if d is not self.dock and d.isVisible() and not d.isFloating()
                and win.dockWidgetArea(d) == Qt.LeftDockWidgetArea]
        host = self.palette_dock if self.palette_dock in left else None
        if host is None and left and self.summary_dock.isVisible() and \
                not self.summary_dock.isFloating():
            host = self.summary_dock
        if host is not None:
            win.tabifyDockWidget(host, self.dock)
            self.dock.show()
            return
        win.addDockWidget(Qt.LeftDockWidgetArea if not left else Qt.RightDockWidgetArea,
                          self.dock)
        self.dock.show()
        win.resizeDocks([self.dock], [max(320, win.width() // 4)], Qt.Horizontal)
        self.workspaces.keep_proportions()

    def close_lesson(self) -> None:
        self.current = None
