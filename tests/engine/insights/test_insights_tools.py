"""After-training reports, decision maps, one-sample inspection, edit-time previews and
the calibration estimate."""
import numpy as np
import pytest

from engine.data.dataset import Dataset
from engine.kernels.activations import softmax
from engine.insights import (BoundaryGrid, classification_report, decision_grid, estimate,
                             evaluate_network, preview_design, regression_report, sample_from,
                             try_sample)
from engine.insights.calibration import available_memory
from engine.network import Network
from engine.spec import NetworkSpec

from ..helpers import chain_spec, spirals

CLASSIFIER = chain_spec((2,), [("Dense", {"units": 8, "activation": "tanh"}),
                               ("Dense", {"units": 3, "activation": "softmax"})])


# ---- evaluation ----------------------------------------------------------------------------
def test_confusion_cells_know_their_samples():
    true = np.array([0, 0, 1, 1, 1, 2, 2, 0])
    pred = np.array([0, 1, 1, 1, 0, 2, 1, 0])
    r = classification_report(true, pred, class_names=("a", "b", "c"))
    np.testing.assert_array_equal(r.confusion, [[2, 1, 0], [1, 2, 0], [0, 1, 1]])
    np.testing.assert_array_equal(r.cell(0, 0), [0, 7])
    np.testing.assert_array_equal(r.cell(2, 1), [6])
    assert r.cell(2, 0).size == 0
    np.testing.assert_allclose(r.precision, [2 / 3, 2 / 4, 1.0])
    np.testing.assert_allclose(r.recall, [2 / 3, 2 / 3, 1 / 2])
    np.testing.assert_allclose(r.f1, [2 / 3, 2 * 0.5 * (2 / 3) / (0.5 + 2 / 3), 2 / 3])
    np.testing.assert_array_equal(r.support, [3, 3, 2])
    assert r.accuracy == pytest.approx(5 / 8) and r.class_names == ("a", "b", "c")
    every = np.concatenate([r.cell(i, j) for i in range(3) for j in range(3)])
    np.testing.assert_array_equal(np.sort(every), np.arange(8))


def test_report_from_scores_and_per_step_labels():
    probs = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]])
    r = classification_report(np.array([0, 0, 1]), probs)
    np.testing.assert_array_equal(r.confusion, [[1, 1], [1, 0]])
    assert np.isnan(r.precision).sum() == 0 and r.recall[1] == 0 and r.f1[1] == 0
    one_unit = classification_report(np.array([1, 0, 1]), np.array([[0.7], [0.2], [0.4]]))
    np.testing.assert_array_equal(one_unit.confusion, [[1, 0], [1, 1]])
    steps = classification_report(np.array([[0, 1, 1], [1, 1, 0]]),
                                  np.array([[0, 1, 0], [1, 0, 0]]), n_classes=3)
    samples, where = steps.positions(1, 0)
    np.testing.assert_array_equal(samples, [0, 1])
    np.testing.assert_array_equal(where, [2, 1])
    np.testing.assert_array_equal(steps.cell_samples(1, 0), [0, 1])
    assert np.isnan(steps.precision[2]) and np.isnan(steps.recall[2])  # class 2 never seen
    assert not np.isnan(steps.macro()["recall"])


def test_regression_report():
    true = np.array([[1.0, 0.0], [2.0, 1.0], [3.0, 2.0], [4.0, 3.0]])
    pred = true + np.array([[0.1, 0.0], [-0.1, 0.0], [0.1, 0.0], [-0.1, 1.0]])
    r = regression_report(true, pred)
    ss_tot = ((true - true.mean(0)) ** 2).sum(0)
    ss_res = ((true - pred) ** 2).sum(0)
    np.testing.assert_allclose(r.r2, 1 - ss_res / ss_tot)
    assert r.r2_mean == pytest.approx(np.mean(1 - ss_res / ss_tot))
    assert r.mse == pytest.approx(((true - pred) ** 2).mean())
    assert r.true.shape == r.predicted.shape == (4, 2)
    assert np.isnan(regression_report(np.ones(3), np.arange(3.0)).r2[0])


def test_evaluate_network_matches_its_predictions():
    data = spirals(50)
    data = Dataset(data.x, np.arange(50) % 3, "classification")
    net = Network(CLASSIFIER, seed=2)
    r = evaluate_network(net, data)
    pred = net.predict(data.x).argmax(1)
    assert r.accuracy == pytest.approx(np.mean(pred == data.y))
    assert r.confusion.sum() == 50 and r.n_classes == 3
    lin = Network(chain_spec((2,), [("Dense", {"units": 1, "activation": "linear"})]))
    reg = Dataset(data.x, data.x[:, :1] * 2, "regression")
    assert evaluate_network(lin, reg).predicted.shape == (50, 1)


# ---- decision maps ------------------------------------------------------------------------
def test_decision_grid_matches_the_network_on_the_grid_points():
    data = spirals(100)
    net = Network(CLASSIFIER, seed=1)
    m = decision_grid(net, data.x, resolution=30, margin=0.2)
    assert m.classes.shape == (30, 30) and m.probabilities.shape == (30, 30, 3)
    lo, hi = data.x.min(0), data.x.max(0)
    assert m.xs[0] == pytest.approx(lo[0] - 0.2 * (hi[0] - lo[0]))
    assert m.ys[-1] == pytest.approx(hi[1] + 0.2 * (hi[1] - lo[1]))
    for i, j in [(0, 0), (3, 17), (29, 5), (12, 29)]:  # row i is y, column j is x
        p = net.predict(np.array([[m.xs[j], m.ys[i]]]))[0]
        np.testing.assert_allclose(m.probabilities[i, j], p, rtol=1e-5, atol=1e-6)
        assert m.classes[i, j] == p.argmax() and m.confidence[i, j] == pytest.approx(p.max())


def test_decision_grid_logits_transform_binary_and_functions():
    data = spirals(60)
    logits = Network(chain_spec((2,), [("Dense", {"units": 3, "activation": "linear"})]))
    grid = BoundaryGrid(data.x, resolution=8, transform=lambda p: p * 2)
    m = grid.evaluate(logits, loss="cross_entropy")
    expected = softmax(logits.predict(grid.points))
    np.testing.assert_allclose(m.probabilities.reshape(-1, 3), expected, rtol=1e-5)
    np.testing.assert_allclose(grid.points[:, 0].reshape(8, 8)[0], grid.xs * 2)
    binary = Network(chain_spec((2,), [("Dense", {"units": 1, "activation": "sigmoid"})]))
    b = decision_grid(binary, data.x, 8)
    assert b.probabilities.shape == (8, 8, 2)
    np.testing.assert_array_equal(b.classes, (b.probabilities[..., 1] > 0.5).astype(int))
    f = decision_grid(lambda p: np.stack([p[:, 0] > 0, p[:, 0] <= 0], 1) * 1.0, data.x, 8)
    np.testing.assert_array_equal(f.classes[0], (f.xs <= 0).astype(int))
    linear = chain_spec((2,), [("Dense", {"units": 1, "activation": "linear"})])
    reg = decision_grid(Network(linear), data.x, 8)
    assert reg.classes is None and reg.values.shape == (8, 8, 1)
    with pytest.raises(ValueError, match="two input features"):
        BoundaryGrid(np.zeros((5, 3)))


# ---- one sample ----------------------------------------------------------------------------
def test_try_sample_gives_probabilities_and_every_layer():
    net = Network(CLASSIFIER, seed=3)
    x = np.array([0.3, -0.2], np.float32)
    r = try_sample(net, x, class_names=("a", "b", "c"))
    p = net.predict(x[None])[0]
    np.testing.assert_allclose(r.probabilities, p, rtol=1e-6)
    assert r.predicted == p.argmax() and r.top[0] == (int(p.argmax()), "abc"[p.argmax()],
                                                    pytest.approx(float(p.max())))
    assert set(r.activations) == {"in", "l0", "l1"} and r.activations["l0"].shape == (8,)
    np.testing.assert_allclose(r.activations["l1"], p, rtol=1e-6)
    logits = Network(chain_spec((2,), [("Dense", {"units": 4, "activation": "linear"})]))
    r2 = try_sample(logits, x, loss="cross_entropy")
    assert r2.probabilities.sum() == pytest.approx(1.0)
    data = Dataset(np.ones((3, 2), np.float32), np.array([0, 2, 1]), "classification")
    assert sample_from(data, 1, net).target == 2
    reg = try_sample(Network(chain_spec((2,), [("Dense", {"units": 2, "activation": "linear"})])),
                     x, task="regression")
    assert reg.probabilities is None and reg.output.shape == (2,)


# ---- edit-time preview ---------------------------------------------------------------------
def test_preview_of_a_valid_design_uses_the_training_start_weights():
    x = np.array([0.5, -1.0], np.float32)
    p = preview_design(CLASSIFIER, x, seed=4)
    assert p.ok and list(p.layers) == ["in", "l0", "l1"]
    net = Network(CLASSIFIER, seed=4)
    net.forward(x[None], keep=True)
    for key in ("l0", "l1"):
        np.testing.assert_array_equal(p.layers[key].output, net.outputs[key][0])
    assert p.layers["l1"].shape == (3,) and p.layers["l1"].summary["max"] <= 1


def test_preview_of_a_broken_design_reports_per_layer():
    spec = NetworkSpec.from_dict({"version": 1, "layers": [
        {"id": "in", "type": "Input", "name": "input", "config": {"shape": [2]}},
        {"id": "a", "type": "Dense", "name": "a", "config": {"units": 4}},
        {"id": "conv", "type": "Conv2D", "name": "conv", "config": {}},
        {"id": "after", "type": "Dense", "name": "after", "config": {"units": 2}},
        {"id": "lost", "type": "Dense", "name": "lost", "config": {"units": 2}},
    ], "edges": [{"from": "in", "to": "a"}, {"from": "a", "to": "conv"},
                 {"from": "conv", "to": "after"}]})
    p = preview_design(spec, np.zeros(2, np.float32))
    assert not p.ok and p.problems
    assert p.layers["a"].output.shape == (4,) and p.layers["a"].error is None
    assert "needs an image" in p.layers["conv"].error and p.layers["conv"].output is None
    assert "Waits for 'conv'" in p.layers["after"].error
    assert "no input" in p.layers["lost"].error or "not connected" in p.layers["lost"].error
    wrong = preview_design(CLASSIFIER, np.zeros(5))
    assert "expects (2,)" in wrong.layers["in"].error and wrong.layers["l0"].output is None


def test_preview_places_a_runtime_failure_on_its_layer():
    spec = chain_spec((4,), [("Embedding", {"vocab_size": 5, "dim": 3}),
                             ("Flatten", {}), ("Dense", {"units": 2})], kind="tokens")
    p = preview_design(spec, np.array([1, 2, 9, 0]))
    assert "token id 9" in p.layers["l0"].error and p.layers["l2"].output is None
    assert p.layers["in"].error is None
    assert preview_design(spec, np.array([1, 2, 3, 0])).layers["l2"].output.shape == (2,)


# ---- calibration ---------------------------------------------------------------------------
def test_estimate_measures_time_and_memory():
    data = spirals(400)
    spec = chain_spec((2,), [("Dense", {"units": 256, "activation": "relu"}),
                             ("Dense", {"units": 2, "activation": "softmax"})])
    settings = {"batch_size": 50, "epochs": 10, "optimizer": "adam"}
    est = estimate(spec, data, settings, batches=3)
    assert est.batches_per_epoch == 8 and est.measured_batches == 3
    assert 0 < est.seconds_per_batch < 0.5
    assert est.seconds_per_epoch == pytest.approx(8 * est.seconds_per_batch)
    assert est.seconds_total == pytest.approx(10 * est.seconds_per_epoch)
    params = Network(spec).param_count * 4
    assert est.breakdown["weights"] == params and est.breakdown["optimizer"] >= 2 * params
    # Activations of a 50-sample batch through 256 relu units: forward, masks, gradients.
    assert est.breakdown["activations"] >= 50 * 256 * 4
    assert est.bytes_per_batch == sum(est.breakdown.values()) < 50 * 2**20
    assert est.fits and est.warning is None
    bigger = estimate(spec, data, {**settings, "batch_size": 200}, batches=1)
    assert bigger.breakdown["activations"] > 2 * est.breakdown["activations"]


def test_estimate_warns_when_the_plan_does_not_fit():
    data = spirals(200)
    est = estimate(CLASSIFIER, data, {"batch_size": 20, "epochs": 100_000}, batches=2,
                   available_bytes=1000, epoch_seconds_limit=0.0)
    assert not est.fits and "lower the batch size (now 20)" in est.warning
    assert "An epoch will take about" in est.warning and "100000 epochs" in est.warning
    assert available_memory() is None or available_memory() > 0


def test_estimate_suggests_the_pytorch_backend_for_long_epochs_with_a_gpu(monkeypatch):
    from engine.insights import calibration

    monkeypatch.setattr(calibration, "TORCH_SUGGEST_SECONDS", 0.0)  # every epoch is "long"
    data = spirals(200)
    settings = {"batch_size": 20, "epochs": 2}
    with_gpu = estimate(CLASSIFIER, data, settings, batches=1, gpu=True)
    assert "this machine has a GPU" in with_gpu.suggestion and "torch" in with_gpu.suggestion
    assert estimate(CLASSIFIER, data, settings, batches=1, gpu=False).suggestion is None
    monkeypatch.setattr(calibration, "torch_available", lambda: False)
    assert "pip install" in estimate(CLASSIFIER, data, settings, batches=1, gpu=True).suggestion
    monkeypatch.setattr(calibration, "TORCH_SUGGEST_SECONDS", 600.0)
    assert estimate(CLASSIFIER, data, settings, batches=1, gpu=True).suggestion is None
