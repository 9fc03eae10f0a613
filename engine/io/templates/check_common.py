import argparse
import json
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
MODEL_FILE = "__MODEL_FILE__"
SAMPLES_FILE = "__SAMPLES_FILE__"
TOLERANCE = 1e-4


def measure(folder=HERE):
    """(largest absolute difference from NeuroCanvas's outputs, number of samples)."""
    folder = Path(folder)
    with np.load(folder / SAMPLES_FILE, allow_pickle=False) as samples:
        inputs, expected = samples["inputs"], samples["outputs"]
    got = np.asarray(run_model(folder, inputs), dtype=np.float64)
    if got.shape != expected.shape:
        raise ValueError(f"the exported model returned shape {got.shape}; NeuroCanvas "
                         f"returned {expected.shape}")
    diff = float(np.max(np.abs(got - expected))) if expected.size else 0.0
    return diff, len(inputs)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("--tolerance", type=float, default=TOLERANCE,
                        help=f"largest difference allowed (default {TOLERANCE:g})")
    args = parser.parse_args(argv)
    try:
        diff, n = measure()
    except ImportError as exc:
        print(f"cannot run the check: {exc}", file=sys.stderr)
        return 2
    ok = diff <= args.tolerance  # False for NaN too
    print(f"{'OK' if ok else 'FAILED'}: largest absolute difference {diff:.3g} over {n} "
          f"samples (tolerance {args.tolerance:g})")
    return 0 if ok else 1
