"""Training in a process of its own, driven over pipes with ``engine.wire`` frames.

Why a process: a trainer on a thread of the GUI's process shares the GIL with the
GUI, and a small network's thousands of tiny NumPy calls a second lose a fifth of their
speed to every repaint (measured: spirals with every inside view open ran at 75-80%
of headless). A process shares nothing, and a crash in it cannot take the window down.

Protocol (``python -m engine.remote``): the parent writes one job to stdin::

    {"spec": NetworkSpec as a dict, "data": PreparedData, "settings": dict,
     "initial_weights": dict | None, "probe": bool, "emit_interval": seconds}

then, at any time, commands: ``"pause"``, ``"resume"``, ``"step"``, ``"stop"`` or
``{"sample": x, "target": y, "class_names": [...]}`` (push one sample through the network
being trained; the answer comes as ``snapshot.tried``). The child writes messages to
stdout, each a dict with a ``kind``: ``started`` (``event``), ``progress`` (``latest``,
``batch_losses`` (n, 3) [step, loss, lr], ``epochs``, ``snapshot``, ``health``),
``paused``, ``resumed``, ``finished`` (``ended``, ``weights``, ``test``, ``loss``) or
``failed`` (``message``, ``details``), and exits after the last two. The end of stdin
means the parent is gone: the run stops. Progress is coalesced to one message per
``emit_interval``, so the GUI never falls behind however fast the batches come.
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
from .events import BatchEnd, EpochEnd, Paused, Resumed, RunEnded, Started
from .insights import BoundaryGrid, Probe, assess, probe_batch
from .network import Network
from .settings import choose_loss, training_settings
from .spec import NetworkSpec
from .trainer import evaluate, train
from .wire import WireError, read_frame, write_frame

# At most 2% of the run's time goes to looking inside (the engine's default is 5%): the
# GUI's throughput targets count the probe, and health badges refreshing about once a
# second on the CNN still read as live.
PROBE_SHARE = 0.02


class _Sender:
    """Writes messages; the command thread and the training loop both may."""

    def __init__(self, out: BinaryIO):
        self._out, self._lock = out, threading.Lock()

    def __call__(self, kind: str, **fields) -> None:
        with self._lock:
            write_frame(self._out, {"kind": kind, **fields})


class _Pending:
    """Progress since the last message."""

    def __init__(self):
        self.latest: BatchEnd | None = None
        self.losses: list[tuple[int, float, float]] = []
        self.epochs: list[dict] = []
        self.snapshot = self.health = None

    def __bool__(self) -> bool:
        return self.latest is not None or bool(self.epochs) or self.snapshot is not None

    def message(self) -> dict:
        losses = np.array(self.losses, dtype=np.float64).reshape(-1, 3)
        return {"latest": self.latest, "batch_losses": losses, "epochs": self.epochs,
                "snapshot": self.snapshot, "health": self.health}


class Session:
    """One run: the trainer's events turned into messages."""

    def __init__(self, job: dict, control: TrainControl, send):
        self.job, self.control, self.send = job, control, send
        self.probe: Probe | None = None  # set once the network exists

    def run(self) -> None:
        try:
            self._train()
        except NeuroCanvasError as exc:
            self.send("failed", message=str(exc), details=traceback.format_exc())
        except Exception as exc:  # noqa: BLE001 - a bug must become a message, not silence
            self.send("failed", message=f"Training failed: {type(exc).__name__}: {exc}",
                      details=traceback.format_exc())

    def _train(self) -> None:
        job, data = self.job, self.job["data"]
        settings = training_settings(job["settings"])
        network = Network(NetworkSpec.from_dict(job["spec"]), seed=settings["seed"])
        if job.get("initial_weights"):
            network.set_weights(job["initial_weights"])
        self.probe = self._make_probe(network, settings) if job.get("probe") else None
        interval = float(job.get("emit_interval", 0.1))
        pending, last, previous = _Pending(), 0.0, None
        for event in train(network, data.train, data.val, settings, self.control):
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
                self.send("started", event=event)
            elif isinstance(event, (Paused, Resumed, RunEnded)):
                pending, last = self._flush(pending), time.monotonic()
                if isinstance(event, RunEnded):
                    self._finish(network, settings, event)
                else:
                    self.send("paused" if isinstance(event, Paused) else "resumed")
                continue
            now = time.monotonic()
            if now - last >= interval:
                pending, last = self._flush(pending), now

    def _make_probe(self, network: Network, settings: dict) -> Probe:
        """A fixed probe batch of the training data; a decision map for 2-D inputs,
        drawn in the data's own units when it was standardised."""
        prepared = self.job["data"]
        data = prepared.train
        loss = choose_loss(settings, data.task, network.report.output_shape[-1])
        x, y, _ = probe_batch(data, 64, settings["seed"])
        grid = None
        if data.x.ndim == 2 and data.x.shape[1] == 2:
            norm = prepared.normalizer
            raw = data.x if norm is None else norm.inverse_transform(data.x)
            grid = BoundaryGrid(raw, 100, transform=None if norm is None else norm.transform)
        return Probe(network, x, y, loss=loss.name, task=data.task, max_share=PROBE_SHARE,
                     boundary=grid)

    def _flush(self, pending: _Pending) -> _Pending:
        if pending:
            self.send("progress", **pending.message())
        return _Pending()

    def _finish(self, network: Network, settings: dict, ended: RunEnded) -> None:
        data = self.job["data"]
        loss = choose_loss(settings, data.train.task, network.report.output_shape[-1])
        test = evaluate(network, data.test, loss) if len(data.test) else {}
        self.send("finished", ended=ended, weights=network.weights(), test=test,
                  loss=loss.name)


def _commands(inp: BinaryIO, control: TrainControl, session: Session) -> None:
    """Apply the parent's commands until its end of the pipe closes (then stop)."""
    actions = {"pause": control.pause, "resume": control.resume, "step": control.step,
               "stop": control.stop}
    while True:
        try:
            command = read_frame(inp)
        except (EOFError, WireError, OSError):
            control.stop()
            return
        if isinstance(command, str) and command in actions:
            actions[command]()
        elif isinstance(command, dict) and "sample" in command and session.probe is not None:
            session.probe.request_sample(command["sample"], command.get("target"),
                                         tuple(command.get("class_names", ())))


def serve(inp: BinaryIO, out: BinaryIO) -> None:
    """Read a job from ``inp``, train, and report on ``out`` (see the module's text)."""
    send = _Sender(out)
    try:
        job = read_frame(inp)
        if not isinstance(job, dict) or not {"spec", "data", "settings"} <= job.keys():
            raise WireError("the job lacks a spec, data or settings")
    except (EOFError, WireError) as exc:
        send("failed", message=f"Training could not start: {exc}", details="")
        return
    control = TrainControl()
    session = Session(job, control, send)
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
