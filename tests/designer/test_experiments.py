"""The Experiments view driven as a user would: set up a sweep, run it (small), the
table and plots fill, Apply best is one undo step, Stop cancels every trial process,
the sweep is kept in the project and shows again when it is opened."""
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from designer.app import create_main_window
from designer.projects import project_from_document
from engine.project import save_project
from tests.engine.helpers import alive

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"


@pytest.fixture
def digits(qtbot, dialogs, tmp_path):
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.IniFormat)
    win = create_main_window(EXAMPLES / "digits_mlp.ncproj", settings)
    qtbot.addWidget(win, before_close_func=lambda w: (w.experiments.shutdown(),
                                                      w.training.shutdown(),
                                                      w.inside.shutdown(),
                                                      w.data_panel.shutdown()))
    win.resize(1366, 768)
    win.show()
    qtbot.waitExposed(win)
    win.workspaces.switch("experiments")
    return win


def set_up(panel, rows, epochs=3, method="grid", trials=4, parallel=2):
    for i, (name, values) in enumerate(rows):
        panel.setup.set_row(i, name, values)
    panel.setup.method.setCurrentText(method)
    panel.setup.trials.setValue(trials)
    panel.setup.parallel.setValue(parallel)
    panel.setup.epochs.setValue(epochs)


def run(qtbot, panel, timeout=90_000):
    with qtbot.waitSignal(panel.runner.running_changed, timeout=5000):
        panel.run_button.click()
    assert panel.runner.running and not panel.run_button.isEnabled()
    qtbot.waitUntil(lambda: not panel.runner.running, timeout=timeout)


def column(table, title):
    titles = [table.horizontalHeaderItem(j).text() for j in range(table.columnCount())]
    j = titles.index(title)
    return [table.item(i, j).text() for i in range(table.rowCount())]


def test_the_view_is_a_workspace_of_its_own(digits):
    assert digits.experiments_dock.isVisible() and not digits.centralWidget().isVisible()
    assert digits.experiments.setup.texts()[0].startswith("learning_rate=")


def test_a_sweep_fills_the_table_and_apply_best_is_one_undo_step(qtbot, digits):
    panel, doc = digits.experiments, digits.editor.doc
    set_up(panel, [("learning_rate", "1e-5,3e-3"), ("hidden1.units", "32")])
    run(qtbot, panel)
    assert panel.table.rowCount() == 2
    assert column(panel.table, "learning_rate") == ["1e-05", "0.003"]
    assert column(panel.table, "status") == ["finished", "finished"]
    assert column(panel.table, "parameters") == ["7,594"] * 2  # 64*32+32 + 32*128+128 + 1290
    assert column(panel.table, "trial")[1].endswith("\u2605")  # the best: the usable rate
    assert len(panel.plots.curves_plot.listDataItems()) == 2
    widths = lambda: [c.opts["pen"].widthF() for c in panel.plots.curves_plot.listDataItems()]  # noqa: E731
    assert widths() == [1.6, 3.5]  # the best stands out
    panel.table.selectRow(0)  # picking a row brings its trial's curve forward instead
    assert panel.picked == 0 and widths() == [3.5, 1.6]
    assert panel.plots.front  # some trial is on the Pareto front
    sweep = doc.project.sweeps[-1]
    assert sweep["trials"][1]["best"] > sweep["trials"][0]["best"]
    assert "Best</b>: trial 2" in panel.status.text()
    assert panel.apply_button.isEnabled()

    steps = digits.editor.stack.count()
    panel.apply_button.click()
    assert digits.editor.stack.count() == steps + 1
    assert digits.editor.stack.undoText().startswith("Apply best trial")
    assert doc.project.training["learning_rate"] == 0.003
    assert doc.layer("hidden1").config["units"] == 32
    digits.editor.undo()
    assert doc.project.training["learning_rate"] == 0.001
    assert doc.layer("hidden1").config["units"] == 256
    assert doc.project.sweeps  # the undo took back the settings, not the sweep


def test_stop_cancels_every_trial_process(qtbot, digits):
    panel = digits.experiments
    set_up(panel, [("learning_rate", "1e-3,2e-3,3e-3,4e-3")], epochs=100_000)
    with qtbot.waitSignal(panel.runner.running_changed, timeout=5000):
        panel.run_button.click()
    qtbot.waitUntil(lambda: any(r["curve"] for r in panel.live.values()), timeout=30_000)
    pids = panel.runner.pids()
    assert len(pids) == 2 and all(alive(p) for p in pids)
    assert panel.stop_button.isEnabled()
    panel.stop_button.click()
    qtbot.waitUntil(lambda: not panel.runner.running, timeout=20_000)
    assert not any(alive(p) for p in pids)
    sweep = digits.editor.doc.project.sweeps[-1]
    assert sweep["status"] == "stopped"
    assert sorted(t["status"] for t in sweep["trials"]) == ["cancelled", "cancelled",
                                                           "stopped", "stopped"]
    assert "Sweep 1 (stopped)" in panel.status.text()


def test_a_bad_setting_is_said_in_the_view(digits):
    panel = digits.experiments
    panel.setup.set_row(0, "learning_rate", "1e-4..")
    panel.run_button.click()
    assert not panel.runner.running
    assert "a range is two numbers" in panel.status.text()


def test_a_failing_trial_is_shown_with_its_reason(qtbot, digits):
    panel = digits.experiments
    set_up(panel, [("output.units", "10,3")], epochs=2)
    run(qtbot, panel)
    status = column(panel.table, "status")
    assert status[0] == "finished" and status[1].startswith("failed: The output layer")


def test_the_sweep_is_saved_and_shows_when_the_project_opens(qtbot, digits, tmp_path):
    panel = digits.experiments
    set_up(panel, [("learning_rate", "1e-3,1e-2")], epochs=2)
    run(qtbot, panel)
    path = tmp_path / "swept.ncproj"
    save_project(project_from_document(digits.editor), path)
    digits.projects.open_path(EXAMPLES / "xor.ncproj", ask=False)
    assert panel.table.rowCount() == 0 and panel.sweep is None
    digits.projects.open_path(path, ask=False)
    assert panel.table.rowCount() == 2 and panel.sweep["params"] == [
        "learning_rate=0.001,0.01"]
    assert panel.apply_button.isEnabled()


def test_opening_another_project_stops_a_running_sweep(qtbot, digits):
    panel = digits.experiments
    set_up(panel, [("learning_rate", "1e-3,2e-3")], epochs=100_000)
    panel.run_button.click()
    qtbot.waitUntil(lambda: len(panel.runner.pids()) == 2, timeout=10_000)
    pids = panel.runner.pids()
    digits.projects.open_path(EXAMPLES / "xor.ncproj", ask=False)
    qtbot.waitUntil(lambda: not panel.runner.running, timeout=20_000)
    assert not any(alive(p) for p in pids)
    assert digits.editor.doc.project.sweeps == []  # not recorded in the other project


def test_an_odd_but_valid_recorded_sweep_shows_without_fault(qtbot, digits, tmp_path):
    """A file's sweep may hold what no run would write (huge trial numbers, no epoch for
    a best, zero parameters, settings of layers since removed): it shows, and Apply best
    says why it cannot apply instead of failing."""
    from dataclasses import replace

    odd = {"params": ["ghost.units=1,2"], "method": "grid", "trials_asked": 2, "seed": 0,
           "epochs": None, "metric": "<b>val_accuracy</b>", "goal": "max",
           "status": "finished", "started": "", "seconds": 0,
           "trials": [{"trial": 10**30, "settings": {"ghost.units": 2}, "status": "finished",
                       "best": 0.5, "best_epoch": None, "curve": [None, 0.5], "params": 0,
                       "seconds": 0, "message": ""},
                      {"trial": 1, "settings": {}, "status": "failed", "best": None,
                       "best_epoch": None, "curve": [], "params": None, "seconds": 0,
                       "message": "<i>x</i>"}]}
    project = replace(project_from_document(digits.editor), sweeps=[odd])
    save_project(project, tmp_path / "odd.ncproj")
    digits.projects.open_path(tmp_path / "odd.ncproj", ask=False)
    panel = digits.experiments
    assert panel.table.rowCount() == 2
    assert "&lt;b&gt;" in panel.status.text()  # the file's text is shown, not obeyed
    panel.apply_button.click()
    assert "cannot be applied" in panel.status.text() and "ghost" in panel.status.text()
    assert digits.editor.stack.count() == 0
