"""The window's status bar: a message longer than its room ends in "…" where the
permanent widgets (the lock badge, the zoom label) begin, the whole text in the
tooltip. Qt only clips it, so a long message at 1366 px ran into the zoom label and
read "... the layer before it 100%"."""
from __future__ import annotations

import time

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QStatusBar, QWidget

from .rich_text import as_plain

GAP = 12  # px between the message's end and the first permanent widget


class ElidingStatusBar(QStatusBar):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("status_bar")
        self.permanent: list[QWidget] = []
        self.full_message = ""
        self._until = 0.0  # monotonic time the message goes (0: stays)
        self.messageChanged.connect(self._message_changed)

    def addPermanentWidget(self, widget: QWidget, stretch: int = 0) -> None:  # noqa: N802
        super().addPermanentWidget(widget, stretch)
        self.permanent.append(widget)

    def showMessage(self, text: str, timeout: int = 0) -> None:  # noqa: N802 - Qt's name
        self.full_message = text
        self._until = time.monotonic() + timeout / 1000 if timeout else 0.0
        self._show(timeout)

    def room(self) -> int:
        """The width the message may take: up to the first visible permanent widget,
        less a gap (Qt's own margins: 6 px on the left, 12 on the right)."""
        if self.layout() is not None:
            self.layout().activate()  # a badge just shown has its place now, not later
        right = self.width() - 12
        for widget in self.permanent:
            if widget.isVisible():
                right = min(right, widget.x() - GAP)
        return max(0, right - 6)

    def _show(self, timeout: int) -> None:
        text = self.full_message
        fitted = self.fontMetrics().elidedText(text, Qt.ElideRight, self.room())
        super().showMessage(fitted, timeout)
        self.setToolTip(as_plain(text) if fitted != text else "")

    def _message_changed(self, text: str) -> None:
        if not text:  # timed out or cleared
            self.full_message = ""
            self.setToolTip("")

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        if self.full_message and self.currentMessage():
            left = int((self._until - time.monotonic()) * 1000) if self._until else 0
            if not self._until or left > 0:
                self._show(left)
