"""A trainable network built from a NetworkSpec.

All trainable weights are views into one flat buffer (and their gradients into a
second), so an optimizer updates everything in a few NumPy calls. Weights that decay
come first in the buffer, so weight decay is one slice. Non-trainable state (running
statistics) lives in a separate dict and is saved with the weights.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import DataError, ProjectError
from .graph import ShapeReport, check_network
from .initializers import initialize
from .layers import Layer, Shape, fmt_shape
from .spec import NetworkSpec


@dataclass(frozen=True)
class Node:
    id: str
    layer: Layer
    inputs: tuple[str, ...]


class Network:
    def __init__(self, spec: NetworkSpec, dtype=np.float32, seed: int = 0):
        self.report: ShapeReport = check_network(spec)
        self.spec = spec
        self.dtype = np.dtype(dtype)
        self.input_id: str = self.report.input_id
        self.output_id: str = self.report.output_id
        self.input_kind = spec.input_kind
        self.nodes = [Node(i, self.report.layers[i].layer, tuple(spec.inputs_of(i)))
                      for i in self.report.order if i != self.input_id]
        self.rng = np.random.default_rng(seed + 1)
        for node in self.nodes:
            node.layer.build(self.report.layers[node.id].input_shapes)
            node.layer.rng = self.rng
        self._allocate(np.random.default_rng(seed))
        self.outputs: dict[str, np.ndarray] = {}

    # ---- weights ----------------------------------------------------------------------
    def _allocate(self, rng: np.random.Generator) -> None:
        entries = [(node, spec) for node in self.nodes
                   for spec in node.layer.param_specs(node.layer.input_shapes)]
        entries.sort(key=lambda e: not e[1].decay)  # stable: decayed weights first
        total = sum(spec.size for _, spec in entries)
        self.flat = np.zeros(total, self.dtype)
        self.grad_flat = np.zeros(total, self.dtype)
        self.decay_size = sum(spec.size for _, spec in entries if spec.decay)
        self.param_index: dict[str, tuple[int, int, Shape]] = {}
        offset = 0
        for node, spec in entries:
            view = self.flat[offset:offset + spec.size].reshape(spec.shape)
            view[...] = initialize(spec, rng, self.dtype)
            node.layer.params[spec.name] = view
            node.layer.grads[spec.name] = self.grad_flat[offset:offset + spec.size].reshape(spec.shape)
            self.param_index[f"{node.id}/{spec.name}"] = (offset, spec.size, spec.shape)
            offset += spec.size
        for node in self.nodes:
            for spec in node.layer.state_specs(node.layer.input_shapes):
                node.layer.state[spec.name] = initialize(spec, rng, self.dtype)

    @property
    def param_count(self) -> int:
        return int(self.flat.size)

    def weights(self) -> dict[str, np.ndarray]:
        """Copies of every trainable weight and state buffer, keyed ``layer_id/name``."""
        out = {}
        for node in self.nodes:
            for name, arr in {**node.layer.params, **node.layer.state}.items():
                out[f"{node.id}/{name}"] = arr.copy()
        return out

    def set_weights(self, arrays: dict[str, np.ndarray]) -> None:
        """Load weights by name; every missing, extra or misshapen array is named."""
        expected = {}
        for node in self.nodes:
            for name, arr in {**node.layer.params, **node.layer.state}.items():
                expected[f"{node.id}/{name}"] = arr
        issues = fit_problems({k: v.shape for k, v in expected.items()}, arrays)
        if issues:
            raise ProjectError("The weights do not fit this design: " + "; ".join(issues))
        for key, target in expected.items():
            target[...] = arrays[key]

    # ---- computation ------------------------------------------------------------------
    @property
    def output_layer(self) -> Layer:
        return self.report.layers[self.output_id].layer

    @property
    def output_activation(self) -> str:
        """The activation the network ends with ('linear' when none)."""
        return getattr(self.output_layer, "final_activation", "linear")

    def prepare_input(self, x) -> np.ndarray:
        """Check a batch against the Input shape and convert it to the network's dtype."""
        x = np.asarray(x)
        want = self.report.layers[self.input_id].output_shape
        if x.shape[1:] != tuple(want):
            raise DataError(f"The data has samples of shape {fmt_shape(x.shape[1:])} but the "
                            f"Input expects {fmt_shape(want)}")
        if self.input_kind == "tokens":
            if not np.issubdtype(x.dtype, np.integer):
                x = x.astype(np.int64)
            return x
        return x if x.dtype == self.dtype else x.astype(self.dtype)

    def forward(self, x: np.ndarray, training: bool = False, strip: str | None = None,
                keep: bool = False) -> np.ndarray:
        """Run the network on a batch. ``strip`` names a final activation to leave out
        (a loss that fuses it, as softmax into cross-entropy); ``keep`` keeps every
        layer's output in ``self.outputs`` for inspection."""
        out_layer = self.output_layer
        if hasattr(out_layer, "skip_activation"):
            out_layer.skip_activation = strip is not None and self.output_activation == strip
        outs = {self.input_id: x}
        for node in self.nodes:
            if len(node.inputs) == 1:
                args = [outs[node.inputs[0]]]
            else:
                args = [outs[i] for i in node.inputs]
            outs[node.id] = node.layer.forward(args, training)
        if keep:
            self.outputs = outs
        return outs[self.output_id]

    def backward(self, grad: np.ndarray, keep: bool = False) -> dict[str, np.ndarray] | None:
        """Backpropagate from the output gradient; fills ``grad_flat``. With ``keep``,
        return every layer's output gradient (by layer id) for inspection; without,
        each is dropped once used. Some layers hand back reused buffers: copy what you
        keep beyond the next backward."""
        grads = self._backprop(grad, keep, to_input=False)
        return grads if keep else None

    def input_gradient(self, grad: np.ndarray) -> np.ndarray:
        """Backpropagate from the output gradient all the way to the data: the gradient
        with respect to the input batch (attributions need it; training skips it, as
        nothing learns from it). Fills ``grad_flat`` as ``backward`` does."""
        if self.input_kind == "tokens":
            raise DataError("Token inputs are whole numbers: there is no gradient "
                            "with respect to them (use the Embedding's output)")
        return self._backprop(grad, keep=False, to_input=True)[self.input_id]

    def _backprop(self, grad: np.ndarray, keep: bool, to_input: bool) -> dict[str, np.ndarray]:
        grads = {self.output_id: grad}
        for node in reversed(self.nodes):
            g = grads.get(node.id) if keep else grads.pop(node.id, None)
            if g is None:
                continue
            need = [to_input or src != self.input_id for src in node.inputs]
            in_grads = node.layer.backward(g, need_input_grad=any(need))
            for src, gi, wanted in zip(node.inputs, in_grads, need):
                if not wanted:
                    continue
                grads[src] = gi if src not in grads else grads[src] + gi
        return grads

    def predict(self, x: np.ndarray, batch_size: int = 256) -> np.ndarray:
        """Inference in batches, final activation included."""
        x = self.prepare_input(x)
        parts = [self.forward(x[i:i + batch_size]) for i in range(0, len(x), batch_size)]
        return np.concatenate(parts) if parts else np.zeros((0,))


def weight_shapes(report: ShapeReport) -> dict[str, Shape] | None:
    """What ``Network.weights()`` will hold for a design, by name, without allocating
    anything; None when the design is invalid (no shapes to know)."""
    if not report.ok:
        return None
    shapes: dict[str, Shape] = {}
    for layer_id, info in report.layers.items():
        if layer_id == report.input_id or info.layer is None:
            continue
        specs = info.layer.param_specs(info.input_shapes) + \
            info.layer.state_specs(info.input_shapes)
        shapes.update({f"{layer_id}/{spec.name}": tuple(spec.shape) for spec in specs})
    return shapes


def fit_problems(expected: dict[str, Shape], arrays: dict[str, np.ndarray]) -> list[str]:
    """Every array missing, unexpected or of another shape than ``expected`` says."""
    missing = sorted(set(expected) - set(arrays))
    extra = sorted(set(arrays) - set(expected))
    wrong = [f"{k} is {fmt_shape(arrays[k].shape)}, expected {fmt_shape(v)}"
             for k, v in expected.items() if k in arrays and tuple(arrays[k].shape) != tuple(v)]
    return [f"missing {m}" for m in missing] + [f"unexpected {e}" for e in extra] + wrong
