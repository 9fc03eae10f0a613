"""The network description: layers (id, type, name, config) and edges, as JSON.

A ``NetworkSpec`` is an immutable value: the designer edits its document and takes a
new spec as a snapshot for training; the engine builds networks from specs. The input's
shape and kind live in the config of the single ``Input`` layer.
"""
from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from typing import Any

from .errors import ConfigError, SpecError
from .layers import layer_class

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class LayerSpec:
    id: str
    type: str
    name: str
    config: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"id": self.id, "type": self.type, "name": self.name,
                "config": _jsonable(self.config)}


@dataclass(frozen=True)
class EdgeSpec:
    """Data flows from ``source`` to ``target``; a merge layer's inputs are in edge order."""

    source: str
    target: str

    def to_dict(self) -> dict:
        return {"from": self.source, "to": self.target}


@dataclass(frozen=True)
class NetworkSpec:
    layers: tuple[LayerSpec, ...] = ()
    edges: tuple[EdgeSpec, ...] = ()
    version: int = SCHEMA_VERSION

    # ---- queries ----------------------------------------------------------------------
    def layer(self, layer_id: str) -> LayerSpec:
        for layer in self.layers:
            if layer.id == layer_id:
                return layer
        raise KeyError(layer_id)

    def inputs_of(self, layer_id: str) -> list[str]:
        return [e.source for e in self.edges if e.target == layer_id]

    def outputs_of(self, layer_id: str) -> list[str]:
        return [e.target for e in self.edges if e.source == layer_id]

    @property
    def input_layer(self) -> LayerSpec | None:
        inputs = [layer for layer in self.layers if layer.type == "Input"]
        return inputs[0] if len(inputs) == 1 else None

    @property
    def input_shape(self) -> tuple[int, ...] | None:
        layer = self.input_layer
        return tuple(layer.config.get("shape", ())) if layer else None

    @property
    def input_kind(self) -> str | None:
        layer = self.input_layer
        return layer.config.get("kind", "features") if layer else None

    # ---- derived specs ----------------------------------------------------------------
    def with_layer_config(self, layer_id: str, **changes) -> NetworkSpec:
        layers = tuple(
            LayerSpec(l.id, l.type, l.name, {**l.config, **changes}) if l.id == layer_id else l
            for l in self.layers)
        return NetworkSpec(layers, self.edges, self.version)

    # ---- JSON -------------------------------------------------------------------------
    def to_dict(self) -> dict:
        return {"version": self.version,
                "layers": [layer.to_dict() for layer in self.layers],
                "edges": [edge.to_dict() for edge in self.edges]}

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent)

    @classmethod
    def from_json(cls, text: str) -> NetworkSpec:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise SpecError(f"not valid JSON (line {exc.lineno}, column {exc.colno}): "
                            f"{exc.msg}", where=f"line {exc.lineno}") from None
        return cls.from_dict(data)

    @classmethod
    def from_dict(cls, data: Any, where: str = "design") -> NetworkSpec:
        """Validate everything (types, ids, edges, configs) before building the spec."""
        _expect(isinstance(data, dict), f"{where}: must be an object", where)
        version = data.get("version")
        _expect(isinstance(version, int) and not isinstance(version, bool),
                f"{where}.version: missing or not a whole number", f"{where}.version")
        _expect(1 <= version <= SCHEMA_VERSION,
                f"{where}.version {version} is unknown: this NeuroCanvas reads versions up to "
                f"{SCHEMA_VERSION}; a newer NeuroCanvas may have written this file",
                f"{where}.version")
        layers = _parse_layers(data.get("layers"), f"{where}.layers")
        edges = _parse_edges(data.get("edges", []), {l.id for l in layers}, f"{where}.edges")
        return cls(tuple(layers), tuple(edges), version)


def _parse_layers(raw: Any, where: str) -> list[LayerSpec]:
    _expect(isinstance(raw, list), f"{where}: must be a list", where)
    layers, seen = [], set()
    for i, item in enumerate(raw):
        at = f"{where}[{i}]"
        _expect(isinstance(item, dict), f"{at}: must be an object", at)
        for key in ("id", "type"):
            value = item.get(key)
            _expect(isinstance(value, str) and value.strip() != "",
                    f"{at}.{key}: missing or empty", f"{at}.{key}")
        layer_id, type_name = item["id"], item["type"]
        _expect(layer_id not in seen, f"{at}.id: {layer_id!r} is used twice", f"{at}.id")
        seen.add(layer_id)
        name = item.get("name", layer_id)
        _expect(isinstance(name, str), f"{at}.name: must be text", f"{at}.name")
        config = item.get("config", {})
        _expect(isinstance(config, dict), f"{at}.config: must be an object", f"{at}.config")
        try:
            cls = layer_class(type_name)
            config = cls.schema.validate(config, owner=f"{type_name} '{name}'")
            cls(config, name)  # cross-setting checks
        except ConfigError as exc:
            raise SpecError(f"{at}: {exc.message}", where=f"{at}.config") from None
        layers.append(LayerSpec(layer_id, type_name, name, _jsonable(config)))
    return layers


def _parse_edges(raw: Any, ids: set[str], where: str) -> list[EdgeSpec]:
    _expect(isinstance(raw, list), f"{where}: must be a list", where)
    edges, seen = [], set()
    for i, item in enumerate(raw):
        at = f"{where}[{i}]"
        _expect(isinstance(item, dict), f"{at}: must be an object with 'from' and 'to'", at)
        src, dst = item.get("from"), item.get("to")
        for key, value in (("from", src), ("to", dst)):
            _expect(isinstance(value, str), f"{at}.{key}: missing or not text", f"{at}.{key}")
            _expect(value in ids, f"{at}.{key}: no layer has id {value!r}", f"{at}.{key}")
        _expect((src, dst) not in seen, f"{at}: the edge {src} -> {dst} appears twice", at)
        seen.add((src, dst))
        edges.append(EdgeSpec(src, dst))
    return edges


def _expect(condition: bool, message: str, where: str) -> None:
    if not condition:
        raise SpecError(message, where=where)


def _jsonable(config: dict) -> dict:
    """A deep copy with tuples as lists, so specs never share mutable state."""
    out = {}
    for key, value in config.items():
        out[key] = list(value) if isinstance(value, tuple) else copy.deepcopy(value)
    return out


def design_fingerprint(spec: NetworkSpec) -> str:
    """What trained weights depend on: layer ids, types, settings and edges (not names or
    positions), so a rename or a move never makes trained weights stale."""
    import hashlib

    text = json.dumps([[(layer.id, layer.type, _fingerprinted(layer)) for layer in spec.layers],
                       [(e.source, e.target) for e in spec.edges]], sort_keys=True,
                      default=list)
    return hashlib.sha1(text.encode()).hexdigest()


def _fingerprinted(layer: LayerSpec) -> dict:
    """The settings the fingerprint covers: all but those ``added_later`` and at their
    default (as a design saved before they existed reads)."""
    try:
        schema = layer_class(layer.type).schema
    except ConfigError:
        return layer.config
    later = {p.name: p.default for p in schema if p.added_later}
    return {k: v for k, v in layer.config.items() if k not in later or v != later[k]}
