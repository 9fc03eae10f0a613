"""Fixtures for driving the real designer widgets as a user would (offscreen)."""
import os
import tempfile

import pytest
from PySide6.QtCore import QPoint, QPointF, QSettings, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox

from designer.app import create_main_window
from designer.gui_gc import GuiThreadCollector
from designer.model.templates import build_template

# Windows autosave their work (designer/recovery.py): never into the user's own folder.
os.environ.setdefault("NEUROCANVAS_RECOVERY_DIR", tempfile.mkdtemp(prefix="nc-recovery-"))


class Dialogs:
    """Records message boxes instead of blocking on them; ``answer`` replies to questions."""

    def __init__(self):
        self.shown: list[tuple[str, str, str]] = []
        self.answer = QMessageBox.Discard

    def critical(self, parent, title, text, *args, **kwargs):
        self.shown.append(("critical", title, text))
        return QMessageBox.Ok

    def warning(self, parent, title, text, *args, **kwargs):
        self.shown.append(("warning", title, text))
        return QMessageBox.Ok

    def question(self, parent, title, text, *args, **kwargs):
        self.shown.append(("question", title, text))
        return self.answer


@pytest.fixture(autouse=True)
def gui_thread_gc(qapp):
    """As in the app: garbage is collected in the GUI thread only (designer/gui_gc.py);
    a collection in the runner's thread deadlocked the suite."""
    collector = GuiThreadCollector()
    yield collector
    collector.stop()


@pytest.fixture
def dialogs(monkeypatch):
    recorder = Dialogs()
    monkeypatch.setattr(QMessageBox, "critical", recorder.critical)
    monkeypatch.setattr(QMessageBox, "question", recorder.question)
    monkeypatch.setattr(QMessageBox, "warning", recorder.warning)
    return recorder


@pytest.fixture
def settings(tmp_path):
    return QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat)


@pytest.fixture
def window(qtbot, dialogs, settings):
    """The main window with the blank template (one Input layer), shown offscreen."""
    win = create_main_window(settings=settings)
    template = build_template("blank")
    win.editor.load(template.spec, template.layout)
    # Threads (training, previews, evaluations) end before the window goes, whatever
    # the test did; a window destroyed under a running thread can hang Qt.
    qtbot.addWidget(win, before_close_func=lambda w: (w.training.shutdown(),
                                                      w.inside.shutdown(),
                                                      w.data_panel.shutdown()))
    win.show()
    qtbot.waitExposed(win)
    win.canvas.resetTransform()
    win.canvas.centerOn(300, 0)
    return win


def flush(doc):
    """Let the zero-delay report refresh run (as the event loop would)."""
    QApplication.processEvents()
    doc.refresh_report()


def drop_layer(view, type_name: str, scene_pos: QPointF):
    """Drag a palette entry onto the canvas: the events Qt sends during a real drag."""
    from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent

    from designer.panels.palette import layer_mime

    mime = layer_mime(type_name)  # kept referenced while the events live
    point = view.mapFromScene(scene_pos)
    pos = QPointF(point)
    actions = Qt.CopyAction | Qt.MoveAction
    for event in (QDragEnterEvent(pos.toPoint(), actions, mime, Qt.LeftButton, Qt.NoModifier),
                  QDragMoveEvent(pos.toPoint(), actions, mime, Qt.LeftButton, Qt.NoModifier),
                  QDropEvent(pos, actions, mime, Qt.LeftButton, Qt.NoModifier)):
        QApplication.sendEvent(view.viewport(), event)
    return mime


def view_point(view, scene_pos: QPointF) -> QPoint:
    return view.mapFromScene(scene_pos)


def drag(view, start: QPointF, end: QPointF, steps: int = 6):
    """Press at ``start``, move in steps, release at ``end`` (scene coordinates)."""
    vp = view.viewport()
    a, b = view_point(view, start), view_point(view, end)
    QTest.mousePress(vp, Qt.LeftButton, Qt.NoModifier, a)
    for i in range(1, steps + 1):
        p = a + (b - a) * (i / steps)
        _mouse_move(vp, p)
    QTest.mouseRelease(vp, Qt.LeftButton, Qt.NoModifier, b)


def _mouse_move(widget, point: QPoint, buttons=Qt.LeftButton):
    from PySide6.QtGui import QMouseEvent

    event = QMouseEvent(QMouseEvent.MouseMove, QPointF(point), QPointF(widget.mapToGlobal(point)),
                        Qt.NoButton, buttons, Qt.NoModifier)
    QApplication.sendEvent(widget, event)
