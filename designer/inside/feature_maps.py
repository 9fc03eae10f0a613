"""Convolutional layers: one sample's feature maps and the layer's filters, each as a
grid of small square tiles (about square: ceil(sqrt(n)) columns), every tile drawn
at least MIN_TILE pixels wide so a 3x3 filter is a readable block, not a pixel.

1-D convolutions and pools (maps ``(C, 1, T)``, filters ``(F, C, 1, k)``) are drawn as
one image each instead, a row per channel or filter: strips one value high would not
read as tiles."""
from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QBoxLayout, QLabel, QVBoxLayout, QWidget

from engine.insights import image_grid

from .common import HeatMap, new_layout, on_click, set_title, settle, tile_at
from ..style import noun

MIN_TILE = 24  # on-screen pixels per tile side at the least
MAX_SIDE = 520  # ...unless the grid would need more: then tiles shrink to fit this
BAR_WIDTH = 90  # the colour bar with its ticks and label
TITLE_ROOM = 12  # the layout's margins around the image
ROW_PX = 8  # 1-D maps and filters: on-screen pixels per value at the least


def filter_tiles(filters: np.ndarray) -> tuple[np.ndarray, str]:
    """(F, C, kh, kw) -> (F, kh, kw) tiles and what they show: the one input channel
    as it is, or the mean over several (one tile per filter for any channel count)."""
    f, c, kh, kw = filters.shape
    if c == 1:
        return filters[:, 0], "input channel 0"
    return filters.mean(axis=1), f"mean over the {c} input channels"


def filter_grid(filters: np.ndarray) -> np.ndarray:
    """(F, C, kh, kw) -> one image of tiles, NaN gaps, filter 0 top left. Values kept
    (not normalised) so the colour bar reads as weights."""
    tiles, _what = filter_tiles(filters)
    return image_grid(tiles, normalize="none")[::-1]  # image row 0 is drawn at the bottom


def grid_pixels(n: int, h: int, w: int) -> tuple[int, int]:
    """On-screen (width, height) for n tiles of h x w: MIN_TILE pixels a tile side,
    nearest-neighbour scaled (an ImageItem draws cells as blocks)."""
    cols = max(1, math.ceil(math.sqrt(n)))
    rows = max(1, -(-n // cols))
    cells_w, cells_h = cols * (w + 1) - 1, rows * (h + 1) - 1
    scale = max(1.0, MIN_TILE / max(1, min(h, w)))
    scale = min(scale, MAX_SIDE / max(cells_w, cells_h))
    return math.ceil(cells_w * scale), math.ceil(cells_h * scale)


def strip_pixels(rows: int, cols: int) -> tuple[int, int]:
    """On-screen (width, height) of one image of 1-D rows (a channel or filter each):
    ROW_PX pixels a value at the least, shrunk to fit MAX_SIDE."""
    scale = min(ROW_PX, MAX_SIDE / max(rows, cols, 1))
    scale = max(scale, 1.0)
    return math.ceil(cols * scale), math.ceil(rows * scale)


class TileGrid(QWidget):
    """A caption over an aspect-locked heat map sized for its tiles."""

    def __init__(self, bar_label: str, parent=None):
        super().__init__(parent)
        self.caption = QLabel("")
        self.caption.setWordWrap(True)
        self.view = new_layout()
        self.heat = HeatMap(self.view, 0, 0, "", axes=False, bar_label=bar_label)
        set_title(self.heat.plot, None)  # the caption says it, wrapped, above
        self.heat.plot.setAspectLocked(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.caption)
        layout.addWidget(self.view, 1)

    def show_grid(self, image: np.ndarray, n: int, h: int, w: int, caption: str,
                  signed: bool | None = None, strips: bool = False) -> None:
        """``n`` tiles of ``h`` x ``w``; with ``strips``, one image of ``h`` rows."""
        self.heat.set_image(image, signed=signed)
        width, height = strip_pixels(h, w) if strips else grid_pixels(n, h, w)
        # The view box pads the image by ~7% on each side: room for that.
        width, height = int(width * 1.16), int(height * 1.16)
        self.view.setMinimumSize(width + BAR_WIDTH + TITLE_ROOM, height + TITLE_ROOM)
        self.caption.setText(caption)

    def tile_pixels(self, h: int, w: int) -> float:
        """The smaller on-screen side of one tile now (tests)."""
        px_w, px_h = self.heat.plot.getViewBox().viewPixelSize()
        return min(w / px_w, h / px_h)


class FeatureMapsView(QWidget):
    """``show_layer(view)``: feature maps (and filters for Conv2D) of a LayerView, side
    by side or stacked (``arrange``); the layer view scrolls when neither fits. A click
    on a map's pixel emits ``position_clicked(channel, row, col)``."""

    position_clicked = Signal(int, int, int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.shape: tuple[int, int, int] | None = None  # the maps shown: (C, H, W)
        self.maps, self.filters = TileGrid("activation"), TileGrid("weight")
        self.view, self.filter_view = self.maps.view, self.filters.view
        self.panes = QBoxLayout(QBoxLayout.LeftToRight, self)
        self.panes.setContentsMargins(0, 0, 0, 0)
        self.panes.addWidget(self.maps, 1)
        self.panes.addWidget(self.filters, 1)
        self.grid: np.ndarray | None = None  # what the maps image shows, for tests
        on_click(self.maps.heat.plot, self.click)

    def click(self, x: float, y: float) -> None:
        """A click at image point (x, y) of the maps: which channel and position."""
        if self.shape is None:
            return
        hit = tile_at(x, y, *self.shape)
        if hit is not None:
            self.position_clicked.emit(*hit)

    def narrowest(self) -> int:
        """The least width the pane can take (stacked)."""
        return max(self.maps.minimumSizeHint().width(), self.filters.minimumSizeHint().width())

    def arrange(self, width: int) -> None:
        """Side by side when ``width`` holds both grids, stacked otherwise: decided by
        the width given, not by the pane's own size, so the choice cannot oscillate."""
        both = self.maps.minimumSizeHint().width() + self.filters.minimumSizeHint().width()
        wide = width >= both + self.panes.spacing()
        self.panes.setDirection(QBoxLayout.LeftToRight if wide else QBoxLayout.TopToBottom)

    def show_layer(self, view, sample: int = 0) -> None:
        maps = getattr(view, "feature_maps", None)
        if maps is not None and len(maps) and maps.shape[1] == 1:  # 1-D: channels x steps
            c, _, t = maps.shape
            self.grid = np.ascontiguousarray(maps[::-1, 0])  # channel 0 on top
            self.maps.show_grid(self.grid, 1, c, t, f"<b>{c} {noun(c, 'channel')}</b> over {t} "
                                f"{noun(t, 'step')} of probe sample {sample}, a row each",
                                strips=True)
            self.maps.setVisible(True)
        elif maps is not None and len(maps):
            c, h, w = maps.shape
            self.shape = (c, h, w)
            self.grid = image_grid(maps, normalize="none")[::-1]
            self.maps.show_grid(self.grid, c, h, w,
                                f"<b>{c} feature maps</b> {h}\u00d7{w} of probe sample {sample}")
            self.maps.setVisible(True)
        else:
            self.grid = self.shape = None
            self.maps.heat.image.clear()
            self.maps.setVisible(False)
        filters = getattr(view, "filters", None)
        if filters is not None and filters.size and filters.shape[2] == 1:  # Conv1D
            f, _c, _, k = filters.shape
            tiles, what = filter_tiles(filters)
            self.filters.show_grid(np.ascontiguousarray(tiles[::-1, 0]), 1, f, k,
                                   f"<b>{f} filters</b> of {k} taps, {what}, a row each",
                                   signed=True, strips=True)
            self.filters.setVisible(True)
        elif filters is not None and filters.size:
            f, c, kh, kw = filters.shape
            _tiles, what = filter_tiles(filters)
            self.filters.show_grid(filter_grid(filters), f, kh, kw,
                                   f"<b>{f} filters</b> {kh}\u00d7{kw}, {what}", signed=True)
            self.filters.setVisible(True)
        else:
            self.filters.heat.image.clear()
            self.filters.setVisible(False)
        settle(self.view, self.filter_view)
