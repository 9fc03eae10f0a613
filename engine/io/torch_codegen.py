"""PyTorch export: a readable ``model.py`` (an ``nn.Module`` with the same architecture,
its forward following the graph, branches and merges included), the weights in
PyTorch's layout as ``weights.safetensors``, and a ``README.txt``.

``model.py`` needs PyTorch and NumPy only (it reads the safetensors file with a few
lines of NumPy; ``safetensors.torch.load_file`` reads it too). Like the ONNX export, the
module takes raw inputs: the input standardisation is built in (buffers ``input_mean``
and ``input_std``), and so is the softmax or sigmoid the loss fused; ``forward(x,
logits=True)`` stops before that final activation, for training with PyTorch's
``CrossEntropyLoss`` or ``BCEWithLogitsLoss``.
"""
from __future__ import annotations

import keyword
import re
import unicodedata
from pathlib import Path

import numpy as np

from ..inference import TrainedModel
from . import safetensors_lite
from ..atomic import write_atomic
from .common import ExportError, layer_names, logits_activation
from .torch_layers import EMITTERS, apply
from .torch_text import HELPERS, module_head, readme_text

MODEL_FILE, WEIGHTS_FILE, README_FILE = "model.py", "weights.safetensors", "README.txt"

# nn.Module's own attributes (torch 2.x) and names the generated code uses itself.
_RESERVED = set("""T_destination add_module apply bfloat16 buffers call_super_init children
compile cpu cuda double dump_patches eval extra_repr float forward get_buffer
get_extra_state get_parameter get_submodule half ipu load_state_dict modules mtia
named_buffers named_children named_modules named_parameters parameters
register_backward_hook register_buffer register_forward_hook register_forward_pre_hook
register_full_backward_hook register_full_backward_pre_hook
register_load_state_dict_post_hook register_load_state_dict_pre_hook register_module
register_parameter register_state_dict_post_hook register_state_dict_pre_hook
requires_grad_ set_extra_state set_submodule share_memory state_dict to to_empty train
training type xpu zero_grad x logits self torch nn F np input_mean input_std""".split())


class Program:
    """What the emitters build: module declarations, forward lines, weights, helpers."""

    def __init__(self):
        self.modules: list[tuple[str, str]] = []
        self.lines: list[str] = []
        self.tensors: dict[str, np.ndarray] = {}
        self.helpers: list[str] = []

    def module(self, attr: str, constructor: str) -> None:
        self.modules.append((attr, constructor))

    def line(self, text: str) -> None:
        self.lines.append(text)

    def state(self, attr: str, **arrays) -> None:
        for name, arr in arrays.items():
            if arr is not None:
                arr = np.asarray(arr)
                cast = arr.astype(np.float32) if arr.dtype.kind == "f" else arr
                self.tensors[f"{attr}.{name}"] = cast.copy(order="C")

    def helper(self, name: str) -> None:
        if name not in self.helpers:
            self.helpers.append(name)


def identifiers(names: dict[str, str]) -> dict[str, str]:
    """Layer id -> a Python identifier made from the layer's name: ASCII letters, digits
    and underscores only (after NFKC, so "ｆｃ" reads as "fc"; Python would fold such
    names together and two layers would share a state-dict key), unique, never a
    keyword or one of nn.Module's attributes."""
    out, taken = {}, set()
    for layer_id, name in names.items():
        folded = unicodedata.normalize("NFKC", str(name)).strip()
        ident = re.sub(r"[^A-Za-z0-9_]", "_", folded).strip("_") or "layer"
        if ident[0].isdigit():
            ident = f"layer_{ident}"
        if keyword.iskeyword(ident) or ident in _RESERVED:
            ident = f"{ident}_layer"
        base, n = ident, 1
        while ident in taken:
            n += 1
            ident = f"{base}_{n}"
        taken.add(ident)
        out[layer_id] = ident
    return out


def export_pytorch(model: TrainedModel, folder: Path) -> list[Path]:
    """Write model.py, weights.safetensors and README.txt into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    program, class_name = build_program(model)
    source = render_source(model, program, class_name)
    compile(source, MODEL_FILE, "exec")  # a syntax error here is a bug in the generator
    paths = [folder / MODEL_FILE, folder / WEIGHTS_FILE, folder / README_FILE]
    write_atomic(paths[0], source.encode("utf-8"))
    write_atomic(paths[1], safetensors_lite.to_bytes(program.tensors, {"format": "pt"}))
    write_atomic(paths[2], readme_text(model, class_name).encode("utf-8"))
    return paths


def build_program(model: TrainedModel, program: Program | None = None) -> tuple[Program, str]:
    """The emitters' output for a model; ``program`` may be a Program that keeps the
    weights otherwise (the PyTorch training backend builds live modules from it)."""
    net = model.network
    names = layer_names(net)
    idents = identifiers(names)
    program = program if program is not None else Program()
    _standardise(program, model)
    final, own = logits_activation(model)
    variables = {net.input_id: "x"}
    for node in net.nodes:
        layer = node.layer
        emit = EMITTERS.get(layer.type_name)
        if emit is None:
            raise ExportError(f"PyTorch export does not support {layer.type_name} layers "
                              f"yet ('{names[node.id]}')")
        act = getattr(layer, "final_activation", "linear")
        if own and node.id == net.output_id:
            act = "linear"  # applied after the ``logits`` check instead
        out = variables[node.id] = idents[node.id]
        emit(program, layer, idents[node.id], out, [variables[i] for i in node.inputs], act)
    _finish(program, variables[net.output_id], final)
    return program, class_name_of(model.project.name)


def _standardise(program: Program, model: TrainedModel) -> None:
    norm = model.normalizer
    if norm is None:
        return
    shape = [len(norm.mean)] + [1] * (len(model.network.spec.input_shape) - norm.axis)
    program.tensors["input_mean"] = norm.mean.reshape(shape).astype(np.float32)
    program.tensors["input_std"] = norm.std.reshape(shape).astype(np.float32)
    program.line("x = (x - self.input_mean) / self.input_std  # as standardised in training")


def _finish(program: Program, out: str, final: str | None) -> None:
    if final is None:
        program.line(f"return {out}")
        return
    program.line("if logits:")
    program.line(f"    return {out}")
    program.line(f"return {apply(final, out)}")


def class_name_of(project_name: str) -> str:
    words = re.findall(r"[A-Za-z0-9]+", project_name or "")
    name = "".join(w[:1].upper() + w[1:] for w in words) or "Model"
    name = name if not name[0].isdigit() else f"Model{name}"
    if keyword.iskeyword(name):  # "None", "True", "False" are classes no one may define
        return f"{name}Model"
    return name if name not in ("Model", "F", "nn", "np", "torch") else "ExportedModel"


def render_source(model: TrainedModel, program: Program, class_name: str) -> str:
    final, _ = logits_activation(model)
    init = ["super().__init__()"]
    for buffer, fill in (("input_mean", "zeros"), ("input_std", "ones")):
        if buffer in program.tensors:
            dims = ", ".join(str(d) for d in program.tensors[buffer].shape)
            init.append(f'self.register_buffer("{buffer}", torch.{fill}({dims}))')
    init += [f"self.{attr} = {ctor}" for attr, ctor in program.modules]
    signature = "self, x, logits=False" if final else "self, x"
    body = "\n".join(
        [f"class {class_name}(nn.Module):",
         '    """The network of the NeuroCanvas project PROJECT_NAME."""', "",
         "    def __init__(self):"] + [f"        {t}" for t in init] + ["",
         f"    def forward({signature}):"] + [f"        {t}" for t in program.lines])
    helpers = "".join(HELPERS[name] for name in program.helpers)
    doc, constants, example = module_head(model, final)
    loading = HELPERS["loading"].format(cls=class_name, weights=WEIGHTS_FILE)
    return (doc + _imports(body + helpers + example) + "\n" + constants + example + helpers
            + "\n\n" + body + "\n" + loading)


def _imports(code: str) -> str:
    lines = ["import json", "import struct", "from pathlib import Path", "",
             "import numpy as np", "import torch"]
    if "F." in code:
        lines.append("import torch.nn.functional as F")
    lines.append("from torch import nn")
    return "\n".join(lines) + "\n"
