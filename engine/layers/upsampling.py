"""Layers that enlarge an image: UpSampling2D (no weights) and Conv2DTranspose (learned).

The arithmetic lives in ``engine.kernels.resize`` and ``engine.kernels.conv_transpose``.
"""
from __future__ import annotations

from ..errors import ConfigError
from ..kernels.conv import Workspace
from ..kernels.conv_transpose import (conv_transpose2d_backward, conv_transpose2d_forward,
                                      transpose_output_size)
from ..kernels.resize import upsample_backward, upsample_forward
from ..params import Param, Schema
from .base import Layer
from .conv import FILTER_OUTPUT_PARAMS, filter_param_specs, image_shape, pair_setting
from .core import ActivatedLayer
from .registry import register

INTERPOLATIONS = ("nearest", "bilinear")


@register
class UpSampling2D(Layer):
    """Enlarges an image by whole factors, each channel alike.

    ``nearest`` repeats every pixel into a block (PyTorch ``nn.Upsample(mode="nearest")``,
    ONNX ``Resize`` nearest); ``bilinear`` blends the nearest input pixels as PyTorch's
    ``align_corners=False`` (ONNX ``Resize`` linear, ``half_pixel``).

    Shape: ``(C, H, W)`` -> ``(C, H * sh, W * sw)``. No weights.
    """

    type_name = "UpSampling2D"
    category = "Convolution"
    help = ("Enlarges an image by a whole factor (each pixel becomes a block, or a blend "
            "of its neighbours); no weights. Used in decoders and autoencoders.")
    schema = Schema((
        Param("size", "shape", (2, 2), "Enlargement factor: one number for both axes, or "
              "height and width (2: a 7x7 image becomes 14x14).", label="Factor"),
        Param("interpolation", "choice", "nearest", "'nearest': each pixel becomes a "
              "block of copies; 'bilinear': a smooth blend of the nearest pixels "
              "(PyTorch align_corners=False).", choices=INTERPOLATIONS),
    ))

    def check_config(self):
        sh, sw = pair_setting(self, "size", "Factor")
        if max(sh, sw) > 64:
            raise ConfigError(f"{self.label}: Factor must be at most 64, not {max(sh, sw)}",
                              where="size")

    @property
    def factors(self) -> tuple[int, int]:
        return pair_setting(self, "size", "Factor")

    def describe(self):
        sh, sw = self.factors
        text = f"x{sh}" if sh == sw else f"x{sh} x{sw}"
        return text + ("" if self.config["interpolation"] == "nearest" else ", bilinear")

    def output_shape(self, input_shapes):
        c, h, w = image_shape(self, input_shapes)
        sh, sw = self.factors
        return (c, h * sh, w * sw)

    def forward(self, inputs, training=False):
        out, self._cache = upsample_forward(inputs[0], *self.factors,
                                            self.config["interpolation"])
        return out

    def backward(self, grad, need_input_grad=True):
        return [upsample_backward(grad, self._cache) if need_input_grad else None]


@register
class Conv2DTranspose(ActivatedLayer):
    """Transposed 2-D convolution (PyTorch ``nn.ConvTranspose2d``, ONNX ``ConvTranspose``),
    then an activation: each input pixel paints a learned ``kh x kw`` patch per filter,
    patches ``stride`` apart, summed where they overlap. With stride 2 it doubles an
    image's size: the learned counterpart of UpSampling2D.

    ``padding`` crops that many rows and columns from each side of the full result;
    ``output_padding`` keeps that many more at the bottom and right (it must be smaller
    than the stride), to reach the size a strided Conv2D came from.

    Shape:
        input ``(C, H, W)`` -> ``(filters, Ho, Wo)`` with
        ``Ho = (H - 1) * stride - 2 * padding + kh + output_padding`` (``Wo`` alike).
        Weights: ``W (C, filters, kh, kw)`` (PyTorch's layout), ``b (filters,)``.
    """

    type_name = "Conv2DTranspose"
    category = "Convolution"
    help = ("Enlarges an image with learned filters (a 'deconvolution'): each input "
            "pixel paints a patch of the output. Stride 2 doubles the size.")
    schema = Schema((
        Param("filters", "int", 16, "Number of filters: the output channels.",
              low=1, high=65536),
        Param("kernel_size", "shape", (3, 3), "Patch size: one number for a square, or "
              "height and width.", label="Kernel size"),
        Param("stride", "int", 2, "Step between patches in the output: the enlargement "
              "factor (2 doubles the size).", low=1, high=64),
        Param("padding", "int", 1, "Rows and columns cropped from each side of the "
              "output.", low=0, high=64),
        Param("output_padding", "int", 1, "Rows and columns added at the bottom and "
              "right, to reach an exact size (must be smaller than the stride; with "
              "kernel 3, padding 1 and stride 2 it makes the output exactly twice the "
              "input).", low=0, high=63, label="Output padding"),
        *FILTER_OUTPUT_PARAMS,
    ))

    def __init__(self, config: dict | None = None, name: str = ""):
        super().__init__(config, name)
        self.workspace = Workspace()

    def check_config(self):
        pair_setting(self, "kernel_size", "Kernel size")
        op, s = self.config["output_padding"], self.config["stride"]
        if op >= s:
            raise ConfigError(f"{self.label}: Output padding must be smaller than the stride "
                              f"({s}), as in PyTorch; got {op}", where="output_padding")

    @property
    def kernel(self) -> tuple[int, int]:
        return pair_setting(self, "kernel_size", "Kernel size")

    def describe(self):
        kh, kw = self.kernel
        return f"{kh}x{kw}x{self.config['filters']}, stride {self.config['stride']}"

    def output_shape(self, input_shapes):
        _, h, w = image_shape(self, input_shapes)
        kh, kw = self.kernel
        c = self.config
        ho = transpose_output_size(h, kh, c["stride"], c["padding"], c["output_padding"])
        wo = transpose_output_size(w, kw, c["stride"], c["padding"], c["output_padding"])
        if ho < 1 or wo < 1:
            raise self.shape_error(f"padding {c['padding']} crops away its whole output "
                                   f"({(h - 1) * c['stride'] + kh}x{(w - 1) * c['stride'] + kw}"
                                   f" before cropping): use less padding")
        return (c["filters"], ho, wo)

    def param_specs(self, input_shapes):
        c = input_shapes[0][0]
        kh, kw = self.kernel
        f = self.config["filters"]
        # Fans as PyTorch computes them from weight (C, F, kh, kw): dim 1 is "in".
        return filter_param_specs(self, (c, f, kh, kw), f * kh * kw, c * kh * kw)

    def forward(self, inputs, training=False):
        c = self.config
        z, self._conv_cache = conv_transpose2d_forward(
            inputs[0], self.params["W"], self.params.get("b"), c["stride"], c["padding"],
            c["output_padding"], self.workspace)
        a, self._act_cache = self._activate(z)
        return a

    def backward(self, grad, need_input_grad=True):
        gz = self._deactivate(grad, self._act_cache)
        dx = conv_transpose2d_backward(gz, self._conv_cache, self.grads["W"],
                                       self.grads.get("b"), need_input_grad)
        return [dx]
