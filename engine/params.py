"""Parameter schemas: each layer, loss and optimizer declares its settings once.

The designer builds its property forms from these declarations, the spec loader
validates configs with them, and the CLI prints them. Adding a layer never means
writing a form.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from .errors import ConfigError

KINDS = ("int", "float", "bool", "choice", "str", "shape")


@dataclass(frozen=True)
class Param:
    """One setting: its name, kind, default, allowed range or choices, and help.

    kind is one of: int, float, bool, choice, str, shape (a tuple of positive ints).
    For int/float, ``low``/``high`` bound the value (inclusive) when given.
    ``int_or_choice`` lets an int param also accept named choices (padding: "same" or 2).
    """

    name: str
    kind: str
    default: Any
    help: str
    low: float | None = None
    high: float | None = None
    choices: tuple = ()
    label: str = ""
    int_or_choice: bool = False
    optional: bool = False  # None allowed (e.g. "no clipping")
    # When the setting means something: (the setting it depends on, the values that make
    # it relevant), e.g. momentum only for ("optimizer", ("sgd",)). None: always.
    applies: tuple[str, tuple] | None = None
    # A setting added after designs were first saved: left out of the design fingerprint
    # while at its default, so a design saved before it existed keeps its fingerprint
    # (and its trained weights, results and checkpoint stay current).
    added_later: bool = False

    def applies_to(self, values: dict) -> bool:
        """Whether this setting matters given the other settings' ``values``."""
        if self.applies is None:
            return True
        depends, allowed = self.applies
        return values.get(depends) in allowed

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown param kind {self.kind!r}")

    @property
    def title(self) -> str:
        return self.label or self.name.replace("_", " ").capitalize()

    def validate(self, value: Any, owner: str = "") -> Any:
        """Return the value in canonical form or raise ConfigError saying why."""
        where = f"{owner}: " if owner else ""
        if value is None and self.optional:
            return None
        try:
            return _CHECKS[self.kind](self, value)
        except ConfigError as exc:
            raise ConfigError(f"{where}{self.title} {exc.message}", where=self.name) from None


def _check_int(p: Param, v: Any) -> Any:
    if p.int_or_choice and isinstance(v, str):
        return _check_choice(p, v)
    # NaN and infinities (JSON from elsewhere) are not whole numbers either: int() of
    # them raised ValueError and OverflowError, not a message.
    if isinstance(v, bool) or not isinstance(v, (int, float)) or \
            (isinstance(v, float) and not math.isfinite(v)) or int(v) != v:
        raise ConfigError(f"must be a whole number, not {v!r}")
    return _check_range(p, int(v))


def _check_float(p: Param, v: Any) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise ConfigError(f"must be a number, not {v!r}")
    v = float(v)
    if v != v or v in (float("inf"), float("-inf")):
        raise ConfigError("must be a finite number")
    return _check_range(p, v)


def _check_range(p: Param, v):
    if p.low is not None and v < p.low:
        raise ConfigError(f"must be at least {_fmt(p.low)}, not {_fmt(v)}")
    if p.high is not None and v > p.high:
        raise ConfigError(f"must be at most {_fmt(p.high)}, not {_fmt(v)}")
    return v


def _check_bool(p: Param, v: Any) -> bool:
    if not isinstance(v, bool):
        raise ConfigError(f"must be true or false, not {v!r}")
    return v


def _check_choice(p: Param, v: Any) -> Any:
    if v not in p.choices:
        options = ", ".join(str(c) for c in p.choices)
        raise ConfigError(f"must be one of {options}; got {v!r}")
    return v


def _check_str(p: Param, v: Any) -> str:
    if not isinstance(v, str):
        raise ConfigError(f"must be text, not {v!r}")
    return v


def _check_shape(p: Param, v: Any) -> tuple[int, ...]:
    if isinstance(v, (int,)) and not isinstance(v, bool):
        v = (v,)
    if not isinstance(v, (list, tuple)) or not v:
        raise ConfigError(f"must be a list of positive whole numbers, not {v!r}")
    out = []
    for d in v:
        if isinstance(d, bool) or not isinstance(d, int) or d < 1:
            raise ConfigError(f"must be a list of positive whole numbers, not {list(v)!r}")
        out.append(int(d))
    return tuple(out)


def _fmt(x) -> str:
    return f"{x:g}" if isinstance(x, float) else str(x)


_CHECKS = {
    "int": _check_int,
    "float": _check_float,
    "bool": _check_bool,
    "choice": _check_choice,
    "str": _check_str,
    "shape": _check_shape,
}


@dataclass(frozen=True)
class Schema:
    """An ordered set of Params with validation of a whole config dict."""

    params: tuple[Param, ...] = field(default_factory=tuple)

    def __iter__(self):
        return iter(self.params)

    def names(self) -> list[str]:
        return [p.name for p in self.params]

    def get(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(name)

    def defaults(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.params}

    def validate(self, config: dict | None, owner: str = "") -> dict[str, Any]:
        """Fill defaults, check each value, refuse unknown keys."""
        config = dict(config or {})
        unknown = sorted(set(config) - set(self.names()))
        if unknown:
            known = ", ".join(self.names()) or "none"
            where = f"{owner}: " if owner else ""
            raise ConfigError(f"{where}unknown setting {unknown[0]!r} (known: {known})",
                              where=unknown[0])
        out = {}
        for p in self.params:
            out[p.name] = p.validate(config.get(p.name, p.default), owner)
        return out
