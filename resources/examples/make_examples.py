"""Regenerate the bundled example projects (untrained): ``python resources/examples/make_examples.py``.

Each example is a chain of layers laid out left to right, a data description and
training settings that reach the accuracy the tests ask for.
"""
from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from engine.lessons import chain  # noqa: E402  (Input, then layers left to right)
from engine.project import Project, save_project  # noqa: E402
from engine.spec import NetworkSpec  # noqa: E402

LANE = 150.0


def graph(input_shape, kind, layers, edges, lanes):
    """Input then (id, type, config) layers joined by ``edges`` (from, to), laid out left
    to right in list order; ``lanes`` moves a branch's layers below the main line, so a
    skip connection runs above them instead of through them."""
    spec, layout = chain(input_shape, kind, layers)
    data = spec.to_dict()
    data["edges"] = [{"from": a, "to": b} for a, b in edges]
    layout = {k: (x, lanes.get(k, 0) * LANE) for k, (x, _y) in layout.items()}
    return NetworkSpec.from_dict(data), layout


def dense(units, activation="relu"):
    return {"units": units, "activation": activation}


EXAMPLES = {
    "xor": dict(
        net=((2,), "features", [("hidden", "Dense", dense(16, "tanh")),
                                ("output", "Dense", dense(2, "softmax"))]),
        data={"source": "builtin", "name": "xor"},
        training={"epochs": 100, "batch_size": 16, "optimizer": "adam", "learning_rate": 0.02}),
    "spirals": dict(
        net=((2,), "features", [("hidden1", "Dense", dense(64, "tanh")),
                                ("hidden2", "Dense", dense(64, "tanh")),
                                ("hidden3", "Dense", dense(32, "tanh")),
                                ("output", "Dense", dense(2, "softmax"))]),
        data={"source": "builtin", "name": "spirals", "options": {"noise": 0.1}},
        training={"epochs": 250, "batch_size": 32, "optimizer": "adam", "learning_rate": 0.005}),
    "digits_mlp": dict(
        net=((64,), "features", [("hidden1", "Dense", dense(256)),
                                 ("dropout1", "Dropout", {"rate": 0.4}),
                                 ("hidden2", "Dense", dense(128)),
                                 ("dropout2", "Dropout", {"rate": 0.4}),
                                 ("output", "Dense", dense(10, "softmax"))]),
        data={"source": "builtin", "name": "digits"},
        training={"epochs": 80, "batch_size": 32, "optimizer": "adamw", "weight_decay": 0.01,
                  "learning_rate": 0.001, "schedule": "cosine"}),
    "regression": dict(
        net=((1,), "features", [("hidden1", "Dense", dense(32, "tanh")),
                                ("hidden2", "Dense", dense(32, "tanh")),
                                ("output", "Dense", dense(1, "linear"))]),
        data={"source": "builtin", "name": "sine_regression"},
        training={"epochs": 200, "batch_size": 16, "optimizer": "adam", "learning_rate": 0.01}),
    "cnn_digits": dict(
        net=((1, 8, 8), "image", [
            ("conv1", "Conv2D", {"filters": 32, "kernel_size": 3, "padding": "same"}),
            ("conv2", "Conv2D", {"filters": 32, "kernel_size": 3, "padding": "same"}),
            ("pool1", "MaxPool2D", {"pool_size": 2}),
            ("conv3", "Conv2D", {"filters": 64, "kernel_size": 3, "padding": "same"}),
            ("pool2", "MaxPool2D", {"pool_size": 2}),
            ("flatten", "Flatten", {}),
            ("dropout", "Dropout", {"rate": 0.3}),
            ("hidden", "Dense", dense(128)),
            ("output", "Dense", dense(10, "softmax"))]),
        data={"source": "builtin", "name": "digits_images"},
        training={"epochs": 40, "batch_size": 32, "optimizer": "adamw", "weight_decay": 0.01,
                  "learning_rate": 0.002, "schedule": "cosine"}),
    "lstm_forecast": dict(
        net=((20, 1), "sequence", [("lstm", "LSTM", {"units": 32}),
                                   ("output", "Dense", dense(1, "linear"))]),
        data={"source": "builtin", "name": "sine_forecast"},
        training={"epochs": 40, "batch_size": 16, "optimizer": "adam", "learning_rate": 0.005}),
    "gru_classifier": dict(
        net=((32, 1), "sequence", [("gru", "GRU", {"units": 32}),
                                   ("output", "Dense", dense(3, "softmax"))]),
        data={"source": "builtin", "name": "wave_frequency"},
        training={"epochs": 40, "batch_size": 16, "optimizer": "adam", "learning_rate": 0.005}),
    "char_lstm": dict(
        net=((64,), "tokens", [("embedding", "Embedding", {"vocab_size": 62, "dim": 32}),
                               ("lstm", "LSTM", {"units": 128, "return_sequences": True}),
                               ("output", "Dense", dense(62, "softmax"))]),
        data={"source": "builtin", "name": "shakespeare", "options": {"seq_length": 64},
              "test_split": 0.05, "validation_split": 0.05},
        training={"epochs": 15, "batch_size": 32, "optimizer": "adam", "learning_rate": 0.005,
                  "clip_norm": 5.0}),
    # An autoencoder: the digits in, the same digits out, through 16 numbers (4 channels
    # of 2x2); Conv2DTranspose and UpSampling2D enlarge the code back to 8x8. Strided
    # convolutions shrink it, and the code is linear: max pooling's ties on the flat
    # background, and a ReLU code that is exactly 0 over a whole patch, put the
    # gradient check on kinks (it reported 3e-2 where the slopes are one-sided).
    "conv_autoencoder": dict(
        net=((1, 8, 8), "image", [
            ("encode1", "Conv2D", {"filters": 16, "kernel_size": 3, "stride": 2,
                                   "padding": "same"}),
            ("code", "Conv2D", {"filters": 4, "kernel_size": 3, "stride": 2,
                                "padding": "same", "activation": "linear"}),
            ("decode1", "Conv2DTranspose", {"filters": 16, "kernel_size": 3, "stride": 2,
                                            "padding": 1, "output_padding": 1}),
            ("upsample", "UpSampling2D", {"size": 2}),
            ("pixels", "Conv2D", {"filters": 1, "kernel_size": 3, "padding": "same",
                                  "activation": "sigmoid"})]),
        data={"source": "builtin", "name": "digits_images", "reconstruct": True},
        training={"epochs": 40, "batch_size": 32, "optimizer": "adam",
                  "learning_rate": 0.003}),
    # One transformer block without normalisation: causal self-attention and a
    # position-wise Dense, each with a residual Add; the next character at every step.
    "char_transformer": dict(
        net=((64,), "tokens", [("embedding", "Embedding", {"vocab_size": 62, "dim": 64}),
                               ("positions", "PositionEmbedding", {"max_len": 64}),
                               ("attention", "MultiHeadAttention", {"heads": 4,
                                                                    "causal": True}),
                               ("residual1", "Add", {}),
                               ("feed_forward", "Dense", dense(128, "relu")),
                               ("projection", "Dense", dense(64, "linear")),
                               ("residual2", "Add", {}),
                               ("output", "Dense", dense(62, "softmax"))],
                 [("positions", "residual1"), ("residual1", "residual2")]),
        data={"source": "builtin", "name": "shakespeare", "options": {"seq_length": 64},
              "test_split": 0.05, "validation_split": 0.05},
        training={"epochs": 20, "batch_size": 32, "optimizer": "adam", "learning_rate": 0.005,
                  "clip_norm": 5.0}),
}

# A 1-D CNN on time series: three convolutions, each seeing a longer stretch of the signal
# (pooling halves the length between them), then the largest response of each filter
# anywhere in the signal (GlobalMaxPool1D).
EXAMPLES["cnn1d_waveforms"] = dict(
    net=((128, 1), "sequence", [
        ("conv1", "Conv1D", {"filters": 32, "kernel_size": 9, "padding": "same"}),
        ("pool1", "MaxPool1D", {"pool_size": 2}),
        ("conv2", "Conv1D", {"filters": 32, "kernel_size": 7, "padding": "same"}),
        ("pool2", "MaxPool1D", {"pool_size": 2}),
        ("conv3", "Conv1D", {"filters": 64, "kernel_size": 5, "padding": "same"}),
        ("global_max", "GlobalMaxPool1D", {}),
        ("output", "Dense", dense(6, "softmax"))]),
    data={"source": "builtin", "name": "waveforms"},
    training={"epochs": 30, "batch_size": 32, "optimizer": "adam", "learning_rate": 0.002,
              "schedule": "cosine"})

# A residual block (ResNet's idea): two convolutions whose output is ADDED to the block's
# input, so the block learns a correction to it and gradients reach the stem directly
# through the skip connection.
EXAMPLES["residual_digits"] = dict(
    graph=((1, 8, 8), "image", [
        ("stem", "Conv2D", {"filters": 32, "kernel_size": 3, "padding": "same"}),
        ("block_conv1", "Conv2D", {"filters": 32, "kernel_size": 3, "padding": "same"}),
        ("block_conv2", "Conv2D", {"filters": 32, "kernel_size": 3, "padding": "same",
                                   "activation": "linear"}),
        ("skip_add", "Add", {}),
        ("block_relu", "Activation", {"activation": "relu"}),
        ("pool", "MaxPool2D", {"pool_size": 2}),
        ("flatten", "Flatten", {}),
        ("dropout", "Dropout", {"rate": 0.3}),
        ("output", "Dense", dense(10, "softmax"))],
        [("input", "stem"), ("stem", "block_conv1"), ("block_conv1", "block_conv2"),
         ("block_conv2", "skip_add"), ("stem", "skip_add"), ("skip_add", "block_relu"),
         ("block_relu", "pool"), ("pool", "flatten"), ("flatten", "dropout"),
         ("dropout", "output")],
        {"block_conv1": 1, "block_conv2": 1}),
    data={"source": "builtin", "name": "digits_images"},
    training={"epochs": 30, "batch_size": 32, "optimizer": "adamw", "weight_decay": 0.01,
              "learning_rate": 0.002, "schedule": "cosine"})


def build(name: str, example: dict) -> Project:
    if "graph" in example:
        spec, layout = graph(*example["graph"])
    else:
        spec, layout = chain(*example["net"])
    return Project(spec, layout, dict(example["data"]), dict(example["training"]), name=name)


def main() -> None:
    for name, example in EXAMPLES.items():
        save_project(build(name, example), HERE / f"{name}.ncproj")
        print(f"wrote {name}.ncproj")


if __name__ == "__main__":
    main()
