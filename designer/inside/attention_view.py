"""Attention: each head's weights for one probe sample as a heat map, live while a run
goes. Rows are query steps (the step that looks), columns key steps (the steps it
looks at); each row sums to 1. A causal layer's maps are empty above the diagonal."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ..freshness import STALE, Change, FreshView
from ..rich_text import escape
from .common import (LAYER_REDRAW_MS, MIN_PLOT_HEIGHT, VIRIDIS, new_layout, new_plot,
                     scrolling, set_title, settle, Throttled)
from ..style import noun

EMPTY_ATTENTION = ("While a design with a MultiHeadAttention layer trains, this tab shows "
                   "where each of its heads looks: one heat map per head for one probe "
                   "sample, query steps down, key steps across.")
NO_ATTENTION = ("This design has no MultiHeadAttention layer: there are no attention "
                "weights to show.")
HEAD_SIZE = 170  # pixels a head's map needs to stay readable


class AttentionView(QWidget, FreshView):
    """``show_snapshot(snapshot)`` stores; the throttle draws the chosen layer's heads."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("inside_attention")
        self.snapshot, self.layer_id = None, None
        self.maps: list[tuple[pg.PlotItem, pg.ImageItem]] = []
        self._cols = 0
        top = QHBoxLayout()
        top.addWidget(QLabel("Layer:"))
        self.combo = QComboBox()
        self.combo.setObjectName("attention_layer_combo")
        self.combo.setMinimumContentsLength(14)
        self.combo.activated.connect(lambda i: self.select_layer(self.combo.itemData(i)))
        top.addWidget(self.combo)
        top.addStretch(1)
        self.label = QLabel(EMPTY_ATTENTION)
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.RichText)
        self.view = new_layout()
        self.area = scrolling(self.view, "attention_scroll")
        self.area.setVisible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.label)
        layout.addWidget(self.area, 1)
        layout.addStretch(0)
        self.bar = pg.ColorBarItem(colorMap=VIRIDIS, interactive=False, width=12,
                                   label="attention weight")
        self.throttle = Throttled(self, self.redraw, LAYER_REDRAW_MS)
        self.draws = 0

    # ---- input --------------------------------------------------------------------------
    def show_snapshot(self, snapshot) -> None:
        self.snapshot = snapshot
        self.throttle.schedule()

    def select_layer(self, layer_id: str | None) -> None:
        """Show this layer when it is an attention layer (other ids are ignored)."""
        if layer_id and layer_id != self.layer_id and layer_id in self._attention_layers():
            self.layer_id = layer_id
            self.throttle.schedule()
            self.throttle.flush()

    def fresh(self, change: Change) -> None:
        if change in STALE:
            self.clear()

    def clear(self) -> None:
        self.snapshot, self.layer_id = None, None
        self.throttle.cancel()
        self.combo.clear()
        self._set_heads(0)
        self.area.setVisible(False)
        self.label.setText(EMPTY_ATTENTION)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.throttle.flush()

    # ---- drawing ------------------------------------------------------------------------
    def _attention_layers(self) -> dict:
        snap = self.snapshot
        if snap is None:
            return {}
        return {i: v for i, v in snap.layers.items() if v.attention is not None}

    def redraw(self) -> None:
        layers = self._attention_layers()
        if self.snapshot is None:
            return
        self.draws += 1
        if not layers:
            self.area.setVisible(False)
            self.label.setText(NO_ATTENTION)
            return
        if self.layer_id not in layers:
            self.layer_id = next(iter(layers))
        self._fill_combo(layers)
        view = layers[self.layer_id]
        weights = np.asarray(view.attention, np.float32)
        heads, t, _ = weights.shape
        self._set_heads(heads)
        top = float(weights.max()) if weights.size else 1.0
        for k, (plot, image) in enumerate(self.maps):
            image.setImage(weights[k], autoLevels=False, levels=(0.0, top))
            image.setRect(-0.5, -0.5, t, t)
            plot.setRange(xRange=(-0.5, t - 0.5), yRange=(-0.5, t - 0.5), padding=0)
            set_title(plot, f"Head {k + 1}", size="9pt", color="#1f2933")
        self.bar.setLevels((0.0, top))
        snap = self.snapshot
        self.label.setText(
            f"<b>{escape(view.name)}</b>: step {snap.step}, probe sample {snap.sample}, "
            f"{t} {noun(t, 'step')}. "
            f"Row = the step that looks (query), column = the step it looks at (key); each "
            f"row sums to 1. Bright: most of the row's weight.")
        self.area.setVisible(True)
        settle(self.view)

    def _fill_combo(self, layers: dict) -> None:
        ids = list(layers)
        if ids != [self.combo.itemData(i) for i in range(self.combo.count())]:
            self.combo.clear()
            for layer_id, view in layers.items():
                self.combo.addItem(view.name, layer_id)
        self.combo.setCurrentIndex(max(self.combo.findData(self.layer_id), 0))

    def _columns(self, heads: int) -> int:
        """As many heads side by side as the width holds (at least one)."""
        return max(1, min(heads, (self.width() - 70) // HEAD_SIZE))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        heads = len(self.maps)
        if heads and self._columns(heads) != self._cols and self.snapshot is not None:
            self._set_heads(0)
            self.throttle.schedule()
            self.throttle.flush()

    def _set_heads(self, heads: int) -> None:
        """One plot per head in a grid as wide as the view allows, with one colour bar
        for all: the heads share one scale, so brightness compares."""
        if heads == len(self.maps):
            return
        self.view.clear()
        self.maps = []
        if not heads:
            return
        cols = self._cols = self._columns(heads)
        for k in range(heads):
            plot = new_plot(self.view, k // cols, k % cols, f"Head {k + 1}", "key step",
                            "query step" if k % cols == 0 else "")
            plot.invertY(True)  # step 0 at the top, as a matrix reads
            plot.setMouseEnabled(x=False, y=False)  # the range is the map, always
            image = pg.ImageItem(axisOrder="row-major")
            image.setColorMap(VIRIDIS)
            plot.addItem(image)
            self.maps.append((plot, image))
        self.bar.setImageItem([image for _, image in self.maps])
        self.view.addItem(self.bar, row=0, col=cols, rowspan=-(-heads // cols))
        rows = -(-heads // cols)
        self.view.setMinimumSize(cols * HEAD_SIZE + 60, max(rows * HEAD_SIZE, MIN_PLOT_HEIGHT))
