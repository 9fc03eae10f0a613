"""Before training: time per epoch and memory per batch on this machine, measured by a
short calibration run (engine.insights.estimate) on a worker thread with one BLAS
thread, as the real run trains, with the engine's warning when the plan will not fit."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from engine.insights import estimate

from ..freshness import Change, FreshView
from ..rich_text import escape
from .common import BackgroundCall
from ..style import noun


def human_seconds(s: float) -> str:
    if s < 1:
        return f"{s * 1000:.0f} ms"
    if s < 120:
        return f"{s:.1f} s"
    if s < 7200:
        return f"{s / 60:.1f} min"
    return f"{s / 3600:.1f} h"


def human_bytes(n: float | None) -> str:
    if n is None:
        return "unknown"
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"


def describe_estimate(e) -> str:
    parts = [f"Per batch <b>{human_seconds(e.seconds_per_batch)}</b>; per epoch "
             f"<b>{human_seconds(e.seconds_per_epoch)}</b> ({e.batches_per_epoch} "
             f"{noun(e.batches_per_epoch, 'batch', 'batches')} "
             f"+ validation); the whole run about <b>{human_seconds(e.seconds_total)}</b>.",
             f"Memory per batch <b>{human_bytes(e.bytes_per_batch)}</b> of "
             f"{human_bytes(e.available_bytes)} free: "
             + ", ".join(f"{k} {human_bytes(v)}" for k, v in e.breakdown.items()) + "."]
    if e.warning:
        parts.append(f"<span style='color:#d32f2f'><b>Warning:</b> {e.warning}</span>")
    else:
        parts.append("<span style='color:#2e7d32'>The plan fits this machine.</span>")
    if e.suggestion:
        parts.append(f"<b>Faster:</b> {e.suggestion}")
    parts.append(f"<span style='color:#5f6b7a'>Measured on {e.measured_batches} real "
                 f"batches with one BLAS thread.</span>")
    return "<br>".join(parts)


EMPTY_ESTIMATE = ("Before training, measure how long an epoch will take on this machine "
                  "and how much memory a batch needs.")


class EstimateView(QWidget, FreshView):
    """``job_factory()`` returns an engine.run TrainingJob (or raises with a message)."""

    estimated = Signal(object, object)  # (Estimate, None) or (None, error): still current

    def __init__(self, job_factory, parent=None):
        super().__init__(parent)
        self.setObjectName("inside_estimate")
        self.job_factory = job_factory
        self.button = QPushButton("Estimate time and memory")
        self.button.setObjectName("estimate_button")
        self.button.clicked.connect(self.start)
        self.label = QLabel(EMPTY_ESTIMATE)
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.RichText)
        self.label.setAlignment(Qt.AlignTop | Qt.AlignLeft)
        layout = QVBoxLayout(self)
        layout.addWidget(self.button, 0, Qt.AlignLeft)
        layout.addWidget(self.label, 1)
        self.call = BackgroundCall(self)
        self.call.finished.connect(self._done)
        self.estimate = None
        self.asked = 0  # changes seen: an estimate asked before the last one is stale
        self.changes = 0

    def fresh(self, change: Change) -> None:
        """Any change (design, data, project) makes the figures another plan's."""
        if change is Change.RUN:
            return
        self.changes += 1
        if change is Change.PROJECT:  # (after its DESIGN: a new design comes with it)
            self.estimate = None
            self.label.setText(EMPTY_ESTIMATE)
        elif self.estimate is not None or self.call.busy:
            self.estimate = None
            self.label.setText(f"{change.value.capitalize()} since the last estimate: "
                               f"estimate again.")

    def start(self) -> bool:
        try:
            job = self.job_factory()
        except Exception as exc:  # noqa: BLE001 - a design or data problem, for people
            self.label.setText(f"<span style='color:#d32f2f'>{escape(exc)}</span>")
            self.estimated.emit(None, str(exc))
            return False
        spec, data, settings = job.spec, job.data, job.settings
        if not self.call.start(lambda: estimate(spec, data, settings), blas_threads=1):
            self.estimated.emit(None, "another measurement is still running")
            return False
        self.button.setEnabled(False)
        self.asked = self.changes
        self.label.setText("Measuring a few real batches\u2026")
        return True

    def _done(self, result, error) -> None:
        self.button.setEnabled(True)
        if self.asked != self.changes:
            return  # measured for a design or data that is gone; the label says so
        self.estimated.emit(result, error)
        self.estimate = result
        self.label.setText(f"<span style='color:#d32f2f'>{escape(error)}</span>" if error
                           else describe_estimate(result))

    def shutdown(self) -> bool:
        return self.call.shutdown()
