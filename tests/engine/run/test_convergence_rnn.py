"""Convergence of the recurrent examples on real data (held-out splits)."""
import numpy as np
import pytest

from engine.cli import main
from engine.data import prepare
from engine.project import load_project
from engine.run import evaluate

from .test_convergence import EXAMPLES, train_example

pytestmark = pytest.mark.slow


def test_lstm_forecaster_beats_one_percent_of_signal_variance():
    net, data, end, loss = train_example("lstm_forecast")
    variance = float(np.var(np.concatenate([data.train.y, data.val.y])))
    assert end.history[-1]["val_loss"] < 0.01 * variance


def test_gru_classifier_reaches_95_percent():
    net, data, _, loss = train_example("gru_classifier")
    assert evaluate(net, data.test, loss)["accuracy"] >= 0.95


def _unigram_entropy(y: np.ndarray) -> float:
    counts = np.bincount(y.ravel())
    p = counts[counts > 0] / counts.sum()
    return float(-(p * np.log(p)).sum())


@pytest.fixture(scope="module")
def char_model(tmp_path_factory):
    """The character LSTM trained for 8 epochs (its example says 15), saved as a project."""
    from engine.cli import main

    out = tmp_path_factory.mktemp("char") / "char_trained.ncproj"
    assert main(["train", str(EXAMPLES / "char_lstm.ncproj"), "--epochs", "8",
                 "--out", str(out), "--quiet"]) == 0
    return out


def test_char_lstm_loss_falls_well_below_unigram_entropy(char_model):
    project = load_project(char_model)
    data = prepare(project.data, 0)
    entropy = _unigram_entropy(data.train.y)
    test_loss = project.preprocessing["test"]["loss"]
    assert test_loss < 0.7 * entropy, (test_loss, entropy)


def test_sample_generates_text_from_the_vocabulary(char_model, capsys):
    assert main(["sample", str(char_model), "--length", "120", "--temperature", "0.7",
                 "--prime", "Shall I compare thee", "--seed", "1"]) == 0
    text = capsys.readouterr().out
    vocab = set(load_project(char_model).preprocessing["dataset"]["vocabulary"])
    generated = text[len("Shall I compare thee"):].rstrip("\n")
    assert len(generated) == 120 and set(generated) <= vocab
    words = [w for w in generated.split() if w.isalpha()]
    assert len(words) >= 10  # it writes words separated by spaces, not noise


def test_sample_refuses_models_that_are_not_character_models(tmp_path, capsys):
    trained = tmp_path / "t.ncproj"
    assert main(["train", str(EXAMPLES / "xor.ncproj"), "--epochs", "1", "--out", str(trained),
                 "--quiet"]) == 0
    capsys.readouterr()
    assert main(["sample", str(trained)]) == 1
    assert "needs a trained character model" in capsys.readouterr().err
    assert main(["sample", str(EXAMPLES / "char_lstm.ncproj")]) == 1
    assert "not been trained" in capsys.readouterr().err
