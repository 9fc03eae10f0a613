"""The 1-D layers, the global max pools and Multiply on the PyTorch backend: a few
training steps of small networks give the engine's per-batch losses and weights in
float64 (the backend runs the PyTorch export's own generated module)."""
from __future__ import annotations

import numpy as np
import pytest

from engine.data.dataset import Dataset
from engine.network import Network

from ..helpers import chain_spec
from ..io.export_cases import graph
from .test_torch_runs import float64_runs, losses, relative

pytestmark = pytest.mark.torch  # compared with PyTorch where it is installed


class Split:
    def __init__(self, train: Dataset, val: Dataset):
        self.train, self.val = train, val


def waves(n: int, shape, seed: int, kind: str = "sequence") -> Dataset:
    """Three classes of noisy signals: enough structure for the loss to move."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 3
    x = rng.normal(0, 0.3, (n,) + shape)
    steps = np.arange(shape[-2 if kind == "sequence" else -1])
    for i, cls in enumerate(y):
        wave = np.sin(steps * (cls + 1) * 0.5 + rng.uniform(0, 6))
        x[i] += wave[:, None] if kind == "sequence" else wave
    return Dataset(x, y.astype(np.int64), "classification", input_kind=kind)


CONV1D_NET = chain_spec((20, 2), [
    ("Conv1D", {"filters": 6, "kernel_size": 5, "activation": "relu"}),
    ("MaxPool1D", {"pool_size": 2}),
    ("Conv1D", {"filters": 5, "kernel_size": 2, "stride": 2, "dilation": 2,
                "padding": "same", "activation": "tanh"}),
    ("AvgPool1D", {"pool_size": 2, "stride": 1, "padding": "same"}),
    ("GlobalMaxPool1D", {}),
    ("Dense", {"units": 3, "activation": "softmax"}),
], kind="sequence")

GATED_NET = graph((16, 2), "sequence", [
    ("conv", "Conv1D", {"filters": 4, "kernel_size": 3, "activation": "linear"}),
    ("gate", "Conv1D", {"filters": 4, "kernel_size": 3, "activation": "sigmoid"}),
    ("mul", "Multiply", {}),
    ("lstm", "LSTM", {"units": 5, "return_sequences": True}),
    ("gap", "GlobalAveragePool1D", {}),
    ("out", "Dense", {"units": 3, "activation": "softmax"}),
], [("input", "conv"), ("input", "gate"), ("conv", "mul"), ("gate", "mul"),
    ("mul", "lstm"), ("lstm", "gap"), ("gap", "out")])

IMAGE_NET = chain_spec((1, 6, 6), [
    ("Conv2D", {"filters": 4}), ("GlobalMaxPool2D", {}),
    ("Dense", {"units": 3, "activation": "softmax"})], kind="image")


@pytest.mark.parametrize("spec, kind, shape", [
    (CONV1D_NET, "sequence", (20, 2)), (GATED_NET, "sequence", (16, 2)),
    (IMAGE_NET, "image", (1, 6, 6)),
], ids=["conv1d-pools", "conv1d-multiply-lstm", "global-max-pool2d"])
def test_a_few_steps_on_pytorch_give_the_engines_losses_and_weights(spec, kind, shape):
    data = Split(waves(48, shape, 0, kind), waves(24, shape, 1, kind))
    settings = {"epochs": 2, "batch_size": 16, "learning_rate": 0.05, "optimizer": "adam"}
    theirs, ours, engine, trainer = float64_runs(spec, data, settings)
    a, b = losses(theirs), losses(ours)
    assert len(a) == len(b) == 6
    assert relative(a, b) < 1e-6
    trained = trainer.net.weights()
    start = Network(spec, dtype=np.float64, seed=0).weights()
    for key, value in engine.weights().items():
        assert not np.allclose(value, start[key]), f"{key} did not move"
        np.testing.assert_allclose(trained[key], value, rtol=1e-6, atol=1e-9)
