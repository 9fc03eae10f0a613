"""Explain one Conv2D output position (or one Conv1D output step): the receptive-field
patch ⊙ the kernel, summed, plus the bias, then φ; backwards, this position's share of ∂L/∂W (the engine's gradient
of the kernel is the sum of the shares over every position, which the tests check).

Built on ``explain``'s sample pass: the patch is cut from the engine's output of the
layer before, ``a`` and the gradients are the engine's.
"""
from __future__ import annotations

import numpy as np

from ..kernels.conv import resolve_pads
from ..losses import Loss
from ..network import Network
from .explain import (TOP_TERMS, ExplainError, Term, UnitExplanation, _activation_part,
                      _node, layer_of, run_sample, updates_for)


def receptive_field(layer, x: np.ndarray, row: int, col: int) -> tuple[np.ndarray, list]:
    """The patch (C, kh, kw) of one sample ``x`` (C, H, W) that output (row, col) sees,
    zeros where it falls on the padding, and each tap's input position (or None)."""
    c, h, w = x.shape
    kh, kw = layer.kernel
    s, d = layer.config["stride"], layer.config["dilation"]
    top, _bottom, left, _right = resolve_pads(h, w, kh, kw, s, d, layer.config["padding"])
    rows = [row * s - top + i * d for i in range(kh)]
    cols = [col * s - left + j * d for j in range(kw)]
    patch = np.zeros((c, kh, kw), np.float64)
    where = []
    for ci in range(c):
        for i, r in enumerate(rows):
            for j, q in enumerate(cols):
                inside = 0 <= r < h and 0 <= q < w
                if inside:
                    patch[ci, i, j] = x[ci, r, q]
                where.append((ci, r, q) if inside else None)
    return patch, where


def explain_conv(network: Network, layer_id: str, channel: int, row: int, col: int, x,
                 target=None, loss: Loss | None = None, settings: dict | None = None,
                 optimizer_state: dict | None = None, top: int = TOP_TERMS,
                 lr: float | None = None) -> UnitExplanation:
    """Output (``channel``, ``row``, ``col``) of Conv2D ``layer_id`` on sample ``x``
    (the update at learning rate ``lr``, as ``explain_dense``)."""
    node = layer_of(network, layer_id, ("Conv2D",))
    shape = network.report.layers[layer_id].output_shape
    assert shape is not None  # a built network has every shape
    f, ho, wo = shape
    if not (0 <= channel < f and 0 <= row < ho and 0 <= col < wo):
        raise ExplainError(f"{node.layer.label} outputs {f} channels of {ho}x{wo}: "
                           f"({channel}, {row}, {col}) is outside")
    sp = run_sample(network, x, target, loss)
    layer = _node(sp.network, layer_id).layer
    xin = np.asarray(sp.outputs[node.inputs[0]][0], np.float64)
    patch, where = receptive_field(layer, xin, row, col)
    kernel = np.asarray(layer.params["W"][channel], np.float64)
    b = float(layer.params["b"][channel]) if "b" in layer.params else None
    products = (patch * kernel).reshape(-1)
    order = np.argsort(-np.abs(products), kind="stable")
    shown, rest = order[:top], order[top:]
    taps = [np.unravel_index(int(i), kernel.shape) for i in shown]
    keys: list[tuple[str, tuple]] = [(f"{layer_id}/W", (channel,) + tuple(int(t) for t in tap)) for tap in taps]
    if b is not None:
        keys.append((f"{layer_id}/b", (channel,)))
    ups = updates_for(sp, settings, optimizer_state, keys, lr)
    z = float(products.sum() + (b or 0.0))
    head = _activation_part(sp, layer, layer_id, (0, channel, row, col), z)
    dz = head.get("dl_dz")
    terms = tuple(
        Term(_tap_label(where[int(i)]), keys[k][1], float(kernel.reshape(-1)[i]),
             float(patch.reshape(-1)[i]), float(products[i]),
             None if dz is None else dz * float(patch.reshape(-1)[i]), ups[k])
        for k, i in enumerate(shown))
    return UnitExplanation(layer_id, "Conv2D", f"channel {channel}, row {row}, col {col}",
                           terms=terms, rest=float(products[rest].sum()),
                           rest_count=int(rest.size), bias=b, z=z, loss=sp.loss,
                           bias_update=ups[-1] if b is not None else None, **head)


def _tap_label(pos) -> str:
    return "pad" if pos is None else "x[" + ",".join(str(p) for p in pos) + "]"


# ---- Conv1D -----------------------------------------------------------------------------
def receptive_steps(layer, x: np.ndarray, step: int) -> tuple[np.ndarray, list]:
    """The window (C, k) of one sequence ``x`` (T, C) that output ``step`` sees, in the
    kernel's layout, zeros on the padding, and each tap's (step, channel) or None."""
    t, c = x.shape
    k, s, d = layer.config["kernel_size"], layer.config["stride"], layer.config["dilation"]
    before, _after = layer._pads(t)
    steps = [step * s - before + i * d for i in range(k)]
    patch = np.zeros((c, k), np.float64)
    where = []
    for ci in range(c):
        for i, r in enumerate(steps):
            inside = 0 <= r < t
            if inside:
                patch[ci, i] = x[r, ci]
            where.append((r, ci) if inside else None)
    return patch, where


def explain_conv1d(network: Network, layer_id: str, channel: int, step: int, x,
                   target=None, loss: Loss | None = None, settings: dict | None = None,
                   optimizer_state: dict | None = None,
                   top: int = TOP_TERMS, lr: float | None = None) -> UnitExplanation:
    """Output (``step``, ``channel``) of Conv1D ``layer_id`` on sample ``x``: the window
    of steps ⊙ the filter, summed, plus the bias, then φ."""
    node = layer_of(network, layer_id, ("Conv1D",))
    shape = network.report.layers[layer_id].output_shape
    assert shape is not None  # a built network has every shape
    to, f = shape
    if not (0 <= channel < f and 0 <= step < to):
        raise ExplainError(f"{node.layer.label} outputs {to} steps of {f} channels: "
                           f"channel {channel}, step {step} is outside")
    sp = run_sample(network, x, target, loss)
    layer = _node(sp.network, layer_id).layer
    patch, where = receptive_steps(layer, np.asarray(sp.outputs[node.inputs[0]][0],
                                                     np.float64), step)
    kernel = np.asarray(layer.params["W"][channel], np.float64)
    b = float(layer.params["b"][channel]) if "b" in layer.params else None
    products = (patch * kernel).reshape(-1)
    order = np.argsort(-np.abs(products), kind="stable")
    shown, rest = order[:top], order[top:]
    keys: list[tuple[str, tuple]] = [
        (f"{layer_id}/W", (channel,) + tuple(int(t) for t in np.unravel_index(int(i),
                                                                             kernel.shape)))
        for i in shown]
    if b is not None:
        keys.append((f"{layer_id}/b", (channel,)))
    ups = updates_for(sp, settings, optimizer_state, keys, lr)
    z = float(products.sum() + (b or 0.0))
    head = _activation_part(sp, layer, layer_id, (0, step, channel), z)
    dz = head.get("dl_dz")
    flat_patch, flat_kernel = patch.reshape(-1), kernel.reshape(-1)
    terms = tuple(
        Term(_tap_label(where[int(i)]), keys[k][1], float(flat_kernel[i]),
             float(flat_patch[i]), float(products[i]),
             None if dz is None else dz * float(flat_patch[i]), ups[k])
        for k, i in enumerate(shown))
    return UnitExplanation(layer_id, "Conv1D", f"channel {channel}, step {step}",
                           terms=terms, rest=float(products[rest].sum()),
                           rest_count=int(rest.size), bias=b, z=z, loss=sp.loss,
                           bias_update=ups[-1] if b is not None else None, **head)
