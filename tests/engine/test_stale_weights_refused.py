"""Weights trained before a design change are not used as if they were the design's:
export, evaluate, predict and sample refuse them as the window's Export does ('export
waits for a fresh run'). An activation changed after training kept the shapes, so the
CLI exported and evaluated the old weights under the new design without a word."""
from dataclasses import replace

import numpy as np
import pytest

from engine.cli import main
from engine.errors import TrainingError
from engine.inference import TrainedModel
from engine.io.export import export_model
from engine.project import Project, load_project, save_project
from engine.spec import LayerSpec, NetworkSpec

from .io.export_cases import graph, train_project


@pytest.fixture(scope="module")
def stale(tmp_path_factory) -> Project:
    folder = tmp_path_factory.mktemp("stale")
    x = np.random.default_rng(0).normal(size=(48, 3)).astype(np.float32)
    np.savez(folder / "d.npz", x=x, y=np.arange(48) % 2)
    layers = [("hidden", "Dense", {"units": 4, "activation": "relu"}),
              ("out", "Dense", {"units": 2, "activation": "softmax"})]
    trained = train_project(Project(graph((3,), "features", layers)),
                            {"source": "npz", "path": str(folder / "d.npz")})
    edited = list(trained.spec.layers)
    hidden = edited[1]
    edited[1] = LayerSpec(hidden.id, hidden.type, hidden.name,
                          dict(hidden.config, activation="tanh"))
    project = replace(trained, spec=NetworkSpec(tuple(edited), trained.spec.edges,
                                                trained.spec.version))
    assert project.weights is not None and project.stale
    return project


def test_a_trained_model_is_not_made_from_stale_weights(stale):
    with pytest.raises(TrainingError, match="changed since it was trained"):
        TrainedModel.from_project(stale)


def test_export_of_stale_weights_writes_nothing(stale, tmp_path):
    with pytest.raises(TrainingError, match="changed since it was trained"):
        export_model(stale, "npz", tmp_path / "m.npz")
    assert list(tmp_path.iterdir()) == []


def test_cli_evaluate_says_so_in_one_line(stale, tmp_path, capsys):
    path = tmp_path / "stale.ncproj"
    save_project(stale, path)
    assert load_project(path).stale
    assert main(["evaluate", str(path)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "changed since it was trained" in err[0]
