"""Tab order that follows what the eye reads, for forms built after the widgets below them.

Qt visits widgets in the order they were created. A form rebuilt when its source changes
is created after the buttons and tables beneath it, so Tab would jump over it to the
bottom of the panel and come back to it last.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractSpinBox, QComboBox, QWidget


def focusable_fields(container: QWidget) -> list[QWidget]:
    """The widgets Tab stops at inside ``container``, in creation order; the line edit
    inside a spin box or an editable combo box is its owner's, not a stop of its own."""
    out = []
    for widget in container.findChildren(QWidget):
        if not widget.focusPolicy() & Qt.TabFocus:
            continue
        parent, inner = widget.parentWidget(), False
        while parent is not None and parent is not container:
            inner = inner or isinstance(parent, (QAbstractSpinBox, QComboBox))
            parent = parent.parentWidget()
        if not inner:
            out.append(widget)
    return out


def chain(before: QWidget, widgets: list[QWidget], after: QWidget | None = None) -> None:
    """Put ``widgets`` in the tab chain right after ``before`` (and ``after`` after them)."""
    previous = before
    for widget in [*widgets, *([after] if after is not None else [])]:
        QWidget.setTabOrder(previous, widget)
        previous = widget
