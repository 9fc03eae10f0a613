"""One function per layer type: ``emit(g, layer, inputs) -> output name`` adds the ONNX
nodes that compute the layer at inference, reading its trained weights.

``g`` is ``onnx_export.GraphBuilder``. Shapes are batch-first as in the engine. Layers
whose weights need a new layout for ONNX (the recurrent ones) say how beside the code.
"""
from __future__ import annotations

import numpy as np

from ..kernels.activations import LEAKY_SLOPE
from .common import sequence_pads, window_pads

_SIMPLE = {"relu": "Relu", "sigmoid": "Sigmoid", "tanh": "Tanh"}
_GELU_C = float(np.sqrt(2.0 / np.pi))


# ---- activations ------------------------------------------------------------------------
def activate(g, name: str, x: str, stem: str) -> str:
    """The engine's activation ``name`` applied to ``x`` (softmax: over the last axis)."""
    if name == "linear":
        return x
    if name in _SIMPLE:
        return g.op(_SIMPLE[name], [x], f"{stem}/{name}")
    if name == "leaky_relu":
        return g.op("LeakyRelu", [x], f"{stem}/leaky_relu", alpha=LEAKY_SLOPE)
    if name == "softmax":
        return g.op("Softmax", [x], f"{stem}/softmax", axis=-1)
    if name == "gelu":
        return _gelu(g, x, stem)
    raise ValueError(f"no ONNX form for activation {name!r}")


def _gelu(g, x: str, stem: str) -> str:
    """The engine's GELU is the tanh form: 0.5 x (1 + tanh(c (x + 0.044715 x^3))).
    Opset 17 has no Gelu operator (it came in opset 20), so it is spelled out."""
    s = f"{stem}/gelu"
    cube = g.op("Mul", [g.op("Mul", [x, x], f"{s}/x2"), x], f"{s}/x3")
    inner = g.op("Add", [x, g.op("Mul", [cube, g.const(f"{s}/k", np.float32(0.044715))],
                                 f"{s}/kx3")], f"{s}/inner")
    t = g.op("Tanh", [g.op("Mul", [inner, g.const(f"{s}/c", np.float32(_GELU_C))],
                           f"{s}/scaled")], f"{s}/tanh")
    one_plus = g.op("Add", [t, g.const(f"{s}/one", np.float32(1.0))], f"{s}/one_plus")
    half_x = g.op("Mul", [x, g.const(f"{s}/half", np.float32(0.5))], f"{s}/half_x")
    return g.op("Mul", [half_x, one_plus], s)


def _activated(g, layer, z: str) -> str:
    return activate(g, layer.final_activation, z, layer.name)


# ---- core -------------------------------------------------------------------------------
def dense(g, layer, inputs):
    """Gemm on vectors; on sequences (N, T, D) MatMul (+ Add) over the last axis."""
    x, name = inputs[0], layer.name
    w = g.const(f"{name}/W", layer.params["W"])
    b = g.const(f"{name}/b", layer.params["b"]) if "b" in layer.params else None
    if len(layer.input_shapes[0]) == 1:
        z = g.op("Gemm", [x, w] + ([b] if b else []), f"{name}/gemm")
    else:
        z = g.op("MatMul", [x, w], f"{name}/matmul")
        if b:
            z = g.op("Add", [z, b], f"{name}/add")
    return _activated(g, layer, z)


def activation(g, layer, inputs):
    return _activated(g, layer, inputs[0])


def identity(g, layer, inputs):
    """Dropout does nothing at inference: no node at all."""
    return inputs[0]


def flatten(g, layer, inputs):
    return g.op("Flatten", [inputs[0]], layer.name, axis=1)


def reshape(g, layer, inputs):
    shape = g.const(f"{layer.name}/shape",
                    np.array([0] + list(layer.config["target_shape"]), np.int64))
    return g.op("Reshape", [inputs[0], shape], layer.name)  # 0 keeps the batch size


def add(g, layer, inputs):
    """Summed left to right, as the engine does."""
    out = inputs[0]
    for i, other in enumerate(inputs[1:]):
        out = g.op("Add", [out, other], layer.name if i == len(inputs) - 2
                   else f"{layer.name}/partial")
    return out


def concatenate(g, layer, inputs):
    """The engine's axis counts within one sample; ONNX's includes the batch axis."""
    rank = len(layer.input_shapes[0])
    return g.op("Concat", inputs, layer.name, axis=layer.config["axis"] % rank + 1)


def embedding(g, layer, inputs):
    w = g.const(f"{layer.name}/W", layer.params["W"])
    return g.op("Gather", [w, inputs[0]], layer.name, axis=0)


# ---- convolution and pooling ----------------------------------------------------------
def _onnx_pads(layer) -> list[int]:
    """The engine's (top, bottom, left, right) as ONNX's [top, left, bottom, right]."""
    top, bottom, left, right = window_pads(layer)
    return [top, left, bottom, right]


def conv2d(g, layer, inputs):
    name, c = layer.name, layer.config
    ins = [inputs[0], g.const(f"{name}/W", layer.params["W"])]
    if "b" in layer.params:
        ins.append(g.const(f"{name}/b", layer.params["b"]))
    z = g.op("Conv", ins, f"{name}/conv", kernel_shape=list(layer.kernel),
             strides=[c["stride"]] * 2, dilations=[c["dilation"]] * 2, pads=_onnx_pads(layer))
    return _activated(g, layer, z)


def max_pool(g, layer, inputs):
    k = layer.config["pool_size"]
    return g.op("MaxPool", [inputs[0]], layer.name, kernel_shape=[k, k],
                strides=[layer.stride] * 2, pads=_onnx_pads(layer))


def avg_pool(g, layer, inputs):
    """A number pads with zeros that count in the divisor; "same" averages only the
    real values of a border window (see AvgPool2D)."""
    k = layer.config["pool_size"]
    count_pad = 0 if layer.config["padding"] == "same" else 1
    return g.op("AveragePool", [inputs[0]], layer.name, kernel_shape=[k, k],
                strides=[layer.stride] * 2, pads=_onnx_pads(layer),
                count_include_pad=count_pad)


def global_avg_pool(g, layer, inputs):
    pooled = g.op("GlobalAveragePool", [inputs[0]], f"{layer.name}/pool")
    return g.op("Flatten", [pooled], layer.name, axis=1)  # (N, C, 1, 1) -> (N, C)


# ---- normalisation ----------------------------------------------------------------------
def batch_norm(g, layer, inputs):
    """Inference form with the running statistics. ONNX normalises axis 1, the engine
    the channel axis of images and the last axis otherwise: sequences (N, T, D) are
    transposed to (N, D, T) and back."""
    name, x = layer.name, inputs[0]
    params = [g.const(f"{name}/{p}", src[p]) for p, src in
              (("gamma", layer.params), ("beta", layer.params),
               ("running_mean", layer.state), ("running_var", layer.state))]
    sequence = len(layer.input_shapes[0]) == 2
    if sequence:
        x = g.op("Transpose", [x], f"{name}/to_ndt", perm=[0, 2, 1])
    y = g.op("BatchNormalization", [x] + params, f"{name}/bn" if sequence else name,
             epsilon=float(layer.config["epsilon"]))
    if sequence:
        y = g.op("Transpose", [y], name, perm=[0, 2, 1])
    return y


# ---- recurrent --------------------------------------------------------------------------
def _blocks(a: np.ndarray, order: tuple[int, ...], h: int) -> np.ndarray:
    """Reorder gate blocks of H rows (or values) along axis 0."""
    return np.concatenate([a[i * h:(i + 1) * h] for i in order], axis=0)


# ONNX gate orders from the engine's (PyTorch's): LSTM i,f,g,o -> i,o,f,c; GRU r,z,n -> z,r,h.
_RECURRENT = {"SimpleRNN": ("RNN", (0,)), "LSTM": ("LSTM", (0, 3, 1, 2)),
              "GRU": ("GRU", (1, 0, 2))}


def recurrent(g, layer, inputs):
    """ONNX RNN/LSTM/GRU (one direction, layout 0: time-major, since onnxruntime does
    not run layout 1). W = [W.T], R = [U.T] with gate blocks in ONNX order, B = [input
    biases, recurrent biases]: the engine's b, then zeros (GRU: b_hn for the h gate,
    with linear_before_reset=1, PyTorch's formulation)."""
    name, h = layer.name, layer.config["units"]
    op, order = _RECURRENT[layer.type_name]
    ins = [g.op("Transpose", [inputs[0]], f"{name}/time_major", perm=[1, 0, 2]),
           g.const(f"{name}/W", _blocks(layer.params["W"].T, order, h)[None]),
           g.const(f"{name}/R", _blocks(layer.params["U"].T, order, h)[None])]
    if "b" in layer.params:
        rec = np.zeros_like(layer.params["b"])
        if "b_hn" in layer.params:
            rec[2 * h:] = layer.params["b_hn"]
        bias = np.concatenate([_blocks(layer.params["b"], order, h), _blocks(rec, order, h)])
        ins.append(g.const(f"{name}/B", bias[None]))
    attrs = {"hidden_size": h}
    if op == "RNN":
        attrs["activations"] = [layer.config["activation"].capitalize()]
    if op == "GRU":
        attrs["linear_before_reset"] = 1
    y, y_h = g.op(op, ins, f"{name}/{op.lower()}", outputs=2, **attrs)
    if layer.config["return_sequences"]:  # Y (T, 1, N, H) -> (N, T, H)
        squeezed = g.op("Squeeze", [y, g.const(f"{name}/axis1", np.array([1], np.int64))],
                        f"{name}/steps")
        return g.op("Transpose", [squeezed], name, perm=[1, 0, 2])
    return g.op("Squeeze", [y_h, g.const(f"{name}/axis0", np.array([0], np.int64))], name)


# ---- 1-D convolution and pooling on sequences (N, T, C), global max pools, Multiply ---------
def _channels_first(g, x: str, stem: str) -> str:
    """(N, T, C) -> (N, C, T): ONNX's Conv and pools take channels first."""
    return g.op("Transpose", [x], f"{stem}/to_nct", perm=[0, 2, 1])


def conv1d(g, layer, inputs):
    """Transposed to (N, C, T) for Conv and back before the activation (a softmax works
    over the engine's last axis, the filters)."""
    name, c = layer.name, layer.config
    ins = [_channels_first(g, inputs[0], name), g.const(f"{name}/W", layer.params["W"])]
    if "b" in layer.params:
        ins.append(g.const(f"{name}/b", layer.params["b"]))
    z = g.op("Conv", ins, f"{name}/conv", kernel_shape=[c["kernel_size"]],
             strides=[c["stride"]], dilations=[c["dilation"]], pads=list(sequence_pads(layer)))
    z = g.op("Transpose", [z], f"{name}/to_ntc", perm=[0, 2, 1])
    return _activated(g, layer, z)


def _pool1d(g, layer, inputs, op: str, **attrs):
    name, k = layer.name, layer.config["pool_size"]
    y = g.op(op, [_channels_first(g, inputs[0], name)], f"{name}/pool", kernel_shape=[k],
             strides=[layer.stride], pads=list(sequence_pads(layer)), **attrs)
    return g.op("Transpose", [y], name, perm=[0, 2, 1])


def max_pool1d(g, layer, inputs):
    return _pool1d(g, layer, inputs, "MaxPool")


def avg_pool1d(g, layer, inputs):
    """As AvgPool2D: a number's zeros count in the divisor, "same" padding does not."""
    count_pad = 0 if layer.config["padding"] == "same" else 1
    return _pool1d(g, layer, inputs, "AveragePool", count_include_pad=count_pad)


def global_pool_over(op: str, axes: list[int]):
    """ReduceMean / ReduceMax over the steps (or the pixels); axes are an attribute in
    opset 17."""
    def emit(g, layer, inputs):
        return g.op(op, [inputs[0]], layer.name, axes=axes, keepdims=0)
    return emit


def multiply(g, layer, inputs):
    """Multiplied left to right, as the engine does."""
    out = inputs[0]
    for i, other in enumerate(inputs[1:]):
        out = g.op("Mul", [out, other], layer.name if i == len(inputs) - 2
                   else f"{layer.name}/partial{i}")
    return out


EMITTERS = {
    "Dense": dense, "Activation": activation, "Dropout": identity, "Flatten": flatten,
    "Reshape": reshape, "Add": add, "Concatenate": concatenate, "Embedding": embedding,
    "Conv2D": conv2d, "MaxPool2D": max_pool, "AvgPool2D": avg_pool,
    "GlobalAveragePool2D": global_avg_pool, "BatchNorm": batch_norm,
    "SimpleRNN": recurrent, "LSTM": recurrent, "GRU": recurrent,
}
EMITTERS["Conv1D"] = conv1d
EMITTERS["MaxPool1D"] = max_pool1d
EMITTERS["AvgPool1D"] = avg_pool1d
EMITTERS["GlobalAveragePool1D"] = global_pool_over("ReduceMean", [1])
EMITTERS["GlobalMaxPool1D"] = global_pool_over("ReduceMax", [1])
EMITTERS["GlobalMaxPool2D"] = global_pool_over("ReduceMax", [2, 3])
EMITTERS["Multiply"] = multiply
