"""Recurrent layers: hidden states and gates over time steps as heat maps (time along
x, units along y), and the gradient norm per time step on a log scale, so vanishing
gradients show as a curve falling towards step 0."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from .common import (MIN_PLOT_HEIGHT, MIN_PLOT_WIDTH, HeatMap, new_layout, new_plot, on_click,
                     set_title, settle)
from ..style import noun

# Sigmoid gates live in [0, 1] (a magnitude map); states and tanh candidates in
# [-1, 1] (a diverging map, white at zero); the LSTM cell is unbounded and signed.
GATE_LEVELS = {"input": (0, 1), "forget": (0, 1), "output": (0, 1), "reset": (0, 1),
               "update": (0, 1), "hidden": (-1, 1), "candidate": (-1, 1), "new": (-1, 1)}


class RecurrentView(QWidget):
    """``show_layer(view)`` for SimpleRNN / LSTM / GRU LayerViews; a click on the heat
    map emits ``cell_clicked(unit, step)`` (step 0-based)."""

    cell_clicked = Signal(int, int)

    def __init__(self, parent=None):
        super().__init__(parent)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Heat map of:"))
        self.choice = QComboBox()
        self.choice.setObjectName("recurrent_choice")
        self.choice.currentTextChanged.connect(lambda _t: self._draw_heat())
        bar.addWidget(self.choice)
        bar.addStretch(1)
        self.view = new_layout()
        self.view.setMinimumSize(MIN_PLOT_WIDTH + 80, 2 * MIN_PLOT_HEIGHT)  # + colour bar
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)
        self.heat = HeatMap(self.view, 0, 0, "Hidden state", "time step", "unit",
                            bar_label="value")
        self.norms = new_plot(self.view, 1, 0, "Gradient norm per time step",
                              "time step", "gradient norm", colspan=2)
        self.norms.setLogMode(False, True)
        self.norms.getAxis("left").enableAutoSIPrefix(False)  # "(x0.001)" on a log axis misleads
        self.norms.getAxis("left").setWidth(56)
        self.layer = None
        self.arrays: dict[str, np.ndarray] = {}
        on_click(self.heat.plot, self.click)

    def click(self, x: float, y: float) -> None:
        """Steps are drawn centred on 1..T (x), units on 0..H-1 (y)."""
        a = self.arrays.get(self.choice.currentText())
        if a is None:
            return
        step, unit = int(np.floor(x - 0.5)), int(np.floor(y + 0.5))
        if 0 <= step < a.shape[0] and 0 <= unit < a.shape[1]:
            self.cell_clicked.emit(unit, step)

    def show_layer(self, view) -> None:
        self.layer = view
        arrays = {}
        if getattr(view, "hidden", None) is not None:
            arrays["hidden"] = view.hidden
        arrays.update(getattr(view, "gates", {}) or {})
        self.arrays = arrays
        names = list(arrays)
        if names != [self.choice.itemText(i) for i in range(self.choice.count())]:
            current = self.choice.currentText()
            self.choice.blockSignals(True)
            self.choice.clear()
            self.choice.addItems(names)
            if current in names:
                self.choice.setCurrentText(current)
            self.choice.blockSignals(False)
        self._draw_heat()
        self._draw_norms(getattr(view, "step_grad_norms", None))
        settle(self.view)

    def _draw_heat(self) -> None:
        name = self.choice.currentText()
        a = self.arrays.get(name)
        if a is None:
            self.heat.image.clear()
            return
        t, h = a.shape
        levels = GATE_LEVELS.get(name)
        signed = None if levels is None else levels[0] < 0
        self.heat.set_image(np.asarray(a).T, rect=(0.5, -0.5, t, h), signed=signed,
                            levels=levels)
        what = "gate (activated)" if name not in ("hidden", "cell") else "state"
        set_title(self.heat.plot, f"{name} {what} of one probe sample: {t} {noun(t, 'step')} "
                                  f"\u00d7 {h} {noun(h, 'unit')}", size="9pt")

    def _draw_norms(self, norms) -> None:
        self.norms.clear()
        if norms is None or not len(norms):
            set_title(self.norms, "Gradient norm per time step: no targets", size="9pt")
            return
        steps = np.arange(1, len(norms) + 1)
        positive = np.where(np.asarray(norms) > 0, norms, np.nan)
        self.norms.plot(steps, positive, pen=pg.mkPen("#e53935", width=2), symbol="o",
                        symbolSize=4, symbolBrush="#e53935")
        ratio = (norms[0] / max(norms.max(), 1e-300)) if norms.max() > 0 else 0.0
        set_title(self.norms, f"Gradient norm per time step, log scale (step 1 gets {ratio:.1e} "
                              f"of the largest)", size="9pt")
