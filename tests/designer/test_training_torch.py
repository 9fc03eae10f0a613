"""Training › Backend in the window: PyTorch offered only where it can be imported, a
run on it from the Train button with Pause/Resume and its results in the document, and
the Inside views fed by probes of PyTorch's weights as they train."""
from pathlib import Path

import pytest

from designer.panels import training_panel

pytestmark = pytest.mark.torch  # trains with PyTorch where it is installed

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"


def test_pytorch_is_offered_only_where_it_can_be_imported(monkeypatch):
    param = training_panel.TRAINING_SCHEMA.get("backend")
    monkeypatch.setattr(training_panel, "torch_available", lambda: False)
    assert training_panel.TrainingPanel._backend_param(param).choices == ("numpy",)
    monkeypatch.setattr(training_panel, "torch_available", lambda: True)
    assert training_panel.TrainingPanel._backend_param(param).choices == ("numpy", "torch")


def test_the_backend_field_says_why_one_would_switch(window):
    panel = window.training_panel
    combo = panel.fields["backend"].widget
    items = [combo.itemText(i) for i in range(combo.count())]
    if training_panel.torch_available():
        assert items == ["numpy", "torch"]
        assert "GPU" in panel.backend_note.text()
    else:
        assert items == ["numpy"]
        assert "pip install" in panel.backend_note.text()
    assert not panel.fields["device"].widget.isEnabled()  # numpy: no device to pick


def test_training_xor_on_pytorch_from_the_window(qtbot, window):
    pytest.importorskip("torch", reason="PyTorch is not installed")
    assert window.projects.open_path(EXAMPLES / "xor.ncproj")
    editor, training = window.editor, window.training
    assert editor.set_training_setting("backend", "torch") is None
    assert window.training_panel.fields["device"].widget.isEnabled()
    editor.set_training_setting("epochs", 100000)
    snaps = []
    training.runner.progress.connect(
        lambda p: p.snapshot is not None and snaps.append(p.snapshot))
    training.action_train.trigger()
    qtbot.waitUntil(lambda: len(snaps) >= 4, timeout=30000)
    # The probe looks at PyTorch's weights as they train (synced when it looks): its
    # loss moves with every snapshot (~0.2 s apart), not only when a checkpoint (every
    # 2 s) brings the weights back; and the badges and layer views get them.
    assert len({float(s.loss) for s in snaps[:4]}) == 4
    assert snaps[-1].step > snaps[0].step
    qtbot.waitUntil(lambda: bool(window.inside.badges.items), timeout=10000)
    with qtbot.waitSignal(training.runner.paused, timeout=5000):
        training.action_pause.trigger()
    with qtbot.waitSignal(training.runner.resumed, timeout=5000):
        training.action_resume.trigger()
    with qtbot.waitSignal(training.runner.finished, timeout=10000) as result:
        training.action_stop.trigger()
    qtbot.waitUntil(lambda: training.state == "idle", timeout=5000)
    assert type(result.args[0].ended).__name__ == "Stopped"
    project = editor.doc.project
    assert project.weights and project.checkpoint is not None
    assert project.checkpoint.settings["backend"] == "torch"
    assert training.shutdown()
