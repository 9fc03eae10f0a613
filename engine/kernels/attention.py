"""Scaled dot-product multi-head self-attention (PyTorch's ``nn.MultiheadAttention``).

``forward(x, W_in, b_in, W_out, b_out, heads, causal) -> (y, cache)`` and
``backward(dy, cache, W_in, W_out) -> (dx, dW_in, db_in, dW_out, db_out)``; ``x`` and
``y`` are batch-first sequences (N, T, D). Weights in PyTorch's layout: ``W_in`` (3D, D)
holds the query, key and value projections stacked (``in_proj_weight``), ``W_out``
(D, D) the output projection (``out_proj.weight``); ``y = o W_out^T + b_out``.

Per head (D = heads * d): ``A = softmax(Q K^T / sqrt(d) + M)`` with ``M`` zero, or
``-inf`` above the diagonal when ``causal`` (a step sees itself and earlier steps
only), and ``O = A V``. The (N, heads, T, T) attention weights stay in the cache: the
backward pass needs them, and the Inside view shows them.

Few NumPy calls, each over the whole batch: the three projections are one GEMM, the
scores and the weighted values one batched ``matmul`` each over (N * heads) matrices,
the softmax five element-wise calls over every score at once.
"""
from __future__ import annotations

import math

import numpy as np


def causal_mask(t: int, dtype) -> np.ndarray:
    """(T, T): 0 on and below the diagonal, -inf above it (later steps are hidden)."""
    mask = np.zeros((t, t), dtype)
    mask[np.triu_indices(t, 1)] = -np.inf
    return mask


def _heads(a: np.ndarray, heads: int) -> np.ndarray:
    """(N, T, D) -> (N, heads, T, d) as a copy in C order (the batched GEMMs' layout)."""
    n, t, d = a.shape
    return np.ascontiguousarray(a.reshape(n, t, heads, d // heads).transpose(0, 2, 1, 3))


def _split_qkv(qkv: np.ndarray, heads: int) -> np.ndarray:
    """(N, T, 3D) -> (3, N, heads, T, d): query, key and value by head, in one copy."""
    n, t, d3 = qkv.shape
    return np.ascontiguousarray(
        qkv.reshape(n, t, 3, heads, d3 // (3 * heads)).transpose(2, 0, 3, 1, 4))


def softmax_rows(s: np.ndarray) -> np.ndarray:
    """Softmax over the last axis, in place (stable: the row maximum is subtracted)."""
    s -= s.max(axis=-1, keepdims=True)
    np.exp(s, out=s)
    total = s.sum(axis=-1, keepdims=True)
    s *= np.reciprocal(total, out=total)
    return s


def forward(x, w_in, b_in, w_out, b_out, heads: int, causal: bool):
    n, t, d = x.shape
    qkv = x.reshape(n * t, d) @ w_in.T  # (N*T, 3D): the three projections in one GEMM
    if b_in is not None:
        qkv += b_in
    qkv = qkv.reshape(n, t, 3 * d)
    scale = 1.0 / math.sqrt(d // heads)  # a Python float keeps float32 arrays float32
    q, k, v = _split_qkv(qkv, heads)
    q *= scale  # as PyTorch: the query is scaled before the product
    scores = np.matmul(q, k.transpose(0, 1, 3, 2))  # (N, heads, T, T)
    if causal:
        scores += causal_mask(t, scores.dtype)
    attn = softmax_rows(scores)
    o = np.matmul(attn, v)  # (N, heads, T, d) -> (N, T, D)
    o = np.ascontiguousarray(o.transpose(0, 2, 1, 3)).reshape(n, t, d)
    y = o.reshape(n * t, d) @ w_out.T
    if b_out is not None:
        y += b_out
    return y.reshape(n, t, d), (x, q, k, v, attn, o, scale)


def backward(dy, cache, w_in, w_out, need_dx: bool = True):
    """Gradients ``(dx or None, dW_in, db_in, dW_out, db_out)`` for upstream ``dy``."""
    x, q, k, v, attn, o, scale = cache
    n, t, d = x.shape
    heads = q.shape[1]
    dy2 = dy.reshape(n * t, d)
    dw_out = dy2.T @ o.reshape(n * t, d)
    db_out = dy2.sum(axis=0)
    do = _heads((dy2 @ w_out).reshape(n, t, d), heads)  # (N, heads, T, d)
    dv = np.matmul(attn.transpose(0, 1, 3, 2), do)
    da = np.matmul(do, v.transpose(0, 1, 3, 2))  # (N, heads, T, T)
    # softmax backward: dS = A * (dA - sum(dA * A) over keys); masked weights are 0.
    da -= np.einsum("nhqk,nhqk->nhq", da, attn)[..., None]
    da *= attn
    dq = np.matmul(da, k)  # (N, heads, T, d): q was scaled, so dq of the unscaled query
    dq *= scale  # needs the scale once
    dk = np.matmul(da.transpose(0, 1, 3, 2), q)  # q already holds the scale
    dqkv = np.empty((n, t, 3, heads, d // heads), dq.dtype)  # (N, T, 3D), by head
    for i, part in enumerate((dq, dk, dv)):
        np.copyto(dqkv[:, :, i], part.transpose(0, 2, 1, 3))
    dqkv = dqkv.reshape(n * t, 3 * d)
    dw_in = dqkv.T @ x.reshape(n * t, d)
    db_in = dqkv.sum(axis=0)
    dx = (dqkv @ w_in).reshape(n, t, d) if need_dx else None
    return dx, dw_in, db_in, dw_out, db_out
