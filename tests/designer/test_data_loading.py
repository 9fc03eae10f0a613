"""Loading data in the Data panel happens on a worker thread: the window keeps
responding, errors still land at their fields, and a late result never overwrites what
the user asked for since. Real widgets, offscreen; every wait is on a signal."""
import gc
import time
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QTimer

from .test_data_panel import choose, load, type_text

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"
BIG_ROWS = 50_000


@pytest.fixture(scope="module")
def big_csv(tmp_path_factory):
    """50,000 rows x 21 columns (~10 MB): preparing it takes most of a second."""
    path = tmp_path_factory.mktemp("data") / "big.csv"
    x = np.random.default_rng(0).normal(size=(BIG_ROWS, 20))
    rows = (",".join(f"{v:.6f}" for v in row) + f",{'ab'[i % 2]}\n" for i, row in enumerate(x))
    path.write_text(",".join(f"f{i}" for i in range(20)) + ",label\n" + "".join(rows))
    return path


def small_csv(path: Path) -> Path:
    path.write_text("rooms,area,price\n" + "".join(f"{i % 5 + 1},{40 + 7 * i},{100 + 3 * i}\n"
                                                   for i in range(60)))
    return path


def input_config(doc) -> dict:
    return next(layer.config for layer in doc.layers if layer.type == "Input")


def fill_csv_form(panel, path, target):
    choose(panel, "csv")
    type_text(panel.path_edit, str(path))
    type_text(panel.fields["target"].widget, target)


def test_loading_a_big_csv_keeps_the_window_responsive(qtbot, window, big_csv):
    panel, button = window.data_panel, window.data_panel.load_button
    window.workspaces.switch("data")
    fill_csv_form(panel, big_csv, "label")
    # An earlier test's window is deleted later, in this test's event loop: each of its
    # thousands of wrappers takes the GIL from the loader (5 ms each). Not this test's
    # subject: delete it first.
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()
    qtbot.wait(100)
    ticks, seen, bars = [], [], []

    def tick():  # what a user would see, every 10 ms
        ticks.append(time.perf_counter())
        seen.append((button.isEnabled(), button.text(), panel.state.text(),
                     panel.busy_bar.isVisible(), panel.form_widget.isVisible()))
        bars.append((panel.busy_bar.maximum(), panel.busy_bar.value(), panel.state.text()))

    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(tick)
    timer.start()
    start = time.perf_counter()
    with qtbot.waitSignal(panel.loaded, timeout=30000) as blocker:
        assert panel.load_and_use()
    end = time.perf_counter()
    timer.stop()
    assert blocker.args == [True]
    load_time = end - start
    gaps = np.diff([start] + ticks + [end])
    print(f"load {load_time * 1000:.0f} ms, {len(ticks)} ticks, "
          f"max gap {gaps.max() * 1000:.0f} ms, median {np.median(gaps) * 1000:.0f} ms")
    assert load_time > 0.2  # long enough for a freeze to show
    assert gaps.max() < min(0.25, load_time / 3)  # the event loop kept running
    assert any(s[:2] == (False, "Loading\u2026") and s[3:] == (True, True) for s in seen)
    # The loaders' progress: a percentage on the bar and in the state line, rising.
    def stage(name):
        return [value for top, value, text in bars if top == 100 and text.startswith(name)
                and text.endswith("%")]
    reading, converting = stage("Reading big.csv\u2026"), stage("Converting the columns")
    assert reading and reading == sorted(reading) and reading[-1] >= 50
    assert converting and converting == sorted(converting)
    assert button.isEnabled() and button.text() == "Load and use"
    assert not panel.busy_bar.isVisible() and panel.state.text() == ""
    assert window.editor.doc.project.data["path"] == str(big_csv)
    assert input_config(window.editor.doc)["shape"] == [20]


def test_a_missing_value_is_reported_at_its_field_after_the_load(qtbot, window, tmp_path):
    editor, panel = window.editor, window.data_panel
    bad = tmp_path / "gaps.csv"
    bad.write_text("a,b,label\n1,2,x\n3,,y\n5,6,x\n")
    before, depth = dict(editor.doc.project.data), editor.stack.count()
    spec = editor.doc.spec().to_dict()
    fill_csv_form(panel, bad, "label")
    with qtbot.waitSignal(panel.loaded, timeout=20000) as blocker:
        assert panel.load_and_use()
        # Nothing is reported while the worker prepares the data.
        assert panel.load_button.text() == "Loading\u2026"
        assert not panel.errors["path"].isVisibleTo(panel)
    assert blocker.args == [False]
    error = panel.errors["path"]  # an input column: at the file
    assert error.isVisibleTo(panel)
    assert "line 3" in error.text() and "'b'" in error.text() and "missing" in error.text()
    no_target = tmp_path / "no_target.csv"
    no_target.write_text("a,b,label\n1,2,x\n3,4,\n5,6,x\n")
    type_text(panel.path_edit, str(no_target))
    assert not load(qtbot, panel)
    error = panel.errors["target"]  # the target column: at the target
    assert error.isVisibleTo(panel) and "line 3" in error.text() and "'label'" in error.text()
    assert not panel.errors["path"].isVisibleTo(panel)
    assert editor.doc.project.data == before and editor.stack.count() == depth
    assert editor.doc.spec().to_dict() == spec
    assert panel.load_button.isEnabled()


def test_a_result_for_a_form_changed_meanwhile_is_not_applied(qtbot, window, tmp_path):
    editor, panel = window.editor, window.data_panel
    houses = small_csv(tmp_path / "houses.csv")
    before, depth = dict(editor.doc.project.data), editor.stack.count()
    before_input = dict(input_config(editor.doc))
    fill_csv_form(panel, houses, "price")
    with qtbot.waitSignal(panel.loaded, timeout=20000) as blocker:
        assert panel.load_and_use()
        type_text(panel.fields["target"].widget, "area")  # while it loads
    assert blocker.args == [False]
    assert editor.doc.project.data == before and editor.stack.count() == depth
    assert input_config(editor.doc) == before_input
    assert panel.state.text().startswith("Not applied yet")
    assert not any(label.isVisibleTo(panel) for label in panel.errors.values())
    assert load(qtbot, panel)  # pressed again: the newer form is used
    assert editor.doc.project.data["target"] == "area"
    assert editor.stack.count() == depth + 1


def test_a_result_for_a_document_replaced_meanwhile_is_not_applied(qtbot, window, tmp_path):
    editor, panel = window.editor, window.data_panel
    fill_csv_form(panel, small_csv(tmp_path / "houses.csv"), "price")
    with qtbot.waitSignal(panel.loaded, timeout=20000) as blocker:
        assert panel.load_and_use()
        assert window.projects.open_path(EXAMPLES / "xor.ncproj")  # while it loads
    assert blocker.args == [False]
    assert editor.doc.project.data == {"source": "builtin", "name": "xor"}
    assert input_config(editor.doc) == {"shape": [2], "kind": "features"}
    assert editor.stack.count() == 0
    # The preview then shows the opened project's data, not the late table.
    qtbot.waitUntil(lambda: panel.prepared is not None
                    and panel.prepared.train.sample_shape == (2,), timeout=20000)
    qtbot.waitUntil(lambda: panel.load_button.isEnabled(), timeout=20000)


def test_closing_the_window_during_a_load_waits_for_it_and_drops_the_result(
        qtbot, window, big_csv):
    editor, panel = window.editor, window.data_panel
    before, depth = dict(editor.doc.project.data), editor.stack.count()
    fill_csv_form(panel, big_csv, "label")
    assert panel.load_and_use()
    assert panel.loader.busy
    with qtbot.assertNotEmitted(panel.loaded, wait=50):
        assert window.close()  # the window's teardown waits for the loader thread
        assert not panel.loader._worker.isRunning()
        assert not panel.load_and_use()  # and starts no other
    assert editor.doc.project.data == before and editor.stack.count() == depth
