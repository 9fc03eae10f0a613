"""Data-parallel training (torch.distributed DDP, gloo) in 2 CPU processes against one
process with the same global batch: per-batch losses and weights within 1e-5; and the
CLI's --nproc, which starts torchrun itself, rank 0 saving the project."""
from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from engine.data import prepare
from engine.events import BatchEnd, RunResult
from engine.project import load_project
from engine.run import make_job, run_job

pytestmark = pytest.mark.torch  # compared with PyTorch where it is installed

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "resources" / "examples" / "digits_mlp.ncproj"  # with dropout


def ddp_job():
    """digits_mlp on 203 samples (the last batch of 11 splits 6 + 5), 2 epochs."""
    project = load_project(EXAMPLE)
    data = prepare(project.data, 0)
    data = replace(data, train=data.train.subset(np.arange(203)))
    settings = {**project.training, "epochs": 2, "batch_size": 32, "backend": "torch",
                "device": "cpu"}
    return make_job(project.spec, data, settings, data_config=project.data)


def torchrun(*args: str, cwd=ROOT) -> subprocess.CompletedProcess:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "torch.distributed.run", "--standalone",
                           "--nproc-per-node=2", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def test_two_processes_match_one_with_the_same_global_batch(tmp_path):
    pytest.importorskip("torch", reason="PyTorch is not installed")
    out = tmp_path / "ddp.npz"
    done = torchrun(str(Path(__file__).with_name("ddp_worker.py")), str(out))
    assert done.returncode == 0, done.stderr[-3000:]
    events = list(run_job(ddp_job()))
    single = np.array([e.loss for e in events if isinstance(e, BatchEnd)])
    got = np.load(out)
    assert len(got["losses"]) == len(single) == 14
    np.testing.assert_allclose(got["losses"], single, rtol=1e-5)
    result = events[-1]
    assert isinstance(result, RunResult)
    for key, value in result.weights.items():
        np.testing.assert_allclose(got[key.replace("/", "|")], value, rtol=1e-5, atol=1e-6)


def test_the_cli_starts_torchrun_for_nproc_and_rank_0_saves(tmp_path):
    pytest.importorskip("torch", reason="PyTorch is not installed")
    from engine.cli import main

    outs = {}
    for nproc in ("1", "2"):
        out = tmp_path / f"n{nproc}.ncproj"
        env_before = dict(os.environ)
        os.environ["PYTHONPATH"] = str(ROOT)
        try:
            code = main(["train", str(EXAMPLE), "--epochs", "1", "--backend", "torch",
                         "--device", "cpu", "--nproc", nproc, "--out", str(out), "--quiet"])
        finally:
            os.environ.clear()
            os.environ.update(env_before)
        assert code == 0
        outs[nproc] = load_project(out)
    one, two = outs["1"], outs["2"]
    assert one.history[0]["loss"] == pytest.approx(two.history[0]["loss"], rel=1e-5)
    for key, value in one.weights.items():
        np.testing.assert_allclose(two.weights[key], value, rtol=1e-5, atol=1e-6)


def test_nproc_needs_the_torch_backend(tmp_path, capsys):
    from engine.cli import main

    code = main(["train", str(EXAMPLE), "--nproc", "2", "--out", str(tmp_path / "x.ncproj")])
    assert code != 0
    assert "--backend torch" in capsys.readouterr().err
