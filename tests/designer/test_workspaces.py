"""Workspaces (Design, Data, Train, Evaluate) driven through the real switcher, menus and
Train button: which docks each shows, layouts remembered per workspace (never from a
squashed window), Reset Layout, and the workspace that comes forward by itself."""
from PySide6.QtCore import QSettings, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from designer.app import create_main_window
from designer.projects import EXAMPLES_DIR
from designer.workspaces import KEYS, LAYOUTS


def shown_docks(window) -> set[str]:
    """The docks in view: a dock in a tab behind another is "visible" to Qt, but moved
    out of the window, so it shows nothing."""
    QApplication.processEvents()
    return {name for name, dock in window.workspaces.docks.items()
            if dock.isVisible() and not dock.visibleRegion().isEmpty()}


def expected_docks(key: str) -> set[str]:
    """The docks in view (a dock in a tab behind another is not)."""
    layout = LAYOUTS[key]
    return {n for n, _ in layout.place} | {b for _, b, _ in layout.split}


def click_tab(window, index: int) -> None:
    bar = window.workspaces.switcher
    QTest.mouseClick(bar, Qt.LeftButton, Qt.NoModifier, bar.tabRect(index).center())


def test_the_switcher_shows_each_workspaces_docks_and_the_canvas_where_it_matters(window):
    assert window.workspaces.current == "design"
    for index, key in enumerate(KEYS):
        click_tab(window, index)
        assert window.workspaces.current == key
        assert shown_docks(window) == expected_docks(key), key
        assert window.canvas.isVisible() == (key in ("design", "train"))
        assert window.workspaces.actions[key].isChecked()
        if key == "train":  # the live boundary and samples one tab away
            assert window.evaluation_dock in window.tabifiedDockWidgets(window.inside_dock)
    window.workspaces.actions["design"].trigger()  # View > Workspace > Design
    assert window.workspaces.switcher.currentIndex() == 0
    assert window.palette_dock.isVisible() and window.canvas.isVisible()


def test_each_workspace_remembers_its_layout_and_reset_restores_the_defaults(
        qtbot, window, settings):
    window.history_dock.close()  # the user closes a dock in Design
    click_tab(window, KEYS.index("train"))
    assert window.training_dock.isVisible()
    window.inside_dock.close()  # and another in Train
    click_tab(window, KEYS.index("design"))
    assert not window.history_dock.isVisible() and window.inspector_dock.isVisible()
    click_tab(window, KEYS.index("train"))
    assert not window.inside_dock.isVisible() and window.plots_dock.isVisible()
    window.close()  # remembered across sessions too
    again = create_main_window(settings=settings)
    qtbot.addWidget(again)
    again.show()
    assert again.workspaces.current == "train" and not again.inside_dock.isVisible()
    again.workspaces.switch("design")
    assert not again.history_dock.isVisible()
    again.workspaces.action_reset.trigger()  # View > Reset Layout
    assert shown_docks(again) == expected_docks("design")
    again.workspaces.switch("train")
    assert again.inside_dock.isVisible()


def test_a_squashed_window_does_not_overwrite_the_remembered_layout(window, settings):
    window.workspaces.switch("train")
    window.workspaces.switch("design")  # Design's good layout is remembered
    window.resize(500, 360)
    window.history_dock.close()
    window.workspaces.switch("train")  # leaving Design from a tiny window
    window.resize(1200, 800)
    window.workspaces.switch("design")
    assert window.history_dock.isVisible()


def test_train_brings_the_train_workspace_and_a_finished_run_evaluate(qtbot, dialogs,
                                                                     settings):
    win = create_main_window(EXAMPLES_DIR / "xor.ncproj", settings)
    qtbot.addWidget(win, before_close_func=lambda w: (w.training.shutdown(),
                                                      w.inside.shutdown(),
                                                      w.data_panel.shutdown()))
    win.editor.set_training_setting("epochs", 3)
    win.show()
    win.workspaces.switch("data")
    with qtbot.waitSignal(win.training.run_finished, timeout=60000):
        win.training_panel.buttons["action_train"].click()
        assert win.workspaces.current == "train"
    qtbot.waitUntil(lambda: win.workspaces.current == "evaluate", timeout=5000)
    panel = win.inside_dock.widget()
    assert win.evaluation_dock.isVisible()
    assert panel.evaluation.currentWidget() is panel.results
    win.editor.stack.setClean()


def test_loading_data_leaves_the_user_where_they_are(qtbot, window):
    window.workspaces.switch("data")
    with qtbot.waitSignal(window.data_panel.loaded, timeout=30000):
        window.data_panel.load_button.click()
    assert window.workspaces.current == "data"


def test_the_evaluate_layout_fits_a_small_screen(qtbot, dialogs, tmp_path):
    """At 1366x768 less the desktop's panels, every dock keeps its minimum size."""
    win = create_main_window(settings=QSettings(str(tmp_path / "s.ini"), QSettings.IniFormat))
    qtbot.addWidget(win)
    win.show()
    for key in KEYS:
        win.workspaces.switch(key)
        hint = win.minimumSizeHint()
        assert hint.width() <= 1366 and hint.height() <= 700, (key, hint)
