"""Catch a PySide6 release that drops references to None on calls returning nothing.

PySide6 6.12.0 on Python 3.11 lowered None's reference count on every such call, so any
app died with "none_dealloc" after a few thousand calls (see PLATFORM-NOTES.md)."""
import sys

from PySide6.QtWidgets import QGraphicsRectItem, QGraphicsScene


def test_void_calls_do_not_drop_references_to_none(qapp):
    scene = QGraphicsScene()
    item = QGraphicsRectItem(0, 0, 10, 10)
    scene.addItem(item)
    before = sys.getrefcount(None)
    for i in range(5000):
        item.setPos(i % 7, 1)
        item.update()
        item.setZValue(1)
    assert sys.getrefcount(None) - before >= -10
