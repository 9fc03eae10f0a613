"""Pooling over sequences ``(T, C)``: MaxPool1D, AvgPool1D, GlobalAveragePool1D,
GlobalMaxPool1D.

The arithmetic lives in ``engine.kernels.pool1d``. Settings and padding rules are the
2-D pools' (``pooling.py``): padding at most half the pool size, so every window holds a
real value and every setting exports to PyTorch and ONNX.
"""
from __future__ import annotations

import numpy as np

from ..kernels.conv import output_size
from ..kernels.conv1d import resolve_pads_1d
from ..kernels.pool1d import (avg_pool1d_backward, avg_pool1d_forward, global_max_backward,
                              global_max_forward, max_pool1d_backward, max_pool1d_forward)
from ..params import Param, Schema
from .conv import padding_param
from .conv1d import sequence_shape, window_error_1d
from .pooling import GlobalPool, WindowPool
from .registry import register


class _Pool1D(WindowPool):
    """Shared settings, shape inference and padding of the 1-D pools."""

    schema = Schema((
        Param("pool_size", "int", 2, "How many consecutive steps each window covers.",
              low=1, high=1024),
        Param("stride", "int", None, "Step between windows; empty: the pool size.",
              low=1, high=1024, optional=True),
        padding_param("valid", "'valid': windows inside the sequence only; 'same': the "
                      "output has ceil(T / stride) steps; or steps added at each end (at "
                      "most half the pool size).", high=512),
    ))

    def describe(self):
        k, s = self.config["pool_size"], self.stride
        return f"{k} steps" + (f", stride {s}" if s != k else "")

    def _pads(self, t: int) -> tuple[int, int]:
        return resolve_pads_1d(t, self.config["pool_size"], self.stride, 1,
                               self.config["padding"])

    def output_shape(self, input_shapes):
        t, c = sequence_shape(self, input_shapes)
        k, s = self.config["pool_size"], self.stride
        pads = self._pads(t)
        to = output_size(t, k, s, 1, *pads)
        if to < 1:
            raise window_error_1d(self, "pool", k, 1, t, pads)
        return (to, c)


@register
class MaxPool1D(_Pool1D):
    """Keeps the largest value of each window of steps, per channel. Padding counts as
    -inf. A window's gradient goes to its first maximum only (as PyTorch).

    Shape: ``(T, C)`` -> ``(T', C)``, ``T' = (T + pads - pool_size) // stride + 1``.
    """

    type_name = "MaxPool1D"
    help = "Shortens a sequence by keeping the largest value in each window of steps."

    def forward(self, inputs, training=False):
        x = inputs[0]
        out, self._cache = max_pool1d_forward(x, self.config["pool_size"], self.stride,
                                              self._pads(x.shape[1]), self.workspace,
                                              training)
        return out

    def backward(self, grad, need_input_grad=True):
        return [max_pool1d_backward(grad, self._cache)]


@register
class AvgPool1D(_Pool1D):
    """Averages each window of steps, per channel. Padding rules as AvgPool2D: with a
    number the zeros count in the divisor; with ``"same"`` only the real values do.

    Shape: ``(T, C)`` -> ``(T', C)``, ``T' = (T + pads - pool_size) // stride + 1``.
    """

    type_name = "AvgPool1D"
    help = "Shortens a sequence by averaging each window of steps."

    def forward(self, inputs, training=False):
        x = inputs[0]
        out, self._cache = avg_pool1d_forward(
            x, self.config["pool_size"], self.stride, self._pads(x.shape[1]),
            self.workspace, count_pad=self.config["padding"] != "same")
        return out

    def backward(self, grad, need_input_grad=True):
        return [avg_pool1d_backward(grad, self._cache)]


@register
class GlobalAveragePool1D(GlobalPool):
    """Averages each channel over every step. Shape: ``(T, C)`` -> ``(C,)``."""

    type_name = "GlobalAveragePool1D"
    help = "Averages each channel over the whole sequence: one value per channel."

    def channels(self, input_shapes) -> int:
        return sequence_shape(self, input_shapes)[1]

    def forward(self, inputs, training=False):
        x = inputs[0]
        self._shape = x.shape
        return x.mean(axis=1)

    def backward(self, grad, need_input_grad=True):
        dx = np.empty(self._shape, grad.dtype)
        dx[...] = (grad * grad.dtype.type(1.0 / self._shape[1]))[:, None, :]
        return [dx]


@register
class GlobalMaxPool1D(GlobalPool):
    """Keeps each channel's largest value over every step; its gradient goes to the
    first step holding it (as PyTorch). Shape: ``(T, C)`` -> ``(C,)``."""

    type_name = "GlobalMaxPool1D"
    help = ("Keeps each channel's largest value over the whole sequence: did the pattern "
            "appear anywhere?")

    def channels(self, input_shapes) -> int:
        return sequence_shape(self, input_shapes)[1]

    def forward(self, inputs, training=False):
        x = inputs[0]
        self._shape = x.shape
        out, self._where = global_max_forward(x, axis=1)
        return out

    def backward(self, grad, need_input_grad=True):
        return [global_max_backward(grad, self._where, self._shape, axis=1)]
