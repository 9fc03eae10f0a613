"""Where a run trains: the engine's own NumPy code (``numpy``, always there) or PyTorch
(``torch``, optional: ``pip install neurocanvas[torch]``), on a CPU, a CUDA GPU or Apple's
MPS. The same job, events, checkpoints and weights either way (``engine.run.job`` picks
the backend from the settings; ``torch_run`` holds the PyTorch side).

Nothing here imports PyTorch at module level: the engine and the app work without it.
"""
from __future__ import annotations

import importlib.util
import os
import platform
import sys
from pathlib import Path

from ..errors import ConfigError

BACKENDS = ("numpy", "torch")
DEVICES = ("auto", "cpu", "cuda", "mps")


class BackendError(ConfigError):
    """A backend or device was asked for that this machine cannot give."""


def torch_available() -> bool:
    """Whether PyTorch can be imported, without importing it (that takes seconds)."""
    return importlib.util.find_spec("torch") is not None


def check_backend(settings: dict) -> None:
    """Raise BackendError when ``settings`` ask for PyTorch and it is not installed.
    Whether a GPU is there is checked where the run starts (``torch_device``): knowing
    it means importing PyTorch, which the window's process never does."""
    if settings.get("backend", "numpy") == "torch" and not torch_available():
        raise BackendError("The PyTorch backend needs PyTorch, which is not installed here: "
                           "pip install 'neurocanvas[torch]' (or torch itself), or train "
                           "with the built-in NumPy backend")


def torch_device(name: str):
    """The ``torch.device`` for a device setting: ``auto`` takes CUDA, then MPS, then the
    CPU; a named device that is not there raises BackendError."""
    import torch

    cuda = torch.cuda.is_available()
    mps = bool(getattr(torch.backends, "mps", None)) and torch.backends.mps.is_available()
    if name == "auto":
        return torch.device("cuda" if cuda else "mps" if mps else "cpu")
    if name == "cuda" and not cuda:
        raise BackendError("The device 'cuda' was asked for but PyTorch sees no CUDA GPU "
                           "here (torch.cuda.is_available() is False): pick cpu or auto")
    if name == "mps" and not mps:
        raise BackendError("The device 'mps' was asked for but this PyTorch has no Apple "
                           "MPS device: pick cpu or auto")
    if name not in DEVICES:
        raise BackendError(f"unknown device {name!r} (known: {', '.join(DEVICES)})")
    return torch.device(name)


def launched_by_torchrun() -> bool:
    """Whether this process is one of several that torchrun started."""
    return int(os.environ.get("WORLD_SIZE", "1")) > 1


def process_rank() -> int:
    """This process's rank in a torchrun job (0 when alone): rank 0 reports and saves."""
    return int(os.environ.get("RANK", "0")) if launched_by_torchrun() else 0


def gpu_present() -> bool:
    """Whether this machine seems to have a GPU PyTorch could use, without importing
    PyTorch when it is not loaded yet (seconds and hundreds of MB): an NVIDIA driver's
    GPU list on Linux, an Apple-silicon Mac. Only a hint, for advice."""
    torch = sys.modules.get("torch")
    if torch is not None:
        mps = getattr(torch.backends, "mps", None)
        return bool(torch.cuda.is_available() or (mps and mps.is_available()))
    gpus = Path("/proc/driver/nvidia/gpus")
    if gpus.is_dir() and any(gpus.iterdir()):
        return True
    return platform.system() == "Darwin" and platform.machine() == "arm64"
