"""Take ``inside-attention.png`` (the Inside panel, floated) and
``inside-attention-window.png`` (the Train workspace): Inside › Attention showing the
character transformer's four heads after a short run.

    xvfb-run -a -s "-screen 0 1366x768x24" env QT_QPA_PLATFORM=xcb \
        python docs/screenshots/take_attention_screenshot.py
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

from take_screenshots import shot, wait_for  # noqa: E402


def main() -> None:
    app = QApplication([])
    app.setStyle("Fusion")
    folder = tempfile.TemporaryDirectory()  # settings of its own: default layouts
    settings = QSettings(str(Path(folder.name) / "settings.ini"), QSettings.IniFormat)
    window = create_main_window(EXAMPLES_DIR / "char_transformer.ncproj", settings)
    window.editor.set_training_setting("epochs", 40)
    window.setGeometry(QGuiApplication.primaryScreen().availableGeometry())
    window.show()
    panel = window.inside_dock.widget()
    done = []
    window.training.runner.finished.connect(lambda _r: done.append(True))
    window.training.action_train.trigger()
    # Until a snapshot of the weights after ~12 epochs (its maps have found structure)
    attention = panel.attention
    wait_for(lambda: bool(done) or (attention.snapshot is not None
                                    and attention.snapshot.step >= 500), 240)
    window.workspaces.switch("train")
    window.editor.set_selection(["attention"])
    panel.show_view(panel.attention)
    panel.attention.throttle.flush()
    wait_for(lambda: bool(panel.attention.maps), 10)
    shot(HERE / "inside-attention-window.png")
    dock = window.inside_dock  # floated and enlarged: the four heads side by side
    dock.setFloating(True)
    dock.resize(980, 520)
    wait_for(lambda: False, 1.5)
    dock.grab().save(str(HERE / "inside-attention.png"))
    print("wrote", HERE / "inside-attention.png")
    window.training.stop()
    wait_for(lambda: bool(done), 30)
    window.editor.stack.setClean()
    window.training.shutdown()
    window.inside.shutdown()
    window.data_panel.shutdown()
    window.close()
    app.quit()


if __name__ == "__main__":
    main()
