"""Per-layer views: unit statistics, feature maps and filters of image layers, states
and gates of recurrent layers, and a helper that tiles maps into one image.

Each function reads arrays the probe already has (a layer's output, its weights, the
recurrent layer's ``internals()``) and returns small copies, capped in channels and
units so a wide layer never turns into a large message.
"""
from __future__ import annotations

import numpy as np

from .snapshot import ActivationStats

TANH_SATURATED = 0.97  # |tanh| above this: slope 1 - a² below 0.06
SIGMOID_SATURATED = 0.03  # sigmoid below this or above 1 - this: slope below 0.03
SATURATED_SAMPLES = 0.9  # a unit is saturated when this share of its values is


def unit_matrix(a: np.ndarray) -> np.ndarray:
    """The layer output as (values, units): the unit axis is the channel axis of an
    image batch (N, C, H, W) and the last axis otherwise."""
    if a.ndim == 4:
        return a.transpose(1, 0, 2, 3).reshape(a.shape[1], -1).T
    return a.reshape(-1, a.shape[-1])


def activation_stats(a: np.ndarray, activation: str) -> ActivationStats:
    """Unit statistics of a layer's output ``a`` (batch-first) for its activation."""
    m = unit_matrix(a)
    units = m.shape[1]
    finite = np.isfinite(m)
    nonfinite = int(m.size - np.count_nonzero(finite))
    vals = m if not nonfinite else np.where(finite, m, 0)
    mean = float(vals.mean(dtype=np.float64)) if vals.size else 0.0
    std = float(vals.std(dtype=np.float64)) if vals.size else 0.0
    dead = sat = sat_values = 0.0
    if activation == "relu" and m.size:
        dead = float(np.count_nonzero(~(m > 0).any(axis=0))) / units
    tails = _tails(m, activation)
    if tails is not None and m.size:
        share = tails.mean(axis=0)
        sat = float(np.count_nonzero(share >= SATURATED_SAMPLES)) / units
        sat_values = float(share.mean())
    return ActivationStats(units, mean, std, dead, sat, sat_values, nonfinite)


def _tails(m: np.ndarray, activation: str) -> np.ndarray | None:
    """Boolean (values, units): where the activation is in its flat tails."""
    if activation == "tanh":
        return np.abs(m) > TANH_SATURATED
    if activation == "sigmoid":
        return (m < SIGMOID_SATURATED) | (m > 1 - SIGMOID_SATURATED)
    return None


# Layers whose sequence output (N, T, C) is a stack of 1-D feature maps (a recurrent
# layer's (N, T, H) is shown as its states instead).
SEQUENCE_MAPS = ("Conv1D", "MaxPool1D", "AvgPool1D")


def feature_maps(a: np.ndarray, sample: int, max_channels: int,
                 layer_type: str = "") -> np.ndarray | None:
    """(C', H, W) maps of one sample of an image output (N, C, H, W); for a 1-D
    convolution or pool (N, T, C), (C', 1, T): each channel over time; None otherwise."""
    if a.ndim == 4:
        return np.array(a[sample, :max_channels], dtype=np.float32)
    if a.ndim == 3 and layer_type in SEQUENCE_MAPS:
        return np.ascontiguousarray(a[sample, :, :max_channels].T[:, None, :], dtype=np.float32)
    return None


def conv_filters(layer, max_channels: int) -> np.ndarray | None:
    """(F', C', kh, kw) of a Conv2D's kernel, the first filters and input channels; a
    Conv2DTranspose's (C, F, kh, kw) is turned to the same order (each tile: the patch
    one input channel paints into one output channel); Conv1D's (F', C', k) is
    (F', C', 1, k)."""
    w = layer.params.get("W")
    if w is None or layer.type_name not in ("Conv2D", "Conv2DTranspose", "Conv1D"):
        return None
    if layer.type_name == "Conv2DTranspose":
        w = w.transpose(1, 0, 2, 3)
    cut = w[:max_channels, :max_channels]
    return np.array(cut if cut.ndim == 4 else cut[:, :, None, :], dtype=np.float32)


def recurrent_views(layer, sample: int, max_units: int):
    """(hidden (T, H'), gates {name: (T, H')}, step gradient norms (T,) or None) of a
    recurrent layer after a forward and backward pass; (None, {}, None) otherwise."""
    if not hasattr(layer, "internals"):
        return None, {}, None
    inner = layer.internals(sample)
    if not inner:
        return None, {}, None
    cut = {name: np.ascontiguousarray(a[:, :max_units], dtype=np.float32)
           for name, a in inner.items()}
    hidden = cut.pop("hidden")
    norms = layer.step_grad_norms()
    return hidden, cut, None if norms is None else norms.astype(np.float64)


MAX_HEADS = 8
MAX_STEPS = 96  # a (T, T) map per head: 8 x 96 x 96 float32 is 300 kB a snapshot


def attention_map(layer, sample: int, max_heads: int = MAX_HEADS,
                  max_steps: int = MAX_STEPS) -> np.ndarray | None:
    """(heads', T', T') attention weights of one sample after a forward pass (the first
    heads and steps); None for other layers or before a forward pass."""
    if not hasattr(layer, "attention_weights"):
        return None
    weights = layer.attention_weights(sample)
    if weights is None:
        return None
    return np.ascontiguousarray(weights[:max_heads, :max_steps, :max_steps], np.float32)


def image_grid(maps: np.ndarray, columns: int | None = None, pad: int = 1,
               normalize: str = "each") -> np.ndarray:
    """Tile K maps (K, H, W) into one 2-D image for display, ``pad`` pixels of NaN
    between tiles (draw NaN as the background). ``normalize``: 'each' scales every
    map to [0, 1] on its own (shows each map's pattern), 'all' uses one range for all
    (shows which maps are strong), 'none' keeps the values. Columns default to about
    a square."""
    maps = np.asarray(maps, dtype=np.float32)
    if maps.ndim != 3:
        raise ValueError(f"image_grid takes maps (K, H, W), not shape {maps.shape}")
    k, h, w = maps.shape
    maps = _normalized(maps, normalize)
    cols = columns or max(1, int(np.ceil(np.sqrt(k))))
    rows = max(1, -(-k // cols))
    grid = np.full((rows * (h + pad) - pad, cols * (w + pad) - pad), np.nan, np.float32)
    for i in range(k):
        r, c = divmod(i, cols)
        grid[r * (h + pad):r * (h + pad) + h, c * (w + pad):c * (w + pad) + w] = maps[i]
    return grid


def _normalized(maps: np.ndarray, how: str) -> np.ndarray:
    if how == "none" or not maps.size:
        return maps
    if how == "all":
        lo, hi = np.nanmin(maps), np.nanmax(maps)
        return (maps - lo) / (hi - lo) if hi > lo else np.zeros_like(maps)
    if how != "each":
        raise ValueError(f"normalize must be 'each', 'all' or 'none', not {how!r}")
    lo = np.nanmin(maps, axis=(1, 2), keepdims=True)
    span = np.nanmax(maps, axis=(1, 2), keepdims=True) - lo
    return np.where(span > 0, (maps - lo) / np.where(span > 0, span, 1), 0).astype(np.float32)
