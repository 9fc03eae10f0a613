"""The built-in data sets: seeded generators and bundled real data, in one registry.

``BUILTINS`` maps a name to a :class:`BuiltinDataset` (loader, options schema, one-line
summary, task, input kind); the designer's data panel builds its option forms from the
schema, the CLI lists the names. ``load_builtin(name, options, seed)`` validates the
options and loads.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from ..errors import ConfigError
from ..params import Param, Schema
from . import bundled, sequences, synthetic
from .dataset import Dataset


@dataclass(frozen=True)
class BuiltinDataset:
    """One built-in data set: how to load it and what it is."""

    name: str
    loader: Callable[..., Dataset]
    schema: Schema
    summary: str
    task: str
    input_kind: str

    def defaults(self) -> dict[str, Any]:
        return self.schema.defaults()

    def load(self, options: dict | None = None, seed: int = 0) -> Dataset:
        values = self.schema.validate(options, owner=f"Data set {self.name!r}")
        return self.loader(seed=seed, **values)


def _n(default: int, low: int = 4, high: int = 100_000) -> Param:
    return Param("n_samples", "int", default, "How many samples to make.", low=low, high=high,
                 label="Samples")


def _noise(default: float, high: float = 1.0, help: str = "Standard deviation of the "
           "Gaussian noise added.") -> Param:
    return Param("noise", "float", default, help, low=0.0, high=high)


_ENTRIES = (
    ("xor", synthetic.make_xor, (
        _n(400), Param("margin", "float", 0.1, "Empty gap kept around both axes; above 0 "
                       "100% accuracy is reachable.", low=0.0, high=0.9)),
     "Noisy 2-D XOR cloud: 2 classes, needs a hidden layer", "classification", "features"),
    ("circles", synthetic.make_circles, (
        _n(400), _noise(0.05), Param("factor", "float", 0.5, "Inner radius / outer radius.",
                                     low=0.05, high=0.95)),
     "Two concentric circles: 2 classes", "classification", "features"),
    ("moons", synthetic.make_moons, (_n(400), _noise(0.1)),
     "Two interleaving half moons: 2 classes", "classification", "features"),
    ("spirals", synthetic.make_spirals, (
        _n(600), Param("arms", "choice", 2, "Number of spiral arms (classes).", choices=(2, 3)),
        Param("turns", "float", 1.5, "Turns of each arm.", low=0.25, high=5.0),
        _noise(0.2, 2.0, "Angular jitter in radians.")),
     "Interleaved spirals: 2 or 3 classes, hard for small networks", "classification",
     "features"),
    ("blobs", synthetic.make_blobs, (
        _n(400), Param("centers", "int", 3, "Number of blobs (classes).", low=2, high=10),
        Param("spread", "float", 1.0, "Standard deviation of each blob.", low=0.05,
              high=5.0)),
     "Gaussian blobs in 2-D: k classes", "classification", "features"),
    ("sine_regression", synthetic.make_sine_regression, (
        _n(200), _noise(0.1), Param("x_range", "float", 3.0, "x is drawn from "
                                    "[-x_range, x_range].", low=0.1, high=20.0)),
     "Noisy 1-D regression: y = sin(x) + noise", "regression", "features"),
    ("iris", bundled.load_iris, (),
     "Iris flowers: 150 samples, 4 measurements, 3 species", "classification", "features"),
    ("digits", bundled.load_digits, (),
     "Handwritten digits 8x8 as 64 features: 1797 samples, 10 classes", "classification",
     "features"),
    ("digits_images", bundled.load_digits_images, (),
     "Handwritten digits as 1x8x8 images: 1797 samples, 10 classes", "classification",
     "image"),
    ("mnist", bundled.load_mnist, (_n(5000, low=10, high=5000),),
     "MNIST digits 1x28x28: up to 5000 samples, 10 classes", "classification", "image"),
    ("sine_forecast", sequences.make_sine_forecast, (
        _n(500), Param("window", "int", 20, "Steps in each input window.", low=2, high=500),
        Param("period", "float", 25.0, "Steps per cycle of the sine.", low=2.0, high=1000.0),
        _noise(0.05)),
     "Forecast the next value of a noisy sine from a window", "regression", "sequence"),
    ("wave_frequency", sequences.make_wave_frequency, (
        _n(600), Param("length", "int", 32, "Steps in each sequence.", low=24, high=512),
        Param("classes", "int", 3, "How many frequencies to tell apart.", low=2, high=4),
        _noise(0.2)),
     "Classify noisy waves by frequency: sequences, 3 classes", "classification", "sequence"),
    ("remember_first", sequences.make_remember_first, (
        _n(600), Param("length", "int", 40, "Steps in each sequence.", low=2, high=1000),
        _noise(1.0, 5.0, "Standard deviation of the noise after step 1.")),
     "Remember step 1 of a noisy sequence: a long-range dependency, 2 classes",
     "classification", "sequence"),
    ("shakespeare", bundled.load_shakespeare, (
        Param("seq_length", "int", 64, "Characters in each window.", low=2, high=2000,
              label="Sequence length"),
        Param("stride", "int", 0, "Characters between window starts; 0 means no overlap.",
              low=0, high=10_000),
        Param("lowercase", "bool", False, "Lower-case the text (a smaller vocabulary)."),
        Param("max_chars", "int", 0, "Use only the first characters; 0 means all.", low=0,
              high=10_000_000)),
     "Shakespeare's Sonnets as characters: predict the next one", "classification",
     "tokens"),
    ("waveforms", bundled.load_waveforms, (),
     "Synthetic waveforms: 3000 noisy signals (128 steps), 6 shapes", "classification",
     "sequence"),
)

BUILTINS: dict[str, BuiltinDataset] = {
    name: BuiltinDataset(name, loader, Schema(tuple(params)), summary, task, kind)
    for name, loader, params, summary, task, kind in _ENTRIES
}


def get_builtin(name: str) -> BuiltinDataset:
    if name not in BUILTINS:
        raise ConfigError(f"There is no built-in data set {name!r}; choose one of "
                          f"{', '.join(BUILTINS)}.", where="name")
    return BUILTINS[name]


def load_builtin(name: str, options: dict | None = None, seed: int = 0) -> Dataset:
    """A built-in data set by name, with ``options`` checked against its schema."""
    return get_builtin(name).load(options, seed)
