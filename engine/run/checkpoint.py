"""The whole state of a training run, so that it can go on exactly where it stopped.

A ``Checkpoint`` holds what the run loop needs to reproduce the batches an
uninterrupted run would have taken: the weights (and running statistics), the
optimizer's moments and step count, the epoch and the batches done in it, the state of
the shuffling generator at the start of that epoch (the epoch's order is drawn again
from it), the dropout generator's state, the half-finished epoch's sums, early stopping,
the history and the time spent. It also says what it was taken from: the design (as a
fingerprint and as the design itself, so a changed design can be described), the data
(a fingerprint of the prepared arrays and the data description) and the settings.

In a project file the arrays go in ``checkpoint.npz`` and the rest in ``project.json``
(``to_parts`` / ``from_parts``); between processes it travels as a dataclass.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np

from ..errors import ProjectError

# Settings whose change makes a checkpoint unusable: the optimizer's state has another
# meaning, and a half-done epoch was cut into batches of the old size.
INCOMPATIBLE_SETTINGS = ("optimizer", "batch_size", "shuffle")


@dataclass(frozen=True)
class Checkpoint:
    weights: dict  # layer_id/param -> array (trainable weights and running statistics)
    optimizer: dict  # Optimizer.state_dict(): moments by index, "t" the step count
    epoch: int  # the epoch in progress (1-based); batch == 0: it has not started
    batch: int  # batches done in that epoch
    step: int  # batches since the start of the run
    samples: int  # samples seen since the start of the run
    elapsed: float  # seconds of training so far
    shuffle_state: dict  # the shuffling generator's state at the start of ``epoch``
    dropout_state: dict  # the network's generator (dropout) now
    partial: dict  # the epoch in progress: loss_sum, correct, labels, seconds
    early: dict  # best, best_epoch, waited
    best_weights: list | None  # the best epoch's buffers (early stopping, restore_best)
    history: list  # one record per finished epoch
    design: str  # fingerprint of the design trained
    data: str  # fingerprint of the prepared data
    settings: dict  # the run's validated settings
    design_spec: dict = field(default_factory=dict)  # the design itself (to say what changed)
    data_config: dict = field(default_factory=dict)  # the data description used

    def describe(self) -> str:
        """Where the run stands, for people: "epoch 3, batch 12" or "after epoch 4"."""
        if self.batch:
            return f"epoch {self.epoch}, batch {self.batch}"
        return f"after epoch {self.epoch - 1}" if self.epoch > 1 else "before the first epoch"

    # ---- in a project file ------------------------------------------------------------
    def to_parts(self) -> tuple[dict, dict[str, np.ndarray]]:
        """(JSON-able metadata, arrays) for a project file."""
        arrays = {f"weights/{k}": v for k, v in self.weights.items()}
        arrays.update({f"optimizer/{k}": np.asarray(v) for k, v in self.optimizer.items()})
        for i, buf in enumerate(self.best_weights or []):
            arrays[f"best/{i}"] = buf
        meta = {name: getattr(self, name) for name in (
            "epoch", "batch", "step", "samples", "elapsed", "shuffle_state", "dropout_state",
            "partial", "early", "history", "design", "data", "settings", "design_spec",
            "data_config")}
        meta["best_count"] = None if self.best_weights is None else len(self.best_weights)
        meta["early"] = {**self.early, "best": _json_float(self.early.get("best"))}
        return meta, arrays

    @classmethod
    def from_parts(cls, meta: dict, arrays: dict[str, np.ndarray]) -> Checkpoint:
        """The checkpoint of a project file; raises ProjectError when it is not whole."""
        try:
            weights = _group(arrays, "weights/")
            optimizer = _group(arrays, "optimizer/")
            count = meta.get("best_count")
            best = None if count is None else [arrays[f"best/{i}"] for i in range(int(count))]
            early = dict(meta["early"])
            early["best"] = float(early["best"]) if early.get("best") is not None else np.inf
            checkpoint = cls(
                weights, optimizer, int(meta["epoch"]), int(meta["batch"]), int(meta["step"]),
                int(meta["samples"]), float(meta["elapsed"]), dict(meta["shuffle_state"]),
                dict(meta["dropout_state"]), dict(meta["partial"]), early, best,
                list(meta["history"]), str(meta["design"]), str(meta["data"]),
                dict(meta["settings"]), dict(meta.get("design_spec") or {}),
                dict(meta.get("data_config") or {}))
        except (KeyError, TypeError, ValueError) as exc:
            raise ProjectError(f"the saved training checkpoint is incomplete ({exc}); "
                               f"train afresh") from None
        if "t" not in optimizer or checkpoint.epoch < 1 or checkpoint.batch < 0:
            raise ProjectError("the saved training checkpoint is incomplete; train afresh")
        return checkpoint


def _group(arrays: dict, prefix: str) -> dict:
    return {k[len(prefix):]: v for k, v in arrays.items() if k.startswith(prefix)}


def _json_float(value):
    """JSON has no infinity: an unset "best" is saved as null."""
    return None if value is None or not np.isfinite(value) else float(value)


def data_fingerprint(prepared) -> str:
    """What the run's batches are made of: every split's inputs and targets (their
    bytes, shapes and types). Hashing 15 MB of MNIST takes about 20 ms."""
    digest = hashlib.blake2b(digest_size=16)
    for part in (prepared.train, prepared.val, prepared.test):
        for arr in (part.x, part.y):
            arr = np.ascontiguousarray(arr)
            digest.update(f"{arr.dtype.str}{arr.shape}".encode())
            digest.update(arr.reshape(-1).view(np.uint8).data)
    return digest.hexdigest()
