"""One function per layer type for the PyTorch code generator: each declares the
``torch.nn`` module (if any), writes the forward line(s) and hands over its weights in
PyTorch's layout (``emit(code, layer, attr, out, ins, act)``; ``code`` is
``torch_codegen.Program``; ``act`` is the activation to apply, which the generator may
turn off for the output layer so ``forward(x, logits=True)`` can stop before it).
"""
from __future__ import annotations

import numpy as np

from ..kernels.activations import LEAKY_SLOPE
from .common import sequence_pads, window_pads

ACTIVATIONS = {
    "linear": "{}", "relu": "torch.relu({})", "sigmoid": "torch.sigmoid({})",
    "tanh": "torch.tanh({})", "softmax": "torch.softmax({}, dim=-1)",
    "leaky_relu": f"F.leaky_relu({{}}, {LEAKY_SLOPE})",
    "gelu": 'F.gelu({}, approximate="tanh")',  # the engine's GELU is the tanh form
}


def apply(act: str, expr: str) -> str:
    return ACTIVATIONS[act].format(expr)


# ---- core -------------------------------------------------------------------------------
def dense(code, layer, attr, out, ins, act):
    d, units = layer.params["W"].shape
    bias = "b" in layer.params
    code.module(attr, f"nn.Linear({d}, {units}{'' if bias else ', bias=False'})")
    code.state(attr, weight=layer.params["W"].T, bias=layer.params.get("b"))
    code.line(f"{out} = {apply(act, f'self.{attr}({ins[0]})')}")


def activation(code, layer, attr, out, ins, act):
    code.line(f"{out} = {apply(act, ins[0])}")


def dropout(code, layer, attr, out, ins, act):
    code.module(attr, f"nn.Dropout(p={layer.config['rate']:g})")  # identity in eval mode
    code.line(f"{out} = self.{attr}({ins[0]})")


def flatten(code, layer, attr, out, ins, act):
    code.line(f"{out} = torch.flatten({ins[0]}, 1)")


def reshape(code, layer, attr, out, ins, act):
    dims = ", ".join(str(d) for d in layer.config["target_shape"])
    code.line(f"{out} = {ins[0]}.reshape({ins[0]}.shape[0], {dims})")


def add(code, layer, attr, out, ins, act):
    code.line(f"{out} = {' + '.join(ins)}")


def concatenate(code, layer, attr, out, ins, act):
    dim = layer.config["axis"] % len(layer.input_shapes[0]) + 1  # + the batch axis
    code.line(f"{out} = torch.cat([{', '.join(ins)}], dim={dim})")


def embedding(code, layer, attr, out, ins, act):
    vocab, dim = layer.params["W"].shape
    code.module(attr, f"nn.Embedding({vocab}, {dim})")
    code.state(attr, weight=layer.params["W"])
    code.line(f"{out} = self.{attr}({ins[0]})")


# ---- convolution and pooling ------------------------------------------------------------
def _padded(x: str, pads, value: str = "") -> str:
    """``F.pad`` for padding PyTorch's layers cannot express (uneven sides)."""
    top, bottom, left, right = pads
    return f"F.pad({x}, ({left}, {right}, {top}, {bottom}){value})"


def conv2d(code, layer, attr, out, ins, act):
    f, c, kh, kw = layer.params["W"].shape
    top, bottom, left, right = pads = window_pads(layer)
    even = top == bottom and left == right
    args = [str(c), str(f), f"kernel_size=({kh}, {kw})", f"stride={layer.config['stride']}"]
    if even and (top or left):
        args.append(f"padding=({top}, {left})")
    if layer.config["dilation"] != 1:
        args.append(f"dilation={layer.config['dilation']}")
    if "b" not in layer.params:
        args.append("bias=False")
    code.module(attr, f"nn.Conv2d({', '.join(args)})")
    code.state(attr, weight=layer.params["W"], bias=layer.params.get("b"))
    x = ins[0] if even else _padded(ins[0], pads)
    code.line(f"{out} = {apply(act, f'self.{attr}({x})')}")


def _pool_args(layer, pads) -> tuple[list[str], bool]:
    """Constructor arguments and whether PyTorch's own (even) padding can do it."""
    k, top, bottom, left, right = layer.config["pool_size"], *pads
    own = top == bottom and left == right and max(top, left) <= k // 2
    args = [str(k), f"stride={layer.stride}"]
    if own and (top or left):
        args.append(f"padding=({top}, {left})")
    return args, own


def max_pool(code, layer, attr, out, ins, act):
    pads = window_pads(layer)
    args, own = _pool_args(layer, pads)
    code.module(attr, f"nn.MaxPool2d({', '.join(args)})")
    x = ins[0] if own else _padded(ins[0], pads, ', value=float("-inf")')
    code.line(f"{out} = self.{attr}({x})")


def avg_pool(code, layer, attr, out, ins, act):
    """A number: zeros that count in the divisor (PyTorch's default). "same": only the
    real values count; uneven padding goes through the ``avg_pool_real`` helper."""
    pads = window_pads(layer)
    args, own = _pool_args(layer, pads)
    if layer.config["padding"] == "same" and any(pads):
        if not own:
            code.helper("avg_pool_real")
            k, s = layer.config["pool_size"], layer.stride
            top, bottom, left, right = pads
            code.line(f"{out} = avg_pool_real({ins[0]}, {k}, {s}, "
                      f"({left}, {right}, {top}, {bottom}))")
            return
        args.append("count_include_pad=False")
    code.module(attr, f"nn.AvgPool2d({', '.join(args)})")
    code.line(f"{out} = self.{attr}({ins[0]})")


def global_avg_pool(code, layer, attr, out, ins, act):
    code.line(f"{out} = {ins[0]}.mean(dim=(2, 3))")


# ---- normalisation ----------------------------------------------------------------------
def batch_norm(code, layer, attr, out, ins, act):
    """BatchNorm1d on vectors and on sequences (as (N, D, T)), BatchNorm2d on images."""
    rank = len(layer.input_shapes[0])
    d = layer.params["gamma"].shape[0]
    kind = "BatchNorm2d" if rank == 3 else "BatchNorm1d"
    c = layer.config
    code.module(attr, f"nn.{kind}({d}, eps={c['epsilon']:g}, momentum={c['momentum']:g})")
    code.state(attr, weight=layer.params["gamma"], bias=layer.params["beta"],
               running_mean=layer.state["running_mean"],
               running_var=layer.state["running_var"],
               num_batches_tracked=np.array(0, np.int64))
    if rank == 2:
        code.line(f"{out} = self.{attr}({ins[0]}.transpose(1, 2)).transpose(1, 2)")
    else:
        code.line(f"{out} = self.{attr}({ins[0]})")


# ---- layers that enlarge images, layer normalisation --------------------------------------
def conv_transpose(code, layer, attr, out, ins, act):
    c_in, f, kh, kw = layer.params["W"].shape
    c = layer.config
    args = [str(c_in), str(f), f"kernel_size=({kh}, {kw})", f"stride={c['stride']}"]
    if c["padding"]:
        args.append(f"padding={c['padding']}")
    if c["output_padding"]:
        args.append(f"output_padding={c['output_padding']}")
    if "b" not in layer.params:
        args.append("bias=False")
    code.module(attr, f"nn.ConvTranspose2d({', '.join(args)})")
    code.state(attr, weight=layer.params["W"], bias=layer.params.get("b"))
    code.line(f"{out} = {apply(act, f'self.{attr}({ins[0]})')}")


def upsampling(code, layer, attr, out, ins, act):
    sh, sw = layer.factors
    mode = layer.config["interpolation"]
    corners = ", align_corners=False" if mode == "bilinear" else ""
    code.module(attr, f'nn.Upsample(scale_factor=({sh}, {sw}), mode="{mode}"{corners})')
    code.line(f"{out} = self.{attr}({ins[0]})")


def layer_norm(code, layer, attr, out, ins, act):
    d = layer.params["gamma"].shape[0]
    code.module(attr, f"nn.LayerNorm({d}, eps={layer.config['epsilon']:g})")
    code.state(attr, weight=layer.params["gamma"], bias=layer.params["beta"])
    code.line(f"{out} = self.{attr}({ins[0]})")


# ---- recurrent --------------------------------------------------------------------------
_RNN_CLASSES = {"SimpleRNN": "RNN", "LSTM": "LSTM", "GRU": "GRU"}


def _recurrent_state(layer, suffix: str) -> dict:
    """One direction's weights in PyTorch's names (``suffix`` "" or "_reverse")."""
    p, h = layer.params, layer.config["units"]
    bias_hh = None
    if "b" + suffix in p:
        bias_hh = np.zeros(p["W"].shape[1], p["b" + suffix].dtype)
        if "b_hn" + suffix in p:
            bias_hh[2 * h:] = p["b_hn" + suffix]
    return {f"weight_ih_l0{suffix}": p["W" + suffix].T, f"weight_hh_l0{suffix}": p["U" + suffix].T,
            f"bias_ih_l0{suffix}": p.get("b" + suffix), f"bias_hh_l0{suffix}": bias_hh}


def recurrent(code, layer, attr, out, ins, act):
    """The engine stores PyTorch's weights transposed, with one bias per gate; the
    recurrent bias is zero but for the GRU's n gate (b_hn). Both directions: PyTorch's
    ``bidirectional=True`` with the ``*_reverse`` weights; the last-state output is the
    forward state after the last step and the backward one after step 0."""
    d = layer.params["W"].shape[0]
    h = layer.config["units"]
    both = bool(layer.config.get("bidirectional"))
    args = [str(d), str(h), "batch_first=True"]
    if layer.type_name == "SimpleRNN":
        args.insert(2, f'nonlinearity="{layer.config["activation"]}"')
    if "b" not in layer.params:
        args.append("bias=False")
    if both:
        args.append("bidirectional=True")
    code.module(attr, f"nn.{_RNN_CLASSES[layer.type_name]}({', '.join(args)})")
    for suffix in ("", "_reverse")[:1 + both]:
        code.state(attr, **_recurrent_state(layer, suffix))
    code.line(f"{out}, _ = self.{attr}({ins[0]})")
    if layer.config["return_sequences"]:
        return
    if both:
        code.line(f"{out} = torch.cat([{out}[:, -1, :{h}], {out}[:, 0, {h}:]], dim=1)  "
                  f"# each direction's last state")
    else:
        code.line(f"{out} = {out}[:, -1]  # the last step's state")


# ---- attention --------------------------------------------------------------------------
def multi_head_attention(code, layer, attr, out, ins, act):
    """``nn.MultiheadAttention`` with the engine's weights as they are (its layout);
    causal: a boolean mask, True above the diagonal (those keys are hidden)."""
    t, d = layer.input_shapes[0]
    bias = "b_in" in layer.params
    code.module(attr, f"nn.MultiheadAttention({d}, {layer.config['heads']}, "
                      f"bias={bias}, batch_first=True)")
    code.state(attr, in_proj_weight=layer.params["W_in"], in_proj_bias=layer.params.get("b_in"),
               **{"out_proj.weight": layer.params["W_out"],
                  "out_proj.bias": layer.params.get("b_out")})
    mask = ""
    if layer.config["causal"]:
        mask = f", attn_mask=torch.ones({t}, {t}, dtype=torch.bool, device={ins[0]}.device).triu(1)"
    code.line(f"{out}, _ = self.{attr}({ins[0]}, {ins[0]}, {ins[0]}, need_weights=False{mask})")


def position_embedding(code, layer, attr, out, ins, act):
    """The learned vectors as an ``nn.Embedding``'s weight (max_len, D): x + P[:T]."""
    m, d = layer.params["P"].shape
    t = layer.input_shapes[0][0]
    code.module(attr, f"nn.Embedding({m}, {d})")
    code.state(attr, weight=layer.params["P"])
    code.line(f"{out} = {ins[0]} + self.{attr}.weight[:{t}]")
# ---- 1-D convolution and pooling on sequences (N, T, C), global max pools, Multiply ---------
# PyTorch's 1-D layers take (N, C, T): each transposes in and out around its module.
def _pad1d(x: str, pads, value: str = "") -> str:
    return f"F.pad({x}, ({pads[0]}, {pads[1]}){value})"


def conv1d(code, layer, attr, out, ins, act):
    f, c, k = layer.params["W"].shape
    before, after = pads = sequence_pads(layer)
    even = before == after
    args = [str(c), str(f), f"kernel_size={k}", f"stride={layer.config['stride']}"]
    if even and before:
        args.append(f"padding={before}")
    if layer.config["dilation"] != 1:
        args.append(f"dilation={layer.config['dilation']}")
    if "b" not in layer.params:
        args.append("bias=False")
    code.module(attr, f"nn.Conv1d({', '.join(args)})")
    code.state(attr, weight=layer.params["W"], bias=layer.params.get("b"))
    x = f"{ins[0]}.transpose(1, 2)"
    x = x if even else _pad1d(x, pads)
    code.line(f"{out} = {apply(act, f'self.{attr}({x}).transpose(1, 2)')}")


def _pool1d_args(layer, pads) -> tuple[list[str], bool]:
    k, (before, after) = layer.config["pool_size"], pads
    own = before == after and before <= k // 2
    args = [str(k), f"stride={layer.stride}"]
    if own and before:
        args.append(f"padding={before}")
    return args, own


def max_pool1d(code, layer, attr, out, ins, act):
    pads = sequence_pads(layer)
    args, own = _pool1d_args(layer, pads)
    code.module(attr, f"nn.MaxPool1d({', '.join(args)})")
    x = f"{ins[0]}.transpose(1, 2)"
    x = x if own else _pad1d(x, pads, ', value=float("-inf")')
    code.line(f"{out} = self.{attr}({x}).transpose(1, 2)")


def avg_pool1d(code, layer, attr, out, ins, act):
    """As AvgPool2D: a number's zeros count; "same" averages the real values only,
    through the ``avg_pool1d_real`` helper when the padding is uneven."""
    pads = sequence_pads(layer)
    args, own = _pool1d_args(layer, pads)
    x = f"{ins[0]}.transpose(1, 2)"
    if layer.config["padding"] == "same" and any(pads):
        if not own:
            code.helper("avg_pool1d_real")
            code.line(f"{out} = avg_pool1d_real({x}, {layer.config['pool_size']}, "
                      f"{layer.stride}, {tuple(pads)}).transpose(1, 2)")
            return
        args.append("count_include_pad=False")
    code.module(attr, f"nn.AvgPool1d({', '.join(args)})")
    code.line(f"{out} = self.{attr}({x}).transpose(1, 2)")


def global_avg_pool1d(code, layer, attr, out, ins, act):
    code.line(f"{out} = {ins[0]}.mean(dim=1)")


def global_max_pool1d(code, layer, attr, out, ins, act):
    """max(dim) sends the gradient to the first maximum, as the engine (amax splits it)."""
    code.line(f"{out} = {ins[0]}.max(dim=1).values")


def global_max_pool2d(code, layer, attr, out, ins, act):
    code.line(f"{out} = {ins[0]}.flatten(2).max(dim=2).values")


def multiply(code, layer, attr, out, ins, act):
    code.line(f"{out} = {' * '.join(ins)}")


EMITTERS = {
    "Dense": dense, "Activation": activation, "Dropout": dropout, "Flatten": flatten,
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
EMITTERS["GlobalAveragePool1D"] = global_avg_pool1d
EMITTERS["GlobalMaxPool1D"] = global_max_pool1d
EMITTERS["GlobalMaxPool2D"] = global_max_pool2d
EMITTERS["Multiply"] = multiply
