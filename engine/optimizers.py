"""Optimizers over one flat parameter buffer.

The base class does the bookkeeping (gradient clipping, weight decay, step count,
flushing denormals); subclasses only do the update math (as tinygrad's nn/optim.py).
Every update is a handful of NumPy calls on the whole buffer, whatever the number of
layers. Update rules follow PyTorch's, so results can be compared one to one.
"""
from __future__ import annotations

import numpy as np

from .errors import ConfigError

FLUSH_EVERY = 200  # steps between flushes of state decaying towards denormal floats
TINY = 1e-30


class Optimizer:
    name = ""
    decoupled_decay = False  # AdamW: decay the weights directly, not through the gradient

    def __init__(self, lr: float = 1e-3, weight_decay: float = 0.0, clip_norm: float = 0.0):
        if lr <= 0:
            raise ConfigError(f"learning rate must be positive, not {lr}")
        self.lr = lr
        self.weight_decay = weight_decay
        self.clip_norm = clip_norm
        self.t = 0
        self.last_grad_norm = 0.0

    def bind(self, params: np.ndarray, grads: np.ndarray, decay_size: int | None = None):
        """Attach to a flat parameter buffer and its gradient buffer (same shape)."""
        self.params, self.grads = params, grads
        self.decay_size = params.size if decay_size is None else decay_size
        self.tmp = np.empty_like(params)
        self._init_state()
        return self

    def _init_state(self) -> None:
        pass

    def _state(self) -> list[np.ndarray]:
        return []

    def step(self, lr: float | None = None) -> None:
        lr = self.lr if lr is None else lr
        g, p = self.grads, self.params
        if self.clip_norm > 0:
            self._clip(g)
        if self.weight_decay and self.decay_size:
            d = self.decay_size
            if self.decoupled_decay:
                p[:d] *= 1.0 - lr * self.weight_decay
            else:
                g[:d] += self.weight_decay * p[:d]
        self.t += 1
        self._update(lr)
        if self.t % FLUSH_EVERY == 0:
            for buf in self._state():
                np.copyto(buf, 0, where=np.abs(buf) < TINY)

    def _clip(self, g: np.ndarray) -> None:
        norm = float(np.sqrt(np.vdot(g, g)))
        self.last_grad_norm = norm
        if norm > self.clip_norm:
            g *= self.clip_norm / norm

    def _update(self, lr: float) -> None:
        raise NotImplementedError

    # ---- saving state (so a run can go on where it stopped) ----
    def state_dict(self) -> dict[str, np.ndarray]:
        return {f"{i}": buf.copy() for i, buf in enumerate(self._state())} | {"t": np.array(self.t)}

    def load_state_dict(self, state: dict[str, np.ndarray]) -> None:
        for i, buf in enumerate(self._state()):
            buf[...] = state[f"{i}"]
        self.t = int(state["t"])


class SGD(Optimizer):
    """``v = μ v + g; p -= lr (g + μ v if Nesterov else v)`` (PyTorch's form)."""

    name = "sgd"

    def __init__(self, lr=0.01, momentum=0.0, nesterov=False, **kw):
        super().__init__(lr, **kw)
        if nesterov and momentum <= 0:
            raise ConfigError("Nesterov momentum needs a momentum above 0")
        self.momentum, self.nesterov = momentum, nesterov

    def _init_state(self):
        self.v = np.zeros_like(self.params) if self.momentum else None

    def _state(self):
        return [self.v] if self.v is not None else []

    def _update(self, lr):
        g, p = self.grads, self.params
        if self.v is None:
            p -= np.multiply(g, lr, out=self.tmp)
            return
        self.v *= self.momentum
        self.v += g
        if self.nesterov:
            np.multiply(self.v, self.momentum, out=self.tmp)
            self.tmp += g
            self.tmp *= lr
        else:
            np.multiply(self.v, lr, out=self.tmp)
        p -= self.tmp


class Adam(Optimizer):
    """Adam with bias correction, as PyTorch: ``p -= lr/(1-β1^t) · m / (√v/√(1-β2^t) + ε)``."""

    name = "adam"

    def __init__(self, lr=1e-3, beta1=0.9, beta2=0.999, epsilon=1e-8, **kw):
        super().__init__(lr, **kw)
        self.beta1, self.beta2, self.eps = beta1, beta2, epsilon

    def _init_state(self):
        self.m = np.zeros_like(self.params)
        self.v = np.zeros_like(self.params)
        self.tmp2 = np.empty_like(self.params)

    def _state(self):
        return [self.m, self.v]

    def _update(self, lr):
        g, tmp, tmp2 = self.grads, self.tmp, self.tmp2
        b1, b2 = self.beta1, self.beta2
        np.subtract(g, self.m, out=tmp)  # m += (1-β1)(g - m)  ==  β1 m + (1-β1) g
        tmp *= 1 - b1
        self.m += tmp
        np.multiply(g, g, out=tmp)
        tmp *= 1 - b2
        self.v *= b2
        self.v += tmp
        np.sqrt(self.v, out=tmp)
        tmp *= 1.0 / np.sqrt(1 - b2 ** self.t)
        tmp += self.eps
        np.divide(self.m, tmp, out=tmp2)
        tmp2 *= lr / (1 - b1 ** self.t)
        self.params -= tmp2


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter): ``p *= 1 - lr·λ`` first."""

    name = "adamw"
    decoupled_decay = True


class RMSprop(Optimizer):
    """``v = ρ v + (1-ρ) g²; p -= lr g / (√v + ε)`` with optional momentum (PyTorch's form)."""

    name = "rmsprop"

    def __init__(self, lr=1e-3, rho=0.99, epsilon=1e-8, momentum=0.0, **kw):
        super().__init__(lr, **kw)
        self.rho, self.eps, self.momentum = rho, epsilon, momentum

    def _init_state(self):
        self.v = np.zeros_like(self.params)
        self.buf = np.zeros_like(self.params) if self.momentum else None

    def _state(self):
        return [self.v] + ([self.buf] if self.buf is not None else [])

    def _update(self, lr):
        g, tmp = self.grads, self.tmp
        np.multiply(g, g, out=tmp)
        tmp *= 1 - self.rho
        self.v *= self.rho
        self.v += tmp
        np.sqrt(self.v, out=tmp)
        tmp += self.eps
        np.divide(g, tmp, out=tmp)
        if self.buf is not None:
            self.buf *= self.momentum
            self.buf += tmp
            np.multiply(self.buf, lr, out=tmp)
        else:
            tmp *= lr
        self.params -= tmp


OPTIMIZERS = {cls.name: cls for cls in (SGD, Adam, AdamW, RMSprop)}
