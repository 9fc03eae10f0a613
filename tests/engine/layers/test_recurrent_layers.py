"""Recurrent layers and Embedding: agreement with PyTorch (which pins the weight layouts
an exporter relies on), messages people read, bad token ids, exploding gradients."""
import numpy as np
import pytest

from engine.errors import DataError, ShapeError
from engine.layers import create_layer
from engine.network import Network
from engine.spec import NetworkSpec

from .layer_helpers import random_layer

pytestmark = pytest.mark.torch  # compared with PyTorch where it is installed

N, T, D, H = 3, 6, 4, 5


def _layer(type_name, config, shape=(T, D), seed=0):
    return random_layer(type_name, config, shape, seed)


def _run_both(layer, module, x, return_sequences):
    """Forward and backward of ``sum(out * G)`` in both; returns (ours, theirs, dx pair)."""
    torch = pytest.importorskip("torch")
    ours = layer.forward([x], training=True)
    upstream = np.random.default_rng(9).normal(size=ours.shape)
    (dx,) = layer.backward(upstream.copy())
    xt = torch.tensor(x, requires_grad=True)
    seq, _ = module(xt)
    theirs = seq if return_sequences else seq[:, -1]
    (theirs * torch.tensor(upstream)).sum().backward()
    return ours, theirs.detach().numpy(), dx, xt.grad.numpy()


def _torch_module(cls_name, layer, **kw):
    torch = pytest.importorskip("torch")
    h = layer.config["units"]
    d = layer.params["W"].shape[0]
    mod = getattr(torch.nn, cls_name)(d, h, batch_first=True, bias=layer.config["use_bias"],
                                      **kw).double()
    with torch.no_grad():
        mod.weight_ih_l0.copy_(torch.tensor(layer.params["W"].T))
        mod.weight_hh_l0.copy_(torch.tensor(layer.params["U"].T))
        if layer.config["use_bias"]:
            mod.bias_ih_l0.copy_(torch.tensor(layer.params["b"]))
            mod.bias_hh_l0.zero_()
            if "b_hn" in layer.params:
                mod.bias_hh_l0[2 * h:] = torch.tensor(layer.params["b_hn"])
    return mod


def _check_against_torch(type_name, torch_name, config, **kw):
    layer = _layer(type_name, config)
    mod = _torch_module(torch_name, layer, **kw)
    x = np.random.default_rng(3).normal(size=(N, T, D))
    ours, theirs, dx, tdx = _run_both(layer, mod, x, config.get("return_sequences", False))
    np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(dx, tdx, rtol=1e-9, atol=1e-12)
    g = layer.grads
    np.testing.assert_allclose(g["W"], mod.weight_ih_l0.grad.numpy().T, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(g["U"], mod.weight_hh_l0.grad.numpy().T, rtol=1e-9, atol=1e-12)
    if layer.config["use_bias"]:
        np.testing.assert_allclose(g["b"], mod.bias_ih_l0.grad.numpy(), rtol=1e-9, atol=1e-12)
    return layer, mod


@pytest.mark.parametrize("seq", [False, True])
@pytest.mark.parametrize("act", ["tanh", "relu"])
def test_simple_rnn_matches_torch(act, seq):
    _check_against_torch("SimpleRNN", "RNN", {"units": H, "activation": act,
                                              "return_sequences": seq}, nonlinearity=act)


@pytest.mark.parametrize("seq", [False, True])
@pytest.mark.parametrize("bias", [True, False])
def test_lstm_matches_torch(seq, bias):
    layer, mod = _check_against_torch("LSTM", "LSTM", {"units": H, "return_sequences": seq,
                                                        "use_bias": bias})
    if bias:  # PyTorch's two biases are one in ours: both get the same gradient
        np.testing.assert_allclose(layer.grads["b"], mod.bias_hh_l0.grad.numpy(), rtol=1e-9)


@pytest.mark.parametrize("seq", [False, True])
@pytest.mark.parametrize("bias", [True, False])
def test_gru_matches_torch(seq, bias):
    layer, mod = _check_against_torch("GRU", "GRU", {"units": H, "return_sequences": seq,
                                                      "use_bias": bias})
    if bias:
        hh = mod.bias_hh_l0.grad.numpy()
        np.testing.assert_allclose(layer.grads["b_hn"], hh[2 * H:], rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(layer.grads["b"][:2 * H], hh[:2 * H], rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("vocab", [11, 400])  # one-hot GEMM and np.add.at paths
def test_embedding_matches_torch(vocab):
    torch = pytest.importorskip("torch")
    layer = _layer("Embedding", {"vocab_size": vocab, "dim": 4}, shape=(T,))
    ids = np.random.default_rng(1).integers(0, vocab, (N, T))
    ids[0, :3] = 2  # repeated ids: their gradients must add up
    mod = torch.nn.Embedding(vocab, 4).double()
    with torch.no_grad():
        mod.weight.copy_(torch.tensor(layer.params["W"]))
    out = layer.forward([ids])
    upstream = np.random.default_rng(2).normal(size=out.shape)
    assert layer.backward(upstream) == [None]
    theirs = mod(torch.tensor(ids))
    (theirs * torch.tensor(upstream)).sum().backward()
    np.testing.assert_allclose(out, theirs.detach().numpy())
    np.testing.assert_allclose(layer.grads["W"], mod.weight.grad.numpy(), atol=1e-12)


# ---- messages and settings -----------------------------------------------------------
@pytest.mark.parametrize("shape", [(64,), (3, 8, 8)])
def test_recurrent_layers_refuse_non_sequences(shape):
    for type_name in ("SimpleRNN", "LSTM", "GRU"):
        layer = create_layer(type_name, {"units": 8}, "lstm1")
        with pytest.raises(ShapeError) as err:
            layer.output_shape([shape])
        shown = "(" + ", ".join(map(str, shape)) + ("," if len(shape) == 1 else "") + ")"
        assert str(err.value).startswith(f"{type_name} 'lstm1' needs a sequence (T, D) "
                                         f"but receives {shown}")


def test_output_shapes_and_descriptions():
    last = create_layer("LSTM", {"units": 128})
    every = create_layer("GRU", {"units": 64, "return_sequences": True})
    relu = create_layer("SimpleRNN", {"units": 16, "activation": "relu"})
    assert last.output_shape([(50, 8)]) == (128,)
    assert every.output_shape([(50, 8)]) == (50, 64)
    assert last.describe() == "128 units, last step"
    assert every.describe() == "64 units, all steps"
    assert relu.describe() == "16 units, last step, relu"
    emb = create_layer("Embedding", {"vocab_size": 30, "dim": 8}, "emb")
    assert emb.output_shape([(12,)]) == (12, 8)
    with pytest.raises(ShapeError, match=r"Embedding 'emb' needs token ids \(T,\) but receives"):
        emb.output_shape([(12, 3)])


def test_param_layouts_follow_pytorch():
    shapes = {t: {s.name: s.shape for s in create_layer(t, {"units": 7}).param_specs([(9, 4)])}
              for t in ("SimpleRNN", "LSTM", "GRU")}
    assert shapes["SimpleRNN"] == {"W": (4, 7), "U": (7, 7), "b": (7,)}
    assert shapes["LSTM"] == {"W": (4, 28), "U": (7, 28), "b": (28,)}
    assert shapes["GRU"] == {"W": (4, 21), "U": (7, 21), "b": (21,), "b_hn": (7,)}


@pytest.mark.parametrize("bad", [-1, 30, 31])
def test_out_of_range_tokens_raise_data_error(bad):
    layer = _layer("Embedding", {"vocab_size": 30, "dim": 4}, shape=(5,))
    ids = np.zeros((2, 5), np.int64)
    ids[1, 3] = bad
    with pytest.raises(DataError, match=rf"vocabulary of 30 .* token id {bad}"):
        layer.forward([ids])


def test_fractional_token_ids_raise_data_error():
    layer = _layer("Embedding", {"vocab_size": 30, "dim": 4}, shape=(3,))
    with pytest.raises(DataError, match="whole-number token ids"):
        layer.forward([np.array([[0.5, 1.0, 2.0]])])


# ---- inside a network ----------------------------------------------------------------
def _text_net(dtype=np.float32):
    spec = NetworkSpec.from_dict({"version": 1, "layers": [
        {"id": "in", "type": "Input", "config": {"shape": [7], "kind": "tokens"}},
        {"id": "emb", "type": "Embedding", "config": {"vocab_size": 20, "dim": 6}},
        {"id": "gru", "type": "GRU", "config": {"units": 5, "return_sequences": True}},
        {"id": "lstm", "type": "LSTM", "config": {"units": 4}},
        {"id": "out", "type": "Dense", "config": {"units": 3, "activation": "linear"}},
    ], "edges": [{"from": a, "to": b} for a, b in
                 (("in", "emb"), ("emb", "gru"), ("gru", "lstm"), ("lstm", "out"))]})
    return Network(spec, dtype=dtype)


def test_stacked_network_trains_and_outputs_are_not_reused():
    net = _text_net()
    ids = np.random.default_rng(0).integers(0, 20, (8, 7))
    first = net.forward(net.prepare_input(ids), training=True)
    kept = first.copy()
    net.backward(np.ones_like(first))
    assert net.grad_flat.dtype == np.float32 and np.all(np.isfinite(net.grad_flat))
    assert np.count_nonzero(net.grad_flat) > 0.9 * net.grad_flat.size
    net.forward(net.prepare_input(ids[::-1].copy()))
    np.testing.assert_array_equal(first, kept)  # a later batch did not overwrite it


def test_network_float32_matches_float64():
    ids = np.random.default_rng(1).integers(0, 20, (4, 7))
    outs = [_text_net(dt).forward(_text_net(dt).prepare_input(ids)) for dt in
            (np.float32, np.float64)]
    np.testing.assert_allclose(outs[0], outs[1], rtol=1e-4, atol=1e-5)


# ---- exploding gradients ---------------------------------------------------------------
def _exploding_rnn(steps):
    """A relu RNN whose recurrent kernel doubles the state each step."""
    layer = create_layer("SimpleRNN", {"units": 8, "activation": "relu"})
    layer.allocate([(steps, 2)], dtype=np.float64, seed=0)
    layer.params["U"][...] = 2.0 * np.eye(8)
    layer.params["W"][...] = np.abs(layer.params["W"])  # positive inputs keep relu open
    layer.params["b"][...] = 0.1
    x = np.abs(np.random.default_rng(0).normal(size=(4, steps, 2)))
    layer.forward([x], training=True)
    layer.backward(np.ones((4, 8)))
    return layer


def test_relu_rnn_gradients_explode_with_sequence_length():
    norms = [np.linalg.norm(_exploding_rnn(t).grads["W"]) for t in (10, 20, 40)]
    assert norms[1] > 500 * norms[0] and norms[2] > 500 * norms[1]


def test_clipping_by_global_norm_tames_long_sequences():
    optimizers = pytest.importorskip("engine.optimizers")
    layer = _exploding_rnn(60)
    flat_grad = np.concatenate([g.reshape(-1) for g in layer.grads.values()])
    flat_param = np.concatenate([p.reshape(-1) for p in layer.params.values()])
    assert np.linalg.norm(flat_grad) > 1e15
    before = flat_param.copy()
    opt = optimizers.SGD(lr=0.1, clip_norm=1.0).bind(flat_param, flat_grad)
    opt.step()
    assert np.linalg.norm(flat_grad) == pytest.approx(1.0, rel=1e-9)
    assert np.linalg.norm(flat_param - before) == pytest.approx(0.1, rel=1e-9)


# ---- per-step GEMMs split into row blocks (recurrent._step_gemm_blocks) ---------------
CELLS = [("SimpleRNN", "RNN"), ("LSTM", "LSTM"), ("GRU", "GRU")]


@pytest.mark.parametrize("cell,torch_name", CELLS)
def test_blocked_step_gemms_match_torch(cell, torch_name):
    """128 units and a small batch take the blocked path; PyTorch agrees with it."""
    from engine.layers.recurrent import _step_gemm_blocks

    assert _step_gemm_blocks(4, 128, N) == (4, 4)
    _check_against_torch(cell, torch_name, {"units": 128, "return_sequences": True})


def _forward_backward(cell, blocks, monkeypatch):
    import engine.layers.recurrent as recurrent

    monkeypatch.setattr(recurrent, "_step_gemm_blocks", lambda gates, units, batch: blocks)
    layer = _layer(cell, {"units": 8, "return_sequences": True})
    x = np.random.default_rng(3).normal(size=(N, T, D))
    out = layer.forward([x], training=True)
    (dx,) = layer.backward(np.random.default_rng(9).normal(size=out.shape))
    return out, dx, {k: v.copy() for k, v in layer.grads.items()}


@pytest.mark.parametrize("cell", [c for c, _ in CELLS])
@pytest.mark.parametrize("rows", [2, 4, 8])
def test_any_row_blocking_gives_the_same_numbers(cell, rows, monkeypatch):
    """Without torch too: every split of the kernels (the forward by gates, the backward
    in ``rows`` blocks) computes what the single GEMMs compute."""
    gates = create_layer(cell, {"units": 8}).gates
    out1, dx1, g1 = _forward_backward(cell, (1, 1), monkeypatch)
    out2, dx2, g2 = _forward_backward(cell, (gates, rows), monkeypatch)
    np.testing.assert_allclose(out2, out1, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(dx2, dx1, rtol=1e-12, atol=1e-14)
    for name in g1:
        np.testing.assert_allclose(g2[name], g1[name], rtol=1e-12, atol=1e-14)
