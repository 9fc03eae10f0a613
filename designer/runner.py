"""Runs a training job in a child process and relays its typed events as Qt signals.

The child (``python -m engine.remote``) runs an ``engine.run.TrainingJob`` (made and
checked by ``engine.run.make_job``) with one BLAS thread and sends the typed events of
``engine.events`` as ``engine.wire`` frames (never pickle) on a pipe; a worker thread
here reads them and re-emits each as the signal of its type. Nothing here builds a
network, chooses a loss or evaluates: that is the engine's one run path.

A process rather than a thread: a trainer thread shares the GIL with the GUI, and a
small network lost a fifth of its speed to every repaint (spirals with every inside
view open ran at 75-80% of headless); a process shares nothing, and its crash
becomes a message instead of taking the window down. Progress is coalesced in the child
to at most ``EMIT_INTERVAL`` apart, each message carrying every batch loss, so the GUI
never falls behind however fast the batches come.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import threading
import traceback
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, QThread, Signal

from engine.events import (Checkpointed, CommandRefused, Paused, Progress, Resumed, RunFailed,
                           RunResult, Started)
from engine.run import TrainingJob
from engine.wire import WireError, read_frame, write_frame

# Seconds between progress signals at most. Every signal costs GUI-thread time (progress
# bar, labels, views); plots draw at 5 Hz anyway, so 10 signals a second look as live
# as 30 and cost a third.
EMIT_INTERVAL = 1 / 10
ENGINE_ROOT = str(Path(__file__).resolve().parents[1])  # where ``engine`` imports from
CHILD_COMMAND = (sys.executable, "-m", "engine.remote")


def child_environment() -> dict:
    """The child's environment: one BLAS thread (two would fight the GUI for the
    cores), and ``engine`` importable however the app was started."""
    env = dict(os.environ)
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = "1"
    env["PYTHONPATH"] = os.pathsep.join(p for p in (ENGINE_ROOT, env.get("PYTHONPATH")) if p)
    return env


class _Worker(QThread):
    """Starts the child, feeds it the job, and turns its messages into signals."""

    started_run = Signal(object)  # engine Started event
    progress = Signal(object)  # engine Progress
    paused = Signal()
    resumed = Signal()
    checkpointed = Signal(object)  # engine.run Checkpoint
    finished_run = Signal(object)  # engine RunResult
    failed = Signal(str, str)  # message for people, details (traceback)
    refused = Signal(str)  # a command the child could not use (the run goes on)

    def __init__(self, job: TrainingJob):
        super().__init__()
        self.job = job
        self._proc: subprocess.Popen | None = None
        self._lock = threading.Lock()  # commands come from the GUI thread
        self._queued: list = []  # commands given before the child had its job
        self._ready = False  # the job is written: commands go straight to the child

    def send(self, command) -> bool:
        """Write a command to the child; False when it is no longer listening."""
        with self._lock:
            if not self._ready:
                self._queued.append(command)  # delivered right after the job
                return True
            try:
                write_frame(self._proc.stdin, command)
                return True
            except (OSError, ValueError):  # the child has ended (or its pipe is closed)
                return False

    def run(self) -> None:
        with tempfile.TemporaryFile() as errors:
            try:
                self._run(errors)
            except Exception as exc:  # noqa: BLE001 - a bug must become a message
                self.failed.emit(f"{type(exc).__name__}: {exc}",
                                 traceback.format_exc())
            finally:
                self._end_child()

    def _run(self, errors) -> None:
        job = self.job
        self._proc = subprocess.Popen(
            list(CHILD_COMMAND), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=errors, env=child_environment())
        try:  # only this thread writes until ``_ready``; a big dataset takes a moment
            write_frame(self._proc.stdin, {"job": job, "emit_interval": EMIT_INTERVAL})
            with self._lock:
                for command in self._queued:
                    write_frame(self._proc.stdin, command)
                self._ready = True
        except OSError:  # it died before reading its job: its stderr says why
            self._report_crash(errors)
            return
        while True:
            try:
                message = read_frame(self._proc.stdout)
            except (EOFError, WireError):
                self._report_crash(errors)
                return
            if self._dispatch(message):
                return

    def _dispatch(self, event) -> bool:
        """Emit the signal for one event of the run; True for the last one."""
        if isinstance(event, Progress):
            self.progress.emit(event)
        elif isinstance(event, Started):
            self.started_run.emit(event)
        elif isinstance(event, Paused):
            self.paused.emit()
        elif isinstance(event, Resumed):
            self.resumed.emit()
        elif isinstance(event, Checkpointed):
            self.checkpointed.emit(event.checkpoint)
        elif isinstance(event, RunResult):
            self.finished_run.emit(event)
            return True
        elif isinstance(event, RunFailed):
            self.failed.emit(event.message, event.details)
            return True
        elif isinstance(event, CommandRefused):
            self.refused.emit(event.message)
        return False

    def _report_crash(self, errors) -> None:
        code = self._proc.wait()
        errors.seek(0)
        details = errors.read()[-20_000:].decode("utf-8", "replace")
        # No 'Training failed:' here: whoever shows it puts that title before it.
        self.failed.emit(f"The training process {how_it_ended(code)} before its run "
                         f"finished.", details)

    def _end_child(self) -> None:
        proc = self._proc
        if proc is None:
            return
        with self._lock:
            if proc.stdin is not None:
                try:
                    proc.stdin.close()  # its end of stdin tells the child to stop
                except OSError:
                    pass
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        proc.stdout.close()


def how_it_ended(code: int) -> str:
    """A child's end in words: a negative return code is the signal that killed it
    ('exit code -9' told no one that something, such as the OOM killer, killed it)."""
    if code >= 0:
        return f"ended (exit code {code})"
    try:
        name = signal.Signals(-code).name
    except ValueError:
        name = f"signal {-code}"
    hint = " (by another program, or by the system when memory ran out)" if name == "SIGKILL" else ""
    return f"was killed by {name}{hint}"


class TrainingRunner(QObject):
    """The GUI's handle on training: start, pause, resume, step, stop, and signals."""

    started = Signal(object)  # engine Started
    progress = Signal(object)  # engine Progress
    paused = Signal()
    resumed = Signal()
    checkpointed = Signal(object)  # engine.run Checkpoint: the run's state so far
    finished = Signal(object)  # engine RunResult
    failed = Signal(str, str)
    refused = Signal(str)  # a command the training process could not use
    running_changed = Signal(bool)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._worker: _Worker | None = None

    @property
    def running(self) -> bool:
        return self._worker is not None and self._worker.isRunning()

    def start(self, job: TrainingJob) -> None:
        if self.running:
            raise RuntimeError("a run is already going")
        worker = _Worker(job)
        worker.started_run.connect(self.started)
        worker.progress.connect(self.progress)
        worker.paused.connect(self.paused)
        worker.resumed.connect(self.resumed)
        worker.checkpointed.connect(self.checkpointed)
        worker.finished_run.connect(self.finished)
        worker.failed.connect(self.failed)
        worker.refused.connect(self.refused)
        worker.finished.connect(self._on_thread_done)
        self._worker = worker
        worker.start()
        self.running_changed.emit(True)

    def pause(self) -> None:
        if self._worker is not None:
            self._worker.send("pause")

    def resume(self) -> None:
        if self._worker is not None:
            self._worker.send("resume")

    def step(self) -> None:
        if self._worker is not None:
            self._worker.send("step")

    def stop(self) -> None:
        if self._worker is not None:
            self._worker.send("stop")

    def request_sample(self, x, target=None, class_names=()) -> bool:
        """Ask the running probe to push one sample through the network being trained;
        the answer arrives as ``snapshot.tried`` in a later progress signal."""
        if not self.running or not self._worker.job.probe:
            return False
        return self._worker.send({"sample": np.asarray(x), "target": target,
                                  "class_names": list(class_names)})

    def shutdown(self, timeout_ms: int = 5000) -> bool:
        """Stop and wait for the thread (call before the window closes)."""
        if self._worker is None:
            return True
        self.stop()
        done = self._worker.wait(timeout_ms)
        if done:
            self._on_thread_done()
        return done

    def _on_thread_done(self) -> None:
        if self._worker is not None and not self._worker.isRunning():
            self._worker = None
            self.running_changed.emit(False)
