"""Losses: ``value_and_grad(pred, target) -> (loss, dL/dpred)``, averaged over samples.

Cross-entropy losses work from logits (numerically stable) and name the activation they
absorb (``fuses``): a network ending in that activation has it left out during training
so the loss sees logits, as PyTorch's CrossEntropyLoss expects and Keras's from_logits.
"""
from __future__ import annotations

import numpy as np

from .errors import ConfigError, DataError
from .kernels.activations import sigmoid
from .layers.core import ones_like_rows


class Loss:
    name = ""
    title = ""
    fuses: str | None = None  # a final activation this loss computes from logits
    task = "regression"

    def value_and_grad(self, pred: np.ndarray, target: np.ndarray) -> tuple[float, np.ndarray]:
        raise NotImplementedError

    def value(self, pred: np.ndarray, target: np.ndarray) -> float:
        return self.value_and_grad(pred, target)[0]

    def check_target(self, pred_shape: tuple, target: np.ndarray) -> None:
        """Raise DataError when targets cannot go with this output shape."""
        if tuple(target.shape[1:]) != tuple(pred_shape[1:]):
            raise DataError(f"{self.title} needs targets shaped like the output "
                            f"{tuple(pred_shape[1:])}, but they are {tuple(target.shape[1:])}")


class MeanSquaredError(Loss):
    name, title = "mse", "Mean squared error"

    def value_and_grad(self, pred, target):
        diff = pred - target
        loss = float(np.vdot(diff, diff)) / diff.size
        diff *= 2.0 / diff.size
        return loss, diff


class MeanAbsoluteError(Loss):
    name, title = "mae", "Mean absolute error"

    def value_and_grad(self, pred, target):
        diff = pred - target
        loss = float(np.abs(diff).sum()) / diff.size
        return loss, np.sign(diff) * (1.0 / diff.size)


class SoftmaxCrossEntropy(Loss):
    """Class indices as targets; logits ``(N, C)`` or ``(N, T, C)`` (a label per step)."""

    name, title, fuses, task = "cross_entropy", "Cross-entropy (softmax)", "softmax", "classification"

    def value_and_grad(self, pred, target):
        c = pred.shape[-1]
        z = pred.reshape(-1, c)
        t = target.reshape(-1)
        shifted = z - z.max(axis=1, keepdims=True)
        e = np.exp(shifted)
        total = e @ ones_like_rows(e.T)  # row sums as a GEMV: fewer cycles than sum(axis=1)
        rows = np.arange(t.size)
        loss = float(np.log(total).sum() - shifted[rows, t].sum()) / t.size
        e /= total[:, None]
        e[rows, t] -= 1.0
        e *= 1.0 / t.size
        return loss, e.reshape(pred.shape)

    def check_target(self, pred_shape, target):
        if tuple(target.shape[1:]) != tuple(pred_shape[1:-1]):
            raise DataError(f"{self.title} needs one class index per output row; the output is "
                            f"{tuple(pred_shape[1:])} but the targets are {tuple(target.shape[1:])}")
        if not np.issubdtype(target.dtype, np.integer):
            raise DataError(f"{self.title} needs class indices as targets, not {target.dtype} "
                            f"values: pick a regression loss for continuous targets")
        c = pred_shape[-1]
        if target.size and (target.min() < 0 or target.max() >= c):
            raise DataError(f"The data has class {int(target.max())} but the output has {c} "
                            f"units: set the last layer to {int(target.max()) + 1} units")


class SigmoidBinaryCrossEntropy(Loss):
    """Targets 0/1 shaped like the output (one or more independent yes/no outputs)."""

    name, title, fuses, task = ("binary_cross_entropy", "Binary cross-entropy (sigmoid)",
                                "sigmoid", "classification")

    def value_and_grad(self, pred, target):
        t = target.reshape(pred.shape).astype(pred.dtype, copy=False)
        # max(z, 0) - z t + log(1 + e^-|z|): never overflows.
        loss = np.maximum(pred, 0) - pred * t + np.log1p(np.exp(-np.abs(pred)))
        grad = (sigmoid(pred) - t) * (1.0 / pred.size)
        return float(loss.sum()) / pred.size, grad

    def check_target(self, pred_shape, target):
        t = target.reshape(len(target), -1) if target.ndim == 1 else target
        if tuple(t.shape[1:]) != tuple(pred_shape[1:]):
            raise DataError(f"{self.title} needs one 0/1 target per output unit; the output is "
                            f"{tuple(pred_shape[1:])} but the targets are {tuple(target.shape[1:])}")


LOSSES = {cls.name: cls for cls in (MeanSquaredError, MeanAbsoluteError,
                                    SoftmaxCrossEntropy, SigmoidBinaryCrossEntropy)}


def get_loss(name: str) -> Loss:
    try:
        return LOSSES[name]()
    except KeyError:
        raise ConfigError(f"unknown loss {name!r} (known: {', '.join(LOSSES)})") from None
