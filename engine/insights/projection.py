"""What the network sees: a 2-D PCA projection of one layer's outputs on the probe batch.

Each probe sample's output (flattened) is one point; the two principal axes of the
centred points (NumPy SVD, or the eigenvectors of the samples' Gram matrix when there are more
features than samples; float64) give the plane that keeps the most variance.
An SVD's axes have no sign of their own, so a projection drawn frame after frame would
jump to its mirror image whenever the solver's choice changed: each axis is turned to
agree with the previous frame's (``reference``: positive correlation over the same
samples), and the first frame's so that the point farthest along the axis is on the
positive side. The snapshot carries these (N, 2) points (``LayerView.projection``).
"""
from __future__ import annotations

import numpy as np

MAX_FEATURES = 4096  # a wider output is subsampled (evenly) before the SVD


def pca_2d(a: np.ndarray, reference: np.ndarray | None = None) -> np.ndarray | None:
    """The (N, 2) projection of ``a``'s samples on its two principal axes (fewer than
    two samples, or non-finite values: None). With ``reference`` (the previous frame's
    projection of the same samples), each axis keeps that frame's orientation."""
    x = np.asarray(a, dtype=np.float64).reshape(len(a), -1)
    if len(x) < 2 or not np.isfinite(x).all():
        return None
    if x.shape[1] > MAX_FEATURES:
        x = x[:, np.linspace(0, x.shape[1] - 1, MAX_FEATURES).astype(np.int64)]
    x = x - x.mean(axis=0)
    points = np.zeros((len(x), 2))
    if x.shape[1] > len(x):
        # Wide outputs (a sequence layer's T x D): the N x N Gram matrix's eigenvectors
        # are the SVD's left vectors and its eigenvalues the squared singular values, at
        # a fraction of the cost (64 samples x 4096 features: ~1 ms, the SVD ~30 ms).
        values, vectors = np.linalg.eigh(x @ x.T)
        top = np.argsort(values)[::-1][:2]
        points[:, :len(top)] = vectors[:, top] * np.sqrt(np.maximum(values[top], 0.0))
        return orient(points, reference)
    u, s, _ = np.linalg.svd(x, full_matrices=False)
    k = min(2, len(s))
    points[:, :k] = u[:, :k] * s[:k]
    return orient(points, reference)


def orient(points: np.ndarray, reference: np.ndarray | None = None) -> np.ndarray:
    """Flip each axis of ``points`` to agree with ``reference`` (or, without one, so its
    largest-magnitude coordinate is positive)."""
    for j in range(points.shape[1]):
        col = points[:, j]
        if reference is not None and reference.shape == points.shape:
            sign = np.sign(np.dot(col, reference[:, j]))
        else:
            sign = np.sign(col[np.argmax(np.abs(col))]) if col.size else 1.0
        if sign < 0:
            points[:, j] = -col
    return points.astype(np.float32)
