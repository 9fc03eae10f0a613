"""Shared pieces of the inside views: colour maps, heat maps with a colour bar, a
throttled redraw, and (from ``designer.background``) a worker thread for one function
call.

Snapshots arrive up to five times a second while training; drawing each at once would
cost the GUI thread (and the GIL the trainer needs) ~17 ms per repaint. So views keep
the newest data and draw it on a single-shot timer (at most ``REDRAW_MS`` apart), and
only when they are visible: a hidden tab costs nothing but storing a reference.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QFrame, QScrollArea, QWidget

from ..background import BackgroundCall  # noqa: F401 - the inside views import it from here
from ..rich_text import escape

REDRAW_MS = 150  # ~7 redraws a second at most
# The layer view is the costliest (four histograms and up to two image grids, ~25 ms
# of GUI thread and GIL a redraw): two a second still reads as live.
LAYER_REDRAW_MS = 500
VIRIDIS = pg.colormap.get("viridis")  # magnitudes: dark = low, yellow = high
DIVERGING = pg.colormap.get("CET-D1")  # signed values: blue < 0 < red, white at zero
CLASS_COLOURS = ("#1e88e5", "#e53935", "#43a047", "#fb8c00", "#8e24aa", "#00897b",
                 "#6d4c41", "#d81b60", "#7cb342", "#546e7a")
AXIS_PEN = "#5f6b7a"
# The smallest readable plot: below ~120 px of height a title, ticks and an axis label
# leave no room for the data and their labels print over one another.
MIN_PLOT_HEIGHT = 150
MIN_PLOT_WIDTH = 230


def class_colour(i: int) -> str:
    return CLASS_COLOURS[i % len(CLASS_COLOURS)]


def new_layout() -> pg.GraphicsLayoutWidget:
    view = pg.GraphicsLayoutWidget()
    view.setBackground("w")
    # Images, bars and stepped histograms are axis-aligned: antialiasing (on for the
    # loss curves) only adds paint time here. Text keeps its own antialiasing.
    view.setAntialiasing(False)
    view.ci.setContentsMargins(4, 4, 4, 4)
    return view


def scrolling(widget: QWidget, name: str = "") -> QScrollArea:
    """``widget`` in a frameless scroll area that stretches it to fill the viewport but
    never below its minimum size: a small dock scrolls instead of flattening plots."""
    area = QScrollArea()
    area.setObjectName(name)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarAsNeeded)
    area.setWidget(widget)
    return area


def settle(*layouts) -> None:
    """Apply pending view-range changes before the paint: pyqtgraph applies them
    inside the paint, which moves the axes and asks for a second full paint."""
    for layout in layouts:
        layout.scene().prepareForPaint()


def set_title(plot: pg.PlotItem, text: str | None, **style) -> None:
    """A plot's title as written: pyqtgraph reads titles as HTML, and they carry layer
    and class names. ``None`` hides the title."""
    plot.setTitle(None if text is None else escape(text), **style)


def set_label(plot: pg.PlotItem, axis: str, text: str, **style) -> None:
    """An axis label as written (pyqtgraph reads it as HTML; column names reach it)."""
    plot.setLabel(axis, escape(text), **style)


def new_plot(layout: pg.GraphicsLayoutWidget, row: int, col: int, title: str,
             x_label: str = "", y_label: str = "", **kwargs) -> pg.PlotItem:
    plot = layout.addPlot(row=row, col=col, **kwargs)
    set_title(plot, title, size="9pt", color="#1f2933")
    if x_label:
        set_label(plot, "bottom", x_label, color=AXIS_PEN)
    if y_label:
        set_label(plot, "left", y_label, color=AXIS_PEN)
    plot.setMenuEnabled(False)
    plot.hideButtons()
    plot.getAxis("left").setTickDensity(0.6)  # short plots in a dock: no crowded labels
    plain_axes(plot)
    return plot


def plain_axes(plot: pg.PlotItem) -> None:
    """Ticks in the values' own units: pyqtgraph's automatic SI prefix drew outputs of
    0.1-0.6 as 100-600 under "value (x0.001)", which reads as values in the hundreds."""
    for axis in ("left", "bottom"):
        plot.getAxis(axis).enableAutoSIPrefix(False)


def signed_levels(a: np.ndarray) -> tuple[float, float, bool]:
    """(low, high, signed): symmetric about zero for signed data so white means zero."""
    finite = a[np.isfinite(a)] if a.size else a
    if not finite.size:
        return 0.0, 1.0, False
    lo, hi = float(finite.min()), float(finite.max())
    if lo < 0 < hi or (lo < 0 and hi <= 0):
        m = max(abs(lo), abs(hi)) or 1.0
        return -m, m, True
    return lo, (hi if hi > lo else lo + 1.0), False


class HeatMap:
    """An image in a plot with a colour bar; NaN shows as the background."""

    def __init__(self, layout: pg.GraphicsLayoutWidget, row: int, col: int, title: str,
                 x_label: str = "", y_label: str = "", bar_label: str = "value",
                 axes: bool = True):
        self.plot = new_plot(layout, row, col, title, x_label, y_label)
        self.plot.setAspectLocked(False)
        self.plot.invertY(False)
        if not axes:
            self.plot.hideAxis("left")
            self.plot.hideAxis("bottom")
        self.image = pg.ImageItem(axisOrder="row-major")
        self.plot.addItem(self.image)
        self.bar = pg.ColorBarItem(colorMap=VIRIDIS, interactive=False, width=12,
                                   label=bar_label)
        self.bar.setImageItem(self.image)
        layout.addItem(self.bar, row=row, col=col + 1)
        self.signed = None

    def set_image(self, a: np.ndarray, rect=None, signed: bool | None = None,
                  levels: tuple[float, float] | None = None) -> None:
        """Draw ``a`` (rows up the y axis); a diverging map when the data is signed."""
        a = np.asarray(a, dtype=np.float32)
        lo, hi, auto_signed = signed_levels(a)
        signed = auto_signed if signed is None else signed
        if levels is not None:
            lo, hi = levels
        if signed != self.signed:
            self.bar.setColorMap(DIVERGING if signed else VIRIDIS)
            self.signed = signed
        self.image.setImage(a, autoLevels=False)
        self.bar.setLevels((lo, hi))
        rect = rect if rect is not None else (0, 0, a.shape[1], a.shape[0])
        self.image.setRect(*rect)
        if rect != getattr(self, "_rect", None):  # a new shape: fit it, and keep fitting
            self._rect = rect                     # when the pane is resized
            self.plot.getViewBox().enableAutoRange()


def on_click(plot: pg.PlotItem, callback) -> None:
    """``callback(x, y)`` in the plot's data coordinates when a left click lands inside
    its view box (the scene is shared by every plot of a layout: check the box)."""
    def clicked(event) -> None:
        box = plot.getViewBox()
        if event.button() != Qt.LeftButton or \
                not box.sceneBoundingRect().contains(event.scenePos()):
            return
        point = box.mapSceneToView(event.scenePos())
        callback(point.x(), point.y())

    plot.scene().sigMouseClicked.connect(clicked)


def tile_at(x: float, y: float, n: int, h: int, w: int, pad: int = 1) -> tuple | None:
    """(tile, row, col) under image point (x, y) of an ``image_grid`` of ``n`` tiles
    h x w, drawn flipped (row 0 at the top, as the views draw it); None on a gap."""
    cols = max(1, int(np.ceil(np.sqrt(n))))
    rows = max(1, -(-n // cols))
    height = rows * (h + pad) - pad
    gx, gy = int(np.floor(x)), height - 1 - int(np.floor(y))
    if not (0 <= gx < cols * (w + pad) - pad and 0 <= gy < height):
        return None
    tile_row, row = divmod(gy, h + pad)
    tile_col, col = divmod(gx, w + pad)
    tile = tile_row * cols + tile_col
    if row >= h or col >= w or tile >= n:
        return None
    return tile, row, col


class Throttled:
    """Calls ``draw`` at most every REDRAW_MS, and only while ``widget`` is visible
    (a view shown later draws its newest data then: call ``flush`` from showEvent)."""

    def __init__(self, widget, draw, interval_ms: int = REDRAW_MS):
        self.widget, self.draw, self.dirty = widget, draw, False
        self.timer = QTimer(widget)
        self.timer.setSingleShot(True)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.flush)

    def schedule(self) -> None:
        self.dirty = True
        if not self.timer.isActive():
            self.timer.start()

    def cancel(self) -> None:
        """Forget a pending draw (what it would draw is gone)."""
        self.dirty = False
        self.timer.stop()

    def flush(self) -> None:
        if self.dirty and self.widget.isVisible():
            self.dirty = False
            self.draw()
