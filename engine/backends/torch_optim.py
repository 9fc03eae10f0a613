"""The engine's optimizers and losses on PyTorch, with the engine's semantics.

``torch.optim`` SGD, Adam, AdamW and RMSprop follow the same update rules as
``engine/optimizers.py`` (which was written after PyTorch's); what the engine does
around them is done here the same way: gradient clipping to a global norm (``clip/norm``
when above, before weight decay), weight decay only on the weights the engine decays (not
biases, not normalisation), the learning rate set per batch from ``engine.schedules``
(the engine's cosine moves every batch; no torch scheduler does exactly that), and the
flush of denormal moments every ``FLUSH_EVERY`` steps. The optimizer's state goes in and
out in the engine's layout (``state_dict``), so a checkpoint is the same on both backends.
"""
from __future__ import annotations

import math

import numpy as np
import torch

from ..optimizers import FLUSH_EVERY, TINY
from .torch_module import TorchNetwork

# The engine's state buffers, in its order, by torch.optim's names for them.
_STATE_NAMES = {"sgd": ("momentum_buffer",), "adam": ("exp_avg", "exp_avg_sq"),
                "adamw": ("exp_avg", "exp_avg_sq"), "rmsprop": ("square_avg", "momentum_buffer")}


class TorchOptimizer:
    """A torch.optim optimizer over a TorchNetwork's parameters, stepped as the engine's."""

    def __init__(self, settings: dict, net: TorchNetwork):
        self.net, self.name = net, settings["optimizer"]
        self.clip_norm, self.t = settings["clip_norm"], 0
        self.last_grad_norm = 0.0
        decay_size = net.engine.decay_size
        named = list(net.module.named_parameters())
        decayed = [p for n, p in named if _decays(net.sources[n], decay_size)]
        plain = [p for n, p in named if not _decays(net.sources[n], decay_size)]
        groups = [{"params": decayed, "weight_decay": settings["weight_decay"]},
                  {"params": plain, "weight_decay": 0.0}]
        self.params = [p for n, p in named]
        self.names = {id(p): n for n, p in named}
        self.opt = _torch_optimizer(settings, [g for g in groups if g["params"]])

    def zero_grad(self) -> None:
        self.opt.zero_grad(set_to_none=False)

    def step(self, lr: float) -> None:
        if self.clip_norm > 0:
            self._clip()
        for group in self.opt.param_groups:
            group["lr"] = lr
        self.opt.step()
        self.t += 1
        if self.t % FLUSH_EVERY == 0:
            with torch.no_grad():
                for state in self.opt.state.values():
                    for buf in state.values():
                        if torch.is_tensor(buf) and buf.dim() > 0:
                            buf.masked_fill_(buf.abs() < TINY, 0)

    def _clip(self) -> None:
        grads = [p.grad for p in self.params if p.grad is not None]
        norm = math.sqrt(sum(float((g.double() * g.double()).sum()) for g in grads))
        self.last_grad_norm = norm
        if norm > self.clip_norm:
            for g in grads:
                g.mul_(self.clip_norm / norm)

    # ---- the engine's layout ------------------------------------------------------------
    def state_dict(self) -> dict[str, np.ndarray]:
        """As ``engine.optimizers.Optimizer.state_dict``: buffer i over the flat weights."""
        size = self.net.engine.flat.size
        names = self._names()
        out = {str(i): np.zeros(size, self.net.engine.dtype) for i in range(len(names))}
        for p in self.params:
            state = self.opt.state.get(p, {})
            src = self.net.sources[self.names[id(p)]]
            mask = src > 0
            for i, key in enumerate(names):
                buf = state.get(key)
                if buf is not None:
                    out[str(i)][src[mask] - 1] = buf.detach().cpu().double().numpy()[mask]
        return out | {"t": np.array(self.t)}

    def load_state_dict(self, state: dict[str, np.ndarray]) -> None:
        self.t = int(state["t"])
        if self.t == 0:
            return
        names = self._names()
        for p in self.params:
            src = self.net.sources[self.names[id(p)]]
            mask = src > 0
            entry: dict = {}
            for i, key in enumerate(names):
                arr = np.zeros(src.shape, np.float64)
                arr[mask] = np.asarray(state[str(i)], np.float64)[src[mask] - 1]
                entry[key] = torch.from_numpy(arr).to(p.device, p.dtype)
            if self.name != "sgd":
                entry["step"] = torch.tensor(float(self.t))
            self.opt.state[p] = entry

    def _names(self) -> tuple[str, ...]:
        """The state buffers the engine keeps for these settings."""
        group = self.opt.param_groups[0]
        if self.name == "sgd":
            return _STATE_NAMES["sgd"] if group["momentum"] else ()
        if self.name == "rmsprop" and not group["momentum"]:
            return ("square_avg",)
        return _STATE_NAMES[self.name]


def _decays(src: np.ndarray, decay_size: int) -> bool:
    """Whether a PyTorch parameter is made of weights the engine decays (the first
    ``decay_size`` of its flat buffer); a parameter is all one or all the other."""
    owned = src[src > 0] - 1
    return bool(owned.size) and bool(owned.max() < decay_size)


def _torch_optimizer(settings: dict, groups: list) -> torch.optim.Optimizer:
    name, lr = settings["optimizer"], settings["learning_rate"]
    if name == "sgd":
        return torch.optim.SGD(groups, lr=lr, momentum=settings["momentum"],
                               nesterov=settings["nesterov"])
    if name in ("adam", "adamw"):
        cls = torch.optim.Adam if name == "adam" else torch.optim.AdamW
        return cls(groups, lr=lr, betas=(settings["beta1"], settings["beta2"]), eps=1e-8)
    return torch.optim.RMSprop(groups, lr=lr, alpha=0.99, eps=1e-8)


def torch_loss(name: str, out, target):
    """The engine's losses (``engine/losses.py``): each a mean over every value (for
    cross-entropy over every labelled row, one per sample or per time step)."""
    F = torch.nn.functional
    if name != "cross_entropy":
        target = target.to(out.dtype)  # 0/1 labels, or a regression loss on classes
    if name == "mse":
        return F.mse_loss(out, target)
    if name == "mae":
        return F.l1_loss(out, target)
    if name == "cross_entropy":
        return F.cross_entropy(out.reshape(-1, out.shape[-1]), target.reshape(-1))
    if name == "binary_cross_entropy":
        return F.binary_cross_entropy_with_logits(out, target.reshape(out.shape))
    raise ValueError(f"no PyTorch form of the loss {name!r}")
