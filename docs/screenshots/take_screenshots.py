"""Take the README's workspace screenshots from the real window.

    xvfb-run -a -s "-screen 0 1366x768x24" env QT_QPA_PLATFORM=xcb \
        python docs/screenshots/take_screenshots.py 1366 [--dark]

opens the digits MLP example, shows Design and Data, trains it for 150 epochs (the Train
workspace comes forward, shot paused mid-run), waits for the Evaluate workspace, and saves
``workspace-<name>-<width>.png`` (``dark-<name>-<width>.png`` with --dark, a dark palette
like a desktop's dark theme), plus the start page over a blank design. The screen size
given to Xvfb is the window's size; the number names the files.

With --learn it takes the Learn screenshots instead (``learn_shots.py``): a lesson beside
the canvas at that size, and at 1366 the Explain, Step through, saliency and "What it
sees" views after short real runs.
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
sys.path.insert(1, str(HERE))  # learn_shots

from designer.app import create_main_window  # noqa: E402
from designer.projects import EXAMPLES_DIR  # noqa: E402
from designer.start_page import open_start_page  # noqa: E402

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


def shot(path: Path) -> None:
    QTest.qWait(700)
    QGuiApplication.primaryScreen().grabWindow(0).save(str(path))
    print("wrote", path)


def wait_for(condition, seconds: float) -> None:
    end = time.time() + seconds
    while not condition() and time.time() < end:
        QTest.qWait(100)


def learn(width: str) -> None:
    import learn_shots

    app = QApplication([])
    app.setStyle("Fusion")
    folder = tempfile.TemporaryDirectory()
    settings = QSettings(str(Path(folder.name) / "settings.ini"), QSettings.IniFormat)
    window = create_main_window(EXAMPLES_DIR / "xor.ncproj", settings)
    window.setGeometry(QGuiApplication.primaryScreen().availableGeometry())
    window.show()
    QTest.qWait(1000)  # the workspace's default sizes are applied once it is shown
    learn_shots.main(window, width)
    window.editor.stack.setClean()
    window.close()
    del app


def main(width: str, dark: bool) -> None:
    app = QApplication([])
    app.setStyle("Fusion")
    if dark:
        app.setPalette(dark_palette())
    prefix = "dark" if dark else "workspace"
    folder = tempfile.TemporaryDirectory()  # settings of its own: default layouts
    settings = QSettings(str(Path(folder.name) / "settings.ini"), QSettings.IniFormat)
    window = create_main_window(EXAMPLES_DIR / "digits_mlp.ncproj", settings)
    window.editor.set_training_setting("epochs", 150)
    window.setGeometry(QGuiApplication.primaryScreen().availableGeometry())
    window.show()
    preview = window.inside_dock.widget().preview
    for key in ("design", "data"):
        window.workspaces.switch(key)
        if key == "design":  # the Preview tab shows: let its first preview come
            wait_for(lambda: preview.runs > 0, 20)
        shot(HERE / f"{prefix}-{key}-{width}.png")
    window.training.action_train.trigger()
    wait_for(lambda: window.training_panel.progress.value() > 150, 60)  # a few epochs in
    window.training.action_pause.trigger()  # held mid-run for the picture (it is fast)
    wait_for(lambda: window.training.state == "paused", 10)
    shot(HERE / f"{prefix}-train-{width}.png")
    window.training.action_resume.trigger()
    wait_for(lambda: window.workspaces.current == "evaluate", 180)
    QTest.qWait(2000)
    shot(HERE / f"{prefix}-evaluate-{width}.png")
    window.editor.stack.setClean()  # no "save changes?" question in a script
    if not dark:
        window.projects.new_from_template("blank")
        window.workspaces.switch("design")
        open_start_page(window)
        shot(HERE / f"start-page-{width}.png")
    window.editor.stack.setClean()
    window.close()


if __name__ == "__main__":
    size = sys.argv[1] if len(sys.argv) > 1 else "1366"
    if "--learn" in sys.argv:
        learn(size)
    else:
        main(size, "--dark" in sys.argv)
