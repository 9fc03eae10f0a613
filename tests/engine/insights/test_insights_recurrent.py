"""Recurrent layers' internals (hidden states, gates, per-step gradient norms) against
hand-written recurrences and against the input gradient the gradient checks pin."""
import numpy as np
import pytest

from engine.kernels.activations import sigmoid
from engine.layers import create_layer

N, T, H = 3, 5, 4


def _layer(type_name, d, return_sequences=False, seed=0):
    layer = create_layer(type_name, {"units": H, "return_sequences": return_sequences}, "r")
    layer.allocate([(T, d)], dtype=np.float64, seed=seed)
    rng = np.random.default_rng(seed + 7)
    for arr in layer.params.values():
        arr[...] = rng.normal(0, 0.6, arr.shape)
    return layer


def _reference(layer, x):
    """Hidden states and gates by the textbook equations (stored gate order)."""
    p = layer.params
    n = x.shape[0]
    h, c = np.zeros((n, H)), np.zeros((n, H))
    states, gates = [], {}
    for t in range(T):
        a = x[:, t] @ p["W"] + h @ p["U"] + p["b"]
        if layer.type_name == "SimpleRNN":
            h, step = np.tanh(a), {}
        elif layer.type_name == "LSTM":
            i, f, g, o = (a[:, k * H:(k + 1) * H] for k in range(4))
            i, f, g, o = sigmoid(i), sigmoid(f), np.tanh(g), sigmoid(o)
            c = f * c + i * g
            h = o * np.tanh(c)
            step = {"input": i, "forget": f, "candidate": g, "output": o, "cell": c}
        else:
            xw, hu = x[:, t] @ p["W"] + p["b"], h @ p["U"]
            r = sigmoid(xw[:, :H] + hu[:, :H])
            z = sigmoid(xw[:, H:2 * H] + hu[:, H:2 * H])
            nn = np.tanh(xw[:, 2 * H:] + r * (hu[:, 2 * H:] + p["b_hn"]))
            h = (1 - z) * nn + z * h
            step = {"reset": r, "update": z, "new": nn}
        states.append(h)
        for name, v in step.items():
            gates.setdefault(name, []).append(v)
    return np.stack(states, 1), {k: np.stack(v, 1) for k, v in gates.items()}


@pytest.mark.parametrize("type_name", ["SimpleRNN", "LSTM", "GRU"])
def test_internals_match_the_equations(type_name):
    layer = _layer(type_name, d=3)
    assert layer.internals() == {} and layer.step_grad_norms() is None
    x = np.random.default_rng(1).normal(size=(N, T, 3))
    layer.forward([x])
    hidden, gates = _reference(layer, x)
    inner = layer.internals()
    assert set(inner) == {"hidden"} | set(gates)
    np.testing.assert_allclose(inner["hidden"], hidden, atol=1e-12)
    for name, ref in gates.items():
        np.testing.assert_allclose(inner[name], ref, atol=1e-12, err_msg=name)
    one = layer.internals(sample=1)
    np.testing.assert_array_equal(one["hidden"], inner["hidden"][1])
    inner["hidden"][...] = 99  # copies: the workspace is untouched
    assert not np.any(layer.internals()["hidden"] == 99)


@pytest.mark.parametrize("type_name", ["SimpleRNN", "LSTM", "GRU"])
@pytest.mark.parametrize("return_sequences", [False, True])
def test_step_grad_norms_from_the_input_gradient(type_name, return_sequences):
    """dx_t = W · (pre-activation gradient of step t) per sample; with more input
    features than gate rows W has full row rank, so the gradient is recovered from dx
    and its norm compared."""
    gates = {"SimpleRNN": 1, "LSTM": 4, "GRU": 3}[type_name]
    d = gates * H + 2
    layer = _layer(type_name, d, return_sequences)
    rng = np.random.default_rng(2)
    x = rng.normal(size=(N, T, d))
    out = layer.forward([x])
    (dx,) = layer.backward(rng.normal(size=out.shape))
    norms = layer.step_grad_norms()
    w = layer.params["W"]  # (d, G*H): dx[n, t] = w @ g[n, t]
    g = np.linalg.lstsq(w, dx.reshape(-1, d).T, rcond=None)[0].T.reshape(N, T, -1)
    expected = np.linalg.norm(g, axis=2).mean(axis=0)
    np.testing.assert_allclose(norms, expected, rtol=1e-8)
    assert norms.shape == (T,)
    if not return_sequences:  # the gradient enters at the last step only
        assert norms[-1] > 0
