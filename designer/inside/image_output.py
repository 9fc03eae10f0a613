"""Image outputs (an autoencoder's reconstruction) beside the images they should match.

``ImagePair`` draws one sample's input and the network's output side by side, on one
grey scale so that brightness compares; ``ReconstructionGrid`` tiles the first test
samples, each held-out image above its reconstruction. Both take arrays ``(C, H, W)``:
three channels are shown as colour, any other number as the first channel.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from engine.insights import image_grid

from .common import MIN_PLOT_HEIGHT, new_layout, new_plot, set_title
from ..style import noun

GREY = pg.colormap.get("CET-L1")  # black to white: pixels read as pixels
PER_ROW = 12


def displayable(a: np.ndarray) -> np.ndarray:
    """``(H, W)`` grey or ``(H, W, 3)`` colour from ``(C, H, W)``."""
    a = np.asarray(a, dtype=np.float32)
    return a.transpose(1, 2, 0) if a.shape[0] == 3 else a[0]


def common_levels(*images: np.ndarray) -> tuple[float, float]:
    values = np.concatenate([np.asarray(i, np.float32)[np.isfinite(i)].ravel()
                             for i in images])
    if not values.size:
        return 0.0, 1.0
    lo, hi = float(values.min()), float(values.max())
    return lo, (hi if hi > lo else lo + 1.0)


def _image_plot(layout, col: int, title: str) -> tuple[pg.PlotItem, pg.ImageItem]:
    plot = new_plot(layout, 0, col, title)
    plot.hideAxis("left")
    plot.hideAxis("bottom")
    plot.setAspectLocked(True)
    plot.invertY(True)  # row 0 at the top, as images read
    plot.getViewBox().setMouseEnabled(False, False)
    item = pg.ImageItem(axisOrder="row-major")
    item.setColorMap(GREY)
    plot.addItem(item)
    return plot, item


class ImagePair(QWidget):
    """``show_pair(shown, output, what)``: an image and the network's output for it."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("sample_image_pair")
        # Two views of equal stretch: equal halves whatever the titles' lengths (one
        # layout sized its columns by them), so the two images' sizes compare.
        self.views = (new_layout(), new_layout())
        self.left_plot, self.left = _image_plot(self.views[0], 0, "Input")
        self.right_plot, self.right = _image_plot(self.views[1], 0, "Output")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        for view in self.views:
            view.setMinimumSize(MIN_PLOT_HEIGHT, MIN_PLOT_HEIGHT)
            layout.addWidget(view, 1)
        self.levels: tuple[float, float] | None = None

    def show_pair(self, shown: np.ndarray, output: np.ndarray, what: str = "input") -> None:
        self.levels = common_levels(shown, output)
        for plot, item, image, title in ((self.left_plot, self.left, shown, what),
                                         (self.right_plot, self.right, output,
                                          "the network's output")):
            item.setImage(displayable(image), autoLevels=False, levels=self.levels)
            set_title(plot, title, size="9pt")
            plot.getViewBox().enableAutoRange()  # and refit when the pane is laid out

    def clear(self) -> None:
        self.left.clear()
        self.right.clear()
        self.levels = None


def pair_grid(true: np.ndarray, pred: np.ndarray, per_row: int = PER_ROW,
              gap: int = 3) -> np.ndarray:
    """One 2-D image: a row of held-out images over a row of their reconstructions,
    such pairs of rows ``gap`` pixels apart (NaN between tiles; colour images as their
    grey mean)."""
    def grey(a):
        a = np.asarray(a, np.float32)
        return a.mean(axis=1) if a.shape[1] == 3 else a[:, 0]

    t, p = grey(true), grey(pred)
    groups = []
    for start in range(0, len(t), per_row):
        maps = []
        for part in (t[start:start + per_row], p[start:start + per_row]):
            pad = np.full((per_row - len(part),) + part.shape[1:], np.nan, np.float32)
            maps.append(np.concatenate([part, pad]))
        grid = image_grid(np.concatenate(maps), columns=per_row, normalize="none")
        if groups:
            groups.append(np.full((gap, grid.shape[1]), np.nan, np.float32))
        groups.append(grid)
    return np.concatenate(groups) if groups else np.full((1, 1), np.nan, np.float32)


class ReconstructionGrid(QWidget):
    """The first test samples: each held-out image above the network's output for it."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("reconstruction_grid")
        self.view = new_layout()
        self.view.setMinimumHeight(2 * MIN_PLOT_HEIGHT)
        self.plot, self.image = _image_plot(self.view, 0, "")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        self.grid: np.ndarray | None = None  # what is drawn, for tests

    def show_images(self, true: np.ndarray, pred: np.ndarray) -> None:
        self.grid = pair_grid(true, pred)
        self.image.setImage(self.grid, autoLevels=False, levels=common_levels(true, pred))
        set_title(self.plot, f"{len(true)} held-out {noun(len(true), 'image')}, each with the "
                             f"network's output "
                             f"for it just below", size="9pt")
        self.plot.getViewBox().enableAutoRange()
