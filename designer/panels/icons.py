"""Palette icons drawn with QPainter: a rounded tile in the category's colour with a
glyph for the category, so new layer types get a fitting icon with no artwork."""
from __future__ import annotations

from functools import lru_cache

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap

from .. import style

SIZE = 32


@lru_cache(maxsize=None)
def layer_icon(category: str, type_name: str) -> QIcon:
    icon = QIcon()
    for scale in (1, 2):  # crisp on high-DPI screens
        pixmap = QPixmap(SIZE * scale, SIZE * scale)
        pixmap.setDevicePixelRatio(scale)
        pixmap.fill(Qt.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.Antialiasing)
        painter.setPen(Qt.NoPen)
        painter.setBrush(style.category_colour(category))
        painter.drawRoundedRect(QRectF(2, 2, SIZE - 4, SIZE - 4), 6, 6)
        painter.setPen(QPen(QColor("#ffffff"), 2.0, Qt.SolidLine, Qt.RoundCap, Qt.RoundJoin))
        painter.setBrush(Qt.NoBrush)
        _GLYPHS.get(category, _glyph_letter)(painter, type_name)
        painter.end()
        icon.addPixmap(pixmap)
    return icon


def _glyph_input(p: QPainter, _name: str) -> None:
    p.drawLine(QPointF(8, 16), QPointF(22, 16))
    p.drawPolyline([QPointF(17, 11), QPointF(23, 16), QPointF(17, 21)])
    p.drawLine(QPointF(25, 9), QPointF(25, 23))


def _glyph_core(p: QPainter, _name: str) -> None:
    left, right = [QPointF(10, y) for y in (10, 16, 22)], [QPointF(22, y) for y in (12, 20)]
    p.setPen(QPen(QColor(255, 255, 255, 150), 1.0))
    for a in left:
        for b in right:
            p.drawLine(a, b)
    p.setPen(Qt.NoPen)
    p.setBrush(QColor("#ffffff"))
    for c in left + right:
        p.drawEllipse(c, 2.4, 2.4)


def _glyph_conv(p: QPainter, _name: str) -> None:
    p.setPen(QPen(QColor("#ffffff"), 1.4))
    for i in range(4):
        p.drawLine(QPointF(8 + 5.3 * i, 8), QPointF(8 + 5.3 * i, 24))
        p.drawLine(QPointF(8, 8 + 5.3 * i), QPointF(24, 8 + 5.3 * i))
    p.fillRect(QRectF(8, 8, 10.6, 10.6), QColor(255, 255, 255, 140))


def _glyph_recurrent(p: QPainter, _name: str) -> None:
    p.drawArc(QRectF(9, 9, 14, 14), 60 * 16, 300 * 16)
    p.drawPolyline([QPointF(20, 6.5), QPointF(23.5, 10), QPointF(19.5, 12.5)])


def _glyph_attention(p: QPainter, _name: str) -> None:
    """One query (left) looking at four keys (right), strongly at one of them."""
    keys = [QPointF(23, y) for y in (8, 13, 19, 24)]
    for key, alpha, width in zip(keys, (90, 255, 90, 60), (1.0, 2.2, 1.0, 1.0)):
        p.setPen(QPen(QColor(255, 255, 255, alpha), width))
        p.drawLine(QPointF(9, 16), key)
    p.setPen(Qt.NoPen)
    p.setBrush(QColor("#ffffff"))
    for c in [QPointF(9, 16)] + keys:
        p.drawEllipse(c, 2.2, 2.2)


def _glyph_merge(p: QPainter, _name: str) -> None:
    path = QPainterPath(QPointF(8, 10))
    path.cubicTo(QPointF(14, 10), QPointF(14, 16), QPointF(19, 16))
    path.moveTo(8, 22)
    path.cubicTo(QPointF(14, 22), QPointF(14, 16), QPointF(19, 16))
    path.lineTo(25, 16)
    p.drawPath(path)


def _glyph_norm(p: QPainter, _name: str) -> None:
    path = QPainterPath(QPointF(7, 23))
    path.cubicTo(QPointF(13, 23), QPointF(13, 9), QPointF(16, 9))
    path.cubicTo(QPointF(19, 9), QPointF(19, 23), QPointF(25, 23))
    p.drawPath(path)


def _glyph_letter(p: QPainter, name: str) -> None:
    font = p.font()
    font.setBold(True)
    font.setPixelSize(13)
    p.setFont(font)
    p.drawText(QRectF(0, 0, SIZE, SIZE), Qt.AlignCenter, (name[:2] or "?"))


_GLYPHS = {
    "Input": _glyph_input,
    "Core": _glyph_core,
    "Convolution": _glyph_conv,
    "Recurrent": _glyph_recurrent,
    "Attention": _glyph_attention,
    "Merge": _glyph_merge,
    "Normalisation and regularisation": _glyph_norm,
}
