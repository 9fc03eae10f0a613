"""Pure kernels for 2-D convolution: geometry, im2col, GEMM, col2im.

Style as ``activations.py``: ``forward(...) -> (out, cache)`` and ``backward(grad, cache)``.
Images are ``(N, C, H, W)``; weights ``(F, C, kh, kw)`` as in PyTorch and ONNX.

What made the difference on the benchmark network (benchmarks/bench_cnn.py), measured
one change at a time:

* **A "flat shift" im2col at stride 1.** In a padded image stored row after row, the
  pixel under kernel tap ``(i, j)`` for output ``(y, x)`` sits at
  ``(y + i*d) * Wp + (x + j*d)``: a constant shift of the output's flat position
  ``y * Wp + x``. So each im2col row is one contiguous run (a memcpy) instead of
  ``Ho`` short runs. The price is junk columns (``x >= Wo``) the GEMM computes and the
  kernel drops (7-14% more work on small images), so this layout is used when there
  are more taps (``C*kh*kw``) than filters; otherwise the columns are gathered
  without junk ("compact").
* **One GEMM per image** (``W @ cols``), so the result is already image-major; the
  bias rides in it as a row of ones under the columns, and its gradient comes out of
  the weight-gradient GEMM the same way.
* **col2im is one 1-D add per kernel tap.** The columns are ordered tap-major
  (``kh, kw, C``) and in backward each image gets a ``Hp*Wp`` plane of columns, so a
  tap's columns line up with the padded input gradient shifted by a constant. A
  shifted value that crosses into the next plane comes from a junk column, whose
  gradient is zero. (NumPy's 2-D strided adds ran 3-4x slower than 1-D ones.)
* **Work goes in chunks of images** that stay in a core's L2 cache; the columns are
  rebuilt in backward rather than stored (storing them measured 5% slower overall).
* **Scratch buffers are reused** (``Workspace``): fresh multi-megabyte arrays every
  step cost page faults (about 1 ms a step on the benchmark).

Other strides use a strided im2col view copied in one call and a sliced col2im.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import as_strided

Pads = tuple[int, int, int, int]  # top, bottom, left, right


class Workspace:
    """Reusable scratch arrays, keyed by role, shape and dtype.

    ``fill`` sets every value once, when the array is created (None: left
    uninitialised); a caller relying on it writes only the part it owns, so the rest
    (padding borders, junk columns) keeps that value across calls. A handful of
    shapes are kept (training batches, a smaller last batch, evaluation batches); past
    ``limit`` the pool starts afresh.
    """

    def __init__(self, limit: int = 48):
        self.limit = limit
        self._arrays: dict[tuple, np.ndarray] = {}

    def get(self, role: str, shape: tuple[int, ...], dtype,
            fill: float | None = None) -> np.ndarray:
        key = (role, shape, dtype)
        arr = self._arrays.get(key)
        if arr is None:
            if len(self._arrays) >= self.limit:
                self._arrays.clear()
            arr = np.empty(shape, dtype) if fill is None else np.full(shape, fill, dtype)
            self._arrays[key] = arr
        return arr

    def clear(self) -> None:
        self._arrays.clear()


# ---- geometry -----------------------------------------------------------------------
def same_pads(size: int, k: int, stride: int, dilation: int = 1) -> tuple[int, int]:
    """Padding (before, after) so that the output has ``ceil(size / stride)`` values.

    As TensorFlow and ONNX ``SAME_UPPER``: an odd total puts the extra value after.
    """
    span = (k - 1) * dilation + 1
    out = -(-size // stride)
    total = max((out - 1) * stride + span - size, 0)
    return total // 2, total - total // 2


def resolve_pads(h: int, w: int, kh: int, kw: int, stride: int, dilation: int,
                 padding) -> Pads:
    """Padding ``"valid"``, ``"same"`` or a whole number, as (top, bottom, left, right)."""
    if padding == "valid":
        return 0, 0, 0, 0
    if padding == "same":
        return same_pads(h, kh, stride, dilation) + same_pads(w, kw, stride, dilation)
    p = int(padding)
    return p, p, p, p


def output_size(size: int, k: int, stride: int, dilation: int, before: int, after: int) -> int:
    """Number of window positions along one axis; 0 when the window does not fit."""
    room = size + before + after - ((k - 1) * dilation + 1)
    return room // stride + 1 if room >= 0 else 0


def pad_into(x: np.ndarray, pads: Pads, ws: Workspace, fill: float = 0.0, slack: int = 0):
    """``x`` copied into a reused padded buffer: returns the ``(N, C, Hp, Wp)`` view and
    the flat buffer, which has ``slack`` more values so a flat-shift view may run past
    the last image. Only the interior is written: the border keeps ``fill``.
    """
    n, c, h, w = x.shape
    top, bottom, left, right = pads
    hp, wp = h + top + bottom, w + left + right
    size = n * c * hp * wp
    flat = ws.get(f"pad{fill}", (size + slack,), x.dtype, fill=fill)
    xp = flat[:size].reshape(n, c, hp, wp)
    xp[:, :, top:top + h, left:left + w] = x
    return xp, flat


# ---- convolution --------------------------------------------------------------------
# Images per chunk: the chunk's columns stay in a core's L2 cache, and the weight
# gradient's GEMM keeps an inner dimension OpenBLAS handles fast (a 10 x 16 result over
# 12544 columns ran 3x slower than over 4704).
CHUNK_BYTES = 1 << 19
CHUNK_COLUMNS = 4800


@dataclass(frozen=True)
class ConvGeom:
    """Sizes of one convolution call.

    ``flat``: the stride-1 flat-shift layout, where an output row is ``row = Wp``
    columns wide (junk after ``wo``); otherwise ``row = wo``. Dropping junk costs a
    pass over ``N*F*Ho`` short rows, gathering without it costs one over
    ``C*kh*kw*N*Ho`` rows: flat wins when there are more taps than filters.
    """

    n: int
    c: int
    h: int
    w: int
    f: int
    kh: int
    kw: int
    stride: int
    dilation: int
    pads: Pads
    hp: int
    wp: int
    ho: int
    wo: int
    flat: bool
    chunk: int

    @property
    def row(self) -> int:
        return self.wp if self.flat else self.wo

    @property
    def length(self) -> int:
        """im2col columns per image."""
        return self.ho * self.row

    @property
    def taps(self) -> int:
        return self.c * self.kh * self.kw

    @property
    def reach(self) -> int:
        """The largest flat tap shift, ``(kh-1)*d*Wp + (kw-1)*d``."""
        return (self.kh - 1) * self.dilation * self.wp + (self.kw - 1) * self.dilation


def conv_geometry(x_shape, w_shape, stride: int, dilation: int, pads: Pads,
                  itemsize: int) -> ConvGeom:
    n, c, h, w = x_shape
    f, _, kh, kw = w_shape
    top, bottom, left, right = pads
    hp, wp = h + top + bottom, w + left + right
    ho = output_size(h, kh, stride, dilation, top, bottom)
    wo = output_size(w, kw, stride, dilation, left, right)
    flat = stride == 1 and c * kh * kw > f
    per_image = c * kh * kw * hp * wp * itemsize
    chunk = min(n, CHUNK_BYTES // max(per_image, 1), CHUNK_COLUMNS // max(ho * wp, 1))
    chunk = max(1, int(chunk))
    return ConvGeom(n, c, h, w, f, kh, kw, stride, dilation, pads, hp, wp, ho, wo, flat, chunk)


def conv2d_forward(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, stride: int,
                   dilation: int, pads: Pads, ws: Workspace, relu: bool = False):
    """Cross-correlation of ``x`` with ``w`` (as PyTorch's conv2d), plus bias, and
    with ``relu`` a ReLU after it (applied while the chunk is in cache).

    Shape:
        x ``(N, C, H, W)``, w ``(F, C, kh, kw)``, b ``(F,)`` or None ->
        out ``(N, F, Ho, Wo)``, a new array.
    """
    g = conv_geometry(x.shape, w.shape, stride, dilation, pads, x.itemsize)
    if g.ho < 1 or g.wo < 1:
        raise ValueError(f"kernel does not fit the padded {g.hp}x{g.wp} input")
    taps = _tap_view(x, g, ws)
    w2 = _weight_matrix(w, b, g)
    columns = _Columns(g, ws, x.dtype, w2.shape[1], taps)
    out = np.empty((g.n, g.f, g.ho, g.wo), x.dtype)
    # Flat: the GEMM writes rows with junk into a buffer, compacted below.
    z = ws.get("z", (g.chunk, g.f, g.ho, g.row), x.dtype) if g.flat else None
    # ReLU against an array of zeros: NumPy's maximum with a scalar 0 runs no SIMD loop
    # (4x slower); on the flat layout it goes over the contiguous rows, junk included,
    # before the compacting copy (faster than over the compacted rows).
    zeros = ws.get("relu_zeros", (g.chunk, g.f, g.ho, g.row), x.dtype, fill=0.0) if relu else None
    for a in range(0, g.n, g.chunk):
        nb = min(g.chunk, g.n - a)
        cols = columns.fill(a, nb)
        per_image = cols.reshape(-1, nb, g.length).transpose(1, 0, 2)
        target = z[:nb] if g.flat else out[a:a + nb]
        np.matmul(w2, per_image, out=target.reshape(nb, g.f, g.length))
        if relu:
            np.maximum(target, zeros[:nb], out=target)
        if g.flat:
            out[a:a + nb] = z[:nb, :, :, :g.wo]
    cache = {"geom": g, "taps": taps, "w2": w2[:, :g.taps], "ws": ws, "relu_out": None}
    if relu:  # backward masks the gradient in these, a chunk at a time
        shape = (g.chunk,) + out.shape[1:]
        cache.update(relu_out=out, relu_buffers=(ws.get("relumask", shape, bool),
                                                 ws.get("relugrad", shape, x.dtype)))
    return out, cache


def _weight_matrix(w, b, g: ConvGeom) -> np.ndarray:
    """``(F, kh*kw*C [+ 1])``: tap-major like the columns, the bias as the last column."""
    w2 = np.empty((g.f, g.taps + (b is not None)), w.dtype)
    w2[:, :g.taps] = w.transpose(0, 2, 3, 1).reshape(g.f, -1)
    if b is not None:
        w2[:, g.taps] = b
    return w2


class _Columns:
    """The im2col matrix of one chunk of images, ``(kh*kw*C + 1, nb*L)``, in a reused
    buffer whose last row holds ones (set once, never overwritten): it multiplies the
    bias in forward and sums the gradient into db in backward. The views for each
    chunk size are made once per call: on small images they cost more than the copy."""

    def __init__(self, g: ConvGeom, ws: Workspace, dtype, height: int, taps: np.ndarray):
        self.g, self.taps = g, taps
        self.buffer = ws.get("cols", (g.taps + 1, g.chunk * g.length), dtype, fill=1.0)
        self.height = height
        self.views: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def fill(self, a: int, nb: int) -> np.ndarray:
        """Copy images a:a+nb in; return their columns ``(height, nb*L)``."""
        if nb not in self.views:
            cols = self.buffer[:self.height, :nb * self.g.length]
            shape = self.taps.shape[:3] + (nb,) + self.taps.shape[4:]
            target = cols[:self.g.taps].reshape(shape)
            # Splitting axes of a slice is always a view; were it a copy, writes would
            # be lost.
            assert np.may_share_memory(target, cols)
            self.views[nb] = cols, target
        cols, target = self.views[nb]
        np.copyto(target, self.taps[:, :, :, a:a + nb])
        return cols


def _tap_view(x, g: ConvGeom, ws: Workspace) -> np.ndarray:
    """Every kernel tap of every image of padded ``x``, as a read-only strided view.

    Flat layout ``(kh, kw, C, N, Ho*Wp)``: the values under tap (i, j) are one run
    starting ``i*d*Wp + j*d`` after a plane's start. The last run ends ``(kw-1)*d``
    values past the last image, inside the slack ``pad_into`` adds (``reach``, more).
    Otherwise ``(kh, kw, C, N, Ho, Wo)``.
    """
    d, s = g.dilation, g.stride
    xp, flat = pad_into(x, g.pads, ws, slack=g.reach if g.flat else 0)
    if g.flat:
        it, plane = flat.itemsize, g.hp * g.wp
        return as_strided(flat, shape=(g.kh, g.kw, g.c, g.n, g.length),
                          strides=(d * g.wp * it, d * it, plane * it, g.c * plane * it, it),
                          writeable=False)
    sn, sc, sh, sw = xp.strides
    return as_strided(xp, shape=(g.kh, g.kw, g.c, g.n, g.ho, g.wo),
                      strides=(d * sh, d * sw, sc, sn, s * sh, s * sw), writeable=False)


def conv2d_backward(gz: np.ndarray, cache: dict, dw: np.ndarray, db: np.ndarray | None,
                    need_dx: bool = True) -> np.ndarray | None:
    """Gradients of ``conv2d_forward``: writes ``dw`` and ``db`` in place, returns dx.

    After a fused ReLU, ``gz`` is the gradient with respect to the ReLU's output; the
    kernel masks it chunk by chunk, in cache.

    Shape:
        gz ``(N, F, Ho, Wo)``; dw ``(F, C, kh, kw)``; db ``(F,)`` or None;
        returns dx ``(N, C, H, W)`` or None; dx is a scratch buffer, valid until the
        next backward (the network consumes it at once).
    """
    g, ws = cache["geom"], cache["ws"]
    height = g.taps + (db is not None)
    total = ws.get("dwt", (height, g.f), gz.dtype)  # tap-major and transposed, then db
    part = ws.get("dwpart", (height, g.f), gz.dtype)
    columns = _Columns(g, ws, gz.dtype, height, cache["taps"])
    # Channel-major like the columns. Junk columns (flat) are never written: they stay
    # zero, so they add nothing to dw or dx.
    rows = ws.get("grows", (g.f, g.chunk, g.ho, g.row), gz.dtype, fill=0.0)
    dx = ws.get("dx", (g.n, g.c, g.h, g.w), gz.dtype) if need_dx else None
    col2im = _FlatCol2im(g, ws, gz.dtype) if need_dx and g.stride == 1 else None
    for a in range(0, g.n, g.chunk):
        nb = min(g.chunk, g.n - a)
        gc = _masked_grad(gz, cache, a, nb)
        rows[:, :nb, :, :g.wo] = gc.transpose(1, 0, 2, 3)
        r2 = rows[:, :nb].reshape(g.f, nb * g.length)
        np.matmul(columns.fill(a, nb), r2.T, out=total if a == 0 else part)
        if a:
            total += part
        if col2im is not None:
            dx[a:a + nb] = col2im(gc, rows[:, :nb], cache["w2"])
        elif need_dx:
            dx[a:a + nb] = _col2im_strided(np.matmul(cache["w2"].T, r2), g, nb)
    dw[...] = total[:g.taps].reshape(g.kh, g.kw, g.c, g.f).transpose(3, 2, 0, 1)
    if db is not None:
        db[...] = total[g.taps]
    return dx


def _masked_grad(gz, cache, a, nb):
    """Images a:a+nb of gz, times the ReLU's derivative when one was fused."""
    relu_out = cache["relu_out"]
    if relu_out is None:
        return gz[a:a + nb]
    mask, masked = cache["relu_buffers"]
    np.greater(relu_out[a:a + nb], 0, out=mask[:nb])
    return np.multiply(gz[a:a + nb], mask[:nb], out=masked[:nb])


class _FlatCol2im:
    """Stride 1: the input gradient of a chunk of images from its output gradient.

    ``dcols = W.T @ grad`` with one ``Hp*Wp`` plane of columns per image, then col2im
    as one 1-D add per tap (see the module docstring), then a crop of the padding.
    The views each chunk needs are made once per chunk size: they cost more Python
    time than the arithmetic on small images.
    """

    def __init__(self, g: ConvGeom, ws: Workspace, dtype):
        self.g, self.ws, self.dtype, self.plane = g, ws, dtype, g.hp * g.wp
        self.dxp = ws.get("dxp", (g.c * g.chunk * self.plane + g.reach,), dtype)
        self.planes = (None if g.flat else
                       ws.get("gplanes", (g.f, g.chunk, g.hp, g.wp), dtype, fill=0.0))
        self.views: dict[int, tuple] = {}

    def _views(self, nb: int) -> tuple:
        g, plane = self.g, self.plane
        # A buffer per chunk size, so that each tap's rows are one contiguous run and the
        # zero columns (below) stay where this size puts them.
        dcols = self.ws.get("dcols", (g.taps, nb * plane), self.dtype, fill=0.0)
        width = g.length if g.flat else plane
        # Columns past each image's source stay zero from creation: one GEMM per image
        # leaves them out, which is less work than multiplying zeros.
        gemm_out = dcols.reshape(g.taps, nb, plane)[:, :, :width].transpose(1, 0, 2)
        span = g.c * nb * plane
        adds = []
        for i in range(g.kh):
            for j in range(g.kw):
                off = (i * g.wp + j) * g.dilation
                tap = dcols[(i * g.kw + j) * g.c:(i * g.kw + j + 1) * g.c].reshape(-1)
                assert np.may_share_memory(tap, dcols)  # a view, not a stale copy
                adds.append((self.dxp[off:off + span], tap))
        top, left = g.pads[0], g.pads[2]
        crop = self.dxp[:span].reshape(g.c, nb, g.hp, g.wp)[:, :, top:top + g.h,
                                                            left:left + g.w]
        return gemm_out, adds, crop.transpose(1, 0, 2, 3)

    def __call__(self, gc, rows, w2) -> np.ndarray:
        """gc ``(nb, F, Ho, Wo)``, rows ``(F, nb, Ho, row)`` -> dx ``(nb, C, H, W)``
        (a view of a scratch buffer)."""
        g, nb = self.g, gc.shape[0]
        if nb not in self.views:
            self.views[nb] = self._views(nb)
        gemm_out, adds, crop = self.views[nb]
        if g.flat:  # the rows already have the planes' row width: use them as they are
            source = rows.reshape(g.f, nb, g.length)
        else:  # the gradient goes top left in a zero plane
            self.planes[:, :nb, :g.ho, :g.wo] = gc.transpose(1, 0, 2, 3)
            source = self.planes[:, :nb].reshape(g.f, nb, self.plane)
        np.matmul(w2.T, source.transpose(1, 0, 2), out=gemm_out)
        self.dxp.fill(0)
        for dst, src in adds:
            dst += src
        return crop


def _col2im_strided(dcols, g: ConvGeom, nb: int) -> np.ndarray:
    """Any stride: add each tap's columns onto its window positions; crop the padding."""
    d, s = g.dilation, g.stride
    image = np.zeros((g.c, nb, g.hp, g.wp), dcols.dtype)
    taps = dcols.reshape(g.kh, g.kw, g.c, nb, g.ho, g.wo)
    hi, wi = s * (g.ho - 1) + 1, s * (g.wo - 1) + 1
    for i in range(g.kh):
        for j in range(g.kw):
            image[:, :, i * d:i * d + hi:s, j * d:j * d + wi:s] += taps[i, j]
    top, left = g.pads[0], g.pads[2]
    return image[:, :, top:top + g.h, left:left + g.w].transpose(1, 0, 2, 3)
