"""When a run takes a checkpoint: at every epoch end (but not more often than
``min_gap`` seconds, so a network whose epochs take milliseconds is not slowed by
writing them), and in the middle of an epoch once ``every`` seconds have passed since
the last one. The run's end (finished or stopped) always takes one."""
from __future__ import annotations

import time


class CheckpointPolicy:
    def __init__(self, every: float = 60.0, min_gap: float = 1.0):
        self.every = float(every)
        self.min_gap = min(float(min_gap), self.every)
        self.last = time.perf_counter()

    def due(self, epoch_end: bool) -> bool:
        """Whether to take one now (and if so, the clock starts again)."""
        now = time.perf_counter()
        if now - self.last < (self.min_gap if epoch_end else self.every):
            return False
        self.last = now
        return True
