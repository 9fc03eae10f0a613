"""Ctrl+1...5 as a real X server delivers them (Xvfb, the xcb platform; offscreen
resolves keys differently, see test_keys_xcb.py): each brings its workspace, from the
canvas and from a dock's field alike, with no shortcut bound twice."""
from .xcb import needs_xvfb, run_under_xvfb

SCRIPT = r"""
import sys
from PySide6.QtCore import QSettings, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from designer.app import create_main_window
sys.path.insert(0, sys.argv[2])
from test_shortcuts import clashes
app = QApplication([])
window = create_main_window(settings=QSettings(sys.argv[1], QSettings.IniFormat))
window.resize(1300, 740)
window.show()
QTest.qWaitForWindowExposed(window)
window.activateWindow()
QTest.qWaitForWindowActive(window)
QTest.qWait(300)
assert clashes(window) == {}, clashes(window)
keys = {Qt.Key_1: "design", Qt.Key_2: "data", Qt.Key_3: "train", Qt.Key_4: "evaluate",
        Qt.Key_5: "experiments"}
for target in (lambda: window.canvas.viewport(), lambda: window.palette.search):
    for key, name in list(keys.items()) + [(Qt.Key_1, "design")]:
        widget = target() if target().isVisible() else window
        widget.setFocus()
        QTest.keyClick(widget, key, Qt.ControlModifier)
        app.processEvents()
        assert window.workspaces.current == name, (key, window.workspaces.current)
        assert window.workspaces.switcher.currentIndex() == list(keys.values()).index(name)
window.editor.stack.setClean()
window.close()
print("workspace keys ok")
"""


@needs_xvfb
def test_ctrl_1_to_4_switch_workspaces_under_a_real_x_server(tmp_path):
    run_under_xvfb(SCRIPT, tmp_path, "workspace keys ok")
