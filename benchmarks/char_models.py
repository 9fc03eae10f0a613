"""The character transformer example against the character LSTM example, for the same
wall-clock time, and both against the unigram baseline.

Trains ``char_transformer.ncproj`` with its own settings (the engine's one run path,
one BLAS thread) and times it; then trains ``char_lstm.ncproj`` with its settings and
stops it after the same time. Each is scored on its held-out test split (the same
windows: both use the bundled sonnets with the same split and seed). The baseline is
the unigram model: each character's frequency in the training split, scored on the
test split (its cross-entropy; the entropy of the training characters is printed too).
All in nats per character, the unit of the training loss (divide by ln 2 for bits).

    .venv/bin/python benchmarks/char_models.py [--seconds S]
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from benchmarks.bench_big_files import cpu_model  # noqa: E402
from engine.data import prepare  # noqa: E402
from engine.events import EpochEnd, RunResult  # noqa: E402
from engine.project import load_project  # noqa: E402
from engine.run import make_job, run_job  # noqa: E402

EXAMPLES = ROOT / "resources" / "examples"


def unigram(data) -> tuple[float, float]:
    """(entropy of the training characters, the unigram model's test cross-entropy)."""
    vocab = len(data.train.class_names)
    counts = np.bincount(data.train.y.ravel(), minlength=vocab).astype(np.float64)
    p = counts / counts.sum()
    entropy = float(-(p[p > 0] * np.log(p[p > 0])).sum())
    test = data.test.y.ravel()
    return entropy, float(-np.log(np.maximum(p[test], 1e-12)).mean())


def train(name: str, seconds: float | None = None, epochs: int | None = None):
    """(test loss, test accuracy, epochs run, seconds) of an example; stopped after
    ``seconds`` (at the next batch) when given."""
    project = load_project(EXAMPLES / f"{name}.ncproj")
    settings = dict(project.training)
    if epochs:
        settings["epochs"] = epochs
    data = prepare(project.data, int(settings.get("seed", 0)), base_dir=EXAMPLES)
    run = run_job(make_job(project.spec, data, settings, data_config=project.data))
    start, done = time.perf_counter(), 0
    for event in run:
        if isinstance(event, EpochEnd):
            done = event.epoch
        if seconds is not None and time.perf_counter() - start >= seconds:
            run.control.stop()
        if isinstance(event, RunResult):
            return event.test["loss"], event.test["accuracy"], done, \
                time.perf_counter() - start, data
    raise RuntimeError(f"{name}: the run gave no result")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=None,
                        help="train each this long (default: the transformer's own run)")
    args = parser.parse_args(argv)
    tf = train("char_transformer", args.seconds)
    budget = args.seconds or tf[3]
    lstm = train("char_lstm", budget)
    entropy, baseline = unigram(tf[4])
    print(f"Held-out next-character loss (nats/char), {budget:.1f} s of training each, "
          f"{cpu_model()}, one BLAS thread:")
    print(f"  unigram (train frequencies) : {baseline:.3f}   (train entropy {entropy:.3f})")
    for name, (loss, acc, epochs, secs, _d) in (("char_transformer", tf), ("char_lstm", lstm)):
        print(f"  {name:<28}: {loss:.3f}   accuracy {100 * acc:.1f} %, {epochs} epochs "
              f"in {secs:.1f} s")


if __name__ == "__main__":
    main()
