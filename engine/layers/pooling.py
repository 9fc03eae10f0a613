"""Pooling layers: MaxPool2D, AvgPool2D, GlobalAveragePool2D, GlobalMaxPool2D.

The arithmetic lives in ``engine.kernels.pool``. Padding follows PyTorch's rules (at
most half the pool size) so every window holds at least one real value and every
setting exports to PyTorch and ONNX.
"""
from __future__ import annotations

import numpy as np

from ..kernels.conv import Workspace, output_size, resolve_pads
from ..errors import ConfigError
from ..params import Param, Schema
from ..kernels.pool import (avg_pool_backward, avg_pool_forward, max_pool_backward,
                            max_pool_forward)
from ..kernels.pool1d import global_max_backward, global_max_forward
from .base import Layer
from .conv import image_shape, padding_param, window_error
from .registry import register


class WindowPool(Layer):
    """What the windowed pools share, 2-D and 1-D: a workspace, padding of at most half
    the pool size (as PyTorch, so every window holds a real value), and a stride that
    defaults to the pool size."""

    category = "Convolution"

    def __init__(self, config: dict | None = None, name: str = ""):
        super().__init__(config, name)
        self.workspace = Workspace()

    def check_config(self):
        pad, k = self.config["padding"], self.config["pool_size"]
        if isinstance(pad, int) and pad > k // 2:
            raise ConfigError(f"{self.label}: Padding must be at most half the pool size "
                              f"({k // 2}), so that every window holds a real value; got {pad}",
                              where="padding")

    @property
    def stride(self) -> int:
        return self.config["stride"] or self.config["pool_size"]


class GlobalPool(Layer):
    """A pool over every position of its input, one value per channel: a subclass
    says how to find the channels of its input (``channels``)."""

    category = "Convolution"

    def channels(self, input_shapes) -> int:
        raise NotImplementedError

    def output_shape(self, input_shapes):
        return (self.channels(input_shapes),)


class _Pool2D(WindowPool):
    """Shared settings, shape inference and padding of the 2-D pools."""

    schema = Schema((
        Param("pool_size", "int", 2, "Window size (a square).", low=1, high=64),
        Param("stride", "int", None, "Step between windows; empty: the pool size.",
              low=1, high=64, optional=True),
        padding_param("valid", "'valid': windows inside the image only; 'same': the "
                      "output is ceil(size / stride); or values added on each side (at "
                      "most half the pool size)."),
    ))

    def describe(self):
        k, s = self.config["pool_size"], self.stride
        return f"{k}x{k}" + (f", stride {s}" if s != k else "")

    def _pads(self, h, w):
        k = self.config["pool_size"]
        return resolve_pads(h, w, k, k, self.stride, 1, self.config["padding"])

    def output_shape(self, input_shapes):
        c, h, w = image_shape(self, input_shapes)
        k, s = self.config["pool_size"], self.stride
        pads = self._pads(h, w)
        ho = output_size(h, k, s, 1, pads[0], pads[1])
        wo = output_size(w, k, s, 1, pads[2], pads[3])
        if ho < 1 or wo < 1:
            raise window_error(self, "pool", k, k, 1, h, w, pads)
        return (c, ho, wo)


@register
class MaxPool2D(_Pool2D):
    """Keeps the largest value of each window, per channel. Padding counts as -inf.

    The gradient of a window goes to one input only: its first maximum in row-major
    window order (as PyTorch), never split among ties.

    Shape: ``(C, H, W)`` -> ``(C, Ho, Wo)``, ``Ho = (H + pads - pool_size) // stride + 1``.
    """

    type_name = "MaxPool2D"
    help = "Shrinks an image by keeping the largest value in each window."

    def forward(self, inputs, training=False):
        x = inputs[0]
        out, self._cache = max_pool_forward(x, self.config["pool_size"], self.stride,
                                            self._pads(*x.shape[2:]), self.workspace,
                                            training)
        return out

    def backward(self, grad, need_input_grad=True):
        return [max_pool_backward(grad, self._cache)]


@register
class AvgPool2D(_Pool2D):
    """Averages each window, per channel.

    Padding is zeros. With a number, the zeros count in the divisor (PyTorch's default
    ``count_include_pad=True``; ONNX ``AveragePool`` with ``count_include_pad=1``). With
    ``"same"``, they do not: a border window averages only the real values it covers
    (as Keras; ONNX ``count_include_pad=0`` with explicit pads; PyTorch
    ``count_include_pad=False``, after ``F.pad`` when the padding is uneven).

    Shape: ``(C, H, W)`` -> ``(C, Ho, Wo)``, ``Ho = (H + pads - pool_size) // stride + 1``.
    """

    type_name = "AvgPool2D"
    help = "Shrinks an image by averaging each window."

    def forward(self, inputs, training=False):
        x = inputs[0]
        out, self._cache = avg_pool_forward(
            x, self.config["pool_size"], self.stride, self._pads(*x.shape[2:]),
            self.workspace, count_pad=self.config["padding"] != "same")
        return out

    def backward(self, grad, need_input_grad=True):
        return [avg_pool_backward(grad, self._cache)]


@register
class GlobalAveragePool2D(GlobalPool):
    """Averages each channel over the whole image.

    Shape: ``(C, H, W)`` -> ``(C,)``.
    """

    type_name = "GlobalAveragePool2D"
    help = "Averages each channel over the whole image: one value per channel."

    def channels(self, input_shapes) -> int:
        return image_shape(self, input_shapes)[0]

    def forward(self, inputs, training=False):
        x = inputs[0]
        self._shape = x.shape
        return x.mean(axis=(2, 3))

    def backward(self, grad, need_input_grad=True):
        n, c, h, w = self._shape
        dx = np.empty(self._shape, grad.dtype)
        dx[...] = (grad * grad.dtype.type(1.0 / (h * w)))[:, :, None, None]
        return [dx]


@register
class GlobalMaxPool2D(GlobalPool):
    """Keeps each channel's largest value over the whole image; its gradient goes to the
    first pixel holding it in row-major order (as PyTorch).

    Shape: ``(C, H, W)`` -> ``(C,)``.
    """

    type_name = "GlobalMaxPool2D"
    help = ("Keeps each channel's largest value over the whole image: did the pattern "
            "appear anywhere?")

    def channels(self, input_shapes) -> int:
        return image_shape(self, input_shapes)[0]

    def forward(self, inputs, training=False):
        x = inputs[0]
        self._shape = x.shape
        flat = x.reshape(x.shape[0], x.shape[1], -1)
        out, self._where = global_max_forward(flat, axis=2)
        return out

    def backward(self, grad, need_input_grad=True):
        n, c = self._shape[:2]
        dx = global_max_backward(grad, self._where, (n, c, self._shape[2] * self._shape[3]),
                                 axis=2)
        return [dx.reshape(self._shape)]
