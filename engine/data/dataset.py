"""The dataset type every loader returns and the trainer consumes."""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

TASKS = ("classification", "regression")


@dataclass(frozen=True)
class Dataset:
    """Inputs and targets with what a person needs to read them.

    ``x`` is batch-first: features ``(N, D)``, images ``(N, C, H, W)``, sequences
    ``(N, T, D)``, tokens ``(N, T)`` (integers). For classification ``y`` holds class
    indices (int64), ``(N,)`` or ``(N, T)`` for a label per step; for regression ``y``
    is float ``(N, K)``.
    """

    x: np.ndarray
    y: np.ndarray
    task: str
    name: str = "data"
    input_kind: str = "features"
    class_names: tuple[str, ...] = ()
    feature_names: tuple[str, ...] = ()
    vocabulary: tuple[str, ...] = ()  # token id -> text, for token inputs
    description: str = ""
    source: str = ""
    meta: dict = field(default_factory=dict)

    def __len__(self) -> int:
        return int(self.x.shape[0])

    @property
    def sample_shape(self) -> tuple[int, ...]:
        return tuple(self.x.shape[1:])

    @property
    def n_classes(self) -> int:
        if self.task != "classification":
            return 0
        return len(self.class_names) or int(self.y.max()) + 1

    @property
    def target_shape(self) -> tuple[int, ...]:
        return tuple(self.y.shape[1:])

    def subset(self, index: np.ndarray) -> Dataset:
        return replace(self, x=self.x[index], y=self.y[index])
