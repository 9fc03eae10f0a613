"""Edit-time preview: every layer's output for one sample, with fresh weights, before
any training (as PerceptiLabs shows under each component).

A valid design is built as training would build it (``Network(spec, seed)``: the same
initial weights the run will start from) and run once. A design with problems is
still previewed as far as it goes: each layer that has a shape gets weights of its own
and runs on its inputs, and every other layer carries the reason it cannot, so the
canvas can show outputs on the good part and messages on the rest. Nothing raises.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import NeuroCanvasError
from ..graph import ShapeReport, infer_shapes
from ..network import Network
from ..spec import NetworkSpec
from .stats import readonly


@dataclass(frozen=True)
class LayerPreview:
    """One layer's output for the sample (batch axis dropped) or why there is none.
    ``error`` is a message for people; a layer can have both (a graph problem such as
    a second output does not stop it computing). ``summary``: min, max, mean, std."""

    id: str
    name: str
    type: str
    output: np.ndarray | None
    error: str | None = None
    summary: dict | None = None

    @property
    def shape(self) -> tuple[int, ...] | None:
        return None if self.output is None else tuple(self.output.shape)


@dataclass(frozen=True)
class Preview:
    layers: dict[str, LayerPreview]  # in the design's layer order
    problems: tuple[str, ...]  # every problem of the design, as messages

    @property
    def ok(self) -> bool:
        return not self.problems and all(p.error is None for p in self.layers.values())


def preview_design(spec: NetworkSpec, sample: np.ndarray, seed: int = 0,
                   dtype=np.float32) -> Preview:
    """Each layer's output for one ``sample`` (shaped like the Input, no batch axis)."""
    report = infer_shapes(spec)
    problems = tuple(str(p) for p in report.problems)
    outputs: dict[str, np.ndarray] = {}
    errors: dict[str, str] = {}
    x, input_error = _input_batch(spec, report, sample, dtype)
    if input_error:
        errors[report.input_id] = input_error
    elif x is not None:
        failure = _run_network(spec, seed, dtype, x, outputs) if report.ok else "skipped"
        if failure:  # layer by layer, so each failure lands on its layer
            _run_layers(report, spec, seed, dtype, x, outputs, errors)
            if report.ok and not errors:
                errors[report.input_id] = failure
    layers = {}
    for l in spec.layers:
        msg = errors.get(l.id) or _why_not(l.id, report, spec, outputs, errors)
        out = outputs.get(l.id)
        layers[l.id] = LayerPreview(l.id, l.name, l.type, None if out is None else readonly(out),
                                    msg, None if out is None else _summary(out))
    return Preview(layers, problems)


def _input_batch(spec, report: ShapeReport, sample, dtype):
    """(the sample as a batch of one, or None; a message when it does not fit)."""
    if report.input_id is None:
        return None, None
    want = report.layers[report.input_id].output_shape
    sample = np.asarray(sample)
    if want is None:
        return None, None
    if tuple(sample.shape) != tuple(want):
        return None, (f"The data's samples have shape {tuple(sample.shape)} but the Input "
                      f"expects {tuple(want)}: change the Input shape or the data")
    if spec.input_kind == "tokens":
        return sample.astype(np.int64)[None], None
    return sample.astype(dtype)[None], None


def _run_network(spec, seed, dtype, x, outputs) -> str | None:
    """A valid design: the network training will build, run once. Returns a message
    when that fails (the caller then goes layer by layer to place the failure)."""
    try:
        network = Network(spec, dtype=dtype, seed=seed)
        network.forward(x, training=False, keep=True)
    except Exception as exc:  # noqa: BLE001 - a preview must never take the editor down
        return str(exc) if isinstance(exc, NeuroCanvasError) else \
            f"The preview failed: {type(exc).__name__}: {exc}"
    outputs.update({k: v[0] for k, v in network.outputs.items()})
    return None


def _run_layers(report: ShapeReport, spec, seed, dtype, x, outputs, errors) -> None:
    """A design with problems: run, in order, every layer whose inputs are computed."""
    batch = {report.input_id: x}
    for i, layer_id in enumerate(report.order):
        info = report.layers[layer_id]
        sources = spec.inputs_of(layer_id)
        if layer_id == report.input_id or info.layer is None or info.output_shape is None \
                or not sources or any(s not in batch for s in sources):
            continue
        try:
            info.layer.allocate(info.input_shapes, dtype=dtype, seed=seed + i)
            batch[layer_id] = info.layer.forward([batch[s] for s in sources], training=False)
        except Exception as exc:  # noqa: BLE001 - one broken layer must not stop the rest
            errors[layer_id] = str(exc) if isinstance(exc, NeuroCanvasError) else \
                f"The preview failed: {type(exc).__name__}: {exc}"
    outputs.update({k: v[0] for k, v in batch.items()})


def _why_not(layer_id, report: ShapeReport, spec, outputs, errors) -> str | None:
    """The design's problems for this layer, or why it has no output."""
    own = report.problems_for(layer_id)
    if own:
        return "; ".join(str(p) for p in own)
    info = report.layers.get(layer_id)
    if info is not None and info.error is not None:
        return str(info.error)
    if layer_id in outputs:
        return None
    names = {l.id: l.name for l in spec.layers}
    blocked = [s for s in spec.inputs_of(layer_id) if s not in outputs]
    if blocked:
        return f"Waits for '{names[blocked[0]]}', which has no output yet"
    return "No output: this layer is not connected to the Input" if layer_id != \
        report.input_id else None


def _summary(a: np.ndarray) -> dict:
    if a.dtype.kind not in "fc" or not a.size:
        return {"min": float(a.min()) if a.size else 0.0,
                "max": float(a.max()) if a.size else 0.0}
    finite = a[np.isfinite(a)]
    if not finite.size:
        return {"min": float("nan"), "max": float("nan"), "mean": float("nan"),
                "std": float("nan")}
    return {"min": float(finite.min()), "max": float(finite.max()),
            "mean": float(finite.mean()), "std": float(finite.std())}
