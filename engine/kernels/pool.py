"""Pure kernels for 2-D max and average pooling: ``forward -> (out, cache)``,
``backward(grad, cache) -> dx``.

Each window tap ``(i, j)`` is a strided view of the (padded) input, so a pool is
``k*k`` whole-array operations whatever the image size. Max pools whose windows tile a
contiguous image exactly (the common 2x2 stride 2) go separably instead: a max over
each row's k neighbours as 1-D strided views, then over k rows. NumPy pays per row of
a multi-dimensional strided operation, and these rows are short (14 values), so the
forward pass ran 2x faster; ``reshape(..., 2, Wo, 2).max(axis=(3, 5))`` ran 20x
slower than the tap loop. The 2x2 case goes further (``_pair_max_forward``): NumPy's
contiguous loops run several times faster than its strided ones, so two passes over
the whole flat buffer (each value against its right neighbour, then against the value
a row below) and one gather of the windows' top-left values beat the separable
passes, though three quarters of what they compute is thrown away.

A max pool decides where each window's gradient goes (its first maximum) in forward,
while training, as boolean masks: the input is still in cache there, and backward no
longer reads it (0.45 ms a step less on the benchmark).

Outputs are new arrays; input gradients live in the layer's ``Workspace`` and stay
valid until its next backward (the network consumes them at once): a fresh 3 MB
gradient every step measured ~1 ms of page faults.

Shape: x ``(N, C, H, W)`` -> out ``(N, C, Ho, Wo)``.
"""
from __future__ import annotations

import sys

import numpy as np

from .conv import Pads, Workspace, output_size, pad_into


def _tap(xp: np.ndarray, i: int, j: int, s: int, ho: int, wo: int) -> np.ndarray:
    """The value under tap (i, j) of every window: a strided view ``(N, C, Ho, Wo)``."""
    return xp[:, :, i:i + s * (ho - 1) + 1:s, j:j + s * (wo - 1) + 1:s]


def _taps(xp: np.ndarray, k: int, s: int, ho: int, wo: int):
    """Yield ``(i, j, view)`` for every tap of a k x k window, in row-major order."""
    for i in range(k):
        for j in range(k):
            yield i, j, _tap(xp, i, j, s, ho, wo)


def _geometry(x_shape, k, s, pads):
    n, c, h, w = x_shape
    ho = output_size(h, k, s, 1, pads[0], pads[1])
    wo = output_size(w, k, s, 1, pads[2], pads[3])
    return ho, wo


def _grad_buffer(x_shape, k, s, pads, ho, wo, dtype, ws):
    """The padded input gradient, a reused buffer; zeroed unless the taps will assign
    every value exactly once (windows that tile the input, no overlap, no leftovers).
    Returns it and whether windows are disjoint (so taps may assign, not add)."""
    n, c, h, w = x_shape
    hp, wp = h + pads[0] + pads[1], w + pads[2] + pads[3]
    dxp = ws.get("dx", (n, c, hp, wp), dtype)
    if not (s == k and ho * k == hp and wo * k == wp):
        dxp.fill(0)
    return dxp, s >= k


def _crop(dxp, x_shape, pads):
    h, w = x_shape[2:]
    if dxp.shape[2:] == (h, w):
        return dxp
    return dxp[:, :, pads[0]:pads[0] + h, pads[2]:pads[2] + w].copy()  # rare: padded pools


# ---- max pooling --------------------------------------------------------------------
def max_pool_forward(x: np.ndarray, k: int, s: int, pads: Pads, ws: Workspace,
                     training: bool = True):
    """Largest value of each k x k window (padding counts as -inf, as in PyTorch).

    While training, the routing of the gradient is decided here, where the input is
    still in cache, rather than in backward.

    Shape: x ``(N, C, H, W)`` -> out ``(N, C, Ho, Wo)``, a new array.
    """
    n, c, h, w = x.shape
    tiles = s == k and h % k == 0 and w % k == 0 and not any(pads) and x.flags.c_contiguous
    if tiles and k == 2 and x.size:
        return _pair_max_forward(x, ws, training)
    if tiles:
        return _separable_max_forward(x, k, ws, training)
    ho, wo = _geometry(x.shape, k, s, pads)
    xp = pad_into(x, pads, ws, fill=-np.inf)[0] if any(pads) else x
    out, hits = max_of_taps([view for _, _, view in _taps(xp, k, s, ho, wo)], ws, training)
    return out, (xp, out, x.shape, k, s, pads, ws, hits)


def max_pool_backward(grad: np.ndarray, cache) -> np.ndarray:
    """Each window's gradient goes to ONE input: its first maximum in row-major window
    order (as PyTorch's argmax), never shared among ties.

    Shape: grad ``(N, C, Ho, Wo)`` -> dx ``(N, C, H, W)``.
    """
    if isinstance(cache[0], str):
        if cache[0] == "pairs":
            return _pair_max_backward(grad, cache)
        return _separable_max_backward(grad, cache)
    xp, out, x_shape, k, s, pads, ws, hits = cache
    ho, wo = out.shape[2:]
    if hits is None:  # a backward after an inference forward
        hits = first_hits([view for _, _, view in _taps(xp, k, s, ho, wo)], out, ws, "hit")
    dxp, disjoint = _grad_buffer(x_shape, k, s, pads, ho, wo, grad.dtype, ws)
    route(grad, hits, [view for _, _, view in _taps(dxp, k, s, ho, wo)], add=not disjoint)
    return _crop(dxp, x_shape, pads)


# Bytes of input per chunk of the 2x2 path: its full-size scratch (two value buffers,
# one of booleans) stays this size whatever the batch. Measured on 64x16x28x28: chunks
# of 0.5-1 MB ran as fast as one pass over the batch, 128 KB ones 35% slower.
PAIR_CHUNK_BYTES = 1 << 20


def _pair_max_forward(x, ws, training):
    """2x2 windows, stride 2, tiling a contiguous image: whole-buffer operations.

    ``v[i] = max(x[i], x[i+1])`` and then ``u[i] = max(v[i], v[i+W])`` over the flat
    images are each one contiguous pass (computed at every position, three quarters of
    them thrown away), and one strided copy gathers the windows' top-left values.
    Faster than the separable passes over strided views (0.79 -> 0.6 ms with the
    masks on 64x16x28x28, float32) because NumPy's contiguous loops run several times
    faster than its strided ones. The routing masks come from the same comparisons:
    ``x[i] >= x[i+1]`` (the left value holds a window row's first maximum) and
    ``v[i] >= v[i+W]`` (the top row holds the window's).
    """
    n, c, h, w = x.shape
    out = np.empty((n, c, h // 2, w // 2), x.dtype)
    masks = _pair_passes(x, ws, out, training)
    return out, ("pairs", x, ws, masks)


def _pair_passes(x, ws, out, masks: bool):
    """Fill ``out`` (None: leave it) and, with ``masks``, return (left, top): where the
    gradient goes, as compact 0/1 arrays of x's dtype (a multiplication by a boolean
    array casts it on the fly, several times slower). ``top`` (N*C*Ho, Wo) is 1 where
    a window's first maximum is in its top row, ``left`` (N*C*H*Wo,) 1 where a window
    row's first maximum is its left value. Chunks of whole images: the shifted passes
    never pair values of two images at a kept position."""
    n, c, h, w = x.shape
    size = c * h * w
    chunk = max(1, min(n, PAIR_CHUNK_BYTES // (size * x.itemsize)))
    v = ws.get("pairv", (chunk * size,), x.dtype)  # the last values are never read
    u = ws.get("pairu", (chunk * size,), x.dtype) if out is not None else None
    made = None
    if masks:  # the two results, and scratch: a boolean per value, one per two
        made = (ws.get("pairleft", (n * size // 2,), x.dtype),
                ws.get("pairtop", (n * c * (h // 2), w // 2), x.dtype),
                ws.get("pairmask", (chunk * size,), bool),
                ws.get("pairpicked", (chunk * size // 2,), bool))
    for a in range(0, n, chunk):
        b = min(n, a + chunk)
        flat = x[a:b].reshape(-1)
        m = flat.size
        np.maximum(flat[:-1], flat[1:], out=v[:m - 1])
        if u is not None:
            np.maximum(v[:m - w], v[w:m], out=u[:m - w])
            np.copyto(out[a:b], u[:m].reshape(b - a, c, h // 2, 2, w // 2, 2)[:, :, :, 0, :, 0])
        if made is not None:
            left, top, full, picked = made
            _pair_masks(flat, v[:m], w, full[:m], picked[:m // 2],
                        top[a * c * (h // 2):b * c * (h // 2)], left[a * size // 2:b * size // 2])
    return made[:2] if made is not None else None


def _pair_masks(flat, v, w, full, picked, top, left) -> None:
    """The masks of one chunk (see ``_pair_passes``). Gathered as booleans, then cast:
    a strided copy that also casts is buffered, 4x slower."""
    np.greater_equal(v[:-w], v[w:], out=full[:-w])
    top_b = picked[:flat.size // 4].reshape(top.shape)
    np.copyto(top_b, full.reshape(-1, 2, w // 2, 2)[:, 0, :, 0])
    np.copyto(top, top_b)
    np.greater_equal(flat[:-1], flat[1:], out=full[:-1])
    _even_bytes(full, picked)
    np.copyto(left, picked)


def _even_bytes(full: np.ndarray, out: np.ndarray) -> None:
    """``out[:] = full[0::2]`` for one-byte arrays of even length. On a little-endian
    machine the even bytes are the low bytes of 16-bit pairs, and a narrowing cast of
    the pairs is a contiguous loop: 15 us for 400k values, against 110 for the strided
    copy."""
    if sys.byteorder == "little":
        np.copyto(out.view(np.uint8), full.view(np.uint16), casting="unsafe")
    else:
        np.copyto(out, full[0::2])


def _pair_max_backward(grad, cache):
    """The window's gradient goes to its top or bottom row (``top``), then within that
    row to its left or right value (``left``): two multiplications and two
    subtractions (``g - g*m`` is ``g`` where ``m`` is 0, and 0 where it is 1)."""
    _, x, ws, masks = cache
    if masks is None:  # a backward after an inference forward
        masks = _pair_passes(x, ws, None, True)
    left, top = masks
    g = grad.reshape(top.shape)
    g_rows = ws.get("g_rows", (top.shape[0], 2, top.shape[1]), grad.dtype)
    np.multiply(g, top, out=g_rows[:, 0])  # each window row's share
    np.subtract(g, g_rows[:, 0], out=g_rows[:, 1])
    dx = ws.get("dx", x.shape, grad.dtype)
    dflat, g_flat = dx.reshape(-1), g_rows.reshape(-1)
    np.multiply(g_flat, left, out=dflat[0::2])
    np.subtract(g_flat, dflat[0::2], out=dflat[1::2])
    return dx


def _separable_max_forward(x, k, ws, training):
    """Tiling windows of a contiguous image: a max across k columns, then k rows."""
    n, c, h, w = x.shape
    flat = x.reshape(-1)
    across = ws.get("across", (flat.size // k,), x.dtype)  # (N*C*H*Wo,)
    cols = [flat[t::k] for t in range(k)]
    _first_max(cols, across)
    pairs = across.reshape(n * c * (h // k), k, w // k)
    out = np.empty((n, c, h // k, w // k), x.dtype)
    rows = [pairs[:, t] for t in range(k)]
    out2 = out.reshape(pairs.shape[0], w // k)
    _first_max(rows, out2)
    hits = None
    if training:
        hits = (first_hits(rows, out2, ws, "hitrow"), first_hits(cols, across, ws, "hitcol"))
    return out, ("separable", x, across, out, k, ws, hits)


def _first_max(views, out):
    if len(views) == 1:
        np.copyto(out, views[0])
        return
    np.maximum(views[0], views[1], out=out)
    for view in views[2:]:
        np.maximum(out, view, out=out)


def _separable_max_backward(grad, cache):
    """Rows first, then columns: the first maximum in row-major order is the first
    row holding the window's maximum, and in it the first column holding it."""
    _, x, across, out, k, ws, hits = cache
    n, c, h, w = x.shape
    pairs = across.reshape(n * c * (h // k), k, w // k)
    flat = x.reshape(-1)
    rows = (pairs.shape[0], w // k)
    if hits is None:  # a backward after an inference forward
        hits = (first_hits([pairs[:, t] for t in range(k)], out.reshape(rows), ws, "hitrow"),
                first_hits([flat[t::k] for t in range(k)], across, ws, "hitcol"))
    g_across = ws.get("g_across", across.shape, grad.dtype)
    g_pairs = g_across.reshape(pairs.shape)
    route(grad.reshape(rows), hits[0], [g_pairs[:, t] for t in range(k)])
    dx = ws.get("dx", x.shape, grad.dtype)
    dflat = dx.reshape(-1)
    route(g_across, hits[1], [dflat[t::k] for t in range(k)])
    return dx


def max_of_taps(views, ws, training: bool):
    """The largest of the tap views (a new array) and, while training, ``first_hits``
    (where each window's gradient goes); the 2-D and 1-D general max pools share it."""
    out = views[0].copy()
    for view in views[1:]:
        np.maximum(out, view, out=out)
    return out, first_hits(views, out, ws, "hit") if training else None


def spread(g, targets, disjoint: bool) -> None:
    """Add ``g`` into every tap view of the input gradient (assign it where the windows
    are ``disjoint``): an average pool's backward, 2-D and 1-D."""
    for target in targets:
        if disjoint:
            target[...] = g
        else:
            target += g


def first_hits(views, out, ws, role):
    """Boolean masks, one per view: where that view is the first to equal ``out``."""
    last = len(views) - 1
    free = ws.get(f"{role}{last}", out.shape, bool)  # no earlier view held the maximum
    if last == 0:
        free.fill(True)
    hits = []
    for t, view in enumerate(views[:last]):
        hit = np.equal(view, out, out=ws.get(f"{role}{t}", out.shape, bool))
        if t == 0:
            np.logical_not(hit, out=free)
        else:
            hit &= free
            free ^= hit
        hits.append(hit)
    return hits + [free]  # where no earlier view held it, the last one does


def route(grad, hits, targets, add=False):
    """``targets[t] = grad * hits[t]`` (``+=`` with ``add``, for overlapping windows)."""
    for hit, target in zip(hits, targets):
        if add:
            target += grad * hit
        else:
            np.multiply(grad, hit, out=target)


# ---- average pooling ----------------------------------------------------------------
def avg_pool_forward(x: np.ndarray, k: int, s: int, pads: Pads, ws: Workspace,
                     count_pad: bool = True):
    """Mean of each k x k window. Padding holds zeros; ``count_pad`` says whether they
    count in the divisor (PyTorch's ``count_include_pad``, ONNX's ``count_include_pad``).

    Shape: x ``(N, C, H, W)`` -> out ``(N, C, Ho, Wo)``, a new array.
    """
    ho, wo = _geometry(x.shape, k, s, pads)
    xp = pad_into(x, pads, ws)[0] if any(pads) else x
    out = None
    for _, _, view in _taps(xp, k, s, ho, wo):
        if out is None:
            out = view.copy()
        else:
            out += view
    scale = _avg_scale(x.shape, k, s, pads, ho, wo, count_pad, x.dtype)
    out *= scale
    return out, (x.shape, k, s, pads, (ho, wo), scale, ws)


def _avg_scale(x_shape, k, s, pads, ho, wo, count_pad, dtype):
    """1 / (values counted in each window): a number, or ``(Ho, Wo)`` when padding
    is left out of the count."""
    if count_pad or not any(pads):
        return dtype.type(1.0 / (k * k))
    h, w = x_shape[2:]
    real = np.zeros((1, 1, h + pads[0] + pads[1], w + pads[2] + pads[3]), dtype)
    real[:, :, pads[0]:pads[0] + h, pads[2]:pads[2] + w] = 1
    counts = sum(view for _, _, view in _taps(real, k, s, ho, wo))
    return (1.0 / counts[0, 0]).astype(dtype)


def avg_pool_backward(grad: np.ndarray, cache) -> np.ndarray:
    """Each window spreads its gradient evenly over the values it averaged.

    Shape: grad ``(N, C, Ho, Wo)`` -> dx ``(N, C, H, W)``.
    """
    x_shape, k, s, pads, (ho, wo), scale, ws = cache
    g = grad * scale
    dxp, disjoint = _grad_buffer(x_shape, k, s, pads, ho, wo, grad.dtype, ws)
    spread(g, [target for _, _, target in _taps(dxp, k, s, ho, wo)], disjoint)
    return _crop(dxp, x_shape, pads)
