"""Live training plots (pyqtgraph): loss, the task's metric and the learning rate.

The x axis is in epochs (a batch at step s of a run with B batches per epoch sits at
s / B), so per-batch and per-epoch curves line up. Earlier runs of the session stay as
faded curves with a legend entry each, for comparison. Buffers are bounded
(``BoundedSeries``), plots downsample by peaks and clip to the view, so a long run
stays fast and its memory flat (pyqtgraph's scrollingPlots example).
"""
from __future__ import annotations

import csv
import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QVBoxLayout, QWidget

from .series import BoundedSeries

RUN_COLOURS = ("#1e88e5", "#e53935", "#43a047", "#8e24aa", "#fb8c00", "#00897b")
MAX_FADED_RUNS = 5
SMOOTHING = 0.05  # weight of the newest batch in the smoothed loss
# Repainting three plots costs 20-30 ms of GUI-thread time (and the GIL the trainer
# needs), so data is buffered as it arrives and drawn at most this often (5 Hz). No grid:
# pyqtgraph draws it through the axes, which tripled the cost of a repaint.
REDRAW_MS = 200
# Validation points get a marker while they are few; at hundreds of epochs the markers
# merge into a thick line and cost most of a redraw (pyqtgraph's ScatterPlotItem).
MAX_MARKED_EPOCHS = 60


class _Run:
    """One run's curves and its per-epoch records."""

    def __init__(self, number: int, batches_per_epoch: int, metric: str,
                 smoothing: float = SMOOTHING):
        self.number = number
        self.smoothing = smoothing
        self.batches = max(batches_per_epoch, 1)
        self.metric = metric
        self.raw = BoundedSeries()
        self.smooth = BoundedSeries()
        self.lr = BoundedSeries()
        self.records: list[dict] = []
        self._ema = math.nan
        self.curves: list[pg.PlotDataItem] = []

    def add_batches(self, batch_losses) -> None:
        """Take (step, loss, lr) rows, one per batch: thousands a second for a small
        network."""
        table = np.asarray(batch_losses, dtype=float).reshape(-1, 3)
        if not len(table):
            return
        steps, losses, lrs = table.T
        xs = steps / self.batches
        self.raw.extend(xs, losses)
        self.smooth.extend(xs, self._smoothed(losses.tolist()))
        self.lr.extend(xs, lrs)

    def _smoothed(self, losses: list) -> list:
        """The exponential moving average after each loss (restarting after a NaN)."""
        out, ema = [], self._ema
        for loss in losses:
            ema = loss if math.isnan(ema) else ema + self.smoothing * (loss - ema)
            out.append(ema)
        self._ema = ema
        return out

    def epoch_series(self, key: str):
        pts = [(r["epoch"], r[key]) for r in self.records if key in r]
        return [p[0] for p in pts], [p[1] for p in pts]


class TrainingPlots(QWidget):
    """Three stacked plots sharing the epoch axis; ``begin_run`` / ``add_progress``."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("trainingPlots")
        pg.setConfigOptions(antialias=True)
        self.view = pg.GraphicsLayoutWidget()
        self.view.setBackground("w")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        self.loss_plot = self._plot(0, "Loss", legend=True)
        self.metric_plot = self._plot(1, "Accuracy")
        self.lr_plot = self._plot(2, "LR")
        self.metric_plot.setXLink(self.loss_plot)
        self.lr_plot.setXLink(self.loss_plot)
        for plot in (self.loss_plot, self.metric_plot):  # linked x: the lowest axis says it
            plot.getAxis("bottom").setStyle(showValues=False)
        self.lr_plot.setLabel("bottom", "epoch")
        self.runs: list[_Run] = []
        self._redraw_timer = QTimer(self)
        self._redraw_timer.setSingleShot(True)
        self._redraw_timer.setInterval(REDRAW_MS)
        self._redraw_timer.timeout.connect(self.redraw)

    def _plot(self, row: int, title: str, legend: bool = False) -> pg.PlotItem:
        plot = self.view.addPlot(row=row, col=0)
        plot.setLabel("left", title)
        # Plain tick values: a scaled label read "Accuracy (x0.001)" over 250-400 for
        # 25-40%, and "Learning rate (x0.001)" outgrew the plot and ran into the next.
        plot.getAxis("left").enableAutoSIPrefix(False)
        plot.setDownsampling(auto=True, mode="peak")
        plot.setClipToView(True)
        if legend:  # one legend: the colours mean the same run in every plot
            plot.addLegend(offset=(-10, 10), labelTextSize="8pt", brush=(255, 255, 255, 210),
                           pen=pg.mkPen("#d0d4da"))
        plot.getAxis("left").setWidth(68)  # room for "0.0010" beside its title
        return plot

    @property
    def current(self) -> _Run | None:
        return self.runs[-1] if self.runs else None

    def begin_run(self, batches_per_epoch: int, task: str,
                  smoothing: float = SMOOTHING) -> None:
        """Fade the previous runs and prepare curves for a new one. ``smoothing``: the
        newest loss's weight in the drawn average (1: the losses as they are)."""
        for run in self.runs:
            for curve in run.curves:
                curve.setAlpha(0.3, False)
        if len(self.runs) >= MAX_FADED_RUNS + 1:
            self._drop(self.runs.pop(0))
        metric = "accuracy" if task == "classification" else "mse"
        self.metric_plot.setLabel("left", "Accuracy" if metric == "accuracy" else "MSE")
        run = _Run(len(self.runs) + 1 if not self.runs else self.runs[-1].number + 1,
                   batches_per_epoch, metric, smoothing)
        self.runs.append(run)
        self._make_curves(run)

    def _make_curves(self, run: _Run) -> None:
        colour = RUN_COLOURS[(run.number - 1) % len(RUN_COLOURS)]
        pen = pg.mkPen(colour, width=2)
        faint = pg.mkPen(pg.mkColor(colour).lighter(170), width=1)
        dashed = pg.mkPen(colour, width=2, style=Qt.PenStyle.DashLine)
        name = f"run {run.number}"
        run.curves = [
            self.loss_plot.plot(pen=faint),
            self.loss_plot.plot(pen=pen, name=f"{name} train"),
            self.loss_plot.plot(pen=dashed, symbol="o", symbolSize=5, symbolBrush=colour,
                                name=f"{name} validation"),
            self.metric_plot.plot(pen=pen, name=f"{name} train"),
            self.metric_plot.plot(pen=dashed, symbol="o", symbolSize=5, symbolBrush=colour,
                                  name=f"{name} validation"),
            self.lr_plot.plot(pen=pen, name=name),
        ]

    def _drop(self, run: _Run) -> None:
        for curve in run.curves:
            for plot in (self.loss_plot, self.metric_plot, self.lr_plot):
                if curve in plot.listDataItems():
                    plot.removeItem(curve)

    def add_progress(self, progress) -> None:
        """Take a runner ``Progress``: new batch losses and finished epochs."""
        run = self.current
        if run is None:
            return
        run.add_batches(progress.batch_losses)
        run.records.extend(progress.epochs)
        if not self._redraw_timer.isActive():
            self._redraw_timer.start()

    def redraw(self) -> None:
        """Draw what has arrived (called by the timer, and at the end of a run)."""
        self._redraw_timer.stop()
        run = self.current
        if run is None:
            return
        raw, smooth, val, metric, val_metric, lr = run.curves
        raw.setData(*run.raw.view())
        smooth.setData(*run.smooth.view())
        lr.setData(*run.lr.view())
        self._fit_lr_axis()
        if run.records:
            if len(run.records) > MAX_MARKED_EPOCHS and val.opts["symbol"] is not None:
                for curve in (val, val_metric):
                    curve.setSymbol(None)
            val.setData(*run.epoch_series("val_loss"))
            metric.setData(*run.epoch_series(run.metric))
            val_metric.setData(*run.epoch_series(f"val_{run.metric}"))
        # Apply the new view ranges now: pyqtgraph would apply them inside the paint,
        # move the axes, and paint everything a second time (~11 ms each).
        self.view.scene().prepareForPaint()

    def _fit_lr_axis(self) -> None:
        """From zero to the largest rate of any run shown: auto-range centres a constant
        rate (0.005) in a band of +-0.5, where it reads as zero."""
        top = max((float(r.lr.view()[1].max()) for r in self.runs if len(r.lr)), default=0.0)
        if top > 0 and math.isfinite(top):
            self.lr_plot.setYRange(0, top * 1.15, padding=0)

    def clear(self) -> None:
        for run in self.runs:
            self._drop(run)
        self.runs = []
        # Empty plots keep the ranges they last had (the LR axis is set by hand): after
        # opening another project they showed the last one's epochs and rates.
        # The x axes are linked (setting one sets the others and turns their auto-range
        # off), so every range first, then auto-range on for all.
        plots = (self.loss_plot, self.metric_plot, self.lr_plot)
        for plot in plots:
            plot.setRange(xRange=(0, 1), yRange=(0, 1))
        for plot in plots:
            plot.enableAutoRange()

    # ---- export ---------------------------------------------------------------------
    def export_csv(self, path: str) -> int:
        """Every epoch record of every run in the session; returns the rows written."""
        keys: list[str] = []
        for run in self.runs:
            for record in run.records:
                keys += [k for k in record if k not in keys]
        rows = 0
        with open(path, "w", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["run"] + keys)
            for run in self.runs:
                for record in run.records:
                    writer.writerow([run.number] + [record.get(k, "") for k in keys])
                    rows += 1
        return rows

    def export_png(self, path: str) -> bool:
        return self.view.grab().save(path, "PNG")
