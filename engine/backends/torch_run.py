"""A run on PyTorch through the engine's own loop (``engine.run.loop``): the same events,
checkpoints (in the engine's layout, so a run may continue on either backend), early
stopping, Stop/Pause, divergence handling and history. Only the network, the optimizer,
the batch step, evaluation and weight snapshots are PyTorch's.

``TorchTrainer`` is what ``engine.run.job.JobRun`` uses for ``backend: torch``; tests
call it directly to run in float64.
"""
from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np
import torch

from ..control import TrainControl
from ..data.dataset import Dataset
from ..losses import Loss, get_loss
from ..metrics import compute_metrics
from ..network import Network
from ..run.loop import _Run, prepare_targets
from ..settings import training_settings
from . import launched_by_torchrun, torch_device
from .torch_dist import DataParallel, SingleProcess, check_batches, join_process_group
from .torch_module import TorchNetwork
from .torch_optim import TorchOptimizer, torch_loss

_TORCH_DTYPES = {np.dtype(np.float32): torch.float32, np.dtype(np.float64): torch.float64}


class TorchTrainer:
    """The PyTorch side of a run: a TorchNetwork made from ``network`` (its weights, so
    the same seed gives the same start), on the settings' device; under torchrun, one
    process of a data-parallel run."""

    def __init__(self, network: Network, settings: dict, loss: str, task: str,
                 device: str | None = None):
        self.settings = training_settings(settings)
        wanted = device or self.settings["device"]
        if launched_by_torchrun():
            self.device = join_process_group(wanted)
            self.dist: SingleProcess = DataParallel(self.device)
        else:
            self.device, self.dist = torch_device(wanted), SingleProcess()
        self.loss = get_loss(loss)
        self.net = TorchNetwork(network, loss, task, self.device,
                                _TORCH_DTYPES[np.dtype(network.dtype)])
        self.net.runner = self.dist.wrap(self.net.module)

    def train(self, train_data: Dataset, val_data: Dataset | None = None,
              control: TrainControl | None = None, resume=None, policy=None,
              identity: dict | None = None) -> Iterator:
        check_batches(len(train_data), self.settings["batch_size"], self.dist.world)
        return _TorchLoop(self, train_data, val_data, control or TrainControl(), resume,
                          policy, identity or {}).events()

    def evaluate(self, data: Dataset, batch_size: int = 512) -> dict:
        """Loss and metrics on a dataset in inference mode (as ``engine.run.evaluate``)."""
        x = self.net.prepare_input(data.x)
        y = prepare_targets(self.loss, self.net, data.y)  # type: ignore[arg-type]
        return evaluate(self.net, self.loss, self.tensor(x), y, data.task, batch_size)

    def tensor(self, arr: np.ndarray) -> torch.Tensor:
        return torch.from_numpy(np.ascontiguousarray(arr)).to(self.device)


def evaluate(net: TorchNetwork, loss: Loss, x: torch.Tensor, y: np.ndarray, task: str,
             batch_size: int = 512) -> dict:
    yt = torch.from_numpy(np.ascontiguousarray(y)).to(x.device)
    outs, total = [], 0.0
    net.module.eval()
    with torch.no_grad():
        for i in range(0, len(x), batch_size):
            out = net.module(x[i:i + batch_size], logits=True) if net.logits else \
                net.module(x[i:i + batch_size])
            total += torch_loss(loss.name, out, yt[i:i + batch_size]).item() * len(out)
            outs.append(out.cpu().numpy())
    net.module.train()
    out = np.concatenate(outs) if outs else np.zeros((0,))
    return {"loss": total / max(len(x), 1), **compute_metrics(task, out, y)}


class _TorchLoop(_Run):
    """The engine's loop with PyTorch doing each batch."""

    def __init__(self, trainer: TorchTrainer, train_data, val_data, control, resume, policy,
                 identity):
        self.trainer, self.dist = trainer, trainer.dist
        super().__init__(trainer.net, train_data, val_data, trainer.settings, control, resume,
                         policy, identity, trainer.loss)
        self.y_np = self.y
        self.x, self.y = trainer.tensor(self.x), trainer.tensor(self.y)
        if self.val is not None:
            self.val_t = trainer.tensor(self.val[0])
        self._backup = [b.clone() for b in self._buffers()]  # on the device, every batch

    def _optimizer(self, settings):
        return TorchOptimizer(settings, self.net)

    def _batch(self, x, y, lr):
        """``x``, ``y``: the global batch; this process computes its share of the rows."""
        n = len(x)
        lo, hi = self.dist.rows(n)
        self.net.window.total, self.net.window.start = n, lo
        out = self.net(x[lo:hi])
        local = torch_loss(self.loss.name, out, y[lo:hi])
        value = local.item() if self.dist.world == 1 else \
            self.dist.total(local.item() * (hi - lo)) / n
        self._rows = (y[lo:hi], out.detach())
        if not math.isfinite(value):
            return value, out
        self._copy_into(self._backup)
        self.opt.zero_grad()
        scale = (hi - lo) * self.dist.world / n  # DDP averages: make it the global mean
        (local * scale if scale != 1 else local).backward()
        self.opt.step(lr)
        return value, out

    def _count(self, part: dict, loss: float, out, idx: np.ndarray) -> None:
        part["loss_sum"] += loss * len(idx)
        if self.task == "classification":
            y, out = self._rows
            pred = (out[..., 0] > 0).long() if out.shape[-1] == 1 else out.argmax(dim=-1)
            correct = float((pred == y.reshape(pred.shape)).sum().item())
            correct, labels = self.dist.counts(correct, float(pred.numel()))
            part["correct"] += correct
            part["labels"] += labels

    def _between_batches(self, epoch, batch):
        if self.dist.any_stop(self.control.stop_requested):
            self.control.stop()  # one rank asked: every rank stops at this batch
        return (yield from super()._between_batches(epoch, batch))

    def _validate(self) -> dict:
        assert self.val is not None
        return evaluate(self.net, self.loss, self.val_t, self.val[1], self.task)

    # ---- weights: per batch on the device; in the engine's layout for early stopping ---
    def _buffers(self) -> list:  # torch tensors here
        return [t for t in self.net.module.state_dict().values() if t.is_floating_point()]

    def _snapshot(self) -> list[np.ndarray]:
        engine = self.net.to_engine()
        return [engine.flat.copy()] + [a.copy() for node in engine.nodes
                                       for a in node.layer.state.values()]

    def _copy_into(self, snapshot) -> None:
        with torch.no_grad():
            for dst, src in zip(snapshot, self._buffers()):
                dst.copy_(src)

    def _restore(self, snapshot) -> None:
        if snapshot and isinstance(snapshot[0], np.ndarray):  # the engine's layout
            engine = self.net.engine
            targets = [engine.flat] + [a for node in engine.nodes
                                       for a in node.layer.state.values()]
            for dst, src in zip(targets, snapshot):
                np.copyto(dst, src)
            self.net.from_engine()
            return
        with torch.no_grad():
            for src, dst in zip(snapshot, self._buffers()):
                dst.copy_(src)
