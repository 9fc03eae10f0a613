"""Tabular data from a CSV file: a header row, number columns as inputs, one target.

The target may hold text labels (classification, the labels sorted alphabetically give
the class indices), whole numbers with few distinct values (classification) or other
numbers (regression). Several target columns make a multi-output regression. Every
input column must hold numbers.
"""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np

from ..errors import DataError
from .dataset import Dataset
from .labels import check_task, encode_numbers, encode_text, looks_like_classes
from .table import FLOAT32_MAX, Table, first_bad_cell, numeric_columns, read_table
from ..wording import noun


def as_list(columns: str | Sequence[str] | None) -> list[str] | None:
    if columns is None:
        return None
    return [columns] if isinstance(columns, str) else list(columns)


def choose_columns(table: Table, targets: list[str],
                   features: list[str] | None) -> list[str]:
    """The input columns: those named, else every column that is not a target."""
    if not targets:
        raise DataError("Name the target column (what the network should predict).")
    for name in targets + (features or []):
        table.index(name)  # DataError listing the columns when unknown
    if features is None:
        features = [h for h in table.header if h not in targets]
    clash = [f for f in features if f in targets]
    if clash:
        raise DataError(f"Column {clash[0]!r} cannot be both an input and the target.",
                        column=clash[0])
    if not features:
        raise DataError(f"{table.path.name} has no input columns besides the target.")
    return features


def _missing_target(table: Table, column: str) -> None:
    row = table.first_missing(column)
    if row is not None:
        line = table.line(row)
        raise DataError(f"{table.path.name}, line {line}, column {column!r}: the target "
                        f"is missing. Fill it in or remove the row.", row=line, column=column)


def _text_target(table: Table, column: str, task: str | None):
    if task == "regression" or (task is None and table.count_numbers(column) > len(table) / 2):
        error = first_bad_cell(table, column)
        assert error is not None  # the caller found a cell that is not a number
        hint = "" if task else " (set the task to classification to read them as labels)"
        raise DataError(error.message + hint, row=error.row, column=column)
    y, names = encode_text(table.cells(column))
    return y, "classification", names


def _number_target(table: Table, column: str, values: np.ndarray, task: str | None):
    task = task or ("classification" if looks_like_classes(values) else "regression")
    if task == "regression":
        beyond = np.abs(values) > FLOAT32_MAX
        if beyond.any():
            line = table.line(int(np.argmax(beyond)))
            raise DataError(f"{table.path.name}, line {line}, column {column!r}: the target "
                            f"is beyond the range of the 32-bit numbers training uses (about "
                            f"±3.4e38).", row=line, column=column)
        return values.reshape(-1, 1).astype(np.float32), task, ()
    whole = values == np.round(values)
    if not whole.all():
        line = table.line(int(np.argmin(whole)))
        raise DataError(f"{table.path.name}, line {line}, column {column!r}: class labels "
                        f"must be whole numbers or text, not {values[~whole][0]:g}.",
                        row=line, column=column)
    y, names = encode_numbers(values)
    return y, task, names


def read_target(table: Table, column: str, task: str | None):
    """(y, task, class_names) for one target column."""
    _missing_target(table, column)
    if not table.all_numbers(column):
        return _text_target(table, column, task)
    return _number_target(table, column, table.numbers(column), task)


def _targets(table: Table, targets: list[str], task: str | None):
    if len(targets) == 1:
        return read_target(table, targets[0], task)
    if task == "classification":
        raise DataError("Classification takes one target column; several target columns "
                        "make a regression.", column=targets[1])
    return numeric_columns(table, targets, np.float32), "regression", ()


def load_csv(path: str | Path, target: str | Sequence[str], task: str | None = None,
             features: Sequence[str] | None = None, delimiter: str = ",") -> Dataset:
    """A CSV file with a header row as a Dataset: x float32 (N, D) from the ``features``
    columns (default: all but the target), y from ``target``. ``task`` is inferred when
    None. Raises DataError naming the line and column of the first bad value."""
    check_task(task)
    targets = as_list(target) or []
    table = read_table(path, delimiter, exact=targets)
    inputs = choose_columns(table, targets, as_list(features))
    x = numeric_columns(table, inputs, np.float32)
    y, task, class_names = _targets(table, targets, task)
    n = len(class_names)
    kind = f"{n} {noun(n, 'class', 'classes')}" if task == "classification" else "regression"
    return Dataset(x=x, y=y, task=task, name=table.path.stem, input_kind="features",
                   class_names=class_names, feature_names=tuple(inputs),
                   source=str(table.path),
                   description=f"{table.path.name}: {len(table)} {noun(len(table), 'row')}, "
                               f"{len(inputs)} input {noun(len(inputs), 'column')}, target {', '.join(targets)} ({kind}).",
                   meta={"target": targets[0] if len(targets) == 1 else targets})
