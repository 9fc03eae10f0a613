"""How much memory the engine may use, one setting for the loaders and the runs.

The budget is ``NEUROCANVAS_MEMORY_LIMIT_MB`` when set, else the memory free now. A
loader checks the bytes its arrays will take against it before allocating them
(``check_data_fits``); ``make_job`` checks a run's estimate (``run/budget.py``). The
loaders also keep a fixed cap each, so a file cannot take the whole machine even where
the free memory is unknown.
"""
from __future__ import annotations

import os

from .errors import DataError, TrainingError

LIMIT_VARIABLE = "NEUROCANVAS_MEMORY_LIMIT_MB"


def memory_budget() -> int | None:
    """Bytes the engine may use: the limit set in the environment, else the memory
    free now (None when neither is known)."""
    limit = os.environ.get(LIMIT_VARIABLE, "").strip()
    if limit:
        try:
            return int(float(limit) * 2**20)
        except ValueError:
            raise TrainingError(f"{LIMIT_VARIABLE} must be a number of megabytes, not "
                                f"{limit!r}") from None
    return available_memory()


def data_limit(cap: int) -> int:
    """Bytes one data set may take: the budget, and never more than ``cap``."""
    budget = memory_budget()
    return cap if budget is None else min(cap, budget)


def check_data_fits(need: int, what: str, advice: str, cap: int,
                    limit: int | None = None) -> None:
    """DataError when loading ``what`` needs more than ``limit`` (default
    ``data_limit(cap)``): "{what} would take 5.2 GB, more than the 3.1 GB free: {advice}."
    A loader that reads in blocks takes the limit once, before the first block (the
    memory free shrinks as it reads)."""
    limit = data_limit(cap) if limit is None else limit
    if need > limit:
        room = ("the most one data set may take" if limit == cap else
                f"allowed by {LIMIT_VARIABLE}" if os.environ.get(LIMIT_VARIABLE, "").strip()
                else f"free ({LIMIT_VARIABLE} sets another limit)")
        raise DataError(f"{what} would take {fmt_bytes(need)}, more than the "
                        f"{fmt_bytes(limit)} {room}: {advice}.")


def available_memory() -> int | None:
    """Bytes of memory free for new work: MemAvailable from /proc/meminfo (Linux),
    else free pages from sysconf; None when neither is known."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return int(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):
        return None


def fmt_bytes(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if abs(n) < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"
