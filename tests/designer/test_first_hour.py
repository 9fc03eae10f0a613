"""A newcomer's first hour, as the README's tutorial tells it, with real widget events:
the start page's Blank, layers dropped and wired on the canvas, double-clicks in the
palette, settings typed in the Inspector, the Summary's way to the data, Load and use,
Train, the Inside views, Evaluate and an export with its parity check."""
import numpy as np
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QPushButton

from designer.start_page import open_start_page

from .conftest import drag, drop_layer, flush
from .test_start_page import click_item


def double_click_palette(win, type_name: str) -> None:
    tree = win.palette.tree
    item = win.palette.item_for(type_name)
    tree.scrollToItem(item)
    centre = tree.visualItemRect(item).center()
    # What a double-click sends: press, release, then the double-click (Qt's item
    # views start from the press).
    QTest.mouseClick(tree.viewport(), Qt.LeftButton, Qt.NoModifier, centre)
    QTest.mouseDClick(tree.viewport(), Qt.LeftButton, Qt.NoModifier, centre)


def type_into(widget, text: str) -> None:
    widget.setFocus()
    widget.selectAll()
    QTest.keyClicks(widget, text)
    QTest.keyClick(widget, Qt.Key_Return)


def port(win, layer_id: str, kind: str) -> QPointF:
    node = win.canvas.canvas_scene.node(layer_id)
    return (node.in_port if kind == "in" else node.out_port).scenePos()


def test_the_tutorial_from_blank_to_an_exported_trained_network(qtbot, window, tmp_path):
    win, doc = window, window.editor.doc
    # 1. The start page: Blank.
    page = open_start_page(win)
    qtbot.waitExposed(page)
    click_item(page.templates, "Blank")
    assert [l.type for l in doc.layers] == ["Input"]
    win.workspaces.switch("design")
    # 2. A Dense dropped on the canvas and wired from the Input's port.
    drop_layer(win.canvas, "Dense", QPointF(300, 0))
    inp, dense = doc.layer_ids()
    drag(win.canvas, port(win, inp, "out"), port(win, dense, "in"))
    assert [(e.source, e.target) for e in doc.edges] == [(inp, dense)]
    # 3. Dropout, then Dense, each after the selection by a double-click.
    win.editor.set_selection([dense])
    double_click_palette(win, "Dropout")
    double_click_palette(win, "Dense")
    assert [l.type for l in doc.layers] == ["Input", "Dense", "Dropout", "Dense"]
    out = doc.layer_ids()[-1]
    assert win.editor.selection == [out]
    type_into(win.inspector.fields["units"].widget, "10")
    activation = win.inspector.fields["activation"].widget
    activation.setCurrentIndex(activation.findText("softmax"))
    activation.activated.emit(activation.currentIndex())
    flush(doc)
    assert doc.layer(out).config["units"] == 10
    assert doc.layer(out).config["activation"] == "softmax"
    # 4. No data yet: the Summary says so and leads to the Data workspace.
    choose = next(b for b in win.summary.problems.findChildren(QPushButton, "fix_button")
                  if b.text().startswith("Choose data"))
    qtbot.mouseClick(choose, Qt.LeftButton)
    assert win.workspaces.current == "data"
    # 5. Built-in digits, Load and use: the Input takes 64 features in the same step.
    panel = win.data_panel
    assert panel.source_combo.currentData() == "builtin"
    qtbot.mouseClick(panel.load_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: doc.project.data.get("name") == "digits", timeout=30000)
    flush(doc)
    assert doc.report.layers[inp].output_shape == (64,)
    assert "ready to train" in win.summary.totals.text()
    # 6. Train: the Train workspace, a finished run, then Evaluate with the results.
    win.editor.set_training_setting("epochs", 15)
    with qtbot.waitSignal(win.training.runner.finished, timeout=120000):
        win.training.action_train.trigger()
        qtbot.waitUntil(lambda: win.workspaces.current == "train", timeout=10000)
    inside = win.inside_dock.widget()
    qtbot.waitUntil(lambda: inside.results.report is not None, timeout=60000)
    assert win.workspaces.current == "evaluate"
    assert inside.results.report.accuracy > 0.85  # the held-out test split
    # 7. Try a sample: the network's answer and every layer's output.
    inside.show_view(inside.sample)
    qtbot.mouseClick(inside.sample.try_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: inside.sample.result is not None, timeout=10000)
    assert len(inside.sample.outputs.rows) == len(doc.layers)
    # 8. Export as npz with its parity check.
    win.action_export.trigger()
    dialog = win.export_dialog
    dialog.format_combo.setCurrentIndex(dialog.format_combo.findData("npz"))
    target = tmp_path / "digits.npz"
    dialog.path_edit.setText(str(target))
    qtbot.mouseClick(dialog.export_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: dialog.export_result is not None and dialog.worker is None,
                    timeout=60000)
    assert dialog.export_result.passed is True and target.exists()
    weights = np.load(target, allow_pickle=False)
    assert f"{doc.layer(out).name}.W" in weights.files
