"""The app's icon on its windows (resources/icons, rendered by packaging/make-icons.py)."""
from PySide6.QtCore import QSize
from PySide6.QtWidgets import QApplication

from designer.app_icon import ICON_SIZES, app_icon, set_app_icon
from tests.designer.conftest import dialogs, settings, window  # noqa: F401


def test_main_window_carries_the_icon_at_every_size(window):
    icon = window.windowIcon()
    assert not icon.isNull()
    assert {s.width() for s in icon.availableSizes()} == set(ICON_SIZES)
    assert not icon.pixmap(QSize(32, 32)).toImage().isNull()


def test_app_icon_is_set_for_every_window(qapp):
    before = QApplication.windowIcon()
    try:
        set_app_icon(qapp)
        assert not QApplication.windowIcon().isNull()
        assert QApplication.windowIcon().cacheKey() != before.cacheKey()
        assert QApplication.desktopFileName() == "neurocanvas"
    finally:
        QApplication.setWindowIcon(before)


def test_icon_is_empty_without_its_files(tmp_path, monkeypatch):
    monkeypatch.setenv("NEUROCANVAS_RESOURCES", str(tmp_path))
    assert app_icon().isNull()
