"""Standardisation: subtract a mean and divide by a standard deviation learned from the
training split only, so validation and test data never leak into the model.

Statistics are kept per *feature*: per column for features ``(N, D)``, per channel for
images ``(N, C, H, W)`` (over all pixels), per input dimension for sequences
``(N, T, D)`` (over all steps). Token inputs are ids, never standardised. A feature
that does not vary (std 0) is only centred (its std is taken as 1).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import DataError

FEATURE_AXIS = {"features": 1, "image": 1, "sequence": 2}
MIN_STD = 1e-8


@dataclass(frozen=True)
class Standardizer:
    """Per-feature mean and std and the axis of a batch that holds the features."""

    mean: np.ndarray
    std: np.ndarray
    axis: int

    @classmethod
    def fit(cls, x: np.ndarray, input_kind: str = "features") -> Standardizer:
        """Learn mean and std from ``x`` (the training inputs)."""
        if input_kind not in FEATURE_AXIS:
            raise DataError(f"{input_kind} inputs cannot be standardised.")
        axis = FEATURE_AXIS[input_kind]
        if len(x) == 0:
            raise DataError("Cannot standardise with an empty training set.")
        others = tuple(a for a in range(x.ndim) if a != axis)
        mean = x.mean(axis=others, dtype=np.float64)
        # The squared deviations a block of samples at a time: x.std made them all at
        # once in float64, twice the size of the float32 data.
        shape = [1] * x.ndim
        shape[axis] = len(mean)
        squares = np.zeros_like(mean)
        for block in _blocks(x):
            squares += ((block - mean.reshape(shape)) ** 2).sum(axis=others)
        std = np.sqrt(squares * (len(mean) / x.size))
        std = np.where(std < MIN_STD, 1.0, std)
        return cls(mean=mean, std=std, axis=axis)

    def _shape(self, x: np.ndarray) -> list[int]:
        if x.ndim <= self.axis or x.shape[self.axis] != len(self.mean):
            raise DataError(f"The standardiser was fitted on {len(self.mean)} features but "
                            f"the data has shape {x.shape[1:]}.")
        shape = [1] * x.ndim
        shape[self.axis] = len(self.mean)
        return shape

    def transform(self, x: np.ndarray) -> np.ndarray:
        """(x - mean) / std as float32, computed in float64 a block of samples at a time
        (all at once, the float64 intermediates were four times the float32 result)."""
        shape = self._shape(x)
        mean, std = self.mean.reshape(shape), self.std.reshape(shape)
        out = np.empty(np.shape(x), np.float32)
        start = 0
        for block in _blocks(x):
            out[start:start + len(block)] = (block - mean) / std
            start += len(block)
        return out

    def inverse_transform(self, x: np.ndarray) -> np.ndarray:
        shape = self._shape(x)
        return (x * self.std.reshape(shape) + self.mean.reshape(shape)).astype(np.float32)

    def to_dict(self) -> dict:
        """Plain JSON-able form, for a project or model file."""
        return {"kind": "standard", "axis": int(self.axis),
                "mean": [float(v) for v in self.mean], "std": [float(v) for v in self.std]}

    @classmethod
    def from_dict(cls, data: dict) -> Standardizer:
        try:
            mean = np.asarray(data["mean"], np.float64)
            std = np.asarray(data["std"], np.float64)
            axis = int(data["axis"])
        except (KeyError, TypeError, ValueError) as exc:
            raise DataError(f"A saved standardiser is malformed ({exc!r}).") from None
        if mean.ndim != 1 or mean.shape != std.shape or axis < 1 or (std <= 0).any():
            raise DataError("A saved standardiser is malformed (mean/std/axis).")
        if not (np.isfinite(mean).all() and np.isfinite(std).all()):
            raise DataError("A saved standardiser holds NaN or infinite means or standard "
                            "deviations: its predictions would all be NaN.")
        return cls(mean=mean, std=std, axis=axis)


def normalizer_from_dict(data: dict | None) -> Standardizer | None:
    """The inverse of ``Standardizer.to_dict``; ``None`` or kind "none" give None."""
    if not data or data.get("kind") == "none":
        return None
    if data.get("kind") != "standard":
        raise DataError(f"Unknown normaliser kind {data.get('kind')!r}.")
    return Standardizer.from_dict(data)


BLOCK_VALUES = 1 << 20  # values per block: 8 MB of float64 intermediates


def _blocks(x: np.ndarray):
    """``x`` in blocks of whole samples (along axis 0) of about BLOCK_VALUES values."""
    x = np.asarray(x)
    rows = max(1, BLOCK_VALUES // max(1, int(np.prod(x.shape[1:]))))
    for start in range(0, len(x), rows):
        yield x[start:start + rows]
