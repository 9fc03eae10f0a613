"""The layer contract every layer type follows.

Lifecycle (after Keras's Dense): ``__init__`` validates the config against the class's
parameter schema; ``output_shape`` is a pure function of the input shapes;
``param_specs`` names the weights a layer needs for given input shapes; the network
allocates them as views into one flat buffer and hands them over in ``params`` and
``grads``; ``forward`` caches what ``backward`` needs.

Shapes exclude the batch axis: features ``(D,)``, images ``(C, H, W)``, sequences
``(T, D)``, token sequences ``(T,)``. Arrays passed to forward are batch-first.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from ..errors import ShapeError
from ..params import Schema

Shape = tuple[int, ...]


@dataclass(frozen=True)
class ParamSpec:
    """A named weight: its shape, how to initialise it, and whether weight decay applies."""

    name: str
    shape: Shape
    init: str  # an initializer name from engine.initializers
    fan_in: int = 1
    fan_out: int = 1
    decay: bool = True  # weights decay, biases and norm scales do not

    @property
    def size(self) -> int:
        return math.prod(self.shape)


class Layer:
    """Base class: subclasses set the class attributes and implement the methods."""

    type_name: ClassVar[str] = ""
    category: ClassVar[str] = "Core"
    help: ClassVar[str] = ""
    schema: ClassVar[Schema] = Schema()
    min_inputs: ClassVar[int] = 1
    max_inputs: ClassVar[int | None] = 1  # None: any number

    def __init__(self, config: dict | None = None, name: str = ""):
        self.name = name or self.type_name.lower()
        self.config = self.schema.validate(config, owner=self.label)
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self.state: dict[str, np.ndarray] = {}  # non-trainable buffers (running stats)
        # Set by the Network (or allocate) before training; layers built for shape
        # inference on every edit never need one, and making one costs microseconds.
        self.rng: np.random.Generator | None = None
        self.input_shapes: list[Shape] = []
        self.check_config()

    # ---- description ---------------------------------------------------------------
    @property
    def label(self) -> str:
        """How messages name this layer: ``Dense 'fc2'``."""
        return f"{self.type_name} '{self.name}'"

    def check_config(self) -> None:
        """Cross-setting checks; raise ConfigError. Single values are checked by the schema."""

    def describe(self) -> str:
        """Key settings in a few words for the canvas, e.g. ``64 units, relu``."""
        return ""

    # ---- shapes and weights ----------------------------------------------------------
    def output_shape(self, input_shapes: list[Shape]) -> Shape:
        """Pure: the output shape for these input shapes, or ShapeError saying why not."""
        raise NotImplementedError

    def param_specs(self, input_shapes: list[Shape]) -> list[ParamSpec]:
        """The trainable weights for these input shapes (none by default)."""
        return []

    def state_specs(self, input_shapes: list[Shape]) -> list[ParamSpec]:
        """Non-trainable buffers saved with the weights (none by default)."""
        return []

    def working_numbers(self, input_shapes: list[Shape]) -> int:
        """Numbers per sample a training step keeps beyond the layer's output (the
        memory estimate adds them): 0 by default; attention keeps its (heads, T, T)
        weights."""
        return 0

    def param_count(self, input_shapes: list[Shape]) -> int:
        return sum(p.size for p in self.param_specs(input_shapes))

    def build(self, input_shapes: list[Shape]) -> Shape:
        """Record the input shapes before forward; returns the output shape."""
        self.input_shapes = [tuple(s) for s in input_shapes]
        return self.output_shape(self.input_shapes)

    # ---- computation -----------------------------------------------------------------
    def forward(self, inputs: list[np.ndarray], training: bool = False) -> np.ndarray:
        raise NotImplementedError

    def backward(self, grad: np.ndarray, need_input_grad: bool = True) -> list[np.ndarray | None]:
        """Write weight gradients into ``self.grads`` (overwrite, not add) and return the
        gradient for each input (None where ``need_input_grad`` is False)."""
        raise NotImplementedError

    # ---- helpers for subclasses ------------------------------------------------------
    def shape_error(self, message: str) -> ShapeError:
        return ShapeError(f"{self.label} {message}", layer=self.name)

    def single_input(self, input_shapes: list[Shape]) -> Shape:
        if len(input_shapes) != 1:
            raise self.shape_error(f"takes one input but receives {len(input_shapes)}")
        return tuple(input_shapes[0])

    def allocate(self, input_shapes: list[Shape], dtype=np.float64, seed: int = 0) -> Shape:
        """Give the layer weights of its own (outside a Network): used by tests and tools."""
        from ..initializers import initialize

        out = self.build(input_shapes)
        rng = np.random.default_rng(seed)
        self.rng = np.random.default_rng(seed + 1)
        for spec in self.param_specs(self.input_shapes):
            self.params[spec.name] = initialize(spec, rng, dtype)
            self.grads[spec.name] = np.zeros(spec.shape, dtype)
        for spec in self.state_specs(self.input_shapes):
            self.state[spec.name] = initialize(spec, rng, dtype)
        return out


def fmt_shape(shape: Shape | None) -> str:
    """``(16, 7, 7)`` as people read it; ``?`` when unknown."""
    if shape is None:
        return "?"
    if len(shape) == 1:
        return f"({shape[0]},)"
    return "(" + ", ".join(str(d) for d in shape) + ")"
