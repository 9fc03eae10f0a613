"""Data sets shipped in ``resources/data`` (see SOURCES.md there): iris, the 8x8 digits,
5000 MNIST digits and Shakespeare's Sonnets (real), and the waveforms (synthetic, made by
``resources/examples/make_waveforms.py``). All load offline, with NumPy and the standard
library only.
"""
from __future__ import annotations

import gzip
from dataclasses import replace

import numpy as np

from ..errors import DataError
from ..resources import data_file
from .csv_loader import load_csv
from .dataset import Dataset
from .text import char_dataset, read_text

DIGIT_NAMES = tuple(str(d) for d in range(10))


def load_iris(seed: int = 0) -> Dataset:
    """Fisher's iris: 150 flowers, 4 measurements (cm), 3 species. x float32 (150, 4)."""
    data = load_csv(data_file("iris.csv"), target="species")
    return replace(data, name="iris", source="bundled: iris.csv", meta={},
                   description="Iris (Fisher, 1936): 150 flowers, 4 measurements in cm, "
                               "3 species.")


def _digits_arrays() -> tuple[np.ndarray, np.ndarray]:
    path = data_file("digits.csv.gz")
    try:
        with gzip.open(path, "rt") as f:
            table = np.loadtxt(f, delimiter=",", dtype=np.int64)
    except (OSError, ValueError) as exc:
        raise DataError(f"The bundled digits file is damaged ({exc}).") from None
    return table[:, :64], table[:, 64]


def load_digits(seed: int = 0) -> Dataset:
    """1797 handwritten digits of 8x8 pixels as 64 features scaled to [0, 1]."""
    pixels, labels = _digits_arrays()
    names = tuple(f"pixel_{r}_{c}" for r in range(8) for c in range(8))
    return Dataset(x=(pixels / 16.0).astype(np.float32), y=labels, task="classification",
                   name="digits", input_kind="features", class_names=DIGIT_NAMES,
                   feature_names=names, source="bundled: digits.csv.gz",
                   description="Handwritten digits (UCI): 1797 images of 8x8 pixels as 64 "
                               "features in [0, 1], 10 classes.")


def load_digits_images(seed: int = 0) -> Dataset:
    """The same 1797 digits as images: x float32 (1797, 1, 8, 8) in [0, 1]."""
    pixels, labels = _digits_arrays()
    x = (pixels / 16.0).astype(np.float32).reshape(-1, 1, 8, 8)
    return Dataset(x=x, y=labels, task="classification", name="digits_images",
                   input_kind="image", class_names=DIGIT_NAMES,
                   source="bundled: digits.csv.gz",
                   description="Handwritten digits (UCI) as 1x8x8 images in [0, 1], "
                               "1797 samples, 10 classes.")


def _balanced_subset(y: np.ndarray, n_samples: int, rng: np.random.Generator) -> np.ndarray:
    """``n_samples`` indices with the classes as even as possible, in random order."""
    classes = np.unique(y)
    per_class = [n_samples // len(classes) + (i < n_samples % len(classes))
                 for i in range(len(classes))]
    picks = [rng.permutation(np.flatnonzero(y == c))[:k] for c, k in zip(classes, per_class)]
    return rng.permutation(np.concatenate(picks))


def load_mnist(n_samples: int = 5000, seed: int = 0) -> Dataset:
    """Up to 5000 MNIST digits (500 per class) as x float32 (N, 1, 28, 28) in [0, 1],
    shuffled with ``seed`` (the file is sorted by class)."""
    with np.load(data_file("mnist_5k.npz"), allow_pickle=False) as data:
        images, labels = data["x"], data["y"].astype(np.int64)
    order = _balanced_subset(labels, min(n_samples, len(labels)), np.random.default_rng(seed))
    x = (images[order].astype(np.float32) / 255.0)[:, None]
    return Dataset(x=x, y=labels[order], task="classification", name="mnist",
                   input_kind="image", class_names=DIGIT_NAMES, source="bundled: mnist_5k.npz",
                   description=f"MNIST: {len(order)} handwritten digits of 28x28 pixels "
                               f"in [0, 1], classes balanced.")


def load_shakespeare(seq_length: int = 64, stride: int = 0, lowercase: bool = False,
                     max_chars: int = 0, seed: int = 0) -> Dataset:
    """Shakespeare's Sonnets as character windows: x, y int64 (N, seq_length), y the
    next character at each step. ``seed`` is unused (the windows are fixed)."""
    data = char_dataset(read_text(data_file("shakespeare_sonnets.txt")), seq_length, stride,
                        lowercase, max_chars, name="shakespeare",
                        source="bundled: shakespeare_sonnets.txt")
    return replace(data, description="Shakespeare's Sonnets. " + data.description)


def load_waveforms(seed: int = 0) -> Dataset:
    """3000 SYNTHETIC signals of 128 steps, one channel, six shapes (sine, square,
    triangle, sawtooth, chirp, burst): x float32 (3000, 128, 1), as sequences (T, C).
    ``seed`` is unused (the file is fixed; splits shuffle)."""
    try:
        with np.load(data_file("waveforms.npz"), allow_pickle=False) as data:
            x, y = data["x"].astype(np.float32), data["y"].astype(np.int64)
            names = tuple(str(n) for n in data["class_names"])
    except (OSError, ValueError, KeyError) as exc:
        raise DataError(f"The bundled waveforms file is damaged ({exc}).") from None
    return Dataset(x=x, y=y, task="classification", name="waveforms", input_kind="sequence",
                   class_names=names, source="bundled: waveforms.npz (synthetic)",
                   description="Waveforms (synthetic, generated): 3000 noisy signals of 128 "
                               "steps, one channel, 6 shapes with random frequency, phase, "
                               "amplitude, offset and trend.")
