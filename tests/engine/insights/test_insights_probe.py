"""The training probe: what a snapshot holds, that it agrees with the network, and that
probing never changes a run."""
import numpy as np
import pytest

from engine.data.dataset import Dataset
from engine.events import BatchEnd
from engine.insights import Probe, histogram, image_grid, probe_batch
from engine.insights.common import clone_network, forward_backward
from engine.losses import get_loss
from engine.network import Network
from engine.run import train

from ..helpers import chain_spec, spirals

MLP = [("Dense", {"units": 16, "activation": "relu"}), ("BatchNorm", {}),
       ("Dropout", {"rate": 0.3}), ("Dense", {"units": 8, "activation": "tanh"}),
       ("Dense", {"units": 2, "activation": "softmax"})]
CNN = [("Conv2D", {"filters": 40, "kernel_size": [3], "activation": "relu"}),
       ("MaxPool2D", {}), ("Flatten", {}), ("Dense", {"units": 3, "activation": "softmax"})]


def _images(n=48, seed=0):
    rng = np.random.default_rng(seed)
    return Dataset(rng.normal(size=(n, 2, 6, 6)).astype(np.float32),
                   rng.integers(0, 3, n), "classification", input_kind="image")


def _sequences(n=40, t=7, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, t, 3)).astype(np.float32)
    return Dataset(x, x[:, :2, 0].sum(1, keepdims=True), "regression", input_kind="sequence")


def _losses(spec, data, settings, how=None):
    """Batch losses of a run, probing after every step by ``poll`` or ``snapshot``."""
    net = Network(spec, seed=0)
    x, y, _ = probe_batch(data, 16)
    probe = Probe(net, x, y, task=data.task, every_ms=0, every_steps=1)
    losses, snaps = [], []
    for event in train(net, data, None, settings):
        if isinstance(event, BatchEnd):
            losses.append(event.loss)
            if how == "poll":
                snaps.append(probe.poll(event.step))
            elif how == "snapshot":
                snaps.append(probe.snapshot(event.step))
    return losses, net, [s for s in snaps if s is not None]


@pytest.mark.parametrize("spec,data", [
    (chain_spec((2,), MLP), spirals(96)),
    (chain_spec((7, 3), [("LSTM", {"units": 6}), ("Dense", {"units": 1, "activation": "linear"})],
                kind="sequence"), _sequences()),
])
def test_probing_every_step_leaves_training_bit_identical(spec, data):
    settings = {"epochs": 2, "batch_size": 16, "seed": 3}
    plain, net_a, _ = _losses(spec, data, settings)
    for how in ("poll", "snapshot"):
        probed, net_b, snaps = _losses(spec, data, settings, how)
        assert len(snaps) >= len(plain) - 1  # it really probed, every step
        assert probed == plain
        np.testing.assert_array_equal(net_a.flat, net_b.flat)
        for a, b in zip(net_a.nodes, net_b.nodes):
            for name in a.layer.state:
                np.testing.assert_array_equal(a.layer.state[name], b.layer.state[name])


def test_snapshot_agrees_with_an_independent_pass():
    data = spirals(64)
    net = Network(chain_spec((2,), MLP), seed=1)
    probe = Probe(net, data.x, data.y, task="classification", bins=20)
    snap = probe.snapshot(step=7)
    ref = clone_network(net)
    loss, outputs, grads = forward_backward(ref, ref.prepare_input(data.x), data.y,
                                            get_loss("cross_entropy"))
    assert snap.step == 7 and snap.n_samples == 64 and snap.loss == pytest.approx(loss)
    assert list(snap.layers) == ["l0", "l1", "l2", "l3", "l4"]
    dense = snap.layers["l0"]
    assert dense.type == "Dense" and dense.activation == "relu" and dense.output_shape == (16,)
    np.testing.assert_array_equal(dense.activations.counts,
                                  np.histogram(outputs["l0"], 20)[0])
    assert dense.gradients.total == grads["l0"].size
    assert dense.output_grad_norm == pytest.approx(np.linalg.norm(grads["l0"]), rel=1e-5)
    w = dense.params["W"]
    assert w.shape == (2, 16) and w.values.total == 32 and w.grads.total == 32
    assert w.norm == pytest.approx(np.linalg.norm(net.nodes[0].layer.params["W"]), rel=1e-6)
    assert w.grad_norm == pytest.approx(np.linalg.norm(ref.nodes[0].layer.grads["W"]), rel=1e-5)
    all_grads = [np.linalg.norm(ref.nodes[0].layer.grads[k]) for k in ("W", "b")]
    assert dense.grad_norm == pytest.approx(np.hypot(*all_grads), rel=1e-5)
    assert dense.update_ratio is None and snap.update_steps == 0  # nothing to compare yet
    out = snap.layers["l4"]  # probabilities, as inference gives them (softmax put back)
    assert out.activations.low >= 0 and out.activations.high <= 1
    assert snap.layers["l2"].params == {} and snap.layers["l2"].grad_norm is None
    assert not dense.activations.counts.flags.writeable


def test_without_targets_there_are_no_gradients():
    data = spirals(32)
    snap = Probe(Network(chain_spec((2,), MLP)), data.x).snapshot()
    view = snap.layers["l0"]
    assert snap.loss is None and view.gradients is None and view.grad_norm is None
    assert view.params["W"].grads is None and view.activations.total == 32 * 16


def test_update_ratio_is_one_optimizer_step():
    data = spirals(64)
    net = Network(chain_spec((2,), MLP[:1] + MLP[-1:]), seed=0)
    probe = Probe(net, data.x, data.y, task="classification", every_ms=0, every_steps=3)
    before = snap = None
    for event in train(net, data, None, {"epochs": 3, "batch_size": 16, "optimizer": "sgd",
                                         "learning_rate": 0.5}):
        if isinstance(event, BatchEnd):
            snap = probe.poll(event.step)
            if snap is not None:
                break
            if probe._armed:
                before = net.flat.copy()  # the weights the snapshot will compare with
    assert snap.update_steps == 1
    offset, size, _ = net.param_index["l0/W"]

    def ratio(old, steps):
        w = net.flat[offset:offset + size]
        return np.linalg.norm(w - old[offset:offset + size]) / np.linalg.norm(w) / steps

    assert snap.layers["l0"].params["W"].update_ratio == pytest.approx(ratio(before, 1), rel=1e-5)
    assert 0 < snap.layers["l0"].update_ratio < 1
    before = net.flat.copy()
    for event in train(net, data, None, {"epochs": 1, "batch_size": 16}):
        pass  # four more steps (a fresh optimizer: the probe only sees the weights)
    later = probe.snapshot(snap.step + 4)
    assert later.update_steps == 4
    assert later.layers["l0"].params["W"].update_ratio == pytest.approx(ratio(before, 4),
                                                                        rel=1e-5)


def test_poll_cadence_and_time_budget():
    data = spirals(16)
    probe = Probe(Network(chain_spec((2,), MLP)), data.x, data.y, task="classification",
                  every_ms=0, every_steps=4)
    got = [s.step for s in (probe.poll(i) for i in range(1, 14)) if s is not None]
    assert got == [2, 6, 10]  # armed the step before: 1, 5, 9
    every = Probe(Network(chain_spec((2,), MLP)), data.x, every_ms=0, every_steps=1)
    assert [s.update_steps for s in (every.poll(i) for i in range(1, 6)) if s] == [1] * 4
    timed = Probe(Network(chain_spec((2,), MLP)), data.x, every_ms=100, max_share=0.05)
    assert timed.due(0, now=1e6)
    timed._last_time, timed._last_cost = 1000.0, 0.02  # a 20 ms snapshot: wait 0.4 s
    assert not timed.due(0, now=1000.3) and timed.due(0, now=1000.41)
    assert Probe(Network(chain_spec((2,), MLP)), data.x, every_ms=0).due(5) is False


def test_conv_views_are_the_sample_maps_and_the_filters():
    data = _images()
    spec = chain_spec((2, 6, 6), CNN, kind="image")
    net = Network(spec, seed=0)
    snap = Probe(net, data.x, data.y, task="classification", sample=5,
                 max_channels=32).snapshot()
    conv = snap.layers["l0"]
    ref = clone_network(net)
    ref.forward(ref.prepare_input(data.x), keep=True)
    np.testing.assert_allclose(conv.feature_maps, ref.outputs["l0"][5, :32], rtol=1e-6)
    np.testing.assert_array_equal(conv.filters, net.nodes[0].layer.params["W"][:32])
    assert conv.filters.shape == (32, 2, 3, 3) and conv.stats.units == 40
    pool = snap.layers["l1"]
    assert pool.feature_maps.shape == (32, 3, 3) and pool.filters is None
    assert snap.layers["l2"].feature_maps is None
    grid = image_grid(conv.feature_maps[:6], columns=3)
    assert grid.shape == (2 * 6 + 1, 3 * 6 + 2) and np.isnan(grid[6]).all()
    assert np.nanmin(grid) == 0 and np.nanmax(grid) == 1


def test_recurrent_views_in_a_snapshot():
    data = _sequences()
    spec = chain_spec((7, 3), [("GRU", {"units": 6, "return_sequences": True}),
                               ("LSTM", {"units": 5}),
                               ("Dense", {"units": 1, "activation": "linear"})], kind="sequence")
    net = Network(spec)
    snap = Probe(net, data.x, data.y, task="regression", max_units=4, sample=2).snapshot()
    gru, lstm = snap.layers["l0"], snap.layers["l1"]
    ref = clone_network(net)
    ref.forward(ref.prepare_input(data.x), keep=True)
    np.testing.assert_allclose(gru.hidden, ref.outputs["l0"][2, :, :4], rtol=1e-6)
    np.testing.assert_allclose(lstm.hidden[-1], ref.outputs["l1"][2, :4], rtol=1e-6)
    assert gru.hidden.shape == (7, 4) and set(gru.gates) == {"reset", "update", "new"}
    assert set(lstm.gates) == {"input", "forget", "candidate", "output", "cell"}
    assert lstm.step_grad_norms.shape == (7,) and np.all(lstm.step_grad_norms > 0)
    assert snap.layers["l2"].hidden is None and snap.layers["l2"].gates == {}
    for a in (gru.hidden, gru.gates["new"], lstm.step_grad_norms):
        assert not a.flags.writeable  # safe to hand to the GUI thread


def test_histogram_matches_numpy_and_counts_nonfinite_values():
    rng = np.random.default_rng(0)
    a = rng.normal(size=5000).astype(np.float32)
    h = histogram(a, 24)
    counts, edges = np.histogram(a, 24)
    np.testing.assert_allclose(h.edges, edges, rtol=1e-5)  # NumPy: float32 edges
    assert np.abs(h.counts - counts).sum() <= 2 and h.total == 5000
    b = np.array([1.0, np.nan, np.inf, 3.0, -np.inf])
    hb = histogram(b, 4)
    assert hb.nonfinite == 3 and hb.counts.sum() == 2 and (hb.low, hb.high) == (1.0, 3.0)
    assert histogram(np.full(5, 2.0), 4).counts.sum() == 5
    assert histogram(np.zeros(0), 4).total == 0


def test_a_sample_requested_during_training_arrives_with_the_next_snapshot():
    data = spirals(64)
    net = Network(chain_spec((2,), MLP), seed=0)
    probe = Probe(net, data.x, data.y, task="classification", every_ms=0)
    assert probe.poll(1) is None
    probe.request_sample(data.x[3], target=int(data.y[3]), class_names=("a", "b"))
    assert probe.poll(2) is None  # armed
    snap = probe.poll(3)
    expected = clone_network(net).predict(data.x[3:4])[0]
    np.testing.assert_allclose(snap.tried.probabilities, expected, rtol=1e-5)
    assert snap.tried.target == data.y[3] and snap.tried.top[0][1] in ("a", "b")
    assert set(snap.tried.activations) == {"in", "l0", "l1", "l2", "l3", "l4"}
    assert probe.poll(4) is None and probe.poll(5) is None  # answered once
