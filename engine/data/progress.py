"""How far a long data load has got, for whoever shows it (the window's Data panel).

A load runs deep inside the loaders (a CSV's blocks, its columns, an image folder's
files); rather than pass a callback through every loader's signature, the caller sets
one for its thread with ``reporting(callback)`` and the loaders call ``report(stage,
fraction)``, which does nothing when no one listens. The callback runs in the loading
thread: a GUI relays it through a queued signal, never touching widgets there.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

Callback = Callable[[str, float], None]
_listener: ContextVar[Callback | None] = ContextVar("data_progress", default=None)


@contextmanager
def reporting(callback: Callback) -> Iterator[None]:
    """Send this thread's load progress to ``callback(stage, fraction)`` meanwhile."""
    token = _listener.set(callback)
    try:
        yield
    finally:
        _listener.reset(token)


def report(stage: str, fraction: float) -> None:
    """``stage`` ("reading", "converting") is ``fraction`` (0..1) done."""
    callback = _listener.get()
    if callback is not None:
        callback(stage, min(max(float(fraction), 0.0), 1.0))
