"""File > Export...: offered only for a trained model; exports ONNX on a worker thread
with the parity figure in the result."""
from pathlib import Path

import pytest

from .test_training import EXAMPLES, train_to_end


@pytest.fixture
def xor_window(window):
    assert window.projects.open_path(EXAMPLES / "xor.ncproj")
    yield window
    assert window.training.shutdown()
    if window.export_dialog is not None:
        window.export_dialog.done(0)


def test_export_is_disabled_until_trained_and_the_dialog_says_so(xor_window):
    win = xor_window
    assert not win.action_export.isEnabled()
    assert "Train the network first" in win.action_export.toolTip()
    from designer.panels.export_dialog import open_export_dialog
    dialog = open_export_dialog(win, win.editor, win.projects)
    assert "Train the network first" in dialog.outcome.text()
    assert not dialog.export_button.isEnabled()


def test_export_onnx_from_a_trained_xor_shows_the_parity_figure(qtbot, xor_window, tmp_path):
    pytest.importorskip("onnx")
    pytest.importorskip("onnxruntime")
    win = xor_window
    train_to_end(qtbot, win, epochs=20)
    win.action_export.trigger()
    dialog = win.export_dialog
    dialog.format_combo.setCurrentIndex(dialog.format_combo.findData("onnx"))
    target = tmp_path / "xor.onnx"
    dialog.path_edit.setText(str(target))
    assert dialog.parity_box.isChecked()
    dialog.export_button.click()
    assert dialog.worker is not None  # on a worker thread
    qtbot.waitUntil(lambda: dialog.export_result is not None and dialog.worker is None,
                    timeout=60000)
    assert target.exists()
    assert dialog.export_result.passed is True
    assert "max abs diff" in dialog.outcome.text() and "passed" in dialog.outcome.text()
    assert dialog.progress.value() == 100


def test_a_failed_export_says_what_failed(qtbot, xor_window, tmp_path):
    win = xor_window
    train_to_end(qtbot, win, epochs=5)
    win.action_export.trigger()
    dialog = win.export_dialog
    dialog.format_combo.setCurrentIndex(dialog.format_combo.findData("npz"))
    folder = tmp_path / "a_folder"
    folder.mkdir()
    dialog.path_edit.setText(str(folder))
    dialog.export_button.click()
    qtbot.waitUntil(lambda: dialog.worker is None, timeout=30000)
    assert "Export failed" in dialog.outcome.text() and "is a folder" in dialog.outcome.text()
    assert Path(folder).is_dir()


def test_a_typed_home_or_relative_path_is_read_as_a_shell_would(qtbot, xor_window, tmp_path,
                                                                  monkeypatch):
    """'~/...' is the home folder and 'models/...' is beside the project, never a folder
    named '~' in whatever folder the app was started from."""
    home, started_in = tmp_path / "home", tmp_path / "started_in"
    home.mkdir(), started_in.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(started_in)
    win = xor_window
    train_to_end(qtbot, win, epochs=5)
    win.action_export.trigger()
    dialog = win.export_dialog
    dialog.format_combo.setCurrentIndex(dialog.format_combo.findData("npz"))
    dialog.default_dir = tmp_path / "project"  # the saved project's folder
    for typed, expected in (("~/out/xor.npz", home / "out" / "xor.npz"),
                            ("rel/xor.npz", dialog.default_dir / "rel" / "xor.npz")):
        dialog.export_result = None
        dialog.path_edit.setText(typed)
        dialog.export_button.click()
        qtbot.waitUntil(lambda: dialog.worker is None and dialog.export_result is not None,
                        timeout=30000)
        assert expected.is_file(), typed
        assert str(expected) in dialog.outcome.text()
    assert list(started_in.iterdir()) == []


def test_a_file_system_error_is_one_plain_line(qtbot, xor_window, tmp_path, monkeypatch):
    """The file and the system's reason, as the CLI says it, not 'PermissionError:
    [Errno 13] Permission denied: ...' (a read-only folder, a full disk)."""
    from designer.panels import export_dialog

    target = tmp_path / "read_only" / "model.npz"

    def refused(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(target))

    win = xor_window
    train_to_end(qtbot, win, epochs=5)
    monkeypatch.setattr(export_dialog, "export_model", refused)
    win.action_export.trigger()
    dialog = win.export_dialog
    dialog.path_edit.setText(str(target))
    dialog.export_button.click()
    qtbot.waitUntil(lambda: dialog.worker is None, timeout=30000)
    assert dialog.outcome.text() == f"Export failed: {target}: Permission denied"
