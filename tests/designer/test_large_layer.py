"""A layer that makes the network very large is not accepted without a word: the
Inspector warns with the memory training needs and a measured time per epoch."""
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from designer.panels.inspector import LARGE_LAYER_PARAMS
from designer.projects import EXAMPLES_DIR

from .conftest import flush


def test_a_very_large_layer_warns_with_memory_and_measured_time(qtbot, window):
    assert window.projects.open_path(EXAMPLES_DIR / "xor.ncproj")
    win, doc = window, window.editor.doc
    win.editor.set_selection(["hidden"])
    units = win.inspector.fields["units"].widget
    units.selectAll()
    QTest.keyClicks(units, "999999")
    QTest.keyClick(units, Qt.Key_Return)
    flush(doc)
    assert doc.layer("hidden").config["units"] == 999_999
    assert doc.report.layers["hidden"].params >= LARGE_LAYER_PARAMS
    text = win.inspector.inference.text()
    assert "A very large layer" in text and "training needs about" in text
    qtbot.waitUntil(lambda: "per epoch on this machine (measured)" in
                    win.inspector.inference.text(), timeout=120000)
    win.editor.set_setting("hidden", "units", 16)  # small again: no warning
    flush(doc)
    assert "very large" not in win.inspector.inference.text()
