"""Pure kernels for 1-D convolution on sequences laid out channels-last, ``(N, T, C)``:
the layout of the engine's recurrent layers, so a Conv1D feeds an LSTM or a Dense as it is.

Style as ``conv.py``: ``forward(...) -> (out, cache)`` and ``backward(grad, cache)``.
Weights are ``(F, C, k)`` as in PyTorch and ONNX.

Channels-last suits an im2col: the window at output step ``t`` is the ``k`` rows
``t*s + i*d`` of ``C`` values each, and with dilation 1 those rows are ONE contiguous run
of ``k*C`` values in the padded input. So the columns are a strided view
``(N, T', k, C)`` copied in one call, one GEMM ``cols @ W2`` gives the output already in
``(N, T', F)`` order (no transpose, unlike a channels-first layout), and the weight
gradient is one GEMM ``cols.T @ grad``. The input gradient is one GEMM per tap, each
added onto a shifted slice of the padded gradient (contiguous runs of ``T'*C`` values at
stride 1). Viewing the sequence as an ``H = 1`` image for ``conv2d_forward`` would cost
two transposes of the data each way.

Scratch buffers come from a ``Workspace`` (fresh multi-megabyte arrays every step cost
page faults); outputs are new arrays, the input gradient lives in the workspace until the
next backward (the network consumes it at once).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .conv import Workspace, output_size, same_pads


def resolve_pads_1d(t: int, k: int, stride: int, dilation: int, padding) -> tuple[int, int]:
    """Padding ``"valid"``, ``"same"`` or a whole number, as (before, after) steps."""
    if padding == "valid":
        return 0, 0
    if padding == "same":
        return same_pads(t, k, stride, dilation)
    return int(padding), int(padding)


@dataclass(frozen=True)
class Geom1D:
    n: int
    t: int
    c: int
    f: int
    k: int
    stride: int
    dilation: int
    pads: tuple[int, int]
    to: int

    @property
    def tp(self) -> int:
        return self.t + self.pads[0] + self.pads[1]


def padded(x: np.ndarray, pads: tuple[int, int], ws: Workspace, fill: float = 0.0):
    """``x`` (N, T, C) with ``pads`` steps of ``fill`` before and after, in a reused
    buffer (only the interior is written: the border keeps ``fill``); x itself, made
    contiguous, when there is no padding."""
    if not any(pads):
        return np.ascontiguousarray(x)
    n, t, c = x.shape
    xp = ws.get(f"pad{fill}", (n, t + pads[0] + pads[1], c), x.dtype, fill=fill)
    xp[:, pads[0]:pads[0] + t] = x
    return xp


def windows(xp: np.ndarray, k: int, stride: int, dilation: int, to: int) -> np.ndarray:
    """Every window of padded ``xp`` (N, Tp, C), a read-only view ``(N, T', k, C)``."""
    sn, st, sc = xp.strides
    return as_strided(xp, shape=(xp.shape[0], to, k, xp.shape[2]),
                      strides=(sn, stride * st, dilation * st, sc), writeable=False)


# Samples per chunk: the columns of a chunk take at most this many bytes, so a long
# sequence or a big evaluation batch never needs one huge im2col matrix (k*C values per
# output step: 64 channels, k 9, 10 000 steps and 256 samples would be 5.9 GB at once).
CHUNK_BYTES = 4 << 20


def _chunk(g: Geom1D, itemsize: int) -> int:
    return max(1, min(g.n, CHUNK_BYTES // max(g.to * g.k * g.c * itemsize, 1)))


def conv1d_forward(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, stride: int,
                   dilation: int, pads: tuple[int, int], ws: Workspace, relu: bool = False):
    """Cross-correlation of ``x`` with ``w`` along time (as PyTorch's conv1d on the
    transposed input), plus bias, and with ``relu`` a ReLU after it.

    Shape:
        x ``(N, T, C)``, w ``(F, C, k)``, b ``(F,)`` or None -> out ``(N, T', F)``,
        ``T' = (T + pads - (k - 1) * dilation - 1) // stride + 1``; a new array.
    """
    n, t, c = x.shape
    f, _, k = w.shape
    to = output_size(t, k, stride, dilation, *pads)
    if to < 1:
        raise ValueError(f"kernel does not fit the padded {t + sum(pads)}-step input")
    g = Geom1D(n, t, c, f, k, stride, dilation, pads, to)
    taps = windows(padded(x, pads, ws), k, stride, dilation, to)
    w2 = np.ascontiguousarray(w.transpose(2, 1, 0)).reshape(k * c, f)  # tap-major rows
    out = np.empty((n, to, f), x.dtype)
    chunk = _chunk(g, x.itemsize)
    for a in range(0, n, chunk):
        nb = min(chunk, n - a)
        cols = _columns(taps, a, nb, g, ws)
        np.matmul(cols, w2, out=out[a:a + nb].reshape(nb * to, f))
    if b is not None:
        out += b
    if relu:
        np.maximum(out, 0, out=out)
    return out, {"geom": g, "taps": taps, "chunk": chunk, "w2": w2, "ws": ws,
                 "relu_out": out if relu else None}


def _columns(taps: np.ndarray, a: int, nb: int, g: Geom1D, ws: Workspace) -> np.ndarray:
    """Samples a:a+nb of the windows copied into a reused buffer, ``(nb*T', k*C)``."""
    cols = ws.get(f"cols{nb}", (nb, g.to, g.k, g.c), taps.dtype)
    np.copyto(cols, taps[a:a + nb])
    return cols.reshape(nb * g.to, g.k * g.c)


def conv1d_backward(gz: np.ndarray, cache: dict, dw: np.ndarray, db: np.ndarray | None,
                    need_dx: bool = True) -> np.ndarray | None:
    """Gradients of ``conv1d_forward``: writes ``dw`` and ``db`` in place, returns dx.
    The columns are rebuilt chunk by chunk from the (padded) input the forward kept.

    After a fused ReLU, ``gz`` is the gradient with respect to the ReLU's output and is
    masked here.

    Shape:
        gz ``(N, T', F)``; dw ``(F, C, k)``; db ``(F,)`` or None; returns dx
        ``(N, T, C)`` (a scratch buffer, valid until the next backward) or None.
    """
    g, ws, chunk = cache["geom"], cache["ws"], cache["chunk"]
    if cache["relu_out"] is not None:
        mask = np.greater(cache["relu_out"], 0, out=ws.get("mask", gz.shape, bool))
        gz = np.multiply(gz, mask, out=ws.get("gmasked", gz.shape, gz.dtype))
    dw2 = np.zeros((g.k * g.c, g.f), gz.dtype)
    part = ws.get("dwpart", dw2.shape, gz.dtype)
    for a in range(0, g.n, chunk):
        nb = min(chunk, g.n - a)
        cols = _columns(cache["taps"], a, nb, g, ws)
        dw2 += np.matmul(cols.T, gz[a:a + nb].reshape(nb * g.to, g.f), out=part)
    dw[...] = dw2.reshape(g.k, g.c, g.f).transpose(2, 1, 0)
    g2 = gz.reshape(g.n * g.to, g.f)
    if db is not None:
        db[...] = g2.sum(axis=0)
    if not need_dx:
        return None
    return _input_grad(g2, cache["w2"], g, ws)


def _input_grad(g2: np.ndarray, w2: np.ndarray, g: Geom1D, ws: Workspace) -> np.ndarray:
    """One GEMM per tap, each added onto the padded gradient where that tap read."""
    dxp = ws.get("dxp", (g.n, g.tp, g.c), g2.dtype)
    dxp.fill(0)
    tap = ws.get("dtap", (g.n * g.to, g.c), g2.dtype)
    reach = g.stride * (g.to - 1) + 1
    for i in range(g.k):
        np.matmul(g2, w2[i * g.c:(i + 1) * g.c].T, out=tap)
        start = i * g.dilation
        dxp[:, start:start + reach:g.stride] += tap.reshape(g.n, g.to, g.c)
    if not any(g.pads):
        return dxp
    return dxp[:, g.pads[0]:g.pads[0] + g.t]
