"""Data-parallel training across processes (torch.distributed, DDP) and its single-process
stand-in, with one interface for the run loop.

Every process holds the whole data and draws the same shuffled order (the same seed); of
each global batch of ``batch_size`` samples, process ``r`` computes a contiguous share
(``np.array_split``'s). The loss each process differentiates is scaled so that DDP's
average of the gradients is the gradient of the global batch's mean loss, exactly what
one process computes; the reported loss and accuracy are summed over processes. Dropout
masks are drawn for the whole batch and sliced, so they agree with one process too.
BatchNorm normalises each process's share (PyTorch's DDP without SyncBatchNorm).

Launch: ``neurocanvas train PROJECT --backend torch --nproc N`` starts torchrun; on
several machines run torchrun yourself (docs/scaling.md). Rank 0 reports and writes the
checkpoints; a stop request on any rank stops all of them at the same batch.
"""
from __future__ import annotations

import os

import torch

from ..errors import ConfigError


class SingleProcess:
    """One process: the global batch is all ours."""

    world, rank = 1, 0

    def rows(self, n: int) -> tuple[int, int]:
        return 0, n

    def total(self, local_sum: float) -> float:
        return local_sum

    def counts(self, correct: float, labels: float) -> tuple[float, float]:
        return correct, labels

    def any_stop(self, stop: bool) -> bool:
        return stop

    def wrap(self, module):
        return module


class DataParallel(SingleProcess):
    """One of ``world`` processes of a torchrun job (the process group already set up)."""

    def __init__(self, device):
        import torch.distributed as dist

        self.dist, self.device = dist, device
        self.world, self.rank = dist.get_world_size(), dist.get_rank()

    def rows(self, n: int) -> tuple[int, int]:
        share, extra = divmod(n, self.world)
        start = self.rank * share + min(self.rank, extra)
        return start, start + share + (self.rank < extra)

    def _sum(self, values: list[float]) -> list[float]:
        t = torch.tensor(values, dtype=torch.float64, device=self._comm_device())
        self.dist.all_reduce(t)
        return t.cpu().tolist()

    def _comm_device(self):
        return self.device if self.dist.get_backend() == "nccl" else torch.device("cpu")

    def total(self, local_sum: float) -> float:
        return self._sum([local_sum])[0]

    def counts(self, correct: float, labels: float) -> tuple[float, float]:
        c, n = self._sum([correct, labels])
        return c, n

    def any_stop(self, stop: bool) -> bool:
        return self._sum([1.0 if stop else 0.0])[0] > 0

    def wrap(self, module):
        from torch.nn.parallel import DistributedDataParallel

        ids = [self.device.index] if self.device.type == "cuda" else None
        return DistributedDataParallel(module, device_ids=ids)


def join_process_group(device_setting: str) -> torch.device:
    """Set up torch.distributed from torchrun's environment (NCCL for CUDA, gloo for the
    CPU) and return this process's device (its own GPU: ``LOCAL_RANK``)."""
    import torch.distributed as dist

    from . import torch_device

    device = torch_device(device_setting)
    if device.type == "mps":
        raise ConfigError("Data-parallel training runs on CPUs (gloo) or CUDA GPUs (NCCL), "
                          "not on MPS: pick --device cpu")
    if device.type == "cuda":
        device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")))
        torch.cuda.set_device(device)
    if not dist.is_initialized():
        dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
    return device


def check_batches(n: int, batch_size: int, world: int) -> None:
    """Every batch, the last included, must give each process at least one sample."""
    last = n % batch_size or batch_size
    if min(batch_size, n, last) < world:
        raise ConfigError(f"With {world} processes every batch needs at least {world} "
                          f"samples, but {n} samples in batches of {batch_size} leave a "
                          f"last batch of {min(last, n)}: change the batch size or use "
                          f"fewer processes")
