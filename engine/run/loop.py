"""The training loop, as a generator of events; ``engine.run.job`` drives it for a job.

``train`` yields ``Started``, then ``BatchEnd`` after every batch and ``EpochEnd`` after
every epoch, ``Checkpointed`` when a checkpoint policy says so (and always when the run
ends by request or finishes), and ends with ``Finished``, ``Stopped`` or ``Diverged``.
Stop and pause requests (``TrainControl``) are honoured between batches. A NaN or
infinite loss ends the run with ``Diverged`` and puts back the weights from before the
step that broke them. The same seed gives bit-identical losses, and a run resumed from a
``Checkpoint`` takes exactly the batches, dropout masks and updates the uninterrupted run
would have taken.
"""
from __future__ import annotations

import time
from collections.abc import Iterator

import numpy as np

from ..control import TrainControl
from ..data.dataset import Dataset
from ..errors import DataError
from ..events import (BatchEnd, Checkpointed, Diverged, EpochEnd, Finished, Paused, Resumed,
                      Started, Stopped)
from ..losses import Loss, get_loss
from ..metrics import compute_metrics, predicted_classes
from ..network import Network
from ..schedules import learning_rate
from ..settings import choose_loss, make_optimizer, training_settings
from .checkpoint import Checkpoint
from .policy import CheckpointPolicy


def prepare_targets(loss: Loss, network: Network, y: np.ndarray) -> np.ndarray:
    """Targets in the form the loss takes, checked against the network's output shape."""
    out_shape = (len(y),) + tuple(network.report.output_shape or ())
    if loss.name == "cross_entropy":
        if np.issubdtype(y.dtype, np.floating) and np.all(np.mod(y, 1) == 0):
            y = y.astype(np.int64)
    elif loss.name == "binary_cross_entropy":
        y = y.reshape(out_shape) if y.size == int(np.prod(out_shape)) else y
    elif y.ndim == 1 and len(out_shape) == 2 and out_shape[1] == 1:
        y = y.reshape(-1, 1)
    loss.check_target(out_shape, y)
    return y if y.dtype.kind in "iu" else y.astype(network.dtype)


def evaluate(network: Network, data: Dataset, loss: Loss, batch_size: int = 512) -> dict:
    """Loss and metrics of the network on a dataset, in inference mode."""
    x = network.prepare_input(data.x)
    y = prepare_targets(loss, network, data.y)
    return _evaluate(network, x, y, loss, data.task, batch_size)


def _evaluate(network, x, y, loss, task, batch_size=512) -> dict:
    outs, total = [], 0.0
    for i in range(0, len(x), batch_size):
        out = network.forward(x[i:i + batch_size], strip=loss.fuses)
        total += loss.value(out, y[i:i + batch_size]) * len(out)
        outs.append(out)
    out = np.concatenate(outs)
    return {"loss": total / max(len(x), 1), **compute_metrics(task, out, y)}



def train(network: Network, train_data: Dataset, val_data: Dataset | None = None,
          settings: dict | None = None, control: TrainControl | None = None,
          resume: Checkpoint | None = None, policy: CheckpointPolicy | None = None,
          identity: dict | None = None, loss: str | None = None) -> Iterator:
    """Train ``network`` in place, yielding events; see the module docstring.

    ``resume`` continues from a checkpoint (its weights, optimizer state, position and
    generators); ``policy`` says when to yield ``Checkpointed`` (none without one, but
    for the run's end); ``identity`` (design, data, design_spec, data_config) is
    written into every checkpoint. ``loss`` is the loss ``make_job`` chose; called
    without a job (tests, the estimate), the loop chooses it as make_job would."""
    settings = training_settings(settings)
    chosen = get_loss(loss) if loss else choose_loss(
        settings, train_data.task, (network.report.output_shape or (0,))[-1])
    return _Run(network, train_data, val_data, settings, control or TrainControl(), resume,
                policy, identity or {}, chosen).events()


class _Run:
    """One run of the loop; ``engine.backends.torch_run`` subclasses it (the network,
    optimizer, batch step and weight snapshots are its own, the rest is shared)."""

    def __init__(self, network, train_data, val_data, settings, control, resume, policy,
                 identity, loss):
        if len(train_data) == 0:
            raise DataError("The training split is empty: there is nothing to train on")
        self.net, self.s, self.control = network, settings, control
        self.policy, self.identity = policy, identity
        self.task = train_data.task
        self.loss = loss
        self.x = network.prepare_input(train_data.x)
        self.y = prepare_targets(self.loss, network, train_data.y)
        self.val = None
        if val_data is not None and len(val_data):
            self.val = (network.prepare_input(val_data.x),
                        prepare_targets(self.loss, network, val_data.y))
        self.opt = self._optimizer(settings)
        self.batches = -(-len(self.x) // settings["batch_size"])
        self._fresh_state(settings["seed"])
        if resume is not None:
            self._resume(resume)
        self._backup = self._snapshot()

    def _optimizer(self, settings: dict):
        """The optimizer over the network's weights (another backend brings its own)."""
        net = self.net
        return make_optimizer(settings).bind(net.flat, net.grad_flat, net.decay_size)

    def _fresh_state(self, seed: int) -> None:
        self.rng = np.random.default_rng(seed + 2)
        self.net.rng.bit_generator.state = np.random.default_rng(seed + 1).bit_generator.state
        self.history: list[dict] = []
        self.step = self.samples = 0
        self.elapsed0 = 0.0
        self.epoch, self.done = 1, 0  # the epoch in progress, batches done in it
        self.epoch_state = self.rng.bit_generator.state  # before the epoch's shuffle
        self.partial = {"loss_sum": 0.0, "correct": 0.0, "labels": 0.0, "seconds": 0.0}
        self.best, self.best_epoch, self.waited = np.inf, 0, 0
        self.best_weights: list[np.ndarray] | None = None

    def _resume(self, c: Checkpoint) -> None:
        self.net.set_weights(c.weights)
        self.opt.load_state_dict(c.optimizer)
        self.rng.bit_generator.state = c.shuffle_state
        self.net.rng.bit_generator.state = c.dropout_state
        self.history = [dict(r) for r in c.history]
        self.step, self.samples, self.elapsed0 = c.step, c.samples, c.elapsed
        self.epoch, self.done, self.epoch_state = c.epoch, c.batch, c.shuffle_state
        self.partial = dict(c.partial)
        self.best, self.best_epoch, self.waited = (c.early["best"], c.early["best_epoch"],
                                                   c.early["waited"])
        self.best_weights = None if c.best_weights is None else [b.copy() for b in c.best_weights]

    # ---- the event stream ---------------------------------------------------------------
    def events(self) -> Iterator:
        metrics = ("accuracy",) if self.task == "classification" else ("mse", "mae")
        yield Started(self.s["epochs"], self.batches, len(self.x),
                      0 if self.val is None else len(self.val[0]), self.loss.name, metrics)
        self.t0 = time.perf_counter() - self.elapsed0
        for epoch in range(self.epoch, self.s["epochs"] + 1):
            ended = yield from self._epoch(epoch)
            if ended is None and self._should_stop_early():
                ended = self._stop_early(epoch)
            if ended is not None:
                if not isinstance(ended, Diverged):
                    yield Checkpointed(self.checkpoint())
                yield ended
                return
        yield Checkpointed(self.checkpoint())
        yield Finished(list(self.history), f"Trained {self.s['epochs']} epochs",
                       best_epoch=self.best_epoch)

    def _epoch(self, epoch: int):
        """Run one epoch (or what is left of it); return a RunEnded event if the run
        ends inside it."""
        start = time.perf_counter() - self.partial["seconds"]
        n, bs = len(self.x), self.s["batch_size"]
        self.rng.bit_generator.state = self.epoch_state
        order = self.rng.permutation(n) if self.s["shuffle"] else np.arange(n)
        part = self.partial
        for b in range(self.done, self.batches):
            ended = yield from self._between_batches(epoch, b + 1)
            if ended is not None:
                part["seconds"] = time.perf_counter() - start
                return ended
            idx = order[b * bs:(b + 1) * bs]
            lr = self._lr(epoch, b)
            loss, out = self._batch(self.x[idx], self.y[idx], lr)
            if not np.isfinite(loss):
                self._restore(self._backup)
                return Diverged(list(self.history), self._diverged_message(epoch, b + 1, lr),
                                epoch=epoch, batch=b + 1)
            self._count(part, loss, out, idx)
            self.step += 1
            self.samples += len(idx)
            self.done = b + 1
            now = time.perf_counter()
            yield BatchEnd(epoch, b + 1, self.batches, self.step, loss, lr, now - self.t0,
                           self.samples)
            if self.policy is not None and b + 1 < self.batches and self.policy.due(False):
                part["seconds"] = time.perf_counter() - start
                yield Checkpointed(self.checkpoint())
        self.history.append(self._record(epoch, part["loss_sum"] / n,
                                         part["correct"] / max(part["labels"], 1), lr, start))
        self._end_epoch(epoch)
        yield EpochEnd(epoch, self.s["epochs"], dict(self.history[-1]))
        if self.policy is not None and epoch < self.s["epochs"] and self.policy.due(True):
            yield Checkpointed(self.checkpoint())
        return None

    def _count(self, part: dict, loss: float, out: np.ndarray, idx: np.ndarray) -> None:
        """Add a batch to the epoch's sums (its loss and, classifying, correct labels)."""
        part["loss_sum"] += loss * len(idx)
        if self.task == "classification":
            pred = predicted_classes(out)
            part["correct"] += np.count_nonzero(pred == self.y[idx].reshape(pred.shape))
            part["labels"] += pred.size  # one label per sample, or per time step

    def _lr(self, epoch: int, b: int) -> float:
        return learning_rate(self.s["schedule"], self.s["learning_rate"],
                             epoch - 1 + b / self.batches, self.s["epochs"],
                             self.s["step_size"], self.s["gamma"], self.s["min_lr"])

    def _end_epoch(self, epoch: int) -> None:
        """The epoch is complete: the next starts from here, and early stopping learns
        how it went (before anyone takes a checkpoint)."""
        self.epoch, self.done = epoch + 1, 0
        self.epoch_state = self.rng.bit_generator.state
        self.partial = {"loss_sum": 0.0, "correct": 0.0, "labels": 0.0, "seconds": 0.0}
        record = self.history[-1]
        monitored = record.get("val_loss", record["loss"])
        if monitored < self.best:
            self.best, self.best_epoch, self.waited = monitored, epoch, 0
            if self.s["early_stopping"] and self.s["restore_best"]:
                self.best_weights = self._snapshot()
        else:
            self.waited += 1

    def _should_stop_early(self) -> bool:
        return self.s["early_stopping"] and self.waited >= self.s["patience"]

    def _stop_early(self, epoch: int) -> Finished:
        if self.best_weights is not None:
            self._restore(self.best_weights)
        return Finished(list(self.history), f"Stopped early after epoch {epoch}: no "
                        f"improvement for {self.waited} epochs; best was epoch "
                        f"{self.best_epoch}", early_stopped=True, best_epoch=self.best_epoch)

    def _between_batches(self, epoch, batch):
        if self.control.pause_requested:
            yield Paused(epoch, batch)
            self.control.wait_while_paused()
            if not self.control.stop_requested:
                yield Resumed()
        if self.control.stop_requested:
            return Stopped(list(self.history), f"Stopped by request at epoch {epoch}, "
                                               f"batch {batch}")
        self.control.take_step()
        return None

    def _batch(self, x, y, lr):
        out = self.net.forward(x, training=True, strip=self.loss.fuses)
        loss, grad = self.loss.value_and_grad(out, y)
        if not np.isfinite(loss):
            return loss, out
        self._copy_into(self._backup)
        self.net.backward(grad)
        self.opt.step(lr)
        return loss, out

    def _record(self, epoch, train_loss, train_acc, lr, start) -> dict:
        record = {"epoch": epoch, "loss": float(train_loss)}
        if self.task == "classification":
            record["accuracy"] = float(train_acc)
        if self.val is not None:
            val = self._validate()
            record.update({f"val_{k}": float(v) for k, v in val.items()})
        record["lr"] = float(lr)
        record["seconds"] = time.perf_counter() - start
        return record

    def _validate(self) -> dict:
        assert self.val is not None
        return _evaluate(self.net, self.val[0], self.val[1], self.loss, self.task)

    def _diverged_message(self, epoch, batch, lr) -> str:
        clip = "" if self.s["clip_norm"] else " or turn on gradient clipping"
        return (f"The loss became NaN or infinite at epoch {epoch}, batch {batch}; the "
                f"weights from before that step are kept. Lower the learning rate "
                f"(now {lr:g}){clip}.")

    # ---- the run's state ----------------------------------------------------------------
    def checkpoint(self) -> Checkpoint:
        """Everything needed to go on from here (copies: the run goes on changing)."""
        ident = self.identity
        return Checkpoint(
            self.net.weights(), self.opt.state_dict(), self.epoch, self.done, self.step,
            self.samples, time.perf_counter() - self.t0, dict(self.epoch_state),
            dict(self.net.rng.bit_generator.state), dict(self.partial),
            {"best": float(self.best), "best_epoch": self.best_epoch, "waited": self.waited},
            None if self.best_weights is None else [b.copy() for b in self.best_weights],
            [dict(r) for r in self.history], ident.get("design", ""), ident.get("data", ""),
            dict(self.s), ident.get("design_spec", {}), ident.get("data_config", {}))

    # ---- weight snapshots (the flat buffer plus running statistics) ---------------------
    def _buffers(self) -> list[np.ndarray]:
        return [self.net.flat] + [a for node in self.net.nodes for a in node.layer.state.values()]

    def _snapshot(self) -> list[np.ndarray]:
        return [b.copy() for b in self._buffers()]

    def _copy_into(self, snapshot) -> None:
        for dst, src in zip(snapshot, self._buffers()):
            np.copyto(dst, src)

    def _restore(self, snapshot) -> None:
        for src, dst in zip(snapshot, self._buffers()):
            np.copyto(dst, src)
