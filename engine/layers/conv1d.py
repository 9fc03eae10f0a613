"""1-D convolution over sequences: Conv1D.

Sequences are ``(T, C)`` per sample (batch ``(N, T, C)``), the layout of the recurrent
layers and of sequence Inputs, so Conv1D -> LSTM and Conv1D -> Dense stack as they are.
Weights are laid out as in PyTorch and ONNX (``W (filters, C, k)``, ``b (filters,)``), so
export copies them; the exports transpose to channels-first around the convolution.
The arithmetic lives in ``engine.kernels.conv1d``.
"""
from __future__ import annotations

from ..kernels.conv import output_size
from ..kernels.conv1d import conv1d_backward, conv1d_forward, resolve_pads_1d
from ..params import Param, Schema
from .base import Layer, fmt_shape
from .conv import FILTER_OUTPUT_PARAMS, FusedReluConv, filter_param_specs, padding_param
from .registry import register


def sequence_shape(layer: Layer, input_shapes) -> tuple[int, int]:
    """The single input as ``(T, C)``, or a ShapeError saying what to do."""
    shape = layer.single_input(input_shapes)
    if len(shape) != 2:
        hint = {1: ": use a sequence Input (T, C), or a Reshape to (T, C) before it",
                3: ": images (C, H, W) take the 2-D layers; a Reshape to (T, C) makes "
                   "a sequence"}.get(len(shape), "")
        raise layer.shape_error(f"needs a sequence (T, C) but receives {fmt_shape(shape)}"
                                f"{hint}")
    return shape


def window_error_1d(layer: Layer, what: str, k: int, dilation: int, t: int,
                    pads: tuple[int, int]) -> Exception:
    """Why a window does not fit: ``Conv1D 'c1' kernel 5 is longer than its 3 steps``."""
    text = f"{what} {k}"
    if dilation > 1:
        text += f" with dilation {dilation} (spanning {(k - 1) * dilation + 1} steps)"
    text += f" is longer than its {t}-step input"
    if any(pads):
        text += f" padded to {t + pads[0] + pads[1]}"
    return layer.shape_error(text + ": use padding 'same' or a smaller window")


@register
class Conv1D(FusedReluConv):
    """1-D convolution along time (cross-correlation, as PyTorch and ONNX), then an
    activation.

    ``padding`` as Conv2D: ``"valid"`` adds nothing; ``"same"`` pads so the output has
    ``ceil(T / stride)`` steps (an odd total puts the extra step after); a number adds
    that many zero steps at each end.

    Shape:
        input ``(T, C)`` -> output ``(T', filters)`` with
        ``T' = (T + pad_before + pad_after - (k - 1) * dilation - 1) // stride + 1``.
        Weights: ``W (filters, C, k)``, ``b (filters,)``.
    """

    type_name = "Conv1D"
    category = "Convolution"
    help = ("Slides learned filters along a sequence (T, C); each filter makes one output "
            "channel. For time series, audio, sensor data.")
    schema = Schema((
        Param("filters", "int", 16, "Number of filters: the output channels of each step.",
              low=1, high=65536),
        Param("kernel_size", "int", 3, "How many consecutive steps each filter sees.",
              low=1, high=1024, label="Kernel size"),
        Param("stride", "int", 1, "Step between filter positions (2 halves the length).",
              low=1, high=64),
        padding_param("same", "'valid': no padding (the sequence shrinks by kernel - 1); "
                      "'same': the output keeps the length (divided by the stride); or "
                      "zero steps added at each end.", high=1024),
        Param("dilation", "int", 1, "Spacing between the steps a filter sees (1: "
              "adjacent; 2: every other step, a wider view for the same weights).",
              low=1, high=64),
        *FILTER_OUTPUT_PARAMS,
    ))

    def describe(self):
        c = self.config
        text = f"k{c['kernel_size']}x{c['filters']}"
        if c["stride"] != 1:
            text += f", stride {c['stride']}"
        if c["dilation"] != 1:
            text += f", dilation {c['dilation']}"
        return f"{text}, {c['activation']}"

    def _pads(self, t: int) -> tuple[int, int]:
        c = self.config
        return resolve_pads_1d(t, c["kernel_size"], c["stride"], c["dilation"], c["padding"])

    def output_shape(self, input_shapes):
        t, _ = sequence_shape(self, input_shapes)
        k, s, d = self.config["kernel_size"], self.config["stride"], self.config["dilation"]
        pads = self._pads(t)
        to = output_size(t, k, s, d, *pads)
        if to < 1:
            raise window_error_1d(self, "kernel", k, d, t, pads)
        return (to, self.config["filters"])

    def param_specs(self, input_shapes):
        c = input_shapes[0][1]
        k, f = self.config["kernel_size"], self.config["filters"]
        return filter_param_specs(self, (f, c, k), c * k, f * k)

    def _convolve(self, x, relu: bool):
        return conv1d_forward(x, self.params["W"], self.params.get("b"), self.config["stride"],
                              self.config["dilation"], self._pads(x.shape[1]), self.workspace,
                              relu=relu)

    def _convolve_backward(self, gz, need_input_grad: bool):
        return conv1d_backward(gz, self._conv_cache, self.grads["W"], self.grads.get("b"),
                               need_input_grad)
