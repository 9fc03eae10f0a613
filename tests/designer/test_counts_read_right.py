"""Counts agree with their nouns: one class, one epoch, one unit, never "1 classes"."""
from pathlib import Path
from types import SimpleNamespace

from engine.events import Finished, Stopped

from designer.inside.layer_view import describe
from designer.training_controller import describe_end

from .test_data_panel import choose, load, type_text

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"


def test_data_of_one_class_reads_one_class(qtbot, window, tmp_path):
    assert window.projects.open_path(EXAMPLES / "xor.ncproj")
    one = tmp_path / "one.csv"
    one.write_text("a,b,label\n" + "".join(f"{k},{k + 1},0\n" for k in range(20)))
    panel = window.data_panel
    choose(panel, "csv")
    type_text(panel.path_edit, str(one))
    type_text(panel.fields["target"].widget, "label")
    assert load(qtbot, panel)
    text = panel.preview.summary.text()
    assert "1 class<" in text and "1 classes" not in text


def test_a_run_of_one_epoch_and_a_layer_of_one_unit_read_in_the_singular(window):
    history = [{"epoch": 1, "loss": 0.5}]
    finished = Finished(history=history, best_epoch=1, early_stopped=False)
    assert describe_end(finished, {}) == "Finished 1 epoch"
    assert describe_end(Stopped(history=history), {}).startswith("Stopped after 1 epoch;")
    stats = SimpleNamespace(mean=0.0, std=1.0, units=1, dead=0.0, saturated=0.0)
    view = SimpleNamespace(name="out", type="Dense", activation="", output_shape=(1,),
                           stats=stats, params=0, grad_norm=None, update_ratio=None)
    assert "over 1 unit" in describe(view) and "1 units" not in describe(view)
