"""Training from the window: the Train action, pause/resume/step/stop, the editor lock,
worker errors, results in the document (saved, reopened, evaluated) and stale weights."""
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest

from engine.data import prepare
from engine.inference import TrainedModel
from engine.project import load_project
from designer.inside.results import EMPTY_RESULTS
from engine.run import evaluate

from .conftest import drag, view_point

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"


@pytest.fixture
def xor_window(window):
    assert window.projects.open_path(EXAMPLES / "xor.ncproj")
    yield window
    assert window.training.shutdown()


def train_to_end(qtbot, win, **settings):
    for key, value in settings.items():
        assert win.editor.set_training_setting(key, value) is None
    with qtbot.waitSignal(win.training.runner.finished, timeout=60000) as result:
        win.training.action_train.trigger()
    qtbot.waitUntil(lambda: win.training.state == "idle", timeout=5000)
    return result.args[0]


def test_train_xor_from_the_window_reaches_full_accuracy(qtbot, xor_window):
    win = xor_window
    result = train_to_end(qtbot, win)
    extras = win.editor.doc.project
    assert result.test["accuracy"] == 1.0
    assert extras.preprocessing["test"]["accuracy"] == 1.0
    assert set(extras.preprocessing) >= {"loss", "normalizer", "dataset", "test", "ended",
                                         "message"}
    assert extras.weights and len(extras.history) == 100 and win.editor.doc.trained
    assert "Trained" in win.training_panel.result.text()
    assert "100.0%" in win.training_panel.result.text()
    run = win.plots_panel.plots.current  # the plots received the run
    assert len(run.raw) > 100 and len(run.records) == 100
    assert win.action_export.isEnabled() and not win.editor.locked
    assert win.editor.stack.undoText().startswith("Train")


def test_pause_step_resume_and_stop(qtbot, xor_window):
    win, training = xor_window, xor_window.training
    win.editor.set_training_setting("epochs", 100000)
    with qtbot.waitSignal(training.runner.progress, timeout=10000):
        training.action_train.trigger()
    with qtbot.waitSignal(training.runner.paused, timeout=5000):
        training.action_pause.trigger()
    assert training.state == "paused" and training.action_resume.isEnabled()
    steps = []
    training.runner.progress.connect(lambda p: steps.extend(s for s, _, _ in p.batch_losses))
    with qtbot.waitSignal(training.runner.paused, timeout=5000):
        training.action_step.trigger()
    assert len(steps) == 1  # one batch, then paused again
    with qtbot.waitSignal(training.runner.resumed, timeout=5000):
        training.action_resume.trigger()
    qtbot.waitUntil(lambda: len(steps) > 20, timeout=5000)
    with qtbot.waitSignal(training.runner.finished, timeout=2000) as result:
        training.action_stop.trigger()
    assert type(result.args[0].ended).__name__ == "Stopped"
    qtbot.waitUntil(lambda: training.state == "idle", timeout=2000)
    assert not training.runner.running and not win.editor.locked  # the thread is gone
    assert win.editor.doc.project.preprocessing["ended"] == "stopped"
    assert win.editor.add_layer("Dense", (0.0, 300.0))  # usable again


def test_edits_are_blocked_during_a_run_and_the_ui_says_why(qtbot, xor_window):
    win, editor = xor_window, xor_window.editor
    editor.set_training_setting("epochs", 100000)
    with qtbot.waitSignal(win.training.runner.progress, timeout=10000):
        win.training.action_train.trigger()
    before, depth = editor.doc.spec().to_dict(), editor.stack.count()
    assert editor.add_layer("Dense", (0.0, 300.0)) == ""
    assert editor.set_setting("hidden", "units", 3) == editor.locked
    editor.delete(["hidden"])
    editor.undo()
    assert editor.doc.spec().to_dict() == before and editor.stack.count() == depth
    assert not win.action_undo.isEnabled() and not win.palette.isEnabled()
    assert not win.action_open.isEnabled()
    # Selecting still works (to look at a layer's settings and views), editing does not.
    win.workspaces.switch("train")
    node = win.canvas.canvas_scene.node("hidden")
    centre = node.sceneBoundingRect().center()
    header = QPointF(centre.x(), node.sceneBoundingRect().top() + 10)
    QTest.mouseClick(win.canvas.viewport(), Qt.LeftButton, Qt.NoModifier,
                     view_point(win.canvas, header))
    assert editor.selection == ["hidden"] and win.inspector.layer_id == "hidden"
    units = win.inspector.fields["units"].widget
    assert units.isReadOnly() and win.inspector.name_edit.isReadOnly()
    assert win.inspector.message.text().startswith("Read-only")
    drag(win.canvas, header, header + QPointF(120, 80))  # a drag does not move it
    assert node.scenePos() == QPointF(*editor.doc.position("hidden"))
    assert editor.doc.spec().to_dict() == before
    assert win.edit_lock.badge.isVisibleTo(win) and "locked" in editor.locked
    assert win.training_panel.lock_note.isVisibleTo(win.training_panel)
    with qtbot.waitSignal(win.training.runner.finished, timeout=3000):
        win.training.action_stop.trigger()
    qtbot.waitUntil(lambda: win.training.state == "idle", timeout=3000)
    assert win.palette.isEnabled() and not win.canvas.canvas_scene.read_only
    assert not units.isReadOnly() and win.action_undo.isEnabled()


def test_a_worker_that_raises_shows_the_error_and_the_app_stays_usable(qtbot, xor_window,
                                                                      monkeypatch):
    import sys

    import designer.runner as runner_module

    monkeypatch.setattr(runner_module, "CHILD_COMMAND", (sys.executable, "-c", (
        "import engine.remote as r\n"
        "def broken(*a, **k):\n    raise RuntimeError('kernel exploded')\n"
        "r.run_job = broken\nr.main()")))
    win = xor_window
    with qtbot.waitSignal(win.training.runner.failed, timeout=10000):
        win.training.action_train.trigger()
    qtbot.waitUntil(lambda: win.training.state == "idle", timeout=3000)
    box = win.training.error_box
    assert box is not None and "kernel exploded" in box.text()
    assert "RuntimeError" in box.detailedText()
    box.close()
    assert not win.editor.locked and win.editor.doc.project.weights is None
    assert win.training.action_train.isEnabled()


def test_starting_without_data_says_so(qtbot, window):
    window.training.action_train.trigger()
    assert window.training.state == "idle"
    assert "no data" in window.training.error_box.text()
    window.training.error_box.close()


def test_trained_project_saves_and_reopens_with_its_weights(qtbot, xor_window, tmp_path):
    win = xor_window
    train_to_end(qtbot, win)
    weights = {k: v.copy() for k, v in win.editor.doc.project.weights.items()}
    path = tmp_path / "xor_trained.ncproj"
    assert win.projects.save_to(path)
    win.editor.load(load_project(EXAMPLES / "xor.ncproj").spec)  # something else
    assert win.projects.open_path(path)
    extras = win.editor.doc.project
    assert set(extras.weights) == set(weights) and win.editor.doc.trained
    for key, value in weights.items():
        np.testing.assert_array_equal(extras.weights[key], value)
    assert len(extras.history) == 100
    assert len(win.plots_panel.plots.current.records) == 100  # saved history shown
    project = load_project(path)
    model = TrainedModel.from_project(project)
    data = prepare(project.data, project.training.get("seed", 0))
    from engine.losses import get_loss
    test = evaluate(model.network, data.test, get_loss(project.preprocessing["loss"]))
    assert test["accuracy"] == project.preprocessing["test"]["accuracy"] == 1.0


def test_a_design_change_marks_the_weights_stale_and_undo_makes_them_fresh(qtbot,
                                                                          xor_window):
    win, editor = xor_window, xor_window.editor
    train_to_end(qtbot, win, epochs=5)
    assert editor.doc.trained and win.action_export.isEnabled()
    editor.rename("hidden", "renamed")  # names do not matter to the weights
    assert editor.doc.trained
    editor.set_setting("hidden", "units", 7)
    assert editor.doc.weights_stale and not win.action_export.isEnabled()
    assert "Train the network first" in win.action_export.toolTip()
    assert "stale" in win.training_panel.result.text()
    editor.undo()
    assert editor.doc.trained and win.action_export.isEnabled()


def test_train_with_data_not_prepared_yet_loads_it_on_a_worker_then_runs(qtbot, xor_window):
    win, training = xor_window, xor_window.training
    win.editor.set_training_setting("epochs", 3)
    inside = win.inside
    workers = (win.data_panel.loader, inside.evaluation, inside.panel.preview.call,
               inside.panel.estimate.call)
    settle = lambda: qtbot.waitUntil(lambda: not any(w.busy for w in workers),  # noqa: E731
                                     timeout=20000)
    settle()  # no worker fills the cache behind the test's back
    win.data_cache.clear()  # as just after opening a project whose data is still loading
    with qtbot.waitSignal(training.runner.finished, timeout=60000) as result:
        training.action_train.trigger()
        assert training.state == "loading" and not training.action_train.isEnabled()
        assert "Loading xor before training" in win.statusBar().currentMessage()
    assert len(result.args[0].ended.history) == 3
    qtbot.waitUntil(lambda: training.state == "idle", timeout=5000)
    settle()
    win.data_cache.clear()  # Stop while it loads: nothing starts after the load
    training.action_train.trigger()
    assert training.state == "loading" and training.action_stop.isEnabled()
    training.action_stop.trigger()
    assert training.state == "idle"
    qtbot.waitUntil(lambda: not training.loader.busy, timeout=20000)
    qtbot.wait(100)
    assert training.state == "idle" and not training.runner.running


def test_opening_another_project_clears_the_last_runs_words(qtbot, xor_window):
    win, panel = xor_window, xor_window.training_panel
    train_to_end(qtbot, win, epochs=3)
    assert panel.progress.format().endswith("(done)") and panel.progress.value() == 1000
    assert panel.rate.text().startswith("Finished 3 epochs")
    win.editor.stack.setClean()
    assert win.projects.open_path(EXAMPLES / "spirals.ncproj")
    assert panel.progress.format() == "Ready" and panel.progress.value() == 0
    assert panel.rate.text() == ""  # not "Finished ..." above "Not trained yet"
    assert "Finished" not in panel.result.text()


def test_undoing_a_run_takes_its_results_off_the_training_and_evaluate_views(qtbot,
                                                                            xor_window):
    """Undo of "Train" left the run's confusion matrix, "Finished 5 epochs; test
    accuracy" and the network to try samples on, beside "Not trained yet."; Redo
    brings the run's weights back and they are evaluated again."""
    win, inside = xor_window, xor_window.inside
    results, panel = inside.panel.results, win.training_panel
    train_to_end(qtbot, win, epochs=5)
    qtbot.waitUntil(lambda: results.report is not None, timeout=20000)
    assert "Finished 5 epochs" in panel.rate.text()
    win.action_undo.trigger()  # the run
    assert win.editor.doc.project.weights is None
    qtbot.waitUntil(lambda: results.report is None, timeout=2000)
    assert results.title.text() == EMPTY_RESULTS and inside.network is None
    assert panel.progress.format() == "Ready" and panel.rate.text() == ""
    assert "Not trained yet" in panel.result.text()
    win.action_redo.trigger()
    qtbot.waitUntil(lambda: results.report is not None, timeout=20000)
    assert inside.network is not None and "accuracy" in results.title.text()


def test_the_plots_epoch_axis_follows_a_run_in_the_window(qtbot, xor_window):
    """The window clears its plots as it is built and whenever a project opens; the
    linked epoch axes then stayed at 0-1 while the run was drawn past their edge."""
    plots = xor_window.plots_panel.plots
    train_to_end(qtbot, xor_window, epochs=20)
    plots.redraw()
    for plot in (plots.loss_plot, plots.metric_plot, plots.lr_plot):
        assert plot.viewRange()[0][1] > 19


def test_undoing_the_second_of_two_runs_takes_its_progress_line_away(qtbot, xor_window):
    """Undo went back to the first run's weights, and the panel still said "Finished
    7 epochs" over "Trained (5 epochs)"."""
    win, panel = xor_window, xor_window.training_panel
    train_to_end(qtbot, win, epochs=5)
    train_to_end(qtbot, win, epochs=7)
    qtbot.wait(20)  # the results' own notice has passed
    assert "Finished 7 epochs" in panel.rate.text()
    win.action_undo.trigger()
    assert len(win.editor.doc.project.history) == 5
    qtbot.waitUntil(lambda: panel.rate.text() == "", timeout=2000)
    assert panel.progress.format() == "Ready" and "5 epochs" in panel.result.text()
