"""``neurocanvas train``: train a project headless through the one run path
(``engine.run``), keeping its checkpoints in the ``--out`` project as it goes, so a run
killed at any moment continues with ``--resume``. Ctrl+C stops between batches, saves
what was learned with a checkpoint, and exits 130."""
from __future__ import annotations

import argparse
import csv
import json
import signal
import sys
import tempfile
import time
from pathlib import Path

from .backends import BACKENDS, DEVICES, launched_by_torchrun, process_rank
from .cli_torchrun import run_torchrun, wants_torchrun
from .control import TrainControl
from .data import prepare
from .errors import ConfigError, DataError, ProjectError
from .events import BatchEnd, Checkpointed, Diverged, EpochEnd, RunEnded, RunResult, Started
from .optimizers import OPTIMIZERS
from .project import Project, load_project, save_project
from .run import make_job, preprocessing, run_job
from .schedules import SCHEDULES
from .spec import design_fingerprint

EXIT_DIVERGED, EXIT_INTERRUPTED = 3, 130
DATA_KINDS = {".csv": "csv", ".npz": "npz", ".txt": "text"}
EXAMPLES = """examples:
  neurocanvas train resources/examples/digits_mlp.ncproj --out trained.ncproj
  neurocanvas train PROJECT --epochs 50 --lr 0.01 --optimizer sgd --out trained.ncproj
  neurocanvas train PROJECT --data houses.csv --target price --out trained.ncproj
  neurocanvas train PROJECT --data photos/ --out trained.ncproj      # a folder per class
  neurocanvas train trained.ncproj --resume --epochs 100             # go on to 100 in all
  neurocanvas train PROJECT --out trained.ncproj --json | jq .event
  neurocanvas train PROJECT --backend torch --device cuda --out trained.ncproj
  neurocanvas train PROJECT --backend torch --nproc 4 --out trained.ncproj   # DDP, torchrun

Settings not given come from the project (and its defaults). The --out project holds
the run's last checkpoint from its first epoch on: after a crash or Ctrl+C, --resume
continues exactly where it stopped. Exit status: 0 done, 1 a mistake, 3 the loss
diverged (the last good weights are saved), 130 interrupted (saved, resumable)."""


def add_parser(sub) -> None:
    p = sub.add_parser("train", help="train a project headless", epilog=EXAMPLES,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("project", help="the project (.ncproj) to train")
    p.add_argument("--out", help="where to save the trained project (with --resume: "
                                 "default the project itself)")
    p.add_argument("--resume", action="store_true",
                   help="continue the project's last run from its checkpoint")
    p.add_argument("--data", help="train on this file or folder instead of the project's "
                                  "data: .csv table, .npz, .txt text, or a folder of images")
    p.add_argument("--data-kind", choices=("csv", "npz", "images", "timeseries", "text"),
                   help="how to read --data (default: from its suffix; a folder is images)")
    p.add_argument("--target", help="with a CSV or time series: the column to predict "
                                    "(default: the last)")
    p.add_argument("--epochs", type=int, help="epochs in all (with --resume: the total, "
                                              "not how many more)")
    p.add_argument("--batch-size", type=int, help="samples per step")
    p.add_argument("--optimizer", choices=tuple(OPTIMIZERS))
    p.add_argument("--lr", type=float, help="learning rate")
    p.add_argument("--schedule", choices=SCHEDULES, help="learning-rate schedule")
    p.add_argument("--seed", type=int, help="seed for weights, splits, shuffling, dropout")
    p.add_argument("--checkpoint-every", type=float, metavar="SECONDS",
                   help="checkpoint at least this often mid-epoch (default 60; every "
                        "epoch end also writes one, at most once a second)")
    p.add_argument("--backend", choices=BACKENDS, help="numpy: the built-in engine "
                   "(default); torch: PyTorch (optional), for GPUs and --nproc")
    p.add_argument("--device", choices=DEVICES, help="with --backend torch: auto (default: "
                   "CUDA, then MPS, then the CPU), cpu, cuda or mps")
    p.add_argument("--nproc", type=int, metavar="N", help="with --backend torch: N "
                   "data-parallel processes on this machine under torchrun (gloo on CPUs, "
                   "NCCL on GPUs; one GPU each); several machines: see docs/scaling.md")
    p.add_argument("--json", action="store_true", help="one JSON object per event on "
                                                       "stdout, nothing else")
    p.add_argument("--quiet", action="store_true", help="no progress bar, only the last epoch")


def data_config_for_file(path: str, target: str | None, kind: str | None = None) -> dict:
    """A data description for ``--data PATH``: every kind the window reads."""
    file = Path(path).resolve()
    kind = kind or ("images" if file.is_dir() else DATA_KINDS.get(file.suffix.lower()))
    if kind is None:
        raise DataError(f"{path}: say how to read it with --data-kind (csv, npz, images, "
                        f"timeseries or text)")
    config = {"source": kind, "path": str(file)}
    if kind in ("csv", "timeseries"):
        config["target"] = target or _last_column(file)
    return config


def _last_column(path: Path) -> str:
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            header = next(csv.reader(fh), [])
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise DataError(f"{path}: cannot read its header ({exc})") from None
    if not header or not header[-1].strip():
        raise DataError(f"{path}: no header row to take the target column from; give --target")
    return header[-1].strip()


def run_train(args) -> int:
    project = load_project(args.project)
    if wants_torchrun(args):
        backend = args.backend or project.training.get("backend", "numpy")
        return run_torchrun(args, backend)
    if args.resume and project.checkpoint is None:
        raise ProjectError(f"{args.project} has no checkpoint to resume from: train it "
                           f"without --resume first")
    out = Path(args.out or (args.project if args.resume else ""))
    if not args.out and not args.resume:
        raise ProjectError("say where to save the trained project with --out")
    check_writable(out)
    job = _job(args, project)
    if launched_by_torchrun() and job.settings["backend"] != "torch":
        raise ConfigError("under torchrun, train with --backend torch")
    lead = process_rank() == 0  # the one process (of several under torchrun) that speaks
    saver = _Saver(project, job, out) if lead else None
    report = _Report(args.json, args.quiet) if lead else None
    control = TrainControl()
    interrupted: list[int] = []

    def on_ctrl_c(*_) -> None:  # stop between batches; the checkpoint is written then
        interrupted.append(1)
        control.stop()

    previous = signal.signal(signal.SIGINT, on_ctrl_c)
    try:
        for event in run_job(job, control, checkpoint_gap=1.0):
            if report is None or saver is None:
                continue
            report.show(event)
            if isinstance(event, Checkpointed):
                saver.checkpoint(event.checkpoint)
            elif isinstance(event, RunResult):
                saver.final(event)
                report.saved(out)
    finally:
        signal.signal(signal.SIGINT, previous)
    if interrupted:
        return EXIT_INTERRUPTED
    return EXIT_DIVERGED if isinstance(event.ended, Diverged) else 0


def check_writable(out: Path) -> None:
    """Before the data loads and the run starts: --out must be a file that can be
    written (a folder, a missing folder or a read-only one failed at the first
    checkpoint, an epoch into the run, and that epoch was lost)."""
    if out.is_dir():
        raise ProjectError(f"{out} is a folder: give a file name such as "
                           f"{out / 'trained.ncproj'}")
    folder = out.parent
    if not folder.is_dir():
        raise ProjectError(f"{out}: the folder {folder} does not exist")
    try:
        tempfile.TemporaryFile(dir=folder).close()
    except OSError as exc:
        raise ProjectError(f"{out}: cannot write in {folder} "
                           f"({exc.strerror or exc})") from None


def _job(args, project: Project):
    """The run asked for: the project's settings with the command line's on top, its
    data or --data, prepared and checked by the engine's one run path."""
    settings = {**project.training, **_overrides(args)}
    data_config = project.data
    if args.data:
        data_config = {**{k: v for k, v in project.data.items()
                          if k in ("validation_split", "test_split", "normalize")},
                       **data_config_for_file(args.data, args.target, args.data_kind)}
    base = Path(args.project).resolve().parent
    data = prepare(data_config, int(settings.get("seed", 0)), base_dir=base)
    return make_job(project.spec, data, settings, data_config=data_config,
                    resume=project.checkpoint if args.resume else None)


def _overrides(args) -> dict:
    given = {"epochs": args.epochs, "batch_size": args.batch_size, "optimizer": args.optimizer,
             "learning_rate": args.lr, "schedule": args.schedule, "seed": args.seed,
             "checkpoint_seconds": args.checkpoint_every, "backend": args.backend,
             "device": args.device}
    return {k: v for k, v in given.items() if v is not None}


class _Saver:
    """Writes the --out project: at each checkpoint (weights so far, the checkpoint) and
    at the end (the trained project). Each write is atomic."""

    def __init__(self, project: Project, job, out: Path):
        self.base = Project(project.spec, project.layout, job.data_config, job.settings,
                            name=project.name)
        self.job, self.out = job, out
        self.design = design_fingerprint(job.spec)

    def checkpoint(self, checkpoint) -> None:
        info = preprocessing(self.job, None, {}, self.design)
        info["message"] = f"Checkpoint at {checkpoint.describe()}"
        self.base.weights, self.base.history = checkpoint.weights, checkpoint.history
        self.base.preprocessing, self.base.checkpoint = info, checkpoint
        save_project(self.base, self.out)

    def final(self, result: RunResult) -> None:
        save_project(self.base.with_results(result), self.out)


class _Report:
    """What the person (or the script, with --json) sees of each event."""

    def __init__(self, as_json: bool, quiet: bool):
        self.json, self.quiet = as_json, quiet
        self.tty = sys.stderr.isatty() and not as_json and not quiet
        self.last = 0.0
        self.start = time.monotonic()
        self.total = self.first_samples = 0

    def show(self, event) -> None:
        if self.json:
            self._json(event)
        elif isinstance(event, Started):
            self.total = event.epochs * event.n_train
            print(f"training on {event.n_train} samples, validating on {event.n_val}; "
                  f"{event.epochs} epochs of {event.batches_per_epoch} batches; loss {event.loss}")
        elif isinstance(event, BatchEnd) and self.tty:
            self._bar(event)
        elif isinstance(event, EpochEnd):
            self._epoch(event)
        elif isinstance(event, RunEnded):
            stream = sys.stdout if type(event).__name__ == "Finished" else sys.stderr
            print(event.message, file=stream)
        elif isinstance(event, RunResult) and event.test:
            print("test: " + _metrics_line(event.test))

    def saved(self, path: Path) -> None:
        if self.json:
            print(json.dumps({"event": "saved", "path": str(path)}), flush=True)
        else:
            print(f"saved {path}")

    def _bar(self, event: BatchEnd) -> None:
        now = time.monotonic()
        if not self.first_samples:
            self.first_samples, self.start = event.samples, now
        if now - self.last < 0.1 and event.batch != event.batches:
            return
        self.last = now
        rate = (event.samples - self.first_samples) / max(now - self.start, 1e-9)
        left = (self.total - event.samples) / rate if rate > 0 else 0.0
        done = int(24 * event.batch / event.batches)
        sys.stderr.write(f"\r  epoch {event.epoch} [{'#' * done}{'.' * (24 - done)}] "
                         f"{event.batch}/{event.batches}  loss {event.loss:.4f}  "
                         f"{rate:,.0f} samples/s  {_duration(left)} left ")
        sys.stderr.flush()

    def _epoch(self, event: EpochEnd) -> None:
        if self.tty:
            sys.stderr.write("\r" + " " * 100 + "\r")
        if not self.quiet or event.epoch == event.epochs:
            r = event.record
            shown = {k: v for k, v in r.items() if k not in ("epoch", "seconds", "lr")}
            print(f"epoch {event.epoch}/{event.epochs}  {_metrics_line(shown)}  "
                  f"({r['seconds']:.2f} s)")

    def _json(self, event) -> None:
        line = _json_event(event)
        if isinstance(event, BatchEnd):  # at most ten a second, and each epoch's last
            now = time.monotonic()
            if now - self.last < 0.1 and event.batch != event.batches:
                return
            self.last = now
        if line is not None:
            print(json.dumps(line), flush=True)


def _json_event(event) -> dict | None:
    from dataclasses import asdict

    if isinstance(event, Checkpointed):
        c = event.checkpoint
        return {"event": "checkpoint", "epoch": c.epoch, "batch": c.batch, "step": c.step}
    if isinstance(event, RunResult):
        return {"event": "test", **event.test}
    if isinstance(event, RunEnded):
        return {"event": type(event).__name__.lower(), "message": event.message,
                "epochs": len(event.history)}
    if isinstance(event, EpochEnd):
        return {"event": "epoch", **event.record}
    names = {Started: "started", BatchEnd: "batch"}
    kind = names.get(type(event))
    return None if kind is None else {"event": kind, **asdict(event)}


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def _metrics_line(metrics: dict) -> str:
    return "  ".join(f"{k} {v:.4f}" for k, v in metrics.items() if isinstance(v, float))
