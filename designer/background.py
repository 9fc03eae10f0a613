"""A worker thread for one function call, for any part of the window (the inside
views' evaluations and previews, the Data panel's loading).

The thread is a QThread kept referenced until its result has arrived in the GUI thread
(a QThread garbage-collected while running aborts the process), and ``shutdown`` waits
for it from the GUI thread, as the window's teardown must.
"""
from __future__ import annotations

from PySide6.QtCore import QObject, QThread, Signal


class _Call(QThread):
    done = Signal(object, object)  # result, error message (one of them None)

    def __init__(self, fn, blas_threads: int | None):
        super().__init__()
        self.fn, self.blas_threads = fn, blas_threads
        self.setStackSize(8 * 1024 * 1024)  # OpenBLAS overflows a QThread's default on macOS

    def run(self) -> None:
        try:
            if self.blas_threads:
                from threadpoolctl import threadpool_limits

                with threadpool_limits(self.blas_threads, user_api="blas"):
                    result = self.fn()
            else:
                result = self.fn()
        except Exception as exc:  # noqa: BLE001 - becomes a message in the view
            self.done.emit(None, f"{type(exc).__name__}: {exc}" if not str(exc).startswith(
                type(exc).__name__) else str(exc))
            return
        self.done.emit(result, None)


class BackgroundCall(QObject):
    """Run one function on a worker thread; ``finished(result, error)`` in the GUI
    thread. One call at a time; ``shutdown`` waits for a running one."""

    finished = Signal(object, object)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._worker: _Call | None = None
        self._closed = False

    @property
    def busy(self) -> bool:
        # Busy until ``finished`` has been emitted, not only while the thread runs:
        # between the end of ``run`` and the queued ``done`` a new call would otherwise
        # start, and the old ``done`` would then wait for (and report) the new worker.
        return self._worker is not None

    def start(self, fn, blas_threads: int | None = 1) -> bool:
        if self.busy or self._closed:
            return False
        worker = _Call(fn, blas_threads)
        worker.done.connect(self._done)
        self._worker = worker
        worker.start()
        return True

    def _done(self, result, error) -> None:
        worker, self._worker = self._worker, None
        if worker is not None:
            worker.wait()
        self.finished.emit(result, error)

    def shutdown(self, timeout_ms: int = 10000) -> bool:
        """Wait for a running call and refuse new ones: a debounce timer firing after
        the window closed must not start a thread the window's teardown will not wait for."""
        self._closed = True
        return self._worker is None or self._worker.wait(timeout_ms)
