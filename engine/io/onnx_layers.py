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


def fold_left(op_type: str):
    """A merge of any number of inputs as a chain of binary ``op_type`` nodes, left to
    right as the engine computes it; the last node carries the layer's name."""
    def emit(g, layer, inputs):
        out = inputs[0]
        for i, other in enumerate(inputs[1:]):
            out = g.op(op_type, [out, other], layer.name if i == len(inputs) - 2
                       else f"{layer.name}/partial")
        return out
    return emit


add = fold_left("Add")  # summed left to right, as the engine does


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


# ---- layers that enlarge images, layer normalisation --------------------------------------
def conv_transpose(g, layer, inputs):
    """ConvTranspose with the weights as they are (C_in, filters, kh, kw); padding crops
    both sides, output_padding adds to the bottom and right (as PyTorch)."""
    name, c = layer.name, layer.config
    ins = [inputs[0], g.const(f"{name}/W", layer.params["W"])]
    if "b" in layer.params:
        ins.append(g.const(f"{name}/b", layer.params["b"]))
    p, op = c["padding"], c["output_padding"]
    z = g.op("ConvTranspose", ins, f"{name}/convt", kernel_shape=list(layer.kernel),
             strides=[c["stride"]] * 2, pads=[p, p, p, p], output_padding=[op, op])
    return _activated(g, layer, z)


def upsampling(g, layer, inputs):
    """Resize by the factors: nearest with asymmetric coordinates and floor (a block of
    copies), or linear with half_pixel (PyTorch's align_corners=False)."""
    name = layer.name
    scales = g.const(f"{name}/scales", np.array([1.0, 1.0, *layer.factors], np.float32))
    if layer.config["interpolation"] == "nearest":
        attrs = {"mode": "nearest", "coordinate_transformation_mode": "asymmetric",
                 "nearest_mode": "floor"}
    else:
        attrs = {"mode": "linear", "coordinate_transformation_mode": "half_pixel"}
    return g.op("Resize", [inputs[0], "", scales], name, **attrs)


def layer_norm(g, layer, inputs):
    """LayerNormalization (opset 17) over the last axis."""
    name = layer.name
    return g.op("LayerNormalization", [inputs[0], g.const(f"{name}/gamma", layer.params["gamma"]),
                                       g.const(f"{name}/beta", layer.params["beta"])],
                name, axis=-1, epsilon=float(layer.config["epsilon"]))


# ---- recurrent --------------------------------------------------------------------------
def _blocks(a: np.ndarray, order: tuple[int, ...], h: int) -> np.ndarray:
    """Reorder gate blocks of H rows (or values) along axis 0."""
    return np.concatenate([a[i * h:(i + 1) * h] for i in order], axis=0)


# ONNX gate orders from the engine's (PyTorch's): LSTM i,f,g,o -> i,o,f,c; GRU r,z,n -> z,r,h.
_RECURRENT = {"SimpleRNN": ("RNN", (0,)), "LSTM": ("LSTM", (0, 3, 1, 2)),
              "GRU": ("GRU", (1, 0, 2))}


def _direction_weights(layer, suffix: str, order, h: int):
    """W, R and B of one direction in ONNX's layout (gate blocks in ONNX order)."""
    p = layer.params
    w = _blocks(p["W" + suffix].T, order, h)
    r = _blocks(p["U" + suffix].T, order, h)
    if "b" + suffix not in p:
        return w, r, None
    rec = np.zeros_like(p["b" + suffix])
    if "b_hn" + suffix in p:
        rec[2 * h:] = p["b_hn" + suffix]
    return w, r, np.concatenate([_blocks(p["b" + suffix], order, h), _blocks(rec, order, h)])


def recurrent(g, layer, inputs):
    """ONNX RNN/LSTM/GRU (layout 0: time-major, since onnxruntime does not run layout
    1). W = [W.T], R = [U.T] with gate blocks in ONNX order, B = [input biases,
    recurrent biases]: the engine's b, then zeros (GRU: b_hn for the h gate, with
    linear_before_reset=1, PyTorch's formulation). Both directions: direction
    "bidirectional", the ``*_reverse`` weights second; ONNX's backward Y_h is the state
    after step 0, as the engine's."""
    name, h = layer.name, layer.config["units"]
    op, order = _RECURRENT[layer.type_name]
    both = bool(layer.config.get("bidirectional"))
    parts = [_direction_weights(layer, s, order, h) for s in ("", "_reverse")[:1 + both]]
    ins = [g.op("Transpose", [inputs[0]], f"{name}/time_major", perm=[1, 0, 2]),
           g.const(f"{name}/W", np.stack([w for w, _, _ in parts])),
           g.const(f"{name}/R", np.stack([r for _, r, _ in parts]))]
    if parts[0][2] is not None:
        ins.append(g.const(f"{name}/B", np.stack([b for _, _, b in parts])))
    attrs = {"hidden_size": h}
    if both:
        attrs["direction"] = "bidirectional"
    if op == "RNN":
        attrs["activations"] = [layer.config["activation"].capitalize()] * (1 + both)
    if op == "GRU":
        attrs["linear_before_reset"] = 1
    y, y_h = g.op(op, ins, f"{name}/{op.lower()}", outputs=2, **attrs)
    if both:
        return _both_directions(g, layer, y, y_h)
    if layer.config["return_sequences"]:  # Y (T, 1, N, H) -> (N, T, H)
        squeezed = g.op("Squeeze", [y, g.const(f"{name}/axis1", np.array([1], np.int64))],
                        f"{name}/steps")
        return g.op("Transpose", [squeezed], name, perm=[1, 0, 2])
    return g.op("Squeeze", [y_h, g.const(f"{name}/axis0", np.array([0], np.int64))], name)


def _both_directions(g, layer, y, y_h):
    """Y (T, 2, N, H) -> (N, T, 2H); Y_h (2, N, H) -> (N, 2H): forward units first."""
    name, h = layer.name, layer.config["units"]
    if layer.config["return_sequences"]:
        t = layer.input_shapes[0][0]
        moved = g.op("Transpose", [y], f"{name}/batch_major", perm=[2, 0, 1, 3])
        shape = g.const(f"{name}/shape", np.array([0, t, 2 * h], np.int64))
        return g.op("Reshape", [moved, shape], name)
    moved = g.op("Transpose", [y_h], f"{name}/batch_major", perm=[1, 0, 2])
    return g.op("Reshape", [moved, g.const(f"{name}/shape", np.array([0, 2 * h], np.int64))],
                name)


# ---- attention --------------------------------------------------------------------------
_MASKED = -1e9  # a score no softmax weight survives (exp underflows to 0 in float32)


def multi_head_attention(g, layer, inputs):
    """Opset 17 has no Attention operator: the projections as MatMul (+ Add), the heads
    by Reshape and Transpose, scores MatMul · 1/sqrt(d) (+ the causal mask, a constant
    with -1e9 above the diagonal), Softmax over the keys, MatMul with the values, and
    the output projection."""
    name, p = layer.name, layer.params
    t, d = layer.input_shapes[0]
    heads = layer.config["heads"]
    qkv = g.op("MatMul", [inputs[0], g.const(f"{name}/W_in_T", p["W_in"].T)], f"{name}/qkv")
    if "b_in" in p:
        qkv = g.op("Add", [qkv, g.const(f"{name}/b_in", p["b_in"])], f"{name}/qkv_bias")
    split = g.const(f"{name}/heads_shape", np.array([0, t, 3, heads, d // heads], np.int64))
    qkv = g.op("Transpose", [g.op("Reshape", [qkv, split], f"{name}/qkv_heads")],
               f"{name}/qkv_by_head", perm=[2, 0, 3, 1, 4])  # (3, N, heads, T, d)
    q, k, v = (g.op("Gather", [qkv, g.const(f"{name}/{s}_index", np.array(i, np.int64))],
                    f"{name}/{s}", axis=0) for i, s in enumerate("qkv"))
    kt = g.op("Transpose", [k], f"{name}/k_T", perm=[0, 1, 3, 2])
    scores = g.op("Mul", [g.op("MatMul", [q, kt], f"{name}/qk"),
                          g.const(f"{name}/scale", np.float32(1 / np.sqrt(d // heads)))],
                  f"{name}/scores")
    if layer.config["causal"]:
        mask = np.triu(np.full((t, t), _MASKED, np.float32), 1)
        scores = g.op("Add", [scores, g.const(f"{name}/causal_mask", mask)], f"{name}/masked")
    weights = g.op("Softmax", [scores], f"{name}/weights", axis=-1)
    o = g.op("Transpose", [g.op("MatMul", [weights, v], f"{name}/mix")], f"{name}/by_step",
             perm=[0, 2, 1, 3])
    o = g.op("Reshape", [o, g.const(f"{name}/merged_shape", np.array([0, t, d], np.int64))],
             f"{name}/merged")
    out = g.op("MatMul", [o, g.const(f"{name}/W_out_T", p["W_out"].T)],
               f"{name}/out" if "b_out" in p else name)
    if "b_out" in p:
        out = g.op("Add", [out, g.const(f"{name}/b_out", p["b_out"])], name)
    return out


def position_embedding(g, layer, inputs):
    """x + P[:T] (T is fixed by the design)."""
    t = layer.input_shapes[0][0]
    return g.op("Add", [inputs[0], g.const(f"{layer.name}/P", layer.params["P"][:t])],
                layer.name)


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


EMITTERS = {
    "Dense": dense, "Activation": activation, "Dropout": identity, "Flatten": flatten,
    "Reshape": reshape, "Add": add, "Concatenate": concatenate, "Embedding": embedding,
    "Conv2D": conv2d, "MaxPool2D": max_pool, "AvgPool2D": avg_pool,
    "GlobalAveragePool2D": global_avg_pool, "BatchNorm": batch_norm,
    "SimpleRNN": recurrent, "LSTM": recurrent, "GRU": recurrent,
    "MultiHeadAttention": multi_head_attention,
    "PositionEmbedding": position_embedding,
}
EMITTERS["Conv2DTranspose"] = conv_transpose
EMITTERS["UpSampling2D"] = upsampling
EMITTERS["LayerNorm"] = layer_norm
EMITTERS["Conv1D"] = conv1d
EMITTERS["MaxPool1D"] = max_pool1d
EMITTERS["AvgPool1D"] = avg_pool1d
EMITTERS["GlobalAveragePool1D"] = global_pool_over("ReduceMean", [1])
EMITTERS["GlobalMaxPool1D"] = global_pool_over("ReduceMax", [1])
EMITTERS["GlobalMaxPool2D"] = global_pool_over("ReduceMax", [2, 3])
EMITTERS["Multiply"] = fold_left("Mul")
