"""Trained projects for the export tests: every bundled example, plus small synthetic
designs that between them use every registered layer type (and the awkward settings:
uneven "same" padding, strides, dilation, per-step outputs, no biases, branches)."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from engine.data import prepare
from engine.layers import layer_types
from engine.project import Project, load_project
from engine.run import make_job, run_job
from engine.settings import training_settings
from engine.spec import NetworkSpec

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = sorted((ROOT / "resources" / "examples").glob("*.ncproj"))


def graph(input_shape, kind, layers, edges=None) -> NetworkSpec:
    """``layers``: (name, type, config); edges default to a chain from the Input."""
    items = [{"id": "input", "type": "Input", "name": "input",
              "config": {"shape": list(input_shape), "kind": kind}}]
    items += [{"id": n, "type": t, "name": n, "config": c} for n, t, c in layers]
    if edges is None:
        ids = [item["id"] for item in items]
        edges = list(zip(ids[:-1], ids[1:]))
    return NetworkSpec.from_dict({"version": 1, "layers": items,
                                  "edges": [{"from": a, "to": b} for a, b in edges]})


def train_project(project: Project, data_config: dict, base_dir=None, epochs: int = 1,
                  batch_size: int | None = None) -> Project:
    """Train a few steps through the run path ``neurocanvas train`` takes, and keep
    what it keeps."""
    settings = dict(project.training, epochs=epochs)
    if batch_size:
        settings["batch_size"] = batch_size
    settings = training_settings(settings)
    data = prepare(data_config, settings["seed"], base_dir=base_dir)
    *_, result = run_job(make_job(project.spec, data, settings, data_config=data_config))
    return replace(project, data=data_config, training=settings).with_results(result)


def trained_example(path: Path) -> Project:
    project = load_project(path)
    return train_project(project, project.data, base_dir=path.parent)


# ---- synthetic designs ------------------------------------------------------------------
# name -> (input shape, input kind, layers (name, type, config), edges or None for a
# chain, target kind, classes or outputs)
SYNTHETIC = {
    "mlp": ((6,), "features", [
        ("relu1", "Dense", {"units": 8, "activation": "relu"}),
        ("leaky", "Dense", {"units": 8, "activation": "leaky_relu"}),
        ("gelu", "Dense", {"units": 8, "activation": "gelu", "use_bias": False}),
        ("drop", "Dropout", {"rate": 0.3}),
        ("sig", "Dense", {"units": 8, "activation": "sigmoid"}),
        ("act", "Activation", {"activation": "tanh"}),
        ("logits", "Dense", {"units": 3, "activation": "linear"}),
    ], None, "classes", 3),
    "mlp_bn": ((4,), "features", [
        ("hidden", "Dense", {"units": 6, "activation": "linear"}),
        ("norm", "BatchNorm", {"momentum": 0.3, "epsilon": 1e-3}),
        ("act", "Activation", {"activation": "relu"}),
        ("out", "Dense", {"units": 2, "activation": "sigmoid"}),
    ], None, "regression", 2),
    "branches": ((5,), "features", [
        ("left", "Dense", {"units": 6, "activation": "tanh"}),
        ("right", "Dense", {"units": 6, "activation": "relu"}),
        ("third", "Dense", {"units": 6, "activation": "linear"}),
        ("sum", "Add", {}),
        ("join", "Concatenate", {"axis": -1}),
        ("out", "Dense", {"units": 1, "activation": "linear"}),
    ], [("input", "left"), ("input", "right"), ("input", "third"), ("left", "sum"),
        ("right", "sum"), ("third", "sum"), ("sum", "join"), ("left", "join"),
        ("join", "out")], "binary", 1),
    "cnn": ((2, 9, 9), "image", [
        ("conv_same", "Conv2D", {"filters": 4, "kernel_size": [3], "activation": "relu"}),
        ("conv_even", "Conv2D", {"filters": 3, "kernel_size": [2, 3], "stride": 2,
                                 "padding": "same", "activation": "gelu"}),
        ("bn", "BatchNorm", {}),
        ("maxp", "MaxPool2D", {"pool_size": 3, "stride": 1, "padding": 1}),
        ("avg_same", "AvgPool2D", {"pool_size": 2, "stride": 1, "padding": "same"}),
        ("avg_num", "AvgPool2D", {"pool_size": 3, "stride": 1, "padding": 1}),
        ("conv_dil", "Conv2D", {"filters": 4, "kernel_size": [2], "dilation": 2,
                                "padding": "valid", "use_bias": False,
                                "activation": "leaky_relu"}),
        ("gap", "GlobalAveragePool2D", {}),
        ("out", "Dense", {"units": 3, "activation": "softmax"}),
    ], None, "classes", 3),
    "cnn_branches": ((12,), "features", [
        ("to_image", "Reshape", {"target_shape": [3, 2, 2]}),
        ("conv_a", "Conv2D", {"filters": 2, "kernel_size": [1], "activation": "tanh"}),
        ("conv_b", "Conv2D", {"filters": 3, "kernel_size": [3], "padding": 1,
                              "activation": "sigmoid"}),
        ("channels", "Concatenate", {"axis": 0}),
        ("maxp_same", "MaxPool2D", {"pool_size": 2, "padding": "same"}),
        ("avg_same_even", "AvgPool2D", {"pool_size": 3, "stride": 1, "padding": "same"}),
        ("flat", "Flatten", {}),
        ("out", "Dense", {"units": 2, "activation": "linear"}),
    ], [("input", "to_image"), ("to_image", "conv_a"), ("to_image", "conv_b"),
        ("conv_a", "channels"), ("conv_b", "channels"), ("channels", "maxp_same"),
        ("maxp_same", "avg_same_even"), ("avg_same_even", "flat"), ("flat", "out")],
        "regression", 2),
    "recurrent": ((7, 3), "sequence", [
        ("rnn", "SimpleRNN", {"units": 5, "return_sequences": True, "activation": "relu"}),
        ("lstm", "LSTM", {"units": 6, "return_sequences": True}),
        ("bn_seq", "BatchNorm", {}),
        ("rnn_tanh", "SimpleRNN", {"units": 4, "return_sequences": True, "use_bias": False}),
        ("gru", "GRU", {"units": 4}),
        ("out", "Dense", {"units": 2, "activation": "linear"}),
    ], None, "regression", 2),
    "reshape_lstm": ((12,), "features", [
        ("steps", "Reshape", {"target_shape": [3, 4]}),
        ("per_step", "Dense", {"units": 5, "activation": "tanh"}),
        ("lstm", "LSTM", {"units": 5, "use_bias": False}),
        ("out", "Dense", {"units": 3, "activation": "linear"}),
    ], None, "classes", 3),
    "tokens": ((6,), "tokens", [
        ("embed", "Embedding", {"vocab_size": 11, "dim": 5}),
        ("gru", "GRU", {"units": 6, "return_sequences": True}),
        ("gru_nobias", "GRU", {"units": 5, "return_sequences": True, "use_bias": False}),
        ("next_token", "Dense", {"units": 11, "activation": "softmax"}),
    ], None, "per_step", 11),
    "attention": ((6,), "tokens", [
        ("embed", "Embedding", {"vocab_size": 11, "dim": 8}),
        ("positions", "PositionEmbedding", {"max_len": 9}),
        ("attend", "MultiHeadAttention", {"heads": 2, "causal": True}),
        ("residual", "Add", {}),
        ("attend_all", "MultiHeadAttention", {"heads": 4, "use_bias": False}),
        ("next_token", "Dense", {"units": 11, "activation": "softmax"}),
    ], [("input", "embed"), ("embed", "positions"), ("positions", "attend"),
        ("positions", "residual"), ("attend", "residual"), ("residual", "attend_all"),
        ("attend_all", "next_token")], "per_step", 11),
    "bidirectional": ((5, 3), "sequence", [
        ("rnn_both", "SimpleRNN", {"units": 3, "return_sequences": True,
                                   "bidirectional": True}),
        ("lstm_both", "LSTM", {"units": 4, "return_sequences": True, "bidirectional": True}),
        ("gru_both", "GRU", {"units": 3, "bidirectional": True}),
        ("out", "Dense", {"units": 2, "activation": "linear"}),
    ], None, "regression", 2),
    "bidirectional_last": ((4, 2), "sequence", [
        ("lstm_last", "LSTM", {"units": 3, "bidirectional": True, "use_bias": False}),
        ("out", "Dense", {"units": 3, "activation": "linear"}),
    ], None, "classes", 3),
}
# 1-D convolution and pooling (uneven "same" padding, strides, dilation, a number of
# padding steps, no bias), Conv1D -> LSTM, global pools over steps, Multiply.
SYNTHETIC["conv1d"] = ((23, 3), "sequence", [
    ("c_same", "Conv1D", {"filters": 4, "kernel_size": 3, "activation": "relu"}),
    ("c_even", "Conv1D", {"filters": 5, "kernel_size": 2, "activation": "gelu"}),
    ("mp", "MaxPool1D", {"pool_size": 2}),
    ("c_dil", "Conv1D", {"filters": 4, "kernel_size": 3, "dilation": 2, "padding": 2,
                         "use_bias": False, "activation": "leaky_relu"}),
    ("avg_uneven", "AvgPool1D", {"pool_size": 2, "stride": 1, "padding": "same"}),
    ("avg_even", "AvgPool1D", {"pool_size": 3, "stride": 1, "padding": "same"}),
    ("mp_same", "MaxPool1D", {"pool_size": 2, "padding": "same"}),
    ("c_stride", "Conv1D", {"filters": 4, "kernel_size": 3, "stride": 2, "padding": "same",
                            "activation": "tanh"}),
    ("avg_num", "AvgPool1D", {"pool_size": 3, "stride": 2, "padding": 1}),
    ("gmp", "GlobalMaxPool1D", {}),
    ("gap", "GlobalAveragePool1D", {}),
    ("gate", "Multiply", {}),
    ("lstm", "LSTM", {"units": 4}),
    ("join", "Concatenate", {"axis": -1}),
    ("out", "Dense", {"units": 3, "activation": "softmax"}),
], [("input", "c_same"), ("c_same", "c_even"), ("c_even", "mp"), ("mp", "c_dil"),
    ("c_dil", "avg_uneven"), ("avg_uneven", "avg_even"), ("avg_even", "mp_same"),
    ("mp_same", "c_stride"), ("c_stride", "avg_num"), ("avg_num", "gmp"), ("avg_num", "gap"),
    ("gmp", "gate"), ("gap", "gate"), ("c_stride", "lstm"), ("gate", "join"),
    ("lstm", "join"), ("join", "out")], "classes", 3)
SYNTHETIC["conv_gates"] = ((2, 6, 6), "image", [
    ("conv_a", "Conv2D", {"filters": 3, "activation": "relu"}),
    ("conv_b", "Conv2D", {"filters": 3, "activation": "sigmoid"}),
    ("conv_c", "Conv2D", {"filters": 3, "kernel_size": [1], "activation": "tanh"}),
    ("gates", "Multiply", {}),
    ("gmp2d", "GlobalMaxPool2D", {}),
    ("out", "Dense", {"units": 2, "activation": "linear"}),
], [("input", "conv_a"), ("input", "conv_b"), ("input", "conv_c"), ("conv_a", "gates"),
    ("conv_b", "gates"), ("conv_c", "gates"), ("gates", "gmp2d"), ("gmp2d", "out")],
    "regression", 2)

# Layers that enlarge images, and layer normalisation (on vectors and on sequences).
SYNTHETIC["decoder"] = ((2, 6, 6), "image", [
    ("down", "Conv2D", {"filters": 3, "stride": 2, "padding": "same"}),
    ("up_learned", "Conv2DTranspose", {"filters": 4, "activation": "tanh"}),
    ("up_bilinear", "UpSampling2D", {"interpolation": "bilinear"}),
    ("up_nearest", "UpSampling2D", {"size": [1, 2]}),
    ("up_past_canvas", "Conv2DTranspose", {"filters": 2, "kernel_size": [2, 3], "stride": 3,
                                           "padding": 0, "output_padding": 2,
                                           "use_bias": False, "activation": "linear"}),
    ("crop", "Conv2DTranspose", {"filters": 2, "kernel_size": 4, "stride": 2, "padding": 3,
                                 "output_padding": 0, "activation": "sigmoid"}),
    ("gap", "GlobalAveragePool2D", {}),
    ("norm", "LayerNorm", {"epsilon": 1e-3}),
    ("out", "Dense", {"units": 2, "activation": "linear"}),
], None, "regression", 2)
SYNTHETIC["layernorm_sequence"] = ((5, 4), "sequence", [
    ("norm_in", "LayerNorm", {}),
    ("lstm", "LSTM", {"units": 6, "return_sequences": True}),
    ("norm_steps", "LayerNorm", {}),
    ("gru", "GRU", {"units": 3}),
    ("out", "Dense", {"units": 3, "activation": "softmax"}),
], None, "classes", 3)


def synthetic_types(name: str) -> set[str]:
    """The layer types a synthetic design uses (read without building it)."""
    return {"Input"} | {t for _, t, _ in SYNTHETIC[name][2]}


def synthetic_spec(name: str) -> NetworkSpec:
    shape, kind, layers, edges = SYNTHETIC[name][:4]
    return graph(shape, kind, layers, edges)


def _data(shape, kind, target, classes, n=48, seed=0):
    rng = np.random.default_rng(seed)
    if kind == "tokens":
        x = rng.integers(0, classes, (n,) + shape).astype(np.int64)
    else:
        x = rng.normal(0.5, 2.0, (n,) + shape).astype(np.float32)
    if target == "classes":
        y = np.arange(n) % classes
    elif target == "binary":
        y = np.arange(n) % 2
    elif target == "per_step":
        y = np.roll(x, -1, axis=1)
    else:
        y = rng.normal(size=(n, classes)).astype(np.float32)
    return x, y


def trained_synthetic(name: str, folder: Path) -> Project:
    shape, kind, _, _, target, classes = SYNTHETIC[name]
    x, y = _data(shape, kind, target, classes)
    path = folder / f"{name}_data.npz"
    np.savez(path, x=x, y=y)
    task = "regression" if target == "regression" else "classification"
    config = {"source": "npz", "path": str(path), "input_kind": kind, "task": task,
              "validation_split": 0.0, "test_split": 0.0}
    project = Project(synthetic_spec(name), name=name, training={"learning_rate": 0.01})
    return train_project(project, config, batch_size=16)


# ---- the cases every export test runs over ------------------------------------------
REGISTERED = {cls.type_name for cls in layer_types()}
CASES = [path.stem for path in EXAMPLES] + [
    f"synthetic:{name}" for name in SYNTHETIC if synthetic_types(name) <= REGISTERED]


@pytest.fixture(scope="session")
def trained(tmp_path_factory):
    """``trained(case)``: the case's project trained for one epoch (each once a session)."""
    folder = tmp_path_factory.mktemp("export_cases")
    by_stem = {path.stem: path for path in EXAMPLES}
    cache: dict[str, Project] = {}

    def get(case: str) -> Project:
        if case not in cache:
            kind, _, name = case.rpartition(":")
            cache[case] = (trained_synthetic(name, folder) if kind
                           else trained_example(by_stem[name]))
        return cache[case]
    return get
