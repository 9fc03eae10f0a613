"""A time series from a CSV file (one row per time step, oldest first) cut into windows.

``x[i]`` is ``window`` consecutive rows of the input columns, ``(window, F)``; ``y[i]``
is the target column ``horizon`` steps after the window's last row, ``(1,)``. The
windows overlap, so the data set is marked ``ordered``: ``split`` then keeps time order
(train on the past, validate and test on the future) instead of shuffling.
"""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np

from ..errors import DataError
from .csv_loader import as_list
from .dataset import Dataset
from .sequences import sliding_windows
from .table import Table, numeric_columns, read_table


def _default_inputs(table: Table, target: str) -> tuple[list[str], list[str]]:
    """The target, then every other column that holds numbers only; columns of text
    only (dates, names) are left out and reported. A column mixing numbers and text is
    kept, so that its first text cell is reported as an error."""
    inputs, skipped = [target], []
    for name in table.header:
        if name == target:
            continue
        if table.count_numbers(name):
            inputs.append(name)
        else:
            skipped.append(name)
    return inputs, skipped


def _check_lengths(table: Table, window: int, horizon: int) -> None:
    if window < 1 or horizon < 1:
        raise DataError(f"window and horizon must be at least 1 (got {window} and "
                        f"{horizon}).")
    need = window + horizon
    if len(table) < need:
        raise DataError(f"{table.path.name} has {len(table)} rows; a window of {window} "
                        f"and a horizon of {horizon} need at least {need}.")


def load_timeseries(path: str | Path, target: str, window: int = 20, horizon: int = 1,
                    features: Sequence[str] | None = None, delimiter: str = ",") -> Dataset:
    """Windows of a CSV time series: x float32 (N, window, F), y float32 (N, 1), with
    N = rows - window - horizon + 1. ``features`` defaults to the target plus every
    other all-number column."""
    table = read_table(path, delimiter)
    table.index(target)
    if features is None:
        inputs, skipped = _default_inputs(table, target)
    else:
        inputs, skipped = as_list(features), []
        for name in inputs:
            table.index(name)
    _check_lengths(table, window, horizon)
    series = numeric_columns(table, inputs, np.float32)
    goal = numeric_columns(table, [target], np.float32)[:, 0]
    x, y = sliding_windows(series, goal, window, horizon)
    note = f"; text columns left out: {', '.join(skipped)}" if skipped else ""
    return Dataset(x=x, y=y, task="regression", name=table.path.stem, input_kind="sequence",
                   feature_names=tuple(inputs), source=str(table.path),
                   description=f"{table.path.name}: {len(x)} windows of {window} steps of "
                               f"{', '.join(inputs)}; predict {target!r} {horizon} step(s) "
                               f"ahead{note}.",
                   meta={"ordered": True, "window": window, "horizon": horizon,
                         "target": target, "skipped_columns": skipped})
