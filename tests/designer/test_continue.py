"""Continue training in the window: after Stop it goes on to the same weights as one
uninterrupted run; after the training process is killed the last checkpoint's weights
stay in the project and Continue goes on from them; after a design edit it says what
changed and offers a fresh start."""
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtWidgets import QMessageBox

from engine.events import Finished, RunResult, Stopped
from engine.run import run_job

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"


@pytest.fixture
def xor_window(window):
    assert window.projects.open_path(EXAMPLES / "xor.ncproj")
    window.editor.set_training_setting("checkpoint_seconds", 0.05)
    yield window
    assert window.training.shutdown()


def uninterrupted(job) -> RunResult:
    *_, result = run_job(job)
    return result


def finish(qtbot, training, action):
    with qtbot.waitSignal(training.runner.finished, timeout=60000) as result:
        action.trigger()
    qtbot.waitUntil(lambda: training.state == "idle", timeout=5000)
    return result.args[0]


def test_stop_then_continue_reproduces_one_uninterrupted_run(qtbot, xor_window):
    win, training = xor_window, xor_window.training
    win.editor.set_training_setting("epochs", 300)
    assert not training.action_continue.isEnabled()  # nothing to continue yet
    # Step: one batch, then the run waits, so Stop lands mid-run whatever the machine's
    # load (Stop sent at the first checkpoint of a running 0.3 s run sometimes came late).
    training.action_step.trigger()
    qtbot.waitUntil(lambda: training.state == "paused", timeout=20000)
    for _ in range(3):  # three batches, one at a time
        with qtbot.waitSignal(training.runner.progress, timeout=10000):
            training.action_step.trigger()
        qtbot.waitUntil(lambda: training.state == "paused", timeout=10000)
    stopped = finish(qtbot, training, training.action_stop)
    assert isinstance(stopped.ended, Stopped)
    checkpoint = win.editor.doc.project.checkpoint
    assert checkpoint is not None and 0 < checkpoint.step
    assert training.action_continue.isEnabled()
    job = training.job
    done = finish(qtbot, training, training.action_continue)
    assert isinstance(done.ended, Finished) and len(done.ended.history) == 300
    reference = uninterrupted(training.make_job())
    for key, value in reference.weights.items():
        assert np.array_equal(done.weights[key], value), key
    assert done.test == reference.test
    assert job.resume is None and training.job.resume is checkpoint or \
        training.job.resume.step == checkpoint.step


def test_a_killed_training_process_keeps_its_last_checkpoint_and_continues(qtbot, xor_window):
    win, training = xor_window, xor_window.training
    win.editor.set_training_setting("epochs", 2000)
    with qtbot.waitSignal(training.runner.checkpointed, timeout=20000) as got:
        training.action_train.trigger()
    kept = got.args[0]
    with qtbot.waitSignal(training.runner.failed, timeout=10000):
        training.runner._worker._proc.kill()  # as the OOM killer or a crash would
    qtbot.waitUntil(lambda: training.state == "idle", timeout=5000)
    box = training.error_box
    assert "Continue training goes on from it" in box.text()
    box.close()
    extras = win.editor.doc.project
    assert extras.checkpoint is not None and extras.checkpoint.step >= kept.step
    assert extras.weights is not None and win.editor.doc.trained
    total = extras.checkpoint.epoch + 2  # the epoch it was in, and two more
    win.editor.set_training_setting("epochs", total)
    done = finish(qtbot, training, training.action_continue)
    assert isinstance(done.ended, Finished)
    assert [r["epoch"] for r in done.ended.history] == list(range(1, total + 1))


def test_continue_after_a_design_edit_names_the_change_and_offers_a_fresh_start(
        qtbot, xor_window):
    win, training = xor_window, xor_window.training
    win.editor.set_training_setting("epochs", 2)
    finish(qtbot, training, training.action_train)
    hidden = next(layer for layer in win.editor.doc.layers if layer.type == "Dense")
    assert win.editor.set_setting(hidden.id, "units", hidden.config["units"] + 4) is None
    win.editor.set_training_setting("epochs", 4)
    assert not training.continue_run()
    box = training.error_box
    assert box.objectName() == "resume_changed"
    assert f"{hidden.id}: units changed from {hidden.config['units']}" in box.text()
    with qtbot.waitSignal(training.runner.finished, timeout=60000) as result:
        box.button(QMessageBox.Yes).click()  # Start afresh
    assert training.job.resume is None
    assert len(result.args[0].ended.history) == 4
