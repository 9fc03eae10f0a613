"""``NEUROCANVAS_QUIT_AFTER_SHOW=1``: the window says how long after the process started
it first painted, then quits. For smoke tests of an installed app or a desktop bundle
(``packaging/smoke-bundle.sh``), which have no test framework to ask."""
from __future__ import annotations

import os
import time
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

ENV_VAR = "NEUROCANVAS_QUIT_AFTER_SHOW"
_IMPORTED = time.monotonic()  # the fallback origin where /proc is not there


def requested(environ=None) -> bool:
    return (os.environ if environ is None else environ).get(ENV_VAR, "") not in ("", "0")


def process_age() -> float | None:
    """Seconds since this process started (Linux: from /proc, 10 ms steps), or None."""
    try:
        fields = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
        started = int(fields[19]) / os.sysconf("SC_CLK_TCK")  # field 22, starttime
        return float(Path("/proc/uptime").read_text().split()[0]) - started
    except (OSError, ValueError, IndexError):
        return None


class QuitAfterFirstPaint(QObject):
    """Watches the application's events until a widget of ``window`` paints, then
    prints ``first-paint-s: SECONDS`` (since the process started) and quits."""

    def __init__(self, window: QWidget, app: QApplication):
        super().__init__(app)
        self._window, self._app, self._seen = window, app, False
        app.installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt's name
        if (not self._seen and event.type() == QEvent.Paint and isinstance(obj, QWidget)
                and obj.window() is self._window):
            self._seen = True
            self._app.removeEventFilter(self)
            QTimer.singleShot(0, self._finish)  # after this paint has been done
        return False

    def _finish(self) -> None:
        age = process_age()
        origin = "process start"
        if age is None:
            age, origin = time.monotonic() - _IMPORTED, "designer start"
        print(f"first-paint-s: {age:.3f} (since {origin})", flush=True)
        self._app.quit()
