"""Reading a CSV file as a stream of checked records, a few MB at a time.

``scan(path, delimiter, rows, cells)`` yields the header's cells first, then blocks of
up to ``rows`` data rows (fewer for wide files: at most about ``cells`` cells) as ``(lines, records)``: the 1-based line of the file
where each row starts (the header is line 1, a quoted value may span lines) and its
cells as the csv module reads them (not stripped). Nothing holds the whole file: a 200 MB CSV held as bytes, then as text, then
as a tuple of strings per cell peaked at ten times its size. What cannot be read stops
the scan with a DataError naming the line: a byte that is not UTF-8, a value over the
csv module's 128 KB limit, a row with too few or too many values, an empty line with
data after it.
"""
from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Generator, Iterator
from pathlib import Path

from ..errors import DataError, RaggedRowError
from ..wording import noun
from .progress import report

# Bytes decoded per call: each call holds the GIL for its whole length, and the window's
# event loop waits that long when a worker loads data (a third of a second for 200 MB).
CHUNK_BYTES = 1 << 20


def scan(path: Path, delimiter: str, rows: int, cells: int,
         stage: str = "reading") -> Generator:
    """The header's cells (stripped), then blocks of ``(lines, records)``."""
    with _open(path) as handle:
        size = max(path.stat().st_size, 1)
        reader = csv.reader(_decoded(path, handle, size, stage), delimiter=delimiter)
        records = _records(reader, path)
        first = next(records, None)
        while first is not None and not any(cell.strip() for cell in first):
            first = next(records, None)  # blank lines before the header are skipped
        if first is None:
            raise DataError(f"{path.name} is empty: it needs a header row and data rows.")
        header = check_header(path, first)
        yield header
        width, blank, start, seen = len(header), None, reader.line_num + 1, 0
        block_rows = max(1, min(rows, cells // width))
        lines: list[int] = []
        block: list[list[str]] = []
        for record in records:
            # A first cell with text is the common case; only then is the row not blank.
            if not (record and record[0].strip()) and not any(c.strip() for c in record):
                blank = blank or start
            elif blank is not None:
                raise DataError(f"{path.name}, line {blank} is empty but data follows it. "
                                f"Remove the empty line.", row=blank)
            elif len(record) != width:
                raise _ragged(path, start, record, header)
            else:
                lines.append(start)
                block.append(record)
                if len(block) == block_rows:
                    seen += len(block)
                    yield lines, block
                    lines, block = [], []
            start = reader.line_num + 1
        if block:
            seen += len(block)
            yield lines, block
        if not seen:
            raise DataError(f"{path.name} has a header row but no data rows.", row=2)


def _open(path: Path):
    try:
        return open(path, "rb")
    except OSError as exc:
        raise DataError(f"Cannot read {path}: {exc.strerror or exc}") from None


def _decoded(path: Path, handle, size: int, stage: str) -> Iterator[str]:
    """The file's lines (line ends kept, as ``newline=""`` reads them), decoded
    CHUNK_BYTES at a time."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    carry, newlines, done = "", 0, 0
    while True:
        try:
            raw = handle.read(CHUNK_BYTES)
        except OSError as exc:
            raise DataError(f"Cannot read {path}: {exc.strerror or exc}") from None
        pending = decoder.getstate()[0]
        try:
            text = decoder.decode(raw, final=not raw)
        except UnicodeDecodeError:
            raise _not_utf8(path, pending + raw, newlines) from None
        newlines += raw.count(b"\n")
        lines = io.StringIO(carry + text, newline="").readlines()
        # A last line without its "\n" (or with only the "\r" of a "\r\n") goes on
        # in the next block.
        carry = lines.pop() if raw and lines and not lines[-1].endswith("\n") else ""
        yield from lines
        done += len(raw)
        report(stage, done / size)
        if not raw:
            return


def _not_utf8(path: Path, block: bytes, newlines_before: int) -> DataError:
    """The error for the first bad byte of ``block`` (the undecoded bytes of the block
    that failed), after ``newlines_before`` lines."""
    try:
        block.decode("utf-8")
        start = len(block)
    except UnicodeDecodeError as exc:
        start = exc.start
    line = newlines_before + block[:start].count(b"\n") + 1
    return DataError(f"{path.name} is not UTF-8 text: a bad byte on line {line}. "
                     f"Save it as UTF-8 CSV.", row=line)


def check_header(path: Path, header: list[str]) -> tuple[str, ...]:
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
        extra = n - want
        detail = f"there {noun(extra, 'is', 'are')} {extra} more {noun(extra, 'value')} than columns"
    return RaggedRowError(f"{path.name}, line {line}: {n} values but the header has {want} "
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
