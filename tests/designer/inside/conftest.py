"""Fixtures shared by the inside-view tests."""
import gc

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from designer.app import create_main_window

from .helpers import EXAMPLES


@pytest.fixture
def open_example(qtbot, dialogs, tmp_path):
    windows = []

    def make(name, **training):
        settings = QSettings(str(tmp_path / "s.ini"), QSettings.IniFormat)
        win = create_main_window(EXAMPLES / f"{name}.ncproj", settings)
        for key, value in training.items():
            win.editor.set_training_setting(key, value)
        qtbot.addWidget(win, before_close_func=lambda w: (w.training.shutdown(),
                                                          w.inside.shutdown(),
                                                          w.data_panel.shutdown()))
        win.resize(1360, 860)
        win.show()
        qtbot.waitExposed(win)
        win.inside_dock.raise_()
        windows.append(win)
        return win

    yield make
    for win in windows:
        win.training.shutdown()
        win.inside.shutdown()
        win.data_panel.shutdown()
        win.editor.stack.setClean()
        win.close()
    # Collect the windows' Python/Qt reference cycles now: left to a later test, the
    # collector ran inside an unrelated widget's paint and Qt crashed there
    # ("Cannot destroy paint device that is being painted").
    QApplication.processEvents()
    gc.collect()
