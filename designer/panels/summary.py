"""The summary: a table of layers (name, type, output shape, parameters), totals, and
the design's problems; clicking a row or a problem selects its layer on the canvas.

The problems are shape inference's and, once the data is loaded, the checks against it
(``engine/checks.py``: output units against the classes, the output activation against
the loss, the Input against the samples, an Embedding against the vocabulary, data at
all). A check with a plain fix has a button that applies it as one undo step."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QHeaderView, QLabel,
                               QListWidget, QListWidgetItem, QPushButton, QSplitter,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from engine.checks import FitProblem, fit_problems

from engine.errors import GraphError
from engine.layers import fmt_shape

from .. import style
from ..editor import Editor
from ..freshness import Change, FreshView
from ..rich_text import as_plain

LAYER_ROLE = Qt.UserRole + 1


class SummaryWidget(QWidget, FreshView):
    layer_focused = Signal(str)  # the user asked to see this layer
    data_wanted = Signal()  # the user asked to choose data (no data yet)

    def __init__(self, editor: Editor, parent=None):
        super().__init__(parent)
        self.setObjectName("summary")
        self.editor, self.doc = editor, editor.doc
        self.table = QTableWidget(0, 4, self)
        self.table.setObjectName("summary_table")
        self.table.setHorizontalHeaderLabels(["Name", "Type", "Output shape", "Parameters"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.Stretch)
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.totals = QLabel(self)
        self.totals.setObjectName("summary_totals")
        self.problems = QListWidget(self)
        self.problems.setObjectName("summary_problems")
        self.problems.setWordWrap(True)
        splitter = QSplitter(Qt.Vertical, self)
        splitter.addWidget(self.table)
        splitter.addWidget(self.problems)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.totals)
        layout.addWidget(splitter, 1)
        self.table.itemClicked.connect(self._row_clicked)
        self.problems.itemClicked.connect(self._problem_clicked)
        # () -> the loaded data's dataset_info, or None while it is not loaded (the
        # window gives one that never loads: the checks wait for the data panel).
        self.data_info = lambda: None
        self.fits: list[FitProblem] = []
        self.doc.report_changed.connect(self.refresh)
        self.doc.project_changed.connect(lambda name: name == "training" and self.refresh())
        editor.lock_changed.connect(lambda _reason: self.refresh())
        self.refresh()

    def fresh(self, change: Change) -> None:
        if change in (Change.PROJECT, Change.DATA):  # data: the output checks
            self.refresh()

    def refresh(self) -> None:
        report = self.doc.report
        order = report.order + [i for i in self.doc.layer_ids() if i not in report.order]
        self.table.setUpdatesEnabled(False)
        self.table.setRowCount(len(order))
        for row, layer_id in enumerate(order):
            self._fill_row(row, layer_id, report)
        self.table.setUpdatesEnabled(True)
        self.fits = self._fit_problems(report)
        n_layers, total = len(order), report.total_params
        count = len(report.problems) + sum(p.blocks_training for p in self.fits)
        state = "ready to train" if not count else f"{count} {style.noun(count, 'problem')}"
        self.totals.setText(f"<b>{n_layers}</b> {style.noun(n_layers, 'layer')} &nbsp;·&nbsp; "
                            f"<b>{style.format_count(total)}</b> trainable "
                            f"{style.noun(total, 'parameter')} "
                            f"&nbsp;·&nbsp; {state}")
        self._fill_problems(report)

    def _fill_row(self, row: int, layer_id: str, report) -> None:
        layer, info = self.doc.layer(layer_id), report.layers.get(layer_id)
        error = bool(info and (info.error or (info.output_shape is None
                                             and report.problems_for(layer_id))))
        cells = [layer.name, layer.type, fmt_shape(info.output_shape if info else None),
                 f"{info.params:,}" if info else "0"]
        for col, text in enumerate(cells):
            item = QTableWidgetItem(text)
            item.setData(LAYER_ROLE, layer_id)
            if col == 3:
                item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
            if error:
                item.setForeground(QBrush(style.ERROR))
            self.table.setItem(row, col, item)

    def _fit_problems(self, report) -> list[FitProblem]:
        project = self.doc.project
        try:
            info = self.data_info() if project.data else None
        except Exception:  # noqa: BLE001 - the Data panel says what is wrong with the data
            info = None
        return fit_problems(self.doc.spec(), report, info,
                            (project.training or {}).get("loss", "auto"),
                            has_data=bool(project.data))

    def _fill_problems(self, report) -> None:
        self.problems.clear()
        if report.ok and not self.fits:
            item = QListWidgetItem("No problems: the design is ready to train.")
            item.setForeground(QBrush(style.VALID))
            self.problems.addItem(item)
            return
        for fit in self.fits:
            self._add_fit(fit)
        for problem in report.problems:
            ids = problem.layers if isinstance(problem, GraphError) else (problem.where,)
            ids = [i for i in ids if i and self.doc.has_layer(i)]
            item = QListWidgetItem(f"\u26a0  {problem.message}")
            item.setData(LAYER_ROLE, ids)
            item.setForeground(QBrush(style.ERROR))
            item.setToolTip("Click to select the layer" if ids else as_plain(problem.message))
            self.problems.addItem(item)

    def _add_fit(self, fit: FitProblem) -> None:
        """A check against the data: its words (wrapped like the other problems), then
        a row holding the button for its fix."""
        ids = [fit.layer_id] if fit.layer_id else []
        mark = "\u26a0" if fit.blocks_training else "Note:"
        item = QListWidgetItem(f"{mark}  {fit.message}")
        item.setData(LAYER_ROLE, ids)
        item.setForeground(QBrush(style.ERROR if fit.blocks_training else style.WARNING))
        item.setToolTip("Click to select the layer" if ids else as_plain(fit.message))
        self.problems.addItem(item)
        text = fit.fix.label if fit.fix else ("Choose data\u2026" if fit.kind == "no_data"
                                              else "")
        if not text:
            return
        holder = QWidget()
        row = QHBoxLayout(holder)
        row.setContentsMargins(18, 0, 4, 4)
        button = QPushButton(text)
        button.setObjectName("fix_button")
        button.setToolTip("Apply this fix (one undo step)" if fit.fix else
                          "Open the Data tab")
        button.setEnabled(not self.editor.locked or fit.fix is None)
        button.clicked.connect(lambda _=False, f=fit: self.apply_fix(f))
        row.addWidget(button)
        row.addStretch(1)
        slot = QListWidgetItem()
        slot.setData(LAYER_ROLE, ids)
        slot.setFlags(Qt.NoItemFlags)
        slot.setSizeHint(holder.sizeHint())
        self.problems.addItem(slot)
        self.problems.setItemWidget(slot, holder)

    def apply_fix(self, fit: FitProblem) -> str | None:
        """The fix as one undo step (or the Data tab when there is no data)."""
        if fit.fix is None:
            self.data_wanted.emit()
            return None
        return self.editor.set_setting(fit.fix.layer_id, fit.fix.key, fit.fix.value)

    def _row_clicked(self, item: QTableWidgetItem) -> None:
        self.editor.set_selection([item.data(LAYER_ROLE)])
        self.layer_focused.emit(item.data(LAYER_ROLE))

    def _problem_clicked(self, item: QListWidgetItem) -> None:
        ids = item.data(LAYER_ROLE) or []
        if ids:
            self.editor.set_selection(list(ids))
            self.layer_focused.emit(ids[0])
