"""Try one sample: pick it from the test split, draw one (image inputs, any number of
channels) or type one (token inputs with a vocabulary), and see the prediction with
its class probabilities (or, when the network outputs an image, that image beside the
input: an autoencoder's reconstruction), why (attributions: saliency and occlusion
maps, a bar per feature or per time step) and each layer's output.

The view only asks (``sample_requested(x, target, what)``) and shows answers
(``show_result(SampleResult)``): during a run the dock forwards the request to the
runner (the training process answers), after a run it runs the trained weights; this
widget never touches a network.
"""
from __future__ import annotations

import html

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QPushButton, QSpinBox, QSplitter,
                               QVBoxLayout, QWidget)

from ..freshness import Change, FreshView
from .attribution_view import AttributionView
from .common import MIN_PLOT_HEIGHT, MIN_PLOT_WIDTH, new_layout, new_plot, scrolling, set_title
from .draw_pad import DrawPad, drawing_input, pad_help
from .image_output import ImagePair
from .layer_outputs import LayerOutputs
from .text_sample import TextSample, display_name


EMPTY_SAMPLE = "Train the network, then try a sample."


class SampleView(QWidget, FreshView):
    sample_requested = Signal(object, object, str)  # x (as the network takes it), target, what

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("inside_sample")
        self.data, self.normalizer, self.result = None, None, None
        pick = self._make_picker()
        self._make_pad()
        self.text_box = TextSample()
        self.text_box.text_requested.connect(lambda x, what: self.sample_requested.emit(
            x, None, what))
        self.answer = QLabel(EMPTY_SAMPLE)
        self.answer.setWordWrap(True)
        self.answer.setTextFormat(Qt.RichText)
        self.probs_view = new_layout()
        # No axis label: the title says these are probabilities, and in a short dock
        # the label's row is better spent on the bars.
        self.probs = new_plot(self.probs_view, 0, 0, "Class probabilities")
        self.probs.setXRange(0, 1)
        self.pair = ImagePair()
        self.pair.setVisible(False)
        self.why = AttributionView()
        self.asked_x = None  # the sample last asked about (drawn beside its attributions)
        self.outputs = LayerOutputs()
        self._lay_out(pick)
        self.set_data(None)

    def _lay_out(self, pick: QHBoxLayout) -> None:
        top = QHBoxLayout()
        top.addWidget(self.pad_box)
        top.addWidget(self.text_box, 3)
        top.addWidget(self.probs_view, 2)
        top.addWidget(self.pair, 3)
        top.addWidget(self.why, 3)
        upper = QWidget()
        col = QVBoxLayout(upper)
        col.setContentsMargins(0, 0, 0, 0)
        col.addLayout(pick)
        col.addWidget(self.answer)
        col.addLayout(top, 1)
        # Readable at any dock size: the probabilities never flatten below a plot's
        # height (the view scrolls instead), and the layer rows scroll on their own.
        self.probs_view.setMinimumSize(MIN_PLOT_WIDTH, MIN_PLOT_HEIGHT)
        self.outputs.setMinimumHeight(MIN_PLOT_HEIGHT)
        split = QSplitter(Qt.Vertical)
        split.addWidget(upper)
        split.addWidget(self.outputs)
        split.setChildrenCollapsible(False)
        split.setSizes([440, 260])  # the answer first; the layer rows scroll
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(scrolling(split, "sample_scroll"))

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
        self.pad_label = QLabel("Or draw one:")
        self.pad_label.setWordWrap(True)
        self.pad_box = QWidget()
        self.pad_box.setFixedWidth(self.pad.width() + 8)
        pad_col = QVBoxLayout(self.pad_box)
        pad_col.setContentsMargins(0, 0, 0, 0)
        pad_col.addWidget(self.pad_label)
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
        kind = getattr(data, "input_kind", "")
        drawable = len(shape) == 3 and kind == "image"
        self.pad_box.setVisible(drawable)
        if drawable:
            self._use_pad(shape)
        typable = kind == "tokens" and len(shape) == 1 and self._vocabulary() != ()
        self.typable = typable
        self.text_box.setVisible(typable)
        if typable:
            self.text_box.set_vocabulary(self._vocabulary(), shape[0])

    def _use_pad(self, shape: tuple[int, ...]) -> None:
        if self.pad.cells.shape != shape[1:]:
            self.pad.set_grid(*shape[1:])
            self.pad_box.setFixedWidth(max(self.pad.width(), 160) + 8)
        label, tip = pad_help(shape)
        self.pad_label.setText(label)
        for w in (self.pad_label, self.pad):
            w.setToolTip(tip)

    def _vocabulary(self) -> tuple[str, ...]:
        """Token id -> text, when every token is one character (so text can be typed)."""
        vocab = tuple(getattr(self.data, "vocabulary", ()) or ())
        return vocab if vocab and all(len(t) == 1 for t in vocab) else ()

    def request_index(self, index: int) -> None:
        if self.data is None or not 0 <= index < len(self.data):
            return
        self.index.setValue(index)
        target = self.data.y[index]
        target = target.item() if np.ndim(target) == 0 else np.array(target)
        x = np.array(self.data.x[index])
        if self.typable:  # show the sample's text: what the network reads
            self.text_box.show_reads(x, 0, f"test sample {index}")
        self.asked_x = x
        self.sample_requested.emit(x, target, f"test sample {index}")

    def request_drawing(self) -> None:
        if self.data is None or len(self.data.sample_shape) != 3:
            return
        x = drawing_input(self.pad.cells, self.data.sample_shape[0], self.normalizer)
        self.asked_x = x
        self.sample_requested.emit(x, None, "your drawing")

    def _random(self) -> None:
        if self.data is not None and len(self.data):
            self.request_index(int(np.random.default_rng().integers(len(self.data))))

    def fresh(self, change: Change) -> None:
        """Another project or other data: nothing to pick from until a run or the
        saved weights give it; a new run: the last answer was the old network's."""
        if change in (Change.PROJECT, Change.DATA):
            self.set_data(None)
        if change in (Change.PROJECT, Change.DATA, Change.RUN):
            self.result = None
            self.answer.setText(EMPTY_SAMPLE)
            self.probs.clear()
            self.pair.clear()
            self.pair.setVisible(False)
            self.why.clear()
            self.asked_x = None
            self.outputs.show_outputs([])

    def show_result(self, result, what: str = "", names: dict | None = None) -> None:
        """Draw a SampleResult: the answer line, probabilities, every layer's output."""
        self.result = result
        per_step = "as the next character" if self._vocabulary() else "at the last step"
        classes = tuple(getattr(self.data, "class_names", ()) or ())
        self.answer.setText(describe_result(result, what, classes, per_step))
        self._draw_probabilities(result)
        self._draw_image_output(result)
        self.why.show_attribution(getattr(result, "attribution", None), self.asked_x,
                                  tuple(getattr(self.data, "feature_names", ()) or ()))
        names = names or {}
        self.outputs.show_outputs([(names.get(k, k), v, _note(v))
                                   for k, v in result.activations.items()])

    def _draw_image_output(self, result) -> None:
        """An image output beside what it should match: the target when it has the
        output's shape (an autoencoder's test sample), else the input as asked, in the
        data's own units (standardising undone)."""
        out = np.asarray(result.output)
        shown, what = self._matched_image(result, out.shape)
        self.pair.setVisible(shown is not None)
        if shown is not None:
            self.pair.show_pair(shown, out, what)

    def _matched_image(self, result, shape) -> tuple[np.ndarray | None, str]:
        if result.probabilities is not None or len(shape) != 3:
            return None, ""
        target = None if result.target is None else np.asarray(result.target)
        if target is not None and target.shape == shape:
            return target, "the input (target)"
        x = self.asked_x
        if x is None or np.shape(x) != shape:
            return None, ""
        if self.normalizer is not None:
            x = self.normalizer.inverse_transform(np.asarray(x)[None])[0]
        return np.asarray(x), "the input"

    def _draw_probabilities(self, result) -> None:
        self.probs.clear()
        top = list(result.top)[::-1]  # best at the top of the plot
        self.probs_view.setVisible(bool(top))  # regression: the answer line says it all
        if not top:
            return
        true = true_class(result)
        y = np.arange(len(top))
        p = np.array([t[2] for t in top])
        brushes = ["#43a047" if t[0] == true else "#1e88e5" for t in top]
        self.probs.addItem(pg.BarGraphItem(x0=0, y=y, height=0.7, width=p, brushes=brushes))
        self.probs.getAxis("left").setTicks(
            [[(i, display_name(str(t[1]), short=True)[:14]) for i, t in enumerate(top)]])
        # A short title: the plot is narrow beside a pad or a text box.
        set_title(self.probs, "Next character" if self._vocabulary() else "Class probabilities",
                              size="9pt")
        self.probs_view.setToolTip("The most likely classes; green: the true class"
                                   if true is not None else "The most likely classes")
        self.probs.setXRange(0, 1)


def true_class(result) -> int | None:
    """The true class of the prediction ``top`` lists: the target, or for a class per
    step the last step's (the step ``top`` is for); None when unknown."""
    target, probs = result.target, result.probabilities
    if target is None or probs is None:
        return None
    if np.ndim(target) == 0:
        return int(target)
    if probs.ndim == 2 and np.ndim(target) == 1 and len(target):
        return int(np.asarray(target)[-1])
    return None


def describe_result(result, what: str = "", class_names=(),
                    per_step: str = "at the last step") -> str:
    head = f"{html.escape(what)}: " if what else ""
    if result.probabilities is None and np.ndim(result.output) == 3:
        return head + _image_answer(np.asarray(result.output), result.target)
    if result.probabilities is None:
        out = np.asarray(result.output).reshape(-1)
        values = ", ".join(f"{v:.4g}" for v in out[:6])
        target = "" if result.target is None else \
            f" (true {', '.join(f'{v:.4g}' for v in np.asarray(result.target).reshape(-1)[:6])})"
        return f"{head}the network outputs <b>{values}</b>{target}"
    best = result.top[0] if result.top else None
    if best is None:
        return head + "no prediction"
    step = f" {per_step}" if result.probabilities.ndim == 2 else ""
    text = (f"{head}predicted <b>{_name(best[1])}</b>{step} with probability "
            f"{best[2]:.1%}")
    true = true_class(result)
    if true is not None:
        names = {**dict(enumerate(class_names)), **{t[0]: t[1] for t in result.top}}
        ok = true == best[0]
        text += f"; true class <b>{_name(names.get(true, str(true)))}</b> " \
                f"({'right' if ok else 'wrong'})"
    return text


def _image_answer(out: np.ndarray, target) -> str:
    """An image output in words: its size, and how far it is from the true image."""
    shape = "\u00d7".join(str(d) for d in out.shape)
    text = f"the network outputs a <b>{shape}</b> image"
    if target is not None and np.shape(target) == out.shape:
        mse = float(np.mean((out.astype(np.float64) - np.asarray(target, np.float64)) ** 2))
        text += f"; mean squared error against the true image <b>{mse:.4g}</b>"
    return text


def _note(output) -> str | None:
    """Token ids drawn as bars read like unit values: say what they are."""
    return "token ids" if np.issubdtype(np.asarray(output).dtype, np.integer) else None


def _name(name) -> str:
    return html.escape(display_name(str(name)))
