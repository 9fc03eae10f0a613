"""A fast, seeded subset of ``benchmarks/fuzz_inputs.py``: hostile project files, CSV
tables, NPZ arrays, image folders, text, time series and training-process frames each
end in a result or a typed error with a message, never a raw exception or a hang.
(The benchmark runs thousands per surface in workers with a memory limit.)"""
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

from fuzz_cases import SURFACES  # noqa: E402
from fuzz_inputs import outcome  # noqa: E402


@pytest.mark.parametrize("surface", list(SURFACES))
def test_hostile_inputs_end_in_a_result_or_a_typed_error(surface, tmp_path):
    results = {}
    for label, run in SURFACES[surface](tmp_path, 120, seed=7):
        results[label] = outcome(run, timeout=10.0)
    bad = {label: r for label, r in results.items() if r not in ("ok", "typed")}
    assert not bad, bad
    assert "typed" in results.values()  # the generator does reach the error paths
