"""Decision maps of networks with two input features: what the network predicts at
every point of a grid laid over the data.

The grid is fixed once from the data's range (``BoundaryGrid``), so a live view during
training costs one forward pass over resolution² points per update and nothing else:
about 1-3 ms for 64x64 points through a small MLP. Layout follows images:
``classes[i, j]`` is the prediction at ``(xs[j], ys[i])``, row i going up in y.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..losses import Loss
from ..metrics import predicted_classes
from ..network import Network
from .common import class_scores, probabilities
from .stats import freeze


@dataclass(frozen=True)
class DecisionMap:
    """Predictions over the grid: for classification ``classes`` (R, R) int64,
    ``probabilities`` (R, R, C) float32 (C >= 2; a single sigmoid unit becomes two
    classes) and ``confidence`` (R, R), the winning class's probability; for
    regression ``values`` (R, R, K) float32 and the rest None."""

    xs: np.ndarray  # (R,) first feature along the columns
    ys: np.ndarray  # (R,) second feature along the rows
    classes: np.ndarray | None
    probabilities: np.ndarray | None
    confidence: np.ndarray | None
    values: np.ndarray | None


class BoundaryGrid:
    """A resolution x resolution grid over the range of ``x`` (N, 2), widened by
    ``margin`` (a share of each range) on every side. ``x`` is in the space the plot
    shows; ``transform`` (e.g. the data's ``Standardizer.transform``) maps grid points
    to the network's input space when the two differ."""

    def __init__(self, x: np.ndarray, resolution: int = 100, margin: float = 0.1,
                 transform: Callable[[np.ndarray], np.ndarray] | None = None):
        x = np.asarray(x, dtype=np.float64)
        if x.ndim != 2 or x.shape[1] != 2:
            raise ValueError(f"a decision map needs two input features (N, 2), not "
                             f"samples of shape {x.shape[1:]}")
        if len(x) == 0 or resolution < 2:
            raise ValueError("a decision map needs data and a resolution of at least 2")
        lo, hi = x.min(axis=0), x.max(axis=0)
        span = np.where(hi > lo, hi - lo, 1.0)
        self.xs = np.linspace(lo[0] - margin * span[0], hi[0] + margin * span[0], resolution)
        self.ys = np.linspace(lo[1] - margin * span[1], hi[1] + margin * span[1], resolution)
        gx, gy = np.meshgrid(self.xs, self.ys)  # rows follow y, columns x
        points = np.stack([gx.reshape(-1), gy.reshape(-1)], axis=1)
        self.points = points if transform is None else np.asarray(transform(points))
        self.resolution = resolution
        self._typed: dict = {}

    def evaluate(self, model: Network | Callable, loss: Loss | str | None = None,
                 task: str | None = None) -> DecisionMap:
        """Predict every grid point. ``model``: a Network (run in inference mode: on a
        network being trained, pass a copy) or a function from points (M, 2) to
        outputs (M, K), read as class probabilities for classification."""
        out, probs, task = self._predict(model, loss, task)
        r = self.resolution
        if task != "classification":
            return freeze(DecisionMap(self.xs, self.ys, None, None, None,
                                      out.reshape(r, r, -1).astype(np.float32)))
        scores = class_scores(probs).reshape(r, r, -1).astype(np.float32)
        classes = predicted_classes(probs, from_logits=False).reshape(r, r)
        confidence = np.take_along_axis(scores, classes[..., None], axis=2)[..., 0]
        return freeze(DecisionMap(self.xs, self.ys, classes.astype(np.int64), scores,
                                  confidence, None))

    def _predict(self, model, loss, task):
        loss_name = loss.name if isinstance(loss, Loss) else loss
        if not isinstance(model, Network):
            out = np.asarray(model(self.points))
            task = task or "classification"
            return out, out, task
        if task is None:
            if isinstance(loss, Loss):
                task = loss.task
            elif loss_name in ("cross_entropy", "binary_cross_entropy") or \
                    model.output_activation in ("softmax", "sigmoid"):
                task = "classification"
            else:
                task = "regression"
        key = model.dtype
        if key not in self._typed:
            self._typed[key] = self.points.astype(model.dtype)
        out = model.forward(self._typed[key], training=False)
        return out, probabilities(model, out, loss_name, task), task


def decision_grid(model: Network | Callable, x: np.ndarray, resolution: int = 100,
                  margin: float = 0.1, loss: Loss | str | None = None,
                  task: str | None = None, transform=None) -> DecisionMap:
    """One decision map over the range of ``x`` (see ``BoundaryGrid``); for live
    updates keep a BoundaryGrid and call its ``evaluate``."""
    return BoundaryGrid(x, resolution, margin, transform).evaluate(model, loss, task)
