"""Training in a process of its own, driven over pipes with ``engine.wire`` frames.

Why a process: a trainer on a thread of the GUI's process shares the GIL with the
GUI, and a small network's thousands of tiny NumPy calls a second lose a fifth of their
speed to every repaint (measured: spirals with every inside view open ran at 75-80%
of headless). A process shares nothing, and a crash in it cannot take the window down.

Protocol (``python -m engine.remote``): the parent writes one frame to stdin,
``{"job": engine.run.TrainingJob, "emit_interval": seconds}``, then, at any time,
commands: ``"pause"``, ``"resume"``, ``"step"``, ``"stop"`` or ``{"sample": x,
"target": y, "class_names": [...]}`` (push one sample through the network being
trained; the answer comes as ``snapshot.tried``). The child answers with the typed
events of ``engine.events``, as they are: ``Started``, ``Progress`` (every batch loss
since the last, finished epochs, the newest probe snapshot and health), ``Paused``,
``Resumed``, ``Checkpointed`` (at epoch ends at most every ``CHECKPOINT_GAP`` seconds,
mid-epoch at the job's ``checkpoint_seconds``, and at the end), then one ``RunResult``
or ``RunFailed``, and exits. The end of stdin means the parent is gone: the run stops.
Progress is coalesced to one message per ``emit_interval``, so the GUI never falls
behind however fast the batches come.
"""
from __future__ import annotations

import os
import sys
import threading
import time
import traceback
from typing import BinaryIO

import numpy as np

from .control import TrainControl
from .errors import NeuroCanvasError
from .events import (BatchEnd, CommandRefused, EpochEnd, Progress, RunEnded, RunFailed,
                     Started)
from .insights import BoundaryGrid, Probe, assess, probe_batch
from .network import Network
from .run import TrainingJob, run_job
from .wire import WireError, decode, read_body, read_frame, write_frame

# At most 2% of the run's time goes to looking inside (the engine's default is 5%): the
# GUI's throughput targets count the probe, and health badges refreshing about once a
# second on the CNN still read as live.
PROBE_SHARE = 0.02
# Seconds between checkpoints sent at epoch ends at least: a small network ends dozens
# of epochs a second, and each checkpoint (weights and optimizer moments) costs the
# window's process time to read.
CHECKPOINT_GAP = 2.0


class _Sender:
    """Writes events; the command thread and the training loop both may."""

    def __init__(self, out: BinaryIO):
        self._out, self._lock = out, threading.Lock()

    def __call__(self, event) -> None:
        with self._lock:
            write_frame(self._out, event)


class _Pending:
    """Progress since the last message."""

    def __init__(self):
        self.latest: BatchEnd | None = None
        self.losses: list[tuple[int, float, float]] = []
        self.epochs: list[dict] = []
        self.snapshot = self.health = None

    def __bool__(self) -> bool:
        return self.latest is not None or bool(self.epochs) or self.snapshot is not None

    def event(self) -> Progress:
        losses = np.array(self.losses, dtype=np.float64).reshape(-1, 3)
        return Progress(self.latest, losses, self.epochs, self.snapshot, self.health)


class Session:
    """One run of a job: its events sent on, batches coalesced into ``Progress``."""

    def __init__(self, job: TrainingJob, control: TrainControl, send,
                 emit_interval: float = 0.1):
        self.job, self.control, self.send = job, control, send
        self.interval = emit_interval
        self.probe: Probe | None = None  # set once the network exists

    def run(self) -> None:
        try:
            self._train()
        except NeuroCanvasError as exc:
            self.send(RunFailed(str(exc), traceback.format_exc()))
        except Exception as exc:  # noqa: BLE001 - a bug must become a message, not silence
            self.send(RunFailed(f"Training failed: {type(exc).__name__}: {exc}",
                                traceback.format_exc()))

    def _train(self) -> None:
        run = run_job(self.job, self.control, checkpoint_gap=CHECKPOINT_GAP)
        self.probe = self._make_probe(run.network, run.job) if self.job.probe else None
        if self.probe is not None and run.torch is not None:
            self.probe.sync = run.torch.net.to_engine  # PyTorch's weights, when looked at
        pending, last, previous = _Pending(), 0.0, None
        for event in run:
            if isinstance(event, BatchEnd):
                pending.latest = event
                pending.losses.append((event.step, event.loss, event.lr))
                snap = self.probe.poll(event.step) if self.probe is not None else None
                if snap is not None:  # health compares it with the snapshot before
                    pending.health = assess(snap, previous, lr=event.lr)
                    pending.snapshot = previous = snap
            elif isinstance(event, EpochEnd):
                pending.epochs.append(dict(event.record))
            elif isinstance(event, Started):
                self.send(event)
            elif isinstance(event, RunEnded):  # the RunResult after it carries it
                pending, last = self._flush(pending), time.monotonic()
                continue
            else:  # paused, resumed, a checkpoint, the end: after the batches before it
                pending, last = self._flush(pending), time.monotonic()
                self.send(event)
                continue
            now = time.monotonic()
            if now - last >= self.interval:
                pending, last = self._flush(pending), now

    @staticmethod
    def _make_probe(network: Network, job: TrainingJob) -> Probe:
        """A fixed probe batch of the training data; a decision map for 2-D inputs,
        drawn in the data's own units when it was standardised."""
        prepared, settings = job.data, job.settings
        data = prepared.train
        x, y, _ = probe_batch(data, 64, settings["seed"])
        grid = None
        if data.x.ndim == 2 and data.x.shape[1] == 2:
            norm = prepared.normalizer
            raw = data.x if norm is None else norm.inverse_transform(data.x)
            grid = BoundaryGrid(raw, 100, transform=None if norm is None else norm.transform)
        return Probe(network, x, y, loss=job.loss, task=data.task, max_share=PROBE_SHARE,
                     boundary=grid)

    def _flush(self, pending: _Pending) -> _Pending:
        if pending:
            self.send(pending.event())
        return _Pending()


def _commands(inp: BinaryIO, control: TrainControl, session: Session) -> None:
    """Apply the parent's commands until its end of the pipe closes (then stop). A
    command that cannot be used is refused (``CommandRefused``) and the run goes on;
    only a broken stream (no way to find the next command) stops it."""
    while True:
        try:
            body = read_body(inp)
        except (EOFError, WireError, OSError):
            control.stop()
            return
        try:
            _apply(decode(body), control, session)
        except (NeuroCanvasError, TypeError, ValueError) as exc:
            session.send(CommandRefused(f"Command refused: {exc}"))


def _apply(command, control: TrainControl, session: Session) -> None:
    actions = {"pause": control.pause, "resume": control.resume, "step": control.step,
               "stop": control.stop}
    if isinstance(command, str) and command in actions:
        actions[command]()
    elif isinstance(command, dict) and "sample" in command:
        if session.probe is None:
            raise ValueError("this run does not look inside, so it cannot try a sample")
        session.probe.request_sample(command["sample"], command.get("target"),
                                     tuple(command.get("class_names", ())))
    else:
        raise ValueError(f"unknown command {str(command)[:80]!r}")


def serve(inp: BinaryIO, out: BinaryIO) -> None:
    """Read a job from ``inp``, train, and report on ``out`` (see the module's text)."""
    send = _Sender(out)
    try:
        frame = read_frame(inp)
        if not isinstance(frame, dict) or not isinstance(frame.get("job"), TrainingJob):
            raise WireError("the first frame holds no training job")
    except (EOFError, WireError) as exc:
        send(RunFailed(f"Training could not start: {exc}"))
        return
    control = TrainControl()
    session = Session(frame["job"], control, send, float(frame.get("emit_interval", 0.1)))
    threading.Thread(target=_commands, args=(inp, control, session), daemon=True).start()
    session.run()


def main() -> None:
    # Frames go to the real stdout; anything else printed (a warning, a stray print)
    # goes to stderr instead of corrupting them.
    out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    sys.stdout = sys.stderr
    # Commands are read unbuffered: a daemon thread blocked in a *buffered* read holds
    # its lock, and Python aborts at exit when a thread holds one (SIGABRT, seen here).
    inp = open(sys.stdin.fileno(), "rb", buffering=0, closefd=False)
    try:
        serve(inp, out)
    except BrokenPipeError:  # the parent went away mid-message: nobody to tell
        pass
    finally:
        try:
            out.close()
        except BrokenPipeError:
            pass


if __name__ == "__main__":
    main()
