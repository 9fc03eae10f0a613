import json  # noqa: F401  (for linters; everything above the body line is dropped)

import numpy as np
from check_common import MODEL_FILE  # noqa: F401

# ---- body ----
# A reference implementation of every NeuroCanvas layer in plain NumPy: it recomputes
# the network from the weights and the design stored in the exported file, so it shows
# how to use these weights anywhere. Arrays are batch-first: features (N, D), images
# (N, C, H, W), sequences (N, T, D), token ids (N, T).
WEIGHTS_FORMAT = "__WEIGHTS_FORMAT__"  # "npz" or "safetensors"


def load_export(path):
    """(arrays by name, design, export info) from the exported weight file."""
    if WEIGHTS_FORMAT == "npz":
        with np.load(path, allow_pickle=False) as f:
            arrays = {k: f[k] for k in f.files}
        design = json.loads(str(arrays.pop("__design__")))
        return arrays, design, json.loads(str(arrays.pop("__export__")))
    from safetensors import safe_open
    from safetensors.numpy import load_file

    with safe_open(str(path), framework="np") as f:
        meta = f.metadata()
    return load_file(str(path)), json.loads(meta["design"]), json.loads(meta["export"])


def run_model(folder, inputs):
    arrays, design, info = load_export(folder / MODEL_FILE)
    return predict(arrays, design, info, inputs)


def predict(arrays, design, info, x):
    """Standardise the inputs, run the layers in graph order, then apply the activation
    the loss fused (info["output_activation"]): what NeuroCanvas's predict returns."""
    weights = {}
    for key, arr in arrays.items():  # "<layer name>.<param>"
        name, _, param = key.rpartition(".")
        weights.setdefault(name, {})[param] = arr
    outs = {}
    for layer in graph_order(design):
        ins = [outs[e["from"]] for e in design["edges"] if e["to"] == layer["id"]]
        if layer["type"] == "Input":
            outs[layer["id"]] = standardise(x, info["normalizer"])
        else:
            run = LAYERS[layer["type"]]
            outs[layer["id"]] = run(layer["config"], weights.get(layer["name"], {}), ins)
    return ACTIVATIONS[info["output_activation"] or "linear"](outs[layer["id"]])


def graph_order(design):
    """Layers in topological order (ties in design order); the output comes last."""
    layers, edges = design["layers"], design["edges"]
    waiting = {l["id"]: sum(e["to"] == l["id"] for e in edges) for l in layers}
    order = []
    while len(order) < len(layers):
        ready = next(l for l in layers if waiting[l["id"]] == 0 and l not in order)
        order.append(ready)
        for e in edges:
            if e["from"] == ready["id"]:
                waiting[e["to"]] -= 1
    return order


def standardise(x, norm):
    if not norm:
        return x
    shape = [1] * x.ndim
    shape[norm["axis"]] = len(norm["mean"])
    mean = np.asarray(norm["mean"]).reshape(shape)
    return ((x - mean) / np.asarray(norm["std"]).reshape(shape)).astype(np.float32)


# ---- activations ----------------------------------------------------------------------
def sigmoid(z):
    return 0.5 * (1 + np.tanh(0.5 * z))


def softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def gelu(z):  # the tanh form
    return 0.5 * z * (1 + np.tanh(0.7978845608028654 * (z + 0.044715 * z * z * z)))


ACTIVATIONS = {"linear": lambda z: z, "relu": lambda z: np.maximum(z, 0),
               "leaky_relu": lambda z: np.where(z > 0, z, 0.01 * z), "sigmoid": sigmoid,
               "tanh": np.tanh, "softmax": softmax, "gelu": gelu}


def act(c, z):
    return ACTIVATIONS[c["activation"]](z)


# ---- core -----------------------------------------------------------------------------
def dense(c, w, ins):  # W (D, units): x @ W + b on the last axis
    z = ins[0] @ w["W"]
    return act(c, z + w["b"] if "b" in w else z)


def concatenate(c, w, ins):  # the axis counts within one sample
    return np.concatenate(ins, axis=c["axis"] % (ins[0].ndim - 1) + 1)


# ---- convolution and pooling ------------------------------------------------------------
def same_pads(size, k, stride, dilation):
    """(before, after) so the output has ceil(size / stride) values; extra after."""
    total = max((-(-size // stride) - 1) * stride + (k - 1) * dilation + 1 - size, 0)
    return total // 2, total - total // 2


def pads_of(padding, h, w, kh, kw, stride, dilation):
    """(top, bottom, left, right) for padding "valid", "same" or a number."""
    if padding == "valid":
        return 0, 0, 0, 0
    if padding == "same":
        return same_pads(h, kh, stride, dilation) + same_pads(w, kw, stride, dilation)
    return (padding,) * 4


def taps(x, kh, kw, stride, dilation, pads, fill=0.0):
    """For each kernel tap (i, j): the input values it meets at every output position."""
    top, bottom, left, right = pads
    xp = np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)), constant_values=fill)
    ho = (xp.shape[2] - (kh - 1) * dilation - 1) // stride + 1
    wo = (xp.shape[3] - (kw - 1) * dilation - 1) // stride + 1
    for i in range(kh):
        for j in range(kw):
            y0, x0 = i * dilation, j * dilation
            yield i, j, xp[:, :, y0:y0 + (ho - 1) * stride + 1:stride,
                           x0:x0 + (wo - 1) * stride + 1:stride]


def conv2d(c, w, ins):  # W (filters, C, kh, kw), cross-correlation
    x, kernel = ins[0], w["W"]
    kh, kw = kernel.shape[2:]
    s, d = c["stride"], c["dilation"]
    pads = pads_of(c["padding"], x.shape[2], x.shape[3], kh, kw, s, d)
    z = sum(np.einsum("nchw,fc->nfhw", v, kernel[:, :, i, j])
            for i, j, v in taps(x, kh, kw, s, d, pads))
    return act(c, z + w["b"][:, None, None] if "b" in w else z)


def conv_transpose(c, w, ins):
    """W (C_in, filters, kh, kw): every input pixel adds x * W[c] onto a kh x kw patch of
    the output, patches stride apart; then padding is cropped from each side and
    output_padding rows and columns (bias only) kept at the bottom and right."""
    x, kernel = ins[0], w["W"]
    n, _, h, wd = x.shape
    _, f, kh, kw = kernel.shape
    s, p, op = c["stride"], c["padding"], c["output_padding"]
    ho, wo = (h - 1) * s - 2 * p + kh + op, (wd - 1) * s - 2 * p + kw + op
    full = np.zeros((n, f, max((h - 1) * s + kh, ho + p), max((wd - 1) * s + kw, wo + p)),
                    x.dtype)
    for i in range(kh):
        for j in range(kw):
            full[:, :, i:i + (h - 1) * s + 1:s, j:j + (wd - 1) * s + 1:s] += np.einsum(
                "nchw,cf->nfhw", x, kernel[:, :, i, j])
    z = full[:, :, p:p + ho, p:p + wo]
    return act(c, z + w["b"][:, None, None] if "b" in w else z)


def bilinear_weights(size, scale):
    """(size * scale, size): output o samples (o + 0.5) / scale - 0.5, clamped."""
    src = np.maximum((np.arange(size * scale) + 0.5) / scale - 0.5, 0.0)
    low = np.minimum(np.floor(src).astype(int), size - 1)
    a = np.zeros((size * scale, size))
    np.add.at(a, (np.arange(size * scale), low), 1 - (src - low))
    np.add.at(a, (np.arange(size * scale), np.minimum(low + 1, size - 1)), src - low)
    return a


def upsampling(c, w, ins):
    x = ins[0]
    sh, sw = (c["size"] * 2)[:2]
    if c["interpolation"] == "nearest":
        return x.repeat(sh, axis=2).repeat(sw, axis=3)
    out = bilinear_weights(x.shape[2], sh) @ x @ bilinear_weights(x.shape[3], sw).T
    return out.astype(x.dtype)


def _pool_geometry(c, x):
    k, s = c["pool_size"], c["stride"] or c["pool_size"]
    return k, s, pads_of(c["padding"], x.shape[2], x.shape[3], k, k, s, 1)


def max_pool(c, w, ins):  # padding never wins: it is -inf
    k, s, pads = _pool_geometry(c, ins[0])
    return np.max([v for _, _, v in taps(ins[0], k, k, s, 1, pads, -np.inf)], axis=0)


def avg_pool(c, w, ins):
    """Padding by a number: zeros that count in the divisor. "same": only the real
    values of each window count."""
    x = ins[0]
    k, s, pads = _pool_geometry(c, x)
    total = sum(v for _, _, v in taps(x, k, k, s, 1, pads))
    if c["padding"] != "same":
        return total / (k * k)
    ones = np.ones((1, 1) + x.shape[2:], x.dtype)
    return total / sum(v for _, _, v in taps(ones, k, k, s, 1, pads))


# ---- 1-D convolution and pooling on sequences (N, T, C), channels last ----------------------
def steps(x, k, stride, dilation, padding, fill=0.0):
    """For each tap i of a window of k steps: the input steps it meets, (N, T', C)."""
    before, after = pads_of(padding, x.shape[1], 1, k, 1, stride, dilation)[:2]
    xp = np.pad(x, ((0, 0), (before, after), (0, 0)), constant_values=fill)
    to = (xp.shape[1] - (k - 1) * dilation - 1) // stride + 1
    for i in range(k):
        yield xp[:, i * dilation:i * dilation + (to - 1) * stride + 1:stride]


def conv1d(c, w, ins):  # W (filters, C, k), cross-correlation along time
    k = w["W"].shape[2]
    z = sum(v @ w["W"][:, :, i].T
            for i, v in enumerate(steps(ins[0], k, c["stride"], c["dilation"], c["padding"])))
    return act(c, z + w["b"] if "b" in w else z)


def max_pool1d(c, w, ins):
    k, s = c["pool_size"], c["stride"] or c["pool_size"]
    return np.max(list(steps(ins[0], k, s, 1, c["padding"], -np.inf)), axis=0)


def avg_pool1d(c, w, ins):  # padding rules as avg_pool
    x, k, s = ins[0], c["pool_size"], c["stride"] or c["pool_size"]
    total = sum(steps(x, k, s, 1, c["padding"]))
    if c["padding"] != "same":
        return total / k
    return total / sum(steps(np.ones((1,) + x.shape[1:], x.dtype), k, s, 1, "same"))


# ---- normalisation ----------------------------------------------------------------------
def batch_norm(c, w, ins):
    """Per feature: the channel axis of images, the last axis otherwise."""
    x = ins[0]
    shape = (1, -1, 1, 1) if x.ndim == 4 else (1,) * (x.ndim - 1) + (-1,)
    mean, var = w["running_mean"].reshape(shape), w["running_var"].reshape(shape)
    x_hat = (x - mean) / np.sqrt(var + c["epsilon"])
    return x_hat * w["gamma"].reshape(shape) + w["beta"].reshape(shape)


def layer_norm(c, w, ins):
    """Over the last axis of each sample (each time step of a sequence)."""
    x = ins[0]
    centred = x - x.mean(axis=-1, keepdims=True)
    var = (centred ** 2).mean(axis=-1, keepdims=True)
    return centred / np.sqrt(var + c["epsilon"]) * w["gamma"] + w["beta"]


# ---- recurrent (gate blocks in PyTorch's order, zero initial state) ---------------------
def rnn_step(c, w, p, h, cell):
    z = p + h @ w["U"]
    return (np.maximum(z, 0) if c["activation"] == "relu" else np.tanh(z)), cell


def lstm_step(c, w, p, h, cell):  # blocks i, f, g, o
    i, f, g, o = np.split(p + h @ w["U"], 4, axis=1)
    cell = sigmoid(f) * cell + sigmoid(i) * np.tanh(g)
    return sigmoid(o) * np.tanh(cell), cell


def gru_step(c, w, p, h, cell):  # blocks r, z, n; PyTorch's (linear-before-reset) form
    hu_r, hu_z, hu_n = np.split(h @ w["U"], 3, axis=1)
    p_r, p_z, p_n = np.split(p, 3, axis=1)
    r, z = sigmoid(p_r + hu_r), sigmoid(p_z + hu_z)
    n = np.tanh(p_n + r * (hu_n + w.get("b_hn", 0)))
    return (1 - z) * n + z * h, cell


def recurrent(step):
    def one_way(c, w, x):
        proj = x @ w["W"] + w.get("b", 0)  # every step's input projection
        h = np.zeros((len(x), c["units"]), x.dtype)
        cell, states = np.zeros_like(h), []
        for t in range(x.shape[1]):
            h, cell = step(c, w, proj[:, t], h, cell)
            states.append(h)
        return np.stack(states, axis=1) if c["return_sequences"] else h

    def run(c, w, ins):
        out = one_way(c, w, ins[0])
        if not c.get("bidirectional"):
            return out
        # The "_reverse" weights read the sequence backwards; outputs are joined,
        # forward units first, per step in input order (or each direction's last state).
        back = {k[:-8]: v for k, v in w.items() if k.endswith("_reverse")}
        rev = one_way(c, back, ins[0][:, ::-1])
        return np.concatenate([out, rev[:, ::-1] if c["return_sequences"] else rev], axis=-1)
    return run


# ---- attention ------------------------------------------------------------------------
def multi_head_attention(c, w, ins):
    """W_in (3D, D): query, key, value projections; W_out (D, D); as PyTorch's
    nn.MultiheadAttention. Per head: softmax(Q K^T / sqrt(d) (+ causal mask)) V."""
    x = ins[0]
    n, t, d = x.shape
    heads = c["heads"]
    qkv = x @ w["W_in"].T + w.get("b_in", 0)
    q, k, v = (qkv[..., i * d:(i + 1) * d].reshape(n, t, heads, d // heads)
               .transpose(0, 2, 1, 3) for i in range(3))
    scores = q @ k.transpose(0, 1, 3, 2) / np.sqrt(d // heads)
    if c["causal"]:  # step i sees steps 0..i only
        scores = np.where(np.triu(np.ones((t, t), bool), 1), -np.inf, scores)
    o = (softmax(scores) @ v).transpose(0, 2, 1, 3).reshape(n, t, d)
    return o @ w["W_out"].T + w.get("b_out", 0)


LAYERS = {
    "Dense": dense, "Activation": lambda c, w, ins: act(c, ins[0]),
    "Dropout": lambda c, w, ins: ins[0],  # only active while training
    "Flatten": lambda c, w, ins: ins[0].reshape(len(ins[0]), -1),
    "Reshape": lambda c, w, ins: ins[0].reshape((len(ins[0]),) + tuple(c["target_shape"])),
    "Add": lambda c, w, ins: sum(ins[1:], ins[0]), "Concatenate": concatenate,
    "Embedding": lambda c, w, ins: w["W"][ins[0]],  # W (vocab_size, dim)
    "Conv2D": conv2d, "MaxPool2D": max_pool, "AvgPool2D": avg_pool,
    "GlobalAveragePool2D": lambda c, w, ins: ins[0].mean(axis=(2, 3)),
    "BatchNorm": batch_norm, "SimpleRNN": recurrent(rnn_step), "LSTM": recurrent(lstm_step),
    "GRU": recurrent(gru_step),
    "MultiHeadAttention": multi_head_attention,
    "PositionEmbedding": lambda c, w, ins: ins[0] + w["P"][:ins[0].shape[1]],  # P (max_len, D)
}
LAYERS["Conv2DTranspose"] = conv_transpose
LAYERS["UpSampling2D"] = upsampling
LAYERS["LayerNorm"] = layer_norm
LAYERS["Conv1D"] = conv1d
LAYERS["MaxPool1D"] = max_pool1d
LAYERS["AvgPool1D"] = avg_pool1d
LAYERS["GlobalAveragePool1D"] = lambda c, w, ins: ins[0].mean(axis=1)
LAYERS["GlobalMaxPool1D"] = lambda c, w, ins: ins[0].max(axis=1)
LAYERS["GlobalMaxPool2D"] = lambda c, w, ins: ins[0].max(axis=(2, 3))
LAYERS["Multiply"] = lambda c, w, ins: np.prod(ins, axis=0)
