"""Keys as a real X server delivers them (Xvfb, the xcb platform): offscreen resolves
the standard key sequences differently, and there Ctrl+Shift+Z was bound twice and did
nothing. Runs the window in a child process under xvfb-run; skipped where it is missing."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
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


@pytest.mark.skipif(shutil.which("xvfb-run") is None,
                    reason="xvfb-run is not installed (apt-get install xvfb xauth)")
def test_undo_and_redo_keys_under_a_real_x_server(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "xcb", "PYTHONPATH": str(ROOT),
           "NEUROCANVAS_RECOVERY_DIR": str(tmp_path)}
    proc = subprocess.run(
        ["xvfb-run", "-a", "-s", "-screen 0 1366x768x24", sys.executable, "-c", SCRIPT,
         str(tmp_path / "s.ini"), str(Path(__file__).parent)],
        env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and "keys ok" in proc.stdout, proc.stderr[-2000:]
    assert "Ambiguous shortcut overload" not in proc.stderr
