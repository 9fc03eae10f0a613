"""One layer seen through the probe batch while training: a line of figures (unit
statistics, norms, update ratio, health), four histograms, and for convolutional or
recurrent layers their feature maps/filters or states/gates. Choosing a node on the
canvas (``select_layer``) or in the combo box switches the layer."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QBoxLayout, QComboBox, QHBoxLayout, QLabel,
                               QStackedWidget, QVBoxLayout, QWidget)

from ..elided_label import ElidedLabel
from ..freshness import Change, FreshView
from ..rich_text import escape
from .common import LAYER_REDRAW_MS, Throttled, scrolling
from .feature_maps import FeatureMapsView
from .histograms import HistogramPanel
from .recurrent_view import RecurrentView
from ..style import noun

LEVEL_COLOURS = {"ok": "#2e7d32", "warn": "#ef6c00", "bad": "#d32f2f"}


def describe(view, health=None) -> str:
    """The layer's figures as one rich-text paragraph."""
    s = view.stats
    activation = f", {view.activation}" if view.activation else ""
    parts = [f"<b>{escape(view.name)}</b> ({view.type}{activation}) output "
             f"{tuple(view.output_shape)}",
             f"mean {s.mean:.3g}, std {s.std:.3g} over {s.units} {noun(s.units, 'unit')}"]
    if view.activation == "relu":
        parts.append(f"dead {s.dead:.0%}")
    if view.activation in ("sigmoid", "tanh"):
        parts.append(f"saturated {s.saturated:.0%}")
    if view.params:
        parts.append(f"\u2016\u03b8\u2016 {view.weight_norm:.3g}")
    if view.grad_norm is not None:
        parts.append(f"\u2016dL/d\u03b8\u2016 {view.grad_norm:.3g}")
    if view.update_ratio is not None:
        parts.append(f"update/weight {view.update_ratio:.1e} per step")
    text = "; ".join(parts)
    if health is not None and health.level != "ok":
        colour = LEVEL_COLOURS[health.level]
        lines = "<br>".join(f"\u26a0 {escape(r)}: {escape(s)}"
                            for r, s in zip(health.reasons, health.suggestions))
        text += f"<br><span style='color:{colour}'>{lines}</span>"
    return text


class LayerInsideView(QWidget, FreshView):
    """``show_snapshot(snapshot, health)`` stores; the throttle draws the chosen layer."""

    layer_chosen = Signal(str)
    # A unit clicked in the maps or heat map: (layer id, (channel, row, col) of a
    # Conv2D or (unit, step) of a recurrent layer), for Explain.
    unit_picked = Signal(str, tuple)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("inside_layer_view")
        self.snapshot, self.health, self.layer_id = None, {}, None
        top = self._make_top()
        self.figures = QLabel("")
        self.figures.setWordWrap(True)
        self.figures.setTextFormat(Qt.RichText)
        self.histograms = HistogramPanel()
        self.maps = FeatureMapsView()
        self.recurrent = RecurrentView()
        self.maps.position_clicked.connect(self._position_clicked)
        self.recurrent.cell_clicked.connect(self._cell_clicked)
        self.special = QStackedWidget()
        self.special.addWidget(QWidget())  # nothing more for dense layers
        self.special.addWidget(self.maps)
        self.special.addWidget(self.recurrent)
        # A box layout, not a splitter: it lays the panes out one beside (or below) the
        # other at no less than their minimum sizes, so neither can cover the other (the
        # splitter let the maps pane lie over two histograms); the scroll area takes
        # what does not fit.
        self.body = QWidget()
        self.panes = QBoxLayout(QBoxLayout.LeftToRight, self.body)
        self.panes.setContentsMargins(0, 0, 0, 0)
        self.panes.addWidget(self.histograms, 1)
        self.panes.addWidget(self.special, 1)
        split = self.split = scrolling(self.body, "inside_layer_scroll")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.figures)
        layout.addWidget(split, 1)
        layout.addStretch(0)  # holds the text at the top while the plots are hidden
        split.setVisible(False)  # empty plots until the first snapshot say nothing
        self.figures.setText("While training, this tab shows one layer as the probe batch "
                             "sees it: histograms of its outputs, gradients, weights and "
                             "biases, and feature maps or hidden states. Choose a layer on "
                             "the canvas or in the list.")
        self.throttle = Throttled(self, self.redraw, LAYER_REDRAW_MS)
        self.draws = 0  # how many redraws happened (tests, benchmarks)

    def _make_top(self) -> QHBoxLayout:
        top = QHBoxLayout()
        top.addWidget(QLabel("Layer:"))
        self.combo = QComboBox()
        self.combo.setObjectName("inside_layer_combo")
        self.combo.setToolTip("The layer to look inside (or click one on the canvas)")
        self.combo.setMinimumContentsLength(14)
        self.combo.activated.connect(self._combo_chosen)
        top.addWidget(self.combo)
        # Elided where the dock is narrow: a long status must not hold the whole dock
        # (and the plots beside it) at its width.
        self.step_label = ElidedLabel("No training yet: press Train to look inside.")
        self.step_label.setStyleSheet("color: #5f6b7a;")
        top.addWidget(self.step_label, 1)
        return top

    def show_snapshot(self, snapshot, health=None) -> None:
        self.snapshot, self.health = snapshot, health or {}
        self.throttle.schedule()

    def select_layer(self, layer_id: str | None) -> None:
        """Show this layer (ids without a view, such as the Input, are remembered)."""
        if layer_id and layer_id != self.layer_id:
            self.layer_id = layer_id
            self.throttle.schedule()

    def clear(self, why: str = "") -> None:
        """No snapshot: the list, the figures and the plots of the last one go too;
        ``why`` says why none will come (a run on the PyTorch backend)."""
        self.snapshot, self.health = None, {}
        self.throttle.cancel()
        self.combo.clear()
        self.split.setVisible(False)
        self.figures.setText("")
        self.step_label.setText(why or "Waiting for the first snapshot\u2026")

    def fresh(self, change: Change) -> None:
        if change is Change.PROJECT:
            self.layer_id = None
            self.clear("No training yet: press Train to look inside.")
        elif change in (Change.DATA, Change.RUN):
            self.clear()

    def _combo_chosen(self, index: int) -> None:
        layer_id = self.combo.itemData(index)
        self.select_layer(layer_id)
        self.throttle.flush()
        self.layer_chosen.emit(layer_id)

    def current_view(self):
        if self.snapshot is None:
            return None
        layers = self.snapshot.layers
        # A layer without a view (the Input) chosen on the canvas: the list shows the
        # first layer, and so do the figures (they used to say "no view" beside it).
        return layers.get(self.layer_id) or layers.get(self.combo.currentData())

    def redraw(self) -> None:
        snap = self.snapshot
        if snap is None:
            return
        self.draws += 1
        self.split.setVisible(True)
        self._fill_combo(snap)
        view = self.current_view()
        loss = f", probe loss {snap.loss:.4g}" if snap.loss is not None else ""
        probe = f"{snap.n_samples} probe {noun(snap.n_samples, 'sample')}"
        self.step_label.setText(f"step {snap.step}{loss} ({probe})")
        if view is None:
            self.figures.setText("Choose a layer.")
            self.histograms.show_layer(None)
            self.special.setCurrentIndex(0)
            self.special.setVisible(False)
            return
        self.figures.setText(describe(view, self.health.get(view.id)))
        self.histograms.show_layer(view)
        if view.feature_maps is not None or view.filters is not None:
            self.maps.show_layer(view, snap.sample)
            self.special.setCurrentIndex(1)
        elif view.hidden is not None:
            self.recurrent.show_layer(view)
            self.special.setCurrentIndex(2)
        else:
            self.special.setCurrentIndex(0)
        self.special.setVisible(self.special.currentIndex() != 0)
        self._arrange()

    def _position_clicked(self, channel: int, row: int, col: int) -> None:
        view = self.current_view()
        if view is not None and view.type == "Conv2D":  # only a Conv2D's map is its own sum
            self.unit_picked.emit(view.id, (channel, row, col))

    def _cell_clicked(self, unit: int, step: int) -> None:
        view = self.current_view()
        if view is not None:
            self.unit_picked.emit(view.id, (unit, step))

    def _fill_combo(self, snap) -> None:
        ids = list(snap.layers)
        if self.layer_id is None and ids:
            self.layer_id = ids[0]
        if ids != [self.combo.itemData(i) for i in range(self.combo.count())]:
            self.combo.clear()
            for layer_id, view in snap.layers.items():
                self.combo.addItem(f"{view.name} ({view.type})", layer_id)
        index = self.combo.findData(self.layer_id)
        if index >= 0:
            self.combo.setCurrentIndex(index)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._arrange()

    def _arrange(self) -> None:
        """Side by side when the scroll area is wide (a floating or large dock) and
        both panes fit at their minimum widths, stacked otherwise."""
        size = self.split.size()
        page = self.special.currentWidget()
        narrowest = page.narrowest() if page is self.maps else page.minimumSizeHint().width()
        hist = self.histograms.minimumWidth()
        wide = size.width() >= max(1.5 * size.height(), hist + narrowest) \
            or not self.special.isVisible()
        direction = QBoxLayout.LeftToRight if wide else QBoxLayout.TopToBottom
        if self.panes.direction() != direction:
            self.panes.setDirection(direction)
        # What the special pane gets: the rest beside the histograms, or all the width
        # less a vertical scroll bar.
        room = size.width() - self.split.verticalScrollBar().sizeHint().width() - 8
        self.maps.arrange(room - (max(hist, size.width() // 2) if wide else 0))

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.throttle.flush()
