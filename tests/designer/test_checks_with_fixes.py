"""Checks against the data in the Summary's problems, each with a one-click fix that is
one undo step; without data, a button to the Data tab."""
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from designer.datasets import data_seed

from .conftest import flush


def fix_buttons(summary) -> dict[str, QPushButton]:
    return {b.text(): b for b in summary.problems.findChildren(QPushButton, "fix_button")}


def test_too_many_output_units_are_named_and_fixed_in_one_click(qtbot, window):
    win, doc = window, window.editor.doc
    xor = {"source": "builtin", "name": "xor"}
    assert win.editor.use_data(xor, (2,), "features", "xor") is None
    win.data_cache.prepare(xor, data_seed(doc.project.training))  # as the Data panel does
    win.editor.set_selection([doc.layer_ids()[0]])  # the Input: the Dense goes after it
    win.editor.add_layer_after_selection("Dense")
    output = doc.layer_ids()[-1]
    win.editor.set_settings(output, {"units": 10, "activation": "softmax"})
    flush(doc)
    win.summary.refresh()
    assert "gives 10 values per sample but the data has 2 classes" in \
        " ".join(p.message for p in win.summary.fits)
    assert "1 problem" in win.summary.totals.text()
    buttons = fix_buttons(win.summary)
    qtbot.mouseClick(buttons["Set units to 2"], Qt.LeftButton)
    flush(doc)
    assert doc.layer(output).config["units"] == 2
    assert win.summary.fits == [] and "ready to train" in win.summary.totals.text()
    assert win.summary.problems.item(0).text().startswith("No problems")
    win.editor.stack.undo()  # the fix was one step
    flush(doc)
    assert doc.layer(output).config["units"] == 10 and win.summary.fits


def test_without_data_the_problem_leads_to_the_data_tab(qtbot, window):
    win = window
    win.inspector_dock.raise_()
    win.summary.refresh()
    [problem] = win.summary.fits
    assert problem.kind == "no_data"
    qtbot.mouseClick(fix_buttons(win.summary)["Choose data\u2026"], Qt.LeftButton)
    assert win.data_dock.isVisible() and not win.data_dock.visibleRegion().isEmpty()


def test_fix_buttons_wait_while_a_run_locks_the_design(qtbot, window):
    win, doc = window, window.editor.doc
    xor = {"source": "builtin", "name": "xor"}
    win.editor.use_data(xor, (2,), "features", "xor")
    win.data_cache.prepare(xor, data_seed(doc.project.training))
    win.editor.set_selection([doc.layer_ids()[0]])  # the Input: the Dense goes after it
    win.editor.add_layer_after_selection("Dense")
    output = doc.layer_ids()[-1]
    win.editor.set_settings(output, {"units": 5, "activation": "softmax"})
    flush(doc)
    win.editor.set_locked("Training is running")
    assert not fix_buttons(win.summary)["Set units to 2"].isEnabled()
    win.editor.set_locked("")
    assert fix_buttons(win.summary)["Set units to 2"].isEnabled()
