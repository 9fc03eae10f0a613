"""Colours and sizes shared by the canvas, palette and panels (one look, one place)."""
from __future__ import annotations

from PySide6.QtGui import QColor

from engine.wording import noun  # noqa: F401 - the designer's views count with it

# One hue per palette category; unknown categories (added later) get a neutral grey.
CATEGORY_COLOURS = {
    "Input": "#2e7d32",
    "Core": "#1565c0",
    "Convolution": "#6a1b9a",
    "Recurrent": "#ef6c00",
    "Attention": "#ad1457",
    "Merge": "#00838f",
    "Normalisation and regularisation": "#5d4037",
}
DEFAULT_CATEGORY_COLOUR = "#546e7a"

CANVAS_BACKGROUND = QColor("#f4f5f7")
CANVAS_GRID = QColor("#dfe2e7")
NODE_FILL = QColor("#ffffff")
NODE_BORDER = QColor("#b8bec8")
NODE_SELECTED = QColor("#1e88e5")
NODE_TEXT = QColor("#1f2933")
NODE_SUBTLE_TEXT = QColor("#5f6b7a")
ERROR = QColor("#d32f2f")
ERROR_FILL = QColor("#fdecea")
VALID = QColor("#2e7d32")
WARNING = QColor("#b26a00")  # worth a look, not wrong (amber, readable on white)
EDGE = QColor("#7b8794")
EDGE_HOVER = QColor("#1e88e5")
EDGE_LABEL_FILL = QColor(255, 255, 255, 230)

NODE_WIDTH = 164.0
NODE_HEIGHT = 94.0
HEADER_HEIGHT = 26.0
PORT_RADIUS = 6.5


def category_colour(category: str) -> QColor:
    return QColor(CATEGORY_COLOURS.get(category, DEFAULT_CATEGORY_COLOUR))


def compact_shape(shape) -> str:
    """Edge labels: ``32×8×8`` fits between nodes where ``(32, 8, 8)`` would not."""
    if shape is None:
        return "?"
    return "\u00d7".join(str(d) for d in shape)


def format_count(n: int) -> str:
    """Parameter counts as people read them: 1,234 or 1.2M."""
    if n >= 1_000_000:
        return f"{n / 1_000_000:.1f}M"
    return f"{n:,}"
