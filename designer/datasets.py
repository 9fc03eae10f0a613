"""Loading data for the designer: a small cache of prepared data (the data panel's
preview and the Train button share one load), and errors mapped to the form field that
caused them, with their row and column."""
from __future__ import annotations

import json
import threading
from pathlib import Path

from engine.data import PreparedData, prepare
from engine.data.progress import reporting
from engine.errors import ConfigError, DataError, NeuroCanvasError, RaggedRowError
from engine.settings import TRAINING_SCHEMA

CACHE_SIZE = 2


def data_seed(training: dict) -> int:
    """The seed the data is split with: the training seed, as the CLI does."""
    try:
        return TRAINING_SCHEMA.get("seed").validate(training.get("seed", 0))
    except ConfigError:
        return 0


def data_key(config: dict, seed: int = 0, base_dir: str | Path | None = None) -> str:
    """What identifies prepared data: its description, split seed and project folder."""
    return json.dumps([config, seed, str(base_dir or "")], sort_keys=True, default=str)


def source_name(config: dict) -> str:
    """What a load reads, for the state line: the file's name or the data set's."""
    path = config.get("path")
    return Path(str(path)).name if path else str(config.get("name") or "the data")


class DataCache:
    """The last few prepared data sets, keyed by their description, seed and folder.

    Used from two threads: the Data panel loads on a worker while the GUI thread may
    ask too (Train, the inside views). The lock guards only the list, never a load, so
    a lookup in the GUI thread does not wait for the worker's load of other data."""

    def __init__(self):
        self._entries: list[tuple[str, PreparedData]] = []
        self._lock = threading.Lock()

    def prepare(self, config: dict, seed: int = 0,
                base_dir: str | Path | None = None) -> PreparedData:
        """Load, split and normalise (or reuse); raises NeuroCanvasError or OSError."""
        cached = self.get(config, seed, base_dir)
        if cached is not None:
            return cached
        key = data_key(config, seed, base_dir)
        data = prepare(config, seed, base_dir)
        with self._lock:  # both threads may have loaded it: keep one entry
            others = [entry for entry in self._entries if entry[0] != key]
            self._entries = [(key, data)] + others[:CACHE_SIZE - 1]
        return data

    def get(self, config: dict, seed: int = 0,
            base_dir: str | Path | None = None) -> PreparedData | None:
        """The prepared data if it is here already (never loads)."""
        key = data_key(config, seed, base_dir)
        with self._lock:
            return next((data for k, data in self._entries if k == key), None)

    def clear(self) -> None:
        with self._lock:
            self._entries = []


def prepare_or_error(cache: DataCache, config: dict, seed: int, base_dir, progress=None):
    """For a worker: (data, None), or (None, the loader's error) for the GUI to show at
    its field. ``progress(stage, fraction)`` hears the loaders (engine.data.progress)."""
    try:
        with reporting(progress or (lambda stage, fraction: None)):
            return cache.prepare(config, seed, base_dir), None
    except (NeuroCanvasError, OSError, ValueError) as exc:
        return None, exc


def error_field(exc: Exception, config: dict, fields) -> str | None:
    """Which form field an import error belongs to (None: the form as a whole)."""
    fields = set(fields)
    if isinstance(exc, RaggedRowError):  # the file's shape, whichever column it missed
        return "path" if "path" in fields else None
    if isinstance(exc, DataError) and exc.column is not None:
        features = config.get("features") or []
        if exc.column == config.get("target"):
            return "target"
        if exc.column in features and "features" in fields:
            return "features"
        return "path" if "path" in fields else None
    where = getattr(exc, "where", None)
    if where in fields:
        return where
    if isinstance(exc, (DataError, OSError)) and "path" in fields:
        return "path"
    return None


def error_text(exc: Exception) -> str:
    """The message, with its row and column when the loader gave them."""
    text = str(exc) if isinstance(exc, NeuroCanvasError) else f"{type(exc).__name__}: {exc}"
    if isinstance(exc, DataError):
        parts = []
        if exc.row is not None and f"line {exc.row}" not in text and f"row {exc.row}" not in text:
            parts.append(f"row {exc.row}")
        if exc.column is not None and repr(exc.column) not in text:
            parts.append(f"column {exc.column!r}")
        if parts:
            text += f" ({', '.join(parts)})"
    return text
