"""Explain one step of a recurrent unit: each gate's pre-activation split into its
input part ``x_t·W``, its recurrent part ``h_{t-1}·U`` and the bias, the gate's value,
and the state update (LSTM ``c_t = f c_{t-1} + i g``, ``h_t = o tanh(c_t)``; GRU
``h_t = (1 − z) n + z h_{t-1}``; SimpleRNN ``h_t = φ(...)``).

The gate values, states and pre-activation gradients are the engine's (the layer's
``internals`` and the workspace its backward pass filled, on a private copy); the
pre-activations are re-added in float64 and the tests check φ(pre) against the gates.

Backwards, as for Dense: each gate's largest products ``x_t[i]·W[i, k]`` and
``h_{t-1}[j]·U[j, k]`` with this step's share of ``∂L/∂W`` and ``∂L/∂U``
(``∂L/∂pre · input``; the layer's gradient is the sum of the shares over every step,
which the tests check), and the step the optimizer takes on each of those weights and
on the gate's bias (for the whole sample's gradient, every step).
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ..layers.bidirectional import REVERSE
from ..losses import Loss
from ..network import Network
from .explain import ExplainError, Term, Update, _node, layer_of, run_sample, updates_for

TOP_GATE_TERMS = 3  # products shown per gate (a gate sums D + H of them)

# Stored gate blocks (PyTorch's order) and the names the layers give their internals.
_GATES = {
    "SimpleRNN": (("h", "hidden"),),
    "LSTM": (("i", "input"), ("f", "forget"), ("g", "candidate"), ("o", "output")),
    "GRU": (("r", "reset"), ("z", "update"), ("n", "new")),
}


@dataclass(frozen=True)
class GateNumbers:
    symbol: str  # i, f, g, o / r, z, n / h
    name: str
    function: str  # sigmoid, tanh or relu
    x_part: float  # x_t · W column
    h_part: float  # h_{t-1} · U column (GRU n: r · (h_{t-1}·U_n + b_hn))
    bias: float
    pre: float
    value: float  # the engine's gate activation
    grad: float | None = None  # ∂L/∂pre from the engine's backward pass
    terms: tuple[Term, ...] = ()  # the largest |input·weight| (labels x3, h7)
    bias_update: Update | None = None


@dataclass(frozen=True)
class RecurrentExplanation:
    layer_id: str
    layer_type: str
    unit: int
    step: int
    gates: tuple[GateNumbers, ...]
    h_prev: float
    h: float  # the engine's h_t
    c_prev: float | None = None  # LSTM cell
    c: float | None = None
    reset_part: tuple[float, float] | None = None  # GRU: (r, h_{t-1}·U_n + b_hn)
    loss: float | None = None
    direction: str = "forward"  # "backward": the reversed cell of a bidirectional layer


def explain_recurrent(network: Network, layer_id: str, unit: int, step: int, x,
                      target=None, loss: Loss | None = None, settings: dict | None = None,
                      optimizer_state: dict | None = None, lr: float | None = None,
                      top: int = TOP_GATE_TERMS) -> RecurrentExplanation:
    """Unit ``unit`` of a SimpleRNN, LSTM or GRU at time step ``step`` on sample ``x``
    (with the training ``settings`` and ``lr``, the optimizer's update of the weights
    shown). With both directions, units ``units`` and up are the backward cell's (it
    reads ``x_t`` at its own step ``T - 1 - t``; its "previous" state is the one after
    ``x_(t+1)``; its weights are the ``*_reverse`` ones)."""
    node = layer_of(network, layer_id, tuple(_GATES))
    h_units = node.layer.config["units"]
    both = bool(node.layer.config.get("bidirectional"))
    in_shape = network.report.layers[node.inputs[0]].output_shape
    assert in_shape is not None  # a built network has every shape
    steps = in_shape[0]
    shown = h_units * (2 if both else 1)
    if not (0 <= unit < shown and 0 <= step < steps):
        raise ExplainError(f"{node.layer.label} has units 0 to {shown - 1} and steps 0 "
                           f"to {steps - 1}: not unit {unit}, step {step}")
    sp = run_sample(network, x, target, loss)
    layer = _node(sp.network, layer_id).layer
    backward = unit >= h_units
    cell, own_step = (layer.reverse_cell(), steps - 1 - step) if backward else (layer, step)
    inside = cell.one_way_internals(sample=0)
    k = unit - h_units if backward else unit
    xt = np.asarray(sp.outputs[node.inputs[0]][0, step], np.float64)
    hidden = inside["hidden"].astype(np.float64)
    h_prev = hidden[own_step - 1] if own_step > 0 else np.zeros(h_units)
    grads = _pre_grads(cell, own_step) if sp.grads else None
    gates, reset = _gates(cell, k, own_step, xt, h_prev, inside, grads)
    gates = _with_terms(sp, cell, layer_id, k, xt, h_prev, gates, reset, top,
                        (settings, optimizer_state, lr), REVERSE if backward else "")
    c_prev = c = None
    cell_state = inside.get("cell")
    if cell_state is not None:
        c = float(cell_state[own_step, k])
        c_prev = float(cell_state[own_step - 1, k]) if own_step > 0 else 0.0
    return RecurrentExplanation(layer_id, layer.type_name, unit, step, gates,
                                float(h_prev[k]), float(hidden[own_step, k]), c_prev, c,
                                reset, sp.loss, "backward" if backward else "forward")


def _gates(layer, unit, step, xt, h_prev, inside, grads):
    """Each gate's parts, pre-activation and (engine's) value; for GRU also the reset
    product's two factors."""
    h_units = layer.config["units"]
    w, u, b = layer.params["W"], layer.params["U"], layer.params.get("b")
    out, reset, r_value = [], None, 0.0
    for k, (symbol, name) in enumerate(_GATES[layer.type_name]):
        col = k * h_units + unit
        xp = float(xt @ np.asarray(w[:, col], np.float64))
        hp = float(h_prev @ np.asarray(u[:, col], np.float64))
        bias = 0.0 if b is None else float(b[col])
        if symbol == "n":  # the reset gate scales the recurrent part, its bias included
            b_hn = float(layer.params["b_hn"][unit]) if "b_hn" in layer.params else 0.0
            reset = (r_value, hp + b_hn)
            hp = r_value * (hp + b_hn)
        value = float(inside[name][step, unit])
        out.append(GateNumbers(symbol, name, _function(layer, symbol), xp, hp, bias,
                               xp + hp + bias, value,
                               None if grads is None else float(grads[symbol][unit])))
        if symbol == "r":
            r_value = value
    return tuple(out), reset


def _with_terms(sp, layer, layer_id, unit, xt, h_prev, gates, reset, top, opt, suffix=""):
    """Each gate with its largest products, this step's share of their gradients and
    the optimizer's update of those weights and of the gate's bias (``suffix``: the
    weights' name ending, ``_reverse`` for a bidirectional layer's backward cell)."""
    h_units = layer.config["units"]
    w, u = layer.params["W"], layer.params["U"]
    picked = []
    for k, gate in enumerate(gates):
        col = k * h_units + unit
        # The GRU's n gate sees r·h_{t-1}: its U terms are products with r·h.
        h_in = h_prev * (reset[0] if gate.symbol == "n" and reset else 1.0)
        inputs = [(f"x{i}", f"{layer_id}/W{suffix}", (i, col), float(w[i, col]), float(xt[i]))
                  for i in range(len(xt))]
        inputs += [(f"h{j}", f"{layer_id}/U{suffix}", (j, col), float(u[j, col]), float(h_in[j]))
                   for j in range(len(h_in))]
        inputs.sort(key=lambda t: -abs(t[3] * t[4]))
        picked.append(inputs[:top])
    keys = [(key, idx) for chosen in picked for _l, key, idx, _w, _x in chosen]
    has_bias = "b" in layer.params
    keys += [(f"{layer_id}/b{suffix}", (k * h_units + unit,)) for k in range(len(gates))] \
        if has_bias else []
    ups = updates_for(sp, opt[0], opt[1], keys, opt[2])
    out, n = [], 0
    for k, (gate, chosen) in enumerate(zip(gates, picked)):
        terms = []
        for label, _key, idx, weight, value in chosen:
            share = None if gate.grad is None else gate.grad * value
            terms.append(Term(label, idx, weight, value, weight * value, share, ups[n]))
            n += 1
        bias_up = ups[sum(map(len, picked)) + k] if has_bias else None
        out.append(replace(gate, terms=tuple(terms), bias_update=bias_up))
    return tuple(out)


def _function(layer, symbol: str) -> str:
    if symbol == "h":
        return layer.config["activation"]
    return "tanh" if symbol in ("g", "n") else "sigmoid"


def _pre_grads(layer, step: int) -> dict[str, np.ndarray]:
    """∂L/∂(pre-activation) of each gate at ``step`` for sample 0, from the workspace
    the engine's backward pass filled (internal gate order mapped back to stored)."""
    h = layer.config["units"]
    d_a = layer._ws["dA"][step, :, 0]
    kind = layer.type_name
    if kind == "SimpleRNN":
        return {"h": d_a.astype(np.float64)}
    if kind == "LSTM":
        order = layer.block_order  # internal block k holds stored block order[k]
        return {sym: d_a[order.index(k) * h:(order.index(k) + 1) * h].astype(np.float64)
                for k, (sym, _n) in enumerate(_GATES["LSTM"])}
    return {"r": d_a[:h].astype(np.float64), "z": d_a[h:2 * h].astype(np.float64),
            "n": layer._ws["dXn"][step, :, 0].astype(np.float64)}
