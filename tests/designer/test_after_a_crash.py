"""What the window says after its training process is killed mid-run: the run's last
checkpoint is kept, and nothing claims the run is still going."""
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"


@pytest.fixture
def killed(qtbot, window):
    """xor mid-run, its training process killed with SIGKILL (as the OOM killer does)."""
    assert window.projects.open_path(EXAMPLES / "xor.ncproj")
    window.editor.set_training_setting("checkpoint_seconds", 0.05)
    window.editor.set_training_setting("epochs", 2000)
    training = window.training
    with qtbot.waitSignal(training.runner.checkpointed, timeout=20000):
        training.action_train.trigger()
    with qtbot.waitSignal(training.runner.failed, timeout=10000):
        training.runner._worker._proc.kill()
    qtbot.waitUntil(lambda: training.state == "idle", timeout=5000)
    yield window
    training.error_box.close()
    assert training.shutdown()


def test_the_kept_checkpoint_reads_interrupted_not_running(killed):
    text = killed.training_panel.result.text()
    assert "Trained" in text and "interrupted" in text
    assert "running" not in text  # 'Trained (14 epochs, running)' beside an idle Train button


def test_the_message_says_the_training_process_was_killed(killed):
    text = killed.training.error_box.text()
    assert "was killed by SIGKILL" in text and "memory ran out" in text
    assert "exit code -9" not in text


def test_the_run_line_says_training_failed_once(killed):
    line = killed.training_panel.rate.text()
    assert line.startswith("Training failed: The training process was killed by SIGKILL")
    assert line.count("Training") == 2  # 'Training failed' and 'Training › Continue'
