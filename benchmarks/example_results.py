"""What each bundled example reaches with its own settings and the default seed: the
README's examples table, produced by running them rather than typed.

Each project in ``resources/examples/`` is trained as ``neurocanvas train`` trains it
(its data, its settings, its seed; the engine's one run path) and scored on its
held-out test split. ``--write`` puts the table into README.md between its markers.

    .venv/bin/python benchmarks/example_results.py [--write] [--only NAME ...]
"""
from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before NumPy: the note says so
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bench_big_files import cpu_model  # noqa: E402
from engine.data import prepare  # noqa: E402
from engine.events import RunResult  # noqa: E402
from engine.project import Project, load_project  # noqa: E402
from engine.run import make_job, run_job  # noqa: E402

EXAMPLES = ROOT / "resources" / "examples"
START, END = "<!-- example-results:start -->", "<!-- example-results:end -->"


def network_text(project: Project) -> str:
    """The design in a line: Dense 256 relu → Dropout → Dense 10 softmax."""
    parts = []
    for layer in project.spec.layers[1:]:
        config = layer.config
        size = next((config[k] for k in ("units", "filters", "output_dim") if k in config), "")
        activation = config.get("activation", "")
        parts.append(" ".join(str(p) for p in (layer.type, size, activation) if p != ""))
    return " → ".join(parts)


def train(path: Path) -> tuple[Project, dict, float, RunResult]:
    project = load_project(path)
    seed = int(project.training.get("seed", 0))
    start = time.perf_counter()
    data = prepare(project.data, seed, base_dir=path.parent)
    job = make_job(project.spec, data, project.training, data_config=project.data)
    result = next(e for e in run_job(job) if isinstance(e, RunResult))
    info = dict(data.dataset_info)
    if info.get("reconstruct"):  # what answering the mean training image scores
        info["mean_image_mse"] = float(((data.test.y - data.train.y.mean(axis=0)) ** 2).mean())
    return project, info, time.perf_counter() - start, result


def score(info: dict, test: dict) -> str:
    if info["task"] == "classification":
        return f"{100 * test['accuracy']:.1f} % accuracy"
    if "mean_image_mse" in info:
        return f"MSE {test['loss']:.4f} (the mean image: {info['mean_image_mse']:.4f})"
    return f"MSE {test['loss']:.4f}"


def table(rows: list[tuple[str, ...]]) -> str:
    head = ("| project | data | network | test split, default seed | epochs | time |\n"
            "|---|---|---|---|---|---|\n")
    return head + "".join("| " + " | ".join(row) + " |\n" for row in rows)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", action="store_true", help="update README.md's table")
    parser.add_argument("--only", nargs="*", help="these examples only (by file stem)")
    args = parser.parse_args(argv)
    rows = []
    for path in sorted(EXAMPLES.glob("*.ncproj")):
        if args.only and path.stem not in args.only:
            continue
        project, info, seconds, result = train(path)
        data = f"{info['name']}: {info['n_samples']:,} samples" + (
            ", target: the input itself" if info.get("reconstruct") else "")
        ran, planned = len(result.ended.history), project.training["epochs"]
        epochs = str(ran) if ran == planned else f"{ran} of {planned} (early stop)"
        rows.append((f"`{path.name}`", data, network_text(project), score(info, result.test),
                     epochs,
                     f"{seconds:.1f} s" if seconds < 10 else f"{seconds:.0f} s"))
        print(" | ".join(rows[-1]), flush=True)
    text = table(rows)
    note = (f"Time: loading, training and testing, one run each on {cpu_model()} (2 cores, "
            f"one BLAS thread).")
    print("\n" + text + "\n" + note)
    if args.write:
        readme = ROOT / "README.md"
        old = readme.read_text(encoding="utf-8")
        block = f"{START}\n{text}\n{note}\n{END}"
        new, count = re.subn(re.escape(START) + ".*?" + re.escape(END), lambda _: block,
                             old, flags=re.S)
        if count != 1:
            raise SystemExit(f"README.md needs one {START} ... {END} block")
        readme.write_text(new, encoding="utf-8")
        print("README.md updated")


if __name__ == "__main__":
    main()
