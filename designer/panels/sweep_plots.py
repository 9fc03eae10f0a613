"""A sweep's plots: every trial's metric per epoch, overlaid (one colour per trial, the
same as its row in the table), and the best metric against the parameter count with the
Pareto front marked: the trials no other beats with fewer parameters."""
from __future__ import annotations

import html
import math

import pyqtgraph as pg
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QVBoxLayout, QWidget

from engine.sweep import pareto_front

TRIAL_COLOURS = ("#1e88e5", "#e53935", "#43a047", "#8e24aa", "#fb8c00", "#00897b",
                 "#6d4c41", "#d81b60", "#3949ab", "#7cb342", "#546e7a", "#fdd835")
FRONT = "#c62828"


def trial_colour(index: int) -> QColor:
    return QColor(TRIAL_COLOURS[index % len(TRIAL_COLOURS)])


def metric_title(metric: str) -> str:
    return metric.replace("val_", "validation ").replace("_", " ")


class SweepPlots(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("sweep_plots")
        self.view = pg.GraphicsLayoutWidget()
        self.view.setBackground("w")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        self.curves_plot = self.view.addPlot(row=0, col=0)
        self.curves_plot.setLabel("bottom", "epoch")
        self.pareto_plot = self.view.addPlot(row=0, col=1)
        self.pareto_plot.setLabel("bottom", "parameters")
        self.pareto_plot.getAxis("bottom").enableAutoSIPrefix(False)
        for plot in (self.curves_plot, self.pareto_plot):
            plot.showGrid(x=True, y=True, alpha=0.15)
            plot.getAxis("left").setWidth(56)
        self.front: list[int] = []  # trial numbers on the front, as last drawn
        self.show_trials([], "", "max")

    def show_trials(self, trials: list[dict], metric: str, goal: str,
                    best: int | None = None, picked: int | None = None) -> None:
        """Draw ``trials`` (rows of a sweep record, possibly still running); the
        ``picked`` trial's curve (a row selected in the table) stands out."""
        title = html.escape(metric_title(metric)) if metric else "metric"  # from a file
        self.curves_plot.clear()
        self.pareto_plot.clear()
        self.curves_plot.setTitle(f"{title} per epoch, one line per trial", size="9pt")
        self.pareto_plot.setTitle(f"best {title} against size; "
                                  f"<span style='color:{FRONT}'>Pareto front</span>",
                                  size="9pt")
        self.curves_plot.setLabel("left", title)
        self.pareto_plot.setLabel("left", title)
        for trial in trials:
            self._curve(trial, trial["trial"] == best, picked)
        self._pareto(trials, goal, best)

    def _curve(self, trial: dict, is_best: bool, picked: int | None) -> None:
        ys = [math.nan if v is None else v for v in trial["curve"]]
        if not ys:
            return
        colour = trial_colour(trial["trial"])
        faded = picked is not None and trial["trial"] != picked
        if faded:
            colour.setAlpha(60)
        wide = trial["trial"] == picked or (picked is None and is_best)
        curve = self.curves_plot.plot(list(range(1, len(ys) + 1)), ys, connect="finite",
                                      pen=pg.mkPen(colour, width=3.5 if wide else 1.6))
        curve.setZValue(1 if wide else 0)

    def _pareto(self, trials: list[dict], goal: str, best: int | None) -> None:
        scored = [t for t in trials if t["best"] is not None and t["params"] is not None]
        front_at = pareto_front([(t["params"], t["best"]) for t in scored], goal == "max")
        self.front = [scored[i]["trial"] for i in front_at]
        if not scored:
            return
        sizes = [t["params"] for t in scored]
        self.pareto_plot.setLogMode(x=min(sizes) > 0 and max(sizes) >= 4 * min(sizes),
                                    y=False)
        if min(sizes) == max(sizes):  # one size: a sensible axis, not ±0.5 parameters
            self.pareto_plot.setXRange(sizes[0] * 0.9, sizes[0] * 1.1 + 1, padding=0)
        else:
            self.pareto_plot.enableAutoRange(axis="x")
        front = [scored[i] for i in front_at]
        self.pareto_plot.plot([t["params"] for t in front], [t["best"] for t in front],
                              pen=pg.mkPen(FRONT, width=2), stepMode=None)
        for t in scored:
            on_front, is_best = t["trial"] in self.front, t["trial"] == best
            self.pareto_plot.plot(
                [t["params"]], [t["best"]], pen=None, symbol="star" if is_best else "o",
                symbolSize=18 if is_best else (12 if on_front else 9),
                symbolBrush=trial_colour(t["trial"]),
                symbolPen=pg.mkPen(FRONT if on_front else "#ffffff", width=2))
