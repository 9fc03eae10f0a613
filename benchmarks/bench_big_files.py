"""Big ordinary files: time and peak memory to read a ~200 MB CSV and ~100 MB of text.

Each measurement runs in a fresh process (peak memory is the process's ``ru_maxrss``,
less what the same process held after its imports), twice per file: the loader alone
(``load_csv`` / ``load_text_file``: the data set's arrays) and ``prepare`` (loaded,
split and normalised, what a training run starts from). The ratio is the peak over the
final arrays' bytes, which the loaders aim to keep at about 3x.

    .venv/bin/python benchmarks/bench_big_files.py [--csv-mb 200] [--text-mb 100]
"""
from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COLUMNS = 20

_CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, {root!r})
import numpy as np
from engine.data.csv_loader import load_csv
from engine.data.prepare import prepare
from engine.data.text import load_text_file
kind, stage, path = sys.argv[1:4]
def peak():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
base = peak()
start = time.perf_counter()
if stage == "load":
    data = load_csv(path, "label") if kind == "csv" else load_text_file(path)
    arrays = [data.x, data.y]
else:
    config = ({{"source": "csv", "path": path, "target": "label"}} if kind == "csv" else
              {{"source": "text", "path": path}})
    ready = prepare(config)
    arrays = [part.x for part in (ready.train, ready.val, ready.test)]
    arrays += [part.y for part in (ready.train, ready.val, ready.test)]
seconds = time.perf_counter() - start
# Views (text windows) share one buffer: count each buffer once.
owners = {{}}
for a in arrays:
    owner = a.base if a.base is not None else a
    while getattr(owner, "base", None) is not None:
        owner = owner.base
    owners[id(owner)] = owner.nbytes
print(json.dumps({{"seconds": seconds, "peak": peak() - base, "arrays": sum(owners.values()),
                  "shape": list(arrays[0].shape)}}))
"""


def write_csv(path: Path, megabytes: float) -> int:
    """About ``megabytes`` of CSV: 20 float columns and a text label; returns its rows."""
    import numpy as np

    rng = np.random.default_rng(0)
    rows = int(megabytes * 1e6 / (COLUMNS * 10 + 2))
    with open(path, "w") as fh:
        fh.write(",".join(f"f{i}" for i in range(COLUMNS)) + ",label\n")
        for start in range(0, rows, 50_000):
            block = rng.normal(size=(min(50_000, rows - start), COLUMNS))
            labels = np.where(block[:, 0] > 0, "a", "b")
            fh.writelines(",".join(f"{v:.6f}" for v in row) + f",{label}\n"
                          for row, label in zip(block, labels))
    return rows


def write_text(path: Path, megabytes: float) -> None:
    """About ``megabytes`` of English: the bundled sonnets, repeated."""
    sonnets = (ROOT / "resources" / "data" / "shakespeare_sonnets.txt").read_text()
    copies = int(megabytes * 1e6 / len(sonnets.encode())) + 1
    with open(path, "w") as fh:
        for _ in range(copies):
            fh.write(sonnets)


def measure(kind: str, stage: str, path: Path) -> dict:
    child = _CHILD.format(root=str(ROOT))
    done = subprocess.run([sys.executable, "-c", child, kind, stage, str(path)],
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--csv-mb", type=float, default=200.0)
    parser.add_argument("--text-mb", type=float, default=100.0)
    args = parser.parse_args(argv)
    print(f"CPU: {cpu_model()}; Python {platform.python_version()}")
    with tempfile.TemporaryDirectory(prefix="bench_big_files_") as folder:
        files = {"csv": Path(folder) / "big.csv", "text": Path(folder) / "big.txt"}
        rows = write_csv(files["csv"], args.csv_mb)
        write_text(files["text"], args.text_mb)
        print(f"CSV: {files['csv'].stat().st_size / 1e6:.0f} MB, {rows:,} rows x "
              f"{COLUMNS + 1} columns; text: {files['text'].stat().st_size / 1e6:.0f} MB")
        print(f"{'file':6} {'stage':8} {'seconds':>8} {'peak MB':>8} {'arrays MB':>10} "
              f"{'peak/arrays':>12}")
        for kind, path in files.items():
            for stage in ("load", "prepare"):
                got = measure(kind, stage, path)
                print(f"{kind:6} {stage:8} {got['seconds']:8.1f} {got['peak'] / 1e6:8.0f} "
                      f"{got['arrays'] / 1e6:10.0f} {got['peak'] / got['arrays']:11.1f}x")


def cpu_model() -> str:
    try:
        for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
            if line.startswith("Model name:"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


if __name__ == "__main__":
    main()
