"""``neurocanvas train ... --backend torch --nproc N``: the same command again in N
processes under torchrun (``python -m torch.distributed.run --standalone``), which sets
up the process group (gloo on CPUs, NCCL on GPUs); each process then trains its share of
every batch (``engine/backends/torch_dist.py``) and rank 0 reports and saves.

On several machines, run torchrun yourself on each, with its own flags (docs/scaling.md):
``torchrun --nnodes 2 --node-rank 0 --nproc-per-node 4 --rdzv-backend c10d
--rdzv-endpoint HOST:29500 -m engine.cli train PROJECT --backend torch --out OUT``.
"""
from __future__ import annotations

import subprocess
import sys

from .backends import check_backend, launched_by_torchrun
from .errors import ConfigError

# argparse destination -> the flag that gives it again (store_true flags: no value)
_FLAGS = {"out": "--out", "data": "--data", "data_kind": "--data-kind", "target": "--target",
          "epochs": "--epochs", "batch_size": "--batch-size", "optimizer": "--optimizer",
          "lr": "--lr", "schedule": "--schedule", "seed": "--seed",
          "checkpoint_every": "--checkpoint-every", "backend": "--backend",
          "device": "--device"}
_SWITCHES = {"resume": "--resume", "json": "--json", "quiet": "--quiet"}


def wants_torchrun(args) -> bool:
    """``--nproc N`` with N > 1, asked outside torchrun (inside, the job is running)."""
    nproc = getattr(args, "nproc", None) or 1
    if nproc < 1:
        raise ConfigError("--nproc takes a number of processes, 1 or more")
    return nproc > 1 and not launched_by_torchrun()


def run_torchrun(args, backend: str) -> int:
    """Start torchrun with this command's arguments (``--nproc`` becoming its
    ``--nproc-per-node``) and return its exit status."""
    if backend != "torch":
        raise ConfigError("--nproc runs data-parallel training on PyTorch: add --backend torch")
    check_backend({"backend": "torch"})
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone",
               f"--nproc-per-node={args.nproc}", "-m", "engine.cli", "train",
               *forwarded(args)]
    return subprocess.call(command)


def forwarded(args) -> list[str]:
    """The command line that asks for the run ``args`` describe, without ``--nproc``."""
    out = [args.project]
    for dest, flag in _FLAGS.items():
        value = getattr(args, dest, None)
        if value is not None:
            out += [flag, str(value)]
    out += [flag for dest, flag in _SWITCHES.items() if getattr(args, dest, False)]
    return out
