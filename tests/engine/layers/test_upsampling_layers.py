"""LayerNorm, UpSampling2D and Conv2DTranspose: shapes, messages, settings, and
agreement with PyTorch in float64 (forward, input gradient and weight gradients)."""
import numpy as np
import pytest

from engine.errors import ConfigError, ShapeError
from engine.layers import create_layer
from engine.network import Network

from ..helpers import chain_spec
from .layer_helpers import assert_agrees_with_torch, make, run_layer, run_random, torch_leaves
from .layer_helpers import shape_problem as shape_problem_of

pytestmark = pytest.mark.torch  # compared with PyTorch where it is installed

TOL = {"rtol": 1e-9, "atol": 1e-12}


def shape_problem(input_shape, layers, kind="image"):
    return shape_problem_of(input_shape, layers, kind)


# ---- shapes, messages, settings -------------------------------------------------------
@pytest.mark.parametrize("type_name, config, shape, out_shape, params", [
    ("LayerNorm", {}, (10,), (10,), 20),
    ("LayerNorm", {}, (7, 6), (7, 6), 12),
    ("UpSampling2D", {}, (3, 7, 7), (3, 14, 14), 0),
    ("UpSampling2D", {"size": [3, 1]}, (2, 4, 5), (2, 12, 5), 0),
    ("Conv2DTranspose", {"filters": 8}, (16, 7, 7), (8, 14, 14), 16 * 8 * 9 + 8),
    ("Conv2DTranspose", {"filters": 4, "stride": 1, "padding": 0, "output_padding": 0},
     (2, 5, 5), (4, 7, 7), 2 * 4 * 9 + 4),
    ("Conv2DTranspose", {"filters": 1, "kernel_size": [2, 4], "stride": 2, "padding": 0,
                         "output_padding": 0, "use_bias": False}, (3, 4, 4), (1, 8, 10), 24),
    ("Conv2DTranspose", {"filters": 2, "kernel_size": 4, "stride": 2, "padding": 1,
                         "output_padding": 0}, (1, 7, 7), (2, 14, 14), 2 * 16 + 2),
])
def test_output_shapes_and_parameter_counts(type_name, config, shape, out_shape, params):
    layer = create_layer(type_name, config)
    assert layer.output_shape([shape]) == out_shape
    assert layer.param_count([shape]) == params


def test_conv_transpose_weights_use_the_pytorch_layout():
    specs = {s.name: s for s in create_layer("Conv2DTranspose", {"filters": 8,
                                                                  "kernel_size": [3, 5]})
             .param_specs([(4, 9, 9)])}
    assert specs["W"].shape == (4, 8, 3, 5) and specs["b"].shape == (8,)
    assert specs["W"].decay and not specs["b"].decay


def test_descriptions():
    assert create_layer("Conv2DTranspose", {"filters": 8}).describe() == "3x3x8, stride 2"
    assert create_layer("UpSampling2D", {}).describe() == "x2"
    assert create_layer("UpSampling2D", {"size": [2, 3], "interpolation": "bilinear"}
                        ).describe() == "x2 x3, bilinear"
    assert create_layer("LayerNorm", {}).describe() == "epsilon 1e-05"


def test_shape_messages_say_what_to_do():
    assert ("UpSampling2D 'upsampling2d0' needs an image (C, H, W) but receives (64,)"
            in shape_problem((64,), [("UpSampling2D", {})], kind="features"))
    assert "needs an image" in shape_problem((5, 3), [("Conv2DTranspose", {})], "sequence")
    msg = shape_problem((1, 2, 2), [("Conv2DTranspose", {"kernel_size": 1, "stride": 1,
                                                          "padding": 1, "output_padding": 0})])
    assert "padding 1 crops away its whole output (2x2 before cropping)" in msg
    with pytest.raises(ShapeError, match=r"LayerNorm 't' normalises vectors \(D,\) or "
                                         r"sequences \(T, D\), not \(3, 4, 4\): for images "
                                         r"use BatchNorm"):
        create_layer("LayerNorm", {}, "t").output_shape([(3, 4, 4)])


def test_invalid_settings_raise_config_errors():
    with pytest.raises(ConfigError, match="Output padding must be smaller than the stride"):
        create_layer("Conv2DTranspose", {"stride": 2, "output_padding": 2})
    with pytest.raises(ConfigError, match="Kernel size takes one number"):
        create_layer("Conv2DTranspose", {"kernel_size": [3, 3, 3]})
    with pytest.raises(ConfigError, match="Factor takes one number"):
        create_layer("UpSampling2D", {"size": [2, 2, 2]})
    with pytest.raises(ConfigError, match="Interpolation"):
        create_layer("UpSampling2D", {"interpolation": "bicubic"})


def test_nearest_upsampling_copies_each_pixel_into_a_block():
    layer = make("UpSampling2D", {"size": [2, 3]}, (1, 2, 2))
    x = np.array([[[[1.0, 2.0], [3.0, 4.0]]]])
    y = layer.forward([x])
    np.testing.assert_array_equal(y[0, 0], [[1, 1, 1, 2, 2, 2]] * 2 + [[3, 3, 3, 4, 4, 4]] * 2)
    dx = layer.backward(np.ones_like(y))[0]
    np.testing.assert_array_equal(dx, np.full_like(x, 6.0))  # each pixel fed 6 outputs


def test_layer_norm_is_the_same_in_training_and_inference():
    layer = make("LayerNorm", {}, (4, 6))
    x = np.random.default_rng(0).normal(3, 2, (5, 4, 6))
    y = layer.forward([x], training=True)
    np.testing.assert_array_equal(layer.forward([x], training=False), y)
    np.testing.assert_allclose(y.mean(-1), 0, atol=1e-12)  # per step, per sample
    np.testing.assert_allclose(y.var(-1), 1, rtol=1e-4)


def test_a_decoder_network_trains_end_to_end_in_float32():
    spec = chain_spec((1, 4, 4), [
        ("Conv2D", {"filters": 3, "stride": 2}), ("Conv2DTranspose", {"filters": 2}),
        ("UpSampling2D", {"interpolation": "bilinear"}), ("Flatten", {}),
        ("LayerNorm", {}), ("Dense", {"units": 2, "activation": "linear"})], "image")
    net = Network(spec, dtype=np.float32, seed=0)
    out = net.forward(np.random.default_rng(0).normal(size=(3, 1, 4, 4)).astype(np.float32),
                      training=True)
    assert out.shape == (3, 2) and out.dtype == np.float32
    net.backward(np.ones_like(out))
    assert np.all(np.isfinite(net.grad_flat)) and np.any(net.grad_flat != 0)


# ---- agreement with PyTorch (float64) ---------------------------------------------------
@pytest.mark.parametrize("shape, eps", [((6,), 1e-5), ((4, 5), 1e-3), ((1, 3), 1e-5)])
def test_layer_norm_matches_pytorch(shape, eps):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    layer = make("LayerNorm", {"epsilon": eps}, shape)
    d = shape[-1]
    layer.params["gamma"][...] = rng.uniform(0.5, 2, d)
    layer.params["beta"][...] = rng.normal(size=d)
    x = rng.normal(1.0, 2.0, (5,) + shape)
    grad = rng.normal(size=x.shape)
    y, dx, grads = run_layer(layer, x, grad)
    xt = torch.tensor(x, requires_grad=True)
    gt = torch.tensor(layer.params["gamma"], requires_grad=True)
    bt = torch.tensor(layer.params["beta"], requires_grad=True)
    yt = torch.nn.functional.layer_norm(xt, (d,), gt, bt, eps=eps)
    yt.backward(torch.tensor(grad))
    np.testing.assert_allclose(y, yt.detach().numpy(), **TOL)
    np.testing.assert_allclose(dx, xt.grad.numpy(), **TOL)
    np.testing.assert_allclose(grads["gamma"], gt.grad.numpy(), **TOL)
    np.testing.assert_allclose(grads["beta"], bt.grad.numpy(), **TOL)


@pytest.mark.parametrize("config, shape", [
    ({}, (2, 3, 4)), ({"size": [3, 2]}, (1, 4, 3)),
    ({"interpolation": "bilinear"}, (2, 4, 5)),
    ({"size": [3, 4], "interpolation": "bilinear"}, (2, 3, 2)),
    ({"size": [1, 2], "interpolation": "bilinear"}, (1, 1, 3)),
])
def test_upsampling_matches_pytorch(config, shape):
    torch = pytest.importorskip("torch")
    layer = make("UpSampling2D", config, shape)
    rng = np.random.default_rng(2)
    x = rng.normal(size=(3,) + shape)
    grad = rng.normal(size=(3,) + layer.output_shape([shape]))
    y, dx, _ = run_layer(layer, x, grad)
    xt = torch.tensor(x, requires_grad=True)
    mode = layer.config["interpolation"]
    kwargs = {"align_corners": False} if mode == "bilinear" else {}
    yt = torch.nn.functional.interpolate(xt, scale_factor=layer.factors, mode=mode, **kwargs)
    yt.backward(torch.tensor(grad))
    np.testing.assert_allclose(y, yt.detach().numpy(), **TOL)
    np.testing.assert_allclose(dx, xt.grad.numpy(), **TOL)


TRANSPOSE_CASES = [
    ({"filters": 4}, (3, 5, 4)),  # kernel 3, stride 2, padding 1, output padding 1
    ({"filters": 3, "stride": 1, "padding": 0, "output_padding": 0, "activation": "tanh"},
     (2, 6, 5)),
    ({"filters": 2, "kernel_size": [2, 3], "stride": 3, "padding": 0, "output_padding": 2,
      "use_bias": False, "activation": "linear"}, (3, 4, 3)),  # output padding past the canvas
    ({"filters": 5, "kernel_size": 4, "stride": 2, "padding": 1, "output_padding": 0,
      "activation": "sigmoid"}, (2, 5, 5)),
    ({"filters": 2, "kernel_size": 5, "stride": 2, "padding": 3, "output_padding": 1,
      "activation": "linear"}, (4, 4, 6)),  # padding larger than half the kernel
    ({"filters": 16, "kernel_size": 1, "stride": 2, "padding": 0, "output_padding": 1},
     (1, 3, 3)),  # more filters than taps
]


@pytest.mark.parametrize("config, shape", TRANSPOSE_CASES)
def test_conv_transpose_matches_pytorch(config, shape):
    torch = pytest.importorskip("torch")
    layer = make("Conv2DTranspose", config, shape, seed=3)
    x, grad, *ours = run_random(layer, shape)
    xt, wt, bt = leaves = torch_leaves(torch, layer, x)
    c = layer.config
    zt = torch.nn.functional.conv_transpose2d(xt, wt, bt, stride=c["stride"],
                                              padding=c["padding"],
                                              output_padding=c["output_padding"])
    act = {"relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid,
           "linear": lambda t: t}[c["activation"]]
    assert_agrees_with_torch(torch, act(zt), grad, ours, leaves, TOL)
