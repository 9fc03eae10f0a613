"""Every layer's output for one sample, one row per layer: bars for vectors, a heat map
for sequences (time x unit), tiles for images. Shared by "Try one sample" and the
edit-time preview. Rows are rebuilt on each call: calls come from a click or a
debounced edit, never from the training stream."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QScrollArea, QVBoxLayout, QWidget

from engine.insights import image_grid

from .common import (DIVERGING, VIRIDIS, new_layout, new_plot, on_click, set_label, set_title,
                     signed_levels, tile_at)

ROW_HEIGHT = 150
MAX_BARS = 256
MAX_TILES = 32


def position_at(shape: tuple, x: float, y: float) -> tuple | None:
    """The output position under (x, y) as ``_draw`` lays an output of ``shape`` out:
    bars at x = 0, 1, ...; (C, H, W) as tiles; (T, D) with time along x."""
    if len(shape) <= 1:
        unit = int(round(x))
        n = int(np.prod(shape)) if shape else 1
        return (unit,) if 0 <= unit < min(n, MAX_BARS) else None
    if len(shape) == 3:
        return tile_at(x, y, min(shape[0], MAX_TILES), shape[1], shape[2])
    steps, units = shape[0], int(np.prod(shape[1:]))
    step, unit = int(np.floor(x)), int(np.floor(y))
    return (unit, step) if 0 <= step < steps and 0 <= unit < units else None


class LayerOutputs(QWidget):
    """``show_outputs([(name, array | None, message | None)], ids)``; a click on a bar,
    a tile's pixel or a cell emits ``unit_picked(layer id, position)``: ``(unit,)`` of a
    vector, ``(channel, row, col)`` of an image, ``(unit, step)`` of a sequence."""

    unit_picked = Signal(str, tuple)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.view = new_layout()
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setWidget(self.view)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.scroll)
        self.rows: list[str] = []  # row titles, for tests

    def show_outputs(self, entries, ids=None) -> None:
        self.view.clear()
        self.rows = []
        for row, (name, a, message) in enumerate(entries):
            plot = new_plot(self.view, row, 0, name)
            if ids is not None and a is not None:
                shape = np.shape(a)
                on_click(plot, lambda x, y, i=ids[row], s=shape: self._clicked(i, s, x, y))
            plot.getAxis("left").setWidth(48)
            if a is None:
                plot.hideAxis("left")
                plot.hideAxis("bottom")
                text = pg.TextItem(message or "no output", color="#d32f2f", anchor=(0, 0.5))
                plot.addItem(text)
                text.setPos(0, 0)
                set_title(plot, f"{name}: no output", size="9pt", color="#d32f2f")
            else:
                self._draw(plot, name, np.asarray(a), message)
            self.rows.append(plot.titleLabel.item.toPlainText())  # as shown
        self.view.setMinimumHeight(max(1, len(entries)) * ROW_HEIGHT)

    def _clicked(self, layer_id: str, shape: tuple, x: float, y: float) -> None:
        pos = position_at(shape, x, y)
        if pos is not None:
            self.unit_picked.emit(layer_id, pos)

    def _draw(self, plot, name: str, a: np.ndarray, message) -> None:
        shape = "\u00d7".join(str(d) for d in a.shape) or "scalar"
        note = f" ({message})" if message else ""
        a = a.astype(np.float32)
        if a.ndim <= 1:
            a = a.reshape(-1)[:MAX_BARS]
            colours = ["#1e88e5" if v >= 0 else "#e53935" for v in a]
            plot.addItem(pg.BarGraphItem(x=np.arange(len(a)), height=a, width=0.8,
                                         brushes=colours, pen=None))
            set_label(plot, "bottom", "unit")
            set_label(plot, "left", "value")
            set_title(plot, f"{name}: {shape}{note}", size="9pt")
            return
        if a.ndim == 3:  # (C, H, W): one tile per channel
            img = image_grid(a[:MAX_TILES], normalize="none")[::-1]
            plot.hideAxis("left")
            plot.hideAxis("bottom")
            plot.setAspectLocked(True)
        else:  # (T, D): time along x, units along y
            img = a.reshape(a.shape[0], -1).T
            set_label(plot, "bottom", "time step")
            set_label(plot, "left", "unit")
        lo, hi, signed = signed_levels(img)
        item = pg.ImageItem(img, axisOrder="row-major")
        item.setColorMap(DIVERGING if signed else VIRIDIS)
        item.setLevels((lo, hi))
        plot.addItem(item)
        scale = "blue \u2212, white 0, red +" if signed else "dark low, yellow high"
        set_title(plot, f"{name}: {shape}, range {lo:.3g} to {hi:.3g} ({scale}){note}",
                        size="9pt")
