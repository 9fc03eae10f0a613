"""Arrays from a NumPy ``.npz`` file: ``x`` (inputs) and ``y`` (targets).

Never unpickles: ``np.load(..., allow_pickle=False)``, so an array of Python objects is
refused with a DataError. Optional string arrays ``class_names``, ``feature_names`` and
``vocabulary`` are read when present.

How the arrays are read:

- ``x`` must hold numbers. Its rank gives the input kind unless one is given:
  ``(N,)`` or ``(N, D)`` features, ``(N, T, D)`` sequence, ``(N, C, H, W)`` image;
  ``tokens`` (integer ids ``(N, T)``) must be asked for.
- ``y`` of text -> classification (labels sorted alphabetically); integers or booleans
  -> classification with the values as class indices (negative values are mapped to
  0..K-1 in sorted order); floats -> regression ``(N, K)``. ``task`` overrides.
"""
from __future__ import annotations

import math
import zipfile
import zlib
from pathlib import Path

import numpy as np

from ..errors import DataError
from ..files import regular_file
from ..memory import check_data_fits
from .dataset import Dataset
from .labels import check_task, encode_numbers, encode_text
from ..wording import noun
from .table import FLOAT32_MAX

RANK_KINDS = {2: "features", 3: "sequence", 4: "image"}
MAX_CLASSES = 100_000
MAX_ARRAY_BYTES = 16 << 30  # the most an array may take when the memory free is unknown
KIND_RANKS = {"features": 2, "sequence": 3, "image": 4, "tokens": 2}


def _open(path: Path):
    if path.exists():  # a missing file keeps its own message below
        regular_file(path, DataError, ".npz file")
    try:
        data = np.load(path, allow_pickle=False)
    except FileNotFoundError:
        raise DataError(f"There is no file {path}.") from None
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, NotImplementedError,
            RuntimeError) as exc:
        if "pickled" in str(exc):  # neither .npz nor .npy: NumPy's last guess is a pickle
            raise DataError(f"{path.name} is not a readable .npz file: it is not a NumPy "
                            f"archive. Save one with np.savez(path, x=..., y=...).") from None
        raise DataError(f"{path.name} is not a readable .npz file ({exc}).") from None
    if not isinstance(data, np.lib.npyio.NpzFile):
        raise DataError(f"{path.name} holds a single array; save x and y together with "
                        f"np.savez(path, x=..., y=...).")
    return data


def _array(data, path: Path, key: str, required: bool = True) -> np.ndarray | None:
    if key not in data.files:
        if not required:
            return None
        found = ", ".join(repr(k) for k in data.files) or "none"
        raise DataError(f"{path.name} has no array {key!r} (arrays found: {found}). Save "
                        f"the inputs as 'x' and the targets as 'y'.", column=key)
    _check_declared_size(data, path, key)
    try:
        return data[key]
    except ValueError:
        raise DataError(f"Array {key!r} in {path.name} holds Python objects, which "
                        f"NeuroCanvas will not unpickle. Save plain numbers (or text "
                        f"labels) instead.", column=key) from None
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError,
            RuntimeError) as exc:
        raise DataError(f"Array {key!r} in {path.name} is damaged ({exc}).",
                        column=key) from None


def _check_declared_size(data, path: Path, key: str) -> None:
    """Read the array's header first: the bytes its shape and type declare must be in
    the file (a header may claim terabytes; NumPy would allocate them before reading)."""
    member = f"{key}.npy"
    try:
        info = data.zip.getinfo(member)
        with data.zip.open(info) as fh:
            version = np.lib.format.read_magic(fh)
            read = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                    else np.lib.format.read_array_header_2_0)
            shape, _, dtype = read(fh)
    except (KeyError, ValueError, OSError, zipfile.BadZipFile, zlib.error, EOFError,
            NotImplementedError, RuntimeError) as exc:  # (an unknown method, encrypted)
        raise DataError(f"Array {key!r} in {path.name} is damaged ({exc}).",
                        column=key) from None
    declared = math.prod(shape) * dtype.itemsize
    if dtype.hasobject:
        return  # refused when read, with its own message
    if declared > info.file_size:
        raise DataError(f"Array {key!r} in {path.name} declares {declared:,} bytes of data "
                        f"but the file holds {info.file_size:,}: it is damaged.", column=key)
    # Its bytes, and the float32 copy training takes of them.
    check_data_fits(declared + math.prod(shape) * 4, f"Array {key!r} in {path.name} "
                    f"({'x'.join(map(str, shape)) or 'a scalar'} {dtype})", "use a smaller "
                    "array", MAX_ARRAY_BYTES)


def _check_x(x: np.ndarray, name: str, input_kind: str | None) -> tuple[np.ndarray, str]:
    if x.ndim == 0:
        raise DataError(f"x in {name} is a single value, not one sample per row.", column="x")
    if x.dtype.kind not in "biuf":
        raise DataError(f"x in {name} must hold numbers, not {x.dtype} values.", column="x")
    x = x.reshape(-1, 1) if x.ndim == 1 else x
    kind = input_kind or RANK_KINDS.get(x.ndim)
    if kind not in KIND_RANKS or x.ndim != KIND_RANKS[kind]:
        raise DataError(f"x in {name} has shape {x.shape}; expected (N, D) features, "
                        f"(N, T, D) sequences, (N, C, H, W) images or (N, T) tokens.",
                        column="x")
    if kind == "tokens":
        if x.dtype.kind not in "iu" or (x.size and x.min() < 0):
            raise DataError(f"Token inputs in {name} must be non-negative whole numbers.",
                            column="x")
        return x.astype(np.int64), kind
    flat = x.reshape(len(x), -1)
    bad = ~np.isfinite(flat).all(axis=1)
    if bad.any():
        raise DataError(f"x in {name}: sample {int(np.argmax(bad))} holds NaN or infinity.",
                        column="x")
    beyond = (np.abs(flat) > FLOAT32_MAX).any(axis=1)
    if beyond.any():
        raise DataError(f"x in {name}: sample {int(np.argmax(beyond))} holds values beyond "
                        f"the range of the 32-bit numbers training uses (about ±3.4e38).",
                        column="x")
    return x.astype(np.float32), kind


def _read_y(y: np.ndarray, name: str, task: str | None, names: tuple[str, ...]):
    if y.dtype.kind in "US":
        if task == "regression":
            raise DataError(f"y in {name} holds text, which cannot be regressed.", column="y")
        indices, found = encode_text(y)
        return indices, "classification", found
    if y.dtype.kind not in "biuf":
        raise DataError(f"y in {name} must hold numbers or text, not {y.dtype}.", column="y")
    task = task or ("classification" if y.dtype.kind in "biu" else "regression")
    if task == "regression":
        if not np.isfinite(y).all():
            raise DataError(f"y in {name} holds NaN or infinity.", column="y")
        if (np.abs(y) > FLOAT32_MAX).any():
            raise DataError(f"y in {name} holds values beyond the range of the 32-bit "
                            f"numbers training uses (about ±3.4e38).", column="y")
        return y.reshape(len(y), -1).astype(np.float32), task, ()
    return _class_indices(y, name, names)


def _class_indices(y: np.ndarray, name: str, names: tuple[str, ...]):
    y = y.reshape(len(y)) if y.ndim == 2 and y.shape[1] == 1 else y
    if not np.all(y == np.round(y)):
        raise DataError(f"y in {name}: class labels must be whole numbers.", column="y")
    if y.size and y.min() < 0 and names:
        raise DataError(f"y in {name} has negative class {int(y.min())}; with "
                        f"class_names the labels must be indices 0..K-1.", column="y")
    if y.size and (y.min() < 0 or y.max() >= MAX_CLASSES):
        # Not indices 0..K-1 (a label of 1e9 made a billion classes): the labels are
        # names, numbered in order.
        indices, found = encode_numbers(y)
        if len(found) > MAX_CLASSES:
            raise DataError(f"y in {name} has {len(found):,} different classes, more than "
                            f"{MAX_CLASSES:,}: is it a regression target?", column="y")
        return indices, "classification", found
    y = y.astype(np.int64)
    if names and y.size and y.max() >= len(names):
        raise DataError(f"y in {name} has class {int(y.max())} but class_names lists only "
                        f"{len(names)} classes.", column="y")
    count = len(names) or (int(y.max()) + 1 if y.size else 0)
    return y, "classification", names or tuple(str(i) for i in range(count))


def _strings(data, path: Path, key: str) -> tuple[str, ...]:
    arr = _array(data, path, key, required=False)
    return () if arr is None else tuple(str(s) for s in np.asarray(arr).ravel())


def load_npz(path: str | Path, task: str | None = None, input_kind: str | None = None,
             x_key: str = "x", y_key: str = "y") -> Dataset:
    """Arrays ``x`` and ``y`` from an .npz file as a Dataset (see the module notes)."""
    check_task(task)
    path = Path(path)
    with _open(path) as data:
        x_raw, y_raw = _array(data, path, x_key), _array(data, path, y_key)
        names = _strings(data, path, "class_names")
        features, vocab = _strings(data, path, "feature_names"), _strings(data, path, "vocabulary")
    if x_raw.ndim and len(x_raw) == 0:
        raise DataError(f"{path.name}: x holds no samples; there is nothing to train on.",
                        column=x_key)
    x, kind = _check_x(x_raw, path.name, input_kind)
    if y_raw.ndim == 0 or len(x) != len(y_raw):
        raise DataError(f"{path.name}: x has {len(x)} samples but y has "
                        f"{len(y_raw) if y_raw.ndim else 1}; they must match.", column="y")
    y, task, class_names = _read_y(y_raw, path.name, task, names)
    n = len(class_names)
    what = f"{n} {noun(n, 'class', 'classes')}" if task == "classification" else "regression"
    return Dataset(x=x, y=y, task=task, name=path.stem, input_kind=kind,
                   class_names=class_names, feature_names=features, vocabulary=vocab,
                   source=str(path),
                   description=f"{path.name}: {len(x)} samples of shape {x.shape[1:]} "
                               f"({kind}), {what}.")
