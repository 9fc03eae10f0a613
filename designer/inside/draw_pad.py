"""A pad to draw an image input with the mouse, for "Try one sample".

The pad holds one grey plane at the Input's own H x W, values in [0, 1] (0 paper,
1 ink), and shows it as the network will see it: white ink on black. Colour inputs get
the same plane in every channel (``drawing_input``), so a drawing is always grey.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QWidget

SIDE = 160  # the pad's longer side on screen, in pixels
BRUSH_CELLS = 16  # grids up to this side keep the 8x8 digits' brush; bigger ones scale it


class DrawPad(QWidget):
    """Left button draws, right button erases; ``drawn`` when a stroke ends."""

    drawn = Signal()

    def __init__(self, height: int = 8, width: int = 8, parent=None):
        super().__init__(parent)
        self.setObjectName("draw_pad")
        self.set_grid(height, width)

    def set_grid(self, height: int, width: int) -> None:
        """A blank pad of ``height`` x ``width`` cells, drawn at the Input's aspect."""
        self.cells = np.zeros((height, width), np.float32)
        scale = SIDE / max(height, width)
        self.setFixedSize(max(8, round(width * scale)), max(8, round(height * scale)))
        # One stroke should look alike on an 8x8 digit and a 64x64 photo: the brush
        # grows with the grid (a fixed 1.5-cell brush is a hairline at 64x64).
        self.brush = max(1.0, max(height, width) / BRUSH_CELLS)
        self.update()

    def clear(self) -> None:
        self.cells[:] = 0
        self.update()

    def _paint_at(self, pos: QPointF, erase: bool) -> None:
        h, w = self.cells.shape
        cx, cy = pos.x() / self.width() * w, pos.y() / self.height() * h
        ys, xs = np.mgrid[0:h, 0:w]
        d2 = ((xs + 0.5 - cx) ** 2 + (ys + 0.5 - cy) ** 2) / self.brush ** 2
        ink = np.clip(1.1 - d2 / 1.2, 0, 1).astype(np.float32)  # a soft round brush
        self.cells = np.clip(self.cells - ink, 0, 1) if erase else np.maximum(self.cells, ink)
        self.update()

    def mousePressEvent(self, event) -> None:
        self._paint_at(event.position(), event.button() == Qt.RightButton)

    def mouseMoveEvent(self, event) -> None:
        self._paint_at(event.position(), bool(event.buttons() & Qt.RightButton))

    def mouseReleaseEvent(self, event) -> None:
        self.drawn.emit()

    def paintEvent(self, event) -> None:
        grey = np.ascontiguousarray(np.round(self.cells * 255).astype(np.uint8))
        h, w = grey.shape
        image = QImage(grey.data, w, h, w, QImage.Format_Grayscale8)
        painter = QPainter(self)
        painter.drawImage(self.rect(), image)  # no smoothing: each cell stays a square
        painter.setPen(QColor("#b8bec8"))
        if not self.cells.any():  # a black square alone does not say "draw on me"
            painter.drawText(self.rect(), Qt.AlignCenter, "draw here")
        painter.drawRect(0, 0, self.width() - 1, self.height() - 1)


def drawing_input(cells: np.ndarray, channels: int, normalizer=None) -> np.ndarray:
    """The pad's grey plane as the network takes it: ``(channels, H, W)``, the same
    drawing in every channel, standardised like the data (drawings are raw pixels in
    [0, 1], as the image loaders give; the splits are already standardised)."""
    x = np.repeat(cells[None].astype(np.float32), channels, axis=0)
    if normalizer is not None:
        x = normalizer.transform(x[None])[0].astype(np.float32)
    return x


def pad_help(shape: tuple[int, ...]) -> tuple[str, str]:
    """(label, tooltip) for the pad of an image input of ``shape`` (C, H, W)."""
    c, h, w = shape
    how = "Left button draws, right button erases; the network is asked when you let go."
    if c == 1:
        return ("Or draw one:",
                f"Draw on the {h}\u00d7{w} input, white ink on black as the network sees "
                f"it. {how}")
    return (f"Or draw one (grey: the same drawing in all {c} channels):",
            f"Draw on the {h}\u00d7{w} input, white ink on black. A colour input gets the "
            f"same drawing in each of its {c} channels, so the network sees a grey "
            f"picture, standardised like the data. {how}")
