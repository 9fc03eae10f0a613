"""Where an export cannot go is said before anything is written: a file where a folder
of the path should be ('PATH: File exists' before)."""
import numpy as np
import pytest

from engine.io.common import ExportError
from engine.io.export import export_model
from engine.project import Project

from .export_cases import graph, train_project


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> Project:
    folder = tmp_path_factory.mktemp("paths")
    x = np.random.default_rng(0).normal(size=(32, 3)).astype(np.float32)
    np.savez(folder / "d.npz", x=x, y=np.arange(32) % 2)
    layers = [("out", "Dense", {"units": 2, "activation": "softmax"})]
    return train_project(Project(graph((3,), "features", layers)),
                         {"source": "npz", "path": str(folder / "d.npz")})


@pytest.mark.parametrize("fmt", ["npz", "pytorch"])
def test_a_file_in_the_way_of_the_folder_is_named(trained, tmp_path, fmt):
    in_the_way = tmp_path / "notes.txt"
    in_the_way.write_text("mine")
    with pytest.raises(ExportError, match="notes.txt is a file, not a folder"):
        export_model(trained, fmt, in_the_way / "sub" / "model")
    assert in_the_way.read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]
