"""Attention layers: MultiHeadAttention (self-attention over a sequence) and
PositionEmbedding (a learned vector per position, added to the tokens' vectors).

Attention alone does not know the order of the steps (it is a weighted sum over
them); a PositionEmbedding after the Embedding gives it that, and ``causal`` keeps a
step from seeing later ones (a next-token model must not look ahead).
"""
from __future__ import annotations

import numpy as np

from ..kernels import attention as kernel
from ..params import Param, Schema
from .base import Layer, ParamSpec, fmt_shape
from .registry import register


def _sequence(layer: Layer, input_shapes, what: str) -> tuple[int, int]:
    shape = layer.single_input(input_shapes)
    if len(shape) != 2:
        hint = ("put an Embedding (token ids) or a recurrent layer with All steps before "
                "it" if len(shape) < 2 else "add a Reshape to (T, D)")
        raise layer.shape_error(f"{what} a sequence (T, D) but receives {fmt_shape(shape)}: "
                                f"{hint}")
    return shape[0], shape[1]


@register
class PositionEmbedding(Layer):
    """Adds a learned vector to every position: ``y[t] = x[t] + P[t]``.

    Shape: ``(T, D)`` -> ``(T, D)``, T at most ``max_len``; arrays ``(N, T, D)``.
    Weights: ``P`` (max_len, D); positions past T are unused (and get zero gradient).
    PyTorch: ``x + P[:T]`` with ``P`` an ``nn.Parameter``; ONNX ``Add`` of ``P[:T]``.
    """

    type_name = "PositionEmbedding"
    category = "Attention"
    help = ("Adds a learned vector per position to a sequence, so the layers after it "
            "know where each step is (attention alone does not).")
    schema = Schema((
        Param("max_len", "int", 128, "The longest sequence it takes: one learned vector "
              "per position up to this.", low=1, high=1_000_000, label="Longest sequence"),
    ))

    def describe(self):
        return f"up to {self.config['max_len']} steps"

    def output_shape(self, input_shapes):
        t, d = _sequence(self, input_shapes, "needs")
        if t > self.config["max_len"]:
            raise self.shape_error(f"takes sequences of at most {self.config['max_len']} "
                                   f"steps but receives {t}: raise Longest sequence to at "
                                   f"least {t}")
        return (t, d)

    def param_specs(self, input_shapes):
        m, d = self.config["max_len"], input_shapes[0][-1]
        # Small random vectors (as GPT-2's 0.01-ish normal): glorot over (max_len, D).
        return [ParamSpec("P", (m, d), "glorot_uniform", m, d)]

    def forward(self, inputs, training=False):
        x = inputs[0]
        self._t = x.shape[1]
        return x + self.params["P"][:self._t]

    def backward(self, grad, need_input_grad=True):
        dp = self.grads["P"]
        dp[self._t:] = 0
        np.sum(grad, axis=0, out=dp[:self._t])
        return [grad if need_input_grad else None]


@register
class MultiHeadAttention(Layer):
    """Multi-head scaled dot-product self-attention (PyTorch's ``nn.MultiheadAttention``
    with query = key = value = the input).

    Shape: ``(T, D)`` -> ``(T, D)``; arrays ``(N, T, D)``. ``D`` must divide by
    ``heads``; each head works on ``D / heads`` features.
    Weights, PyTorch's layout: ``W_in`` (3D, D) the query, key and value projections
    stacked (``in_proj_weight``), ``b_in`` (3D,) (``in_proj_bias``), ``W_out`` (D, D)
    (``out_proj.weight``), ``b_out`` (D,) (``out_proj.bias``).
    ``causal``: step t attends to steps 0..t only (PyTorch ``attn_mask`` = the upper
    triangle). The attention weights of the last forward pass, (N, heads, T, T), are
    ``attention_weights()``.
    """

    type_name = "MultiHeadAttention"
    category = "Attention"
    help = ("Each step looks at every step (or, causal, at the earlier ones) and takes a "
            "weighted mix of them; several heads look for different things at once.")
    schema = Schema((
        Param("heads", "int", 4, "How many attention heads; the feature size D must "
              "divide by it (each head sees D / heads features).", low=1, high=1024),
        Param("causal", "bool", False, "Each step sees only itself and earlier steps (for "
              "predicting the next token: no peeking ahead).", label="Causal"),
        Param("use_bias", "bool", True, "Add learned biases to the projections.",
              label="Bias"),
    ))

    def describe(self):
        return f"{self.config['heads']} heads" + (", causal" if self.config["causal"] else "")

    def output_shape(self, input_shapes):
        t, d = _sequence(self, input_shapes, "needs")
        heads = self.config["heads"]
        if d % heads:
            fits = [h for h in range(1, d + 1) if d % h == 0]
            raise self.shape_error(f"splits {d} features into {heads} heads, but {d} does "
                                   f"not divide by {heads}: use heads "
                                   f"{', '.join(map(str, fits[-6:]))}, or change D")
        return (t, d)

    def param_specs(self, input_shapes):
        d = input_shapes[0][-1]
        specs = [ParamSpec("W_in", (3 * d, d), "glorot_uniform", d, 3 * d),
                 ParamSpec("W_out", (d, d), "glorot_uniform", d, d)]
        if self.config["use_bias"]:
            specs += [ParamSpec("b_in", (3 * d,), "zeros", d, 3 * d, decay=False),
                      ParamSpec("b_out", (d,), "zeros", d, d, decay=False)]
        return specs

    def working_numbers(self, input_shapes):
        """The attention weights and, in backward, their gradient: 2 x heads x T x T,
        plus the query, key and value by head (3D per step)."""
        t, d = input_shapes[0]
        return 2 * self.config["heads"] * t * t + 3 * t * d

    def forward(self, inputs, training=False):
        x = inputs[0]
        if x.ndim != 3:
            raise self.shape_error(f"needs a batch of sequences (N, T, D) but receives an "
                                   f"array of shape {fmt_shape(x.shape)}")
        p = self.params
        y, self._cache = kernel.forward(x, p["W_in"], p.get("b_in"), p["W_out"],
                                        p.get("b_out"), self.config["heads"],
                                        self.config["causal"])
        return y

    def backward(self, grad, need_input_grad=True):
        p, g = self.params, self.grads
        dx, dw_in, db_in, dw_out, db_out = kernel.backward(
            grad, self._cache, p["W_in"], p["W_out"], need_input_grad)
        np.copyto(g["W_in"], dw_in)
        np.copyto(g["W_out"], dw_out)
        if "b_in" in g:
            np.copyto(g["b_in"], db_in)
            np.copyto(g["b_out"], db_out)
        return [dx]

    def attention_weights(self, sample: int | None = None) -> np.ndarray | None:
        """A copy of the last forward pass's attention weights: (N, heads, T, T), or
        (heads, T, T) for one ``sample``; rows are queries, columns keys, each row sums
        to 1. None before the first forward pass."""
        cache = getattr(self, "_cache", None)
        if cache is None:
            return None
        attn = cache[4]
        return np.array(attn if sample is None else attn[sample])
