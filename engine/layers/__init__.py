"""Layer types. Importing this package registers every layer."""
from . import core, merge, embedding, recurrent, conv, pooling, normalization  # noqa: F401  (registration side effect)
from . import conv1d, pooling1d  # noqa: F401  (1-D convolution and pooling)
from .base import Layer, ParamSpec, Shape, fmt_shape
from .registry import CATEGORIES, create_layer, layer_class, layer_types, register

__all__ = ["Layer", "ParamSpec", "Shape", "fmt_shape", "CATEGORIES", "create_layer",
           "layer_class", "layer_types", "register"]
