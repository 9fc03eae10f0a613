"""What the layer test modules share: a float64 layer ready to run, one forward and
backward, the shape problem a chain reports, and the checks against PyTorch (which
receive ``torch`` from the test, so this module needs no PyTorch)."""
import numpy as np

from engine.graph import infer_shapes
from engine.layers import create_layer

from ..helpers import chain_spec


def make(type_name, config, shape, seed=0, dtype=np.float64):
    """A layer named "t", its weights allocated for one input of ``shape``."""
    layer = create_layer(type_name, config, "t")
    layer.allocate([shape], dtype=dtype, seed=seed)
    return layer


def random_layer(type_name, config, shape, seed=0):
    """A float64 layer with every weight random (biases too, so they are all tested)."""
    layer = create_layer(type_name, config, "under_test")
    layer.allocate([shape], dtype=np.float64, seed=seed)
    rng = np.random.default_rng(seed + 50)
    for arr in layer.params.values():
        arr[...] = rng.normal(0, 0.5, arr.shape)
    return layer


def run_layer(layer, x, grad):
    """Forward while training, then backward of ``grad``: (y, dx, weight gradients), dx
    and the gradients copied out of the layer's scratch buffers."""
    y = layer.forward([x], training=True)
    dx = layer.backward(grad.copy())[0]
    return y, np.array(dx), {k: v.copy() for k, v in layer.grads.items()}


def shape_problem(input_shape, layers, kind):
    """The first shape problem of an Input of ``kind`` followed by ``layers``."""
    report = infer_shapes(chain_spec(input_shape, layers, kind))
    assert report.problems, "expected a shape problem"
    return str(report.problems[0])


def assert_outputs_kept(layer, x1, x2):
    """Layers reuse scratch buffers, but what they return must stay as it was: after a
    second call, and after a smaller batch in between."""
    y1 = layer.forward([x1], training=True)
    kept = y1.copy()
    y2 = layer.forward([x2], training=True)
    np.testing.assert_array_equal(y1, kept)
    assert not np.array_equal(y1, y2)
    layer.forward([x1[:2]], training=False)
    np.testing.assert_array_equal(layer.forward([x1], training=False), kept)


def run_random(layer, shape, batch=5, seed=4):
    """A random batch of ``shape`` and upstream gradient through the layer:
    (x, grad, y, dx, weight gradients)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(batch,) + shape)
    grad = rng.normal(size=(batch,) + layer.output_shape([shape]))
    return (x, grad) + run_layer(layer, x, grad)


def torch_leaves(torch, layer, x):
    """The input and the layer's ``W`` and ``b`` (None without a bias) as PyTorch
    tensors that collect gradients."""
    xt = torch.tensor(x, requires_grad=True)
    wt = torch.tensor(layer.params["W"], requires_grad=True)
    bt = torch.tensor(layer.params["b"], requires_grad=True) if "b" in layer.params else None
    return xt, wt, bt


def assert_agrees_with_torch(torch, yt, grad, ours, leaves, tol):
    """Backward of ``grad`` through PyTorch's output ``yt``; then ``ours`` (y, dx,
    weight gradients) must match it and the gradients of ``leaves`` (xt, wt, bt)."""
    y, dx, grads = ours
    xt, wt, bt = leaves
    yt.backward(torch.tensor(grad))
    np.testing.assert_allclose(y, yt.detach().numpy(), **tol)
    np.testing.assert_allclose(dx, xt.grad.numpy(), **tol)
    np.testing.assert_allclose(grads["W"], wt.grad.numpy(), **tol)
    if bt is not None:
        np.testing.assert_allclose(grads["b"], bt.grad.numpy(), **tol)
