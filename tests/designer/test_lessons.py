"""The Learn menu: each lesson opens its set-up (asking about unsaved work first, as File ›
Open does) with its text beside the canvas; the text names only labels the window has;
its links switch set-ups; the dock stays through the workspaces. Training › Check
gradients opens the Gradients tab and runs the check."""
import re

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtWidgets import QMessageBox

from designer.ui_labels import window_labels
from engine.lessons import LESSONS, lesson_project, lesson_text


def design(win) -> list[tuple[str, str, dict]]:
    spec = win.editor.doc.spec()
    return [(layer.id, layer.type, dict(layer.config)) for layer in spec.layers]


def expected(key, variant=None) -> list[tuple[str, str, dict]]:
    return [(layer.id, layer.type, dict(layer.config))
            for layer in lesson_project(key, variant).spec.layers]


def bold_labels(text: str) -> list[str]:
    """Every **label** of a lesson; 'A › B' is a path of two labels."""
    return [part.strip() for bold in re.findall(r"\*\*(.+?)\*\*", text)
            for part in bold.split("\u203a")]


def test_the_learn_menu_lists_every_lesson(window):
    titles = [a.text() for a in window.learn_menu.actions() if not a.isSeparator()]
    assert titles[:len(LESSONS)] == [lesson.title for lesson in LESSONS]
    assert window.lessons.action_show in window.learn_menu.actions()
    assert not window.lessons.action_show.isEnabled()  # no lesson opened yet
    assert not window.lessons.dock.isVisible()


@pytest.mark.parametrize("lesson", LESSONS, ids=[lesson.key for lesson in LESSONS])
def test_each_lesson_opens_its_setup_beside_its_text_naming_real_labels(window, lesson):
    window.findChild(type(window.action_open), f"action_lesson_{lesson.key}").trigger()
    assert design(window) == expected(lesson.key)
    assert window.editor.doc.project.data == lesson_project(lesson.key).data
    assert window.editor.doc.project.training == lesson_project(lesson.key).training
    assert window.projects.path is None and not window.projects.modified
    dock = window.lessons.dock
    assert dock.isVisible() and not dock.isFloating()
    shown = window.lessons.panel.toPlainText()
    assert shown.startswith(lesson.title) and "What to do" in shown and "**" not in shown
    # Labels appear as the lesson's set-up is shown: its data's fields, its layers' forms.
    labels = window_labels(window)
    for layer in window.editor.doc.spec().layers:
        window.editor.set_selection([layer.id])
        labels |= window_labels(window)
    named = bold_labels(lesson_text(lesson.key))
    assert named, "a lesson names the views it uses"
    missing = sorted(set(named) - labels)
    assert not missing, f"{lesson.key} names labels the window does not have: {missing}"


def test_a_lesson_asks_about_unsaved_work_first(window, dialogs):
    window.editor.add_layer("Dense", (200.0, 0.0))
    before = design(window)
    dialogs.answer = QMessageBox.Cancel
    window.lessons.actions["xor_hidden_layer"].trigger()
    assert dialogs.shown[-1][0] == "question" and design(window) == before
    assert not window.lessons.dock.isVisible()
    dialogs.answer = QMessageBox.Discard
    window.lessons.actions["xor_hidden_layer"].trigger()
    assert design(window) == expected("xor_hidden_layer", "linear")


def test_no_lesson_opens_while_a_run_locks_the_design(window):
    window.lessons.actions["single_neuron"].trigger()
    before = design(window)
    window.editor.set_locked("Training is running")
    assert not window.lessons.actions["xor_hidden_layer"].isEnabled()
    assert not window.lessons.open("xor_hidden_layer", "hidden")  # a link in the text
    assert design(window) == before
    window.editor.set_locked("")
    assert window.lessons.actions["xor_hidden_layer"].isEnabled()
    assert window.lessons.open("xor_hidden_layer", "hidden")


def test_links_switch_setups_and_the_dock_stays_through_the_workspaces(window, qtbot):
    lessons = window.lessons
    lessons.actions["xor_hidden_layer"].trigger()
    assert [t for _i, t, _c in design(window)] == ["Input", "Dense"]
    lessons.panel.anchorClicked.emit(QUrl("lesson:xor_hidden_layer/hidden"))
    assert design(window) == expected("xor_hidden_layer", "hidden")
    assert lessons.current == ("xor_hidden_layer", "hidden")
    for key in ("train", "evaluate", "data", "design", "train"):
        window.workspaces.switch(key)
        qtbot.wait(10)
        assert lessons.dock.isVisible(), key
    lessons.dock.close()  # the user ends the lesson: workspaces leave it closed
    window.workspaces.switch("design")
    assert lessons.current is None and not lessons.dock.isVisible()
    lessons.action_show.trigger()  # Learn › Show the Lesson brings it back
    assert lessons.dock.isVisible() and lessons.current == ("xor_hidden_layer", "")


def test_training_check_gradients_opens_the_tab_and_runs_the_check(window, qtbot):
    window.lessons.actions["xor_hidden_layer"].trigger()
    panel = window.inside_dock.widget()
    view = panel.gradcheck
    with qtbot.waitSignal(view.checked, timeout=30000) as got:
        window.action_check_gradients.trigger()
    assert panel.currentWidget() is view and window.inside_dock.isVisible()
    result, error = got.args
    assert error is None and result[0].passed and view.table.rowCount() == 2
    training_menu = next(a.menu() for a in window.menuBar().actions()
                         if a.text() == "&Training")
    assert window.action_check_gradients in training_menu.actions()


def test_the_lesson_stays_where_the_user_moved_it_in_each_workspace(window, qtbot):
    """Moved to the right in Design, it is on the right again when Design comes back;
    Train, which the user left as placed, keeps its own place."""
    from PySide6.QtCore import Qt

    window.resize(1366, 768)
    lessons, spaces = window.lessons, window.workspaces
    spaces.switch("design")
    lessons.actions["single_neuron"].trigger()
    assert window.dockWidgetArea(lessons.dock) == Qt.LeftDockWidgetArea
    window.addDockWidget(Qt.RightDockWidgetArea, lessons.dock)  # as a drag would
    for key in ("train", "evaluate", "design"):
        spaces.switch(key)
        qtbot.wait(10)
        assert lessons.dock.isVisible(), key
    assert window.dockWidgetArea(lessons.dock) == Qt.RightDockWidgetArea
    spaces.switch("train")
    assert window.dockWidgetArea(lessons.dock) == Qt.LeftDockWidgetArea  # as _place put it
    spaces.switch("design")
    assert window.dockWidgetArea(lessons.dock) == Qt.RightDockWidgetArea
    spaces.action_reset.trigger()  # View › Reset Layout: placed afresh beside the canvas
    assert lessons.dock.isVisible()
    assert window.dockWidgetArea(lessons.dock) == Qt.LeftDockWidgetArea


def test_a_lesson_column_in_train_leaves_the_plots_their_share(window, qtbot):
    """At 1366x768 the Lesson takes a column of its own in Train; the Plots keep their
    default share beside the Inside dock (a long status there once held the Inside
    dock wide and squeezed the plots to a third), and the captions end in "…"."""
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    window.workspaces.switch("design")
    window.lessons.actions["xor_hidden_layer"].trigger()
    window.workspaces.switch("train")
    qtbot.wait(50)
    plots, inside = window.plots_dock.width(), window.inside_dock.width()
    assert plots / (plots + inside) > 0.4, (plots, inside)
    caption = window.plots_dock.widget().caption
    assert caption.shown_text().endswith("\u2026") and caption.toolTip() == caption.text()
