"""Normalisation layers: BatchNorm, LayerNorm."""
from __future__ import annotations

import numpy as np

from ..params import Param, Schema
from .base import Layer, ParamSpec, fmt_shape
from .registry import register


@register
class BatchNorm(Layer):
    """Batch normalisation (Ioffe and Szegedy, 2015), as PyTorch's BatchNorm1d/2d.

    ``y = gamma * (x - mean) / sqrt(var + epsilon) + beta``, per feature: the last axis
    of vectors ``(D,)`` and sequences ``(T, D)``, the channel axis of images
    ``(C, H, W)``. While training, mean and var are the batch's (biased variance, over
    every axis but the feature axis) and the gradient flows through them; at inference
    the running statistics stand in.

    Running statistics follow PyTorch's convention:
    ``running = (1 - momentum) * running + momentum * batch_statistic``, where the
    variance folded in is the unbiased batch variance (``* m / (m - 1)`` for ``m``
    values per feature; with ``m = 1`` the biased one, rather than dividing by zero).
    They are saved with the weights but never trained.

    Shape: unchanged. Weights: ``gamma (D,)``, ``beta (D,)``; state: ``running_mean
    (D,)``, ``running_var (D,)``, with ``D`` the features (channels for an image).
    """

    type_name = "BatchNorm"
    category = "Normalisation and regularisation"
    help = ("Normalises each feature (each channel of an image) over the batch, then "
            "scales and shifts it by learned amounts; steadies and speeds up training.")
    schema = Schema((
        Param("momentum", "float", 0.1, "Weight of each new batch in the running statistics "
              "(PyTorch convention).", low=0.0, high=1.0),
        Param("epsilon", "float", 1e-5, "Added to the variance to avoid dividing by zero.",
              low=1e-12, high=1.0),
    ))

    def describe(self):
        return f"momentum {self.config['momentum']:g}"

    def output_shape(self, input_shapes):
        shape = self.single_input(input_shapes)
        if len(shape) > 3:
            raise self.shape_error(f"normalises vectors (D,), sequences (T, D) or images "
                                   f"(C, H, W), not {fmt_shape(shape)}")
        return shape

    @staticmethod
    def _features(shape) -> int:
        return shape[0] if len(shape) == 3 else shape[-1]

    def param_specs(self, input_shapes):
        d = self._features(input_shapes[0])
        return [ParamSpec("gamma", (d,), "ones", d, d, decay=False),
                ParamSpec("beta", (d,), "zeros", d, d, decay=False)]

    def state_specs(self, input_shapes):
        d = self._features(input_shapes[0])
        return [ParamSpec("running_mean", (d,), "zeros", d, d, decay=False),
                ParamSpec("running_var", (d,), "ones", d, d, decay=False)]

    @staticmethod
    def _layout(x):
        """(axes reduced over, broadcast shape of a per-feature vector)."""
        if x.ndim == 4:
            return (0, 2, 3), (1, -1, 1, 1)
        return tuple(range(x.ndim - 1)), (1,) * (x.ndim - 1) + (-1,)

    def forward(self, inputs, training=False):
        x = inputs[0]
        axes, bshape = self._layout(x)
        gamma, beta = self.params["gamma"].reshape(bshape), self.params["beta"].reshape(bshape)
        if training:
            mean = x.mean(axis=axes, keepdims=True)
            centred = x - mean
            var = np.mean(np.square(centred), axis=axes, keepdims=True)
            inv_std = 1.0 / np.sqrt(var + self.config["epsilon"])
            self._update_running(mean.reshape(-1), var.reshape(-1), x.size // mean.size)
        else:
            mean = self.state["running_mean"].reshape(bshape)
            centred = x - mean
            inv_std = 1.0 / np.sqrt(self.state["running_var"].reshape(bshape)
                                    + self.config["epsilon"])
        xhat = centred * inv_std
        self._cache = (xhat, inv_std, axes, bshape, training)
        return xhat * gamma + beta

    def _update_running(self, mean, var, m):
        momentum = self.config["momentum"]
        unbiased = var * (m / (m - 1)) if m > 1 else var
        for name, batch in (("running_mean", mean), ("running_var", unbiased)):
            running = self.state[name]  # updated in place: the network holds this array
            running *= 1.0 - momentum
            running += momentum * batch

    def backward(self, grad, need_input_grad=True):
        xhat, inv_std, axes, bshape, training = self._cache
        np.sum(grad * xhat, axis=axes, out=self.grads["gamma"])
        np.sum(grad, axis=axes, out=self.grads["beta"])
        if not need_input_grad:
            return [None]
        dxhat = grad * self.params["gamma"].reshape(bshape)
        if not training:  # the statistics are constants at inference
            return [dxhat * inv_std]
        # Through the batch mean and variance (the standard simplified form).
        mean_d = dxhat.mean(axis=axes, keepdims=True)
        mean_dx = (dxhat * xhat).mean(axis=axes, keepdims=True)
        return [(dxhat - mean_d - xhat * mean_dx) * inv_std]


@register
class LayerNorm(Layer):
    """Layer normalisation (Ba, Kiros and Hinton, 2016), as PyTorch's ``nn.LayerNorm(D)``.

    ``y = gamma * (x - mean) / sqrt(var + epsilon) + beta``, where mean and (biased)
    variance are taken over the last axis of each sample on its own: the features of a
    vector ``(D,)``, each time step's features of a sequence ``(T, D)``. Unlike
    BatchNorm it never looks at the rest of the batch, so training and inference compute
    the same thing and there are no running statistics.

    Shape: unchanged. Weights: ``gamma (D,)``, ``beta (D,)``.
    """

    type_name = "LayerNorm"
    category = "Normalisation and regularisation"
    help = ("Normalises each sample's features (each time step's, for a sequence) to mean 0 "
            "and variance 1, then scales and shifts them by learned amounts; the same in "
            "training and use. Common in transformers and recurrent networks.")
    schema = Schema((
        Param("epsilon", "float", 1e-5, "Added to the variance to avoid dividing by zero.",
              low=1e-12, high=1.0),
    ))

    def describe(self):
        return f"epsilon {self.config['epsilon']:g}"

    def output_shape(self, input_shapes):
        shape = self.single_input(input_shapes)
        if len(shape) > 2:
            raise self.shape_error(f"normalises vectors (D,) or sequences (T, D), not "
                                   f"{fmt_shape(shape)}: for images use BatchNorm, or a "
                                   f"Flatten before it")
        return shape

    def param_specs(self, input_shapes):
        d = input_shapes[0][-1]
        return [ParamSpec("gamma", (d,), "ones", d, d, decay=False),
                ParamSpec("beta", (d,), "zeros", d, d, decay=False)]

    def forward(self, inputs, training=False):
        x = inputs[0]
        centred = x - x.mean(axis=-1, keepdims=True)
        var = np.mean(np.square(centred), axis=-1, keepdims=True)
        inv_std = 1.0 / np.sqrt(var + self.config["epsilon"])
        xhat = centred * inv_std
        self._cache = (xhat, inv_std)
        return xhat * self.params["gamma"] + self.params["beta"]

    def backward(self, grad, need_input_grad=True):
        xhat, inv_std = self._cache
        axes = tuple(range(grad.ndim - 1))
        np.sum(grad * xhat, axis=axes, out=self.grads["gamma"])
        np.sum(grad, axis=axes, out=self.grads["beta"])
        if not need_input_grad:
            return [None]
        dxhat = grad * self.params["gamma"]
        mean_d = dxhat.mean(axis=-1, keepdims=True)
        mean_dx = (dxhat * xhat).mean(axis=-1, keepdims=True)
        return [(dxhat - mean_d - xhat * mean_dx) * inv_std]
