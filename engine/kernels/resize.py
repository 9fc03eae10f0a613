"""Pure kernels for enlarging images by whole factors: nearest and bilinear.

Nearest copies each pixel into an ``sh x sw`` block (PyTorch ``mode="nearest"``, ONNX
Resize ``nearest`` with ``asymmetric`` coordinates and ``floor``). Bilinear follows
PyTorch's ``align_corners=False`` (ONNX ``half_pixel``): output pixel ``o`` samples the
input at ``(o + 0.5) / s - 0.5``, clamped to the image, and blends its two neighbours.
Bilinear is separable, so it is two small matrix products, ``A_h @ x @ A_w.T``, and its
gradient the transposed ones.
"""
from __future__ import annotations

import numpy as np


def interpolation_matrix(size: int, scale: int, dtype) -> np.ndarray:
    """``(size * scale, size)``: row ``o`` holds the bilinear weights of output ``o``."""
    out = np.arange(size * scale)
    src = np.maximum((out + 0.5) / scale - 0.5, 0.0)
    low = np.minimum(np.floor(src).astype(np.int64), size - 1)
    high = np.minimum(low + 1, size - 1)
    frac = src - low
    a = np.zeros((size * scale, size), dtype)
    np.add.at(a, (out, low), 1.0 - frac)
    np.add.at(a, (out, high), frac)
    return a


def upsample_forward(x: np.ndarray, sh: int, sw: int, mode: str):
    """x ``(N, C, H, W)`` -> ``(N, C, H*sh, W*sw)`` (a new array), and the cache."""
    n, c, h, w = x.shape
    if mode == "nearest":
        out = np.broadcast_to(x[:, :, :, None, :, None], (n, c, h, sh, w, sw))
        return out.reshape(n, c, h * sh, w * sw), (mode, x.shape, sh, sw, None)
    ah = interpolation_matrix(h, sh, x.dtype)
    aw = interpolation_matrix(w, sw, x.dtype)
    out = np.matmul(np.matmul(ah, x), aw.T)
    return out, (mode, x.shape, sh, sw, (ah, aw))


def upsample_backward(grad: np.ndarray, cache) -> np.ndarray:
    """The gradient with respect to x: each output's gradient back onto its sources."""
    mode, (n, c, h, w), sh, sw, mats = cache
    if mode == "nearest":
        return grad.reshape(n, c, h, sh, w, sw).sum(axis=(3, 5))
    ah, aw = mats
    return np.matmul(np.matmul(ah.T, grad), aw)
