"""Trainer behaviour: events, determinism, divergence, stop/pause/step, early stopping."""
import threading

import numpy as np
import pytest

from engine.control import TrainControl
from engine.errors import ConfigError, DataError
from engine.events import BatchEnd, Diverged, EpochEnd, Finished, Paused, Resumed, Started, Stopped
from engine.network import Network
from engine.run import evaluate, train
from engine.losses import get_loss

from ..helpers import chain_spec, spirals

MLP = [("Dense", {"units": 32, "activation": "tanh"}), ("Dense", {"units": 2, "activation": "softmax"})]


def _run(settings, data=None, control=None, dropout=False):
    layers = [MLP[0], ("Dropout", {"rate": 0.2}), MLP[1]] if dropout else MLP
    net = Network(chain_spec((2,), layers), seed=settings.get("seed", 0))
    data = data or spirals(200)
    return net, list(train(net, data, data, settings, control))


def test_event_sequence_and_history():
    _, events = _run({"epochs": 3, "batch_size": 50})
    assert isinstance(events[0], Started) and events[0].batches_per_epoch == 4
    assert sum(isinstance(e, BatchEnd) for e in events) == 12
    epochs = [e for e in events if isinstance(e, EpochEnd)]
    assert [e.epoch for e in epochs] == [1, 2, 3]
    end = events[-1]
    assert isinstance(end, Finished) and len(end.history) == 3
    assert {"loss", "accuracy", "val_loss", "val_accuracy", "lr"} <= set(end.history[0])


def test_same_seed_gives_bit_identical_losses():
    settings = {"epochs": 3, "batch_size": 16, "seed": 7}
    a = [e.loss for e in _run(settings, dropout=True)[1] if isinstance(e, BatchEnd)]
    b = [e.loss for e in _run(settings, dropout=True)[1] if isinstance(e, BatchEnd)]
    c = [e.loss for e in _run({**settings, "seed": 8}, dropout=True)[1] if isinstance(e, BatchEnd)]
    assert a == b
    assert a != c


def test_nan_loss_diverges_and_keeps_last_good_weights():
    net = Network(chain_spec((2,), [("Dense", {"units": 1, "activation": "linear"})]))
    rng = np.random.default_rng(0)
    from engine.data.dataset import Dataset
    data = Dataset(rng.normal(size=(64, 2)) * 1e3, rng.normal(size=(64, 1)) * 1e3, "regression")
    events = list(train(net, data, None, {"epochs": 50, "optimizer": "sgd", "momentum": 0.0,
                                          "learning_rate": 10.0, "batch_size": 64}))
    end = events[-1]
    assert isinstance(end, Diverged)
    assert "lower the learning rate" in end.message.lower()
    assert np.all(np.isfinite(net.flat))
    last_loss = [e.loss for e in events if isinstance(e, BatchEnd)][-1]
    assert np.isfinite(last_loss)
    # The kept weights are those that produced the last finite loss.
    again = get_loss("mse").value(net.forward(net.prepare_input(data.x)), data.y)
    assert again == pytest.approx(last_loss, rel=1e-5)


def test_stop_requested_from_another_thread_ends_between_batches():
    control = TrainControl()
    net = Network(chain_spec((2,), MLP))
    seen = []
    for event in train(net, spirals(200), None, {"epochs": 1000, "batch_size": 8}, control):
        seen.append(event)
        if isinstance(event, BatchEnd) and event.step == 5:
            threading.Thread(target=control.stop).start()
    assert isinstance(seen[-1], Stopped)
    assert sum(isinstance(e, BatchEnd) for e in seen) < 1000


def test_pause_then_step_then_resume():
    control = TrainControl()
    net = Network(chain_spec((2,), MLP))
    gen = train(net, spirals(64), None, {"epochs": 2, "batch_size": 8}, control)
    assert isinstance(next(gen), Started)
    assert isinstance(next(gen), BatchEnd)
    control.pause()
    assert isinstance(next(gen), Paused)
    control.step()  # one batch, then paused again
    assert isinstance(next(gen), Resumed)
    assert next(gen).step == 2
    assert isinstance(next(gen), Paused)
    control.resume()
    rest = list(gen)
    assert isinstance(rest[-1], Finished)
    assert sum(isinstance(e, BatchEnd) for e in rest) == 16 - 2


def test_early_stopping_restores_best_epoch():
    data = spirals(200)
    settings = {"epochs": 200, "batch_size": 20, "learning_rate": 0.3, "optimizer": "sgd",
                "early_stopping": True, "patience": 2}
    net, events = _run(settings, data)
    end = events[-1]
    assert isinstance(end, Finished) and end.early_stopped
    best = min(end.history, key=lambda r: r["val_loss"])
    assert end.best_epoch == best["epoch"]
    now = evaluate(net, data, get_loss("cross_entropy"))
    assert now["loss"] == pytest.approx(best["val_loss"], rel=1e-5)


def test_bad_settings_and_data_are_typed_errors():
    net = Network(chain_spec((2,), MLP))
    with pytest.raises(ConfigError, match="Batch size"):
        train(net, spirals(10), None, {"batch_size": 0})
    from engine.data.dataset import Dataset
    three = Dataset(np.zeros((6, 2)), np.array([0, 1, 2, 0, 1, 2]), "classification")
    with pytest.raises(DataError, match="set the last layer to 3 units"):
        train(net, three, None, {})
    with pytest.raises(DataError, match="Input expects"):
        train(net, Dataset(np.zeros((6, 3)), np.zeros(6, np.int64), "classification"))
    with pytest.raises(ConfigError, match="regression"):
        train(net, Dataset(np.zeros((6, 2)), np.zeros((6, 2)), "regression"), None,
              {"loss": "cross_entropy"})


def test_accuracy_with_a_label_per_time_step_is_a_fraction():
    from engine.data.dataset import Dataset
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 5, 3))
    y = (x[..., 0] > 0).astype(np.int64)  # (N, T): one label per step
    net = Network(chain_spec((5, 3), [("Dense", {"units": 2, "activation": "softmax"})],
                             kind="sequence"))
    end = list(train(net, Dataset(x, y, "classification", input_kind="sequence"), None,
                     {"epochs": 30, "learning_rate": 0.05}))[-1]
    assert 0.9 <= end.history[-1]["accuracy"] <= 1.0
