"""Try one sample: pick it from the test split (or draw a digit for one-channel image
inputs) and see the prediction with its class probabilities and each layer's output.

The view only asks (``sample_requested(x, target, what)``) and shows answers
(``show_result(SampleResult)``): during a run the dock forwards the request to the
runner's probe, after a run it runs the trained weights; this widget never touches a
network.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QPushButton, QSpinBox, QSplitter,
                               QVBoxLayout, QWidget)

from .common import new_layout, new_plot
from .layer_outputs import LayerOutputs


class DrawPad(QWidget):
    """A small grid to draw a digit on with the mouse (left draws, right erases); the
    values are in [0, 1] like the built-in digit images before standardising."""

    drawn = Signal()

    def __init__(self, height: int = 8, width: int = 8, parent=None):
        super().__init__(parent)
        self.setObjectName("draw_pad")
        self.cells = np.zeros((height, width), np.float32)
        self.setFixedSize(160, 160)
        self.setToolTip("Draw a digit: left button draws, right button erases")

    def clear(self) -> None:
        self.cells[:] = 0
        self.update()

    def _paint_at(self, pos: QPointF, erase: bool) -> None:
        h, w = self.cells.shape
        cx, cy = pos.x() / self.width() * w, pos.y() / self.height() * h
        ys, xs = np.mgrid[0:h, 0:w]
        d2 = (xs + 0.5 - cx) ** 2 + (ys + 0.5 - cy) ** 2
        ink = np.clip(1.1 - d2 / 1.2, 0, 1).astype(np.float32)  # a soft brush ~1.5 cells
        self.cells = np.clip(self.cells - ink, 0, 1) if erase else np.maximum(self.cells, ink)
        self.update()

    def mousePressEvent(self, event) -> None:
        self._paint_at(event.position(), event.button() == Qt.RightButton)

    def mouseMoveEvent(self, event) -> None:
        self._paint_at(event.position(), bool(event.buttons() & Qt.RightButton))

    def mouseReleaseEvent(self, event) -> None:
        self.drawn.emit()

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        h, w = self.cells.shape
        cw, ch = self.width() / w, self.height() / h
        for i in range(h):
            for j in range(w):
                v = int(255 * (1 - self.cells[i, j]))
                painter.fillRect(int(j * cw), int(i * ch), int(cw) + 1, int(ch) + 1,
                                 QColor(v, v, v))
        painter.setPen(QColor("#b8bec8"))
        painter.drawRect(0, 0, self.width() - 1, self.height() - 1)


class SampleView(QWidget):
    sample_requested = Signal(object, object, str)  # x (as the network takes it), target, what

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("inside_sample")
        self.data, self.normalizer, self.result = None, None, None
        pick = self._make_picker()
        self._make_pad()
        self.answer = QLabel("Train the network, then try a sample.")
        self.answer.setWordWrap(True)
        self.answer.setTextFormat(Qt.RichText)
        self.probs_view = new_layout()
        self.probs = new_plot(self.probs_view, 0, 0, "Class probabilities", "probability")
        self.probs.setXRange(0, 1)
        top = QHBoxLayout()
        top.addWidget(self.pad_box)
        top.addWidget(self.probs_view, 1)
        upper = QWidget()
        col = QVBoxLayout(upper)
        col.setContentsMargins(0, 0, 0, 0)
        col.addLayout(pick)
        col.addWidget(self.answer)
        col.addLayout(top, 1)
        self.outputs = LayerOutputs()
        split = QSplitter(Qt.Vertical)
        split.addWidget(upper)
        split.addWidget(self.outputs)
        split.setSizes([260, 400])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(split)
        self.set_data(None)

    def _make_picker(self) -> QHBoxLayout:
        self.index = QSpinBox()
        self.index.setObjectName("sample_index")
        self.try_button = QPushButton("Try this sample")
        self.try_button.clicked.connect(lambda: self.request_index(self.index.value()))
        self.random_button = QPushButton("Random")
        self.random_button.clicked.connect(self._random)
        pick = QHBoxLayout()
        pick.addWidget(QLabel("Test sample"))
        pick.addWidget(self.index)
        pick.addWidget(self.try_button)
        pick.addWidget(self.random_button)
        pick.addStretch(1)
        return pick

    def _make_pad(self) -> None:
        self.pad = DrawPad()
        self.pad.drawn.connect(self.request_drawing)
        self.clear_button = QPushButton("Clear drawing")
        self.clear_button.clicked.connect(self.pad.clear)
        self.pad_box = QWidget()
        pad_col = QVBoxLayout(self.pad_box)
        pad_col.setContentsMargins(0, 0, 0, 0)
        pad_col.addWidget(QLabel("Or draw one:"))
        pad_col.addWidget(self.pad)
        pad_col.addWidget(self.clear_button)
        pad_col.addStretch(1)

    def set_data(self, data, normalizer=None) -> None:
        """The Dataset samples are picked from (already standardised) and the
        normalizer drawings go through; None disables picking."""
        self.data, self.normalizer = data, normalizer
        n = len(data) if data is not None else 0
        self.index.setRange(0, max(n - 1, 0))
        for w in (self.index, self.try_button, self.random_button):
            w.setEnabled(n > 0)
        shape = tuple(data.sample_shape) if data is not None else ()
        drawable = len(shape) == 3 and shape[0] == 1 and max(shape[1:]) <= 32
        self.pad_box.setVisible(drawable)
        if drawable and self.pad.cells.shape != shape[1:]:
            self.pad.cells = np.zeros(shape[1:], np.float32)

    def request_index(self, index: int) -> None:
        if self.data is None or not 0 <= index < len(self.data):
            return
        self.index.setValue(index)
        target = self.data.y[index]
        target = target.item() if np.ndim(target) == 0 else np.array(target)
        self.sample_requested.emit(np.array(self.data.x[index]), target,
                                   f"test sample {index}")

    def request_drawing(self) -> None:
        if self.data is None:
            return
        x = self.pad.cells[None].astype(np.float32)
        if self.normalizer is not None:  # drawings are raw pixels; the data is standardised
            x = self.normalizer.transform(x[None])[0].astype(np.float32)
        self.sample_requested.emit(x, None, "your drawing")

    def _random(self) -> None:
        if self.data is not None and len(self.data):
            self.request_index(int(np.random.default_rng().integers(len(self.data))))

    def show_result(self, result, what: str = "", names: dict | None = None) -> None:
        """Draw a SampleResult: the answer line, probabilities, every layer's output."""
        self.result = result
        self.answer.setText(describe_result(result, what))
        self._draw_probabilities(result)
        names = names or {}
        self.outputs.show_outputs([(names.get(k, k), v, None)
                                   for k, v in result.activations.items()])

    def _draw_probabilities(self, result) -> None:
        self.probs.clear()
        top = list(result.top)[::-1]  # best at the top of the plot
        self.probs_view.setVisible(bool(top))  # regression: the answer line says it all
        if not top:
            return
        y = np.arange(len(top))
        p = np.array([t[2] for t in top])
        brushes = ["#43a047" if t[0] == result.target else "#1e88e5" for t in top]
        self.probs.addItem(pg.BarGraphItem(x0=0, y=y, height=0.7, width=p, brushes=brushes))
        self.probs.getAxis("left").setTicks([[(i, str(t[1])[:14]) for i, t in enumerate(top)]])
        self.probs.setTitle("Class probabilities (green: the true class)", size="9pt")
        self.probs.setXRange(0, 1)


def describe_result(result, what: str = "") -> str:
    head = f"{what}: " if what else ""
    if result.probabilities is None:
        out = np.asarray(result.output).reshape(-1)
        values = ", ".join(f"{v:.4g}" for v in out[:6])
        target = "" if result.target is None else \
            f" (true {', '.join(f'{v:.4g}' for v in np.asarray(result.target).reshape(-1)[:6])})"
        return f"{head}the network outputs <b>{values}</b>{target}"
    best = result.top[0] if result.top else None
    if best is None:
        return head + "no prediction"
    text = f"{head}predicted <b>{best[1]}</b> with probability {best[2]:.1%}"
    if result.target is not None and np.ndim(result.target) == 0:
        names = {t[0]: t[1] for t in result.top}
        true = names.get(int(result.target), str(result.target))
        ok = int(result.target) == best[0]
        text += f"; true class <b>{true}</b> ({'right' if ok else 'wrong'})"
    return text
