"""After training: the confusion matrix (click a cell to list its samples), per-class
precision / recall / F1, and predicted versus true for regression (with the first
held-out images and their reconstructions when the output is an image).

``show_report(report, data)`` takes an engine.insights ClassificationReport or
RegressionReport (made on a worker thread by the dock) and the Dataset it was computed
on, whose samples the list names. Choosing a listed sample emits ``sample_chosen``.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (QHeaderView, QLabel, QListWidget, QListWidgetItem, QSplitter,
                               QStackedWidget, QTableWidget, QTableWidgetItem, QVBoxLayout,
                               QWidget)

from ..freshness import Change, FreshView
from .common import MIN_PLOT_HEIGHT, HeatMap, new_layout, new_plot, scrolling, set_title
from .image_output import ReconstructionGrid
from ..style import noun

MAX_LISTED = 500  # a cell of thousands lists its first samples; the label says how many


def tick_name(name, n_classes: int) -> str:
    """A class name short enough for the matrix's axes: a few classes have room for
    "opposite signs", many get 10 characters; a cut name ends in an ellipsis (it read
    "opposite s")."""
    text, room = str(name), 16 if n_classes <= 5 else 10
    return text if len(text) <= room else text[:room - 1] + "\u2026"


class ConfusionMatrix(QWidget):
    """Counts as a heat map with the numbers written in; ``cell_clicked(true, pred)``."""

    cell_clicked = Signal(int, int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.view = new_layout()
        self.view.setMinimumSize(2 * MIN_PLOT_HEIGHT, 2 * MIN_PLOT_HEIGHT)
        QVBoxLayout(self).addWidget(self.view)
        self.layout().setContentsMargins(0, 0, 0, 0)
        self.heat = HeatMap(self.view, 0, 0, "Confusion matrix (click a cell)",
                            "predicted class", "true class", bar_label="share of the true class")
        self.heat.plot.setAspectLocked(True)
        self.heat.plot.getViewBox().setMouseEnabled(False, False)
        self.heat.plot.invertY(True)  # true class 0 in the top row, as tables read
        self.texts: list[pg.TextItem] = []
        self.n = 0
        # Releases read from the viewport: pyqtgraph's sigMouseClicked drops the second
        # of two quick clicks (it becomes a double click), so a quick cell hop got lost.
        self.view.viewport().installEventFilter(self)

    def set_matrix(self, confusion: np.ndarray, names) -> None:
        n = self.n = len(confusion)
        rows = confusion.sum(axis=1, keepdims=True)
        share = np.where(rows > 0, confusion / np.maximum(rows, 1), 0.0)
        self.heat.set_image(share, rect=(-0.5, -0.5, n, n), signed=False, levels=(0, 1))
        self.heat.plot.setRange(xRange=(-0.5, n - 0.5), yRange=(-0.5, n - 0.5), padding=0.02)
        self._set_numbers(confusion, share if n <= 20 else share[:0, :0])  # readable to ~20
        ticks = [[(i, tick_name(name, n)) for i, name in enumerate(names)]]
        self.heat.plot.getAxis("bottom").setTicks(ticks)
        self.heat.plot.getAxis("left").setTicks(ticks)

    def _set_numbers(self, confusion: np.ndarray, share: np.ndarray) -> None:
        """One number per cell, on text items kept from the last matrix: making and
        adding a hundred pyqtgraph items took 60 ms of the GUI thread at every run's end."""
        n = len(share)
        while len(self.texts) > n * n:
            self.heat.plot.removeItem(self.texts.pop())
        while len(self.texts) < n * n:
            self.texts.append(pg.TextItem("", anchor=(0.5, 0.5)))
            self.heat.plot.addItem(self.texts[-1])
        for k, t in enumerate(self.texts):
            i, j = divmod(k, n)
            t.setText(str(int(confusion[i, j])), color="#ffffff" if share[i, j] < 0.6
                      else "#1f2933")
            t.setPos(j, i)

    def cell_at(self, scene_pos) -> tuple[int, int] | None:
        vb = self.heat.plot.getViewBox()
        if not vb.sceneBoundingRect().contains(scene_pos):
            return None
        p = vb.mapSceneToView(scene_pos)
        j, i = int(round(p.x())), int(round(p.y()))
        return (i, j) if 0 <= i < self.n and 0 <= j < self.n else None

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.MouseButtonRelease and event.button() == Qt.LeftButton:
            cell = self.cell_at(self.view.mapToScene(event.position().toPoint()))
            if cell is not None:
                self.cell_clicked.emit(*cell)
        return False


class ClassificationResults(QWidget):
    sample_chosen = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.report, self.data = None, None
        self.matrix = ConfusionMatrix()
        self.matrix.cell_clicked.connect(self.show_cell)
        self.table = QTableWidget(0, 4)
        self.table.setObjectName("per_class_table")
        self.table.setHorizontalHeaderLabels(["precision", "recall", "F1", "support"])
        # Columns as wide as their contents (stretched ones elided '100.0%' and the
        # headers in a narrow dock); the side pane keeps room for all of them.
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setEditTriggers(QTableWidget.NoEditTriggers)
        self.cell_label = QLabel("Click a cell of the matrix to list its samples.")
        self.cell_label.setWordWrap(True)
        self.samples = QListWidget()
        self.samples.setObjectName("cell_samples")
        self.samples.itemActivated.connect(self._sample_activated)
        self.samples.itemClicked.connect(self._sample_activated)
        side = QWidget()
        col = QVBoxLayout(side)
        col.setContentsMargins(0, 0, 0, 0)
        col.addWidget(self.table, 2)
        col.addWidget(self.cell_label)
        col.addWidget(self.samples, 3)
        split = QSplitter(Qt.Horizontal)
        split.addWidget(self.matrix)
        split.addWidget(side)
        split.setSizes([520, 330])
        QVBoxLayout(self).addWidget(split)
        self.layout().setContentsMargins(0, 0, 0, 0)

    def show_report(self, report, data=None) -> None:
        self.report, self.data = report, data
        self.matrix.set_matrix(report.confusion, report.class_names)
        names = report.class_names
        self.table.setRowCount(len(names))
        self.table.setVerticalHeaderLabels([str(n) for n in names])
        for i in range(len(names)):
            values = (report.precision[i], report.recall[i], report.f1[i])
            for c, v in enumerate(values):
                self.table.setItem(i, c, QTableWidgetItem("\u2014" if np.isnan(v)
                                                          else f"{v:.1%}"))
            self.table.setItem(i, 3, QTableWidgetItem(str(int(report.support[i]))))
        self.samples.clear()
        self.cell_label.setText("Click a cell of the matrix to list its samples.")
        self._fit_table()

    def _fit_table(self) -> None:
        """The side pane at least as wide as the table's columns, so the splitter
        cannot cut them off (the results scroll instead, see ResultsView)."""
        table = self.table
        table.resizeColumnsToContents()
        width = (table.verticalHeader().sizeHint().width() + table.frameWidth() * 2
                 + table.horizontalHeader().length()
                 + table.verticalScrollBar().sizeHint().width())
        self.table.setMinimumWidth(width)

    def show_cell(self, true_class: int, predicted: int) -> None:
        """List the samples of a cell (per-step labels: sample and step)."""
        r = self.report
        if r is None:
            return
        names = r.class_names
        samples, steps = r.positions(true_class, predicted)
        self.samples.clear()
        for k, (s, t) in enumerate(zip(samples[:MAX_LISTED], steps[:MAX_LISTED])):
            text = f"sample {int(s)}" + (f", step {int(t)}" if r.steps > 1 else "")
            item = QListWidgetItem(text)
            item.setData(Qt.UserRole, int(s))
            self.samples.addItem(item)
        shown = "" if len(samples) <= MAX_LISTED else f" (the first {MAX_LISTED} listed)"
        self.cell_label.setText(
            f"<b>{len(samples)}</b> entries with true class <b>{names[true_class]}</b> "
            f"predicted as <b>{names[predicted]}</b>{shown}. Click one to try it.")

    def listed_samples(self) -> list[int]:
        return [self.samples.item(i).data(Qt.UserRole) for i in range(self.samples.count())]

    def _sample_activated(self, item) -> None:
        self.sample_chosen.emit(int(item.data(Qt.UserRole)))


class RegressionResults(QWidget):
    """Predicted against true values, one colour per output, with the y = x line; for an
    image output the first held-out images above it, each with its reconstruction."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.view = new_layout()
        self.view.setMinimumHeight(MIN_PLOT_HEIGHT)
        self.images = ReconstructionGrid()
        self.images.setVisible(False)
        column = QVBoxLayout(self)
        column.addWidget(self.images, 3)
        column.addWidget(self.view, 2)
        self.layout().setContentsMargins(0, 0, 0, 0)
        self.plot = new_plot(self.view, 0, 0, "Predicted versus true", "true value",
                             "predicted value")
        self.plot.addLegend(offset=(10, 10), labelTextSize="8pt")
        self.plot.setAspectLocked(True)

    def show_report(self, report, data=None) -> None:
        from .common import class_colour

        self.plot.clear()
        true, pred = report.true, report.predicted
        lo = float(min(true.min(), pred.min())) if true.size else 0.0
        hi = float(max(true.max(), pred.max())) if true.size else 1.0
        self.plot.plot([lo, hi], [lo, hi], pen=pg.mkPen("#7b8794", width=1,
                                                        style=Qt.DashLine), name="perfect")
        for k in range(true.shape[1]):
            r2 = report.r2[k]
            label = f"output {k}: R\u00b2 {r2:.3f}" if np.isfinite(r2) else f"output {k}"
            self.plot.plot(true[:, k], pred[:, k], pen=None, symbol="o", symbolSize=5,
                           symbolBrush=class_colour(k), symbolPen=None, name=label)
        values = f"{len(true)} {noun(len(true), 'value')}"
        set_title(self.plot, f"Predicted versus true ({values}): R\u00b2 "
                             f"{report.r2_mean:.3f}, MSE {report.mse:.3g}, MAE {report.mae:.3g}",
                             size="9pt")
        images = getattr(report, "images", None)
        self.images.setVisible(images is not None)
        if images is not None:
            self.images.show_images(*images)


EMPTY_RESULTS = "After training, the test split's results appear here."


class ResultsView(QWidget, FreshView):
    """Classification or regression results of the last run on the test split."""

    sample_chosen = Signal(int)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("inside_results")
        self.title = QLabel(EMPTY_RESULTS)
        self.title.setWordWrap(True)
        self.classification = ClassificationResults()
        self.classification.sample_chosen.connect(self.sample_chosen)
        self.regression = RegressionResults()
        self.stack = QStackedWidget()
        self.stack.addWidget(self.classification)
        self.stack.addWidget(self.regression)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.title)
        self.scroll = scrolling(self.stack, "results_scroll")
        layout.addWidget(self.scroll, 1)
        self.scroll.setVisible(False)  # until there is a report: empty plots say nothing
        self.report = None

    def show_report(self, report, data=None, split: str = "test") -> None:
        self.report = report
        self.scroll.setVisible(True)
        if hasattr(report, "confusion"):
            self.classification.show_report(report, data)
            self.stack.setCurrentIndex(0)
            m = report.macro()
            self.title.setText(
                f"On the {split} split ({int(report.confusion.sum())} entries): accuracy "
                f"<b>{report.accuracy:.1%}</b>, macro precision {m['precision']:.1%}, "
                f"macro recall {m['recall']:.1%}")
        else:
            self.regression.show_report(report, data)
            self.stack.setCurrentIndex(1)
            self.title.setText(f"On the {split} split: R\u00b2 <b>{report.r2_mean:.3f}</b>")

    def show_message(self, text: str) -> None:
        """Words instead of results (training, evaluating, or none yet)."""
        self.report = None
        self.scroll.setVisible(False)
        self.title.setText(text)

    def fresh(self, change: Change) -> None:
        if change in (Change.PROJECT, Change.DATA):
            self.show_message(EMPTY_RESULTS)
