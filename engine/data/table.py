"""A CSV file's columns, read in one streaming pass, and turned into numbers.

Errors name the 1-based line of the file (the header is line 1) and the column, and
nothing is dropped quietly: a ragged row, an empty line between rows, a missing value
or text in a number column stop the load with a DataError saying where.

Memory: a column whose cells are all numbers is kept as float32 blocks (4 bytes a
cell; float64 for the columns named ``exact``, the targets), and of any other column
only the first bad cell and counts; the text of such a
column (text class labels) is read again from the file when it is asked for. The rows
as tuples of strings cost about 60 bytes a cell: a 200 MB CSV peaked at 1.9 GB.
"""
from __future__ import annotations

import math
import os
from collections.abc import Iterable
from functools import cached_property
from pathlib import Path

import numpy as np

from ..errors import DataError
from ..files import regular_file
from ..memory import check_data_fits, data_limit
from .csv_scan import CHUNK_BYTES, scan
from .progress import report

__all__ = ["Table", "read_table", "numeric_columns", "first_bad_cell", "is_number",
           "MISSING", "FLOAT32_MAX", "CHUNK_BYTES", "CHUNK_ROWS"]

MISSING = frozenset({"", "na", "n/a", "nan", "null", "none", "?"})
FLOAT32_MAX = float(np.finfo(np.float32).max)
# Rows per block, and cells per block for wide files: each NumPy call on a block holds
# the GIL for its whole length (the window's event loop waits), so a block is ~5-10 ms.
CHUNK_ROWS = 16_384
CHUNK_CELLS = 1 << 18
MAX_TABLE_BYTES = 16 << 30  # the most a table may take when the memory free is unknown
_VERDICTS = 4096  # distinct cells remembered per column (labels repeat)


class _Column:
    """What one pass learns of a column: its numbers, while every cell is one; how many
    cells are finite numbers; the first cell that is not, and the first missing one. A
    column that is not all numbers from its first block on (text labels) also keeps its
    stripped text, each distinct value once."""

    def __init__(self, exact: bool) -> None:
        self.exact = exact
        self.beyond: int | None = None  # the first row beyond float32's range
        self.blocks: list[np.ndarray] | None = []
        self.numbers = 0
        self.first_bad: tuple[int, str] | None = None  # (row, stripped text)
        self.first_missing: int | None = None
        self.text: list[str] | None = None
        self._verdicts: dict[str, float | str] = {}
        self._distinct: dict[str, str] = {}

    def add(self, cells: tuple[str, ...], row0: int) -> None:
        values = _fast_numbers(cells)
        if values is None:
            values = self._slow_numbers(cells, row0)
            if row0 == 0:
                self.text = []
        else:
            self.numbers += len(cells)
        if self.text is not None:
            self._keep_text(cells)
        if values is None:
            self.blocks = None
        elif self.blocks is not None:
            self.blocks.append(values if self.exact else self._single(values, row0))

    def _single(self, values: np.ndarray, row0: int) -> np.ndarray:
        big = np.abs(values) > FLOAT32_MAX
        if big.any():
            if self.beyond is None:
                self.beyond = row0 + int(np.argmax(big))
            values = np.where(big, 0.0, values)  # refused when asked for; no overflow
        return values.astype(np.float32)

    def _keep_text(self, cells: tuple[str, ...]) -> None:
        assert self.text is not None
        distinct = self._distinct
        for cell in cells:
            text = distinct.get(cell)
            if text is None:
                text = cell.strip()
                if len(distinct) < _VERDICTS:
                    distinct[cell] = text
            self.text.append(text)

    def _slow_numbers(self, cells: tuple[str, ...], row0: int) -> np.ndarray | None:
        """Cell by cell; None when a cell is missing or not a finite number."""
        values, ok = np.empty(len(cells)), True
        for i, cell in enumerate(cells):
            verdict = self._verdicts.get(cell)
            if verdict is None:
                verdict = _verdict(cell)
                if len(self._verdicts) < _VERDICTS:
                    self._verdicts[cell] = verdict
            if isinstance(verdict, float):
                values[i] = verdict
                self.numbers += 1
                continue
            ok = False
            if self.first_bad is None:
                self.first_bad = (row0 + i, cell.strip())
            if verdict == "missing" and self.first_missing is None:
                self.first_missing = row0 + i
        return values if ok else None


def _verdict(cell: str) -> float | str:
    """A finite number, "missing" or "text"."""
    text = cell.strip()
    if text.lower() in MISSING:
        return "missing"
    try:
        value = float(text)
    except ValueError:
        return "text"
    return value if math.isfinite(value) else "text"


def _fast_numbers(cells: tuple[str, ...]) -> np.ndarray | None:
    """The cells as float64 in one NumPy call, or None if any is not a finite number
    (the slow path then finds which). Not ``np.array(cells).astype``: that parses 2.5x
    slower, and pads the block's text to its longest cell (one 100 KB cell would make a
    16k-row block 6 GB)."""
    try:
        values = np.array(cells, dtype=np.float64)
    except ValueError:
        return None
    return values if np.isfinite(values).all() else None


class Table:
    """A CSV file's header, the file line of each row, and what was learnt of each
    column in one pass (see the module's notes)."""

    def __init__(self, path: Path, delimiter: str, header: tuple[str, ...],
                 lines: np.ndarray, columns: list[_Column], stamp: tuple[int, int]):
        self.path, self.delimiter, self.header = path, delimiter, header
        self.lines, self._columns, self._stamp = lines, columns, stamp

    def __len__(self) -> int:
        return len(self.lines)

    def line(self, row: int) -> int:
        """The file line where data row ``row`` (0-based) starts."""
        return int(self.lines[row])

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

    def _column(self, column: str) -> _Column:
        return self._columns[self.index(column)]

    def all_numbers(self, column: str) -> bool:
        """Whether every cell of the column is a finite number."""
        return self._column(column).first_bad is None

    def count_numbers(self, column: str) -> int:
        """How many of the column's cells are finite numbers."""
        return self._column(column).numbers

    def first_missing(self, column: str) -> int | None:
        """The first row (0-based) whose cell is missing, if any."""
        return self._column(column).first_missing

    def first_bad(self, column: str) -> tuple[int, str] | None:
        """(row, text) of the first cell that is missing or not a finite number."""
        return self._column(column).first_bad

    def beyond_float32(self, column: str) -> int | None:
        """The first row whose value is beyond float32's range, if any."""
        state = self._column(column)
        if state.exact and state.beyond is None and state.blocks:
            values = np.abs(np.concatenate(state.blocks)) > FLOAT32_MAX
            return int(np.argmax(values)) if values.any() else None
        return state.beyond

    def number_blocks(self, column: str, dtype=np.float32) -> list[np.ndarray]:
        """The column's values in blocks; DataError if a cell is not a number. Only a
        column read as ``exact`` has them in float64."""
        state = self._column(column)
        if np.dtype(dtype) != np.float32 and not state.exact:
            raise ValueError(f"Column {column!r} was read in float32; name it in "
                             f"read_table(exact=...) for {np.dtype(dtype)}.")
        if state.blocks is None:
            raise first_bad_cell(self, column) or AssertionError(column)
        return state.blocks

    def numbers(self, column: str) -> np.ndarray:
        """An ``exact`` column as float64 ``(N,)``; DataError if a cell is not a finite
        number."""
        blocks = self.number_blocks(column, np.float64)
        return np.concatenate(blocks) if blocks else np.empty(0)

    def cells(self, column: str, stop: int | None = None) -> list[str]:
        """The column's stripped text (up to row ``stop``): kept from the first pass for
        a text column, else read again from the file."""
        k = self.index(column)
        kept = self._columns[k].text
        if kept is not None:
            return kept
        stamp = _stamp(self.path)
        rows = scan(self.path, self.delimiter, CHUNK_ROWS, CHUNK_CELLS, "reading labels")
        next(rows)  # the header
        cells: list[str] = []
        for _, records in rows:
            cells.extend(record[k].strip() for record in records)
            if stop is not None and len(cells) > stop:
                del cells[stop + 1:]
                break
        rows.close()
        if stamp != self._stamp or len(cells) != (len(self) if stop is None else
                                                  min(stop + 1, len(self))):
            raise DataError(f"{self.path.name} changed while it was being read. Load it "
                            f"again.")
        return cells

    def cell(self, row: int, column: str) -> str:
        """One cell's stripped text (for messages)."""
        bad = self.first_bad(column)
        if bad is not None and bad[0] == row:
            return bad[1]
        return self.cells(column, stop=row)[row]


def _stamp(path: Path) -> tuple[int, int]:
    info = os.stat(path)
    return info.st_size, info.st_mtime_ns


def read_table(path: str | Path, delimiter: str = ",", exact: Iterable[str] = ()) -> Table:
    """Read a CSV file with a header row. Blank lines are allowed only at the end. The
    ``exact`` columns keep their numbers in float64 (targets: a label 16777217 is not a
    float32); the others in float32, as training uses them."""
    path = Path(path)
    if not isinstance(delimiter, str) or len(delimiter) != 1:
        raise DataError(f"The delimiter must be one character, not {delimiter!r}.")
    regular_file(path, DataError)
    stamp = _stamp(path)
    rows = scan(path, delimiter, CHUNK_ROWS, CHUNK_CELLS)
    header = next(rows)
    exact = set(exact)
    columns = [_Column(name in exact) for name in header]
    line_blocks, row0, limit = [], 0, data_limit(MAX_TABLE_BYTES)
    for lines, block in rows:
        for column, cells in zip(columns, zip(*block)):
            column.add(cells, row0)
        line_blocks.append(np.array(lines, np.int64))
        row0 += len(block)
        # The columns kept so far and the array they will be copied into.
        check_data_fits(row0 * (8 + 2 * 4 * len(header)), f"{path.name} (at line "
                        f"{lines[-1]:,}, {row0:,} rows of {len(header):,} columns)",
                        "use a smaller file, or fewer rows or columns", MAX_TABLE_BYTES,
                        limit)
    return Table(path, delimiter, header, np.concatenate(line_blocks), columns, stamp)


def first_bad_cell(table: Table, column: str) -> DataError | None:
    """The first cell of a column that is missing or not a finite number, as an error."""
    bad = table.first_bad(column)
    if bad is None:
        return None
    row, value = bad
    line = table.line(row)
    where = f"{table.path.name}, line {line}, column {column!r}"
    if value.lower() in MISSING:
        return DataError(f"{where}: the value is missing. Fill it in or remove the row; "
                         f"NeuroCanvas does not guess missing values.", row=line, column=column)
    try:
        float(value)
    except ValueError:
        if table.count_numbers(column) == 0:
            return DataError(f"{where}: {value!r} is text, and so is the whole column. Only "
                             f"the target may hold text labels; leave this column out of the "
                             f"inputs or encode it as numbers.", row=line, column=column)
        return DataError(f"{where}: {value!r} is not a number, but this column holds "
                         f"numbers.", row=line, column=column)
    return DataError(f"{where}: {value!r} is not a finite number.", row=line, column=column)


def numeric_columns(table: Table, columns: list[str], dtype=np.float32) -> np.ndarray:
    """The named columns as ``dtype`` ``(N, len(columns))``. The first bad cell in file
    order (missing, text, infinite, or beyond float32 when that is asked for) raises a
    DataError naming its line and column."""
    bad = [error for error in (first_bad_cell(table, c) for c in columns) if error]
    if bad:
        raise min(bad, key=lambda e: (e.row or 0, columns.index(e.column or "")))
    out = np.empty((len(table), len(columns)), dtype)
    single = np.dtype(dtype) == np.float32
    beyond = []  # (row, j) of the first value beyond float32 in each column
    for j, column in enumerate(columns):
        report("converting", j / len(columns))
        row = table.beyond_float32(column) if single else None
        if row is not None:
            beyond.append((row, j))
            continue
        start = 0
        for block in table.number_blocks(column, dtype):
            out[start:start + len(block), j] = block
            start += len(block)
    if beyond:
        raise _beyond_float32(table, columns, *min(beyond))
    return out


def _beyond_float32(table: Table, columns: list[str], row: int, j: int) -> DataError:
    """Training runs in float32: a value beyond its range (1e308 in a CSV) would become
    infinite and then NaN, and the run would blame the learning rate."""
    column, line = columns[j], table.line(row)
    return DataError(f"{table.path.name}, line {line}, column {column!r}: "
                     f"{table.cell(row, column)} is beyond the range of the 32-bit numbers "
                     f"training uses (about ±3.4e38).", row=line, column=column)


def is_number(value: str) -> bool:
    return isinstance(_verdict(value), float)
