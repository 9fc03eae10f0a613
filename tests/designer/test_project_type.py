"""One project type: the document holds the engine's Project. A project trained by the
CLI opens fresh in the window, an edit marks its weights stale (undo makes them fresh
again), and a save keeps every field, its checkpoint included."""
from pathlib import Path

import numpy as np

from engine.cli import main
from engine.project import load_project
from engine.spec import design_fingerprint

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"


def cli_trained(tmp_path) -> Path:
    out = tmp_path / "cli.ncproj"
    assert main(["train", str(EXAMPLES / "xor.ncproj"), "--epochs", "3", "--quiet",
                 "--out", str(out)]) == 0
    return out


def test_a_cli_trained_project_goes_stale_in_the_window_after_an_edit(window, tmp_path):
    path = cli_trained(tmp_path)
    on_disk = load_project(path)
    assert on_disk.trained_design == design_fingerprint(on_disk.spec) and not on_disk.stale
    assert window.projects.open_path(path)
    doc, editor = window.editor.doc, window.editor
    assert doc.trained and not doc.weights_stale
    assert "Trained" in window.training_panel.result.text()
    hidden = next(layer for layer in doc.layers if layer.type == "Dense")
    assert editor.set_setting(hidden.id, "units", hidden.config["units"] + 1) is None
    doc.refresh_report()
    assert doc.weights_stale and not doc.trained
    assert doc.snapshot().stale  # the engine's Project says the same
    assert "stale" in window.training_panel.result.text().lower()
    editor.undo()
    assert doc.trained and not doc.weights_stale


def test_open_then_save_keeps_every_field_and_the_checkpoint(window, tmp_path):
    path = cli_trained(tmp_path)
    before = load_project(path)
    assert window.projects.open_path(path)
    again = tmp_path / "again.ncproj"
    assert window.projects.save_to(again)
    after = load_project(again)
    assert after.spec == before.spec and after.layout == before.layout
    for name in ("data", "training", "history", "preprocessing", "name"):
        assert getattr(after, name) == getattr(before, name), name
    assert after.weights.keys() == before.weights.keys()
    for key, value in before.weights.items():
        np.testing.assert_array_equal(after.weights[key], value)
    assert after.checkpoint.describe() == before.checkpoint.describe() == "after epoch 3"
    assert after.checkpoint.step == before.checkpoint.step
    for key, value in before.checkpoint.optimizer.items():
        np.testing.assert_array_equal(after.checkpoint.optimizer[key], value)
    assert window.training.action_continue.isEnabled()
