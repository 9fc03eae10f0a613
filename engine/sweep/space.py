"""What a sweep varies: up to a few settings, each with values or a range.

Written as ``NAME=VALUES``, the same in the CLI and the window:

- ``lr=1e-4..1e-1:log``   a range (``:log`` samples evenly in log space; ``:int`` whole numbers)
- ``batch_size=16,32,64`` a list of values; ``optimizer=sgd,adam``
- ``hidden1.units=16..128:int``  a layer's setting: ``LAYER.SETTING`` (layer id or name)

``parse_dimension`` checks the syntax; ``bind`` checks each name and value against the
project (the training schema, the layer's schema), so a sweep never starts a trial
whose settings are impossible. Every mistake is a ``SweepError`` saying what to write.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace

from ..errors import ConfigError
from ..params import Param
from ..settings import TRAINING_SCHEMA
from ..spec import LayerSpec, NetworkSpec

MAX_DIMENSIONS = 3
ALIASES = {"lr": "learning_rate", "batch": "batch_size", "bs": "batch_size"}
# Settings that say where or how a run is kept, not what it learns.
NOT_SWEPT = ("backend", "device", "checkpoint_seconds")
_NAME = re.compile(r"^[A-Za-z_][\w-]*(\.[A-Za-z_]\w*)?$")
_MODIFIERS = ("log", "int")
EXAMPLE = "lr=1e-4..1e-1:log, batch_size=16,32,64 or hidden1.units=16..128:int"


class SweepError(ConfigError):
    """A sweep cannot be set up as asked (its parameters, trials or project)."""


@dataclass(frozen=True)
class Dimension:
    """One setting a sweep varies: a list of ``values`` or a range ``low..high``."""

    name: str  # canonical: a training setting, or LAYER_ID.SETTING
    values: tuple = ()  # a list (empty for a range)
    low: float = 0.0
    high: float = 0.0
    log: bool = False
    integer: bool = False

    @property
    def is_range(self) -> bool:
        return not self.values

    @property
    def layer(self) -> str | None:
        return self.name.split(".", 1)[0] if "." in self.name else None

    @property
    def key(self) -> str:
        return self.name.split(".", 1)[-1]

    def text(self) -> str:
        """The dimension written back as ``parse_dimension`` reads it."""
        if not self.is_range:
            return f"{self.name}=" + ",".join(format_value(v) for v in self.values)
        mods = "".join(f":{m}" for m, on in (("log", self.log), ("int", self.integer)) if on)
        return f"{self.name}={format_value(self.low)}..{format_value(self.high)}{mods}"


def format_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def parse_dimension(text: str) -> Dimension:
    """``NAME=VALUES`` as the module docstring shows; SweepError for anything else."""
    if not isinstance(text, str) or "=" not in text:
        raise SweepError(f"parameter {text!r} needs NAME=VALUES, as in {EXAMPLE}")
    name, _, values = (part.strip() for part in text.partition("="))
    name = ALIASES.get(name, name)
    if not _NAME.match(name):
        raise SweepError(f"parameter {text!r}: {name!r} is not a setting name (a training "
                         f"setting such as learning_rate, or LAYER.SETTING such as hidden1.units)")
    if not values:
        raise SweepError(f"parameter {name}: no values after '=' (as in {EXAMPLE})")
    if ".." in values:
        return _parse_range(name, values)
    return _parse_list(name, values)


def _parse_range(name: str, text: str) -> Dimension:
    span, *mods = (part.strip() for part in text.split(":"))
    unknown = [m for m in mods if m not in _MODIFIERS]
    if unknown:
        raise SweepError(f"parameter {name}: unknown range option ':{unknown[0]}' "
                         f"(known: :log, :int)")
    ends = span.split("..")
    low, high = (_number(name, e) for e in ends) if len(ends) == 2 else (None, None)
    if low is None or high is None:
        raise SweepError(f"parameter {name}: a range is two numbers, LOW..HIGH, "
                         f"as in {name}=1e-4..1e-1:log")
    if not low < high:
        raise SweepError(f"parameter {name}: the range's start {format_value(low)} must be "
                         f"below its end {format_value(high)}")
    if "log" in mods and low <= 0:
        raise SweepError(f"parameter {name}: a :log range must start above 0, "
                         f"not at {format_value(low)}")
    integer = "int" in mods
    if integer and (low != int(low) or high != int(high)):
        raise SweepError(f"parameter {name}: an :int range needs whole-number ends")
    return Dimension(name, (), float(low), float(high), "log" in mods, integer)


def _number(name: str, text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    if not math.isfinite(value):
        raise SweepError(f"parameter {name}: {text!r} is not a finite number")
    return value


def _parse_list(name: str, text: str) -> Dimension:
    items = [item.strip() for item in text.split(",")]
    if any(not item for item in items):
        raise SweepError(f"parameter {name}: an empty value in {text!r} (write the values "
                         f"separated by commas, as in batch_size=16,32,64)")
    values = tuple(_scalar(name, item) for item in items)
    if len(set(map(repr, values))) != len(values):
        raise SweepError(f"parameter {name}: a value is listed twice in {text!r}")
    return Dimension(name, values)


def _scalar(name: str, text: str):
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    for kind in (int, float):
        try:
            value = kind(text)
        except ValueError:
            continue
        if isinstance(value, float) and not math.isfinite(value):
            raise SweepError(f"parameter {name}: {text!r} is not a finite number")
        return value
    return text


def parse_space(texts: list[str]) -> list[Dimension]:
    """Several dimensions: 1 to MAX_DIMENSIONS, each named once."""
    if not texts:
        raise SweepError(f"say what to vary, with --param NAME=VALUES (as in {EXAMPLE})")
    if len(texts) > MAX_DIMENSIONS:
        raise SweepError(f"a sweep varies at most {MAX_DIMENSIONS} settings, not {len(texts)}")
    dims = [parse_dimension(t) for t in texts]
    names = [d.name for d in dims]
    twice = next((n for n in names if names.count(n) > 1), None)
    if twice:
        raise SweepError(f"parameter {twice} is given twice")
    return dims


# ---- against a project ---------------------------------------------------------------
def bind(dims: list[Dimension], spec: NetworkSpec) -> list[Dimension]:
    """The dimensions with layer names resolved to ids, each checked against the
    schema of what it sets: every listed value and both ends of a range must be valid."""
    bound = [_bind_one(d, spec) for d in dims]
    names = [d.name for d in bound]
    twice = next((n for n in names if names.count(n) > 1), None)
    if twice:
        raise SweepError(f"parameter {twice} is given twice")
    return bound


def _bind_one(dim: Dimension, spec: NetworkSpec) -> Dimension:
    if dim.layer is None:
        if dim.name in NOT_SWEPT or dim.name not in TRAINING_SCHEMA.names():
            known = ", ".join(n for n in TRAINING_SCHEMA.names() if n not in NOT_SWEPT)
            raise SweepError(f"parameter {dim.name}: not a training setting a sweep can "
                             f"vary (known: {known}; or LAYER.SETTING for a layer's)")
        return _checked(dim, TRAINING_SCHEMA.get(dim.name), "Training")
    layer = find_layer(spec, dim.layer)
    from ..layers import layer_class

    schema = layer_class(layer.type).schema
    if dim.key not in schema.names():
        raise SweepError(f"parameter {dim.name}: {layer.type} '{layer.name}' has no setting "
                         f"{dim.key!r} (it has: {', '.join(schema.names())})")
    bound = replace(dim, name=f"{layer.id}.{dim.key}")
    return _checked(bound, schema.get(dim.key), f"{layer.type} '{layer.name}'")


def find_layer(spec: NetworkSpec, ref: str) -> LayerSpec:
    """A layer by id, else by name; SweepError naming the layers there are."""
    for layer in spec.layers:
        if layer.id == ref:
            return layer
    for layer in spec.layers:
        if layer.name == ref:
            return layer
    names = ", ".join(layer.id for layer in spec.layers) or "none"
    raise SweepError(f"parameter {ref}.…: the design has no layer {ref!r} (layers: {names})")


def _checked(dim: Dimension, param: Param, owner: str) -> Dimension:
    if param.kind not in ("int", "float", "choice", "bool"):
        raise SweepError(f"parameter {dim.name}: {param.title} ({param.kind}) cannot be swept")
    if dim.is_range and param.kind not in ("int", "float"):
        raise SweepError(f"parameter {dim.name}: {param.title} takes one of "
                         f"{', '.join(map(format_value, param.choices)) or 'true, false'}; "
                         f"list them with commas instead of a range")
    if dim.is_range and param.kind == "int":
        dim = replace(dim, integer=True)  # a whole-number setting samples whole numbers
    try:
        values = dim.values if not dim.is_range else (dim.low, dim.high)
        checked = tuple(param.validate(_as_int(v) if dim.integer or param.kind == "int" else v,
                                       owner=owner) for v in values)
    except ConfigError as exc:
        raise SweepError(f"parameter {dim.name}: {exc.message}") from None
    return dim if dim.is_range else replace(dim, values=checked)


def _as_int(value):
    return int(value) if isinstance(value, float) and value == int(value) else value


# ---- a trial's settings, applied ------------------------------------------------------
def apply_settings(spec: NetworkSpec, training: dict,
                   settings: dict) -> tuple[NetworkSpec, dict]:
    """The design and training settings with a trial's ``settings`` (canonical names
    from ``bind``) put in; the originals are not changed."""
    training = dict(training)
    ids = {layer.id for layer in spec.layers}
    for name, value in settings.items():
        if "." not in name:
            training[name] = value
            continue
        layer_id, key = name.split(".", 1)
        if layer_id not in ids:
            raise SweepError(f"setting {name}: the design has no layer {layer_id!r}")
        spec = spec.with_layer_config(layer_id, **{key: value})
    return spec, training
