"""What the insight tools share: private copies of a network, the activation a layer
ends in, class probabilities from outputs, and a backward pass that keeps every
layer's output gradient.

Running a network overwrites its layers' caches and workspaces, so tools that look
inside a network being trained work on a *copy* (``clone_network``) whose weights are
refreshed from the original (``sync_weights``): the run itself is never touched.
"""
from __future__ import annotations

import numpy as np

from ..kernels.activations import activation_forward
from ..losses import Loss, get_loss
from ..network import Network
from ..settings import choose_loss


def clone_network(network: Network) -> Network:
    """A network of the same design with its own buffers, holding the same weights and
    running statistics. Building it costs what building the original did."""
    copy = Network(network.spec, dtype=network.dtype)
    sync_weights(network, copy)
    return copy


def sync_weights(source: Network, target: Network) -> None:
    """Copy every trainable weight (one flat buffer) and state buffer into ``target``."""
    np.copyto(target.flat, source.flat)
    for src, dst in zip(source.nodes, target.nodes):
        for name, arr in src.layer.state.items():
            np.copyto(dst.layer.state[name], arr)


def resolve_loss(loss: Loss | str | None, network: Network, task: str | None) -> Loss | None:
    """A Loss from a Loss, a loss name, or (None) the one training picks for the task;
    None when neither is known (then no gradients can be computed)."""
    if isinstance(loss, Loss):
        return loss
    if isinstance(loss, str) and loss != "auto":
        return get_loss(loss)
    if task is None:
        return None
    return choose_loss({"loss": "auto"}, task, network.report.output_shape[-1])


def layer_activation(layer) -> str:
    """The nonlinearity a layer's output went through ('' for layers without one):
    the fused activation of Dense, Conv2D and Activation, a SimpleRNN's, and 'tanh'
    for LSTM and GRU states (h = o tanh(c) and a tanh-bounded blend)."""
    act = getattr(layer, "final_activation", None)
    if act is not None:
        return act
    if layer.type_name == "SimpleRNN":
        return layer.config["activation"]
    if layer.type_name in ("LSTM", "GRU"):
        return "tanh"
    return ""


def probabilities(network: Network, output: np.ndarray, loss_name: str | None,
                  task: str) -> np.ndarray | None:
    """Class probabilities from inference outputs (final activation included), or None
    for regression. A network that ends in softmax or sigmoid already gives them; one
    that ends linear under a cross-entropy loss gives logits (as ``TrainedModel``)."""
    if task != "classification":
        return None
    if network.output_activation in ("softmax", "sigmoid"):
        return output
    act = "sigmoid" if loss_name == "binary_cross_entropy" else "softmax"
    return activation_forward(act, output.astype(np.float64))[0].astype(output.dtype)


def class_scores(probs: np.ndarray) -> np.ndarray:
    """One probability per class: a single sigmoid unit p becomes (1 - p, p)."""
    if probs.shape[-1] == 1:
        return np.concatenate([1 - probs, probs], axis=-1)
    return probs


def forward_backward(network: Network, x: np.ndarray, y: np.ndarray | None,
                     loss: Loss | None) -> tuple[float | None, dict, dict]:
    """Inference-mode forward keeping every layer's output, then (when targets and a
    loss are given) the loss and a backward pass that keeps the gradient of the loss
    with respect to every layer's output.

    Returns ``(loss value or None, outputs by layer id, output gradients by layer id)``.
    The output layer's entry is what the loss saw (logits when it fuses the final
    activation). Fills ``network.grad_flat`` and overwrites the layers' caches: call it
    on a copy, or between batches of the loop training it (as the probe does)."""
    strip = loss.fuses if loss is not None else None
    out = network.forward(x, training=False, strip=strip, keep=True)
    outputs = network.outputs
    if y is None or loss is None:
        return None, outputs, {}
    value, grad = loss.value_and_grad(out, y)
    return float(value), outputs, network.backward(grad, keep=True)
