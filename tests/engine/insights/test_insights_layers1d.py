"""The Inside views on networks with the 1-D layers, the global max pools and Multiply:
probe snapshot, health, step-through, explain a unit and the gradient check run on
them, and their numbers are the engine's."""
import numpy as np
import pytest

from engine.data.dataset import Dataset
from engine.data.prepare import PreparedData, dataset_info
from engine.insights import Probe, assess
from engine.insights.attribution import attribute
from engine.insights.common import clone_network, forward_backward
from engine.insights.explain import ExplainError
from engine.insights.explain_conv import explain_conv1d
from engine.insights.gradcheck import check_gradients
from engine.insights.stepthrough import step_through
from engine.losses import get_loss
from engine.network import Network
from tests.engine.helpers import chain_spec
from tests.engine.io.export_cases import graph

SEQUENCE_NET = graph((14, 3), "sequence", [
    ("conv", "Conv1D", {"filters": 4, "kernel_size": 3, "activation": "tanh"}),
    ("gate", "Conv1D", {"filters": 4, "kernel_size": 2, "stride": 1, "activation": "sigmoid"}),
    ("mul", "Multiply", {}),
    ("mp", "MaxPool1D", {"pool_size": 2}),
    ("c2", "Conv1D", {"filters": 5, "kernel_size": 3, "dilation": 2, "padding": "valid"}),
    ("ap", "AvgPool1D", {"pool_size": 2, "padding": "same"}),
    ("gmp", "GlobalMaxPool1D", {}),
    ("gap", "GlobalAveragePool1D", {}),
    ("join", "Concatenate", {}),
    ("out", "Dense", {"units": 3, "activation": "softmax"}),
], [("input", "conv"), ("input", "gate"), ("conv", "mul"), ("gate", "mul"), ("mul", "mp"),
    ("mp", "c2"), ("c2", "ap"), ("ap", "gmp"), ("ap", "gap"), ("gmp", "join"),
    ("gap", "join"), ("join", "out")])

IMAGE_NET = chain_spec((2, 6, 6), [("Conv2D", {"filters": 3}), ("GlobalMaxPool2D", {}),
                                   ("Dense", {"units": 3, "activation": "softmax"})], "image")


def _data(shape, n=24, seed=0):
    rng = np.random.default_rng(seed)
    kind = "sequence" if len(shape) == 2 else "image"
    return Dataset(rng.normal(size=(n,) + shape), np.arange(n) % 3, "classification",
                   input_kind=kind)


@pytest.mark.parametrize("spec, shape", [(SEQUENCE_NET, (14, 3)), (IMAGE_NET, (2, 6, 6))],
                         ids=["sequence", "image"])
def test_probe_health_step_through_and_gradcheck_run_on_the_new_layers(spec, shape):
    data = _data(shape)
    net = Network(spec, dtype=np.float64, seed=1)
    snap = Probe(net, data.x, data.y, task="classification").snapshot(step=1)
    types = {view.type for view in snap.layers.values()}
    new = {"Conv1D", "Multiply", "MaxPool1D", "AvgPool1D", "GlobalMaxPool1D",
           "GlobalAveragePool1D"} if len(shape) == 2 else {"GlobalMaxPool2D"}
    assert new <= types
    ref = clone_network(net)
    _loss, outs, grads = forward_backward(ref, ref.prepare_input(data.x), data.y,
                                          get_loss("cross_entropy"))
    for layer_id, view in snap.layers.items():
        if view.type in new:
            assert view.output_shape == outs[layer_id].shape[1:]
            assert view.activations.total == outs[layer_id].size
            assert view.output_grad_norm == pytest.approx(np.linalg.norm(grads[layer_id]))
    for layer_id, view in snap.layers.items():
        if view.type == "Conv1D":
            assert view.stats.units == view.output_shape[-1]  # units are the filters
            w = next(n.layer for n in net.nodes if n.id == layer_id).params["W"]
            np.testing.assert_array_equal(view.filters[:, :, 0], w.astype(np.float32))
        if view.type in ("Conv1D", "MaxPool1D", "AvgPool1D"):  # each channel over time
            np.testing.assert_allclose(view.feature_maps[:, 0], outs[layer_id][0].T, rtol=1e-6)
        elif view.type != "GlobalMaxPool2D" and len(view.output_shape) != 3:
            assert view.feature_maps is None
    assert assess(snap)  # health badges for every layer, none raises
    prepared = PreparedData(data, data, data, None, dataset_info(data))
    result = step_through(spec, prepared, {"batch_size": 8})
    assert {p.kind for p in result.phases} >= {"forward", "loss", "backward", "update"}
    assert any(p.kind == "update" and p.update_norm > 0 for p in result.phases)
    check = check_gradients(spec, None, data.x[:4], data.y[:4], get_loss("cross_entropy"))
    assert check.passed, [(r.name, r.max_error) for r in check.layers]
    # Rows are the weights and the input gradient, which flows through every layer.
    assert {"Input", "Dense"} | (new & {"Conv1D"}) <= {r.type for r in check.layers}
    seen = attribute(clone_network(net), data.x[0], classify=True)
    assert seen is not None and seen.kind == ("sequence" if len(shape) == 2 else "image")
    values = seen.values if len(shape) == 2 else seen.occlusion
    assert values.shape == (shape[:1] if len(shape) == 2 else shape[1:])
    assert np.all(np.isfinite(values)) and np.any(values != 0)


@pytest.mark.parametrize("config", [
    {"filters": 3, "kernel_size": 3, "activation": "tanh"},
    {"filters": 2, "kernel_size": 2, "stride": 2, "padding": "same", "activation": "sigmoid"},
    {"filters": 3, "kernel_size": 3, "dilation": 2, "padding": 1, "activation": "relu"},
])
def test_conv1d_step_is_the_engines(config):
    layers = [("Conv1D", config), ("Flatten", {}), ("Dense", {"units": 2, "activation": "softmax"})]
    net = Network(chain_spec((7, 2), layers, kind="sequence"), dtype=np.float64, seed=1)
    x, loss = np.random.default_rng(5).normal(size=(7, 2)), get_loss("cross_entropy")
    copy = clone_network(net)
    _v, outs, grads = forward_backward(copy, x[None], np.array([1]), loss)
    layer = copy.nodes[0].layer
    to, f = outs["l0"].shape[1:]
    layer.skip_activation = True
    z_all = layer.forward([x[None]])[0]
    shares = np.zeros(layer.params["W"].shape)
    k = config["kernel_size"]
    for step in range(to):
        e = explain_conv1d(net, "l0", 1, step, x, 1, loss, top=2 * k)
        assert e.rest_count == 0 and e.layer_type == "Conv1D"
        assert e.z == pytest.approx(z_all[step, 1], abs=1e-12)
        assert e.a == pytest.approx(outs["l0"][0, step, 1], abs=1e-12)
        assert e.dl_da == pytest.approx(grads["l0"][0, step, 1], abs=1e-14)
        for t in e.terms:
            shares[t.index] += t.grad
    # The per-step shares of ∂L/∂W add up to the engine's filter gradient.
    np.testing.assert_allclose(shares[1], layer.grads["W"][1], atol=1e-12)


def test_explaining_a_layer_without_units_says_why():
    net = Network(SEQUENCE_NET, dtype=np.float64)
    x = np.zeros((14, 3))
    with pytest.raises(ExplainError, match="MaxPool1D 'mp' is not a Conv1D layer"):
        explain_conv1d(net, "mp", 0, 0, x)
    with pytest.raises(ExplainError, match="outputs 14 steps of 4 channels"):
        explain_conv1d(net, "conv", 4, 0, x)
