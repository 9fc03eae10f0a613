"""What the screenshot scripts share: the real window opened on a bundled example with
settings of its own (default layouts), a screen grab, a wait for a condition, and
closing without a "save changes?" question.

The scripts run under Xvfb (see ``take_screenshots.py``); the screen size given to it
is the window's size.
"""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from designer.app import create_main_window  # noqa: E402
from designer.projects import EXAMPLES_DIR  # noqa: E402

DARK = {QPalette.Window: "#2b2d30", QPalette.WindowText: "#dfe1e5", QPalette.Base: "#1e1f22",
        QPalette.AlternateBase: "#26282b", QPalette.ToolTipBase: "#3c3f41",
        QPalette.ToolTipText: "#dfe1e5", QPalette.Text: "#dfe1e5",
        QPalette.Button: "#3c3f41", QPalette.ButtonText: "#dfe1e5",
        QPalette.BrightText: "#ff6b68", QPalette.Highlight: "#2f65ca",
        QPalette.HighlightedText: "#ffffff", QPalette.Link: "#589df6",
        QPalette.PlaceholderText: "#8c8f94", QPalette.Mid: "#4e5157",
        QPalette.Dark: "#1a1b1e", QPalette.Light: "#4e5157", QPalette.Midlight: "#43454a",
        QPalette.Shadow: "#0f1012"}


def dark_palette() -> QPalette:
    """A desktop's dark theme, as Fusion gets it from the system."""
    palette = QPalette()
    for role, colour in DARK.items():
        palette.setColor(role, QColor(colour))
    for role in (QPalette.WindowText, QPalette.Text, QPalette.ButtonText):
        palette.setColor(QPalette.Disabled, role, QColor("#6f737a"))
    return palette


def open_window(example: str, dark: bool = False):
    """The application (Fusion style) and its main window on ``example`` (a file in the
    bundled examples), filling the screen. Its settings live in a temporary folder,
    kept as long as the window (``window.shot_settings_folder``)."""
    app = QApplication([])
    app.setStyle("Fusion")
    if dark:
        app.setPalette(dark_palette())
    folder = tempfile.TemporaryDirectory()
    settings = QSettings(str(Path(folder.name) / "settings.ini"), QSettings.IniFormat)
    window = create_main_window(EXAMPLES_DIR / example, settings)
    window.shot_settings_folder = folder
    window.setGeometry(QGuiApplication.primaryScreen().availableGeometry())
    return app, window


def close_window(window) -> None:
    window.editor.stack.setClean()  # no "save changes?" question in a script
    window.close()


def shot(path: Path, wait_ms: int = 700) -> None:
    """Grab the whole screen into ``path`` once the window has settled."""
    QTest.qWait(wait_ms)
    QGuiApplication.primaryScreen().grabWindow(0).save(str(path))
    print("wrote", path)


def wait_for(condition, seconds: float) -> None:
    """Let the event loop run until ``condition()`` holds or ``seconds`` pass."""
    end = time.time() + seconds
    while not condition() and time.time() < end:
        QTest.qWait(100)
