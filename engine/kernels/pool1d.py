"""Pure kernels for 1-D max and average pooling along time, on channels-last sequences
``(N, T, C)``: ``forward -> (out, cache)``, ``backward(grad, cache) -> dx``.

As in ``pool.py``, each window tap ``i`` is a strided view ``(N, T', C)`` of the
(padded) input, so a pool is ``k`` whole-array operations; a max pool decides in forward,
while training, where each window's gradient goes (its first maximum, as PyTorch), with
the boolean masks of ``pool.py``, whose tap loops it shares.

Shape: x ``(N, T, C)`` -> out ``(N, T', C)``, ``T' = (T + pads - k) // stride + 1``.
"""
from __future__ import annotations

import numpy as np

from .conv import Workspace, output_size
from .conv1d import padded
from .pool import first_hits, max_of_taps, route, spread


def _taps(xp: np.ndarray, k: int, s: int, to: int) -> list[np.ndarray]:
    """The value under tap i of every window, a strided view ``(N, T', C)`` per tap."""
    reach = s * (to - 1) + 1
    return [xp[:, i:i + reach:s] for i in range(k)]


def _grad_buffer(x_shape, k, s, pads, to, dtype, ws):
    """The padded input gradient (reused); zeroed unless the windows tile it exactly.
    Returns it and whether windows are disjoint (taps may assign, not add)."""
    n, t, c = x_shape
    tp = t + pads[0] + pads[1]
    dxp = ws.get("dx", (n, tp, c), dtype)
    if not (s == k and to * k == tp):
        dxp.fill(0)
    return dxp, s >= k


def _crop(dxp, t, pads):
    return dxp if dxp.shape[1] == t else dxp[:, pads[0]:pads[0] + t]


def max_pool1d_forward(x: np.ndarray, k: int, s: int, pads: tuple[int, int], ws: Workspace,
                       training: bool = True):
    """Largest value of each window of k steps, per channel (padding counts as -inf)."""
    to = output_size(x.shape[1], k, s, 1, *pads)
    xp = padded(x, pads, ws, fill=-np.inf)
    out, hits = max_of_taps(_taps(xp, k, s, to), ws, training)
    return out, (xp, out, x.shape, k, s, pads, ws, hits)


def max_pool1d_backward(grad: np.ndarray, cache) -> np.ndarray:
    """Each window's gradient goes to ONE input: its first maximum (as PyTorch)."""
    xp, out, x_shape, k, s, pads, ws, hits = cache
    to = out.shape[1]
    if hits is None:  # a backward after an inference forward
        hits = first_hits(_taps(xp, k, s, to), out, ws, "hit")
    dxp, disjoint = _grad_buffer(x_shape, k, s, pads, to, grad.dtype, ws)
    route(grad, hits, _taps(dxp, k, s, to), add=not disjoint)
    return _crop(dxp, x_shape[1], pads)


def avg_pool1d_forward(x: np.ndarray, k: int, s: int, pads: tuple[int, int], ws: Workspace,
                       count_pad: bool = True):
    """Mean of each window of k steps. Padding holds zeros; ``count_pad`` says whether
    they count in the divisor (PyTorch's and ONNX's ``count_include_pad``)."""
    to = output_size(x.shape[1], k, s, 1, *pads)
    views = _taps(padded(x, pads, ws), k, s, to)
    out = views[0].copy()
    for view in views[1:]:
        out += view
    scale = _avg_scale(x.shape[1], k, s, pads, to, count_pad, x.dtype)
    out *= scale
    return out, (x.shape, k, s, pads, to, scale, ws)


def _avg_scale(t, k, s, pads, to, count_pad, dtype):
    """1 / (values counted in each window): a number, or ``(T', 1)`` when padding is
    left out of the count."""
    if count_pad or not any(pads):
        return dtype.type(1.0 / k)
    real = np.zeros((1, t + pads[0] + pads[1], 1), dtype)
    real[:, pads[0]:pads[0] + t] = 1
    counts = sum(_taps(real, k, s, to))
    return (1.0 / counts[0]).astype(dtype)


def avg_pool1d_backward(grad: np.ndarray, cache) -> np.ndarray:
    """Each window spreads its gradient evenly over the values it averaged."""
    x_shape, k, s, pads, to, scale, ws = cache
    g = grad * scale
    dxp, disjoint = _grad_buffer(x_shape, k, s, pads, to, grad.dtype, ws)
    spread(g, _taps(dxp, k, s, to), disjoint)
    return _crop(dxp, x_shape[1], pads)


def global_max_forward(x: np.ndarray, axis: int):
    """The largest value over ``axis`` (the steps of ``(N, T, C)``, or the flattened
    pixels of ``(N, C, H*W)``), and the first position holding it (PyTorch's choice
    for the gradient)."""
    where = np.argmax(x, axis=axis)
    return np.take_along_axis(x, np.expand_dims(where, axis), axis).squeeze(axis), where


def global_max_backward(grad: np.ndarray, where: np.ndarray, shape, axis: int) -> np.ndarray:
    """The gradient of each (sample, channel) goes to its maximum's position only."""
    dx = np.zeros(shape, grad.dtype)
    np.put_along_axis(dx, np.expand_dims(where, axis), np.expand_dims(grad, axis), axis)
    return dx
