"""Screenshots of the autoencoder example's reconstructions in the real window.

    xvfb-run -a -s "-screen 0 1366x768x24" env QT_QPA_PLATFORM=xcb \
        python docs/screenshots/take_autoencoder.py

opens ``conv_autoencoder.ncproj``, trains it (40 epochs, seconds), waits for the
Evaluate workspace and saves ``autoencoder-results.png`` (held-out digits above their
reconstructions) and ``autoencoder-sample.png`` (Try a sample: one digit beside its
reconstruction).
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from designer.app import create_main_window  # noqa: E402
from designer.projects import EXAMPLES_DIR  # noqa: E402
from docs.screenshots.take_screenshots import shot, wait_for  # noqa: E402


def main() -> None:
    app = QApplication([])
    app.setStyle("Fusion")
    folder = tempfile.TemporaryDirectory()  # settings of its own: default layouts
    settings = QSettings(str(Path(folder.name) / "settings.ini"), QSettings.IniFormat)
    window = create_main_window(EXAMPLES_DIR / "conv_autoencoder.ncproj", settings)
    window.setGeometry(QGuiApplication.primaryScreen().availableGeometry())
    window.show()
    window.training.action_train.trigger()
    wait_for(lambda: window.workspaces.current == "evaluate", 180)
    panel = window.inside_dock.widget()
    wait_for(lambda: panel.results.report is not None, 60)
    panel.show_view(panel.results)
    shot(HERE / "autoencoder-results.png")
    panel.show_view(panel.sample)
    panel.sample.request_index(7)
    wait_for(lambda: panel.sample.result is not None, 30)
    shot(HERE / "autoencoder-sample.png")
    window.editor.stack.setClean()  # no "save changes?" question in a script
    window.close()
    app.quit()


if __name__ == "__main__":
    main()
