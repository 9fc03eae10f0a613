"""Explain one unit: the arithmetic of ``z = Σ wᵢxᵢ + b``, ``a = φ(z)`` and its backward
pass and update, with the network's own numbers for one sample.

Every number comes from the engine's own computation or is checked against it: the
inputs ``xᵢ`` are the engine's outputs of the layer before (a forward pass with
``keep``), ``a`` is the engine's output of the layer, the gradients are read from a real
backward pass on that one sample (``common.forward_backward`` on a private copy), and
the update is what the engine's optimizer does when stepped on a copy of the weights
and of its state. Only ``z`` (a sum the layers never keep) and the optimizer's
intermediate moments are re-added here, in float64; the tests tie them to the engine.
The forward pass is in inference mode (no dropout), as ``try_sample`` runs it.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import NeuroCanvasError
from ..kernels.activations import activation_backward, activation_forward
from ..losses import Loss
from ..network import Network
from ..schedules import learning_rate
from ..settings import make_optimizer
from .common import clone_network, forward_backward

TOP_TERMS = 8  # terms shown one by one; the rest are summed into one


class ExplainError(NeuroCanvasError):
    """A unit, position or sample that cannot be explained (out of range, wrong layer)."""


@dataclass(frozen=True)
class Term:
    """One product ``wᵢ · xᵢ``: ``label`` names the input (``x12``, ``x[0,3,4]``, ``pad``),
    ``index`` the weight's place in the layer's ``W``."""

    label: str
    index: tuple[int, ...]
    weight: float
    input: float
    product: float
    grad: float | None = None  # ∂L/∂wᵢ from this sample (this position's share for Conv2D)
    update: Update | None = None


@dataclass(frozen=True)
class Update:
    """The step the optimizer takes on one weight for this sample's gradient:
    ``steps`` are its named intermediate values (``("v ← μv + g", 0.12)``, ...),
    ``delta`` the change the engine's optimizer made to a copy (new − old)."""

    optimizer: str
    lr: float
    grad: float  # the gradient the optimizer used (after clipping and weight decay)
    steps: tuple[tuple[str, float], ...]
    delta: float
    before: float
    after: float


@dataclass(frozen=True)
class UnitExplanation:
    layer_id: str
    layer_type: str
    unit: str  # "unit 3", "channel 2, row 4, col 5"
    activation: str
    terms: tuple[Term, ...]  # largest |wᵢxᵢ| first
    rest: float  # the sum of the terms not listed
    rest_count: int
    bias: float | None
    z: float
    a: float
    fused: bool = False  # φ is computed inside the loss (softmax into cross-entropy)
    dl_da: float | None = None
    dphi: float | None = None  # φ′(z); None for softmax (not element-wise)
    dl_dz: float | None = None
    loss: float | None = None
    bias_update: Update | None = None


@dataclass
class SamplePass:
    """One sample through a private copy: every layer's output and output gradient."""

    network: Network
    outputs: dict
    grads: dict
    loss: float | None
    loss_fn: Loss | None


def run_sample(network: Network, x, target, loss: Loss | None) -> SamplePass:
    """Forward (inference mode) and, with a target and a loss, backward on one sample,
    on a copy so the network given (perhaps in training) is never touched."""
    copy = clone_network(network)
    xb = copy.prepare_input(np.asarray(x)[None])
    yb = None if target is None or loss is None else np.asarray(target)[None]
    value, outputs, grads = forward_backward(copy, xb, yb, loss)
    return SamplePass(copy, outputs, grads, value, loss)


def layer_of(network: Network, layer_id: str, kinds: tuple[str, ...]):
    for node in network.nodes:
        if node.id == layer_id:
            if node.layer.type_name not in kinds:
                raise ExplainError(f"{node.layer.label} is not a {' or '.join(kinds)} layer")
            return node
    raise ExplainError(f"no layer {layer_id!r} in this network")


# ---- the update -------------------------------------------------------------------------
def updates_for(sp: SamplePass, settings: dict | None, state: dict | None,
                keys: list[tuple[str, tuple]], lr: float | None = None) -> list[Update | None]:
    """What the configured optimizer, at ``state`` (a ``state_dict``; fresh when None),
    does to each weight ``(param key, index)`` for this sample's gradient: stepped on
    copies of the weights, gradients and state, so the numbers are the engine's."""
    if settings is None or not sp.grads:
        return [None] * len(keys)
    net = sp.network
    opt = make_optimizer(settings).bind(net.flat.copy(), net.grad_flat.copy(), net.decay_size)
    if state is not None:
        opt.load_state_dict(state)
    flat_idx = [_flat_index(net, key, idx) for key, idx in keys]
    before_state = [buf.copy() for buf in opt._state()]
    before = opt.params.copy()
    rate = opt.lr if lr is None else lr
    opt.step(rate)
    return [_update(opt, rate, i, before, before_state) for i in flat_idx]


def next_step_lr(settings: dict, checkpoint=None, n_train: int = 1) -> float:
    """The learning rate the run's schedule gives the next step: after ``checkpoint``
    (a run's ``Checkpoint``: its epoch and batches done) or, with none, the first
    step. The same progress as the training loop's (``engine.run.loop._Run._lr``)."""
    batches = max(1, -(-n_train // settings["batch_size"]))
    epoch, done = (checkpoint.epoch, checkpoint.batch) if checkpoint is not None else (1, 0)
    return learning_rate(settings["schedule"], settings["learning_rate"],
                         epoch - 1 + done / batches, settings["epochs"],
                         settings["step_size"], settings["gamma"], settings["min_lr"])


def _flat_index(net: Network, key: str, idx: tuple) -> int:
    offset, _size, shape = net.param_index[key]
    return offset + int(np.ravel_multi_index(idx, shape))


def _update(opt, lr: float, i: int, before: np.ndarray, state: list) -> Update:
    g = float(opt.grads[i])  # step() applied clipping and (coupled) weight decay in place
    old, new = float(before[i]), float(opt.params[i])
    steps = _steps(opt, lr, i, g, state)
    if opt.decoupled_decay and opt.weight_decay and i < opt.decay_size:
        # AdamW shrinks the weight itself before the step: the total adds both.
        shrink = -lr * opt.weight_decay * old
        steps = ((("w·(1 − α·λ) − w", shrink),) + steps
                 + (("Δw total", shrink + steps[-1][1]),))
    return Update(opt.name, float(lr), g, steps, new - old, old, new)


def _steps(opt, lr: float, i: int, g: float, state: list) -> tuple[tuple[str, float], ...]:
    """The optimizer's rule written out for one weight, in float64, from its state
    after the step (the moments are the engine's; the tests check the step's sum)."""
    if opt.name == "sgd":
        if opt.v is None:
            return (("Δw = −α·g", -lr * g),)
        v = float(opt.v[i])
        rule = ("Δw = −α·(g + μ·v)", -lr * (g + opt.momentum * v)) if opt.nesterov \
            else ("Δw = −α·v", -lr * v)
        return (("v ← μ·v + g", v), rule)
    if opt.name in ("adam", "adamw"):
        m, v, t = float(opt.m[i]), float(opt.v[i]), opt.t
        m_hat, v_hat = m / (1 - opt.beta1 ** t), v / (1 - opt.beta2 ** t)
        return (("m ← β₁·m + (1−β₁)·g", m), ("v ← β₂·v + (1−β₂)·g²", v),
                (f"m̂ = m / (1−β₁^{t})", m_hat), (f"v̂ = v / (1−β₂^{t})", v_hat),
                ("Δw = −α·m̂ / (√v̂ + ε)", -lr * m_hat / (np.sqrt(v_hat) + opt.eps)))
    v = float(opt.v[i])
    return (("v ← ρ·v + (1−ρ)·g²", v), ("Δw = −α·g / (√v + ε)", -lr * g / (np.sqrt(v) + opt.eps)))


# ---- Dense ------------------------------------------------------------------------------
def explain_dense(network: Network, layer_id: str, unit: int, x, target=None,
                  loss: Loss | None = None, settings: dict | None = None,
                  optimizer_state: dict | None = None, top: int = TOP_TERMS,
                  lr: float | None = None) -> UnitExplanation:
    """Unit ``unit`` of Dense ``layer_id`` on sample ``x`` (with ``target`` and ``loss``
    the backward pass too; with the training ``settings`` the optimizer's update, at the
    learning rate ``lr``: the schedule's for the next step, ``next_step_lr``; the base
    rate when None)."""
    node = layer_of(network, layer_id, ("Dense",))
    units = node.layer.config["units"]
    if not 0 <= unit < units:
        raise ExplainError(f"{node.layer.label} has units 0 to {units - 1}, not {unit}")
    sp = run_sample(network, x, target, loss)
    layer = _node(sp.network, layer_id).layer
    xin = np.asarray(sp.outputs[node.inputs[0]][0], np.float64)
    if xin.ndim != 1:
        raise ExplainError(f"{layer.label} acts on each step of a sequence: explain the "
                           f"recurrent layer before it, or add a Flatten")
    w = np.asarray(layer.params["W"][:, unit], np.float64)
    b = float(layer.params["b"][unit]) if "b" in layer.params else None
    products = w * xin
    order = np.argsort(-np.abs(products), kind="stable")
    shown, rest = order[:top], order[top:]
    grads = layer.grads["W"][:, unit] if sp.grads else None
    keys: list[tuple[str, tuple]] = [(f"{layer_id}/W", (int(i), unit)) for i in shown]
    if b is not None:
        keys.append((f"{layer_id}/b", (unit,)))
    ups = updates_for(sp, settings, optimizer_state, keys, lr)
    terms = tuple(Term(f"x{int(i)}", keys[k][1], float(w[i]), float(xin[i]), float(products[i]),
                       None if grads is None else float(grads[i]), ups[k])
                  for k, i in enumerate(shown))
    z = float(products.sum() + (b or 0.0))
    head = _activation_part(sp, layer, layer_id, (0, unit), z)
    return UnitExplanation(layer_id, "Dense", f"unit {unit}", terms=terms,
                           rest=float(products[rest].sum()), rest_count=int(rest.size),
                           bias=b, z=z, loss=sp.loss,
                           bias_update=ups[-1] if b is not None else None, **head)


def _node(network: Network, layer_id: str):
    return next(n for n in network.nodes if n.id == layer_id)


def _activation_part(sp: SamplePass, layer, layer_id: str, where: tuple, z: float) -> dict:
    """``a``, whether the loss fuses φ, and ∂L/∂a, φ′(z), ∂L/∂z from the engine's pass.
    When the loss fuses φ the engine's output of the layer is the logit z itself and
    its gradient is ∂L/∂z; ``a`` is then φ of the layer's logits, as at inference."""
    act = layer.final_activation
    out = sp.outputs[layer_id]
    fused = sp.loss_fn is not None and sp.network.output_id == layer_id and \
        sp.loss_fn.fuses == act
    if fused:
        a = float(activation_forward(act, np.asarray(out[:1], np.float64))[0][where])
    else:
        a = float(out[where])
    dphi = None if act == "softmax" or fused else _derivative(act, z)
    result = {"activation": act, "a": a, "fused": fused, "dphi": dphi}
    if not sp.grads:
        return result
    g = float(sp.grads[layer_id][where])
    if fused:
        return result | {"dl_dz": g}
    if dphi is None:  # softmax mixes every unit: ∂L/∂z is the bias gradient (batch of one)
        dz = float(layer.grads["b"][where[1]]) if "b" in layer.grads else None
        return result | {"dl_da": g, "dl_dz": dz}
    return result | {"dl_da": g, "dl_dz": g * dphi}


def _derivative(act: str, z: float) -> float:
    """φ′(z) with the engine's own activation kernels."""
    zz = np.array([z], np.float64)
    _a, cache = activation_forward(act, zz)
    return float(activation_backward(act, np.ones(1), cache)[0])


def activation_curve(act: str, lo: float, hi: float, z0: float = 0.0, a0: float = 0.5,
                     points: int = 200):
    """φ over [lo, hi] with the engine's kernel, for drawing. Softmax is not element-
    wise: its curve is this unit's probability as its logit moves and the others stay,
    ``σ(z − s)`` with ``s = z0 − logit(a0)`` from the explained point ``(z0, a0)``."""
    z = np.linspace(lo, hi, points)
    if act == "softmax":
        a0 = min(max(a0, 1e-12), 1 - 1e-12)
        shift = z0 - np.log(a0 / (1 - a0))
        return z, activation_forward("sigmoid", z - shift)[0]
    return z, activation_forward(act, z)[0]


# ---- the loss ---------------------------------------------------------------------------
@dataclass(frozen=True)
class LossExplanation:
    """The loss of one sample: for MSE each output's prediction, target and squared
    error; for cross-entropy the logits, the softmax probabilities and −log p(target).
    ``value`` is the engine's loss on this sample."""

    name: str
    value: float
    outputs: tuple[float, ...]  # what the loss saw: predictions, or logits
    targets: tuple[float, ...]  # MSE: the targets; cross-entropy: ()
    probabilities: tuple[float, ...]  # cross-entropy: softmax of the logits; MSE: ()
    target_class: int | None
    terms: tuple[float, ...]  # MSE: (ŷ − y)² per output; cross-entropy: ()
    grads: tuple[float, ...]  # ∂L/∂output from the engine's loss


def explain_loss(network: Network, x, target, loss: Loss) -> LossExplanation:
    """The loss of sample ``x`` with its target, as the engine's loss computes it."""
    sp = run_sample(network, x, target, loss)
    out = np.asarray(sp.outputs[sp.network.output_id], np.float64)
    value, grad = loss.value_and_grad(out.copy(), np.asarray(target)[None])
    flat_out, flat_g = out.reshape(-1), np.asarray(grad).reshape(-1)
    if loss.name == "cross_entropy":
        if out.ndim != 2:
            raise ExplainError("the loss is explained for one class label per sample")
        probs = activation_forward("softmax", out)[0][0]
        return LossExplanation(loss.name, float(value), tuple(flat_out.tolist()), (),
                               tuple(probs.tolist()), int(np.asarray(target)), (),
                               tuple(flat_g.tolist()))
    t = np.asarray(target, np.float64).reshape(-1)
    if loss.name == "binary_cross_entropy":
        probs = activation_forward("sigmoid", flat_out)[0]
        return LossExplanation(loss.name, float(value), tuple(flat_out.tolist()),
                               tuple(t.tolist()), tuple(probs.tolist()), None, (),
                               tuple(flat_g.tolist()))
    diff = flat_out - t
    terms = diff * diff if loss.name == "mse" else np.abs(diff)
    return LossExplanation(loss.name, float(value), tuple(flat_out.tolist()),
                           tuple(t.tolist()), (), None, tuple(terms.tolist()),
                           tuple(flat_g.tolist()))
