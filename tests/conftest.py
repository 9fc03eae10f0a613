"""Test-wide settings: offscreen Qt and one BLAS thread (set before anything imports them)."""
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import pytest  # noqa: E402

REQUIRE_TORCH = "NEUROCANVAS_REQUIRE_TORCH"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A test that skips for want of PyTorch must sit in a module marked ``torch``, the
    tests CI runs again once PyTorch is installed (``pytest -m torch``); with
    NEUROCANVAS_REQUIRE_TORCH=1 (that second run) such a skip is a failure."""
    outcome = yield
    report = outcome.get_result()
    if not (report.skipped and "torch" in str(report.longrepr).lower()):
        return
    if os.environ.get(REQUIRE_TORCH):
        problem = f"skipped though {REQUIRE_TORCH} is set: {report.longrepr}"
    elif item.get_closest_marker("torch") is None:
        problem = ("skips without PyTorch but is not marked torch, so CI's PyTorch run "
                   "would never run it: add `pytestmark = pytest.mark.torch` to its module")
    else:
        return
    report.outcome, report.longrepr = "failed", problem
