"""Real sweeps of trial processes: a small sweep whose best trial beats its worst, a
failing trial recorded while the rest finish, and Stop leaving no process behind."""
import stat
import time
from pathlib import Path

import pytest

from engine.sweep import best_trial, check_sweep
from engine.sweep.scheduler import (SweepEnded, SweepScheduler, TrialEnded, TrialEpoch,
                                    TrialStarted, choose_metric, metric_goal)

from ..helpers import alive

EXAMPLES = Path(__file__).resolve().parents[3] / "resources" / "examples"
DIGITS = EXAMPLES / "digits_mlp.ncproj"


def run_all(scheduler):
    events = list(scheduler.run())
    assert isinstance(events[-1], SweepEnded)
    return events, events[-1].sweep


def test_small_sweep_best_beats_worst():
    trials = [{"learning_rate": 1e-5}, {"learning_rate": 3e-3}]
    scheduler = SweepScheduler(DIGITS, trials, parallel=2, epochs=4,
                               setup={"params": ["learning_rate=1e-5,3e-3"]})
    events, sweep = run_all(scheduler)
    check_sweep(sweep)  # the record the project keeps
    assert [type(e) for e in events].count(TrialStarted) == 2
    assert sum(isinstance(e, TrialEpoch) for e in events) == 8
    assert sweep["metric"] == "val_accuracy" and sweep["goal"] == "max"
    slow, fast = sweep["trials"]
    assert slow["status"] == fast["status"] == "finished" and len(fast["curve"]) == 4
    assert fast["best"] > slow["best"] + 0.2 and best_trial(sweep) is fast
    assert fast["params"] == 50_826 and fast["seconds"] > 0


def test_a_failing_trial_is_recorded_and_the_rest_finish():
    trials = [{"learning_rate": 1e-3}, {"learning_rate": -1.0}, {"hidden1.units": 8}]
    _, sweep = run_all(SweepScheduler(DIGITS, trials, parallel=2, epochs=2))
    ok, bad, small = sweep["trials"]
    assert bad["status"] == "failed" and "Learning rate" in bad["message"]
    assert ok["status"] == small["status"] == "finished" and sweep["status"] == "finished"
    assert small["params"] < ok["params"]  # a layer's setting changed the network


def test_a_crashing_trial_process_is_recorded(tmp_path):
    crash = tmp_path / "python"
    crash.write_text("#!/bin/sh\necho 'Segmentation fault (pretend)' >&2\nexit 139\n")
    crash.chmod(crash.stat().st_mode | stat.S_IEXEC)
    _, sweep = run_all(SweepScheduler(DIGITS, [{"seed": 1}], python=str(crash)))
    assert sweep["trials"][0]["status"] == "failed"
    assert "pretend" in sweep["trials"][0]["message"]


def test_cancel_stops_every_trial_process():
    trials = [{"learning_rate": 1e-3}] * 4
    scheduler = SweepScheduler(DIGITS, trials, parallel=2, epochs=100_000)
    pids, ended, epochs = [], [], 0
    for event in scheduler.run():
        if isinstance(event, TrialStarted):
            pids.append(event.pid)
        elif isinstance(event, TrialEpoch):
            epochs += 1
            if epochs == 3:
                scheduler.cancel()
        elif isinstance(event, TrialEnded):
            ended.append(event.trial["status"])
        elif isinstance(event, SweepEnded):
            sweep = event.sweep
    assert len(pids) == 2 and not any(alive(p) for p in pids)
    assert sorted(ended) == ["cancelled", "cancelled", "stopped", "stopped"]
    assert sweep["status"] == "stopped"


def test_cancel_kills_a_trial_that_does_not_listen(tmp_path, monkeypatch):
    deaf = tmp_path / "python"
    deaf.write_text("#!/bin/sh\ntrap '' TERM\nexec sleep 60\n")
    deaf.chmod(deaf.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setattr("engine.sweep.scheduler.STOP_GRACE", 0.2)
    monkeypatch.setattr("engine.sweep.scheduler.TERMINATE_GRACE", 0.3)
    scheduler = SweepScheduler(DIGITS, [{"seed": 1}, {"seed": 2}], parallel=2, python=str(deaf))
    start = time.monotonic()
    runs = scheduler.run()
    first = next(runs)
    scheduler.cancel()
    rest = list(runs)
    assert time.monotonic() - start < 10
    assert not alive(first.pid) and all(not alive(p) for p in scheduler.pids())
    assert sorted(e.trial["status"] for e in rest if isinstance(e, TrialEnded)) == [
        "cancelled", "stopped"]  # the second had not started yet


def test_trials_get_one_blas_thread(tmp_path, monkeypatch):
    spy = tmp_path / "python"
    spy.write_text("#!/bin/sh\necho \"$OMP_NUM_THREADS $OPENBLAS_NUM_THREADS "
                   "$MKL_NUM_THREADS\" >&2\nexit 1\n")
    spy.chmod(spy.stat().st_mode | stat.S_IEXEC)
    for key in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        monkeypatch.setenv(key, "8")
    _, sweep = run_all(SweepScheduler(DIGITS, [{"seed": 1}], python=str(spy)))
    assert sweep["trials"][0]["message"] == "1 1 1"


@pytest.mark.parametrize("record, name, goal", [
    ({"loss": 1, "val_loss": 1, "val_accuracy": 0.5}, "val_accuracy", "max"),
    ({"loss": 1, "val_loss": 1, "val_mae": 0.3}, "val_loss", "min"),
    ({"loss": 1, "accuracy": 0.2}, "accuracy", "max"),
])
def test_the_metric_a_sweep_ranks_by(record, name, goal):
    assert choose_metric(record) == name and metric_goal(name) == goal
