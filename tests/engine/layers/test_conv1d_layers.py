"""1-D convolution and pooling, global max pools and Multiply: agreement with PyTorch in
float64 (forward and every gradient, within 1e-9), ties, messages, counts, scratch
buffers, and stacks with the recurrent layers."""
import numpy as np
import pytest

from engine.errors import ConfigError
from engine.layers import create_layer
from engine.network import Network

from ..helpers import chain_spec
from .layer_helpers import (assert_agrees_with_torch, assert_outputs_kept, make, run_layer,
                            run_random, torch_leaves)
from .layer_helpers import shape_problem as shape_problem_of

pytestmark = pytest.mark.torch  # compared with PyTorch where it is installed

TOL = {"rtol": 1e-9, "atol": 1e-11}


def ncw(t):
    """(N, T, C) -> (N, C, T): PyTorch's channels-first layout."""
    return t.transpose(1, 2)


# ---- agreement with PyTorch ---------------------------------------------------------
CONV1D_CASES = [
    ({"filters": 4, "kernel_size": 3, "padding": 1}, (9, 3)),
    ({"filters": 5, "kernel_size": 2, "activation": "tanh"}, (7, 2)),  # even 'same': extra after
    ({"filters": 3, "kernel_size": 5, "stride": 2, "padding": "same", "activation": "linear"},
     (12, 4)),
    ({"filters": 6, "kernel_size": 3, "dilation": 2, "padding": 2, "use_bias": False}, (10, 2)),
    ({"filters": 2, "kernel_size": 4, "stride": 3, "padding": "valid", "activation": "sigmoid"},
     (11, 3)),
    ({"filters": 8, "kernel_size": 1}, (5, 6)),
    ({"filters": 3, "kernel_size": 3, "stride": 2, "dilation": 3, "padding": "same",
      "activation": "gelu"}, (13, 2)),
]

ACTS = {"relu": "relu", "tanh": "tanh", "linear": None, "sigmoid": "sigmoid", "gelu": "gelu"}


@pytest.mark.parametrize("config, shape", CONV1D_CASES)
def test_conv1d_matches_pytorch(config, shape):
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    layer = make("Conv1D", config, shape, seed=3)
    x, grad, *ours = run_random(layer, shape)
    xt, wt, bt = leaves = torch_leaves(torch, layer, x)
    before, after = layer._pads(shape[0])
    zt = F.conv1d(F.pad(ncw(xt), (before, after)), wt, bt, stride=layer.config["stride"],
                  dilation=layer.config["dilation"])
    act = ACTS[layer.config["activation"]]
    yt = ncw(zt)
    if act == "gelu":
        yt = F.gelu(yt, approximate="tanh")
    elif act:
        yt = getattr(torch, act)(yt)
    assert_agrees_with_torch(torch, yt, grad, ours, leaves, TOL)


@pytest.mark.parametrize("config, shape", [
    ({"pool_size": 2}, (8, 3)),
    ({"pool_size": 2}, (9, 2)),
    ({"pool_size": 3, "stride": 2, "padding": 1}, (9, 2)),
    ({"pool_size": 3, "stride": 1}, (6, 2)),
    ({"pool_size": 4, "stride": 2, "padding": 2}, (7, 3)),
])
def test_max_pool1d_matches_pytorch_including_ties(config, shape):
    torch = pytest.importorskip("torch")
    layer = make("MaxPool1D", config, shape)
    rng = np.random.default_rng(5)
    x = rng.integers(0, 3, (4,) + shape).astype(np.float64)  # small integers: many ties
    grad = rng.normal(size=(4,) + layer.output_shape([shape]))
    y, dx, _ = run_layer(layer, x, grad)
    xt = torch.tensor(x, requires_grad=True)
    yt = ncw(torch.nn.functional.max_pool1d(ncw(xt), config["pool_size"], layer.stride,
                                            config.get("padding", 0)))
    yt.backward(torch.tensor(grad))
    np.testing.assert_array_equal(y, yt.detach().numpy())
    np.testing.assert_allclose(dx, xt.grad.numpy(), **TOL)


def test_max_pool1d_same_padding_matches_pytorch_after_f_pad():
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    layer = make("MaxPool1D", {"pool_size": 2, "padding": "same"}, (5, 2))
    rng = np.random.default_rng(8)
    x, grad = rng.normal(size=(3, 5, 2)), rng.normal(size=(3, 3, 2))
    y, dx, _ = run_layer(layer, x, grad)
    xt = torch.tensor(x, requires_grad=True)
    yt = ncw(F.max_pool1d(F.pad(ncw(xt), layer._pads(5), value=float("-inf")), 2))
    yt.backward(torch.tensor(grad))
    np.testing.assert_allclose(y, yt.detach().numpy(), **TOL)
    np.testing.assert_allclose(dx, xt.grad.numpy(), **TOL)


@pytest.mark.parametrize("config, shape, torch_kwargs", [
    ({"pool_size": 2}, (8, 3), {}),
    ({"pool_size": 3, "stride": 2, "padding": 1}, (9, 2),
     {"padding": 1, "count_include_pad": True}),
    ({"pool_size": 3, "stride": 1, "padding": "same"}, (7, 2),
     {"padding": 1, "count_include_pad": False}),  # 'same' leaves padding out of the mean
])
def test_avg_pool1d_matches_pytorch(config, shape, torch_kwargs):
    torch = pytest.importorskip("torch")
    layer = make("AvgPool1D", config, shape)
    rng = np.random.default_rng(6)
    x = rng.normal(size=(4,) + shape)
    grad = rng.normal(size=(4,) + layer.output_shape([shape]))
    y, dx, _ = run_layer(layer, x, grad)
    xt = torch.tensor(x, requires_grad=True)
    yt = ncw(torch.nn.functional.avg_pool1d(ncw(xt), config["pool_size"], layer.stride,
                                            **torch_kwargs))
    yt.backward(torch.tensor(grad))
    np.testing.assert_allclose(y, yt.detach().numpy(), **TOL)
    np.testing.assert_allclose(dx, xt.grad.numpy(), **TOL)


@pytest.mark.parametrize("type_name, shape", [
    ("GlobalAveragePool1D", (6, 3)), ("GlobalMaxPool1D", (6, 3)), ("GlobalMaxPool2D", (3, 4, 5)),
])
def test_global_pools_match_pytorch_including_ties(type_name, shape):
    torch = pytest.importorskip("torch")
    layer = make(type_name, {}, shape)
    rng = np.random.default_rng(7)
    x = rng.integers(0, 3, (4,) + shape).astype(np.float64)  # ties: one winner each
    grad = rng.normal(size=(4, layer.output_shape([shape])[0]))
    y, dx, _ = run_layer(layer, x, grad)
    xt = torch.tensor(x, requires_grad=True)
    if type_name == "GlobalAveragePool1D":
        yt = xt.mean(dim=1)
    elif type_name == "GlobalMaxPool1D":
        yt = xt.max(dim=1).values  # the export's form
    else:
        yt = xt.flatten(2).max(dim=2).values
    yt.backward(torch.tensor(grad))
    np.testing.assert_allclose(y, yt.detach().numpy(), **TOL)
    np.testing.assert_allclose(dx, xt.grad.numpy(), **TOL)
    if type_name != "GlobalAveragePool1D":  # one unit of gradient per (sample, channel)
        assert np.count_nonzero(dx) == np.count_nonzero(grad)


def test_multiply_matches_pytorch_with_zeros_in_the_inputs():
    torch = pytest.importorskip("torch")
    layer = create_layer("Multiply", {}, "t")
    rng = np.random.default_rng(9)
    xs = [rng.normal(size=(4, 3, 5)) for _ in range(3)]
    xs[1][0, 0, :] = 0.0  # out / x would divide by zero here
    grad = rng.normal(size=(4, 3, 5))
    y = layer.forward(xs, training=True)
    dxs = layer.backward(grad.copy())
    ts = [torch.tensor(x, requires_grad=True) for x in xs]
    yt = ts[0] * ts[1] * ts[2]
    yt.backward(torch.tensor(grad))
    np.testing.assert_allclose(y, yt.detach().numpy(), **TOL)
    for dx, t in zip(dxs, ts):
        np.testing.assert_allclose(dx, t.grad.numpy(), **TOL)


def test_conv1d_lstm_network_matches_pytorch_step():
    """Conv1D -> MaxPool1D -> LSTM -> Dense in the flat-buffer network: the same loss
    gradients as the same model in PyTorch (channels-last between them, as the export)."""
    torch = pytest.importorskip("torch")
    nn = torch.nn
    spec = chain_spec((12, 3), [
        ("Conv1D", {"filters": 4, "kernel_size": 3}), ("MaxPool1D", {}),
        ("LSTM", {"units": 5}), ("Dense", {"units": 2, "activation": "linear"})], "sequence")
    net = Network(spec, dtype=np.float64, seed=1)
    w = net.weights()
    rng = np.random.default_rng(8)
    x, g = rng.normal(size=(5, 12, 3)), rng.normal(size=(5, 2))
    y = net.forward(x, training=True)
    net.grad_flat[...] = np.nan  # every gradient must be overwritten
    dx = net.input_gradient(g).copy()
    conv = nn.Conv1d(3, 4, 3, padding=1).double()
    lstm = nn.LSTM(4, 5, batch_first=True).double()
    fc = nn.Linear(5, 2).double()
    with torch.no_grad():
        conv.weight.copy_(torch.tensor(w["l0/W"]))
        conv.bias.copy_(torch.tensor(w["l0/b"]))
        lstm.weight_ih_l0.copy_(torch.tensor(w["l2/W"].T))
        lstm.weight_hh_l0.copy_(torch.tensor(w["l2/U"].T))
        lstm.bias_ih_l0.copy_(torch.tensor(w["l2/b"]))
        lstm.bias_hh_l0.zero_()
        fc.weight.copy_(torch.tensor(w["l3/W"].T))
        fc.bias.copy_(torch.tensor(w["l3/b"]))
    xt = torch.tensor(x, requires_grad=True)
    h = ncw(nn.functional.max_pool1d(torch.relu(conv(ncw(xt))), 2))
    yt = fc(lstm(h)[0][:, -1])
    yt.backward(torch.tensor(g))
    np.testing.assert_allclose(y, yt.detach().numpy(), **TOL)
    grads = {key: net.grad_flat[o:o + n].reshape(shape)
             for key, (o, n, shape) in net.param_index.items()}
    np.testing.assert_allclose(grads["l0/W"], conv.weight.grad.numpy(), **TOL)
    np.testing.assert_allclose(grads["l0/b"], conv.bias.grad.numpy(), **TOL)
    np.testing.assert_allclose(grads["l2/W"], lstm.weight_ih_l0.grad.numpy().T, **TOL)
    np.testing.assert_allclose(dx, xt.grad.numpy(), **TOL)


# ---- shapes, messages, counts ---------------------------------------------------------
def shape_problem(input_shape, layers, kind="sequence"):
    return shape_problem_of(input_shape, layers, kind)


@pytest.mark.parametrize("type_name", ["Conv1D", "MaxPool1D", "AvgPool1D",
                                       "GlobalAveragePool1D", "GlobalMaxPool1D"])
def test_1d_layers_on_a_vector_or_image_say_they_need_a_sequence(type_name):
    msg = shape_problem((64,), [(type_name, {})], kind="features")
    assert "needs a sequence (T, C) but receives (64,): use a sequence Input" in msg
    msg = shape_problem((1, 8, 8), [(type_name, {})], kind="image")
    assert "needs a sequence (T, C) but receives (1, 8, 8): images (C, H, W) take the 2-D" in msg


def test_windows_longer_than_the_sequence_are_named_with_sizes():
    msg = shape_problem((3, 2), [("Conv1D", {"kernel_size": 5, "padding": "valid"})])
    assert "Conv1D 'conv1d0' kernel 5 is longer than its 3-step input" in msg
    msg = shape_problem((6, 2), [("Conv1D", {"kernel_size": 3, "dilation": 3,
                                             "padding": "valid"})])
    assert "kernel 3 with dilation 3 (spanning 7 steps) is longer than its 6-step" in msg
    msg = shape_problem((3, 2), [("MaxPool1D", {"pool_size": 4})])
    assert "MaxPool1D 'maxpool1d0' pool 4 is longer than its 3-step input" in msg


def test_global_max_pool2d_and_multiply_messages():
    assert "needs an image" in shape_problem((5, 3), [("GlobalMaxPool2D", {})])
    with pytest.raises(Exception, match=r"Multiply 't' needs inputs of one shape but "
                                        r"receives \(3,\) and \(4,\)"):
        create_layer("Multiply", {}, "t").output_shape([(3,), (4,)])


def test_invalid_1d_settings_raise_config_errors():
    with pytest.raises(ConfigError, match="at most half the pool size"):
        create_layer("MaxPool1D", {"pool_size": 2, "padding": 2})
    with pytest.raises(ConfigError, match="Padding"):
        create_layer("Conv1D", {"padding": "full"})
    with pytest.raises(ConfigError, match="Kernel size must be a whole number"):
        create_layer("Conv1D", {"kernel_size": [3, 3]})


@pytest.mark.parametrize("type_name, config, shape, out_shape, params", [
    ("Conv1D", {"filters": 32, "kernel_size": 5}, (128, 8), (128, 32), 32 * 8 * 5 + 32),
    ("Conv1D", {"filters": 4, "kernel_size": 3, "padding": "valid", "use_bias": False},
     (10, 2), (8, 4), 24),
    ("Conv1D", {"filters": 4, "kernel_size": 3, "stride": 2}, (9, 2), (5, 4), 28),
    ("Conv1D", {"filters": 4, "kernel_size": 3, "dilation": 2, "padding": "valid"},
     (9, 2), (5, 4), 28),
    ("MaxPool1D", {"pool_size": 2}, (7, 3), (3, 3), 0),
    ("MaxPool1D", {"pool_size": 2, "padding": "same"}, (7, 3), (4, 3), 0),
    ("AvgPool1D", {"pool_size": 3, "stride": 2, "padding": 1}, (7, 3), (4, 3), 0),
    ("GlobalAveragePool1D", {}, (7, 3), (3,), 0),
    ("GlobalMaxPool1D", {}, (7, 3), (3,), 0),
    ("GlobalMaxPool2D", {}, (5, 3, 4), (5,), 0),
])
def test_output_shapes_and_parameter_counts(type_name, config, shape, out_shape, params):
    layer = create_layer(type_name, config)
    assert layer.output_shape([shape]) == out_shape
    assert layer.param_count([shape]) == params


def test_descriptions_and_weight_layout():
    assert create_layer("Conv1D", {"filters": 16}).describe() == "k3x16, relu"
    assert create_layer("Conv1D", {"filters": 8, "kernel_size": 5, "stride": 2,
                                   "dilation": 2}).describe() == "k5x8, stride 2, dilation 2, relu"
    assert create_layer("MaxPool1D", {}).describe() == "2 steps"
    assert create_layer("AvgPool1D", {"pool_size": 3, "stride": 1}).describe() == \
        "3 steps, stride 1"
    specs = {s.name: s for s in create_layer("Conv1D", {"filters": 8, "kernel_size": 5})
             .param_specs([(20, 3)])}
    assert specs["W"].shape == (8, 3, 5) and specs["b"].shape == (8,)
    assert (specs["W"].fan_in, specs["W"].fan_out) == (15, 40)


@pytest.mark.parametrize("type_name, config", [
    ("Conv1D", {"filters": 4}), ("Conv1D", {"filters": 4, "activation": "linear"}),
    ("Conv1D", {"filters": 4, "stride": 2, "padding": "valid"}),
    ("MaxPool1D", {}), ("MaxPool1D", {"pool_size": 3, "stride": 1, "padding": 1}),
    ("AvgPool1D", {"padding": "same"}),
])
def test_outputs_are_not_overwritten_by_the_next_call(type_name, config):
    layer = make(type_name, config, (9, 3), dtype=np.float32)
    x1, x2 = np.random.default_rng(0).normal(size=(2, 5, 9, 3)).astype(np.float32)
    assert_outputs_kept(layer, x1, x2)


def test_conv1d_takes_a_non_contiguous_input():
    layer = make("Conv1D", {"filters": 3, "padding": "valid"}, (6, 4))
    x = np.random.default_rng(1).normal(size=(2, 4, 6)).transpose(0, 2, 1)  # a view
    expected = layer.forward([np.ascontiguousarray(x)])
    np.testing.assert_array_equal(layer.forward([x]), expected)


@pytest.mark.parametrize("config, shape", CONV1D_CASES)
def test_conv1d_gives_the_same_results_in_chunks_of_samples(config, shape, monkeypatch):
    """Big batches go through the kernel in chunks of samples; a last, smaller chunk
    must agree too (forward, input gradient, weight gradients)."""
    import engine.kernels.conv1d as kernels

    rng = np.random.default_rng(9)
    x = rng.normal(size=(5,) + shape)
    results = []
    for chunk_bytes in (kernels.CHUNK_BYTES, 1):  # one chunk; then one sample at a time
        monkeypatch.setattr(kernels, "CHUNK_BYTES", chunk_bytes)
        layer = make("Conv1D", config, shape, seed=3)
        grad = np.random.default_rng(10).normal(size=(5,) + layer.output_shape([shape]))
        results.append(run_layer(layer, x, grad))
        assert layer._conv_cache["chunk"] == (5 if chunk_bytes > 1 else 1)
    (y1, dx1, g1), (y2, dx2, g2) = results
    np.testing.assert_allclose(y2, y1, rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(dx2, dx1, rtol=1e-12, atol=1e-13)
    for name in g1:
        np.testing.assert_allclose(g2[name], g1[name], rtol=1e-12, atol=1e-13)


def test_conv1d_chunks_of_two_leave_a_smaller_last_chunk(monkeypatch):
    import engine.kernels.conv1d as kernels

    shape, config = (9, 3), {"filters": 4, "kernel_size": 3}
    layer = make("Conv1D", config, shape, seed=1)
    x = np.random.default_rng(2).normal(size=(5,) + shape)
    grad = np.random.default_rng(3).normal(size=(5, 9, 4))
    y1, dx1, g1 = run_layer(layer, x, grad)
    per_sample = 9 * 3 * 3 * 8  # T' * k * C * itemsize
    monkeypatch.setattr(kernels, "CHUNK_BYTES", 2 * per_sample)  # chunks 2, 2, 1
    layer = make("Conv1D", config, shape, seed=1)
    y2, dx2, g2 = run_layer(layer, x, grad)
    assert layer._conv_cache["chunk"] == 2
    np.testing.assert_allclose(y2, y1, rtol=1e-12)
    np.testing.assert_allclose(dx2, dx1, rtol=1e-12)
    np.testing.assert_allclose(g2["W"], g1["W"], rtol=1e-12)
