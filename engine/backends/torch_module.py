"""Live PyTorch modules from the export's own translation, so a design means one thing.

The PyTorch export (``engine/io/torch_codegen.py`` with one emitter per layer type in
``torch_layers.py``) writes an ``nn.Module``'s source and its weights in PyTorch's
layout. The training backend runs that same source (compiled in a namespace of its own;
user text appears in it only as repr()'d constants, as the export's tests check) and
takes the weights from the same emitters, so there is one mapping, not two.

Weights go back the same way: the emitters are run once more on a float64 copy of the
network whose every weight holds its own position in the engine's buffers (plus one).
Each PyTorch element then says which engine element it is (0: a constant the engine
does not have, such as the recurrent ``bias_hh`` of an LSTM, kept at zero: its gradient
is masked). That index map copies weights, gradients' owners and optimizer moments in
both directions, exactly.
"""
from __future__ import annotations

import numpy as np
import torch
from torch import nn

from ..errors import TrainingError
from ..inference import TrainedModel
from ..io.common import layer_names, logits_activation
from ..io.torch_codegen import Program, build_program, identifiers, render_source
from ..network import Network
from ..project import Project


class _Keep(Program):
    """The emitters' arrays as they are (the export casts them to float32 for its file)."""

    def state(self, attr: str, **arrays) -> None:
        for name, arr in arrays.items():
            if arr is not None:
                self.tensors[f"{attr}.{name}"] = np.array(arr, copy=True)


class BatchWindow:
    """Which rows of the global batch this process computes (data-parallel runs split
    each batch; dropout masks are drawn for the whole batch so every split agrees)."""

    def __init__(self):
        self.total: int | None = None
        self.start = 0

    def rows(self, n: int) -> tuple[int, int]:
        total = self.total if self.total is not None else n
        return total, self.start


class EngineDropout(nn.Module):
    """Dropout with the engine's masks: drawn from the run's NumPy generator, in the
    engine's order, so both backends take the same masks and a checkpoint's
    ``dropout_state`` means the same thing on either."""

    def __init__(self, rate: float, rng: np.random.Generator, window: BatchWindow):
        super().__init__()
        self.rate, self.rng, self.window = rate, rng, window

    def forward(self, x):
        if not self.training or self.rate == 0.0:
            return x
        total, start = self.window.rows(len(x))
        keep = self.rng.random((total,) + tuple(x.shape[1:]), dtype=np.float32) >= self.rate
        mask = torch.from_numpy(keep[start:start + len(x)]).to(x.device, x.dtype)
        return x * (mask * (1.0 / (1.0 - self.rate)))


class TorchNetwork:
    """A design's ``nn.Module`` (from the export's source) tied to the engine Network it
    was translated from: weights copy in from it and back out to it exactly."""

    def __init__(self, network: Network, loss: str, task: str, device, dtype):
        self.engine, self.device, self.torch_dtype = network, device, dtype
        self.dtype = network.dtype  # the NumPy side's (targets are prepared in it)
        self.report, self.rng, self.window = network.report, network.rng, BatchWindow()
        model = TrainedModel(Project(network.spec, name="Model"), network, None, loss,
                             {"task": task})
        program, class_name = build_program(model, _Keep())
        self.logits = logits_activation(model)[0] is not None  # forward(x, logits=True)
        namespace: dict = {"__name__": "neurocanvas_torch_backend"}
        exec(compile(render_source(model, program, class_name),  # noqa: S102 (see docstring)
                     "<neurocanvas: generated model.py>", "exec"), namespace)
        self.module: nn.Module = namespace[class_name]()
        self._own_dropout(network)
        self.module.to(device=device, dtype=dtype)
        self.runner: nn.Module = self.module  # or the module wrapped for DDP
        self.sources = _index_map(network, loss, task)
        self.masks = self._gradient_masks()
        self.load(program.tensors)

    def _own_dropout(self, network: Network) -> None:
        attrs = identifiers(layer_names(network))
        for node in network.nodes:
            if node.layer.type_name == "Dropout":
                rate = float(node.layer.config["rate"])
                setattr(self.module, attrs[node.id], EngineDropout(rate, self.rng, self.window))

    def _gradient_masks(self) -> dict[str, torch.Tensor]:
        """Parameters with elements the engine does not have: their gradient is zeroed
        so they stay the constants they started as."""
        masks = {}
        for name, param in self.module.named_parameters():
            src = self.sources[name]
            if (src == 0).any():
                mask = torch.from_numpy(src > 0).to(self.device, self.torch_dtype)
                masks[name] = mask
                param.register_hook(lambda g, m=mask: g * m)
        return masks

    def __call__(self, x):
        return self.runner(x, logits=True) if self.logits else self.runner(x)

    # ---- weights in and out, in the engine's layout -------------------------------------
    def load(self, tensors: dict[str, np.ndarray]) -> None:
        state = {}
        for key, arr in tensors.items():
            t = torch.from_numpy(np.ascontiguousarray(arr))
            state[key] = t.to(self.device, self.torch_dtype if t.is_floating_point() else t.dtype)
        self.module.load_state_dict(state)

    def engine_values(self) -> np.ndarray:
        """Every engine element (flat weights, then running statistics) from the module."""
        values = np.zeros(_engine_size(self.engine), np.float64)
        for key, tensor in self.module.state_dict().items():
            src = self.sources.get(key)
            if src is None or not tensor.is_floating_point():
                continue
            mask = src > 0
            values[src[mask] - 1] = tensor.detach().cpu().double().numpy()[mask]
        return values

    def to_engine(self) -> Network:
        """Copy the module's weights into the engine Network (its layout, its dtype)."""
        _scatter(self.engine, self.engine_values())
        return self.engine

    def weights(self) -> dict[str, np.ndarray]:
        return self.to_engine().weights()

    def set_weights(self, arrays: dict[str, np.ndarray]) -> None:
        self.engine.set_weights(arrays)
        self.from_engine()

    def from_engine(self) -> None:
        values = _gather(self.engine)
        state = {}
        for key, tensor in self.module.state_dict().items():
            src = self.sources.get(key)
            if src is None or not tensor.is_floating_point():
                continue
            arr = tensor.detach().cpu().double().numpy().copy()
            mask = src > 0
            arr[mask] = values[src[mask] - 1]
            state[key] = arr
        with torch.no_grad():
            own = self.module.state_dict()
            for key, arr in state.items():
                own[key].copy_(torch.from_numpy(arr))

    def prepare_input(self, x) -> np.ndarray:
        return self.engine.prepare_input(x)


# ---- the index map ----------------------------------------------------------------------
def _engine_size(network: Network) -> int:
    states = sum(a.size for node in network.nodes for a in node.layer.state.values())
    return network.flat.size + states


def _gather(network: Network) -> np.ndarray:
    parts = [network.flat.astype(np.float64)]
    parts += [a.astype(np.float64).ravel() for node in network.nodes
              for a in node.layer.state.values()]
    return np.concatenate(parts)


def _scatter(network: Network, values: np.ndarray) -> None:
    n = network.flat.size
    network.flat[...] = values[:n]
    offset = n
    for node in network.nodes:
        for arr in node.layer.state.values():
            arr[...] = values[offset:offset + arr.size].reshape(arr.shape)
            offset += arr.size


def _index_map(network: Network, loss: str, task: str) -> dict[str, np.ndarray]:
    """PyTorch state key -> int64 array of its shape: engine element + 1, or 0."""
    probe = Network(network.spec, dtype=np.float64)
    _scatter(probe, np.arange(1, _engine_size(probe) + 1, dtype=np.float64))
    model = TrainedModel(Project(network.spec, name="Model"), probe, None, loss,
                         {"task": task})
    program, _ = build_program(model, _Keep())
    sources = {}
    for key, arr in program.tensors.items():
        if arr.dtype.kind != "f":
            continue  # counters (BatchNorm's num_batches_tracked): not the engine's
        sources[key] = np.rint(arr).astype(np.int64)
    _check_one_to_one(sources, _engine_size(probe))
    return sources


def _check_one_to_one(sources: dict[str, np.ndarray], size: int) -> None:
    """Every engine element must land in exactly one PyTorch element, or weights could
    not come back: an emitter that computes its weights (not a rearrangement) fails here."""
    found = np.concatenate([s[s > 0] for s in sources.values()] or [np.zeros(0, np.int64)])
    counts = np.bincount(found, minlength=size + 1)[1:]
    if len(counts) != size or not np.all(counts == 1):
        raise TrainingError("The PyTorch translation of this design does not map each "
                            "engine weight to one PyTorch weight; train it with the NumPy "
                            "backend (and report this as a bug)")
