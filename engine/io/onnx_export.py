"""ONNX export: the trained network as one ONNX graph that takes raw inputs and returns
what ``TrainedModel.predict`` returns.

The graph starts with the input standardisation ``(x - mean) / std`` (when the model
was trained with one) and ends with the softmax or sigmoid the loss fused (when the
network does not end in one itself). Opset 17 and IR version 8: onnxruntime 1.13 and
newer run it (onnx 1.23 would write IR 14 by default, which onnxruntime 1.31 refuses).
The batch axis is dynamic (``N``). Layer by layer translation lives in ``onnx_layers``.
"""
from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import numpy as np

from ..inference import TrainedModel
from ..network import Network
from ..atomic import write_atomic
from .common import ExportError, added_activation, layer_names, require
from .onnx_layers import EMITTERS, activate

OPSET = 17
IR_VERSION = 8
INPUT_NAME, OUTPUT_NAME = "input", "output"
MAX_BYTES = 2_000_000_000  # protobuf's limit for one message, with room for the graph
# Node, tensor and graph names are made of these only: layer and project names are the
# user's text, and tools that read ONNX turn names into identifiers, source code or file
# names (onnx's external data writes a file per tensor, named after it: no "/", no
# leading "."). The user's text is kept only as data (doc string, metadata values).
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")
MAX_NAME = 120


def safe_name(text: str) -> str:
    """``text`` as an ONNX name: NFKC-normalised, any other character ``_``."""
    name = _UNSAFE.sub("_", unicodedata.normalize("NFKC", str(text)))[:MAX_NAME]
    return name.lstrip(".-") or "_"


class GraphBuilder:
    """Collects nodes and initializers under unique, readable names."""

    def __init__(self, onnx):
        self.onnx = onnx
        self.helper = onnx.helper
        self.nodes: list = []
        self.initializers: list = []
        self._used: set[str] = {INPUT_NAME, OUTPUT_NAME}

    def name(self, stem: str) -> str:
        """A safe name from ``stem``, unique in the graph (after making it safe)."""
        stem = safe_name(stem)
        name, n = stem, 1
        while name in self._used:
            n += 1
            name = f"{stem}_{n}"
        self._used.add(name)
        return name

    def const(self, stem: str, array) -> str:
        name = self.name(stem)
        arr = np.asarray(array)
        if arr.dtype.kind == "f":
            arr = arr.astype(np.float32)
        self.initializers.append(self.onnx.numpy_helper.from_array(arr.copy(order="C"), name))
        return name

    def op(self, op_type: str, inputs: list[str], stem: str, outputs: int = 1, **attrs):
        """Add a node; returns its output name (or a list when ``outputs`` > 1)."""
        names = [self.name(stem if i == 0 else f"{stem}_out{i}") for i in range(outputs)]
        self.nodes.append(self.helper.make_node(op_type, inputs, names, name=names[0],
                                                **attrs))
        return names[0] if outputs == 1 else names


def export_onnx(model: TrainedModel, path: Path) -> Path:
    """Write ``path`` (an .onnx file) after ``onnx.checker`` (full check) accepts it."""
    onnx = require("onnx", "onnx", "ONNX export")
    if model.network.flat.nbytes > MAX_BYTES:
        raise ExportError(f"The model has {model.network.flat.nbytes / 1e9:.1f} GB of "
                          f"weights; one ONNX file holds at most 2 GB: export safetensors")
    proto = build_model(model, onnx)
    try:
        onnx.checker.check_model(proto, full_check=True)
    except Exception as exc:  # a checker failure is a bug in this exporter
        raise ExportError(f"The ONNX model failed onnx.checker ({exc}); please report "
                          f"this as a NeuroCanvas bug") from exc
    write_atomic(path, proto.SerializeToString())
    return path


def build_model(model: TrainedModel, onnx):
    net = model.network
    g = GraphBuilder(onnx)
    x = _standardise(g, model, INPUT_NAME)
    out = _layers(g, net, x)
    added = added_activation(model)
    if added:
        out = activate(g, added, out, "predictions")
    g.nodes.append(g.helper.make_node("Identity", [out], [OUTPUT_NAME], name=OUTPUT_NAME))
    graph = g.helper.make_graph(g.nodes, _graph_name(model), [_input_info(g, net)],
                                [_output_info(g, net)], initializer=g.initializers)
    proto = g.helper.make_model(graph, opset_imports=[g.helper.make_opsetid("", OPSET)],
                                producer_name="NeuroCanvas", ir_version=IR_VERSION)
    proto.doc_string = (f"{model.project.name}: exported by NeuroCanvas. Takes raw inputs "
                        f"(standardised inside) and returns what NeuroCanvas predicts.")
    _metadata(g, proto, model)
    return proto


def _layers(g: GraphBuilder, net: Network, x: str) -> str:
    names = {net.input_id: x}
    labels = layer_names(net)
    for node in net.nodes:
        layer = node.layer
        emit = EMITTERS.get(layer.type_name)
        if emit is None:
            raise ExportError(f"ONNX export does not support {layer.type_name} layers yet "
                              f"('{labels[node.id]}')")
        names[node.id] = emit(g, layer, [names[i] for i in node.inputs])
    return names[net.output_id]


def _standardise(g: GraphBuilder, model: TrainedModel, x: str) -> str:
    norm = model.normalizer
    if norm is None:
        return x
    shape = [1] * (len(model.network.spec.input_shape) + 1)
    shape[norm.axis] = len(norm.mean)
    mean = g.const("input_mean", norm.mean.reshape(shape[1:]))
    std = g.const("input_std", norm.std.reshape(shape[1:]))
    centred = g.op("Sub", [x, mean], "input_centred")
    return g.op("Div", [centred, std], "input_standardised")


def _input_info(g: GraphBuilder, net: Network):
    elem = (g.onnx.TensorProto.INT64 if net.input_kind == "tokens"
            else g.onnx.TensorProto.FLOAT)
    shape = ["N"] + list(net.report.layers[net.input_id].output_shape)
    return g.helper.make_tensor_value_info(INPUT_NAME, elem, shape)


def _output_info(g: GraphBuilder, net: Network):
    shape = ["N"] + list(net.report.output_shape)
    return g.helper.make_tensor_value_info(OUTPUT_NAME, g.onnx.TensorProto.FLOAT, shape)


def _graph_name(model: TrainedModel) -> str:
    return safe_name(model.project.name or "neurocanvas_model")


def _metadata(g: GraphBuilder, proto, model: TrainedModel) -> None:
    entries = {"neurocanvas.design": model.network.spec.to_json(indent=None),
               "task": model.task,
               "class_names": json.dumps(model.class_names),
               "input_kind": model.network.input_kind}
    g.helper.set_model_props(proto, entries)
