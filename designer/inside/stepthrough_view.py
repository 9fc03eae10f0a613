"""Step through one training step: the next run's first batch, phase by phase, with the
engine's numbers (engine.insights.stepthrough). Forward phases show a layer's output
(shape, mean, std, its histogram, a tiny layer's values), then the loss, backward
phases the gradient norms in reverse order, update phases each layer's weight change.
Next and Back walk the phases; ``highlighted`` asks the canvas to outline the layer
each phase happens in (forward orange, backward purple, update green)."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from engine.insights.stepthrough import StepThrough, step_through

from ..freshness import Change, FreshView
from ..rich_text import escape
from .common import BackgroundCall, new_layout, new_plot, set_title

PHASE_COLOURS = {"forward": "#fb8c00", "loss": "#d32f2f", "backward": "#8e24aa",
                 "update": "#2e7d32"}
EMPTY_STEP = ("Take the next run's first training step one phase at a time: forward "
              "through every layer, the loss, backward in reverse, then the update. The "
              "numbers are the engine's own for that batch.")


def describe_phase(step: StepThrough, i: int) -> str:
    """The phase's numbers as one rich-text paragraph."""
    p = step.phases[i]
    colour = PHASE_COLOURS[p.kind]
    head = f"<b style='color:{colour}'>{escape(p.title)}</b>"
    if p.kind == "forward" and p.output is not None:
        o = p.output
        text = f"output {o.shape}: mean {o.mean:.4g}, std {o.std:.4g}"
        if o.values is not None:
            text += "<br>first sample: " + ", ".join(f"{v:.4g}" for v in o.values)
    elif p.kind == "loss":
        text = (f"L = <b>{p.loss:.6g}</b> on a batch of {len(step.indices)} training "
                f"samples; backward carries dL/d\u00b7 back from here.")
    elif p.kind == "backward":
        text = ("\u2016dL/d output\u2016 = " + _num(p.output_grad_norm) +
                "; \u2016dL/d\u03b8\u2016 = " + _num(p.weight_grad_norm) +
                "".join(f"<br>\u2016dL/d{escape(n)}\u2016 = {v:.4g}"
                        for n, v in p.param_norms.items()))
    else:
        text = (f"{step.optimizer}, learning rate {step.learning_rate:g}: "
                f"\u2016\u0394\u03b8\u2016 = {p.update_norm:.4g} "
                f"(\u2016\u03b8\u2016 = {p.weight_norm:.4g})" +
                "".join(f"<br>\u2016\u0394{escape(n)}\u2016 = {v:.4g}"
                        for n, v in p.param_norms.items()))
    return f"{head}<br>{text}"


def _num(v: float | None) -> str:
    return "\u2014" if v is None else f"{v:.4g}"


class StepThroughView(QWidget, FreshView):
    """``job_factory()`` returns the engine's TrainingJob for the project as it is now."""

    highlighted = Signal(list, str)  # layer ids to outline, colour ('' with no ids)

    def __init__(self, job_factory, parent=None):
        super().__init__(parent)
        self.setObjectName("inside_stepthrough")
        self.job_factory = job_factory
        self.step: StepThrough | None = None
        self.index = 0
        self.take = QPushButton("Take one step")
        self.take.setToolTip("Compute the next run's first step on its real first batch")
        self.take.clicked.connect(self.start)
        self.back, self.next = QPushButton("\u25c0 Back"), QPushButton("Next \u25b6")
        self.back.clicked.connect(lambda: self.show_phase(self.index - 1))
        self.next.clicked.connect(lambda: self.show_phase(self.index + 1))
        self.counter = QLabel("")
        row = QHBoxLayout()
        for w in (self.take, self.back, self.next, self.counter):
            row.addWidget(w)
        row.addStretch(1)
        self.label = QLabel(EMPTY_STEP)
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.RichText)
        self.label.setAlignment(Qt.AlignTop | Qt.AlignLeft)
        self.plots = new_layout()
        self.plot = new_plot(self.plots, 0, 0, "")
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.label)
        layout.addWidget(self.plots, 1)
        self.call = BackgroundCall(self)
        self.call.finished.connect(self._done)
        self.asked = self.changes = 0  # changes seen: a step asked before the last is stale
        self._enable()

    # ---- computing the step ----------------------------------------------------------
    def start(self) -> bool:
        try:
            job = self.job_factory()
        except Exception as exc:  # noqa: BLE001 - a design or data problem, for people
            self.label.setText(f"<span style='color:#d32f2f'>{escape(exc)}</span>")
            return False
        spec, data, settings = job.spec, job.data, job.settings
        if not self.call.start(lambda: step_through(spec, data, settings)):
            return False
        self.take.setEnabled(False)
        self.asked = self.changes
        self.label.setText("Taking the step\u2026")
        return True

    def _done(self, result, error) -> None:
        self.take.setEnabled(True)
        if self.asked != self.changes:
            return  # taken for a design, data or settings that are gone; the label says so
        if error:
            self.label.setText(f"<span style='color:#d32f2f'>{escape(error)}</span>")
            return
        self.step = result
        self.show_phase(0)

    # ---- showing a phase -------------------------------------------------------------
    def show_phase(self, i: int) -> None:
        if self.step is None:
            return
        self.index = max(0, min(i, len(self.step.phases) - 1))
        phase = self.step.phases[self.index]
        self.counter.setText(f"phase {self.index + 1} of {len(self.step.phases)}")
        self.label.setText(describe_phase(self.step, self.index))
        self._draw(phase)
        self._enable()
        self._emit_highlight()

    def _draw(self, phase) -> None:
        self.plot.clear()
        if phase.kind == "forward" and phase.output is not None:
            h = phase.output.histogram
            set_title(self.plot, "Output values over the batch", size="9pt")
            self.plot.addItem(pg.PlotDataItem(h.edges, h.counts, stepMode="center",
                                              fillLevel=0, brush="#fb8c0080", pen="#fb8c00"))
            return
        kind = "backward" if phase.kind == "loss" else phase.kind
        self._draw_norms(kind, phase.layer)

    def _draw_norms(self, kind: str, current: str | None) -> None:
        """A bar per layer: gradient norms (backward) or weight changes (update)."""
        assert self.step is not None
        phases = [p for p in self.step.phases if p.kind == kind]
        # Every layer passes a gradient back; only some have weights to change.
        values = [(p.output_grad_norm if kind == "backward" else p.update_norm) or 0.0
                  for p in phases]
        title = "\u2016dL/d output\u2016 per layer (backward order)" if kind == "backward" \
            else "\u2016\u0394\u03b8\u2016 per layer"
        set_title(self.plot, title, size="9pt")
        brushes = [PHASE_COLOURS[kind] if p.layer == current else "#b8bec8" for p in phases]
        self.plot.addItem(pg.BarGraphItem(x=np.arange(len(values)), height=values, width=0.7,
                                          brushes=brushes))
        names = [p.title.split(": ", 1)[-1] for p in phases]
        self.plot.getAxis("bottom").setTicks([list(enumerate(names))])

    def _enable(self) -> None:
        n = len(self.step.phases) if self.step is not None else 0
        self.back.setEnabled(n > 0 and self.index > 0)
        self.next.setEnabled(n > 0 and self.index < n - 1)

    def _emit_highlight(self) -> None:
        phase = self.step.phases[self.index] if self.step is not None else None
        if phase is None or phase.layer is None or not self.isVisible():
            self.highlighted.emit([], "")
        else:
            self.highlighted.emit([phase.layer], PHASE_COLOURS[phase.kind])

    def clear(self, text: str = EMPTY_STEP) -> None:
        self.step, self.index = None, 0
        self.counter.setText("")
        self.label.setText(text)
        self.plot.clear()
        self._enable()
        self.highlighted.emit([], "")

    # The outline belongs to the step on show: it goes when the view is hidden.
    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._emit_highlight()

    def hideEvent(self, event) -> None:
        super().hideEvent(event)
        self.highlighted.emit([], "")

    def settings_changed(self) -> None:
        """The training settings (learning rate, optimizer, seed, batch) make the step."""
        self.changes += 1
        if self.step is not None or self.call.busy:
            self.clear("The training settings changed since the step was taken: take it "
                       "again.")

    def fresh(self, change: Change) -> None:
        """A step taken for another design, data or project is not the next run's."""
        if change is Change.RUN:
            return
        self.changes += 1
        if change is Change.PROJECT:
            self.clear()
        elif self.step is not None or self.call.busy:
            self.clear(f"{change.value.capitalize()} since the step was taken: take it "
                       f"again.")

    def shutdown(self) -> bool:
        return self.call.shutdown()
