"""Explain a unit: every number against what the engine computes on that sample: z
against the layer's own pre-activation (its forward with φ left out), a against its
output, ∂L/∂w against the gradient of a real backward pass, the update against the
engine's optimizer stepped on a copy, the loss against ``Loss.value_and_grad``."""
import numpy as np
import pytest

from engine.insights.common import clone_network, forward_backward
from engine.insights.explain import ExplainError, explain_dense, explain_loss
from engine.insights.explain_conv import explain_conv
from engine.insights.explain_recurrent import explain_recurrent
from engine.kernels.activations import activation_forward
from engine.losses import get_loss
from engine.network import Network
from engine.settings import make_optimizer, training_settings
from tests.engine.helpers import chain_spec

MLP = [("Dense", {"units": 5, "activation": "tanh"}),
       ("Dense", {"units": 3, "activation": "softmax"})]


def _mlp(dtype=np.float64, hidden="tanh"):
    layers = [("Dense", {"units": 5, "activation": hidden}), MLP[1]]
    return Network(chain_spec((12,), layers), dtype=dtype, seed=3)


def _engine_pass(net, x, y, loss):
    """The engine's own forward and backward on a batch of one (a fresh copy)."""
    copy = clone_network(net)
    value, outs, grads = forward_backward(copy, x[None].astype(net.dtype), np.array([y]), loss)
    return copy, value, outs, grads


@pytest.mark.parametrize("hidden", ["tanh", "relu", "sigmoid", "gelu", "leaky_relu"])
def test_dense_numbers_are_the_engines(hidden):
    net = _mlp(hidden=hidden)
    x, y, loss = np.random.default_rng(1).normal(size=12), 2, get_loss("cross_entropy")
    e = explain_dense(net, "l0", 3, x, y, loss, top=4)
    copy, value, outs, grads = _engine_pass(net, x, y, loss)
    layer = copy.nodes[0].layer
    layer.skip_activation = True  # the layer's own forward without φ gives its z
    z_engine = layer.forward([x[None]])[0, 3]
    assert e.z == pytest.approx(z_engine, abs=1e-12)
    assert e.a == pytest.approx(outs["l0"][0, 3], abs=1e-12)
    assert e.loss == pytest.approx(value)
    assert sum(t.product for t in e.terms) + e.rest + e.bias == pytest.approx(e.z)
    assert e.rest_count == 12 - 4
    assert [abs(t.product) for t in e.terms] == sorted((abs(t.product) for t in e.terms),
                                                       reverse=True)
    assert e.dl_da == pytest.approx(grads["l0"][0, 3], abs=1e-14)
    # The chain rule written out equals the engine's: ∂L/∂z is its bias gradient, and
    # ∂L/∂wᵢ = ∂L/∂z · xᵢ its weight gradient.
    assert e.dl_dz == pytest.approx(copy.nodes[0].layer.grads["b"][3], abs=1e-14)
    for t in e.terms:
        i = t.index[0]
        assert t.grad == pytest.approx(copy.nodes[0].layer.grads["W"][i, 3], abs=1e-14)
        assert t.grad == pytest.approx(e.dl_dz * t.input, abs=1e-14)


def test_fused_softmax_output_unit():
    net = _mlp()
    x, loss = np.random.default_rng(2).normal(size=12), get_loss("cross_entropy")
    e = explain_dense(net, "l1", 0, x, 1, loss)
    probs = net.forward(x[None])[0]
    assert e.fused and e.dl_da is None
    assert e.a == pytest.approx(probs[0], abs=1e-12)
    assert e.dl_dz == pytest.approx(probs[0], abs=1e-12)  # p − onehot, the class is 1


def _stepped(net, x, y, loss, settings, state, key, idx):
    """The engine's update of one weight: the real optimizer on a copy."""
    copy, _v, _o, _g = _engine_pass(net, x, y, loss)
    opt = make_optimizer(settings).bind(copy.flat, copy.grad_flat, copy.decay_size)
    if state is not None:
        opt.load_state_dict(state)
    off, _size, shape = copy.param_index[key]
    i = off + np.ravel_multi_index(idx, shape)
    before = float(copy.flat[i])
    opt.step()
    return float(copy.flat[i]) - before


def _some_state(net, settings):
    """An optimizer state after three real steps on other samples."""
    copy = clone_network(net)
    opt = make_optimizer(settings).bind(copy.flat, copy.grad_flat, copy.decay_size)
    rng, loss = np.random.default_rng(9), get_loss("cross_entropy")
    for _ in range(3):
        forward_backward(copy, rng.normal(size=(4, 12)), rng.integers(0, 3, 4), loss)
        opt.step()
    return opt.state_dict()


@pytest.mark.parametrize("raw", [
    {"optimizer": "sgd", "learning_rate": 0.1},
    {"optimizer": "sgd", "learning_rate": 0.1, "momentum": 0.9},
    {"optimizer": "sgd", "learning_rate": 0.1, "momentum": 0.9, "nesterov": True},
    {"optimizer": "adam", "learning_rate": 0.01},
    {"optimizer": "adamw", "learning_rate": 0.01, "weight_decay": 0.1},
    {"optimizer": "rmsprop", "learning_rate": 0.01},
])
@pytest.mark.parametrize("fresh", [True, False])
def test_update_is_the_optimizers_step(raw, fresh):
    net, settings = _mlp(), training_settings(raw)
    state = None if fresh else _some_state(net, settings)
    x, y, loss = np.random.default_rng(3).normal(size=12), 0, get_loss("cross_entropy")
    e = explain_dense(net, "l0", 1, x, y, loss, settings, state, top=3)
    for t in e.terms:
        want = _stepped(net, x, y, loss, settings, state, "l0/W", t.index)
        assert t.update.delta == pytest.approx(want, abs=1e-15)
        # The rule written out step by step lands on the engine's step.
        assert t.update.steps[-1][1] == pytest.approx(want, rel=1e-9, abs=1e-15)
    want_b = _stepped(net, x, y, loss, settings, state, "l0/b", (1,))
    assert e.bias_update.delta == pytest.approx(want_b, abs=1e-15)


def test_float32_network_within_float32():
    net = _mlp(np.float32)
    x = np.random.default_rng(4).normal(size=12).astype(np.float32)
    e = explain_dense(net, "l0", 2, x)
    assert e.a == pytest.approx(float(np.tanh(e.z)), abs=1e-6)
    assert e.dl_da is None and e.terms[0].grad is None


def test_out_of_range_is_a_typed_error():
    net = _mlp()
    with pytest.raises(ExplainError, match="units 0 to 4"):
        explain_dense(net, "l0", 5, np.zeros(12))
    with pytest.raises(ExplainError, match="is not a Conv2D"):
        explain_conv(net, "l0", 0, 0, 0, np.zeros(12))


@pytest.mark.parametrize("padding,stride", [("same", 1), ("valid", 2), (1, 1)])
def test_conv_position_is_the_engines(padding, stride):
    layers = [("Conv2D", {"filters": 3, "kernel_size": [3, 3], "padding": padding,
                          "stride": stride, "activation": "tanh"}),
              ("Flatten", {}), ("Dense", {"units": 2, "activation": "softmax"})]
    net = Network(chain_spec((2, 6, 6), layers, kind="image"), dtype=np.float64, seed=1)
    x, loss = np.random.default_rng(5).normal(size=(2, 6, 6)), get_loss("cross_entropy")
    copy, _v, outs, grads = _engine_pass(net, x, 1, loss)
    _f, ho, wo = outs["l0"].shape[1:]
    shares = np.zeros((3, 2, 3, 3))
    layer = copy.nodes[0].layer
    layer.skip_activation = True
    z_all = layer.forward([x[None]])[0]
    for r in range(ho):
        for c in range(wo):
            e = explain_conv(net, "l0", 1, r, c, x, 1, loss, top=18)
            assert e.rest_count == 0
            assert e.z == pytest.approx(z_all[1, r, c], abs=1e-12)
            assert e.a == pytest.approx(outs["l0"][0, 1, r, c], abs=1e-12)
            assert e.dl_da == pytest.approx(grads["l0"][0, 1, r, c], abs=1e-14)
            for t in e.terms:
                shares[t.index] += t.grad
    # The per-position shares of ∂L/∂W add up to the engine's kernel gradient.
    np.testing.assert_allclose(shares[1], copy.nodes[0].layer.grads["W"][1], atol=1e-12)



def test_loss_cross_entropy_and_mse():
    net = _mlp()
    x, ce = np.random.default_rng(6).normal(size=12), get_loss("cross_entropy")
    e = explain_loss(net, x, 2, ce)
    _c, value, outs, _g = _engine_pass(net, x, 2, ce)
    assert e.value == pytest.approx(value, abs=1e-12)
    np.testing.assert_allclose(e.probabilities, net.forward(x[None])[0], atol=1e-12)
    assert e.value == pytest.approx(-np.log(e.probabilities[2]), abs=1e-12)
    mse = get_loss("mse")
    reg = Network(chain_spec((12,), [("Dense", {"units": 2, "activation": "linear"})]),
                  dtype=np.float64)
    y = np.array([0.5, -1.0])
    e = explain_loss(reg, x, y, mse)
    copy = clone_network(reg)
    value, _o, _g = forward_backward(copy, x[None], y[None], mse)
    assert e.value == pytest.approx(value, abs=1e-12)
    assert np.mean(e.terms) == pytest.approx(value, abs=1e-12)


def _sequence_net(kind):
    layers = [(kind, {"units": 4, "return_sequences": False}),
              ("Dense", {"units": 3, "activation": "softmax"})]
    net = Network(chain_spec((5, 3), layers, kind="sequence"), dtype=np.float64, seed=2)
    rng = np.random.default_rng(8)
    net.flat[...] = rng.normal(0, 0.6, net.flat.shape)
    return net


@pytest.mark.parametrize("kind", ["SimpleRNN", "LSTM", "GRU"])
@pytest.mark.parametrize("step", [0, 2, 4])
def test_recurrent_step_is_the_engines(kind, step):
    net = _sequence_net(kind)
    x, loss = np.random.default_rng(7).normal(size=(5, 3)), get_loss("cross_entropy")
    e = explain_recurrent(net, "l0", 1, step, x, 2, loss)
    copy, _v, outs, _g = _engine_pass(net, x, 2, loss)
    inside = copy.nodes[0].layer.internals(sample=0)
    assert e.h == pytest.approx(inside["hidden"][step, 1], abs=1e-12)
    if step == 4:
        assert e.h == pytest.approx(outs["l0"][0, 1], abs=1e-12)
    for g in e.gates:
        value = activation_forward(g.function, np.array([g.pre]))[0][0]
        assert g.value == pytest.approx(value, abs=1e-12), g.symbol
        assert g.pre == pytest.approx(g.x_part + g.h_part + g.bias)
    gates = {g.symbol: g.value for g in e.gates}
    if kind == "LSTM":
        assert e.c == pytest.approx(gates["f"] * e.c_prev + gates["i"] * gates["g"])
        assert e.h == pytest.approx(gates["o"] * np.tanh(e.c))
    if kind == "GRU":
        assert e.h == pytest.approx((1 - gates["z"]) * gates["n"] + gates["z"] * e.h_prev)


@pytest.mark.parametrize("kind", ["SimpleRNN", "LSTM", "GRU"])
def test_recurrent_gate_gradients_are_the_engines(kind):
    """At the last step of a last-state layer, ∂L/∂pre follows from ∂L/∂h_T alone (no
    later step feeds back): check it against the chain rule on the engine's ∂L/∂h."""
    net = _sequence_net(kind)
    x, loss = np.random.default_rng(7).normal(size=(5, 3)), get_loss("cross_entropy")
    e = explain_recurrent(net, "l0", 2, 4, x, 1, loss)
    _c, _v, _o, grads = _engine_pass(net, x, 1, loss)
    dh = grads["l0"][0, 2]
    g = {q.symbol: q for q in e.gates}
    if kind == "SimpleRNN":
        assert g["h"].grad == pytest.approx(dh * (1 - e.h ** 2), abs=1e-12)
    elif kind == "LSTM":
        tc = np.tanh(e.c)
        assert g["o"].grad == pytest.approx(dh * tc * g["o"].value * (1 - g["o"].value))
        dc = dh * g["o"].value * (1 - tc ** 2)
        assert g["g"].grad == pytest.approx(dc * g["i"].value * (1 - g["g"].value ** 2))
    else:
        z, n = g["z"].value, g["n"].value
        assert g["z"].grad == pytest.approx(dh * (e.h_prev - n) * z * (1 - z))
        assert g["n"].grad == pytest.approx(dh * (1 - z) * (1 - n ** 2))
