"""Help › About NeuroCanvas: the version, the licence, what the app is built with, and
where each bundled data set came from and under what terms (``resources/data/SOURCES.md``,
shown as the Markdown it is written in)."""
from __future__ import annotations

import html
import importlib.metadata
import platform

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QTextBrowser,
                               QVBoxLayout, QWidget)

from engine import __version__ as ENGINE_VERSION
from engine.resources import resources_dir

from .app_icon import app_icon

LICENCE = "MIT"  # as pyproject.toml's ``license`` (tests/designer/test_about.py checks)
DESCRIPTION = "Design neural networks visually, train them live, export what they learned."


def app_version() -> str:
    """The installed package's version; a desktop bundle or a bare checkout (no
    package metadata) falls back to the engine's."""
    try:
        return importlib.metadata.version("neurocanvas")
    except importlib.metadata.PackageNotFoundError:
        return ENGINE_VERSION


def data_sources_markdown() -> str:
    """``SOURCES.md`` of the bundled data, or a line saying it is missing."""
    path = resources_dir() / "data" / "SOURCES.md"
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        return f"*The list of the bundled data's sources is missing* ({path}: {exc.strerror})."


def components() -> str:
    """What the app runs on, with the versions found and their licences."""
    import numpy
    import pyqtgraph
    import PySide6
    from PySide6.QtCore import qVersion

    parts = (f"Python {platform.python_version()} (PSF licence)",
             f"Qt {qVersion()} and Qt for Python (PySide6) {PySide6.__version__} (LGPL-3.0)",
             f"NumPy {numpy.__version__} (BSD-3-Clause)",
             f"pyqtgraph {pyqtgraph.__version__} (MIT)")
    return "Built with " + ", ".join(parts) + "."


class AboutDialog(QDialog):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("about_dialog")
        self.setWindowTitle("About NeuroCanvas")
        logo = QLabel()
        logo.setPixmap(app_icon().pixmap(96, 96))
        logo.setAlignment(Qt.AlignTop)
        self.heading = QLabel(
            f"<h2>NeuroCanvas {html.escape(app_version())}</h2>"
            f"<p>{DESCRIPTION}</p><p>Released under the <b>{LICENCE}</b> licence.</p>")
        self.heading.setObjectName("about_heading")
        self.heading.setWordWrap(True)
        self.heading.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.built_with = QLabel(components())
        self.built_with.setWordWrap(True)
        self.built_with.setStyleSheet("color: #5f6b7a;")
        self.sources = QTextBrowser()
        self.sources.setObjectName("about_data_sources")
        self.sources.setOpenExternalLinks(True)
        self.sources.setMarkdown(data_sources_markdown())
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.rejected.connect(self.reject)
        top = QHBoxLayout()
        top.addWidget(logo)
        top.addWidget(self.heading, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.built_with)
        layout.addWidget(self.sources, 1)
        layout.addWidget(buttons)
        self.resize(760, 600)

    def text(self) -> str:
        """Everything the dialog says, as plain text."""
        return "\n".join((self.heading.text(), self.built_with.text(),
                          self.sources.toPlainText()))


def show_about(parent: QWidget) -> AboutDialog:
    """Open the About box (window-modal, not blocking the caller)."""
    dialog = AboutDialog(parent)
    dialog.setAttribute(Qt.WA_DeleteOnClose)
    dialog.open()
    return dialog
