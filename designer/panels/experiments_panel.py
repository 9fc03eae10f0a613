"""The Experiments view: set up a hyperparameter sweep, run it (trials side by side in
processes of their own), and compare: a live table (settings, best validation metric,
parameters, time), the trials' curves overlaid, and the metric against the parameter
count with the Pareto front. "Apply best" puts the best trial's settings into the
design and training settings as one undo step. A finished or stopped sweep is recorded
in the project (``Editor.record_sweep``), and the last one shows when it is opened.
"""
from __future__ import annotations

import html
import time

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor, QFont, QIcon, QPixmap
from PySide6.QtWidgets import (QAbstractItemView, QFrame, QHBoxLayout, QHeaderView, QLabel,
                               QPushButton, QScrollArea, QSplitter, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from engine.errors import NeuroCanvasError
from engine.sweep import best_trial, bind, parse_space, trials_for
from engine.sweep.scheduler import metric_goal
from engine.sweep.space import format_value

from .. import style
from ..editor import Editor
from ..freshness import Change, FreshView
from ..rich_text import as_plain
from ..sweep_runner import SweepRunner
from .sweep_plots import SweepPlots, metric_title, trial_colour
from .sweep_setup import SweepSetup
from ..style import noun

REDRAW_MS = 200
EMPTY = ("No sweep yet. Pick up to three settings and their values, then Run sweep: "
         "each trial trains in a process of its own, as many at once as you say.")
SUBTLE = style.NODE_SUBTLE_TEXT.name()


class ExperimentsPanel(QWidget, FreshView):
    def __init__(self, editor: Editor, project_dir, parent=None):
        super().__init__(parent)
        self.setObjectName("experiments_panel")
        self.editor, self.doc, self.project_dir = editor, editor.doc, project_dir
        self.runner = SweepRunner(self)
        self.sweep: dict | None = None  # what the table and plots show
        self.live: dict[int, dict] = {}  # rows of the running sweep
        self.started_at = 0.0
        self._build()
        self._redraw = QTimer(self, singleShot=True, interval=REDRAW_MS)
        self._redraw.timeout.connect(self.redraw)
        self.runner.trial_started.connect(self._trial_started)
        self.runner.trial_epoch.connect(self._trial_epoch)
        self.runner.trial_ended.connect(self._trial_ended)
        self.runner.finished.connect(self._finished)
        self.runner.failed.connect(lambda text: self._say(text, error=True))
        self.runner.running_changed.connect(lambda _on: self._update_buttons())
        self.doc.project_changed.connect(self._project_changed)
        self.fresh(Change.PROJECT)

    # ---- building ------------------------------------------------------------------
    def _build(self) -> None:
        split = self.split = QSplitter(Qt.Horizontal)
        split.addWidget(self._left())
        right = QSplitter(Qt.Vertical)
        self.table = QTableWidget()
        self.table.setObjectName("sweep_table")
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.AscendingOrder)  # trial order until a title is clicked
        self.table.itemSelectionChanged.connect(self._picked)
        self.picked: int | None = None  # the trial whose row is selected
        self.table.setToolTip("Click a column's title to sort by it. \u2605 the best trial, "
                              "\u25c6 on the Pareto front (no trial is better with fewer "
                              "parameters)")
        self.plots = SweepPlots()
        right.addWidget(self.table)
        right.addWidget(self.plots)
        right.setSizes([500, 700])  # eight trials in view above plots still readable
        split.addWidget(right)
        split.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(split)

    def _left(self) -> QScrollArea:
        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(8, 8, 8, 8)
        self.setup = SweepSetup()
        column.addWidget(self.setup)
        row = QHBoxLayout()
        self.run_button = self._button("sweep_run", "Run sweep", self.run_sweep, row)
        self.run_button.setStyleSheet("QPushButton:enabled { background: #1e88e5; color: "
                                      "white; font-weight: 600; }")
        self.run_button.setToolTip("Train every trial, as many at once as set, each in a "
                                   "process of its own")
        self.stop_button = self._button("sweep_stop", "Stop", self.stop, row)
        self.stop_button.setToolTip("Stop every trial; the ones finished are kept")
        column.addLayout(row)
        self.apply_button = self._button("sweep_apply_best", "Apply best", self.apply_best,
                                         column)
        self.apply_button.setToolTip("Put the best trial's settings into the design and "
                                     "training settings (one undo step)")
        self.status = QLabel()
        self.status.setObjectName("sweep_status")
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.RichText)
        column.addWidget(self.status)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(body)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.NoFrame)
        scroll.setMinimumWidth(280)
        scroll.setMaximumWidth(380)
        return scroll

    def _button(self, name: str, text: str, slot, layout) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.clicked.connect(slot)
        layout.addWidget(button)
        return button

    # ---- project state -------------------------------------------------------------
    def fresh(self, change: Change) -> None:
        if change == Change.PROJECT:
            if self.runner.running:
                self.runner.stop(discard=True)  # it was about the project just closed
            self.live, self.picked = {}, None
            self.setup.set_design(self.doc.spec(), self.doc.project.training)
            if not self.setup.texts():
                self.setup.set_row(0, "learning_rate")  # the setting most worth a sweep
            self._show_recorded()
        elif change == Change.DESIGN:
            self.setup.set_design(self.doc.spec(), self.doc.project.training)
        self._update_buttons()

    def _project_changed(self, name: str) -> None:
        if name == "sweeps" and not self.runner.running:
            self._show_recorded()
        elif name == "training":
            self.setup.training = self.doc.project.training

    def _show_recorded(self) -> None:
        sweeps = self.doc.project.sweeps
        self.sweep = sweeps[-1] if sweeps else None
        self.redraw()
        if self.sweep is None:
            self._say(EMPTY)
        else:
            self._say(summary(self.sweep, len(sweeps)), rich=True)
        self._update_buttons()

    # ---- running ---------------------------------------------------------------------
    def run_sweep(self) -> None:
        if self.runner.running:
            return
        try:
            dims = bind(parse_space(self.setup.texts()), self.doc.spec())
            trials = trials_for(dims, self.setup.method.currentText(),
                                self.setup.trials.value(), self.setup.seed.value())
        except NeuroCanvasError as exc:
            self._say(str(exc), error=True)
            return
        setup = {"params": [d.text() for d in dims], "method": self.setup.method.currentText(),
                 "trials_asked": self.setup.trials.value(), "seed": self.setup.seed.value()}
        epochs = self.setup.epochs.value() or None
        self.live = {i: pending_row(i, s) for i, s in enumerate(trials)}
        self.picked = None
        self.sweep = {"metric": "", "goal": "max", "trials": [], "status": "running"}
        self.started_at = time.monotonic()
        try:
            self.runner.start(self.doc.snapshot(), self.project_dir(), trials, setup,
                              self.setup.parallel.value(), epochs)
        except (OSError, NeuroCanvasError) as exc:
            self._say(f"The sweep could not start: {exc}", error=True)
            return
        self._progress()

    def stop(self) -> None:
        self.runner.stop()
        self._say("Stopping every trial\u2026")

    def _trial_started(self, event) -> None:
        if event.index in self.live:  # (not: a sweep of the project closed, ending)
            self.live[event.index]["status"] = "running"
            self._changed()

    def _trial_epoch(self, event) -> None:
        row = self.live.get(event.index)
        if row is None:
            return
        row["curve"].append(event.value)
        row["params"], row["seconds"] = event.params, event.seconds
        self.sweep = {**(self.sweep or {}), "metric": event.metric,
                      "goal": metric_goal(event.metric)}
        scored = [(v, e) for e, v in enumerate(row["curve"], 1) if v is not None]
        if scored:
            pick = max if self.sweep["goal"] == "max" else min
            row["best"], row["best_epoch"] = pick(scored, key=lambda p: p[0])
        self._changed()

    def _trial_ended(self, event) -> None:
        if event.index in self.live:
            self.live[event.index] = dict(event.trial)
            self._changed()

    def _changed(self) -> None:
        if not self.live:
            return
        if not self._redraw.isActive():
            self._redraw.start()
        self._progress()

    def _progress(self) -> None:
        done = sum(r["status"] not in ("waiting", "running") for r in self.live.values())
        running = sum(r["status"] == "running" for r in self.live.values())
        self._say(f"Running: {done} of {len(self.live)} {noun(len(self.live), 'trial')} done, "
                  f"{running} training now "
                  f"({time.monotonic() - self.started_at:.0f} s)")

    def _finished(self, sweep: dict) -> None:
        self.live = {}
        self.editor.record_sweep(sweep)  # the document's signal then shows it
        self._show_recorded()

    # ---- showing ---------------------------------------------------------------------
    def rows(self) -> list[dict]:
        if self.live:
            return [self.live[i] for i in sorted(self.live)]
        return list(self.sweep["trials"]) if self.sweep else []

    def redraw(self) -> None:
        rows = self.rows()
        metric = (self.sweep or {}).get("metric", "")
        goal = (self.sweep or {}).get("goal", "max")
        best = best_trial({"trials": rows, "goal": goal}) if rows else None
        best_index = best["trial"] if best else None
        self.plots.show_trials(rows, metric, goal, best_index, self.picked)
        self.table.blockSignals(True)  # refilling is not the user picking another row
        fill_table(self.table, rows, metric, best_index, set(self.plots.front))
        for i in range(self.table.rowCount()):
            if self.picked is not None and self.table.item(i, 0).value == self.picked + 1:
                self.table.selectRow(i)
        self.table.blockSignals(False)

    def _picked(self) -> None:
        """A row selected: its trial's curve stands out (none selected: the best's)."""
        rows = {index.row() for index in self.table.selectedIndexes()}
        self.picked = (self.table.item(min(rows), 0).value - 1) if rows else None
        self.redraw()

    def _say(self, text: str, error: bool = False, rich: bool = False) -> None:
        """Show ``text`` (plain unless ``rich``: names and messages may come from a file)."""
        colour = style.ERROR.name() if error else SUBTLE
        text = text if rich else html.escape(text)
        self.status.setText(f"<span style='color:{colour}'>{text}</span>")

    def _update_buttons(self) -> None:
        running = self.runner.running
        self.run_button.setEnabled(not running)
        self.stop_button.setEnabled(running)
        self.apply_button.setEnabled(not running and self.sweep is not None
                                     and best_trial(self.sweep) is not None)

    def apply_best(self) -> None:
        best = best_trial(self.sweep) if self.sweep and not self.live else None
        if best is None:
            return
        problem = self.editor.apply_trial(best["settings"], "Apply best trial: "
                                          + settings_text(best["settings"]))
        if problem:
            self._say(f"The best trial's settings cannot be applied: {problem}", error=True)
        else:
            self._say(f"Applied trial {best['trial'] + 1}: {settings_text(best['settings'])}. "
                      f"Edit \u203a Undo puts the previous settings back.")

    def shutdown(self) -> bool:
        return self.runner.shutdown()


def pending_row(index: int, settings: dict) -> dict:
    return {"trial": index, "settings": dict(settings), "status": "waiting", "best": None,
            "best_epoch": None, "curve": [], "params": None, "seconds": 0.0, "message": ""}


def settings_text(settings: dict) -> str:
    return ", ".join(f"{k} = {format_value(v)}" for k, v in settings.items())


def summary(sweep: dict, number: int) -> str:
    trials = sweep["trials"]
    counts = {s: sum(t["status"] == s for t in trials) for s in ("finished", "failed")}
    failed = f", {counts['failed']} failed" if counts["failed"] else ""
    text = (f"Sweep {number} ({sweep['status']}): {len(trials)} {noun(len(trials), 'trial')} in "
            f"{sweep['seconds']:.0f} s{failed}.")
    best = best_trial(sweep)
    if best is not None:
        size = ("" if best["params"] is None
                else f", {best['params']:,} {noun(best['params'], 'parameter')}")
        text += (f"<br><b>Best</b>: trial {best['trial'] + 1}, "
                 f"{html.escape(settings_text(best['settings']))}"
                 f"<br>{html.escape(metric_title(sweep['metric']))} {best['best']:.4f} "
                 f"(epoch {best['best_epoch']}){size}")
    return text


def fill_table(table: QTableWidget, rows: list[dict], metric: str, best: int | None,
               front: set[int]) -> None:
    names = list(dict.fromkeys(k for r in rows for k in r["settings"]))
    headers = (["trial"] + names + [f"best {metric_title(metric)}" if metric else "best",
                                    "epoch", "parameters", "time (s)", "status"])
    sort = table.horizontalHeader().sortIndicatorSection(), \
        table.horizontalHeader().sortIndicatorOrder()
    table.setSortingEnabled(False)  # rows filled in place, sorted once at the end
    table.setColumnCount(len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.setRowCount(len(rows))
    bold = QFont()
    bold.setBold(True)
    for i, row in enumerate(rows):
        mark = " \u2605" if row["trial"] == best else (" \u25c6" if row["trial"] in front else "")
        status = row["status"] + (f": {row['message']}" if row["status"] == "failed" else "")
        values = ([row["trial"] + 1] + [row["settings"].get(n) for n in names]
                  + [row["best"], row["best_epoch"], row["params"], row["seconds"] or None,
                     status])
        cells = ([f"{row['trial'] + 1}{mark}"]
                 + ["" if row["settings"].get(n) is None else format_value(row["settings"][n])
                    for n in names]
                 + ["" if row["best"] is None else f"{row['best']:.4f}",
                    "" if row["best_epoch"] is None else str(row["best_epoch"]),
                    "" if row["params"] is None else f"{row['params']:,}",
                    f"{row['seconds']:.1f}" if row["seconds"] else "", status])
        for j, (text, value) in enumerate(zip(cells, values)):
            item = _Cell(text, value)
            if 0 < j < len(cells) - 1:
                item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
            if row["trial"] == best:
                item.setFont(bold)
            if row["status"] == "failed":
                item.setToolTip(as_plain(row["message"]))
                item.setForeground(QColor(style.ERROR))
            table.setItem(i, j, item)
        table.item(i, 0).setIcon(_swatch(trial_colour(row["trial"])))
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeToContents)
    header.setStretchLastSection(True)
    table.setSortingEnabled(True)
    if sort[0] >= 0 and sort[0] < len(headers):
        table.sortItems(*sort)


class _Cell(QTableWidgetItem):
    """A cell that sorts by its value (numbers as numbers; blanks last)."""

    def __init__(self, text: str, value):
        super().__init__(text)
        self.value = value

    def __lt__(self, other) -> bool:
        mine, theirs = self.value, getattr(other, "value", None)
        if mine is None or theirs is None:
            return theirs is None and mine is not None
        if isinstance(mine, (int, float)) and isinstance(theirs, (int, float)):
            return mine < theirs
        return str(mine) < str(theirs)


def _swatch(colour: QColor) -> QIcon:
    pixmap = QPixmap(12, 12)
    pixmap.fill(colour)
    return QIcon(pixmap)
