"""Every bundled example loads, builds, and trains a few steps (pyqtgraph's
test_examples.py idea): a broken example fails here by name."""
from pathlib import Path

import numpy as np
import pytest

from engine.control import TrainControl
from engine.data import prepare
from engine.events import BatchEnd, Stopped
from engine.graph import check_network
from engine.network import Network
from engine.project import load_project
from engine.run import train

EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "resources" / "examples").glob("*.ncproj"))


def test_there_are_examples_of_every_family():
    names = {p.stem for p in EXAMPLES}
    assert {"xor", "spirals", "digits_mlp", "regression", "cnn_digits", "lstm_forecast",
            "gru_classifier", "char_lstm", "conv_autoencoder"} <= names
    assert {"cnn1d_waveforms", "residual_digits"} <= names  # 1-D CNN; a residual block (Add)


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_builds_and_trains_a_few_steps(path):
    project = load_project(path)
    report = check_network(project.spec)
    assert report.total_params > 0
    assert set(project.layout) == {layer.id for layer in project.spec.layers}
    data = prepare(project.data, 0)
    assert data.train.sample_shape == project.spec.input_shape
    net = Network(project.spec)
    control = TrainControl()
    losses = []
    for event in train(net, data.train, None, {**project.training, "epochs": 1}, control):
        if isinstance(event, BatchEnd):
            losses.append(event.loss)
            if len(losses) == 3:
                control.stop()
    assert isinstance(event, Stopped) and len(losses) == 3
    assert np.all(np.isfinite(losses))
