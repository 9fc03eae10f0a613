"""Pure kernels for the 2-D transposed convolution (PyTorch's ConvTranspose2d, ONNX
ConvTranspose), groups 1, dilation 1.

A transposed convolution is the input gradient of a convolution: each input pixel
scatters ``x[c] * W[c, f]`` onto a ``kh x kw`` window of the output, windows ``stride``
apart. Forward is therefore one GEMM (``W.T @ x``, every tap of every pixel) and a
col2im (one strided add per tap) onto a "canvas" of ``(H - 1) * stride + kh`` rows,
from which ``padding`` rows are cropped at the top and bottom (``output_padding`` more
rows are kept at the bottom, beyond the canvas when they must be: they receive only
the bias).

Backward is a plain convolution, so it reuses ``engine.kernels.conv``: the input
gradient is ``conv2d(grad, W)`` at the same stride (the output gradient placed back on
the canvas by padding it), and the weight gradient is that convolution's weight
gradient with ``x`` as the upstream gradient. ``W (C_in, F, kh, kw)`` read as a
convolution's ``(filters, channels, kh, kw)`` is exactly the layout it needs.
"""
from __future__ import annotations

import numpy as np

from .conv import Pads, Workspace, conv2d_backward, conv2d_forward


def transpose_output_size(size: int, k: int, stride: int, padding: int,
                          output_padding: int) -> int:
    """``(size - 1) * stride - 2 * padding + k + output_padding`` (PyTorch's formula)."""
    return (size - 1) * stride - 2 * padding + k + output_padding


def conv_transpose2d_forward(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, stride: int,
                             padding: int, output_padding: int, ws: Workspace):
    """Shape: x ``(N, C, H, W)``, w ``(C, F, kh, kw)``, b ``(F,)`` or None -> out
    ``(N, F, Ho, Wo)`` (a new array), ``Ho = (H-1)*stride - 2*padding + kh + output_padding``.
    """
    n, c, h, wd = x.shape
    _, f, kh, kw = w.shape
    ho = transpose_output_size(h, kh, stride, padding, output_padding)
    wo = transpose_output_size(wd, kw, stride, padding, output_padding)
    if ho < 1 or wo < 1:
        raise ValueError(f"padding {padding} crops the whole {ho}x{wo} output")
    # Every tap of every pixel: (N, kh*kw*F, H*W), tap-major so each tap is one block.
    w2 = w.transpose(2, 3, 1, 0).reshape(kh * kw * f, c)
    cols = np.matmul(w2, x.reshape(n, c, h * wd))
    canvas_h = max((h - 1) * stride + kh, ho + padding)
    canvas_w = max((wd - 1) * stride + kw, wo + padding)
    canvas = np.zeros((n, f, canvas_h, canvas_w), x.dtype)
    taps = cols.reshape(n, kh, kw, f, h, wd)
    hi, wi = (h - 1) * stride + 1, (wd - 1) * stride + 1
    for i in range(kh):
        for j in range(kw):
            canvas[:, :, i:i + hi:stride, j:j + wi:stride] += taps[:, i, j]
    out = canvas[:, :, padding:padding + ho, padding:padding + wo]
    if b is not None:
        out += b.reshape(1, f, 1, 1)
    cache = {"x": x, "w": w, "stride": stride, "canvas": (canvas_h, canvas_w),
             "crop": (padding, ho, wo), "ws": ws}
    return np.ascontiguousarray(out), cache


def _canvas_pads(cache) -> tuple[Pads, int, int]:
    """How the output gradient sits on the canvas: its padding (top, bottom, left,
    right), and how many of its rows and columns lie on the canvas (output_padding
    rows past the canvas touched no input)."""
    canvas_h, canvas_w = cache["canvas"]
    x_h, x_w = cache["x"].shape[2:]
    _, _, kh, kw = cache["w"].shape
    s = cache["stride"]
    p, ho, wo = cache["crop"]
    # The part of the canvas any input reaches: (H-1)*s + kh rows.
    reach_h, reach_w = (x_h - 1) * s + kh, (x_w - 1) * s + kw
    rows, cols = min(ho, reach_h - p), min(wo, reach_w - p)
    return (p, reach_h - p - rows, p, reach_w - p - cols), rows, cols


def conv_transpose2d_backward(grad: np.ndarray, cache: dict, dw: np.ndarray,
                              db: np.ndarray | None, need_dx: bool = True):
    """Gradients of ``conv_transpose2d_forward``: writes ``dw`` ``(C, F, kh, kw)`` and
    ``db`` ``(F,)`` in place; returns dx ``(N, C, H, W)`` (a new array) or None."""
    x, w, ws = cache["x"], cache["w"], cache["ws"]
    pads, rows, cols = _canvas_pads(cache)
    g = grad[:, :, :rows, :cols]
    # The convolution that maps the canvas back onto x's pixels: its output is
    # (N, C, H, W), and its weight gradient with x upstream is this layer's dW.
    dx, conv_cache = conv2d_forward(g, w, None, cache["stride"], 1, pads, ws)
    conv2d_backward(x, conv_cache, dw, None, need_dx=False)
    if db is not None:
        np.sum(grad, axis=(0, 2, 3), out=db)
    return dx if need_dx else None
