"""Decision boundary for networks with two input features, as TensorFlow Playground
draws it: each grid point coloured by the predicted class, faded towards white where
the network is unsure, with the data on top. Updated live from the probe's
DecisionMap (``show_map``); the data comes once per run (``set_data``)."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from ..freshness import Change, FreshView
from ..rich_text import escape  # legend entries are HTML; class names reach them
from .common import (MIN_PLOT_HEIGHT, class_colour, new_layout, new_plot, scrolling, set_label,
                     settle, Throttled)


def class_rgb(n: int) -> np.ndarray:
    """(n, 3) uint8 colours of the classes."""
    return np.array([pg.mkColor(class_colour(i)).getRgb()[:3] for i in range(n)], np.float32)


def map_image(dmap) -> np.ndarray:
    """(R, R, 4) uint8: the predicted class's colour, mixed with white by confidence
    (a 50/50 point of two classes is nearly white: that is where the boundary runs);
    regression maps use the first output's value on a diverging scale."""
    if dmap.classes is None:
        from .common import DIVERGING, signed_levels

        v = dmap.values[..., 0]
        lo, hi, _ = signed_levels(v)
        return DIVERGING.map((v - lo) / max(hi - lo, 1e-12), mode="byte")
    n = dmap.probabilities.shape[-1]
    rgb = class_rgb(n)[dmap.classes]
    chance = 1.0 / n
    strength = np.clip((dmap.confidence - chance) / (1 - chance), 0, 1)[..., None]
    mixed = 255 - (255 - rgb) * (0.15 + 0.55 * strength)  # pale: the data stays visible
    alpha = np.full(mixed.shape[:2] + (1,), 255, np.float32)
    return np.concatenate([mixed, alpha], axis=2).astype(np.uint8)


EMPTY_BOUNDARY = ("For data with two input features, the decision boundary is drawn here "
                  "while the network trains.")


class BoundaryView(QWidget, FreshView):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("inside_boundary")
        self.label = QLabel(EMPTY_BOUNDARY)
        self.label.setWordWrap(True)
        self.view = new_layout()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.label)
        # A square-ish map stays readable in a low dock: it scrolls instead.
        self.view.setMinimumSize(2 * MIN_PLOT_HEIGHT, 2 * MIN_PLOT_HEIGHT)
        layout.addWidget(scrolling(self.view, "boundary_scroll"), 1)
        self.plot = new_plot(self.view, 0, 0, "Decision boundary", "feature 1", "feature 2")
        self.plot.addLegend(offset=(-8, 8), labelTextSize="8pt", brush=(255, 255, 255, 210))
        self.image = pg.ImageItem(axisOrder="row-major")
        self.plot.addItem(self.image)
        self.scatters: list = []
        self.dmap = None
        self.rgba: np.ndarray | None = None  # the image drawn, for tests
        self.throttle = Throttled(self, self.redraw)

    def set_data(self, x: np.ndarray, y: np.ndarray, class_names=(), feature_names=()) -> None:
        """The points drawn over the map (up to 2000, so the scatter stays cheap)."""
        for s in self.scatters:
            self.plot.removeItem(s)
        self.scatters = []
        self.plot.legend.clear()
        if len(feature_names) == 2:
            set_label(self.plot, "bottom", feature_names[0])
            set_label(self.plot, "left", feature_names[1])
        x, y = np.asarray(x)[:2000], np.asarray(y)[:2000]
        classes = np.unique(y.astype(np.int64)) if y.dtype.kind in "iub" else []
        for c in classes:
            pts = x[y == c]
            name = class_names[c] if c < len(class_names) else str(c)
            self._scatter(pts, str(name), class_colour(int(c)))
        if not len(classes):
            self._scatter(x, "", "#1f2933")

    def fresh(self, change: Change) -> None:
        """Other data or another project: no points, no map until they come again."""
        if change in (Change.PROJECT, Change.DATA):
            for s in self.scatters:
                self.plot.removeItem(s)
            self.scatters = []
            self.plot.legend.clear()
            set_label(self.plot, "bottom", "feature 1")
            set_label(self.plot, "left", "feature 2")
            self.plot.setRange(xRange=(0, 1), yRange=(0, 1))  # not the last data's
            self.plot.enableAutoRange()
            self.dmap = self.rgba = None
            self.throttle.cancel()
            self.image.clear()
            self.label.setText(EMPTY_BOUNDARY)

    def _scatter(self, pts: np.ndarray, name: str, colour: str) -> None:
        # useCache=False: with pyqtgraph's symbol atlas, the test suite crashed Qt in a
        # later paint ("Cannot destroy paint device that is being painted", then
        # QPainter::restore); without it, it did not. A few hundred points drawn one by
        # one cost well under a millisecond.
        item = pg.ScatterPlotItem(pts[:, 0], pts[:, 1], size=6, brush=pg.mkBrush(colour),
                                  pen=pg.mkPen("#ffffff", width=0.8), name=escape(name) or None,
                                  useCache=False)
        self.plot.addItem(item)
        self.scatters.append(item)

    def show_map(self, dmap, step: int | None = None) -> None:
        if dmap is None:
            return
        self.dmap, self.step = dmap, step
        self.throttle.schedule()

    def redraw(self) -> None:
        d = self.dmap
        if d is None:
            return
        self.rgba = map_image(d)
        self.image.setImage(self.rgba, autoLevels=False, levels=(0, 255))
        dx, dy = d.xs[1] - d.xs[0], d.ys[1] - d.ys[0]  # pixels centred on grid points
        self.image.setRect(d.xs[0] - dx / 2, d.ys[0] - dy / 2,
                           d.xs[-1] - d.xs[0] + dx, d.ys[-1] - d.ys[0] + dy)
        settle(self.view)
        when = f" at step {self.step}" if self.step is not None else ""
        self.label.setText(f"Each point of the {len(d.xs)}\u00d7{len(d.ys)} grid is coloured "
                           f"by the class the network predicts{when}; paler means less "
                           f"sure, so the boundary runs through the palest band.")

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.throttle.flush()
