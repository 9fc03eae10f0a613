"""Training as a generator of events (the GUI runs it on a worker thread).

``train`` yields ``Started``, then ``BatchEnd`` after every batch and ``EpochEnd`` after
every epoch, and ends with ``Finished``, ``Stopped`` or ``Diverged``. Stop and pause
requests (``TrainControl``) are honoured between batches. A NaN or infinite loss ends
the run with ``Diverged`` and puts back the weights from before the step that broke
them. The same seed gives bit-identical losses.
"""
from __future__ import annotations

import time
from collections.abc import Iterator

import numpy as np

from .control import TrainControl
from .data.dataset import Dataset
from .errors import DataError
from .events import BatchEnd, Diverged, EpochEnd, Finished, Paused, Resumed, Started, Stopped
from .losses import Loss
from .metrics import compute_metrics, predicted_classes
from .network import Network
from .schedules import learning_rate
from .settings import choose_loss, make_optimizer, training_settings


def prepare_targets(loss: Loss, network: Network, y: np.ndarray) -> np.ndarray:
    """Targets in the form the loss takes, checked against the network's output shape."""
    out_shape = (len(y),) + tuple(network.report.output_shape)
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
          settings: dict | None = None, control: TrainControl | None = None) -> Iterator:
    """Train ``network`` in place, yielding events; see the module docstring."""
    return _Run(network, train_data, val_data, training_settings(settings),
                control or TrainControl()).events()


class _Run:
    def __init__(self, network, train_data, val_data, settings, control):
        if len(train_data) == 0:
            raise DataError("The training split is empty: there is nothing to train on")
        self.net, self.s, self.control = network, settings, control
        self.task = train_data.task
        self.loss = choose_loss(settings, self.task, network.report.output_shape[-1])
        self.x = network.prepare_input(train_data.x)
        self.y = prepare_targets(self.loss, network, train_data.y)
        self.val = None
        if val_data is not None and len(val_data):
            self.val = (network.prepare_input(val_data.x),
                        prepare_targets(self.loss, network, val_data.y))
        self.opt = make_optimizer(settings).bind(network.flat, network.grad_flat,
                                                 network.decay_size)
        self.rng = np.random.default_rng(settings["seed"] + 2)
        network.rng.bit_generator.state = np.random.default_rng(settings["seed"] + 1).bit_generator.state
        self.batches = -(-len(self.x) // settings["batch_size"])
        self.history: list[dict] = []
        self.step = 0
        self.samples = 0
        self._backup = self._snapshot()

    # ---- the event stream ---------------------------------------------------------------
    def events(self) -> Iterator:
        metrics = ("accuracy",) if self.task == "classification" else ("mse", "mae")
        yield Started(self.s["epochs"], self.batches, len(self.x),
                      0 if self.val is None else len(self.val[0]), self.loss.name, metrics)
        self.t0 = time.perf_counter()
        best, best_epoch, waited, best_weights = np.inf, 0, 0, None
        for epoch in range(1, self.s["epochs"] + 1):
            ended = yield from self._epoch(epoch)
            if ended is not None:
                yield ended
                return
            record = self.history[-1]
            monitored = record.get("val_loss", record["loss"])
            if monitored < best:
                best, best_epoch, waited = monitored, epoch, 0
                if self.s["early_stopping"] and self.s["restore_best"]:
                    best_weights = self._snapshot()
            else:
                waited += 1
            if self.s["early_stopping"] and waited >= self.s["patience"]:
                if best_weights is not None:
                    self._restore(best_weights)
                yield Finished(list(self.history), f"Stopped early after epoch {epoch}: no "
                               f"improvement for {waited} epochs; best was epoch {best_epoch}",
                               early_stopped=True, best_epoch=best_epoch)
                return
        yield Finished(list(self.history), f"Trained {self.s['epochs']} epochs",
                       best_epoch=best_epoch)

    def _epoch(self, epoch: int):
        """Run one epoch; return a RunEnded event if the run ends inside it."""
        start = time.perf_counter()
        n, bs = len(self.x), self.s["batch_size"]
        order = self.rng.permutation(n) if self.s["shuffle"] else np.arange(n)
        loss_sum = correct = labels = 0.0
        for b in range(self.batches):
            ended = yield from self._between_batches(epoch, b + 1)
            if ended is not None:
                return ended
            idx = order[b * bs:(b + 1) * bs]
            lr = learning_rate(self.s["schedule"], self.s["learning_rate"],
                               epoch - 1 + b / self.batches, self.s["epochs"],
                               self.s["step_size"], self.s["gamma"], self.s["min_lr"])
            loss, out = self._batch(self.x[idx], self.y[idx], lr)
            if not np.isfinite(loss):
                self._restore(self._backup)
                return Diverged(list(self.history), self._diverged_message(epoch, b + 1, lr),
                                epoch=epoch, batch=b + 1)
            loss_sum += loss * len(idx)
            if self.task == "classification":
                pred = predicted_classes(out)
                correct += np.count_nonzero(pred == self.y[idx].reshape(pred.shape))
                labels += pred.size  # one label per sample, or per time step
            self.step += 1
            self.samples += len(idx)
            yield BatchEnd(epoch, b + 1, self.batches, self.step, loss, lr,
                           time.perf_counter() - self.t0, self.samples)
        self.history.append(self._record(epoch, loss_sum / n, correct / max(labels, 1), lr, start))
        yield EpochEnd(epoch, self.s["epochs"], dict(self.history[-1]))
        return None

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
            val = _evaluate(self.net, self.val[0], self.val[1], self.loss, self.task)
            record.update({f"val_{k}": float(v) for k, v in val.items()})
        record["lr"] = float(lr)
        record["seconds"] = time.perf_counter() - start
        return record

    def _diverged_message(self, epoch, batch, lr) -> str:
        clip = "" if self.s["clip_norm"] else " or turn on gradient clipping"
        return (f"The loss became NaN or infinite at epoch {epoch}, batch {batch}; the "
                f"weights from before that step are kept. Lower the learning rate "
                f"(now {lr:g}){clip}.")

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
