"""Pure kernels: ``forward(x) -> (out, cache)`` and ``backward(grad, cache) -> dx``.

Activations are used both by the Activation layer and fused into Dense, Conv2D and the
recurrent layers. Each kernel keeps the NumPy call count low: small networks are bound
by per-call overhead, not arithmetic.
"""
from __future__ import annotations

import numpy as np

from ..errors import ConfigError

ACTIVATIONS = ("linear", "relu", "leaky_relu", "sigmoid", "tanh", "softmax", "gelu")
LEAKY_SLOPE = 0.01
_GELU_C = float(np.sqrt(2.0 / np.pi))  # a Python float: a NumPy float64 would promote float32 arrays


def _linear_f(z):
    return z, None


def _linear_b(g, cache):
    return g


def _relu_f(z):
    a = np.maximum(z, 0)
    return a, a


def _relu_b(g, a):
    return g * (a > 0)


def _leaky_f(z):
    return np.where(z > 0, z, z * LEAKY_SLOPE), z


def _leaky_b(g, z):
    return np.where(z > 0, g, g * LEAKY_SLOPE)


def sigmoid(z):
    """Stable for any z: tanh never overflows, unlike exp(-z)."""
    a = np.tanh(z * 0.5)
    a += 1
    a *= 0.5
    return a


def _sigmoid_f(z):
    a = sigmoid(z)
    return a, a


def _sigmoid_b(g, a):
    return g * (a * (1 - a))


def _tanh_f(z):
    a = np.tanh(z)
    return a, a


def _tanh_b(g, a):
    return g * (1 - a * a)


def softmax(z, axis=-1):
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    e /= e.sum(axis=axis, keepdims=True)
    return e


def _softmax_f(z):
    s = softmax(z)
    return s, s


def _softmax_b(g, s):
    return s * (g - (g * s).sum(axis=-1, keepdims=True))


def _gelu_f(z):
    # The tanh form (as PyTorch's approximate="tanh" and ONNX Gelu approximate="tanh").
    u = _GELU_C * (z + 0.044715 * z ** 3)
    t = np.tanh(u)
    return 0.5 * z * (1 + t), (z, t)


def _gelu_b(g, cache):
    z, t = cache
    du = _GELU_C * (1 + 3 * 0.044715 * z * z)
    return g * (0.5 * (1 + t) + 0.5 * z * (1 - t * t) * du)


_KERNELS = {
    "linear": (_linear_f, _linear_b),
    "relu": (_relu_f, _relu_b),
    "leaky_relu": (_leaky_f, _leaky_b),
    "sigmoid": (_sigmoid_f, _sigmoid_b),
    "tanh": (_tanh_f, _tanh_b),
    "softmax": (_softmax_f, _softmax_b),
    "gelu": (_gelu_f, _gelu_b),
}


def activation(name: str):
    """The (forward, backward) pair for an activation name."""
    try:
        return _KERNELS[name]
    except KeyError:
        raise ConfigError(f"unknown activation {name!r} (known: {', '.join(ACTIVATIONS)})") from None


def activation_forward(name: str, z):
    return _KERNELS[name][0](z)


def activation_backward(name: str, g, cache):
    return _KERNELS[name][1](g, cache)
