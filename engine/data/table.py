"""Reading a CSV file into checked text cells, and turning columns into numbers.

Errors name the 1-based line of the file (the header is line 1) and the column, and
nothing is dropped quietly: a ragged row, an empty line between rows, a missing value
or text in a number column stop the load with a DataError saying where.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import DataError

MISSING = frozenset({"", "na", "n/a", "nan", "null", "none", "?"})


@dataclass(frozen=True)
class Table:
    """A CSV file's header and rows of stripped text cells, with each row's file line."""

    path: Path
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    lines: tuple[int, ...]

    def __len__(self) -> int:
        return len(self.rows)

    def index(self, column: str) -> int:
        """The position of a column, or DataError listing the columns there are."""
        if column not in self.header:
            names = ", ".join(repr(h) for h in self.header)
            raise DataError(f"{self.path.name} has no column {column!r}; its columns are "
                            f"{names}.", column=column)
        return self.header.index(column)

    def cells(self, column: str) -> list[str]:
        k = self.index(column)
        return [row[k] for row in self.rows]


def _decode(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataError(f"Cannot read {path}: {exc.strerror or exc}") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise DataError(f"{path.name} is not UTF-8 text: a bad byte on line {line}. "
                        f"Save it as UTF-8 CSV.", row=line) from None


def _check_header(path: Path, header: list[str]) -> tuple[str, ...]:
    names = tuple(cell.strip() for cell in header)
    for k, name in enumerate(names):
        if not name:
            raise DataError(f"{path.name}, line 1: column {k + 1} has no name. The first "
                            f"line must name every column.", row=1, column=f"#{k + 1}")
        if name in names[:k]:
            raise DataError(f"{path.name}, line 1: two columns are named {name!r}.",
                            row=1, column=name)
    return names


def _ragged(path: Path, line: int, row: list[str], header: tuple[str, ...]) -> DataError:
    n, want = len(row), len(header)
    if n < want:
        column = header[n]
        detail = f"the values for {column!r} onwards are missing"
    else:
        column = f"#{want + 1}"
        detail = f"there are {n - want} more values than columns"
    return DataError(f"{path.name}, line {line}: {n} values but the header has {want} "
                     f"columns ({detail}).", row=line, column=column)


def read_table(path: str | Path, delimiter: str = ",") -> Table:
    """Read a CSV file with a header row. Blank lines are allowed only at the end."""
    path = Path(path)
    if not isinstance(delimiter, str) or len(delimiter) != 1:
        raise DataError(f"The delimiter must be one character, not {delimiter!r}.")
    text = _decode(path)
    if not text.strip():
        raise DataError(f"{path.name} is empty: it needs a header row and data rows.")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = _check_header(path, next(reader))
    rows, lines, blank, start = [], [], None, reader.line_num + 1
    for record in reader:
        if not any(cell.strip() for cell in record):
            blank = blank or start
        elif blank is not None:
            raise DataError(f"{path.name}, line {blank} is empty but data follows it. "
                            f"Remove the empty line.", row=blank)
        elif len(record) != len(header):
            raise _ragged(path, start, record, header)
        else:
            rows.append(tuple(cell.strip() for cell in record))
            lines.append(start)
        start = reader.line_num + 1
    if not rows:
        raise DataError(f"{path.name} has a header row but no data rows.", row=2)
    return Table(path, header, tuple(rows), tuple(lines))


def _bad_cell(table: Table, column: str, line: int, value: str) -> DataError:
    where = f"{table.path.name}, line {line}, column {column!r}"
    if value.lower() in MISSING:
        return DataError(f"{where}: the value is missing. Fill it in or remove the row; "
                         f"NeuroCanvas does not guess missing values.", row=line, column=column)
    if not any(is_number(v) for v in table.cells(column)):
        return DataError(f"{where}: {value!r} is text, and so is the whole column. Only the "
                         f"target may hold text labels; leave this column out of the inputs "
                         f"or encode it as numbers.", row=line, column=column)
    return DataError(f"{where}: {value!r} is not a number, but this column holds numbers.",
                     row=line, column=column)


def first_bad_cell(table: Table, column: str) -> DataError | None:
    """The first cell of a column that is missing or not a finite number, as an error."""
    for line, value in zip(table.lines, table.cells(column)):
        if value.lower() in MISSING:
            return _bad_cell(table, column, line, value)
        try:
            number = float(value)
        except ValueError:
            return _bad_cell(table, column, line, value)
        if not np.isfinite(number):
            return DataError(f"{table.path.name}, line {line}, column {column!r}: {value!r} "
                             f"is not a finite number.", row=line, column=column)
    return None


def numeric_columns(table: Table, columns: list[str]) -> np.ndarray:
    """The named columns as float64 ``(N, len(columns))``. The first bad cell in file
    order (missing, text, infinite) raises a DataError naming its line and column."""
    out = np.empty((len(table), len(columns)), np.float64)
    bad = []
    for j, column in enumerate(columns):
        try:
            out[:, j] = np.array(table.cells(column)).astype(np.float64)
            if np.isfinite(out[:, j]).all():
                continue
        except ValueError:
            pass
        error = first_bad_cell(table, column)
        if error is None:  # numpy is stricter than float() (say "1_000"): use float()
            out[:, j] = [float(v) for v in table.cells(column)]
        else:
            bad.append(error)
    if bad:
        raise min(bad, key=lambda e: (e.row, columns.index(e.column)))
    return out


def is_number(value: str) -> bool:
    if value.lower() in MISSING:
        return False
    try:
        return bool(np.isfinite(float(value)))
    except ValueError:
        return False
