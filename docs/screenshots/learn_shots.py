"""The Learn screenshots (``take_screenshots.py WIDTH --learn`` runs this): a lesson open
beside the canvas, then each Learn view after a short real run, the Inside dock floated
to fill the screen so its numbers can be read:

- ``lesson-<width>.png``: Learn › XOR needs a hidden layer, its hidden-layer set-up
  trained, back in Design with the Lesson dock beside the canvas;
- ``explain-dense.png``, ``explain-conv.png``, ``explain-lstm.png``: Explain for a
  Dense unit (digits MLP, cosine schedule), a Conv2D position (CNN digits) and an LSTM
  step (LSTM forecast);
- ``stepthrough-backward.png``: Step through, in a backward phase;
- ``saliency-digit.png``: Try a sample on a test digit, with why;
- ``what-it-sees.png``: What it sees, after a run of the digits MLP.
"""
from __future__ import annotations

from functools import partial

from PySide6.QtCore import QUrl
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest

import shots
from designer.projects import EXAMPLES_DIR
from shots import HERE, wait_for

shot = partial(shots.shot, wait_ms=800)


def train(window, seconds: float = 240) -> None:
    window.training.action_train.trigger()
    wait_for(lambda: window.training.state != "idle", 30)
    wait_for(lambda: window.training.state == "idle", seconds)
    QTest.qWait(500)


def lesson(window, width: str) -> None:
    window.lessons.actions["xor_hidden_layer"].trigger()
    window.lessons.panel.anchorClicked.emit(QUrl("lesson:xor_hidden_layer/hidden"))
    train(window, 60)
    window.workspaces.switch("design")
    preview = window.inside_dock.widget().preview
    runs = preview.runs
    wait_for(lambda: preview.runs > runs, 20)  # the Preview tab's first drawing
    window.canvas.show_design()
    shot(HERE / f"lesson-{width}.png")


def floated_inside(window, tab):
    """The Inside dock, floated over the whole screen, showing ``tab``."""
    window.workspaces.switch("train")
    dock, panel = window.inside_dock, window.inside_dock.widget()
    dock.show()
    dock.setFloating(True)
    dock.setGeometry(QGuiApplication.primaryScreen().availableGeometry())
    panel.setCurrentWidget(getattr(panel, tab))
    return panel


def explain(window, example: str, epochs: int, layer: str, picks: dict, name: str,
            then_epochs: int | None = None) -> None:
    window.projects.open_path(EXAMPLES_DIR / f"{example}.ncproj", ask=False)
    window.editor.set_training_setting("epochs", epochs)
    train(window)
    if then_epochs is not None:
        window.editor.set_training_setting("epochs", then_epochs)
    panel = floated_inside(window, "explain")
    window.editor.set_selection([layer])
    view = panel.explain
    for key, value in picks.items():
        view.spins[key].setValue(value)
    wait_for(lambda: view.explanation is not None and not view.call.busy, 60)
    view.text.verticalScrollBar().setValue(0)
    shot(HERE / name)
    window.inside_dock.setFloating(False)


def step_through(window) -> None:
    window.projects.open_path(EXAMPLES_DIR / "digits_mlp.ncproj", ask=False)
    panel = floated_inside(window, "steps")
    view = panel.steps
    view.start()
    wait_for(lambda: view.step is not None, 60)
    view.show_phase(next(i for i, p in enumerate(view.step.phases)
                         if p.kind == "backward" and p.layer == "hidden2"))
    shot(HERE / "stepthrough-backward.png")
    window.inside_dock.setFloating(False)


def saliency(window) -> None:
    window.projects.open_path(EXAMPLES_DIR / "cnn_digits.ncproj", ask=False)
    window.editor.set_training_setting("epochs", 4)
    train(window)
    window.workspaces.switch("evaluate")
    dock, tabs = window.evaluation_dock, window.evaluation_dock.widget()
    dock.setFloating(True)
    dock.setGeometry(QGuiApplication.primaryScreen().availableGeometry())
    sample = window.inside_dock.widget().sample
    tabs.setCurrentWidget(sample)
    sample.request_index(3)
    wait_for(lambda: sample.result is not None, 30)
    QTest.qWait(1500)
    shot(HERE / "saliency-digit.png")
    dock.setFloating(False)


def what_it_sees(window) -> None:
    """Held mid-run (a paused run keeps its last snapshot), hidden2 chosen."""
    window.projects.open_path(EXAMPLES_DIR / "digits_mlp.ncproj", ask=False)
    window.editor.set_training_setting("epochs", 150)
    view = window.inside_dock.widget().projection
    window.training.action_train.trigger()
    # (the progress bar may still show the last run's end: wait for snapshots instead)
    wait_for(lambda: view.snapshot is not None and view.snapshot.step > 1500, 90)
    window.training.action_pause.trigger()
    wait_for(lambda: window.training.state == "paused", 10)
    floated_inside(window, "projection")
    view.combo.setCurrentIndex(view.combo.findData("hidden2"))
    QTest.qWait(1500)
    shot(HERE / "what-it-sees.png")
    window.training.action_stop.trigger()
    wait_for(lambda: window.training.state == "idle", 30)
    window.inside_dock.setFloating(False)


def main(window, width: str) -> None:
    lesson(window, width)
    window.lessons.dock.close()
    if width != "1366":
        return  # the views' shots are taken at 1366 x 768 only
    # Trained for a few epochs, then set to run longer: the cosine schedule's rate for
    # the next step (what Continue would take) is then not its end value, 0.
    explain(window, "digits_mlp", 3, "hidden2", {"unit": 5, "sample": 3}, "explain-dense.png",
            then_epochs=8)
    explain(window, "cnn_digits", 2, "conv1", {"unit": 4, "row": 3, "col": 5},
            "explain-conv.png", then_epochs=6)
    explain(window, "lstm_forecast", 3, "lstm", {"unit": 2, "step": 10}, "explain-lstm.png")
    step_through(window)
    saliency(window)
    what_it_sees(window)
