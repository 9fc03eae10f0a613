"""Garbage collection in the GUI thread only.

Python's cyclic garbage collector runs in whichever thread happens to allocate when a
threshold is crossed. In the window that is often a worker (the runner's thread reading
a big checkpoint frame, a data load): if the garbage holds Qt wrappers, their C++
objects are destroyed there, which takes Qt's locks from the wrong thread while the GUI
thread, holding them, waits for the GIL: the window freezes for good (seen in the
suite: both threads idle, one in ``engine.wire`` decoding, one in the event loop).
So, as pyqtgraph's ``GarbageCollector`` recipe does, automatic collection is turned
off while the window lives and a timer collects in the GUI thread instead.
"""
from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer


class GuiThreadCollector(QObject):
    def __init__(self, interval_ms: int = 1000, parent: QObject | None = None):
        super().__init__(parent)
        self.threshold = gc.get_threshold()
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.collect)
        gc.disable()
        self.timer.start(interval_ms)

    def collect(self) -> None:
        """What the automatic collector would have done since the last tick."""
        counts = gc.get_count()
        for generation in range(3):  # the younger ones first, as Python would
            if counts[generation] <= self.threshold[generation]:
                return
            gc.collect(generation)

    def stop(self) -> None:
        """Automatic collection again (after a last collection, in this thread)."""
        self.timer.stop()
        gc.collect()
        gc.enable()
