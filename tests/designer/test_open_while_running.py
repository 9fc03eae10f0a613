"""Nothing replaces the project while a run locks the editor: not only the menus (which
are disabled) but the functions themselves, whoever calls them (recent files, the start
page, lessons' links, drag and drop to come), or the run would go on and its results land
in the new project."""
from pathlib import Path

from PySide6.QtWidgets import QFileDialog

from designer.lessons import LESSONS

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"


def design(window) -> dict:
    return window.editor.doc.spec().to_dict()


def test_opening_another_project_during_a_run_is_refused_and_the_run_lands_here(
        qtbot, window, tmp_path):
    assert window.projects.open_path(EXAMPLES / "xor.ncproj")
    window.editor.set_training_setting("epochs", 100000)
    training, before = window.training, design(window)
    with qtbot.waitSignal(training.runner.progress, timeout=20000):
        training.action_train.trigger()
    assert window.editor.locked
    assert not window.projects.open_path(EXAMPLES / "digits_mlp.ncproj", ask=False)
    assert design(window) == before and training.state == "running"
    message = window.statusBar().currentMessage()
    assert message.startswith("Cannot open another project now.")
    assert window.editor.locked in message
    with qtbot.waitSignal(training.runner.finished, timeout=10000):
        training.action_stop.trigger()
    qtbot.waitUntil(lambda: not window.editor.locked, timeout=5000)
    assert design(window) == before  # the stopped run's results are this design's
    assert window.editor.doc.project.preprocessing["ended"] == "stopped"
    assert window.projects.open_path(EXAMPLES / "digits_mlp.ncproj", ask=False)


def test_every_way_to_replace_the_project_refuses_while_locked(window, tmp_path,
                                                              monkeypatch):
    saved = tmp_path / "mine.ncproj"
    assert window.projects.save_to(saved)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(saved), ""))
    assert window.projects.open_path(EXAMPLES / "xor.ncproj")
    before = design(window)
    window.editor.set_locked("Training is running")
    lesson = next(iter(LESSONS))
    refused = [window.projects.new_from_template("blank"),
               window.projects.open_path(saved, ask=False),
               window.projects.open_dialog(),
               window.projects.restore(saved, None),
               window.lessons.open(lesson)]
    assert refused == [False] * 5 and design(window) == before
    assert window.statusBar().currentMessage().startswith("Cannot ")
    window.editor.set_locked("")
    assert window.projects.new_from_template("blank")
    assert design(window) != before
