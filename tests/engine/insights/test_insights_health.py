"""Health badges: broken networks are flagged with reasons and suggestions, healthy ones
are not."""
from dataclasses import replace

import numpy as np

from engine.data.dataset import Dataset
from engine.events import BatchEnd, RunEnded
from engine.insights import Probe, assess, probe_batch, worst
from engine.network import Network
from engine.run import train

from ..helpers import chain_spec, spirals


def _trained_snapshot(spec, data, settings, steps):
    """A snapshot after ``steps`` optimizer steps, its update ratio over the last one."""
    net = Network(spec, seed=0)
    x, y, _ = probe_batch(data, 64)
    probe = Probe(net, x, y, task=data.task, every_ms=0)
    for event in train(net, data, None, {"epochs": 1000, "batch_size": 32, **settings}):
        if isinstance(event, BatchEnd) and event.step == steps - 1:
            probe.arm(event.step)
        elif isinstance(event, BatchEnd) and event.step == steps:
            return probe.snapshot(event.step)
        assert not isinstance(event, RunEnded), event.message
    raise AssertionError("the run ended early")


RELU = chain_spec((2,), [("Dense", {"units": 64, "activation": "relu"}),
                         ("Dense", {"units": 64, "activation": "relu"}),
                         ("Dense", {"units": 2, "activation": "softmax"})])


def test_a_healthy_network_has_no_badges():
    for spec in (RELU, chain_spec((2,), [("Dense", {"units": 32, "activation": "tanh"}),
                                         ("Dense", {"units": 2, "activation": "softmax"})])):
        snap = _trained_snapshot(spec, spirals(256), {"learning_rate": 0.003}, 30)
        health = assess(snap, lr=0.003)
        assert worst(health) == "ok", {k: h.badges for k, h in health.items()}
        assert all(h.badges == () and h.tooltip == "" for h in health.values())
        assert 1e-5 < health["l0"].figures["update_ratio"] < 0.1


def test_a_huge_learning_rate_kills_relus_and_is_flagged():
    snap = _trained_snapshot(RELU, spirals(256), {"optimizer": "sgd", "learning_rate": 10.0}, 20)
    health = assess(snap, lr=10.0)
    assert worst(health) == "bad"
    first = health["l0"]
    assert first.level == "bad" and any(b.startswith("dead ") for b in first.badges)
    i = next(i for i, b in enumerate(first.badges) if b.startswith("dead "))
    assert "never activate" in first.reasons[i]
    assert "lower the learning rate (now 10, try 1)" in first.suggestions[i]
    assert "leaky_relu" in first.suggestions[i] and first.figures["dead"] >= 0.6


def test_a_deep_sigmoid_stack_has_vanishing_gradients():
    layers = [("Dense", {"units": 32, "activation": "sigmoid"})] * 12
    spec = chain_spec((2,), layers + [("Dense", {"units": 2, "activation": "softmax"})])
    data = spirals(64)
    snap = Probe(Network(spec), data.x, data.y, task="classification").snapshot()
    health = assess(snap)
    assert health["l0"].level == "bad" and "vanishing gradient" in health["l0"].badges
    assert health["l0"].figures["relative_to_largest"] < 1e-5
    assert health["l12"].level == "ok"  # the output layer learns fine


def test_saturated_tanh_units_are_flagged():
    data = spirals(64)
    wide = Dataset(data.x * 500, data.y, "classification")
    spec = chain_spec((2,), [("Dense", {"units": 16, "activation": "tanh"}),
                             ("Dense", {"units": 2, "activation": "softmax"})])
    snap = Probe(Network(spec), wide.x, wide.y, task="classification").snapshot()
    health = assess(snap)
    assert any(b.startswith("saturated") for b in health["l0"].badges)
    assert health["l0"].figures["saturated"] >= 0.4
    assert health["l1"].level == "ok"  # a confident output layer is not "saturated"


def test_long_simple_rnn_vanishes_over_time():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 60, 4)).astype(np.float32)
    spec = chain_spec((60, 4), [("SimpleRNN", {"units": 16}),
                                ("Dense", {"units": 1, "activation": "linear"})], kind="sequence")
    snap = Probe(Network(spec), x, x[:, :3, 0].sum(1, keepdims=True), task="regression").snapshot()
    health = assess(snap)
    assert "vanishing over time" in health["l0"].badges
    assert health["l0"].figures["step_grad_ratio"] < 1e-5


def test_thresholds_on_doctored_figures():
    data = spirals(64)
    snap = Probe(Network(RELU), data.x, data.y, task="classification").snapshot(step=5)
    view = snap.layers["l1"]

    def judged(steps=1, **changes):
        doctored = replace(snap, update_steps=steps, layers={**snap.layers,
                                                             "l1": replace(view, **changes)})
        return assess(doctored, previous=snap)["l1"]

    assert judged(update_ratio=0.7).badges == ("big updates",)
    assert judged(update_ratio=0.7).level == "bad"
    assert judged(update_ratio=0.2).level == "warn"
    assert judged(update_ratio=1e-7).badges == ("tiny updates",)
    assert judged(steps=5, update_ratio=1e-7).badges == ()  # a lower bound: not judged
    assert judged(grad_norm=2e3 * view.weight_norm).badges[0] == "exploding gradient"
    assert judged(grad_norm=2e3 * view.weight_norm).level == "bad"
    grown = judged(grad_norm=500 * view.grad_norm)
    assert "growing gradient" in grown.badges or "exploding gradient" in grown.badges
    assert judged(grad_norm=0.0).badges == ("no gradient",)


def test_nan_weights_are_bad():
    data = spirals(32)
    net = Network(RELU)
    net.nodes[1].layer.params["W"][0, 0] = np.nan
    health = assess(Probe(net, data.x, data.y, task="classification").snapshot())
    assert health["l1"].level == "bad" and "NaN" in health["l1"].badges
