"""The lessons (engine/lessons.py, resources/lessons/*.md): every text is there and links
only to set-ups that exist, every set-up builds and fits its data, and each claim a
lesson's text makes is true on the lesson's own set-up."""
import re

import numpy as np
import pytest

from engine.data import prepare
from engine.errors import DataError
from engine.events import BatchEnd, Diverged, Finished, RunResult
from engine.insights.health import assess
from engine.insights.probe import Probe, probe_batch
from engine.insights.stepthrough import step_through
from engine.lessons import (LESSONS, SCHEME, get_lesson, lesson_project, lesson_text,
                            lessons_dir, parse_link)
from engine.run import make_job, run_job
from engine.run.job import JobRun

ALL_SETUPS = [(lesson.key, name) for lesson in LESSONS for name in lesson.variant_names()]


def train(key, variant=None, **settings):
    """The lesson's set-up trained as the lesson says: (RunResult, batch losses)."""
    project = lesson_project(key, variant)
    data = prepare(project.data, 0)
    job = make_job(project.spec, data, {**project.training, **settings},
                   data_config=project.data)
    losses, result = [], None
    for event in run_job(job):
        if isinstance(event, BatchEnd):
            losses.append(event.loss)
        elif isinstance(event, RunResult):
            result = event
    return result, losses


def types(project) -> list[str]:
    return [layer.type for layer in project.spec.layers]


def test_there_are_five_to_seven_lessons_each_with_its_text():
    assert 5 <= len(LESSONS) <= 7
    assert len({lesson.key for lesson in LESSONS}) == len(LESSONS)
    texts = {p.stem for p in lessons_dir().glob("*.md")}
    assert texts == {lesson.key for lesson in LESSONS}
    for lesson in LESSONS:
        text = lesson_text(lesson.key)
        assert text.startswith(f"# {lesson.title}\n"), lesson.key
        assert "## What to do" in text and len(text.split()) < 800


def test_links_name_only_setups_that_exist():
    seen = set()
    for lesson in LESSONS:
        for url in re.findall(r"\]\(([^)]+)\)", lesson_text(lesson.key)):
            link = parse_link(url)
            assert link is not None, f"{lesson.key}: link {url} is not a {SCHEME}: link"
            assert link[0] == lesson.key and link[1] in get_lesson(link[0]).variant_names()
            seen.add(link)
    # Every set-up beyond a lesson's first is reachable from its text, and back.
    assert {(l.key, n) for l in LESSONS for n in l.variant_names()[1:]} <= seen
    assert parse_link("https://example.org") is None


@pytest.mark.parametrize("key,variant", ALL_SETUPS)
def test_every_setup_starts_from_its_example_and_fits_its_data(key, variant):
    project = lesson_project(key, variant)
    assert project.weights is None and project.checkpoint is None and not project.history
    data = prepare(project.data, 0)
    make_job(project.spec, data, project.training, data_config=project.data)  # raises if not
    assert set(project.layout) == {layer.id for layer in project.spec.layers}


def test_unknown_lessons_and_setups_are_refused():
    with pytest.raises(DataError):
        lesson_project("no_such_lesson")
    with pytest.raises(DataError):
        lesson_project("xor_hidden_layer", "no_such_setup")


# ---- the claims, one lesson at a time ---------------------------------------------------
def test_a_single_neuron_is_one_sigmoid_unit_and_separates_two_blobs():
    project = lesson_project("single_neuron")
    assert types(project) == ["Input", "Dense"]
    assert project.spec.layers[1].config == {**project.spec.layers[1].config,
                                             "units": 1, "activation": "sigmoid"}
    result, _ = train("single_neuron")
    assert isinstance(result.ended, Finished) and result.test["accuracy"] == 1.0
    assert result.ended.history[-1]["accuracy"] == 1.0


def test_xor_without_a_hidden_layer_never_beats_75_percent_and_with_one_reaches_100():
    linear = lesson_project("xor_hidden_layer", "linear")
    hidden = lesson_project("xor_hidden_layer", "hidden")
    assert types(linear) == ["Input", "Dense"] and types(hidden) == ["Input", "Dense", "Dense"]
    result, _ = train("xor_hidden_layer", "linear")
    history = result.ended.history
    assert max(max(r["accuracy"], r["val_accuracy"]) for r in history) <= 0.75
    assert abs(history[-1]["loss"] - np.log(2)) < 0.05  # the coin toss's loss
    assert 0.4 < np.mean([r["accuracy"] for r in history]) < 0.6  # "around 50%"
    result, _ = train("xor_hidden_layer", "hidden")
    assert result.ended.history[-1]["accuracy"] == 1.0 and result.test["accuracy"] == 1.0


@pytest.mark.slow
def test_overfitting_shows_as_a_gap_and_dropout_with_early_stopping_stops_early():
    project = lesson_project("overfitting", "overfit")
    assert "Dropout" not in types(project) and project.training["weight_decay"] == 0.0
    assert len(prepare(project.data, 0).train) == 360  # "360 images" to train on
    result, _ = train("overfitting", "overfit")
    history = result.ended.history
    val = [r["val_loss"] for r in history]
    last = history[-1]
    assert last["loss"] < 1e-3 and last["accuracy"] == 1.0
    assert 0.9 < last["val_accuracy"] < 0.98
    assert int(np.argmin(val)) + 1 <= 40 and last["val_loss"] > 100 * last["loss"]
    assert "Dropout" in types(lesson_project("overfitting", "regularised"))
    result, _ = train("overfitting", "regularised")
    assert result.ended.early_stopped and len(result.ended.history) < 60
    assert result.ended.history[-1]["loss"] > 0.01
    assert min(r["val_loss"] for r in result.ended.history) < 1.05 * min(val)


def test_cnn_lesson_is_the_cnn_example_for_fifteen_epochs():
    project = lesson_project("cnn_filters")
    conv1 = next(layer for layer in project.spec.layers if layer.id == "conv1")
    assert conv1.type == "Conv2D" and conv1.config["kernel_size"] in (3, [3], [3, 3])
    assert project.training["epochs"] == 15 and types(project).count("Conv2D") == 3


def _step_one_share(key, variant, layer_id):
    """(share of the largest step-gradient norm that step 1 gets at the start, the same
    after the lesson's run, the run's last validation accuracy)."""
    project = lesson_project(key, variant)
    data = prepare(project.data, 0)
    job = make_job(project.spec, data, project.training, data_config=project.data)
    run = JobRun(job)
    x, y, _ = probe_batch(data.train)

    def share():
        snap = Probe(run.network, x, y, job.loss, "classification").snapshot(0)
        norms = snap.layers[layer_id].step_grad_norms
        if layer_id == "rnn":  # the text: the canvas badge says "vanishing over time"
            health = assess(snap)[layer_id]
            assert health.level == "warn" and "vanishing over time" in health.badges
        return norms[0] / norms.max()

    before = share()
    for event in run:
        if isinstance(event, RunResult):
            return before, share(), event.ended.history[-1]["val_accuracy"]
    raise AssertionError("no result")


def test_the_simple_rnns_first_step_gets_far_less_gradient_than_the_lstms():
    rnn, lstm = (lesson_project("vanishing_gradients", v) for v in ("simple_rnn", "lstm"))
    assert "SimpleRNN" in types(rnn) and "LSTM" in types(lstm)
    assert rnn.data == lstm.data and rnn.training == lstm.training
    rnn_start, rnn_end, rnn_acc = _step_one_share("vanishing_gradients", "simple_rnn", "rnn")
    lstm_start, lstm_end, lstm_acc = _step_one_share("vanishing_gradients", "lstm", "lstm")
    # The text: about 1e-7 for the SimpleRNN, about 1e-5 for the LSTM, over 100 times more.
    for rnn_share, lstm_share in ((rnn_start, lstm_start), (rnn_end, lstm_end)):
        assert rnn_share < 1e-6 and 1e-6 < lstm_share < 1e-3
        assert lstm_share > 100 * rnn_share
    assert rnn_acc < 0.65 and lstm_acc < 0.65  # "neither learns this task in 3 epochs"


def test_a_learning_rate_too_high_diverges_and_a_small_one_converges():
    result, losses = train("learning_rate", "too_high")
    assert isinstance(result.ended, Diverged) and result.ended.epoch <= 3
    epochs = [r["loss"] for r in result.ended.history]
    assert all(b > 10 * a for a, b in zip(epochs, epochs[1:]))  # ten times or more an epoch
    result, _ = train("learning_rate", "fine")
    assert isinstance(result.ended, Finished)
    history = [r["loss"] for r in result.ended.history]
    assert history[-1] < 0.2 * history[0]
    # The first update's size against the weights': a third at 0.5, about 1% at 0.02.
    for variant, low, high in (("too_high", 0.25, 0.45), ("fine", 0.005, 0.02)):
        project = lesson_project("learning_rate", variant)
        step = step_through(project.spec, prepare(project.data, 0), project.training)
        update = next(p for p in step.phases if p.kind == "update" and p.layer == "hidden1")
        assert low < update.update_norm / update.weight_norm < high, variant
