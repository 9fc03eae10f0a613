"""The typed events of a training run, defined once: what ``engine.run`` yields, what
the training process sends (``engine.wire`` carries them as they are) and what the
window's runner relays as signals. Plain frozen values: safe to hand to another thread
or process.

A run yields ``Started``; ``BatchEnd`` and ``EpochEnd`` as it goes; ``Paused`` and
``Resumed``; ``Checkpointed`` when it saves its state; one ``RunEnded`` (``Finished``,
``Stopped`` or ``Diverged``); and, from ``engine.run.run_job``, a last ``RunResult``
with the trained weights, the test split's metrics and the project's preprocessing.
The training process coalesces batches into ``Progress`` and reports a crash of its own
as ``RunFailed``."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # engine.run imports this module: no import at run time
    from .run.checkpoint import Checkpoint


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


@dataclass(frozen=True)
class Checkpointed:
    """The run's whole state at this point."""

    checkpoint: Checkpoint


@dataclass(frozen=True)
class RunResult:
    """How a run ended and what it gives the project."""

    ended: RunEnded
    weights: dict  # layer_id/param -> array
    test: dict  # loss and metrics on the test split ({} when there is none)
    loss: str  # the loss trained
    preprocessing: dict  # for the project: loss, normaliser, data set, test, how it ended
    checkpoint: Checkpoint | None = None  # the last one (None when the run diverged)


@dataclass(frozen=True)
class Progress:
    """What happened since the last message of the training process."""

    latest: BatchEnd | None = None
    batch_losses: np.ndarray = field(  # (n, 3): step, loss, lr of every batch
        default_factory=lambda: np.zeros((0, 3)))
    epochs: list = field(default_factory=list)  # history records
    snapshot: object = None  # the newest engine.insights ProbeSnapshot, if one was taken
    health: dict | None = None  # layer id -> engine.insights Health for that snapshot


@dataclass(frozen=True)
class RunFailed:
    """The run could not start or broke: a message for people and the details."""

    message: str
    details: str = ""


@dataclass(frozen=True)
class CommandRefused:
    """The training process could not use a command (malformed, unknown, a bad sample
    to try); the run goes on."""

    message: str
