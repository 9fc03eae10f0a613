"""Layer types. Importing this package registers every layer."""
# Importing a module registers its layers (the imports are for that side effect).
from . import core, merge, embedding, recurrent, conv, pooling, normalization  # noqa: F401
from . import upsampling, attention, conv1d, pooling1d  # noqa: F401
from .base import Layer, ParamSpec, Shape, fmt_shape
from .registry import CATEGORIES, create_layer, layer_class, layer_types, register

__all__ = ["Layer", "ParamSpec", "Shape", "fmt_shape", "CATEGORIES", "create_layer",
           "layer_class", "layer_types", "register"]
