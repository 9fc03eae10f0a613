"""The headless command line: ``neurocanvas train | info | evaluate | predict``.

User mistakes (a bad file, a bad setting, an invalid network) print one clear line and
exit non-zero; tracebacks are for bugs only. Qt is never imported here.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import numpy as np

from .atomic import write_atomic
from .errors import DataError, NeuroCanvasError
from .graph import infer_shapes
from .layers import fmt_shape

EXIT_USER_ERROR = 1
EXIT_BROKEN_PIPE = 141  # as a shell reports a process ended by SIGPIPE


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="neurocanvas",
        description="NeuroCanvas: design, train and export neural networks. Without a "
                    "command (or with a project file) the designer window opens.")
    from . import __version__

    parser.add_argument("--version", action="version", version=f"NeuroCanvas {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    from .cli_train import add_parser as add_train_parser

    add_train_parser(sub)
    p = sub.add_parser("info", help="print the layer table, or what makes the network invalid")
    p.add_argument("project")
    for name, text in (("evaluate", "print loss and metrics of a trained project"),
                       ("predict", "write predictions of a trained project")):
        p = sub.add_parser(name, help=text)
        p.add_argument("trained", help="a trained project (.ncproj)")
        p.add_argument("--data", required=name == "predict",
                       help="a CSV or NPZ file (evaluate: default the project's test split)")
        p.add_argument("--target", help="with a CSV: the target column (default: as trained)")
        if name == "predict":
            p.add_argument("--out", required=True, help="PRED.npy or PRED.csv")
    for register in _extensions():
        register(sub)
    return parser


def _extensions():
    """Subcommands contributed by other engine modules (sample, export, check-gradients,
    sweep)."""
    found = []
    for module in ("engine.cli_sample", "engine.cli_export", "engine.cli_gradcheck",
                   "engine.cli_sweep"):
        try:
            found.append(__import__(module, fromlist=["register"]).register)
        except ImportError:
            continue
    return found


def main(argv: list[str] | None = None) -> int:
    try:  # Ctrl+C while the subcommands import (a third of a second): one line too
        parser = build_parser()
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        return _dispatch(args)
    except NeuroCanvasError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except BrokenPipeError:  # the reader went away (``... --json | head``): say nothing
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"error: {where}{exc.strerror or exc}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def _dispatch(args) -> int:
    if args.command == "train":
        from .cli_train import run_train

        return run_train(args)
    if args.command == "info":
        return run_info(args)
    if args.command == "evaluate":
        return run_evaluate(args)
    if args.command == "predict":
        return run_predict(args)
    return args.run(args)  # extension subcommands set ``run``


def run_info(args) -> int:
    from .project import load_project

    project = load_project(args.project)
    report = infer_shapes(project.spec)
    rows = [("name", "type", "output shape", "parameters")]
    for layer in project.spec.layers:
        info = report.layers[layer.id]
        rows.append((layer.name, layer.type, fmt_shape(info.output_shape), f"{info.params:,}"))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for i, row in enumerate(rows):
        print("  ".join(c.ljust(w) if j < 3 else c.rjust(w) for j, (c, w) in
                        enumerate(zip(row, widths))))
        if i == 0:
            print("  ".join("-" * w for w in widths))
    print(f"total parameters: {report.total_params:,}   trained: "
          f"{'yes' if project.trained else 'no'}")
    for note in project.notes:  # weights set aside: say which tensors and why
        print(f"warning: {note}", file=sys.stderr)
    for problem in report.problems:
        print(f"error: {problem}", file=sys.stderr)
    return 0 if report.ok else EXIT_USER_ERROR


def _model_and_data(args):
    from .cli_train import data_config_for_file
    from .data import load_dataset, prepare, read_data_config
    from .inference import TrainedModel
    from .project import load_project

    model = TrainedModel.from_project(load_project(args.trained))
    if not args.data:
        seed = model.project.training.get("seed", 0)
        base = Path(args.trained).resolve().parent
        return model, prepare(model.project.data, seed, base_dir=base).test, True
    target = args.target or _trained_target(model)
    source, settings = read_data_config(data_config_for_file(args.data, target))
    data = load_dataset(source, settings, 0, None)
    if model.project.data.get("reconstruct"):  # an autoencoder: the inputs are the targets
        from .data.reconstruct import as_reconstruction, check_reconstructable

        check_reconstructable(data)
        data = as_reconstruction(data)
    return model, data, False


def _trained_target(model) -> str | None:
    data = model.project.data
    return data.get("target") if data.get("source") == "csv" else None


def run_evaluate(args) -> int:
    from dataclasses import replace

    from .losses import get_loss
    from .run import evaluate

    model, data, prepared = _model_and_data(args)
    if len(data) == 0:
        raise DataError("There is no data to evaluate on (the test split is empty)")
    if not prepared:
        data = model.align_targets(data)
        data = replace(data, x=model.transform(data.x))
    result = evaluate(model.network, data, get_loss(model.loss))
    print(f"{len(data)} samples")
    for key, value in result.items():
        print(f"{key}: {value:.4f}")
    return 0


def run_predict(args) -> int:
    from .cli_train import data_config_for_file
    from .data import load_dataset, read_data_config
    from .inference import TrainedModel
    from .project import load_project

    model = TrainedModel.from_project(load_project(args.trained))
    x = _predict_inputs(args.data, model, data_config_for_file, read_data_config, load_dataset)
    out = model.predict(x)
    _write_predictions(Path(args.out), out, model)
    print(f"wrote {len(out)} predictions to {args.out}")
    return 0


def _predict_inputs(path, model, config_for, read_config, load):
    """Inputs from a file; a CSV may lack the target column (then every column is input)."""
    if Path(path).suffix.lower() == ".csv":
        from .data.table import numeric_columns, read_table

        table = read_table(path)
        names = list(model.dataset.get("feature_names") or [])
        if not names or (model.project.data.get("source") != "csv"
                         and not set(names) <= set(table.header)):
            # Trained on built-in data: its column names are ours, not the file's.
            names = [c for c in table.header if c != _trained_target(model)]
        return numeric_columns(table, names, np.float32)
    source, settings = read_config(config_for(path, None))
    return load(source, settings, 0, None).x


def spreadsheet_safe(text: str) -> str:
    """A text cell a spreadsheet will not run as a formula: one starting with = + - @
    (or a tab or carriage return) gets a leading apostrophe, as OWASP advises."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _write_predictions(path: Path, out: np.ndarray, model) -> None:
    suffix = path.suffix.lower()
    if suffix == ".npy":
        write_atomic(path, lambda fh: np.save(fh, out, allow_pickle=False))
        return
    if suffix != ".csv":
        raise DataError(f"--out must end in .npy or .csv, not {suffix or 'nothing'}")
    import csv
    import io

    flat = out.reshape(len(out), -1)
    with io.StringIO(newline="") as fh:
        writer = csv.writer(fh)
        if model.task == "classification" and out.ndim == 2:
            names = model.class_names or [str(i) for i in range(flat.shape[1])]
            names = names if flat.shape[1] > 1 else ["positive"]
            writer.writerow(["prediction"] + [spreadsheet_safe(f"p_{n}") for n in names])
            for row in flat:
                label = names[int(row.argmax())] if len(row) > 1 else str(int(row[0] > 0.5))
                writer.writerow([spreadsheet_safe(label)] + [f"{v:.6g}" for v in row])
        else:
            writer.writerow([f"output_{i}" for i in range(flat.shape[1])])
            writer.writerows([[f"{v:.6g}" for v in row] for row in flat])
        write_atomic(path, fh.getvalue().encode("utf-8"))


if __name__ == "__main__":
    sys.exit(main())
