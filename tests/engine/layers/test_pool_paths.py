"""The 2x2 max pool's whole-buffer path against the general tap loop, in the dtype
training uses (float32), with ties: same outputs, same routing of the gradient."""
import numpy as np
import pytest

from engine.kernels import pool
from engine.kernels.conv import Workspace


def tap_loop(x, grad):
    """The general path (overlapping-window code), forced with a 2x2 window."""
    ws = Workspace()
    ho, wo = x.shape[2] // 2, x.shape[3] // 2
    views = [view for _, _, view in pool._taps(x, 2, 2, ho, wo)]
    out = views[0].copy()
    for view in views[1:]:
        np.maximum(out, view, out=out)
    hits = pool.first_hits(views, out, ws, "hit")
    dx = np.zeros_like(x)
    pool.route(grad, hits, [view for _, _, view in pool._taps(dx, 2, 2, ho, wo)], add=True)
    return out, dx


@pytest.mark.parametrize("shape", [(5, 3, 6, 8), (64, 16, 28, 28), (1, 1, 2, 2), (3, 2, 2, 14)])
@pytest.mark.parametrize("training", [True, False])
def test_pair_path_matches_the_tap_loop(shape, training):
    rng = np.random.default_rng(7)
    x = rng.integers(-2, 3, shape).astype(np.float32)  # small integers: ties everywhere
    x[..., 0, 0] = -0.0  # signed zeros tie with zeros
    grad = rng.normal(size=(shape[0], shape[1], shape[2] // 2, shape[3] // 2)).astype(np.float32)
    out, cache = pool.max_pool_forward(x, 2, 2, (0, 0, 0, 0), Workspace(), training=training)
    assert cache[0] == "pairs"  # the path under test
    dx = pool.max_pool_backward(grad, cache)
    want_out, want_dx = tap_loop(x, grad)
    np.testing.assert_array_equal(out, want_out)
    np.testing.assert_array_equal(dx, want_dx)
    assert out.dtype == dx.dtype == np.float32
