"""MultiHeadAttention and PositionEmbedding: agreement with PyTorch in float64 (which
pins the weight layout the exporters rely on), the causal mask, messages people read."""
import numpy as np
import pytest

from engine.errors import ShapeError
from engine.layers import create_layer

from .layer_helpers import random_layer

pytestmark = pytest.mark.torch  # compared with PyTorch where it is installed

N, T, D = 3, 6, 8


def _layer(type_name, config, shape=(T, D), seed=0):
    return random_layer(type_name, config, shape, seed)


def _torch_mha(layer):
    torch = pytest.importorskip("torch")
    d = layer.params["W_out"].shape[0]
    mod = torch.nn.MultiheadAttention(d, layer.config["heads"], bias=layer.config["use_bias"],
                                      batch_first=True).double()
    with torch.no_grad():
        mod.in_proj_weight.copy_(torch.tensor(layer.params["W_in"]))
        mod.out_proj.weight.copy_(torch.tensor(layer.params["W_out"]))
        if layer.config["use_bias"]:
            mod.in_proj_bias.copy_(torch.tensor(layer.params["b_in"]))
            mod.out_proj.bias.copy_(torch.tensor(layer.params["b_out"]))
    return mod


def _close(a, b):
    np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("heads,causal,bias,steps", [
    (1, False, True, T), (2, True, True, T), (4, False, False, T), (8, True, True, T),
    (2, True, True, 1), (4, False, True, 1)])
def test_multi_head_attention_matches_torch(heads, causal, bias, steps):
    torch = pytest.importorskip("torch")
    layer = _layer("MultiHeadAttention", {"heads": heads, "causal": causal, "use_bias": bias},
                   shape=(steps, D))
    mod = _torch_mha(layer)
    x = np.random.default_rng(3).normal(size=(N, steps, D))
    ours = layer.forward([x], training=True)
    upstream = np.random.default_rng(9).normal(size=ours.shape)
    (dx,) = layer.backward(upstream.copy())
    xt = torch.tensor(x, requires_grad=True)
    mask = torch.ones(steps, steps, dtype=torch.bool).triu(1) if causal else None
    theirs, weights = mod(xt, xt, xt, attn_mask=mask, need_weights=True,
                          average_attn_weights=False)
    (theirs * torch.tensor(upstream)).sum().backward()
    _close(ours, theirs.detach().numpy())
    _close(layer.attention_weights(), weights.detach().numpy())
    _close(dx, xt.grad.numpy())
    _close(layer.grads["W_in"], mod.in_proj_weight.grad.numpy())
    _close(layer.grads["W_out"], mod.out_proj.weight.grad.numpy())
    if bias:
        _close(layer.grads["b_in"], mod.in_proj_bias.grad.numpy())
        _close(layer.grads["b_out"], mod.out_proj.bias.grad.numpy())


def test_causal_attention_never_looks_ahead():
    """Changing the last step changes no earlier output; without the mask it does."""
    x = np.random.default_rng(0).normal(size=(2, T, D))
    later = x.copy()
    later[:, -1] += 1.0
    for causal in (True, False):
        layer = _layer("MultiHeadAttention", {"heads": 2, "causal": causal})
        a, b = layer.forward([x]), layer.forward([later])
        assert np.array_equal(a[:, :-1], b[:, :-1]) == causal
    weights = layer.attention_weights(sample=1)
    assert weights.shape == (2, T, T)
    np.testing.assert_allclose(weights.sum(axis=-1), 1.0)
    causal = _layer("MultiHeadAttention", {"heads": 2, "causal": True})
    causal.forward([x])
    assert not np.triu(causal.attention_weights(0)[0], 1).any()


def test_attention_keeps_float32():
    layer = create_layer("MultiHeadAttention", {"heads": 2, "causal": True})
    layer.allocate([(T, D)], dtype=np.float32)
    x = np.random.default_rng(0).normal(size=(N, T, D)).astype(np.float32)
    y = layer.forward([x], training=True)
    (dx,) = layer.backward(np.ones_like(y))
    assert y.dtype == dx.dtype == layer.grads["W_in"].dtype == np.float32


def test_position_embedding_matches_torch():
    torch = pytest.importorskip("torch")
    layer = _layer("PositionEmbedding", {"max_len": 10})
    x = np.random.default_rng(1).normal(size=(N, T, D))
    out = layer.forward([x])
    upstream = np.random.default_rng(2).normal(size=out.shape)
    (dx,) = layer.backward(upstream)
    p = torch.tensor(layer.params["P"], requires_grad=True)
    xt = torch.tensor(x, requires_grad=True)
    theirs = xt + p[:T]
    (theirs * torch.tensor(upstream)).sum().backward()
    _close(out, theirs.detach().numpy())
    _close(dx, xt.grad.numpy())
    _close(layer.grads["P"], p.grad.numpy())
    assert not layer.grads["P"][T:].any()


# ---- messages and settings -----------------------------------------------------------
def test_heads_must_divide_the_features():
    layer = create_layer("MultiHeadAttention", {"heads": 3}, "attn")
    with pytest.raises(ShapeError, match=r"^MultiHeadAttention 'attn' splits 8 features "
                                         r"into 3 heads, but 8 does not divide by 3: use "
                                         r"heads 1, 2, 4, 8"):
        layer.output_shape([(5, 8)])
    assert layer.output_shape([(5, 9)]) == (5, 9)


@pytest.mark.parametrize("type_name", ["MultiHeadAttention", "PositionEmbedding"])
@pytest.mark.parametrize("shape", [(16,), (3, 8, 8)])
def test_attention_layers_refuse_non_sequences(type_name, shape):
    layer = create_layer(type_name, {}, "seq")
    with pytest.raises(ShapeError, match=rf"^{type_name} 'seq' needs a sequence \(T, D\) "
                                         rf"but receives"):
        layer.output_shape([shape])


def test_position_embedding_refuses_longer_sequences():
    layer = create_layer("PositionEmbedding", {"max_len": 16}, "pos")
    assert layer.output_shape([(16, 4)]) == (16, 4)
    with pytest.raises(ShapeError, match="at most 16 steps but receives 17: raise Longest "
                                         "sequence to at least 17"):
        layer.output_shape([(17, 4)])


def test_descriptions_and_weight_layouts():
    attn = create_layer("MultiHeadAttention", {"heads": 4, "causal": True})
    assert attn.describe() == "4 heads, causal"
    assert {s.name: s.shape for s in attn.param_specs([(9, 12)])} == {
        "W_in": (36, 12), "W_out": (12, 12), "b_in": (36,), "b_out": (12,)}
    pos = create_layer("PositionEmbedding", {"max_len": 20})
    assert pos.describe() == "up to 20 steps"
    assert [s.shape for s in pos.param_specs([(9, 12)])] == [(20, 12)]


def test_the_memory_estimate_counts_the_attention_weights():
    """A long sequence's (heads, T, T) weights dominate a step's memory: the estimate
    ``make_job`` checks against the free memory must count them."""
    from engine.graph import check_network
    from engine.run.budget import training_bytes
    from engine.spec import NetworkSpec

    def spec(kind):
        layers = [{"id": "in", "type": "Input", "config": {"shape": [1024, 16],
                                                           "kind": "sequence"}}]
        if kind:
            layers.append({"id": "a", "type": kind, "config": {"heads": 8}})
        layers.append({"id": "out", "type": "Dense", "config": {"units": 2}})
        ids = [layer["id"] for layer in layers]
        return NetworkSpec.from_dict({"version": 1, "layers": layers, "edges": [
            {"from": a, "to": b} for a, b in zip(ids, ids[1:])]})

    settings = {"optimizer": "sgd", "batch_size": 32}
    extra = training_bytes(check_network(spec("MultiHeadAttention")), settings) - \
        training_bytes(check_network(spec(None)), settings)
    assert extra > 32 * 8 * 1024 * 1024 * 2 * 4  # two float32 (T, T) maps per head
