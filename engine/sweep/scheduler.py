"""Runs a sweep's trials as training processes, as many at once as asked (one BLAS
thread each), and turns what they say into typed events.

``SweepScheduler.run()`` is a generator: ``TrialStarted`` when a trial's process
starts, ``TrialEpoch`` after each of its epochs, ``TrialEnded`` with its row for the
record, and last ``SweepEnded`` with the whole record (``engine.sweep.record``). A
trial that fails (its process exits with an error, or crashes) is recorded as failed
with the reason, and the others go on. ``cancel()`` (from any thread) ends the sweep:
no new trials start, running ones are told to stop (their stdin is closed), and any
that has not ended a few seconds later is terminated, then killed; ``run`` returns
only when every process it started has exited, so nothing is left behind.
"""
from __future__ import annotations

import collections
import json
import math
import os
import queue
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

BLAS_ENV = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
STOP_GRACE, TERMINATE_GRACE = 3.0, 3.0  # seconds before terminate, then kill
LOWER_IS_BETTER = ("loss", "mae", "mse", "error")


@dataclass(frozen=True)
class TrialStarted:
    index: int
    settings: dict
    pid: int


@dataclass(frozen=True)
class TrialEpoch:
    index: int
    epoch: int
    value: float | None  # the sweep's metric after this epoch
    metric: str
    params: int | None = None  # the trial's network's parameter count
    seconds: float = 0.0  # since the trial's process started


@dataclass(frozen=True)
class TrialEnded:
    index: int
    trial: dict  # its row in the record


@dataclass(frozen=True)
class SweepEnded:
    sweep: dict  # the whole record (engine.sweep.record)


def metric_goal(name: str) -> str:
    """Whether a higher ("max") or lower ("min") value of a metric is better."""
    return "min" if any(word in name for word in LOWER_IS_BETTER) else "max"


def choose_metric(record: dict) -> str:
    """The metric a sweep ranks by when none is named: validation accuracy, else
    validation loss, else the training ones."""
    for name in ("val_accuracy", "val_loss", "accuracy", "loss"):
        if name in record:
            return name
    return next(k for k in record if k not in ("epoch", "lr", "seconds"))


@dataclass
class _Trial:
    index: int
    settings: dict
    proc: subprocess.Popen | None = None
    started: float = 0.0
    seconds: float = 0.0
    curve: list = field(default_factory=list)
    params: int | None = None
    how: str = ""  # finished / stopped / diverged, from the worker
    message: str = ""
    stderr: collections.deque = field(default_factory=lambda: collections.deque(maxlen=40))
    stderr_reader: threading.Thread | None = None


class SweepScheduler:
    def __init__(self, project_path, trials: list[dict], *, parallel: int = 0,
                 epochs: int | None = None, base_dir=None, metric: str | None = None,
                 setup: dict | None = None, python: str | None = None):
        self.project_path = str(Path(project_path).resolve())
        self.base_dir = str(base_dir) if base_dir else str(Path(project_path).resolve().parent)
        self.trials = [_Trial(i, dict(s)) for i, s in enumerate(trials)]
        self.parallel = max(1, parallel or os.cpu_count() or 1)
        self.epochs, self.metric = epochs, metric
        self.setup = dict(setup or {})  # params, method, trials_asked, seed: for the record
        self.python = python or sys.executable
        self._events: queue.Queue = queue.Queue()
        self._lock = threading.Lock()
        self._cancelled_at: float | None = None
        self.reported: set[str] = set()  # the metrics the trials' epochs report

    # ---- control (any thread) -----------------------------------------------------
    def cancel(self) -> None:
        with self._lock:
            if self._cancelled_at is None:
                self._cancelled_at = time.monotonic()
            for trial in self.trials:
                if trial.proc is not None and trial.proc.stdin and not trial.proc.stdin.closed:
                    try:
                        trial.proc.stdin.close()  # the worker stops between batches
                    except OSError:
                        pass

    @property
    def cancelled(self) -> bool:
        return self._cancelled_at is not None

    def pids(self) -> list[int]:
        return [t.proc.pid for t in self.trials if t.proc is not None]

    # ---- the run ------------------------------------------------------------------
    def run(self):
        start, clock = time.monotonic(), datetime.now(timezone.utc)
        pending = collections.deque(self.trials)
        running: dict[int, _Trial] = {}
        rows: dict[int, dict] = {}
        try:
            while pending or running:
                while pending and len(running) < self.parallel and not self.cancelled:
                    trial = pending.popleft()
                    started = self._start(trial)
                    if isinstance(started, TrialStarted):
                        running[trial.index] = trial
                    else:
                        rows[trial.index] = started.trial
                    yield started
                if self.cancelled and pending:
                    for trial in pending:
                        rows[trial.index] = self._row(trial, "cancelled", "the sweep was stopped")
                        yield TrialEnded(trial.index, rows[trial.index])
                    pending.clear()
                for event in self._next_events(running):
                    if isinstance(event, TrialEnded):
                        rows[event.index] = event.trial
                    yield event
        finally:
            self._reap_all()
        sweep = self._record(clock, time.monotonic() - start,
                             [rows[i] for i in sorted(rows)])
        yield SweepEnded(sweep)

    def _start(self, trial: _Trial) -> TrialStarted | TrialEnded:
        env = {**os.environ, **{name: "1" for name in BLAS_ENV}}
        root = str(Path(__file__).resolve().parents[2])  # this engine, not another one
        env["PYTHONPATH"] = os.pathsep.join([root] + [p for p in [env.get("PYTHONPATH")] if p])
        request = {"project": self.project_path, "base_dir": self.base_dir,
                   "settings": trial.settings, "epochs": self.epochs}
        with self._lock:
            try:
                trial.proc = subprocess.Popen(
                    [self.python, "-m", "engine.sweep.worker"], stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True,
                    encoding="utf-8", errors="replace")
            except OSError as exc:  # no such interpreter, no memory for a process
                return TrialEnded(trial.index, self._row(
                    trial, "failed", f"the trial's process could not start ({exc})"))
            trial.started = time.monotonic()
            try:
                assert trial.proc.stdin is not None
                trial.proc.stdin.write(json.dumps(request) + "\n")
                trial.proc.stdin.flush()
            except OSError:
                pass  # it exited at once: its exit status and stderr say why
        trial.stderr_reader = threading.Thread(target=self._read_stderr, args=(trial,),
                                               daemon=True)
        trial.stderr_reader.start()
        threading.Thread(target=self._read_stdout, args=(trial,), daemon=True).start()
        return TrialStarted(trial.index, dict(trial.settings), trial.proc.pid)

    def _read_stdout(self, trial: _Trial) -> None:
        assert trial.proc is not None and trial.proc.stdout is not None
        for line in trial.proc.stdout:
            self._events.put((trial.index, "line", line))
        trial.proc.wait()
        if trial.stderr_reader is not None:
            trial.stderr_reader.join(5.0)  # its last words, before the exit is reported
        self._events.put((trial.index, "exit", trial.proc.returncode))

    def _read_stderr(self, trial: _Trial) -> None:
        assert trial.proc is not None and trial.proc.stderr is not None
        for line in trial.proc.stderr:
            trial.stderr.append(line.rstrip())

    def _next_events(self, running: dict[int, _Trial]) -> list:
        self._escalate(running)  # every turn: a trial that talks on must still stop
        try:
            index, kind, payload = self._events.get(timeout=0.2)
        except queue.Empty:
            return []
        trial = running.get(index)
        if trial is None:
            return []
        if kind == "line":
            return self._message(trial, payload)
        del running[index]
        return [TrialEnded(index, self._finish(trial, payload))]

    def _message(self, trial: _Trial, line: str) -> list:
        try:
            message = json.loads(line)
            event = message["event"]
        except (ValueError, KeyError, TypeError):
            return []  # not ours (a library printing): ignored
        if event == "started":
            trial.params = int(message["params"])
        elif event == "epoch":
            record = message["record"]
            self.reported |= {k for k in record if k not in ("epoch", "lr", "seconds")}
            self.metric = self.metric or choose_metric(record)
            value = record.get(self.metric)
            value = float(value) if isinstance(value, (int, float)) and math.isfinite(value) \
                else None
            trial.curve.append(value)
            return [TrialEpoch(trial.index, len(trial.curve), value, self.metric,
                               trial.params, time.monotonic() - trial.started)]
        elif event in ("ended", "failed"):
            trial.how = message.get("how", "failed")
            trial.message = str(message.get("message", ""))
        return []

    def _finish(self, trial: _Trial, returncode: int) -> dict:
        if returncode == 0 and trial.how in ("finished", "stopped", "diverged"):
            return self._row(trial, trial.how, trial.message)
        if self.cancelled:
            return self._row(trial, "stopped", "stopped with the sweep")
        reason = trial.message or next(
            (line for line in reversed(trial.stderr) if line.strip()), "")
        reason = reason or f"the trial's process exited with status {returncode}"
        return self._row(trial, "failed", reason)

    def _row(self, trial: _Trial, status: str, message: str) -> dict:
        if trial.proc is not None:
            trial.seconds = time.monotonic() - trial.started
        goal = metric_goal(self.metric or "")
        scored = [(v, e) for e, v in enumerate(trial.curve, 1) if v is not None]
        best = (max if goal == "max" else min)(scored, key=lambda p: p[0]) if scored else None
        return {"trial": trial.index, "settings": dict(trial.settings), "status": status,
                "best": best[0] if best else None, "best_epoch": best[1] if best else None,
                "curve": list(trial.curve), "params": trial.params,
                "seconds": round(trial.seconds, 3), "message": message[:2000]}

    def _escalate(self, running: dict[int, _Trial]) -> None:
        """After a cancel: terminate what has not stopped, then kill it."""
        if self._cancelled_at is None:
            return
        waited = time.monotonic() - self._cancelled_at
        for trial in running.values():
            proc = trial.proc
            if proc is None or proc.poll() is not None:
                continue
            if waited > STOP_GRACE + TERMINATE_GRACE:
                proc.kill()
            elif waited > STOP_GRACE:
                proc.terminate()

    def _reap_all(self) -> None:
        """Whatever happens to the caller, no trial process outlives ``run``."""
        for trial in self.trials:
            proc = trial.proc
            if proc is None:
                continue
            if proc.poll() is None:
                self.cancel()
                proc.terminate()
                try:
                    proc.wait(TERMINATE_GRACE)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()

    def _record(self, clock: datetime, seconds: float, rows: list[dict]) -> dict:
        metric = self.metric or "val_loss"
        sweep = {"params": list(self.setup.get("params", [])),
                 "method": self.setup.get("method", "random"),
                 "trials_asked": int(self.setup.get("trials_asked", len(self.trials))),
                 "seed": int(self.setup.get("seed", 0)), "epochs": self.epochs,
                 "metric": metric, "goal": metric_goal(metric),
                 "status": "stopped" if self.cancelled else "finished",
                 "started": clock.strftime("%Y-%m-%dT%H:%M:%SZ"),
                 "seconds": round(seconds, 3), "trials": rows}
        return sweep
