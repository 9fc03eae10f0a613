"""The step-through in the window: the menu takes the step, Next walks forward (the
canvas outlines each layer in order), the loss shown is a real run's first batch loss,
backward outlines in reverse, and an edit clears the step and its outlines."""
import numpy as np
from PySide6.QtCore import Qt

from engine.events import BatchEnd
from engine.run import run_job


def _outlined(win):
    return [n.layer_id for n in win.canvas.canvas_scene.nodes() if n.highlight is not None]


def test_step_through_walks_the_phases_with_the_engines_numbers(qtbot, open_example):
    win = open_example("digits_mlp")
    view = win.inside_dock.widget().steps
    win.step_through()
    qtbot.waitUntil(lambda: view.step is not None, timeout=30000)
    phases = view.step.phases
    forward = [p.layer for p in phases if p.kind == "forward"]
    assert _outlined(win) == [forward[0]] and "phase 1 of" in view.counter.text()
    seen = [_outlined(win)[0]]
    for _ in range(len(forward) - 1):
        qtbot.mouseClick(view.next, Qt.LeftButton)
        seen.append(_outlined(win)[0])
    assert seen == forward
    qtbot.mouseClick(view.next, Qt.LeftButton)  # the loss: no layer outlined, its value shown
    assert phases[view.index].kind == "loss" and _outlined(win) == []
    run = run_job(win.training.make_job())
    first = next(e for e in run if isinstance(e, BatchEnd))
    run.control.stop()
    assert phases[view.index].loss == first.loss
    assert f"{first.loss:.6g}" in view.label.text()
    backward = []
    for _ in forward:
        qtbot.mouseClick(view.next, Qt.LeftButton)
        backward.append(_outlined(win)[0])
    assert backward == forward[::-1]
    qtbot.mouseClick(view.back, Qt.LeftButton)
    assert _outlined(win) == [forward[1]]
    assert np.isfinite(phases[-1].update_norm)
    win.editor.set_training_setting("learning_rate", 0.5)  # another step now
    assert view.step is None and _outlined(win) == []
    assert "training settings changed" in view.label.text()
    win.step_through()
    qtbot.waitUntil(lambda: view.step is not None, timeout=30000)
    assert view.step.learning_rate == 0.5 and _outlined(win) == [forward[0]]
    win.editor.delete([forward[1]])  # a design edit: the step is another design's
    assert view.step is None and _outlined(win) == []
    assert "take it again" in view.label.text()
