"""Ctrl+1...4 as a real X server delivers them (Xvfb, the xcb platform; offscreen
resolves keys differently, see test_keys_xcb.py): each brings its workspace, from the
canvas and from a dock's field alike, with no shortcut bound twice."""
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
window.resize(1300, 740)
window.show()
QTest.qWaitForWindowExposed(window)
window.activateWindow()
QTest.qWaitForWindowActive(window)
QTest.qWait(300)
assert clashes(window) == {}, clashes(window)
keys = {Qt.Key_1: "design", Qt.Key_2: "data", Qt.Key_3: "train", Qt.Key_4: "evaluate"}
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


@pytest.mark.skipif(shutil.which("xvfb-run") is None,
                    reason="xvfb-run is not installed (apt-get install xvfb xauth)")
def test_ctrl_1_to_4_switch_workspaces_under_a_real_x_server(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "xcb", "PYTHONPATH": str(ROOT),
           "NEUROCANVAS_RECOVERY_DIR": str(tmp_path)}
    proc = subprocess.run(
        ["xvfb-run", "-a", "-s", "-screen 0 1366x768x24", sys.executable, "-c", SCRIPT,
         str(tmp_path / "s.ini"), str(Path(__file__).parent)],
        env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and "workspace keys ok" in proc.stdout, proc.stderr[-2000:]
    assert "Ambiguous shortcut overload" not in proc.stderr
