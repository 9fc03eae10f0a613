"""Learning-rate schedules as pure functions of training progress (epochs, fractional)."""
from __future__ import annotations

import math

from .errors import ConfigError

SCHEDULES = ("constant", "step", "exponential", "cosine")


def learning_rate(kind: str, base_lr: float, progress: float, total_epochs: int,
                  step_size: int = 10, gamma: float = 0.5, min_lr: float = 0.0) -> float:
    """The learning rate ``progress`` epochs into a run of ``total_epochs``.

    step: multiply by gamma every step_size epochs; exponential: by gamma every epoch;
    cosine: from base_lr down to min_lr over the run, smoothly (per batch).
    """
    if kind == "constant":
        return base_lr
    if kind == "step":
        return base_lr * gamma ** (int(progress) // max(step_size, 1))
    if kind == "exponential":
        return base_lr * gamma ** int(progress)
    if kind == "cosine":
        frac = min(progress / max(total_epochs, 1), 1.0)
        return min_lr + 0.5 * (base_lr - min_lr) * (1 + math.cos(math.pi * frac))
    raise ConfigError(f"unknown schedule {kind!r} (known: {', '.join(SCHEDULES)})")
