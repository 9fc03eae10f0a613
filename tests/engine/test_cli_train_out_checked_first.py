"""``train --out`` that cannot be written is refused before the data loads and the run
starts, in one line: it failed at the first checkpoint, an epoch (maybe hours) into the
run, and lost that epoch."""
from pathlib import Path

import pytest

from engine.cli import main

XOR = Path(__file__).resolve().parents[2] / "resources" / "examples" / "xor.ncproj"


@pytest.mark.parametrize("where, says", [("folder", "is a folder"),
                                         ("missing", "does not exist")])
def test_an_unwritable_out_is_refused_before_training(tmp_path, capsys, where, says):
    out = tmp_path if where == "folder" else tmp_path / "no_such_folder" / "t.ncproj"
    assert main(["train", str(XOR), "--epochs", "3", "--out", str(out)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""  # no 'training on ... samples', no epoch lines
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and says in lines[0]
    assert not (tmp_path / "no_such_folder").exists()


def test_a_sweep_with_an_unwritable_out_is_refused_before_its_trials(tmp_path, capsys):
    out = tmp_path / "no_such_folder" / "swept.ncproj"
    assert main(["sweep", str(XOR), "--param", "lr=1e-3..1e-1:log", "--trials", "2",
                 "--epochs", "2", "--parallel", "1", "--out", str(out)]) == 1
    captured = capsys.readouterr()
    assert "trial" not in captured.out  # no trial ran
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and "does not exist" in lines[0]
