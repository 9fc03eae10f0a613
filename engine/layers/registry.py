"""Layer type name -> class. The designer's palette and inspector read this."""
from __future__ import annotations

from ..errors import ConfigError
from .base import Layer

# Palette groups, in the order the palette shows them.
CATEGORIES = (
    "Input",
    "Core",
    "Convolution",
    "Recurrent",
    "Attention",
    "Merge",
    "Normalisation and regularisation",
)

_REGISTRY: dict[str, type[Layer]] = {}


def register(cls: type[Layer]) -> type[Layer]:
    """Class decorator: make a layer type known by its ``type_name``."""
    if not cls.type_name:
        raise TypeError(f"{cls.__name__} has no type_name")
    if cls.category not in CATEGORIES:
        raise TypeError(f"{cls.__name__}: unknown category {cls.category!r}")
    _REGISTRY[cls.type_name] = cls
    return cls


def layer_class(type_name: str) -> type[Layer]:
    try:
        return _REGISTRY[type_name]
    except KeyError:
        known = ", ".join(sorted(_REGISTRY))
        raise ConfigError(f"unknown layer type {type_name!r} (known: {known})") from None


def layer_types() -> list[type[Layer]]:
    """Every registered layer class, grouped by category in palette order."""
    order = {c: i for i, c in enumerate(CATEGORIES)}
    return sorted(_REGISTRY.values(), key=lambda c: (order[c.category], c.type_name))


def create_layer(type_name: str, config: dict | None = None, name: str = "") -> Layer:
    return layer_class(type_name)(config, name)
