"""The start page: what to begin with when the window opens without a file (and from
File > Start Page): the bundled examples and the templates, each with a small picture of
its design, and the recent files that still exist.

A dialog over the window, as MATLAB's Deep Network Designer opens with its start page;
choosing anything opens it through the ProjectController (so unsaved work is asked
about) and closes the page. "Show at startup" is remembered in QSettings.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap
from PySide6.QtWidgets import (QCheckBox, QDialog, QDialogButtonBox, QHBoxLayout, QLabel,
                               QListView, QListWidget, QListWidgetItem, QPushButton,
                               QVBoxLayout)

from engine.errors import ConfigError, NeuroCanvasError
from engine.layers import layer_class
from engine.project import load_project

from . import style
from .model.templates import templates
from .projects import example_paths, example_title
from .rich_text import as_plain

THUMB = QSize(150, 70)
SHOW_KEY = "start_page/show"
PATH_ROLE = Qt.UserRole + 1


def _layer_colour(type_name: str) -> QColor:
    try:
        return style.category_colour(layer_class(type_name).category)
    except ConfigError:
        return QColor(style.DEFAULT_CATEGORY_COLOUR)


def design_thumbnail(spec, layout: dict, size: QSize = THUMB) -> QPixmap:
    """A miniature of a design as the canvas lays it out: one block per layer in its
    category's colour, at its place, with its connections."""
    pixmap = QPixmap(size)
    pixmap.fill(style.CANVAS_BACKGROUND)
    if spec is None or not spec.layers:
        return pixmap
    places = {l.id: layout.get(l.id, (i * 220.0, 0.0)) for i, l in enumerate(spec.layers)}
    xs, ys = [p[0] for p in places.values()], [p[1] for p in places.values()]
    span_x = max(xs) - min(xs) + style.NODE_WIDTH
    span_y = max(ys) - min(ys) + style.NODE_HEIGHT
    margin = 8
    scale = min((size.width() - 2 * margin) / span_x, (size.height() - 2 * margin) / span_y)
    off_x = (size.width() - span_x * scale) / 2 - min(xs) * scale
    off_y = (size.height() - span_y * scale) / 2 - min(ys) * scale

    def rect(layer_id: str) -> QRectF:
        x, y = places[layer_id]
        return QRectF(off_x + x * scale, off_y + y * scale,
                      style.NODE_WIDTH * scale, style.NODE_HEIGHT * scale)

    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.Antialiasing)
    painter.setPen(QPen(style.EDGE, 1.2))
    for edge in spec.edges:
        a, b = rect(edge.source), rect(edge.target)
        start, end = QPointF(a.right(), a.center().y()), QPointF(b.left(), b.center().y())
        path = QPainterPath(start)
        bend = max(8.0, (end.x() - start.x()) / 2)
        path.cubicTo(start + QPointF(bend, 0), end - QPointF(bend, 0), end)
        painter.drawPath(path)
    for layer in spec.layers:
        r = rect(layer.id)
        painter.setPen(QPen(style.NODE_BORDER, 1))
        painter.setBrush(style.NODE_FILL)
        painter.drawRoundedRect(r, 3, 3)
        header = QRectF(r.left(), r.top(), r.width(), max(3.0, r.height() * 0.3))
        painter.setPen(Qt.NoPen)
        painter.setBrush(_layer_colour(layer.type))
        painter.drawRoundedRect(header, 2, 2)
    painter.end()
    return pixmap


def _grid(name: str) -> QListWidget:
    grid = QListWidget()
    grid.setObjectName(name)
    grid.setViewMode(QListView.IconMode)
    grid.setIconSize(THUMB)
    grid.setGridSize(QSize(THUMB.width() + 24, THUMB.height() + 42))
    grid.setResizeMode(QListView.Adjust)
    grid.setMovement(QListView.Static)
    grid.setWordWrap(True)
    grid.setUniformItemSizes(True)
    return grid


class StartPage(QDialog):
    def __init__(self, window, settings):
        super().__init__(window)
        self.setObjectName("start_page")
        self.setWindowTitle("Start \u2014 NeuroCanvas")
        self.window_, self.projects, self.settings = window, window.projects, settings
        self.examples = _grid("start_examples")
        self.examples.setToolTip("Bundled examples with their data: open one and press Train")
        self.templates = _grid("start_templates")
        self.templates.setToolTip("A new design to start from; you choose its data")
        self.recent = QListWidget()
        self.recent.setObjectName("start_recent")
        self.recent.setToolTip("Projects you opened or saved lately")
        self._fill_examples()
        self._fill_templates()
        self.fill_recent()
        self._layout()
        for grid in (self.examples, self.templates, self.recent):
            grid.itemActivated.connect(self._activated)
            grid.itemClicked.connect(self._activated)  # one click, as on a web start page
        self.projects.recent_changed.connect(lambda _files: self.fill_recent())

    def _layout(self) -> None:
        column = QVBoxLayout(self)
        intro = QLabel("<b>Start with an example, a template or a recent project.</b> "
                       "Then: design the network, choose its data, train it "
                       "(Ctrl+1\u20265 switch between the Design, Data, Train, "
                       "Evaluate and Experiments workspaces).")
        intro.setWordWrap(True)
        column.addWidget(intro)
        for title, widget in (("&Examples (with data, ready to train)", self.examples),
                              ("&Templates (new designs)", self.templates),
                              ("&Recent projects", self.recent)):
            label = QLabel(title)
            label.setBuddy(widget)
            label.setStyleSheet("font-weight: 600; margin-top: 6px;")
            column.addWidget(label)
            column.addWidget(widget, 1 if widget is self.examples else 0)
        # One row of templates, a few recent files; the examples take the rest.
        self.templates.setFixedHeight(self.templates.gridSize().height() + 8)
        self.recent.setFixedHeight(96)
        row = QHBoxLayout()
        self.show_at_startup = QCheckBox("&Show this page when NeuroCanvas starts")
        self.show_at_startup.setObjectName("start_show_at_startup")
        self.show_at_startup.setToolTip("Untick to open with a blank design instead")
        self.show_at_startup.setChecked(show_at_startup(self.settings))
        self.show_at_startup.toggled.connect(lambda on: self.settings.setValue(SHOW_KEY, on))
        row.addWidget(self.show_at_startup, 1)
        buttons = QDialogButtonBox()
        self.open_button = QPushButton("&Open\u2026")
        self.open_button.setObjectName("start_open")
        self.open_button.setToolTip("Open a project file (.ncproj)")
        self.open_button.clicked.connect(self._open_file)
        buttons.addButton(self.open_button, QDialogButtonBox.ActionRole)
        close = buttons.addButton(QDialogButtonBox.Close)
        close.setObjectName("start_close")
        close.setToolTip("Keep the current design")
        buttons.rejected.connect(self.reject)
        row.addWidget(buttons)
        column.addLayout(row)
        self.resize(940, 620)

    def _fill_examples(self) -> None:
        for path in example_paths():
            try:
                project = load_project(path)
            except (NeuroCanvasError, OSError, ValueError):
                continue  # an unreadable example is left out, not shown broken
            data = project.data.get("name") or Path(project.data.get("path", "")).name
            item = QListWidgetItem(QIcon(design_thumbnail(project.spec, project.layout)),
                                   example_title(path))
            item.setData(PATH_ROLE, ("example", str(path)))
            item.setToolTip(f"{example_title(path)}: {len(project.spec.layers)} layers"
                            + (f", data: {data}" if data else ""))
            self.examples.addItem(item)

    def _fill_templates(self) -> None:
        for template in templates():
            item = QListWidgetItem(QIcon(design_thumbnail(template.spec, template.layout)),
                                   template.title)
            item.setData(PATH_ROLE, ("template", template.key))
            item.setToolTip(template.description if template.available
                            else template.unavailable_reason)
            if not template.available:
                item.setFlags(item.flags() & ~Qt.ItemIsEnabled)
            self.templates.addItem(item)

    def fill_recent(self) -> None:
        self.recent.clear()
        for path in self.projects.recent_files():
            item = QListWidgetItem(f"{Path(path).name}    \u2014 {Path(path).parent}")
            item.setData(PATH_ROLE, ("recent", path))
            item.setToolTip(as_plain(path))
            self.recent.addItem(item)
        if not self.recent.count():
            item = QListWidgetItem("No recent projects yet: the ones you save appear here.")
            item.setFlags(Qt.NoItemFlags)
            self.recent.addItem(item)

    def _activated(self, item: QListWidgetItem) -> None:
        what = item.data(PATH_ROLE)
        if not what:
            return
        kind, value = what
        opened = (self.projects.new_from_template(value) if kind == "template"
                  else self.projects.open_path(value))
        if opened:
            self.accept()

    def _open_file(self) -> None:
        if self.projects.open_dialog():
            self.accept()


def show_at_startup(settings) -> bool:
    value = settings.value(SHOW_KEY, True)
    return value not in (False, "false", "0", 0)


def open_start_page(window) -> StartPage:
    """Show the start page over the window (not blocking: tests and the event loop go on)."""
    page = StartPage(window, window.settings)
    page.setAttribute(Qt.WA_DeleteOnClose)
    page.open()
    return page

