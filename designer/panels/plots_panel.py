"""The plots dock: live TrainingPlots with Export CSV / Export PNG buttons, fed by the
training controller, and showing a reopened project's saved history."""
from __future__ import annotations

from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from ..editor import Editor
from ..freshness import Change, FreshView
from engine.events import Progress
from ..training_controller import TrainingController
from ..elided_label import ElidedLabel
from .plots import TrainingPlots


class PlotsPanel(QWidget, FreshView):
    def __init__(self, editor: Editor, controller: TrainingController, parent=None):
        super().__init__(parent)
        self.setObjectName("plots_panel")
        self.doc = editor.doc
        self.plots = TrainingPlots()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        bar = QHBoxLayout()
        bar.setContentsMargins(6, 2, 6, 0)
        self.caption = ElidedLabel("Loss, metric and learning rate per epoch; earlier "
                                   "runs of this session are faded.")
        self.caption.setStyleSheet("color: #5f6b7a;")
        self.csv_button = QPushButton("Export CSV\u2026")
        self.csv_button.setObjectName("plots_export_csv")
        self.csv_button.setToolTip("Save each epoch's loss, metric and learning rate as "
                                   "a CSV table")
        self.csv_button.clicked.connect(self.export_csv_dialog)
        self.png_button = QPushButton("Export PNG\u2026")
        self.png_button.setObjectName("plots_export_png")
        self.png_button.setToolTip("Save the plots as a PNG image")
        self.png_button.clicked.connect(self.export_png_dialog)
        bar.addWidget(self.caption, 1)
        bar.addWidget(self.csv_button)
        bar.addWidget(self.png_button)
        layout.addLayout(bar)
        layout.addWidget(self.plots, 1)
        controller.run_started.connect(self._run_started)
        controller.progress.connect(self.plots.add_progress)
        controller.run_finished.connect(lambda _r: self.plots.redraw())
        controller.run_failed.connect(lambda *_: self.plots.redraw())
        self.show_saved_history()

    def _run_started(self, payload) -> None:
        event, data = payload
        self.plots.begin_run(event.batches_per_epoch, data.train.task)

    def fresh(self, change: Change) -> None:
        if change is Change.PROJECT:
            self.show_saved_history()  # its runs, not the last project's

    def show_saved_history(self) -> None:
        """A reopened project's history as a run of per-epoch points."""
        self.plots.clear()
        extras = self.doc.project
        if not extras.history:
            return
        task = ((extras.preprocessing or {}).get("dataset") or {}).get("task", "classification")
        # Each point is already an epoch's mean loss: averaging it again with the
        # per-batch smoothing drew a finished run's loss far above its real values.
        self.plots.begin_run(1, task, smoothing=1.0)
        losses = [(r["epoch"], r["loss"], r.get("lr", 0.0)) for r in extras.history
                  if "epoch" in r and "loss" in r]
        self.plots.add_progress(Progress(None, losses, list(extras.history)))
        self.plots.redraw()

    def export_csv_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export metrics as CSV", "metrics.csv",
                                              "CSV files (*.csv)")
        if path:
            rows = self.plots.export_csv(path)
            self.caption.setText(f"Wrote {rows} epoch rows to {path}")

    def export_png_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export plots as PNG", "training.png",
                                              "PNG images (*.png)")
        if path:
            ok = self.plots.export_png(path)
            self.caption.setText(f"Saved {path}" if ok else f"Could not write {path}")
