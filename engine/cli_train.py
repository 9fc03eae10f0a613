"""``neurocanvas train``: train a project headless with a progress line per batch and a
summary line per epoch; Ctrl+C stops between batches and keeps what was learned."""
from __future__ import annotations

import signal
import sys
import time
from pathlib import Path

from .control import TrainControl
from .data import dataset_info, prepare
from .events import BatchEnd, Diverged, EpochEnd, RunEnded, Started, Stopped
from .network import Network
from .project import Project, load_project, save_project
from .settings import choose_loss, training_settings
from .trainer import evaluate, train


def data_config_for_file(path: str, target: str | None) -> dict:
    """A data description for ``--data FILE`` (.csv or .npz)."""
    suffix = Path(path).suffix.lower()
    if suffix == ".npz":
        return {"source": "npz", "path": str(Path(path).resolve())}
    config = {"source": "csv", "path": str(Path(path).resolve())}
    if target:
        config["target"] = target
    return config


def run_train(args) -> int:
    project = load_project(args.project)
    settings = dict(project.training)
    overrides = {"epochs": args.epochs, "batch_size": args.batch_size,
                 "learning_rate": args.lr, "seed": args.seed}
    settings.update({k: v for k, v in overrides.items() if v is not None})
    settings = training_settings(settings)
    data_config = project.data
    if args.data:
        data_config = {**{k: v for k, v in project.data.items()
                          if k in ("validation_split", "test_split", "normalize")},
                       **data_config_for_file(args.data, args.target)}
    data = prepare(data_config, settings["seed"], base_dir=Path(args.project).resolve().parent)
    network = Network(project.spec, seed=settings["seed"])
    loss = choose_loss(settings, data.train.task, network.report.output_shape[-1])
    end = _train_loop(network, data, settings, args.quiet)
    test = evaluate(network, data.test, loss) if len(data.test) else {}
    if test:
        print("test: " + _metrics_line(test))
    info = {"loss": loss.name, "normalizer": data.normalizer.to_dict() if data.normalizer else None,
            "dataset": dataset_info(data.train) | {"name": data.dataset_info.get("name")},
            "test": test, "ended": type(end).__name__.lower(), "message": end.message}
    trained = Project(project.spec, project.layout, data_config, settings, network.weights(),
                      end.history, info, project.name)
    save_project(trained, args.out)
    print(f"saved {args.out}")
    return 3 if isinstance(end, Diverged) else 0


def _train_loop(network, data, settings, quiet) -> RunEnded:
    control = TrainControl()
    previous = signal.signal(signal.SIGINT, lambda *_: control.stop())
    try:
        progress = _Progress(quiet)
        for event in train(network, data.train, data.val, settings, control):
            progress.show(event)
    finally:
        signal.signal(signal.SIGINT, previous)
    return event


class _Progress:
    def __init__(self, quiet: bool):
        self.quiet = quiet
        self.tty = sys.stderr.isatty()
        self.last = 0.0

    def show(self, event) -> None:
        if isinstance(event, Started):
            print(f"training on {event.n_train} samples, validating on {event.n_val}; "
                  f"{event.epochs} epochs of {event.batches_per_epoch} batches; loss {event.loss}")
        elif isinstance(event, BatchEnd) and self.tty and not self.quiet:
            now = time.monotonic()
            if now - self.last > 0.1 or event.batch == event.batches:
                self.last = now
                done = int(24 * event.batch / event.batches)
                sys.stderr.write(f"\r  epoch {event.epoch} [{'#' * done}{'.' * (24 - done)}] "
                                 f"{event.batch}/{event.batches}  loss {event.loss:.4f}")
                sys.stderr.flush()
        elif isinstance(event, EpochEnd):
            if self.tty and not self.quiet:
                sys.stderr.write("\r" + " " * 70 + "\r")
            if not self.quiet or event.epoch == event.epochs:
                r = event.record
                shown = {k: v for k, v in r.items() if k not in ("epoch", "seconds", "lr")}
                print(f"epoch {event.epoch}/{event.epochs}  {_metrics_line(shown)}  "
                      f"({r['seconds']:.2f} s)")
        elif isinstance(event, RunEnded):
            stream = sys.stderr if isinstance(event, (Diverged, Stopped)) else sys.stdout
            print(event.message, file=stream)


def _metrics_line(metrics: dict) -> str:
    return "  ".join(f"{k} {v:.4f}" for k, v in metrics.items() if isinstance(v, float))
