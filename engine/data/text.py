"""Character-level text: windows of character ids and the characters that follow.

``x[i]`` holds ``seq_length`` character ids, ``y[i]`` the same window shifted by one
(the next character at every step), both int64 ``(N, T)``. ``vocabulary[id]`` is the
character; it doubles as ``class_names`` (a class per character).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import DataError
from ..files import regular_file
from ..memory import check_data_fits
from .dataset import Dataset

# The ids and the windows' x and y (overlapping windows repeat the text); also the
# most a data set may take when the memory free is unknown (NEUROCANVAS_MEMORY_LIMIT_MB).
MAX_WINDOW_BYTES = 4 << 30


def read_text(path: str | Path) -> str:
    """A UTF-8 text file with its line endings made ``\\n``; DataError if unreadable."""
    path = regular_file(path, DataError, "text file")
    check_data_fits(2 * path.stat().st_size, f"The text file {path.name}", "use a shorter "
                    "text", MAX_WINDOW_BYTES)  # its bytes, then its characters
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataError(f"Cannot read the text file {path}: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(f"{path} is not UTF-8 text (a bad byte at offset {exc.start}).") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def char_dataset(text: str, seq_length: int = 64, stride: int = 0, lowercase: bool = False,
                 max_chars: int = 0, name: str = "text", source: str = "") -> Dataset:
    """Cut ``text`` into windows of ``seq_length`` characters every ``stride`` characters
    (0: no overlap, stride = seq_length). ``max_chars`` > 0 keeps only the start."""
    if seq_length < 2 or stride < 0:
        raise DataError(f"Windows need seq_length of at least 2 and a stride of 0 or more, "
                        f"not {seq_length} and {stride}.")
    if lowercase:
        text = text.lower()
    if max_chars > 0:
        text = text[:max_chars]
    stride = stride or seq_length
    count = max(0, -(-(len(text) - seq_length) // stride))
    # The ids, and x and y of the windows once split (the splits are copies), int64 as
    # the network gets them.
    need = (len(text) + 2 * count * seq_length) * 8
    check_data_fits(need, f"Windows of {seq_length} characters every {stride} over "
                          f"{len(text):,} characters", "use a larger stride (0: no "
                          "overlap) or max_chars", MAX_WINDOW_BYTES)
    if len(text) < seq_length + 1:
        raise DataError(f"The text has {len(text)} characters; windows of {seq_length} "
                        f"need at least {seq_length + 1}.")
    vocabulary = tuple(sorted(set(text)))
    lookup = {ch: i for i, ch in enumerate(vocabulary)}
    ids = np.fromiter((lookup[ch] for ch in text), dtype=np.int64, count=len(text))
    # Each window and its next-character targets as views of one array of ids: an
    # index matrix and two gathered copies made 100 MB of text peak at about 4 GB.
    windows = np.lib.stride_tricks.sliding_window_view(ids, seq_length + 1)[::stride]
    starts = range(0, len(text) - seq_length, stride)
    return Dataset(x=windows[:, :-1], y=windows[:, 1:], task="classification", name=name,
                   input_kind="tokens", class_names=vocabulary, vocabulary=vocabulary,
                   source=source,
                   description=f"Character-level text: {len(starts)} windows of {seq_length} "
                               f"characters from {len(text):,} characters ({len(vocabulary)} "
                               f"distinct); predict the next character at every step.",
                   meta={"seq_length": seq_length, "stride": stride})


def load_text_file(path: str | Path, seq_length: int = 64, stride: int = 0,
                   lowercase: bool = False, max_chars: int = 0) -> Dataset:
    """A character data set from any UTF-8 text file."""
    path = Path(path)
    return char_dataset(read_text(path), seq_length, stride, lowercase, max_chars,
                        name=path.stem, source=str(path))
