"""What a path must be before anything opens it. A FIFO, a device or a socket given as
a project or a data file would block the reader forever (a FIFO's open waits for a
writer) or never end (/dev/zero); a folder is not a file. ``regular_file`` says so
first, with the error type of the caller."""
from __future__ import annotations

import os
import stat
from pathlib import Path

from .errors import NeuroCanvasError


def regular_file(path: str | os.PathLike, error: type[NeuroCanvasError],
                 what: str = "file") -> Path:
    """``path`` if it is a regular file (links followed); else raise ``error``."""
    path = Path(path)
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise error(f"{path}: no such file") from None
    except OSError as exc:
        raise error(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if stat.S_ISDIR(mode):
        raise error(f"{path} is a folder, not a {what}")
    if not stat.S_ISREG(mode):
        kind = ("a named pipe (FIFO)" if stat.S_ISFIFO(mode) else
                "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else
                "a socket" if stat.S_ISSOCK(mode) else "not a regular file")
        raise error(f"{path} is {kind}, not a {what}; refusing to read it")
    return path
