"""Check gradients: the engine's float64 gradient check (engine.insights.gradcheck) on
the current design and a few training samples, run on a worker thread, shown as a
table of the largest relative error per layer with what the verdict means."""
from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QHeaderView, QLabel, QPushButton, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from engine.insights.gradcheck import GradientCheck, check_job

from ..freshness import Change, FreshView
from ..rich_text import as_plain
from .common import BackgroundCall
from ..style import noun

EMPTY_GRADCHECK = ("Check that the backward pass agrees with the slope of the loss "
                   "measured directly (float64 centred differences on 4 training "
                   "samples, every layer).")
HEADERS = ("Layer", "Type", "Tensors", "Entries", "Max relative error", "Result")


def describe_check(check: GradientCheck, which: str) -> str:
    colour = "#2e7d32" if check.passed else "#d32f2f"
    verdict = "Passed" if check.passed else "Failed"
    notes = "<br>".join(html.escape(n) for n in check.notes)
    return (f"<span style='color:{colour}'><b>{verdict}</b></span>: largest relative error "
            f"<b>{check.max_error:.2e}</b> (pass below {check.tolerance:.0e}) on "
            f"{check.samples} training {noun(check.samples, 'sample')}, "
            f"loss {html.escape(check.loss)}, "
            f"{html.escape(which)}.<br>{html.escape(check.meaning)}"
            f"<br><span style='color:#5f6b7a'>{notes}</span>")


class GradientCheckView(QWidget, FreshView):
    """``job_factory()``: the engine TrainingJob for the design as it is now;
    ``weights_provider()``: the trained weights when they belong to it, else None."""

    checked = Signal(object, object)  # ((GradientCheck, which), None) or (None, error)

    def __init__(self, job_factory, weights_provider, parent=None):
        super().__init__(parent)
        self.setObjectName("inside_gradcheck")
        self.job_factory, self.weights_provider = job_factory, weights_provider
        self.button = QPushButton("Check gradients")
        self.button.setObjectName("gradcheck_button")
        self.button.setToolTip("Compare every layer's backward pass with centred "
                               "differences of the loss, in float64")
        self.button.clicked.connect(self.start)
        self.label = QLabel(EMPTY_GRADCHECK)
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.RichText)
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.table.setEditTriggers(QTableWidget.NoEditTriggers)
        layout = QVBoxLayout(self)
        layout.addWidget(self.button, 0, Qt.AlignLeft)
        layout.addWidget(self.label)
        layout.addWidget(self.table, 1)
        self.call = BackgroundCall(self)
        self.call.finished.connect(self._done)
        self.result: GradientCheck | None = None
        self.asked = self.changes = 0  # a check asked before the last change is stale

    def fresh(self, change: Change) -> None:
        """Another design, data, project or trained weights: the table was another's."""
        self.changes += 1
        had = self.result is not None or self.call.busy
        self.result = None
        self.table.setRowCount(0)
        self.label.setText(EMPTY_GRADCHECK if change is Change.PROJECT or not had else
                           f"{change.value.capitalize()} since the last check: check again.")

    def start(self) -> bool:
        try:
            job = self.job_factory()
            weights = self.weights_provider()
        except Exception as exc:  # noqa: BLE001 - a design or data problem, for people
            self._show_error(str(exc))
            return False
        if not self.call.start(lambda: check_job(job, weights)):
            return False
        self.button.setEnabled(False)
        self.asked = self.changes
        self.label.setText("Measuring the slope of the loss for every layer\u2026")
        return True

    def _done(self, result, error) -> None:
        self.button.setEnabled(True)
        if self.asked != self.changes:
            return  # checked a design or data that is gone; the label says so
        self.checked.emit(result, error)
        if error:
            self._show_error(str(error))
            return
        check, which = result
        self.result = check
        self.label.setText(describe_check(check, which))
        self._fill(check)

    def _fill(self, check: GradientCheck) -> None:
        self.table.setRowCount(len(check.layers))
        for i, row in enumerate(check.layers):
            cells = (row.name, row.type, str(len(row.tensors)), str(row.entries),
                     f"{row.max_error:.2e}", "pass" if row.passed else "FAIL")
            for j, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if j >= 2:
                    item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
                if j == 5:
                    item.setForeground(QColor("#2e7d32" if row.passed else "#d32f2f"))
                item.setToolTip(as_plain(f"worst tensor: {row.worst}"))
                self.table.setItem(i, j, item)

    def _show_error(self, text: str) -> None:
        self.label.setText(f"<span style='color:#d32f2f'>{html.escape(text)}</span>")
        self.checked.emit(None, text)

    def shutdown(self) -> bool:
        return self.call.shutdown()
