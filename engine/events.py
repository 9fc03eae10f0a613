"""Events the trainer yields. Plain frozen values: safe to hand to another thread."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Started:
    epochs: int
    batches_per_epoch: int
    n_train: int
    n_val: int
    loss: str
    metrics: tuple[str, ...]


@dataclass(frozen=True)
class BatchEnd:
    epoch: int  # 1-based
    batch: int  # 1-based within the epoch
    batches: int
    step: int  # batches since the start of the run
    loss: float
    lr: float
    elapsed: float  # seconds since the start of the run
    samples: int  # samples seen since the start of the run


@dataclass(frozen=True)
class EpochEnd:
    epoch: int
    epochs: int
    record: dict  # one history row: loss, metrics, val_loss, val_metrics, lr, seconds


@dataclass(frozen=True)
class Paused:
    epoch: int
    batch: int


@dataclass(frozen=True)
class Resumed:
    pass


@dataclass(frozen=True)
class RunEnded:
    """Base of the three ways a run ends; ``history`` holds one row per finished epoch."""

    history: list = field(default_factory=list)
    message: str = ""


@dataclass(frozen=True)
class Finished(RunEnded):
    early_stopped: bool = False
    best_epoch: int = 0


@dataclass(frozen=True)
class Stopped(RunEnded):
    pass


@dataclass(frozen=True)
class Diverged(RunEnded):
    epoch: int = 0
    batch: int = 0
