"""Explain's backward and update parts beyond Dense: a recurrent gate's ∂L/∂W and ∂L/∂U
shares (summed over the steps they are the engine's gradients) and its update; and the
update at the learning rate the schedule gives the next step, against what a real
resumed run does on that step."""
import numpy as np
import pytest

from engine.control import TrainControl
from engine.data import Dataset, PreparedData
from engine.data.prepare import dataset_info
from engine.events import BatchEnd, Checkpointed, RunResult
from engine.insights.common import clone_network, forward_backward
from engine.insights.explain import explain_dense, next_step_lr
from engine.insights.explain_recurrent import explain_recurrent
from engine.losses import get_loss
from engine.network import Network
from engine.run import make_job, run_job
from engine.settings import training_settings
from tests.engine.helpers import chain_spec

T, D, H = 5, 3, 4


def _sequence_net(kind):
    spec = chain_spec((T, D), [(kind, {"units": H}),
                               ("Dense", {"units": 3, "activation": "softmax"})],
                      kind="sequence")
    return Network(spec, dtype=np.float64, seed=5)


@pytest.mark.parametrize("kind", ["SimpleRNN", "LSTM", "GRU"])
def test_recurrent_shares_of_the_weight_gradients_sum_to_the_engines(kind):
    net = _sequence_net(kind)
    x, loss = np.random.default_rng(7).normal(size=(T, D)), get_loss("cross_entropy")
    copy = clone_network(net)
    forward_backward(copy, x[None], np.array([1]), loss)
    layer = copy.nodes[0].layer
    unit, every = 2, D + H
    sums: dict = {}
    for step in range(T):
        e = explain_recurrent(net, "l0", unit, step, x, 1, loss, top=every)
        for gate in e.gates:
            assert len(gate.terms) == every
            for t in gate.terms:
                assert t.product == pytest.approx(t.weight * t.input)
                assert t.grad == pytest.approx(gate.grad * t.input)
                param = "W" if t.label.startswith("x") else "U"
                sums[(param, t.index)] = sums.get((param, t.index), 0.0) + t.grad
    for (param, idx), total in sums.items():
        assert total == pytest.approx(layer.grads[param][idx], abs=1e-12), (param, idx)
    assert len(sums) == every * len(e.gates)


@pytest.mark.parametrize("kind", ["SimpleRNN", "LSTM", "GRU"])
def test_recurrent_update_is_the_optimizers_step(kind):
    net = _sequence_net(kind)
    x, loss = np.random.default_rng(3).normal(size=(T, D)), get_loss("cross_entropy")
    settings = training_settings({"optimizer": "adam", "learning_rate": 0.01})
    e = explain_recurrent(net, "l0", 1, 2, x, 0, loss, settings)
    copy = clone_network(net)
    forward_backward(copy, x[None], np.array([0]), loss)
    opt = settings_optimizer(settings, copy)
    before = copy.flat.copy()
    opt.step(0.01)
    for gate in e.gates:
        assert len(gate.terms) == 3 and gate.bias_update is not None
        for t in gate.terms:
            key = "l0/W" if t.label.startswith("x") else "l0/U"
            offset, _size, shape = copy.param_index[key]
            i = offset + np.ravel_multi_index(t.index, shape)
            assert t.update.delta == pytest.approx(opt.params[i] - before[i], abs=1e-15)
            assert t.update.lr == 0.01


def settings_optimizer(settings, net):
    from engine.settings import make_optimizer
    return make_optimizer(settings).bind(net.flat, net.grad_flat.copy(), net.decay_size)


def _blobs(n=24, seed=0) -> PreparedData:
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    x = (rng.normal(size=(n, 4)) + y[:, None]).astype(np.float32)
    ds = Dataset(x=x, y=y, task="classification", name="blobs", class_names=("a", "b"))
    empty = Dataset(x=x[:0], y=y[:0], task="classification", name="blobs",
                    class_names=("a", "b"))
    return PreparedData(ds, empty, empty, None, dataset_info(ds))


@pytest.mark.parametrize("schedule,extra", [
    ("cosine", {"min_lr": 0.001}), ("step", {"step_size": 1, "gamma": 0.3}),
    ("exponential", {"gamma": 0.5})])
def test_the_update_shown_is_the_next_step_of_a_scheduled_run(schedule, extra):
    """Stop a run with a schedule mid-epoch; Explain's update of a weight, at
    ``next_step_lr``, equals the change the resumed run makes on its next step (a batch
    of one sample, in order, so the explained sample is the next batch)."""
    spec = chain_spec((4,), [("Dense", {"units": 3, "activation": "tanh"}),
                             ("Dense", {"units": 2, "activation": "softmax"})])
    data = _blobs()
    settings = training_settings({"optimizer": "sgd", "momentum": 0.9, "learning_rate": 0.2,
                                  "batch_size": 1, "shuffle": False, "epochs": 3,
                                  "schedule": schedule, **extra})
    done = 30  # 24 samples an epoch: the next step is epoch 2, batch 7
    checkpoint = _stopped_after(spec, data, settings, done)
    assert (checkpoint.epoch, checkpoint.batch) == (2, 6)
    lr = next_step_lr(settings, checkpoint, len(data.train))
    assert lr != settings["learning_rate"]  # the schedule has moved it
    net = Network(spec, seed=settings["seed"])
    net.set_weights(checkpoint.weights)
    sample = checkpoint.batch  # in order, one a batch
    e = explain_dense(net, "l0", 1, data.train.x[sample], data.train.y[sample],
                      get_loss("cross_entropy"), settings, checkpoint.optimizer, lr=lr)
    after = _stopped_after(spec, data, settings, 1, resume=checkpoint).weights
    for t in e.terms:
        real = after["l0/W"][t.index] - checkpoint.weights["l0/W"][t.index]
        assert t.update.lr == pytest.approx(lr)
        assert t.update.delta == pytest.approx(real, rel=1e-4, abs=1e-7)
    real_b = after["l0/b"][1] - checkpoint.weights["l0/b"][1]
    assert e.bias_update.delta == pytest.approx(real_b, rel=1e-4, abs=1e-7)
    # At the base rate the shown step would be another one: the test can fail.
    base = explain_dense(net, "l0", 1, data.train.x[sample], data.train.y[sample],
                         get_loss("cross_entropy"), settings, checkpoint.optimizer)
    assert base.bias_update.delta != pytest.approx(real_b, rel=1e-3)


def _stopped_after(spec, data, settings, steps, resume=None):
    """The checkpoint of a run stopped after ``steps`` batches."""
    control, seen, checkpoint = TrainControl(), 0, None
    for event in run_job(make_job(spec, data, settings, resume=resume), control):
        if isinstance(event, BatchEnd):
            seen += 1
            if seen == steps:
                control.stop()
        elif isinstance(event, Checkpointed):
            checkpoint = event.checkpoint
        elif isinstance(event, RunResult):
            break
    return checkpoint


def test_next_step_lr_without_a_checkpoint_is_the_first_steps():
    settings = training_settings({"learning_rate": 0.1, "schedule": "step", "step_size": 1,
                                  "gamma": 0.5, "epochs": 4, "batch_size": 10})
    assert next_step_lr(settings, None, 100) == 0.1
