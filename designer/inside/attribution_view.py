"""Why this prediction: the attributions a SampleResult carries (engine.insights.
attribution), drawn beside the sample. Images: the input, its saliency and its
occlusion map as heat maps; features: a bar per feature (the largest first, named
from the data); sequences: a bar per time step. Signed values are red (for the score)
and blue (against it)."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from .common import DIVERGING, new_layout, new_plot

MAX_FEATURES = 12  # bars a short dock can still label
HOT = pg.colormap.get("inferno")


class AttributionView(QWidget):
    """Owned by the SampleView, which clears it when the world changes."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("inside_attribution")
        self.caption = QLabel("")
        self.caption.setWordWrap(True)
        self.caption.setTextFormat(Qt.PlainText)  # class names, never markup
        self.view = new_layout()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.caption)
        layout.addWidget(self.view, 1)
        self.shown = None
        self.clear()

    def clear(self) -> None:
        self.shown = None
        self.view.clear()
        self.caption.setText("")
        self.setVisible(False)

    def show_attribution(self, why, x=None, names=()) -> None:
        """Draw an Attribution; ``x`` the sample (images: drawn first), ``names`` the
        data's feature names (else 'feature i')."""
        self.view.clear()
        self.shown = why
        if why is None:
            self.clear()
            return
        self.setVisible(True)
        if why.kind == "image":
            self._images(why, x)
            how = (f"saliency |\u2202score/\u2202pixel|; occlusion: drop in score when a "
                   f"{why.patch}\u00d7{why.patch} patch is set to the image's mean grey")
        elif why.kind == "features":
            self._features(why.values, names)
            how = "gradient \u00d7 input per feature (red: raises the score)"
        else:
            self._steps(why.values)
            how = "gradient \u00d7 input summed per time step (red: raises the score)"
        self.caption.setText(f"Why: the score is {why.score}; {how}.")

    def _images(self, why, x) -> None:
        panels = [("Saliency", why.saliency, HOT, False),
                  ("Occlusion", why.occlusion, DIVERGING, True)]
        if x is not None and np.ndim(x) == 3:
            panels.insert(0, ("Input", np.asarray(x, np.float64).mean(axis=0),
                              pg.colormap.get("CET-L1"), False))
        for col, (title, values, cmap, signed) in enumerate(panels):
            box = self.view.addViewBox(row=1, col=col, lockAspect=True, invertY=True)
            self.view.addLabel(title, row=0, col=col, size="9pt", color="#1f2933")
            box.setMouseEnabled(False, False)
            image = pg.ImageItem(np.asarray(values, np.float64), axisOrder="row-major")
            image.setLookupTable(cmap.getLookupTable(nPts=256))
            image.setLevels(_levels(values, signed))
            box.addItem(image)

    def _features(self, values, names) -> None:
        values = np.asarray(values, np.float64)
        names = list(names) if len(names) == len(values) else \
            [f"feature {i}" for i in range(len(values))]
        order = np.argsort(-np.abs(values), kind="stable")[:MAX_FEATURES][::-1]
        plot = new_plot(self.view, 0, 0, "Attribution per feature (largest first)")
        plot.addItem(pg.BarGraphItem(x0=np.minimum(values[order], 0), y=np.arange(len(order)),
                                     height=0.7, width=np.abs(values[order]),
                                     brushes=[_sign_colour(v) for v in values[order]]))
        plot.getAxis("left").setTicks([[(i, str(names[k])[:16])
                                        for i, k in enumerate(order)]])

    def _steps(self, values) -> None:
        values = np.asarray(values, np.float64)
        plot = new_plot(self.view, 0, 0, "Attribution per time step", x_label="step")
        plot.addItem(pg.BarGraphItem(x=np.arange(len(values)), height=values, width=0.8,
                                     brushes=[_sign_colour(v) for v in values]))


def _levels(values, signed: bool) -> tuple[float, float]:
    top = float(np.max(np.abs(values))) if np.size(values) else 0.0
    top = top if top > 0 else 1.0
    if signed:
        return -top, top
    low = float(np.min(values)) if np.size(values) else 0.0
    return (low, max(float(np.max(values)), low + 1e-12)) if low < 0 else (0.0, top)


def _sign_colour(value: float) -> str:
    return "#e53935" if value >= 0 else "#1e88e5"
