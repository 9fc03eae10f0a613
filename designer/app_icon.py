"""The app's icon: ``resources/icons/neurocanvas.svg``, drawn by hand, and the PNGs
``packaging/make-icons.py`` renders from it at the sizes desktops ask for. The window
takes the PNGs (no SVG plugin needed, and each size is drawn for its size)."""
from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QGuiApplication, QIcon

from engine.resources import icon_file

ICON_SIZES = (16, 32, 48, 64, 128, 256, 512)
DESKTOP_FILE = "neurocanvas"  # packaging/neurocanvas.desktop, for Wayland's window matching


def icon_png(size: int):
    return icon_file(f"neurocanvas-{size}.png")


def app_icon() -> QIcon:
    """The icon at every rendered size (an empty icon if the files are missing)."""
    icon = QIcon()
    for size in ICON_SIZES:
        path = icon_png(size)
        if path.is_file():
            icon.addFile(str(path), QSize(size, size))
    return icon


def set_app_icon(app: QGuiApplication) -> None:
    """Every window and dialog of ``app`` carries the icon."""
    app.setWindowIcon(app_icon())
    app.setDesktopFileName(DESKTOP_FILE)
