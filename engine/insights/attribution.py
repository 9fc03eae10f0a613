"""Why this prediction: which parts of one input the network's answer depends on.

The *score* is the predicted class's output before the final softmax or sigmoid (the
logit: probabilities saturate, so their slopes vanish where the network is sure), or
the first output for regression; for a class per step, the last step's; for an image
output (an autoencoder's reconstruction) the mean of the whole image. All of it runs
the engine's own backward pass down to the input (``Network.input_gradient``).

- images ``(C, H, W)``: the saliency ``|d score / d pixel|`` (largest over channels) and
  an occlusion map: a patch set to the image's mean grey slides over it, and each pixel
  gets the mean drop in score of the patches covering it (positive: hiding it hurts).
- features ``(D,)``: gradient x input per feature (signed: what each value added to the
  score, to first order).
- sequences ``(T, D)``: gradient x input summed over each step's features; tokens
  ``(T,)``: the same on the first layer's output (an Embedding's vectors), since whole
  numbers have no gradient.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..network import Network
from .stats import readonly


@dataclass(frozen=True)
class Attribution:
    """``kind``: 'image', 'features' or 'sequence'. ``score``: what was differentiated,
    in words. Images: ``saliency`` and ``occlusion`` ``(H, W)``; features and sequences:
    ``values`` (D,) or (T,), one bar each."""

    kind: str
    score: str
    saliency: np.ndarray | None = None
    occlusion: np.ndarray | None = None
    values: np.ndarray | None = None
    patch: int = 0


def _strip(network: Network) -> str | None:
    act = network.output_activation
    return act if act in ("softmax", "sigmoid") else None


def _score_index(out: np.ndarray, classify: bool) -> tuple:
    """Where in the output (batch of one) the score is: the predicted class (the last
    step's for a class per step), or the first output for regression; an image output
    as a whole (the score is then its mean)."""
    if out.ndim > 3:
        return (0,)
    row = out[0] if out.ndim == 2 else out[0, -1]
    lead = (0,) if out.ndim == 2 else (0, out.shape[1] - 1)
    if not classify:
        return lead + (0,)
    if row.shape[-1] == 1:  # one sigmoid unit: its logit is the positive class's
        return lead + (0,)
    return lead + (int(np.argmax(row)),)


def score_gradient(network: Network, x: np.ndarray, classify: bool
                   ) -> tuple[float, np.ndarray, tuple]:
    """The score for one sample ``x`` (no batch axis), its gradient with respect to
    ``x``, and where in the output the score was read."""
    batch = network.prepare_input(np.asarray(x)[None])
    out = network.forward(batch, training=False, strip=_strip(network))
    where = _score_index(out, classify)
    grad = np.zeros_like(out)
    grad[where] = 1.0 / np.size(out[where])  # the mean, when the score is a whole image
    score = float(np.mean(out[where]))
    return score, np.array(network.input_gradient(grad)[0], dtype=np.float64), where


def scores(network: Network, batch: np.ndarray, where: tuple) -> np.ndarray:
    """The score (at output position ``where``) of every sample in a batch."""
    out = network.forward(network.prepare_input(batch), training=False, strip=_strip(network))
    picked = np.asarray(out[(slice(None),) + where[1:]], dtype=np.float64)
    return picked.reshape(len(picked), -1).mean(axis=1)


def occlusion_map(network: Network, x: np.ndarray, where: tuple,
                  patch: int, stride: int) -> np.ndarray:
    """Mean drop in score over the patches covering each pixel of ``x`` (C, H, W)."""
    _, h, w = x.shape
    base = float(scores(network, np.asarray(x)[None], where)[0])
    fill = float(np.mean(x))
    corners = [(i, j) for i in range(0, max(h - patch, 0) + 1, stride)
               for j in range(0, max(w - patch, 0) + 1, stride)]
    batch = np.repeat(np.asarray(x)[None], len(corners), axis=0)
    for k, (i, j) in enumerate(corners):
        batch[k, :, i:i + patch, j:j + patch] = fill
    drops = base - np.concatenate([scores(network, batch[s:s + 64], where)
                                   for s in range(0, len(batch), 64)])
    total, count = np.zeros((h, w)), np.zeros((h, w))
    for (i, j), drop in zip(corners, drops):
        total[i:i + patch, j:j + patch] += drop
        count[i:i + patch, j:j + patch] += 1
    return total / np.maximum(count, 1)


def attribute(network: Network, x: np.ndarray, classify: bool,
              class_names=()) -> Attribution | None:
    """Attributions for one sample, by input kind; None for inputs of another shape.
    Runs forward and backward passes: call it on a network nothing else runs."""
    x = np.asarray(x)
    kind = network.input_kind
    if kind == "tokens":
        return _token_steps(network, x, classify, class_names)
    score, grad, where = score_gradient(network, x, classify)
    label = _score_label(where, classify, class_names, score, _strip(network))
    if kind == "image" and x.ndim == 3:
        patch = max(2, min(x.shape[1:]) // 7)
        occl = occlusion_map(network, x.astype(network.dtype), where, patch,
                             max(1, patch // 2))
        return Attribution("image", label, readonly(np.abs(grad).max(axis=0)),
                           readonly(occl), patch=patch)
    contrib = grad * x.astype(np.float64)
    if x.ndim == 1:
        return Attribution("features", label, values=readonly(contrib))
    if x.ndim == 2:
        return Attribution("sequence", label, values=readonly(contrib.sum(axis=1)))
    return None


def _token_steps(network: Network, x: np.ndarray, classify: bool,
                 class_names) -> Attribution | None:
    """Tokens: gradient x output of the first layer (the Embedding's vectors), per step."""
    first = next((n for n in network.nodes if network.input_id in n.inputs), None)
    if first is None or x.ndim != 1:
        return None
    batch = network.prepare_input(x[None])
    out = network.forward(batch, training=False, strip=_strip(network), keep=True)
    embedded = np.array(network.outputs[first.id][0], dtype=np.float64)
    where = _score_index(out, classify)
    grad = np.zeros_like(out)
    grad[where] = 1.0
    grads = network.backward(grad, keep=True) or {}
    g = np.asarray(grads[first.id][0], dtype=np.float64)
    values = (g * embedded).reshape(len(x), -1).sum(axis=1)
    label = _score_label(where, classify, class_names, float(out[where]))
    return Attribution("sequence", label, values=readonly(values))


def _score_label(where: tuple, classify: bool, class_names, score: float,
                 stripped: str | None = None) -> str:
    if not classify:
        what = "the mean of the output image" if len(where) == 1 else "the output"
        before = f" before its {stripped}" if stripped else ""
        return f"{what}{before} ({score:.4g})"
    names = list(class_names)
    c = where[-1]
    name = names[c] if c < len(names) else str(c)
    return f"the logit of class '{name}' ({score:.3g})"
