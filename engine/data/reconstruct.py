"""Autoencoder targets: each sample's target is its own input.

With the data setting ``reconstruct`` the network learns to reproduce what it is
given (an autoencoder; with a bottleneck it must compress). The splits are made first,
from the loaded labels (so a classification data set keeps its classes balanced across
the splits), then each split's targets become a float copy of its inputs *before*
standardising: the network reads standardised inputs and reconstructs the raw values
(pixels in [0, 1] for the bundled images), so a sigmoid output can reach them. The
labels are not used after that.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from ..errors import ConfigError
from .dataset import Dataset

RECONSTRUCT_KINDS = ("features", "image", "sequence")


def check_reconstructable(data: Dataset) -> None:
    if data.input_kind not in RECONSTRUCT_KINDS:
        raise ConfigError(f"data: reconstruct needs features, images or sequences as inputs; "
                          f"{data.name} has {data.input_kind} inputs.", where="reconstruct")


def as_reconstruction(data: Dataset) -> Dataset:
    """The same inputs, with targets equal to them (the same array: nothing writes to
    either in place, and standardising makes a new x) and the task a regression."""
    return replace(data, y=data.x, task="regression", class_names=(),
                   description=(data.description + " Target: the input itself "
                                "(reconstruct; the labels are set aside).").strip())


def target_range(y: np.ndarray) -> list[float]:
    """[min, max] of the targets (what a bounded output activation must reach)."""
    if y.size == 0:
        return [0.0, 0.0]
    return [float(np.min(y)), float(np.max(y))]
