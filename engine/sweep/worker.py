"""One trial of a sweep, in a process of its own: ``python -m engine.sweep.worker``.

The scheduler writes one JSON line to stdin: ``{"project": PATH, "base_dir": DIR,
"settings": {name: value}, "epochs": N or null}``, and keeps stdin open; its end
(Stop, or the scheduler gone) stops the run between batches. The trial trains through
the one run path (``make_job`` / ``run_job``) and answers with JSON lines on stdout:
``{"event": "started", "params": N, "epochs": E}``, one ``{"event": "epoch",
"record": {...}}`` per epoch, then ``{"event": "ended", "how": "finished" | "stopped"
| "diverged", "message": ...}``, or ``{"event": "failed", "message": ...}`` (exit 1)
when the trial cannot run (its settings make an invalid network, say).
"""
from __future__ import annotations

import json
import math
import signal
import sys
import threading
from pathlib import Path

from ..control import TrainControl
from ..errors import NeuroCanvasError
from ..events import EpochEnd, RunEnded, Started


def main() -> int:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the scheduler's to handle
    line = sys.stdin.readline()
    control = TrainControl()
    threading.Thread(target=_stop_at_eof, args=(control,), daemon=True).start()
    try:
        request = json.loads(line)
        return run_trial(request, control)
    except NeuroCanvasError as exc:
        _say({"event": "failed", "message": str(exc)})
        return 1
    except (ValueError, KeyError, TypeError) as exc:
        _say({"event": "failed", "message": f"a malformed trial request ({exc})"})
        return 1


def _stop_at_eof(control: TrainControl) -> None:
    while sys.stdin.readline():
        pass
    control.stop()


def run_trial(request: dict, control: TrainControl) -> int:
    from ..data import prepare
    from ..graph import infer_shapes
    from ..project import load_project
    from ..run import make_job, run_job
    from .space import apply_settings

    project = load_project(request["project"])
    spec, training = apply_settings(project.spec, project.training, request["settings"])
    if request.get("epochs") and "epochs" not in request["settings"]:
        training["epochs"] = request["epochs"]  # the sweep's epochs, unless swept
    training["backend"] = "numpy"  # one core each: the scheduler runs trials side by side
    base = request.get("base_dir")
    data = prepare(project.data, int(training.get("seed", 0)),
                   base_dir=Path(base) if base else None)
    job = make_job(spec, data, training, data_config=project.data)
    params = infer_shapes(spec).total_params
    for event in run_job(job, control):
        if isinstance(event, Started):
            _say({"event": "started", "params": params, "epochs": event.epochs})
        elif isinstance(event, EpochEnd):
            _say({"event": "epoch", "record": _plain(event.record)})
        elif isinstance(event, RunEnded):
            _say({"event": "ended", "how": type(event).__name__.lower(),
                  "message": event.message})
    return 0


def _plain(record: dict) -> dict:
    """A history row with non-finite numbers as null (JSON has no NaN)."""
    return {k: (None if isinstance(v, float) and not math.isfinite(v) else v)
            for k, v in record.items()}


def _say(message: dict) -> None:
    print(json.dumps(message), flush=True)


if __name__ == "__main__":
    sys.exit(main())
