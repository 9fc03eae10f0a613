"""The whole-design gradient check passes on every bundled example and on designs with
dropout and batch normalisation, and fails when a layer's backward is wrong."""
from pathlib import Path

import numpy as np
import pytest

from engine.cli import main as cli_main
from engine.data import prepare
from engine.insights.gradcheck import PASSED, check_gradients, check_project
from engine.losses import get_loss
from engine.project import load_project

from ..helpers import chain_spec

EXAMPLES = sorted((Path(__file__).parents[3] / "resources" / "examples").glob("*.ncproj"))


def _check(path: Path, per_tensor: int = 8):
    project = load_project(path)
    prepared = prepare(project.data, 0, base_dir=path.parent)
    return check_project(project, prepared, per_tensor=per_tensor)


def test_there_are_examples():
    assert len(EXAMPLES) >= 8


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_bundled_example_passes(path):
    check, which = _check(path)
    assert check.passed, [(r.name, r.max_error) for r in check.layers]
    assert check.samples == 4 and "fresh weights" in which
    assert check.meaning == PASSED
    params = [r for r in check.layers if r.type != "Input"]
    assert params and all(r.entries > 0 for r in params)


def _scale_dense_weight_grad(monkeypatch, factor):
    from engine.layers.core import Dense

    original = Dense.backward

    def broken(self, grad, need_input_grad=True):
        out = original(self, grad, need_input_grad)
        self.grads["W"] *= factor
        return out

    monkeypatch.setattr(Dense, "backward", broken)


def test_a_wrong_backward_fails_in_its_layers(monkeypatch):
    _scale_dense_weight_grad(monkeypatch, 1.01)
    check, _ = _check(EXAMPLES[[p.stem for p in EXAMPLES].index("cnn_digits")])
    assert not check.passed
    failed = {r.type for r in check.layers if not r.passed}
    assert failed == {"Dense"}
    assert all(r.worst.endswith("/W") for r in check.layers if not r.passed)
    assert "FAIL" in check.meaning


def test_the_command_prints_the_table_and_fails_with_exit_1(monkeypatch, capsys):
    xor = str(EXAMPLES[[p.stem for p in EXAMPLES].index("xor")])
    assert cli_main(["check-gradients", xor]) == 0
    out = capsys.readouterr().out
    assert "PASSED" in out and "hidden" in out and PASSED in out
    _scale_dense_weight_grad(monkeypatch, 0.9)
    assert cli_main(["check-gradients", xor]) == 1
    assert "FAIL" in capsys.readouterr().out


def test_a_bad_option_is_one_error_line(capsys):
    xor = str(EXAMPLES[[p.stem for p in EXAMPLES].index("xor")])
    assert cli_main(["check-gradients", xor, "--samples", "0"]) == 1
    assert capsys.readouterr().err.startswith("error: ")


def test_dropout_masks_are_replayed_and_batchnorm_uses_the_batch():
    spec = chain_spec((6,), [("Dense", {"units": 8, "activation": "tanh"}),
                             ("BatchNorm", {}), ("Dropout", {"rate": 0.5}),
                             ("Dense", {"units": 3, "activation": "linear"})])
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(5, 6)), rng.integers(0, 3, 5)
    check = check_gradients(spec, None, x, y, get_loss("cross_entropy"))
    assert check.passed, [(r.name, r.max_error) for r in check.layers]
    assert {r.type for r in check.layers} >= {"Input", "Dense", "BatchNorm"}
    assert any("Dropout" in n for n in check.notes)
    assert any("Batch normalisation" in n for n in check.notes)


def test_a_kink_within_the_step_is_stepped_around():
    """|w - c| with the kink c = 3e-6 inside ±h (h = 1e-5): the plain centred
    difference blends both sides (-0.3); the check shrinks its step and measures -1."""
    from engine.insights.gradcheck import EPS, _centred, kink_free_slope

    w = np.zeros(1)

    def f():
        return float(abs(w[0] - 3e-6))

    assert _centred(f, w, 0, EPS)[0] == pytest.approx(-0.3)
    assert kink_free_slope(f, w, 0, EPS) == pytest.approx(-1.0)
    assert w[0] == 0.0  # restored
    smooth = np.array([0.7])
    assert kink_free_slope(lambda: float(np.sin(smooth[0])), smooth, 0, EPS) == \
        pytest.approx(np.cos(0.7), rel=1e-9)
