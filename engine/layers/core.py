"""Core layers: Input, Dense, Activation, Dropout, Flatten, Reshape."""
from __future__ import annotations

import math

import numpy as np

from ..errors import ConfigError
from ..kernels.activations import ACTIVATIONS, activation_backward, activation_forward
from ..initializers import WEIGHT_INITIALIZERS
from ..params import Param, Schema
from .base import Layer, ParamSpec, fmt_shape
from ..wording import noun
from .registry import register

INPUT_KINDS = ("features", "image", "sequence", "tokens")
_KIND_RANK = {"features": 1, "image": 3, "sequence": 2, "tokens": 1}
_KIND_FORM = {"features": "(D,)", "image": "(C, H, W)", "sequence": "(T, D)", "tokens": "(T,)"}


@register
class Input(Layer):
    """The network's input. Shape excludes the batch axis.

    Shape: features ``(D,)``, image ``(C, H, W)``, sequence ``(T, D)``, tokens ``(T,)``
    (integer ids for an Embedding).
    """

    type_name = "Input"
    category = "Input"
    help = "Where data enters the network: its shape and kind (features, image, sequence, tokens)."
    min_inputs = 0
    max_inputs = 0
    schema = Schema((
        Param("shape", "shape", (2,), "Shape of one sample, without the batch axis."),
        Param("kind", "choice", "features", "What one sample is.", choices=INPUT_KINDS),
    ))

    def check_config(self):
        shape, kind = self.config["shape"], self.config["kind"]
        if len(shape) != _KIND_RANK[kind]:
            raise ConfigError(f"{self.label}: a {kind} input has shape {_KIND_FORM[kind]}, "
                              f"not {fmt_shape(shape)}", where="shape")

    def describe(self):
        return f"{self.config['kind']} {fmt_shape(self.config['shape'])}"

    def output_shape(self, input_shapes):
        if input_shapes:
            raise self.shape_error("takes no inputs")
        return tuple(self.config["shape"])

    def forward(self, inputs, training=False):
        return inputs[0]

    def backward(self, grad, need_input_grad=True):
        return [grad]


_ONES: dict[tuple, np.ndarray] = {}


def ones_like_rows(a: np.ndarray) -> np.ndarray:
    """A cached vector of ones, one per row of ``a``: ``ones @ a`` sums the rows."""
    key = (a.shape[0], a.dtype)
    ones = _ONES.get(key)
    if ones is None:
        ones = _ONES[key] = np.ones(a.shape[0], a.dtype)
    return ones


class ActivatedLayer(Layer):
    """A layer whose output goes through an activation the loss may fuse with.

    ``skip_activation`` is set by the network for one forward pass when a
    cross-entropy loss computes from the logits (softmax or sigmoid fused into it).
    """

    skip_activation = False

    @property
    def final_activation(self) -> str:
        return self.config["activation"]

    def _activate(self, z):
        act = "linear" if self.skip_activation else self.final_activation
        a, cache = activation_forward(act, z)
        return a, (act, cache)

    @staticmethod
    def _deactivate(g, act_cache):
        act, cache = act_cache
        return activation_backward(act, g, cache)


@register
class Dense(ActivatedLayer):
    """Fully connected: ``a = φ(x W + b)``.

    Shape: input ``(D,)`` -> ``(units,)``; on a sequence ``(T, D)`` it acts on the last
    axis and gives ``(T, units)``. Weights: ``W`` ``(D, units)``, ``b`` ``(units,)``.
    """

    type_name = "Dense"
    help = "Fully connected layer: every output unit sees every input value."
    schema = Schema((
        Param("units", "int", 64, "Number of output units (neurons).", low=1, high=1_000_000),
        Param("activation", "choice", "relu", "Applied to w·x + b.", choices=ACTIVATIONS),
        Param("use_bias", "bool", True, "Add a learned bias b to each unit.", label="Bias"),
        Param("initializer", "choice", "glorot_uniform", "How the weights start.",
              choices=WEIGHT_INITIALIZERS),
    ))

    def describe(self):
        units = self.config["units"]
        return f"{units} {noun(units, 'unit')}, {self.config['activation']}"

    def output_shape(self, input_shapes):
        shape = self.single_input(input_shapes)
        if len(shape) > 2:
            raise self.shape_error(f"needs a vector but receives {fmt_shape(shape)}: "
                                   f"add a Flatten before it")
        return shape[:-1] + (self.config["units"],)

    def param_specs(self, input_shapes):
        d, units = input_shapes[0][-1], self.config["units"]
        specs = [ParamSpec("W", (d, units), self.config["initializer"], d, units)]
        if self.config["use_bias"]:
            specs.append(ParamSpec("b", (units,), "zeros", d, units, decay=False))
        return specs

    def forward(self, inputs, training=False):
        x = inputs[0]
        lead = x.shape[:-1]
        if x.ndim != 2:
            x = x.reshape(-1, x.shape[-1])
        z = x @ self.params["W"]
        if self.config["use_bias"]:
            z += self.params["b"]
        a, act_cache = self._activate(z)
        self._cache = (x, lead, act_cache)
        return a if len(lead) == 1 else a.reshape(lead + (a.shape[-1],))

    def backward(self, grad, need_input_grad=True):
        x, lead, act_cache = self._cache
        g = grad.reshape(-1, grad.shape[-1]) if grad.ndim != 2 else grad
        gz = self._deactivate(g, act_cache)
        np.matmul(x.T, gz, out=self.grads["W"])
        if self.config["use_bias"]:
            # A GEMV with ones beats sum(axis=0) several times over on small batches.
            np.dot(ones_like_rows(gz), gz, out=self.grads["b"])
        if not need_input_grad:
            return [None]
        # BLAS's transposed-B path is slow at these shapes; a contiguous Wᵀ copy is cheaper.
        dx = gz @ self.params["W"].T.copy()
        return [dx if len(lead) == 1 else dx.reshape(lead + (dx.shape[-1],))]


@register
class Activation(ActivatedLayer):
    """An element-wise nonlinearity (softmax: over the last axis). Shape: unchanged."""

    type_name = "Activation"
    help = "Applies a nonlinearity φ element-wise (softmax over the last axis)."
    schema = Schema((
        Param("activation", "choice", "relu", "The function φ.", choices=ACTIVATIONS),
    ))

    def describe(self):
        return self.config["activation"]

    def output_shape(self, input_shapes):
        return self.single_input(input_shapes)

    def forward(self, inputs, training=False):
        a, self._cache = self._activate(inputs[0])
        return a

    def backward(self, grad, need_input_grad=True):
        return [self._deactivate(grad, self._cache)]


@register
class Dropout(Layer):
    """Zeroes a random share of values while training and rescales the rest by
    ``1/(1-rate)``; does nothing at inference. Shape: unchanged, any rank."""

    type_name = "Dropout"
    category = "Normalisation and regularisation"
    help = "Randomly drops values while training so the network cannot rely on any one."
    schema = Schema((
        Param("rate", "float", 0.5, "Share of values dropped while training.", low=0.0, high=0.95),
    ))

    def describe(self):
        return f"rate {self.config['rate']:g}"

    def output_shape(self, input_shapes):
        return self.single_input(input_shapes)

    def forward(self, inputs, training=False):
        x = inputs[0]
        rate = self.config["rate"]
        if not training or rate == 0.0:
            self._mask = None
            return x
        keep = self.rng.random(x.shape, dtype=np.float32) >= rate
        self._mask = keep.astype(x.dtype) * (1.0 / (1.0 - rate))
        return x * self._mask

    def backward(self, grad, need_input_grad=True):
        return [grad if self._mask is None else grad * self._mask]


@register
class Flatten(Layer):
    """Turns each sample into a vector. Shape: ``(d1, d2, ...)`` -> ``(d1*d2*...,)``."""

    type_name = "Flatten"
    help = "Turns each sample (an image, a sequence) into one long vector."

    def output_shape(self, input_shapes):
        shape = self.single_input(input_shapes)
        return (math.prod(shape),)

    def forward(self, inputs, training=False):
        x = inputs[0]
        self._shape = x.shape
        return x.reshape(x.shape[0], -1)

    def backward(self, grad, need_input_grad=True):
        return [grad.reshape(self._shape)]


@register
class Reshape(Layer):
    """Rearranges each sample into a new shape with the same number of values."""

    type_name = "Reshape"
    help = "Gives each sample a new shape holding the same number of values."
    schema = Schema((
        Param("target_shape", "shape", (1,), "The new shape, without the batch axis."),
    ))

    def describe(self):
        return f"to {fmt_shape(self.config['target_shape'])}"

    def output_shape(self, input_shapes):
        shape = self.single_input(input_shapes)
        target = tuple(self.config["target_shape"])
        have, want = math.prod(shape), math.prod(target)
        if have != want:
            raise self.shape_error(f"cannot turn {fmt_shape(shape)} ({have} values) into "
                                   f"{fmt_shape(target)} ({want} values)")
        return target

    def forward(self, inputs, training=False):
        x = inputs[0]
        self._shape = x.shape
        return x.reshape((x.shape[0],) + tuple(self.config["target_shape"]))

    def backward(self, grad, need_input_grad=True):
        return [grad.reshape(self._shape)]
