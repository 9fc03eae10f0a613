"""Training runs in float32: no layer may silently promote activations or gradients to
float64 (NumPy 2 promotes float32 arrays combined with NumPy float64 scalars)."""
import numpy as np
import pytest

from engine.layers import create_layer

from ..gradcheck import make_inputs
from .layer_cases import CASES


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[0]}-{c[1]}-{c[2]}")
def test_float32_in_float32_out(case):
    type_name, config, shapes, extra = case
    layer = create_layer(type_name, config, "t")
    layer.allocate([tuple(s) for s in shapes], dtype=np.float32)
    rng = np.random.default_rng(0)
    xs = make_inputs(shapes, 4, rng, extra.get("int_high"))
    xs = [x if x.dtype.kind in "iu" else x.astype(np.float32) for x in xs]
    out = layer.forward(xs, training=True)
    assert out.dtype == np.float32
    grads = layer.backward(np.ones_like(out))
    for g in grads:
        assert g is None or g.dtype == np.float32
    for name, g in layer.grads.items():
        assert g.dtype == np.float32, name
