"""Targets: telling classification from regression, and turning labels into indices."""
from __future__ import annotations

import numpy as np

from ..errors import DataError
from .dataset import TASKS

MAX_INFERRED_CLASSES = 20


def check_task(task: str | None) -> str | None:
    if task is not None and task not in TASKS:
        raise DataError(f"task must be one of {', '.join(TASKS)} (or left out to infer it), "
                        f"not {task!r}.")
    return task


def looks_like_classes(values: np.ndarray) -> bool:
    """Whole numbers with few distinct values (at most 20, and at most half the rows
    when there are more than four rows) read as class labels; anything else as
    quantities to regress."""
    values = np.asarray(values, np.float64).ravel()
    if values.size == 0 or not np.all(values == np.round(values)):
        return False
    distinct = len(np.unique(values))
    return distinct <= min(MAX_INFERRED_CLASSES, max(2, values.size // 2))


def encode_numbers(values: np.ndarray) -> tuple[np.ndarray, tuple[str, ...]]:
    """Whole-number labels -> indices 0..K-1 in sorted order, and their names. The caller
    has checked the values are whole numbers."""
    unique, index = np.unique(np.asarray(values, np.float64), return_inverse=True)
    names = tuple(str(int(v)) for v in unique)
    return index.reshape(np.shape(values)).astype(np.int64), names


def encode_text(values) -> tuple[np.ndarray, tuple[str, ...]]:
    """Text labels -> indices 0..K-1 in sorted (alphabetical) order, and the names."""
    unique, index = np.unique(np.asarray(values, dtype=str), return_inverse=True)
    return index.reshape(np.shape(values)).astype(np.int64), tuple(str(u) for u in unique)
