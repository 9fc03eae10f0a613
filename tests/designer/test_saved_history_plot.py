"""A reopened project's loss curve shows its epochs' losses as they are: the saved
history holds one mean loss per epoch, and the per-batch smoothing (5% weight for the
newest) drew a run whose loss fell to 0.01 as still near 0.5 after 22 epochs."""
from dataclasses import replace
from pathlib import Path

import pytest

from engine.project import load_project, save_project

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"


def test_a_reopened_projects_train_loss_is_drawn_at_its_epoch_values(window, tmp_path):
    losses = [1.5, 0.4, 0.1, 0.05, 0.01]
    history = [{"epoch": i + 1, "loss": loss, "val_loss": loss * 2, "accuracy": 0.9,
                "val_accuracy": 0.8, "lr": 0.01} for i, loss in enumerate(losses)]
    path = tmp_path / "trained.ncproj"
    save_project(replace(load_project(EXAMPLES / "xor.ncproj"), history=history), path)
    assert window.projects.open_path(path)
    run = window.plots_panel.plots.current
    xs, drawn = run.smooth.view()
    assert list(xs) == [1, 2, 3, 4, 5]
    assert list(drawn) == pytest.approx(losses)
