"""Autosave and recovery: the open project is written to a recovery file while it has
unsaved work, a save removes it, and after the window's process is killed (kill -9) the
next launch offers it and restores the design, settings and results as unsaved work."""
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from PySide6.QtWidgets import QMessageBox

from designer.recovery import offer_recovery, pending_recoveries
from engine.project import load_project

ROOT = Path(__file__).resolve().parents[2]
CHILD = """
import json, os, sys, time
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication
from designer.app import create_main_window
from designer.projects import default_example
app = QApplication([])
window = create_main_window(default_example(), QSettings(sys.argv[1], QSettings.IniFormat))
editor = window.editor
editor.set_selection([editor.doc.layer_ids()[-2]])
editor.add_layer_after_selection("Dropout")
editor.set_training_setting("epochs", 7)
editor.set_training_setting("learning_rate", 0.0042)
assert window.autosave.write(), window.autosave.error
print(json.dumps({"spec": editor.doc.spec().to_dict(),
                  "training": editor.doc.project.training}), flush=True)
time.sleep(600)
"""


def test_autosave_writes_unsaved_work_and_a_save_removes_it(window, tmp_path):
    auto, editor = window.autosave, window.editor
    assert not auto.write_if_needed()  # nothing unsaved yet
    editor.add_layer("Dense", (300.0, 0.0), after=editor.doc.layer_ids()[0])
    assert auto.write_if_needed() and auto.project_path.exists()
    saved = load_project(auto.project_path)
    assert saved.spec == editor.doc.spec()
    assert json.loads(auto.note_path.read_text())["pid"] == os.getpid()
    assert auto.project_path not in [r.project for r in pending_recoveries()]  # alive
    assert window.projects.save_to(tmp_path / "mine.ncproj")
    assert not auto.project_path.exists() and not auto.note_path.exists()


def test_after_kill_9_the_next_launch_restores_the_unsaved_work(window, dialogs, tmp_path):
    folder = tmp_path / "recovery"
    env = {**os.environ, "NEUROCANVAS_RECOVERY_DIR": str(folder), "PYTHONPATH": str(ROOT),
           "QT_QPA_PLATFORM": "offscreen"}
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(tmp_path / "s.ini")],
                             env=env, stdout=subprocess.PIPE, text=True)
    try:
        edited = json.loads(child.stdout.readline())
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(10)
        child.stdout.close()
    assert child.returncode == -signal.SIGKILL
    (found,) = pending_recoveries(folder)
    dialogs.answer = QMessageBox.Yes  # "Restore it?"
    assert offer_recovery(window, folder)
    assert dialogs.shown[-1][:2] == ("question", "Recover unsaved work")
    doc = window.editor.doc
    assert doc.spec().to_dict() == edited["spec"]
    assert doc.project.training == edited["training"]
    assert window.projects.modified and window.windowTitle().endswith("* \u2014 NeuroCanvas")
    assert not found.project.exists() and pending_recoveries(folder) == []


def test_discarding_a_recovery_deletes_it(window, dialogs, tmp_path):
    folder = tmp_path / "recovery"
    folder.mkdir()
    (folder / "session-999999-1.ncproj").write_bytes(b"stale")
    (folder / "session-999999-1.json").write_text(json.dumps(
        {"pid": 2**22 + 12345, "original": None, "name": "old", "saved_at": 0}))
    assert len(pending_recoveries(folder)) == 1
    dialogs.answer = QMessageBox.Discard
    assert not offer_recovery(window, folder)
    assert list(folder.iterdir()) == []


def test_an_autosave_during_a_run_keeps_its_latest_checkpoint(qtbot, window):
    assert window.projects.open_path(ROOT / "resources" / "examples" / "xor.ncproj")
    training, auto = window.training, window.autosave
    window.editor.set_training_setting("epochs", 100000)
    window.editor.set_training_setting("checkpoint_seconds", 0.05)
    window.editor.stack.setClean()  # saved just before training: only the run is new
    with qtbot.waitSignal(training.runner.checkpointed, timeout=20000):
        training.action_train.trigger()
    try:
        assert auto.write_if_needed()
        saved = load_project(auto.project_path)
        assert saved.checkpoint is not None and saved.weights is not None
        assert saved.checkpoint.step <= training.latest_checkpoint.step
        assert saved.preprocessing["message"].startswith("Autosaved during a run")
    finally:
        with qtbot.waitSignal(training.runner.finished, timeout=10000):
            training.action_stop.trigger()
