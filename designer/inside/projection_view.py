"""What the network sees: the probe batch's points in the 2-D PCA plane of a chosen
layer's outputs (engine.insights.projection), coloured by class, redrawn as snapshots
arrive while training, so classes can be watched pulling apart layer by layer."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ..freshness import Change, FreshView
from ..rich_text import escape
from .common import Throttled, class_colour, new_layout, new_plot, settle
from ..style import noun

EMPTY_PROJECTION = ("Train with Look inside on: each probe sample becomes a point in the "
                    "plane that keeps most of the chosen layer's variation (PCA), coloured "
                    "by its class.")


class ProjectionView(QWidget, FreshView):
    """``show_snapshot(snapshot)`` stores; the throttle draws the chosen layer."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("inside_projection")
        self.snapshot = None
        self.combo = QComboBox()
        self.combo.setToolTip("The layer whose outputs are projected")
        self.combo.currentIndexChanged.connect(lambda _i: self.throttle.schedule())
        self.label = QLabel(EMPTY_PROJECTION)
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.PlainText)  # a layer's name, never markup
        top = QHBoxLayout()
        top.addWidget(QLabel("Layer"))
        top.addWidget(self.combo, 1)
        self.view = new_layout()
        self.plot = new_plot(self.view, 0, 0, "", "principal axis 1", "principal axis 2")
        self.scatters: list[pg.ScatterPlotItem] = []
        # Which colour is which class: without it the picture cannot be read.
        self.legend = self.plot.addLegend(offset=(-6, 6), labelTextSize="8pt",
                                          brush=(255, 255, 255, 210))
        self.class_names: tuple = ()  # the data's, when the window knows them
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.label)
        layout.addWidget(self.view, 1)
        self.throttle = Throttled(self, self.draw)

    def show_snapshot(self, snapshot) -> None:
        self.snapshot = snapshot
        ids = [i for i, v in snapshot.layers.items() if v.projection is not None]
        if ids != [self.combo.itemData(k) for k in range(self.combo.count())]:
            current = self.combo.currentData()
            self.combo.blockSignals(True)
            self.combo.clear()
            for i in ids:
                self.combo.addItem(snapshot.layers[i].name, i)
            # The layer before the output shows most: the last hidden representation.
            keep = ids.index(current) if current in ids else max(len(ids) - 2, 0)
            self.combo.setCurrentIndex(keep)
            self.combo.blockSignals(False)
        self.throttle.schedule()

    def draw(self) -> None:
        snap = self.snapshot
        layer = self.combo.currentData()
        if snap is None or layer not in snap.layers:
            return
        points = snap.layers[layer].projection
        labels = snap.labels if snap.labels is not None else np.zeros(len(points), np.int64)
        self.plot.clear()
        self.legend.clear()
        self.scatters = []
        for c in np.unique(labels):
            rows = points[labels == c]
            item = pg.ScatterPlotItem(rows[:, 0], rows[:, 1], size=7, pen=None,
                                      brush=class_colour(int(c)))
            self.plot.addItem(item)
            self.scatters.append(item)
            if snap.labels is not None:
                name = self.class_names[int(c)] if int(c) < len(self.class_names) else c
                self.legend.addItem(item, escape(name))  # legends read HTML
        self.label.setText(f"Step {snap.step}: {len(points)} probe {noun(len(points), 'sample')} "
                           f"on the two principal axes of {snap.layers[layer].name}'s outputs.")
        settle(self.view)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.throttle.flush()

    def fresh(self, change: Change) -> None:
        """Another project, other data or a new run: the points were another's."""
        if change is Change.DESIGN:
            return
        self.throttle.cancel()
        self.snapshot = None
        self.combo.clear()
        self.plot.clear()
        self.legend.clear()
        self.scatters = []
        self.class_names = ()
        self.label.setText(EMPTY_PROJECTION)
