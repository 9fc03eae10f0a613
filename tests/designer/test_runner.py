"""The training runner: a real run on a worker thread, driven from the GUI thread."""
import time
from pathlib import Path

import pytest

from dataclasses import replace

from designer.runner import TrainingRunner
from engine.data import prepare
from engine.events import Finished, Stopped
from engine.project import load_project
from engine.run import make_job

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"


def _job(name="xor", **settings):
    project = load_project(EXAMPLES / f"{name}.ncproj")
    return make_job(project.spec, prepare(project.data, 0), {**project.training, **settings},
                    data_config=project.data, probe=True)


@pytest.fixture
def runner(qtbot):
    r = TrainingRunner()
    yield r
    assert r.shutdown(5000)


def test_trains_xor_to_full_accuracy_and_reports_progress(qtbot, runner):
    updates = []
    runner.progress.connect(updates.append)
    with qtbot.waitSignal(runner.finished, timeout=30000) as result:
        runner.start(_job())
    run = result.args[0]
    assert isinstance(run.ended, Finished) and run.test["accuracy"] == 1.0
    assert run.loss == "cross_entropy" and "hidden/W" in run.weights
    batches = sum(len(u.batch_losses) for u in updates)
    epochs = [r for u in updates for r in u.epochs]
    assert batches == 100 * -(-len(_job().data.train) // 16)
    assert len(epochs) == 100 and epochs[-1]["epoch"] == 100
    qtbot.waitUntil(lambda: not runner.running, timeout=2000)


def test_progress_is_throttled_but_loses_no_batch(qtbot, runner):
    updates, start = [], time.monotonic()
    runner.progress.connect(updates.append)
    with qtbot.waitSignal(runner.finished, timeout=30000) as result:
        runner.start(_job(epochs=300))
    seconds = time.monotonic() - start
    assert isinstance(result.args[0].ended, Finished)
    steps = [s for u in updates for s, _, _ in u.batch_losses]
    assert steps == list(range(1, len(steps) + 1))  # every batch, in order, once
    assert len(steps) == 300 * -(-len(_job().data.train) // 16)
    assert len(updates) <= 35 * seconds + 5  # at most ~30 signals a second


def test_stop_mid_run_ends_within_half_a_second_and_thread_is_gone(qtbot, runner):
    with qtbot.waitSignal(runner.progress, timeout=10000):
        runner.start(_job(epochs=100000))
    t0 = time.monotonic()
    with qtbot.waitSignal(runner.finished, timeout=5000) as result:
        runner.stop()
    assert time.monotonic() - t0 < 0.5
    assert isinstance(result.args[0].ended, Stopped)
    qtbot.waitUntil(lambda: not runner.running, timeout=2000)
    with qtbot.waitSignal(runner.finished, timeout=30000):  # usable again
        runner.start(_job(epochs=2))


def test_pause_step_and_resume(qtbot, runner):
    updates = []
    runner.progress.connect(updates.append)
    with qtbot.waitSignal(runner.progress, timeout=10000):
        runner.start(_job(epochs=100000))
    with qtbot.waitSignal(runner.paused, timeout=5000):
        runner.pause()
    qtbot.wait(50)
    before = sum(len(u.batch_losses) for u in updates)
    qtbot.wait(300)
    assert sum(len(u.batch_losses) for u in updates) == before  # nothing while paused
    with qtbot.waitSignal(runner.paused, timeout=5000):
        runner.step()
    qtbot.wait(50)
    assert sum(len(u.batch_losses) for u in updates) == before + 1
    with qtbot.waitSignal(runner.resumed, timeout=5000):
        runner.resume()
    with qtbot.waitSignal(runner.finished, timeout=5000):
        runner.stop()


def _child(monkeypatch, code: str) -> None:
    """Run the training child as ``python -c code`` (the real pipes and framing)."""
    import sys

    import designer.runner as mod

    monkeypatch.setattr(mod, "CHILD_COMMAND", (sys.executable, "-c", code))


def test_an_exception_in_the_child_becomes_a_message(qtbot, runner, monkeypatch):
    _child(monkeypatch, "import engine.remote as r\n"
                        "def broken(*a, **k):\n    raise RuntimeError('kaboom')\n"
                        "r.run_job = broken\nr.main()")
    with qtbot.waitSignal(runner.failed, timeout=10000) as failure:
        runner.start(_job())
    message, details = failure.args
    assert "RuntimeError: kaboom" in message and "Traceback" in details
    qtbot.waitUntil(lambda: not runner.running, timeout=2000)


def test_a_crashed_child_becomes_a_message_with_its_last_words(qtbot, runner, monkeypatch):
    _child(monkeypatch, "import os, sys\nsys.stderr.write('segfault, say')\n"
                        "sys.stderr.flush()\nos._exit(3)")
    with qtbot.waitSignal(runner.failed, timeout=10000) as failure:
        runner.start(_job())
    message, details = failure.args
    assert "ended (exit code 3)" in message and "segfault, say" in details
    qtbot.waitUntil(lambda: not runner.running, timeout=2000)


def test_commands_given_before_the_child_exists_are_kept(qtbot, runner):
    """Step pressed with nothing running starts a run and stops after one batch."""
    updates = []
    runner.progress.connect(updates.append)
    with qtbot.waitSignal(runner.paused, timeout=10000):
        runner.start(_job(epochs=100000))
        runner.step()
    qtbot.wait(100)
    assert sum(len(u.batch_losses) for u in updates) == 1
    with qtbot.waitSignal(runner.finished, timeout=5000):
        runner.stop()


def test_a_typed_engine_error_keeps_its_message(qtbot, runner):
    job = _job()
    bad = replace(job, settings={"batch_size": 0})  # not from make_job: the run refuses it
    with qtbot.waitSignal(runner.failed, timeout=10000) as failure:
        runner.start(bad)
    assert failure.args[0].startswith("Training: Batch size must be at least 1")


def test_probe_snapshots_and_health_arrive_and_cost_no_bit_of_training(qtbot, runner):
    updates = []
    runner.progress.connect(updates.append)
    with qtbot.waitSignal(runner.finished, timeout=30000) as probed:
        runner.start(_job(epochs=100))
    snaps = [u for u in updates if u.snapshot is not None]
    assert snaps, "no probe snapshot during a 100-epoch run"
    last = snaps[-1]
    assert set(last.snapshot.layers) == {"hidden", "output"}
    assert set(last.health) == {"hidden", "output"}
    assert last.snapshot.boundary is not None  # xor has 2-D inputs: a decision map
    qtbot.waitUntil(lambda: not runner.running, timeout=2000)
    with qtbot.waitSignal(runner.finished, timeout=30000) as plain:
        job = _job(epochs=100)
        runner.start(replace(job, probe=False))
    a = [r["loss"] for r in probed.args[0].ended.history]
    b = [r["loss"] for r in plain.args[0].ended.history]
    assert a == b  # probing reads the network, never changes it


def test_request_sample_answers_in_a_later_snapshot(qtbot, runner):
    updates = []
    runner.progress.connect(updates.append)
    job = _job(epochs=100000)
    with qtbot.waitSignal(runner.progress, timeout=10000):
        runner.start(job)
    assert runner.request_sample(job.data.test.x[0], job.data.test.y[0])
    qtbot.waitUntil(lambda: any(u.snapshot is not None and u.snapshot.tried is not None
                                for u in updates), timeout=10000)
    with qtbot.waitSignal(runner.finished, timeout=5000):
        runner.stop()
    qtbot.waitUntil(lambda: not runner.running, timeout=2000)
    assert not runner.request_sample(job.data.test.x[0])  # nothing running


def test_a_child_that_dies_at_once_is_reported_not_hung(qtbot, runner, monkeypatch):
    _child(monkeypatch, "import sys\nsys.stderr.write('no engine here')\nsys.exit(2)")
    with qtbot.waitSignal(runner.failed, timeout=10000) as failure:
        runner.start(_job())
    assert "exit code 2" in failure.args[0] and "no engine here" in failure.args[1]
    qtbot.waitUntil(lambda: not runner.running, timeout=2000)


def test_a_diverging_run_ends_as_such_with_finite_weights(qtbot, runner):
    """NaN in the child: the run ends Diverged (the type survives the pipe) and the
    weights handed back are the last good ones."""
    import numpy as np

    from engine.events import Diverged

    job = _job("regression", epochs=50, optimizer="sgd", learning_rate=10)
    with qtbot.waitSignal(runner.finished, timeout=30000) as result:
        runner.start(job)
    run = result.args[0]
    assert isinstance(run.ended, Diverged) and run.ended.epoch >= 1
    assert all(np.isfinite(w).all() for w in run.weights.values())
