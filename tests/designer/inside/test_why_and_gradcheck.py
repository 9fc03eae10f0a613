"""The Gradients tab runs the engine's check on the design and shows a row per layer;
Try a sample shows why (heat maps for images) and both clear on another project."""
from designer.inside.gradcheck_view import EMPTY_GRADCHECK
from designer.projects import EXAMPLES_DIR


def test_check_gradients_in_the_window_then_another_project(qtbot, open_example):
    win = open_example("xor")
    view = win.inside_dock.widget().gradcheck
    with qtbot.waitSignal(view.checked, timeout=30000) as got:
        assert view.start()
    result, error = got.args
    assert error is None and result[0].passed
    names = [view.table.item(i, 0).text() for i in range(view.table.rowCount())]
    assert names == ["input", "hidden", "output"]
    assert all(view.table.item(i, 5).text() == "pass" for i in range(len(names)))
    assert "training follows the true gradient" in view.label.text()
    win.projects.open_path(EXAMPLES_DIR / "digits_mlp.ncproj")
    qtbot.wait(50)
    assert view.result is None and view.table.rowCount() == 0
    assert view.label.text() == EMPTY_GRADCHECK


def test_a_digit_shows_its_saliency_and_occlusion(qtbot, open_example):
    win = open_example("cnn_digits", epochs=1)
    panel = win.inside_dock.widget()
    with qtbot.waitSignal(win.training.runner.finished, timeout=120000):
        win.training.action_train.trigger()
    qtbot.waitUntil(lambda: win.inside.network is not None, timeout=30000)
    panel.sample.request_index(0)
    qtbot.waitUntil(lambda: panel.sample.result is not None, timeout=5000)
    why = panel.sample.why
    assert why.shown is not None and why.shown.kind == "image"
    assert why.shown.saliency.shape == (8, 8) and not why.isHidden()
    assert "occlusion" in why.caption.text()
    win.projects.open_path(EXAMPLES_DIR / "xor.ncproj")
    qtbot.wait(50)
    assert why.shown is None and why.isHidden()
