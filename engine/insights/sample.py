"""Try one sample: the network's prediction for it, with class probabilities, and what
every layer made of it.

Runs an inference-mode forward pass on a batch of one with ``keep=True``, so every
layer's output is at hand, and reads probabilities the way ``TrainedModel`` does (the
final softmax or sigmoid, or the one the loss fused). Runs the network it is given:
during training pass a copy (``common.clone_network``) or call it in the training
process between batches (the probe does); after training, the TrainedModel's network.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..network import Network
from .attribution import Attribution, attribute
from .common import class_scores, probabilities
from .stats import readonly as _frozen


@dataclass(frozen=True)
class SampleResult:
    """``output``: the network's output for the sample (batch axis dropped; final
    activation included). For classification ``probabilities`` (C,) — or (T, C) for a
    class per step — and ``predicted`` (an int, or (T,) ints); ``top`` lists
    ``(class index, class name, probability)`` best first (at most 10; the last step's
    for per-step outputs). ``activations`` maps every layer id (the Input included) to
    its output for this sample. ``attribution``: which parts of the input the answer
    depends on (saliency and occlusion, or gradient x input per feature or step)."""

    output: np.ndarray
    task: str
    probabilities: np.ndarray | None
    predicted: int | np.ndarray | None
    top: list[tuple[int, str, float]]
    activations: dict[str, np.ndarray] = field(default_factory=dict)
    target: object = None
    attribution: Attribution | None = None  # why this prediction (attribution.py)


def try_sample(network: Network, x: np.ndarray, task: str = "classification",
               loss: str | None = None, class_names=(), target=None,
               top_k: int = 10, explain: bool = True) -> SampleResult:
    """Predict one sample ``x`` (its shape, without the batch axis) and keep every
    layer's output for it. ``loss`` names the training loss (only needed when the
    network ends without its softmax/sigmoid, to read probabilities from logits).
    ``explain`` adds the attributions (a backward pass, and for images the occlusion
    passes); they run first, as the passes reuse the layers' buffers."""
    why = attribute(network, x, task == "classification", class_names) if explain else None
    batch = network.prepare_input(np.asarray(x)[None])
    out = network.forward(batch, training=False, keep=True)
    activations = {key: _frozen(value[0]) for key, value in network.outputs.items()}
    probs = probabilities(network, out, loss, task)
    if probs is None:
        return SampleResult(_frozen(out[0]), task, None, None, [], activations, target, why)
    scores = class_scores(probs)[0].astype(np.float64)
    predicted = scores.argmax(axis=-1)
    last = scores if scores.ndim == 1 else scores[-1]
    names = list(class_names)
    top = [(int(c), names[c] if c < len(names) else str(c), float(last[c]))
           for c in np.argsort(-last, kind="stable")[:top_k]]
    pred = int(predicted) if np.ndim(predicted) == 0 else _frozen(predicted)
    return SampleResult(_frozen(out[0]), task, _frozen(scores), pred, top, activations,
                        target, why)


def sample_from(data, index: int, network: Network, loss: str | None = None) -> SampleResult:
    """``try_sample`` on sample ``index`` of a Dataset, with its class names and target."""
    if not 0 <= index < len(data):
        raise IndexError(f"sample {index} is outside the data set of {len(data)}")
    target = data.y[index]
    target = target.item() if np.ndim(target) == 0 else np.array(target)
    return try_sample(network, data.x[index], data.task, loss, data.class_names, target)
