"""Bidirectional SimpleRNN, LSTM and GRU: float64 agreement with PyTorch's
``bidirectional=True`` (outputs, input gradient, every weight's gradient, both output
modes), shapes, and designs saved before the setting existed."""
import hashlib
import json

import numpy as np
import pytest

from engine.layers import create_layer
from engine.spec import NetworkSpec, design_fingerprint

pytestmark = pytest.mark.torch  # compared with PyTorch where it is installed

N, T, D, H = 3, 6, 4, 5
CELLS = [("SimpleRNN", "RNN", {"activation": "tanh"}), ("SimpleRNN", "RNN", {"activation": "relu"}),
         ("LSTM", "LSTM", {}), ("GRU", "GRU", {})]


def _layer(type_name, config, seed=0):
    layer = create_layer(type_name, {"units": H, "bidirectional": True, **config}, "bi")
    layer.allocate([(T, D)], dtype=np.float64, seed=seed)
    rng = np.random.default_rng(seed + 50)
    for arr in layer.params.values():
        arr[...] = rng.normal(0, 0.5, arr.shape)
    return layer


def _torch_module(torch_name, layer, **kw):
    torch = pytest.importorskip("torch")
    bias = layer.config["use_bias"]
    mod = getattr(torch.nn, torch_name)(D, H, batch_first=True, bias=bias, bidirectional=True,
                                        **kw).double()
    with torch.no_grad():
        for suffix, ours in (("", ""), ("_reverse", "_reverse")):
            p = layer.params
            getattr(mod, f"weight_ih_l0{suffix}").copy_(torch.tensor(p[f"W{ours}"].T))
            getattr(mod, f"weight_hh_l0{suffix}").copy_(torch.tensor(p[f"U{ours}"].T))
            if bias:
                getattr(mod, f"bias_ih_l0{suffix}").copy_(torch.tensor(p[f"b{ours}"]))
                hh = getattr(mod, f"bias_hh_l0{suffix}")
                hh.zero_()
                if f"b_hn{ours}" in p:
                    hh[2 * H:] = torch.tensor(p[f"b_hn{ours}"])
    return mod


def _close(a, b):
    np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("seq", [False, True])
@pytest.mark.parametrize("cell,torch_name,extra", CELLS)
def test_bidirectional_matches_torch(cell, torch_name, extra, seq, bias):
    torch = pytest.importorskip("torch")
    layer = _layer(cell, {"return_sequences": seq, "use_bias": bias, **extra})
    kw = {"nonlinearity": extra["activation"]} if cell == "SimpleRNN" else {}
    mod = _torch_module(torch_name, layer, **kw)
    x = np.random.default_rng(3).normal(size=(N, T, D))
    ours = layer.forward([x], training=True)
    assert ours.shape == ((N, T, 2 * H) if seq else (N, 2 * H))
    upstream = np.random.default_rng(9).normal(size=ours.shape)
    (dx,) = layer.backward(upstream.copy())
    xt = torch.tensor(x, requires_grad=True)
    out, _ = mod(xt)
    # The last-state mode is PyTorch's forward state after the last step and backward
    # state after step 0.
    theirs = out if seq else torch.cat([out[:, -1, :H], out[:, 0, H:]], dim=1)
    (theirs * torch.tensor(upstream)).sum().backward()
    _close(ours, theirs.detach().numpy())
    _close(dx, xt.grad.numpy())
    g = layer.grads
    for suffix in ("", "_reverse"):
        _close(g[f"W{suffix}"], getattr(mod, f"weight_ih_l0{suffix}").grad.numpy().T)
        _close(g[f"U{suffix}"], getattr(mod, f"weight_hh_l0{suffix}").grad.numpy().T)
        if bias:
            _close(g[f"b{suffix}"], getattr(mod, f"bias_ih_l0{suffix}").grad.numpy())
            if cell == "GRU":
                hh = getattr(mod, f"bias_hh_l0{suffix}").grad.numpy()
                _close(g[f"b_hn{suffix}"], hh[2 * H:])


def test_shapes_weights_and_descriptions():
    lstm = create_layer("LSTM", {"units": 7, "bidirectional": True})
    assert lstm.output_shape([(9, 4)]) == (14,)
    assert lstm.describe() == "7 units, last step, both directions"
    seq = create_layer("GRU", {"units": 3, "bidirectional": True, "return_sequences": True})
    assert seq.output_shape([(9, 4)]) == (9, 6)
    names = {s.name: s.shape for s in seq.param_specs([(9, 4)])}
    assert names == {"W": (4, 9), "U": (3, 9), "b": (3 * 3,), "b_hn": (3,),
                     "W_reverse": (4, 9), "U_reverse": (3, 9), "b_reverse": (9,),
                     "b_hn_reverse": (3,)}
    one_way = create_layer("GRU", {"units": 3})
    assert one_way.output_shape([(9, 4)]) == (3,)
    assert {s.name for s in one_way.param_specs([(9, 4)])} == {"W", "U", "b", "b_hn"}


def test_internals_hold_both_directions_in_input_time_order():
    layer = _layer("LSTM", {"return_sequences": True})
    x = np.random.default_rng(1).normal(size=(N, T, D))
    out = layer.forward([x])
    inner = layer.internals(sample=2)
    _close(inner["hidden"], out[2])  # forward units then backward units, per input step
    assert {"forget", "forget (reverse)", "cell", "cell (reverse)"} <= set(inner)
    assert inner["forget (reverse)"].shape == (T, H)
    layer.backward(np.ones_like(out))
    assert layer.step_grad_norms().shape == (T,)


def _old_fingerprint(design: dict) -> str:
    """The design fingerprint as written before ``bidirectional`` existed."""
    text = json.dumps([[(layer["id"], layer["type"], layer["config"]) for layer in
                        design["layers"]], [(e["from"], e["to"]) for e in design["edges"]]],
                      sort_keys=True, default=list)
    return hashlib.sha1(text.encode()).hexdigest()


def test_designs_saved_before_the_setting_keep_their_fingerprint():
    """A project saved without the key loads with the default and its trained weights
    stay current; turning the setting on changes the fingerprint."""
    config = {"units": 4, "return_sequences": False, "use_bias": True,
              "initializer": "glorot_uniform"}
    design = {"version": 1, "layers": [
        {"id": "in", "type": "Input", "config": {"shape": [5, 2], "kind": "sequence"}},
        {"id": "lstm", "type": "LSTM", "config": config},
        {"id": "out", "type": "Dense", "config": {"units": 1, "activation": "linear"}}],
        "edges": [{"from": "in", "to": "lstm"}, {"from": "lstm", "to": "out"}]}
    spec = NetworkSpec.from_dict(design)
    # Fill the other layers' defaults as a saved design holds them all.
    full = {**design, "layers": [{"id": layer.id, "type": layer.type,
                                  "config": {k: v for k, v in layer.config.items()
                                             if k != "bidirectional"}}
                                 for layer in spec.layers]}
    assert spec.layer("lstm").config["bidirectional"] is False
    assert design_fingerprint(spec) == _old_fingerprint(full)
    both = spec.with_layer_config("lstm", bidirectional=True)
    assert design_fingerprint(both) != design_fingerprint(spec)
