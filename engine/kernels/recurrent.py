"""Time loops of the recurrent cells, written for few and fast NumPy calls per step.

Layout: time-major and *feature-major*. A step's gates are a (G*H, N) block, so each
gate is one contiguous (H, N) slab: NumPy's element-wise loops run 2-4x faster on
contiguous memory than on the (N, H) column slices a batch-major layout would give.
``P`` (T, G*H, N) holds the input projections of all steps (one batched GEMM done by
the layer before the loop; the Elman loop, and the LSTM's ``lstm_forward_folded``, fold
it into the step GEMM instead); hidden
states ``Hs`` (T+1, H, N) start with the zero state at ``Hs[0]``; ``UT`` is the recurrent kernel transposed, (G*H, H), as a stack
of row blocks (B, G*H/B, H), and ``U`` for the backward pass likewise (B', H/B', G*H):
the layer decides the split (several small GEMMs can beat one, see
``recurrent._step_gemm_blocks``); a step's GEMM is one batched ``matmul`` either way.

Gates are in an *internal* order with the sigmoid gates first, and the sigmoid rows of
the forward kernels are pre-scaled by 1/2: ``sigmoid(a) = (tanh(a/2) + 1) / 2``, so one
``tanh`` call activates every gate of a step. Backward loops fill the gradients of the
(unscaled) pre-activations; the layer turns them into weight gradients with GEMMs over
all steps after the loop. Iterating ``zip`` over arrays yields per-step views from C,
cheaper than indexing in Python.
"""
from __future__ import annotations

import numpy as np


class Workspace:
    """Named scratch buffers reused between batches (allocating megabytes per step of
    training costs page faults). Never hand one of these out as a layer's output."""

    def __init__(self):
        self._bufs: dict[str, np.ndarray] = {}

    def get(self, name: str, shape: tuple, dtype, zero: bool = False) -> np.ndarray:
        buf = self._bufs.get(name)
        if buf is None or buf.shape != shape or buf.dtype != dtype:
            buf = np.empty(shape, dtype)
            self._bufs[name] = buf
        if zero:
            buf.fill(0)
        return buf

    def __getitem__(self, name: str) -> np.ndarray:
        """A buffer filled by the forward pass (for the backward pass to read)."""
        return self._bufs[name]


def _grad_steps(dY: np.ndarray | None, d_last: np.ndarray, T: int) -> list:
    """Upstream gradient of each step, last step first (None where there is none)."""
    if dY is not None:
        return list(dY[::-1])
    return [d_last] + [None] * (T - 1)


def _rows(a: np.ndarray, blocks: int) -> np.ndarray:
    """``a`` (..., R, N) viewed as (..., blocks, R / blocks, N): the output of a blocked GEMM."""
    return a.reshape(*a.shape[:-2], blocks, a.shape[-2] // blocks, a.shape[-1])


def _incoming(dh, dh_rows, prev, U, dy) -> None:
    """``dh = U · prev + dy``: the gradient reaching h_t from step t+1 and from above.
    ``dh_rows`` is ``dh`` split as ``U``'s row blocks."""
    if prev is None:
        np.copyto(dh, dy)
        return
    np.matmul(U, prev, out=dh_rows)
    if dy is not None:
        dh += dy


# ---- Elman (SimpleRNN) ----------------------------------------------------------------
def rnn_forward(UZ, Z, relu: bool) -> None:
    """``h_t = φ([U^T | W^T] [h_{t-1}; x_t; 1])``: ``Z`` (T+1, H+E, N) holds
    ``[h_t; x_{t+1}; 1]`` at ``Z[t]``; fills ``Z[1:, :H]``."""
    H = UZ.shape[0]
    for z, h1 in zip(Z, Z[1:, :H]):
        np.matmul(UZ, z, out=h1)
        if relu:
            np.maximum(h1, 0, out=h1)
        else:
            np.tanh(h1, out=h1)


def rnn_backward(dY, d_last, U, Hs, relu: bool, dA, ws: Workspace) -> None:
    """Fill ``dA`` (T, H, N): gradients of the pre-activations."""
    T, H, N = dA.shape
    dh = ws.get("dh", (H, N), dA.dtype)
    # φ' of every step at once (two calls, not two per step): it needs no recurrence.
    deriv = ws.get("deriv", (T, H, N), dA.dtype)
    if relu:
        np.greater(Hs[1:], 0, out=deriv)
    else:
        np.multiply(Hs[1:], Hs[1:], out=deriv)
        np.subtract(1, deriv, out=deriv)
    dh_rows = _rows(dh, U.shape[0])
    prev = None
    for da, d, dy in zip(dA[::-1], deriv[::-1], _grad_steps(dY, d_last, T)):
        _incoming(dh, dh_rows, prev, U, dy)
        np.multiply(dh, d, out=da)
        prev = da


# ---- LSTM: internal gate order o, f, i, g ----------------------------------------------
def lstm_forward(P, UT, G, C, TC, Hs, tmp) -> None:
    """Fill gates ``G`` (T, 4H, N: o, f, i sigmoid, g tanh), cells ``C`` (T+1, H, N;
    ``C[0]`` zero), ``TC = tanh(C[1:])`` and ``Hs[1:]``."""
    _lstm_loop(Hs[:-1], UT, P, G, C, TC, Hs, tmp)


def lstm_forward_folded(UZ, Z, G, C, TC, tmp) -> None:
    """As ``lstm_forward`` with the input projection folded into each step's GEMM (as
    ``rnn_forward``): ``UZ`` = ``[U^T | W^T]`` as row blocks (B, 4H/B, H+E) against
    ``Z[t]`` = ``[h_t; x_{t+1}; 1]`` (T+1, H+E, N); fills ``Z[1:, :H]``. At 128 units
    the 7% longer products cost less than a separate projection and an addition per
    step (2.8 -> 2.3 ms for 50 steps' GEMMs, batch 32)."""
    H = C.shape[1]
    _lstm_loop(Z[:-1], UZ, None, G, C, TC, Z[:, :H], tmp)


def _lstm_loop(inputs, UT, P, G, C, TC, Hs, tmp) -> None:
    T, H4, N = G.shape
    H = H4 // 4
    G4 = G.reshape(T, 4, H, N)
    adds = P if P is not None else [None] * T
    for z, p, gt, gt_rows, st, o, f, i, g, c0, c1, tc, h1 in zip(
            inputs, adds, G, _rows(G, UT.shape[0]), G[:, :3 * H], G4[:, 0], G4[:, 1],
            G4[:, 2], G4[:, 3], C[:-1], C[1:], TC, Hs[1:]):
        np.matmul(UT, z, out=gt_rows)
        if p is not None:
            gt += p
        np.tanh(gt, out=gt)  # all four gates at once (sigmoid rows pre-scaled)
        st *= 0.5
        st += 0.5
        np.multiply(f, c0, out=c1)
        np.multiply(i, g, out=tmp)
        c1 += tmp
        np.tanh(c1, out=tc)
        np.multiply(o, tc, out=h1)


def lstm_backward(dY, d_last, U, G, C, TC, Hs, dA, ws: Workspace) -> None:
    """Fill ``dA`` (T, 4H, N): gradients of the gate pre-activations (o, f, i, g)."""
    T, H4, N = dA.shape
    H = H4 // 4
    G4, dA4 = G.reshape(T, 4, H, N), dA.reshape(T, 4, H, N)
    dh, dc, t1 = (ws.get(k, (H, N), dA.dtype) for k in ("dh", "dc", "t1"))
    dc.fill(0)
    dc1 = dc[None]
    dsig = ws.get("dsig", (3 * H, N), dA.dtype)
    dh_rows = _rows(dh, U.shape[0])
    prev = None
    # i and g multiply each other: (g, i) as a reversed view of (i, g) makes their two
    # gradients one broadcast call.
    for da, da_sig, da_o, da_f, da_ig, da_g, sig, o, f, g_i, g, c0, tc, h1, dy in zip(
            dA[::-1], dA[::-1, :3 * H], dA4[::-1, 0], dA4[::-1, 1], dA4[::-1, 2:],
            dA4[::-1, 3], G[::-1, :3 * H], G4[::-1, 0], G4[::-1, 1], G4[::-1, 3:1:-1],
            G4[::-1, 3], C[-2::-1], TC[::-1], Hs[:0:-1], _grad_steps(dY, d_last, T)):
        _incoming(dh, dh_rows, prev, U, dy)
        np.multiply(h1, tc, out=t1)  # dc += dh · o (1 - tanh² c) = dh (o - h tanh c)
        np.subtract(o, t1, out=t1)
        t1 *= dh
        dc += t1
        np.multiply(dh, tc, out=da_o)
        np.multiply(dc, c0, out=da_f)
        np.multiply(dc1, g_i, out=da_ig)
        np.subtract(1, sig, out=dsig)  # σ' = σ (1 - σ), tanh' = 1 - tanh²
        dsig *= sig
        da_sig *= dsig
        np.multiply(g, g, out=t1)
        np.subtract(1, t1, out=t1)
        da_g *= t1
        dc *= f  # what flows on to c_{t-1}
        prev = da


# ---- GRU: gate order r, z, n (PyTorch's formulation) -----------------------------------
def gru_forward(P, UT, b_hn, G, HU, Hs) -> None:
    """``r, z = σ(P_rz + U_rz^T h)``, ``n = tanh(P_n + r (U_n^T h + b_hn))``,
    ``h' = n + z (h - n)``. Fills gates ``G`` (T, 3H, N), the recurrent projections
    ``HU`` (T, 3H, N; n rows including ``b_hn``) and ``Hs[1:]``."""
    T, H3, N = G.shape
    H = H3 // 3
    bias = None if b_hn is None else b_hn[:, None]
    for p_rz, p_n, hu_rows, hu_rz, hu_n, g_rz, r, z, n, h0, h1 in zip(
            P[:, :2 * H], P[:, 2 * H:], _rows(HU, UT.shape[0]), HU[:, :2 * H], HU[:, 2 * H:],
            G[:, :2 * H], G[:, :H], G[:, H:2 * H], G[:, 2 * H:], Hs[:-1], Hs[1:]):
        np.matmul(UT, h0, out=hu_rows)
        if bias is not None:
            hu_n += bias
        np.add(p_rz, hu_rz, out=g_rz)
        np.tanh(g_rz, out=g_rz)  # r and z at once (rows pre-scaled)
        g_rz *= 0.5
        g_rz += 0.5
        np.multiply(r, hu_n, out=n)
        n += p_n
        np.tanh(n, out=n)
        np.subtract(h0, n, out=h1)
        h1 *= z
        h1 += n


def gru_backward(dY, d_last, U, G, HU, Hs, dR, dXn, ws: Workspace) -> None:
    """Fill ``dR`` (T, 3H, N): gradients of the recurrent projections ``U^T h + b_h``
    (their r, z rows equal those of the input projections), and ``dXn`` (T, H, N): the
    gradient of the n rows of the input projection."""
    T, H3, N = G.shape
    H = H3 // 3
    dh, carry, t1, t2 = (ws.get(k, (H, N), G.dtype) for k in ("dh", "carry", "t1", "t2"))
    drz = ws.get("drz", (2 * H, N), G.dtype)
    drz_r, drz_z = drz[:H], drz[H:]
    dh_rows = _rows(dh, U.shape[0])
    prev = None
    for dr, dr_r, dr_z, dr_n, dxn, g_rz, r, z, n, hu_n, h0, dy in zip(
            dR[::-1], dR[::-1, :H], dR[::-1, H:2 * H], dR[::-1, 2 * H:], dXn[::-1],
            G[::-1, :2 * H], G[::-1, :H], G[::-1, H:2 * H], G[::-1, 2 * H:],
            HU[::-1, 2 * H:], Hs[-2::-1], _grad_steps(dY, d_last, T)):
        _incoming(dh, dh_rows, prev, U, dy)
        if prev is not None:
            dh += carry  # the direct path h_t = ... + z h_{t-1}
        np.subtract(1, g_rz, out=drz)  # σ' for r and z at once
        drz *= g_rz
        np.multiply(n, n, out=t1)  # dxn = dh (1 - z)(1 - n²)
        np.subtract(1, t1, out=t1)
        np.subtract(1, z, out=t2)
        t1 *= t2
        np.multiply(dh, t1, out=dxn)
        np.subtract(h0, n, out=t1)  # dz = dh (h_{t-1} - n) σ'(z)
        t1 *= dh
        np.multiply(t1, drz_z, out=dr_z)
        np.multiply(dxn, r, out=dr_n)
        np.multiply(dxn, hu_n, out=t1)  # dr = dxn (U_n^T h + b_hn) σ'(r)
        np.multiply(t1, drz_r, out=dr_r)
        np.multiply(dh, z, out=carry)
        prev = dr


def put_blocks(dst: np.ndarray, src: np.ndarray, blocks: list[int] | None) -> None:
    """``dst`` (R, G*H) = ``src.T`` (``src`` (G*H, R), in internal gate order) with its
    gate blocks taken in ``blocks``' order: one transposed copy per block, straight
    from the GEMM's result (a take over reshaped ``src.T`` copied it whole first)."""
    if blocks is None:
        np.copyto(dst, src.T)
        return
    rows = src.shape[0] // len(blocks)
    for b, k in enumerate(blocks):
        np.copyto(dst[:, b * rows:(b + 1) * rows], src[k * rows:(k + 1) * rows].T)
