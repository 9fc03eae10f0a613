"""What every exporter shares: the export error, optional packages, layer names, the
output activation added after the network."""
from __future__ import annotations

import importlib

from ..errors import NeuroCanvasError
from ..inference import TrainedModel
from ..network import Network


class ExportError(NeuroCanvasError):
    """A model cannot be exported as asked (an unsupported layer, a missing package...)."""


def require(module: str, package: str, purpose: str):
    """Import an optional package, or say in one line how to install it."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise ExportError(f"{purpose} needs the {package} package: pip install {package}") from None


def layer_names(network: Network) -> dict[str, str]:
    """Layer id -> name for every layer with weights or code, checked to be unique.

    Exported tensors and generated code are named after layers, so two layers with one
    name cannot be told apart; the designer never allows it, a hand-edited file might.
    """
    names: dict[str, str] = {}
    seen: dict[str, str] = {}
    for node in network.nodes:
        name = node.layer.name
        if name in seen:
            raise ExportError(f"Two layers are called '{name}' ({seen[name]} and "
                              f"{node.layer.type_name}): exported weights are named after "
                              f"layers, so rename one of them first")
        if not name.strip():
            raise ExportError(f"A {node.layer.type_name} layer has an empty name: name it first")
        seen[name] = node.layer.type_name
        names[node.id] = name
    return names


def weight_key(layer_name: str, param: str) -> str:
    """The exported name of one weight: ``<layer name>.<param>``, e.g. ``hidden1.W``."""
    return f"{layer_name}.{param}"


def added_activation(model: TrainedModel) -> str | None:
    """The activation ``TrainedModel.predict`` applies after the network: softmax or
    sigmoid when a classifier's loss computed from logits and the network itself does
    not end in one; otherwise None."""
    if model.task != "classification":
        return None
    if model.network.output_activation in ("softmax", "sigmoid"):
        return None
    return "sigmoid" if model.loss == "binary_cross_entropy" else "softmax"


def logits_activation(model: TrainedModel) -> tuple[str | None, bool]:
    """(the final activation that turns logits into predictions, whether it is the
    output layer's own). Training with a fused loss sees the values before it."""
    added = added_activation(model)
    if added:
        return added, False
    from ..losses import get_loss

    fused = get_loss(model.loss).fuses
    if fused and model.network.output_activation == fused:
        return fused, True
    return None, False


def window_pads(layer) -> tuple[int, int, int, int]:
    """(top, bottom, left, right) padding of a Conv2D or pooling layer for its built
    input size, resolved by the layer itself so export can never disagree with it."""
    _, h, w = layer.input_shapes[0]
    return tuple(int(p) for p in layer._pads(h, w))


def sequence_pads(layer) -> tuple[int, int]:
    """(before, after) padding of a 1-D convolution or pool for its built input length."""
    t, _ = layer.input_shapes[0]
    return tuple(int(p) for p in layer._pads(t))
