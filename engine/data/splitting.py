"""Train / validation / test splits and mini-batch index streams."""
from __future__ import annotations

from typing import Iterator, NamedTuple

import numpy as np

from ..errors import ConfigError, DataError
from .dataset import Dataset


class Splits(NamedTuple):
    train: Dataset
    val: Dataset
    test: Dataset


def _count(n: int, fraction: float) -> int:
    return int(np.floor(n * fraction + 0.5))


def check_fractions(validation: float, test: float) -> None:
    for name, value in (("validation_split", validation), ("test_split", test)):
        if not 0.0 <= value < 1.0:
            raise ConfigError(f"{name} must be at least 0 and below 1, not {value!r}.",
                              where=name)
    if validation + test >= 1.0:
        raise ConfigError(f"validation_split + test_split is {validation + test:g}; it must "
                          f"stay below 1 so that some data is left to train on.",
                          where="test_split")


def _stratified(y: np.ndarray, validation: float, test: float, rng) -> tuple:
    """Each class split in the same proportions; every class keeps a training sample."""
    parts: tuple[list, list, list] = ([], [], [])
    for c in np.unique(y):
        members = rng.permutation(np.flatnonzero(y == c))
        n_test = min(_count(len(members), test), len(members) - 1)
        n_val = min(_count(len(members), validation), len(members) - 1 - n_test)
        parts[2].append(members[:n_test])
        parts[1].append(members[n_test:n_test + n_val])
        parts[0].append(members[n_test + n_val:])
    return tuple(rng.permutation(np.concatenate(p)).astype(np.int64) for p in parts)


def _plain(n: int, validation: float, test: float, rng) -> tuple:
    """Random (rng given) or in-order split; in order, test is the last part."""
    order = rng.permutation(n) if rng is not None else np.arange(n)
    n_test, n_val = _count(n, test), _count(n, validation)
    n_train = n - n_test - n_val
    return order[:n_train], order[n_train:n_train + n_val], order[n_train + n_val:]


def split(dataset: Dataset, validation: float = 0.15, test: float = 0.15, seed: int = 0,
          stratify: bool | None = None, shuffle: bool | None = None) -> Splits:
    """Split into train / validation / test (fractions of the whole).

    ``shuffle`` defaults to True, except for data marked ``meta["ordered"]`` (time
    series windows), which is split in time order: train, then validation, then test.
    ``stratify`` (default True for classification with one label per sample) keeps the
    class proportions in every split.
    """
    check_fractions(validation, test)
    if len(dataset) == 0:
        raise DataError(f"{dataset.name} holds no samples.")
    if shuffle is None:
        shuffle = not dataset.meta.get("ordered", False)
    can_stratify = dataset.task == "classification" and dataset.y.ndim == 1 and shuffle
    stratify = can_stratify if stratify is None else (stratify and can_stratify)
    rng = np.random.default_rng(seed) if shuffle else None
    if stratify:
        parts = _stratified(dataset.y, validation, test, rng)
    else:
        parts = _plain(len(dataset), validation, test, rng)
    if len(parts[0]) == 0:
        raise DataError(f"{dataset.name} has {len(dataset)} samples: too few to leave any "
                        f"for training after the validation and test splits.")
    return Splits(*(dataset.subset(p) for p in parts))


def iterate_batches(n: int, batch_size: int, rng: np.random.Generator | int | None = None,
                    shuffle: bool = True, drop_last: bool = False) -> Iterator[np.ndarray]:
    """Index arrays covering ``range(n)`` in batches of ``batch_size`` (the last one may
    be smaller unless ``drop_last``). Shuffled with ``rng`` (a Generator or a seed; None
    means seed 0) when ``shuffle``."""
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) \
            or batch_size < 1:
        raise ConfigError(f"batch_size must be a whole number of at least 1, not "
                          f"{batch_size!r}.", where="batch_size")
    if shuffle:
        rng = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng or 0)
        order = rng.permutation(n)
    else:
        order = np.arange(n)
    stop = n - n % batch_size if drop_last else n
    for start in range(0, stop, batch_size):
        yield order[start:start + batch_size]
