"""A run continued from a checkpoint takes exactly the batches, dropout masks and
updates the uninterrupted run takes: final weights bit-identical. Checkpoints survive a
project file; a changed design, data or optimizer is refused with what changed."""
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from engine.control import TrainControl
from engine.data import prepare
from engine.events import BatchEnd, Checkpointed, RunResult, Stopped
from engine.project import load_project, save_project
from engine.run import CheckpointPolicy, ResumeError, make_job, run_job

EXAMPLES = Path(__file__).resolve().parents[3] / "resources" / "examples"
# An MLP with dropout, a CNN with batch norm and pooling, an LSTM: 2 epochs on a few
# hundred samples each, so every kind of state (moments, generators, running stats) counts.
CASES = {"digits_mlp": 300, "cnn_digits": 200, "lstm_forecast": 200, "gru_classifier": 200}


def small_job(name: str, epochs: int = 2, **settings):
    project = load_project(EXAMPLES / f"{name}.ncproj")
    data = prepare(project.data, 0)
    n = CASES.get(name, 200)
    data = replace(data, train=data.train.subset(np.arange(min(n, len(data.train)))))
    training = {**project.training, "epochs": epochs, "batch_size": 32, **settings}
    return project, make_job(project.spec, data, training, data_config=project.data)


def events_of(job, **kw):
    return list(run_job(job, **kw))


def final(events) -> RunResult:
    assert isinstance(events[-1], RunResult)
    return events[-1]


def assert_same_weights(a: dict, b: dict):
    assert a.keys() == b.keys()
    for key in a:
        assert np.array_equal(a[key], b[key]), key


@pytest.mark.parametrize("name", list(CASES))
def test_resuming_from_any_checkpoint_reproduces_the_uninterrupted_run(name):
    project, job = small_job(name)
    straight = final(events_of(job))
    # The same run again, a checkpoint after every batch and at every epoch end.
    events = events_of(job, policy=CheckpointPolicy(every=0.0, min_gap=0.0))
    assert_same_weights(final(events).weights, straight.weights)  # taking them changes nothing
    checkpoints = [e.checkpoint for e in events if isinstance(e, Checkpointed)]
    mid = [c for c in checkpoints if c.batch][len(checkpoints) // 3]  # mid-epoch 1 or 2
    boundary = next(c for c in checkpoints if c.batch == 0 and c.epoch == 2)
    for checkpoint in (mid, boundary):
        resumed = final(events_of(replace(job, resume=checkpoint)))
        assert_same_weights(resumed.weights, straight.weights)
        got = [r["loss"] for r in resumed.ended.history]
        assert got == [r["loss"] for r in straight.ended.history]
        assert resumed.test == straight.test


def test_stop_then_continue_equals_one_run_and_the_checkpoint_survives_a_file(tmp_path):
    project, job = small_job("digits_mlp", epochs=3)
    straight = final(events_of(job))
    control = TrainControl()
    events = []
    for event in run_job(job, control):
        events.append(event)
        if isinstance(event, BatchEnd) and event.step == 13:  # epoch 2, batch 3
            control.stop()
    stopped = final(events)
    assert isinstance(stopped.ended, Stopped)
    assert stopped.checkpoint.describe() == "epoch 2, batch 3"
    path = tmp_path / "stopped.ncproj"
    save_project(project.with_results(stopped, training=job.settings), path)
    reopened = load_project(path)
    resumed = final(events_of(make_job(reopened.spec, job.data, reopened.training,
                                       data_config=reopened.data, resume=reopened.checkpoint)))
    assert_same_weights(resumed.weights, straight.weights)
    assert len(resumed.ended.history) == 3


def test_a_finished_run_goes_on_when_more_epochs_are_asked_for():
    project, job = small_job("xor", epochs=2)
    done = final(events_of(job))
    assert done.checkpoint.describe() == "after epoch 2"
    more = final(events_of(replace(job, settings={**job.settings, "epochs": 4},
                                   resume=done.checkpoint)))
    assert [r["epoch"] for r in more.ended.history] == [1, 2, 3, 4]
    four = final(events_of(replace(job, settings={**job.settings, "epochs": 4})))
    assert_same_weights(more.weights, four.weights)  # constant LR: the same as 4 at once


def test_continuing_after_a_change_says_exactly_what_changed():
    project, job = small_job("digits_mlp", epochs=1)
    checkpoint = final(events_of(job)).checkpoint
    dense = next(layer for layer in project.spec.layers if layer.type == "Dense")
    edited = project.spec.with_layer_config(dense.id, units=dense.config["units"] + 1)
    with pytest.raises(ResumeError) as info:
        make_job(edited, job.data, job.settings, data_config=project.data, resume=checkpoint)
    assert f"{dense.id}: units changed from {dense.config['units']}" in str(info.value)
    other = prepare({**project.data, "test_split": 0.3}, 0)
    with pytest.raises(ResumeError) as info:
        make_job(project.spec, other, {**job.settings, "optimizer": "rmsprop"},
                 data_config={**project.data, "test_split": 0.3}, resume=checkpoint)
    changes = info.value.changes
    assert any("data test_split changed" in c for c in changes)
    assert any(f"optimizer changed from {job.settings['optimizer']!r} to 'rmsprop'" in c for c in changes)
