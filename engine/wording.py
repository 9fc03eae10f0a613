"""Words people read in messages and descriptions (the CLI's and the window's alike)."""
from __future__ import annotations


def noun(n: int, singular: str, plural: str = "") -> str:
    """The noun agreeing with ``n``: noun(1, "class", "classes") is "class", so that
    ``f"{n} {noun(n, 'unit')}"`` never reads "1 units"."""
    return singular if n == 1 else (plural or singular + "s")
