"""Take the README's Experiments screenshot from the real window.

    xvfb-run -a -s "-screen 0 1366x768x24" env QT_QPA_PLATFORM=xcb \
        python docs/screenshots/take_sweep_screenshot.py 1366

opens the digits MLP example, sets up a sweep of 8 random trials over the learning rate
(1e-4..3e-2, log) and the first hidden layer's units (16..256), runs it with one trial
per core, waits for it to end and saves ``workspace-experiments-<width>.png``; it prints
the sweep's table (as ``neurocanvas sweep`` does) for the README's figures.
"""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from designer.app import create_main_window  # noqa: E402
from designer.projects import EXAMPLES_DIR  # noqa: E402
from engine.cli_sweep import table  # noqa: E402

PARAMS = (("learning_rate", "1e-4..3e-2:log"), ("hidden1.units", "16..256:int"))


def main(width: str) -> None:
    app = QApplication([])
    app.setStyle("Fusion")
    folder = tempfile.TemporaryDirectory()  # settings of its own: default layouts
    settings = QSettings(str(Path(folder.name) / "settings.ini"), QSettings.IniFormat)
    window = create_main_window(EXAMPLES_DIR / "digits_mlp.ncproj", settings)
    window.setGeometry(QGuiApplication.primaryScreen().availableGeometry())
    window.show()
    window.workspaces.switch("experiments")
    panel = window.experiments
    for row, (name, values) in enumerate(PARAMS):
        panel.setup.set_row(row, name, values)
    panel.setup.trials.setValue(8)
    start = time.monotonic()
    panel.run_button.click()
    while panel.runner.running and time.monotonic() - start < 600:
        QTest.qWait(100)
    print(f"sweep took {time.monotonic() - start:.1f} s in the window")
    print(table(window.editor.doc.project.sweeps[-1]))
    QTest.qWait(800)
    path = HERE / f"workspace-experiments-{width}.png"
    QGuiApplication.primaryScreen().grabWindow(0).save(str(path))
    print("wrote", path)
    window.editor.stack.setClean()  # no "save changes?" on close
    window.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "1366")
