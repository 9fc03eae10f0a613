"""Convolutional layers: one sample's feature maps as an image grid, and the filters
(rows: output filters, columns: input channels)."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSplitter, QVBoxLayout, QWidget

from engine.insights import image_grid

from .common import HeatMap, new_layout, settle


def filter_grid(filters: np.ndarray) -> np.ndarray:
    """(F, C, kh, kw) -> one image: filter f in row f, input channel c in column c,
    NaN gaps. Values kept (not normalised) so the colour bar reads as weights."""
    f, c, kh, kw = filters.shape
    grid = np.full((f * (kh + 1) - 1, c * (kw + 1) - 1), np.nan, np.float32)
    for i in range(f):
        for j in range(c):
            grid[i * (kh + 1):i * (kh + 1) + kh, j * (kw + 1):j * (kw + 1) + kw] = \
                filters[i, j]
    return grid[::-1]  # the image's row 0 is drawn at the bottom: filter 0 goes on top


class FeatureMapsView(QWidget):
    """``show_layer(view)``: feature maps (and filters for Conv2D) of a LayerView."""

    def __init__(self, parent=None):
        super().__init__(parent)
        # Two plot widgets in a splitter that turns with the pane's shape (side by side
        # when wide, stacked when tall), so neither grid is ever squeezed off the edge.
        self.view, self.filter_view = new_layout(), new_layout()
        self.split = QSplitter(Qt.Horizontal)
        self.split.addWidget(self.view)
        self.split.addWidget(self.filter_view)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.split)
        self.maps = HeatMap(self.view, 0, 0, "Feature maps", axes=False,
                            bar_label="activation")
        self.filters = HeatMap(self.filter_view, 0, 0, "Filters", axes=False,
                               bar_label="weight")
        for heat in (self.maps, self.filters):
            heat.plot.setAspectLocked(True)
        self.grid: np.ndarray | None = None  # what the maps image shows, for tests

    def show_layer(self, view, sample: int = 0) -> None:
        maps = getattr(view, "feature_maps", None)
        if maps is not None and len(maps):
            c, h, w = maps.shape
            self.grid = image_grid(maps, normalize="none")[::-1]
            self.maps.set_image(self.grid)
            self.maps.plot.setTitle(f"{c} maps {h}\u00d7{w}, sample {sample}", size="9pt")
        else:
            self.grid = None
            self.maps.image.clear()
            self.maps.plot.setTitle("Feature maps: none for this layer", size="9pt")
        filters = getattr(view, "filters", None)
        if filters is not None and filters.size:
            f, c, kh, kw = filters.shape
            self.filters.set_image(filter_grid(filters), signed=True)
            self.filters.plot.setTitle(f"Filters {kh}\u00d7{kw}: {f} out \u00d7 {c} in",
                                       size="9pt")
            self.filter_view.setVisible(True)
        else:
            self.filters.image.clear()
            self.filter_view.setVisible(False)
        settle(self.view, self.filter_view)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        size = event.size()
        self.split.setOrientation(Qt.Horizontal if size.width() >= 1.6 * size.height()
                                  else Qt.Vertical)
