"""After training: how the network does, class by class or value by value.

Classification: the confusion matrix, where every cell knows its samples (click a
cell, see the samples in it), and per-class precision, recall, F1 and support.
Regression: predicted against true values per output, with R², MSE and MAE; for an
image output (an autoencoder's reconstruction) per channel, over every pixel, plus the
first samples' true and predicted images to show side by side.
Labels per time step (targets (N, T)) count every step; a cell's ``positions`` says
which sample and step each entry is.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ..data.dataset import Dataset
from ..network import Network
from .common import probabilities, resolve_loss
from .stats import freeze, readonly


@dataclass(frozen=True)
class ClassificationReport:
    """``confusion[i, j]``: entries of true class i predicted as j. Per class (C,):
    ``precision`` (of the entries predicted as the class, the share that are it; NaN
    when none are predicted as it), ``recall`` (of the class's entries, the share
    found; NaN when it has none), ``f1`` (their harmonic mean; NaN when either is NaN,
    0 when both are 0) and ``support`` (entries of the class). Macro averages skip
    NaN. Entries are samples, or (sample, step) pairs for per-step labels."""

    confusion: np.ndarray
    precision: np.ndarray
    recall: np.ndarray
    f1: np.ndarray
    support: np.ndarray
    accuracy: float
    class_names: tuple[str, ...]
    steps: int  # labels per sample: 1, or T for per-step labels
    _order: np.ndarray  # entry indices sorted by cell
    _offsets: np.ndarray  # (C*C + 1,): cell k holds _order[_offsets[k]:_offsets[k+1]]

    @property
    def n_classes(self) -> int:
        return self.confusion.shape[0]

    def cell(self, true_class: int, predicted_class: int) -> np.ndarray:
        """Flat indices (into the targets flattened) of the entries in a cell, ascending."""
        k = true_class * self.n_classes + predicted_class
        return self._order[self._offsets[k]:self._offsets[k + 1]]

    def positions(self, true_class: int, predicted_class: int) -> tuple[np.ndarray, np.ndarray]:
        """(sample indices, step indices) of a cell's entries (steps all 0 without steps)."""
        flat = self.cell(true_class, predicted_class)
        return flat // self.steps, flat % self.steps

    def cell_samples(self, true_class: int, predicted_class: int) -> np.ndarray:
        """The distinct samples with at least one entry in a cell, ascending."""
        return np.unique(self.cell(true_class, predicted_class) // self.steps)

    def macro(self) -> dict[str, float]:
        return {name: float(np.nanmean(v)) if np.isfinite(v).any() else float("nan")
                for name, v in (("precision", self.precision), ("recall", self.recall),
                                ("f1", self.f1))}


@dataclass(frozen=True)
class RegressionReport:
    """Predicted against true, (N, K) each (K outputs; per-step outputs flattened to
    rows; image outputs: K channels, every pixel a row), with per-output ``r2`` (K,)
    (NaN when the true values do not vary), their mean ``r2_mean``, and ``mse``,
    ``mae`` over everything. ``images``: for image outputs, the first
    ``SHOWN_IMAGES`` samples' (true, predicted) images, (n, C, H, W) each."""

    true: np.ndarray
    predicted: np.ndarray
    r2: np.ndarray
    r2_mean: float
    mse: float
    mae: float
    images: tuple[np.ndarray, np.ndarray] | None = None


SHOWN_IMAGES = 24


def classification_report(y_true, y_pred, n_classes: int | None = None,
                          class_names=()) -> ClassificationReport:
    """From true class indices ``y_true`` (N,) or (N, T) and either predicted indices
    of the same shape or scores with a class axis last (probabilities or logits; a
    single column is a yes/no probability, positive above 0.5)."""
    true = np.asarray(y_true).astype(np.int64)
    pred = np.asarray(y_pred)
    least = 1
    if pred.ndim == true.ndim + 1:  # scores with a class axis
        least = max(2, pred.shape[-1])
        pred = (pred[..., 0] > 0.5) if pred.shape[-1] == 1 else pred.argmax(-1)
    pred = pred.astype(np.int64).reshape(true.shape)
    c = n_classes or max(least, len(class_names),
                         int(max(true.max(initial=0), pred.max(initial=0))) + 1)
    steps = 1 if true.ndim <= 1 else int(np.prod(true.shape[1:]))
    code = true.reshape(-1) * c + pred.reshape(-1)
    counts = np.bincount(code, minlength=c * c)
    confusion = counts.reshape(c, c)
    order = np.argsort(code, kind="stable")
    offsets = np.concatenate([[0], np.cumsum(counts)])
    hits = np.diag(confusion).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        precision = hits / confusion.sum(axis=0)
        recall = hits / confusion.sum(axis=1)
        f1 = np.where(precision + recall > 0, 2 * precision * recall / (precision + recall),
                      np.where(np.isnan(precision + recall), np.nan, 0.0))
    names = tuple(class_names) or tuple(str(i) for i in range(c))
    accuracy = float(hits.sum() / max(code.size, 1))
    return freeze(ClassificationReport(confusion, precision, recall, f1,
                                       confusion.sum(axis=1), accuracy, names, steps,
                                       order, offsets))


def regression_report(y_true, y_pred) -> RegressionReport:
    """Predicted against true values; both reshaped to rows of K outputs (images: K
    channels)."""
    pred = np.asarray(y_pred, dtype=np.float64)
    if pred.ndim == 4:
        true = np.asarray(y_true, dtype=np.float64).reshape(pred.shape)
        c = pred.shape[1]
        report = regression_report(true.transpose(0, 2, 3, 1).reshape(-1, c),
                                   pred.transpose(0, 2, 3, 1).reshape(-1, c))
        shown = (readonly(true[:SHOWN_IMAGES].copy()), readonly(pred[:SHOWN_IMAGES].copy()))
        return freeze(replace(report, images=shown))
    k = pred.shape[-1] if pred.ndim > 1 else 1
    pred = pred.reshape(-1, k)
    true = np.asarray(y_true, dtype=np.float64).reshape(pred.shape)
    res = ((true - pred) ** 2).sum(axis=0)
    tot = ((true - true.mean(axis=0)) ** 2).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        r2 = np.where(tot > 0, 1 - res / np.where(tot > 0, tot, 1), np.nan)
    r2_mean = float(np.nanmean(r2)) if np.isfinite(r2).any() else float("nan")
    return freeze(RegressionReport(true, pred, r2, r2_mean, float(((true - pred) ** 2).mean()),
                                   float(np.abs(true - pred).mean())))


def evaluate_network(network: Network, data: Dataset, loss: str | None = None,
                     batch_size: int = 512):
    """Run ``network`` (inference mode) over ``data`` and report: a
    ClassificationReport or a RegressionReport. ``loss`` names the training loss
    (needed only when the network ends without its softmax/sigmoid)."""
    x = network.prepare_input(data.x)
    parts = [network.forward(x[i:i + batch_size]) for i in range(0, len(x), batch_size)]
    out = np.concatenate(parts) if parts else np.zeros((0,) + network.report.output_shape)
    if data.task != "classification":
        return regression_report(data.y, out)
    loss_name = resolve_loss(loss, network, data.task).name
    probs = probabilities(network, out, loss_name, data.task)
    return classification_report(data.y, probs, data.n_classes or None, data.class_names)
