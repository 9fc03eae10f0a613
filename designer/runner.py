"""Runs the engine's trainer on a worker thread and reports back with queued signals.

The worker iterates ``engine.trainer.train`` (a generator) over an immutable snapshot
(a spec, prepared data and settings), with one BLAS thread (two BLAS threads fight the
GUI thread for the cores) and an 8 MB stack (OpenBLAS overflows a QThread's default on
macOS). Batch and epoch events are coalesced into at most 10 ``progress`` signals a
second, each carrying copies, so the GUI thread never falls behind however fast the
batches come. Any exception becomes ``failed`` with the details; the thread never dies
silently. As superqt's GeneratorWorker, but with the coalescing the plots want.
"""
from __future__ import annotations

import time
import traceback
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, QThread, Signal

from engine.control import TrainControl
from engine.data import PreparedData
from engine.errors import NeuroCanvasError
from engine.events import BatchEnd, EpochEnd, Paused, Resumed, RunEnded, Started
from engine.insights import BoundaryGrid, Probe, assess, probe_batch
from engine.network import Network
from engine.settings import choose_loss, training_settings
from engine.trainer import evaluate, train

# Seconds between progress signals at most. Every signal costs GUI-thread time (progress
# bar, labels, views) and with it the GIL the trainer needs; plots draw at 8 Hz anyway,
# so 10 signals a second look as live as 30 and cost a third.
EMIT_INTERVAL = 1 / 10
STACK_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class TrainingJob:
    """Everything a run needs, fixed when Train is pressed."""

    spec: object  # engine.spec.NetworkSpec (immutable)
    data: PreparedData
    settings: dict
    initial_weights: dict | None = None  # continue from these instead of a fresh start
    probe: bool = True  # look inside while training (engine.insights; ~5% of the time)


@dataclass
class Progress:
    """What happened since the last signal: every batch loss and finished epoch."""

    latest: BatchEnd | None = None
    batch_losses: list = field(default_factory=list)  # (step, loss, lr)
    epochs: list = field(default_factory=list)  # history records
    snapshot: object = None  # the newest engine.insights ProbeSnapshot, if one was taken
    health: dict | None = None  # layer id -> engine.insights Health for that snapshot


@dataclass(frozen=True)
class RunResult:
    ended: RunEnded
    weights: dict
    test: dict  # loss and metrics on the test split ({} when there is none)
    loss: str


class _Worker(QThread):
    started_run = Signal(object)  # engine Started event
    progress = Signal(object)  # Progress
    paused = Signal()
    resumed = Signal()
    finished_run = Signal(object)  # RunResult
    failed = Signal(str, str)  # message for people, details (traceback)

    def __init__(self, job: TrainingJob, control: TrainControl):
        super().__init__()
        self.job, self.control = job, control
        self.probe = None  # set once the network exists
        self.setStackSize(STACK_BYTES)

    def run(self) -> None:
        try:
            from threadpoolctl import threadpool_limits

            with threadpool_limits(1, user_api="blas"):
                self._train()
        except NeuroCanvasError as exc:
            self.failed.emit(str(exc), traceback.format_exc())
        except Exception as exc:  # noqa: BLE001 - a bug must become a message, not a dead thread
            self.failed.emit(f"Training failed: {type(exc).__name__}: {exc}",
                             traceback.format_exc())

    def _train(self) -> None:
        job = self.job
        settings = training_settings(job.settings)
        network = Network(job.spec, seed=settings["seed"])
        if job.initial_weights:
            network.set_weights(job.initial_weights)
        self.probe = self._make_probe(network, settings) if job.probe else None
        pending, last, previous = Progress(), 0.0, None
        for event in train(network, job.data.train, job.data.val, settings, self.control):
            if isinstance(event, BatchEnd):
                pending.latest = event
                pending.batch_losses.append((event.step, event.loss, event.lr))
                snap = self.probe.poll(event.step) if self.probe is not None else None
                if snap is not None:  # health compares it with the snapshot before
                    pending.health = assess(snap, previous, lr=event.lr)
                    pending.snapshot = previous = snap
            elif isinstance(event, EpochEnd):
                pending.epochs.append(dict(event.record))
            elif isinstance(event, Started):
                self.started_run.emit(event)
            elif isinstance(event, (Paused, Resumed, RunEnded)):
                pending, last = self._flush(pending), time.monotonic()
                if isinstance(event, Paused):
                    self.paused.emit()
                elif isinstance(event, Resumed):
                    self.resumed.emit()
                else:
                    self._finish(network, settings, event)
                continue
            now = time.monotonic()
            if now - last >= EMIT_INTERVAL:
                pending, last = self._flush(pending), now

    def _make_probe(self, network, settings):
        """A fixed probe batch of the training data; a decision map for 2-D inputs."""
        data = self.job.data.train
        loss = choose_loss(settings, data.task, network.report.output_shape[-1])
        x, y, _ = probe_batch(data, 64, settings["seed"])
        two_d = data.x.ndim == 2 and data.x.shape[1] == 2
        # At most 2% of the run's time goes to looking inside (the engine's default is
        # 5%): the throughput targets count the probe, and badges refreshing
        # about once a second on the CNN still read as live.
        return Probe(network, x, y, loss=loss.name, task=data.task, max_share=0.02,
                     boundary=BoundaryGrid(data.x, 100) if two_d else None)

    def _flush(self, pending: Progress) -> Progress:
        if pending.latest is not None or pending.epochs or pending.snapshot is not None:
            self.progress.emit(pending)  # handed over whole: the worker starts a new one
        return Progress()

    def _finish(self, network, settings, ended: RunEnded) -> None:
        data = self.job.data
        loss = choose_loss(settings, data.train.task, network.report.output_shape[-1])
        test = evaluate(network, data.test, loss) if len(data.test) else {}
        self.finished_run.emit(RunResult(ended, network.weights(), test, loss.name))


class TrainingRunner(QObject):
    """The GUI's handle on training: start, pause, resume, step, stop, and signals."""

    started = Signal(object)
    progress = Signal(object)
    paused = Signal()
    resumed = Signal()
    finished = Signal(object)  # RunResult
    failed = Signal(str, str)
    running_changed = Signal(bool)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._worker: _Worker | None = None
        self._control: TrainControl | None = None

    @property
    def running(self) -> bool:
        return self._worker is not None and self._worker.isRunning()

    def start(self, job: TrainingJob) -> None:
        if self.running:
            raise RuntimeError("a run is already going")
        self._control = TrainControl()
        worker = _Worker(job, self._control)
        worker.started_run.connect(self.started)
        worker.progress.connect(self.progress)
        worker.paused.connect(self.paused)
        worker.resumed.connect(self.resumed)
        worker.finished_run.connect(self.finished)
        worker.failed.connect(self.failed)
        worker.finished.connect(self._on_thread_done)
        self._worker = worker
        worker.start()
        self.running_changed.emit(True)

    def pause(self) -> None:
        if self._control:
            self._control.pause()

    def resume(self) -> None:
        if self._control:
            self._control.resume()

    def step(self) -> None:
        if self._control:
            self._control.step()

    def stop(self) -> None:
        if self._control:
            self._control.stop()

    def request_sample(self, x, target=None, class_names=()) -> bool:
        """Ask the running probe to push one sample through the network being trained;
        the answer arrives as ``snapshot.tried`` in a later progress signal."""
        probe = getattr(self._worker, "probe", None) if self.running else None
        if probe is None:
            return False
        probe.request_sample(x, target, class_names)
        return True

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
