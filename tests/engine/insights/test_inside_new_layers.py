"""The inside views on networks with Conv2DTranspose, UpSampling2D and LayerNorm, and on
an autoencoder's image output: the probe's snapshot and health, the first step walked
through, explain a unit (or a clear refusal), the whole-design gradient check, trying a
sample with its attributions, and the evaluation report."""
from pathlib import Path

import numpy as np
import pytest

from engine.data import prepare
from engine.data.dataset import Dataset
from engine.data.prepare import PreparedData
from engine.insights import Probe, assess, evaluate_network, probe_batch, try_sample
from engine.insights.explain import ExplainError, explain_dense
from engine.insights.explain_conv import explain_conv
from engine.insights.gradcheck import check_project
from engine.insights.stepthrough import step_through
from engine.losses import get_loss
from engine.network import Network
from engine.project import Project, load_project

from ..helpers import chain_spec

AUTOENCODER = Path(__file__).parents[3] / "resources" / "examples" / "conv_autoencoder.ncproj"
NEW = ("Conv2DTranspose", "UpSampling2D", "LayerNorm")


@pytest.fixture(scope="module")
def autoencoder():
    project = load_project(AUTOENCODER)
    return project, prepare(project.data, 0, base_dir=AUTOENCODER.parent)


def _sequence_net():
    """A LayerNorm on a sequence and on vectors, between a GRU and Dense layers."""
    spec = chain_spec((6, 3), [("LayerNorm", {}), ("GRU", {"units": 5,
                                                           "return_sequences": True}),
                               ("LayerNorm", {"epsilon": 1e-3}), ("Flatten", {}),
                               ("Dense", {"units": 8, "activation": "tanh"}),
                               ("LayerNorm", {}),
                               ("Dense", {"units": 3, "activation": "softmax"})], "sequence")
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 6, 3)).astype(np.float32)
    y = (x[:, :, 0].sum(1) > 0).astype(np.int64) + (x[:, 0, 1] > 1)
    whole = Dataset(x, y, "classification", input_kind="sequence")
    parts = [whole.subset(np.arange(a, b)) for a, b in ((0, 40), (40, 50), (50, 60))]
    info = {"task": "classification", "n_classes": 3, "target_shape": [],
            "sample_shape": [6, 3], "input_kind": "sequence"}
    return spec, PreparedData(*parts, None, info)


def test_probe_snapshot_and_health_cover_every_new_layer(autoencoder):
    project, data = autoencoder
    net = Network(project.spec, seed=0)
    x, y, _ = probe_batch(data.train, 16)
    snap = Probe(net, x, y, task="regression").snapshot(step=1)
    by_type = {v.type: v for v in snap.layers.values()}
    assert by_type["Conv2DTranspose"].output_shape == (16, 4, 4)
    assert by_type["Conv2DTranspose"].activation == "relu"
    assert by_type["Conv2DTranspose"].filters.shape == (16, 4, 3, 3)  # (F, C_in, kh, kw)
    np.testing.assert_array_equal(by_type["Conv2DTranspose"].filters[2, 1],
                                  net.weights()["decode1/W"][1, 2])
    assert by_type["UpSampling2D"].feature_maps.shape[1:] == (8, 8)
    assert by_type["Conv2DTranspose"].grad_norm > 0 and by_type["UpSampling2D"].params == {}
    health = assess(snap)
    assert set(health) == set(snap.layers)

    spec, seq = _sequence_net()
    net = Network(spec, seed=0)
    x, y, _ = probe_batch(seq.train, 16)
    snap = Probe(net, x, y, task="classification").snapshot(step=1)
    norms = [v for v in snap.layers.values() if v.type == "LayerNorm"]
    assert [v.output_shape for v in norms] == [(6, 3), (6, 5), (8,)]
    assert all(set(v.params) == {"gamma", "beta"} and v.grad_norm > 0 for v in norms)
    assert set(assess(snap)) == set(snap.layers)


@pytest.mark.parametrize("which", ["autoencoder", "sequence"])
def test_step_through_walks_the_new_layers_forward_back_and_updates(which, autoencoder):
    spec, data, settings = ((autoencoder[0].spec, autoencoder[1], autoencoder[0].training)
                            if which == "autoencoder" else (*_sequence_net(), {}))
    walk = step_through(spec, data, settings)
    types = {layer.id: layer.type for layer in spec.layers}
    for kind in ("forward", "backward"):
        seen = {types[p.layer] for p in walk.phases if p.kind == kind and p.layer}
        assert seen & set(NEW) == {t for t in types.values()} & set(NEW), kind
    updated = {types[p.layer] for p in walk.phases if p.kind == "update" and p.layer}
    assert updated & set(NEW) == {t for t in types.values()} & {"Conv2DTranspose",
                                                                "LayerNorm"}
    assert np.isfinite([p.loss for p in walk.phases if p.loss is not None]).all()


def test_explain_takes_apart_the_units_it_knows_and_refuses_the_transpose(autoencoder):
    project, data = autoencoder
    net = Network(project.spec, seed=0)
    x, y = data.test.x[0], data.test.y[0]
    e = explain_conv(net, "encode1", 2, 1, 2, x, y, get_loss("mse"))
    assert e.loss > 0 and np.isfinite(e.z)
    with pytest.raises(ExplainError, match="Conv2DTranspose 'decode1' is not a Conv2D"):
        explain_conv(net, "decode1", 0, 1, 1, x, y, get_loss("mse"))
    spec, seq = _sequence_net()
    net = Network(spec, seed=0, dtype=np.float64)
    dense = next(layer.id for layer in spec.layers if layer.type == "Dense")
    e = explain_dense(net, dense, 2, seq.train.x[0], int(seq.train.y[0]),
                      get_loss("cross_entropy"))
    assert np.isfinite(e.dl_dz)  # the gradient came back through the LayerNorm after it


def test_the_gradient_check_passes_on_both_designs(autoencoder):
    project, data = autoencoder
    for per_tensor in (6, 20):
        check, _ = check_project(project, data, per_tensor=per_tensor)
        assert check.passed, [(r.name, r.max_error) for r in check.layers]
    assert "Conv2DTranspose" in {r.type for r in check.layers}
    spec, seq = _sequence_net()
    check, _ = check_project(Project(spec, training={"seed": 0}), seq, per_tensor=6)
    assert check.passed, [(r.name, r.max_error) for r in check.layers]


def test_trying_a_sample_and_evaluating_an_image_output(autoencoder):
    project, data = autoencoder
    net = Network(project.spec, seed=0)
    result = try_sample(net, data.test.x[3], "regression", "mse", target=data.test.y[3])
    assert result.output.shape == (1, 8, 8) and result.probabilities is None
    why = result.attribution
    assert why.kind == "image" and why.saliency.shape == (8, 8)
    # The score is taken before the sigmoid, whose slope vanishes where it is sure.
    out = net.forward(net.prepare_input(data.test.x[3][None]), strip="sigmoid")
    assert why.score == f"the mean of the output image before its sigmoid " \
                        f"({float(out.mean()):.4g})"
    report = evaluate_network(net, data.test, "mse")
    true, pred = report.images
    assert true.shape == pred.shape == (24, 1, 8, 8)
    np.testing.assert_array_equal(true, data.test.y[:24])
    np.testing.assert_allclose(pred, net.predict(data.test.x[:24]), rtol=1e-6)
    assert report.true.shape == (len(data.test) * 64, 1)  # every pixel, one channel
    assert report.mse == pytest.approx(float(np.mean((net.predict(data.test.x)
                                                      - data.test.y) ** 2)), rel=1e-5)
