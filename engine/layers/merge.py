"""Layers that merge branches: Add, Multiply and Concatenate. Input order is the edge order."""
from __future__ import annotations

import numpy as np

from ..params import Param, Schema
from .base import Layer, fmt_shape
from .registry import register


@register
class Add(Layer):
    """Element-wise sum of two or more inputs of one shape. Shape: unchanged."""

    type_name = "Add"
    category = "Merge"
    help = "Adds its inputs element-wise (a residual connection); they must share one shape."
    min_inputs = 2
    max_inputs = None

    def output_shape(self, input_shapes):
        first = tuple(input_shapes[0])
        for other in input_shapes[1:]:
            if tuple(other) != first:
                raise self.shape_error(f"needs inputs of one shape but receives "
                                       f"{fmt_shape(first)} and {fmt_shape(other)}")
        return first

    def forward(self, inputs, training=False):
        self._n = len(inputs)
        out = inputs[0] + inputs[1]
        for x in inputs[2:]:
            out += x
        return out

    def backward(self, grad, need_input_grad=True):
        return [grad] * self._n


@register
class Multiply(Layer):
    """Element-wise product of two or more inputs of one shape (a gate: one branch
    scales another, e.g. a sigmoid branch times a feature branch). Shape: unchanged."""

    type_name = "Multiply"
    category = "Merge"
    help = ("Multiplies its inputs element-wise (a gate: a sigmoid branch can switch "
            "another branch on and off); they must share one shape.")
    min_inputs = 2
    max_inputs = None

    output_shape = Add.output_shape

    def forward(self, inputs, training=False):
        self._inputs = inputs
        out = inputs[0] * inputs[1]
        for x in inputs[2:]:
            out *= x
        return out

    def backward(self, grad, need_input_grad=True):
        """Each input's gradient is the upstream gradient times the other inputs
        (products of the others, not out / x: an input may hold zeros)."""
        xs = self._inputs
        grads = []
        for i in range(len(xs)):
            g = grad.copy()
            for j, x in enumerate(xs):
                if j != i:
                    g *= x
            grads.append(g)
        return grads


@register
class Concatenate(Layer):
    """Joins inputs along one axis of the sample shape (``-1``: the last).

    Shape: e.g. ``(32,)`` and ``(16,)`` -> ``(48,)``; images ``(8, H, W)`` and
    ``(4, H, W)`` with axis 0 -> ``(12, H, W)``.
    """

    type_name = "Concatenate"
    category = "Merge"
    help = "Joins its inputs side by side along one axis; the other axes must match."
    min_inputs = 2
    max_inputs = None
    schema = Schema((
        Param("axis", "int", -1, "Axis of one sample to join along (-1: the last).",
              low=-4, high=3),
    ))

    def describe(self):
        return f"axis {self.config['axis']}"

    def _axis(self, rank: int) -> int:
        axis = self.config["axis"]
        if not -rank <= axis < rank:
            raise self.shape_error(f"axis {axis} does not exist for inputs of rank {rank}")
        return axis % rank

    def output_shape(self, input_shapes):
        first = tuple(input_shapes[0])
        axis = self._axis(len(first))
        total = 0
        for shape in input_shapes:
            shape = tuple(shape)
            rest_a = first[:axis] + first[axis + 1:]
            rest_b = shape[:axis] + shape[axis + 1:]
            if len(shape) != len(first) or rest_a != rest_b:
                raise self.shape_error(f"can only join inputs that match except on axis "
                                       f"{self.config['axis']}; receives {fmt_shape(first)} "
                                       f"and {fmt_shape(shape)}")
            total += shape[axis]
        return first[:axis] + (total,) + first[axis + 1:]

    def forward(self, inputs, training=False):
        axis = self._axis(inputs[0].ndim - 1) + 1
        self._splits = np.cumsum([x.shape[axis] for x in inputs])[:-1]
        self._axis_abs = axis
        return np.concatenate(inputs, axis=axis)

    def backward(self, grad, need_input_grad=True):
        return np.split(grad, self._splits, axis=self._axis_abs)
