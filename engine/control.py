"""Stop, pause, resume and single-step requests from another thread (the GUI's)."""
from __future__ import annotations

import threading


class TrainControl:
    """Thread-safe flags the trainer checks between batches."""

    def __init__(self):
        self._cond = threading.Condition()
        self._stop = False
        self._paused = False
        self._steps = 0  # batches allowed while paused

    def stop(self) -> None:
        with self._cond:
            self._stop = True
            self._cond.notify_all()

    def pause(self) -> None:
        with self._cond:
            self._paused = True

    def resume(self) -> None:
        with self._cond:
            self._paused = False
            self._cond.notify_all()

    def step(self, batches: int = 1) -> None:
        """While paused, let this many batches run, then pause again."""
        with self._cond:
            self._paused = True
            self._steps += batches
            self._cond.notify_all()

    @property
    def stop_requested(self) -> bool:
        return self._stop

    @property
    def pause_requested(self) -> bool:
        with self._cond:
            return self._paused and self._steps == 0 and not self._stop

    def wait_while_paused(self) -> None:
        """Block until resumed, a step is granted or a stop is requested."""
        with self._cond:
            while self._paused and self._steps == 0 and not self._stop:
                self._cond.wait(0.1)

    def take_step(self) -> None:
        """Called by the trainer before each batch: consume a granted step if paused."""
        with self._cond:
            if self._paused and self._steps > 0:
                self._steps -= 1
