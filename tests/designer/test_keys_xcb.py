"""Keys as a real X server delivers them (Xvfb, the xcb platform): offscreen resolves
the standard key sequences differently, and there Ctrl+Shift+Z was bound twice and did
nothing. Runs the window in a child process under xvfb-run; skipped where it is missing."""
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
window.show()
QTest.qWaitForWindowExposed(window)
window.activateWindow()
QTest.qWaitForWindowActive(window)
QTest.qWait(300)
editor, view = window.editor, window.canvas
first = editor.doc.layer_ids()
editor.add_layer("Dense", (300.0, 0.0), after=first[0])
added = editor.doc.layer_ids()
assert clashes(window) == {}, clashes(window)
for key, mods, want in ((Qt.Key_Z, Qt.ControlModifier, first),
                        (Qt.Key_Z, Qt.ControlModifier | Qt.ShiftModifier, added),
                        (Qt.Key_Z, Qt.ControlModifier, first),
                        (Qt.Key_Y, Qt.ControlModifier, added)):
    QTest.keyClick(view.viewport(), key, mods)
    app.processEvents()
    assert editor.doc.layer_ids() == want, (key, mods, editor.doc.layer_ids())
editor.set_locked("held")
assert clashes(window) == {}, clashes(window)
editor.set_locked("")
editor.stack.setClean()
window.close()
print("keys ok")
"""


@needs_xvfb
def test_undo_and_redo_keys_under_a_real_x_server(tmp_path):
    run_under_xvfb(SCRIPT, tmp_path, "keys ok")
