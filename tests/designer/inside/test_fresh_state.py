"""Fresh state: after another project opens, every view shows it or its empty state.

Views take part by being FreshViews (designer/freshness.py); the first test fails for
any widget of the designer's own that shows project state without being one, so a new
view cannot be forgotten. The second opens an example, trains it, uses every view, then
opens another example and looks at each view.
"""
from PySide6.QtWidgets import QWidget

from designer.freshness import Change, FreshView
from designer.inside.boundary_view import EMPTY_BOUNDARY
from designer.inside.estimate_view import EMPTY_ESTIMATE
from designer.inside.results import EMPTY_RESULTS
from designer.inside.sample_view import EMPTY_SAMPLE
from designer.projects import EXAMPLES_DIR

from .helpers import collect_snapshots

# Widgets of the designer that show nothing of a project, and why.
STATIC = {
    "PaletteWidget": "the layer catalogue, the same for every project",
    "InsidePanel": "the tabs that hold the Inside views (each a FreshView)",
    "LessonPanel": "a lesson's text, the same whatever project is open",
    "LessonDock": "the dock that holds the lesson's text",
    "ElidingStatusBar": "passing messages (\"Opened ...\"), each gone after its timeout",
}


def _owner(widget: QWidget, registered: list) -> QWidget | None:
    """The widget itself or its nearest ancestor that is registered or static."""
    while widget is not None:
        if any(widget is view for view in registered) or type(widget).__name__ in STATIC:
            return widget
        widget = widget.parentWidget()
    return None


def test_every_view_is_registered_and_no_widget_is_forgotten(open_example):
    win = open_example("xor")
    registered = win.freshness.views
    orphans = sorted({type(w).__name__ for w in win.findChildren(QWidget)
                      if type(w).__module__.startswith("designer.")
                      and _owner(w, registered) is None})
    assert not orphans, f"widgets that show project state but hear of no change: {orphans}"
    for widget in win.findChildren(QWidget):
        if isinstance(widget, FreshView):
            assert any(widget is view for view in registered), type(widget).__name__
    assert win.inside.badges in registered and registered[-1] is win.inside  # after views


def test_opening_another_project_leaves_nothing_of_the_last(qtbot, open_example):
    win = open_example("xor", epochs=400)
    panel = win.inside_dock.widget()
    snaps = collect_snapshots(win)
    with qtbot.waitSignal(win.training.runner.finished, timeout=60000):
        win.training.action_train.trigger()
    qtbot.waitUntil(lambda: panel.results.report is not None, timeout=20000)
    # Use every view: the layers, the boundary, a sample, the estimate.
    for view in (panel.layers, panel.boundary):
        panel.setCurrentWidget(view)
        view.throttle.flush()
    assert snaps and panel.layers.combo.count() > 0
    assert panel.boundary.dmap is not None and panel.boundary.scatters
    panel.sample.request_index(0)
    qtbot.waitUntil(lambda: panel.sample.result is not None, timeout=5000)
    assert panel.estimate.start()
    qtbot.waitUntil(lambda: panel.estimate.estimate is not None, timeout=60000)
    assert win.inside.badges.items and win.plots_panel.plots.runs

    win.projects.open_path(EXAMPLES_DIR / "digits_mlp.ncproj")  # untrained, 64 features
    qtbot.wait(50)
    assert "digits_mlp" in win.windowTitle()
    assert panel.layers.snapshot is None and panel.layers.combo.count() == 0
    assert not panel.layers.split.isVisible()
    assert panel.boundary.dmap is None and panel.boundary.rgba is None
    assert not panel.boundary.scatters and panel.boundary.label.text() == EMPTY_BOUNDARY
    assert panel.sample.result is None and panel.sample.data is None
    assert panel.sample.answer.text() == EMPTY_SAMPLE and not panel.sample.outputs.rows
    assert panel.results.report is None and panel.results.title.text() == EMPTY_RESULTS
    assert panel.estimate.estimate is None and panel.estimate.label.text() == EMPTY_ESTIMATE
    assert not win.inside.badges.items
    assert win.training_panel.progress.format() == "Ready"
    assert win.data_panel.source_combo.currentData() == "builtin"
    assert win.inside.data is None and win.inside.network is None
    assert not win.plots_panel.plots.runs  # digits_mlp has no history yet


def test_a_late_evaluation_of_the_last_project_is_dropped(qtbot, open_example, monkeypatch):
    """An evaluation asked before another project opened must not draw its results
    over the new project's views."""
    import threading

    from designer.inside import dock

    release, original = threading.Event(), dock._evaluate

    def held(*args):  # the worker's evaluation waits until the new project is open
        release.wait(30)
        return original(*args)

    monkeypatch.setattr(dock, "_evaluate", held)
    win = open_example("xor", epochs=50)
    panel = win.inside_dock.widget()
    with qtbot.waitSignal(win.training.runner.finished, timeout=60000):
        win.training.action_train.trigger()
    qtbot.waitUntil(lambda: win.inside.evaluation.busy, timeout=10000)
    win.freshness.announce(Change.PROJECT)  # a new project opens meanwhile
    release.set()
    qtbot.waitUntil(lambda: not win.inside.evaluation.busy, timeout=20000)
    assert panel.results.report is None and panel.boundary.dmap is None


def test_the_boundary_forgets_the_last_datas_axes(qtbot):
    """After xor, a project with 64 features showed an empty boundary over xor's axes."""
    import numpy as np

    from designer.inside.boundary_view import BoundaryView

    view = BoundaryView()
    qtbot.addWidget(view)
    view.show()
    x = np.array([[-30.0, 40.0], [-20.0, 50.0], [-25.0, 45.0]])
    view.set_data(x, np.array([0, 1, 0]), ("a", "b"), ("u", "v"))
    qtbot.wait(50)
    assert view.plot.viewRange()[0][0] < -19
    view.fresh(Change.PROJECT)
    (x0, x1), (y0, y1) = view.plot.viewRange()
    assert -0.1 < x0 < 0.01 and 0.99 < x1 < 1.1 and -0.1 < y0 < 0.01 and 0.99 < y1 < 1.1
