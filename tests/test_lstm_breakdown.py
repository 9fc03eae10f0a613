"""benchmarks/lstm_breakdown.py reaches into the LSTM's kernels and workspace: it must
keep running as they change, and time the same GEMMs the layer runs."""
import re

import numpy as np

from benchmarks import lstm_breakdown
from engine.kernels import recurrent as kernels


def test_breakdown_prints_every_phase(capsys):
    lstm_breakdown.main(["--repeats", "1"])
    out = capsys.readouterr().out
    for phase in ("forward loop", "backward loop", "weight gradients", "whole step"):
        line = next(line for line in out.splitlines() if line.startswith(phase))
        as_run, gemms = (float(v) for v in re.findall(r"([\d.]+) ms", line))
        assert as_run > 0 and gemms > 0


def test_forward_gemms_match_the_loop():
    """The GEMM-only forward fills the same pre-activations the real loop starts from."""
    rng = np.random.default_rng(0)
    kernel = rng.normal(size=(4, 8, 12)).astype(np.float32)  # (blocks, rows, features)
    z = rng.normal(size=(4, 12, 3)).astype(np.float32)
    gates = np.empty((3, 32, 3), np.float32)
    lstm_breakdown.forward_gemms(kernel, z, gates)
    for t in range(3):
        np.testing.assert_allclose(gates[t], (kernel @ z[t]).reshape(32, 3), rtol=1e-6)
    assert kernels._rows(gates, 4).shape == (3, 4, 8, 3)
