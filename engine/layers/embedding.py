"""Embedding: integer token ids -> learned vectors (the usual first layer of a text model)."""
from __future__ import annotations

import numpy as np

from ..errors import DataError
from ..initializers import WEIGHT_INITIALIZERS
from ..params import Param, Schema
from .base import Layer, ParamSpec, fmt_shape
from .registry import register

# Below this vocabulary size the weight gradient is one GEMM with a one-hot matrix
# (measured ~4x faster than np.add.at at vocab 100); above it np.add.at wins.
ONE_HOT_MAX_VOCAB = 256


@register
class Embedding(Layer):
    """Looks up row ``W[token]`` for every token id.

    Shape: input ``(T,)`` integer ids in ``[0, vocab_size)`` -> ``(T, dim)``; arrays are
    batch-first ``(N, T)`` -> ``(N, T, dim)``. Weights: ``W`` (vocab_size, dim), the
    layout of PyTorch's ``nn.Embedding.weight`` and of ONNX ``Gather(W, ids)``.
    In the palette's "Recurrent" group, next to the layers that read its output.
    """

    type_name = "Embedding"
    category = "Recurrent"
    help = "Turns token ids (words, characters) into learned vectors."
    schema = Schema((
        Param("vocab_size", "int", 100, "Number of distinct tokens; ids run from 0 to "
              "vocab_size - 1.", low=1, high=10_000_000, label="Vocabulary size"),
        Param("dim", "int", 32, "Length of each token's vector.", low=1, high=100_000,
              label="Dimension"),
        Param("initializer", "choice", "glorot_uniform", "How the vectors start.",
              choices=WEIGHT_INITIALIZERS),
    ))

    def describe(self):
        return f"{self.config['vocab_size']} tokens -> {self.config['dim']}"

    def output_shape(self, input_shapes):
        shape = self.single_input(input_shapes)
        if len(shape) != 1:
            raise self.shape_error(f"needs token ids (T,) but receives {fmt_shape(shape)}: "
                                   f"use an Input of kind tokens, with one id per step")
        return (shape[0], self.config["dim"])

    def param_specs(self, input_shapes):
        v, d = self.config["vocab_size"], self.config["dim"]
        return [ParamSpec("W", (v, d), self.config["initializer"], v, d)]

    def forward(self, inputs, training=False):
        ids = self._check_ids(np.asarray(inputs[0]))
        self._ids = ids
        return np.take(self.params["W"], ids, axis=0)

    def _check_ids(self, ids: np.ndarray) -> np.ndarray:
        if not np.issubdtype(ids.dtype, np.integer):
            if not (np.issubdtype(ids.dtype, np.floating) and np.all(ids == np.round(ids))):
                raise DataError(f"{self.label} needs whole-number token ids but receives "
                                f"{ids.dtype} values: use an Input of kind tokens")
            ids = ids.astype(np.int64)
        if ids.size:
            low, high, vocab = int(ids.min()), int(ids.max()), self.config["vocab_size"]
            if low < 0 or high >= vocab:
                bad = low if low < 0 else high
                raise DataError(f"{self.label} has a vocabulary of {vocab} (ids 0 to "
                                f"{vocab - 1}) but the data holds token id {bad}: raise "
                                f"vocab_size to at least {high + 1}, or re-encode the text")
        return ids

    def backward(self, grad, need_input_grad=True):
        ids = self._ids.reshape(-1)
        g = grad.reshape(ids.size, -1)
        dw = self.grads["W"]
        vocab = dw.shape[0]
        if vocab <= ONE_HOT_MAX_VOCAB:
            one_hot = np.equal.outer(np.arange(vocab), ids).astype(dw.dtype)
            np.matmul(one_hot, g, out=dw)
        else:
            dw.fill(0)
            np.add.at(dw, ids, g)
        return [None]  # token ids have no gradient
