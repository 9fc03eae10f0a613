"""Atomic file writes, as Qt's QSaveFile does them: a temporary file beside the target,
flushed to disk, given the target's mode, then renamed over it, and the folder synced.

A crash, a full disk or an exception while writing leaves the old file (or no file) in
place, never half of a new one, and no temporary file behind. Saving through a symbolic
link writes its target (the link stays a link). An existing file keeps its mode; a new
one gets the mode the umask gives (``mkstemp`` alone would leave 0600: an exported
model no one else could read). Errors name the file asked for, never the temporary one.
"""
from __future__ import annotations

import os
import stat
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

_umask_lock = threading.Lock()


def write_atomic(path: str | os.PathLike, write: Callable[[BinaryIO], None] | bytes) -> None:
    """Write ``path`` through ``write(file)`` (or these bytes), all or nothing."""
    asked = Path(path)
    target = asked.resolve() if asked.is_symlink() else asked
    mode = _mode_for(target)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp",
                                   dir=target.parent)
    except OSError as exc:
        raise _naming(exc, asked) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            if isinstance(write, (bytes, bytearray)):
                fh.write(write)
            else:
                write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise _naming(exc, asked) from None
        raise
    _sync_folder(target.parent)


def _mode_for(target: Path) -> int:
    """The existing file's permission bits, or what a new file gets under the umask."""
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except OSError:
        with _umask_lock:  # reading the umask means setting it: keep that brief
            umask = os.umask(0)
            os.umask(umask)
        return 0o666 & ~umask


def _naming(exc: OSError, path: Path) -> OSError:
    """The same error about the file the caller named (not the temporary file); OSError
    picks the subclass from the error number (PermissionError, ...)."""
    if exc.errno is None:
        return OSError(f"{path}: {exc}")
    return OSError(exc.errno, exc.strerror or str(exc), str(path))


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (best effort: not every system allows it)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
