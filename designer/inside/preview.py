"""While editing: each layer's output for one sample of the project's data with fresh
weights, before any training (as PerceptiLabs shows under each component).

Edits arrive in bursts, and building a network costs what the design costs, so the
preview waits until editing pauses (``DEBOUNCE_MS``), runs engine.insights
``preview_design`` on a worker thread on an immutable spec, and only while the view is
visible. A broken design still shows the good part and, per layer, why not.
"""
from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from engine.insights import preview_design

from ..freshness import Change, FreshView
from .common import BackgroundCall
from .layer_outputs import LayerOutputs
from ..style import noun

DEBOUNCE_MS = 400


class PreviewView(QWidget, FreshView):
    """``schedule()`` after edits; ``sample_provider()`` gives one sample or None."""

    def __init__(self, spec_provider, sample_provider, seed_provider=lambda: 0, parent=None):
        super().__init__(parent)
        self.setObjectName("inside_preview")
        self.spec_provider, self.sample_provider = spec_provider, sample_provider
        self.seed_provider, self.seed = seed_provider, 0  # the run's seed: its weights
        self.label = QLabel("Each layer's output for one sample, with the weights training "
                            "will start from.")
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.PlainText)  # errors name layers: never markup
        self.outputs = LayerOutputs()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.label)
        layout.addWidget(self.outputs, 1)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(DEBOUNCE_MS)
        self.timer.timeout.connect(self.run)
        self.call = BackgroundCall(self)
        self.call.finished.connect(self._done)
        self.stale = True
        self.pending = False
        self.selected: str | None = None
        self.preview = None
        self.runs = 0  # previews computed (tests: debouncing)

    def fresh(self, change: Change) -> None:
        """Its sample comes from the data and its weights from the design: either
        changing (a new project changes both) asks for another preview."""
        if change is not Change.RUN:
            self.schedule()

    def schedule(self) -> None:
        self.stale = True
        self.timer.start()  # restarts: a burst of edits makes one preview

    def select_layer(self, layer_id: str | None) -> None:
        self.selected = layer_id
        if self.preview is not None:
            self._draw()

    def run(self) -> None:
        if not self.isVisible() or not self.stale:
            return
        if self.call.busy:
            self.pending = True
            return
        spec, sample = self.spec_provider(), None
        try:
            sample = self.sample_provider()
        except Exception as exc:  # noqa: BLE001 - no data yet is normal while editing
            self._clear(f"No sample to preview: {exc}")
            return
        if spec is None or sample is None:
            self._clear("Choose data in the Data panel to preview each layer's "
                        "output for one of its samples.")
            return
        self.stale = False
        seed = self.seed = self.seed_provider()
        self.call.start(lambda: preview_design(spec, sample, seed), blas_threads=1)

    def _clear(self, text: str) -> None:
        """No preview to show: the last one (maybe another project's) goes too."""
        self.label.setText(text)
        self.preview = None
        self.outputs.show_outputs([])

    def _done(self, preview, error) -> None:
        self.runs += 1
        if error:
            self.label.setText(f"The preview failed: {error}")
        else:
            self.preview = preview
            self._draw()
        if self.pending:
            self.pending = False
            self.run()

    def _draw(self) -> None:
        p = self.preview
        n_bad = sum(1 for l in p.layers.values() if l.output is None)
        missing = (f"; {n_bad} {noun(n_bad, 'layer has', 'layers have')} no output yet."
                   if n_bad else ".")
        self.label.setText("Each layer's output for the first training sample, with the "
                           f"weights training starts from (seed {self.seed}){missing}")
        entries = []
        for layer_id, lp in p.layers.items():
            mark = "\u25b6 " if layer_id == self.selected else ""
            entries.append((f"{mark}{lp.name} ({lp.type})", lp.output, lp.error))
        self.outputs.show_outputs(entries, list(p.layers))

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self.stale:
            self.timer.start()

    def shutdown(self) -> bool:
        return self.call.shutdown()
