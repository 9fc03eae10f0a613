"""Convolution, pooling and batch-norm layers: behaviour the gradient checks cannot see
(ties, running statistics, messages, counts, scratch-buffer reuse) and agreement with
PyTorch in float64."""
import numpy as np
import pytest

from engine.errors import ConfigError, ShapeError
from engine.layers import create_layer
from engine.network import Network

from ..helpers import chain_spec
from .layer_helpers import (assert_agrees_with_torch, assert_outputs_kept, make, run_layer,
                            run_random, torch_leaves)
from .layer_helpers import shape_problem as shape_problem_of

pytestmark = pytest.mark.torch  # compared with PyTorch where it is installed


# ---- max-pool ties ------------------------------------------------------------------
def window_owners(dx, windows):
    """For each window (a tuple of index arrays), the flat positions holding gradient."""
    return [tuple(np.flatnonzero(dx[0, 0][w])) for w in windows]


@pytest.mark.parametrize("shape", [(1, 1, 4, 4), (1, 1, 5, 5)])  # tiling and leftover paths
def test_max_pool_ties_send_the_gradient_to_the_first_maximum_only(shape):
    x = np.zeros(shape)
    x[0, 0, 0:2, 0:2] = [[1, 5], [5, 2]]  # tie: (0, 1) comes first in row-major order
    x[0, 0, 0:2, 2:4] = [[1, 2], [7, 7]]  # tie in the second row: (1, 0) first
    x[0, 0, 2:4, 2:4] = [[3, 3], [3, 3]]  # all equal: the top-left one
    # window (2:4, 0:2) is all zeros: the top-left one too
    pool = make("MaxPool2D", {"pool_size": 2}, shape[1:])
    out = pool.forward([x], training=True)
    np.testing.assert_array_equal(out[0, 0], [[5, 7], [0, 3]])
    grad = np.arange(1.0, 5.0).reshape(1, 1, 2, 2)
    dx = pool.backward(grad)[0]
    expected = np.zeros(shape)
    expected[0, 0, 0, 1], expected[0, 0, 1, 2] = 1, 2
    expected[0, 0, 2, 0], expected[0, 0, 2, 2] = 3, 4
    np.testing.assert_array_equal(dx, expected)


def test_max_pool_with_overlap_and_padding_gives_each_window_one_winner():
    pool = make("MaxPool2D", {"pool_size": 3, "stride": 2, "padding": 1}, (1, 5, 5))
    x = np.zeros((1, 1, 5, 5))  # every window is a tie among its real values
    out = pool.forward([x], training=True)
    assert out.shape == (1, 1, 3, 3) and np.all(out == 0)  # padding (-inf) never wins
    dx = pool.backward(np.ones_like(out))[0]
    # Each window's first real value: rows/columns 0, 1, 3 (the window at 2k-1 starts
    # in the padding for k = 0, so its first real position is 0).
    expected = np.zeros((5, 5))
    for r in (0, 1, 3):
        for c in (0, 1, 3):
            expected[r, c] = 1
    np.testing.assert_array_equal(dx[0, 0], expected)
    assert dx.sum() == out.size  # one unit per window, never split


@pytest.mark.parametrize("config, shape", [({"pool_size": 2}, (2, 4, 6)),
                                           ({"pool_size": 3, "stride": 2}, (2, 7, 7))])
def test_max_pool_backward_after_an_inference_forward(config, shape):
    """Training decides the routing in forward; without it, backward decides alike."""
    pool = make("MaxPool2D", config, shape)
    x = np.random.default_rng(3).integers(0, 3, (3,) + shape).astype(float)  # ties
    grad = np.random.default_rng(4).normal(size=(3,) + pool.output_shape([shape]))
    pool.forward([x], training=True)
    trained = pool.backward(grad)[0].copy()
    pool.forward([x], training=False)
    np.testing.assert_array_equal(pool.backward(grad)[0], trained)


# ---- batch norm ---------------------------------------------------------------------
BN_SHAPES = [(4,), (5, 3), (3, 4, 4)]


def per_feature(x):
    """x as (values, features): features on the last axis, channels for images."""
    if x.ndim == 4:
        return x.transpose(0, 2, 3, 1).reshape(-1, x.shape[1])
    return x.reshape(-1, x.shape[-1])


@pytest.mark.parametrize("shape", BN_SHAPES)
def test_batch_norm_training_uses_batch_statistics_and_updates_running_ones(shape):
    rng = np.random.default_rng(1)
    bn = make("BatchNorm", {"momentum": 0.25}, shape)
    bn.params["gamma"][...] = rng.uniform(0.5, 2, bn.params["gamma"].shape)
    bn.params["beta"][...] = rng.normal(size=bn.params["beta"].shape)
    mean_state = bn.state["running_mean"]
    x = rng.normal(3.0, 2.0, (6,) + shape)
    y = bn.forward([x], training=True)
    normalized = (per_feature(y) - bn.params["beta"]) / bn.params["gamma"]
    np.testing.assert_allclose(normalized.mean(0), 0, atol=1e-12)
    np.testing.assert_allclose(normalized.var(0), 1, rtol=1e-3)  # epsilon shrinks it a hair
    values = per_feature(x)
    np.testing.assert_allclose(bn.state["running_mean"], 0.25 * values.mean(0))
    np.testing.assert_allclose(bn.state["running_var"], 0.75 + 0.25 * values.var(0, ddof=1))
    assert bn.state["running_mean"] is mean_state  # updated in place: the network holds it


@pytest.mark.parametrize("shape", BN_SHAPES)
def test_batch_norm_inference_uses_running_statistics(shape):
    rng = np.random.default_rng(2)
    bn = make("BatchNorm", {}, shape)
    d = bn.params["gamma"].size
    bn.state["running_mean"][...] = rng.normal(size=d)
    bn.state["running_var"][...] = rng.uniform(0.5, 3, d)
    bn.params["gamma"][...] = rng.uniform(0.5, 2, d)
    x = rng.normal(size=(4,) + shape)
    before = {k: v.copy() for k, v in bn.state.items()}
    y = bn.forward([x], training=False)
    expected = ((per_feature(x) - before["running_mean"]) / np.sqrt(before["running_var"] + 1e-5)
                * bn.params["gamma"] + bn.params["beta"])
    np.testing.assert_allclose(per_feature(y), expected, rtol=1e-12)
    for k in before:  # inference never touches the statistics
        np.testing.assert_array_equal(bn.state[k], before[k])
    assert not np.allclose(y, bn.forward([x], training=True))  # training differs


def test_batch_norm_statistics_are_saved_with_the_weights():
    net = Network(chain_spec((2, 4, 4), [("BatchNorm", {})], kind="image"), dtype=np.float64)
    names = set(net.weights())
    assert {"l0/running_mean", "l0/running_var", "l0/gamma", "l0/beta"} <= names
    assert net.param_count == 4  # running statistics are not trained
    net.forward(np.random.default_rng(0).normal(5, 1, (8, 2, 4, 4)), training=True)
    assert np.all(net.weights()["l0/running_mean"] > 0.4)


# ---- shapes, messages, counts -------------------------------------------------------
def shape_problem(input_shape, layers, kind="image"):
    return shape_problem_of(input_shape, layers, kind)


def test_conv_on_a_vector_says_it_needs_an_image():
    msg = shape_problem((64,), [("Conv2D", {})], kind="features")
    assert "Conv2D 'conv2d0' needs an image (C, H, W) but receives (64,)" in msg


def test_a_kernel_larger_than_its_input_is_named_with_sizes():
    msg = shape_problem((1, 3, 3), [("Conv2D", {"kernel_size": 5, "padding": "valid"})])
    assert "Conv2D 'conv2d0' kernel 5x5 is larger than its 3x3 input" in msg
    msg = shape_problem((1, 4, 4), [("Conv2D", {"dilation": 2, "padding": "valid"}),
                                    ("Conv2D", {"padding": "valid"})])
    assert "Conv2D 'conv2d0' kernel 3x3 with dilation 2 (spanning 5x5)" in msg
    msg = shape_problem((2, 3, 3), [("MaxPool2D", {"pool_size": 4})])
    assert "MaxPool2D 'maxpool2d0' pool 4x4 is larger than its 3x3 input" in msg


def test_pool_and_norm_shape_messages():
    assert "needs an image" in shape_problem((5, 3), [("AvgPool2D", {})], kind="sequence")
    assert "needs an image" in shape_problem((7,), [("GlobalAveragePool2D", {})], "features")
    with pytest.raises(ShapeError, match=r"BatchNorm 't' normalises vectors \(D,\), "
                                         r"sequences \(T, D\) or images"):
        create_layer("BatchNorm", {}, "t").output_shape([(1, 2, 3, 4)])


def test_invalid_settings_raise_config_errors():
    with pytest.raises(ConfigError, match="Kernel size takes one number"):
        create_layer("Conv2D", {"kernel_size": [3, 3, 3]})
    with pytest.raises(ConfigError, match="at most half the pool size"):
        create_layer("MaxPool2D", {"pool_size": 2, "padding": 2})
    with pytest.raises(ConfigError, match="Padding"):
        create_layer("Conv2D", {"padding": "full"})


@pytest.mark.parametrize("type_name, config, shape, out_shape, params", [
    ("Conv2D", {"filters": 16, "kernel_size": 3, "padding": 1}, (1, 28, 28), (16, 28, 28), 160),
    ("Conv2D", {"filters": 32, "padding": "same"}, (16, 14, 14), (32, 14, 14), 4640),
    ("Conv2D", {"filters": 8, "kernel_size": [3, 5], "padding": "valid", "use_bias": False},
     (3, 10, 10), (8, 8, 6), 360),
    ("Conv2D", {"filters": 4, "stride": 2, "padding": "same"}, (2, 7, 8), (4, 4, 4), 76),
    ("Conv2D", {"filters": 4, "dilation": 2, "padding": "valid"}, (2, 9, 9), (4, 5, 5), 76),
    ("MaxPool2D", {"pool_size": 2}, (16, 28, 28), (16, 14, 14), 0),
    ("MaxPool2D", {"pool_size": 2}, (3, 7, 7), (3, 3, 3), 0),
    ("MaxPool2D", {"pool_size": 2, "padding": "same"}, (3, 7, 7), (3, 4, 4), 0),
    ("AvgPool2D", {"pool_size": 3, "stride": 2, "padding": 1}, (3, 7, 7), (3, 4, 4), 0),
    ("GlobalAveragePool2D", {}, (5, 3, 4), (5,), 0),
    ("BatchNorm", {}, (16, 7, 7), (16, 7, 7), 32),
    ("BatchNorm", {}, (10, 6), (10, 6), 12),
])
def test_output_shapes_and_parameter_counts(type_name, config, shape, out_shape, params):
    layer = create_layer(type_name, config)
    assert layer.output_shape([shape]) == out_shape
    assert layer.param_count([shape]) == params


def test_descriptions():
    assert create_layer("Conv2D", {"filters": 16}).describe() == "3x3x16, stride 1"
    assert create_layer("MaxPool2D", {}).describe() == "2x2"
    assert create_layer("AvgPool2D", {"pool_size": 3, "stride": 1}).describe() == "3x3, stride 1"


def test_conv_weights_use_the_pytorch_layout_and_fans():
    specs = {s.name: s for s in create_layer("Conv2D", {"filters": 8, "kernel_size": [3, 5]})
             .param_specs([(4, 9, 9)])}
    assert specs["W"].shape == (8, 4, 3, 5) and specs["b"].shape == (8,)
    assert (specs["W"].fan_in, specs["W"].fan_out) == (4 * 15, 8 * 15)
    assert specs["W"].decay and not specs["b"].decay


# ---- scratch buffers ----------------------------------------------------------------
@pytest.mark.parametrize("type_name, config", [
    ("Conv2D", {"filters": 4}), ("Conv2D", {"filters": 4, "activation": "linear"}),
    ("Conv2D", {"filters": 40}), ("MaxPool2D", {}), ("AvgPool2D", {"padding": "same"}),
])
def test_outputs_are_not_overwritten_by_the_next_call(type_name, config):
    layer = make(type_name, config, (3, 6, 6), dtype=np.float32)
    x1, x2 = np.random.default_rng(0).normal(size=(2, 5, 3, 6, 6)).astype(np.float32)
    assert_outputs_kept(layer, x1, x2)


def test_predict_in_batches_matches_one_pass():
    spec = chain_spec((2, 8, 8), [("Conv2D", {"filters": 3}), ("MaxPool2D", {}),
                                  ("Conv2D", {"filters": 2, "activation": "linear"})], "image")
    net = Network(spec, dtype=np.float64)
    x = np.random.default_rng(0).normal(size=(10, 2, 8, 8))
    np.testing.assert_allclose(net.predict(x, batch_size=3), net.forward(x), rtol=1e-12)


# ---- agreement with PyTorch (float64) -----------------------------------------------
def torch_or_skip():
    return pytest.importorskip("torch")


CONV_CASES = [
    ({"filters": 4, "padding": 1}, (3, 9, 8)),
    ({"filters": 5, "kernel_size": [2, 3], "padding": "same", "activation": "tanh"}, (2, 7, 6)),
    ({"filters": 3, "stride": 2, "padding": "same", "activation": "linear"}, (4, 9, 9)),
    ({"filters": 6, "dilation": 2, "padding": 2, "use_bias": False}, (2, 10, 9)),
    ({"filters": 16, "padding": 1}, (1, 12, 12)),  # more filters than taps: compact layout
    ({"filters": 2, "kernel_size": 4, "stride": 3, "padding": "valid"}, (3, 11, 10)),
]


@pytest.mark.parametrize("config, shape", CONV_CASES)
def test_conv2d_matches_pytorch(config, shape):
    torch = torch_or_skip()
    F = torch.nn.functional
    layer = make("Conv2D", config, shape, seed=3)
    x, grad, *ours = run_random(layer, shape)
    xt, wt, bt = leaves = torch_leaves(torch, layer, x)
    top, bottom, left, right = layer._pads(*shape[1:])
    zt = F.conv2d(F.pad(xt, (left, right, top, bottom)), wt, bt, stride=layer.config["stride"],
                  dilation=layer.config["dilation"])
    activations = {"relu": torch.relu, "tanh": torch.tanh, "linear": lambda t: t}
    act = activations[layer.config["activation"]]
    assert_agrees_with_torch(torch, act(zt), grad, ours, leaves, {"rtol": 1e-10, "atol": 1e-12})


@pytest.mark.parametrize("config, shape", CONV_CASES)
def test_conv2d_gives_the_same_results_in_chunks_of_images(config, shape, monkeypatch):
    """The kernel works through images in chunks; a last, smaller chunk must agree too."""
    import dataclasses

    import engine.kernels.conv as kernels

    rng = np.random.default_rng(9)
    x = rng.normal(size=(5,) + shape)
    results = []
    for chunk in (5, 2):  # one chunk; then 2 + 2 + 1
        geometry = kernels.conv_geometry
        monkeypatch.setattr(kernels, "conv_geometry", lambda *a, _g=geometry, _c=chunk:
                            dataclasses.replace(_g(*a), chunk=_c))
        layer = make("Conv2D", config, shape, seed=3)
        grad = np.random.default_rng(10).normal(size=(5,) + layer.output_shape([shape]))
        results.append(run_layer(layer, x, grad))
        monkeypatch.undo()
    (y1, dx1, g1), (y2, dx2, g2) = results
    np.testing.assert_allclose(y2, y1, rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(dx2, dx1, rtol=1e-12, atol=1e-13)
    for name in g1:
        np.testing.assert_allclose(g2[name], g1[name], rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("config, shape", [
    ({"pool_size": 2}, (3, 8, 6)),
    ({"pool_size": 2}, (2, 7, 9)),
    ({"pool_size": 3, "stride": 2, "padding": 1}, (2, 9, 8)),
    ({"pool_size": 3, "stride": 1}, (2, 6, 6)),
    ({"pool_size": 3}, (2, 6, 9)),  # tiling windows other than 2x2: the separable path
])
def test_max_pool_matches_pytorch_including_ties(config, shape):
    torch = torch_or_skip()
    layer = make("MaxPool2D", config, shape)
    rng = np.random.default_rng(5)
    x = rng.integers(0, 3, (4,) + shape).astype(np.float64)  # small integers: many ties
    grad = rng.normal(size=(4,) + layer.output_shape([shape]))
    y, dx, _ = run_layer(layer, x, grad)
    xt = torch.tensor(x, requires_grad=True)
    yt = torch.nn.functional.max_pool2d(xt, config["pool_size"], layer.stride,
                                        config.get("padding", 0))
    yt.backward(torch.tensor(grad))
    np.testing.assert_array_equal(y, yt.detach().numpy())
    np.testing.assert_allclose(dx, xt.grad.numpy(), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("config, shape, torch_kwargs", [
    ({"pool_size": 2}, (3, 8, 6), {}),
    ({"pool_size": 3, "stride": 2, "padding": 1}, (2, 9, 8),
     {"padding": 1, "count_include_pad": True}),
    ({"pool_size": 3, "stride": 1, "padding": "same"}, (2, 6, 7),
     {"padding": 1, "count_include_pad": False}),  # 'same' leaves padding out of the mean
])
def test_avg_pool_matches_pytorch(config, shape, torch_kwargs):
    torch = torch_or_skip()
    layer = make("AvgPool2D", config, shape)
    rng = np.random.default_rng(6)
    x = rng.normal(size=(4,) + shape)
    grad = rng.normal(size=(4,) + layer.output_shape([shape]))
    y, dx, _ = run_layer(layer, x, grad)
    xt = torch.tensor(x, requires_grad=True)
    yt = torch.nn.functional.avg_pool2d(xt, config["pool_size"], layer.stride, **torch_kwargs)
    yt.backward(torch.tensor(grad))
    np.testing.assert_allclose(y, yt.detach().numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(dx, xt.grad.numpy(), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("shape", BN_SHAPES)
def test_batch_norm_matches_pytorch_in_training_and_inference(shape):
    torch = torch_or_skip()
    rng = np.random.default_rng(7)
    bn = make("BatchNorm", {"momentum": 0.3}, shape)
    d = bn.params["gamma"].size
    bn.params["gamma"][...] = rng.uniform(0.5, 2, d)
    bn.params["beta"][...] = rng.normal(size=d)
    x = rng.normal(1.0, 2.0, (6,) + shape)
    grad = rng.normal(size=x.shape)
    y, dx, grads = run_layer(bn, x, grad)
    # PyTorch normalises axis 1; move our feature axis there for sequences and vectors.
    to_t = (lambda a: a) if len(shape) != 2 else (lambda a: a.transpose(0, 2, 1))
    xt = torch.tensor(to_t(x), requires_grad=True)
    gt = torch.tensor(bn.params["gamma"], requires_grad=True)
    btt = torch.tensor(bn.params["beta"], requires_grad=True)
    rm, rv = torch.zeros(d, dtype=torch.float64), torch.ones(d, dtype=torch.float64)
    yt = torch.nn.functional.batch_norm(xt, rm, rv, gt, btt, training=True, momentum=0.3,
                                        eps=1e-5)
    yt.backward(torch.tensor(to_t(grad)))
    np.testing.assert_allclose(y, to_t(yt.detach().numpy()), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(dx, to_t(xt.grad.numpy()), rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(grads["gamma"], gt.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(grads["beta"], btt.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(bn.state["running_mean"], rm.numpy(), rtol=1e-12)
    np.testing.assert_allclose(bn.state["running_var"], rv.numpy(), rtol=1e-12)
    x2 = rng.normal(size=x.shape)
    y2 = bn.forward([x2], training=False)
    y2t = torch.nn.functional.batch_norm(torch.tensor(to_t(x2)), rm, rv, gt.detach(),
                                         btt.detach(), training=False, eps=1e-5)
    np.testing.assert_allclose(y2, to_t(y2t.numpy()), rtol=1e-10, atol=1e-12)


def test_small_cnn_network_matches_pytorch_step():
    """The flat-buffer network with conv layers: same loss and gradients as PyTorch."""
    torch = torch_or_skip()
    spec = chain_spec((2, 8, 8), [
        ("Conv2D", {"filters": 4, "padding": 1}), ("MaxPool2D", {}),
        ("Conv2D", {"filters": 6, "padding": "valid"}), ("BatchNorm", {}),
        ("GlobalAveragePool2D", {}), ("Dense", {"units": 3, "activation": "linear"})], "image")
    net = Network(spec, dtype=np.float64, seed=1)
    w = net.weights()
    rng = np.random.default_rng(8)
    x, g = rng.normal(size=(5, 2, 8, 8)), rng.normal(size=(5, 3))
    net.forward(x, training=True)
    net.grad_flat[...] = np.nan  # every gradient must be overwritten
    net.backward(g)
    nn = torch.nn
    model = nn.Sequential(nn.Conv2d(2, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(4, 6, 3), nn.ReLU(), nn.BatchNorm2d(6),
                          nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(6, 3)).double()
    with torch.no_grad():
        for tl, lid in ((model[0], "l0"), (model[3], "l2")):
            tl.weight.copy_(torch.tensor(w[f"{lid}/W"]))
            tl.bias.copy_(torch.tensor(w[f"{lid}/b"]))
        model[5].weight.copy_(torch.tensor(w["l3/gamma"]))
        model[5].bias.copy_(torch.tensor(w["l3/beta"]))
        model[8].weight.copy_(torch.tensor(w["l5/W"].T))
        model[8].bias.copy_(torch.tensor(w["l5/b"]))
    model(torch.tensor(x)).backward(torch.tensor(g))
    pairs = [("l0", model[0]), ("l2", model[3]), ("l5", model[8])]
    for lid, tl in pairs:
        off, size, shape = net.param_index[f"{lid}/W"]
        tw = tl.weight.grad.numpy()
        np.testing.assert_allclose(net.grad_flat[off:off + size].reshape(shape),
                                   tw.T if lid == "l5" else tw, rtol=1e-9, atol=1e-12)
    off, size, _ = net.param_index["l3/gamma"]
    np.testing.assert_allclose(net.grad_flat[off:off + size], model[5].weight.grad.numpy(),
                               rtol=1e-9, atol=1e-12)
    assert not np.isnan(net.grad_flat).any()
