"""Convolution layers: Conv2D.

Weights are laid out as in PyTorch and ONNX (``W (filters, C, kh, kw)``, ``b
(filters,)``), so export copies them as they are. The arithmetic lives in
``engine.kernels.conv``; a layer resolves its settings into shapes and padding, and
hands a ReLU to the kernel, which applies it (and its mask in backward) chunk by chunk
while the data is in cache.
"""
from __future__ import annotations

from ..kernels.conv import Workspace, conv2d_backward, conv2d_forward, output_size, resolve_pads
from ..errors import ConfigError
from ..kernels.activations import ACTIVATIONS
from ..initializers import WEIGHT_INITIALIZERS
from ..params import Param, Schema
from .base import Layer, ParamSpec, fmt_shape
from .core import ActivatedLayer
from .registry import register

PADDINGS = ("valid", "same")

# The last settings of every filter layer (Conv1D, Conv2D, Conv2DTranspose).
FILTER_OUTPUT_PARAMS = (
    Param("activation", "choice", "relu", "Applied to each output value.",
          choices=ACTIVATIONS),
    Param("use_bias", "bool", True, "Add a learned bias to each filter.", label="Bias"),
    Param("initializer", "choice", "glorot_uniform", "How the weights start.",
          choices=WEIGHT_INITIALIZERS),
)


def padding_param(default, help_text: str, high: int = 64) -> Param:
    """``"valid"``, ``"same"`` or a whole number of values added on every side."""
    return Param("padding", "int", default, help_text, low=0, high=high, choices=PADDINGS,
                 int_or_choice=True)


def image_shape(layer: Layer, input_shapes) -> tuple[int, int, int]:
    """The single input as ``(C, H, W)``, or a ShapeError saying what to do."""
    shape = layer.single_input(input_shapes)
    if len(shape) != 3:
        hint = (": use an image Input, or a Reshape to (C, H, W) before it" if len(shape) < 3
                else "")
        raise layer.shape_error(f"needs an image (C, H, W) but receives {fmt_shape(shape)}"
                                f"{hint}")
    return shape


def window_error(layer: Layer, what: str, kh: int, kw: int, dilation: int, h: int, w: int,
                 pads) -> Exception:
    """Why a window does not fit: ``Conv2D 'c3' kernel 5x5 is larger than its 3x3 input``."""
    text = f"{what} {kh}x{kw}"
    if dilation > 1:
        text += (f" with dilation {dilation} (spanning {(kh - 1) * dilation + 1}x"
                 f"{(kw - 1) * dilation + 1})")
    text += f" is larger than its {h}x{w} input"
    if any(pads):
        text += f" padded to {h + pads[0] + pads[1]}x{w + pads[2] + pads[3]}"
    return layer.shape_error(text + ": use padding 'same' or a smaller window")


def pair_setting(layer: Layer, key: str, title: str, single: str = "both axes"
                 ) -> tuple[int, int]:
    """A "shape" setting of one number (``single``: both axes) or two (height, width)."""
    v = layer.config[key]
    if len(v) not in (1, 2):
        raise ConfigError(f"{layer.label}: {title} takes one number ({single}) or two "
                          f"(height, width), not {list(v)}", where=key)
    return (v[0], v[0]) if len(v) == 1 else (v[0], v[1])


def filter_param_specs(layer: Layer, w_shape: tuple[int, ...], fan_in: int, fan_out: int
                       ) -> list[ParamSpec]:
    """A filter layer's weights ``W`` (its initializer setting) and, with ``use_bias``, one
    bias per filter (zeros, no weight decay); the filters are ``config["filters"]``."""
    specs = [ParamSpec("W", w_shape, layer.config["initializer"], fan_in, fan_out)]
    if layer.config["use_bias"]:
        specs.append(ParamSpec("b", (layer.config["filters"],), "zeros", fan_in, fan_out,
                               decay=False))
    return specs


class FusedReluConv(ActivatedLayer):
    """A convolution whose kernel applies a ReLU itself (Conv1D, Conv2D); a subclass says
    how to run its kernel forward (``_convolve``) and backward (``_convolve_backward``)."""

    def __init__(self, config: dict | None = None, name: str = ""):
        super().__init__(config, name)
        self.workspace = Workspace()

    def _convolve(self, x, relu: bool):
        """The kernel's forward: ``(z, cache)``."""
        raise NotImplementedError

    def _convolve_backward(self, gz, need_input_grad: bool):
        """The kernel's backward from the cache of ``_convolve``: the input gradient."""
        raise NotImplementedError

    def forward(self, inputs, training=False):
        act = "linear" if self.skip_activation else self.final_activation
        # ReLU, the common case, goes to the kernel: one pass less each way.
        z, self._conv_cache = self._convolve(inputs[0], relu=act == "relu")
        if act == "relu":
            self._act_cache = (act, None)  # the kernel keeps what backward needs
            return z
        a, self._act_cache = self._activate(z)
        return a

    def backward(self, grad, need_input_grad=True):
        act, _ = self._act_cache
        # After a fused ReLU the kernel applies its mask itself, chunk by chunk.
        gz = grad if act == "relu" else self._deactivate(grad, self._act_cache)
        return [self._convolve_backward(gz, need_input_grad)]


@register
class Conv2D(FusedReluConv):
    """2-D convolution (cross-correlation, as PyTorch and ONNX), then an activation.

    ``padding``: ``"valid"`` adds nothing; ``"same"`` pads so the output is
    ``ceil(H / stride)`` by ``ceil(W / stride)`` (an odd total puts the extra row or
    column after, as ONNX ``SAME_UPPER`` and PyTorch's ``padding="same"``); a number
    adds that many zeros on every side. The input gradient that ``backward`` returns
    lives in a scratch buffer, valid until the next ``backward``.

    Shape:
        input ``(C, H, W)`` -> output ``(filters, Ho, Wo)`` with
        ``Ho = (H + pad_top + pad_bottom - (kh - 1) * dilation - 1) // stride + 1``
        (``Wo`` alike). Weights: ``W (filters, C, kh, kw)``, ``b (filters,)``.
    """

    type_name = "Conv2D"
    category = "Convolution"
    help = "Slides learned filters over an image; each filter makes one output channel."
    schema = Schema((
        Param("filters", "int", 16, "Number of filters: the output channels.",
              low=1, high=65536),
        Param("kernel_size", "shape", (3, 3), "Filter size: one number for a square, or "
              "height and width.", label="Kernel size"),
        Param("stride", "int", 1, "Step between filter positions.", low=1, high=64),
        padding_param("same", "'valid': no padding (the image shrinks); 'same': the output "
                      "keeps the size (divided by the stride); or zeros added on each side."),
        Param("dilation", "int", 1, "Spacing between filter taps (1: adjacent).",
              low=1, high=64),
        *FILTER_OUTPUT_PARAMS,
    ))

    def check_config(self):
        _ = self.kernel  # a ConfigError on a kernel size of other than one or two numbers

    @property
    def kernel(self) -> tuple[int, int]:
        return pair_setting(self, "kernel_size", "Kernel size", single="a square")

    def describe(self):
        kh, kw = self.kernel
        return f"{kh}x{kw}x{self.config['filters']}, stride {self.config['stride']}"

    def _pads(self, h, w):
        kh, kw = self.kernel
        c = self.config
        return resolve_pads(h, w, kh, kw, c["stride"], c["dilation"], c["padding"])

    def output_shape(self, input_shapes):
        _, h, w = image_shape(self, input_shapes)
        kh, kw = self.kernel
        s, d = self.config["stride"], self.config["dilation"]
        pads = self._pads(h, w)
        ho = output_size(h, kh, s, d, pads[0], pads[1])
        wo = output_size(w, kw, s, d, pads[2], pads[3])
        if ho < 1 or wo < 1:
            raise window_error(self, "kernel", kh, kw, d, h, w, pads)
        return (self.config["filters"], ho, wo)

    def param_specs(self, input_shapes):
        c = input_shapes[0][0]
        kh, kw = self.kernel
        f = self.config["filters"]
        return filter_param_specs(self, (f, c, kh, kw), c * kh * kw, f * kh * kw)

    def _convolve(self, x, relu: bool):
        return conv2d_forward(x, self.params["W"], self.params.get("b"), self.config["stride"],
                              self.config["dilation"], self._pads(x.shape[2], x.shape[3]),
                              self.workspace, relu=relu)

    def _convolve_backward(self, gz, need_input_grad: bool):
        return conv2d_backward(gz, self._conv_cache, self.grads["W"], self.grads.get("b"),
                               need_input_grad)
