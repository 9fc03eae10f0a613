"""Weights by layer name: NumPy ``.npz`` and ``.safetensors`` files, and importing them back.

Every trained weight and state buffer is one array named ``<layer name>.<param>``
(``hidden1.W``, ``bn1.running_mean``), in the layout the engine uses (see
``layouts.py``). Two JSON documents travel with the arrays: the design (the
``NetworkSpec``) and the export info (input kind and shape, the input standardiser,
the activation applied after the network, class names and one layout line per array).
In an ``.npz`` they are 0-d string arrays ``__design__`` and ``__export__`` (readable
with ``allow_pickle=False``); in a ``.safetensors`` file, ``__metadata__`` entries
``design`` and ``export``.
"""
from __future__ import annotations

import io
import json
import zipfile
from dataclasses import replace
from pathlib import Path

import numpy as np

from ..errors import ProjectError
from ..inference import TrainedModel
from ..layers import fmt_shape
from ..network import Network
from ..project import Project
from . import safetensors_lite
from ..atomic import write_atomic
from .common import added_activation, layer_names, weight_key
from .layouts import layout_of

FORMAT = "neurocanvas-weights"
VERSION = 1
DESIGN_KEY, INFO_KEY = "__design__", "__export__"


# ---- writing ----------------------------------------------------------------------------
def named_arrays(network: Network) -> dict[str, np.ndarray]:
    """Every weight and state buffer keyed ``<layer name>.<param>``, in graph order."""
    names = layer_names(network)
    return {weight_key(names[node.id], param): np.array(arr, copy=True)
            for node in network.nodes
            for param, arr in {**node.layer.params, **node.layer.state}.items()}


def export_info(model: TrainedModel) -> dict:
    """What a program needs, besides the arrays, to compute what NeuroCanvas computes."""
    net = model.network
    names = layer_names(net)
    arrays = {}
    for node in net.nodes:
        layer = node.layer
        for param, arr in {**layer.params, **layer.state}.items():
            arrays[weight_key(names[node.id], param)] = {
                "layer": layer.name, "type": layer.type_name, "param": param,
                "shape": list(arr.shape), "trained": param in layer.params,
                "layout": layout_of(layer.type_name, param, arr.shape)}
    shape = net.report.layers[net.input_id].output_shape
    return {
        "format": FORMAT, "version": VERSION, "project": model.project.name,
        "input": {"kind": net.input_kind, "shape": list(shape),
                  "dtype": "int64" if net.input_kind == "tokens" else "float32"},
        "output_shape": list(net.report.output_shape),
        "normalizer": model.normalizer.to_dict() if model.normalizer else None,
        "output_activation": added_activation(model),
        "task": model.task, "loss": model.loss, "class_names": model.class_names,
        "vocabulary": list(model.dataset.get("vocabulary") or []),
        "arrays": arrays,
    }


def write_npz(model: TrainedModel, path: Path) -> Path:
    arrays = named_arrays(model.network)
    arrays[DESIGN_KEY] = np.array(model.network.spec.to_json())
    arrays[INFO_KEY] = np.array(json.dumps(export_info(model), indent=1))
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    write_atomic(path, buf.getvalue())
    return path


def write_safetensors(model: TrainedModel, path: Path) -> Path:
    metadata = {"format": FORMAT, "version": str(VERSION),
                "design": model.network.spec.to_json(),
                "export": json.dumps(export_info(model), indent=1)}
    write_atomic(path, safetensors_lite.to_bytes(named_arrays(model.network), metadata))
    return path


# ---- reading ----------------------------------------------------------------------------
def read_weights(path: str | Path) -> tuple[dict[str, np.ndarray], dict | None]:
    """(arrays by name, export info or None) from an .npz or .safetensors file."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".npz", ".safetensors"):
        raise ProjectError(f"{path.name}: weights are imported from .npz or .safetensors "
                           f"files, not {suffix or 'a file without extension'}")
    try:
        if suffix == ".npz":
            arrays, text = _read_npz(path)
        else:
            arrays, metadata = safetensors_lite.load(path)
            text = metadata.get("export")
    except FileNotFoundError:
        raise ProjectError(f"{path}: no such file") from None
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
        raise ProjectError(f"{path.name} is damaged or not a weight file ({exc})") from None
    try:
        info = json.loads(text) if text else None
    except json.JSONDecodeError:
        info = None  # the arrays are still good; only the description is lost
    return arrays, info if isinstance(info, dict) else None


def _read_npz(path: Path) -> tuple[dict[str, np.ndarray], str | None]:
    npz = np.load(path, allow_pickle=False)
    if not isinstance(npz, np.lib.npyio.NpzFile):
        raise ValueError("it holds one array, not named weights")
    with npz:
        arrays = {k: npz[k] for k in npz.files}
    text = arrays.pop(INFO_KEY, None)
    arrays = {k: v for k, v in arrays.items() if not k.startswith("__")}
    return arrays, None if text is None else str(text)


def import_weights(project: Project, path: str | Path) -> Project:
    """The project with the weights of an .npz or .safetensors file, matched by layer
    name (``<layer name>.<param>``). Every missing, unexpected or misshapen tensor is
    named in one ProjectError. The file's input standardiser, loss and class names
    (written by an export) come along, since they belong to those weights."""
    path = Path(path)
    arrays, info = read_weights(path)
    network = Network(project.spec)
    names = layer_names(network)
    expected = {weight_key(names[node.id], p): (f"{node.id}/{p}", arr)
                for node in network.nodes
                for p, arr in {**node.layer.params, **node.layer.state}.items()}
    _check_fit(path, arrays, expected)
    weights = {key: arrays[name].astype(network.dtype) for name, (key, _) in expected.items()}
    return replace(project, weights=weights,
                   preprocessing=_preprocessing(project.preprocessing, info, path))


def _check_fit(path: Path, arrays: dict, expected: dict) -> None:
    issues = [f"missing {k} {fmt_shape(v[1].shape)}" for k, v in expected.items()
              if k not in arrays]
    issues += [f"unexpected {k}" for k in arrays if k not in expected]
    for key, (_, target) in expected.items():
        arr = arrays.get(key)
        if arr is None:
            continue
        if arr.shape != target.shape:
            issues.append(f"{key} is {fmt_shape(arr.shape)}, expected {fmt_shape(target.shape)}")
        elif arr.dtype.kind not in "fiu":
            issues.append(f"{key} holds {arr.dtype} values, not numbers")
        elif not np.all(np.isfinite(arr)):
            issues.append(f"{key} holds NaN or infinite values")
    if issues:
        raise ProjectError(f"The weights in {path.name} do not fit this design: "
                           + "; ".join(issues))


def _preprocessing(current: dict | None, info: dict | None, path: Path) -> dict | None:
    if not info:
        return current
    prep = dict(current or {})
    dataset = dict(prep.get("dataset") or {})
    for key in ("task", "class_names", "vocabulary"):
        if key in info:
            dataset[key] = info[key]
    prep.update({"loss": info.get("loss", prep.get("loss", "mse")),
                 "normalizer": info.get("normalizer"), "dataset": dataset,
                 "imported_from": path.name})
    return prep
