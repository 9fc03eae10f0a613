"""Reading a CSV file into checked text cells, and turning columns into numbers.

Errors name the 1-based line of the file (the header is line 1) and the column, and
nothing is dropped quietly: a ragged row, an empty line between rows, a missing value
or text in a number column stop the load with a DataError saying where.
"""
from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from ..errors import DataError
from ..files import regular_file
from .progress import report

MISSING = frozenset({"", "na", "n/a", "nan", "null", "none", "?"})
# Work done per NumPy (or codec) call while reading: each call holds the GIL for its
# whole length, and the window's event loop waits that long when a worker loads data
# (one column of a million cells at once: 0.4 s). These keep each call to ~5-10 ms.
FLOAT32_MAX = float(np.finfo(np.float32).max)
CHUNK_BYTES = 4 << 20
CHUNK_ROWS = 16_384


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
        position = self._positions.get(column)
        if position is None:
            names = ", ".join(repr(h) for h in self.header[:50])
            more = f" and {len(self.header) - 50:,} more" if len(self.header) > 50 else ""
            raise DataError(f"{self.path.name} has no column {column!r}; its columns are "
                            f"{names}{more}.", column=column)
        return position

    @cached_property
    def _positions(self) -> dict[str, int]:
        """Column name -> position, built once: a lookup per column was a scan of the
        header, quadratic for wide files (100k columns took minutes)."""
        return {name: k for k, name in enumerate(self.header)}

    def cells(self, column: str) -> list[str]:
        k = self.index(column)
        return [row[k] for row in self.rows]


def _read(path: Path) -> bytes:
    regular_file(path, DataError)
    try:
        return path.read_bytes()
    except OSError as exc:
        raise DataError(f"Cannot read {path}: {exc.strerror or exc}") from None


def _lines(path: Path, raw: bytes) -> Iterator[str]:
    """The file's lines (line ends kept, as ``newline=""`` reads them), decoded a few MB
    at a time: one big decode holds the GIL for a third of a second on 200 MB, and the
    window's event loop waits that long while its Data panel loads on a worker."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    carry = ""
    for start in range(0, len(raw), CHUNK_BYTES):
        end = start + CHUNK_BYTES
        try:
            text = decoder.decode(raw[start:end], final=end >= len(raw))
        except UnicodeDecodeError:
            raise _not_utf8(path, raw) from None
        lines = io.StringIO(carry + text, newline="").readlines()
        # A last line without its "\n" (or with only the "\r" of a "\r\n") goes on
        # in the next block.
        carry = lines.pop() if lines and not lines[-1].endswith("\n") else ""
        yield from lines
        report("reading", min(end, len(raw)) / len(raw))
    if carry:
        yield carry


def _not_utf8(path: Path, raw: bytes) -> DataError:
    try:  # once more in one piece, for the exact place (only on this error path)
        raw.decode("utf-8-sig")
        start = len(raw)
    except UnicodeDecodeError as exc:
        start = exc.start
    line = raw[:start].count(b"\n") + 1
    return DataError(f"{path.name} is not UTF-8 text: a bad byte on line {line}. "
                     f"Save it as UTF-8 CSV.", row=line)


def _check_header(path: Path, header: list[str]) -> tuple[str, ...]:
    names = tuple(cell.strip() for cell in header)
    seen: set[str] = set()  # (a scan of the names before each was quadratic)
    for k, name in enumerate(names):
        if not name:
            raise DataError(f"{path.name}, line 1: column {k + 1} has no name. The first "
                            f"line must name every column.", row=1, column=f"#{k + 1}")
        if name in seen:
            raise DataError(f"{path.name}, line 1: two columns are named {name!r}.",
                            row=1, column=name)
        seen.add(name)
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


def _records(reader, path: Path) -> Iterator[list[str]]:
    """The reader's records; what the csv module cannot read (a value longer than its
    128 KB limit, a NUL byte) becomes a DataError naming the line."""
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            line = reader.line_num
            raise DataError(f"{path.name}, line {line}: cannot be read as CSV ({exc}).",
                            row=line) from None
        yield record


def read_table(path: str | Path, delimiter: str = ",") -> Table:
    """Read a CSV file with a header row. Blank lines are allowed only at the end."""
    path = Path(path)
    if not isinstance(delimiter, str) or len(delimiter) != 1:
        raise DataError(f"The delimiter must be one character, not {delimiter!r}.")
    raw = _read(path)
    reader = csv.reader(_lines(path, raw), delimiter=delimiter)
    records = _records(reader, path)
    first = next(records, None)
    while first is not None and not any(cell.strip() for cell in first):
        first = next(records, None)  # blank lines before the header are skipped
    if first is None:
        raise DataError(f"{path.name} is empty: it needs a header row and data rows.")
    header = _check_header(path, first)
    rows, lines, blank, start = [], [], None, reader.line_num + 1
    for record in records:
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


def numeric_columns(table: Table, columns: list[str], dtype=np.float64) -> np.ndarray:
    """The named columns as ``dtype`` ``(N, len(columns))``. The first bad cell in file
    order (missing, text, infinite, or beyond float32 when that is asked for) raises a
    DataError naming its line and column."""
    out = np.empty((len(table), len(columns)), np.float64)
    bad = []
    for j, column in enumerate(columns):
        report("converting", j / len(columns))
        if _convert(table.cells(column), out[:, j]):
            continue
        error = first_bad_cell(table, column)
        if error is None:  # numpy is stricter than float() (say "1_000"): use float()
            out[:, j] = [float(v) for v in table.cells(column)]
        else:
            bad.append(error)
    if bad:
        raise min(bad, key=lambda e: (e.row, columns.index(e.column)))
    if np.dtype(dtype) == np.float32:
        _check_float32(table, columns, out)
    return out.astype(dtype, copy=False)


def _check_float32(table: Table, columns: list[str], values: np.ndarray) -> None:
    """Training runs in float32: a value beyond its range (1e308 in a CSV) would become
    infinite and then NaN, and the run would blame the learning rate."""
    too_big = np.abs(values) > FLOAT32_MAX
    if too_big.any():
        row, j = (int(i) for i in np.argwhere(too_big)[0])  # the first in file order
        column, line = columns[j], table.lines[row]
        raise DataError(f"{table.path.name}, line {line}, column {column!r}: "
                        f"{table.rows[row][table.index(column)]} is beyond the range of the "
                        f"32-bit numbers training uses (about ±3.4e38).", row=line,
                        column=column)


def _convert(cells: list[str], target: np.ndarray) -> bool:
    """Text cells into ``target`` as float64, CHUNK_ROWS at a time; False at the first
    cell NumPy cannot read or that is not finite (the caller finds and names it)."""
    for start in range(0, len(cells), CHUNK_ROWS):
        part = cells[start:start + CHUNK_ROWS]
        try:
            values = np.array(part).astype(np.float64)
        except ValueError:
            return False
        if not np.isfinite(values).all():
            return False
        target[start:start + len(part)] = values
    return True


def is_number(value: str) -> bool:
    if value.lower() in MISSING:
        return False
    try:
        return bool(np.isfinite(float(value)))
    except ValueError:
        return False
