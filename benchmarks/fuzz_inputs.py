"""Fuzz every input surface with seeded hostile inputs and print what happened.

    .venv/bin/python benchmarks/fuzz_inputs.py [--n 1000] [--seed 0] [--surface NAME]

Each surface runs in a worker process of its own, with its address space limited to
``--memory-mb`` (an input needing more fails with MemoryError: "over budget") and each
input limited to ``--timeout`` seconds ("hang"). A worker that dies (a segfault, the
OOM killer) counts a crash and a new worker goes on with the next input. Good outcomes
are a return or a typed NeuroCanvasError; the goal is zero in every other column.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

COLUMNS = ("tried", "ok", "typed", "traceback", "hang", "crash", "memory")


class Hang(Exception):
    pass


def outcome(run, timeout: float) -> str:
    """What one input did: ok, typed, memory, hang, or 'traceback Type: message'."""
    from engine.errors import NeuroCanvasError

    def alarm(*_):
        raise Hang()

    signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        run()
        return "ok"
    except NeuroCanvasError:
        return "typed"
    except MemoryError:
        where = traceback.extract_tb(sys.exc_info()[2])[-1]
        return f"memory ({Path(where.filename).name}:{where.lineno})"
    except Hang:
        return "hang"
    except Exception as exc:  # noqa: BLE001 - what the fuzzer is looking for
        where = traceback.extract_tb(exc.__traceback__)[-1]
        return (f"traceback {type(exc).__name__}: {str(exc)[:120]} "
                f"({Path(where.filename).name}:{where.lineno})")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def worker(surface: str, n: int, seed: int, start: int, timeout: float, memory_mb: int):
    """Print one line per input from ``start`` on: its index and outcome."""
    from fuzz_cases import SURFACES

    limit = memory_mb * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    with tempfile.TemporaryDirectory() as folder:
        for i, (label, run) in enumerate(SURFACES[surface](Path(folder), n, seed)):
            if i < start:
                continue
            print(json.dumps([i, outcome(run, timeout)]), flush=True)


def run_surface(surface: str, args) -> tuple[Counter, list[str]]:
    counts, details, start = Counter(), [], 0
    while start < args.n:
        proc = subprocess.run(
            [sys.executable, __file__, "--worker", surface, "--n", str(args.n),
             "--seed", str(args.seed), "--start", str(start), "--timeout", str(args.timeout),
             "--memory-mb", str(args.memory_mb)], capture_output=True, text=True)
        last = start - 1
        for line in proc.stdout.splitlines():
            i, result = json.loads(line)
            last = i
            kind = result.split(" ", 1)[0]
            counts[kind] += 1
            if kind not in ("ok", "typed"):
                details.append(f"{surface} #{i}: {result}")
        if proc.returncode != 0 and last + 1 < args.n:  # the worker died on input last+1
            counts["crash"] += 1
            tail = (proc.stderr.strip().splitlines() or [""])[-1][:200]
            details.append(f"{surface} #{last + 1}: worker died ({proc.returncode}) {tail}")
            last += 1
        start = last + 1
    counts["tried"] = args.n
    return counts, details


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=1000, help="inputs per surface")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--surface", help="only this surface (a name in the table)")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per input")
    parser.add_argument("--memory-mb", type=int, default=1536,
                        help="address-space limit of a worker")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--start", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.worker, args.n, args.seed, args.start, args.timeout, args.memory_mb)
        return
    from fuzz_cases import SURFACES

    names = [args.surface] if args.surface else list(SURFACES)
    print(f"{'surface':<22}" + "".join(f"{c:>10}" for c in COLUMNS))
    all_details, start = [], time.monotonic()
    for name in names:
        counts, details = run_surface(name, args)
        all_details += details
        print(f"{name:<22}" + "".join(f"{counts[c]:>10}" for c in COLUMNS), flush=True)
    print(f"({time.monotonic() - start:.0f} s; seed {args.seed}; a worker may use "
          f"{args.memory_mb} MB of address space; {args.timeout:g} s per input)")
    for line in all_details[:40]:
        print("  " + line)


if __name__ == "__main__":
    main()
