"""Time loops of the recurrent cells, written for few NumPy calls per step.

Everything here is time-major: ``P`` (T, N, G*H) holds the input projections of all
steps (one GEMM done by the layer before the loop), hidden states ``Hs`` (T+1, N, H)
start with the zero state at ``Hs[0]``. Gate columns are in the *internal* order
(sigmoid gates first, so one slice covers them) and the sigmoid columns of the forward
kernels are pre-scaled by 1/2: ``sigmoid(a) = (tanh(a/2) + 1) / 2``, so a single
``tanh`` call activates every gate of a step. Backward loops fill the gradients with
respect to the (unscaled) pre-activations; the layer turns those into weight
gradients with single GEMMs after the loop.

Per step the loops only do what depends on the previous step; every product that can
be formed for all steps at once (activation derivatives times their partners) is
formed before the backward loop in a few whole-sequence calls. Iterating ``zip`` over
arrays yields per-step views from C, cheaper than indexing in Python.
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


def _grad_steps(dY: np.ndarray | None, d_last: np.ndarray | None, T: int) -> list:
    """Upstream gradient of each step, last step first (None where there is none)."""
    if dY is not None:
        return list(dY[::-1])
    return [d_last] + [None] * (T - 1)


# ---- Elman (SimpleRNN) ----------------------------------------------------------------
def rnn_forward(P, U, Hs, relu: bool) -> None:
    """``h_t = φ(P_t + h_{t-1} U)``; fills ``Hs[1:]``."""
    for p, h0, h1 in zip(P, Hs[:-1], Hs[1:]):
        np.matmul(h0, U, out=h1)
        h1 += p
        if relu:
            np.maximum(h1, 0, out=h1)
        else:
            np.tanh(h1, out=h1)


def rnn_backward(dY, d_last, Ut, Hs, relu: bool, dA, ws: Workspace) -> None:
    """Fill ``dA`` (T, N, H): gradients of the pre-activations. ``Ut`` is ``U.T``."""
    T, N, H = dA.shape
    D = ws.get("deriv", dA.shape, dA.dtype)
    if relu:
        np.greater(Hs[1:], 0, out=D)
    else:
        np.multiply(Hs[1:], Hs[1:], out=D)
        np.subtract(1, D, out=D)
    dh = ws.get("dh", (N, H), dA.dtype)
    prev = None
    for da, d, dy in zip(dA[::-1], D[::-1], _grad_steps(dY, d_last, T)):
        if prev is None:
            np.multiply(dy, d, out=da)
            prev = da
            continue
        np.matmul(prev, Ut, out=dh)
        if dy is not None:
            dh += dy
        np.multiply(dh, d, out=da)
        prev = da


# ---- LSTM: internal gate order o, i, f, g ----------------------------------------------
def lstm_forward(P, Uf, G, C, TC, Hs, tmp) -> None:
    """Fill gates ``G`` (T, N, 4H: o, i, f sigmoid, g tanh), cells ``C`` (T+1, N, H;
    ``C[0]`` zero), ``TC = tanh(C[1:])`` and ``Hs[1:]``."""
    T, N, H4 = G.shape
    H = H4 // 4
    G4 = G.reshape(T, N, 4, H)
    sig = G[:, :, :3 * H]
    for p, gt, st, o, i, f, g, c0, c1, tc, h0, h1 in zip(
            P, G, sig, G4[:, :, 0], G4[:, :, 1], G4[:, :, 2], G4[:, :, 3],
            C[:-1], C[1:], TC, Hs[:-1], Hs[1:]):
        np.matmul(h0, Uf, out=gt)
        gt += p
        np.tanh(gt, out=gt)  # all four gates at once (sigmoid columns pre-scaled)
        st *= 0.5
        st += 0.5
        np.multiply(f, c0, out=c1)
        np.multiply(i, g, out=tmp)
        c1 += tmp
        np.tanh(c1, out=tc)
        np.multiply(o, tc, out=h1)


def _lstm_partners(G, C, TC, ws: Workspace):
    """For all steps at once: ``Q`` (T, N, 4, H) = derivative of each gate times the
    factor its gradient is multiplied by (o: tanh c, i: g, f: c_prev, g: i), and
    ``K = o (1 - tanh² c)``, the path from h to c."""
    T, N, H4 = G.shape
    H = H4 // 4
    G4 = G.reshape(T, N, 4, H)
    Q = ws.get("partners", (T, N, 4, H), G.dtype)
    sig, g = G4[:, :, :3], G4[:, :, 3]
    np.subtract(1, sig, out=Q[:, :, :3])
    Q[:, :, :3] *= sig
    np.multiply(g, g, out=Q[:, :, 3])
    np.subtract(1, Q[:, :, 3], out=Q[:, :, 3])
    Q[:, :, 0] *= TC
    Q[:, :, 1] *= g
    Q[:, :, 2] *= C[:-1]
    Q[:, :, 3] *= G4[:, :, 1]
    K = ws.get("k", TC.shape, G.dtype)
    np.multiply(TC, TC, out=K)
    np.subtract(1, K, out=K)
    K *= G4[:, :, 0]
    return Q, K


def lstm_backward(dY, d_last, Ubt, G, C, TC, dA, ws: Workspace) -> None:
    """Fill ``dA`` (T, N, 4H): gradients of the gate pre-activations (o, i, f, g)."""
    T, N, H4 = dA.shape
    H = H4 // 4
    Q, K = _lstm_partners(G, C, TC, ws)
    F = G.reshape(T, N, 4, H)[:, :, 2]
    dA4 = dA.reshape(T, N, 4, H)
    dh = ws.get("dh", (N, H), dA.dtype)
    dc = ws.get("dc", (N, H), dA.dtype, zero=True)
    tmp = ws.get("tmp", (N, H), dA.dtype)
    dc3 = dc[:, None, :]  # broadcasts the cell gradient over the i, f, g gates
    prev = None
    for da, da_o, da_ifg, q_o, q_ifg, k, f, dy in zip(
            dA[::-1], dA4[::-1, :, 0], dA4[::-1, :, 1:], Q[::-1, :, 0], Q[::-1, :, 1:],
            K[::-1], F[::-1], _grad_steps(dY, d_last, T)):
        if prev is None:
            np.copyto(dh, dy)
        else:
            np.matmul(prev, Ubt, out=dh)
            if dy is not None:
                dh += dy
        np.multiply(dh, k, out=tmp)
        dc += tmp
        np.multiply(dh, q_o, out=da_o)
        np.multiply(dc3, q_ifg, out=da_ifg)
        dc *= f  # what flows on to c_{t-1}
        prev = da


# ---- GRU: gate order r, z, n (PyTorch's formulation) -----------------------------------
def gru_forward(P, Uf, b_hn, G, HU, Hs) -> None:
    """``r, z = σ(P_rz + h U_rz)``, ``n = tanh(P_n + r (h U_n + b_hn))``,
    ``h' = n + z (h - n)``. Fills gates ``G`` (T, N, 3H), the recurrent projections
    ``HU`` (T, N, 3H; n block including ``b_hn``) and ``Hs[1:]``."""
    T, N, H3 = G.shape
    H = H3 // 3
    rz, n2 = slice(0, 2 * H), slice(2 * H, 3 * H)
    for p_rz, p_n, hu, hu_n, g_rz, r, z, n, h0, h1 in zip(
            P[:, :, rz], P[:, :, n2], HU, HU[:, :, n2], G[:, :, rz], G[:, :, :H],
            G[:, :, H:2 * H], G[:, :, n2], Hs[:-1], Hs[1:]):
        np.matmul(h0, Uf, out=hu)
        if b_hn is not None:
            hu_n += b_hn
        np.add(p_rz, hu[:, rz], out=g_rz)
        np.tanh(g_rz, out=g_rz)  # r and z at once (columns pre-scaled)
        g_rz *= 0.5
        g_rz += 0.5
        np.multiply(r, hu_n, out=n)
        n += p_n
        np.tanh(n, out=n)
        np.subtract(h0, n, out=h1)
        h1 *= z
        h1 += n


def _gru_partners(G, HU, Hs, ws: Workspace):
    """For all steps: ``(h_prev - n) z(1-z)``, ``(1-z)(1-n²)``, ``(U_n h + b_hn) r(1-r)``."""
    T, N, H3 = G.shape
    H = H3 // 3
    r, z, n = G[:, :, :H], G[:, :, H:2 * H], G[:, :, 2 * H:]
    Pz, Pn, Pr = (ws.get(k, (T, N, H), G.dtype) for k in ("pz", "pn", "pr"))
    tmp = ws.get("ptmp", (T, N, H), G.dtype)
    np.subtract(1, z, out=tmp)
    np.subtract(Hs[:-1], n, out=Pz)
    Pz *= z
    Pz *= tmp
    np.multiply(n, n, out=Pn)
    np.subtract(1, Pn, out=Pn)
    Pn *= tmp
    np.subtract(1, r, out=Pr)
    Pr *= r
    Pr *= HU[:, :, 2 * H:]
    return Pz, Pn, Pr


def gru_backward(dY, d_last, Ubt, G, HU, Hs, dR, dXn, ws: Workspace) -> None:
    """Fill ``dR`` (T, N, 3H): gradients of the recurrent projections ``h U + b_h`` (r, z
    blocks equal those of the input projections), and ``dXn`` (T, N, H): gradient of the
    n block of the input projection."""
    T, N, H3 = G.shape
    H = H3 // 3
    Pz, Pn, Pr = _gru_partners(G, HU, Hs, ws)
    dh = ws.get("dh", (N, H), G.dtype)
    carry = ws.get("carry", (N, H), G.dtype, zero=True)  # dh_{t+1} z_{t+1}
    prev = None
    for dr, dr_r, dr_z, dr_n, dxn, pz, pn, pr, r, z, dy in zip(
            dR[::-1], dR[::-1, :, :H], dR[::-1, :, H:2 * H], dR[::-1, :, 2 * H:], dXn[::-1],
            Pz[::-1], Pn[::-1], Pr[::-1], G[::-1, :, :H], G[::-1, :, H:2 * H],
            _grad_steps(dY, d_last, T)):
        if prev is None:
            np.copyto(dh, dy)
        else:
            np.matmul(prev, Ubt, out=dh)
            dh += carry
            if dy is not None:
                dh += dy
        np.multiply(dh, pn, out=dxn)
        np.multiply(dh, pz, out=dr_z)
        np.multiply(dxn, pr, out=dr_r)
        np.multiply(dxn, r, out=dr_n)
        np.multiply(dh, z, out=carry)
        prev = dr
