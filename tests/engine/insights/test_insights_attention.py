"""The Inside machinery on networks with the attention layers and with bidirectional
recurrent layers: probe snapshots (attention maps), health, step-through, explain
(bidirectional units; attention refused with a reason) and the gradient check."""
import numpy as np
import pytest

from engine.data import prepare
from engine.insights import Probe, assess
from engine.insights.explain import ExplainError, explain_dense
from engine.insights.explain_recurrent import explain_recurrent
from engine.insights.gradcheck import check_gradients
from engine.insights.stepthrough import step_through
from engine.losses import get_loss
from engine.network import Network
from engine.run import prepare_targets
from engine.spec import NetworkSpec

from ..helpers import chain_spec

T, VOCAB = 6, 9


def attention_spec(causal=True) -> NetworkSpec:
    """Embedding -> PositionEmbedding -> MHA (+ residual Add) -> per-step softmax."""
    items = [{"id": "in", "type": "Input", "config": {"shape": [T], "kind": "tokens"}},
             {"id": "emb", "type": "Embedding", "config": {"vocab_size": VOCAB, "dim": 8}},
             {"id": "pos", "type": "PositionEmbedding", "config": {"max_len": 10}},
             {"id": "attn", "type": "MultiHeadAttention",
              "config": {"heads": 2, "causal": causal}},
             {"id": "add", "type": "Add", "config": {}},
             {"id": "out", "type": "Dense", "config": {"units": VOCAB,
                                                       "activation": "softmax"}}]
    edges = [("in", "emb"), ("emb", "pos"), ("pos", "attn"), ("pos", "add"),
             ("attn", "add"), ("add", "out")]
    return NetworkSpec.from_dict({"version": 1, "layers": items,
                                  "edges": [{"from": a, "to": b} for a, b in edges]})


def bidirectional_spec(kind="LSTM") -> NetworkSpec:
    return chain_spec((5, 3), [(kind, {"units": 4, "bidirectional": True}),
                               ("Dense", {"units": 3, "activation": "softmax"})],
                      kind="sequence")


def _tokens(n=12, seed=0):
    x = np.random.default_rng(seed).integers(0, VOCAB, (n, T))
    return x, np.roll(x, -1, axis=1)


def _sequences(n=12, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, 5, 3)), np.arange(n) % 3


# ---- probe and health ---------------------------------------------------------------
@pytest.mark.parametrize("causal", [True, False])
def test_probe_snapshot_carries_each_heads_attention_map(causal):
    net = Network(attention_spec(causal), seed=1)
    x, y = _tokens()
    snap = Probe(net, x, y, task="classification", sample=3).snapshot(step=1)
    view = snap.layers["attn"]
    assert view.attention.shape == (2, T, T) and view.attention.dtype == np.float32
    np.testing.assert_allclose(view.attention.sum(axis=-1), 1.0, rtol=1e-5)
    assert (not np.triu(view.attention, 1).any()) == causal
    shadow = Network(attention_spec(causal), seed=1)  # the same weights, computed directly
    shadow.forward(shadow.prepare_input(x))
    layer = next(n.layer for n in shadow.nodes if n.id == "attn")
    np.testing.assert_allclose(view.attention, layer.attention_weights(3), rtol=1e-5)
    assert snap.layers["pos"].attention is None and snap.layers["attn"].grad_norm > 0
    health = assess(snap)
    assert set(health) >= {"attn", "pos"}


def test_probe_of_a_bidirectional_layer_shows_both_directions():
    net = Network(bidirectional_spec("GRU"), seed=0)
    x, y = _sequences()
    view = Probe(net, x, y, task="classification").snapshot(step=1).layers["l0"]
    assert view.hidden.shape == (5, 8)  # forward then backward units, per input step
    assert {"reset", "reset (reverse)"} <= set(view.gates)
    assert view.step_grad_norms.shape == (5,) and np.all(view.step_grad_norms > 0)


# ---- step-through -------------------------------------------------------------------
def _prepared(tmp_path, x, y, kind):
    np.savez(tmp_path / "d.npz", x=x, y=y)
    return prepare({"source": "npz", "path": str(tmp_path / "d.npz"), "input_kind": kind,
                    "task": "classification", "validation_split": 0.0, "test_split": 0.0},
                   0)


@pytest.mark.parametrize("which", ["attention", "bidirectional"])
def test_step_through_takes_a_step_on_each(which, tmp_path):
    if which == "attention":
        spec, (x, y), kind = attention_spec(), _tokens(24), "tokens"
    else:
        spec, (x, y), kind = bidirectional_spec(), _sequences(24), "sequence"
    result = step_through(spec, _prepared(tmp_path, x, y, kind), {"batch_size": 8})
    kinds = [p.kind for p in result.phases]
    assert kinds.count("forward") == len(spec.layers) - 1 and "loss" in kinds
    updates = {p.layer: p for p in result.phases if p.kind == "update"}
    layer = "attn" if which == "attention" else "l0"
    assert updates[layer].update_norm > 0
    assert set(updates[layer].param_norms) >= (
        {"W_in", "b_in", "W_out", "b_out"} if which == "attention" else {"W", "W_reverse"})


# ---- explain ----------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["SimpleRNN", "LSTM", "GRU"])
@pytest.mark.parametrize("unit,step", [(1, 0), (1, 4), (5, 0), (6, 4), (7, 2)])
def test_explain_each_direction_of_a_bidirectional_layer(kind, unit, step):
    net = Network(bidirectional_spec(kind), dtype=np.float64, seed=2)
    net.flat[...] = np.random.default_rng(8).normal(0, 0.6, net.flat.shape)
    x = np.random.default_rng(7).normal(size=(5, 3))
    e = explain_recurrent(net, "l0", unit, step, x, 2, get_loss("cross_entropy"))
    assert e.direction == ("backward" if unit >= 4 else "forward")
    copy = Network(bidirectional_spec(kind), dtype=np.float64)
    copy.flat[...] = net.flat
    copy.forward(copy.prepare_input(x[None]), keep=True)
    inside = copy.nodes[0].layer.internals(sample=0)  # (T, 2H) in input time order
    assert e.h == pytest.approx(inside["hidden"][step, unit], abs=1e-12)
    # the layer's last-state output: forward after step 4, backward after step 0
    if (unit < 4 and step == 4) or (unit >= 4 and step == 0):
        assert e.h == pytest.approx(copy.outputs["l0"][0, unit], abs=1e-12)
    for g in e.gates:
        assert g.pre == pytest.approx(g.x_part + g.h_part + g.bias)
        assert g.grad is not None
    if kind == "GRU":
        gates = {g.symbol: g.value for g in e.gates}
        assert e.h == pytest.approx((1 - gates["z"]) * gates["n"] + gates["z"] * e.h_prev)
    with pytest.raises(ExplainError, match="units 0 to 7"):
        explain_recurrent(net, "l0", 8, 0, x)


def test_explain_says_attention_has_no_unit_to_explain():
    net = Network(attention_spec(), dtype=np.float64)
    with pytest.raises(ExplainError, match="MultiHeadAttention 'attn' is not a Dense layer"):
        explain_dense(net, "attn", 0, _tokens(1)[0][0])


# ---- gradient check ---------------------------------------------------------------------
@pytest.mark.parametrize("which", ["attention", "attention_all", "LSTM", "GRU", "SimpleRNN"])
def test_gradient_check_passes(which):
    if which.startswith("attention"):
        spec, (x, y) = attention_spec(causal=which == "attention"), _tokens(4)
    else:
        spec, (x, y) = bidirectional_spec(which), _sequences(4)
    loss = get_loss("cross_entropy")
    check = check_gradients(spec, None, x, y, loss, prepare_y=prepare_targets)
    assert check.passed, [(r.name, r.max_error) for r in check.layers]
    assert len(check.layers) >= 3
