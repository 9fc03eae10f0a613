"""The JSON-able data description of a project, checked and turned into a Dataset.

::

    {"source": "builtin", "name": "digits", "options": {...},
     "validation_split": 0.15, "test_split": 0.15, "normalize": "standard"}
    {"source": "csv", "path": "houses.csv", "target": "price", "task": "auto",
     "features": ["rooms", "area"], "delimiter": ","}
    {"source": "npz", "path": "data.npz", "task": "auto", "input_kind": "auto"}
    {"source": "images", "path": "photos/", "size": [32, 32], "color": "rgb",
     "resize": true}
    {"source": "timeseries", "path": "load.csv", "target": "kw", "window": 24,
     "horizon": 1, "features": null}
    {"source": "text", "path": "poems.txt", "seq_length": 64}

Every source also takes the common keys ``validation_split``, ``test_split``,
``normalize`` ("standard" or "none"), ``stratify``, ``shuffle`` (null: shuffle
unless the data is a time series) and ``reconstruct`` (an autoencoder's targets: each
input itself, see ``reconstruct.py``). Unknown keys and bad values raise ConfigError whose
``where`` names the field. Relative paths are taken from ``base_dir``.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..params import Param, Schema
from .builtin import load_builtin
from .csv_loader import load_csv
from .dataset import Dataset
from .images import load_image_folder
from .npz_loader import load_npz
from .text import load_text_file
from .timeseries import load_timeseries

COMMON = (
    Param("validation_split", "float", 0.15, "Fraction of the data held out to watch "
          "training.", low=0.0, high=0.9),
    Param("test_split", "float", 0.15, "Fraction held out for the final test.",
          low=0.0, high=0.9),
    Param("normalize", "choice", "standard", "Standardise inputs with the training "
          "split's mean and std (per feature, per image channel); never for tokens.",
          choices=("standard", "none")),
    Param("stratify", "bool", True, "Keep the class proportions in every split."),
    Param("shuffle", "bool", None, "Shuffle before splitting; empty means yes, except for "
          "time series, which are split in time order.", optional=True),
    Param("reconstruct", "bool", False, "Autoencoder: each sample's target is its own "
          "input (the values before standardising), so the network learns to reproduce "
          "it; the labels are set aside. For features, images and sequences.",
          label="Reconstruct the input"),
)

_PATH = Param("path", "str", "", "The file or folder to load.")
_TASK = Param("task", "choice", "auto", "What to predict; auto infers it from the target.",
              choices=("auto", "classification", "regression"))
_DELIM = Param("delimiter", "str", ",", "The character between values.")

SOURCES: dict[str, Schema] = {
    "builtin": Schema((Param("name", "str", "", "Which built-in data set."),)),
    "csv": Schema((_PATH, _TASK, _DELIM)),
    "npz": Schema((_PATH, _TASK, Param("input_kind", "choice", "auto", "How to read x.",
                                       choices=("auto", "features", "sequence", "image",
                                                "tokens")),
                   Param("x_key", "str", "x", "Name of the inputs array."),
                   Param("y_key", "str", "y", "Name of the targets array."))),
    "images": Schema((_PATH, Param("size", "shape", (28, 28), "Height and width to resize "
                                   "to."),
                      Param("color", "choice", "grayscale", "Channels.",
                            choices=("grayscale", "rgb")),
                      Param("resize", "bool", True, "Resize every image to size."))),
    "timeseries": Schema((_PATH, Param("target", "str", "", "The column to forecast."),
                          Param("window", "int", 20, "Steps in each input window.", low=1,
                                high=10_000),
                          Param("horizon", "int", 1, "How many steps ahead to predict.",
                                low=1, high=10_000), _DELIM)),
    "text": Schema((_PATH, Param("seq_length", "int", 64, "Characters per window.", low=2,
                                 high=10_000),
                    Param("stride", "int", 0, "Characters between windows (0: no overlap).",
                          low=0, high=100_000),
                    Param("lowercase", "bool", False, "Lower-case the text."),
                    Param("max_chars", "int", 0, "Use only the first characters (0: all).",
                          low=0, high=100_000_000))),
}
# Keys that hold a list or a dict, checked by hand (Param kinds are scalars).
LIST_KEYS = {"csv": ("target", "features"), "timeseries": ("features",),
             "builtin": ("options",)}


def _columns(value: Any, key: str, required: bool) -> list[str] | str | None:
    if value is None and not required:
        return None
    if isinstance(value, str) and value:
        return value
    if isinstance(value, list) and value and all(isinstance(v, str) and v for v in value):
        return value
    need = "a column name or a list of them" + ("" if required else " (or null for all)")
    raise ConfigError(f"data: {key} must be {need}, not {value!r}.", where=key)


def _special(source: str, config: dict) -> dict[str, Any]:
    out = {}
    for key in LIST_KEYS.get(source, ()):
        value = config.pop(key, None)
        if key == "options":
            if value is not None and not isinstance(value, dict):
                raise ConfigError(f"data: options must be a mapping, not {value!r}.",
                                  where="options")
            out[key] = value or {}
        else:
            out[key] = _columns(value, key, required=(key == "target"))
    return out


def read_data_config(config: dict) -> tuple[str, dict[str, Any]]:
    """Check a data description; return its source and every setting, defaults filled."""
    if not isinstance(config, dict):
        raise ConfigError(f"The data description must be a mapping, not {config!r}.",
                          where="data")
    config = dict(config)
    source = config.pop("source", None)
    if source not in SOURCES:
        raise ConfigError(f"data: source must be one of {', '.join(SOURCES)}, not "
                          f"{source!r}.", where="source")
    special = _special(source, config)
    values = Schema(COMMON + SOURCES[source].params).validate(config, owner="data")
    for key in ("path", "name", "target"):
        if values.get(key) == "":
            raise ConfigError(f"data: {key} is required for a {source} source.", where=key)
    if source == "images" and len(values["size"]) > 2:
        raise ConfigError("data: size must be [height, width] or one side.", where="size")
    return source, {**values, **special}


def _path(value: str, base_dir: str | Path | None) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() or base_dir is None else Path(base_dir) / path


def _task(value: str) -> str | None:
    return None if value == "auto" else value


def load_dataset(source: str, v: dict[str, Any], seed: int = 0,
                 base_dir: str | Path | None = None) -> Dataset:
    """Load the data a checked description (``read_data_config``) points at."""
    if source == "builtin":
        return load_builtin(v["name"], v["options"], seed)
    path = _path(v["path"], base_dir)
    if source == "csv":
        return load_csv(path, v["target"], _task(v["task"]), v["features"], v["delimiter"])
    if source == "npz":
        kind = None if v["input_kind"] == "auto" else v["input_kind"]
        return load_npz(path, _task(v["task"]), kind, v["x_key"], v["y_key"])
    if source == "images":
        size = v["size"] * 2 if len(v["size"]) == 1 else v["size"]
        return load_image_folder(path, size, v["color"], v["resize"])
    if source == "timeseries":
        return load_timeseries(path, v["target"], v["window"], v["horizon"], v["features"],
                               v["delimiter"])
    return load_text_file(path, v["seq_length"], v["stride"], v["lowercase"], v["max_chars"])
