"""Histograms of one layer on the probe batch: its outputs, the gradient reaching its
outputs, its weights and its biases (engine.insights Histogram: counts and edges)."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QVBoxLayout, QWidget

from .common import (MIN_PLOT_HEIGHT, MIN_PLOT_WIDTH, class_colour, new_layout, new_plot,
                     set_title, settle)

BIAS_NAMES = ("b", "bias", "beta")


def is_bias(name: str) -> bool:
    return name in BIAS_NAMES or name.startswith("b_")  # GRU's b_hn and the like


def split_params(params: dict) -> tuple[list, list]:
    """(weight-like ParamViews, bias-like ParamViews): biases are drawn apart because
    they live on another scale (often zero at the start)."""
    weights = [p for n, p in params.items() if not is_bias(n)]
    biases = [p for n, p in params.items() if is_bias(n)]
    return weights, biases


class HistogramPanel(QWidget):
    """Four plots (2 x 2); ``show_layer(view)`` draws a LayerView's histograms."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.view = new_layout()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        # Two rows and columns of readable plots; a smaller dock scrolls (layer_view).
        self.setMinimumSize(2 * MIN_PLOT_WIDTH, 2 * MIN_PLOT_HEIGHT)
        self.plots = {
            "activations": new_plot(self.view, 0, 0, "Activations (layer output)",
                                    "output value", "count"),
            "gradients": new_plot(self.view, 0, 1, "Gradients dL/d(output)",
                                  "gradient value", "count"),
            "weights": new_plot(self.view, 1, 0, "Weights", "weight value", "count"),
            "biases": new_plot(self.view, 1, 1, "Biases", "bias value", "count"),
        }
        self.titles = {k: p.titleLabel.text for k, p in self.plots.items()}
        for plot in self.plots.values():
            # Ranges are set from the data in one call: autorange repainted twice.
            plot.disableAutoRange()
            plot.addLegend(offset=(-4, 4), labelTextSize="7pt", brush=(255, 255, 255, 200))
            plot.getAxis("left").setWidth(56)
            plot.getAxis("left").enableAutoSIPrefix(False)
        self.shown: dict[str, list] = {}  # plot key -> [(label, Histogram)], for tests
        self.curves: dict[str, list] = {}
        self.legends: dict[str, list] = {}

    def _draw(self, key: str, entries: list, empty: str) -> None:
        """Curves are made once per plot and reused (``setData``): making items on
        every snapshot cost more than drawing them."""
        plot, curves = self.plots[key], self.curves.setdefault(key, [])
        self.shown[key] = entries
        while len(curves) < len(entries):
            i = len(curves)
            colour = pg.mkColor(class_colour(i))
            fill = pg.mkColor(colour)
            fill.setAlpha(110)
            curves.append(plot.plot(stepMode="center", fillLevel=0, brush=fill,
                                    pen=pg.mkPen(colour, width=1.2), antialias=False))
        lo, hi, top = np.inf, -np.inf, 1.0
        for i, curve in enumerate(curves):
            if i < len(entries):
                edges, counts = _drawable(entries[i][1])
                curve.setData(edges, counts)
                lo, hi = min(lo, edges[0]), max(hi, edges[-1])
                top = max(top, float(counts.max(initial=0)))
            curve.setVisible(i < len(entries))
        if entries:
            plot.setRange(xRange=(lo, hi), yRange=(0, top), padding=0.04)
            # Two count ticks (0 and the tallest bar): a plot squeezed into a dock
            # had its automatic ticks printed on top of each other.
            plot.getAxis("left").setTicks([[(0, "0"), (top, compact_count(top))]])
        labels = [label + (f" ({hist.nonfinite} NaN/inf)" if hist.nonfinite else "")
                  for label, hist in entries]
        show = labels if len(entries) > 1 or any(h.nonfinite for _, h in entries) else []
        if show != self.legends.get(key):  # a legend only when there is something to tell
            self.legends[key] = show
            plot.legend.clear()
            for curve, label in zip(curves, show):
                plot.legend.addItem(curve, label)
        title = self.titles[key] if entries else f"{self.titles[key]}: {empty}"
        if title != plot.titleLabel.text:
            set_title(plot, title, size="9pt", color="#1f2933" if entries else "#8a94a3")

    def show_layer(self, view) -> None:
        """Draw a LayerView (or clear with None)."""
        if view is None:
            for key in self.plots:
                self._draw(key, [], "no layer")
            return
        self._draw("activations", [("outputs", view.activations)], "none")
        grads = [("dL/d(output)", view.gradients)] if view.gradients is not None else []
        self._draw("gradients", grads, "no targets")
        weights, biases = split_params(view.params)
        self._draw("weights", [(p.name, p.values) for p in weights], "no weights")
        self._draw("biases", [(p.name, p.values) for p in biases], "no biases")
        settle(self.view)


def compact_count(n: float) -> str:
    """1234 -> '1234', 102731 -> '103k': fits the axis of a small plot."""
    if n >= 1e6:
        return f"{n / 1e6:.1f}M"
    return f"{n / 1e3:.0f}k" if n >= 1e4 else f"{n:.0f}"


def _drawable(hist) -> tuple[np.ndarray, np.ndarray]:
    """Edges and counts for a stepped curve; a constant array (all edges equal, e.g.
    zero biases at the start) becomes one visible bar of width 1e-3 around the value."""
    edges, counts = np.asarray(hist.edges, float), np.asarray(hist.counts, float)
    if edges[-1] <= edges[0]:
        v = edges[0]
        return np.array([v - 5e-4, v + 5e-4]), np.array([counts.sum()])
    return edges, counts
