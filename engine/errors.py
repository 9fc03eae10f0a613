"""Typed errors raised by the engine.

Each carries a message meant for a person: it says what is wrong, where, and when
possible what to do. The designer and the CLI show ``str(error)``; they never need to
parse it. ``where`` names the place (a layer id, a JSON path, a row and column).
"""
from __future__ import annotations


class NeuroCanvasError(Exception):
    """Base of every error the engine raises on purpose."""

    def __init__(self, message: str, where: str | None = None):
        super().__init__(message)
        self.message = message
        self.where = where

    def __str__(self) -> str:
        return self.message


class SpecError(NeuroCanvasError):
    """A network description (JSON) is malformed or of an unknown version."""


class ConfigError(NeuroCanvasError):
    """A layer, loss, optimizer or training setting has an invalid value."""


class GraphError(NeuroCanvasError):
    """The layers do not form a valid network: a cycle, a dangling layer, bad fan-in."""

    def __init__(self, message: str, layers: tuple[str, ...] = (), where: str | None = None):
        super().__init__(message, where)
        self.layers = tuple(layers)


class ShapeError(NeuroCanvasError):
    """A layer cannot accept the shape it receives."""

    def __init__(self, message: str, layer: str | None = None):
        super().__init__(message, layer)
        self.layer = layer


class DataError(NeuroCanvasError):
    """A dataset cannot be loaded or does not fit the network."""

    def __init__(self, message: str, row: int | None = None, column: str | None = None):
        where = None
        if row is not None or column is not None:
            where = f"row {row}, column {column}" if row is not None else f"column {column}"
        super().__init__(message, where)
        self.row = row
        self.column = column


class RaggedRowError(DataError):
    """A table's row has more or fewer values than its header: the file's shape is
    wrong, whichever column the count first misses (the window names the file, not that
    column's field)."""


class ProjectError(NeuroCanvasError):
    """A project file cannot be read or written."""


class TrainingError(NeuroCanvasError):
    """Training cannot start or cannot go on."""
