"""The command line end to end: train, info, evaluate, predict, and clean errors."""
import csv
from pathlib import Path

import numpy as np
import pytest

from engine.cli import main
from engine.project import load_project

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"


@pytest.fixture(scope="module")
def trained_xor(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli") / "xor_trained.ncproj"
    assert main(["train", str(EXAMPLES / "xor.ncproj"), "--out", str(out), "--quiet"]) == 0
    return out


def test_train_saves_weights_history_and_preprocessing(trained_xor, capsys):
    project = load_project(trained_xor)
    assert project.trained and len(project.history) == 100
    assert project.preprocessing["loss"] == "cross_entropy"
    assert project.preprocessing["test"]["accuracy"] == 1.0


def test_train_overrides_and_prints_one_line_per_epoch(tmp_path, capsys):
    out = tmp_path / "t.ncproj"
    code = main(["train", str(EXAMPLES / "xor.ncproj"), "--epochs", "3", "--lr", "0.05",
                 "--batch-size", "8", "--seed", "4", "--out", str(out)])
    text = capsys.readouterr().out
    assert code == 0 and text.count("epoch ") == 3 and "val_accuracy" in text
    project = load_project(out)
    assert project.training["epochs"] == 3 and project.training["seed"] == 4


def test_info_prints_layer_table(capsys):
    assert main(["info", str(EXAMPLES / "digits_mlp.ncproj")]) == 0
    out = capsys.readouterr().out
    assert "hidden1" in out and "Dense" in out and "(256,)" in out
    assert f"total parameters: {64*256+256 + 256*128+128 + 128*10+10:,}" in out


def test_evaluate_on_test_split_and_on_a_csv(trained_xor, tmp_path, capsys):
    assert main(["evaluate", str(trained_xor)]) == 0
    assert "accuracy: 1.0000" in capsys.readouterr().out
    path = tmp_path / "xor.csv"
    path.write_text("a,b,label\n1,1,0\n-1,-1,0\n1,-1,1\n-1,1,1\n")
    assert main(["evaluate", str(trained_xor), "--data", str(path), "--target", "label"]) == 0
    assert "accuracy: 1.0000" in capsys.readouterr().out


def test_predict_writes_npy_and_csv(trained_xor, tmp_path):
    data = tmp_path / "points.csv"
    data.write_text("a,b\n1,1\n1,-1\n")
    npy = tmp_path / "p.npy"
    assert main(["predict", str(trained_xor), "--data", str(data), "--out", str(npy)]) == 0
    probs = np.load(npy)
    assert probs.shape == (2, 2) and np.allclose(probs.sum(1), 1)
    assert list(probs.argmax(1)) == [0, 1]
    out = tmp_path / "p.csv"
    assert main(["predict", str(trained_xor), "--data", str(data), "--out", str(out)]) == 0
    rows = list(csv.reader(out.open()))
    assert rows[0] == ["prediction", "p_same sign", "p_opposite signs"]
    assert [r[0] for r in rows[1:]] == ["same sign", "opposite signs"]


def _error_of(argv, capsys):
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 1
    assert "Traceback" not in err and err.startswith("error: ") and err.count("\n") == 1
    return err


def test_user_mistakes_print_one_line_and_exit_1(tmp_path, capsys, trained_xor):
    bad = tmp_path / "bad.ncproj"
    bad.write_text("not a project")
    assert "not a zip archive" in _error_of(["info", str(bad)], capsys)
    assert "no such file" in _error_of(["info", str(tmp_path / "nope.ncproj")], capsys)
    untrained = EXAMPLES / "xor.ncproj"
    assert "has not been trained" in _error_of(["evaluate", str(untrained)], capsys)
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("a,b,label\n1,2,0\n3,0\n")
    err = _error_of(["evaluate", str(trained_xor), "--data", str(ragged), "--target", "label"], capsys)
    assert "line 3" in err
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("a,b,c,label\n1,2,3,0\n")
    err = _error_of(["train", str(untrained), "--data", str(wrong), "--target", "label",
                     "--out", str(tmp_path / "x.ncproj")], capsys)
    assert "Input layer takes (2,) but the data's samples are (3,)" in err


def test_invalid_network_info_exits_1_with_reason(tmp_path, capsys):
    src = load_project(EXAMPLES / "digits_mlp.ncproj")
    from engine.project import Project, save_project
    spec = src.spec.with_layer_config("input", shape=[3, 8, 8], kind="image")
    path = tmp_path / "broken.ncproj"
    save_project(Project(spec, src.layout, src.data, src.training, name="broken"), path)
    assert main(["info", str(path)]) == 1
    assert "add a Flatten before it" in capsys.readouterr().err


def test_predicted_labels_cannot_run_as_spreadsheet_formulas(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 2))
    labels = np.where(x[:, 0] > 0, "=HYPERLINK(\"http://x\")", "@SUM(A1)")
    data = tmp_path / "d.csv"
    data.write_text("a,b,label\n" + "".join(f"{a:.3f},{b:.3f},{y}\n"
                                           for (a, b), y in zip(x, labels)))
    out = tmp_path / "t.ncproj"
    assert main(["train", str(EXAMPLES / "xor.ncproj"), "--data", str(data), "--epochs",
                 "2", "--out", str(out), "--quiet"]) == 0
    pred = tmp_path / "p.csv"
    inputs = tmp_path / "in.csv"
    inputs.write_text("a,b\n1,0\n-1,0\n")
    assert main(["predict", str(out), "--data", str(inputs), "--out", str(pred)]) == 0
    rows = list(csv.reader(pred.open()))
    cells = rows[0][1:] + [row[0] for row in rows[1:]]
    assert all(c[:1] not in "=+-@" for c in cells), cells
    assert {row[0] for row in rows[1:]} <= {"'=HYPERLINK(\"http://x\")", "'@SUM(A1)"}


def test_an_autoencoder_evaluates_against_its_own_inputs(tmp_path, capsys):
    """A reconstruct project scores a file's images against themselves, as on its own
    test split (the file's labels are not its targets)."""
    from engine.data import prepare

    out = tmp_path / "ae.ncproj"
    assert main(["train", str(EXAMPLES / "conv_autoencoder.ncproj"), "--epochs", "2",
                 "--out", str(out), "--quiet"]) == 0
    capsys.readouterr()
    assert main(["evaluate", str(out)]) == 0
    on_split = capsys.readouterr().out
    data = prepare({"source": "builtin", "name": "digits_images"})
    raw = data.normalizer.inverse_transform(data.test.x)
    np.savez(tmp_path / "digits.npz", x=raw, y=data.test.y)
    assert main(["evaluate", str(out), "--data", str(tmp_path / "digits.npz")]) == 0
    on_file = capsys.readouterr().out
    assert "mse: " in on_file and on_file == on_split
