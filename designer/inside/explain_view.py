"""Explain a unit: pick a layer on the canvas, a unit (a Conv2D position, a Conv1D
output step, a recurrent step) and a training sample; the view shows z = Σ wᵢxᵢ + b, a = φ(z) with φ's curve and
the point, the backward pass and the optimizer's update, with the engine's own numbers
(``engine.insights.explain``), for the trained weights when the project has them and
else for the weights the next run starts from.

The explanation builds a network and runs one sample forwards and backwards, so it runs
on a worker (``BackgroundCall``); a result that comes back after the project, data or
run changed is dropped.
"""
from __future__ import annotations

from dataclasses import dataclass

import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QFont, QFontMetrics, QTextOption
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QSpinBox, QSplitter, QTextBrowser,
                               QVBoxLayout, QWidget)

from engine.insights.common import resolve_loss
from engine.insights.explain import (activation_curve, explain_dense, explain_loss)
from engine.insights.explain_conv import explain_conv, explain_conv1d
from engine.insights.explain_recurrent import explain_recurrent
from engine.network import Network

from ..freshness import Change, FreshView
from .common import BackgroundCall, plain_axes, set_label, set_title
from .explain_html import loss_html, recurrent_html, unit_html

EMPTY_EXPLAIN = ("Select a Dense, Conv2D, Conv1D, SimpleRNN, LSTM or GRU layer on the canvas to see "
                 "one unit's arithmetic with the network's own numbers.")
TITLE_PT = 10  # the activation plot's title, in points
KINDS = {"Dense": "unit", "Conv2D": "position", "SimpleRNN": "step", "LSTM": "step",
         "GRU": "step", "Conv1D": "conv_step"}  # conv_step: a filter at one output step
# Layers with units of their own that this view does not take apart (yet), and why.
NOT_EXPLAINED = {"Conv2DTranspose": "A Conv2DTranspose output is a sum of patches painted "
                                    "by several input pixels; taking one apart is not "
                                    "built yet"}


@dataclass(frozen=True)
class ExplainSource:
    """What an explanation needs, taken in the GUI thread: the design, the weights
    (trained, or None for the seed's), the samples, the loss and the optimizer."""

    spec: object
    seed: int
    weights: dict | None
    data: object  # a Dataset: the training split
    loss: str | None
    settings: dict | None
    optimizer_state: dict | None
    lr: float | None = None  # the schedule's rate for the next step (None: the base rate)
    lr_note: str = ""  # where in the run that step is, for people


def compute(source: ExplainSource, layer_id: str, pos: tuple[int, ...], sample: int):
    """On the worker: the network, then the explanation of ``pos`` on ``sample``."""
    net = Network(source.spec, seed=source.seed)  # type: ignore[arg-type]
    if source.weights is not None:
        net.set_weights(source.weights)
    data = source.data
    x, y = data.x[sample], data.y[sample]  # type: ignore[attr-defined]
    loss = resolve_loss(source.loss, net, data.task)  # type: ignore[attr-defined]
    kind = next(n.layer.type_name for n in net.nodes if n.id == layer_id)
    args = (source.settings, source.optimizer_state)
    if kind == "Dense":
        e = explain_dense(net, layer_id, pos[0], x, y, loss, *args, lr=source.lr)
    elif kind == "Conv2D":
        e = explain_conv(net, layer_id, pos[0], pos[1], pos[2], x, y, loss, *args,
                         lr=source.lr)
    elif kind == "Conv1D":
        e = explain_conv1d(net, layer_id, pos[0], pos[1], x, y, loss, *args, lr=source.lr)
    else:
        e = explain_recurrent(net, layer_id, pos[0], pos[1], x, y, loss, *args, lr=source.lr)
    extra = explain_loss(net, x, y, loss) if layer_id == net.output_id and loss else None
    return e, extra


class ExplainView(QWidget, FreshView):
    """``source_provider()`` gives an ExplainSource or a sentence saying what is missing;
    ``select_layer(layer_id, layer_type, output_shape)`` follows the canvas."""

    def __init__(self, source_provider=None, parent=None):
        super().__init__(parent)
        self.setObjectName("inside_explain")
        self.source_provider = source_provider
        self.layer: tuple[str, str, tuple] | None = None
        self.explanation = self.loss_explanation = None
        self.freshness = None
        self.asked_in = -1
        self.call = BackgroundCall(self)
        self.call.finished.connect(self._done)
        self._build()

    def _build(self) -> None:
        self.label = QLabel(EMPTY_EXPLAIN)
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.PlainText)  # errors name layers: never markup
        self.spins = {name: self._spin(name) for name in
                      ("unit", "row", "col", "step", "sample")}
        pickers = QHBoxLayout()
        for name, spin in self.spins.items():
            pickers.addWidget(QLabel(name.capitalize()))
            pickers.addWidget(spin)
        pickers.addStretch(1)
        self.text = QTextBrowser()
        self.text.setObjectName("explain_text")
        # Break lines between words only: Qt's default also breaks inside a word that
        # does not fit a narrow table cell, and "−0.1137" read "−0.113" then "7".
        self.text.setWordWrapMode(QTextOption.WrapMode.WordWrap)
        self.plot = pg.PlotWidget()
        self.title = "a = φ(z)"
        set_label(self.plot, "bottom", "z")
        plain_axes(self.plot.getPlotItem())
        self.plot.setMinimumWidth(220)
        self.plot.installEventFilter(self)  # its width changes with the splitter and dock
        self._fit_title()
        self.curve = self.plot.plot([], [], pen=pg.mkPen("#8ab4f8", width=2))
        self.point = self.plot.plot([], [], pen=None, symbol="o", symbolSize=10,
                                    symbolBrush="#f6ae2d")
        split = QSplitter()
        split.addWidget(self.text)
        split.addWidget(self.plot)
        split.setSizes([700, 300])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.label)
        layout.addLayout(pickers)
        layout.addWidget(split, 1)
        self._show_pickers()

    def _spin(self, name: str) -> QSpinBox:
        spin = QSpinBox()
        spin.setObjectName(f"explain_{name}")
        spin.setToolTip({"unit": "Which unit (Conv2D, Conv1D: which output channel)",
                         "row": "Output row of the Conv2D position",
                         "col": "Output column of the Conv2D position",
                         "step": "Time step of the sequence (Conv1D: of its output)",
                         "sample": "Which training sample goes through the network"}[name])
        spin.valueChanged.connect(self.refresh)
        return spin

    # ---- following the canvas and the project -------------------------------------
    def select_layer(self, layer_id: str, layer_type: str, out_shape: tuple,
                     in_shape: tuple = ()) -> None:
        if layer_type not in KINDS:
            self.layer = None
            why = NOT_EXPLAINED.get(layer_type,
                                    f"{layer_type} has no units of its own to explain")
            self.clear(f"{why}: " + EMPTY_EXPLAIN[0].lower() + EMPTY_EXPLAIN[1:])
            return
        self.layer = (layer_id, layer_type, tuple(out_shape))
        limits = {"unit": (out_shape[-1] if layer_type != "Conv2D" else out_shape[0])}
        if layer_type == "Conv2D":
            limits |= {"row": out_shape[1], "col": out_shape[2]}
        if KINDS[layer_type] == "step" and in_shape:
            limits["step"] = in_shape[0]
        if KINDS[layer_type] == "conv_step":
            limits["step"] = out_shape[0]
        for name, spin in self.spins.items():
            if name in limits:
                spin.blockSignals(True)
                spin.setRange(0, max(limits[name] - 1, 0))
                spin.blockSignals(False)
        self._show_pickers()
        self.refresh()

    def pick(self, pos: tuple) -> None:
        """Explain the unit at ``pos`` of the selected layer: ``(unit,)`` of a Dense,
        ``(channel, row, col)`` of a Conv2D, ``(unit, step)`` of a recurrent layer."""
        if self.layer is None:
            return
        names = {"unit": ("unit",), "position": ("unit", "row", "col"),
                 "step": ("unit", "step")}[KINDS[self.layer[1]]]
        for name, value in zip(names, pos):
            spin = self.spins[name]
            spin.blockSignals(True)
            spin.setValue(int(value))
            spin.blockSignals(False)
        self.refresh()

    def _show_pickers(self) -> None:
        kind = KINDS.get(self.layer[1], "") if self.layer else ""
        shown = {"unit": bool(kind), "row": kind == "position", "col": kind == "position",
                 "step": kind in ("step", "conv_step"), "sample": bool(kind)}
        layout = self.layout().itemAt(1).layout()
        for i in range(layout.count()):
            w = layout.itemAt(i).widget()
            if w is None:
                continue
            name = w.objectName().removeprefix("explain_") if isinstance(w, QSpinBox) \
                else w.text().lower()
            if name in shown:
                w.setVisible(shown[name])

    def fresh(self, change: Change) -> None:
        if change in (Change.PROJECT, Change.DATA, Change.RUN):
            self.layer = None
            self.clear(EMPTY_EXPLAIN)
        elif self.layer is not None:
            self.refresh()  # an edit: the unit may be another shape, explain it again

    def clear(self, message: str) -> None:
        self.explanation = self.loss_explanation = None
        self.label.setText(message)
        self.text.clear()
        self.curve.setData([], [])
        self.point.setData([], [])
        self.title = "a = φ(z)"  # not the last unit's numbers
        self._fit_title()
        self._show_pickers()

    # ---- computing ------------------------------------------------------------------
    def refresh(self) -> None:
        if self.layer is None or self.source_provider is None or not self.isVisible():
            return
        source = self.source_provider()
        if isinstance(source, str):
            self.clear(source)
            return
        if self.call.busy:
            self._again = True
            return
        self._again = False
        layer_id, kind, _shape = self.layer
        s = {k: v.value() for k, v in self.spins.items()}
        pos = {"unit": (s["unit"],), "position": (s["unit"], s["row"], s["col"]),
               "step": (s["unit"], s["step"]), "conv_step": (s["unit"], s["step"])}[KINDS[kind]]
        sample = min(s["sample"], len(source.data) - 1)
        self.spins["sample"].setMaximum(max(len(source.data) - 1, 0))
        self.asked_in = self._generation()
        what = "trained weights" if source.weights is not None else \
            f"weights the next run starts from (seed {source.seed})"
        schedule = (source.settings or {}).get("schedule", "constant")
        note = "" if schedule == "constant" or source.lr is None else (
            f" The update uses the {schedule} schedule's learning rate for the next step "
            f"({source.lr_note}): α = {source.lr:.4g}.")
        self.label.setText(f"Explaining with the {what}; sample {sample} of the training "
                           f"split (inference mode: no dropout).{note}")
        self.sample_shown = sample
        self.call.start(lambda: compute(source, layer_id, pos, sample))

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if self.layer is not None and self.explanation is None:
            self.refresh()

    def _generation(self) -> int:
        return self.freshness.generation if self.freshness is not None else 0

    def _done(self, value, error) -> None:
        if self.asked_in != self._generation() or self.layer is None:
            return
        if getattr(self, "_again", False):
            self.refresh()
            return
        if error:
            self.clear(f"Cannot explain this: {error}")
            return
        self.explanation, self.loss_explanation = value
        self._render()

    def _render(self) -> None:
        e, sample = self.explanation, self.sample_shown
        if hasattr(e, "gates"):
            html = recurrent_html(e, sample)
            gate = next((g for g in e.gates if g.symbol in ("h", "g", "n")), e.gates[-1])
            self._draw_curve(gate.function, gate.pre, gate.value, f"{gate.symbol} = ")
        else:
            html = unit_html(e, sample)
            self._draw_curve(e.activation, e.z, e.a)
        if self.loss_explanation is not None:
            html += loss_html(self.loss_explanation)
        self.text.setHtml(html)

    def _draw_curve(self, act: str, z: float, a: float, name: str = "a = ") -> None:
        span = max(4.0, abs(z) * 1.5)
        zs, phis = activation_curve(act, -span, span, z, a)
        self.curve.setData(zs, phis)
        self.point.setData([z], [a])
        self.title = f"{name}{act}(z): z = {z:.4g}, a = {a:.4g}"
        self._fit_title()

    def _fit_title(self) -> None:
        """The title as far as the plot's width goes, then "…"; the whole of it in the
        plot's tooltip (a narrow dock cut it off at "a =")."""
        font = QFont(self.font())
        font.setPointSizeF(TITLE_PT)
        room = max(40, self.plot.width() - 16)
        shown = QFontMetrics(font).elidedText(self.title, Qt.ElideRight, room)
        set_title(self.plot, shown, size=f"{TITLE_PT}pt")
        self.plot.setToolTip(self.title)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt's name
        if obj is self.plot and event.type() == QEvent.Type.Resize:
            self._fit_title()
        return super().eventFilter(obj, event)
