"""Seconds per epoch of every bundled example on both backends: the built-in NumPy
engine and the PyTorch backend on the CPU, one thread each, the same job (design, data,
settings) through the one run path. Prints the CPU model (lscpu) first: the ratio moves
from one CPU to another (docs/scaling.md says how to read it).

    .venv/bin/python benchmarks/bench_backends.py [--epochs 2] [--only cnn_digits ...]

An epoch is timed from the run's own EpochEnd record (training batches plus the
validation pass); the first epoch is left out when more than one is run (PyTorch's
first calls are slower).
"""
from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.common import single_thread, try_torch  # noqa: E402

from engine.data import prepare  # noqa: E402
from engine.events import EpochEnd  # noqa: E402
from engine.project import load_project  # noqa: E402
from engine.run import make_job, run_job  # noqa: E402

EXAMPLES = Path(__file__).resolve().parents[1] / "resources" / "examples"


def cpu_model() -> str:
    try:
        text = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return "unknown (no lscpu)"
    for line in text.splitlines():
        if line.startswith("Model name:"):
            return line.split(":", 1)[1].strip()
    return "unknown"


def epoch_seconds(path: Path, backend: str, epochs: int) -> float:
    project = load_project(path)
    data = prepare(project.data, 0, base_dir=path.parent)
    settings = {**project.training, "epochs": epochs, "backend": backend, "device": "cpu",
                "early_stopping": False}
    job = make_job(project.spec, data, settings, data_config=project.data)
    times = [e.record["seconds"] for e in run_job(job) if isinstance(e, EpochEnd)]
    kept = times[1:] if len(times) > 1 else times
    return sum(kept) / len(kept)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--only", nargs="*", help="example names (default: all)")
    args = parser.parse_args()
    single_thread()
    torch = try_torch()
    print(f"CPU: {cpu_model()}; one thread per backend"
          + (f"; PyTorch {torch.__version__}" if torch else "; PyTorch not installed"))
    print(f"{'example':<16}{'numpy s/epoch':>15}{'torch s/epoch':>15}{'torch/numpy':>13}")
    for path in sorted(EXAMPLES.glob("*.ncproj")):
        if args.only and path.stem not in args.only:
            continue
        numpy_s = epoch_seconds(path, "numpy", args.epochs)
        if torch is None:
            print(f"{path.stem:<16}{numpy_s:>15.3f}{'-':>15}{'-':>13}")
            continue
        torch_s = epoch_seconds(path, "torch", args.epochs)
        print(f"{path.stem:<16}{numpy_s:>15.3f}{torch_s:>15.3f}{torch_s / numpy_s:>13.2f}")


if __name__ == "__main__":
    main()
